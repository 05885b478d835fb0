"""Every label kind on every built-in medium, rasterised at 300 dpi and read back.

Each label is cropped by its own rectangle and decoded with pyzbar and zxing-cpp: both must
return exactly the printed value. Values cover the whole Code 128 alphabet we accept
(printable ASCII), the Code 39 alphabet, internal 12/13-character values and long external
values; values too long for a narrow medium must be refused instead.
"""

from __future__ import annotations

import dataclasses

import pytest
from barcode.codex import Code128

from archive.domain.errors import ValidationError
from reports.labels import (
    NO_CALIBRATION,
    LabelKind,
    LabelTemplate,
    Medium,
    RollMedium,
    SheetLayout,
    Symbology,
    builtin_media,
    default_templates,
    render_labels_bytes,
)
from reports.labels.media import MM
from tests.samples.labels.factory import (
    ALPHABET_VALUES_39,
    ALPHABET_VALUES_128,
    EXTERNAL_VALUES,
    INTERNAL_VALUES,
    sample,
)
from tests.samples.labels.raster import PT, crop_pt, decode, rasterise

KINDS = list(LabelKind)
VALUES_128 = ALPHABET_VALUES_128 + INTERNAL_VALUES + EXTERNAL_VALUES
MEDIA = builtin_media()


def _boxes(medium: Medium, pages: list, count: int, start: int = 1) -> list[tuple]:
    """(page image, box in points) of the ``count`` labels, in print order."""
    out = []
    for i in range(count):
        if isinstance(medium, SheetLayout):
            slot = start - 1 + i
            page = pages[slot // medium.per_page]
            out.append((page, medium.slot_box(slot % medium.per_page, NO_CALIBRATION)))
        else:
            page = pages[i]
            out.append((page, (0.0, 0.0, page.shape[1] / PT, page.shape[0] / PT)))
    return out


def _fits_code128(value: str, medium: Medium, template: LabelTemplate) -> bool | None:
    """Independent estimate: True/False, or None when too close to the limit to call."""
    width = medium.label_size_mm[0] if isinstance(medium, SheetLayout) else medium.width_mm
    zone = width - 2 * min(template.padding_mm, 1.0)
    modules = len(Code128(value, writer=object()).build()[0]) + 20
    needed = zone / modules
    if abs(needed - medium.min_module_mm) / medium.min_module_mm < 0.06:
        return None
    return needed > medium.min_module_mm


def _assert_decodes(pdf: bytes, medium: Medium, values: list[str]) -> None:
    pages = rasterise(pdf)
    for (page, box), value in zip(_boxes(medium, pages, len(values)), values, strict=True):
        found = decode(crop_pt(page, box))
        assert found.pyzbar == (value,), (value, found)
        assert found.zxing == (value,), (value, found)


@pytest.mark.parametrize("key", list(MEDIA))
def test_every_kind_decodes_on_every_medium(key: str) -> None:
    medium = MEDIA[key]
    templates = default_templates()
    carpeta = templates[LabelKind.CARPETA]
    fitting = []
    for value in VALUES_128:
        fits = _fits_code128(value, medium, carpeta)
        if fits:
            fitting.append(value)
        elif fits is False:  # must be refused, with the stable code
            with pytest.raises(ValidationError) as err:
                render_labels_bytes([sample(LabelKind.CARPETA, value)], templates, medium)
            assert err.value.code == "labels.barcode_too_long"
    if medium.min_module_mm < 0.25 or (isinstance(medium, RollMedium) and medium.width_mm > 99):
        assert fitting == list(VALUES_128)  # wide media and laser sheets take every test value
    assert set(ALPHABET_VALUES_128) <= set(fitting)
    items = [sample(KINDS[i % len(KINDS)], v) for i, v in enumerate(fitting)]
    pdf = render_labels_bytes(items, templates, medium)
    _assert_decodes(pdf, medium, fitting)


def _with_symbology(symbology: Symbology) -> dict[LabelKind, LabelTemplate]:
    return {
        kind: dataclasses.replace(t, barcode=dataclasses.replace(t.barcode, symbology=symbology))
        for kind, t in default_templates().items()
    }


@pytest.mark.parametrize("key", ["a4-3x8", "carta-2x7", "rollo-100x50", "rollo-4x6in"])
def test_code39_alphabet_decodes(key: str) -> None:
    medium = MEDIA[key]
    values = [*ALPHABET_VALUES_39, *INTERNAL_VALUES[:2]]
    items = [sample(KINDS[i % len(KINDS)], v) for i, v in enumerate(values)]
    pdf = render_labels_bytes(items, _with_symbology(Symbology.CODE39), medium)
    _assert_decodes(pdf, medium, values)


@pytest.mark.parametrize("key", ["a4-3x8", "carta-3x10", "a4-1x2", "rollo-100x50", "rollo-62"])
def test_qr_decodes(key: str) -> None:
    medium = MEDIA[key]
    values = [*VALUES_128, "Ñandú ÁÉÍÓÚ ¿? ¡sí!"]
    items = [sample(KINDS[i % len(KINDS)], v) for i, v in enumerate(values)]
    pdf = render_labels_bytes(items, _with_symbology(Symbology.QR), medium)
    _assert_decodes(pdf, medium, values)


def test_too_long_value_is_refused_with_a_clear_error(tmp_path) -> None:
    value = "EXTERNAL-VENDOR-" + "X7" * 30
    out = tmp_path / "labels.pdf"
    from reports.labels import render_labels

    with pytest.raises(ValidationError) as err:
        render_labels(
            [sample(LabelKind.CARPETA, value)],
            default_templates(),
            MEDIA["rollo-100x50"],
            None,
            out,
        )
    assert err.value.code == "labels.barcode_too_long"
    assert err.value.params["minimum"] == 0.25
    assert err.value.params["value"] == value
    assert "0.25" in str(err.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_module_width_is_whole_printer_dots_on_thermal() -> None:
    from reports.labels.barcodes import encode, fit_module

    spec = default_templates()[LabelKind.CARPETA].barcode
    symbol = encode(INTERNAL_VALUES[0], spec)
    module = fit_module(symbol, spec, 98 * MM, 0.25, 203)
    dots = module / MM / (25.4 / 203)
    assert dots == pytest.approx(round(dots), abs=1e-6)
    assert module / MM >= 0.25
