"""In-memory view of the rows a batch touches, and who holds each unique value.

A merge decides field by field in Python, in change order, so it needs the current rows (loaded
in bulk, one query per table and chunk) and, for every unique key, which live row holds a value
(loaded in bulk for the values the batch writes, looked up lazily for values that appear during
the merge). Both stay up to date as the merge proceeds, so the decisions are those of applying
the changes one by one — at the cost of a few queries per batch instead of several per change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY

from archive.sync.tables import Catalog, SyncedTable, UniqueKey

Key = tuple[str, str]
CHUNK = 2000


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def among(conn: Connection, column: Any, values: list[Any]) -> Any:
    """``column IN values``; on PostgreSQL one array parameter (``= ANY``) instead of one
    placeholder per value, which the driver would otherwise parse for every batch."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


class RowStore:
    """Current rows of the touched keys (``None``: the row does not exist)."""

    def __init__(self, conn: Connection, catalog: Catalog) -> None:
        self._conn = conn
        self.catalog = catalog
        self.rows: dict[Key, dict[str, Any] | None] = {}

    def load(self, keys: Iterable[Key]) -> None:
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            if (table, row_id) not in self.rows and self.catalog.get(table) is not None:
                by_table.setdefault(table, []).append(row_id)
        for name, ids in by_table.items():
            t = self.catalog.tables[name].table
            for part in chunks(sorted(set(ids))):
                for key in part:
                    self.rows[(name, key)] = None
                for row in self._conn.execute(select(t).where(among(self._conn, t.c.id, part))).mappings():
                    self.rows[(name, row["id"])] = dict(row)

    def get(self, key: Key) -> dict[str, Any] | None:
        return self.rows.get(key)

    def put(self, key: Key, row: dict[str, Any]) -> None:
        self.rows[key] = row


def key_tuple(key: UniqueKey, row: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The value ``row`` holds for ``key``; None when it holds none (a NULL, or not live)."""
    if key.live_only and row.get("deleted_at") is not None:
        return None
    values = tuple(row.get(c) for c in key.columns)
    return None if any(v is None for v in values) else values


class UniqueTracker:
    """Which live rows hold each value of each unique key (see the module docstring)."""

    def __init__(self, conn: Connection, store: RowStore) -> None:
        self._conn = conn
        self._store = store
        self._holders: dict[tuple[str, str, tuple[Any, ...]], set[str]] = {}
        self._known: set[tuple[str, str, tuple[Any, ...]]] = set()

    def prepare(self, wanted: Iterable[tuple[SyncedTable, Mapping[str, Any]]]) -> None:
        """Load the holders of the values ``wanted`` rows would take, in bulk.

        Args:
            wanted: ``(table, row values)`` pairs (a row's new values over its current ones).
        """
        todo: dict[tuple[str, str], tuple[SyncedTable, UniqueKey, set[tuple[Any, ...]]]] = {}
        for table, row in wanted:
            for key in table.unique_keys:
                tup = key_tuple(key, row)
                if tup is not None and (table.name, key.name, tup) not in self._known:
                    todo.setdefault((table.name, key.name), (table, key, set()))[2].add(tup)
        for table, key, tuples in todo.values():
            self._load(table, key, sorted(tuples, key=repr))
        for (name, _), current in self._store.rows.items():
            if current is not None:
                self._add_row(name, current)

    def _load(self, table: SyncedTable, key: UniqueKey, tuples: list[tuple[Any, ...]]) -> None:
        t = table.table
        cols = [t.c[c] for c in key.columns]
        for part in chunks(tuples, 500):
            if len(cols) == 1:
                query = select(t.c.id, *cols).where(among(self._conn, cols[0], [p[0] for p in part]))
            elif self._conn.dialect.name == "postgresql":
                # Join with the wanted tuples (one array per column): an index probe per tuple,
                # where a row-value IN list would be planned as a long OR.
                arrays = [bindparam(None, [p[i] for p in part], type_=ARRAY(c.type)) for i, c in enumerate(cols)]
                names = [f"k{i}" for i in range(len(cols))]
                wanted = func.unnest(*arrays).table_valued(*names).render_derived(name="wanted")
                query = select(t.c.id, *cols).join(
                    wanted, and_(*(c == wanted.c[n] for c, n in zip(cols, names, strict=True)))
                )
            else:
                query = select(t.c.id, *cols).where(tuple_(*cols).in_(part))
            if key.live_only:
                query = query.where(t.c.deleted_at.is_(None))
            for row in self._conn.execute(query):
                if (table.name, row[0]) in self._store.rows:
                    continue  # the store's copy of the row is the current one
                self._holders.setdefault((table.name, key.name, tuple(row[1:])), set()).add(row[0])
            for tup in part:
                self._known.add((table.name, key.name, tup))

    def _add_row(self, name: str, row: Mapping[str, Any]) -> None:
        table = self._store.catalog.tables[name]
        for key in table.unique_keys:
            tup = key_tuple(key, row)
            if tup is not None:
                self._holders.setdefault((name, key.name, tup), set()).add(row["id"])

    def holder(self, table: SyncedTable, key: UniqueKey, row: Mapping[str, Any]) -> str | None:
        """Another live row holding ``row``'s value of ``key``, if any."""
        tup = key_tuple(key, row)
        if tup is None:
            return None
        k = (table.name, key.name, tup)
        if k not in self._known:
            self._load(table, key, [tup])
        others = self._holders.get(k, set()) - {row["id"]}
        return min(others) if others else None

    def move(self, table: SyncedTable, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Record that a row changed from ``old`` (None: new row) to ``new``."""
        row_id = new["id"]
        for key in table.unique_keys:
            before = None if old is None else key_tuple(key, old)
            after = key_tuple(key, new)
            if before == after:
                continue
            if before is not None:
                self._holders.get((table.name, key.name, before), set()).discard(row_id)
            if after is not None:
                self._holders.setdefault((table.name, key.name, after), set()).add(row_id)
