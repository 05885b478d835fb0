"""A plain tabular PDF report (count reports, lists): title block, repeated header row,
"Página N de M" footer, landscape. Input is plain data; output a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from archive.i18n import _
from reports.labels.text import default_fonts


@dataclass
class TableSection:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None  # relative widths


@dataclass
class TableReport:
    title: str
    subtitle_lines: list[str] = field(default_factory=list)
    sections: list[TableSection] = field(default_factory=list)


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab ships no type hints
    """Canvas that knows the page count when it draws each page's footer."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._states: list[dict[str, object]] = []

    def showPage(self) -> None:
        self._states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._states)
        for state in self._states:
            self.__dict__.update(state)
            self.setFont(default_fonts().regular, 8)
            self.drawRightString(
                self._pagesize[0] - 12 * mm, 8 * mm,
                _("Página {n} de {total}").format(n=self._pageNumber, total=total),
            )  # fmt: skip
            super().showPage()
        super().save()


def render_table_report(report: TableReport, out: Path | str) -> None:
    font = default_fonts().regular
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=font, fontSize=14, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=font, fontSize=11, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", parent=styles["Normal"], fontName=font, fontSize=8, leading=10)
    page = landscape(A4)
    doc = SimpleDocTemplate(str(out), pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=report.title)  # fmt: skip
    story: list[object] = [Paragraph(_escape(report.title), h1)]
    for line in report.subtitle_lines:
        story.append(Paragraph(_escape(line), small))
    usable = page[0] - 24 * mm
    for section in report.sections:
        story.append(Paragraph(_escape(f"{section.title} ({len(section.rows)})"), h2))
        if not section.rows:
            story.append(Paragraph(_escape(_("Sin registros.")), small))
            continue
        rel = list(section.widths or [1] * len(section.headers))
        widths = [usable * w / sum(rel) for w in rel]
        data = [[Paragraph(f"<b>{_escape(h)}</b>", small) for h in section.headers]]
        data += [[Paragraph(_escape(str(c)), small) for c in row] for row in section.rows]
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
        ]))  # fmt: skip
        story.append(table)
        story.append(Spacer(1, 4 * mm))
    doc.build(story, canvasmaker=_NumberedCanvas)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
