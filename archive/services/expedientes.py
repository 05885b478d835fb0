"""Expedientes: the id-backed listing the big table uses, detail, registration and editing.

Listing returns ids only (the GUI's lazy model loads rows by page); filters map to indexed
columns: dependencia, serie, state, stage, number prefix (range scan on the number index).
Users whose role is limited to their own dependencia only ever see that dependencia's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Expediente, Serie, Subserie, Unit
from archive.domain.errors import NotFound, PermissionDenied, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import snapshot, write_audit
from archive.services.runtime import Actor, Runtime

STATES = ("abierto", "cerrado")
STAGES = ("gestion", "central", "historico")
SORTABLE = {"number": Expediente.number, "opened_on": Expediente.opened_on, "closed_on": Expediente.closed_on, "title": Expediente.title}


@dataclass(frozen=True)
class ExpedienteFilter:
    dependencia_code: str = ""
    serie_code: str = ""
    state: str = ""
    stage: str = ""
    number_prefix: str = ""
    sort: str = "number"
    descending: bool = False


@dataclass(frozen=True)
class ExpedienteRow:
    id: str
    number: str
    title: str
    dependencia_code: str
    serie: str
    opened_on: date | None
    closed_on: date | None
    folios: int
    state: str
    stage: str
    version: int


@dataclass(frozen=True)
class ExpedienteInput:
    dependencia_code: str
    number: str
    title: str
    serie_code: str = ""
    subserie_code: str = ""
    opened_on: date | None = None
    closed_on: date | None = None
    soporte: str = "papel"
    notes: str = ""


def prefix_range(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` as an index-friendly range on both SQLite and PostgreSQL."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


class ExpedienteService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def ids(self, actor: Actor, f: ExpedienteFilter, *, limit: int | None = None) -> list[str]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = _ordered(self._query(uow.session, actor, f, select(Expediente.id)), f)
            if limit:
                q = q.limit(limit)
            return list(uow.session.scalars(q))

    def window(self, actor: Actor, f: ExpedienteFilter, offset: int, limit: int) -> list[str]:
        """Ids of rows ``offset … offset+limit`` of the filtered, sorted listing.

        The big table asks for :meth:`count` and then for windows as the user scrolls, so
        opening it costs one count and one small index-only scan, whatever the table's size.
        """
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = _ordered(self._query(uow.session, actor, f, select(Expediente.id)), f)
            return list(uow.session.scalars(q.offset(max(offset, 0)).limit(limit)))

    def count(self, actor: Actor, f: ExpedienteFilter) -> int:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            return uow.session.scalar(self._query(uow.session, actor, f, select(func.count()).select_from(Expediente))) or 0

    def rows(self, actor: Actor, ids: list[str]) -> dict[str, ExpedienteRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            q = (
                select(Expediente, Dependencia.code, Serie.name)
                .join(Dependencia, Dependencia.id == Expediente.dependencia_id)
                .outerjoin(Serie, Serie.id == Expediente.serie_id)
                .where(Expediente.id.in_(ids))
            )
            if actor.own_dependencia_only:
                q = q.where(Expediente.dependencia_id == actor.dependencia_id)
            return {
                e.id: ExpedienteRow(e.id, e.number, e.title, dep, serie or "", e.opened_on, e.closed_on, e.folios, e.state, e.stage, e.version)
                for e, dep, serie in s.execute(q)
            }

    def carpetas(self, actor: Actor, expediente_id: str) -> list[str]:
        """Ids of the expediente's carpetas in order ("carpeta 1 de N" …)."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            self._visible(uow.session, actor, expediente_id)
            return list(uow.session.scalars(select(Unit.id).where(Unit.expediente_id == expediente_id, Unit.deleted_at.is_(None)).order_by(Unit.sequence)))

    def create(self, actor: Actor, data: ExpedienteInput) -> str:
        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            s = uow.session
            dep = _dependencia(s, data.dependencia_code)
            serie, sub = _classification(s, dep, data.serie_code, data.subserie_code)
            _check(data)
            if s.scalar(select(Expediente.id).where(Expediente.dependencia_id == dep.id, Expediente.number == data.number.strip(), Expediente.deleted_at.is_(None))):
                raise ValidationError("expediente.exists", N_("Ya existe el expediente {number} en la dependencia {dep}."), number=data.number, dep=dep.code)
            e = Expediente(dependencia_id=dep.id, serie_id=serie.id if serie else None, subserie_id=sub.id if sub else None,
                           number=data.number.strip(), title=data.title.strip(), opened_on=data.opened_on, closed_on=data.closed_on,
                           state="cerrado" if data.closed_on else "abierto", soporte=data.soporte, notes=data.notes)  # fmt: skip
            s.add(e)
            s.flush()
            if e.closed_on is not None:
                _due_dates(s, [e.id])
            write_audit(uow, self.rt, actor, module="expedientes", action="expediente.create", entity="expediente",
                        entity_id=e.id, after=snapshot(e))  # fmt: skip
            uow.commit()
            return e.id

    def close(self, actor: Actor, expediente_id: str, closed_on: date, *, expected_version: int | None = None) -> None:
        """Close an expediente (the retention clock starts at this date)."""
        from archive.db.uow import stale_conflict

        with self.rt.uow(actor, Permission.RECORDS_EDIT) as uow:
            s = uow.session
            e = self._visible(s, actor, expediente_id)
            if expected_version is not None and e.version != expected_version:
                raise stale_conflict()
            if e.opened_on and closed_on < e.opened_on:
                raise ValidationError("expediente.dates", N_("La fecha final no puede ser anterior a la inicial."))
            before = snapshot(e)
            e.closed_on, e.state = closed_on, "cerrado"
            s.flush()
            _due_dates(s, [e.id])
            write_audit(uow, self.rt, actor, module="expedientes", action="expediente.close", entity="expediente",
                        entity_id=e.id, before=before, after=snapshot(e))  # fmt: skip
            uow.commit()

    def _visible(self, s: Session, actor: Actor, expediente_id: str) -> Expediente:
        e = s.get(Expediente, expediente_id)
        if e is None or e.deleted_at is not None:
            raise NotFound("expediente.not_found", N_("No existe el expediente."))
        if actor.own_dependencia_only and e.dependencia_id != actor.dependencia_id:
            raise PermissionDenied("scope.dependencia", N_("El expediente pertenece a otra dependencia."))
        return e

    def _query(self, s: Session, actor: Actor, f: ExpedienteFilter, q: Select[Any]) -> Select[Any]:
        q = q.where(Expediente.deleted_at.is_(None))
        if actor.own_dependencia_only:
            q = q.where(Expediente.dependencia_id == actor.dependencia_id)
        if f.dependencia_code:
            q = q.where(Expediente.dependencia_id == _dependencia(s, f.dependencia_code).id)
        if f.serie_code:
            serie_ids = list(s.scalars(select(Serie.id).where(Serie.code == f.serie_code)))
            q = q.where(Expediente.serie_id.in_(serie_ids))
        if f.state:
            q = q.where(Expediente.state == f.state)
        if f.stage:
            q = q.where(Expediente.stage == f.stage)
        if f.number_prefix:
            q = q.where(prefix_range(Expediente.number, f.number_prefix.strip()))
        return q


def _ordered(q: Select[Any], f: ExpedienteFilter) -> Select[Any]:
    """The listing's order: the sort column, ties by id, both in the same direction (so the
    covering ``(column, id)`` indexes serve it forwards or backwards)."""
    col = SORTABLE.get(f.sort, Expediente.number)
    if f.descending:
        return q.order_by(col.desc(), Expediente.id.desc())
    return q.order_by(col, Expediente.id)


def _due_dates(s: Session, ids: list[str]) -> None:
    """Closing starts the retention clock: compute the due dates in the same transaction."""
    from archive.services.parameters import load_parameters
    from archive.services.retention import recompute

    recompute(s, load_parameters(s), expediente_ids=ids)


def _check(data: ExpedienteInput) -> None:
    if not data.number.strip():
        raise ValidationError("expediente.number", N_("Escriba el número del expediente."))
    if not data.title.strip():
        raise ValidationError("expediente.title", N_("Escriba el nombre del expediente."))
    if data.opened_on and data.closed_on and data.closed_on < data.opened_on:
        raise ValidationError("expediente.dates", N_("La fecha final no puede ser anterior a la inicial."))


def _dependencia(s: Session, code: str) -> Dependencia:
    dep = s.scalar(select(Dependencia).where(Dependencia.code == code, Dependencia.deleted_at.is_(None)))
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code)
    return dep


def _classification(s: Session, dep: Dependencia, serie_code: str, sub_code: str) -> tuple[Serie | None, Subserie | None]:
    if not serie_code:
        return None, None
    serie = s.scalar(select(Serie).where(Serie.dependencia_id == dep.id, Serie.code == serie_code, Serie.deleted_at.is_(None)))
    if serie is None:
        raise NotFound("serie.not_found", N_("La dependencia {dep} no tiene la serie {code}."), dep=dep.code, code=serie_code)
    sub = None
    if sub_code:
        sub = s.scalar(select(Subserie).where(Subserie.serie_id == serie.id, Subserie.code == sub_code, Subserie.deleted_at.is_(None)))
        if sub is None:
            raise NotFound("subserie.not_found", N_("La serie {serie} no tiene la subserie {code}."), serie=serie_code, code=sub_code)
    return serie, sub
