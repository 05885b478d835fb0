"""The TRD in the AGN layout: PDF (text, columns, sheets N of M) and XLSX (merged header, round trip)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from archive.domain.codes import CodeMask
from archive.domain.disposition import Disposition
from archive.domain.retention import Soporte
from archive.domain.trd_document import TrdDocRow, TrdDocument
from archive.io.trd_export import HEADER_ROW, export_trd_xlsx
from archive.io.trd_import import parse_trd
from reports.trd_pdf import render_trd_pdf

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CT, E, S, MD = Disposition.CT, Disposition.E, Disposition.S, Disposition.MD


def doc(rows: int = 3, code: str = "110") -> TrdDocument:
    body: list[TrdDocRow] = []
    for i in range(1, rows + 1):
        body.append(TrdDocRow(code, str(i), "", f"SERIE {i}", True))
        body.append(TrdDocRow(code, str(i), "1", f"Subserie {i}.1", False, ("Oficio", "Anexos"),
                              frozenset({Soporte.PAPEL}), 2, 8, CT | MD, "Conservación total; se digitaliza."))  # fmt: skip
        body.append(TrdDocRow(code, str(i), "2", f"Subserie {i}.2", False, ("=HYPERLINK(\"x\")",),
                              frozenset({Soporte.PAPEL, Soporte.ELECTRONICO}), 1, 4, S, "Selección del 10 %."))  # fmt: skip
    return TrdDocument("ALCALDÍA DE PRUEBA", "SECRETARÍA GENERAL", "GESTIÓN DOCUMENTAL", code, 2,
                       date(2020, 1, 1), None, approval_act="Resolución 9 de 2020",
                       approval_date=date(2019, 12, 1), rusd_certificate="RUSD-123", rows=tuple(body))  # fmt: skip


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) not installed")


@needs_poppler
def test_pdf_has_the_agn_header_columns_marks_and_approval(tmp_path) -> None:
    out = tmp_path / "trd.pdf"
    render_trd_pdf([doc()], out)
    text = pdftext(out)
    for needle in ("TABLA DE RETENCIÓN DOCUMENTAL", "ENTIDAD PRODUCTORA:", "ALCALDÍA DE PRUEBA",
                   "OFICINA PRODUCTORA:", "CÓDIGO:", "HOJA:", "1 DE 1", "SERIES, SUBSERIES Y TIPOS",
                   "SOPORTE", "RETENCIÓN", "DISPOSICIÓN FINAL", "PROCEDIMIENTO", "M/D", "CONVENCIONES",
                   "Conservación Total", "Resolución 9 de 2020", "RUSD-123", "01/12/2019", "• Oficio"):  # fmt: skip
        assert needle in text, needle
    line = next(ln for ln in text.splitlines() if "Subserie 1.1" in ln)
    assert line.split()[:3] == ["110", "1", "1"] and line.count("X") == 3  # F, CT, M/D


@needs_poppler
def test_pdf_sheets_are_counted_per_dependencia_and_headers_repeat(tmp_path) -> None:
    out = tmp_path / "trd.pdf"
    render_trd_pdf([doc(40, "110"), doc(2, "120")], out)
    pages = pdftext(out).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    n = len(pages) - 1
    for i, page in enumerate(pages[:n], start=1):
        assert f"{i} DE {n}" in page and "PROCEDIMIENTO" in page and "110" in page
    assert "1 DE 1" in pages[-1] and "120" in pages[-1]


@needs_poppler
def test_pdf_text_never_leaves_the_page(tmp_path) -> None:
    """Long procedures and names wrap inside their cells (pdftotext -bbox would show overflow
    as words beyond the page width)."""
    long = TrdDocRow("110", "9", "1", "Nombre muy largo " * 12, False, ("Tipo " * 20,),
                     frozenset({Soporte.PAPEL}), 2, 8, E, "Procedimiento extenso. " * 40)  # fmt: skip
    d = doc(1)
    out = tmp_path / "long.pdf"
    render_trd_pdf([TrdDocument(**{**d.__dict__, "rows": (*d.rows, long)})], out)
    box = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', box)[1])
    xmax = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', box))
    assert xmax <= width - 20


def test_xlsx_has_merged_headers_and_neutralised_text(tmp_path) -> None:
    out = tmp_path / "trd.xlsx"
    export_trd_xlsx([doc()], out)
    ws = load_workbook(out).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{HEADER_ROW}:C{HEADER_ROW}" in merged and f"I{HEADER_ROW}:L{HEADER_ROW}" in merged
    assert f"D{HEADER_ROW}:D{HEADER_ROW + 1}" in merged
    assert ws.cell(HEADER_ROW, 1).value == "CÓDIGO" and ws.cell(HEADER_ROW + 1, 11).value == "M/D"
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)


def test_xlsx_round_trips_through_the_importer(tmp_path) -> None:
    out = tmp_path / "trd.xlsx"
    original = doc(3)
    export_trd_xlsx([original], out)
    table = parse_trd(out, mask=CodeMask.from_pattern("dp-s.b"))
    assert table.entidad == "ALCALDÍA DE PRUEBA" and table.oficina_code == "110"
    subs = [b for s in table.series for b in s.subseries]
    assert len(subs) == 6
    assert (subs[0].ag_years, subs[0].ac_years, subs[0].disposition) == (2, 8, CT | MD)
    assert subs[0].tipos == ("Oficio", "Anexos") and subs[1].soporte == {Soporte.PAPEL, Soporte.ELECTRONICO}


def test_fixture_to_database_to_xlsx_round_trip(services, admin, tmp_path) -> None:
    from archive.services.trd import TrdApproval

    services.org.add_dependencia(admin, code="110", name="Gestión Documental")
    r = services.trd.import_file(admin, SAMPLES / "trd" / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    out = tmp_path / "back.xlsx"
    export_trd_xlsx([services.trd.document(admin, r.version_ids[0])], out)
    again = parse_trd(out, mask=CodeMask.from_pattern("dp-s.b"))
    assert sum(len(s.subseries) for s in again.series) == r.rules
