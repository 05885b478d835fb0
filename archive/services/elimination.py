"""Eliminación documental (Acuerdo 001/2024 art. 4.5.4; AGN_NOTES §5).

Workflow: candidates (disposition E or S, past fin_central, stage central, never CT) →
inventory (FUID objeto "Eliminación") → committee approval (acta number and date) → publication
for N business days (``Parameters.elimination_publication_days``, Colombian holidays) →
observations (each may exclude an item or extend its retention) → acta de eliminación (number,
date, signatories, method, totals) → execution.

Execution never deletes a row: expedientes get ``stage = state = "eliminado"``, their units
``status = "eliminado"`` and leave their location with a Movement (method ``"elimination"``);
metadata and audit stay forever. Hard blocks are checked again at execution, inside the
transaction: CT items, items not past AC, holds, loans, no approval, open window, M/D items
without reproduction, S items without a recorded selection criterion.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import (
    Elimination,
    EliminationItem,
    EliminationObservation,
    Expediente,
    Movement,
    TrdRule,
    Unit,
)
from archive.domain.calendar import add_business_days
from archive.domain.disposition import Disposition
from archive.domain.errors import ConflictError, NotFound, ValidationError
from archive.domain.fuid import ActaData, FuidDocument, Objeto
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.fuid import FuidRequest, build_document
from archive.services.parameters import load_parameters
from archive.services.retention import DueFilter, DueRow, RetentionService, recompute
from archive.services.runtime import Actor, Runtime
from archive.services.transfers import check_blocks, resolve_expedientes, units_of

ACTIONS = ("none", "exclude", "extend")


@dataclass(frozen=True)
class EliminationRow:
    id: str
    year: int
    status: str
    items: int
    committee_act: str
    publication_start: date | None
    publication_end: date | None
    acta_number: str
    executed_on: date | None


@dataclass(frozen=True)
class EliminationItemRow:
    expediente_id: str
    number: str
    title: str
    status: str
    disposition: str
    folios: int
    reproduced: bool


@dataclass(frozen=True)
class EliminationResult:
    id: str
    items: int = 0
    changes: Changes = field(default_factory=lambda: Changes(records=True))


class EliminationService:
    """The elimination workflow, step by step; every step audited."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def candidates(
        self, actor: Actor, dependencia_code: str = "", as_of: date | None = None
    ) -> builtins.list[DueRow]:
        """Past AC, in the central archive, disposition E or S and not CT; held ones and those
        already in an open elimination left out."""
        rows = RetentionService(self.rt).due(
            actor, DueFilter("central", as_of, dependencia_code, exclude_held=True)
        )
        rows = [r for r in rows if _eligible(r.disposition)]
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            busy = _busy(uow.session)
        return [r for r in rows if r.id not in busy]

    def create(
        self, actor: Actor, expediente_refs: Sequence[str], notes: str = ""
    ) -> EliminationResult:
        """The inventory of an elimination (items checked against the hard blocks)."""
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            exps = resolve_expedientes(s, list(expediente_refs))
            if not exps:
                raise ValidationError(
                    "elimination.empty", N_("Indique los expedientes a eliminar.")
                )
            rules = _rules(s, exps)
            self._check_items(s, exps, rules)
            busy = _busy(s) & {e.id for e in exps}
            if busy:
                raise ConflictError(
                    "elimination.busy", N_("Expedientes ya incluidos en otra eliminación.")
                )
            el = Elimination(year=self.rt.now().year, status="borrador", notes=notes, signatories=[],
                             dependencia_id=exps[0].dependencia_id)  # fmt: skip
            s.add(el)
            s.flush()
            s.add_all(EliminationItem(elimination_id=el.id, expediente_id=e.id, folios=e.folios,
                                      disposition=Disposition(rules[e.id].disposition).label if e.id in rules else "")
                      for e in exps)  # fmt: skip
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.create", entity="elimination",
                        entity_id=el.id, after={"items": [e.number for e in exps][:200], "count": len(exps)})  # fmt: skip
            uow.commit()
            return EliminationResult(el.id, len(exps))

    def _check_items(
        self, s: Session, exps: builtins.list[Expediente], rules: dict[str, TrdRule]
    ) -> None:
        today = self.rt.now().date()
        for e in exps:
            rule = rules.get(e.id)
            d = Disposition(rule.disposition) if rule else Disposition(0)
            if Disposition.CT in d:
                raise ConflictError(
                    "elimination.ct", N_("El expediente {n} es de conservación total."), n=e.number
                )
            if not (Disposition.E in d or Disposition.S in d):
                raise ConflictError("elimination.disposition",
                                    N_("La TRD no dispone eliminar el expediente {n}."), n=e.number)  # fmt: skip
            if e.stage != "central" or e.fin_central is None or e.fin_central > today:
                raise ConflictError("elimination.not_due",
                                    N_("El expediente {n} no ha cumplido su tiempo en el archivo central."), n=e.number)  # fmt: skip
        check_blocks(s, [e.id for e in exps], "elimination")

    def approve(
        self, actor: Actor, elimination_id: str, committee_act: str, committee_date: date
    ) -> None:
        """Record the committee's approval (acta number and date)."""
        if not committee_act.strip():
            raise ValidationError(
                "elimination.committee", N_("Indique el número del acta del comité.")
            )
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            el = _get(uow.session, elimination_id, ("borrador",))
            el.committee_act, el.committee_date, el.status = (
                committee_act.strip(),
                committee_date,
                "aprobada",
            )
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.approve", entity="elimination",
                        entity_id=el.id, after={"acta": committee_act, "date": committee_date.isoformat()})  # fmt: skip
            uow.commit()

    def publish(self, actor: Actor, elimination_id: str, start: date, url: str = "") -> date:
        """Start the publication window; returns its last day (N business days after ``start``)."""
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            el = _get(s, elimination_id, ("aprobada",))
            days = load_parameters(s).elimination_publication_days
            el.publication_start, el.publication_url = start, url
            el.publication_end = add_business_days(start, days)
            el.status = "publicada"
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.publish", entity="elimination",
                        entity_id=el.id, after={"start": start.isoformat(), "end": el.publication_end.isoformat(),
                                                "business_days": days, "url": url})  # fmt: skip
            uow.commit()
            return el.publication_end

    def observe(self, actor: Actor, elimination_id: str, *, received_on: date, author: str, text: str,
                action: str = "none", expediente: str = "", extend_years: int = 0, response: str = "") -> str:  # fmt: skip
        """Register a citizen's observation; ``exclude`` takes the item out, ``extend`` takes it
        out and extends its retention in the central archive by ``extend_years``."""
        if action not in ACTIONS:
            raise ValidationError("elimination.action", N_("Acción no válida: «{a}»."), a=action)
        if action != "none" and not expediente:
            raise ValidationError("elimination.obs_item", N_("Indique el expediente afectado."))
        if action == "extend" and extend_years <= 0:
            raise ValidationError(
                "elimination.extend", N_("Indique cuántos años se amplía la retención.")
            )
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            el = _get(s, elimination_id, ("borrador", "aprobada", "publicada"))
            eid = None
            if expediente:
                [e] = resolve_expedientes(s, [expediente])
                item = _item(s, el.id, e.id)
                eid = e.id
                if action != "none":
                    item.status = "excluido"
                    item.note = (item.note + "; " if item.note else "") + text[:200]
            obs = EliminationObservation(elimination_id=el.id, received_on=received_on, author=author, text=text,
                                         action=action, expediente_id=eid, extend_years=extend_years,
                                         response=response)  # fmt: skip
            s.add(obs)
            s.flush()
            if action == "extend" and eid is not None:  # the extension joins its due dates
                recompute(s, load_parameters(s), expediente_ids=[eid])
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.observe", entity="elimination",
                        entity_id=el.id, after={"action": action, "expediente": expediente, "years": extend_years})  # fmt: skip
            uow.commit()
            return obs.id

    def select_sample(
        self, actor: Actor, elimination_id: str, criterion: str, keep: Sequence[str]
    ) -> int:
        """Selección: record the criterion and the S items kept (not eliminated)."""
        if not criterion.strip():
            raise ValidationError("elimination.criterion", N_("Indique el criterio de selección."))
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            el = _get(s, elimination_id, ("borrador", "aprobada", "publicada"))
            el.selection_criterion = criterion.strip()
            kept = resolve_expedientes(s, list(keep)) if keep else []
            for e in kept:
                item = _item(s, el.id, e.id)
                if "S" not in item.disposition.split(", "):
                    raise ValidationError(
                        "elimination.not_s", N_("El expediente {n} no es de selección."), n=e.number
                    )
                item.status = "seleccionado"
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.select", entity="elimination",
                        entity_id=el.id, after={"criterion": criterion, "kept": [e.number for e in kept]})  # fmt: skip
            uow.commit()
            return len(kept)

    def mark_reproduced(self, actor: Actor, elimination_id: str, expedientes: Sequence[str]) -> int:
        """M/D: the reproduction (microfilm/digitisation) of these items was made."""
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            el = _get(s, elimination_id, ("borrador", "aprobada", "publicada"))
            exps = resolve_expedientes(s, list(expedientes))
            for e in exps:
                _item(s, el.id, e.id).reproduced = True
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.reproduced",
                        entity="elimination", entity_id=el.id, after={"items": [e.number for e in exps]})  # fmt: skip
            uow.commit()
            return len(exps)

    def set_acta(self, actor: Actor, elimination_id: str, *, number: str, on: date, method: str,
                 signatories: Sequence[tuple[str, str]], linear_metres: Decimal = Decimal(0)) -> None:  # fmt: skip
        """The acta de eliminación; only once the publication window has closed."""
        if not number.strip() or not method.strip() or not signatories:
            raise ValidationError(
                "elimination.acta", N_("El acta necesita número, método y firmantes.")
            )
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            el = _get(uow.session, elimination_id, ("publicada",))
            self._window_closed(el)
            el.acta_number, el.acta_date, el.method = number.strip(), on, method.strip()
            el.signatories = [{"name": n, "cargo": c} for n, c in signatories]
            el.linear_cm = int((linear_metres * 100).to_integral_value())
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.acta", entity="elimination",
                        entity_id=el.id, after={"number": number, "date": on.isoformat(), "method": method})  # fmt: skip
            uow.commit()

    def _window_closed(self, el: Elimination) -> None:
        today = self.rt.now().date()
        if el.publication_end is None or today <= el.publication_end:
            raise ConflictError("elimination.window_open",
                                N_("La publicación sigue abierta hasta el {end}."), end=el.publication_end)  # fmt: skip

    def execute(self, actor: Actor, elimination_id: str) -> EliminationResult:
        """Mark the included items eliminated and free their locations (never a hard delete)."""
        with self.rt.uow(actor, Permission.ELIMINATION_MANAGE) as uow:
            s = uow.session
            el = _get(s, elimination_id, ("borrador", "aprobada", "publicada"))
            if not el.committee_act or el.committee_date is None:
                raise ConflictError(
                    "elimination.not_approved", N_("Falta la aprobación del comité.")
                )
            self._window_closed(el)
            if not el.acta_number:
                raise ConflictError("elimination.no_acta", N_("Falta el acta de eliminación."))
            items = [i for i in _items(s, el.id) if i.status == "incluido"]
            exps = list(
                s.scalars(
                    select(Expediente).where(Expediente.id.in_([i.expediente_id for i in items]))
                )
            )
            self._check_items(s, exps, _rules(s, exps))
            for i in items:
                flags = i.disposition.split(", ")
                if "M/D" in flags and not i.reproduced:
                    raise ConflictError(
                        "elimination.not_reproduced",
                        N_("Falta la reproducción (M/D) de un expediente."),
                    )
                if "S" in flags and not el.selection_criterion:
                    raise ConflictError(
                        "elimination.no_criterion", N_("Falta el criterio de selección.")
                    )
            now, today = self.rt.now(), self.rt.now().date()
            for e in exps:
                e.stage, e.state = "eliminado", "eliminado"
            for i in items:
                i.status = "eliminado"
            inner, boxes = units_of(s, [e.id for e in exps])
            freed = _free(s, inner, actor, now, el)
            for b in boxes:
                live = s.scalar(select(func.count()).select_from(Unit).where(
                    Unit.parent_id == b.id, Unit.status != "eliminado", Unit.deleted_at.is_(None)))  # fmt: skip
                if not live:
                    freed += _free(s, [b], actor, now, el)
            el.status, el.executed_on = "ejecutada", today
            write_audit(uow, self.rt, actor, module="eliminacion", action="elimination.execute", entity="elimination",
                        entity_id=el.id, after={"items": len(items), "units": freed, "acta": el.acta_number})  # fmt: skip
            uow.commit()
            return EliminationResult(
                el.id, len(items), Changes(records=True, units=True, locations=True)
            )

    # reading
    def fuid(self, actor: Actor, elimination_id: str) -> FuidDocument:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            return build_document(uow.session, FuidRequest(Objeto.ELIMINACION, elimination_id=elimination_id),
                                  self.rt.now().date())  # fmt: skip

    def acta(self, actor: Actor, elimination_id: str) -> ActaData:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            el = _get(s, elimination_id)
            doc = build_document(
                s, FuidRequest(Objeto.ELIMINACION, elimination_id=el.id), self.rt.now().date()
            )
            n_obs = s.scalar(select(func.count()).select_from(EliminationObservation).where(
                EliminationObservation.elimination_id == el.id)) or 0  # fmt: skip
            return ActaData(el.acta_number, el.acta_date, doc.entidad_productora, el.committee_act, el.committee_date,
                            el.publication_start, el.publication_end, el.method,
                            tuple((x.get("name", ""), x.get("cargo", "")) for x in el.signatories or []),
                            len(doc.rows), sum(r.folios for r in doc.rows), Decimal(el.linear_cm or 0) / 100,
                            el.selection_criterion, n_obs, doc)  # fmt: skip

    def list(self, actor: Actor) -> builtins.list[EliminationRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            out = []
            for el in s.scalars(select(Elimination).where(Elimination.deleted_at.is_(None))
                                .order_by(Elimination.created_at.desc())):  # fmt: skip
                n = len(_items(s, el.id))
                out.append(EliminationRow(el.id, el.year, el.status, n, el.committee_act, el.publication_start,
                                          el.publication_end, el.acta_number, el.executed_on))  # fmt: skip
            return out

    def items(self, actor: Actor, elimination_id: str) -> builtins.list[EliminationItemRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = (select(EliminationItem, Expediente.number, Expediente.title)
                 .join(Expediente, Expediente.id == EliminationItem.expediente_id)
                 .where(EliminationItem.elimination_id == elimination_id, EliminationItem.deleted_at.is_(None))
                 .order_by(EliminationItem.created_at, EliminationItem.id))  # fmt: skip
            return [EliminationItemRow(i.expediente_id, n, t, i.status, i.disposition, i.folios, i.reproduced)
                    for i, n, t in uow.session.execute(q)]  # fmt: skip


def _free(
    s: Session, units: builtins.list[Unit], actor: Actor, now: object, el: Elimination
) -> int:
    n = 0
    for u in units:
        if u.status == "eliminado":
            continue
        s.add(Movement(unit_id=u.id, at=now, user_id=actor.user_id, username=actor.username, method="elimination",
                       from_location_id=u.location_id, from_parent_id=u.parent_id, to_location_id=None,
                       to_parent_id=None, note=f"Acta {el.acta_number}"))  # fmt: skip
        u.status, u.location_id, u.parent_id = "eliminado", None, None
        n += 1
    return n


def _eligible(disposition_label: str) -> bool:
    flags = {x.strip() for x in disposition_label.split(",")}
    return "CT" not in flags and bool(flags & {"E", "S"})


def _busy(s: Session) -> set[str]:
    return set(s.scalars(select(EliminationItem.expediente_id).join(Elimination, Elimination.id == EliminationItem.elimination_id)
                         .where(Elimination.status != "ejecutada", EliminationItem.status == "incluido",
                                EliminationItem.deleted_at.is_(None))))  # fmt: skip


def _rules(s: Session, exps: builtins.list[Expediente]) -> dict[str, TrdRule]:
    ids = {e.trd_rule_id for e in exps if e.trd_rule_id}
    rules = {r.id: r for r in s.scalars(select(TrdRule).where(TrdRule.id.in_(ids)))} if ids else {}
    return {e.id: rules[e.trd_rule_id] for e in exps if e.trd_rule_id in rules}


def _get(s: Session, elimination_id: str, statuses: Sequence[str] = ()) -> Elimination:
    el = s.get(Elimination, elimination_id)
    if el is None or el.deleted_at is not None:
        raise NotFound("elimination.not_found", N_("No existe la eliminación."))
    if statuses and el.status not in statuses:
        raise ConflictError("elimination.status", N_("La eliminación está «{status}»; no admite esta acción."),
                            status=el.status)  # fmt: skip
    return el


def _items(s: Session, elimination_id: str) -> builtins.list[EliminationItem]:
    return list(s.scalars(select(EliminationItem).where(EliminationItem.elimination_id == elimination_id,
                                                        EliminationItem.deleted_at.is_(None))))  # fmt: skip


def _item(s: Session, elimination_id: str, expediente_id: str) -> EliminationItem:
    item = s.scalar(select(EliminationItem).where(EliminationItem.elimination_id == elimination_id,
                                                  EliminationItem.expediente_id == expediente_id,
                                                  EliminationItem.deleted_at.is_(None)))  # fmt: skip
    if item is None:
        raise NotFound("elimination.item", N_("El expediente no está en la eliminación."))
    return item
