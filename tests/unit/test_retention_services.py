"""TRD import into the database, versions in force, the retention engine and the due lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from archive.db.models import AuditLog, Expediente, Serie, TrdRule, TrdVersion
from archive.domain.disposition import Disposition
from archive.domain.errors import ImportFileError, ValidationError
from archive.io.trd_columns import TrdHeaderNotRecognised
from archive.services.expedientes import ExpedienteInput
from archive.services.retention import DueFilter
from archive.services.trd import TrdApproval, TrdRuleInput
from archive.services.tvd import TvdInput

TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"
CT, E, S, MD = Disposition.CT, Disposition.E, Disposition.S, Disposition.MD


@pytest.fixture
def dep(services, admin):
    services.org.add_dependencia(admin, code="110", name="Gestión Documental")
    return "110"


@pytest.fixture
def trd(services, admin, dep):
    return services.trd.import_file(
        admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1), approval_act="Resolución 1 de 2015")
    )


def exp(services, admin, number, opened, closed, serie="2", sub="1"):
    return services.expedientes.create(
        admin, ExpedienteInput("110", number, "Expediente " + number, serie, sub, opened, closed)
    )


def set_stage(services, eid, stage):
    """Stand-in for a transferencia primaria (part B)."""
    with services.rt.db.sessions() as s:
        s.connection().execute(text("UPDATE expediente SET stage = :s WHERE id = :i"), {"s": stage, "i": eid})
        s.commit()


def dues(services, admin, eid):
    with services.rt.db.sessions() as s:
        e = s.get(Expediente, eid)
        return e.trd_rule_id, e.fin_gestion, e.fin_central


def test_import_of_the_agn_fixture_writes_version_rules_and_catalog(services, admin, trd) -> None:
    assert trd.dependencias == ("110",) and trd.series == 4 and trd.rules == 7
    [v] = services.trd.versions(admin)
    assert (v.number, v.valid_from, v.valid_to, v.rules) == (1, date(2015, 1, 1), None, 7)
    rules = services.trd.rules(admin, v.id)
    first = rules[0]
    assert (first.serie_code, first.subserie_code, first.ag_years, first.ac_years) == ("2", "1", 2, 8)
    assert first.disposition == CT | MD and first.tipos == ("Citación", "Acta", "Anexos")
    assert any(r.subserie_code == "" and r.disposition == E for r in rules)  # serie without subseries
    with services.rt.db.sessions() as s:
        assert {x.code for x in s.scalars(select(Serie))} == {"2", "14", "17", "31"}
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "trd.import")) == 1


def test_csv_and_flat_fixtures_import_end_to_end(services, admin, dep) -> None:
    r = services.trd.import_file(admin, TRD / "trd_agn_110_cp1252.csv", TrdApproval(date(2016, 1, 1)))
    assert r.rules == 7


def test_a_bad_file_writes_nothing(services, admin, dep) -> None:
    with pytest.raises(ImportFileError) as err:
        services.trd.import_file(admin, TRD / "trd_errores.csv", TrdApproval(date(2015, 1, 1)), dependencia_code="110")
    assert err.value.problems and all(p.row > 0 for p in err.value.problems)
    with services.rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TrdVersion)) == 0
        assert s.scalar(select(func.count()).select_from(TrdRule)) == 0
        assert s.scalar(select(func.count()).select_from(Serie)) == 0


def test_unknown_headers_ask_for_a_mapping_and_nothing_is_written(services, admin, dep) -> None:
    with pytest.raises(TrdHeaderNotRecognised) as err:
        services.trd.import_file(admin, TRD / "trd_encabezados_desconocidos.csv", TrdApproval(date(2015, 1, 1)),
                                 dependencia_code="110")  # fmt: skip
    assert err.value.columns
    assert services.trd.versions(admin) == []


def test_dry_run_validates_and_rolls_back(services, admin, dep) -> None:
    r = services.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)), dry_run=True)
    assert r.dry_run and r.rules == 7 and r.table is not None
    assert services.trd.versions(admin) == []


def test_engine_dates_closing_leap_day_and_open(services, admin, trd) -> None:
    leap = exp(services, admin, "A-1", date(2016, 1, 4), date(2016, 2, 29))
    plain = exp(services, admin, "A-2", date(2017, 3, 1), date(2017, 6, 15))
    still_open = exp(services, admin, "A-3", date(2018, 1, 1), None)
    services.retention.recompute(admin)
    rule, g, c = dues(services, admin, leap)
    assert rule is not None and (g, c) == (date(2018, 2, 28), date(2026, 2, 28))
    assert dues(services, admin, plain)[1:] == (date(2019, 6, 15), date(2027, 6, 15))
    rule, g, c = dues(services, admin, still_open)
    assert rule is not None and (g, c) == (None, None)


def test_dec31_option_and_ag_zero(services, admin, trd) -> None:
    services.parameters.set(admin, "retention_count_from_dec31", "sí")
    v = services.trd.versions(admin)[0]
    services.trd.save_rule(admin, v.id, TrdRuleInput("40", "", "PLANILLAS", "PLANILLAS", 0, 5, E, "Se elimina."))
    a = exp(services, admin, "B-1", date(2019, 1, 10), date(2019, 3, 10))
    b = exp(services, admin, "B-2", date(2019, 1, 10), date(2019, 3, 10), serie="40", sub="")
    services.retention.recompute(admin)
    assert dues(services, admin, a)[1:] == (date(2021, 12, 31), date(2029, 12, 31))
    assert dues(services, admin, b)[1:] == (date(2019, 12, 31), date(2024, 12, 31))


def test_never_retro_applied_and_version_in_force(services, admin, trd) -> None:
    before_trd = exp(services, admin, "C-0", date(2014, 5, 1), date(2014, 9, 1))
    old = exp(services, admin, "C-1", date(2016, 5, 1), date(2016, 9, 1))
    new = exp(services, admin, "C-2", date(2021, 5, 1), date(2021, 9, 1))
    services.retention.recompute(admin)
    assert dues(services, admin, before_trd) == (None, None, None)  # fondos acumulados: TVD
    v1 = services.trd.versions(admin)[0]
    v2_id = services.trd.create_version(admin, "110", TrdApproval(date(2020, 1, 1), approval_act="Resolución 9 de 2020"),
                                        copy_from=v1.id)  # fmt: skip
    rule = next(r for r in services.trd.rules(admin, v2_id) if (r.serie_code, r.subserie_code) == ("2", "1"))
    services.trd.save_rule(admin, v2_id, TrdRuleInput("2", "1", "ACTAS", rule.name, 3, 10, CT, "Conservación total."),
                           rule_id=rule.id)  # fmt: skip
    versions = services.trd.versions(admin)
    assert versions[0].valid_to == date(2019, 12, 31) and versions[1].valid_from == date(2020, 1, 1)
    # save_rule recomputed the dependencia: the old expediente keeps version 1, the new one moves.
    assert dues(services, admin, old)[1:] == (date(2018, 9, 1), date(2026, 9, 1))
    assert dues(services, admin, new)[0] == rule.id
    assert dues(services, admin, new)[1:] == (date(2024, 9, 1), date(2034, 9, 1))


def test_versions_must_move_forward(services, admin, trd) -> None:
    with pytest.raises(ValidationError) as err:
        services.trd.create_version(admin, "110", TrdApproval(date(2014, 1, 1)))
    assert err.value.code == "trd.version_order"


def test_rule_edit_enforces_disposition_rules(services, admin, trd) -> None:
    v = services.trd.versions(admin)[0]
    for disp, proc, code in ((CT | E, "x", "disposition.ct_and_e"), (MD, "x", "disposition.md_alone"),
                             (S, " ", "disposition.selection_without_procedure"), (CT, "", "disposition.procedure_required")):  # fmt: skip
        with pytest.raises(ValidationError) as err:
            services.trd.save_rule(admin, v.id, TrdRuleInput("50", "", "X", "X", 1, 1, disp, proc))
        assert err.value.code == code
    with pytest.raises(ValidationError):
        services.trd.save_rule(admin, v.id, TrdRuleInput("50", "", "X", "X", -1, 1, CT, "p"))


def test_due_lists_and_filters(services, admin, trd, clock) -> None:
    due_g = exp(services, admin, "D-1", date(2016, 1, 1), date(2016, 6, 1))  # fin_gestion 2018
    exp(services, admin, "D-2", date(2025, 1, 1), date(2025, 6, 1))  # fin_gestion 2027: not due
    elim = exp(services, admin, "D-3", date(2016, 1, 1), date(2016, 6, 1), serie="31", sub="2")
    services.retention.recompute(admin)
    ids = {r.id for r in services.retention.due(admin, DueFilter("gestion", as_of=date(2026, 3, 2)))}
    assert ids == {due_g, elim}
    only_e = services.retention.due(admin, DueFilter("gestion", as_of=date(2026, 3, 2), disposition="E"))
    assert [r.id for r in only_e] == [elim] and only_e[0].disposition == "E"
    assert services.retention.due_count(admin, DueFilter("central", as_of=date(2030, 1, 1))) == 0
    set_stage(services, elim, "central")
    rows = services.retention.due(admin, DueFilter("central", as_of=date(2030, 1, 1)))
    assert [r.id for r in rows] == [elim] and rows[0].code == "110-31.2"


def test_recompute_is_incremental(services, admin, trd) -> None:
    exp(services, admin, "E-1", date(2016, 1, 1), date(2016, 6, 1))
    first = services.retention.recompute(admin)
    again = services.retention.recompute(admin)
    assert first.examined == again.examined == 1 and again.updated == 0


def test_document_groups_subseries_under_series(services, admin, trd) -> None:
    doc = services.trd.document(admin, trd.version_ids[0])
    assert doc.oficina_code == "110" and doc.approval_act == "Resolución 1 de 2015"
    heads = [r for r in doc.rows if r.is_serie and r.ag_years is None]
    assert [h.name for h in heads] == ["ACTAS", "INFORMES", "INSTRUMENTOS ARCHIVÍSTICOS"]


def test_tvd_import(services, admin) -> None:
    r = services.tvd.import_file(admin, TRD / "tvd_concejo.csv", TvdInput("Concejo 1980-1995", date(1980, 1, 1), date(1995, 12, 31)))
    assert r.rules > 0
    [t] = services.tvd.tables(admin)
    assert t.rules == r.rules
    assert all(x.ac_years >= 0 for x in services.tvd.rules(admin, t.id))


@pytest.mark.parametrize("dec31", [False, True])
@pytest.mark.parametrize("by", ["apertura", "cierre"])
def test_sqlite_fast_path_equals_the_python_path(services, admin, trd, dec31, by) -> None:
    """The in-database recompute (SQLite) and the streaming Python path agree row by row."""
    import random
    from dataclasses import replace as dc_replace

    from archive.services.parameters import load_parameters
    from archive.services.retention import recompute

    v1 = services.trd.versions(admin)[0]
    v2 = services.trd.create_version(admin, "110", TrdApproval(date(2020, 1, 1)), copy_from=v1.id)
    services.trd.save_rule(admin, v2, TrdRuleInput("2", "", "ACTAS", "ACTAS", 0, 3, E, "Se elimina."))
    rng = random.Random(5)
    pairs = [("2", "1"), ("2", "2"), ("14", ""), ("17", "3"), ("31", "2"), ("99", "")]
    services.trd.save_rule(admin, v2, TrdRuleInput("99", "", "OTRA", "OTRA", 4, 1, CT, "Conservar."))
    from datetime import timedelta

    for i in range(120):
        serie, sub = pairs[i % len(pairs)]
        year = rng.randint(2010, 2024)
        month, day = rng.choice([(1, 15), (2, 28), (6, 30), (12, 31)] + ([(2, 29)] * 3 if year % 4 == 0 else []))
        opened = date(year, month, day)
        closed = None if i % 7 == 0 else opened + timedelta(days=rng.choice([0, 1, 366, 1461]))
        services.expedientes.create(admin, ExpedienteInput("110", f"R-{i}", "R", serie, sub, None if i % 11 == 0 else opened, closed))
    with services.rt.db.sessions() as s:
        params = dc_replace(load_parameters(s), retention_count_from_dec31=dec31, retention_version_by=by)

    def run(in_python: bool) -> dict[str, tuple[object, object, object]]:
        with services.rt.db.sessions() as s:
            stats = recompute(s, params, in_python=in_python)
            values = {e.id: (e.trd_rule_id, e.fin_gestion, e.fin_central) for e in s.scalars(select(Expediente))}
            s.rollback()
            return stats, values

    python_stats, python_values = run(True)
    sql_stats, sql_values = run(False)
    assert python_values == sql_values
    assert python_stats == sql_stats
    assert sum(1 for v in sql_values.values() if v[1] is not None) > 50


def test_closing_an_expediente_computes_its_due_dates_at_once(services, admin, trd) -> None:
    """No recompute run needed: closing (alone or as a batch) starts the clock."""
    one = exp(services, admin, "2016-110-1", date(2016, 2, 1), None)
    assert dues(services, admin, one)[1:] == (None, None)
    services.expedientes.close(admin, one, date(2016, 11, 30))
    rule, fin_gestion, fin_central = dues(services, admin, one)
    assert rule is not None and fin_gestion is not None and fin_central is not None
    assert fin_gestion.year > 2016 and fin_central >= fin_gestion
    two = exp(services, admin, "2016-110-2", date(2016, 3, 1), None)
    batch = services.batches.apply(admin, services.batches.preview_close(admin, [two], date(2016, 11, 30)))
    assert dues(services, admin, two)[1:] == (fin_gestion, fin_central)
    services.batches.revert(admin, batch)  # re-opened: no due dates again
    assert dues(services, admin, two)[1:] == (None, None)


def test_a_recompute_rewriting_most_rows_drops_and_rebuilds_the_due_indexes(services, admin, trd) -> None:
    """Bulk path: with most rows changing, the due-date indexes are dropped and rebuilt once, with
    the same definitions, inside the recompute's transaction; the due list still uses them."""
    from archive.db.bulk import drop_indexes
    from archive.services.parameters import load_parameters
    from archive.services.retention import recompute

    ids = [exp(services, admin, f"B-{i}", date(2016, 1, 1), date(2016, 6, i + 1)) for i in range(12)]
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'expediente_due'"
    with services.rt.db.sessions() as s:
        before = {tuple(r) for r in s.execute(text(query))}
        assert {name for name, _ in before} == {"ix_expediente_due_gestion", "ix_expediente_due_central"}
        saved = drop_indexes(s.connection(), ["expediente_due"])
        assert set(saved) == before
        assert not list(s.execute(text(query)))
        s.rollback()
    with services.rt.db.sessions() as s:
        s.execute(text("DELETE FROM expediente_due"))
        _examined, updated, _with_rule = recompute(s, load_parameters(s))
        assert updated == len(ids)
        assert {tuple(r) for r in s.execute(text(query))} == before
        plan = " ".join(str(r[-1]) for r in s.execute(text(
            "EXPLAIN QUERY PLAN SELECT expediente_id FROM expediente_due WHERE fin_gestion <= '2030-01-01' "
            "ORDER BY fin_gestion, expediente_id")))
        assert "ix_expediente_due_gestion" in plan
        s.commit()
    assert all(dues(services, admin, i)[1] is not None for i in ids)
    with services.rt.db.engine.connect() as conn:
        assert {tuple(r) for r in conn.execute(text(query))} == before
