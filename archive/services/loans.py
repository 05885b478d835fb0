"""Loans (préstamos): a carpeta or a whole caja lent to a dependencia for consultation.

solicitado → prestado → devuelto, or a request ends rechazado / cancelado. A Usuario de
dependencia (LOANS_REQUEST, own dependencia only) asks for units of its own dependencia and sees
only its own requests; archive staff (LOANS_MANAGE) approve and lend (a request, or directly by
scan), receive by scan, renew and reject. The due date is lent + N Colombian business days
(``Parameters.loan_business_days``); renewals add as many, up to ``loan_max_renewals``.

One active loan per unit: a unit is not lent (or asked for) while it, the caja holding it or a
carpeta inside it has an open loan. The central sync flags the offline double loan
(``archive.sync.invariants.ExclusiveActive``). Lending moves nothing: the unit keeps its place
and is shown "en préstamo". A legal hold does not prevent consultation; a unit eliminated,
missing, or in a transfer in progress cannot be lent; a unit on loan cannot be transferred or
eliminated (``archive.services.transfers.units_on_loan``).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Expediente, Loan, Transfer, TransferItem, Unit, User
from archive.db.uow import UnitOfWork
from archive.domain.calendar import add_business_days
from archive.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from archive.domain.permissions import Permission
from archive.domain.timefmt import to_local
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.incidents import add_incident
from archive.services.parameters import load_parameters
from archive.services.runtime import Actor, Runtime, check_actor
from archive.services.scanning import UNIT_KINDS, resolve_scan

STATES: dict[str, str] = {
    "solicitado": N_("Solicitado"),
    "prestado": N_("Prestado"),
    "devuelto": N_("Devuelto"),
    "rechazado": N_("Rechazado"),
    "cancelado": N_("Cancelado"),
}
OPEN = ("solicitado", "prestado")
LENT = "prestado"
_TRANSFER_OPEN = ("borrador", "enviada")  # archive.services.transfers.OPEN
_CHANGES = Changes(loans=True, audit=True)


@dataclass(frozen=True)
class LoanRow:
    id: str
    unit_id: str
    unit_barcode: str
    unit_kind: str
    unit_number: str
    expediente_number: str | None
    expediente_title: str | None
    dependencia_code: str
    dependencia_name: str
    requester_id: str | None
    requester_name: str
    purpose: str
    state: str
    requested_at: datetime
    requested_by: str
    approved_by: str
    lent_at: datetime | None
    lent_by: str
    due_on: date | None
    renewals: int
    returned_at: datetime | None
    received_by: str
    folios_complete: bool | None
    return_notes: str
    incident_id: str | None
    close_reason: str
    overdue: bool
    version: int


@dataclass(frozen=True)
class LoanFilter:
    """``state``: one of STATES, ``"abiertos"`` (solicitado or prestado) or "" (all)."""

    state: str = ""
    overdue: bool = False
    dependencia_code: str = ""
    requester: str = ""  # part of the requester's name, or a username
    unit_scan: str = ""


@dataclass(frozen=True)
class LoanResult:
    """One step on a loan, with what the scan station's undo needs.

    Attributes:
        previous: The state before this step ("" for a new loan).
        version: The loan's version after the step (undo refuses if it changed since).
        fulfilled_request: A lend by scan that served a pending request.
    """

    id: str
    unit_barcode: str
    state: str
    due_on: date | None
    previous: str
    version: int
    requester_name: str = ""
    incident_id: str | None = None
    fulfilled_request: bool = False
    changes: Changes = field(default_factory=lambda: _CHANGES)


class LoanService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # requests

    def request(self, actor: Actor, unit_scan: str, purpose: str, *, dependencia_code: str = "") -> LoanResult:
        """Ask for a unit (the actor is the requester). A Usuario de dependencia asks only for
        units of its own dependencia."""
        purpose = _required(purpose, "loan.purpose", N_("Indique para qué se necesita la unidad."))
        with self.rt.uow(actor, Permission.LOANS_REQUEST) as uow:
            s = uow.session
            unit = _unit(s, unit_scan)
            dep = self._requesting_dependencia(s, actor, unit, dependencia_code)
            _check_lendable(s, unit)
            _check_free(s, unit, OPEN)
            now = self.rt.now()
            loan = Loan(unit_id=unit.id, dependencia_id=dep, requester_id=actor.user_id,
                        requester_name=actor.full_name or actor.username, purpose=purpose, state="solicitado",
                        requested_at=now, requested_by=actor.username)  # fmt: skip
            s.add(loan)
            self._audit(uow, actor, "loan.request", loan, unit, {"purpose": purpose})
            uow.commit()
            return _result(loan, unit, "")

    def cancel(self, actor: Actor, loan_id: str, reason: str = "") -> LoanResult:
        """Withdraw a pending request (the requester's own, or any for archive staff)."""
        with self.rt.uow(actor, Permission.LOANS_REQUEST) as uow:
            loan, unit = _loan(uow.session, loan_id, ("solicitado",))
            if loan.requester_id != actor.user_id and not _manager(uow, actor):
                raise PermissionDenied("loan.not_own", N_("Solo puede cancelar sus propias solicitudes."))
            return self._close(uow, actor, loan, unit, "cancelado", reason.strip())

    def reject(self, actor: Actor, loan_id: str, reason: str) -> LoanResult:
        """Refuse a request, saying why."""
        reason = _required(reason, "loan.reason", N_("Indique el motivo del rechazo."))
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            loan, unit = _loan(uow.session, loan_id, ("solicitado",))
            return self._close(uow, actor, loan, unit, "rechazado", reason)

    def _close(self, uow: UnitOfWork, actor: Actor, loan: Loan, unit: Unit, state: str, reason: str) -> LoanResult:
        loan.state, loan.closed_at, loan.closed_by, loan.close_reason = state, self.rt.now(), actor.username, reason
        self._audit(uow, actor, f"loan.{'reject' if state == 'rechazado' else 'cancel'}", loan, unit, {}, reason)
        uow.commit()
        return _result(loan, unit, "solicitado")

    # lending

    def lend(self, actor: Actor, loan_id: str) -> LoanResult:
        """Approve a request and hand the unit over (due date from today)."""
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            loan, unit = _loan(uow.session, loan_id, ("solicitado",))
            self._hand_over(uow, actor, loan, unit)
            uow.commit()
            return _result(loan, unit, "solicitado")

    def lend_scan(self, actor: Actor, unit_scan: str, *, dependencia_code: str, requester_name: str = "",
                  requester_username: str = "", purpose: str = "") -> LoanResult:  # fmt: skip
        """Lend the scanned unit directly (no prior request) to a person of a dependencia. A
        pending request of that dependencia for the unit is served instead of a new loan."""
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            s = uow.session
            unit = _unit(s, unit_scan)
            dep = _dependencia(s, dependencia_code)
            pending = s.scalar(select(Loan).where(Loan.unit_id == unit.id, Loan.state == "solicitado",
                                                  Loan.deleted_at.is_(None)))  # fmt: skip
            if pending is not None and pending.dependencia_id != dep.id:
                raise ConflictError("loan.requested_by_other",
                                    N_("{unit} tiene una solicitud pendiente de {name}: atiéndala o recházela primero."),
                                    unit=unit.barcode, name=pending.requester_name)  # fmt: skip
            if pending is not None:
                self._hand_over(uow, actor, pending, unit)
                uow.commit()
                return _result(pending, unit, "solicitado", fulfilled=True)
            requester_id, name = _requester(s, requester_username, requester_name)
            now = self.rt.now()
            loan = Loan(unit_id=unit.id, dependencia_id=dep.id, requester_id=requester_id, requester_name=name,
                        purpose=purpose.strip(), state="solicitado", requested_at=now, requested_by=actor.username)  # fmt: skip
            self._hand_over(uow, actor, loan, unit)  # adds it: one insert, already lent
            uow.commit()
            return _result(loan, unit, "")

    def _hand_over(self, uow: UnitOfWork, actor: Actor, loan: Loan, unit: Unit) -> None:
        s = uow.session
        _check_lendable(s, unit)
        _check_free(s, unit, (LENT,), exclude=loan.id)
        now = self.rt.now()
        loan.approved_at = loan.approved_at or now
        loan.approved_by = loan.approved_by or actor.username
        loan.lent_at, loan.lent_by, loan.state = now, actor.username, LENT
        loan.due_on = add_business_days(to_local(now).date(), load_parameters(s).loan_business_days)
        s.add(loan)
        self._audit(uow, actor, "loan.lend", loan, unit, {"due_on": loan.due_on.isoformat(), "to": loan.requester_name})

    # while out, and back

    def renew(self, actor: Actor, loan_id: str) -> LoanResult:
        """Extend a loan by the loan term, counted from its due date (or today if overdue)."""
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            s = uow.session
            loan, unit = _loan(s, loan_id, (LENT,))
            params = load_parameters(s)
            if loan.renewals >= params.loan_max_renewals:
                raise ValidationError("loan.renew_limit", N_("El préstamo ya se renovó {n} veces (máximo permitido)."),
                                      n=loan.renewals)  # fmt: skip
            before = loan.due_on
            start = max(loan.due_on or date.min, self._today())
            loan.due_on = add_business_days(start, params.loan_business_days)
            loan.renewals += 1
            self._audit(uow, actor, "loan.renew", loan, unit, {"due_on": loan.due_on.isoformat(), "renewals": loan.renewals},
                        before={"due_on": before.isoformat() if before else None})  # fmt: skip
            uow.commit()
            return _result(loan, unit, LENT)

    def return_unit(self, actor: Actor, unit_scan: str, *, folios_complete: bool = True, notes: str = "") -> LoanResult:
        """Receive a lent unit back (by scan). Folios missing open a novedad on the unit."""
        notes = notes.strip()
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            s = uow.session
            unit = _unit(s, unit_scan)
            loan = s.scalar(_lent_q([unit.id]))
            if loan is None:
                box = s.scalar(_lent_q([unit.parent_id])) if unit.parent_id else None
                if box is not None:
                    raise ValidationError("loan.lent_with_box", N_("{unit} salió dentro de su caja: reciba la caja."),
                                          unit=unit.barcode)  # fmt: skip
                raise NotFound("loan.not_lent", N_("{unit} no está en préstamo."), unit=unit.barcode)
            loan.state, loan.returned_at, loan.received_by = "devuelto", self.rt.now(), actor.username
            loan.folios_complete, loan.return_notes = folios_complete, notes
            if not folios_complete:
                text = notes or "Devuelta de préstamo con folios incompletos."
                loan.incident_id = add_incident(uow, self.rt, actor, unit, "folios_incompletos", text).id
            self._audit(uow, actor, "loan.return", loan, unit, {"folios_complete": folios_complete, "notes": notes,
                                                                "incident": loan.incident_id})  # fmt: skip
            uow.commit()
            changes = _CHANGES | Changes(incidents=loan.incident_id is not None)
            return _result(loan, unit, LENT, changes=changes)

    def undo(self, actor: Actor, step: LoanResult) -> LoanResult:
        """Undo a lend or a return just made at the scan station (audited); refused when the
        loan changed since, or when the return opened a novedad."""
        with self.rt.uow(actor, Permission.LOANS_MANAGE) as uow:
            s = uow.session
            loan, unit = _loan(s, step.id, (step.state,))
            if loan.version != step.version or step.state not in (LENT, "devuelto") or loan.incident_id:
                raise ConflictError("loan.changed_since", N_("El préstamo de {unit} cambió; no se deshace."), unit=unit.barcode)
            if step.state == "devuelto":
                loan.state, loan.returned_at, loan.received_by, loan.folios_complete = LENT, None, "", None
            elif step.previous == "solicitado":
                loan.state, loan.lent_at, loan.lent_by, loan.due_on = "solicitado", None, "", None
                loan.approved_at, loan.approved_by = None, ""
            else:
                loan.state, loan.closed_at, loan.closed_by = "cancelado", self.rt.now(), actor.username
                loan.close_reason = "deshacer escaneo"
            self._audit(uow, actor, "loan.undo", loan, unit, {"state": loan.state}, before={"state": step.state})
            uow.commit()
            return _result(loan, unit, step.state)

    # reading

    def ids(self, actor: Actor, f: LoanFilter | None = None) -> builtins.list[str]:
        """Ids of the loans matching ``f`` (staff see all; others only their own requests)."""
        f = f or LoanFilter()
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            q = select(Loan.id).join(Unit, Unit.id == Loan.unit_id).where(Loan.deleted_at.is_(None))
            q = self._filtered(uow, actor, q, f)
            return list(s.scalars(q.order_by(Loan.requested_at.desc(), Loan.id).limit(50_000)))

    def rows(self, actor: Actor, ids: Sequence[str]) -> builtins.list[LoanRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            mine = None if _manager(uow, actor) else actor.user_id
            return _rows(uow.session, list(ids), self._today(), mine)

    def list(self, actor: Actor, f: LoanFilter | None = None) -> builtins.list[LoanRow]:
        return self.rows(actor, self.ids(actor, f))

    def overdue(self, actor: Actor) -> builtins.list[LoanRow]:
        """Loans out past their due date, the oldest due first (the overdue report)."""
        with self.rt.uow(actor, Permission.LOANS_MANAGE, write=False) as uow:
            s = uow.session
            ids = list(s.scalars(select(Loan.id).where(Loan.state == LENT, Loan.due_on < self._today(),
                                                       Loan.deleted_at.is_(None)).order_by(Loan.due_on, Loan.id)))  # fmt: skip
            return _rows(s, ids, self._today(), None)

    def history(self, actor: Actor, unit_scan: str) -> builtins.list[LoanRow]:
        """Every loan of a unit, newest first."""
        return self.list(actor, LoanFilter(unit_scan=unit_scan))

    # helpers

    def _today(self) -> date:
        return to_local(self.rt.now()).date()

    def _filtered(self, uow: UnitOfWork, actor: Actor, q: Select, f: LoanFilter) -> Select:  # type: ignore[type-arg]
        s = uow.session
        if not _manager(uow, actor):
            q = q.where(Loan.requester_id == actor.user_id)
        if f.state == "abiertos":
            q = q.where(Loan.state.in_(OPEN))
        elif f.state:
            if f.state not in STATES:
                raise ValidationError("loan.state", N_("Estado de préstamo desconocido: {state}."), state=f.state)
            q = q.where(Loan.state == f.state)
        if f.overdue:
            q = q.where(Loan.state == LENT, Loan.due_on < self._today())
        if f.dependencia_code:
            q = q.where(Loan.dependencia_id == _dependencia(s, f.dependencia_code).id)
        if f.requester.strip():
            text = f.requester.strip()
            by_user = select(User.id).where(User.username == text.lower()).scalar_subquery()
            q = q.where(or_(Loan.requester_name.ilike(f"%{text}%"), Loan.requester_id == by_user))
        if f.unit_scan.strip():
            unit = _unit(s, f.unit_scan)
            q = q.where(Loan.unit_id == unit.id)
        return q

    def _requesting_dependencia(self, s: Session, actor: Actor, unit: Unit, code: str) -> str:
        if actor.own_dependencia_only:
            deps = unit_dependencias(s, unit)
            if actor.dependencia_id is None or deps != {actor.dependencia_id}:
                raise PermissionDenied("loan.other_dependencia",
                                       N_("Solo puede solicitar unidades de su propia dependencia."))  # fmt: skip
            return actor.dependencia_id
        if code.strip():
            return _dependencia(s, code).id
        if actor.dependencia_id:
            return actor.dependencia_id
        raise ValidationError("loan.dependencia", N_("Indique la dependencia que solicita la unidad."))

    def _audit(self, uow: UnitOfWork, actor: Actor, action: str, loan: Loan, unit: Unit, after: dict[str, object],
               reason: str = "", before: object = None) -> None:  # fmt: skip
        uow.session.flush()
        write_audit(uow, self.rt, actor, module="prestamos", action=action, entity="loan", entity_id=loan.id,
                    before=before, after={"unit": unit.barcode, "state": loan.state, **after}, reason=reason)  # fmt: skip


# --- plain functions on a session -------------------------------------------------------------


def units_lent(session: Session, unit_ids: Sequence[str]) -> set[str]:
    """The ids among ``unit_ids`` that are out on loan now."""
    out: set[str] = set()
    ids = list(unit_ids)
    for i in range(0, len(ids), 900):
        out.update(session.scalars(select(Loan.unit_id).where(
            Loan.unit_id.in_(ids[i : i + 900]), Loan.state == LENT, Loan.deleted_at.is_(None))))  # fmt: skip
    return out


def unit_dependencias(s: Session, unit: Unit) -> set[str]:
    """The dependencias a unit belongs to: its own, its expediente's and (a caja) its contents'."""
    units = [unit]
    if unit.kind == "caja":
        units += s.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.deleted_at.is_(None)))
    deps = {u.dependencia_id for u in units if u.dependencia_id}
    exp_ids = [u.expediente_id for u in units if u.expediente_id]
    if exp_ids:
        deps |= set(s.scalars(select(Expediente.dependencia_id).where(Expediente.id.in_(exp_ids))))
    return deps


def _lent_q(unit_ids: builtins.list[str | None]) -> Select:  # type: ignore[type-arg]
    return select(Loan).where(Loan.unit_id.in_(unit_ids), Loan.state == LENT, Loan.deleted_at.is_(None)).limit(1)


def _check_lendable(s: Session, unit: Unit) -> None:
    if unit.status == "eliminado":
        raise ValidationError("loan.eliminated", N_("{unit} fue eliminada; no se puede prestar."), unit=unit.barcode)
    if unit.status == "faltante":
        raise ValidationError("loan.missing", N_("{unit} figura como faltante; no se puede prestar."), unit=unit.barcode)
    exp_ids = [unit.expediente_id] if unit.expediente_id else []
    if unit.kind == "caja":
        exp_ids += [e for e in s.scalars(select(Unit.expediente_id).where(Unit.parent_id == unit.id)) if e]
    if exp_ids:
        busy = s.scalar(select(func.count()).select_from(TransferItem).join(Transfer, Transfer.id == TransferItem.transfer_id)
                        .where(TransferItem.expediente_id.in_(exp_ids), TransferItem.deleted_at.is_(None),
                               Transfer.status.in_(_TRANSFER_OPEN)))  # fmt: skip
        if busy:
            raise ConflictError("loan.in_transfer", N_("{unit} está en una transferencia en curso; no se puede prestar."),
                                unit=unit.barcode)  # fmt: skip


def _check_free(s: Session, unit: Unit, states: Sequence[str], exclude: str | None = None) -> None:
    """Refuse when the unit, its caja or a carpeta inside it has a loan in ``states``."""
    ids: builtins.list[str] = [unit.id]
    if unit.parent_id:
        ids.append(unit.parent_id)
    if unit.kind == "caja":
        ids += s.scalars(select(Unit.id).where(Unit.parent_id == unit.id, Unit.deleted_at.is_(None)))
    q = select(Loan, Unit.barcode).join(Unit, Unit.id == Loan.unit_id).where(
        Loan.unit_id.in_(ids), Loan.state.in_(list(states)), Loan.deleted_at.is_(None))  # fmt: skip
    if exclude:
        q = q.where(Loan.id != exclude)
    found = s.execute(q.limit(1)).first()
    if found is not None:
        other, barcode = found
        template = (N_("{unit} ya está en préstamo a {name} ({barcode}).") if other.state == LENT
                    else N_("{unit} ya tiene una solicitud de préstamo de {name} ({barcode})."))  # fmt: skip
        raise ConflictError("loan.active", template, unit=unit.barcode, name=other.requester_name, barcode=barcode)


def _unit(s: Session, scan: str) -> Unit:
    unit = resolve_scan(s, scan, UNIT_KINDS).unit
    if unit is None:
        raise ValidationError("scan.not_unit", N_("El código {value} no es de una caja ni de una carpeta."), value=scan)
    return unit


def _loan(s: Session, loan_id: str, states: Sequence[str]) -> tuple[Loan, Unit]:
    loan = s.get(Loan, loan_id)
    if loan is None or loan.deleted_at is not None:
        raise NotFound("loan.not_found", N_("No existe el préstamo."))
    if loan.state not in states:
        raise ConflictError("loan.state_now", N_("El préstamo está «{state}»; no admite esta acción."), state=STATES[loan.state])
    unit = s.get(Unit, loan.unit_id)
    assert unit is not None
    return loan, unit


def _dependencia(s: Session, code: str) -> Dependencia:
    dep = s.scalar(select(Dependencia).where(Dependencia.code == code.strip(), Dependencia.deleted_at.is_(None)))
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code)
    return dep


def _requester(s: Session, username: str, name: str) -> tuple[str | None, str]:
    if username.strip():
        user = s.scalar(select(User).where(User.username == username.strip().lower(), User.deleted_at.is_(None)))
        if user is None:
            raise NotFound("user.not_found", N_("No existe el usuario «{username}»."), username=username)
        return user.id, name.strip() or user.full_name
    return None, _required(name, "loan.requester", N_("Indique quién recibe la unidad."))


def _required(text: str, code: str, message: str) -> str:
    if not text.strip():
        raise ValidationError(code, message)
    return text.strip()


def _manager(uow: UnitOfWork, actor: Actor) -> bool:
    """Whether ``actor`` manages loans right now (re-read, like the permission gate)."""
    if actor.user_id is None:
        return True
    try:
        check_actor(uow, actor, Permission.LOANS_MANAGE)
    except PermissionDenied:
        return False
    return True


def _result(loan: Loan, unit: Unit, previous: str, *, fulfilled: bool = False, changes: Changes = _CHANGES) -> LoanResult:
    return LoanResult(loan.id, unit.barcode, loan.state, loan.due_on, previous, loan.version, loan.requester_name,
                      loan.incident_id, fulfilled, changes)  # fmt: skip


def _rows(s: Session, ids: builtins.list[str], today: date, mine: str | None) -> builtins.list[LoanRow]:
    found: dict[str, LoanRow] = {}
    for i in range(0, len(ids), 900):
        q = (select(Loan, Unit.barcode, Unit.kind, Unit.number, Expediente.number, Expediente.title, Dependencia.code,
                    Dependencia.name)
             .join(Unit, Unit.id == Loan.unit_id).join(Dependencia, Dependencia.id == Loan.dependencia_id)
             .outerjoin(Expediente, Expediente.id == Unit.expediente_id).where(Loan.id.in_(ids[i : i + 900])))  # fmt: skip
        if mine is not None:
            q = q.where(Loan.requester_id == mine)
        for ln, barcode, kind, number, exp_no, exp_title, dep_code, dep_name in s.execute(q):
            overdue = ln.state == LENT and ln.due_on is not None and ln.due_on < today
            found[ln.id] = LoanRow(
                ln.id, ln.unit_id, barcode, kind, number, exp_no, exp_title, dep_code, dep_name, ln.requester_id,
                ln.requester_name, ln.purpose, ln.state, ln.requested_at, ln.requested_by, ln.approved_by, ln.lent_at,
                ln.lent_by, ln.due_on, ln.renewals, ln.returned_at, ln.received_by, ln.folios_complete,
                ln.return_notes, ln.incident_id, ln.close_reason, overdue, ln.version,
            )  # fmt: skip
    return [found[i] for i in ids if i in found]
