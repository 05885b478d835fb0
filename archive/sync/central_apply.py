"""Applying one pushed batch on the central database (DESIGN.md §4).

All of it happens in the caller's single transaction, under one advisory lock so batches apply
(and get their ``server_seq`` numbers) one at a time and commit in number order:

1. changes whose ``change_id`` the central already has are skipped (a retried batch applies
   nothing twice);
2. each change is merged field by field: a field is written when the change's clock
   ``(hlc, origin)`` beats the clock of the field's last applied write;
3. row invariants may refuse or substitute fields, and every unique key is checked: a value
   another live row already holds goes to the incoming row *quarantined* (``EXT1~3fa2b1``);
   each case becomes a conflict, and the origin workstation gets a *correction* (a change by
   the central, clock ``hlc + 1``) so its copy converges;
4. the writes are executed in bulk; batch invariants (capacity…) flag what the batch caused;
5. every change is stored in ``sync_change`` as the other workstations must replay it (only
   the fields that were applied), numbered; the row clocks are saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from archive.domain.hlc import HybridClock
from archive.domain.ids import uuid7
from archive.i18n import N_
from archive.sync import writer
from archive.sync.central_conflicts import ConflictBuilder, Draft, Written
from archive.sync.central_models import RegisteredWorkstation, RowClockRow, ServerChange
from archive.sync.changes import ZERO, Change, RowClock
from archive.sync.errors import CentralIncompatible, SyncError
from archive.sync.invariants import Applied, Invariants, Proposal
from archive.sync.rowstore import Key, RowStore, UniqueTracker, among, chunks
from archive.sync.tables import BOOKKEEPING, CENTRAL_ORIGIN, Catalog, SyncedTable, quarantine_value

#: The advisory lock every push takes ("LEGJ"): one batch at a time, numbered in commit order.
PUSH_LOCK = 0x4C45474A


@dataclass(frozen=True)
class PushOutcome:
    """What the central database did with one batch."""

    received: int
    applied: int
    already: int
    conflicts: int
    last_seq: int


@dataclass
class _Effective:
    change: Change
    fields: dict[str, Any]
    tag: int | None = None


def last_seq(conn: Connection) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(ServerChange.server_seq), 0))) or 0)


class CentralApplier:
    """Applies batches pushed by workstation ``pusher`` (see the module docstring).

    Args:
        conn: A connection to the central database inside the batch's transaction.
        pusher: Code of the pushing workstation (every change must come from it).
        catalog: The synced tables.
        invariants: The invariants to enforce.
        now: The time to record (received, conflict creation).
    """

    def __init__(
        self, conn: Connection, *, pusher: str, catalog: Catalog, invariants: Invariants, now: datetime
    ) -> None:
        self.conn = conn
        self.pusher = pusher
        self.catalog = catalog
        self.invariants = invariants
        self.now = now
        self.store = RowStore(conn, catalog)
        self.tracker = UniqueTracker(conn, self.store)
        self.clocks: dict[Key, RowClock] = {}
        self._had_clock: set[Key] = set()
        self.writes: list[writer.Write] = []
        self.effective: list[_Effective] = []
        self.applied: list[Applied] = []
        self.drafts: list[Draft] = []
        self.corrections: dict[int, tuple[SyncedTable, Change, dict[str, Any]]] = {}

    # --- entry point ---------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> PushOutcome:
        """Apply ``changes`` (in the order the workstation made them)."""
        for c in changes:
            if c.origin != self.pusher:
                raise SyncError(
                    "sync.foreign_origin",
                    N_("La estación {pusher} intentó enviar cambios de la estación {origin}."),
                    pusher=self.pusher, origin=c.origin,
                )  # fmt: skip
        self.conn.execute(select(func.pg_advisory_xact_lock(PUSH_LOCK)))
        todo = self._new(changes)
        if not todo:
            return PushOutcome(len(changes), 0, len(changes), 0, last_seq(self.conn))
        keys = {(c.table, c.row_id) for c in todo}
        self.store.load(keys)
        self._load_clocks(keys)
        decoded = [self._decoded(c) for c in todo]
        self.tracker.prepare(self._wanted(todo, decoded))
        clock = HybridClock(max(c.hlc for c in todo), wall_ms=lambda: int(self.now.timestamp() * 1000))
        for index, (c, values) in enumerate(zip(todo, decoded, strict=True)):
            self._merge(index, c, values)
        order = writer.execute(self.conn, self.writes)
        for inv in self.invariants.batch:
            for flag in inv.check_batch(self.conn, self.applied):
                self._flagged(flag.kind, flag.applied, flag.fields, flag.detail, flag.other_id)
        written = [Written(i, e.change, e.fields) for i, e in enumerate(self.effective)]
        hlcs = [clock.now() for _ in self.drafts]
        builder = ConflictBuilder(self.conn, self.clocks, self.now)
        conflict_changes = builder.store(self.drafts, written, hlcs)
        for ch in conflict_changes:
            self.clocks[(ch.table, ch.row_id)] = RowClock(ch.clock, dirty=True)
        extra = [self._correction_change(*v) for _, v in sorted(self.corrections.items())]
        by_tag = {e.tag: e for e in self.effective if e.tag is not None}
        ordered = [by_tag[t] for t in order] + [e for e in self.effective if e.tag is None]
        ordered += [_Effective(c, dict(c.fields)) for c in (*extra, *conflict_changes)]
        seq = self._store_changes(ordered)
        self._store_clocks()
        self.conn.execute(
            update(RegisteredWorkstation).where(RegisteredWorkstation.code == self.pusher)
            .values(last_push_at=self.now, last_seen_at=self.now)
        )  # fmt: skip
        return PushOutcome(len(changes), len(todo), len(changes) - len(todo), len(self.drafts), seq)

    # --- loading -------------------------------------------------------------------------

    def _new(self, changes: Sequence[Change]) -> list[Change]:
        known: set[str] = set()
        ids = [c.change_id for c in changes]
        for part in chunks(ids):
            known.update(self.conn.scalars(
                select(ServerChange.change_id).where(among(self.conn, ServerChange.change_id, part))
            ))  # fmt: skip
        seen: set[str] = set()
        out = []
        for c in changes:
            if c.change_id not in known and c.change_id not in seen:
                seen.add(c.change_id)
                out.append(c)
        return out

    def _load_clocks(self, keys: Iterable[Key]) -> None:
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(row_id)
        for table, ids in by_table.items():
            for part in chunks(sorted(ids)):
                rows = self.conn.execute(
                    select(RowClockRow.row_id, RowClockRow.base_hlc, RowClockRow.base_origin, RowClockRow.fields)
                    .where(RowClockRow.table_name == table, among(self.conn, RowClockRow.row_id, part))
                )  # fmt: skip
                for r in rows:
                    self.clocks[(table, r.row_id)] = RowClock.load(r.base_hlc, r.base_origin, r.fields)
                    self._had_clock.add((table, r.row_id))

    def _decoded(self, c: Change) -> dict[str, Any]:
        """The change's fields as column values (a delete is a tombstone: ``deleted_at``)."""
        t = self._table(c)
        raw = {"deleted_at": c.at.isoformat()} if c.op == "D" else c.fields
        return t.decode({k: v for k, v in raw.items() if k not in BOOKKEEPING})

    def _wanted(self, todo: Sequence[Change], decoded: Sequence[dict[str, Any]]) -> Iterable[tuple[SyncedTable, dict[str, Any]]]:
        for c, values in zip(todo, decoded, strict=True):
            t = self.catalog.tables[c.table]
            if c.op == "D" or not t.unique_keys:
                continue
            row = dict(self.store.get((t.name, c.row_id)) or {})
            row.update(values)
            row["id"] = c.row_id
            yield t, row

    # --- merging -------------------------------------------------------------------------

    def _table(self, c: Change) -> SyncedTable:
        t = self.catalog.get(c.table)
        if t is None:
            raise CentralIncompatible(
                "sync.unknown_table",
                N_("La base central no conoce la tabla «{table}»: la estación y la central tienen "
                   "versiones distintas de Legajo."),
                table=c.table,
            )  # fmt: skip
        return t

    def _merge(self, index: int, c: Change, values: dict[str, Any]) -> None:
        t = self.catalog.tables[c.table]
        key = (t.name, c.row_id)
        row = self.store.get(key)
        if row is None:
            if c.op != "I":
                self._orphan(index, t, c, values)
                return
            self._insert(index, t, c, values)
            return
        clock = self.clocks.setdefault(key, RowClock(ZERO, dirty=True))
        winners = {f: v for f, v in values.items() if c.clock > clock.of(f)}
        if not winners:
            self.effective.append(_Effective(c, {}))
            return
        winners = self._check_row(index, t, c, row, winners)
        new_row = {**row, **winners}
        winners = self._check_unique(index, t, c, new_row, winners, restoring="deleted_at" in winners)
        if not winners:
            self.effective.append(_Effective(c, {}))
            return
        new_row = {**row, **winners}
        before = {f: row.get(f) for f in winners}
        tag = len(self.writes)
        self.writes.append(writer.Write(t, "U", c.row_id, winners, tag))
        self.tracker.move(t, row, new_row)
        new_row["version"] = int(row.get("version") or 0) + 1
        self.store.put(key, new_row)
        for f in winners:
            clock.set(f, c.clock)
        self.applied.append(Applied(t, c, c.row_id, before, winners, index))
        if index in self.corrections or c.op == "D":
            fields = t.encode(winners)
        else:  # as it came (already encoded)
            fields = {k: c.fields[k] for k in winners}
        self.effective.append(_Effective(c, fields, tag))

    def _insert(self, index: int, t: SyncedTable, c: Change, values: dict[str, Any]) -> None:
        values["id"] = c.row_id
        before = len(self.corrections)
        values = self._check_row(index, t, c, None, values)
        values = self._check_unique(index, t, c, dict(values), values, restoring=True)
        changed = len(self.corrections) != before  # an invariant put other values in
        values["version"] = 1
        tag = len(self.writes)
        self.writes.append(writer.Write(t, "I", c.row_id, values, tag))
        self.tracker.move(t, None, values)
        self.store.put((t.name, c.row_id), dict(values))
        clock = self.clocks.setdefault((t.name, c.row_id), RowClock(c.clock, dirty=True))
        clock.base, clock.dirty = c.clock, True
        self.applied.append(Applied(t, c, c.row_id, None, values, index))
        if changed:
            fields = t.encode({k: v for k, v in values.items() if k != "version"})
        else:  # as it came: the values are the workstation's own (already encoded)
            fields = {k: v for k, v in c.fields.items() if k in values and k != "version"}
        self.effective.append(_Effective(c, fields, tag))

    def _orphan(self, index: int, t: SyncedTable, c: Change, values: dict[str, Any]) -> None:
        self.drafts.append(Draft("orphan", t.name, c.row_id, sorted(values), {}, t.encode(values),
                                 c.meta(), "left", index, c.row_id))  # fmt: skip
        self.effective.append(_Effective(c, {}))

    def _check_row(
        self, index: int, t: SyncedTable, c: Change, row: dict[str, Any] | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Run the row invariants; return the values that may be written."""
        proposal = Proposal(t, c, row, values)  # invariants read it; changes below replace it
        for inv in self.invariants.row:
            verdict = inv.check(proposal)
            if verdict is None:
                continue
            rejected = sorted(verdict.reject & values.keys())
            subst = {k: v for k, v in verdict.substitute.items() if k in values}
            if not rejected and not subst:
                continue
            incoming = {f: values[f] for f in (*rejected, *subst)}
            in_force = {f: (row or {}).get(f) for f in rejected} | subst
            left = t.encode(in_force | {k: lv for k, (lv, _) in verdict.context.items()})
            right = t.encode(incoming | {k: rv for k, (_, rv) in verdict.context.items()})
            fields = [*rejected, *subst, *(k for k in verdict.context if k not in incoming)]
            self.drafts.append(Draft(verdict.kind, t.name, c.row_id, fields, left, right, c.meta(),
                                     "left", index, c.row_id, verdict.other_id,
                                     dict(verdict.detail) if verdict.detail else None))  # fmt: skip
            values = {k: v for k, v in values.items() if k not in rejected} | subst
            proposal = Proposal(t, c, row, values)
            self._correct(index, t, c, in_force)
        return values

    def _check_unique(
        self, index: int, t: SyncedTable, c: Change, new_row: dict[str, Any], values: dict[str, Any],
        *, restoring: bool,
    ) -> dict[str, Any]:  # fmt: skip
        """Quarantine values of unique keys another live row already holds."""
        for key in t.unique_keys:
            if key.quarantine is None or not (restoring or set(key.columns) & values.keys()):
                continue
            holder = self.tracker.holder(t, key, new_row)
            if holder is None:
                continue
            self.store.load([(t.name, holder)])
            held = self.store.get((t.name, holder)) or {}
            original = new_row[key.quarantine]
            q = quarantine_value(str(original), c.row_id, t.lengths.get(key.quarantine))
            values[key.quarantine] = new_row[key.quarantine] = q
            cols = {col: new_row[col] for col in key.columns} | {key.quarantine: original}
            detail = {"key": key.name, "columns": list(key.columns), "value": original,
                      "quarantined": q}  # fmt: skip
            self.drafts.append(Draft(
                "duplicate", t.name, c.row_id, [key.quarantine],
                t.encode({col: held.get(col) for col in key.columns}), t.encode(cols), c.meta(),
                "left", index, holder, holder, detail,
            ))  # fmt: skip
            self._correct(index, t, c, {key.quarantine: q})
        return values

    def _correct(self, index: int, t: SyncedTable, c: Change, values: dict[str, Any]) -> None:
        """The origin wrote other values than the central keeps: send it the central's."""
        if not values:
            return
        clock = self.clocks.setdefault((t.name, c.row_id), RowClock(c.clock, dirty=True))
        for f in values:
            clock.set(f, (c.hlc + 1, CENTRAL_ORIGIN))
        entry = self.corrections.setdefault(index, (t, c, {}))
        entry[2].update(values)

    def _flagged(
        self, kind: str, a: Applied, fields: Sequence[str], detail: Any, other_id: str | None
    ) -> None:
        t = a.table
        left = t.encode({f: (a.before or {}).get(f) for f in fields})
        right = t.encode({f: a.after.get(f) for f in fields})
        self.drafts.append(Draft(kind, t.name, a.row_id, list(fields), left, right, a.change.meta(),
                                 "right", a.index, a.row_id, other_id,
                                 dict(detail) if detail else None))  # fmt: skip

    def _correction_change(self, t: SyncedTable, c: Change, values: dict[str, Any]) -> Change:
        return Change(uuid7(), t.name, c.row_id, "U", t.encode(values), c.hlc + 1, CENTRAL_ORIGIN,
                      None, self.now)  # fmt: skip

    # --- storing -------------------------------------------------------------------------

    def _store_changes(self, ordered: Sequence[_Effective]) -> int:
        seq = last_seq(self.conn)
        rows = []
        for e in ordered:
            seq += 1
            c = e.change
            pushed_by = CENTRAL_ORIGIN if c.origin == CENTRAL_ORIGIN else self.pusher
            rows.append(c.feed_row(e.fields) | {"server_seq": seq, "pushed_by": pushed_by,
                                                  "received_at": self.now})  # fmt: skip
        for part in chunks(rows, 20_000):
            writer.insert_rows(self.conn, ServerChange.__table__, part)  # type: ignore[arg-type]
        return seq

    def _store_clocks(self) -> None:
        new = [
            {"table_name": t, "row_id": r, "base_hlc": c.base[0], "base_origin": c.base[1],
             "fields": c.fields_json() or None}
            for (t, r), c in self.clocks.items() if c.dirty and (t, r) not in self._had_clock
        ]  # fmt: skip
        for part in chunks(new, 20_000):
            writer.insert_rows(self.conn, RowClockRow.__table__, part)  # type: ignore[arg-type]
        rows = [
            {"table_name": t, "row_id": r, "base_hlc": c.base[0], "base_origin": c.base[1],
             "fields": c.fields_json() or None}
            for (t, r), c in self.clocks.items() if c.dirty and (t, r) in self._had_clock
        ]  # fmt: skip
        if not rows:
            return
        stmt = pg_insert(RowClockRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[RowClockRow.row_id, RowClockRow.table_name],
            set_={"base_hlc": stmt.excluded.base_hlc, "base_origin": stmt.excluded.base_origin,
                  "fields": stmt.excluded.fields},
        )  # fmt: skip
        for part in chunks(rows, 5000):
            self.conn.execute(stmt, part)


def lock_timeout(conn: Connection, seconds: int) -> None:
    """Give up waiting for another workstation's push after ``seconds`` (this transaction)."""
    conn.execute(text(f"SET LOCAL lock_timeout = '{int(seconds)}s'"))
