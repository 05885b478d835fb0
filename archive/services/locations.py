"""The location tree: levels, nodes, batch creation from ranges, occupancy, free space."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import Location, LocationLevel, Unit, UnitType
from archive.domain.barcodes import BarcodeKind
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.domain.signatura import LevelFormat, expand_range, segment
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import allocate_barcodes

#: code, name, prefix, pad, in_signatura — a common Colombian archive layout (editable data).
DEFAULT_LEVELS: list[tuple[str, str, str, int, bool]] = [
    ("sede", N_("Sede"), "S", 0, False),
    ("deposito", N_("Depósito"), "D", 2, True),
    ("modulo", N_("Módulo"), "M", 2, True),
    ("cara", N_("Cara"), "", 0, True),
    ("estante", N_("Estante"), "E", 2, True),
    ("entrepano", N_("Entrepaño"), "B", 0, True),
    ("posicion", N_("Posición"), "P", 2, True),
]


@dataclass(frozen=True)
class LevelView:
    id: str
    code: str
    name: str
    depth: int
    prefix: str
    pad: int
    in_signatura: bool


@dataclass(frozen=True)
class LocationView:
    id: str
    parent_id: str | None
    level_code: str
    level_name: str
    code: str
    name: str
    barcode: str
    path: str
    capacity_units: int | None
    capacity_cm: int | None
    occupied_units: int
    occupied_cm: int
    children: int
    version: int

    @property
    def free_units(self) -> int | None:
        return None if self.capacity_units is None else self.capacity_units - self.occupied_units


@dataclass(frozen=True)
class RangeLevel:
    """One level of a batch creation: ``RangeLevel("modulo", "1-4")``."""

    level_code: str
    spec: str


@dataclass(frozen=True)
class RangePreview:
    paths: list[str]
    existing: list[str]


def seed_levels(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(LocationLevel)):
        return
    for depth, (code, name, prefix, pad, shown) in enumerate(DEFAULT_LEVELS):
        session.add(LocationLevel(code=code, name=name, depth=depth, prefix=prefix, pad=pad, in_signatura=shown))
    session.flush()


def occupancy(session: Session, location_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(units, linear cm) standing directly at each location."""
    if not location_ids:
        return {}
    rows = session.execute(
        select(Unit.location_id, func.count(), func.coalesce(func.sum(UnitType.shelf_cm), 0))
        .join(UnitType, UnitType.id == Unit.unit_type_id)
        .where(Unit.location_id.in_(location_ids), Unit.deleted_at.is_(None), Unit.status != "eliminado")
        .group_by(Unit.location_id)
    )
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


class LocationService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def levels(self) -> list[LevelView]:
        with self.rt.db.sessions() as s:
            rows = s.scalars(select(LocationLevel).where(LocationLevel.deleted_at.is_(None)).order_by(LocationLevel.depth))
            return [LevelView(r.id, r.code, r.name, r.depth, r.prefix, r.pad, r.in_signatura) for r in rows]

    def children(self, actor: Actor, parent_id: str | None) -> list[LocationView]:
        """Direct children of a node (roots for ``None``) with live occupancy."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            q = select(Location).where(Location.deleted_at.is_(None))
            q = q.where(Location.parent_id.is_(None) if parent_id is None else Location.parent_id == parent_id)
            nodes = list(s.scalars(q.order_by(Location.path, Location.code)))
            return _views(s, nodes)

    def get(self, actor: Actor, location_id: str) -> LocationView:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            loc = uow.session.get(Location, location_id)
            if loc is None or loc.deleted_at is not None:
                raise NotFound("location.not_found", N_("No existe la ubicación."))
            return _views(uow.session, [loc])[0]

    def create(
        self,
        actor: Actor,
        *,
        level_code: str,
        code: str,
        parent_id: str | None = None,
        name: str = "",
        capacity_units: int | None = None,
        capacity_cm: int | None = None,
    ) -> LocationView:
        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            s = uow.session
            levels = _levels(s)
            parent = _location(s, parent_id) if parent_id else None
            loc = self._make(s, levels, parent, level_code, code.strip().upper(), name, capacity_units, capacity_cm)
            write_audit(uow, self.rt, actor, module="ubicaciones", action="location.create",
                        entity="location", entity_id=loc.id, after={"path": loc.path, "barcode": loc.barcode})  # fmt: skip
            uow.commit()
            return _views(s, [loc])[0]

    def preview_range(self, actor: Actor, parent_id: str | None, levels: list[RangeLevel]) -> RangePreview:
        """What :meth:`create_range` would create, without writing anything."""
        with self.rt.uow(actor, Permission.ORG_MANAGE, write=False) as uow:
            s = uow.session
            plan = self._plan(s, parent_id, levels)
            existing = set(s.scalars(select(Location.path).where(Location.path.in_([p for p, _ in plan]), Location.deleted_at.is_(None))))
            return RangePreview([p for p, _ in plan], sorted(existing))

    def create_range(
        self,
        actor: Actor,
        parent_id: str | None,
        levels: list[RangeLevel],
        *,
        capacity_units: int | None = None,
        capacity_cm: int | None = None,
    ) -> int:
        """Create every combination of the ranges under ``parent_id`` in one transaction.

        The leaf level gets the capacities. Existing nodes on the way are reused; existing
        leaves are an error (nothing is written).
        """
        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            s = uow.session
            lv = _levels(s)
            plan = self._plan(s, parent_id, levels)
            root = _location(s, parent_id) if parent_id else None
            created = 0
            cache: dict[tuple[str | None, str], Location] = {}
            for leaf_path, codes in plan:
                parent = root
                for depth, (level_code, code) in enumerate(codes):
                    key = (parent.id if parent else None, code)
                    node = cache.get(key) or s.scalar(
                        select(Location).where(
                            Location.parent_id.is_(None) if parent is None else Location.parent_id == parent.id,
                            Location.code == code, Location.deleted_at.is_(None),
                        )
                    )  # fmt: skip
                    leaf = depth == len(codes) - 1
                    if node is not None and leaf:
                        raise ValidationError(
                            "location.exists", N_("La ubicación {path} ya existe; no se creó nada."), path=leaf_path
                        )
                    if node is None:
                        node = self._make(s, lv, parent, level_code, code, "",
                                          capacity_units if leaf else None, capacity_cm if leaf else None)  # fmt: skip
                        created += 1
                    cache[key] = node
                    parent = node
            write_audit(uow, self.rt, actor, module="ubicaciones", action="location.create_range",
                        entity="location", entity_id=parent_id or "",
                        after={"levels": [(r.level_code, r.spec) for r in levels], "created": created,
                               "capacity_units": capacity_units, "capacity_cm": capacity_cm})  # fmt: skip
            uow.commit()
            return created

    def update(
        self,
        actor: Actor,
        location_id: str,
        *,
        name: str | None = None,
        capacity_units: int | None = None,
        capacity_cm: int | None = None,
        clear_capacity: bool = False,
        expected_version: int | None = None,
    ) -> Changes:
        from archive.db.uow import stale_conflict
        from archive.services.audit_log import snapshot

        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            loc = _location(uow.session, location_id)
            if expected_version is not None and loc.version != expected_version:
                raise stale_conflict()
            before = snapshot(loc)
            if name is not None:
                loc.name = name.strip()
            if clear_capacity:
                loc.capacity_units = loc.capacity_cm = None
            if capacity_units is not None:
                loc.capacity_units = _non_negative(capacity_units)
            if capacity_cm is not None:
                loc.capacity_cm = _non_negative(capacity_cm)
            write_audit(uow, self.rt, actor, module="ubicaciones", action="location.update",
                        entity="location", entity_id=loc.id, before=before, after=snapshot(loc))  # fmt: skip
            uow.commit()
        return Changes(locations=True)

    def find_free_space(self, actor: Actor, *, units: int, unit_type_code: str, near_id: str | None = None, limit: int = 10) -> list[LocationView]:
        """Leaf locations that can take ``units`` more units of a type, nearest first.

        "Nearest" is by signatura order from ``near_id`` (same depósito/módulo first), which is
        how clerks walk the shelves.
        """
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            utype = s.scalar(select(UnitType).where(UnitType.code == unit_type_code, UnitType.deleted_at.is_(None)))
            if utype is None:
                raise NotFound("unit_type.not_found", N_("No existe el tipo de unidad «{code}»."), code=unit_type_code)
            occ = (
                select(Unit.location_id.label("lid"), func.count().label("n"), func.coalesce(func.sum(UnitType.shelf_cm), 0).label("cm"))
                .join(UnitType, UnitType.id == Unit.unit_type_id)
                .where(Unit.location_id.is_not(None), Unit.deleted_at.is_(None), Unit.status != "eliminado")
                .group_by(Unit.location_id)
                .subquery()
            )
            n = func.coalesce(occ.c.n, 0)
            cm = func.coalesce(occ.c.cm, 0)
            q = (
                select(Location)
                .outerjoin(occ, occ.c.lid == Location.id)
                .where(Location.deleted_at.is_(None))
                .where((Location.capacity_units.is_not(None)) | (Location.capacity_cm.is_not(None)))
                .where((Location.capacity_units.is_(None)) | (Location.capacity_units - n >= units))
                .where((Location.capacity_cm.is_(None)) | (Location.capacity_cm - cm >= units * utype.shelf_cm))
            )
            near_path = ""
            if near_id:
                near_path = _location(s, near_id).path
            candidates = list(s.scalars(q.order_by(Location.path).limit(5000)))
            if near_path:
                candidates.sort(key=lambda loc: (-_common_prefix(loc.path, near_path), loc.path))
            return _views(s, candidates[:limit])

    def _plan(self, s: Session, parent_id: str | None, levels: list[RangeLevel]) -> list[tuple[str, list[tuple[str, str]]]]:
        if not levels:
            raise ValidationError("location.range_empty", N_("Indique al menos un nivel y su rango."))
        lv = _levels(s)
        parent = _location(s, parent_id) if parent_id else None
        depth = lv[s.get(LocationLevel, parent.level_id).code].depth if parent else -1  # type: ignore[union-attr]
        for r in levels:
            level = lv.get(r.level_code)
            if level is None:
                raise NotFound("location_level.not_found", N_("No existe el nivel «{code}»."), code=r.level_code)
            if level.depth <= depth:
                raise ValidationError("location.level_order", N_("Los niveles deben ir de mayor a menor (el nivel «{code}» está fuera de orden)."), code=r.level_code)
            depth = level.depth
        combos: list[list[tuple[str, str]]] = [[]]
        for r in levels:
            combos = [[*c, (r.level_code, code)] for c in combos for code in expand_range(r.spec)]
        if len(combos) > 20_000:
            raise ValidationError("location.range_too_big", N_("El rango crea {n} ubicaciones; el máximo por lote es 20.000."), n=len(combos))
        base = parent.path if parent else ""
        out = []
        for codes in combos:
            segs = [segment(code, _fmt(lv[level_code])) for level_code, code in codes if lv[level_code].in_signatura]
            out.append(("-".join(x for x in [base, *segs] if x), codes))
        return out

    def _make(self, s: Session, levels: dict[str, LocationLevel], parent: Location | None, level_code: str, code: str,
              name: str, capacity_units: int | None, capacity_cm: int | None) -> Location:  # fmt: skip
        level = levels.get(level_code)
        if level is None:
            raise NotFound("location_level.not_found", N_("No existe el nivel «{code}»."), code=level_code)
        if not code or len(code) > 20:
            raise ValidationError("location.code", N_("El código de ubicación «{code}» no es válido."), code=code)
        if parent is not None:
            parent_level = s.get(LocationLevel, parent.level_id)
            if parent_level is not None and parent_level.depth >= level.depth:
                raise ValidationError("location.level_order", N_("Los niveles deben ir de mayor a menor (el nivel «{code}» está fuera de orden)."), code=level_code)
        seg = segment(code, _fmt(level)) if level.in_signatura else ""
        path = "-".join(x for x in [parent.path if parent else "", seg] if x) or code
        barcode = allocate_barcodes(s, BarcodeKind.UBICACION, self.rt.env.origin)[0]
        loc = Location(parent_id=parent.id if parent else None, level_id=level.id, code=code, name=name.strip(),
                       barcode=barcode, path=path,
                       capacity_units=None if capacity_units is None else _non_negative(capacity_units),
                       capacity_cm=None if capacity_cm is None else _non_negative(capacity_cm))  # fmt: skip
        s.add(loc)
        s.flush()
        return loc


def _fmt(level: LocationLevel) -> LevelFormat:
    return LevelFormat(level.prefix, level.pad, level.in_signatura)


def _levels(s: Session) -> dict[str, LocationLevel]:
    seed_levels(s)
    return {lv.code: lv for lv in s.scalars(select(LocationLevel).where(LocationLevel.deleted_at.is_(None)))}


def _location(s: Session, location_id: str | None) -> Location:
    loc = s.get(Location, location_id) if location_id else None
    if loc is None or loc.deleted_at is not None:
        raise NotFound("location.not_found", N_("No existe la ubicación."))
    return loc


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValidationError("location.capacity", N_("La capacidad no puede ser negativa."))
    return value


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("-"), b.split("-"), strict=False):
        if x != y:
            break
        n += 1
    return n


def _views(s: Session, nodes: list[Location]) -> list[LocationView]:
    ids = [n.id for n in nodes]
    occ = occupancy(s, ids)
    levels = {lv.id: lv for lv in s.scalars(select(LocationLevel))}
    kids = dict(
        s.execute(
            select(Location.parent_id, func.count()).where(Location.parent_id.in_(ids), Location.deleted_at.is_(None)).group_by(Location.parent_id)
        ).all()
    ) if ids else {}  # fmt: skip
    return [
        LocationView(
            id=n.id, parent_id=n.parent_id, level_code=levels[n.level_id].code, level_name=levels[n.level_id].name,
            code=n.code, name=n.name, barcode=n.barcode, path=n.path, capacity_units=n.capacity_units,
            capacity_cm=n.capacity_cm, occupied_units=occ.get(n.id, (0, 0))[0], occupied_cm=occ.get(n.id, (0, 0))[1],
            children=int(kids.get(n.id, 0)), version=n.version,
        )
        for n in nodes
    ]
