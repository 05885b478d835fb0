"""Export of the unit inventory (every caja, carpeta… with where it is) to CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from archive.db.models import Dependencia, Expediente, Location, Unit, UnitType
from archive.domain.permissions import Permission
from archive.domain.progress import Cancelled, Progress, never_cancelled, no_progress
from archive.i18n import N_, _
from archive.io.export import export_rows
from archive.services.audit_log import write_audit
from archive.services.runtime import Actor, Runtime

HEADERS = (
    N_("Código de barras"), N_("Tipo"), N_("Número"), N_("Dependencia"), N_("Caja"),
    N_("Ubicación"), N_("Expediente"), N_("Nombre del expediente"), N_("Carpeta N°"),
    N_("Folio inicial"), N_("Folio final"), N_("Estado"),
)  # fmt: skip


def export_inventory(
    rt: Runtime,
    actor: Actor,
    path: Path,
    *,
    progress: Progress = no_progress,
    cancelled: Cancelled = never_cancelled,
) -> int:
    with rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
        s = uow.session
        box = aliased(Unit)
        box_loc = aliased(Location)
        q = (
            select(Unit.barcode, UnitType.name, Unit.number, Dependencia.code, box.barcode,
                   func.coalesce(Location.path, box_loc.path), Expediente.number, Expediente.title,
                   Unit.sequence, Unit.folio_first, Unit.folio_last, Unit.status)
            .join(UnitType, UnitType.id == Unit.unit_type_id)
            .outerjoin(Dependencia, Dependencia.id == Unit.dependencia_id)
            .outerjoin(box, box.id == Unit.parent_id)
            .outerjoin(Location, Location.id == Unit.location_id)
            .outerjoin(box_loc, box_loc.id == box.location_id)
            .outerjoin(Expediente, Expediente.id == Unit.expediente_id)
            .where(Unit.deleted_at.is_(None))
            .order_by(func.coalesce(Location.path, box_loc.path), Unit.kind, Unit.number, Unit.barcode)
        )  # fmt: skip
        if actor.own_dependencia_only:
            q = q.where(Unit.dependencia_id == actor.dependencia_id)
        total = s.scalar(select(func.count()).select_from(Unit).where(Unit.deleted_at.is_(None))) or 0

        def rows() -> Iterator[list[Any]]:
            for r in s.execute(q.execution_options(yield_per=5000)):
                yield [r[0], _(r[1]), *r[2:]]

        count = export_rows(path, [_(h) for h in HEADERS], rows(), total=total, sheet_title=_("Inventario"),
                            progress=progress, cancelled=cancelled)  # fmt: skip
    with rt.uow(actor, Permission.RECORDS_VIEW) as uow:
        write_audit(uow, rt, actor, module="unidades", action="inventory.export", after={"file": path.name, "rows": count})
        uow.commit()
    return count
