"""Barcodes as vectors: module patterns turned into merged rectangles.

:func:`encode` turns a value into a :class:`Symbol`: the dark runs of the symbol as PDF path
operators in *module units* (``"x y w h re"``, one rectangle per run of dark modules). Placing
a symbol is then one ``cm`` transformation (module width × bar height) around a cached string,
which is both fast and exact: every bar is a whole number of modules.

Code 128 is encoded here (:func:`code128_values`; the bar patterns of its symbol characters come
from python-barcode's table), Code 39 by python-barcode's encoder, QR by ReportLab's
``qrencoder``. :func:`fit_module` picks the module width for the space available and refuses,
with a :class:`~archive.domain.errors.ValidationError`, a value that would need modules
narrower than the printable minimum.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from barcode.charsets.code128 import CODES as CODE128_PATTERNS
from barcode.codex import Code39
from reportlab.graphics.barcode import qrencoder

from reports.labels import _messages as msg
from reports.labels.media import MM
from reports.labels.templates import BarcodeSpec, Symbology

CODE39_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
QR_QUIET_MODULES = 4
QR_MAX_MODULE_MM = 1.0  # QR modules may be wider than linear ones: the symbol is small
_DARK_RUN = re.compile("1+")


class _NoWriter:
    """python-barcode wants a writer object; we only call ``build()``."""


_NO_WRITER = _NoWriter()


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
        code = Code39(value, writer=_NO_WRITER, add_checksum=spec.code39_checksum)
        return _linear(sym, value, code.build()[0])
    if sym is Symbology.QR:
        return _qr(value, spec.qr_level)
    raise ValueError(f"no symbol for {sym}")


def _show(chars: list[str]) -> str:
    return " ".join(dict.fromkeys(repr(c) for c in chars))


_RUN_OPS: dict[tuple[int, int], str] = {}


def _run_op(span: tuple[int, int]) -> str:
    op = _RUN_OPS[span] = f"{span[0]} 0 {span[1] - span[0]} 1 re"
    return op


def _linear(sym: Symbology, value: str, pattern: str) -> Symbol:
    # One rectangle per run of dark modules; the few hundred distinct (start, end) pairs
    # are formatted once per process.
    cache = _RUN_OPS
    spans = map(re.Match.span, _DARK_RUN.finditer(pattern))
    ops = " ".join([cache.get(span) or _run_op(span) for span in spans])
    return Symbol(sym, value, len(pattern), 1, ops)


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


_C128_RUNS: tuple[tuple[tuple[int, int], ...], ...] = tuple(
    tuple(m.span() for m in _DARK_RUN.finditer(p)) for p in CODE128_PATTERNS
)
_C128_STOP_RUNS = tuple(m.span() for m in _DARK_RUN.finditer(_C128_STOP))
_C128_OPS: dict[tuple[int, int], str] = {}


def _c128_op(position: int, value: int) -> str:
    """Rectangles of symbol character ``value`` at ``position`` (each is 11 modules, begins
    with a bar and ends with a space, so dark runs never cross characters)."""
    x = 11 * position
    op = _C128_OPS[(position, value)] = " ".join(
        f"{x + a} 0 {b - a} 1 re" for a, b in _C128_RUNS[value]
    )
    return op


def _code128(value: str) -> Symbol:
    values = code128_values(value)
    cache = _C128_OPS
    parts = [cache.get(key) or _c128_op(*key) for key in enumerate(values)]
    x = 11 * len(values)
    parts.extend(_run_op((x + a, x + b)) for a, b in _C128_STOP_RUNS)
    return Symbol(Symbology.CODE128, value, x + len(_C128_STOP), 1, " ".join(parts))


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
