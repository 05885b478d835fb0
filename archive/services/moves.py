"""Moving units by scan (the clerk's most frequent action) and the chain of custody it writes.

One call = one transaction: look up by barcode, check capacity, update, write a Movement per
unit, one audit row, the change feed, commit. Over-capacity is refused unless the caller asks
for an explicit override, which is recorded on the movement and in the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import Location, Movement, Unit, UnitType
from archive.db.uow import UnitOfWork
from archive.domain.barcodes import BarcodeKind
from archive.domain.errors import ConflictError, ValidationError
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
    over = _over_capacity(s, incoming, location, box)
    if over and not override_capacity:
        raise CapacityExceeded(
            "move.capacity",
            N_("{destination} no tiene espacio para {n} unidades más (capacidad {capacity}, ocupadas {used}). "
               "Confirme para mover de todas formas."),
            destination=dest_label, n=len(incoming), capacity=over[0], used=over[1],
        )  # fmt: skip
    now = rt.now()
    moves = []
    for u in incoming:
        m = Movement(unit_id=u.id, at=now, user_id=actor.user_id, username=actor.username, method=method,
                     from_location_id=u.location_id, from_parent_id=u.parent_id,
                     to_location_id=None if box else location.id if location else None,
                     to_parent_id=box.id if box else None, over_capacity=bool(over), batch_id=batch_id, note=note)  # fmt: skip
        moves.append(m)
        if box is not None:
            u.parent_id, u.location_id = box.id, None
        else:
            assert location is not None
            u.parent_id, u.location_id = None, location.id
            if u.home_location_id is None:
                u.home_location_id = location.id
    s.add_all(moves)
    if audit and incoming:
        write_audit(uow, rt, actor, module="movimientos", action="unit.move", entity="unit",
                    entity_id=incoming[0].id,
                    after={"units": [u.barcode for u in incoming][:200], "count": len(incoming),
                           "to": dest_label, "method": method},
                    confirmed=bool(over), reason=note,
                    extras=("sobrecupo" if over else "",))  # fmt: skip
    return MoveResult(len(incoming), len(units) - len(incoming), dest_label, bool(over), Changes(units=True, locations=True))


def _already_there(u: Unit, location: Location | None, box: Unit | None) -> bool:
    if box is not None:
        return u.parent_id == box.id
    return location is not None and u.location_id == location.id and u.parent_id is None


def _over_capacity(s: Session, incoming: list[Unit], location: Location | None, box: Unit | None) -> tuple[int, int] | None:
    """(capacity, used) when the destination cannot take ``incoming``, else None."""
    if not incoming:
        return None
    if box is not None:
        cap = s.scalar(select(UnitType.capacity).where(UnitType.id == box.unit_type_id))
        if cap is None:
            return None
        used = s.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == box.id, Unit.deleted_at.is_(None))) or 0
        return (cap, used) if used + len(incoming) > cap else None
    assert location is not None
    if location.capacity_units is not None:
        used = s.scalar(
            select(func.count()).select_from(Unit).where(Unit.location_id == location.id, Unit.deleted_at.is_(None), Unit.status != "eliminado")
        ) or 0  # fmt: skip
        if used + len(incoming) > location.capacity_units:
            return (location.capacity_units, used)
    if location.capacity_cm is not None:
        used_cm = s.scalar(
            select(func.coalesce(func.sum(UnitType.shelf_cm), 0)).select_from(Unit).join(UnitType, UnitType.id == Unit.unit_type_id)
            .where(Unit.location_id == location.id, Unit.deleted_at.is_(None), Unit.status != "eliminado")
        ) or 0  # fmt: skip
        type_ids = [u.unit_type_id for u in incoming]
        widths = dict(s.execute(select(UnitType.id, UnitType.shelf_cm).where(UnitType.id.in_(set(type_ids)))).all())
        extra = sum(widths.get(t, 0) for t in type_ids)
        if used_cm + extra > location.capacity_cm:
            return (location.capacity_cm, int(used_cm))
    return None
