"""Building FUID documents from the database: the asientos of a set of expedientes (one per
carpeta/tomo, or one per expediente without units), the header of a dependencia, and whole
inventories for an objeto (a dependencia's stage, a transfer, an elimination).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import (
    Dependencia,
    EliminationItem,
    Entity,
    Expediente,
    Serie,
    Subserie,
    Transfer,
    TransferItem,
    Unit,
)
from archive.domain.codes import CodeMask, render_code
from archive.domain.errors import NotFound, ValidationError
from archive.domain.fuid import (
    NO_SIGNER,
    FuidDocument,
    FuidRow,
    FuidSigner,
    HojaControl,
    HojaControlItem,
    Objeto,
)
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.parameters import load_parameters
from archive.services.runtime import Actor, Runtime

_CHUNK = 900
_SOPORTE = {"papel": "", "electronico": "CD", "microfilm": "M", "video": "V", "casete": "C"}


@dataclass(frozen=True)
class FuidRequest:
    """What to inventory: a dependencia's expedientes in a stage, a transfer or an elimination."""

    objeto: Objeto
    dependencia_code: str = ""
    #: gestion | central | historico | "" (any) when inventorying a dependencia.
    stage: str = ""
    transfer_id: str = ""
    elimination_id: str = ""
    elaborado: FuidSigner = NO_SIGNER
    entregado: FuidSigner = NO_SIGNER
    recibido: FuidSigner = NO_SIGNER


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def fuid_rows(session: Session, expediente_ids: Sequence[str], mask: CodeMask) -> list[FuidRow]:
    """One asiento per carpeta/tomo/otro of each expediente (in the given order), or one per
    expediente that has no units; número de orden consecutive from 1."""
    exps: dict[str, tuple[Expediente, str, str, str, str, str]] = {}
    units: dict[str, list[Unit]] = defaultdict(list)
    parents: dict[str, str] = {}
    for chunk in _chunks(list(expediente_ids)):
        q = (
            select(
                Expediente, Dependencia.code, Serie.code, Serie.name, Subserie.code, Subserie.name
            )
            .join(Dependencia, Dependencia.id == Expediente.dependencia_id)
            .outerjoin(Serie, Serie.id == Expediente.serie_id)
            .outerjoin(Subserie, Subserie.id == Expediente.subserie_id)
            .where(Expediente.id.in_(chunk))
        )
        for e, dep, s_code, s_name, sb_code, sb_name in session.execute(q):
            exps[e.id] = (e, dep, s_code or "", s_name or "", sb_code or "", sb_name or "")
        for u in session.scalars(
            select(Unit).where(
                Unit.expediente_id.in_(chunk), Unit.deleted_at.is_(None), Unit.kind != "caja"
            )
        ):
            units[u.expediente_id or ""].append(u)
    parent_ids = sorted({u.parent_id for us in units.values() for u in us if u.parent_id})
    for chunk in _chunks(parent_ids):
        for pid, number, barcode in session.execute(
            select(Unit.id, Unit.number, Unit.barcode).where(Unit.id.in_(chunk))
        ):
            parents[pid] = number or barcode
    rows: list[FuidRow] = []
    for eid in expediente_ids:
        if eid not in exps:
            continue
        e, dep, s_code, s_name, sb_code, sb_name = exps[eid]
        code = render_code(dep, s_code, sb_code, mask) if s_code else dep
        name = " — ".join(x for x in (sb_name or s_name, e.title) if x)
        base = FuidRow(
            order=0, code=code, name=name, date_start=e.opened_on, date_end=e.closed_on,
            folios=e.folios, soporte=_SOPORTE.get(e.soporte, e.soporte.upper()[:3]),
            notes=(e.notes or "").splitlines()[0] if e.notes else "",
        )  # fmt: skip
        mine = sorted(units.get(eid, []), key=lambda u: (u.sequence or 0, u.number))
        if not mine:
            rows.append(replace(base, order=len(rows) + 1, carpeta=e.number))
            continue
        for u in mine:
            folios = (u.folio_last - u.folio_first + 1) if u.folio_first and u.folio_last else 0
            value = u.number or u.barcode
            carpeta = value if u.kind == "carpeta" else ""
            tomo = value if u.kind == "tomo" else ""
            otro = f"{u.kind.upper()} {value}" if u.kind not in ("carpeta", "tomo") else ""
            note = base.notes
            if len(mine) > 1:
                note = (
                    f"{note}; " if note else ""
                ) + f"{u.sequence or mine.index(u) + 1}/{len(mine)}"
            rows.append(replace(base, order=len(rows) + 1, caja=parents.get(u.parent_id or "", ""),
                                folios=folios or (base.folios if len(mine) == 1 else 0),
                                notes=note, carpeta=carpeta, tomo=tomo, otro=otro))  # fmt: skip
    return rows


def fuid_header(session: Session, dependencia_id: str) -> tuple[str, str, str]:
    """(entidad, unidad administrativa, oficina productora) for a dependencia."""
    entity = session.scalar(select(Entity.name).where(Entity.deleted_at.is_(None))) or ""
    dep = session.get(Dependencia, dependencia_id)
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia."))
    parent = session.get(Dependencia, dep.parent_id) if dep.parent_id else None
    oficina = f"{dep.code} {dep.name}"
    return entity, parent.name if parent else dep.name, oficina


def build_document(session: Session, req: FuidRequest, today: date) -> FuidDocument:
    """The inventory for ``req`` (inside the caller's transaction)."""
    mask = CodeMask.from_pattern(load_parameters(session).trd_code_mask)
    entry_date: date | None = None
    number = ""
    if req.transfer_id:
        t = session.get(Transfer, req.transfer_id)
        if t is None:
            raise NotFound("transfer.not_found", N_("No existe la transferencia."))
        dep_id = t.dependencia_id
        ids = list(session.scalars(
            select(TransferItem.expediente_id).where(TransferItem.transfer_id == t.id,
                                                     TransferItem.deleted_at.is_(None))
            .order_by(TransferItem.created_at, TransferItem.id)))  # fmt: skip
        if t.number is not None:
            entry_date, number = t.received_on, f"{t.year}-{t.number:03d}"
    elif req.elimination_id:
        ids = list(session.scalars(
            select(EliminationItem.expediente_id).where(
                EliminationItem.elimination_id == req.elimination_id,
                EliminationItem.deleted_at.is_(None),
                EliminationItem.status.in_(("incluido", "eliminado")))
            .order_by(EliminationItem.created_at, EliminationItem.id)))  # fmt: skip
        first = session.get(Expediente, ids[0]) if ids else None
        dep_id = first.dependencia_id if first else ""
    else:
        if not req.dependencia_code:
            raise ValidationError("fuid.dependencia", N_("Indique la dependencia del inventario."))
        dep_id = session.scalar(select(Dependencia.id).where(
            Dependencia.code == req.dependencia_code, Dependencia.deleted_at.is_(None))) or ""  # fmt: skip
        if not dep_id:
            raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."),
                           code=req.dependencia_code)  # fmt: skip
        q = select(Expediente.id).where(
            Expediente.dependencia_id == dep_id, Expediente.deleted_at.is_(None)
        )
        if req.stage:
            q = q.where(Expediente.stage == req.stage)
        ids = list(session.scalars(q.order_by(Expediente.number, Expediente.id)))
    entidad, unidad, oficina = fuid_header(session, dep_id) if dep_id else ("", "", "")
    return FuidDocument(
        objeto=req.objeto, entidad_remitente=entidad, entidad_productora=entidad,
        unidad_administrativa=unidad, oficina_productora=oficina,
        rows=tuple(fuid_rows(session, ids, mask)), entry_date=entry_date, transfer_number=number,
        elaborado=req.elaborado, entregado=req.entregado, recibido=req.recibido,
    )  # fmt: skip


class FuidService:
    """FUID inventories for any objeto (the transfer and elimination services add theirs)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def document(self, actor: Actor, req: FuidRequest) -> FuidDocument:
        """The FUID for ``req``; read-only."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            return build_document(uow.session, req, self.rt.now().date())

    def hoja_control(self, actor: Actor, expediente: str, *, blank_rows: int = 15) -> HojaControl:
        """The hoja de control of an expediente (id or number): one item per carpeta with its
        folios desde-hasta, then ``blank_rows`` empty rows for the tipos documentales."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            e = s.scalar(select(Expediente).where(Expediente.deleted_at.is_(None),
                                                  (Expediente.id == expediente) | (Expediente.number == expediente)))  # fmt: skip
            if e is None:
                raise NotFound(
                    "expediente.not_found", N_("No existe el expediente {n}."), n=expediente
                )
            entidad, _unidad, oficina = fuid_header(s, e.dependencia_id)
            serie = s.get(Serie, e.serie_id) if e.serie_id else None
            sub = s.get(Subserie, e.subserie_id) if e.subserie_id else None
            carpetas = list(s.scalars(select(Unit).where(Unit.expediente_id == e.id, Unit.deleted_at.is_(None))
                                      .order_by(Unit.sequence, Unit.number)))  # fmt: skip
            items = tuple(
                HojaControlItem(k, e.opened_on if k == 1 else None, f"{u.kind.capitalize()} {u.number or u.barcode}",
                                u.folio_first, u.folio_last)
                for k, u in enumerate(carpetas, start=1)
            )  # fmt: skip
            return HojaControl(entidad, oficina, f"{serie.code} {serie.name}" if serie else "",
                               f"{sub.code} {sub.name}" if sub else "", e.title, e.number, e.opened_on,
                               e.closed_on, items, blank_rows)  # fmt: skip
