"""Applying pulled changes to the workstation's SQLite database.

What the central database sends is already merged: every field in a pulled change won against
everything the central had before it, so it beats every earlier pulled value. Only this
workstation's own writes can still be newer (made offline, or pushed after the pulled change
was numbered); their clocks come from the local ``change_log`` (own rows keep their ``hlc``), so
the field-by-field decision here is the same the central makes when those writes arrive.

A pulled value another local row holds for a unique key (a duplicate allocated offline) goes to
the pulled row — the central gave it to that row — and the local holder (always a row whose
value this workstation wrote and the central has not yet judged) is *set aside* with the same
quarantine value the central would give it. The set-aside is temporary and recorded: once the
central has judged the local write, :func:`settle_set_asides` makes the local row agree with it
(the central may have set it aside too, or accepted it because the pulled holder was deleted
meanwhile). Each applied change is written to the local ``change_log`` with its own change id, clock
and origin, so the search indexer sees it, and the sync client never sends it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from archive.db.changefeed import record_remote
from archive.db.models import ChangeLog
from archive.sync import writer
from archive.sync.changes import Change
from archive.sync.rowstore import Key, RowStore, UniqueTracker, chunks
from archive.sync.tables import BOOKKEEPING, Catalog, SyncedTable, quarantine_value


@dataclass(frozen=True)
class LocalOutcome:
    """What one pulled page did locally."""

    received: int
    applied: int
    set_aside: list[tuple[str, str, str, str]]


class LocalApplier:
    """Applies pages of pulled changes (see the module docstring).

    Args:
        conn: The local connection, inside the page's write transaction.
        me: This workstation's code.
        catalog: The synced tables.
    """

    def __init__(self, conn: Connection, *, me: str, catalog: Catalog) -> None:
        self.conn = conn
        self.me = me
        self.catalog = catalog
        self.store = RowStore(conn, catalog)
        self.tracker = UniqueTracker(conn, self.store)
        self.own: dict[Key, dict[str, int]] = {}
        self.writes: list[writer.Write] = []
        self.feed: list[dict[str, Any]] = []
        self.set_aside: list[tuple[str, str, str, str]] = []

    def apply(self, changes: Sequence[Change]) -> LocalOutcome:
        keys = {(c.table, c.row_id) for c in changes if self.catalog.get(c.table) is not None}
        self.store.load(keys)
        self._load_own(keys)
        wanted = []
        for c in changes:
            t = self.catalog.get(c.table)
            if t is not None and t.unique_keys:
                row = dict(self.store.get((t.name, c.row_id)) or {})
                row.update(t.decode(c.fields))
                row["id"] = c.row_id
                wanted.append((t, row))
        self.tracker.prepare(wanted)
        for c in changes:
            self._merge(c)
        if self.conn.dialect.name == "sqlite":
            # Rows of one page may refer to each other in any order; checked at commit.
            self.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        writer.execute(self.conn, self.writes)
        for part in chunks(self.feed, 5000):
            record_remote(self.conn, part)
        return LocalOutcome(len(changes), len(self.feed), self.set_aside)

    def _load_own(self, keys: set[Key]) -> None:
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(row_id)
        for table, ids in by_table.items():
            for part in chunks(sorted(ids)):
                rows = self.conn.execute(
                    select(ChangeLog.row_id, ChangeLog.op, ChangeLog.fields, ChangeLog.hlc).where(
                        ChangeLog.table_name == table, ChangeLog.row_id.in_(part),
                        ChangeLog.origin == self.me,
                    )
                )  # fmt: skip
                for r in rows:
                    clocks = self.own.setdefault((table, r.row_id), {})
                    names = ("deleted_at",) if r.op == "D" else tuple(r.fields or {})
                    for name in names:
                        if r.hlc > clocks.get(name, 0):
                            clocks[name] = r.hlc

    def _merge(self, c: Change) -> None:
        t = self.catalog.get(c.table)
        if t is None:
            return  # a table this version does not have (schema revisions are checked first)
        key = (t.name, c.row_id)
        row = self.store.get(key)
        raw = {"deleted_at": c.at.isoformat()} if c.op == "D" else dict(c.fields)
        values = t.decode({k: v for k, v in raw.items() if k not in BOOKKEEPING})
        if row is None:
            if c.op != "I":
                return  # nothing to change: the row never reached this copy
            values["id"] = c.row_id
            self._make_room(t, values, restoring=True)
            values["version"] = 1
            self.writes.append(writer.Write(t, "I", c.row_id, values))
            self.tracker.move(t, None, values)
            self.store.put(key, dict(values))
            self.feed.append(c.feed_row(t.encode({k: v for k, v in values.items() if k != "version"})))
            return
        own = self.own.get(key, {})
        winners = {f: v for f, v in values.items() if (own.get(f, 0), self.me) < c.clock}
        if not winners:
            return
        new_row = {**row, **winners}
        self._make_room(t, new_row, restoring="deleted_at" in winners, touched=winners)
        self.writes.append(writer.Write(t, "U", c.row_id, winners))
        self.tracker.move(t, row, new_row)
        new_row["version"] = int(row.get("version") or 0) + 1
        self.store.put(key, new_row)
        self.feed.append(c.feed_row(t.encode(winners)))

    def _make_room(
        self, t: SyncedTable, new_row: dict[str, Any], *, restoring: bool,
        touched: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """Set aside local rows holding unique values the pulled row takes."""
        changed = set(touched if touched is not None else new_row)
        for key in t.unique_keys:
            if key.quarantine is None or not (restoring or set(key.columns) & changed):
                continue
            holder = self.tracker.holder(t, key, new_row)
            if holder is None:
                continue
            self.store.load([(t.name, holder)])
            held = self.store.get((t.name, holder))
            if held is None:
                continue
            q = quarantine_value(str(held[key.quarantine]), holder, t.lengths.get(key.quarantine))
            moved = {**held, key.quarantine: q}
            self.writes.append(writer.Write(t, "U", holder, {key.quarantine: q}))
            self.tracker.move(t, held, moved)
            moved["version"] = int(held.get("version") or 0) + 1
            self.store.put((t.name, holder), moved)
            self.set_aside.append((t.name, holder, key.quarantine, q))


def settle_set_asides(
    local: Connection, central: Connection, catalog: Catalog, pending: list[tuple[str, str, str, str]]
) -> list[tuple[str, str, str, str]]:
    """Make set-aside rows agree with the central's judgement; return those still pending.

    Called after a full pull (so this workstation's own writes were pushed and the central's
    later changes applied). For each ``(table, row_id, column, set_aside_value)``: if the local
    value changed since (a correction arrived, someone edited it) or the central holds the same
    set-aside value, it is settled; if the central holds another value (it accepted the original
    because the competing holder went away) and no other live local row holds that value, the
    local row takes it; if the central has not seen the row yet, it stays pending.
    """
    still: list[tuple[str, str, str, str]] = []
    for table, row_id, column, value in pending:
        t = catalog.get(table)
        if t is None:
            continue
        tbl = t.table
        mine = local.execute(select(tbl.c[column], tbl.c.deleted_at).where(tbl.c.id == row_id)).first()
        if mine is None or mine[0] != value:
            continue
        theirs = central.execute(select(tbl.c[column]).where(tbl.c.id == row_id)).first()
        if theirs is None:
            still.append((table, row_id, column, value))
            continue
        if theirs[0] == value:
            continue
        taken = local.scalar(select(tbl.c.id).where(tbl.c[column] == theirs[0], tbl.c.id != row_id,
                                                    tbl.c.deleted_at.is_(None)).limit(1))  # fmt: skip
        if taken is not None:
            still.append((table, row_id, column, value))
            continue
        writer.execute(local, [writer.Write(t, "U", row_id, {column: theirs[0]})])
    return still
