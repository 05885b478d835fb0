"""The label renderer: items + template + medium + calibration → one PDF.

Pure: no database, no Qt. Input is :mod:`reports.labels.data` dataclasses, output is a PDF
written to a path (atomically, through a temporary file) or a binary stream. Sheets put one
label per grid slot, starting at any slot of the first sheet; rolls put one label per page.

Speed: the per-template geometry is computed once per label size, text fits are memoised,
barcodes are emitted as one ``cm`` plus a string of module-unit rectangles, each label's
text is one ``BT … ET`` block written straight into the page, and the pages are saved with
one shared resource dictionary (:mod:`reports.labels.pdfsave`; see docs/LABELS.md).
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from archive.domain.progress import Cancelled, JobCancelled, Progress
from reports.labels import _messages as msg
from reports.labels.barcodes import QR_QUIET_MODULES, encode, fit_module, symbol_ops
from reports.labels.data import LabelData, LabelKind
from reports.labels.frame import BARCODE_GAP, Frame, compile_frame
from reports.labels.layout import Run, human_readable, layout_text
from reports.labels.media import MM, NO_CALIBRATION, Calibration, Medium, RollMedium, SheetLayout
from reports.labels.pdfsave import save_pdf
from reports.labels.pdftext import TextEmitter
from reports.labels.templates import LabelTemplate, Symbology
from reports.labels.text import FontSet, default_fonts

PROGRESS_EVERY = 250
RULE_WIDTH = 0.3
BORDER_WIDTH = 0.5
PROGRESS_LABEL = msg.N_("Generando etiquetas")


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What :func:`render_labels` produced.

    Attributes:
        labels: Labels drawn.
        pages: PDF pages (sheets, or labels on a roll).
        truncated: 0-based indices of items whose text had to be ellipsised or cut.
    """

    labels: int
    pages: int
    truncated: tuple[int, ...]


TemplateArg = LabelTemplate | Mapping[LabelKind, LabelTemplate]


def render_labels(
    items: Sequence[LabelData],
    template: TemplateArg,
    medium: Medium,
    calibration: Calibration | None,
    out: str | os.PathLike[str] | BinaryIO,
    start_position: int = 1,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    fonts: FontSet | None = None,
) -> RenderResult:
    """Draw ``items`` as labels into a PDF.

    Args:
        items: The labels, in print order.
        template: One template, or one per kind when the batch mixes kinds.
        medium: A :class:`SheetLayout` or a :class:`RollMedium`.
        calibration: The printer's profile (``None``: no correction).
        out: File path (written atomically) or a writable binary stream.
        start_position: 1-based slot of the first label on the first sheet (row by row),
            for partly used sheets. Ignored on rolls.
        progress: ``progress(done, total, label)``, called every few hundred labels.
        cancelled: Polled as often; when it returns true, :class:`JobCancelled` is raised and
            nothing is written.
        fonts: Fonts to use; :func:`default_fonts` by default.

    Returns:
        Counts and the indices of labels whose text was truncated.

    Raises:
        ValidationError: No items; bad template, medium or start position; a barcode value with
            characters the symbology cannot encode, missing, or too long for the label.
        JobCancelled: ``cancelled()`` returned true.
    """
    if not items:
        raise msg.no_labels()
    templates = _templates(template)
    medium.validate()
    cal = calibration or NO_CALIBRATION
    if isinstance(medium, SheetLayout) and not (1 <= start_position <= medium.per_page):
        raise msg.start_position(start_position, medium.per_page)
    if isinstance(out, str | os.PathLike):
        return _render_to_path(
            Path(out), items, templates, medium, cal, start_position, progress, cancelled, fonts
        )
    return _Renderer(templates, medium, cal, fonts or default_fonts()).run(
        items, out, start_position, progress, cancelled
    )


def render_labels_bytes(
    items: Sequence[LabelData],
    template: TemplateArg,
    medium: Medium,
    calibration: Calibration | None = None,
    start_position: int = 1,
    *,
    fonts: FontSet | None = None,
) -> bytes:
    """:func:`render_labels` into memory; returns the PDF bytes."""
    buf = io.BytesIO()
    render_labels(items, template, medium, calibration, buf, start_position, fonts=fonts)
    return buf.getvalue()


def _templates(template: TemplateArg) -> dict[LabelKind, LabelTemplate]:
    if isinstance(template, LabelTemplate):
        return {template.kind: template.validate()}
    return {LabelKind(k): t.validate() for k, t in template.items()}


def _render_to_path(
    path: Path,
    items: Sequence[LabelData],
    templates: dict[LabelKind, LabelTemplate],
    medium: Medium,
    cal: Calibration,
    start_position: int,
    progress: Progress | None,
    cancelled: Cancelled | None,
    fonts: FontSet | None,
) -> RenderResult:
    fd, tmp = tempfile.mkstemp(prefix=".labels-", suffix=".pdf.tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            renderer = _Renderer(templates, medium, cal, fonts or default_fonts())
            result = renderer.run(items, fh, start_position, progress, cancelled)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


class _Renderer:
    def __init__(
        self,
        templates: dict[LabelKind, LabelTemplate],
        medium: Medium,
        cal: Calibration,
        fonts: FontSet,
    ) -> None:
        self.templates = templates
        self.medium = medium
        self.cal = cal
        self.fonts = fonts
        self.dpi = cal.dpi or medium.dpi
        self.frames: dict[tuple[int, float, float | None, bool], Frame] = {}
        self.page_size = (0.0, 0.0)

    def frame(
        self, template: LabelTemplate, width: float, height: float | None, tall_bars: bool = True
    ) -> Frame:
        key = (id(template), width, height, tall_bars)
        frame = self.frames.get(key)
        if frame is None:
            frame = self.frames[key] = compile_frame(template, width, height, tall_bars)
        return frame

    def run(
        self,
        items: Sequence[LabelData],
        out: BinaryIO,
        start_position: int,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> RenderResult:
        medium = self.medium
        if isinstance(medium, SheetLayout):
            size = (medium.page_width_mm * MM, medium.page_height_mm * MM)
        else:
            size = (medium.width_mm * MM, (medium.length_mm or medium.min_length_mm) * MM)
        canvas = Canvas(out, pagesize=size, pageCompression=1, invariant=1)
        self.page_size = size
        self.text = TextEmitter(canvas)
        canvas.setTitle("Etiquetas")
        canvas.setCreator("Legajo")
        total = len(items)
        truncated: list[int] = []
        pages = 0
        first_slot = start_position - 1 if isinstance(medium, SheetLayout) else 0
        for i, item in enumerate(items):
            if i % PROGRESS_EVERY == 0:
                if cancelled is not None and cancelled():
                    raise JobCancelled()
                if progress is not None:
                    progress(i, total, PROGRESS_LABEL)
            if isinstance(medium, SheetLayout):
                slot = (first_slot + i) % medium.per_page
                if slot == 0 or i == 0:
                    if i:
                        canvas.showPage()
                    pages += 1
                    self.page_setup(canvas)
                box = medium.slot_box(slot, self.cal)
                cut = self.draw_fixed(canvas, i, item, box)
            else:
                if i:
                    canvas.showPage()
                pages += 1
                cut = self.draw_roll(canvas, i, item, medium)
            if cut:
                truncated.append(i)
        if cancelled is not None and cancelled():
            raise JobCancelled()
        save_pdf(canvas)
        if progress is not None:
            progress(total, total, PROGRESS_LABEL)
        return RenderResult(total, pages, tuple(truncated))

    def page_setup(self, canvas: Canvas) -> None:
        canvas.addLiteral(f"0 g 0 G {RULE_WIDTH} w")

    def template_for(self, index: int, item: LabelData) -> LabelTemplate:
        template = self.templates.get(item.kind)
        if template is None:
            raise msg.no_template(index, item.kind.value)
        return template

    def draw_fixed(
        self,
        canvas: Canvas,
        index: int,
        item: LabelData,
        box: tuple[float, float, float, float],
        tall_bars: bool = True,
    ) -> bool:
        x, y, w, h = box
        template = self.template_for(index, item)
        frame = self.frame(template, w, h, tall_bars)
        text = layout_text(frame, item.values(), self.fonts)
        self.draw(canvas, index, item, frame, x, y, h, text.runs, text.rules)
        return text.truncated

    def draw_roll(self, canvas: Canvas, index: int, item: LabelData, medium: RollMedium) -> bool:
        template = self.template_for(index, item)
        w = medium.width_mm * MM
        if medium.length_mm is not None:
            h = medium.length_mm * MM
        else:  # continuous tape: as long as the content at its preferred sizes
            natural = self.frame(template, w, None)
            text = layout_text(natural, item.values(), self.fonts, top=0.0)
            h = 2 * natural.pad + text.height + natural.zone_height
            if text.height and natural.zone_height:
                h += BARCODE_GAP
            h_mm = math.ceil(h / MM * 2 + 1e-6) / 2  # whole half millimetres, rounded up
            h = min(max(h_mm, medium.min_length_mm), medium.max_length_mm) * MM
        if self.page_size != (w, h):  # fixed-length rolls keep the size the canvas began with
            canvas.setPageSize((w, h))
            self.page_size = (w, h)
        self.page_setup(canvas)
        x, y, _, _ = medium.box(index, h / MM, self.cal)
        return self.draw_fixed(canvas, index, item, (x, y, w, h), medium.length_mm is not None)

    def draw(
        self,
        canvas: Canvas,
        index: int,
        item: LabelData,
        frame: Frame,
        x: float,
        y: float,
        h: float,
        runs: list[Run],
        rules: list[float],
    ) -> None:
        template = frame.template
        spec = template.barcode
        ops: list[str] = []
        if template.border:
            inset = BORDER_WIDTH / 2
            ops.append(
                f"q {BORDER_WIDTH} w {x + inset:.2f} {y + inset:.2f} "
                f"{frame.width - 2 * inset:.2f} {h - 2 * inset:.2f} re S Q"
            )
        if template.rules and rules:
            x1, x2 = x + frame.text_x, x + frame.text_x + frame.text_w
            ops.extend(f"{x1:.2f} {y + r:.2f} m {x2:.2f} {y + r:.2f} l S" for r in rules)
        if frame.bar_zone is not None and spec.symbology is not Symbology.NONE:
            if not item.barcode:
                raise msg.barcode_missing(index)
            symbol = encode(item.barcode, spec)
            zx, zy, zw, zh = frame.bar_zone
            module = fit_module(symbol, spec, zw, self.medium.min_module_mm, self.dpi)
            sw = symbol.columns * module
            if symbol.linear:
                ops.append(symbol_ops(symbol, x + zx + (zw - sw) / 2, y + zy, module, zh))
            else:  # centred across; its bottom quiet zone rests on the human-readable text
                off = (zw - sw) / 2
                lift = QR_QUIET_MODULES * module
                ops.append(symbol_ops(symbol, x + zx + off, y + zy + lift, module, sw))
            runs = runs + human_readable(frame, item.barcode, self.fonts)
        if runs:
            ops.append(self.text.ops(runs, x, y))
        if ops:
            canvas.addLiteral(" ".join(ops))
