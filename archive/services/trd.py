"""TRD versions and rules: import, edit, list, and the printable document.

A TRD belongs to one dependencia and is versioned: a new version starts on ``valid_from`` and the
previous open version ends the day before (never overlapping, never retro-applied: expedientes
produced before the first version get no rule). Every change recomputes the due dates of the
dependencia's expedientes in the same transaction (``archive.services.retention.recompute``).

Imports are all-or-nothing: the file is parsed and validated completely (``archive.io.
trd_import``) before anything is written; a file whose codes name several dependencias creates one
version per dependencia, in one transaction. Importing also completes the classification
(``serie``/``subserie`` catalog rows the expedientes point at).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Serie, Subserie, TrdRule, TrdVersion
from archive.db.uow import stale_conflict
from archive.domain.codes import CodeMask, CodeParts, normalize_part
from archive.domain.disposition import Disposition
from archive.domain.errors import NotFound, ValidationError
from archive.domain.ids import uuid7
from archive.domain.permissions import Permission
from archive.domain.retention import RetentionRule, Soporte, TrdSubserie
from archive.domain.trd_document import TrdDocRow, TrdDocument
from archive.i18n import N_
from archive.io.trd_columns import ColumnMapping
from archive.io.trd_import import TrdTable, parse_trd
from archive.services.audit_log import snapshot, write_audit
from archive.services.changes import Changes
from archive.services.parameters import load_parameters
from archive.services.retention import recompute
from archive.services.runtime import Actor, Runtime


@dataclass(frozen=True)
class TrdApproval:
    """Validity and approval data of a version (AGN_NOTES §1.7 item 6)."""

    valid_from: date
    approval_act: str = ""
    approval_date: date | None = None
    committee_act: str = ""
    convalidation_date: date | None = None
    convalidation_body: str = ""
    rusd_certificate: str = ""
    notes: str = ""


@dataclass(frozen=True)
class TrdRuleInput:
    """A serie without subseries (``subserie_code == ""``) or a subserie, as edited."""

    serie_code: str
    subserie_code: str
    serie_name: str
    name: str
    ag_years: int
    ac_years: int
    disposition: Disposition
    procedure: str
    soporte: frozenset[Soporte] = frozenset({Soporte.PAPEL})
    tipos: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrdVersionRow:
    id: str
    dependencia_code: str
    dependencia_name: str
    number: int
    valid_from: date
    valid_to: date | None
    approval_act: str
    approval_date: date | None
    convalidation_date: date | None
    rusd_certificate: str
    rules: int
    version: int


@dataclass(frozen=True)
class TrdRuleRow:
    id: str
    version_id: str
    dependencia_code: str
    serie_code: str
    subserie_code: str
    serie_name: str
    name: str
    ag_years: int
    ac_years: int
    disposition: Disposition
    soporte: frozenset[Soporte]
    procedure: str
    tipos: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class TrdImportResult:
    """What an import did (or would do, with ``dry_run``)."""

    file: str
    version_ids: tuple[str, ...]
    dependencias: tuple[str, ...]
    series: int
    rules: int
    expedientes_updated: int
    dry_run: bool
    table: TrdTable | None = None
    changes: Changes = field(default_factory=Changes)


def _soporte_text(soporte: frozenset[Soporte]) -> str:
    return ",".join(s.value for s in Soporte if s in soporte)


def _soporte_set(text: str) -> frozenset[Soporte]:
    return frozenset(Soporte(v) for v in text.split(",") if v)


def _rule_row(r: TrdRule) -> TrdRuleRow:
    return TrdRuleRow(
        r.id, r.version_id, r.dependencia_code, r.serie_code, r.subserie_code, r.serie_name,
        r.name, r.ag_years, r.ac_years, Disposition(r.disposition), _soporte_set(r.soporte),
        r.procedure, tuple(r.tipos or ()), r.version,
    )  # fmt: skip


class TrdService:
    """TRD versions: import, edit, list, document."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # --- reading --------------------------------------------------------------------------

    def versions(self, actor: Actor, dependencia_code: str = "") -> list[TrdVersionRow]:
        """Versions by dependencia code, then number."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            counts = (
                select(TrdRule.version_id, func.count().label("n"))
                .where(TrdRule.deleted_at.is_(None))
                .group_by(TrdRule.version_id)
                .subquery()
            )
            q = (
                select(TrdVersion, Dependencia.code, Dependencia.name, counts.c.n)
                .join(Dependencia, Dependencia.id == TrdVersion.dependencia_id)
                .outerjoin(counts, counts.c.version_id == TrdVersion.id)
                .where(TrdVersion.deleted_at.is_(None))
                .order_by(Dependencia.code, TrdVersion.number)
            )
            if dependencia_code:
                q = q.where(Dependencia.code == dependencia_code)
            return [
                TrdVersionRow(
                    v.id,
                    code,
                    name,
                    v.number,
                    v.valid_from,
                    v.valid_to,
                    v.approval_act,
                    v.approval_date,
                    v.convalidation_date,
                    v.rusd_certificate,
                    n or 0,
                    v.version,
                )
                for v, code, name, n in s.execute(q)
            ]

    def rules(self, actor: Actor, version_id: str) -> list[TrdRuleRow]:
        """The rules of a version in table order."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = (
                select(TrdRule)
                .where(TrdRule.version_id == version_id, TrdRule.deleted_at.is_(None))
                .order_by(TrdRule.position, TrdRule.serie_code, TrdRule.subserie_code)
            )
            return [_rule_row(r) for r in uow.session.scalars(q)]

    def document(self, actor: Actor, version_id: str) -> TrdDocument:
        """The version as plain data for the AGN-layout PDF/XLSX."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            v = _version(s, version_id)
            dep = s.get(Dependencia, v.dependencia_id)
            assert dep is not None
            parent = s.get(Dependencia, dep.parent_id) if dep.parent_id else None
            rules = s.scalars(
                select(TrdRule)
                .where(TrdRule.version_id == v.id, TrdRule.deleted_at.is_(None))
                .order_by(TrdRule.position, TrdRule.serie_code, TrdRule.subserie_code)
            )
            rows: list[TrdDocRow] = []
            last_serie = None
            for r in rules:
                disp = Disposition(r.disposition)
                sop = _soporte_set(r.soporte)
                if not r.subserie_code:
                    rows.append(TrdDocRow(r.dependencia_code, r.serie_code, "", r.serie_name, True,
                                          tuple(r.tipos or ()), sop, r.ag_years, r.ac_years, disp, r.procedure))  # fmt: skip
                    last_serie = None
                    continue
                if last_serie != r.serie_code:
                    rows.append(TrdDocRow(r.dependencia_code, r.serie_code, "", r.serie_name, True))
                    last_serie = r.serie_code
                rows.append(TrdDocRow(r.dependencia_code, r.serie_code, r.subserie_code, r.name, False,
                                      tuple(r.tipos or ()), sop, r.ag_years, r.ac_years, disp, r.procedure))  # fmt: skip
            from archive.db.models import Entity

            entity = s.scalar(select(Entity.name).where(Entity.deleted_at.is_(None)))
            return TrdDocument(
                entidad=v.entidad or entity or "",
                unidad_administrativa=v.unidad_administrativa or (parent.name if parent else ""),
                oficina_productora=v.oficina_productora or dep.name,
                oficina_code=dep.code, version=v.number, valid_from=v.valid_from,
                valid_to=v.valid_to, approval_act=v.approval_act, approval_date=v.approval_date,
                committee_act=v.committee_act, convalidation_date=v.convalidation_date,
                convalidation_body=v.convalidation_body, rusd_certificate=v.rusd_certificate,
                rows=tuple(rows),
            )  # fmt: skip

    # --- importing ------------------------------------------------------------------------

    def import_file(
        self,
        actor: Actor,
        path: str | Path,
        approval: TrdApproval,
        *,
        dependencia_code: str | None = None,
        mask: str | None = None,
        sheet: str | int | None = None,
        mapping: ColumnMapping | None = None,
        dry_run: bool = False,
    ) -> TrdImportResult:
        """Import a TRD file as a new version of each dependencia it covers.

        Args:
            actor: Who imports (RETENTION_MANAGE).
            path: XLSX or CSV file.
            approval: Validity start and approval data of the new version(s).
            dependencia_code: Office for codes that do not say (header block or rows first).
            mask: Code mask pattern for a one-column code (default: the entity parameter).
            sheet: XLSX sheet name or index.
            mapping: Columns chosen in the mapping step when headers are not recognised.
            dry_run: Parse and validate everything, then roll back (the wizard's preview).

        Raises:
            TrdHeaderNotRecognised: ask the user for a column mapping.
            ImportFileError: every row problem; nothing written.
            ValidationError: a version that would not start after the current one.
        """
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            params = load_parameters(s)
            code_mask = CodeMask.from_pattern(mask or params.trd_code_mask)
            table = parse_trd(path, mask=code_mask, mapping=mapping, sheet=sheet,
                              dependencia=dependencia_code)  # fmt: skip
            groups: dict[str, list[TrdSubserie]] = defaultdict(list)
            for serie in table.series:
                for sub in serie.subseries:
                    dep_code = sub.code.dependencia or normalize_part(dependencia_code or "")
                    if not dep_code:
                        raise ValidationError(
                            "trd.dependencia_needed",
                            N_("El archivo {file} no dice a qué dependencia pertenece; indíquela."),
                            file=table.file,
                        )
                    groups[dep_code].append(sub)
            version_ids = []
            dep_ids = []
            for code, subs in groups.items():
                dep = _dependencia(s, code)
                v = _new_version(s, dep, approval, table, Path(path).name)
                names = {x.code.serie: x.name for x in table.series}
                cat = _Catalog(s, dep)
                with s.no_autoflush:
                    for pos, sub in enumerate(subs):
                        _add_rule(
                            s, v, dep, pos, _input_of(sub, names.get(sub.code.serie, sub.name)), cat
                        )
                version_ids.append(v.id)
                dep_ids.append(dep.id)
            s.flush()
            _, updated, _ = recompute(s, params, dependencia_ids=dep_ids)
            result = TrdImportResult(
                table.file, tuple(version_ids), tuple(groups), len(table.series),
                sum(len(x) for x in groups.values()), updated, dry_run, table,
                Changes(records=True),
            )  # fmt: skip
            if dry_run:
                return result
            write_audit(uow, self.rt, actor, module="retencion", action="trd.import",
                        entity="trd_version", entity_id=",".join(version_ids),
                        after={"file": table.file, "dependencias": list(groups),
                               "rules": result.rules, "valid_from": approval.valid_from.isoformat()})  # fmt: skip
            uow.commit()
            return result

    # --- editing --------------------------------------------------------------------------

    def create_version(
        self,
        actor: Actor,
        dependencia_code: str,
        approval: TrdApproval,
        *,
        copy_from: str | None = None,
    ) -> str:
        """A new (empty, or copied from ``copy_from``) version starting ``approval.valid_from``."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            dep = _dependencia(s, dependencia_code)
            v = _new_version(s, dep, approval, None, "")
            if copy_from:
                src = _version(s, copy_from)
                cat = _Catalog(s, dep)
                for r in s.scalars(
                    select(TrdRule).where(
                        TrdRule.version_id == src.id, TrdRule.deleted_at.is_(None)
                    )
                ):
                    _add_rule(s, v, dep, r.position, _input_of_rule(r), cat)
            s.flush()
            recompute(s, load_parameters(s), dependencia_ids=[dep.id])
            write_audit(uow, self.rt, actor, module="retencion", action="trd.version_create",
                        entity="trd_version", entity_id=v.id, after=snapshot(v))  # fmt: skip
            uow.commit()
            return v.id

    def update_version(
        self,
        actor: Actor,
        version_id: str,
        approval: TrdApproval,
        *,
        expected_version: int | None = None,
    ) -> Changes:
        """Change approval data (and validity start, kept after the previous version's)."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            v = _version(s, version_id)
            if expected_version is not None and v.version != expected_version:
                raise stale_conflict()
            before = snapshot(v)
            prev = s.scalar(select(TrdVersion).where(
                TrdVersion.dependencia_id == v.dependencia_id, TrdVersion.number == v.number - 1,
                TrdVersion.deleted_at.is_(None)))  # fmt: skip
            if prev is not None:
                if approval.valid_from <= prev.valid_from:
                    raise _order_error(approval.valid_from, prev.valid_from)
                prev.valid_to = approval.valid_from - timedelta(days=1)
            if v.valid_to is not None and approval.valid_from > v.valid_to:
                raise _order_error(v.valid_to, approval.valid_from)
            _apply(v, approval)
            s.flush()
            recompute(s, load_parameters(s), dependencia_ids=[v.dependencia_id])
            write_audit(uow, self.rt, actor, module="retencion", action="trd.version_update",
                        entity="trd_version", entity_id=v.id, before=before, after=snapshot(v))  # fmt: skip
            uow.commit()
        return Changes(records=True)

    def save_rule(
        self, actor: Actor, version_id: str, data: TrdRuleInput, *, rule_id: str | None = None,
        expected_version: int | None = None,
    ) -> str:  # fmt: skip
        """Create (``rule_id`` None) or update a rule; recomputes the dependencia's due dates."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            v = _version(s, version_id)
            dep = s.get(Dependencia, v.dependencia_id)
            assert dep is not None
            if rule_id is None:
                pos = (
                    s.scalar(select(func.max(TrdRule.position)).where(TrdRule.version_id == v.id))
                    or 0
                )
                rule = _add_rule(s, v, dep, pos + 1, data)
                before = None
            else:
                found = s.get(TrdRule, rule_id)
                if found is None or found.deleted_at is not None or found.version_id != v.id:
                    raise NotFound("trd.rule_not_found", N_("No existe la regla de retención."))
                rule = found
                if expected_version is not None and rule.version != expected_version:
                    raise stale_conflict()
                before = snapshot(rule)
                _fill_rule(s, rule, dep, data)
            s.flush()
            recompute(s, load_parameters(s), dependencia_ids=[dep.id])
            write_audit(uow, self.rt, actor, module="retencion", action="trd.rule_save",
                        entity="trd_rule", entity_id=rule.id, before=before, after=snapshot(rule))  # fmt: skip
            uow.commit()
            return rule.id

    def delete_rule(self, actor: Actor, rule_id: str) -> Changes:
        """Soft-delete a rule (its expedientes lose their due dates on recompute)."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            rule = s.get(TrdRule, rule_id)
            if rule is None or rule.deleted_at is not None:
                raise NotFound("trd.rule_not_found", N_("No existe la regla de retención."))
            before = snapshot(rule)
            rule.deleted_at = self.rt.now()
            s.flush()
            v = _version(s, rule.version_id)
            recompute(s, load_parameters(s), dependencia_ids=[v.dependencia_id])
            write_audit(uow, self.rt, actor, module="retencion", action="trd.rule_delete",
                        entity="trd_rule", entity_id=rule.id, before=before)  # fmt: skip
            uow.commit()
        return Changes(records=True)


# --- helpers ---------------------------------------------------------------------------------


def _order_error(new: date, old: date) -> ValidationError:
    return ValidationError(
        "trd.version_order",
        N_("La nueva versión debe empezar después del {old} (se indicó {new})."),
        old=old.strftime("%d/%m/%Y"),
        new=new.strftime("%d/%m/%Y"),
    )


def _dependencia(s: Session, code: str) -> Dependencia:
    wanted = normalize_part(code)
    for dep in s.scalars(select(Dependencia).where(Dependencia.deleted_at.is_(None))):
        if dep.code == code or normalize_part(dep.code) == wanted:
            return dep
    raise NotFound(
        "dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code
    )


def _version(s: Session, version_id: str) -> TrdVersion:
    v = s.get(TrdVersion, version_id)
    if v is None or v.deleted_at is not None:
        raise NotFound("trd.version_not_found", N_("No existe la versión de TRD."))
    return v


def _apply(v: TrdVersion, a: TrdApproval) -> None:
    v.valid_from, v.approval_act, v.approval_date = (
        a.valid_from,
        a.approval_act.strip(),
        a.approval_date,
    )
    v.committee_act, v.convalidation_date = a.committee_act.strip(), a.convalidation_date
    v.convalidation_body, v.rusd_certificate = (
        a.convalidation_body.strip(),
        a.rusd_certificate.strip(),
    )
    v.notes = a.notes


def _new_version(
    s: Session, dep: Dependencia, approval: TrdApproval, table: TrdTable | None, source: str
) -> TrdVersion:
    last = s.scalar(
        select(TrdVersion)
        .where(TrdVersion.dependencia_id == dep.id, TrdVersion.deleted_at.is_(None))
        .order_by(TrdVersion.number.desc())
        .limit(1)
    )
    if last is not None:
        if approval.valid_from <= last.valid_from:
            raise _order_error(approval.valid_from, last.valid_from)
        if last.valid_to is None or last.valid_to >= approval.valid_from:
            last.valid_to = approval.valid_from - timedelta(days=1)
    v = TrdVersion(
        dependencia_id=dep.id, number=(last.number + 1) if last else 1, source_file=source
    )
    _apply(v, approval)
    if table is not None:
        v.entidad, v.unidad_administrativa = table.entidad, table.unidad_administrativa
        v.oficina_productora = table.oficina_productora
    s.add(v)
    s.flush()
    return v


def _input_of(sub: TrdSubserie, serie_name: str) -> TrdRuleInput:
    return TrdRuleInput(
        sub.code.serie, sub.code.subserie, serie_name, sub.name, sub.ag_years, sub.ac_years,
        sub.disposition, sub.procedure, sub.soporte, sub.tipos,
    )  # fmt: skip


def _input_of_rule(r: TrdRule) -> TrdRuleInput:
    return TrdRuleInput(
        r.serie_code, r.subserie_code, r.serie_name, r.name, r.ag_years, r.ac_years,
        Disposition(r.disposition), r.procedure, _soporte_set(r.soporte), tuple(r.tipos or ()),
    )  # fmt: skip


def _add_rule(
    s: Session,
    v: TrdVersion,
    dep: Dependencia,
    pos: int,
    data: TrdRuleInput,
    cat: _Catalog | None = None,
) -> TrdRule:
    rule = TrdRule(id=uuid7(), version_id=v.id, position=pos)
    _fill_rule(s, rule, dep, data, cat)
    s.add(rule)
    return rule


class _Catalog:
    """The classification (serie/subserie rows) of one dependencia, loaded once per operation;
    missing entries are created with their ids set up front, so nothing flushes per rule."""

    def __init__(self, s: Session, dep: Dependencia) -> None:
        self.s, self.dep = s, dep
        self.series = {normalize_part(x.code): x for x in s.scalars(
            select(Serie).where(Serie.dependencia_id == dep.id, Serie.deleted_at.is_(None)))}  # fmt: skip
        ids = [x.id for x in self.series.values()]
        self.subs = {(x.serie_id, normalize_part(x.code)): x for x in s.scalars(
            select(Subserie).where(Subserie.serie_id.in_(ids), Subserie.deleted_at.is_(None)))}  # fmt: skip

    def serie(self, code: str, name: str) -> Serie:
        found = self.series.get(code)
        if found is None:
            found = self.series[code] = Serie(
                id=uuid7(), dependencia_id=self.dep.id, code=code, name=name
            )
            self.s.add(found)
        return found

    def subserie(self, serie: Serie, code: str, name: str) -> Subserie:
        found = self.subs.get((serie.id, code))
        if found is None:
            found = self.subs[(serie.id, code)] = Subserie(
                id=uuid7(), serie_id=serie.id, code=code, name=name
            )
            self.s.add(found)
        return found


def validate_rule(data: TrdRuleInput) -> CodeParts:
    """Check a rule as the editor and importer do; returns its canonical code parts.

    Raises:
        ValidationError: bad code parts, empty names, years or disposition/procedure rules.
    """
    code = CodeParts("", data.serie_code, data.subserie_code)
    if not code.serie:
        raise ValidationError("trd.serie_code", N_("Escriba el código de la serie."))
    if not data.serie_name.strip() or not data.name.strip():
        raise ValidationError("trd.name", N_("Escriba el nombre de la serie o subserie."))
    RetentionRule(data.ag_years, data.ac_years, data.disposition, data.procedure)
    return code


def _fill_rule(
    s: Session, rule: TrdRule, dep: Dependencia, data: TrdRuleInput, cat: _Catalog | None = None
) -> None:
    code = validate_rule(data)
    cat = cat or _Catalog(s, dep)
    serie = cat.serie(code.serie, data.serie_name.strip())
    sub = cat.subserie(serie, code.subserie, data.name.strip()) if code.subserie else None
    rule.dependencia_code, rule.serie_code, rule.subserie_code = dep.code, code.serie, code.subserie
    rule.serie_name, rule.name = data.serie_name.strip(), data.name.strip()
    rule.ag_years, rule.ac_years = data.ag_years, data.ac_years
    rule.disposition, rule.procedure = data.disposition.value, data.procedure.strip()
    rule.soporte, rule.tipos = _soporte_text(data.soporte), list(data.tipos)
    rule.serie_id, rule.subserie_id = serie.id, sub.id if sub else None
