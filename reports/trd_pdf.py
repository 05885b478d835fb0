"""The TRD printed in the AGN layout (AGN_NOTES §1.2-1.3), landscape.

Per dependencia: a header block (ENTIDAD PRODUCTORA, UNIDAD ADMINISTRATIVA, OFICINA PRODUCTORA,
CÓDIGO, HOJA N DE M counted per dependencia, version and validity) on every sheet; the table with
CÓDIGO D/S/Sb, SERIES, SUBSERIES Y TIPOS DOCUMENTALES, SOPORTE F/E, RETENCIÓN AG/AC, DISPOSICIÓN
FINAL CT/E/M-D/S as X marks and PROCEDIMIENTO, its two header rows repeated on every sheet; then
CONVENCIONES and the approval block. Input is :class:`archive.domain.trd_document.TrdDocument`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from archive.domain.disposition import Disposition
from archive.domain.retention import Soporte
from archive.domain.timefmt import format_date
from archive.domain.trd_document import TrdDocRow, TrdDocument
from archive.i18n import _
from reports.labels.text import default_fonts

PAGE = landscape(A4)
MARGIN = 10 * mm
HEADER_H = 30 * mm
#: Column widths in mm (sum = usable width of A4 landscape with 10 mm margins).
WIDTHS_MM = (12, 10, 10, 80, 8, 8, 10, 10, 9, 9, 10, 9, 92)
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e6ecf2")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Styles:
    def __init__(self) -> None:
        f = default_fonts()
        self.regular, self.bold = f.regular, f.bold
        self.cell = ParagraphStyle("cell", fontName=f.regular, fontSize=7, leading=8.4)
        self.serie = ParagraphStyle("serie", parent=self.cell, fontName=f.bold)
        self.head = ParagraphStyle(
            "head", parent=self.cell, fontName=f.bold, alignment=1, fontSize=6.8
        )
        self.note = ParagraphStyle("note", parent=self.cell, fontSize=7.5, leading=9.5)


class _Marker(Flowable):  # type: ignore[misc]
    """Zero-size flowable that tells the page callback which document a page belongs to."""

    def __init__(self, state: dict[str, Any], index: int) -> None:
        super().__init__()
        self.state, self.index = state, index
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.state["doc"] = self.index
        self.state["start"] = self.canv.getPageNumber()


def _x(flag: bool) -> str:
    return "X" if flag else ""


def _name_cell(row: TrdDocRow, st: _Styles) -> Paragraph:
    if row.is_serie and row.ag_years is None:
        return Paragraph(_esc(row.name.upper()), st.serie)
    head = _esc(row.name.upper() if row.is_serie else row.name)
    lines = [f"<b>{head}</b>" if row.is_serie else head]
    lines += [f"&nbsp;&nbsp;• {_esc(t)}" for t in row.tipos]
    return Paragraph("<br/>".join(lines), st.cell)


def _row_cells(row: TrdDocRow, st: _Styles) -> list[Any]:
    ret = row.ag_years is not None
    d = row.disposition
    return [
        row.dependencia, row.serie, row.subserie, _name_cell(row, st),
        _x(Soporte.PAPEL in row.soporte), _x(Soporte.ELECTRONICO in row.soporte),
        str(row.ag_years) if ret else "", str(row.ac_years) if ret else "",
        _x(Disposition.CT in d), _x(Disposition.E in d), _x(Disposition.MD in d),
        _x(Disposition.S in d), Paragraph(_esc(row.procedure), st.cell) if row.procedure else "",
    ]  # fmt: skip


def _table(doc: TrdDocument, st: _Styles) -> LongTable:
    h = st.head
    head0 = [Paragraph(_("CÓDIGO"), h), "", "", Paragraph(_("SERIES, SUBSERIES Y TIPOS DOCUMENTALES"), h),
             Paragraph(_("SOPORTE"), h), "", Paragraph(_("RETENCIÓN (años)"), h), "",
             Paragraph(_("DISPOSICIÓN FINAL"), h), "", "", "", Paragraph(_("PROCEDIMIENTO"), h)]  # fmt: skip
    head1 = [Paragraph(t, h) for t in ("D", "S", "Sb")] + [""]
    head1 += [Paragraph(t, h) for t in ("F", "E", "AG", "AC", "CT", "E", "M/D", "S")] + [""]
    data = [head0, head1] + [_row_cells(r, st) for r in doc.rows]
    table = LongTable(data, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=2)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 1), SHADE),
        ("SPAN", (0, 0), (2, 0)), ("SPAN", (3, 0), (3, 1)), ("SPAN", (4, 0), (5, 0)),
        ("SPAN", (6, 0), (7, 0)), ("SPAN", (8, 0), (11, 0)), ("SPAN", (12, 0), (12, 1)),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("VALIGN", (0, 2), (-1, -1), "TOP"),
        ("ALIGN", (0, 2), (2, -1), "CENTER"), ("ALIGN", (4, 2), (11, -1), "CENTER"),
        ("FONTNAME", (0, 2), (-1, -1), st.regular), ("FONTSIZE", (0, 2), (-1, -1), 7),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]  # fmt: skip
    for i, r in enumerate(doc.rows, start=2):
        if r.is_serie and r.ag_years is None:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f3f3f3")))
    table.setStyle(TableStyle(style))
    return table


def _closing(doc: TrdDocument, st: _Styles) -> KeepTogether:
    conv = _("<b>CONVENCIONES:</b> D = Dependencia · S = Serie · Sb = Subserie · F = Físico (papel) · "
             "E = Electrónico · AG = Archivo de Gestión · AC = Archivo Central · CT = Conservación "
             "Total · E = Eliminación · M/D = Microfilmación / Digitalización · S = Selección")  # fmt: skip
    approval = [
        [_("Acto administrativo de adopción"), doc.approval_act or "—",
         _("Fecha de aprobación"), format_date(doc.approval_date, empty="—")],
        [_("Acta del comité"), doc.committee_act or "—",
         _("Fecha de convalidación"), format_date(doc.convalidation_date, empty="—")],
        [_("Instancia que convalidó"), doc.convalidation_body or "—",
         _("Certificado RUSD"), doc.rusd_certificate or "—"],
        [_("Firma del jefe de archivo"), "", _("Firma del secretario del comité"), ""],
    ]  # fmt: skip
    cells = [[Paragraph(_esc(str(c)), st.note) for c in row] for row in approval]
    t = Table(
        cells,
        colWidths=[50 * mm, 88.5 * mm, 50 * mm, 88.5 * mm],
        rowHeights=[None, None, None, 14 * mm],
    )
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (0, -1), SHADE), ("BACKGROUND", (2, 0), (2, -1), SHADE)]))  # fmt: skip
    return KeepTogether([Spacer(1, 3 * mm), Paragraph(conv, st.note), Spacer(1, 2 * mm), t])


def _header(canvas: Canvas, doc: TrdDocument, st: _Styles, sheet: int, sheets: int) -> None:
    w, h = PAGE
    top = h - MARGIN
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.6)
    canvas.rect(MARGIN, top - HEADER_H + 3 * mm, w - 2 * MARGIN, HEADER_H - 3 * mm)
    canvas.setFont(st.bold, 11)
    canvas.drawCentredString(w / 2, top - 7 * mm, _("TABLA DE RETENCIÓN DOCUMENTAL"))
    right = w - MARGIN - 62 * mm
    lines = (
        (_("ENTIDAD PRODUCTORA:"), doc.entidad),
        (_("UNIDAD ADMINISTRATIVA:"), doc.unidad_administrativa),
        (_("OFICINA PRODUCTORA:"), doc.oficina_productora),
    )
    y = top - 13 * mm
    for label, value in lines:
        canvas.setFont(st.bold, 8)
        canvas.drawString(MARGIN + 3 * mm, y, label)
        canvas.setFont(st.regular, 8)
        text = value or "—"
        while canvas.stringWidth(text, st.regular, 8) > right - MARGIN - 45 * mm and len(text) > 4:
            text = text[:-2].rstrip() + "…"
        canvas.drawString(MARGIN + 42 * mm, y, text)
        y -= 4.6 * mm
    validity = format_date(doc.valid_from, empty="—")
    if doc.valid_to:
        validity += " – " + format_date(doc.valid_to)
    right_lines = (
        (_("CÓDIGO:"), doc.oficina_code),
        (_("HOJA:"), _("{n} DE {m}").format(n=sheet, m=sheets)),
        (_("VERSIÓN:"), f"{doc.version} · {_('vigente desde')} {validity}"),
    )
    y = top - 13 * mm
    for label, value in right_lines:
        canvas.setFont(st.bold, 8)
        canvas.drawString(right, y, label)
        canvas.setFont(st.regular, 8)
        canvas.drawString(right + 16 * mm, y, value)
        y -= 4.6 * mm
    canvas.restoreState()


def _build(docs: Sequence[TrdDocument], out: Any, counts: list[int] | None) -> list[int]:
    st = _Styles()
    state: dict[str, Any] = {"doc": 0, "start": 1}
    pages: list[int] = [0] * len(docs)

    def on_page_end(canvas: Canvas, _template_doc: Any) -> None:
        i = state["doc"]
        sheet = canvas.getPageNumber() - state["start"] + 1
        pages[i] = max(pages[i], sheet)
        _header(canvas, docs[i], st, sheet, counts[i] if counts else 0)

    frame = Frame(MARGIN, MARGIN, PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN - HEADER_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    template = BaseDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                               topMargin=MARGIN, bottomMargin=MARGIN,
                               title=_("Tabla de Retención Documental"))  # fmt: skip
    template.addPageTemplates([PageTemplate("trd", [frame], onPageEnd=on_page_end)])
    story: list[Flowable] = []
    for i, doc in enumerate(docs):
        if i:
            story.append(PageBreak())
        story += [_Marker(state, i), _table(doc, st), _closing(doc, st)]
    template.build(story)
    return pages


def render_trd_pdf(docs: Sequence[TrdDocument], out: Path | str) -> None:
    """Write one PDF with a TRD per document (each its own "hoja N de M" sequence).

    Args:
        docs: The TRD versions to print (one per dependencia, usually).
        out: The PDF file.
    """
    counts = _build(docs, io.BytesIO(), None)
    _build(docs, str(out), counts)
