"""Text straight into the page's content stream, without ReportLab's text objects.

ReportLab's ``textOut`` re-encodes and re-formats every string it is given; a label batch
repeats the same captions and names thousands of times. :class:`TextEmitter` encodes each
(font, text) pair once per document — TrueType subsets through ``splitString``, the built-in
fonts through ``unicode2T1`` — and then only formats positions. The output is ordinary PDF
text operators (``BT … Tf … Tm (…) Tj … ET``) added with ``Canvas.addLiteral``.
"""

from __future__ import annotations

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from reports.labels.layout import Run

#: One encoded chunk: (PDF font resource name, ``"(escaped) Tj"``).
_Chunk = tuple[str, str]


class TextEmitter:
    """Encodes text runs for one document (subset assignments are per document)."""

    def __init__(self, canvas: Canvas) -> None:
        self._doc = canvas._doc
        self._cache: dict[tuple[str, str], tuple[_Chunk, ...]] = {}
        self._fonts: dict[tuple[str, float], str] = {}

    def _encode(self, font_name: str, text: str) -> tuple[_Chunk, ...]:
        font = pdfmetrics.getFont(font_name)
        doc = self._doc
        if font._dynamicFont:
            chunks = [
                (font.getSubsetInternalName(subset, doc), chunk)
                for subset, chunk in font.splitString(text, doc)
            ]
        else:
            chunks = [
                (doc.getInternalFontName(f.fontName), chunk)
                for f, chunk in pdfmetrics.unicode2T1(text, [font, *font.substitutionFonts])
            ]
        encoded = tuple((name, f"({escapePDF(chunk)}) Tj") for name, chunk in chunks)
        self._cache[(font_name, text)] = encoded
        return encoded

    def _font(self, name: str, size: float) -> str:
        op = self._fonts[(name, size)] = f"{name} {size:.2f} Tf"
        return op

    def ops(self, runs: list[Run], x: float, y: float) -> str:
        """``BT … ET`` drawing ``runs`` offset by ``(x, y)``."""
        out = ["BT"]
        append = out.append
        cache = self._cache
        fonts = self._fonts
        current: tuple[str, float] | None = None
        for font, size, rx, ry, text in runs:
            chunks = cache.get((font, text))
            if chunks is None:
                chunks = self._encode(font, text)
            append(f"1 0 0 1 {x + rx:.2f} {y + ry:.2f} Tm")
            for name, shown in chunks:
                if current != (name, size):
                    current = (name, size)
                    append(fonts.get(current) or self._font(name, size))
                append(shown)
        append("ET")
        return " ".join(out)
