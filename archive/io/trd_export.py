"""The TRD as an XLSX workbook in the AGN layout: one sheet per dependencia.

Header block (ENTIDAD PRODUCTORA, UNIDAD ADMINISTRATIVA, OFICINA PRODUCTORA, CÓDIGO, version) in
merged cells, the two header rows (CÓDIGO over D/S/Sb, SOPORTE over F/E, RETENCIÓN over AG/AC,
DISPOSICIÓN FINAL over CT/E/M-D/S) merged as on paper, one row per serie/subserie with the tipos
documentales listed in the name cell, X marks, CONVENCIONES and the approval block. The layout
is the one :func:`archive.io.trd_import.parse_trd` reads back (round trip tested). Every text cell
goes through :func:`archive.io.export.neutralise` (no formula injection).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from archive.domain.disposition import Disposition
from archive.domain.retention import Soporte
from archive.domain.timefmt import format_date
from archive.domain.trd_document import TrdDocRow, TrdDocument
from archive.i18n import _
from archive.io.export import neutralise

_WIDTHS = (7, 6, 6, 55, 5, 5, 6, 6, 5, 5, 6, 5, 70)
_THIN = Side(style="thin", color="555555")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SHADE = PatternFill("solid", fgColor="E6ECF2")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROW = 6


def _x(flag: bool) -> str:
    return "X" if flag else ""


def _values(row: TrdDocRow) -> list[Any]:
    ret = row.ag_years is not None
    d = row.disposition
    name = row.name.upper() if row.is_serie else row.name
    if row.tipos:
        name += "\n" + "\n".join(f"- {t}" for t in row.tipos)
    return [
        row.dependencia, row.serie, row.subserie, name,
        _x(Soporte.PAPEL in row.soporte), _x(Soporte.ELECTRONICO in row.soporte),
        row.ag_years if ret else None, row.ac_years if ret else None,
        _x(Disposition.CT in d), _x(Disposition.E in d), _x(Disposition.MD in d),
        _x(Disposition.S in d), row.procedure,
    ]  # fmt: skip


def _sheet(ws: Any, doc: TrdDocument) -> None:
    last = len(_WIDTHS)
    for i, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(1, 1, _("TABLA DE RETENCIÓN DOCUMENTAL")).font = Font(bold=True, size=13)
    ws.cell(1, 1).alignment = _CENTER
    block = (
        (_("ENTIDAD PRODUCTORA:"), doc.entidad, _("HOJA:"), _("1 DE 1")),
        (_("UNIDAD ADMINISTRATIVA:"), doc.unidad_administrativa, _("VERSIÓN:"),
         f"{doc.version} · {_('vigente desde')} {format_date(doc.valid_from)}"),
        # CÓDIGO on the OFICINA row, as the AGN format (and our importer) have it.
        (_("OFICINA PRODUCTORA:"), doc.oficina_productora, _("CÓDIGO:"), doc.oficina_code),
    )  # fmt: skip
    for r, (label, value, rlabel, rvalue) in enumerate(block, start=2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 1, label).font = _BOLD
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=8)
        ws.cell(r, 4, neutralise(value))
        ws.merge_cells(start_row=r, start_column=9, end_row=r, end_column=12)
        ws.cell(r, 9, rlabel).font = _BOLD
        ws.cell(r, 13, neutralise(rvalue))
    h0, h1 = HEADER_ROW, HEADER_ROW + 1
    for c1, c2, text in ((1, 3, _("CÓDIGO")), (5, 6, _("SOPORTE")), (7, 8, _("RETENCIÓN (en años)")),
                         (9, 12, _("DISPOSICIÓN FINAL"))):  # fmt: skip
        ws.merge_cells(start_row=h0, start_column=c1, end_row=h0, end_column=c2)
        ws.cell(h0, c1, text)
    for col, text in ((4, _("SERIES, SUBSERIES Y TIPOS DOCUMENTALES")), (13, _("PROCEDIMIENTO"))):
        ws.merge_cells(start_row=h0, start_column=col, end_row=h1, end_column=col)
        ws.cell(h0, col, text)
    for col, mark in enumerate(
        ("D", "S", "Sb", None, "F", "E", "AG", "AC", "CT", "E", "M/D", "S"), start=1
    ):
        if mark:
            ws.cell(h1, col, mark)
    for r in (h0, h1):
        for c in range(1, last + 1):
            cell = ws.cell(r, c)
            cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _SHADE, _CENTER, _BOX
    r = h1 + 1
    for row in doc.rows:
        for c, value in enumerate(_values(row), start=1):
            cell = ws.cell(r, c, neutralise(value))
            cell.border = _BOX
            cell.alignment = _WRAP if c in (4, 13) else _CENTER
            if row.is_serie and row.ag_years is None:
                cell.font = _BOLD
        r += 1
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
    ws.cell(r, 1, _("CONVENCIONES: D = Dependencia, S = Serie, Sb = Subserie, F = Físico, E = Electrónico, "
                    "AG = Archivo de Gestión, AC = Archivo Central, CT = Conservación Total, "
                    "E = Eliminación, M/D = Microfilmación / Digitalización, S = Selección"))  # fmt: skip
    ws.cell(r, 1).alignment = _WRAP
    approval = (
        (_("Acto administrativo de adopción"), doc.approval_act),
        (_("Fecha de aprobación"), format_date(doc.approval_date, empty="")),
        (_("Acta del comité"), doc.committee_act),
        (_("Fecha de convalidación"), format_date(doc.convalidation_date, empty="")),
        (_("Instancia que convalidó"), doc.convalidation_body),
        (_("Certificado RUSD"), doc.rusd_certificate),
    )
    for label, value in approval:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        ws.cell(r, 1, label).font = _BOLD
        ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=last)
        ws.cell(r, 5, neutralise(value))
    ws.freeze_panes = ws.cell(h1 + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{h0}:{h1}"


def export_trd_xlsx(docs: Sequence[TrdDocument], path: Path | str) -> None:
    """Write one sheet per TRD document (named after the office code and version)."""
    out = Path(path)
    wb = Workbook()
    default = wb.active
    for doc in docs:
        _sheet(wb.create_sheet(f"TRD {doc.oficina_code} v{doc.version}"[:31]), doc)
    if default is not None and docs:
        wb.remove(default)
    tmp = out.with_name(out.name + ".part")
    try:
        wb.save(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
