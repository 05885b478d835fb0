"""Legal holds (suspensión por orden de autoridad) on expedientes, units, series, dependencias.

While a hold is active nothing under its target may be transferred or eliminated. The checks are
plain functions on a session so the transfer and elimination services (part B) call them inside
their own unit of work: :func:`is_on_hold` for one expediente, :func:`held_expedientes` and
:func:`held_units` for many at once (a handful of queries whatever the number of ids).

An expediente is under a hold placed on itself, on one of its units (carpetas) or the box that
holds them, on its serie (or subserie's serie) or on its dependencia. A unit is under a hold
placed on itself or its container, or on any expediente it holds (by any of those routes), or on
its own dependencia.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Expediente, LegalHold, Serie, Unit
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import snapshot, write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime

KINDS = ("expediente", "unit", "serie", "dependencia")
_CHUNK = 500


@dataclass(frozen=True)
class HoldInput:
    """A hold to place. Give the target by kind: ``expediente`` (id or number, with
    ``dependencia_code`` when the number repeats), ``unit_barcode``, ``serie_code`` with
    ``dependencia_code``, or ``dependencia_code`` alone."""

    kind: str
    reason: str
    authority: str
    starts_on: date
    dependencia_code: str = ""
    serie_code: str = ""
    expediente: str = ""
    unit_barcode: str = ""
    reference: str = ""
    ends_on: date | None = None


@dataclass(frozen=True)
class HoldRow:
    id: str
    kind: str
    target_id: str
    target_label: str
    reason: str
    authority: str
    reference: str
    starts_on: date
    ends_on: date | None
    placed_by: str
    released_at: datetime | None
    released_by: str
    release_reason: str

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class HoldResult:
    id: str
    changes: Changes


def _row(h: LegalHold) -> HoldRow:
    return HoldRow(
        h.id, h.target_kind, h.target_id, h.target_label, h.reason, h.authority, h.reference,
        h.starts_on, h.ends_on, h.placed_by, h.released_at, h.released_by, h.release_reason,
    )  # fmt: skip


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def active_holds(session: Session) -> list[LegalHold]:
    """Every hold not yet released."""
    return list(
        session.scalars(
            select(LegalHold).where(LegalHold.released_at.is_(None), LegalHold.deleted_at.is_(None))
        )
    )


def _by_kind(holds: list[LegalHold]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {k: defaultdict(list) for k in KINDS}
    for h in holds:
        out[h.target_kind][h.target_id].append(h.id)
    return out


def held_expedientes(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    """Which of ``ids`` are under an active hold, with the ids of the holds that reach each.

    Args:
        session: An open session (the caller's unit of work).
        ids: Expediente ids.

    Returns:
        ``{expediente_id: [hold_id, …]}`` for the held ones only (empty when none is held).
    """
    holds = active_holds(session)
    if not holds or not ids:
        return {}
    kinds = _by_kind(holds)
    result: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(list(ids)):
        rows = session.execute(
            select(Expediente.id, Expediente.dependencia_id, Expediente.serie_id).where(
                Expediente.id.in_(chunk)
            )
        )
        for eid, dep_id, serie_id in rows:
            found = kinds["expediente"].get(eid, []) + kinds["dependencia"].get(dep_id, [])
            if serie_id:
                found += kinds["serie"].get(serie_id, [])
            if found:
                result[eid] += found
        if kinds["unit"]:
            units = session.execute(
                select(Unit.expediente_id, Unit.id, Unit.parent_id).where(
                    Unit.expediente_id.in_(chunk), Unit.deleted_at.is_(None)
                )
            )
            for unit_eid, uid, parent in units:
                found = kinds["unit"].get(uid, []) + (
                    kinds["unit"].get(parent, []) if parent else []
                )
                if found and unit_eid:
                    result[unit_eid] += found
    return {k: sorted(set(v)) for k, v in result.items()}


def is_on_hold(session: Session, expediente_id: str) -> bool:
    """Whether an active legal hold reaches this expediente (see the module docstring)."""
    return bool(held_expedientes(session, [expediente_id]))


def held_units(session: Session, unit_ids: Sequence[str]) -> dict[str, list[str]]:
    """Which of ``unit_ids`` (cajas, carpetas…) are under an active hold, with the hold ids.

    A box is held when the box, a hold on its dependencia, or any expediente inside it (in a
    carpeta of the box or directly) is held.
    """
    holds = active_holds(session)
    if not holds or not unit_ids:
        return {}
    kinds = _by_kind(holds)
    result: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(list(unit_ids)):
        units = list(
            session.execute(
                select(Unit.id, Unit.parent_id, Unit.dependencia_id, Unit.expediente_id).where(
                    Unit.id.in_(chunk)
                )
            )
        )
        children = list(
            session.execute(
                select(Unit.parent_id, Unit.expediente_id).where(
                    Unit.parent_id.in_(chunk), Unit.deleted_at.is_(None)
                )
            )
        )
        exp_of: dict[str, set[str]] = defaultdict(set)
        for uid, _parent, _dep, eid in units:
            if eid:
                exp_of[uid].add(eid)
        for parent, child_eid in children:
            if parent and child_eid:
                exp_of[parent].add(child_eid)
        all_exps = sorted({e for es in exp_of.values() for e in es})
        exp_holds = held_expedientes(session, all_exps)
        for uid, parent, dep_id, _eid in units:
            found = kinds["unit"].get(uid, []) + (kinds["unit"].get(parent, []) if parent else [])
            if dep_id:
                found += kinds["dependencia"].get(dep_id, [])
            for eid in exp_of.get(uid, ()):
                found += exp_holds.get(eid, [])
            if found:
                result[uid] += found
    return {k: sorted(set(v)) for k, v in result.items()}


class HoldService:
    """Placing, releasing and listing legal holds (audited)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def place(self, actor: Actor, data: HoldInput) -> HoldResult:
        """Place a hold. Needs RETENTION_MANAGE.

        Raises:
            ValidationError: missing reason/authority, unknown kind, end before start.
            NotFound: the target does not exist.
        """
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            _check(data)
            target_id, label = _target(s, data)
            hold = LegalHold(
                target_kind=data.kind, target_id=target_id, target_label=label,
                reason=data.reason.strip(), authority=data.authority.strip(),
                reference=data.reference.strip(), starts_on=data.starts_on, ends_on=data.ends_on,
                placed_by=actor.username,
            )  # fmt: skip
            s.add(hold)
            s.flush()
            write_audit(uow, self.rt, actor, module="retencion", action="hold.place",
                        entity="legal_hold", entity_id=hold.id, after=snapshot(hold),
                        reason=data.reason.strip())  # fmt: skip
            uow.commit()
            return HoldResult(hold.id, Changes(records=True))

    def release(self, actor: Actor, hold_id: str, reason: str) -> Changes:
        """Release an active hold (the reason is mandatory and audited)."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            hold = s.get(LegalHold, hold_id)
            if hold is None or hold.deleted_at is not None:
                raise NotFound("hold.not_found", N_("No existe la suspensión {id}."), id=hold_id)
            if hold.released_at is not None:
                raise ValidationError("hold.released", N_("La suspensión ya fue levantada."))
            if not reason.strip():
                raise ValidationError(
                    "hold.release_reason", N_("Indique el motivo del levantamiento.")
                )
            before = snapshot(hold)
            hold.released_at = self.rt.now()
            hold.released_by = actor.username
            hold.release_reason = reason.strip()
            write_audit(uow, self.rt, actor, module="retencion", action="hold.release",
                        entity="legal_hold", entity_id=hold.id, before=before,
                        after=snapshot(hold), reason=reason.strip())  # fmt: skip
            uow.commit()
        return Changes(records=True)

    def list(self, actor: Actor, *, active_only: bool = True) -> builtins.list[HoldRow]:
        """Holds, newest first."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = select(LegalHold).where(LegalHold.deleted_at.is_(None))
            if active_only:
                q = q.where(LegalHold.released_at.is_(None))
            return [_row(h) for h in uow.session.scalars(q.order_by(LegalHold.created_at.desc()))]

    def for_expediente(self, actor: Actor, expediente_id: str) -> builtins.list[HoldRow]:
        """The active holds that reach one expediente (empty when it is free)."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            ids = held_expedientes(uow.session, [expediente_id]).get(expediente_id, [])
            if not ids:
                return []
            return [
                _row(h) for h in uow.session.scalars(select(LegalHold).where(LegalHold.id.in_(ids)))
            ]


def _check(data: HoldInput) -> None:
    if data.kind not in KINDS:
        raise ValidationError(
            "hold.kind", N_("Tipo de objeto no válido: «{kind}»."), kind=data.kind
        )
    if not data.reason.strip():
        raise ValidationError("hold.reason", N_("Indique el motivo de la suspensión."))
    if not data.authority.strip():
        raise ValidationError(
            "hold.authority", N_("Indique la autoridad que ordena la suspensión.")
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ValidationError(
            "hold.dates", N_("La fecha final no puede ser anterior a la inicial.")
        )


def _dependencia(s: Session, code: str) -> Dependencia:
    dep = s.scalar(
        select(Dependencia).where(
            Dependencia.code == code.strip(), Dependencia.deleted_at.is_(None)
        )
    )
    if dep is None:
        raise NotFound(
            "dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code
        )
    return dep


def _target(s: Session, data: HoldInput) -> tuple[str, str]:
    if data.kind == "dependencia":
        dep = _dependencia(s, data.dependencia_code)
        return dep.id, f"{dep.code} {dep.name}"
    if data.kind == "serie":
        dep = _dependencia(s, data.dependencia_code)
        serie = s.scalar(
            select(Serie).where(
                Serie.dependencia_id == dep.id,
                Serie.code == data.serie_code.strip(),
                Serie.deleted_at.is_(None),
            )
        )
        if serie is None:
            raise NotFound(
                "serie.not_found",
                N_("La dependencia {dep} no tiene la serie {code}."),
                dep=dep.code,
                code=data.serie_code,
            )
        return serie.id, f"{dep.code}-{serie.code} {serie.name}"
    if data.kind == "unit":
        unit = s.scalar(
            select(Unit).where(Unit.barcode == data.unit_barcode.strip(), Unit.deleted_at.is_(None))
        )
        if unit is None:
            raise NotFound(
                "unit.not_found", N_("No existe la unidad {barcode}."), barcode=data.unit_barcode
            )
        return unit.id, f"{unit.kind} {unit.number or unit.barcode}".strip()
    ref = data.expediente.strip()
    q = select(Expediente).where(
        or_(Expediente.id == ref, Expediente.number == ref), Expediente.deleted_at.is_(None)
    )
    if data.dependencia_code:
        q = q.where(Expediente.dependencia_id == _dependencia(s, data.dependencia_code).id)
    found = list(s.scalars(q.limit(2)))
    if not found:
        raise NotFound("expediente.not_found", N_("No existe el expediente {ref}."), ref=ref)
    if len(found) > 1:
        raise ValidationError(
            "expediente.ambiguous",
            N_("Hay varios expedientes {ref}; indique la dependencia."),
            ref=ref,
        )
    return found[0].id, found[0].number
