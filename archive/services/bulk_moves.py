"""Many single-unit moves applied as one set-based write (collector files: thousands of lines).

A collector line "unit X to destination D" is what :func:`archive.services.moves.apply_move`
does for one unit, and each line stands alone: a line that cannot apply is reported and skipped,
the others apply in order. Applying them one by one costs a savepoint and a dozen statements per
line; here the same rules run in Python over state read once:

1. :func:`plan_moves` resolves every distinct unit and destination code with a few ``IN``
   queries (the errors of codes that do not resolve come from
   :func:`~archive.services.scanning.resolve_scan` itself), reads the occupancy of every
   destination that has a capacity, then walks the lines in order, checking each one exactly as
   ``apply_move`` does (destination kind, eliminated unit, box in box, into itself, capacity by
   units, by shelf centimetres and by box capacity) against the state the earlier lines left.
2. :func:`write_plan` writes what the ORM-free path of ``apply_move`` writes for each applied
   line — a ``Movement`` row, the unit's new place (one UPDATE per unit with its final place,
   version checked against the version read in step 1), and the change_log rows in the same
   order and encoding (movement insert, then unit update, line after line) — with
   ``executemany`` statements.

The caller owns the transaction and the audit row (as with ``apply_move(audit=False)``).
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from archive.db.bulk import IN_CHUNK, bulk_ids, insert_tuples, select_in, update_rows
from archive.db.changefeed import context_of, encode
from archive.db.models import ChangeLog, Movement, Unit, UnitType
from archive.db.types import utcnow
from archive.db.uow import UnitOfWork, stale_conflict
from archive.domain.barcodes import (
    BarcodeKind,
    looks_like_legajo_barcode,
    normalize_scan,
    parse_barcode,
    validate_external_barcode,
)
from archive.domain.errors import LegajoError, ValidationError
from archive.i18n import N_
from archive.services.moves import (
    DEST_SCAN,
    UNIT_SCAN,
    CapacityExceeded,
)
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan


class MoveLine(NamedTuple):
    """One line: the unit's code, the destination's code (location or box), the movement note."""

    unit_scan: str
    dest_scan: str
    note: str


class _UnitState:
    """A unit as the lines see it: read once, then kept in step with each applied line."""

    __slots__ = ("barcode", "home_location_id", "id", "kind", "location_id", "parent_id", "read_version",
                 "status", "unit_type_id", "version")  # fmt: skip

    def __init__(self, row: Sequence[Any]) -> None:
        """``row``: the values of ``_UNIT_COLUMNS``, in that order."""
        (self.id, self.barcode, self.kind, self.status, self.unit_type_id, self.location_id, self.parent_id,
         self.home_location_id, self.version, _external) = row  # fmt: skip
        self.read_version: int = self.version


@dataclass(frozen=True)
class _Place:
    """A destination location (only what the move rules read)."""

    id: str
    path: str
    capacity_units: int | None
    capacity_cm: int | None


class _Step(NamedTuple):
    """An applied line's writes: the movement's from/to and the unit columns it changed."""

    unit: _UnitState
    from_location_id: str | None
    from_parent_id: str | None
    to_location_id: str | None
    to_parent_id: str | None
    note: str
    changed: dict[str, Any]


@dataclass
class MovePlan:
    """Per line, in input order, the detail text of a line that applies (moved, or already
    there) or the error that stops it; and the writes of the lines that move something."""

    results: list[str | LegajoError] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)


_UNIT_COLUMNS = ("id", "barcode", "kind", "status", "unit_type_id", "location_id", "parent_id",
                 "home_location_id", "version", "external_barcode")  # fmt: skip
_UNIT_SELECT = (
    f"SELECT {', '.join(_UNIT_COLUMNS)} FROM unit WHERE deleted_at IS NULL AND barcode IN"
)
_LOCATION_SELECT = (
    "SELECT id, barcode, path, capacity_units, capacity_cm FROM location "
    "WHERE deleted_at IS NULL AND barcode IN"
)


class _Resolver:
    """Codes to units and locations, read in bulk; the same answers (and errors) as
    ``resolve_scan`` gives for the move's kinds (``UNIT_SCAN``, ``DEST_SCAN``)."""

    def __init__(self, s: Session, lines: Sequence[MoveLine]) -> None:
        self.s = s
        self.units: dict[str, _UnitState] = {}
        self.external: set[str] = set()  # ids of units whose barcode is external
        self.places: dict[str, _Place] = {}
        units = {line.unit_scan for line in lines}
        dests = {line.dest_scan for line in lines}
        self._load({normalize_scan(x) for x in units | dests})
        #: every code of the lines, resolved once: as a unit, as a destination
        self.unit_of: dict[str, _UnitState | LegajoError] = {}
        for raw in units:
            found = self._resolve(raw, dest=False)
            assert not isinstance(found, _Place)  # UNIT_SCAN has no location kind
            self.unit_of[raw] = found
        self.dest_of = {raw: self._resolve(raw, dest=True) for raw in dests}

    def _load(self, values: set[str]) -> None:
        conn = self.s.connection()
        for row in select_in(conn, _UNIT_SELECT, sorted(values)):
            self._add_unit(row)
        # Unit and location labels never share a value (their kind letters differ), so only
        # the codes no unit has can be locations: a file's few destinations.
        others = sorted(v for v in values if v not in self.units)
        for loc_id, barcode, path, cap_units, cap_cm in select_in(conn, _LOCATION_SELECT, others):
            self.places[barcode] = _Place(loc_id, path, cap_units, cap_cm)

    def _add_unit(self, row: Sequence[Any]) -> None:
        unit = _UnitState(row)
        self.units[unit.barcode] = unit  # unique among live units (ix_unit_barcode_live)
        if row[-1]:  # external_barcode
            self.external.add(unit.id)

    def _resolve(self, raw: str, *, dest: bool) -> _UnitState | _Place | LegajoError:
        try:
            return self._lookup(raw, dest)
        except LegajoError as exc:
            return exc

    def _lookup(self, raw: str, dest: bool) -> _UnitState | _Place:
        hit: _UnitState | _Place | None = None
        value, kind = _classified(raw, dest)
        if kind is not None:
            hit = self.places.get(value) if kind is BarcodeKind.UBICACION else self.units.get(value)
        elif value:
            unit = self.units.get(value)
            hit = unit if unit is not None and unit.id in self.external else None
        if hit is not None:
            return hit
        # Not found in bulk. The transaction sees the rows the bulk read saw, so resolve_scan
        # finds nothing either and raises the error a single scan of this code gets.
        resolve_scan(self.s, raw, DEST_SCAN if dest else UNIT_SCAN)
        raise AssertionError(f"{value!r}: found by resolve_scan, not by the bulk read")


class _Occupancy:
    """What the capacity rules of ``apply_move`` count, per destination with a capacity, kept in
    step as lines move units: live non-eliminated units directly at a location (and their shelf
    centimetres), live units directly in a box."""

    def __init__(self, s: Session, places: Iterable[_Place], boxes: Iterable[_UnitState]) -> None:
        self.at_location: dict[str, int] = {
            p.id: 0 for p in places if p.capacity_units is not None or p.capacity_cm is not None
        }
        self.cm_at_location: dict[str, int] = dict.fromkeys(self.at_location, 0)
        self.box_capacity: dict[str, int] = {}
        self.in_box: dict[str, int] = {}
        self.shelf_cm: dict[str, int] = {}
        self._s = s
        live = (Unit.deleted_at.is_(None), Unit.status != "eliminado")
        for chunk in _chunks(list(self.at_location)):
            q = (select(Unit.location_id, func.count(), func.coalesce(func.sum(UnitType.shelf_cm), 0))
                 .join(UnitType, UnitType.id == Unit.unit_type_id)
                 .where(Unit.location_id.in_(chunk), *live).group_by(Unit.location_id))  # fmt: skip
            for loc_id, n, cm in s.execute(q):
                assert loc_id is not None
                self.at_location[loc_id], self.cm_at_location[loc_id] = n, cm
        box_types = {b.id: b.unit_type_id for b in boxes if b.kind == "caja"}
        capacities = self._types(set(box_types.values()))
        self.box_capacity = {
            b: cap for b, t in box_types.items() if (cap := capacities.get(t)) is not None
        }
        self.in_box = dict.fromkeys(self.box_capacity, 0)
        #: whether any destination has a capacity to count against (else nothing to keep)
        self.active = bool(self.at_location or self.in_box)
        for chunk in _chunks(list(self.in_box)):
            q2 = (select(Unit.parent_id, func.count()).where(Unit.parent_id.in_(chunk), Unit.deleted_at.is_(None))
                  .group_by(Unit.parent_id))  # fmt: skip
            for box_id, n in s.execute(q2):
                assert box_id is not None
                self.in_box[box_id] = n

    def _types(self, type_ids: set[str]) -> dict[str, int | None]:
        """Box capacities of ``type_ids``; their shelf widths are kept too."""
        out: dict[str, int | None] = {}
        for chunk in _chunks(sorted(type_ids)):
            for type_id, capacity, shelf_cm in self._s.execute(
                select(UnitType.id, UnitType.capacity, UnitType.shelf_cm).where(
                    UnitType.id.in_(chunk)
                )
            ):
                out[type_id] = capacity
                self.shelf_cm[type_id] = shelf_cm
        return out

    def width(self, unit: _UnitState) -> int:
        if unit.unit_type_id not in self.shelf_cm:
            self._types({unit.unit_type_id})
        return self.shelf_cm.get(unit.unit_type_id, 0)

    def refuse(
        self, unit: _UnitState, place: _Place | None, box: _UnitState | None
    ) -> tuple[int, int] | None:
        """(capacity, used) when the destination cannot take ``unit``: ``_over_capacity``."""
        if box is not None:
            cap = self.box_capacity.get(box.id)
            if cap is None:
                return None
            used = self.in_box[box.id]
            return (cap, used) if used + 1 > cap else None
        assert place is not None
        if (
            place.capacity_units is not None
            and self.at_location[place.id] + 1 > place.capacity_units
        ):
            return (place.capacity_units, self.at_location[place.id])
        if place.capacity_cm is not None:
            used_cm = self.cm_at_location[place.id]
            if used_cm + self.width(unit) > place.capacity_cm:
                return (place.capacity_cm, int(used_cm))
        return None

    def moved(self, unit: _UnitState, to_location: str | None, to_parent: str | None) -> None:
        """``unit`` (live, not eliminated: it moved) left its place for the new one."""
        at, cm, in_box = self.at_location, self.cm_at_location, self.in_box
        if unit.location_id in at:
            at[unit.location_id] -= 1
            cm[unit.location_id] -= self.width(unit)
        if to_location in at:
            at[to_location] += 1
            cm[to_location] += self.width(unit)
        if unit.parent_id in in_box:
            in_box[unit.parent_id] -= 1
        if to_parent in in_box:
            in_box[to_parent] += 1


def plan_moves(s: Session, lines: Sequence[MoveLine]) -> MovePlan:
    """Check every line in order against the state the lines before it leave (see module
    docstring). Reads only; ``s`` must see the current database (pending changes flushed)."""
    plan = MovePlan()
    if not lines:
        return plan
    s.flush()
    res = _Resolver(s, lines)
    dests = set(res.dest_of.values())
    occupancy = _Occupancy(s, [d for d in dests if isinstance(d, _Place)],
                           [d for d in dests if isinstance(d, _UnitState)])  # fmt: skip
    unit_of, dest_of, results, steps = res.unit_of, res.dest_of, plan.results, plan.steps
    for line in lines:
        unit = unit_of[line.unit_scan]  # resolved first: its error wins, as in apply's order
        if isinstance(unit, LegajoError):
            results.append(unit)
            continue
        dest = dest_of[line.dest_scan]
        if isinstance(dest, LegajoError):
            results.append(dest)
            continue
        try:
            results.append(_check_and_move(unit, dest, line.note, occupancy, steps))
        except LegajoError as exc:
            results.append(exc)
    return plan


def _check_and_move(unit: _UnitState, dest: _UnitState | _Place, note: str, occupancy: _Occupancy,
                    steps: list[_Step]) -> str:  # fmt: skip
    """One line, in ``apply_move``'s order of checks; on success the step is appended and the
    state advanced. Returns the line's detail text."""
    box = dest if isinstance(dest, _UnitState) else None
    place = dest if isinstance(dest, _Place) else None
    if box is not None:
        if box.kind != "caja":
            raise ValidationError(
                "move.not_a_box", N_("El destino {value} no es una caja."), value=box.barcode
            )
        label = box.barcode
    else:
        assert place is not None
        label = place.path
    if unit.status == "eliminado":
        raise ValidationError(
            "move.eliminated",
            N_("La unidad {value} fue eliminada; no se puede mover."),
            value=unit.barcode,
        )
    if box is not None and unit.kind == "caja":
        raise ValidationError(
            "unit.box_in_box", N_("Una caja no puede guardarse dentro de otra caja.")
        )
    if box is not None and unit.id == box.id:
        raise ValidationError(
            "move.into_itself", N_("Una unidad no puede moverse dentro de sí misma.")
        )
    if box is not None:
        already_there = unit.parent_id == box.id
    else:
        assert place is not None
        already_there = unit.location_id == place.id and unit.parent_id is None
    if already_there:
        return f"{unit.barcode} ya estaba en {label}"
    over = occupancy.refuse(unit, place, box) if occupancy.active else None
    if over:
        raise CapacityExceeded(
            "move.capacity",
            N_("{destination} no tiene espacio para {n} unidades más (capacidad {capacity}, ocupadas {used}). "
               "Confirme para mover de todas formas."),
            destination=label, n=1, capacity=over[0], used=over[1],
        )  # fmt: skip
    to_location = place.id if place is not None else None
    to_parent = box.id if box is not None else None
    home = to_location if box is None and unit.home_location_id is None else unit.home_location_id
    changed: dict[str, Any] = {}  # apply_move's order: parent, location, home
    if unit.parent_id != to_parent:
        changed["parent_id"] = to_parent
    if unit.location_id != to_location:
        changed["location_id"] = to_location
    if unit.home_location_id != home:
        changed["home_location_id"] = home
    steps.append(
        _Step(unit, unit.location_id, unit.parent_id, to_location, to_parent, note, changed)
    )
    if occupancy.active:
        occupancy.moved(unit, to_location, to_parent)
    unit.location_id, unit.parent_id, unit.home_location_id = to_location, to_parent, home
    unit.version += 1
    return f"{unit.barcode} → {label}"


# The columns that differ from movement to movement (and change to change); the others have
# one value for the whole plan (``insert_tuples`` constants).
_MOVEMENT_COLUMNS = ("id", "unit_id", "from_location_id", "from_parent_id", "to_location_id", "to_parent_id",
                     "note")  # fmt: skip
_FEED_COLUMNS = ("change_id", "table_name", "row_id", "op", "fields", "hlc")
_MOVEMENT_SHARED = ("created_at", "updated_at", "version", "origin", "deleted_at", "at", "user_id", "username",
                    "method", "over_capacity", "batch_id")  # fmt: skip
_FEED_SHARED = ("user_id", "origin", "at")


def write_plan(uow: UnitOfWork, rt: Runtime, actor: Actor, plan: MovePlan, *, method: str) -> None:
    """Write the plan's steps: movements, the units' final places, the change feed."""
    if not plan.steps:
        return
    s = uow.session
    conn = s.connection()
    feed = context_of(s)
    now, stamp = rt.now(), utcnow()
    origin, user_id, username = feed.origin, actor.user_id, actor.username
    shared = (stamp, stamp, 1, origin, None, now, user_id, username, method, False, None)
    movement = dict(zip(_MOVEMENT_SHARED, shared, strict=True))
    # the change feed gets the timestamps JSON-ready
    movement_json = _movement_json(encode(stamp), encode(now), origin, user_id, username, method)
    unit_json = _unit_json(encode(stamp))
    movements: list[tuple[Any, ...]] = []
    # change_log rows (``_FEED_COLUMNS``), each change its own hybrid-clock tick. As in the
    # sync bootstrap, the change ids are one UUIDv7 prefix of this moment plus a counter
    # (unique and increasing: the change-id index is appended to) and the batch has one ``at``.
    changes: list[tuple[Any, ...]] = []
    movement_ids, change_ids = bulk_ids(len(plan.steps)), bulk_ids(2 * len(plan.steps))
    ticks = iter(feed.clock.reserve(2 * len(plan.steps)))
    version: dict[str, int] = {}
    for step in plan.steps:
        u = step.unit
        mid = next(movement_ids)
        movements.append((mid, u.id, step.from_location_id, step.from_parent_id, step.to_location_id,
                          step.to_parent_id, step.note))  # fmt: skip
        version[u.id] = v = version.get(u.id, u.read_version) + 1
        changes.append(
            (next(change_ids), "movement", mid, "I", movement_json(mid, u.id, step), next(ticks))
        )
        changes.append(
            (next(change_ids), "unit", u.id, "U", unit_json(step.changed, v), next(ticks))
        )
    _update_units(conn, plan.steps, stamp)
    # ids, texts and integers: nothing to bind in the per-row columns
    insert_tuples(conn, Movement.__table__, _MOVEMENT_COLUMNS, movements, bound=_MOVEMENT_COLUMNS,  # type: ignore[arg-type]
                  constants=movement)  # fmt: skip
    insert_tuples(conn, ChangeLog.__table__, _FEED_COLUMNS, changes, bound=_FEED_COLUMNS,  # type: ignore[arg-type]
                  constants=dict(zip(_FEED_SHARED, (feed.user_id, origin, utcnow()), strict=True)))  # fmt: skip


def _update_units(conn: Connection, steps: Sequence[_Step], stamp: datetime) -> None:
    """One UPDATE per unit to its final place: the columns its lines changed, ``version`` and
    ``updated_at``, where the version is still the one read (else another process moved it)."""
    columns: dict[str, set[str]] = defaultdict(set)
    units: dict[str, _UnitState] = {}
    for step in steps:
        columns[step.unit.id].update(step.changed)
        units[step.unit.id] = step.unit
    table: Table = Unit.__table__  # type: ignore[assignment]
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for unit_id, cols in columns.items():
        u = units[unit_id]
        names = tuple(sorted(cols))
        groups[names].append((*(getattr(u, n) for n in names), u.version, u.id, u.read_version))
        u.read_version = u.version
    for names, rows in groups.items():
        changed = update_rows(conn, table, (*names, "version"), ("id", "version"), rows,
                              constants={"updated_at": stamp})  # fmt: skip
        if changed != len(rows):
            raise stale_conflict()


# The change feed's JSON of a movement insert and of a unit update, written as ``JSONText``
# writes it (sorted keys, compact, UTF-8 kept) from templates: 20,000 dicts through
# ``json.JSONEncoder`` cost a tenth of a collector import. Neither model excludes a column
# from the feed (checked below); the equivalence test compares the stored text byte for byte.
assert not Movement.__feed_exclude__ and not Unit.__feed_exclude__
assert Movement.__tablename__ == "movement" and Unit.__tablename__ == "unit"
_text = json.encoder.encode_basestring


def _json(value: str | None) -> str:
    return "null" if value is None else str(_text(value))


class _Quoted(dict[str | None, str]):
    """JSON text of ids, computed once each (a file's few places recur on every line)."""

    def __missing__(self, value: str | None) -> str:
        self[value] = text = _json(value)
        return text


def _movement_json(stamp: str, now: str, origin: str, user_id: str | None, username: str,
                   method: str) -> Callable[[str, str, _Step], str]:  # fmt: skip
    head = f'{{"at":{_json(now)},"batch_id":null,"created_at":{_json(stamp)},"deleted_at":null,"from_location_id":'
    method_text = f'","method":{_json(method)},"note":'
    middle = f',"origin":{_json(origin)},"over_capacity":false,"to_location_id":'
    end = f',"updated_at":{_json(stamp)},"user_id":{_json(user_id)},"username":{_json(username)},"version":1}}'
    q = _Quoted()

    def encode(movement_id: str, unit_id: str, step: _Step) -> str:
        # movement_id comes from bulk_ids: hex digits and dashes, nothing to escape
        return (f'{head}{q[step.from_location_id]},"from_parent_id":{q[step.from_parent_id]},"id":"{movement_id}'
                f'{method_text}{_json(step.note)}{middle}{q[step.to_location_id]},"to_parent_id":'
                f'{q[step.to_parent_id]},"unit_id":{q[unit_id]}{end}')  # fmt: skip

    return encode


_PLACE_KEYS = ("home_location_id", "location_id", "parent_id")  # sorted


def _unit_json(stamp: str) -> Callable[[dict[str, str | None], int], str]:
    """The JSON of a unit update: ``changed`` (place columns), ``updated_at`` and ``version``."""
    tail = f'"updated_at":{_json(stamp)},"version":'
    q = _Quoted()

    def encode(changed: dict[str, str | None], version: int) -> str:
        parts = [f'"{name}":{q[changed[name]]},' for name in _PLACE_KEYS if name in changed]
        return f"{{{''.join(parts)}{tail}{version}}}"

    return encode


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk job builds its rows (process-wide, for the
    length of the job; a job already running with it paused leaves it to that one).

    Building hundreds of thousands of lists and dicts makes the collector run over and over
    across everything still alive: 20 000 collector lines spent 1.51 s of CPU with it, 1.23 s
    without (26/11/2026). The rows hold no reference cycles; reference counting frees them.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@lru_cache(maxsize=100_000)
def _classified(raw: str, dest: bool) -> tuple[str, BarcodeKind | None]:
    """(the value to look up, its Legajo kind or None for an external code) as ``resolve_scan``
    routes ``raw`` for a move's unit or destination; raises what it raises for a label that is
    misread or of another kind, or an invalid external code. Pure, so kept across imports (a
    depósito's labels come back file after file)."""
    value = normalize_scan(raw)
    if looks_like_legajo_barcode(value):
        return value, parse_barcode(value, DEST_SCAN if dest else UNIT_SCAN).kind
    return (validate_external_barcode(value) if value else value), None


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i : i + IN_CHUNK]
