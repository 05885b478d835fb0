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

#: One encoded chunk: (PDF font resource name, escaped string).
_Chunk = tuple[str, str]


class TextEmitter:
    """Encodes text runs for one document (subset assignments are per document)."""

    def __init__(self, canvas: Canvas) -> None:
        self._doc = canvas._doc
        self._cache: dict[tuple[str, str], tuple[_Chunk, ...]] = {}

    def _encode(self, font_name: str, text: str) -> tuple[_Chunk, ...]:
        font = pdfmetrics.getFont(font_name)
        doc = self._doc
        if font._dynamicFont:
            return tuple(
                (font.getSubsetInternalName(subset, doc), escapePDF(chunk))
                for subset, chunk in font.splitString(text, doc)
            )
        return tuple(
            (doc.getInternalFontName(f.fontName), escapePDF(chunk))
            for f, chunk in pdfmetrics.unicode2T1(text, [font, *font.substitutionFonts])
        )

    def ops(self, runs: list[Run], x: float, y: float) -> str:
        """``BT … ET`` drawing ``runs`` offset by ``(x, y)``."""
        out = ["BT"]
        cache = self._cache
        current = ""
        current_size = -1.0
        for font, size, rx, ry, text in runs:
            chunks = cache.get((font, text))
            if chunks is None:
                chunks = cache[(font, text)] = self._encode(font, text)
            out.append(f"1 0 0 1 {x + rx:.2f} {y + ry:.2f} Tm")
            for name, escaped in chunks:
                if name != current or size != current_size:
                    out.append(f"{name} {size:.2f} Tf")
                    current, current_size = name, size
                out.append(f"({escaped}) Tj")
        out.append("ET")
        return " ".join(out)
