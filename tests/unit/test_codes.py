"""TRD codes: parts rendered and parsed with a per-entity mask, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.domain.codes import CodeMask, CodeParts, normalize_part, parse_code, render_code
from archive.domain.errors import ValidationError

# (pattern, dependencia, serie, subserie, rendered)
CASES = [
    ("dp-s.b", "100", "2", "1", "100-2.1"),
    ("dp.ss.sb", "100", "2", "1", "100.02.01"),
    ("dp-ss-sb", "100", "2", "1", "100-02-01"),
    ("dpss.sb", "100", "2", "1", "10002.01"),
    ("dp-s.b", "100", "2", "", "100-2"),
    ("dp.ss.sb", "100", "2", "", "100.02"),
    ("dpss.sb", "100", "2", "", "10002"),
    ("ddd-s.b", "10", "2", "1", "010-2.1"),
    ("dp / ss / sb", "010", "8", "3", "10 / 08 / 03"),
    ("dp.sss.bbb", "120", "12", "4", "120.012.004"),
    ("dp-s.b", "AD", "1", "12", "AD-1.12"),
]


@pytest.mark.parametrize(("pattern", "dep", "serie", "sub", "text"), CASES)
def test_render(pattern: str, dep: str, serie: str, sub: str, text: str) -> None:
    assert render_code(dep, serie, sub, CodeMask.from_pattern(pattern)) == text


@pytest.mark.parametrize(("pattern", "dep", "serie", "sub", "text"), CASES)
def test_parse_is_the_inverse(pattern: str, dep: str, serie: str, sub: str, text: str) -> None:
    assert parse_code(text, CodeMask.from_pattern(pattern)) == CodeParts(dep, serie, sub)


@pytest.mark.parametrize(
    ("pattern", "mask"),
    [
        ("dp-s.b", CodeMask("-", ".", 0, 0, 0)),
        ("dp.ss.sb", CodeMask(".", ".", 2, 2, 0)),
        ("dp-ss-sb", CodeMask("-", "-", 2, 2, 0)),
        ("dpss.sb", CodeMask("", ".", 2, 2, 0)),
        ("ddd-sss.b", CodeMask("-", ".", 3, 0, 3)),
    ],
)
def test_pattern_round_trip(pattern: str, mask: CodeMask) -> None:
    assert CodeMask.from_pattern(pattern) == mask
    assert mask.pattern == pattern


def test_parts_are_canonical() -> None:
    assert CodeParts(" 100 ", "02", "01") == CodeParts("100", "2", "1")
    assert CodeParts("100", "00", "") == CodeParts("100", "0")
    assert CodeParts("ad", "a1").dependencia == "AD"
    assert CodeParts("100", "2", "1").serie_parts == CodeParts("100", "2")
    assert normalize_part(" 007 ") == "7"
    assert normalize_part("") == ""


@pytest.mark.parametrize("bad", ["1.1", "1 1", "2-1", "ñ"])
def test_part_with_separator_is_rejected(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_part(bad)
    assert info.value.code == "code.part_invalid"
    assert info.value.params == {"value": bad}


@pytest.mark.parametrize(
    ("text", "pattern", "code"),
    [
        ("", "dp-s.b", "code.empty"),
        ("   ", "dp-s.b", "code.empty"),
        ("100.2.1", "dp-s.b", "code.mask_mismatch"),  # another entity's mask: not guessed
        ("100-2.1", "dp.ss.sb", "code.mask_mismatch"),
        ("100-2.1.3", "dp-s.b", "code.mask_mismatch"),
        ("100 - 2.1", "dp-s.b", "code.mask_mismatch"),
        ("1002.1", "dp-s.b", "code.mask_mismatch"),
        ("100.2.01", "dp.ss.sb", "code.width"),
        ("100.02.1", "dp.ss.sb", "code.width"),
        ("10-2.1", "ddd-s.b", "code.width"),
        ("10002.1", "dpss.sb", "code.width"),
        ("100-02.01", "dpss.sb", "code.mask_mismatch"),
    ],
)
def test_parse_errors(text: str, pattern: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_code(text, CodeMask.from_pattern(pattern))
    assert info.value.code == code


def test_mismatch_message_names_value_mask_and_example() -> None:
    with pytest.raises(ValidationError) as info:
        parse_code(" 100.2.1 ", CodeMask.from_pattern("dp-ss-sb"))
    assert info.value.params == {"value": "100.2.1", "mask": "dp-ss-sb", "example": "100-02-01"}


def test_wider_parts_than_padding_are_kept() -> None:
    mask = CodeMask.from_pattern("dp.ss.sb")
    assert render_code("100", "123", "1", mask) == "100.123.01"
    assert parse_code("100.123.01", mask) == CodeParts("100", "123", "1")


def test_no_separator_needs_a_fitting_serie() -> None:
    with pytest.raises(ValidationError) as info:
        render_code("100", "123", "1", CodeMask.from_pattern("dpss.sb"))
    assert info.value.code == "code.too_wide"


@pytest.mark.parametrize(
    "build",
    [
        lambda: CodeMask(sep_serie_sub=""),
        lambda: CodeMask(sep_dep_serie="", pad_serie=0),
        lambda: CodeMask(sep_dep_serie="x"),
        lambda: CodeMask(pad_sub=-1),
        lambda: CodeMask.from_pattern("dp.sb"),
        lambda: CodeMask.from_pattern("columnas separadas"),
        lambda: CodeMask.from_pattern("dp.sssb"),
    ],
)
def test_invalid_masks(build: object) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert info.value.code == "code.mask_invalid"


MASKS = [
    CodeMask.from_pattern(p) for p in ("dp-s.b", "dp.ss.sb", "dp-ss-sb", "dpss.sb", "ddd/s-bbb")
]
NUMBER = st.integers(min_value=0, max_value=99).map(str)


@given(
    mask=st.sampled_from(MASKS),
    dep=st.integers(min_value=1, max_value=999).map(str),
    serie=NUMBER,
    sub=st.one_of(st.just(""), NUMBER),
)
def test_render_then_parse_round_trips(mask: CodeMask, dep: str, serie: str, sub: str) -> None:
    assert parse_code(render_code(dep, serie, sub, mask), mask) == CodeParts(dep, serie, sub)
