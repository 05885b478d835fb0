"""Label rendering throughput, with ReportLab's own Code 128 widget as the same-run baseline.

Renders N mixed labels (carpeta, expediente, caja, ubicación, testigo in turn; every barcode
value distinct) on an A4 3×8 sheet and on a 100×50 mm thermal roll, several times each,
interleaved, and prints the best run of each case as a Markdown table.

Cases:
- Legajo, full labels: the default templates (all AGN text fields + Code 128 + its text).
- Legajo, barcode only: the same templates without text fields (Code 128 + its text).
- ReportLab Code128 widget: ``reportlab.graphics.barcode.code128.Code128(...).drawOn`` with
  human-readable text, at the same positions, same pages, same PDF compression. It draws the
  barcode only, so it is the ceiling for "barcode only" and the yardstick for full labels.
- Legajo, full labels with QR / Code 39 instead of Code 128.

Usage::

    python bench/bench_labels.py [--labels 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab import rl_config
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reports.labels import (
    NO_CALIBRATION,
    LabelData,
    LabelKind,
    LabelTemplate,
    Medium,
    SheetLayout,
    Symbology,
    builtin_media,
    default_templates,
    render_labels,
)
from tests.samples.labels.factory import mixed


def _templates(symbology: Symbology = Symbology.CODE128, text: bool = True
               ) -> dict[LabelKind, LabelTemplate]:  # fmt: skip
    out = {}
    for kind, t in default_templates().items():
        t = dataclasses.replace(t, barcode=dataclasses.replace(t.barcode, symbology=symbology))
        if not text:
            t = dataclasses.replace(t, fields=(), title="")
        out[kind] = t
    return out


def legajo(templates: dict[LabelKind, LabelTemplate]) -> Callable[[list[LabelData], Medium], int]:
    def run(items: list[LabelData], medium: Medium) -> int:
        buf = io.BytesIO()
        render_labels(items, templates, medium, None, buf)
        return len(buf.getvalue())

    return run


def reportlab_widget(items: list[LabelData], medium: Medium) -> int:
    """Baseline: ReportLab's Code128 widget at the same places, saved the same way."""
    buf = io.BytesIO()
    if isinstance(medium, SheetLayout):
        size = (medium.page_width_mm * mm, medium.page_height_mm * mm)
    else:
        size = (medium.width_mm * mm, (medium.length_mm or 50.0) * mm)
    canvas = Canvas(buf, pagesize=size, pageCompression=1, invariant=1)
    for i, item in enumerate(items):
        if isinstance(medium, SheetLayout):
            slot = i % medium.per_page
            if i and slot == 0:
                canvas.showPage()
            x, y, w, _ = medium.slot_box(slot, NO_CALIBRATION)
        else:
            if i:
                canvas.showPage()
            x, y, w = 0.0, 0.0, medium.width_mm * mm
        widget = Code128(item.barcode, barWidth=0.3 * mm, barHeight=8 * mm, humanReadable=True)
        widget.drawOn(canvas, x + (w - widget.width) / 2, y + 3 * mm)
    previous = rl_config.useA85
    rl_config.useA85 = 0  # as the renderer does
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous
    return len(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = mixed(args.labels)
    media: dict[str, Medium] = {
        "A4 3×8 sheet": builtin_media()["a4-3x8"],
        "100×50 mm roll": builtin_media()["rollo-100x50"],
    }
    cases: dict[str, Callable[[list[LabelData], Medium], int]] = {
        "ReportLab Code128 widget (baseline)": reportlab_widget,
        "Legajo, barcode only (Code 128)": legajo(_templates(text=False)),
        "Legajo, full labels (Code 128)": legajo(_templates()),
        "Legajo, full labels (Code 39)": legajo(_templates(Symbology.CODE39)),
        "Legajo, full labels (QR)": legajo(_templates(Symbology.QR)),
    }
    for medium in media.values():  # warm up: fonts, caches, imports
        for case in cases.values():
            case(items[:50], medium)
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for _ in range(args.repeat):
        for mname, medium in media.items():
            for cname, case in cases.items():
                t0 = time.perf_counter()
                size = case(items, medium)
                elapsed = time.perf_counter() - t0
                key = (mname, cname)
                if key not in best or elapsed < best[key][0]:
                    best[key] = (elapsed, size)
    try:
        import _rl_accel  # noqa: F401

        accel = "yes"
    except ImportError:
        accel = "no"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.labels} mixed labels, best of {args.repeat}; Python {platform.python_version()}"
          f", {platform.machine()}, {os.cpu_count()} CPUs, load {load:.1f}, rl_accel: {accel}")  # fmt: skip
    print()
    print("| Medium | Renderer | labels/s | vs. baseline | PDF size |")
    print("|---|---|---:|---:|---:|")
    for mname in media:
        base = args.labels / best[(mname, "ReportLab Code128 widget (baseline)")][0]
        for cname in cases:
            elapsed, size = best[(mname, cname)]
            rate = args.labels / elapsed
            print(f"| {mname} | {cname} | {rate:,.0f} | {rate / base:.2f}× | "
                  f"{size / 1e6:.1f} MB |")  # fmt: skip


if __name__ == "__main__":
    main()
