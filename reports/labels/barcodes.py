"""Barcodes as vectors: module patterns turned into merged rectangles.

:func:`encode` turns a value into a :class:`Symbol`: the dark runs of the symbol as PDF path
operators in *module units* (``"x y w h re"``, one rectangle per run of dark modules). Placing
a symbol is then one ``cm`` transformation (module width × bar height) around a cached string,
which is both fast and exact: every bar is a whole number of modules.

Code 128 and Code 39 are encoded here (:func:`code128_values`, :func:`code39_text`), with the
bar patterns of their characters from python-barcode's tables; QR by ReportLab's ``qrencoder``. :func:`fit_module` picks the module width for the space available and refuses,
with a :class:`~archive.domain.errors.ValidationError`, a value that would need modules
narrower than the printable minimum.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from barcode.charsets import code39
from barcode.charsets.code128 import CODES as CODE128_PATTERNS
from reportlab.graphics.barcode import qrencoder

from reports.labels import _messages as msg
from reports.labels.media import MM
from reports.labels.templates import BarcodeSpec, Symbology

CODE39_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"  # in check-value order
CODE39_ALPHABET = frozenset(CODE39_CHARS)
CODE39_PATTERNS: dict[str, str] = {
    **dict(zip(CODE39_CHARS, code39.CODES, strict=True)),
    "*": code39.EDGE,
}
QR_QUIET_MODULES = 4
QR_MAX_MODULE_MM = 1.0  # QR modules may be wider than linear ones: the symbol is small
_DARK_RUN = re.compile("1+")


@dataclass(frozen=True, slots=True)
class Symbol:
    """An encoded barcode, independent of where and how big it is drawn.

    Attributes:
        symbology: Which code.
        value: The encoded value.
        columns: Width in modules, without quiet zones.
        rows: 1 for linear codes (bars are 1 unit tall); the module count for QR.
        ops: PDF path operators, in module units, for the dark runs.
    """

    symbology: Symbology
    value: str
    columns: int
    rows: int
    ops: str

    @property
    def linear(self) -> bool:
        return self.symbology is not Symbology.QR


def encode(value: str, spec: BarcodeSpec) -> Symbol:
    """Encode ``value`` with the template's symbology.

    Raises:
        ValidationError: ``labels.barcode_invalid_chars`` for characters the symbology cannot
            carry (Code 128 here: printable ASCII 32–126; Code 39: 0–9, A–Z, space, -.$/+%).
    """
    sym = spec.symbology
    if sym is Symbology.CODE128:
        bad = [c for c in value if not (" " <= c <= "~")]
        if bad:
            raise msg.barcode_invalid(value, "Code 128", _show(bad))
        return _code128(value)
    if sym is Symbology.CODE39:
        bad = [c for c in value if c not in CODE39_ALPHABET]
        if bad:
            raise msg.barcode_invalid(value, "Code 39", _show(bad))
        return _code39(value, spec.code39_checksum)
    if sym is Symbology.QR:
        return _qr(value, spec.qr_level)
    raise ValueError(f"no symbol for {sym}")


def _show(chars: list[str]) -> str:
    return " ".join(dict.fromkeys(repr(c) for c in chars))


_BAR_OPS: dict[tuple[int, str], str] = {}


def _bar_op(x: int, pattern: str) -> str:
    op = _BAR_OPS[(x, pattern)] = " ".join(
        f"{x + a} 0 {b - a} 1 re" for a, b in (m.span() for m in _DARK_RUN.finditer(pattern))
    )
    return op


def _bars(sym: Symbology, value: str, patterns: list[str], gap: int) -> Symbol:
    """The symbol drawn by character ``patterns`` ("1" dark module, "0" light) laid side by
    side with ``gap`` light modules between them: one rectangle per run of dark modules.

    Each pattern ends with a space or is followed by a gap, so no dark run crosses from one
    character into the next, and the rectangles of a character at a given module offset are
    formatted once per process (a few thousand strings) and then only joined.
    """
    cache = _BAR_OPS
    parts = []
    x = 0
    for pattern in patterns:
        parts.append(cache.get((x, pattern)) or _bar_op(x, pattern))
        x += len(pattern) + gap
    return Symbol(sym, value, x - gap, 1, " ".join(parts))


_C128_START_B, _C128_START_C, _C128_TO_B, _C128_TO_C = 104, 105, 100, 99
_C128_STOP = "1100011101011"  # stop character and its final 2-module bar
_C128_DIGITS = frozenset("0123456789")


def code128_values(value: str) -> list[int]:
    """Code 128 symbol values of printable-ASCII ``value``: start, data, check character.

    Code set B carries every printable character; runs of four or more digits (and a value
    that opens with two) switch to code set C, two digits per symbol, and an odd digit left
    at the end of a run goes back to B. These are python-barcode's choices, whose bars the
    labels printed until now, except for values that open with "99" and more digits:
    python-barcode 0.16 mistakes that first "99" pair for a code-set switch and drops it.
    """
    n = len(value)
    run = [0] * (n + 1)  # length of the digit run starting at each position
    for i in range(n - 1, -1, -1):
        if value[i] in _C128_DIGITS:
            run[i] = run[i + 1] + 1
    in_c = run[0] >= 2
    out = [_C128_START_C if in_c else _C128_START_B]
    i = 0
    while i < n:
        if in_c:
            if run[i] >= 2:
                out.append(int(value[i : i + 2]))
                i += 2
                continue
            out.append(_C128_TO_B)
            in_c = False
        if run[i] >= 4:
            out.append(_C128_TO_C)
            in_c = True
            continue
        out.append(ord(value[i]) - 32)
        i += 1
    out.append((out[0] + sum(k * v for k, v in enumerate(out[1:], 1))) % 103)
    return out


def _code128(value: str) -> Symbol:
    # Every symbol character is 11 modules, from a bar to a space.
    patterns = [CODE128_PATTERNS[v] for v in code128_values(value)]
    patterns.append(_C128_STOP)
    return _bars(Symbology.CODE128, value, patterns, 0)


def code39_text(value: str, checksum: bool) -> str:
    """The characters a Code 39 symbol carries between its ``*`` delimiters: ``value`` and,
    with ``checksum``, its modulo-43 check character."""
    if not checksum:
        return value
    return value + CODE39_CHARS[sum(map(CODE39_CHARS.index, value)) % 43]


def _code39(value: str, checksum: bool) -> Symbol:
    # Every character is 15 modules from bar to bar, with a one-module gap between them.
    edge = CODE39_PATTERNS["*"]
    patterns = [edge, *(CODE39_PATTERNS[c] for c in code39_text(value, checksum)), edge]
    return _bars(Symbology.CODE39, value, patterns, 1)


def _qr(value: str, level: str) -> Symbol:
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(value)
    qr.make()
    n = qr.getModuleCount()
    parts: list[str] = []
    for r, row in enumerate(qr.modules):
        y = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                parts.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    return Symbol(Symbology.QR, value, n, n, " ".join(parts))


def fit_module(
    symbol: Symbol,
    spec: BarcodeSpec,
    avail_pt: float,
    min_module_mm: float,
    dpi: int | None,
) -> float:
    """Module width in points for ``symbol`` in ``avail_pt`` (quiet zones included).

    The width is as large as fits, capped at ``spec.max_module_mm`` (for QR at least
    :data:`QR_MAX_MODULE_MM`); with ``dpi`` it is rounded
    down to whole printer dots so every bar prints with the same width.

    Raises:
        ValidationError: ``labels.barcode_too_long`` if it would be under ``min_module_mm``.
    """
    quiet = spec.quiet_zone_modules if symbol.linear else QR_QUIET_MODULES
    total = symbol.columns + 2 * quiet
    needed_mm = avail_pt / MM / total
    cap = spec.max_module_mm if symbol.linear else max(spec.max_module_mm, QR_MAX_MODULE_MM)
    module_mm = min(needed_mm, cap)
    if dpi:
        dot = 25.4 / dpi
        module_mm = math.floor(module_mm / dot + 1e-9) * dot
    floor = spec.min_module_mm if spec.min_module_mm is not None else min_module_mm
    if module_mm + 1e-9 < floor:
        raise msg.barcode_too_long(
            symbol.value, _NAMES[symbol.symbology], avail_pt / MM, module_mm, floor
        )
    return module_mm * MM


_NAMES = {Symbology.CODE128: "Code 128", Symbology.CODE39: "Code 39", Symbology.QR: "QR"}


def symbol_ops(symbol: Symbol, x: float, y: float, module: float, bar_height: float) -> str:
    """PDF operators drawing ``symbol`` with its lower-left corner (quiet zone excluded) at
    ``(x, y)`` points; ``bar_height`` is ignored for QR (square modules)."""
    sy = module if not symbol.linear else bar_height
    return f"q {module:.5f} 0 0 {sy:.4f} {x:.3f} {y:.3f} cm {symbol.ops} f Q"
