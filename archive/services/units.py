"""Unit types and storage units: register, label barcodes, find by scan, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Expediente, Location, Movement, Unit, UnitType
from archive.domain.barcodes import validate_external_barcode
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import snapshot, write_audit
from archive.services.loans import units_lent
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import allocate_barcodes, kind_of_unit, resolve_scan

UNIT_KINDS = ("caja", "carpeta", "tomo", "az", "legajo", "sobre", "planoteca", "otro")

#: code, name, kind, width, height, depth, shelf_cm, capacity (data, editable; dims are [U] norms).
DEFAULT_UNIT_TYPES: list[tuple[str, str, str, int, int, int, int, int | None]] = [
    ("X200", N_("Caja X-200"), "caja", 20, 25, 39, 20, 8),
    ("X300", N_("Caja X-300"), "caja", 29, 25, 39, 29, 12),
    ("CAR4", N_("Carpeta cuatro aletas"), "carpeta", 3, 35, 24, 3, 200),
    ("AZ", N_("Archivador AZ"), "az", 8, 35, 29, 8, 500),
    ("TOMO", N_("Tomo / libro"), "tomo", 6, 35, 25, 6, None),
    ("LEG", N_("Legajo"), "legajo", 4, 35, 24, 4, None),
    ("SOB", N_("Sobre"), "sobre", 1, 35, 25, 1, None),
    ("PLANO", N_("Planoteca (gaveta)"), "planoteca", 100, 10, 70, 100, None),
]


@dataclass(frozen=True)
class UnitTypeView:
    code: str
    name: str
    kind: str
    shelf_cm: int
    capacity: int | None


@dataclass(frozen=True)
class UnitView:
    id: str
    kind: str
    type_code: str
    type_name: str
    barcode: str
    external_barcode: bool
    number: str
    dependencia_code: str | None
    parent_barcode: str | None
    location_path: str | None  # effective location (the container's for a carpeta in a box)
    home_path: str | None
    expediente_number: str | None
    sequence: int | None
    sequence_of: int | None
    folio_first: int | None
    folio_last: int | None
    status: str
    children: int
    version: int


@dataclass(frozen=True)
class MovementView:
    at: datetime
    username: str
    method: str
    from_path: str | None
    to_path: str | None
    from_container: str | None
    to_container: str | None
    over_capacity: bool
    note: str


def seed_unit_types(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(UnitType)):
        return
    for code, name, kind, w, h, d, shelf, cap in DEFAULT_UNIT_TYPES:
        session.add(UnitType(code=code, name=name, kind=kind, width_cm=w, height_cm=h, depth_cm=d, shelf_cm=shelf, capacity=cap))
    session.flush()


class UnitService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def types(self) -> list[UnitTypeView]:
        with self.rt.db.sessions() as s:
            rows = s.scalars(select(UnitType).where(UnitType.deleted_at.is_(None)).order_by(UnitType.kind, UnitType.code))
            return [UnitTypeView(t.code, t.name, t.kind, t.shelf_cm, t.capacity) for t in rows]

    def register(
        self,
        actor: Actor,
        *,
        type_code: str,
        count: int = 1,
        number_start: int | None = None,
        dependencia_code: str | None = None,
        location_id: str | None = None,
        parent_barcode: str | None = None,
        external_barcode: str | None = None,
        expediente_id: str | None = None,
    ) -> list[UnitView]:
        """Register ``count`` units of a type, each with a new label barcode (or one unit with
        an external/legacy barcode). A carpeta may go straight into a caja (``parent_barcode``)
        and onto an expediente (taking the next "carpeta N")."""
        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            s = uow.session
            seed_unit_types(s)
            utype = s.scalar(select(UnitType).where(UnitType.code == type_code, UnitType.deleted_at.is_(None)))
            if utype is None:
                raise NotFound("unit_type.not_found", N_("No existe el tipo de unidad «{code}»."), code=type_code)
            if not 1 <= count <= 10_000:
                raise ValidationError("unit.count", N_("Se pueden registrar entre 1 y 10.000 unidades a la vez."))
            if external_barcode is not None and count != 1:
                raise ValidationError("unit.external_count", N_("Un código externo identifica una sola unidad."))
            dep = _dependencia(s, dependencia_code)
            loc = s.get(Location, location_id) if location_id else None
            if location_id and (loc is None or loc.deleted_at is not None):
                raise NotFound("location.not_found", N_("No existe la ubicación."))
            parent = None
            if parent_barcode:
                parent = resolve_scan(s, parent_barcode).unit
                if parent is None or parent.kind != "caja":
                    raise ValidationError("unit.parent_not_box", N_("Solo se pueden guardar unidades dentro de una caja."))
                if utype.kind == "caja":
                    raise ValidationError("unit.box_in_box", N_("Una caja no puede guardarse dentro de otra caja."))
            exp = s.get(Expediente, expediente_id) if expediente_id else None
            if expediente_id and exp is None:
                raise NotFound("expediente.not_found", N_("No existe el expediente."))
            if external_barcode is not None:
                codes = [validate_external_barcode(external_barcode)]
                if s.scalar(select(Unit.id).where(Unit.barcode == codes[0], Unit.deleted_at.is_(None))):
                    raise ValidationError("unit.barcode_taken", N_("El código {value} ya está asignado a otra unidad."), value=codes[0])
            else:
                codes = allocate_barcodes(s, kind_of_unit(utype.kind), self.rt.env.origin, count)
            next_seq = None
            if exp is not None:
                next_seq = (s.scalar(select(func.max(Unit.sequence)).where(Unit.expediente_id == exp.id, Unit.deleted_at.is_(None))) or 0) + 1
            units = []
            for i, code in enumerate(codes):
                u = Unit(unit_type_id=utype.id, kind=utype.kind, barcode=code, external_barcode=external_barcode is not None,
                         number=str(number_start + i) if number_start is not None else "",
                         dependencia_id=dep.id if dep else (exp.dependencia_id if exp else None),
                         parent_id=parent.id if parent else None,
                         location_id=None if parent else (loc.id if loc else None),
                         home_location_id=None if parent else (loc.id if loc else None),
                         expediente_id=exp.id if exp else None,
                         sequence=next_seq + i if next_seq is not None else None)  # fmt: skip
                s.add(u)
                units.append(u)
            s.flush()
            if loc is not None and parent is None:
                now = self.rt.now()
                s.add_all(Movement(unit_id=u.id, at=now, user_id=actor.user_id, username=actor.username, method="register",
                                   to_location_id=loc.id) for u in units)  # fmt: skip
            write_audit(uow, self.rt, actor, module="unidades", action="unit.register", entity="unit",
                        entity_id=units[0].id,
                        after={"type": utype.code, "count": len(units), "barcodes": [u.barcode for u in units][:50]})  # fmt: skip
            uow.commit()
            return [_view(s, u) for u in units]

    def by_scan(self, actor: Actor, raw: str) -> UnitView:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            target = resolve_scan(uow.session, raw)
            if target.unit is None:
                raise ValidationError("scan.not_unit", N_("El código {value} no es de una caja ni de una carpeta."), value=target.value)
            return _view(uow.session, target.unit)

    def get(self, actor: Actor, unit_id: str) -> UnitView:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            return _view(uow.session, _unit(uow.session, unit_id))

    def contents(self, actor: Actor, unit_id: str) -> list[UnitView]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            rows = s.scalars(select(Unit).where(Unit.parent_id == unit_id, Unit.deleted_at.is_(None)).order_by(Unit.number, Unit.barcode))
            return [_view(s, u) for u in rows]

    def at_location(self, actor: Actor, location_id: str) -> list[UnitView]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            rows = s.scalars(select(Unit).where(Unit.location_id == location_id, Unit.deleted_at.is_(None)).order_by(Unit.number, Unit.barcode))
            return [_view(s, u) for u in rows]

    def history(self, actor: Actor, unit_id: str) -> list[MovementView]:
        """The unit's chain of custody, oldest first."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            moves = list(s.scalars(select(Movement).where(Movement.unit_id == unit_id).order_by(Movement.at, Movement.id)))
            loc_ids = {m.from_location_id for m in moves} | {m.to_location_id for m in moves}
            unit_ids = {m.from_parent_id for m in moves} | {m.to_parent_id for m in moves}
            paths: dict[str | None, str] = dict(s.execute(select(Location.id, Location.path).where(Location.id.in_([i for i in loc_ids if i]))).all())
            boxes: dict[str | None, str] = dict(s.execute(select(Unit.id, Unit.barcode).where(Unit.id.in_([i for i in unit_ids if i]))).all())
            return [
                MovementView(m.at, m.username, m.method, paths.get(m.from_location_id), paths.get(m.to_location_id),
                             boxes.get(m.from_parent_id), boxes.get(m.to_parent_id), m.over_capacity, m.note)
                for m in moves
            ]

    def set_folios(self, actor: Actor, unit_id: str, first: int, last: int) -> UnitView:
        """Record a carpeta's folios; foliation continues across an expediente's carpetas."""
        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            s = uow.session
            u = _unit(s, unit_id)
            if first < 1 or last < first:
                raise ValidationError("unit.folios", N_("Folios inválidos: del {first} al {last}."), first=first, last=last)
            if u.expediente_id and u.sequence:
                prev = s.scalar(select(Unit).where(Unit.expediente_id == u.expediente_id, Unit.sequence == u.sequence - 1, Unit.deleted_at.is_(None)))
                if prev is not None and prev.folio_last is not None and first != prev.folio_last + 1:
                    raise ValidationError(
                        "unit.folio_continuity",
                        N_("La foliación debe continuar la carpeta anterior: esta carpeta debe empezar en el folio {expected}."),
                        expected=prev.folio_last + 1,
                    )
            before = snapshot(u)
            u.folio_first, u.folio_last = first, last
            if u.expediente_id:
                exp = s.get(Expediente, u.expediente_id)
                assert exp is not None
                total = s.scalar(select(func.max(Unit.folio_last)).where(Unit.expediente_id == exp.id, Unit.deleted_at.is_(None)))
                exp.folio_first, exp.folio_last, exp.folios = 1, total, total or 0
            write_audit(uow, self.rt, actor, module="unidades", action="unit.folios", entity="unit", entity_id=u.id,
                        before=before, after=snapshot(u))  # fmt: skip
            uow.commit()
            return _view(s, u)


def _unit(s: Session, unit_id: str) -> Unit:
    u = s.get(Unit, unit_id)
    if u is None or u.deleted_at is not None:
        raise NotFound("unit.not_found", N_("No existe la unidad."))
    return u


def _dependencia(s: Session, code: str | None) -> Dependencia | None:
    if not code:
        return None
    dep = s.scalar(select(Dependencia).where(Dependencia.code == code, Dependencia.deleted_at.is_(None)))
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code)
    return dep


def effective_location(s: Session, u: Unit) -> Location | None:
    """Where a unit physically is: its own location, or its container's."""
    if u.location_id:
        return s.get(Location, u.location_id)
    if u.parent_id:
        parent = s.get(Unit, u.parent_id)
        return s.get(Location, parent.location_id) if parent and parent.location_id else None
    return None


def _view(s: Session, u: Unit) -> UnitView:
    t = s.get(UnitType, u.unit_type_id)
    dep = s.get(Dependencia, u.dependencia_id) if u.dependencia_id else None
    parent = s.get(Unit, u.parent_id) if u.parent_id else None
    loc = effective_location(s, u)
    home = s.get(Location, u.home_location_id) if u.home_location_id else None
    exp = s.get(Expediente, u.expediente_id) if u.expediente_id else None
    of = s.scalar(select(func.count()).select_from(Unit).where(Unit.expediente_id == exp.id, Unit.deleted_at.is_(None))) if exp else None
    children = s.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == u.id, Unit.deleted_at.is_(None))) or 0
    status = u.status
    if status == "activo" and units_lent(s, [i for i in (u.id, u.parent_id) if i]):
        status = "prestado"  # shown "en préstamo": it keeps its place (archive.services.loans)
    return UnitView(
        id=u.id, kind=u.kind, type_code=t.code if t else "", type_name=t.name if t else "", barcode=u.barcode,
        external_barcode=u.external_barcode, number=u.number, dependencia_code=dep.code if dep else None,
        parent_barcode=parent.barcode if parent else None, location_path=loc.path if loc else None,
        home_path=home.path if home else None, expediente_number=exp.number if exp else None,
        sequence=u.sequence, sequence_of=of, folio_first=u.folio_first, folio_last=u.folio_last,
        status=status, children=children, version=u.version,
    )  # fmt: skip
