"""Incidents (novedades) on units: damaged, biodeterioro, missing, incomplete folios…"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from archive.db.models import Incident, Unit
from archive.db.uow import UnitOfWork
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan

INCIDENT_KINDS: dict[str, str] = {
    "deterioro": N_("Deterioro físico"),
    "biodeterioro": N_("Biodeterioro (hongos, insectos, humedad)"),
    "faltante": N_("Unidad faltante"),
    "folios_incompletos": N_("Folios incompletos"),
    "rotulo_erroneo": N_("Rótulo erróneo o ilegible"),
    "otro": N_("Otra novedad"),
}


@dataclass(frozen=True)
class IncidentView:
    id: str
    unit_barcode: str
    kind: str
    description: str
    state: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str
    resolution: str


def add_incident(uow: UnitOfWork, rt: Runtime, actor: Actor, unit: Unit, kind: str, description: str = "") -> Incident:
    """Open an incident on ``unit`` inside ``uow`` (audited); shared with loan returns."""
    if kind not in INCIDENT_KINDS:
        raise ValidationError("incident.kind", N_("Tipo de novedad desconocido: {kind}."), kind=kind)
    inc = Incident(unit_id=unit.id, kind=kind, description=description.strip(), opened_at=rt.now(), opened_by=actor.username)
    uow.session.add(inc)
    uow.session.flush()
    write_audit(uow, rt, actor, module="novedades", action="incident.open", entity="incident", entity_id=inc.id,
                after={"unit": unit.barcode, "kind": kind, "description": inc.description})  # fmt: skip
    return inc


class IncidentService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def open(self, actor: Actor, unit_scan: str, kind: str, description: str = "") -> str:
        if kind not in INCIDENT_KINDS:
            raise ValidationError("incident.kind", N_("Tipo de novedad desconocido: {kind}."), kind=kind)
        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            s = uow.session
            unit = resolve_scan(s, unit_scan).unit
            if unit is None:
                raise ValidationError("scan.not_unit", N_("El código {value} no es de una caja ni de una carpeta."), value=unit_scan)
            inc = add_incident(uow, self.rt, actor, unit, kind, description)
            uow.commit()
            return inc.id

    def close(self, actor: Actor, incident_id: str, resolution: str) -> None:
        if not resolution.strip():
            raise ValidationError("incident.resolution", N_("Describa cómo se resolvió la novedad."))
        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            inc = uow.session.get(Incident, incident_id)
            if inc is None:
                raise NotFound("incident.not_found", N_("No existe la novedad."))
            if inc.state == "cerrada":
                raise ValidationError("incident.closed", N_("La novedad ya está cerrada."))
            inc.state, inc.closed_at, inc.closed_by, inc.resolution = "cerrada", self.rt.now(), actor.username, resolution.strip()
            write_audit(uow, self.rt, actor, module="novedades", action="incident.close", entity="incident", entity_id=inc.id,
                        after={"resolution": inc.resolution})  # fmt: skip
            uow.commit()

    def list(self, actor: Actor, *, state: str = "", kind: str = "", unit_id: str = "") -> list[IncidentView]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = select(Incident, Unit.barcode).join(Unit, Unit.id == Incident.unit_id)
            if state:
                q = q.where(Incident.state == state)
            if kind:
                q = q.where(Incident.kind == kind)
            if unit_id:
                q = q.where(Incident.unit_id == unit_id)
            rows = uow.session.execute(q.order_by(Incident.opened_at.desc()).limit(5000))
            return [IncidentView(i.id, b, i.kind, i.description, i.state, i.opened_at, i.opened_by, i.closed_at, i.closed_by, i.resolution)
                    for i, b in rows]  # fmt: skip
