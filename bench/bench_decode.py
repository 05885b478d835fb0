"""Barcode decoding benchmark: page latency, camera frame rate, corpus decode rates.

    python -m bench.bench_decode [--quick]

Prints Markdown tables (copy them into docs/BENCHMARKS.md). Baselines are measured in the same
run: pyzbar alone and zxing-cpp alone, each once on the image as given (what a naive
integration does), against Legajo's pipeline (locating, preprocessing variants +
cross-checking). The last tables paste every non-page sample onto a text page, then onto a
ruled form, where the pipeline reads only what its locator points at.
A "false read" is any reported value that is not in the sample's expected values (values are
compared after ``normalize_scan``, as every Legajo scan is).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np

from archive.domain.barcodes import BarcodeKind, format_barcode, normalize_scan
from scanners.camera import FrameDecoder
from scanners.decode import decode_page
from tests.samples.decode.make_corpus import Sample, corpus, document_page, label_pdf_image, rotate


def zbar_alone(img: np.ndarray) -> set[str]:
    from pyzbar import pyzbar

    h, w = img.shape
    return {d.data.decode("utf-8", "replace") for d in pyzbar.decode((img.tobytes(), w, h))}


def zxing_alone(img: np.ndarray) -> set[str]:
    import zxingcpp

    return {r.text for r in zxingcpp.read_barcodes(img) if r.valid}


def pipeline(img: np.ndarray) -> set[str]:
    return {d.value for d in decode_page(img).found}


def ms(fn: Any, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def page_latency(repeat: int) -> None:
    rng = random.Random(3)
    value = format_barcode(BarcodeKind.EXPEDIENTE, "BOG", 7)
    label = label_pdf_image("EXPEDIENTE", value)
    upright = document_page(rng, label, 0.0)
    tilted = document_page(rng, label, 14.0)
    blank = document_page(rng, None, 0.0)
    form = ruled_form(rng)
    print("\n### 300-dpi A4 page (2480×3508), ms\n")
    print("| page | pyzbar alone | zxing-cpp alone | Legajo pipeline | pipeline result |")
    print("|---|---|---|---|---|")
    for name, img in (
        ("label upright", upright),
        ("label tilted 14°", tilted),
        ("text only, no barcode", blank),
        ("ruled form, no barcode", form),
        # Scans are seldom square: the same form as scanned 1° and 2° askew.
        ("ruled form 1° askew, no barcode", rotate(1.0)(form, rng)),
        ("ruled form 2° askew, no barcode", rotate(-2.0)(form, rng)),
    ):
        zb = ms(lambda img=img: zbar_alone(img), repeat)
        zx = ms(lambda img=img: zxing_alone(img), repeat)
        lg = ms(lambda img=img: pipeline(img), repeat)
        print(f"| {name} | {zb[0]:.0f} (p95 {zb[1]:.0f}) | {zx[0]:.0f} (p95 {zx[1]:.0f}) | "
              f"{lg[0]:.0f} (p95 {lg[1]:.0f}) | {sorted(pipeline(img)) or 'no read'} |")  # fmt: skip


def ruled_form(rng: random.Random) -> np.ndarray:
    """A text page ruled into a table (a FUID form): bold text crossed by rules looks dense like
    a matrix code unless the locator sets the rules aside."""
    page = document_page(rng, None, 0.0)
    for y in range(300, 3300, 140):
        cv2.line(page, (150, y), (2330, y), 0, 4)
    for x in (150, 900, 1600, 2330):
        cv2.line(page, (x, 300), (x, 3160), 0, 4)
    return page


def on_pages(large: bool, ruled: bool = False) -> Iterator[tuple[Sample, np.ndarray]]:
    """Every corpus sample that is not a page itself, pasted 1:1 onto its own text page (or
    ruled form) at a seeded position: the locator and the "nothing here" exit measured where
    they act."""
    for i, sample in enumerate(corpus(large=large)):
        if sample.name.startswith(("page-", "neg-text")):
            continue
        rng = random.Random(1000 + i)
        page = ruled_form(rng) if ruled else document_page(rng, None, 0.0)
        h, w = sample.image.shape
        y = rng.randint(100, page.shape[0] - h - 100)
        x = rng.randint(100, page.shape[1] - w - 100)
        page[y : y + h, x : x + w] = sample.image
        yield sample, page


def pasted_rates(large: bool, ruled: bool = False) -> None:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    times: list[float] = []
    for sample, page in on_pages(large, ruled):
        t = time.perf_counter()
        got = pipeline(page)
        times.append((time.perf_counter() - t) * 1000)
        expected = {normalize_scan(v) for v in sample.expected}
        row = rows[sample.degradation]
        row[0] += len(expected)
        row[1] += len(expected & got)
        row[2] += len(got - expected)
    kind = "ruled forms" if ruled else "text pages"
    print(f"\n### The same samples pasted onto A4 {kind}, Legajo pipeline ({len(times)} pages)\n")
    print("| degradation | read | false |")
    print("|---|---|---|")
    total = [0, 0, 0]
    for deg, (exp, ok, false) in rows.items():
        total = [total[0] + exp, total[1] + ok, total[2] + false]
        print(f"| {deg} | {ok}/{exp} | {false} |")
    print(f"| **all** | **{total[1]}/{total[0]} ({100 * total[1] / max(total[0], 1):.0f} %)** | "
          f"**{total[2]}** |")  # fmt: skip
    times.sort()
    print(f"\nPer page: median {statistics.median(times):.0f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.0f} ms, max {times[-1]:.0f} ms.")  # fmt: skip


def camera_rate(frames: int) -> None:
    value = format_barcode(BarcodeKind.CARPETA, "0A1", 42)
    label = cv2.resize(
        label_pdf_image("CARPETA", value), None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA
    )
    frame = np.full((720, 1280), 200, np.uint8)
    y, x = (720 - label.shape[0]) // 2, (1280 - label.shape[1]) // 2
    frame[y : y + label.shape[0], x : x + label.shape[1]] = label
    gen = np.random.default_rng(1)
    noisy = [cv2.cvtColor(np.clip(frame + gen.normal(0, 8, frame.shape), 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
             for _ in range(10)]  # fmt: skip
    empty = cv2.cvtColor(np.full((720, 1280), 180, np.uint8), cv2.COLOR_GRAY2BGR)
    dec = FrameDecoder()
    print("\n### Camera, per-frame pipeline on 1280×720 BGR frames\n")
    print("| frame | ms median | p95 | frames/s (1 core) | reads |")
    print("|---|---|---|---|---|")
    for name, src in (("label in view", noisy), ("nothing in view", [empty])):
        reads: list[str] = []
        times = []
        for i in range(frames):
            t = time.perf_counter()
            reads += [r.value for r in dec.feed(src[i % len(src)])]
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        med = statistics.median(times)
        print(
            f"| {name} | {med:.1f} | {times[int(len(times) * 0.95)]:.1f} | {1000 / med:.0f} | {sorted(set(reads))} |"
        )
    zx = ms(lambda: zxing_alone(cv2.cvtColor(noisy[0], cv2.COLOR_BGR2GRAY)), 20)
    print(f"\nBaseline: zxing-cpp alone on the full 1280×720 frame: {zx[0]:.1f} ms median.")


def corpus_rates(large: bool) -> None:
    engines = {
        "pyzbar alone": zbar_alone,
        "zxing-cpp alone": zxing_alone,
        "Legajo pipeline": pipeline,
    }
    stats: dict[str, dict[str, list[int]]] = {e: defaultdict(lambda: [0, 0, 0, 0]) for e in engines}
    total_ms: dict[str, float] = defaultdict(float)
    n = 0
    for sample in corpus(large=large):
        n += 1
        for name, fn in engines.items():
            t = time.perf_counter()
            got = {normalize_scan(v) for v in fn(sample.image)} - {""}
            total_ms[name] += (time.perf_counter() - t) * 1000
            row = stats[name][sample.degradation]
            expected = {normalize_scan(v) for v in sample.expected}
            row[0] += len(expected)
            row[1] += len(expected & got)
            row[2] += len(got - expected)
            row[3] += 1
    print(f"\n### Decode rate on the degraded corpus ({n} images)\n")
    print("Read = expected values found / expected; false = reported values that were not there.\n")
    print("| degradation | " + " | ".join(f"{e} read | {e} false" for e in engines) + " |")
    print("|---|" + "---|---|" * len(engines))
    degs = list(stats["Legajo pipeline"])
    totals = {e: [0, 0, 0] for e in engines}
    for deg in degs:
        cells = []
        for e in engines:
            exp, ok, false, _ = stats[e][deg]
            totals[e][0] += exp
            totals[e][1] += ok
            totals[e][2] += false
            cells.append(f"{ok}/{exp} | {false}")
        print(f"| {deg} | " + " | ".join(cells) + " |")
    cells = [
        f"**{t[1]}/{t[0]} ({100 * t[1] / max(t[0], 1):.0f} %)** | **{t[2]}**"
        for t in totals.values()
    ]
    print("| **all** | " + " | ".join(cells) + " |")
    print("\nMean time per image: " + ", ".join(f"{e} {total_ms[e] / n:.0f} ms" for e in engines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small corpus, fewer repeats")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f"OpenCV {cv2.__version__}; one thread per decoder (2-core target)")
    page_latency(5 if args.quick else 15)
    camera_rate(60 if args.quick else 200)
    corpus_rates(large=not args.quick)
    pasted_rates(large=not args.quick)
    pasted_rates(large=not args.quick, ruled=True)


if __name__ == "__main__":
    main()
