"""Label printing data: which labels a selection makes, templates and calibrations kept as data,
and the batches printed (so a sheet can be printed again exactly).

Rendering is the renderer's job (``reports.labels``); the CLI and the GUI join the two with
``reports.labels.jobs``. Templates are stored as the renderer's JSON, opaque here: callers
validate them with ``LabelTemplate.from_json`` before saving.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.db.models import (
    Expediente,
    LabelBatch,
    LabelTemplateRow,
    Location,
    PrinterCalibration,
    Unit,
)
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.label_data import LabelReader, LabelRecord, records_for
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan

LABEL_KINDS = ("caja", "carpeta", "expediente", "ubicacion", "testigo")


@dataclass(frozen=True)
class TemplateView:
    id: str
    kind: str
    name: str
    body: str
    is_default: bool
    version: int


@dataclass(frozen=True)
class CalibrationView:
    id: str
    name: str
    offset_x_mm: float
    offset_y_mm: float
    creep_x_mm: float
    creep_y_mm: float
    dpi: int | None

    def to_dict(self) -> dict[str, Any]:
        """The renderer's ``Calibration.from_dict`` input."""
        return {"name": self.name, "offset_x_mm": self.offset_x_mm, "offset_y_mm": self.offset_y_mm,
                "creep_x_mm": self.creep_x_mm, "creep_y_mm": self.creep_y_mm, "dpi": self.dpi}  # fmt: skip


@dataclass(frozen=True)
class BatchView:
    id: str
    at: datetime
    username: str
    kind: str
    template_name: str
    template_body: str
    medium: str
    medium_body: dict[str, Any]
    calibration: str
    start_position: int
    source: str
    item_ids: list[str]
    items: int


@dataclass(frozen=True)
class Selection:
    """What to label: scanned barcodes, everything under a location, or a box's contents."""

    barcodes: Sequence[str] = ()
    location: str | None = None
    box: str | None = None


@dataclass(frozen=True)
class BatchRequest:
    kind: str
    template_name: str
    template_body: str
    medium: str
    medium_body: dict[str, Any]
    calibration: str
    start_position: int
    source: str
    item_ids: Sequence[str]
    note: str = ""


class LabelService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # -- selection ----------------------------------------------------------------------------
    def records(self, actor: Actor, kind: str, selection: Selection) -> list[LabelRecord]:
        """The labels of ``kind`` for a selection, in order (shelf order for a location)."""
        _check_kind(kind)
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            s = uow.session
            reader = LabelReader(s)
            out: list[LabelRecord] = []
            for raw in selection.barcodes:
                out.extend(_from_scan(s, reader, kind, raw))
            if selection.box:
                box = resolve_scan(s, selection.box).unit
                if box is None:
                    raise ValidationError(
                        "labels.not_box", N_("«{ref}» no es una caja."), ref=selection.box
                    )
                if kind == "expediente":
                    out.extend(_expedientes_in(s, reader, [box]))
                elif kind in ("ubicacion",):
                    raise ValidationError(
                        "labels.not_location", N_("«{ref}» no es una ubicación."), ref=selection.box
                    )
                else:
                    out.extend(
                        records_for(reader, kind, _contents(s, box) if kind == "carpeta" else [box])
                    )
            if selection.location:
                out.extend(_under_location(s, reader, kind, _find_location(s, selection.location)))
            return out

    def records_by_ids(
        self, actor: Actor, kind: str, source: str, ids: Sequence[str]
    ) -> list[LabelRecord]:
        """The labels of a remembered batch, read again (today's data, same items and order)."""
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            s = uow.session
            reader = LabelReader(s)
            out: list[LabelRecord] = []
            for item_id in ids:
                if source == "location":
                    loc = s.get(Location, item_id)
                    if loc is not None:
                        out.append(reader.ubicacion(loc))
                elif source == "expediente":
                    exp = s.get(Expediente, item_id)
                    if exp is not None:
                        out.append(reader.expediente(exp))
                else:
                    unit = s.get(Unit, item_id)
                    if unit is not None:
                        out.extend(records_for(reader, kind, [unit]))
            return out

    # -- templates ----------------------------------------------------------------------------
    def templates(self, actor: Actor, kind: str | None = None) -> list[TemplateView]:
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            q = select(LabelTemplateRow).where(LabelTemplateRow.deleted_at.is_(None))
            if kind:
                q = q.where(LabelTemplateRow.kind == kind)
            rows = uow.session.scalars(q.order_by(LabelTemplateRow.kind, LabelTemplateRow.name))
            return [_template_view(r) for r in rows]

    def save_template(
        self, actor: Actor, kind: str, name: str, body: str, *, make_default: bool = False
    ) -> TemplateView:
        """Create or replace the template ``name`` of ``kind`` (body: ``LabelTemplate.to_json()``)."""
        _check_kind(kind)
        name = name.strip()
        if not name:
            raise ValidationError("labels.template_name", N_("La plantilla necesita un nombre."))
        try:
            json.loads(body)
        except ValueError as exc:
            raise ValidationError(
                "labels.template_invalid",
                N_("La plantilla no es JSON válido: {error}"),
                error=str(exc),
            ) from exc
        with self.rt.uow(actor, Permission.LABELS_PRINT) as uow:
            s = uow.session
            row = s.scalar(select(LabelTemplateRow).where(LabelTemplateRow.kind == kind, LabelTemplateRow.name == name,
                                                          LabelTemplateRow.deleted_at.is_(None)))  # fmt: skip
            before = None if row is None else {"body": row.body, "is_default": row.is_default}
            if row is None:
                row = LabelTemplateRow(kind=kind, name=name, body=body, is_default=make_default)
                s.add(row)
            else:
                row.body = body
                row.is_default = row.is_default or make_default
            if make_default:
                for other in s.scalars(select(LabelTemplateRow).where(LabelTemplateRow.kind == kind, LabelTemplateRow.is_default.is_(True),
                                                                      LabelTemplateRow.deleted_at.is_(None))):  # fmt: skip
                    if other is not row:
                        other.is_default = False
            s.flush()
            write_audit(uow, self.rt, actor, module="rotulos", action="label_template.save", entity="label_template",
                        entity_id=row.id, before=before, after={"kind": kind, "name": name, "body": body, "is_default": row.is_default})  # fmt: skip
            uow.commit()
            return _template_view(row)

    def delete_template(self, actor: Actor, template_id: str) -> Changes:
        with self.rt.uow(actor, Permission.LABELS_PRINT) as uow:
            row = uow.session.get(LabelTemplateRow, template_id)
            if row is None or row.deleted_at is not None:
                raise NotFound("labels.template_not_found", N_("No existe la plantilla."))
            row.deleted_at = self.rt.now()
            write_audit(uow, self.rt, actor, module="rotulos", action="label_template.delete", entity="label_template",
                        entity_id=row.id, before={"kind": row.kind, "name": row.name})  # fmt: skip
            uow.commit()
        return Changes()

    # -- calibrations ---------------------------------------------------------------------------
    def calibrations(self, actor: Actor) -> list[CalibrationView]:
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            rows = uow.session.scalars(
                select(PrinterCalibration)
                .where(PrinterCalibration.deleted_at.is_(None))
                .order_by(PrinterCalibration.name)
            )
            return [_calibration_view(r) for r in rows]

    def calibration(self, actor: Actor, name: str) -> CalibrationView:
        for c in self.calibrations(actor):
            if c.name == name:
                return c
        raise NotFound(
            "labels.calibration_not_found", N_("No existe la calibración «{name}»."), name=name
        )

    def save_calibration(self, actor: Actor, name: str, *, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0,
                         creep_x_mm: float = 0.0, creep_y_mm: float = 0.0, dpi: int | None = None) -> CalibrationView:  # fmt: skip
        name = name.strip()
        if not name:
            raise ValidationError(
                "labels.calibration_name", N_("La calibración necesita un nombre (la impresora).")
            )
        values = {"offset_x_mm": float(offset_x_mm), "offset_y_mm": float(offset_y_mm), "creep_x_mm": float(creep_x_mm),
                  "creep_y_mm": float(creep_y_mm), "dpi": dpi}  # fmt: skip
        if any(abs(v) > 50 for k, v in values.items() if k != "dpi" and v is not None):
            raise ValidationError(
                "labels.calibration_range",
                N_("Los desplazamientos de calibración deben estar entre −50 y 50 mm."),
            )
        with self.rt.uow(actor, Permission.LABELS_PRINT) as uow:
            s = uow.session
            row = s.scalar(
                select(PrinterCalibration).where(
                    PrinterCalibration.name == name, PrinterCalibration.deleted_at.is_(None)
                )
            )
            before = None if row is None else _calibration_view(row).to_dict()
            if row is None:
                row = PrinterCalibration(name=name)
                s.add(row)
            for key, value in values.items():
                setattr(row, key, value)
            s.flush()
            write_audit(uow, self.rt, actor, module="rotulos", action="printer_calibration.save", entity="printer_calibration",
                        entity_id=row.id, before=before, after={"name": name, **values})  # fmt: skip
            uow.commit()
            return _calibration_view(row)

    # -- batches ------------------------------------------------------------------------------
    def record_batch(self, actor: Actor, req: BatchRequest) -> str:
        """Remember a printed batch; returns its id (what ``legajo labels reprint`` takes)."""
        _check_kind(req.kind)
        with self.rt.uow(actor, Permission.LABELS_PRINT) as uow:
            row = LabelBatch(at=self.rt.now(), user_id=actor.user_id, username=actor.username, kind=req.kind,
                             template_name=req.template_name, template_body=req.template_body, medium=req.medium,
                             medium_body=req.medium_body, calibration=req.calibration, start_position=req.start_position,
                             source=req.source, item_ids=list(req.item_ids), items=len(req.item_ids), note=req.note)  # fmt: skip
            uow.session.add(row)
            uow.session.flush()
            write_audit(uow, self.rt, actor, module="rotulos", action="label_batch.print", entity="label_batch", entity_id=row.id,
                        after={"kind": req.kind, "template": req.template_name, "medium": req.medium, "items": len(req.item_ids),
                               "calibration": req.calibration, "start": req.start_position})  # fmt: skip
            uow.commit()
            return row.id

    def batches(self, actor: Actor, limit: int = 50) -> list[BatchView]:
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            rows = uow.session.scalars(
                select(LabelBatch)
                .where(LabelBatch.deleted_at.is_(None))
                .order_by(LabelBatch.at.desc())
                .limit(limit)
            )
            return [_batch_view(r) for r in rows]

    def batch(self, actor: Actor, batch_id: str) -> BatchView:
        with self.rt.uow(actor, Permission.LABELS_PRINT, write=False) as uow:
            s = uow.session
            row = s.get(LabelBatch, batch_id)
            if row is None:  # a unique prefix is enough, as ids are long
                rows = list(
                    s.scalars(
                        select(LabelBatch)
                        .where(LabelBatch.id.startswith(batch_id, autoescape=True))
                        .limit(2)
                    )
                )
                row = rows[0] if len(rows) == 1 else None
            if row is None or row.deleted_at is not None:
                raise NotFound(
                    "labels.batch_not_found",
                    N_("No existe el lote de rótulos «{id}»."),
                    id=batch_id,
                )
            return _batch_view(row)


def source_of(kind: str) -> str:
    """What a batch of ``kind`` remembers: unit, location or expediente ids."""
    return {"ubicacion": "location", "expediente": "expediente"}.get(kind, "unit")


def _check_kind(kind: str) -> None:
    if kind not in LABEL_KINDS:
        raise ValidationError(
            "labels.kind", N_("Clase de rótulo desconocida: «{kind}»."), kind=kind
        )


def _from_scan(s: Session, reader: LabelReader, kind: str, raw: str) -> list[LabelRecord]:
    target = resolve_scan(s, raw)
    if target.location is not None:
        if kind == "ubicacion":
            return [reader.ubicacion(target.location)]
        return _under_location(s, reader, kind, target.location)
    if target.expediente is not None:
        if kind == "expediente":
            return [reader.expediente(target.expediente)]
        if kind == "ubicacion":
            raise ValidationError(
                "labels.not_location", N_("«{ref}» no es una ubicación."), ref=raw
            )
        if kind == "caja":
            raise ValidationError("labels.not_box", N_("«{ref}» no es una caja."), ref=raw)
        units = s.scalars(
            select(Unit)
            .where(Unit.expediente_id == target.expediente.id, Unit.deleted_at.is_(None))
            .order_by(Unit.sequence)
        )
        return records_for(reader, kind, units)
    unit = target.unit
    assert unit is not None
    if kind == "expediente":
        exp = s.get(Expediente, unit.expediente_id) if unit.expediente_id else None
        if exp is None:
            raise ValidationError(
                "labels.no_expediente",
                N_("La unidad {barcode} no tiene expediente."),
                barcode=unit.barcode,
            )
        return [reader.expediente(exp)]
    if kind == "ubicacion":
        raise ValidationError(
            "labels.not_location", N_("«{ref}» no es una ubicación."), ref=unit.barcode
        )
    if kind == "caja" and unit.kind != "caja":
        raise ValidationError("labels.not_box", N_("«{ref}» no es una caja."), ref=unit.barcode)
    if kind == "carpeta" and unit.kind == "caja":
        return records_for(reader, kind, _contents(s, unit))
    return records_for(reader, kind, [unit])


def _expedientes_in(s: Session, reader: LabelReader, units: list[Unit]) -> list[LabelRecord]:
    seen: dict[str, None] = {}
    for u in units:
        for c in _contents(s, u) if u.kind == "caja" else [u]:
            if c.expediente_id:
                seen.setdefault(c.expediente_id)
    return [reader.expediente(e) for e in (s.get(Expediente, i) for i in seen) if e is not None]


def _contents(s: Session, box: Unit) -> list[Unit]:
    return list(
        s.scalars(
            select(Unit)
            .where(Unit.parent_id == box.id, Unit.deleted_at.is_(None))
            .order_by(Unit.sequence, Unit.number, Unit.barcode)
        )
    )


def _find_location(s: Session, ref: str) -> Location:
    loc = s.scalar(
        select(Location).where(Location.path == ref.strip().upper(), Location.deleted_at.is_(None))
    )
    if loc is None:
        loc = resolve_scan(s, ref).location
    if loc is None:
        raise ValidationError("labels.not_location", N_("«{ref}» no es una ubicación."), ref=ref)
    return loc


def _under_location(s: Session, reader: LabelReader, kind: str, loc: Location) -> list[LabelRecord]:
    scope = or_(
        Location.path == loc.path, Location.path.startswith(loc.path + "-", autoescape=True)
    )
    locs = list(
        s.scalars(
            select(Location).where(scope, Location.deleted_at.is_(None)).order_by(Location.path)
        )
    )
    if kind == "ubicacion":
        return [reader.ubicacion(n) for n in locs]
    ids = [n.id for n in locs]
    placed = list(s.scalars(select(Unit).join(Location, Location.id == Unit.location_id)
                            .where(Unit.location_id.in_(ids), Unit.deleted_at.is_(None)).order_by(Location.path, Unit.number, Unit.barcode)))  # fmt: skip
    if kind == "carpeta":
        units: list[Unit] = []
        for u in placed:
            units.extend(_contents(s, u) if u.kind == "caja" else [u])
        return records_for(reader, kind, units)
    if kind == "expediente":
        return _expedientes_in(s, reader, placed)
    return records_for(reader, kind, [u for u in placed if kind != "caja" or u.kind == "caja"])


def _template_view(r: LabelTemplateRow) -> TemplateView:
    return TemplateView(r.id, r.kind, r.name, r.body, r.is_default, r.version)


def _calibration_view(r: PrinterCalibration) -> CalibrationView:
    return CalibrationView(
        r.id, r.name, r.offset_x_mm, r.offset_y_mm, r.creep_x_mm, r.creep_y_mm, r.dpi
    )


def _batch_view(r: LabelBatch) -> BatchView:
    return BatchView(r.id, r.at, r.username, r.kind, r.template_name, r.template_body, r.medium, dict(r.medium_body or {}),
                     r.calibration, r.start_position, r.source, list(r.item_ids or []), r.items)  # fmt: skip
