"""The FUID printed in the AGN layout (Acuerdo 042/2002 Anexo; AGN_NOTES §3), A4 landscape.

Every sheet repeats the whole form: the title block with HOJA N DE M, ENTIDAD REMITENTE,
ENTIDAD PRODUCTORA, UNIDAD ADMINISTRATIVA, OFICINA PRODUCTORA, OBJETO and the REGISTRO DE
ENTRADA grid (año · mes · día · N° T, filled only for transfers); the two header rows of the
table; the rows; and the three signature blocks (Elaborado por / Entregado por / Recibido por,
each with Nombre, Cargo, Firma, Lugar, Fecha).

Rows have a fixed height (name and notes wrap to two lines, then ellipsise), so the number of
sheets is known before drawing and the PDF is drawn straight onto the canvas in one pass: a
10,000-row inventory renders in a few seconds (bench/bench_fuid.py), where a platypus table
would lay out every cell twice.
"""

from __future__ import annotations

import math
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from archive.domain.fuid import (
    FuidDocument,
    FuidRow,
    FuidSigner,
    entry_parts,
    fmt_extreme,
    fmt_signer_date,
)
from archive.domain.progress import Progress, no_progress
from archive.i18n import _
from reports.labels.text import FontSet, default_fonts, sanitise

PAGE = landscape(A4)
MARGIN = 10 * mm
HEADER_H = 36 * mm
THEAD_H = 10 * mm
FOOTER_H = 27 * mm
ROW_H = 5.6 * mm
FONT_SIZE = 6.3
#: Column widths in mm (sum 277 = usable width of A4 landscape with 10 mm margins).
WIDTHS_MM = (13, 20, 80, 18, 18, 12, 13, 11, 16, 14, 14, 17, 31)
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e6ecf2")
ROWS_PER_SHEET = int((PAGE[1] - 2 * MARGIN - HEADER_H - THEAD_H - FOOTER_H) // ROW_H)


def sheet_count(rows: int) -> int:
    """How many sheets a FUID of ``rows`` asientos takes (at least one, even when empty)."""
    return max(1, math.ceil(rows / ROWS_PER_SHEET))


def _lines(text: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """Greedy word wrap to ``max_lines``; the last line is ellipsised if the text goes on."""
    if stringWidth(text, font, size) <= width:
        return [text]
    words, lines, cur = text.split(), [], ""
    for i, w in enumerate(words):
        cand = f"{cur} {w}" if cur else w
        if stringWidth(cand, font, size) <= width:
            cur = cand
            continue
        if cur:
            lines.append(cur)
        cur = w
        if len(lines) == max_lines - 1:
            cur = " ".join(words[i:])
            break
    lines.append(cur)
    last = lines[-1]
    if stringWidth(last, font, size) > width:
        while last and stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines[:max_lines]


class _Painter:
    def __init__(self, canvas: Canvas, doc: FuidDocument, fonts: FontSet) -> None:
        self.c, self.doc, self.f = canvas, doc, fonts
        self.xs = [MARGIN]
        for w in WIDTHS_MM:
            self.xs.append(self.xs[-1] + w * mm)

    def text(self, s: str) -> str:
        return sanitise(s, self.f)

    # --- header -------------------------------------------------------------------------
    def header(self, sheet: int, sheets: int) -> float:
        c, f, doc = self.c, self.f, self.doc
        w, h = PAGE
        top = h - MARGIN
        c.setStrokeColor(GRID)
        c.setLineWidth(0.6)
        c.rect(MARGIN, top - HEADER_H, w - 2 * MARGIN, HEADER_H)
        c.setFont(f.regular, 7)
        c.drawCentredString(
            w / 2, top - 4.5 * mm, self.text(_("Colombia. Archivo General de la Nación"))
        )
        c.setFont(f.bold, 11)
        c.drawCentredString(
            w / 2, top - 9.5 * mm, self.text(_("FORMATO ÚNICO DE INVENTARIO DOCUMENTAL"))
        )
        c.setFont(f.bold, 8)
        c.drawRightString(
            w - MARGIN - 3 * mm, top - 6 * mm,
            self.text(_("HOJA {n} DE {m}").format(n=sheet, m=sheets)),
        )  # fmt: skip
        labels = (
            (_("ENTIDAD REMITENTE:"), doc.entidad_remitente),
            (_("ENTIDAD PRODUCTORA:"), doc.entidad_productora),
            (_("UNIDAD ADMINISTRATIVA:"), doc.unidad_administrativa),
            (_("OFICINA PRODUCTORA:"), doc.oficina_productora),
            (_("OBJETO:"), doc.objeto.label),
        )
        y = top - 14.5 * mm
        value_w = 150 * mm
        for label, value in labels:
            c.setFont(f.bold, 7.5)
            c.drawString(MARGIN + 3 * mm, y, self.text(label))
            c.setFont(f.regular, 7.5)
            c.drawString(
                MARGIN + 40 * mm, y, self.text(_lines(value or "", f.regular, 7.5, value_w, 1)[0])
            )
            c.setLineWidth(0.3)
            c.line(MARGIN + 39 * mm, y - 1, MARGIN + 39 * mm + value_w, y - 1)
            y -= 4.3 * mm
        self._entry_grid(top)
        return float(top - HEADER_H)

    def _entry_grid(self, top: float) -> None:
        c, f = self.c, self.f
        cell = 13 * mm
        x0 = PAGE[0] - MARGIN - 3 * mm - 4 * cell
        y0 = top - 31 * mm
        c.setLineWidth(0.5)
        c.setFillColor(SHADE)
        c.rect(x0, y0 + 10 * mm, 4 * cell, 5 * mm, fill=1)
        c.rect(x0, y0 + 5 * mm, 4 * cell, 5 * mm, fill=1)
        c.setFillColor(colors.black)
        c.setFont(f.bold, 7)
        c.drawCentredString(x0 + 2 * cell, y0 + 11.6 * mm, self.text(_("REGISTRO DE ENTRADA")))
        values = entry_parts(self.doc)
        for i, label in enumerate((_("AÑO"), _("MES"), _("DÍA"), _("N° T"))):
            x = x0 + i * cell
            c.rect(x, y0 + 5 * mm, cell, 5 * mm)
            c.rect(x, y0, cell, 5 * mm)
            c.setFont(f.bold, 6.5)
            c.drawCentredString(x + cell / 2, y0 + 6.6 * mm, self.text(label))
            c.setFont(f.regular, 7.5)
            c.drawCentredString(x + cell / 2, y0 + 1.6 * mm, self.text(values[i]))

    # --- table --------------------------------------------------------------------------
    def table_head(self, top: float) -> float:
        c, f, xs = self.c, self.f, self.xs
        y1, y2 = top - THEAD_H / 2, top - THEAD_H
        c.setFillColor(SHADE)
        c.rect(MARGIN, y2, xs[-1] - MARGIN, THEAD_H, fill=1, stroke=0)
        c.setFillColor(colors.black)
        c.setLineWidth(0.4)
        c.rect(MARGIN, y2, xs[-1] - MARGIN, THEAD_H)
        spans = (  # (first col, last col, label, two-row)
            (0, 0, _("NÚMERO DE ORDEN"), True), (1, 1, _("CÓDIGO"), True),
            (2, 2, _("NOMBRE DE LA SERIE, SUBSERIE O ASUNTOS"), True),
            (3, 4, _("FECHAS EXTREMAS (aaaa-mm-dd)"), False),
            (5, 8, _("UNIDAD DE CONSERVACIÓN"), False), (9, 9, _("NÚMERO DE FOLIOS"), True),
            (10, 10, _("SOPORTE"), True), (11, 11, _("FRECUENCIA DE CONSULTA"), True),
            (12, 12, _("NOTAS"), True),
        )  # fmt: skip
        c.setFont(f.bold, 5.8)
        for a, b, label, full in spans:
            x0, x1 = xs[a], xs[b + 1]
            c.line(x1, y2, x1, top)
            box_bottom = y2 if full else y1
            lines = _lines(self.text(label), f.bold, 5.8, x1 - x0 - 2, 3)
            mid = (top + box_bottom) / 2 + (len(lines) - 1) * 3.4 - 2
            for k, ln in enumerate(lines):
                c.drawCentredString((x0 + x1) / 2, mid - k * 6.8, ln)
            if not full:
                c.line(x0, y1, x1, y1)
        subs = ((3, _("Inicial")), (4, _("Final")), (5, _("Caja")), (6, _("Carpeta")),
                (7, _("Tomo")), (8, _("Otro")))  # fmt: skip
        for col, label in subs:
            c.line(xs[col], y2, xs[col], y1)
            c.drawCentredString((xs[col] + xs[col + 1]) / 2, y2 + 1.8 * mm, self.text(label))
        return float(y2)

    def rows(self, rows: list[FuidRow], top: float) -> None:
        c, f, xs = self.c, self.f, self.xs
        size = FONT_SIZE
        n = len(rows)
        bottom = top - ROWS_PER_SHEET * ROW_H
        c.setLineWidth(0.3)
        for x in xs:
            c.line(x, bottom, x, top)
        for k in range(ROWS_PER_SHEET + 1):
            y = top - k * ROW_H
            c.line(MARGIN, y, xs[-1], y)
        name_w = WIDTHS_MM[2] * mm - 3
        notes_w = WIDTHS_MM[12] * mm - 3
        for k in range(n):
            r = rows[k]
            y = top - k * ROW_H
            base = y - ROW_H / 2 - size * 0.35
            c.setFont(f.regular, size)
            cells = (
                (0, str(r.order)), (1, r.code), (3, fmt_extreme(r.date_start)),
                (4, fmt_extreme(r.date_end)), (5, r.caja), (6, r.carpeta), (7, r.tomo),
                (8, r.otro), (9, str(r.folios) if r.folios else ""), (10, r.soporte),
                (11, r.frecuencia.capitalize()),
            )  # fmt: skip
            for col, value in cells:
                if value:
                    value = _lines(self.text(value), f.regular, size, WIDTHS_MM[col] * mm - 3, 1)[0]
                    c.drawCentredString((xs[col] + xs[col + 1]) / 2, base, value)
            self._wrapped(self.text(r.name), xs[2] + 1.5, y, name_w)
            if r.notes:
                self._wrapped(self.text(r.notes), xs[12] + 1.5, y, notes_w)

    def _wrapped(self, text: str, x: float, y: float, width: float) -> None:
        lines = _lines(text, self.f.regular, FONT_SIZE, width)
        if len(lines) == 1:
            self.c.drawString(x, y - ROW_H / 2 - FONT_SIZE * 0.35, lines[0])
            return
        self.c.drawString(x, y - 2.25 * mm, lines[0])
        self.c.drawString(x, y - 4.6 * mm, lines[1])

    # --- footer -------------------------------------------------------------------------
    def footer(self) -> None:
        c, doc = self.c, self.doc
        top = MARGIN + FOOTER_H - 2 * mm
        width = (PAGE[0] - 2 * MARGIN) / 3
        blocks = ((_("Elaborado por"), doc.elaborado), (_("Entregado por"), doc.entregado),
                  (_("Recibido por"), doc.recibido))  # fmt: skip
        for i, (title, s) in enumerate(blocks):
            x = MARGIN + i * width
            c.setLineWidth(0.5)
            c.rect(x, MARGIN, width, FOOTER_H - 2 * mm)
            self._signer(x, top, width, title, s)

    def _signer(self, x: float, top: float, width: float, title: str, s: FuidSigner) -> None:
        c, f = self.c, self.f
        c.setFont(f.bold, 7)
        c.drawString(x + 2 * mm, top - 3.5 * mm, self.text(title))
        fields = ((_("Nombre:"), s.name), (_("Cargo:"), s.cargo), (_("Firma:"), ""),
                  (_("Lugar:"), s.lugar), (_("Fecha:"), fmt_signer_date(s.fecha)))  # fmt: skip
        y = top - 7.5 * mm
        for label, value in fields:
            c.setFont(f.bold, 6.5)
            c.drawString(x + 2 * mm, y, self.text(label))
            c.setFont(f.regular, 6.5)
            c.drawString(
                x + 14 * mm, y, self.text(_lines(value, f.regular, 6.5, width - 17 * mm, 1)[0])
            )
            c.setLineWidth(0.25)
            c.line(x + 13 * mm, y - 0.8, x + width - 2 * mm, y - 0.8)
            y -= 3.8 * mm


def render_fuid_pdf(doc: FuidDocument, out: Path | str, *, progress: Progress = no_progress) -> int:
    """Write the FUID to ``out`` as a PDF; returns the number of sheets.

    Args:
        doc: The inventory.
        out: The PDF file.
        progress: Called with (sheets done, sheets, "") as it goes.
    """
    fonts = default_fonts()
    rows = list(doc.rows)
    sheets = sheet_count(len(rows))
    canvas = Canvas(str(out), pagesize=PAGE, pageCompression=1)
    canvas.setTitle(_("Formato Único de Inventario Documental") + " — " + doc.objeto.label)
    painter = _Painter(canvas, doc, fonts)
    for sheet in range(1, sheets + 1):
        chunk = rows[(sheet - 1) * ROWS_PER_SHEET : sheet * ROWS_PER_SHEET]
        top = painter.header(sheet, sheets)
        top = painter.table_head(top - 2 * mm)
        painter.rows(chunk, top)
        painter.footer()
        canvas.showPage()
        if sheet % 50 == 0:
            progress(sheet, sheets, "")
    canvas.save()
    progress(sheets, sheets, "")
    return sheets
