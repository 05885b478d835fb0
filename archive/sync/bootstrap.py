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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, Table, func, select

from archive.db.bulk import bind_value, bulk_ids, drop_indexes, insert_tuples, restore_indexes
from archive.db.engine import bulk_page_cache
from archive.db.models import ChangeLog
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
        rebuild = drop_indexes(local, big)
    feed = _FeedWriter(local, max_hlc=max_hlc, now=now)
    done = 0
    progress(0, total, N_("Copiando datos de la base central"))
    for t in catalog.ordered:
        if not totals[t.name]:
            continue
        names = [c for c in t.columns if c in t.travelling]
        cols = [t.table.c[c] for c in names]
        id_at, origin_at = names.index("id"), names.index("origin")
        result = central.execution_options(yield_per=BATCH).execute(select(*cols).order_by(t.table.c.id))
        for part in result.partitions(BATCH):
            if cancelled():
                raise JobCancelled()
            feed.add(t.name, [(r[id_at], r[origin_at]) for r in part])
            insert_tuples(local, t.table, names, part)  # plain tuples through the driver
            done += len(part)
            progress(done, total, N_("Copiando datos de la base central"))
    if rebuild:
        progress(done, total, N_("Reconstruyendo índices"))
        restore_indexes(local, rebuild)
    return BootstrapResult(done, cursor, max_hlc)


class _FeedWriter:
    """Writes the ``change_log`` row of every copied row, in bulk.

    The rows carry no field values (the row itself is in its table), the copy's highest clock,
    their creator as origin, and change ids that are UUIDv7s of this moment with a counter in
    their last 48 bits: unique, and increasing, so the change-id index is appended to instead
    of being written at a million random places.
    """

    NAMES = ("change_id", "table_name", "row_id", "op", "fields", "hlc", "user_id", "origin", "at")

    def __init__(self, local: Connection, *, max_hlc: int, now: datetime) -> None:
        self.local = local
        self.hlc = max_hlc
        self.log: Table = ChangeLog.__table__  # type: ignore[assignment]
        at: Column[object] = self.log.c.at
        fields: Column[object] = self.log.c.fields
        self.at = bind_value(local, at, now)
        self.fields = bind_value(local, fields, {})

    def add(self, table: str, rows: Sequence[Sequence[str]]) -> None:
        """Feed rows for ``rows`` (``(row id, origin)`` pairs) of ``table``."""
        ids = bulk_ids(len(rows))
        insert_tuples(self.local, self.log, self.NAMES, [
            (next(ids), table, row_id, "I", self.fields, self.hlc, None, origin, self.at) for row_id, origin in rows
        ], bound=self.NAMES)  # fmt: skip
