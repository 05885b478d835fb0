"""Transferencias documentales (AGN_NOTES §4): cronograma, candidates, preparation checklist,
FUID, reception by scanning (cotejo), acceptance or rejection.

A transfer moves expedientes one stage on: a *primaria* from gestión to central, a *secundaria*
from central to histórico (CT and selected S only). Acceptance assigns N° T (consecutive per
year), changes the stage, moves the units to the receiving location (``apply_move`` with method
``"transfer"``) and audits it all, in one transaction. Holds (and, when loans exist, loans) block
every step that commits items: create, add and accept.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.db.models import (
    Dependencia,
    Expediente,
    Location,
    Transfer,
    TransferItem,
    TransferSchedule,
    Unit,
)
from archive.db.uow import UnitOfWork
from archive.domain.errors import ConflictError, NotFound, ValidationError
from archive.domain.fuid import NO_SIGNER, FuidDocument, FuidSigner, Objeto
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.fuid import FuidRequest, build_document
from archive.services.holds import held_expedientes, held_units
from archive.services.moves import apply_move
from archive.services.retention import DueFilter, DueRow, RetentionService
from archive.services.runtime import Actor, Runtime

KINDS = {"primaria": ("gestion", "central"), "secundaria": ("central", "historico")}
CHECKLIST = ("foliacion", "hoja_control", "rotulos", "depuracion")
OPEN = ("borrador", "enviada")


@dataclass(frozen=True)
class TransferRow:
    id: str
    kind: str
    dependencia_code: str
    year: int
    number: int | None
    status: str
    items: int
    sent_on: date | None
    received_on: date | None
    observations: str

    @property
    def label(self) -> str:
        return f"{self.year}-{self.number:03d}" if self.number is not None else "—"


@dataclass(frozen=True)
class TransferItemRow:
    expediente_id: str
    number: str
    title: str
    folios: int
    checklist: dict[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.checklist.get(k, False) for k in CHECKLIST)


@dataclass(frozen=True)
class Cotejo:
    """Reception check of the scanned units against the FUID."""

    expected: int
    scanned: int
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    #: (barcode, folios in the FUID, folios counted)
    folio_diffs: tuple[tuple[str, int, int], ...] = ()
    #: every distinct barcode read, sorted
    seen: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.folio_diffs)


@dataclass(frozen=True)
class TransferResult:
    id: str
    items: int
    number: int | None = None
    moved: int = 0
    changes: Changes = field(default_factory=lambda: Changes(records=True, units=True))


@dataclass(frozen=True)
class ScheduleRow:
    id: str
    year: int
    dependencia_code: str
    kind: str
    planned_on: date
    notes: str


# --- shared guards (also used by archive.services.elimination) ------------------------------


def units_on_loan(session: Session, unit_ids: Sequence[str]) -> set[str]:
    """The ids of ``unit_ids`` currently on loan (transfer and elimination call it)."""
    from archive.services.loans import units_lent  # the hook's body only: loans own the query

    return units_lent(session, unit_ids)


def units_of(session: Session, expediente_ids: Sequence[str]) -> tuple[list[Unit], list[Unit]]:
    """(carpetas/tomos of the expedientes, the cajas that hold them)."""
    inner: list[Unit] = []
    for i in range(0, len(expediente_ids), 900):
        inner += session.scalars(select(Unit).where(
            Unit.expediente_id.in_(expediente_ids[i : i + 900]), Unit.deleted_at.is_(None)))  # fmt: skip
    box_ids = sorted({u.parent_id for u in inner if u.parent_id})
    boxes = list(session.scalars(select(Unit).where(Unit.id.in_(box_ids)))) if box_ids else []
    return inner, boxes


def check_blocks(session: Session, expediente_ids: Sequence[str], what: str) -> None:
    """Refuse when any expediente, or a unit holding it, is under a hold or on loan."""
    ids = list(expediente_ids)
    held = held_expedientes(session, ids)
    inner, boxes = units_of(session, ids)
    unit_ids = [u.id for u in inner + boxes]
    held_u = held_units(session, unit_ids)
    if held or held_u:
        numbers = _numbers(session, sorted(held)) or [
            u.barcode for u in inner + boxes if u.id in held_u
        ]
        raise ConflictError(
            f"{what}.held",
            N_("Hay expedientes o unidades suspendidos por orden de autoridad: {items}."),
            items=", ".join(numbers[:10]),
        )
    loaned = units_on_loan(session, unit_ids)
    if loaned:
        raise ConflictError(f"{what}.on_loan", N_("Hay unidades en préstamo: {items}."),
                            items=", ".join(u.barcode for u in inner + boxes if u.id in loaned))  # fmt: skip


def _numbers(session: Session, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    return list(session.scalars(select(Expediente.number).where(Expediente.id.in_(list(ids)))))


def dependencia_id(session: Session, code: str) -> str:
    dep = session.scalar(select(Dependencia.id).where(Dependencia.code == code.strip(),
                                                      Dependencia.deleted_at.is_(None)))  # fmt: skip
    if dep is None:
        raise NotFound(
            "dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code
        )
    return dep


# --- the service -----------------------------------------------------------------------------


class TransferService:
    """Transfers from gestión to central (primaria) and central to histórico (secundaria)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # cronograma
    def set_schedule(self, actor: Actor, year: int, dependencia_code: str, kind: str,
                     planned_on: date, notes: str = "") -> str:  # fmt: skip
        """Set (or move) the planned date of a dependencia's transfer in a year. Audited."""
        _kind(kind)
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            s = uow.session
            dep = dependencia_id(s, dependencia_code)
            row = s.scalar(select(TransferSchedule).where(
                TransferSchedule.year == year, TransferSchedule.dependencia_id == dep,
                TransferSchedule.kind == kind, TransferSchedule.deleted_at.is_(None)))  # fmt: skip
            before = row.planned_on.isoformat() if row else None
            if row is None:
                row = TransferSchedule(
                    year=year, dependencia_id=dep, kind=kind, planned_on=planned_on, notes=notes
                )
                s.add(row)
            else:
                row.planned_on, row.notes = planned_on, notes
            s.flush()
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.schedule",
                        entity="transfer_schedule", entity_id=row.id, before=before,
                        after={"year": year, "dependencia": dependencia_code, "kind": kind,
                               "planned_on": planned_on.isoformat()})  # fmt: skip
            uow.commit()
            return row.id

    def schedule(self, actor: Actor, year: int) -> builtins.list[ScheduleRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = (select(TransferSchedule, Dependencia.code)
                 .join(Dependencia, Dependencia.id == TransferSchedule.dependencia_id)
                 .where(TransferSchedule.year == year, TransferSchedule.deleted_at.is_(None))
                 .order_by(TransferSchedule.planned_on, Dependencia.code))  # fmt: skip
            return [
                ScheduleRow(r.id, r.year, code, r.kind, r.planned_on, r.notes)
                for r, code in uow.session.execute(q)
            ]

    # candidates
    def candidates(self, actor: Actor, kind: str, dependencia_code: str = "",
                   as_of: date | None = None) -> builtins.list[DueRow]:  # fmt: skip
        """Due expedientes for a transfer of ``kind``, held ones and those already in an open
        transfer left out (secundaria: CT or S only)."""
        stage = _kind(kind)[0]
        retention = RetentionService(self.rt)
        rows = retention.due(actor, DueFilter(stage, as_of, dependencia_code, exclude_held=True))
        if kind == "secundaria":
            rows = [r for r in rows if secondary_ok(r.disposition)]
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            busy = set(uow.session.scalars(
                select(TransferItem.expediente_id).join(Transfer, Transfer.id == TransferItem.transfer_id)
                .where(Transfer.status.in_(OPEN), TransferItem.deleted_at.is_(None))))  # fmt: skip
        return [r for r in rows if r.id not in busy]

    # building
    def create(self, actor: Actor, kind: str, dependencia_code: str,
               expediente_ids: Sequence[str] = ()) -> TransferResult:  # fmt: skip
        """A new draft transfer of a dependencia, optionally with its first expedientes."""
        _kind(kind)
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            s = uow.session
            dep = dependencia_id(s, dependencia_code)
            t = Transfer(kind=kind, dependencia_id=dep, year=self.rt.now().year, status="borrador",
                         created_by=actor.username, cotejo={})  # fmt: skip
            s.add(t)
            s.flush()
            n = self._add(uow, actor, t, list(expediente_ids))
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.create",
                        entity="transfer", entity_id=t.id,
                        after={"kind": kind, "dependencia": dependencia_code, "items": n})  # fmt: skip
            uow.commit()
            return TransferResult(t.id, n)

    def add(self, actor: Actor, transfer_id: str, expediente_ids: Sequence[str]) -> TransferResult:
        """Add expedientes (ids or numbers) to a draft transfer."""
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            t = _transfer(uow.session, transfer_id, ("borrador",))
            n = self._add(uow, actor, t, list(expediente_ids))
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.add",
                        entity="transfer", entity_id=t.id, after={"added": n})  # fmt: skip
            uow.commit()
            return TransferResult(t.id, n)

    def _add(self, uow: UnitOfWork, actor: Actor, t: Transfer, refs: builtins.list[str]) -> int:
        if not refs:
            return 0
        s = uow.session
        exps = resolve_expedientes(s, refs, t.dependencia_id)
        src, _dst = KINDS[t.kind]
        today = self.rt.now().date()
        for e in exps:
            due = e.fin_gestion if t.kind == "primaria" else e.fin_central
            if e.stage != src:
                raise ValidationError("transfer.stage", N_("El expediente {n} no está en la etapa {stage}."),
                                      n=e.number, stage=src)  # fmt: skip
            if e.state != "cerrado" or due is None or due > today:
                raise ValidationError("transfer.not_due",
                                      N_("El expediente {n} no ha cumplido su tiempo de retención."), n=e.number)  # fmt: skip
        ids = [e.id for e in exps]
        check_blocks(s, ids, "transfer")
        busy = set(s.scalars(select(TransferItem.expediente_id).join(Transfer, Transfer.id == TransferItem.transfer_id)
                             .where(Transfer.status.in_(OPEN), TransferItem.expediente_id.in_(ids),
                                    TransferItem.deleted_at.is_(None))))  # fmt: skip
        if busy:
            raise ConflictError("transfer.busy", N_("Expedientes ya incluidos en otra transferencia: {items}."),
                                items=", ".join(_numbers(s, sorted(busy))))  # fmt: skip
        s.add_all(TransferItem(transfer_id=t.id, expediente_id=e.id, folios=e.folios,
                               checklist=dict.fromkeys(CHECKLIST, False)) for e in exps)  # fmt: skip
        s.flush()
        return len(exps)

    def set_checklist(
        self, actor: Actor, transfer_id: str, expediente_id: str, **flags: bool
    ) -> None:
        """Tick preparation steps (foliacion, hoja_control, rotulos, depuracion) of an item."""
        bad = set(flags) - set(CHECKLIST)
        if bad:
            raise ValidationError(
                "transfer.checklist", N_("Paso desconocido: {step}."), step=", ".join(sorted(bad))
            )
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            s = uow.session
            _transfer(s, transfer_id, ("borrador",))
            item = s.scalar(select(TransferItem).where(TransferItem.transfer_id == transfer_id,
                                                       TransferItem.expediente_id == expediente_id,
                                                       TransferItem.deleted_at.is_(None)))  # fmt: skip
            if item is None:
                raise NotFound("transfer.item", N_("El expediente no está en la transferencia."))
            item.checklist = {**dict.fromkeys(CHECKLIST, False), **(item.checklist or {}), **flags}
            uow.commit()

    def send(self, actor: Actor, transfer_id: str, *, force: bool = False) -> None:
        """The dependencia delivers: the draft becomes "enviada" (checklist complete unless
        ``force``, which is audited)."""
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            s = uow.session
            t = _transfer(s, transfer_id, ("borrador",))
            items = _items(s, t.id)
            if not items:
                raise ValidationError(
                    "transfer.empty", N_("La transferencia no tiene expedientes.")
                )
            pending = [i for i in items if not all((i.checklist or {}).get(k) for k in CHECKLIST)]
            if pending and not force:
                raise ValidationError("transfer.not_ready",
                                      N_("{n} expedientes sin la preparación completa (foliación, hoja de "
                                         "control, rótulos, depuración)."), n=len(pending))  # fmt: skip
            t.status, t.sent_on = "enviada", self.rt.now().date()
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.send", entity="transfer",
                        entity_id=t.id, after={"items": len(items), "forced": bool(pending)}, confirmed=bool(pending))  # fmt: skip
            uow.commit()

    # documents
    def fuid(self, actor: Actor, transfer_id: str, elaborado: FuidSigner = NO_SIGNER,
             entregado: FuidSigner = NO_SIGNER, recibido: FuidSigner = NO_SIGNER) -> FuidDocument:  # fmt: skip
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            t = _transfer(uow.session, transfer_id)
            objeto = (
                Objeto.TRANSFERENCIA_PRIMARIA
                if t.kind == "primaria"
                else Objeto.TRANSFERENCIA_SECUNDARIA
            )
            req = FuidRequest(
                objeto,
                transfer_id=t.id,
                elaborado=elaborado,
                entregado=entregado,
                recibido=recibido,
            )
            return build_document(uow.session, req, self.rt.now().date())

    # reception
    def receive(self, actor: Actor, transfer_id: str, scans: Sequence[str],
                counted_folios: dict[str, int] | None = None) -> Cotejo:  # fmt: skip
        """Cotejo of the scanned barcodes (cajas and carpetas) against the transfer; stored."""
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            t = _transfer(uow.session, transfer_id, OPEN)
            c = compare_reception(uow.session, t, scans, counted_folios)
            store_cotejo(uow, self.rt, actor, t, c)
            uow.commit()
            return c

    def accept(self, actor: Actor, transfer_id: str, location_barcode: str = "", *,
               observations: str = "", accept_differences: bool = False) -> TransferResult:  # fmt: skip
        """Accept: N° T, stage change, units moved to ``location_barcode``; all audited."""
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            s = uow.session
            t = _transfer(s, transfer_id, OPEN)
            items = _items(s, t.id)
            if not items:
                raise ValidationError(
                    "transfer.empty", N_("La transferencia no tiene expedientes.")
                )
            if t.cotejo and not t.cotejo.get("ok", True) and not accept_differences:
                raise ValidationError("transfer.cotejo", N_("El cotejo tiene diferencias; corríjalas o "
                                                            "acepte con observaciones."))  # fmt: skip
            ids = [i.expediente_id for i in items]
            check_blocks(s, ids, "transfer")
            loc = None
            if location_barcode:
                loc = s.scalar(select(Location).where(Location.barcode == location_barcode.strip(),
                                                      Location.deleted_at.is_(None)))  # fmt: skip
                if loc is None:
                    raise NotFound(
                        "location.not_found",
                        N_("No existe la ubicación {value}."),
                        value=location_barcode,
                    )
            year = self.rt.now().year
            last = s.scalar(select(func.max(Transfer.number)).where(Transfer.year == year)) or 0
            t.year, t.number, t.status = year, last + 1, "aceptada"
            t.received_on, t.received_by = self.rt.now().date(), actor.username
            t.observations, t.to_location_id = observations, loc.id if loc else None
            dst = KINDS[t.kind][1]
            for e in s.scalars(select(Expediente).where(Expediente.id.in_(ids))):
                e.stage = dst
            moved = 0
            if loc is not None:
                inner, boxes = units_of(s, ids)
                loose = [u for u in inner if u.parent_id is None]
                to_move = [u for u in boxes + loose if u.status != "eliminado"]
                if to_move:
                    moved = apply_move(uow, self.rt, actor, to_move, location=loc, box=None, method="transfer",
                                       override_capacity=True, note=f"N° T {year}-{t.number:03d}").moved  # fmt: skip
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.accept", entity="transfer",
                        entity_id=t.id, after={"number": f"{year}-{t.number:03d}", "items": len(ids), "stage": dst,
                                               "location": location_barcode, "moved": moved},
                        reason=observations, confirmed=accept_differences)  # fmt: skip
            uow.commit()
            return TransferResult(
                t.id, len(ids), t.number, moved, Changes(records=True, units=True, locations=True)
            )

    def reject(self, actor: Actor, transfer_id: str, observations: str) -> None:
        """Return the transfer to the dependencia with observations (items stay in gestión)."""
        if not observations.strip():
            raise ValidationError("transfer.reason", N_("Indique las observaciones del rechazo."))
        with self.rt.uow(actor, Permission.TRANSFERS_MANAGE) as uow:
            t = _transfer(uow.session, transfer_id, OPEN)
            t.status, t.observations = "rechazada", observations
            write_audit(uow, self.rt, actor, module="transferencias", action="transfer.reject",
                        entity="transfer", entity_id=t.id, reason=observations)  # fmt: skip
            uow.commit()

    # lists
    def list(self, actor: Actor, *, year: int | None = None) -> builtins.list[TransferRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            count = (select(TransferItem.transfer_id, func.count().label("n"))
                     .where(TransferItem.deleted_at.is_(None)).group_by(TransferItem.transfer_id).subquery())  # fmt: skip
            q = (select(Transfer, Dependencia.code, count.c.n)
                 .join(Dependencia, Dependencia.id == Transfer.dependencia_id)
                 .outerjoin(count, count.c.transfer_id == Transfer.id)
                 .where(Transfer.deleted_at.is_(None)).order_by(Transfer.created_at.desc()))  # fmt: skip
            if year is not None:
                q = q.where(Transfer.year == year)
            if actor.own_dependencia_only:
                q = q.where(Transfer.dependencia_id == actor.dependencia_id)
            return [TransferRow(t.id, t.kind, code, t.year, t.number, t.status, n or 0, t.sent_on,
                                t.received_on, t.observations) for t, code, n in s.execute(q)]  # fmt: skip

    def items(self, actor: Actor, transfer_id: str) -> builtins.list[TransferItemRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            q = (select(TransferItem, Expediente.number, Expediente.title)
                 .join(Expediente, Expediente.id == TransferItem.expediente_id)
                 .where(TransferItem.transfer_id == transfer_id, TransferItem.deleted_at.is_(None))
                 .order_by(TransferItem.created_at, TransferItem.id))  # fmt: skip
            return [TransferItemRow(i.expediente_id, n, title, i.folios,
                                    {k: bool((i.checklist or {}).get(k)) for k in CHECKLIST})
                    for i, n, title in s.execute(q)]  # fmt: skip


# --- reception (cotejo), shared with the collector import (archive.services.capture) ----------


def compare_reception(s: Session, t: Transfer, scans: Iterable[str],
                      counted_folios: dict[str, int] | None = None) -> Cotejo:  # fmt: skip
    """The cotejo of ``scans`` (barcodes of cajas and carpetas that arrived) against the units of
    ``t``'s expedientes, and of ``counted_folios`` against each carpeta's folio range. Reads only."""
    inner, boxes = units_of(s, [i.expediente_id for i in _items(s, t.id)])
    expected = {u.barcode for u in inner + boxes}
    seen = {x.strip() for x in scans if x.strip()}
    diffs = []
    for u in inner:
        got = (counted_folios or {}).get(u.barcode)
        want = (u.folio_last - u.folio_first + 1) if u.folio_first and u.folio_last else 0
        if got is not None and got != want:
            diffs.append((u.barcode, want, got))
    return Cotejo(len(expected), len(seen), tuple(sorted(expected - seen)), tuple(sorted(seen - expected)),
                  tuple(diffs), tuple(sorted(seen)))  # fmt: skip


def store_cotejo(uow: UnitOfWork, rt: Runtime, actor: Actor, t: Transfer, c: Cotejo,
                 reason: str = "") -> None:  # fmt: skip
    """Keep ``c`` as ``t``'s last cotejo (acceptance reads it) and audit it."""
    t.cotejo = {"missing": list(c.missing), "extra": list(c.extra),
                "folio_diffs": [list(d) for d in c.folio_diffs], "ok": c.ok, "scanned": list(c.seen)}  # fmt: skip
    write_audit(uow, rt, actor, module="transferencias", action="transfer.receive",
                entity="transfer", entity_id=t.id, after=t.cotejo, reason=reason)  # fmt: skip


def received_so_far(s: Session, t: Transfer) -> tuple[set[str], dict[str, int]]:
    """The barcodes and counted folios behind ``t``'s stored cotejo, so that more scans (a
    second collector file) add to it instead of replacing it. A cotejo stored before the scanned
    list was kept is read back from its expected, missing and extra barcodes."""
    stored = t.cotejo or {}
    folios = {str(d[0]): int(d[2]) for d in stored.get("folio_diffs", [])}
    if "scanned" in stored:
        return set(stored["scanned"]), folios
    if not stored:
        return set(), folios
    inner, boxes = units_of(s, [i.expediente_id for i in _items(s, t.id)])
    expected = {u.barcode for u in inner + boxes}
    return (expected - set(stored.get("missing", []))) | set(stored.get("extra", [])), folios


def secondary_ok(disposition_label: str) -> bool:
    """CT or S (the selected sample) go to the histórico; E and M/D alone do not."""
    flags = {x.strip() for x in disposition_label.split(",")}
    return bool(flags & {"CT", "S"})


def _kind(kind: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValidationError(
            "transfer.kind", N_("Tipo de transferencia no válido: «{kind}»."), kind=kind
        )
    return KINDS[kind]


def _transfer(s: Session, transfer_id: str, statuses: Sequence[str] = ()) -> Transfer:
    t = s.get(Transfer, transfer_id)
    if t is None or t.deleted_at is not None:
        raise NotFound("transfer.not_found", N_("No existe la transferencia."))
    if statuses and t.status not in statuses:
        raise ConflictError("transfer.status", N_("La transferencia está «{status}»; no admite esta acción."),
                            status=t.status)  # fmt: skip
    return t


def _items(s: Session, transfer_id: str) -> builtins.list[TransferItem]:
    return list(s.scalars(select(TransferItem).where(TransferItem.transfer_id == transfer_id,
                                                     TransferItem.deleted_at.is_(None))))  # fmt: skip


def resolve_expedientes(
    s: Session, refs: builtins.list[str], dep_id: str = ""
) -> builtins.list[Expediente]:
    """Expedientes by id or number (of ``dep_id`` if given), in order, without duplicates."""
    found: dict[str, Expediente] = {}
    for i in range(0, len(refs), 900):
        chunk = refs[i : i + 900]
        q = select(Expediente).where(Expediente.deleted_at.is_(None),
                                     or_(Expediente.id.in_(chunk), Expediente.number.in_(chunk)))  # fmt: skip
        if dep_id:
            q = q.where(Expediente.dependencia_id == dep_id)
        for e in s.scalars(q):
            found[e.id] = e
            found[e.number] = e
    missing = [r for r in refs if r not in found]
    if missing:
        raise NotFound("expediente.not_found", N_("Expedientes no encontrados en la dependencia: {items}."),
                       items=", ".join(missing[:10]))  # fmt: skip
    out: dict[str, Expediente] = {}
    for r in refs:
        out[found[r].id] = found[r]
    return list(out.values())
