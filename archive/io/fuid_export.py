"""The FUID as an XLSX workbook in the AGN layout (one sheet, landscape print set-up).

Rows 1-8 hold the header (title, HOJA, the five header fields and the REGISTRO DE ENTRADA
grid), rows 10-11 the two table header rows (frozen, repeated when printed), then one row per
asiento, then the three signature blocks. Text cells go through
:func:`archive.io.export.neutralise` so nothing typed by a user runs as a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.domain.fuid import FuidDocument, entry_parts, fmt_extreme, fmt_signer_date
from archive.i18n import _
from archive.io.export import neutralise

_WIDTHS = (9, 14, 48, 12, 12, 7, 8, 7, 10, 9, 9, 11, 30)
HEAD_ROW = 10
FIRST_ROW = 12


def export_fuid_xlsx(doc: FuidDocument, path: Path) -> int:
    """Write ``doc`` to ``path`` (.xlsx); returns the number of asientos written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "FUID"
    thin = Side(style="thin", color="555555")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True, size=9)
    shade = PatternFill("solid", fgColor="E6ECF2")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(ref: str, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            align: Alignment | None = None, border: bool = False) -> None:  # fmt: skip
        cell = ws[ref]
        cell.value = neutralise(value)
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if align:
            cell.alignment = align
        if border:
            cell.border = box

    for i, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.merge_cells("A1:M1")
    put("A1", _("Colombia. Archivo General de la Nación"), align=center)
    ws.merge_cells("A2:K2")
    put(
        "A2",
        _("FORMATO ÚNICO DE INVENTARIO DOCUMENTAL"),
        font=Font(bold=True, size=13),
        align=center,
    )
    ws.merge_cells("L2:M2")
    put("L2", _("HOJA {n} DE {m}").format(n=1, m=1), font=bold, align=center)
    fields = ((_("ENTIDAD REMITENTE:"), doc.entidad_remitente),
              (_("ENTIDAD PRODUCTORA:"), doc.entidad_productora),
              (_("UNIDAD ADMINISTRATIVA:"), doc.unidad_administrativa),
              (_("OFICINA PRODUCTORA:"), doc.oficina_productora),
              (_("OBJETO:"), doc.objeto.label))  # fmt: skip
    for k, (label, value) in enumerate(fields, start=3):
        ws.merge_cells(f"A{k}:B{k}")
        put(f"A{k}", label, font=bold)
        ws.merge_cells(f"C{k}:H{k}")
        put(f"C{k}", value)
    ws.merge_cells("J4:M4")
    put("J4", _("REGISTRO DE ENTRADA"), font=bold, fill=shade, align=center, border=True)
    for col, label, value in zip("JKLM", (_("AÑO"), _("MES"), _("DÍA"), _("N° T")),
                                 entry_parts(doc), strict=True):  # fmt: skip
        put(f"{col}5", label, font=bold, fill=shade, align=center, border=True)
        put(f"{col}6", value, align=center, border=True)

    h, h2 = HEAD_ROW, HEAD_ROW + 1
    singles = ((1, _("NÚMERO DE ORDEN")), (2, _("CÓDIGO")),
               (3, _("NOMBRE DE LA SERIE, SUBSERIE O ASUNTOS")), (10, _("NÚMERO DE FOLIOS")),
               (11, _("SOPORTE")), (12, _("FRECUENCIA DE CONSULTA")), (13, _("NOTAS")))  # fmt: skip
    for n, label in singles:
        letter = get_column_letter(n)
        ws.merge_cells(f"{letter}{h}:{letter}{h2}")
        put(f"{letter}{h}", label, font=bold, fill=shade, align=center, border=True)
        ws[f"{letter}{h2}"].border = box
    ws.merge_cells(f"D{h}:E{h}")
    put(
        f"D{h}", _("FECHAS EXTREMAS (aaaa-mm-dd)"), font=bold, fill=shade, align=center, border=True
    )
    ws.merge_cells(f"F{h}:I{h}")
    put(f"F{h}", _("UNIDAD DE CONSERVACIÓN"), font=bold, fill=shade, align=center, border=True)
    for col, label in zip("DEFGHI", (_("Inicial"), _("Final"), _("Caja"), _("Carpeta"),
                                     _("Tomo"), _("Otro")), strict=True):  # fmt: skip
        put(f"{col}{h2}", label, font=bold, fill=shade, align=center, border=True)
    ws.row_dimensions[h].height = 26

    r = FIRST_ROW
    for row in doc.rows:
        values: tuple[Any, ...] = (row.order, row.code, row.name, fmt_extreme(row.date_start), fmt_extreme(row.date_end),
                                   row.caja, row.carpeta, row.tomo, row.otro, row.folios or None, row.soporte,
                  row.frecuencia.capitalize(), row.notes)  # fmt: skip
        for k, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=k, value=neutralise(value))
            cell.border = box
        r += 1
    _footer(ws, doc, r + 1, bold, box)
    ws.print_title_rows = f"{h}:{h2}"
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.right.text = _("Hoja &P de &N")
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(doc.rows)


def _footer(ws: Any, doc: FuidDocument, top: int, bold: Any, box: Any) -> None:
    blocks = (("A", "C", _("Elaborado por"), doc.elaborado), ("D", "H", _("Entregado por"), doc.entregado),
              ("I", "M", _("Recibido por"), doc.recibido))  # fmt: skip
    for first, last, title, s in blocks:
        ws.merge_cells(f"{first}{top}:{last}{top}")
        ws[f"{first}{top}"].value = title
        ws[f"{first}{top}"].font = bold
        items = ((_("Nombre:"), s.name), (_("Cargo:"), s.cargo), (_("Firma:"), ""),
                 (_("Lugar:"), s.lugar), (_("Fecha:"), fmt_signer_date(s.fecha)))  # fmt: skip
        for k, (label, value) in enumerate(items, start=1):
            ws.merge_cells(f"{first}{top + k}:{last}{top + k}")
            ws[f"{first}{top + k}"].value = neutralise(f"{label} {value}".strip())
