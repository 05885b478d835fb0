"""Reading, verifying and exporting the audit trail (writing is ``audit_log.write_audit``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from archive.db.models import AuditLog
from archive.domain.permissions import Permission
from archive.domain.progress import Cancelled, Progress, never_cancelled, no_progress
from archive.domain.timefmt import LOCAL_TZ
from archive.i18n import N_, _
from archive.io.export import export_rows
from archive.services.audit_log import VerifyReport, verify_chain, write_audit
from archive.services.runtime import Actor, Runtime


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit viewer; dates are local (Bogotá) calendar days, inclusive."""

    username: str = ""
    module: str = ""
    entity: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: datetime
    username: str
    module: str
    action: str
    entity: str
    entity_id: str
    workstation: str
    host: str
    ip: str
    program: str
    profile: str
    before: Any
    after: Any
    reason: str
    confirmed: bool
    extras: tuple[str, str, str, str, str]


EXPORT_HEADERS = (
    N_("Fecha y hora"), N_("Usuario"), N_("Módulo"), N_("Acción"), N_("Entidad"), N_("Id"),
    N_("Estación"), N_("Equipo"), N_("IP"), N_("Programa"), N_("Perfil"), N_("Antes"),
    N_("Después"), N_("Motivo"), N_("Confirmado"), N_("Extra 1"), N_("Extra 2"), N_("Extra 3"),
    N_("Extra 4"), N_("Extra 5"),
)  # fmt: skip


def _local_day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, LOCAL_TZ)


def _filtered(q: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.username:
        q = q.where(AuditLog.username == f.username.strip().lower())
    if f.module:
        q = q.where(AuditLog.module == f.module)
    if f.entity:
        q = q.where(AuditLog.entity == f.entity)
    if f.action:
        q = q.where(AuditLog.action.startswith(f.action))
    if f.date_from:
        q = q.where(AuditLog.at >= _local_day_start(f.date_from))
    if f.date_to:
        q = q.where(AuditLog.at < _local_day_start(f.date_to + timedelta(days=1)))
    return q


def _entry(r: AuditLog) -> AuditEntry:
    return AuditEntry(
        id=r.id, at=r.at, username=r.username, module=r.module, action=r.action,
        entity=r.entity, entity_id=r.entity_id, workstation=r.workstation, host=r.host, ip=r.ip,
        program=r.program, profile=r.profile, before=r.before, after=r.after, reason=r.reason,
        confirmed=r.confirmed, extras=(r.extra1, r.extra2, r.extra3, r.extra4, r.extra5),
    )  # fmt: skip


class AuditService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def ids(self, actor: Actor, f: AuditFilter) -> list[str]:
        """Ids of matching entries, newest first (the viewer's lazy model loads rows by id)."""
        with self.rt.uow(actor, Permission.AUDIT_VIEW, write=False) as uow:
            q = _filtered(select(AuditLog.id), f).order_by(AuditLog.at.desc(), AuditLog.id.desc())
            return list(uow.session.scalars(q))

    def entries(self, actor: Actor, ids: Sequence[str]) -> dict[str, AuditEntry]:
        with self.rt.uow(actor, Permission.AUDIT_VIEW, write=False) as uow:
            rows = uow.session.scalars(select(AuditLog).where(AuditLog.id.in_(list(ids))))
            return {r.id: _entry(r) for r in rows}

    def modules(self, actor: Actor) -> list[str]:
        with self.rt.uow(actor, Permission.AUDIT_VIEW, write=False) as uow:
            return list(uow.session.scalars(select(AuditLog.module).distinct().order_by(AuditLog.module)))

    def verify(self, actor: Actor) -> VerifyReport:
        with self.rt.uow(actor, Permission.AUDIT_EXPORT, write=False) as uow:
            return verify_chain(uow)

    def export(
        self,
        actor: Actor,
        f: AuditFilter,
        path: Path,
        *,
        progress: Progress = no_progress,
        cancelled: Cancelled = never_cancelled,
    ) -> int:
        """Export matching entries to CSV/XLSX (formula injection neutralised); audited."""
        with self.rt.uow(actor, Permission.AUDIT_EXPORT, write=False) as uow:
            s = uow.session
            from sqlalchemy import func

            total = s.scalar(_filtered(select(func.count()).select_from(AuditLog), f)) or 0
            q = _filtered(select(AuditLog), f).order_by(AuditLog.at, AuditLog.id)

            def rows() -> Iterator[list[Any]]:
                for r in s.scalars(q.execution_options(yield_per=2000)):
                    yield [
                        r.at, r.username, r.module, r.action, r.entity, r.entity_id,
                        r.workstation, r.host, r.ip, r.program, r.profile,
                        _json(r.before), _json(r.after), r.reason,
                        _("Sí") if r.confirmed else _("No"),
                        r.extra1, r.extra2, r.extra3, r.extra4, r.extra5,
                    ]  # fmt: skip

            count = export_rows(
                path, [_(h) for h in EXPORT_HEADERS], rows(), total=total,
                sheet_title=_("Auditoría"), progress=progress, cancelled=cancelled,
            )  # fmt: skip
        with self.rt.uow(actor, Permission.AUDIT_EXPORT) as uow:
            write_audit(
                uow, self.rt, actor, module="auditoria", action="audit.export",
                after={"file": path.name, "rows": count, "filter": _filter_dict(f)},
            )  # fmt: skip
            uow.commit()
        return count


def _json(value: Any) -> str:
    if value is None:
        return ""
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _filter_dict(f: AuditFilter) -> dict[str, str]:
    return {k: str(v) for k, v in f.__dict__.items() if v}
