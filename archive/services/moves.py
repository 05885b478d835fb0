"""Moving units by scan (the clerk's most frequent action) and the chain of custody it writes.

One call = one transaction: look up by barcode, check capacity, update, write a Movement per
unit, one audit row, the change feed, commit. Over-capacity is refused unless the caller asks
for an explicit override, which is recorded on the movement and in the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Update, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from archive.db.changefeed import context_of, record_changes, written_with_core
from archive.db.models import Location, Movement, Unit, UnitType
from archive.db.types import utcnow
from archive.db.uow import UnitOfWork, stale_conflict
from archive.domain.barcodes import BarcodeKind
from archive.domain.errors import ConflictError, ValidationError
from archive.domain.ids import uuid7
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan

MOVE_METHODS = ("scan", "manual", "collector", "bulk", "count", "revert", "register", "transfer", "elimination")
UNIT_SCAN = {BarcodeKind.CAJA, BarcodeKind.CARPETA}
DEST_SCAN = {BarcodeKind.UBICACION, BarcodeKind.CAJA}


@dataclass(frozen=True)
class MoveResult:
    moved: int
    already_there: int
    destination: str  # signatura or box barcode
    over_capacity: bool
    changes: Changes


class CapacityExceeded(ConflictError):
    """The destination cannot take the units; retry with ``override_capacity=True``."""


class MoveService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def move(
        self,
        actor: Actor,
        unit_scans: list[str],
        destination_scan: str,
        *,
        method: str = "scan",
        override_capacity: bool = False,
        note: str = "",
    ) -> MoveResult:
        """Move the scanned units to the scanned location or box."""
        if not unit_scans:
            raise ValidationError("move.no_units", N_("Escanee al menos una unidad antes del destino."))
        if method not in MOVE_METHODS:
            raise ValidationError("move.method", N_("Método de movimiento desconocido: {method}."), method=method)
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            dest = resolve_scan(s, destination_scan, DEST_SCAN)
            units: list[Unit] = []
            seen: set[str] = set()
            for raw in unit_scans:
                u = resolve_scan(s, raw, UNIT_SCAN).unit
                assert u is not None
                if u.id not in seen:
                    seen.add(u.id)
                    units.append(u)
            result = apply_move(uow, self.rt, actor, units, location=dest.location, box=dest.unit,
                                method=method, override_capacity=override_capacity, note=note)  # fmt: skip
            uow.commit()
            return result


def apply_move(
    uow: UnitOfWork,
    rt: Runtime,
    actor: Actor,
    units: list[Unit],
    *,
    location: Location | None,
    box: Unit | None,
    method: str,
    override_capacity: bool = False,
    note: str = "",
    batch_id: str | None = None,
    audit: bool = True,
) -> MoveResult:
    """Move ``units`` to ``location`` or into ``box`` inside ``uow`` (shared by scans, bulk
    moves, count corrections and reverts)."""
    s = uow.session
    if box is not None:
        if box.kind != "caja":
            raise ValidationError("move.not_a_box", N_("El destino {value} no es una caja."), value=box.barcode)
        dest_label = box.barcode
    else:
        assert location is not None
        dest_label = location.path
    for u in units:
        if u.status == "eliminado":
            raise ValidationError("move.eliminated", N_("La unidad {value} fue eliminada; no se puede mover."), value=u.barcode)
        if box is not None and u.kind == "caja":
            raise ValidationError("unit.box_in_box", N_("Una caja no puede guardarse dentro de otra caja."))
        if box is not None and u.id == box.id:
            raise ValidationError("move.into_itself", N_("Una unidad no puede moverse dentro de sí misma."))
    incoming = [u for u in units if not _already_there(u, location, box)]
    uow.flush()  # the capacity counts below read the database directly
    over = _over_capacity(s, incoming, location, box)
    if over and not override_capacity:
        raise CapacityExceeded(
            "move.capacity",
            N_("{destination} no tiene espacio para {n} unidades más (capacidad {capacity}, ocupadas {used}). "
               "Confirme para mover de todas formas."),
            destination=dest_label, n=len(incoming), capacity=over[0], used=over[1],
        )  # fmt: skip
    _write_moves(uow, rt, actor, incoming, location, box, method=method, over=bool(over), note=note, batch_id=batch_id)
    if audit and incoming:
        write_audit(uow, rt, actor, module="movimientos", action="unit.move", entity="unit",
                    entity_id=incoming[0].id,
                    after={"units": [u.barcode for u in incoming][:200], "count": len(incoming),
                           "to": dest_label, "method": method},
                    confirmed=bool(over), reason=note,
                    extras=("sobrecupo" if over else "",))  # fmt: skip
    return MoveResult(len(incoming), len(units) - len(incoming), dest_label, bool(over), Changes(units=True, locations=True))


def _write_moves(
    uow: UnitOfWork,
    rt: Runtime,
    actor: Actor,
    units: list[Unit],
    location: Location | None,
    box: Unit | None,
    *,
    method: str,
    over: bool,
    note: str,
    batch_id: str | None,
) -> None:
    """Update the units, add their Movement rows and feed both to change_log, with Core.

    Writes what a flush of the equivalent ORM changes writes (same rows, same optimistic version
    check, same change_log encoding and order: movement inserts, then unit updates) at a
    fraction of the cost; a scan-to-move is the clerk's most frequent action. The session's
    Unit objects are kept in step with the database afterwards.
    """
    if not units:
        return
    s = uow.session
    conn = s.connection()
    feed = context_of(s)
    now = rt.now()
    to_location = None if box else location.id if location else None
    to_parent = box.id if box else None
    movements: list[dict[str, Any]] = []
    updates: list[tuple[Unit, dict[str, Any]]] = []
    for u in units:
        stamp = utcnow()
        movements.append({
            "id": uuid7(), "created_at": stamp, "updated_at": stamp, "version": 1, "origin": feed.origin,
            "deleted_at": None, "unit_id": u.id, "at": now, "user_id": actor.user_id, "username": actor.username,
            "method": method, "from_location_id": u.location_id, "from_parent_id": u.parent_id,
            "to_location_id": to_location, "to_parent_id": to_parent, "over_capacity": over,
            "batch_id": batch_id, "note": note,
        })  # fmt: skip
        home = to_location if box is None and u.home_location_id is None else u.home_location_id
        new: dict[str, Any] = {"parent_id": to_parent, "location_id": to_location, "home_location_id": home}
        changed = {k: v for k, v in new.items() if getattr(u, k) != v}
        changed["version"] = u.version + 1
        changed["updated_at"] = utcnow()
        params = {f"new_{k}": v for k, v in changed.items()}
        stmt = _update_unit(frozenset(changed))
        if conn.execute(stmt, {**params, "unit_id": u.id, "old_version": u.version}).rowcount != 1:
            raise stale_conflict()
        updates.append((u, changed))
    conn.execute(_insert_movement(), movements if len(movements) > 1 else movements[0])
    record_changes(conn, feed, [(Movement, m["id"], "I", m) for m in movements]
                   + [(Unit, u.id, "U", changed) for u, changed in updates])  # fmt: skip
    for u, changed in updates:
        written_with_core(s, u, changed)


@cache
def _update_unit(columns: frozenset[str]) -> Update:
    """The flush's UPDATE of a unit: only the changed ``columns`` (so untouched indexes stay
    untouched), ``version = old + 1 WHERE version = old`` (optimistic lock), ``updated_at``."""
    return (
        update(Unit)
        .where(Unit.id == bindparam("unit_id"), Unit.version == bindparam("old_version"))
        .values({name: bindparam(f"new_{name}") for name in sorted(columns)})
    )


@cache
def _insert_movement() -> Insert:
    return insert(Movement)


def _already_there(u: Unit, location: Location | None, box: Unit | None) -> bool:
    if box is not None:
        return u.parent_id == box.id
    return location is not None and u.location_id == location.id and u.parent_id is None


def _over_capacity(s: Session, incoming: list[Unit], location: Location | None, box: Unit | None) -> tuple[int, int] | None:
    """(capacity, used) when the destination cannot take ``incoming``, else None."""
    if not incoming:
        return None
    conn = s.connection()  # Core statements built once; the caller flushed pending changes
    if box is not None:
        cap = conn.execute(_capacity_queries().type_capacity, {"type_id": box.unit_type_id}).scalar()
        if cap is None:
            return None
        used = conn.execute(_capacity_queries().in_box, {"box_id": box.id}).scalar() or 0
        return (cap, used) if used + len(incoming) > cap else None
    assert location is not None
    if location.capacity_units is not None:
        used = conn.execute(_capacity_queries().at_location, {"location_id": location.id}).scalar() or 0
        if used + len(incoming) > location.capacity_units:
            return (location.capacity_units, used)
    if location.capacity_cm is not None:
        used_cm = conn.execute(_capacity_queries().cm_at_location, {"location_id": location.id}).scalar() or 0
        type_ids = [u.unit_type_id for u in incoming]
        widths = dict(s.execute(select(UnitType.id, UnitType.shelf_cm).where(UnitType.id.in_(set(type_ids)))).all())
        extra = sum(widths.get(t, 0) for t in type_ids)
        if used_cm + extra > location.capacity_cm:
            return (location.capacity_cm, int(used_cm))
    return None


@dataclass(frozen=True)
class _CapacityQueries:
    type_capacity: Select[int | None]
    in_box: Select[int]
    at_location: Select[int]
    cm_at_location: Select[int]


@cache
def _capacity_queries() -> _CapacityQueries:
    live = (Unit.deleted_at.is_(None), Unit.status != "eliminado")
    at_location = Unit.location_id == bindparam("location_id")
    return _CapacityQueries(
        type_capacity=select(UnitType.capacity).where(UnitType.id == bindparam("type_id")),
        in_box=select(func.count()).select_from(Unit).where(Unit.parent_id == bindparam("box_id"), Unit.deleted_at.is_(None)),
        at_location=select(func.count()).select_from(Unit).where(at_location, *live),
        cm_at_location=select(func.coalesce(func.sum(UnitType.shelf_cm), 0)).select_from(Unit)
        .join(UnitType, UnitType.id == Unit.unit_type_id).where(at_location, *live),
    )  # fmt: skip
