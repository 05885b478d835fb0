"""FUID: validation rules, the AGN layout in PDF (text and page count) and XLSX, the inventory
built from the database, the hoja de control and the actas."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from archive.domain.fuid import (
    ActaData,
    FuidDocument,
    FuidRow,
    FuidSigner,
    Objeto,
    entry_parts,
    validate,
)
from archive.io.fuid_export import FIRST_ROW, export_fuid_xlsx
from archive.services.fuid import FuidRequest
from reports.actas import render_acta_eliminacion, render_acta_transferencia
from reports.fuid_pdf import ROWS_PER_SHEET, render_fuid_pdf, sheet_count
from reports.hoja_control import render_hoja_control
from tests.unit import test_transfers
from tests.unit.test_transfers import make_exp

world = test_transfers.world  # the fixture

pdftotext = shutil.which("pdftotext")


def doc(n: int, objeto: Objeto = Objeto.TRANSFERENCIA_PRIMARIA, **kw) -> FuidDocument:
    rows = tuple(
        FuidRow(i + 1, "110-2.1", f"Actas del comité {i + 1}", date(2015, 1, 2) if i else None,
                date(2016, 3, 4) if i else None, caja=str(i // 10 + 1), carpeta=str(i + 1), folios=150)
        for i in range(n)
    )  # fmt: skip
    return FuidDocument(objeto, "Alcaldía de Prueba", "Alcaldía de Prueba", "Secretaría General",
                        "110 Gestión Documental", rows, **kw)  # fmt: skip


def text_of(path) -> str:
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_validation_rules() -> None:
    assert validate(doc(3)) == []
    bad = FuidDocument(Objeto.INVENTARIO_INDIVIDUAL, "E", "E", "U", "O",
                       (FuidRow(2, "1", "x", date(2020, 1, 1), date(2019, 1, 1)),), transfer_number="1")  # fmt: skip
    problems = validate(bad)
    assert len(problems) == 5  # order, dates, no unit, no folios, entry outside a transfer
    assert entry_parts(doc(1, entry_date=date(2026, 3, 5), transfer_number="2026-001")) == (
        "2026",
        "03",
        "05",
        "2026-001",
    )
    assert entry_parts(doc(1, Objeto.ELIMINACION, entry_date=date(2026, 3, 5))) == ("", "", "", "")


@pytest.mark.skipif(pdftotext is None, reason="poppler-utils")
def test_pdf_layout_text_and_sheets(tmp_path) -> None:
    n = ROWS_PER_SHEET * 2 + 3
    d = doc(n, entry_date=date(2026, 3, 5), transfer_number="2026-007",
            elaborado=FuidSigner("Ana Pérez", "Técnica", "Bogotá D.C.", date(2026, 3, 1)))  # fmt: skip
    out = tmp_path / "f.pdf"
    assert render_fuid_pdf(d, out) == sheet_count(n) == 3
    text = text_of(out)
    for label in ("FORMATO ÚNICO DE INVENTARIO DOCUMENTAL", "HOJA 1 DE 3", "HOJA 3 DE 3", "ENTIDAD REMITENTE",
                  "ENTIDAD PRODUCTORA", "UNIDAD ADMINISTRATIVA", "OFICINA PRODUCTORA", "Transferencia primaria",
                  "REGISTRO DE ENTRADA", "2026-007", "NÚMERO", "ORDEN", "CÓDIGO", "FECHAS EXTREMAS", "Inicial",
                  "Final", "UNIDAD DE CONSERVACIÓN", "Caja", "Carpeta", "Tomo", "Otro", "SOPORTE", "NOTAS",
                  "Elaborado por", "Entregado por", "Recibido por", "Ana Pérez", "01/03/2026", "s.f."):  # fmt: skip
        assert label in text, label
    assert text.count("Recibido por") == 3  # signature blocks on every sheet
    assert f"Actas del comité {n}" in text


@pytest.mark.skipif(pdftotext is None, reason="poppler-utils")
def test_empty_inventory_still_prints_one_sheet_and_no_entry_for_elimination(tmp_path) -> None:
    out = tmp_path / "e.pdf"
    assert render_fuid_pdf(doc(0, Objeto.ELIMINACION), out) == 1
    assert "HOJA 1 DE 1" in text_of(out) and "Eliminación" in text_of(out)


def test_xlsx_layout_and_formula_neutralisation(tmp_path) -> None:
    d = doc(3, entry_date=date(2026, 3, 5), transfer_number="2026-007")
    rows = (
        *d.rows[:2],
        FuidRow(3, "110-2.1", '=HYPERLINK("x")', None, None, carpeta="3", folios=1),
    )
    d = FuidDocument(d.objeto, d.entidad_remitente, d.entidad_productora, d.unidad_administrativa,
                     d.oficina_productora, rows, d.entry_date, d.transfer_number)  # fmt: skip
    out = tmp_path / "f.xlsx"
    assert export_fuid_xlsx(d, out) == 3
    ws = load_workbook(out).active
    assert ws["A2"].value == "FORMATO ÚNICO DE INVENTARIO DOCUMENTAL"
    assert ws["C7"].value == "Transferencia primaria"
    assert [ws[f"{c}6"].value for c in "JKLM"] == ["2026", "03", "05", "2026-007"]
    assert ws["D10"].value.startswith("FECHAS EXTREMAS") and ws["F11"].value == "Caja"
    assert ws.cell(FIRST_ROW, 1).value == 1 and ws.cell(FIRST_ROW, 4).value == "s.f."
    assert ws.cell(FIRST_ROW + 2, 3).value.startswith("'=")
    assert ws.page_setup.orientation == "landscape"


def test_inventory_from_the_database(services, admin, world) -> None:
    make_exp(services, admin, "F-1", carpetas=2)
    make_exp(services, admin, "F-2", serie="14", sub="")
    d = services.fuid.document(
        admin, FuidRequest(Objeto.INVENTARIO_GESTION, dependencia_code="110")
    )
    assert [r.order for r in d.rows] == [1, 2, 3]
    assert d.rows[0].code == "110-2.1" and d.rows[2].code == "110-14"
    assert d.rows[0].date_start == date(2016, 1, 1) and d.rows[1].folios == 200
    assert d.rows[0].notes.endswith("1/2") and d.oficina_productora.startswith("110")
    assert validate(d) == []


@pytest.mark.skipif(pdftotext is None, reason="poppler-utils")
def test_hoja_control_and_actas(services, admin, world, tmp_path) -> None:
    make_exp(services, admin, "HC-1", carpetas=2)
    hc = services.fuid.hoja_control(admin, "HC-1", blank_rows=5)
    assert [(i.folio_from, i.folio_to) for i in hc.items] == [(1, 200), (201, 400)]
    render_hoja_control(hc, tmp_path / "hc.pdf")
    text = text_of(tmp_path / "hc.pdf")
    for label in (
        "HOJA DE CONTROL",
        "DEPENDENCIA",
        "SERIE",
        "SUBSERIE",
        "HC-1",
        "TIPO DOCUMENTAL",
        "201",
        "400",
    ):
        assert label in text, label
    acta = ActaData("AE-1", date(2026, 4, 9), "Alcaldía", "Acta 7", date(2026, 3, 2), date(2026, 3, 30),
                    date(2026, 4, 8), "picado", (("Ana Pérez", "Presidenta"),), 3, 450, Decimal("0.25"), "", 1,
                    doc(3, Objeto.ELIMINACION))  # fmt: skip
    render_acta_eliminacion(acta, tmp_path / "ae.pdf")
    text = text_of(tmp_path / "ae.pdf")
    assert (
        "ACTA DE ELIMINACIÓN DOCUMENTAL N° AE-1" in text and "0,25" in text and "Ana Pérez" in text
    )
    render_acta_transferencia(doc(2, transfer_number="2026-001"), tmp_path / "at.pdf")
    assert "ACTA DE TRANSFERENCIA" in text_of(tmp_path / "at.pdf")
