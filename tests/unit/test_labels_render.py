"""The renderer's contract: output targets, progress and cancel, fonts, rolls, errors."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess

import pytest

from archive.domain.errors import ValidationError
from archive.domain.progress import JobCancelled
from reports.labels import (
    HELVETICA,
    LabelKind,
    Symbology,
    builtin_media,
    default_template,
    default_templates,
    render_labels,
    render_labels_bytes,
)
from reports.labels.frame import compile_frame
from reports.labels.layout import layout_text
from reports.labels.media import MM
from reports.labels.text import default_fonts
from tests.samples.labels.factory import caja, carpeta, mixed, ubicacion
from tests.samples.labels.factory import testigo as make_testigo
from tests.samples.labels.raster import decode, rasterise

MEDIA = builtin_media()


def _pdftotext(pdf: bytes) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext (poppler-utils) is required for this test")
    done = subprocess.run([exe, "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_writes_a_path_atomically(tmp_path) -> None:
    out = tmp_path / "rótulos.pdf"
    result = render_labels(mixed(30), default_templates(), MEDIA["a4-3x8"], None, out)
    assert (result.labels, result.pages) == (30, 2)
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rótulos.pdf"]


def test_writes_a_stream() -> None:
    buf = io.BytesIO()
    render_labels([carpeta()], default_templates(), MEDIA["rollo-100x50"], None, buf)
    assert buf.getvalue().startswith(b"%PDF")


def test_output_is_deterministic() -> None:
    items = mixed(12)
    assert render_labels_bytes(items, default_templates(), MEDIA["a4-2x7"]) == (
        render_labels_bytes(items, default_templates(), MEDIA["a4-2x7"])
    )


def test_a_label_looks_the_same_alone_and_in_a_batch() -> None:
    """Memoised row fits must not make a label depend on its neighbours."""
    fonts = default_fonts()
    batch = mixed(40)
    frames = {k: compile_frame(t, 63.5 * MM, 33.9 * MM) for k, t in default_templates().items()}
    in_batch = [layout_text(frames[i.kind], i.values(), fonts) for i in batch]
    for item, expected in zip(batch[::7], in_batch[::7], strict=True):
        fresh = compile_frame(default_template(item.kind), 63.5 * MM, 33.9 * MM)
        assert layout_text(fresh, item.values(), fonts) == expected


def test_progress_and_cancel(tmp_path) -> None:
    calls: list[tuple[int, int]] = []
    items = mixed(600)
    render_labels(
        items,
        default_templates(),
        MEDIA["a4-3x8"],
        None,
        io.BytesIO(),
        progress=lambda done, total, label: calls.append((done, total)),
    )
    assert calls[0] == (0, 600) and calls[-1] == (600, 600)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    out = tmp_path / "x.pdf"
    seen = {"n": 0}

    def cancelled() -> bool:
        seen["n"] += 1
        return seen["n"] > 1

    with pytest.raises(JobCancelled):
        render_labels(items, default_templates(), MEDIA["a4-3x8"], None, out, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_spanish_text_is_in_the_pdf() -> None:
    pdf = render_labels_bytes([carpeta()], default_templates(), MEDIA["rollo-100x50"])
    text = _pdftotext(pdf)
    for word in (
        "Sección:",
        "Subsección:",
        "Jurídica",
        "Núñez",
        "Fechas extremas:",
        "05/01/2023",
        "Carpeta N°:",
        carpeta().barcode,
    ):
        assert word in text


def test_helvetica_fallback_keeps_spanish_and_replaces_the_rest() -> None:
    item = carpeta(expediente="Petición de Ñandú Ibáñez – 漢字", fondo="Alcaldía ¿sí? ¡no!")
    pdf = render_labels_bytes([item], default_templates(), MEDIA["rollo-100x50"], fonts=HELVETICA)
    text = _pdftotext(pdf)
    assert "Petición de Ñandú Ibáñez" in text
    assert "Alcaldía ¿sí? ¡no!" in text
    assert "??" in text
    assert decode(rasterise(pdf)[0]).zxing == (item.barcode,)


def test_continuous_tape_labels_are_as_long_as_their_content() -> None:
    roll = MEDIA["rollo-62"]
    short = ubicacion(descripcion="", sede="", fondo="")
    pdf = render_labels_bytes([short, carpeta(), make_testigo()], default_templates(), roll)
    pages = rasterise(pdf)
    heights_mm = [p.shape[0] / 300 * 25.4 for p in pages]
    assert all(roll.min_length_mm - 0.2 <= h <= roll.max_length_mm + 0.2 for h in heights_mm)
    assert heights_mm[0] < heights_mm[1]  # a short label uses less tape
    assert all(abs(p.shape[1] / 300 * 25.4 - 62.0) < 0.2 for p in pages)


def test_item_without_template_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        render_labels_bytes(
            [carpeta(), caja()], default_template(LabelKind.CARPETA), MEDIA["a4-3x8"]
        )
    assert err.value.code == "labels.no_template"
    assert err.value.params == {"index": 2, "kind": "caja"}


def test_missing_and_invalid_barcode_values_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta("")], default_templates(), MEDIA["a4-3x8"])
    assert err.value.code == "labels.barcode_missing"
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta("CAÑO-01")], default_templates(), MEDIA["a4-3x8"])
    assert err.value.code == "labels.barcode_invalid_chars"
    code39 = {
        k: dataclasses.replace(
            t, barcode=dataclasses.replace(t.barcode, symbology=Symbology.CODE39)
        )
        for k, t in default_templates().items()
    }
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta("c01a")], code39, MEDIA["a4-3x8"])
    assert err.value.code == "labels.barcode_invalid_chars"


def test_empty_batch_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([], default_templates(), MEDIA["a4-3x8"])
    assert err.value.code == "labels.empty"


def test_label_too_small_for_the_barcode_is_refused() -> None:
    from reports.labels import SheetLayout
    from reports.labels.media import A4

    tiny = SheetLayout.centered("mini", A4, 5, 20, (38.0, 7.0))
    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta()], default_templates(), tiny)
    assert err.value.code == "labels.label_too_small"


def test_errors_render_in_spanish_and_english() -> None:
    from archive.i18n import render_error

    with pytest.raises(ValidationError) as err:
        render_labels_bytes([carpeta("X" * 80)], default_templates(), MEDIA["a4-3x8"])
    assert "no cabe" in render_error(err.value)
    assert err.value.as_dict()["error"] == "labels.barcode_too_long"
