"""Where labels land: start position on a partly used sheet, calibration offsets and creep,
and text that never leaves its label — checked on the rasterised page."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from archive.domain.errors import ValidationError
from reports.labels import (
    NO_CALIBRATION,
    Calibration,
    LabelKind,
    builtin_media,
    default_template,
    default_templates,
    render_labels_bytes,
)
from tests.samples.labels.factory import LONG_SERIE, carpeta, label_barcode, mixed, sample
from tests.samples.labels.raster import DPI, PT, crop_pt, dark_boxes, decode, rasterise

MEDIA = builtin_media()
VALUE = carpeta().barcode
PX_PER_MM = DPI / 25.4


def _is_blank(image: np.ndarray) -> bool:
    return not any(dark_boxes(image))


def test_start_position_on_a_partly_used_sheet() -> None:
    sheet = MEDIA["a4-3x8"]
    values = [label_barcode(LabelKind.CARPETA, i + 1) for i in range(5)]
    items = [carpeta(v) for v in values]
    pdf = render_labels_bytes(items, default_templates(), sheet, start_position=22)
    pages = rasterise(pdf)
    assert len(pages) == 2
    first, second = pages
    for slot in range(21):  # already used: nothing printed there
        assert _is_blank(crop_pt(first, sheet.slot_box(slot, NO_CALIBRATION)))
    for slot, value in zip((21, 22, 23), values[:3], strict=True):
        assert decode(crop_pt(first, sheet.slot_box(slot, NO_CALIBRATION))).pyzbar == (value,)
    for slot, value in zip((0, 1), values[3:], strict=True):  # then a fresh sheet from slot 1
        assert decode(crop_pt(second, sheet.slot_box(slot, NO_CALIBRATION))).zxing == (value,)
    for slot in range(2, 24):
        assert _is_blank(crop_pt(second, sheet.slot_box(slot, NO_CALIBRATION)))


@pytest.mark.parametrize("position", [0, 25, -1])
def test_start_position_outside_the_sheet_is_refused(position: int) -> None:
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta()], default_templates(), MEDIA["a4-3x8"], None, position)
    assert err.value.code == "labels.start_position"


def _profile_shift(a: np.ndarray, b: np.ndarray, limit: int = 80) -> float:
    """Sub-pixel shift that best maps ink profile ``a`` onto ``b`` (cross-correlation)."""
    n = len(a)
    scores = []
    for s in range(-limit, limit + 1):
        if s >= 0:
            scores.append(float((a[: n - s] * b[s:]).sum()))
        else:
            scores.append(float((a[-s:] * b[: n + s]).sum()))
    i = int(np.argmax(scores))
    if 0 < i < len(scores) - 1:  # parabolic refinement around the peak
        left, mid, right = scores[i - 1], scores[i], scores[i + 1]
        denom = left - 2 * mid + right
        frac = 0.5 * (left - right) / denom if denom else 0.0
    else:
        frac = 0.0
    return i - limit + frac


def _shift(plain: np.ndarray, moved: np.ndarray) -> tuple[float, float]:
    """(dx, dy) in pixels of everything printed on ``moved`` relative to ``plain``."""
    ink_a, ink_b = 255.0 - plain.astype(float), 255.0 - moved.astype(float)
    dx = _profile_shift(ink_a.sum(axis=0), ink_b.sum(axis=0))
    dy = _profile_shift(ink_a.sum(axis=1), ink_b.sum(axis=1))
    return dx, dy


def test_calibration_offset_moves_the_label_on_a_roll() -> None:
    roll = MEDIA["rollo-100x50"]
    item = [carpeta()]
    plain = rasterise(render_labels_bytes(item, default_templates(), roll))[0]
    cal = Calibration("Zebra caja 2", offset_x_mm=2.0, offset_y_mm=3.0)
    moved = rasterise(render_labels_bytes(item, default_templates(), roll, cal))[0]
    dx, dy = _shift(plain, moved)
    assert dx == pytest.approx(2.0 * PX_PER_MM, abs=1.0)
    assert dy == pytest.approx(3.0 * PX_PER_MM, abs=1.0)  # positive y: down the label
    assert decode(moved).pyzbar == (VALUE,)


def test_negative_offsets_move_left_and_up() -> None:
    roll = MEDIA["rollo-100x50"]
    item = [carpeta()]
    plain = rasterise(render_labels_bytes(item, default_templates(), roll))[0]
    cal = Calibration(offset_x_mm=-1.0, offset_y_mm=-1.2)
    moved = rasterise(render_labels_bytes(item, default_templates(), roll, cal))[0]
    dx, dy = _shift(plain, moved)
    assert dx == pytest.approx(-1.0 * PX_PER_MM, abs=1.0)
    assert dy == pytest.approx(-1.2 * PX_PER_MM, abs=1.0)


@pytest.mark.parametrize("slot", [0, 5, 13])  # rows 0, 2, 6; columns 0, 1, 1
def test_offset_and_creep_on_sheets(slot: int) -> None:
    sheet = MEDIA["a4-2x7"]
    row, col = divmod(slot, sheet.columns)
    item = [carpeta()]
    plain = rasterise(render_labels_bytes(item, default_templates(), sheet, None, slot + 1))[0]
    cal = Calibration(offset_x_mm=-0.5, offset_y_mm=0.5, creep_y_mm=0.4, creep_x_mm=0.3)
    moved = rasterise(render_labels_bytes(item, default_templates(), sheet, cal, slot + 1))[0]
    dx, dy = _shift(plain, moved)
    assert dy == pytest.approx((0.5 + 0.4 * row) * PX_PER_MM, abs=1.0)
    assert dx == pytest.approx((-0.5 + 0.3 * col) * PX_PER_MM, abs=1.0)


def test_creep_adds_per_label_on_rolls() -> None:
    roll = MEDIA["rollo-100x50"]
    items = [carpeta() for _ in range(3)]
    pages = rasterise(
        render_labels_bytes(items, default_templates(), roll, Calibration(creep_y_mm=0.5))
    )
    assert _shift(pages[0], pages[1])[1] == pytest.approx(0.5 * PX_PER_MM, abs=1.0)
    assert _shift(pages[0], pages[2])[1] == pytest.approx(1.0 * PX_PER_MM, abs=1.0)


def _long(kind: LabelKind, value: str) -> object:
    words = LONG_SERIE.name
    extra: dict[str, object] = {"fondo": words}
    if kind in (LabelKind.CARPETA, LabelKind.EXPEDIENTE, LabelKind.CAJA):
        extra.update(serie=LONG_SERIE, subserie=LONG_SERIE, seccion=LONG_SERIE)
    if kind in (LabelKind.CARPETA, LabelKind.EXPEDIENTE, LabelKind.TESTIGO):
        extra["expediente"] = words * 2
    if kind is LabelKind.UBICACION:
        extra.update(signatura="D01-M03-CA-E04-B2-P07-" * 4, descripcion=words)
    if kind is LabelKind.TESTIGO:
        extra.update(destino=words, retirado_por="Nombre" * 40, serie=LONG_SERIE)
    return sample(kind, value, **extra)


@pytest.mark.parametrize("key", ["a4-3x8", "carta-3x10", "a4-2x7", "rollo-100x50", "rollo-62"])
@pytest.mark.parametrize("kind", list(LabelKind))
def test_long_text_never_leaves_its_label(key: str, kind: LabelKind) -> None:
    """One over-long label alone on a sheet (or roll): every dark pixel lies inside it."""
    medium = MEDIA[key]
    template = dataclasses.replace(default_template(kind), border=False)
    start = 5 if hasattr(medium, "slot_box") else 1
    item = _long(kind, VALUE)
    pdf = render_labels_bytes([item], template, medium, start_position=start)
    page = rasterise(pdf)[0]
    if hasattr(medium, "slot_box"):
        x, y, w, h = medium.slot_box(start - 1, NO_CALIBRATION)
    else:
        x, y, w, h = 0.0, 0.0, page.shape[1] / PT, page.shape[0] / PT
    pad = template.padding_mm * 72 / 25.4
    inside = page.copy()
    top, left = round(page.shape[0] - (y + h) * PT), round(x * PT)
    bottom, right = round(page.shape[0] - y * PT), round((x + w) * PT)
    inside[top + 1 : bottom - 1, left + 1 : right - 1] = 255  # blank out the label itself
    assert _is_blank(inside), f"ink outside the label on {key}"
    # the text also keeps off the padding (the barcode's quiet zone may use part of it)
    label = crop_pt(page, (x, y, w, h))
    pad_px = int(pad * PT) - 2
    assert _is_blank(label[:pad_px, :])  # top padding
    assert _is_blank(label[:, :pad_px])  # left and right padding (quiet zones are wider)
    assert _is_blank(label[:, -pad_px:])
    assert decode(crop_pt(page, (x, y, w, h))).pyzbar == (VALUE,)


def test_long_serie_is_shrunk_then_wrapped_then_ellipsised() -> None:
    from reports.labels.frame import compile_frame
    from reports.labels.layout import layout_text
    from reports.labels.media import MM
    from reports.labels.text import default_fonts

    template = default_template(LabelKind.CARPETA)
    fonts = default_fonts()
    frame = compile_frame(template, 99.1 * MM, 38.1 * MM)
    moderate = carpeta(serie=dataclasses.replace(LONG_SERIE, name=LONG_SERIE.name[:80]))
    text = layout_text(frame, moderate.values(), fonts)
    serie = [r for r in text.runs if r[4].startswith("110.02.01.07")]
    assert serie and serie[0][1] < 7.5  # shrunk below its preferred 7.5 pt
    assert not text.truncated
    very_long = carpeta(serie=LONG_SERIE)
    text = layout_text(frame, very_long.values(), fonts)
    assert text.truncated
    assert any(r[4].endswith("…") for r in text.runs)
    sizes = {r[1] for r in text.runs}
    assert min(sizes) >= 5.0  # never below the minimum size


def test_truncated_labels_are_reported() -> None:
    items = [
        carpeta(),
        _long(LabelKind.CARPETA, VALUE),
        carpeta(label_barcode(LabelKind.CARPETA, 3)),
    ]
    import io

    from reports.labels import render_labels

    result = render_labels(items, default_templates(), MEDIA["a4-3x8"], None, io.BytesIO())
    assert result.truncated == (1,)
    assert (result.labels, result.pages) == (3, 1)


def test_mixed_batch_spills_onto_more_sheets() -> None:
    import io

    from reports.labels import render_labels

    result = render_labels(
        mixed(50), default_templates(), MEDIA["a4-2x7"], None, io.BytesIO(), start_position=10
    )
    assert result.pages == 5  # 5 + 14 + 14 + 14 + 3
