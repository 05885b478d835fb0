"""The per-label work: fit each field, stack the rows, shrink or grow to the label.

:func:`layout_text` looks up the label's values, fits every field
(:func:`~reports.labels.text.fit_text`), and scales all sizes together until the block fits
the text area of the :class:`~reports.labels.frame.Frame`: smaller when it is too tall, larger
(up to :data:`MAX_GROW`) on a roomy label. The scale is first estimated from a model of how
row heights depend on it and then checked by a real fit, so a label costs two fits in the
usual case; fitted rows are memoised per frame, so the fondo, sección and serie rows that
repeat across a batch are fitted once. Nothing here draws: the output is text runs in points
relative to the label's lower-left corner.

Guarantee: every run lies inside the text area. What does not fit at the minimum sizes is
ellipsised, then rows are left out, least important first; either marks the label truncated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.labels.frame import CELL_GAP, HR_GAP, HR_MIN_SIZE, ROW_GAP, Frame
from reports.labels.templates import Align, CaptionStyle, FieldSpec
from reports.labels.text import ASCENT, LINE, Fitted, FontSet, fit_text, sanitise, unit_width

MAX_ROW_GAP = 4.0  # points of extra space between rows on a label with room to spare
TITLE_MIN_SIZE = 5.5
MAX_GROW = 3.0  # text on a roomy label grows up to this factor
MIN_GROW = 1.1  # ...when it can grow at least this much (smaller gains are not worth a fit)
GROW_UNIFORMITY = 0.75  # ...while no field falls below this share of its grown size
CROWDED = 0.8  # fields sharing a row get rows of their own rather than shrink below this
_CACHE_LIMIT = 50_000

#: One text run: (font name, size, x, y (baseline), text), relative to the label origin.
Run = tuple[str, float, float, float, str]


@dataclass(slots=True)
class TextLayout:
    """The text of one label.

    Attributes:
        runs: Text runs to draw.
        rules: y of the separator lines between rows (drawn if the template asks).
        height: Height the block uses, from its top edge down.
        truncated: Something was ellipsised or left out.
    """

    runs: list[Run]
    rules: list[float]
    height: float
    truncated: bool


@dataclass(frozen=True, slots=True)
class _Cell:
    spec: FieldSpec
    x: float
    width: float
    caption: Fitted | None
    body: Fitted
    height: float
    runs: tuple[Run, ...]  # relative to the top of the row (y = 0)


#: Physical rows of one template row: (cells, height) each, and the row's smallest
#: fitted/intended size ratio.
_RowFit = tuple[tuple[tuple[tuple[_Cell, ...], float], ...], float]


def _natural(spec: FieldSpec, text: str, fonts: FontSet, scale: float) -> float:
    """One-line width of caption and text at the field's scaled size."""
    size = max(spec.font_size * scale, spec.min_font_size)
    width = unit_width(text, fonts.bold if spec.bold else fonts.regular)
    if spec.caption and spec.caption_style is CaptionStyle.INLINE:
        width += unit_width(spec.caption + ": ", fonts.bold)
    return max(width * size, 1.0)


def _fit_cells(
    row: list[tuple[FieldSpec, str]],
    x0: float,
    width: float,
    fonts: FontSet,
    scale: float,
    one_line: bool,
) -> tuple[_Cell, ...]:
    free = width - CELL_GAP * (len(row) - 1)
    shares = [spec.weight for spec, _ in row]
    if len(row) > 1:
        # Fixed shares keep columns aligned from label to label; when a cell would overflow
        # its share, split by natural widths instead so the cells shrink together.
        total = sum(shares)
        natural = [_natural(spec, text, fonts, scale) for spec, text in row]
        if any(n > free * s / total for n, s in zip(natural, shares, strict=True)):
            shares = natural
    total_w = sum(shares)
    cells: list[_Cell] = []
    x = x0
    for (spec, text), share in zip(row, shares, strict=True):
        w = free * share / total_w
        size = max(spec.font_size * scale, spec.min_font_size)
        font = fonts.bold if spec.bold else fonts.regular
        caption: Fitted | None = None
        inline = ""
        if spec.caption and spec.caption_style is CaptionStyle.INLINE:
            inline = spec.caption + ":"
        elif spec.caption and spec.caption_style is CaptionStyle.ABOVE:
            cs = max(size * 0.7, min(4.5, spec.min_font_size))
            caption = fit_text(spec.caption, "", fonts.bold, "", cs, min(cs, 4.0), w, 1)
        lines = 1 if one_line else spec.max_lines
        body = fit_text(text, inline, font, fonts.bold, size, spec.min_font_size, w, lines)
        height = body.height + (caption.height if caption is not None else 0.0)
        runs: list[Run] = []
        cy = 0.0
        if caption is not None:
            _emit(runs, caption, fonts.bold, fonts.bold, "", x, w, cy, spec.align)
            cy -= caption.height
        _emit(runs, body, font, fonts.bold, inline, x, w, cy, spec.align)
        cells.append(_Cell(spec, x, w, caption, body, height, tuple(runs)))
        x += w + CELL_GAP
    return tuple(cells)


def _fit_row(
    specs: tuple[FieldSpec, ...],
    texts: tuple[str, ...],
    frame: Frame,
    fonts: FontSet,
    scale: float,
    one_line: bool,
) -> _RowFit:
    visible = [(s, t) for s, t in zip(specs, texts, strict=True) if t or not s.hide_if_empty]
    if not visible:
        return (), 1.0
    groups = [visible]
    if len(visible) > 1:
        free = frame.text_w - CELL_GAP * (len(visible) - 1)
        if sum(_natural(s, t, fonts, scale) for s, t in visible) * CROWDED > free:
            groups = [[cell] for cell in visible]  # too crowded: one row per field
    out = []
    ratio = 1.0
    for group in groups:
        cells = _fit_cells(group, frame.text_x, frame.text_w, fonts, scale, one_line)
        out.append((cells, max(c.height for c in cells)))
        for c in cells:
            ratio = min(ratio, c.body.size / max(c.spec.font_size * scale, c.spec.min_font_size))
    return tuple(out), ratio


@dataclass(slots=True)
class _Block:
    title: Fitted | None
    rows: list[tuple[_Cell, ...]]
    heights: list[float]
    used: float
    scale: float
    ratio: float  # smallest (fitted size / intended size) of any field


class _Layouter:
    """Fits one label's rows at a given scale (memoised in the frame)."""

    def __init__(self, frame: Frame, texts: list[tuple[str, ...]], title: str, fonts: FontSet):
        self.frame = frame
        self.texts = texts
        self.title = title
        self.fonts = fonts
        # one memo per font set, so the keys need not hash the fonts again and again
        self.cache: dict[Any, _RowFit] = frame.cache.setdefault(fonts, {})
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()

    def attempt(self, scale: float, one_line: bool = False) -> _Block:
        frame, fonts, cache = self.frame, self.fonts, self.cache
        scale = round(scale, 2)
        rows: list[tuple[_Cell, ...]] = []
        heights: list[float] = []
        ratio = 1.0
        for i, texts in enumerate(self.texts):
            key = (i, texts, scale, one_line)
            fit = cache.get(key)
            if fit is None:
                fit = cache[key] = _fit_row(frame.rows[i], texts, frame, fonts, scale, one_line)
            for cells, h in fit[0]:
                rows.append(cells)
                heights.append(h)
            if fit[1] < ratio:
                ratio = fit[1]
        used = sum(heights) + ROW_GAP * max(len(heights) - 1, 0)
        title = None
        if self.title:
            t = frame.template
            size = max(t.title_size * scale, TITLE_MIN_SIZE)
            title = fit_text(self.title, "", fonts.bold, "", size, TITLE_MIN_SIZE, frame.text_w, 2)
            used += title.height + (ROW_GAP if heights else 0.0)
        return _Block(title, rows, heights, used, scale, ratio)

    def model(self, base: _Block) -> list[list[tuple[float, float, float, float]]]:
        """Per row, per cell: (height per point, preferred size, minimum, width-limited cap)."""
        rows = []
        for cells in base.rows:
            row = []
            for c in cells:
                pref = c.spec.font_size
                got = c.body.size
                cap = got if got < pref * base.scale - 1e-6 else math.inf
                row.append((c.height / got, pref, c.spec.min_font_size, cap))
            rows.append(row)
        if base.title is not None:
            t = base.title
            pref = self.frame.template.title_size
            cap = t.size if t.size < pref * base.scale - 1e-6 else math.inf
            rows.append([(t.height / t.size, pref, TITLE_MIN_SIZE, cap)])
        return rows

    @staticmethod
    def predict(model: list[list[tuple[float, float, float, float]]], s: float) -> float:
        total = ROW_GAP * max(len(model) - 1, 0)
        for row in model:
            best = 0.0
            for k, pref, mn, cap in row:
                size = s * pref
                if size < mn:
                    size = mn
                if size > cap:
                    size = cap
                if k * size > best:
                    best = k * size
            total += best
        return total

    def solve(
        self,
        model: list[list[tuple[float, float, float, float]]],
        avail: float,
        lo: float,
        hi: float,
    ) -> float:
        """Largest scale in [lo, hi] whose predicted height fits ``avail`` (lo if none).

        The prediction is piecewise linear and non-decreasing in the scale, so regula falsi
        (Illinois variant) lands on the right segment in a few evaluations.
        """
        f_hi = self.predict(model, hi) - avail
        if f_hi <= 0:
            return hi
        f_lo = self.predict(model, lo) - avail
        if f_lo > 0:
            return lo
        side = 0
        for _ in range(8):
            if hi - lo < 0.004:
                break
            mid = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
            mid = min(max(mid, lo + 0.001), hi - 0.001)
            f_mid = self.predict(model, mid) - avail
            if f_mid <= 0:
                lo, f_lo = mid, f_mid
                if side == -1:
                    f_hi /= 2
                side = -1
            else:
                hi, f_hi = mid, f_mid
                if side == 1:
                    f_lo /= 2
                side = 1
        return lo


def _fits(block: _Block, avail: float) -> bool:
    return block.used <= avail + 1e-6


def _shrink(lay: _Layouter, base: _Block, avail: float) -> tuple[_Block, bool]:
    """Scale down until the block fits; then one line per field; then leave out rows."""
    scale = math.floor(lay.solve(lay.model(base), avail, 0.0, 1.0) * 100) / 100
    for _ in range(3):
        block = lay.attempt(scale)
        if _fits(block, avail):
            return block, False
        if scale <= 0:
            break
        scale = math.floor(scale * 93) / 100
    floor = lay.attempt(0.0)
    if _fits(floor, avail):  # the model was off: bisect between the minimum and the estimate
        lo, hi, best = 0.0, scale, floor
        for _ in range(4):
            mid = (lo + hi) / 2
            block = lay.attempt(mid)
            if _fits(block, avail):
                lo, best = mid, block
            else:
                hi = mid
        return best, False
    block = lay.attempt(0.0, True)
    if _fits(block, avail):
        return block, False
    rows, heights = block.rows, block.heights
    while rows and not _fits(block, avail):
        # Leave out the least important row (the lowest one among equals).
        drop = min(range(len(rows)), key=lambda i: (max(c.spec.priority for c in rows[i]), -i))
        del rows[drop]
        block.used -= heights.pop(drop) + ROW_GAP
    if not _fits(block, avail) and block.title is not None:
        block.used -= block.title.height
        block.title = None
    return block, True


def _grow(lay: _Layouter, base: _Block, avail: float) -> _Block:
    """On a roomy label, scale the text up as far as it fits, but not so far that fields held
    back by their width look much smaller than the rest.

    The model ignores width limits (fields that share a row get rows of their own as they
    grow), so candidates are tried from its estimate downwards.
    """
    floor = base.ratio * GROW_UNIFORMITY
    model = [[(k, pref, mn, math.inf) for k, pref, mn, _ in row] for row in lay.model(base)]
    scale = math.floor(lay.solve(model, avail, 1.0, MAX_GROW) * 100) / 100
    for _ in range(6):
        if scale < MIN_GROW:
            break
        block = lay.attempt(scale)
        if _fits(block, avail) and block.ratio >= floor:
            return block
        scale = math.floor((1 + (scale - 1) * 0.7) * 100) / 100
    return base


def layout_text(
    frame: Frame, values: Mapping[str, str], fonts: FontSet, top: float | None = None
) -> TextLayout:
    """Fit ``values`` into the frame's text area.

    Args:
        frame: From :func:`~reports.labels.frame.compile_frame`.
        values: Field key → text (from :meth:`LabelData.values`).
        fonts: Fonts to measure and draw with.
        top: y of the block's top edge; defaults to the label height minus the padding.
            Continuous-tape frames (``height=None``) are laid out at preferred sizes only.

    Returns:
        Runs relative to the label origin.
    """
    t = frame.template
    if not fonts.unicode:
        values = {k: sanitise(v, fonts) for k, v in values.items()}
    texts = [tuple(values.get(spec.key, "") for spec in row) for row in frame.rows]
    title = sanitise(t.title, fonts) if t.title else ""
    if top is None:
        top = (frame.height or 0.0) - frame.pad
    avail = None if frame.height is None else top - frame.text_bottom
    lay = _Layouter(frame, texts, title, fonts)
    block = lay.attempt(1.0)
    truncated = False
    if avail is not None and not _fits(block, avail):
        block, truncated = _shrink(lay, block, avail)
    elif avail is not None and block.used and block.used * MIN_GROW < avail:
        block = _grow(lay, block, avail)
    gap = ROW_GAP
    n = len(block.heights) + (1 if block.title is not None else 0)
    if avail is not None and n > 1:
        gap += max(0.0, min(MAX_ROW_GAP * block.scale, (avail - block.used) / n))
    return _place(frame, block, fonts, top, gap, truncated)


def _place(
    frame: Frame, block: _Block, fonts: FontSet, top: float, gap: float, truncated: bool
) -> TextLayout:
    runs: list[Run] = []
    rules: list[float] = []
    y = top
    if block.title is not None:
        truncated |= block.title.truncated
        _emit(
            runs,
            block.title,
            fonts.bold,
            fonts.bold,
            "",
            frame.text_x,
            frame.text_w,
            y,
            Align.CENTER,
        )
        y -= block.title.height + gap
        rules.append(y + gap / 2)
    for cells, h in zip(block.rows, block.heights, strict=True):
        for cell in cells:
            runs.extend([(f, s, x, y + ry, t) for f, s, x, ry, t in cell.runs])
            truncated |= cell.body.truncated
        y -= h + gap
        rules.append(y + gap / 2)
    if rules:
        rules.pop()
    used = top - y - gap if (block.rows or block.title is not None) else 0.0
    return TextLayout(runs, rules, used, truncated)


def _emit(
    runs: list[Run],
    fit: Fitted,
    font: str,
    caption_font: str,
    caption: str,
    x: float,
    width: float,
    y_top: float,
    align: Align,
) -> None:
    size = fit.size
    centre = align is Align.CENTER
    block = max((fit.offset(i) + w for i, w in enumerate(fit.widths)), default=0.0)
    block = max(block, fit.caption_width)
    x0 = x + (width - block) / 2 if centre else x
    base = y_top - ASCENT * size
    if fit.caption_width and caption:
        runs.append((caption_font, size, x0, base, caption))
    for i, (line, w) in enumerate(zip(fit.lines, fit.widths, strict=True)):
        if line:
            off = fit.offset(i)
            runs.append(
                (font, size, x0 + off + ((block - off - w) / 2 if centre else 0.0), base, line)
            )
        base -= LINE * size


def human_readable(frame: Frame, value: str, fonts: FontSet) -> list[Run]:
    """Runs for the value printed under the symbol, centred and fitted to the zone."""
    if frame.hr_zone is None or frame.bar_zone is None:
        return []
    x, w, size, lines = frame.hr_zone
    fit = fit_text(sanitise(value, fonts), "", fonts.regular, "", size, HR_MIN_SIZE, w, lines)
    runs: list[Run] = []
    top = frame.bar_zone[1] - HR_GAP
    _emit(runs, fit, fonts.regular, fonts.regular, "", x, w, top, Align.CENTER)
    return runs
