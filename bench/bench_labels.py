"""Label rendering throughput, with ReportLab's own Code 128 widget as the same-run baseline.

Renders N mixed labels (carpeta, expediente, caja, ubicación, testigo in turn; every barcode
value distinct) on an A4 3×8 sheet and on a 100×50 mm thermal roll, several times each,
interleaved, and prints the median of each case as a Markdown table (labels per CPU-second
of this process, so that a busy machine does not distort the comparison).

Cases:
- Legajo, full labels: the default templates (all AGN text fields + Code 128 + its text).
- Legajo, barcode only: the same templates without text fields (Code 128 + its text).
- ReportLab Code128 widget: ``reportlab.graphics.barcode.code128.Code128(...).drawOn`` with
  human-readable text, at the same positions, same pages, same PDF compression. It draws the
  barcode only, so it is the ceiling for "barcode only" and the yardstick for full labels.
- Legajo, full labels with QR / Code 39 instead of Code 128.

Every Legajo run starts with cold caches (``clear_caches()``): text widths and fits are
memoised per process, and a new batch brings new names.

Usage::

    python bench/bench_labels.py [--labels 5000] [--qr-labels 1000] [--repeat 5]
    python bench/bench_labels.py --samples docs/img   # the README pictures, via pdftoppm
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import platform
import statistics
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
    clear_caches,
    default_templates,
    render_labels,
)
from tests.samples.labels.factory import mixed


def _templates(
    symbology: Symbology = Symbology.CODE128, text: bool = True
) -> dict[LabelKind, LabelTemplate]:
    out = {}
    for kind, t in default_templates().items():
        t = dataclasses.replace(t, barcode=dataclasses.replace(t.barcode, symbology=symbology))
        if not text:
            t = dataclasses.replace(t, fields=(), title="")
        out[kind] = t
    return out


def legajo(templates: dict[LabelKind, LabelTemplate]) -> Callable[[list[LabelData], Medium], int]:
    def run(items: list[LabelData], medium: Medium) -> int:
        clear_caches()  # cold: a real batch brings names the process has not measured yet
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


def samples(folder: Path) -> None:
    """Render the documentation pictures: a sheet and thermal labels, at 100 dpi."""
    import subprocess
    import tempfile

    from PIL import Image

    from tests.samples.labels.factory import FACTORIES

    folder.mkdir(parents=True, exist_ok=True)
    framed = {k: dataclasses.replace(t, border=True) for k, t in default_templates().items()}
    items = [factory() for factory in FACTORIES.values()]

    def pngs(pdf: bytes, dpi: int = 100) -> list[Image.Image]:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp, "s.pdf")
            src.write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(dpi), str(src), str(Path(tmp, "p"))], check=True
            )
            return [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p*.png"))]

    def strip(images: list[Image.Image], gap: int = 12) -> Image.Image:
        width = sum(i.width for i in images) + gap * (len(images) - 1)
        out = Image.new("L", (width, max(i.height for i in images)), 200)
        x = 0
        for image in images:
            out.paste(image, (x, 0))
            x += image.width + gap
        return out

    def save(image: Image.Image, name: str) -> None:
        path = folder / name
        image.quantize(16).save(path, optimize=True)
        print(f"{path} {image.width}×{image.height} {path.stat().st_size // 1024} kB")

    media = builtin_media()
    buf = io.BytesIO()
    render_labels(items, framed, media["a4-2x7"], None, buf)
    sheet = pngs(buf.getvalue())[0]
    save(sheet.crop((0, 0, sheet.width, int(sheet.height * 0.46))), "labels-sheet-a4-2x7.png")
    buf = io.BytesIO()
    render_labels(items, framed, media["a4-3x8"], None, buf, start_position=4)
    sheet = pngs(buf.getvalue())[0]
    save(sheet.crop((0, 0, sheet.width, int(sheet.height * 0.405))), "labels-sheet-a4-3x8.png")
    for key, name in (
        ("rollo-100x50", "labels-thermal-100x50.png"),
        ("rollo-62", "labels-roll-62.png"),
    ):
        buf = io.BytesIO()
        render_labels(items, framed, media[key], None, buf)
        pages = pngs(buf.getvalue())
        save(strip(pages[:3]) if key == "rollo-100x50" else strip(pages), name)


BASELINE = "ReportLab Code128 widget (baseline)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=5000)
    parser.add_argument("--qr-labels", type=int, default=1000, help="QR is slow: fewer")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", type=Path, help="write the sample PNGs here and stop")
    args = parser.parse_args()
    if args.samples:
        samples(args.samples)
        return
    items = mixed(args.labels)
    media: dict[str, Medium] = {
        "A4 3×8 sheet": builtin_media()["a4-3x8"],
        "100×50 mm roll": builtin_media()["rollo-100x50"],
    }
    cases: dict[str, tuple[Callable[[list[LabelData], Medium], int], int]] = {
        BASELINE: (reportlab_widget, args.labels),
        "Legajo, barcode only (Code 128)": (legajo(_templates(text=False)), args.labels),
        "Legajo, full labels (Code 128)": (legajo(_templates()), args.labels),
        "Legajo, full labels (Code 39)": (legajo(_templates(Symbology.CODE39)), args.labels),
        "Legajo, full labels (QR)": (legajo(_templates(Symbology.QR)), args.qr_labels),
    }
    for medium in media.values():  # warm up: fonts, imports
        for case, _ in cases.values():
            case(items[:50], medium)
    # CPU seconds of this process, not wall time: the figures must survive a busy machine.
    # Every repetition runs the baseline and the cases back to back, so each ratio compares
    # runs made under the same conditions; the medians are reported.
    rates: dict[tuple[str, str], list[float]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for _ in range(args.repeat):
        for mname, medium in media.items():
            base_rate = 0.0
            for cname, (case, n) in cases.items():
                t0 = time.process_time()
                sizes[(mname, cname)] = case(items[:n], medium)
                rate = n / max(time.process_time() - t0, 1e-9)
                if cname == BASELINE:
                    base_rate = rate
                rates.setdefault((mname, cname), []).append(rate)
                ratios.setdefault((mname, cname), []).append(rate / base_rate)
    try:
        import _rl_accel  # noqa: F401

        accel = "yes"
    except ImportError:
        accel = "no"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.labels} mixed labels ({args.qr_labels} for QR), median of {args.repeat}, "
        f"labels per CPU-second; Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load {load:.1f}, rl_accel: {accel}"
    )
    print()
    print("| Medium | Renderer | labels/s | vs. baseline | PDF size |")
    print("|---|---|---:|---:|---:|")
    for mname in media:
        for cname, (_, n) in cases.items():
            rate = statistics.median(rates[(mname, cname)])
            ratio = statistics.median(ratios[(mname, cname)])
            size = sizes[(mname, cname)] * args.labels / n
            print(f"| {mname} | {cname} | {rate:,.0f} | {ratio:.2f}× | {size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
