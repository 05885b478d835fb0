"""Executing a merge's writes: fast in bulk, correct one by one when the bulk fails.

The merge produces inserts and updates in change order. Consecutive writes of the same shape
(table, kind, columns) go to the database as one ``executemany``. If the database refuses the
bulk (a child row written before its parent inside a workstation's transaction, which SQLite
accepted and PostgreSQL's non-deferrable foreign keys do not), the writes are replayed one by
one, each in a savepoint; a write refused for a missing parent waits until the rest are done
(and so do the later writes of the same row, which keeps their order). The caller learns the
order in which writes were applied, to number the changes the same way for the replicas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, insert
from sqlalchemy.exc import IntegrityError

from archive.db.bulk import bind_processor
from archive.sync.tables import SyncedTable


@dataclass
class Write:
    """One insert (``I``) or update (``U``, bumping ``version``) of one row."""

    table: SyncedTable
    op: str
    row_id: str
    values: dict[str, Any]
    tag: int = 0
    shape: tuple[str, str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.shape = (self.table.name, self.op, tuple(sorted(self.values)))


def _statement(w: Write) -> Any:
    t = w.table.table
    if w.op == "I":
        return insert(t)
    cols = sorted(w.values)
    # Columns with an ``onupdate`` default (``updated_at``) keep their value unless the change
    # carries one: applying someone else's change is not an edit made here and now.
    keep = {c.name: c for c in t.columns if c.onupdate is not None and c.name not in w.values}
    return (
        t.update()
        .where(t.c.id == bindparam("_row_id"))
        .values({c: bindparam(f"v_{c}") for c in cols} | keep | {"version": t.c.version + 1})
    )


def _params(w: Write) -> dict[str, Any]:
    if w.op == "I":
        return w.values
    return {f"v_{k}": v for k, v in w.values.items()} | {"_row_id": w.row_id}


def _groups(writes: Sequence[Write]) -> list[list[Write]]:
    groups: list[list[Write]] = []
    for w in writes:
        if groups and groups[-1][0].shape == w.shape:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


#: Inserts of at least this many rows go through PostgreSQL's COPY (an order of magnitude faster
#: than row-by-row statements, even pipelined).
COPY_THRESHOLD = 50


def copy_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) with COPY, in ``conn``'s transaction.

    Values go through each column's bind processing first (UTC timestamps, JSON text), exactly
    as an INSERT would send them.
    """
    if not rows:
        return
    names = list(rows[0])
    columns: list[Column[Any]] = [table.c[n] for n in names]
    # Most columns need no processing: take the row's values in one C-level call, then process
    # the few that do (timestamps, JSON) in place.
    procs = [(i, p) for i, c in enumerate(columns) if (p := bind_processor(conn, c))]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {conn.dialect.identifier_preparer.quote(table.name)} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            out = list(values(row))
            for i, p in procs:
                out[i] = p(out[i])
            copy.write_row(out)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``: COPY on PostgreSQL for big groups, ``executemany`` otherwise."""
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        copy_rows(conn, table, rows)
    elif rows:
        conn.execute(insert(table), list(rows))


def is_foreign_key_error(error: BaseException) -> bool:
    orig = getattr(error, "orig", None) or error
    return getattr(orig, "sqlstate", "") == "23503" or "FOREIGN KEY" in str(orig)


def execute(conn: Connection, writes: Sequence[Write]) -> list[int]:
    """Apply ``writes``; return their tags in the order they were applied.

    Raises:
        IntegrityError: a write still refused after every other write was applied (a row
            refers to one that does not exist anywhere), or any other constraint violation.
    """
    if not writes:
        return []
    try:
        with conn.begin_nested():
            for group in _groups(writes):
                if group[0].op == "I":
                    insert_rows(conn, group[0].table.table, [w.values for w in group])
                else:
                    conn.execute(_statement(group[0]), [_params(w) for w in group])
        return [w.tag for w in writes]
    except Exception as error:  # SQLAlchemy's IntegrityError, or psycopg's from a COPY
        if not is_foreign_key_error(error):
            raise
    return _one_by_one(conn, writes)


def _one_by_one(conn: Connection, writes: Sequence[Write]) -> list[int]:
    applied: list[int] = []
    pending = list(writes)
    while pending:
        waiting: list[Write] = []
        blocked: set[tuple[str, str]] = set()
        last_error: IntegrityError | None = None
        for w in pending:
            key = (w.table.name, w.row_id)
            if key in blocked:
                waiting.append(w)
                continue
            try:
                with conn.begin_nested():
                    conn.execute(_statement(w), [_params(w)])
                applied.append(w.tag)
            except IntegrityError as error:
                if not is_foreign_key_error(error):
                    raise
                last_error = error
                blocked.add(key)
                waiting.append(w)
        if len(waiting) == len(pending):
            assert last_error is not None
            raise last_error
        pending = waiting
    return applied
