"""The hoja de control of an expediente (Acuerdo 002/2014 art. 12 parágrafo; AGN_NOTES §7.6),
A4 portrait: identification block (Dependencia, Serie, Subserie, Nombre y N° del expediente,
fechas extremas), then the table Ítem · Fecha · Tipo documental · Folios desde-hasta ·
Observaciones with the known items and empty rows for manual filling, then Responsable/Cargo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from archive.domain.fuid import HojaControl
from archive.domain.timefmt import format_date
from archive.i18n import _
from reports.labels.text import default_fonts

GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e6ecf2")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_hoja_control(doc: HojaControl, out: Path | str) -> None:
    """Write the hoja de control of one expediente to ``out`` (PDF)."""
    f = default_fonts()
    cell = ParagraphStyle("c", fontName=f.regular, fontSize=8, leading=10)
    head = ParagraphStyle("h", parent=cell, fontName=f.bold, alignment=1)
    title = ParagraphStyle("t", parent=cell, fontName=f.bold, fontSize=12, leading=15, alignment=1)
    pdf = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=_("Hoja de control"))  # fmt: skip
    ident = [
        [_("ENTIDAD"), doc.entidad],
        [_("DEPENDENCIA"), doc.dependencia],
        [_("SERIE"), doc.serie],
        [_("SUBSERIE"), doc.subserie or "—"],
        [_("NOMBRE DEL EXPEDIENTE"), doc.expediente_name],
        [_("N° DEL EXPEDIENTE"), doc.expediente_number],
        [_("FECHAS EXTREMAS"), f"{format_date(doc.opened_on)} – {format_date(doc.closed_on)}"],
    ]
    t1 = Table([[Paragraph(f"<b>{_esc(a)}</b>", cell), Paragraph(_esc(b), cell)] for a, b in ident],
               colWidths=[50 * mm, 130 * mm])  # fmt: skip
    t1.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (0, -1), SHADE)])
    )
    rows: list[list[Any]] = [[Paragraph(_esc(h), head) for h in (
        _("ÍTEM"), _("FECHA"), _("TIPO DOCUMENTAL"), _("FOLIOS DESDE"), _("FOLIOS HASTA"), _("OBSERVACIONES"))]]  # fmt: skip
    for it in doc.items:
        rows.append([str(it.item), format_date(it.fecha, empty=""), Paragraph(_esc(it.tipo), cell),
                     str(it.folio_from or ""), str(it.folio_to or ""), Paragraph(_esc(it.notes), cell)])  # fmt: skip
    start = len(doc.items) + 1
    rows += [[str(start + k), "", "", "", "", ""] for k in range(doc.blank_rows)]
    t2 = LongTable(rows, colWidths=[12 * mm, 22 * mm, 62 * mm, 18 * mm, 18 * mm, 48 * mm], repeatRows=1,
                   rowHeights=[None] + [7 * mm] * (len(rows) - 1))  # fmt: skip
    t2.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                            ("FONTNAME", (0, 1), (-1, -1), f.regular), ("FONTSIZE", (0, 1), (-1, -1), 8),
                            ("ALIGN", (0, 1), (1, -1), "CENTER"), ("ALIGN", (3, 1), (4, -1), "CENTER"),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))  # fmt: skip
    sign = Table([[_("Responsable:"), "", _("Cargo:"), ""], [_("Firma:"), "", _("Fecha:"), ""]],
                 colWidths=[25 * mm, 65 * mm, 25 * mm, 65 * mm], rowHeights=[9 * mm, 9 * mm])  # fmt: skip
    sign.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("FONTNAME", (0, 0), (-1, -1), f.bold),
                              ("FONTSIZE", (0, 0), (-1, -1), 8)]))  # fmt: skip
    pdf.build([Paragraph(_esc(_("HOJA DE CONTROL DEL EXPEDIENTE")), title), Spacer(1, 4 * mm), t1,
               Spacer(1, 5 * mm), t2, Spacer(1, 6 * mm), sign])  # fmt: skip
