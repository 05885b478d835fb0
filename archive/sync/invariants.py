"""Domain invariants the central database enforces while merging: where "last writer wins" must
not decide alone, a conflict is stored for a person instead of a silent overwrite.

Two kinds of hooks, both plain objects collected in an :class:`Invariants` set:

- a :class:`RowInvariant` looks at one incoming change before it is applied and may *reject*
  fields (the central value stays; the origin gets a correction) or *substitute* values;
- a :class:`BatchInvariant` looks at a whole pushed batch after it was written (it may query
  the central state) and *flags* rows: the change stays applied, a person reviews it.

Uniqueness (duplicate barcodes and codes) is built into the merge itself, for every unique
index of every synced table. :func:`default_invariants` lists the rest; a feature adds its own
there (the loans feature: ``ExclusiveActive("loan", key="unit_id", field="state",
active=frozenset({"prestado"}), kind="lent_twice")`` — a unit cannot be lent twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, and_, func, select

from archive.db.models import Location, Movement, Unit, UnitType
from archive.i18n import N_
from archive.sync.changes import Change
from archive.sync.rowstore import among
from archive.sync.tables import SyncedTable

#: Labels of the conflict kinds (msgids), for the GUI and the CLI.
KIND_LABELS: dict[str, str] = {
    "duplicate": N_("Código duplicado"),
    "capacity": N_("Capacidad excedida"),
    "edit_deleted": N_("Edición de un registro eliminado"),
    "transition": N_("Cambio de estado no permitido"),
    "too_long": N_("Valor demasiado largo"),
    "orphan": N_("Cambio de un registro inexistente"),
    "lent_twice": N_("Unidad prestada dos veces"),
}


@dataclass
class Proposal:
    """What an incoming change would do to a row.

    Attributes:
        table: The synced table.
        change: The incoming change.
        before: The row as the central database holds it (decoded), None for a new row.
        values: The decoded field values that won last-writer-wins and would be written
            (read only: an invariant answers with a :class:`Verdict`).
    """

    table: SyncedTable
    change: Change
    before: Mapping[str, Any] | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """A row invariant's decision about a :class:`Proposal`.

    Attributes:
        kind: The conflict kind (a key of :data:`KIND_LABELS` or a plug-in's own).
        reject: Fields not applied (the central value stays in force).
        substitute: Fields applied with another value than the incoming one.
        detail: Extra facts for the person who resolves it (JSON-ready).
        other_id: Another row involved, if any.
        context: More fields to show and decide on, as ``field: (left, right)`` values.
    """

    kind: str
    reject: frozenset[str] = frozenset()
    substitute: Mapping[str, Any] = field(default_factory=dict)
    detail: Mapping[str, Any] | None = None
    other_id: str | None = None
    context: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    """A change as it was applied centrally (input of the batch invariants)."""

    table: SyncedTable
    change: Change
    row_id: str
    before: Mapping[str, Any] | None  # previous values of the written fields; None: new row
    after: Mapping[str, Any]  # the written values
    index: int  # position of the change in the batch


@dataclass(frozen=True)
class Flag:
    """A batch invariant's finding: ``applied``'s ``fields`` break ``kind``; left applied."""

    kind: str
    applied: Applied
    fields: tuple[str, ...]
    detail: Mapping[str, Any] | None = None
    other_id: str | None = None


class RowInvariant(Protocol):
    def check(self, proposal: Proposal) -> Verdict | None:
        """A verdict when ``proposal`` breaks the invariant, else None."""


class BatchInvariant(Protocol):
    def check_batch(self, conn: Connection, applied: Sequence[Applied]) -> list[Flag]:
        """Flags for the applied changes of one batch that break the invariant."""


@dataclass
class Invariants:
    """The invariants a central merge enforces (built by the composition root or a test)."""

    row: list[RowInvariant] = field(default_factory=list)
    batch: list[BatchInvariant] = field(default_factory=list)


_TIMESTAMPS = frozenset({"updated_at"})


class EditOfDeleted:
    """An edit that arrives for a row another workstation soft-deleted is not applied.

    The person sees the deletion (left) and the edit (right) and decides: keep it deleted, or
    restore it with the edit. Deleting or restoring (``deleted_at`` itself) merges normally.
    """

    def check(self, proposal: Proposal) -> Verdict | None:
        before = proposal.before
        if before is None or before.get("deleted_at") is None:
            return None
        if "deleted_at" in proposal.values or not set(proposal.values) - _TIMESTAMPS:
            return None
        return Verdict("edit_deleted", reject=frozenset(proposal.values),
                       context={"deleted_at": (before["deleted_at"], None)})  # fmt: skip


@dataclass(frozen=True)
class TerminalState:
    """Once ``field`` of ``table`` reaches one of ``terminal``, it never leaves it by sync.

    E.g. a unit marked ``eliminado`` (destroyed under an elimination act) cannot come back to
    ``activo`` because another workstation, unaware, edited its status offline.
    """

    table: str
    field: str
    terminal: frozenset[str]

    def check(self, proposal: Proposal) -> Verdict | None:
        if proposal.table.name != self.table or proposal.before is None:
            return None
        old = proposal.before.get(self.field)
        if old in self.terminal and self.field in proposal.values:
            new = proposal.values[self.field]
            if new not in self.terminal:
                return Verdict("transition", reject=frozenset({self.field}),
                               detail={"from": old, "to": new})  # fmt: skip
        return None


class TooLong:
    """Text longer than its column (SQLite never checks lengths; PostgreSQL does) is cut to fit,
    so the batch is not refused forever; the person sees the full text."""

    def check(self, proposal: Proposal) -> Verdict | None:
        values = proposal.values
        cut = {}
        for k, limit in proposal.table.lengths.items():
            v = values.get(k)
            if isinstance(v, str) and len(v) > limit:
                cut[k] = v[:limit]
        return Verdict("too_long", substitute=cut) if cut else None


class Capacity:
    """Two workstations filled the same shelf (or box) offline: each move was fine alone.

    After a batch, every location or box that received units from it is counted centrally (a
    few grouped queries per batch, whatever its size); if it is over capacity, each incoming
    move not confirmed as an override (``Movement.over_capacity``) is flagged. The move stays
    applied (the box is physically there).
    """

    def check_batch(self, conn: Connection, applied: Sequence[Applied]) -> list[Flag]:
        into_loc: dict[str, list[Applied]] = {}
        into_box: dict[str, list[Applied]] = {}
        for a in applied:
            if a.table.name != "unit":
                continue
            loc = a.after.get("location_id")
            if loc is not None and (a.before is None or a.before.get("location_id") != loc):
                into_loc.setdefault(loc, []).append(a)
            box = a.after.get("parent_id")
            if box is not None and (a.before is None or a.before.get("parent_id") != box):
                into_box.setdefault(box, []).append(a)
        over: list[tuple[str, str, list[Applied], dict[str, Any]]] = []
        if into_loc:
            over += [("location_id", k, into_loc[k], v) for k, v in self._locations_over(conn, list(into_loc)).items()]
        if into_box:
            over += [("parent_id", k, into_box[k], v) for k, v in self._boxes_over(conn, list(into_box)).items()]
        return self._flags(conn, over) if over else []

    @staticmethod
    def _live_units() -> Any:
        return and_(Unit.deleted_at.is_(None), Unit.status != "eliminado")

    def _locations_over(self, conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        locs = {
            r.id: r for r in conn.execute(
                select(Location.id, Location.path, Location.barcode, Location.capacity_units, Location.capacity_cm)
                .where(among(conn, Location.id, ids))
            ) if r.capacity_units is not None or r.capacity_cm is not None
        }  # fmt: skip
        if not locs:
            return {}
        used = {
            r[0]: (int(r[1]), int(r[2])) for r in conn.execute(
                select(Unit.location_id, func.count(), func.coalesce(func.sum(UnitType.shelf_cm), 0))
                .join(UnitType, UnitType.id == Unit.unit_type_id)
                .where(among(conn, Unit.location_id, list(locs)), Unit.parent_id.is_(None), self._live_units())
                .group_by(Unit.location_id)
            )
        }  # fmt: skip
        out: dict[str, dict[str, Any]] = {}
        for loc_id, loc in locs.items():
            n, cm = used.get(loc_id, (0, 0))
            base = {"where": loc.path, "barcode": loc.barcode}
            if loc.capacity_units is not None and n > loc.capacity_units:
                out[loc_id] = base | {"capacity": loc.capacity_units, "used": n, "unit": "unidades"}
            elif loc.capacity_cm is not None and cm > loc.capacity_cm:
                out[loc_id] = base | {"capacity": loc.capacity_cm, "used": cm, "unit": "cm"}
        return out

    def _boxes_over(self, conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        boxes = {
            r.id: r for r in conn.execute(
                select(Unit.id, Unit.barcode, UnitType.capacity).join(UnitType, UnitType.id == Unit.unit_type_id)
                .where(among(conn, Unit.id, ids))
            ) if r.capacity is not None
        }  # fmt: skip
        if not boxes:
            return {}
        used = {
            str(k): int(v) for k, v in conn.execute(
                select(Unit.parent_id, func.count())
                .where(among(conn, Unit.parent_id, list(boxes)), Unit.deleted_at.is_(None))
                .group_by(Unit.parent_id)
            )
        }  # fmt: skip
        return {
            box_id: {"where": box.barcode, "barcode": box.barcode, "capacity": box.capacity,
                     "used": int(used.get(box_id, 0)), "unit": "unidades"}
            for box_id, box in boxes.items() if int(used.get(box_id, 0)) > box.capacity
        }  # fmt: skip

    def _flags(self, conn: Connection, over: list[tuple[str, str, list[Applied], dict[str, Any]]]) -> list[Flag]:
        unit_ids = [a.row_id for _, _, items, _ in over for a in items]
        confirmed = {
            (r.unit_id, r.to_location_id, r.to_parent_id) for r in conn.execute(
                select(Movement.unit_id, Movement.to_location_id, Movement.to_parent_id)
                .where(among(conn, Movement.unit_id, unit_ids), Movement.over_capacity.is_(True))
            )
        }  # fmt: skip
        flags = []
        for column, target, items, detail in over:
            for a in items:
                key = (a.row_id, target, None) if column == "location_id" else (a.row_id, None, target)
                if key not in confirmed:
                    flags.append(Flag("capacity", a, (column,), detail, target))
        return flags


@dataclass(frozen=True)
class ExclusiveActive:
    """At most one live row of ``table`` per ``key`` value may have ``field`` in ``active``.

    The hook for "a unit cannot be lent twice": two workstations lending the same unit offline
    both create an active loan; the later one is flagged for a person.
    """

    table: str
    key: str
    field: str
    active: frozenset[str]
    kind: str = "lent_twice"

    def check_batch(self, conn: Connection, applied: Sequence[Applied]) -> list[Flag]:
        mine = [a for a in applied if a.table.name == self.table and (
            a.after.get(self.field) in self.active or self.key in a.after)]  # fmt: skip
        if not mine:
            return []
        t = mine[0].table.table
        flags = []
        seen: set[str] = set()
        for a in mine:
            if a.row_id in seen:  # created and changed in one batch: one flag per row
                continue
            seen.add(a.row_id)
            row = conn.execute(select(t).where(t.c.id == a.row_id)).mappings().first()
            if row is None or row["deleted_at"] is not None or row[self.field] not in self.active:
                continue
            others = list(
                conn.scalars(
                    select(t.c.id).where(
                        t.c[self.key] == row[self.key], t.c.id != a.row_id,
                        t.c.deleted_at.is_(None), t.c[self.field].in_(sorted(self.active)),
                    )
                )
            )  # fmt: skip
            if others:
                flags.append(Flag(self.kind, a, (self.field,), {"key": row[self.key]}, others[0]))
        return flags


def default_invariants() -> Invariants:
    """Legajo's invariants (uniqueness is built into the merge)."""
    return Invariants(
        row=[EditOfDeleted(), TerminalState("unit", "status", frozenset({"eliminado"})), TooLong()],
        batch=[Capacity(), ExclusiveActive("loan", key="unit_id", field="state", active=frozenset({"prestado"}))],
    )
