"""Lean page objects when saving (``reports.labels.pdfsave``): same pictures, fewer bytes."""

from __future__ import annotations

import io
import re
import zlib

import numpy as np
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from reports.labels import builtin_media, default_templates, render_labels_bytes
from reports.labels.pdfsave import lean_pages, save_pdf
from tests.samples.labels.factory import mixed
from tests.samples.labels.raster import rasterise

SIZES = [(200.0, 100.0), (200.0, 140.5), (200.0, 100.0)]


def _draw(canvas: Canvas, with_form: bool) -> None:
    """Three pages of two sizes; with ``with_form`` the second page also shows a form XObject."""
    if with_form:
        canvas.beginForm("box")
        canvas.rect(10, 10, 30, 20, fill=1)
        canvas.endForm()
    for i, size in enumerate(SIZES):
        canvas.setPageSize(size)
        canvas.setFont("Helvetica", 12)
        canvas.drawString(20, 60, f"page {i + 1}")
        canvas.rect(5, 5, 50 + 40 * i, 8, fill=1)
        if with_form and i == 1:
            canvas.doForm("box")
        canvas.showPage()


def _pdf(lean: bool, with_form: bool = False) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=SIZES[0], pageCompression=1, invariant=1)
    _draw(canvas, with_form)
    if lean:
        save_pdf(canvas)
    else:  # ReportLab's own path, with the same filters
        previous, rl_config.useA85 = rl_config.useA85, 0
        try:
            canvas.save()
        finally:
            rl_config.useA85 = previous
    return buf.getvalue()


def _same_pictures(a: bytes, b: bytes) -> None:
    pa, pb = rasterise(a, dpi=100), rasterise(b, dpi=100)
    assert len(pa) == len(pb) == len(SIZES)
    for x, y in zip(pa, pb, strict=True):
        assert x.shape == y.shape
        assert np.array_equal(x, y)


def test_lean_pages_draw_what_reportlab_draws() -> None:
    lean, plain = _pdf(lean=True), _pdf(lean=False)
    _same_pictures(lean, plain)
    assert len(lean) < len(plain)
    # One resource dictionary for every page, the sizes kept, no default-only entries.
    refs = re.findall(rb"/Resources (\d+) 0 R", lean)
    assert len(refs) == len(SIZES) and len(set(refs)) == 1
    assert re.findall(rb"/MediaBox \[ ([^\]]*) \]", lean) == [
        b"0 0 200 100",
        b"0 0 200 140.5",
        b"0 0 200 100",
    ]
    assert b"/Rotate" not in lean and b"/Trans" not in lean


def test_streams_are_flate_compressed_content() -> None:
    lean = _pdf(lean=True)
    texts = []
    for m in re.finditer(rb"/Filter \[ /FlateDecode \] /Length (\d+)\n>>\nstream\n", lean):
        data = lean[m.end() : m.end() + int(m.group(1))]
        assert lean[m.end() + len(data) : m.end() + len(data) + 9] == b"endstream"
        texts.append(zlib.decompress(data))
    assert len(texts) >= len(SIZES)
    assert re.findall(rb"\(page (\d)\) Tj", b"".join(texts)) == [b"1", b"2", b"3"]


def test_a_page_with_a_form_keeps_reportlabs_handling() -> None:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=SIZES[0], pageCompression=1, invariant=1)
    _draw(canvas, with_form=True)
    assert lean_pages(canvas) == len(SIZES) - 1  # the page showing the form is left alone
    lean = _pdf(lean=True, with_form=True)
    assert len(re.findall(rb"/XObject <<", lean)) == 1
    _same_pictures(lean, _pdf(lean=False, with_form=True))


def test_label_pdfs_share_one_resource_dictionary() -> None:
    pdf = render_labels_bytes(mixed(6), default_templates(), builtin_media()["rollo-62"])
    assert len(set(re.findall(rb"/Resources (\d+) 0 R", pdf))) == 1
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 6
