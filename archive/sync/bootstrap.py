"""A new workstation's first load: every synced row of the central database, in one go.

The central side is read in one REPEATABLE READ snapshot, together with the highest
``server_seq`` it contains — so the copy and the pull cursor agree exactly, while other
workstations keep pushing. The local side is written in the caller's single transaction (a
crash or a cancel leaves the workstation empty, never half-loaded), with foreign keys checked at
commit, and each row also lands in the local ``change_log`` (with its creator as origin and no
field values: the row itself is in its table) so the search index picks it up like any other
change. On SQLite the secondary indexes of a big table are dropped while it loads and rebuilt
from their stored definitions afterwards (one sorted build instead of a million random inserts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from archive.db.changefeed import record_remote
from archive.db.engine import bulk_page_cache
from archive.domain.ids import uuid7
from archive.domain.progress import Cancelled, JobCancelled, Progress
from archive.i18n import N_
from archive.sync.central_apply import last_seq
from archive.sync.central_models import ServerChange
from archive.sync.tables import Catalog

BATCH = 5000
#: Tables with at least this many rows to load get their secondary indexes rebuilt at the end.
REBUILD_INDEXES_FROM = 50_000


@dataclass(frozen=True)
class BootstrapResult:
    rows: int
    cursor: int
    max_hlc: int


def bootstrap(
    central: Connection,
    local: Connection,
    *,
    catalog: Catalog,
    now: datetime,
    progress: Progress,
    cancelled: Cancelled,
) -> BootstrapResult:
    """Copy every synced row from ``central`` (a REPEATABLE READ transaction) into ``local``,
    with a large page cache while loading (see :func:`_copy`)."""
    with bulk_page_cache(local):
        return _copy(central, local, catalog=catalog, now=now, progress=progress, cancelled=cancelled)


def _copy(
    central: Connection,
    local: Connection,
    *,
    catalog: Catalog,
    now: datetime,
    progress: Progress,
    cancelled: Cancelled,
) -> BootstrapResult:
    """Copy every synced row from ``central`` (a REPEATABLE READ transaction) into ``local``.

    Returns:
        How many rows were copied, the ``server_seq`` the copy corresponds to (the pull cursor)
        and the highest clock seen (for this workstation's clock).
    """
    cursor = last_seq(central)
    max_hlc = int(central.scalar(select(func.coalesce(func.max(ServerChange.hlc), 0))) or 0)
    totals = {t.name: int(central.scalar(select(func.count()).select_from(t.table)) or 0) for t in catalog.ordered}
    total = sum(totals.values())
    rebuild: list[tuple[str, str]] = []
    if local.dialect.name == "sqlite":
        local.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        big = [name for name, n in totals.items() if n >= REBUILD_INDEXES_FROM]
        rebuild = _drop_indexes(local, big)
    done = 0
    progress(0, total, N_("Copiando datos de la base central"))
    for t in catalog.ordered:
        if not totals[t.name]:
            continue
        cols = [t.table.c[c] for c in t.columns if c in t.travelling]
        result = central.execution_options(yield_per=BATCH).execute(select(*cols).order_by(t.table.c.id))
        for part in result.partitions(BATCH):
            if cancelled():
                raise JobCancelled()
            rows = [dict(r._mapping) for r in part]
            local.execute(insert(t.table), rows)
            feed: list[dict[str, Any]] = [
                {"change_id": uuid7(), "table_name": t.name, "row_id": r["id"], "op": "I", "fields": {},
                 "hlc": max_hlc, "user_id": None, "origin": r["origin"], "at": now}
                for r in rows
            ]  # fmt: skip
            record_remote(local, feed)
            done += len(rows)
            progress(done, total, N_("Copiando datos de la base central"))
    if rebuild:
        progress(done, total, N_("Reconstruyendo índices"))
        for _name, sql in rebuild:
            local.exec_driver_sql(sql)
    return BootstrapResult(done, cursor, max_hlc)


def _drop_indexes(local: Connection, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the secondary indexes of ``tables`` (SQLite); return their definitions to rebuild."""
    if not tables:
        return []
    found = [
        (str(name), str(sql)) for name, sql in local.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                 "AND tbl_name IN (" + ", ".join(f":t{i}" for i in range(len(tables))) + ")"),
            {f"t{i}": t for i, t in enumerate(tables)},
        )
    ]  # fmt: skip
    quote = local.dialect.identifier_preparer.quote
    for name, _sql in found:
        local.exec_driver_sql(f"DROP INDEX {quote(name)}")
    return found
