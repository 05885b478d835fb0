"""The fixed geometry of a template on one label size: padding, barcode zone, text block.

:func:`compile_frame` runs once per (template, label size) in a batch. All values are points
from the label's lower-left corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.labels import _messages as msg
from reports.labels.media import MM
from reports.labels.templates import CaptionStyle, FieldSpec, LabelTemplate, Symbology
from reports.labels.text import LINE

CELL_GAP = 2.0 * MM  # between fields sharing a row; between the text and a QR symbol
ROW_GAP = 0.6  # points between rows (grows when there is room)
BARCODE_GAP = 1.2 * MM  # between the text block and the barcode zone
HR_GAP = 0.4 * MM  # between the bars and their human-readable text
HR_MIN_SIZE = 4.5
HR_MAX_SIZE = 12.0
QR_TEXT_LINES = 2
MAX_BARCODE_SHARE = 0.5  # of the inner height, on fixed-size labels
BIG_BARCODE_SHARE = 0.18  # linear bars grow to this share of a tall label's inner height
QR_MAX_WIDTH_SHARE = 0.45
QR_MAX_SIDE_MM = 25.0  # a QR symbol fills the label height up to this (or height_mm if more)


@dataclass(frozen=True, slots=True)
class Frame:
    """Geometry of a template on a label size.

    Attributes:
        template: The template.
        rows: The template's fields grouped in rows (``inline`` fields join the previous row).
        width / height: Label size (``height`` is ``None`` for continuous tape).
        pad: Inner padding.
        text_x / text_w: Horizontal extent of the text block.
        text_bottom: Lowest y the text block may reach (above the barcode zone).
        bar_zone: ``(x, y, w, h)`` of the symbol area (quiet zones included) or ``None``.
        bar_height: Height of linear bars, or the side of the QR area.
        hr_zone: ``(x, w, size, max_lines)`` of the human-readable text, or ``None``.
        zone_height: Height of the barcode zone including its human-readable text.
        cache: Memo of fitted rows for :mod:`reports.labels.layout` (not part of equality).
    """

    template: LabelTemplate
    rows: tuple[tuple[FieldSpec, ...], ...]
    width: float
    height: float | None
    pad: float
    text_x: float
    text_w: float
    text_bottom: float
    bar_zone: tuple[float, float, float, float] | None
    bar_height: float
    hr_zone: tuple[float, float, float, int] | None
    zone_height: float
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def group_rows(template: LabelTemplate) -> tuple[tuple[FieldSpec, ...], ...]:
    """Fields grouped into rows: an ``inline`` field joins the row before it."""
    rows: list[list[FieldSpec]] = []
    for spec in template.fields:
        if spec.inline and rows:
            rows[-1].append(spec)
        else:
            rows.append([spec])
    return tuple(tuple(r) for r in rows)


def compile_frame(
    template: LabelTemplate, width: float, height: float | None, tall_bars: bool = True
) -> Frame:
    """Lay out the fixed parts of ``template`` on a ``width`` × ``height`` point label.

    Args:
        template: The template.
        width / height: Label size in points; ``height=None`` for continuous tape.
        tall_bars: On a tall label, let linear bars grow past their preferred height (off for
            continuous tape, whose length was computed from the preferred height).

    Raises:
        ValidationError: ``labels.label_too_small`` when even the minimum barcode cannot fit.
    """
    rows = group_rows(template)
    pad = template.padding_mm * MM
    spec = template.barcode
    inner_w = width - 2 * pad
    inner_h = None if height is None else height - 2 * pad
    too_small = msg.label_too_small(width / MM, (height or 0.0) / MM)
    if inner_w <= 0 or (inner_h is not None and inner_h <= 0):
        raise too_small
    if spec.symbology is Symbology.NONE:
        return Frame(template, rows, width, height, pad, pad, inner_w, pad, None, 0.0, None, 0.0)
    if spec.symbology is Symbology.QR:
        hr_h = (spec.text_size * LINE * QR_TEXT_LINES + HR_GAP) if spec.show_text else 0.0
        # As tall as the label allows: more room per module reads better.
        side = max(spec.height_mm, QR_MAX_SIDE_MM) * MM
        if inner_h is not None:
            side = min(side, inner_h - hr_h)
        side = min(side, inner_w * QR_MAX_WIDTH_SHARE)
        if side < spec.min_height_mm * MM - 1e-6:
            raise too_small
        x = width - pad - side
        zone = (x, pad + hr_h, side, side)
        hr = (x, side, spec.text_size, QR_TEXT_LINES) if spec.show_text else None
        text_w = inner_w - side - CELL_GAP
        return Frame(
            template, rows, width, height, pad, pad, text_w, pad, zone, side, hr, side + hr_h
        )
    hr_h = (spec.text_size * LINE + HR_GAP) if spec.show_text else 0.0
    bar_h = spec.height_mm * MM
    if inner_h is not None:
        if tall_bars:
            bar_h = max(bar_h, inner_h * BIG_BARCODE_SHARE)
        # The text gets its preferred height first; the bars give way down to their minimum.
        room = inner_h - hr_h - BARCODE_GAP - preferred_text_height(template)
        room = min(room, inner_h * MAX_BARCODE_SHARE - hr_h)
        bar_h = min(bar_h, max(spec.min_height_mm * MM, room))
        if bar_h + hr_h > inner_h + 1e-6:
            raise too_small
    text_size = spec.text_size
    if spec.show_text and inner_h is not None:
        # Tall bars (big labels) get a larger human-readable line, taken from the bars.
        text_size = min(max(spec.text_size, 0.6 * bar_h / MM), HR_MAX_SIZE)
        grown = (text_size - spec.text_size) * LINE
        if bar_h - grown >= spec.min_height_mm * MM:
            bar_h -= grown
            hr_h += grown
        else:
            text_size = spec.text_size
    edge = min(pad, 1.0 * MM)  # quiet zones may use most of the padding
    zone = (edge, pad + hr_h, width - 2 * edge, bar_h)
    hr = (pad, inner_w, text_size, 1) if spec.show_text else None
    zone_h = bar_h + hr_h
    text_bottom = pad + zone_h + BARCODE_GAP
    return Frame(
        template, rows, width, height, pad, pad, inner_w, text_bottom, zone, bar_h, hr, zone_h
    )


def preferred_text_height(template: LabelTemplate) -> float:
    """Height of the text block at preferred sizes, one line per field, every row present."""
    heights: list[float] = []
    for row in group_rows(template):
        h = 0.0
        for spec in row:
            cell = spec.font_size * LINE
            if spec.caption and spec.caption_style is CaptionStyle.ABOVE:
                cell += spec.font_size * 0.7 * LINE
            h = max(h, cell)
        heights.append(h)
    if template.title:
        heights.append(template.title_size * LINE)
    return sum(heights) + ROW_GAP * max(len(heights) - 1, 0)
