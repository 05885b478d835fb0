"""Label templates and media as data: JSON round trips and validation."""

from __future__ import annotations

import dataclasses
import json

import pytest

from archive.domain.errors import ValidationError
from reports.labels import (
    FIELD_KEYS,
    BarcodeSpec,
    Calibration,
    CaptionStyle,
    FieldSpec,
    LabelKind,
    LabelTemplate,
    SheetLayout,
    Symbology,
    builtin_media,
    default_template,
    default_templates,
    medium_from_dict,
)
from reports.labels.media import A4


@pytest.mark.parametrize("kind", list(LabelKind))
def test_builtin_template_round_trips_through_json(kind: LabelKind) -> None:
    template = default_template(kind)
    text = template.to_json()
    json.loads(text)  # plain JSON, storable in a database column
    again = LabelTemplate.from_json(text)
    assert again == template
    assert again.to_json() == text


@pytest.mark.parametrize("kind", list(LabelKind))
def test_builtin_templates_use_only_their_kinds_fields(kind: LabelKind) -> None:
    template = default_template(kind).validate()
    assert {f.key for f in template.fields} <= FIELD_KEYS[kind]


def test_carpeta_template_has_the_agn_captions() -> None:
    captions = [f.caption for f in default_template(LabelKind.CARPETA).fields]
    for expected in (
        "Fondo",
        "Sección",
        "Subsección",
        "Serie",
        "Subserie",
        "Fechas extremas",
        "Folios",
        "Carpeta N°",
        "Caja N°",
    ):
        assert expected in captions
    caja = [f.caption for f in default_template(LabelKind.CAJA).fields]
    assert "Signatura topográfica" in caja and "Transferencia N°" in caja


def test_custom_template_round_trips() -> None:
    template = LabelTemplate(
        LabelKind.UBICACION,
        "Estante grande",
        (
            FieldSpec("signatura", "Ubicación", 20, 9, bold=True, caption_style=CaptionStyle.ABOVE),
            FieldSpec("ruta", "", 9, 6, max_lines=3, caption_style=CaptionStyle.NONE),
        ),
        BarcodeSpec(Symbology.QR, height_mm=30, show_text=False, qr_level="H", min_module_mm=0.3),
        title="ARCHIVO CENTRAL",
        border=True,
        rules=True,
    )
    assert LabelTemplate.from_dict(json.loads(template.to_json())) == template


def _broken(change: dict) -> dict:
    data = default_template(LabelKind.CARPETA).to_dict()
    data.update(change)
    return data


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},  # unknown key
        {"kind": "sobre"},
        {"format": 99},
        {"padding_mm": "2"},
        {"padding_mm": float("nan")},
        {"border": 1},
        {"fields": [{"key": "fondo", "font_size": 4, "min_font_size": 6}]},
        {"fields": [{"key": "fondo", "max_lines": 0}]},
        {"fields": [{"key": "fondo", "wat": 1}]},
        {"barcode": {"symbology": "ean13"}},
        {"barcode": {"quiet_zone_modules": 4}},
        {"barcode": {"qr_level": "Z"}},
        {"barcode": "code128"},
    ],
)
def test_invalid_template_json_is_refused(change: dict) -> None:
    with pytest.raises(ValidationError) as err:
        LabelTemplate.from_dict(_broken(change))
    assert err.value.code == "labels.template_invalid"


def test_field_of_another_kind_is_refused() -> None:
    data = _broken({"fields": [{"key": "transferencia", "caption": "Transferencia"}]})
    with pytest.raises(ValidationError) as err:
        LabelTemplate.from_dict(data)
    assert err.value.code == "labels.unknown_field"
    assert err.value.params["field"] == "transferencia"


def test_malformed_json_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        LabelTemplate.from_json("{not json")
    assert err.value.code == "labels.template_invalid"


def test_every_builtin_medium_is_valid_and_round_trips() -> None:
    for medium in builtin_media().values():
        assert medium.validate() is medium
        assert medium_from_dict(json.loads(json.dumps(medium.to_dict()))) == medium


def test_avery_l7159_geometry() -> None:
    sheet = builtin_media()["a4-3x8"]
    assert isinstance(sheet, SheetLayout)
    assert (sheet.columns, sheet.rows, sheet.per_page) == (3, 8, 24)
    assert sheet.margin_left_mm == pytest.approx(7.25)
    assert sheet.margin_top_mm == pytest.approx(12.9)
    assert sheet.pitch_x_mm == pytest.approx(66.0)
    assert sheet.pitch_y_mm == pytest.approx(33.9)


def test_slot_boxes_follow_the_grid_row_by_row() -> None:
    sheet = builtin_media()["a4-2x7"]
    mm = 72 / 25.4
    x, y, w, h = sheet.slot_box(3, Calibration())  # row 1, column 1
    assert x == pytest.approx((sheet.margin_left_mm + sheet.pitch_x_mm) * mm)
    top = sheet.margin_top_mm + sheet.pitch_y_mm
    assert y == pytest.approx((297 - top - sheet.label_height_mm) * mm)
    assert (w, h) == pytest.approx((99.1 * mm, 38.1 * mm))


@pytest.mark.parametrize(
    "kw",
    [
        {"columns": 0},
        {"pitch_x_mm": 50.0},  # narrower than the label: overlap
        {"margin_left_mm": 20.0},  # runs off the page
        {"margin_top_mm": -1.0},
    ],
)
def test_invalid_sheet_layouts_are_refused(kw: dict) -> None:
    base = SheetLayout.centered("x", A4, 3, 8, (63.5, 33.9), (2.5, 0))
    with pytest.raises(ValidationError) as err:
        dataclasses.replace(base, **kw).validate()
    assert err.value.code == "labels.medium_invalid"


def test_configurable_grid() -> None:
    sheet = SheetLayout.centered("4×12 propio", A4, 4, 12, (48.5, 21.2), (1.0, 1.0)).validate()
    assert sheet.per_page == 48
    assert medium_from_dict(sheet.to_dict()) == sheet


def test_calibration_round_trips() -> None:
    cal = Calibration("Zebra ZD220 bodega", 0.4, -0.8, 0.0, 0.05, 203)
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal


def test_default_templates_are_fresh_objects() -> None:
    assert default_templates() == default_templates()
    assert default_templates()[LabelKind.CAJA] is not default_templates()[LabelKind.CAJA]
