"""Bulk operations: preview, apply as one audited batch, revert as a batch.

A batch stores every item's before and after values. Applying checks that each item still has
its "before" values (someone may have changed it since the preview); reverting checks that each
item still has its "after" values. Either check failing changes nothing and names the items.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Batch, BatchItem, Dependencia, Expediente, Movement, Unit
from archive.domain.errors import ConflictError, NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.moves import DEST_SCAN, _over_capacity
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan

KINDS: dict[str, Permission] = {
    "move": Permission.INVENTORY_MOVE,
    "change_dependencia": Permission.RECORDS_EDIT,
    "close_expedientes": Permission.RECORDS_EDIT,
}
_FIELDS = {"unit": ("location_id", "parent_id"), "expediente": ("dependencia_id", "closed_on", "state")}


@dataclass(frozen=True)
class BatchChange:
    entity: str
    entity_id: str
    label: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class BatchPreview:
    kind: str
    description: str
    changes: list[BatchChange]
    unchanged: int
    over_capacity: bool = False


@dataclass(frozen=True)
class BatchView:
    id: str
    kind: str
    description: str
    username: str
    at: datetime
    items: int
    reverted_at: datetime | None


def _encode(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _decode(field: str, v: Any) -> Any:
    return date.fromisoformat(v) if field == "closed_on" and isinstance(v, str) else v


class BatchService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # --- previews (read only) -------------------------------------------------------------
    def preview_move(self, actor: Actor, unit_ids: list[str], destination_scan: str) -> BatchPreview:
        with self.rt.uow(actor, Permission.INVENTORY_MOVE, write=False) as uow:
            s = uow.session
            dest = resolve_scan(s, destination_scan, DEST_SCAN)
            loc, box = dest.location, dest.unit
            if box is not None and box.kind != "caja":
                raise ValidationError("move.not_a_box", N_("El destino {value} no es una caja."), value=box.barcode)
            after = {"location_id": None, "parent_id": box.id} if box else {"location_id": loc.id if loc else None, "parent_id": None}
            changes, same, units = [], 0, []
            for u in _load(s, Unit, unit_ids):
                before = {"location_id": u.location_id, "parent_id": u.parent_id}
                if before == after:
                    same += 1
                    continue
                if box is not None and u.kind == "caja":
                    raise ValidationError("unit.box_in_box", N_("Una caja no puede guardarse dentro de otra caja."))
                units.append(u)
                changes.append(BatchChange("unit", u.id, u.barcode, before, after))
            over = bool(_over_capacity(s, units, loc, box))
            label = box.barcode if box else loc.path if loc else ""
            return BatchPreview("move", f"→ {label}", changes, same, over)

    def preview_change_dependencia(self, actor: Actor, expediente_ids: list[str], dependencia_code: str) -> BatchPreview:
        with self.rt.uow(actor, Permission.RECORDS_EDIT, write=False) as uow:
            s = uow.session
            dep = s.scalar(select(Dependencia).where(Dependencia.code == dependencia_code, Dependencia.deleted_at.is_(None)))
            if dep is None:
                raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=dependencia_code)
            changes, same = [], 0
            for e in _load(s, Expediente, expediente_ids):
                if e.dependencia_id == dep.id:
                    same += 1
                else:
                    changes.append(BatchChange("expediente", e.id, e.number, {"dependencia_id": e.dependencia_id}, {"dependencia_id": dep.id}))
            return BatchPreview("change_dependencia", f"→ {dep.code} {dep.name}", changes, same)

    def preview_close(self, actor: Actor, expediente_ids: list[str], closed_on: date) -> BatchPreview:
        with self.rt.uow(actor, Permission.RECORDS_EDIT, write=False) as uow:
            changes, same = [], 0
            for e in _load(uow.session, Expediente, expediente_ids):
                if e.state == "cerrado":
                    same += 1
                    continue
                if e.opened_on and closed_on < e.opened_on:
                    raise ValidationError("expediente.dates_batch", N_("El expediente {number} se abrió después de la fecha de cierre."), number=e.number)
                changes.append(BatchChange("expediente", e.id, e.number,
                                           {"closed_on": _encode(e.closed_on), "state": e.state},
                                           {"closed_on": closed_on.isoformat(), "state": "cerrado"}))  # fmt: skip
            return BatchPreview("close_expedientes", f"{closed_on.isoformat()}", changes, same)

    # --- apply / revert ---------------------------------------------------------------------
    def apply(self, actor: Actor, preview: BatchPreview, *, override_capacity: bool = False) -> str:
        if preview.kind not in KINDS:
            raise ValidationError("batch.kind", N_("Tipo de lote desconocido: {kind}."), kind=preview.kind)
        if not preview.changes:
            raise ValidationError("batch.empty", N_("El lote no tiene cambios que aplicar."))
        if preview.over_capacity and not override_capacity:
            raise ConflictError("move.capacity_batch", N_("El destino no tiene espacio para todas las unidades. Confirme para mover de todas formas."))
        with self.rt.uow(actor, KINDS[preview.kind]) as uow:
            s = uow.session
            now = self.rt.now()
            batch = Batch(kind=preview.kind, description=preview.description, username=actor.username, at=now, items=len(preview.changes))
            s.add(batch)
            s.flush()
            self._switch(s, actor, batch, preview.changes, expect="before", to="after", method="bulk", now=now, over=override_capacity)
            for c in preview.changes:
                s.add(BatchItem(batch_id=batch.id, entity=c.entity, entity_id=c.entity_id, before=c.before, after=c.after))
            _refresh_due_dates(s, preview.kind, preview.changes)
            write_audit(uow, self.rt, actor, module="lotes", action=f"batch.{preview.kind}", entity="batch", entity_id=batch.id,
                        after={"items": len(preview.changes), "description": preview.description,
                               "labels": [c.label for c in preview.changes][:200]},
                        confirmed=override_capacity)  # fmt: skip
            uow.commit()
            return batch.id

    def revert(self, actor: Actor, batch_id: str) -> int:
        with self.rt.uow(actor) as uow:
            s = uow.session
            batch = s.get(Batch, batch_id)
            if batch is None:
                raise NotFound("batch.not_found", N_("No existe el lote."))
            from archive.services.runtime import check_actor

            check_actor(uow, actor, KINDS[batch.kind])
            if batch.reverted_at is not None:
                raise ValidationError("batch.reverted", N_("Este lote ya fue revertido."))
            items = list(s.scalars(select(BatchItem).where(BatchItem.batch_id == batch.id)))
            labels = {i.entity_id: i.entity_id for i in items}
            changes = [BatchChange(i.entity, i.entity_id, labels[i.entity_id], i.before, i.after) for i in items]
            now = self.rt.now()
            self._switch(s, actor, batch, changes, expect="after", to="before", method="revert", now=now, over=True)
            _refresh_due_dates(s, batch.kind, changes)
            batch.reverted_at, batch.reverted_by = now, actor.username
            write_audit(uow, self.rt, actor, module="lotes", action="batch.revert", entity="batch", entity_id=batch.id,
                        after={"items": len(items), "kind": batch.kind})  # fmt: skip
            uow.commit()
            return len(items)

    def list(self, actor: Actor, limit: int = 200) -> list[BatchView]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            rows = uow.session.scalars(select(Batch).order_by(Batch.at.desc()).limit(limit))
            return [BatchView(b.id, b.kind, b.description, b.username, b.at, b.items, b.reverted_at) for b in rows]

    def _switch(self, s: Session, actor: Actor, batch: Batch, changes: builtins.list[BatchChange], *, expect: str, to: str,
                method: str, now: datetime, over: bool) -> None:  # fmt: skip
        stale: builtins.list[str] = []
        targets: builtins.list[tuple[BatchChange, Any]] = []
        for c in changes:
            model: Any = Unit if c.entity == "unit" else Expediente
            obj: Any = s.get(model, c.entity_id)
            want = getattr(c, expect)
            if obj is None or any(_encode(getattr(obj, f)) != want.get(f) for f in want):
                stale.append(getattr(obj, "barcode", None) or getattr(obj, "number", None) or c.entity_id)
                continue
            targets.append((c, obj))
        if stale:
            raise ConflictError(
                "batch.stale",
                N_("{n} registros cambiaron desde la vista previa o desde el lote; no se modificó nada: {items}"),
                n=len(stale), items=", ".join(map(str, stale[:20])),
            )  # fmt: skip
        for c, obj in targets:
            values = getattr(c, to)
            if c.entity == "unit":
                s.add(Movement(unit_id=obj.id, at=now, user_id=actor.user_id, username=actor.username, method=method,
                               from_location_id=obj.location_id, from_parent_id=obj.parent_id,
                               to_location_id=values.get("location_id"), to_parent_id=values.get("parent_id"),
                               over_capacity=over, batch_id=batch.id))  # fmt: skip
            for f, v in values.items():
                if f in _FIELDS[c.entity]:
                    setattr(obj, f, _decode(f, v))


def _refresh_due_dates(s: Session, kind: str, changes: list[BatchChange]) -> None:
    """Closing (or un-closing) expedientes moves their retention clock: recompute them."""
    if kind != "close_expedientes":
        return
    from archive.services.parameters import load_parameters
    from archive.services.retention import recompute

    s.flush()
    recompute(s, load_parameters(s), expediente_ids=[c.entity_id for c in changes])


def _load(s: Session, model: Any, ids: list[str]) -> list[Any]:
    if not ids:
        raise ValidationError("batch.no_items", N_("Seleccione al menos un registro."))
    rows = list(s.scalars(select(model).where(model.id.in_(ids), model.deleted_at.is_(None))))
    if len(rows) != len(set(ids)):
        raise NotFound("batch.missing_items", N_("Algunos registros seleccionados ya no existen."))
    return rows


