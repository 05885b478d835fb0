"""Locating barcodes on whole pages before decoding (:mod:`scanners.locate`), and what it buys
:func:`scanners.decode.decode_page`: a page with nothing on it is answered after one look, a
tilted label is read from its own crop turned upright, and a near miss is never reported."""

from __future__ import annotations

import math
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from scanners.decode import FAST_SIDE, decode_page
from scanners.locate import Region, _unruled, cut, find_regions
from tests.samples.decode.make_corpus import code_image, document_page, rotate

FILES = Path(__file__).parents[1] / "samples" / "decode" / "files"
LABEL = "E0A100000042S"  # label-expediente--clean.png
EXTERNAL = "ARCH-CENTRAL/2019/000123"  # code128-ARCH-CEN--clean.png
WRONG_CHECK = "F0A100000099R"  # neg-wrongcheck--clean.png


def sample(name: str) -> np.ndarray:
    image = cv2.imread(str(FILES / name), cv2.IMREAD_GRAYSCALE)
    assert image is not None, name
    return image


def text_page(seed: int = 5) -> np.ndarray:
    return document_page(random.Random(seed), None, 0.0)


def stick(
    page: np.ndarray, symbol: np.ndarray, angle: float, at: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Stick ``symbol`` turned by ``angle`` degrees (counter-clockwise) onto ``page`` at ``at``
    (x, y), covering the text like a sticker; returns its box on the page."""
    rng = random.Random(0)
    turned = rotate(angle)(symbol, rng)
    opaque = rotate(angle)(np.zeros_like(symbol), rng) == 0
    x, y = at
    h, w = turned.shape
    page[y : y + h, x : x + w][opaque] = turned[opaque]
    return (x, y, w, h)


def ruled_form() -> np.ndarray:
    """A text page ruled into a table (like a FUID inventory form)."""
    page = text_page(6)
    for y in range(300, 3300, 140):
        cv2.line(page, (150, y), (2330, y), 0, 4)
    for x in (150, 900, 1600, 2330):
        cv2.line(page, (x, 300), (x, 3160), 0, 4)
    return page


def working(page: np.ndarray) -> np.ndarray:
    """The working-size copy decode_page hands to the locator."""
    factor = 1.0 / math.ceil(max(page.shape) / FAST_SIDE)
    return cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def inside(box: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    ox, oy, ow, oh = outer
    cx, cy = x + w / 2, y + h / 2
    return ox <= cx <= ox + ow and oy <= cy <= oy + oh


def test_text_page_has_no_candidate_and_is_answered_after_one_look() -> None:
    page = text_page()
    assert find_regions(working(page)) == []
    result = decode_page(page)
    assert result.found == [] and result.rejected == []
    assert result.variants_tried == 1  # the whole-page pass; no region, so no other variant


def test_ruled_table_with_text_is_never_read_as_a_barcode() -> None:
    """The rules of a form with text between them look striped to the locator (a false
    candidate, which costs time); no engine may report a value from it."""
    result = decode_page(ruled_form())
    assert result.found == [] and result.rejected == []


def test_ruled_form_has_no_candidate_and_is_answered_after_one_look() -> None:
    """Bold text crossed by the rules is dense like a matrix code until the rules are set
    aside: then the form is a text page (it used to cost six false regions, ~190 ms)."""
    page = ruled_form()
    assert find_regions(working(page)) == []
    result = decode_page(page)
    assert result.found == [] and result.rejected == []
    assert result.variants_tried == 1


@pytest.mark.parametrize("angle", [1.0, -2.0])
def test_form_scanned_askew_has_no_candidate_and_is_answered_after_one_look(
    angle: float,
) -> None:
    """Scans are often a degree or so askew: a rule then crosses dozens of pixel rows, and is
    found along its slant (it used to keep all six false regions past about half a degree)."""
    page = rotate(angle)(ruled_form(), random.Random(0))
    assert find_regions(working(page)) == []
    result = decode_page(page)
    assert result.found == [] and result.rejected == []
    assert result.variants_tried == 1


def test_label_on_a_form_scanned_askew_is_read() -> None:
    """Only the rules' runs are papered over along their slant: a label stuck across a rule
    keeps its bars."""
    page = ruled_form()
    box = stick(page, sample("label-expediente--clean.png"), 17.0, (900, 1300))
    assert box[1] < 1420 < box[1] + box[3]  # a rule of the form runs under the label
    page = rotate(1.0)(page, random.Random(0))
    [found] = decode_page(page).found
    assert found.value == LABEL and found.confirmed_by == "check"


def test_qr_code_stuck_across_a_rule_of_a_form_is_read() -> None:
    """The sticker interrupts the rule: only the rule's own long runs are papered over."""
    page = ruled_form()
    box = stick(page, code_image("https://legajo.example/e/9", "qrcode"), 0.0, (1000, 1340))
    assert box[1] < 1420 < box[1] + box[3]  # a rule of the form runs under the sticker
    assert any(r.kind == "matrix" for r in find_regions(working(page)))
    [found] = decode_page(page).found
    assert found.value == "HTTPS://LEGAJO.EXAMPLE/E/9" and inside(found.position, box)


def test_bars_filling_a_close_up_are_not_taken_for_rules() -> None:
    """Bars as long as half the image are long dark runs too, but packed at module pitch."""
    close_up = cv2.resize(sample("code128-ARCH-CEN--clean.png"), None, fx=2.0, fy=2.0)
    dark = (close_up <= 128).astype(np.uint8)
    assert (dark.mean(axis=0) >= 0.5).sum() > 20  # many columns are ink over half the height
    view, _ = _unruled(close_up, dark, 128)
    assert view is close_up


def test_label_on_a_ruled_form_is_tried_before_the_form() -> None:
    """Regions are ranked by edge density, not size: the label comes first."""
    page = ruled_form()
    box = stick(page, sample("label-expediente--clean.png"), -21.0, (1000, 1400))
    result = decode_page(page)
    [found] = result.found
    assert found.value == LABEL and inside(found.position, box)
    assert result.variants_tried <= 4


def test_upright_label_on_a_page_is_read_by_the_first_pass() -> None:
    page = text_page()
    box = stick(page, sample("label-expediente--clean.png"), 0.0, (700, 1500))
    result = decode_page(page)
    [found] = result.found
    assert found.value == LABEL and found.confirmed_by == "check"
    assert result.variants_tried == 1
    assert inside(found.position, box)


@pytest.mark.parametrize("angle", [14.0, -37.0, 61.0, 166.0])
def test_tilted_label_is_located_at_its_angle_and_read_from_its_crop(angle: float) -> None:
    page = text_page()
    box = stick(page, sample("label-expediente--clean.png"), angle, (500, 1200))
    bars = [r for r in find_regions(working(page)) if r.kind == "bars"]
    assert bars, "the label's barcode was not located"
    # Turning the crop by the region's angle undoes the sticker's tilt (bars: modulo 180°).
    residual = (bars[0].angle + angle + 90) % 180 - 90
    assert abs(residual) <= 3.0, bars[0]
    result = decode_page(page)
    [found] = result.found
    assert found.value == LABEL and found.confirmed_by == "check"
    assert inside(found.position, box)
    assert result.variants_tried <= 4  # the page pass, then the first crops of one region


def test_tilted_external_code_needs_and_gets_two_reads() -> None:
    page = text_page()
    stick(page, sample("code128-ARCH-CEN--clean.png"), 23.0, (400, 2000))
    [found] = decode_page(page).found
    assert found.value == EXTERNAL and "+" in found.confirmed_by


def test_tilted_qr_code_on_a_page_is_read() -> None:
    page = text_page()
    stick(page, code_image("https://legajo.example/e/9", "qrcode"), 30.0, (1500, 800))
    assert [d.value for d in decode_page(page).found] == ["HTTPS://LEGAJO.EXAMPLE/E/9"]


def test_tilted_label_with_a_wrong_check_character_is_refused_not_reported() -> None:
    page = text_page()
    stick(page, sample("neg-wrongcheck--clean.png"), 19.0, (600, 900))
    result = decode_page(page)
    assert result.found == []
    assert result.rejected == [WRONG_CHECK]


def test_cut_turns_the_region_upright_and_maps_back_to_the_image() -> None:
    image = np.full((400, 600), 255, np.uint8)
    cv2.rectangle(image, (250, 180), (350, 220), 0, -1)  # a 100×40 block, centre (300, 200)
    region = Region((150.0, 100.0), (80.0, 40.0), 30.0, "bars", 1.0)  # found at half size
    crop, back = cut(image, region, 0.5)
    assert crop.shape == (80, 160)
    centre = back @ np.array([80.0, 40.0, 1.0])  # the crop's centre, in image pixels
    assert np.allclose(centre, (300.0, 200.0), atol=0.5)
    assert region.covers((150.0, 100.0)) and not region.covers((150.0, 160.0))
