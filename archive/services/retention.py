"""The retention engine: due dates of every expediente, and the due lists.

For every expediente the engine finds the TRD rule of its serie/subserie in the TRD version in
force at its reference date (the opening date by default, the closing date if the entity says so;
``Parameters.retention_version_by``) and stores ``trd_rule_id``; for a closed expediente it also
stores ``fin_gestion = cierre + AG`` and ``fin_central = fin_gestion + AC`` (or counted from 31
December of the closing year, ``Parameters.retention_count_from_dec31``). An expediente produced
before the first TRD version of its dependencia gets no rule (fondos acumulados: TVD), and an
open one gets no due dates.

Due dates are derived data: the bulk path (:func:`recompute`) reads ISO strings, computes with
:func:`archive.domain.retention.compute_due_dates_iso` and writes only the rows that changed with
``executemany`` in chunks, inside the caller's transaction. They live in ``expediente_due``
(:class:`~archive.db.models.ExpedienteDue`), a narrow local table that does not sync: a
recompute never touches the expediente row (no conflict with a clerk's edit, no rewrite of the
wide table), and every site recomputes them from the synced TRD, dates and observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive.db.engine import bulk_page_cache
from archive.db.models import Dependencia, Expediente, ExpedienteDue, Serie, TrdRule, TrdVersion
from archive.domain.codes import CodeMask, render_code
from archive.domain.disposition import Disposition
from archive.domain.errors import NotFound, ValidationError
from archive.domain.parameters import Parameters
from archive.domain.permissions import Permission
from archive.domain.progress import Progress, no_progress
from archive.domain.retention import compute_due_dates_iso
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.holds import active_holds, held_expedientes
from archive.services.parameters import load_parameters
from archive.services.retention_sql import EXTENSIONS_SQL, recompute_sqlite
from archive.services.runtime import Actor, Runtime

_CHUNK = 20_000
_END = "9999-12-31"
STAGES = ("gestion", "central")


@dataclass(frozen=True)
class RecomputeResult:
    """How many expedientes were examined and how many rows changed."""

    examined: int
    updated: int
    with_rule: int
    changes: Changes


@dataclass(frozen=True)
class DueFilter:
    """A due list: ``gestion`` (to transfer to the central archive: stage gestión and
    ``fin_gestion`` reached) or ``central`` (to dispose: stage central and ``fin_central``
    reached), as of a day (``None`` = today), with optional filters."""

    stage: str = "gestion"
    as_of: date | None = None
    dependencia_code: str = ""
    serie_code: str = ""
    #: "", "CT", "E", "S" or "MD": only rules with that disposition flag.
    disposition: str = ""
    #: Leave out expedientes under a legal hold.
    exclude_held: bool = False


@dataclass(frozen=True)
class DueRow:
    id: str
    number: str
    title: str
    dependencia_code: str
    code: str
    serie_name: str
    closed_on: date | None
    fin_gestion: date | None
    fin_central: date | None
    ag_years: int
    ac_years: int
    disposition: str
    on_hold: bool


# --- the engine -----------------------------------------------------------------------------

RuleIndex = dict[tuple[str, str | None], list[tuple[str, str, str, int, int]]]


def rule_index(session: Session) -> RuleIndex:
    """``(serie_id, subserie_id) → [(valid_from, valid_to, rule_id, ag, ac)]`` (ISO dates)."""
    rows = session.execute(
        select(
            TrdRule.serie_id, TrdRule.subserie_id, TrdRule.id, TrdRule.ag_years,
            TrdRule.ac_years, TrdVersion.valid_from, TrdVersion.valid_to,
        )
        .join(TrdVersion, TrdVersion.id == TrdRule.version_id)
        .where(TrdRule.deleted_at.is_(None), TrdVersion.deleted_at.is_(None),
               TrdRule.serie_id.is_not(None))
    )  # fmt: skip
    index: RuleIndex = defaultdict(list)
    for serie_id, sub_id, rule_id, ag, ac, start, end in rows:
        index[(str(serie_id), sub_id)].append(
            (start.isoformat(), end.isoformat() if end else _END, rule_id, ag, ac)
        )
    for versions in index.values():
        versions.sort()
    return index


def recompute(
    session: Session,
    params: Parameters,
    *,
    dependencia_ids: Sequence[str] | None = None,
    expediente_ids: Sequence[str] | None = None,
    progress: Progress = no_progress,
    in_python: bool = False,
) -> tuple[int, int, int]:
    """Recompute due dates in the session's transaction (the caller commits).

    On SQLite the work runs inside the database (``archive.services.retention_sql``); elsewhere,
    or with ``in_python``, rows stream through the driver and the dates come from
    :func:`compute_due_dates_iso`, written back with ``executemany`` in chunks. Both write only
    the rows whose values change.

    Args:
        session: The unit of work's session.
        params: Entity parameters (31-Dec option, version reference date).
        dependencia_ids: Only these dependencias' expedientes (``None``: all).
        expediente_ids: Only these expedientes (the hook for closing or reclassifying one:
            call it in the same unit of work).
        progress: ``progress(done, total, label)``.

    Returns:
        ``(examined, updated, with_rule)``.
    """
    index = rule_index(session)
    dec31 = params.retention_count_from_dec31
    by_closing = params.retention_version_by == "cierre"
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    if conn.dialect.name == "sqlite" and not in_python:
        where, sql_args = "", []
        for column, ids in (("dependencia_id", dependencia_ids), ("id", expediente_ids)):
            if ids is not None:
                where += (
                    f" AND e.{column} IN ({', '.join('?' * len(ids))})" if ids else " AND 1 = 0"
                )
                sql_args += list(ids)
        progress(0, 0, N_("Recalculando plazos de retención"))
        with bulk_page_cache(conn):
            out = recompute_sqlite(
                conn, index, dec31=dec31, by_closing=by_closing, where=where, args=sql_args
            )
        progress(out[0], out[0], N_("Recalculando plazos de retención"))
        return out
    mark = "%s" if pg else "?"
    cols = ("e.opened_on::text, e.closed_on::text, d.fin_gestion::text, d.fin_central::text" if pg
            else "e.opened_on, e.closed_on, d.fin_gestion, d.fin_central")  # fmt: skip
    where, args = "e.deleted_at IS NULL", []
    for column, ids in (("dependencia_id", dependencia_ids), ("id", expediente_ids)):
        if ids is not None:
            where += f" AND e.{column} IN ({', '.join([mark] * len(ids))})" if ids else " AND 1 = 0"
            args += list(ids)
    select_sql = (
        f"SELECT e.id, e.serie_id, e.subserie_id, d.trd_rule_id, {cols} FROM expediente AS e "
        f"LEFT JOIN expediente_due AS d ON d.expediente_id = e.id WHERE {where}"
    )
    extended = {str(k): int(v) for k, v in conn.exec_driver_sql(EXTENSIONS_SQL)}
    total = (
        conn.exec_driver_sql(f"SELECT count(*) FROM expediente AS e WHERE {where}", tuple(args)).scalar()
        or 0
    )
    cast = "::date" if pg else ""
    upsert_sql = (
        f"INSERT INTO expediente_due (expediente_id, trd_rule_id, fin_gestion, fin_central) "
        f"VALUES ({mark}, {mark}, {mark}{cast}, {mark}{cast}) ON CONFLICT (expediente_id) DO UPDATE SET "
        f"trd_rule_id = excluded.trd_rule_id, fin_gestion = excluded.fin_gestion, "
        f"fin_central = excluded.fin_central"
    )
    delete_sql = f"DELETE FROM expediente_due WHERE expediente_id = {mark}"
    result = conn.exec_driver_sql(
        select_sql, tuple(args), execution_options={"stream_results": True}
    )
    pending = result.fetchall() if args else None
    examined = updated = with_rule = 0
    while True:
        if pending is None:
            chunk = result.fetchmany(_CHUNK)
        else:
            chunk, pending = pending[:_CHUNK], pending[_CHUNK:]
        if not chunk:
            break
        found: list[tuple[str, int, int] | None] = []
        inputs: list[tuple[str | None, int, int, bool]] = []
        for eid, serie_id, sub_id, _rule, opened, closed, _g, _c in chunk:
            ref = (closed or opened) if by_closing else (opened or closed)
            rule = None
            versions = (
                index.get((serie_id, sub_id)) or index.get((serie_id, None)) if serie_id else None
            )
            if versions and ref:
                ref = ref[:10]
                for v_from, v_to, r_id, ag, ac in versions:
                    if v_from <= ref <= v_to:
                        rule = (r_id, ag, ac)
                        break
            found.append(rule)
            inputs.append(
                (closed, rule[1], rule[2] + extended.get(eid, 0), dec31) if rule and closed
                else (None, 0, 0, False)
            )  # fmt: skip
        upserts, deletes = [], []
        for row, hit, due in zip(chunk, found, compute_due_dates_iso(inputs), strict=True):
            eid, _s, _b, old_rule, _o, _cl, old_g, old_c = row
            rule_id: str | None = hit[0] if hit else None
            g: str | None = due[0] if due else None
            c: str | None = due[1] if due else None
            if rule_id is not None:
                with_rule += 1
            if rule_id != old_rule or g != (old_g and old_g[:10]) or c != (old_c and old_c[:10]):
                if rule_id is None:
                    deletes.append((eid,))
                else:
                    upserts.append((eid, rule_id, g, c))
        if deletes:
            conn.exec_driver_sql(delete_sql, deletes)
        if upserts:
            conn.exec_driver_sql(upsert_sql, upserts)
        examined += len(chunk)
        updated += len(upserts) + len(deletes)
        progress(examined, total, N_("Recalculando plazos de retención"))
    return examined, updated, with_rule


# --- the service ----------------------------------------------------------------------------


class RetentionService:
    """Recomputation of due dates and the due lists (to transfer, to dispose)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def recompute(
        self, actor: Actor, *, dependencia_code: str = "", progress: Progress = no_progress
    ) -> RecomputeResult:
        """Recompute every expediente's due dates (or one dependencia's). Audited."""
        with self.rt.uow(actor, Permission.RETENTION_MANAGE) as uow:
            s = uow.session
            deps = None
            if dependencia_code:
                deps = [_dependencia_id(s, dependencia_code)]
            examined, updated, with_rule = recompute(
                s, load_parameters(s), dependencia_ids=deps, progress=progress
            )
            write_audit(uow, self.rt, actor, module="retencion", action="retention.recompute",
                        entity="expediente", entity_id=dependencia_code or "*",
                        after={"examined": examined, "updated": updated, "with_rule": with_rule})  # fmt: skip
            uow.commit()
        return RecomputeResult(examined, updated, with_rule, Changes(records=updated > 0))

    def due_count(self, actor: Actor, f: DueFilter) -> int:
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = self._query(uow.session, actor, f, select(func.count(Expediente.id)))
            return uow.session.scalar(q) or 0

    def due_window(self, actor: Actor, f: DueFilter, offset: int, limit: int) -> list[str]:
        """Ids of rows ``offset … offset+limit`` of the due list, oldest due date first."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            col = ExpedienteDue.fin_gestion if f.stage == "gestion" else ExpedienteDue.fin_central
            q = self._query(uow.session, actor, f, select(Expediente.id))
            q = q.order_by(col, Expediente.id).offset(max(offset, 0)).limit(limit)
            return list(uow.session.scalars(q))

    def due_rows(self, actor: Actor, ids: Sequence[str]) -> dict[str, DueRow]:
        """Display rows of a due list by id (dates as dates; code rendered with the mask)."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            s = uow.session
            mask = CodeMask.from_pattern(load_parameters(s).trd_code_mask)
            q = (
                select(Expediente, Dependencia.code, TrdRule, ExpedienteDue)
                .join(Dependencia, Dependencia.id == Expediente.dependencia_id)
                .outerjoin(ExpedienteDue, ExpedienteDue.expediente_id == Expediente.id)
                .outerjoin(TrdRule, TrdRule.id == ExpedienteDue.trd_rule_id)
                .where(Expediente.id.in_(list(ids)))
            )
            if actor.own_dependencia_only:
                q = q.where(Expediente.dependencia_id == actor.dependencia_id)
            held = held_expedientes(s, list(ids))
            out = {}
            for e, dep, rule, due in s.execute(q):
                code = (
                    render_code(rule.dependencia_code, rule.serie_code, rule.subserie_code, mask)
                    if rule
                    else ""
                )
                out[e.id] = DueRow(
                    e.id, e.number, e.title, dep, code, rule.serie_name if rule else "",
                    e.closed_on, due.fin_gestion if due else None, due.fin_central if due else None,
                    rule.ag_years if rule else 0, rule.ac_years if rule else 0,
                    Disposition(rule.disposition).label if rule else "", e.id in held,
                )  # fmt: skip
            return out

    def due(self, actor: Actor, f: DueFilter, *, limit: int = 100_000) -> list[DueRow]:
        """The whole due list (CLI, exports), oldest due date first."""
        ids = self.due_window(actor, f, 0, limit)
        rows = self.due_rows(actor, ids)
        return [rows[i] for i in ids if i in rows]

    def _query(self, s: Session, actor: Actor, f: DueFilter, q: Select[Any]) -> Select[Any]:
        if f.stage not in STAGES:
            raise ValidationError(
                "retention.stage",
                N_("Etapa no válida: «{stage}» (gestion o central)."),
                stage=f.stage,
            )
        as_of = f.as_of or self.rt.now().date()
        e, d = Expediente, ExpedienteDue
        q = q.join(d, d.expediente_id == e.id).where(e.deleted_at.is_(None), e.stage == f.stage)
        col = d.fin_gestion if f.stage == "gestion" else d.fin_central
        q = q.where(col.is_not(None), col <= as_of)
        if actor.own_dependencia_only:
            q = q.where(e.dependencia_id == actor.dependencia_id)
        if f.dependencia_code:
            q = q.where(e.dependencia_id == _dependencia_id(s, f.dependencia_code))
        if f.serie_code:
            q = q.where(e.serie_id.in_(select(Serie.id).where(Serie.code == f.serie_code)))
        if f.disposition:
            flag = _FLAGS.get(f.disposition.upper().replace("/", ""))
            if flag is None:
                raise ValidationError(
                    "retention.disposition_filter",
                    N_("Disposición no válida: «{value}» (CT, E, S o MD)."),
                    value=f.disposition,
                )
            q = q.where(
                d.trd_rule_id.in_(
                    select(TrdRule.id).where(TrdRule.disposition.op("&")(flag.value) != 0)
                )
            )
        if f.exclude_held and active_holds(s):
            ids = list(s.scalars(q.with_only_columns(e.id)))
            held = held_expedientes(s, ids)
            if held:
                q = q.where(e.id.not_in(list(held)))
        return q


_FLAGS = {"CT": Disposition.CT, "E": Disposition.E, "S": Disposition.S, "MD": Disposition.MD}


def _dependencia_id(s: Session, code: str) -> str:
    dep_id = s.scalar(
        select(Dependencia.id).where(
            Dependencia.code == code.strip(), Dependencia.deleted_at.is_(None)
        )
    )
    if dep_id is None:
        raise NotFound(
            "dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code
        )
    return dep_id
