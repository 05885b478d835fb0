"""Shelf counts: scan a location, then every unit found there; compare with the records.

Expected units are those standing directly at a location inside the count's scope (the scope
node or any of its descendants, found by signatura prefix). Each scan is classified against
where the records say the unit is:

- found: recorded at the very location where it was scanned;
- misplaced: recorded elsewhere inside the scope;
- unexpected: recorded outside the scope, nowhere, or an unknown barcode;
- missing: expected in the scope and not scanned anywhere during the count;
- on loan: expected, not scanned, but out on loan (or inside a box on loan): not missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from archive.db.models import CountScan, CountSession, Incident, Location, Unit
from archive.domain.barcodes import BarcodeKind
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.loans import units_lent
from archive.services.moves import MoveResult, apply_move
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan


@dataclass(frozen=True)
class CountLine:
    barcode: str
    unit_id: str | None
    kind: str
    number: str
    expected_at: str | None  # signatura the records give
    scanned_at: str | None  # signatura where it was scanned


@dataclass
class CountReport:
    session_id: str
    scope: str
    state: str
    started_at: datetime
    started_by: str
    finished_at: datetime | None
    expected: int = 0
    found: list[CountLine] = field(default_factory=list)
    misplaced: list[CountLine] = field(default_factory=list)
    unexpected: list[CountLine] = field(default_factory=list)
    missing: list[CountLine] = field(default_factory=list)
    on_loan: list[CountLine] = field(default_factory=list)


@dataclass(frozen=True)
class CountSessionView:
    id: str
    scope: str
    state: str
    started_at: datetime
    started_by: str
    scans: int


def in_scope(scope_path: str) -> ColumnElement[bool]:
    return or_(Location.path == scope_path, Location.path.startswith(scope_path + "-", autoescape=True))


class CountService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def start(self, actor: Actor, scope_scan: str, note: str = "") -> str:
        with self.rt.uow(actor, Permission.INVENTORY_COUNT) as uow:
            s = uow.session
            loc = resolve_scan(s, scope_scan, {BarcodeKind.UBICACION}).location
            assert loc is not None
            c = CountSession(scope_location_id=loc.id, state="abierto", started_at=self.rt.now(), started_by=actor.username, note=note)
            s.add(c)
            s.flush()
            write_audit(uow, self.rt, actor, module="conteos", action="count.start", entity="count_session", entity_id=c.id, after={"scope": loc.path})
            uow.commit()
            return c.id

    def scan(self, actor: Actor, session_id: str, location_scan: str, unit_scans: list[str]) -> list[CountLine]:
        """Record units found at a location. Unknown barcodes are recorded (as unexpected), a
        malformed one (bad check digit) is refused: the clerk rescans it."""
        with self.rt.uow(actor, Permission.INVENTORY_COUNT) as uow:
            s = uow.session
            c = self._open(s, session_id)
            scope = s.get(Location, c.scope_location_id)
            loc = resolve_scan(s, location_scan, {BarcodeKind.UBICACION}).location
            assert loc is not None and scope is not None
            if not (loc.path == scope.path or loc.path.startswith(scope.path + "-")):
                raise ValidationError("count.outside_scope", N_("La ubicación {path} está fuera del alcance del conteo ({scope})."), path=loc.path, scope=scope.path)
            now = self.rt.now()
            lines = []
            for raw in unit_scans:
                try:
                    unit = resolve_scan(s, raw, {BarcodeKind.CAJA, BarcodeKind.CARPETA}).unit
                    code = unit.barcode if unit else raw
                except NotFound as e:
                    unit, code = None, str(e.params.get("value", raw))
                s.add(CountScan(session_id=c.id, location_id=loc.id, unit_id=unit.id if unit else None, barcode=code, at=now))
                lines.append(CountLine(code, unit.id if unit else None, unit.kind if unit else "", unit.number if unit else "", None, loc.path))
            c.state = "abierto"
            uow.commit()
            return lines

    def set_state(self, actor: Actor, session_id: str, state: str) -> None:
        """Pause (``pausado``), resume (``abierto``) or finish (``cerrado``) a count."""
        if state not in ("abierto", "pausado", "cerrado"):
            raise ValidationError("count.state", N_("Estado de conteo desconocido: {state}."), state=state)
        with self.rt.uow(actor, Permission.INVENTORY_COUNT) as uow:
            s = uow.session
            c = s.get(CountSession, session_id)
            if c is None:
                raise NotFound("count.not_found", N_("No existe el conteo."))
            if c.state == "cerrado":
                raise ValidationError("count.closed", N_("El conteo ya fue cerrado."))
            c.state = state
            if state == "cerrado":
                c.finished_at = self.rt.now()
            write_audit(uow, self.rt, actor, module="conteos", action=f"count.{state}", entity="count_session", entity_id=c.id)
            uow.commit()

    def sessions(self, actor: Actor) -> list[CountSessionView]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            out = []
            for c in s.scalars(select(CountSession).order_by(CountSession.started_at.desc()).limit(200)):
                scope = s.get(Location, c.scope_location_id)
                n = len(s.scalars(select(CountScan.id).where(CountScan.session_id == c.id)).all())
                out.append(CountSessionView(c.id, scope.path if scope else "", c.state, c.started_at, c.started_by, n))
            return out

    def report(self, actor: Actor, session_id: str) -> CountReport:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            return build_report(uow.session, session_id)

    def relocate_here(self, actor: Actor, session_id: str, unit_ids: list[str]) -> MoveResult:
        """One-click fix: move misplaced/unexpected units to where the count found them."""
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            scans = {sc.unit_id: sc for sc in s.scalars(select(CountScan).where(CountScan.session_id == session_id, CountScan.unit_id.in_(unit_ids)))}
            moved = already = 0
            for uid in unit_ids:
                sc = scans.get(uid)
                if sc is None:
                    raise ValidationError("count.not_scanned", N_("La unidad no fue escaneada en este conteo."))
                unit = s.get(Unit, uid)
                loc = s.get(Location, sc.location_id)
                assert unit is not None and loc is not None
                r = apply_move(uow, self.rt, actor, [unit], location=loc, box=None, method="count", override_capacity=True, note=f"conteo {session_id}")
                moved += r.moved
                already += r.already_there
            uow.commit()
            return MoveResult(moved, already, "", False, Changes(units=True, locations=True, counts=True))

    def mark_missing(self, actor: Actor, session_id: str, unit_ids: list[str]) -> int:
        """Mark units as faltante and open a "missing" incident on each."""
        with self.rt.uow(actor, Permission.INVENTORY_COUNT) as uow:
            s = uow.session
            now = self.rt.now()
            for uid in unit_ids:
                unit = s.get(Unit, uid)
                if unit is None:
                    raise NotFound("unit.not_found", N_("No existe la unidad."))
                if units_lent(s, [uid]) or (unit.parent_id and units_lent(s, [unit.parent_id])):
                    raise ValidationError("count.on_loan", N_("{unit} está en préstamo: no es un faltante."),
                                          unit=unit.barcode)  # fmt: skip
                unit.status = "faltante"
                s.add(Incident(unit_id=uid, kind="faltante", description=f"No encontrada en el conteo {session_id}", opened_at=now, opened_by=actor.username))
            write_audit(uow, self.rt, actor, module="conteos", action="count.mark_missing", entity="count_session", entity_id=session_id,
                        after={"units": unit_ids[:200], "count": len(unit_ids)})  # fmt: skip
            uow.commit()
            return len(unit_ids)

    def _open(self, s: Session, session_id: str) -> CountSession:
        c = s.get(CountSession, session_id)
        if c is None:
            raise NotFound("count.not_found", N_("No existe el conteo."))
        if c.state == "cerrado":
            raise ValidationError("count.closed", N_("El conteo ya fue cerrado."))
        return c


def build_report(s: Session, session_id: str) -> CountReport:
    c = s.get(CountSession, session_id)
    if c is None:
        raise NotFound("count.not_found", N_("No existe el conteo."))
    scope = s.get(Location, c.scope_location_id)
    assert scope is not None
    report = CountReport(c.id, scope.path, c.state, c.started_at, c.started_by, c.finished_at)
    # Expected: units standing directly at locations inside the scope.
    expected = {
        uid: (barcode, kind, number, path)
        for uid, barcode, kind, number, path in s.execute(
            select(Unit.id, Unit.barcode, Unit.kind, Unit.number, Location.path)
            .join(Location, Location.id == Unit.location_id)
            .where(in_scope(scope.path), Unit.deleted_at.is_(None), Unit.status != "eliminado")
        )
    }
    report.expected = len(expected)
    scans = s.execute(
        select(CountScan.unit_id, CountScan.barcode, Location.path)
        .join(Location, Location.id == CountScan.location_id)
        .where(CountScan.session_id == c.id)
        .order_by(CountScan.at, CountScan.id)
    ).all()
    scanned_ids = {uid for uid, _, _ in scans if uid}
    # Where do the scanned units that are not expected in scope live (or their box)?
    others: dict[str, tuple[str, str, str, str | None]] = {}
    outside = [uid for uid in scanned_ids if uid not in expected]
    for i in range(0, len(outside), 500):
        chunk = outside[i : i + 500]
        for uid, barcode, kind, number, loc_id, parent_id in s.execute(
            select(Unit.id, Unit.barcode, Unit.kind, Unit.number, Unit.location_id, Unit.parent_id).where(Unit.id.in_(chunk))
        ):
            path: str | None = None
            if loc_id:
                path = s.scalar(select(Location.path).where(Location.id == loc_id))
            elif parent_id:
                path = s.scalar(select(Location.path).join(Unit, Unit.location_id == Location.id).where(Unit.id == parent_id))
            others[uid] = (barcode, kind, number, path)
    seen: set[str] = set()
    for scanned_id, barcode, at in scans:
        key = scanned_id or f"?{barcode}"
        if key in seen:
            continue
        seen.add(key)
        if scanned_id is None:
            report.unexpected.append(CountLine(barcode, None, "", "", None, at))
        elif scanned_id in expected:
            b, kind, number, path = expected[scanned_id]
            line = CountLine(b, scanned_id, kind, number, path, at)
            (report.found if path == at else report.misplaced).append(line)
        else:
            b, kind, number, path = others[scanned_id]
            line = CountLine(b, scanned_id, kind, number, path, at)
            if path == at:
                report.found.append(line)  # e.g. a carpeta inside a box standing here
            elif path is not None and (path == scope.path or path.startswith(scope.path + "-")):
                report.misplaced.append(line)
            else:
                report.unexpected.append(line)
    absent = [uid for uid in expected if uid not in scanned_ids]
    lent = units_lent(s, absent)
    for uid, (barcode, kind, number, path) in sorted(expected.items(), key=lambda kv: (kv[1][3], kv[1][0])):
        if uid not in scanned_ids:
            line = CountLine(barcode, uid, kind, number, path, None)
            (report.on_loan if uid in lent else report.missing).append(line)
    return report


