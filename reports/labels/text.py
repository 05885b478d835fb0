"""Fonts and text fitting: shrink, then wrap, then ellipsise — never wider than the box.

A :class:`FontSet` names a regular and a bold font registered with ReportLab. The default set
prefers DejaVu Sans Condensed (narrow, full Spanish coverage), then DejaVu Sans, then Bitstream
Vera (shipped inside ReportLab, so always present), then the built-in Helvetica, whose WinAnsi
encoding covers áéíóúüñÑ¿¡ but not every character: text set in it is sanitised first.

:func:`fit_text` is pure and memoised: labels in a batch repeat the same fondo, sección and serie
names, so most fits are dictionary hits.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: Vertical extent of a line relative to the font size, generous enough for accented capitals
#: (Á, Ñ) above and descenders below in DejaVu, Vera and Helvetica.
ASCENT = 0.95
DESCENT = 0.25
LINE = ASCENT + DESCENT
ELLIPSIS = "…"

_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("LegajoDejaVuCond", "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("LegajoDejaVu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)


@dataclass(frozen=True, slots=True)
class FontSet:
    """A regular and a bold font, by their ReportLab registered names.

    Attributes:
        regular: Name of the regular face.
        bold: Name of the bold face (captions, titles).
        unicode: ``False`` for the built-in Type 1 fonts (WinAnsi only): text is sanitised.
    """

    regular: str
    bold: str
    unicode: bool = True


HELVETICA = FontSet("Helvetica", "Helvetica-Bold", unicode=False)

_resolved: dict[tuple[str, ...], FontSet] = {}


def default_fonts(search_dirs: Sequence[str | os.PathLike[str]] | None = None) -> FontSet:
    """Find, register (once per process) and return the best available font set.

    Args:
        search_dirs: Folders to look for DejaVu in; the usual system folders by default.

    Returns:
        DejaVu Sans Condensed, DejaVu Sans, ReportLab's Vera, or Helvetica, in that order.
    """
    dirs = tuple(str(d) for d in (search_dirs if search_dirs is not None else _FONT_DIRS))
    found = _resolved.get(dirs)
    if found is None:
        found = _resolve(dirs)
        _resolved[dirs] = found
    return found


def _resolve(dirs: tuple[str, ...]) -> FontSet:
    for name, regular, bold in _FAMILIES:
        for folder in dirs:
            reg, bld = Path(folder, regular), Path(folder, bold)
            if reg.is_file() and bld.is_file():
                fonts = _register(name, reg, bld)
                if fonts is not None:
                    return fonts
    try:
        import reportlab

        rl_fonts = Path(reportlab.__file__).parent / "fonts"
        fonts = _register("LegajoVera", rl_fonts / "Vera.ttf", rl_fonts / "VeraBd.ttf")
    except OSError:
        fonts = None
    return fonts if fonts is not None else HELVETICA


def _register(name: str, regular: Path, bold: Path) -> FontSet | None:
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(regular)))
            pdfmetrics.registerFont(TTFont(f"{name}-Bold", str(bold)))
    except Exception:  # a damaged or unreadable font file: try the next candidate
        return None
    return FontSet(name, f"{name}-Bold")


def sanitise(text: str, fonts: FontSet) -> str:
    """Drop control characters; for WinAnsi fonts, replace what cp1252 cannot encode by '?'."""
    if text.isprintable() and (fonts.unicode or text.isascii()):
        return text
    out = []
    for ch in text:
        if not ch.isprintable():
            ch = " "
        elif not fonts.unicode:
            try:
                ch.encode("cp1252")
            except UnicodeEncodeError:
                ch = "?"
        out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Fitted:
    """Text fitted into a width.

    Attributes:
        size: Font size in points for caption and text.
        lines: The value's lines; the first one follows the inline caption (and may be empty
            when the caption stands alone on the first line).
        widths: Width of each line in points at ``size``.
        caption_width: Width of the inline caption (with its trailing space) at ``size``;
            0 when there is no caption or the box is too narrow for it.
        hanging: Continuation lines start after the caption (else at the left edge).
        truncated: Whether an ellipsis replaced part of the text.
    """

    size: float
    lines: tuple[str, ...]
    widths: tuple[float, ...]
    caption_width: float
    hanging: bool
    truncated: bool

    @property
    def height(self) -> float:
        """Height of the block in points."""
        return len(self.lines) * LINE * self.size

    def offset(self, line: int) -> float:
        """x of ``line`` relative to the start of the caption."""
        return self.caption_width if line == 0 or self.hanging else 0.0


_TABLE_SIZE = 0x3000  # Latin, Greek, Cyrillic, punctuation, arrows... as a flat table


@functools.lru_cache(maxsize=32)
def _width_table(font: str) -> tuple[float, ...] | None:
    """Per-code-point widths at 1 pt for a TrueType font (``None`` for built-in fonts)."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    widths = getattr(face, "charWidths", None)
    if face is None or widths is None:
        return None
    default = face.defaultWidth
    return tuple(widths.get(cp, default) / 1000.0 for cp in range(_TABLE_SIZE))


@functools.lru_cache(maxsize=16384)
def unit_width(text: str, font: str) -> float:
    """Width of ``text`` at 1 pt (memoised; TrueType widths summed from a flat table, the
    same sum ReportLab's ``stringWidth`` makes character by character)."""
    table = _width_table(font)
    if table is not None:
        try:
            return sum(map(table.__getitem__, map(ord, text)))
        except IndexError:  # a character past the table
            pass
    return float(pdfmetrics.stringWidth(text, font, 1.0))


#: Texts up to this many characters shrink to their minimum size before wrapping.
SHORT_TEXT = 32
#: Continuation lines hang under the text only if the caption takes at most this share.
HANGING_SHARE = 0.4


@functools.lru_cache(maxsize=16384)
def fit_text(
    text: str,
    caption: str,
    font: str,
    caption_font: str,
    size: float,
    min_size: float,
    width: float,
    max_lines: int,
) -> Fitted:
    """Fit ``caption`` (inline, bold) and ``text`` into ``width`` points.

    1. At ``size`` on one line if it fits; else shrink, keeping one line, down to
       ``max(min_size, 0.85 × size)`` (down to ``min_size`` for short texts).
    2. Wrap on spaces (breaking words longer than a line) into at most ``max_lines`` lines,
       trying sizes from ``size`` down to ``min_size`` in 0.5 pt steps; lines are balanced
       so the last one is not a lone word.
    3. At ``min_size``, keep the first ``max_lines`` lines and end the last one with "…".

    Continuation lines hang under the text when the caption is short, else they start at the
    left edge. Every line is at most ``width``. A caption that cannot fit even alone at
    ``min_size`` is left out.

    Returns:
        The chosen size and lines.
    """
    cap1 = unit_width(caption + " ", caption_font) if caption else 0.0
    if cap1 * min_size > width:
        cap1 = 0.0
    txt1 = unit_width(text, font)
    if (cap1 + txt1) * size <= width:
        return Fitted(size, (text,), (txt1 * size,), cap1 * size, True, False)
    if not text:  # a caption alone (fields printed even when empty)
        size = max(min_size, _floor01(width / cap1))
        return Fitted(size, ("",), (0.0,), cap1 * size, True, False)
    # Short values (dates, counts, codes) shrink all the way rather than wrap.
    one_line_floor = min_size if len(text) <= SHORT_TEXT else max(min_size, 0.85 * size)
    shrink = _floor01(width / (cap1 + txt1))
    if shrink >= one_line_floor:
        return Fitted(shrink, (text,), (txt1 * shrink,), cap1 * shrink, True, False)
    start = size
    steps = max(0, math.floor((start - min_size) / 0.5))
    sizes = [start - 0.5 * i for i in range(steps + 1)]
    if not sizes or sizes[-1] > min_size:
        sizes.append(min_size)
    for s in sizes:
        full = width / s
        if cap1 > full:  # the caption alone is too wide at this size
            continue
        hanging = cap1 <= HANGING_SHARE * full
        first = full - cap1
        rest = first if hanging else full
        lines = _wrap_all(text, font, first, rest, max_lines + 1)
        if len(lines) <= max_lines and _within(lines, font, first, rest):
            if hanging and len(lines) > 1:
                lines = _balance(text, font, first, len(lines))
            return _fitted(s, lines, font, cap1, hanging, False)
    s = min_size
    full = width / s
    hanging = cap1 <= HANGING_SHARE * full
    first = max(full - cap1, 0.0)
    lines = _wrap_truncate(text, font, first, first if hanging else full, max_lines)
    return _fitted(s, lines, font, cap1, hanging, True)


def clear_caches() -> None:
    """Forget memoised widths and fits (they hold at most some tens of thousands of strings;
    a long-running program may call this after a very large batch)."""
    fit_text.cache_clear()
    unit_width.cache_clear()
    _width_table.cache_clear()
    _max_advance.cache_clear()


def _fitted(
    size: float, lines: tuple[str, ...], font: str, cap1: float, hanging: bool, cut: bool
) -> Fitted:
    widths = tuple(unit_width(x, font) * size for x in lines)
    return Fitted(size, lines, widths, cap1 * size, hanging, cut)


def _within(lines: tuple[str, ...], font: str, first: float, rest: float) -> bool:
    """Whether every line fits: the greedy wrap only overflows when a single character is
    wider than a line, which no line as wide as the font's widest glyph can suffer."""
    if min(first, rest) >= _max_advance(font):
        return True
    return all(unit_width(x, font) <= (first if i == 0 else rest) for i, x in enumerate(lines))


@functools.lru_cache(maxsize=32)
def _max_advance(font: str) -> float:
    """Widest glyph of ``font`` at 1 pt (a generous 2 em for the built-in fonts)."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    widths = getattr(face, "charWidths", None)
    if not widths:
        return 2.0
    return float(max(max(widths.values()), getattr(face, "defaultWidth", 0))) / 1000.0


def _floor01(value: float) -> float:
    return math.floor(value * 10.0) / 10.0


def _wrap_all(text: str, font: str, first: float, rest: float, limit: int) -> tuple[str, ...]:
    """Greedy wrap at 1 pt: the first line is ``first`` wide, the others ``rest``.

    Stops after ``limit`` lines. When the first word does not fit the first line but the
    other lines are wider, the first line is left empty.
    """
    space = unit_width(" ", font)
    lines: list[str] = []
    current = ""
    current_w = 0.0
    line_w = first
    for word in text.split(" "):  # only ordinary spaces break: U+00A0 binds
        if not word:
            continue
        w = unit_width(word, font)
        if current and current_w + space + w <= line_w:
            current += " " + word
            current_w += space + w
            continue
        if current:
            lines.append(current)
            line_w = rest
        elif not lines and w > line_w and rest > line_w:
            lines.append("")
            line_w = rest
        if len(lines) >= limit:
            return tuple(lines)
        while w > line_w and len(word) > 1:  # a word longer than a line: break it
            cut = _longest_prefix(word, font, line_w)
            lines.append(word[:cut])
            line_w = rest
            if len(lines) >= limit:
                return tuple(lines)
            word = word[cut:]
            w = unit_width(word, font)
        current, current_w = word, w
    if current:
        lines.append(current)
    return tuple(lines)


def _balance(text: str, font: str, width: float, count: int) -> tuple[str, ...]:
    """The narrowest equal-width wrap that still needs only ``count`` lines."""
    if count == 2:
        two = _balance_two(text, font, width)
        if two is not None:
            return two
    lo, hi = width * 0.4, width
    best = _wrap_all(text, font, width, width, count + 1)
    for _ in range(7):
        mid = (lo + hi) / 2
        lines = _wrap_all(text, font, mid, mid, count + 1)
        if len(lines) <= count and all(unit_width(x, font) <= mid for x in lines):
            best, hi = lines, mid
        else:
            lo = mid
    return best


def _balance_two(text: str, font: str, width: float) -> tuple[str, str] | None:
    """Two lines split at the space that makes the longer line shortest (``None`` when a
    word does not fit a line, or no split fits)."""
    words = [w for w in text.split(" ") if w]
    if len(words) < 2:
        return None
    space = unit_width(" ", font)
    widths = [unit_width(w, font) for w in words]
    if max(widths) > width:
        return None
    total = sum(widths) + space * (len(words) - 1)
    best: tuple[float, int] | None = None
    left = -space
    for j in range(1, len(words)):
        left += widths[j - 1] + space
        longer = max(left, total - left - space)
        if longer <= width and (best is None or longer < best[0]):
            best = (longer, j)
    if best is None:
        return None
    j = best[1]
    return " ".join(words[:j]), " ".join(words[j:])


def _longest_prefix(word: str, font: str, width1: float, suffix: str = "") -> int:
    """Length of the longest prefix of ``word`` that fits with ``suffix`` (at least 1)."""
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if unit_width(word[:mid] + suffix, font) <= width1:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _wrap_truncate(
    text: str, font: str, first: float, rest: float, max_lines: int
) -> tuple[str, ...]:
    lines = list(_wrap_all(text, font, first, rest, max_lines + 1))
    widths = [first] + [rest] * max_lines
    if not lines or any(unit_width(x, font) > w for x, w in zip(lines, widths, strict=False)):
        return ("",)  # narrower than a single character
    keep = lines[:max_lines]
    last_w = widths[len(keep) - 1]
    if unit_width(ELLIPSIS, font) > last_w:
        return ("",)
    last = " ".join([keep[-1], *lines[max_lines : max_lines + 1]]).strip()
    if unit_width(last + ELLIPSIS, font) > last_w:
        last = last[: _longest_prefix(last, font, last_w, ELLIPSIS)].rstrip()
        while last and unit_width(last + ELLIPSIS, font) > last_w:
            last = last[:-1]
    keep[-1] = last + ELLIPSIS
    return tuple(keep)
