"""TVD (Tabla de Valoración Documental) for fondos acumulados: one table per historical period
of the organic structure, series/asuntos with central-archive years only (AGN_NOTES §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from archive.db.models import TvdRule, TvdTable
from archive.domain.codes import CodeMask
from archive.domain.disposition import Disposition
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.io.trd_columns import ColumnMapping
from archive.io.trd_import import TvdTable as ParsedTvd
from archive.io.trd_import import parse_tvd
from archive.services.audit_log import snapshot, write_audit
from archive.services.changes import Changes
from archive.services.parameters import load_parameters
from archive.services.runtime import Actor, Runtime


@dataclass(frozen=True)
class TvdInput:
    """Identification of a TVD: name, historical period, office, approval data."""

    name: str
    period_start: date | None = None
    period_end: date | None = None
    dependencia_code: str = ""
    dependencia_name: str = ""
    approval_act: str = ""
    approval_date: date | None = None
    convalidation_date: date | None = None
    rusd_certificate: str = ""


@dataclass(frozen=True)
class TvdRow:
    id: str
    name: str
    period_start: date | None
    period_end: date | None
    dependencia_code: str
    dependencia_name: str
    approval_act: str
    rules: int


@dataclass(frozen=True)
class TvdRuleRow:
    id: str
    dependencia_code: str
    serie_code: str
    subserie_code: str
    serie_name: str
    name: str
    ac_years: int
    disposition: Disposition
    procedure: str


@dataclass(frozen=True)
class TvdImportResult:
    id: str
    file: str
    rules: int
    dry_run: bool
    table: ParsedTvd | None = None
    changes: Changes = field(default_factory=Changes)


class TvdService:
    """Import and list TVDs."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def tables(self, actor: Actor) -> list[TvdRow]:
        """Every TVD, by period start."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            out = []
            for t in s.scalars(
                select(TvdTable)
                .where(TvdTable.deleted_at.is_(None))
                .order_by(TvdTable.period_start)
            ):
                n = len(
                    list(
                        s.scalars(
                            select(TvdRule.id).where(
                                TvdRule.tvd_id == t.id, TvdRule.deleted_at.is_(None)
                            )
                        )
                    )
                )
                out.append(TvdRow(t.id, t.name, t.period_start, t.period_end, t.dependencia_code,
                                  t.dependencia_name, t.approval_act, n))  # fmt: skip
            return out

    def rules(self, actor: Actor, tvd_id: str) -> list[TvdRuleRow]:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = (
                select(TvdRule)
                .where(TvdRule.tvd_id == tvd_id, TvdRule.deleted_at.is_(None))
                .order_by(TvdRule.position)
            )
            return [
                TvdRuleRow(
                    r.id,
                    r.dependencia_code,
                    r.serie_code,
                    r.subserie_code,
                    r.serie_name,
                    r.name,
                    r.ac_years,
                    Disposition(r.disposition),
                    r.procedure,
                )
                for r in uow.session.scalars(q)
            ]

    def import_file(
        self,
        actor: Actor,
        path: str | Path,
        data: TvdInput,
        *,
        mask: str | None = None,
        sheet: str | int | None = None,
        mapping: ColumnMapping | None = None,
        dry_run: bool = False,
    ) -> TvdImportResult:
        """Import a TVD file (all-or-nothing) as a new table for its period.

        Raises:
            TrdHeaderNotRecognised: ask for a column mapping.
            ImportFileError: every row problem; nothing written.
            ValidationError: a period that ends before it starts.
        """
        if data.period_start and data.period_end and data.period_end < data.period_start:
            raise ValidationError("tvd.period", N_("El periodo termina antes de empezar."))
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            code_mask = CodeMask.from_pattern(mask or load_parameters(s).trd_code_mask)
            parsed = parse_tvd(path, mask=code_mask, mapping=mapping, sheet=sheet,
                               dependencia=data.dependencia_code or None)  # fmt: skip
            t = TvdTable(
                name=data.name.strip() or parsed.oficina_productora or Path(path).stem,
                period_start=data.period_start, period_end=data.period_end,
                dependencia_code=data.dependencia_code or parsed.oficina_code,
                dependencia_name=data.dependencia_name or parsed.oficina_productora,
                entidad=parsed.entidad, approval_act=data.approval_act,
                approval_date=data.approval_date, convalidation_date=data.convalidation_date,
                rusd_certificate=data.rusd_certificate, source_file=Path(path).name,
            )  # fmt: skip
            s.add(t)
            s.flush()
            for pos, r in enumerate(parsed.series):
                s.add(TvdRule(tvd_id=t.id, dependencia_code=r.code.dependencia, serie_code=r.code.serie,
                              subserie_code=r.code.subserie, serie_name=r.serie_name, name=r.name,
                              ac_years=r.ac_years, disposition=r.disposition.value,
                              procedure=r.procedure, position=pos))  # fmt: skip
            s.flush()
            result = TvdImportResult(
                t.id, parsed.file, len(parsed.series), dry_run, parsed, Changes(records=True)
            )
            if dry_run:
                return result
            write_audit(uow, self.rt, actor, module="retencion", action="tvd.import",
                        entity="tvd_table", entity_id=t.id, after=snapshot(t))  # fmt: skip
            uow.commit()
            return result

    def delete(self, actor: Actor, tvd_id: str) -> Changes:
        """Soft-delete a TVD (kept in the audit)."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            t = uow.session.get(TvdTable, tvd_id)
            if t is None or t.deleted_at is not None:
                raise NotFound("tvd.not_found", N_("No existe la TVD."))
            before = snapshot(t)
            t.deleted_at = self.rt.now()
            write_audit(uow, self.rt, actor, module="retencion", action="tvd.delete",
                        entity="tvd_table", entity_id=t.id, before=before)  # fmt: skip
            uow.commit()
        return Changes(records=True)
