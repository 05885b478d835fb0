"""Legajo's linear encoders (``reports.labels.barcodes``): Code 128 and Code 39.

Code 39 must draw exactly python-barcode's bars. Code 128 is checked three ways: an independent reader of the symbol values (every value reads back, check
character right); python-barcode, whose bars the labels used before, as an oracle for the
bars themselves; and rendered labels decoded by pyzbar and zxing-cpp for the values that
python-barcode 0.16 got wrong (a value opening with "99" and more digits lost that pair).
"""

from __future__ import annotations

import re

from barcode.codex import Code39, Code128
from hypothesis import given
from hypothesis import strategies as st

from reports.labels import (
    BarcodeSpec,
    LabelKind,
    Symbology,
    builtin_media,
    default_templates,
    encode,
    render_labels_bytes,
)
from reports.labels.barcodes import CODE39_CHARS, code39_text, code128_values
from tests.samples.labels.factory import sample
from tests.samples.labels.raster import decode, rasterise

PRINTABLE = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40)
DIGITS_FIRST = st.builds(
    lambda d, rest: d + rest, st.text("0123456789", min_size=1, max_size=12), PRINTABLE
)
SPEC = default_templates()[LabelKind.CARPETA].barcode


def _read(values: list[int]) -> str:
    """Decode symbol values (start, data, check) the way a scanner does: sets B and C only."""
    start, *data, check = values
    assert start in (104, 105)
    assert check == (start + sum(i * v for i, v in enumerate(data, 1))) % 103
    in_c = start == 105
    out = []
    for v in data:
        if v == 99 and not in_c:
            in_c = True
        elif v == 100 and in_c:
            in_c = False
        elif in_c:
            assert 0 <= v <= 99
            out.append(f"{v:02d}")
        else:
            assert 0 <= v <= 94
            out.append(chr(v + 32))
    return "".join(out)


def _ops_from_pattern(pattern: str) -> str:
    return " ".join(
        f"{a} 0 {b - a} 1 re" for a, b in (m.span() for m in re.finditer("1+", pattern))
    )


@given(st.one_of(PRINTABLE, DIGITS_FIRST))
def test_every_value_reads_back(value: str) -> None:
    assert _read(code128_values(value)) == value


@given(st.one_of(PRINTABLE, DIGITS_FIRST))
def test_bars_are_python_barcodes_except_its_99_bug(value: str) -> None:
    pattern = Code128(value, writer=object()).build()[0]
    symbol = encode(value, SPEC)
    if value[:2] == "99" and value[:2].isdigit():
        assert symbol.columns == len(pattern) + 11  # the pair python-barcode dropped
        return
    assert symbol.columns == len(pattern)
    assert symbol.ops == _ops_from_pattern(pattern)


def test_digit_runs_use_code_set_c() -> None:
    assert code128_values("12")[:2] == [105, 12]
    assert code128_values("1A")[:3] == [104, 17, 33]
    assert code128_values("A1234B")[:6] == [104, 33, 99, 12, 34, 100]  # 4 digits: C
    assert code128_values("A123B")[:5] == [104, 33, 17, 18, 19]  # 3 digits: stay in B
    assert code128_values("12345")[:5] == [105, 12, 34, 100, 21]  # odd digit back in B


def test_values_opening_with_99_decode_on_a_printed_label() -> None:
    values = ["99123456", "9912", "99", "990", "99A", "A99"]
    items = [sample(LabelKind.CARPETA, v) for v in values]
    pages = rasterise(
        render_labels_bytes(items, default_templates(), builtin_media()["rollo-100x50"])
    )
    for page, value in zip(pages, values, strict=True):
        found = decode(page)
        assert found.pyzbar == (value,), (value, found)
        assert found.zxing == (value,), (value, found)


@given(st.text(CODE39_CHARS, min_size=1, max_size=30), st.booleans())
def test_code39_bars_are_python_barcodes(value: str, checksum: bool) -> None:
    code = Code39(value, writer=object(), add_checksum=checksum)
    spec = BarcodeSpec(symbology=Symbology.CODE39, code39_checksum=checksum)
    symbol = encode(value, spec)
    assert code39_text(value, checksum) == code.get_fullcode()
    pattern = code.build()[0]
    assert symbol.columns == len(pattern)
    assert symbol.ops == _ops_from_pattern(pattern)
