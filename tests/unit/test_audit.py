"""The audit trail: complete fields, hash chain tamper detection, safe exports."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from archive.db.models import AuditLog
from archive.domain.errors import ValidationError
from archive.services.audit import AuditFilter


@pytest.fixture
def trail(services, admin):
    services.org.add_dependencia(admin, code="100", name="=HYPERLINK(\"http://x\",\"clic\")")
    services.org.add_dependencia(admin, code="110", name="Secretaría General")
    services.users.add(admin, username="ana", full_name="+Ana", role_code="consulta", password="Pradera-2026x")
    services.auth.login("ana", "Pradera-2026x")
    return services


def test_chain_verifies_and_every_row_has_the_promised_fields(trail, admin) -> None:
    report = trail.audit.verify(admin)
    assert report.ok and report.rows >= 5 and report.chains == 1
    with trail.rt.db.sessions() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "dependencia.add")).first()
    assert row.username == "admin" and row.module == "organizacion"
    assert row.workstation == "A01" and row.host == "test-host" and row.ip == "127.0.0.1"
    assert row.program == "Legajo 0.1.0" and row.profile == "escritorio/administrador"
    assert row.entity == "dependencia" and row.entity_id
    assert row.after["code"] == "100" and row.before is None
    assert row.at.tzinfo is not None
    assert [row.extra1, row.extra2, row.extra3, row.extra4, row.extra5] == [""] * 5


@pytest.mark.parametrize(
    ("sql", "kinds"),
    [
        ("UPDATE audit_log SET username = 'otro' WHERE chain_seq = 3", {"hash"}),
        ("UPDATE audit_log SET after = '{\"code\":\"999\"}' WHERE chain_seq = 2", {"hash"}),
        ("DELETE FROM audit_log WHERE chain_seq = 3", {"gap", "link"}),
        ("UPDATE audit_log SET chain_seq = CASE chain_seq WHEN 2 THEN 3 ELSE 2 END WHERE chain_seq IN (2, 3)", {"hash", "link"}),
    ],
    ids=["edited-field", "edited-json", "deleted-row", "reordered"],
)
def test_tampering_is_detected(trail, admin, sql, kinds) -> None:
    with trail.rt.db.engine.begin() as conn:
        if "CASE" in sql:  # swap two rows' positions without tripping the unique constraint
            conn.execute(text("UPDATE audit_log SET chain_seq = -chain_seq WHERE chain_seq IN (2, 3)"))
            sql = "UPDATE audit_log SET chain_seq = CASE chain_seq WHEN -2 THEN 3 ELSE 2 END WHERE chain_seq IN (-2, -3)"
        conn.execute(text(sql))
    report = trail.audit.verify(admin)
    assert not report.ok
    assert {p.kind for p in report.problems} >= kinds
    assert {p.workstation for p in report.problems} == {"A01"}


def test_csv_export_neutralises_formulas_and_is_audited(trail, admin, tmp_path) -> None:
    out = tmp_path / "auditoria.csv"
    n = trail.audit.export(admin, AuditFilter(), out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][:4] == ["Fecha y hora", "Usuario", "Módulo", "Acción"]
    assert len(rows) == n + 1
    cells = [c for r in rows[1:] for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'{") or "HYPERLINK" in c for c in cells)
    assert not out.with_name("auditoria.csv.part").exists()
    with trail.rt.db.sessions() as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.chain_seq.desc())).first()
    assert last.action == "audit.export" and last.after["rows"] == n


def test_xlsx_export_with_filters(trail, admin, tmp_path) -> None:
    out = tmp_path / "auditoria.xlsx"
    n = trail.audit.export(admin, AuditFilter(username="ana", date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)), out)
    ws = load_workbook(out).active
    values = list(ws.iter_rows(values_only=True))
    assert n == len(values) - 1 == 1  # ana's login on the fixed test clock day
    assert values[1][1] == "ana" and values[1][3] == "auth.login"
    assert trail.audit.export(admin, AuditFilter(date_from=date(2026, 3, 3)), tmp_path / "vacio.xlsx") == 0


def test_export_refuses_unknown_formats(trail, admin, tmp_path) -> None:
    with pytest.raises(ValidationError) as e:
        trail.audit.export(admin, AuditFilter(), tmp_path / "a.pdf")
    assert e.value.code == "export.format"


def test_viewer_queries_page_by_id(trail, admin) -> None:
    ids = trail.audit.ids(admin, AuditFilter(module="organizacion"))
    assert len(ids) == 2
    entries = trail.audit.entries(admin, ids)
    assert {e.action for e in entries.values()} == {"dependencia.add"}
    assert "organizacion" in trail.audit.modules(admin)
