"""Barcode decoding corpus: clean labels printed through realistic degradations.

``python -m tests.samples.decode.make_corpus OUT_DIR [--small]`` writes the corpus and a
``manifest.json`` (file -> expected values; ``[]`` means "no read expected"). ``--small`` writes
the subset committed beside this script (used by ``tests/unit/test_decode_samples.py``);
``bench/bench_decode.py`` calls :func:`corpus` to build the large one in memory.

Sources: real Legajo label PDFs (``reports.labels.render_labels_bytes`` → ``pdftoppm``),
python-barcode Code 128/39 of external values, QR and Data Matrix from zxing-cpp, A4 document
pages with text and a label stuck at an angle, and negatives (text only, noise, a Legajo-shaped
label whose check character is wrong — it must never be reported).
"""

from __future__ import annotations

import argparse
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).parent
DPI = 300
A4 = (3508, 2480)  # rows, columns at 300 dpi


@dataclass(frozen=True)
class Sample:
    name: str
    image: np.ndarray
    expected: tuple[str, ...]
    degradation: str


# ---------------------------------------------------------------- clean sources


def label_pdf_image(kind_name: str, barcode: str) -> np.ndarray:
    """A real Legajo label (100×50 mm roll) rendered by the label renderer, at 300 dpi."""
    from reports.labels import LabelKind, builtin_media, default_templates, render_labels_bytes
    from tests.samples.labels.factory import sample
    from tests.samples.labels.raster import rasterise

    kind = LabelKind[kind_name]
    pdf = render_labels_bytes(
        [sample(kind, barcode)], default_templates(), builtin_media()["rollo-100x50"]
    )
    return rasterise(pdf)[0]


def code_image(value: str, symbology: str = "code128", module_px: int = 3) -> np.ndarray:
    """A bare barcode with quiet zones (python-barcode for 1-D, zxing-cpp for 2-D)."""
    if symbology in ("qrcode", "datamatrix"):
        import zxingcpp

        fmt = (
            zxingcpp.BarcodeFormat.QRCode
            if symbology == "qrcode"
            else zxingcpp.BarcodeFormat.DataMatrix
        )
        barcode = zxingcpp.create_barcode(value, fmt)
        small = np.asarray(zxingcpp.write_barcode_to_image(barcode, add_quiet_zones=False)).astype(np.uint8)
        f = module_px * 2
        img = cv2.resize(small, None, fx=f, fy=f, interpolation=cv2.INTER_NEAREST)
        return np.pad(img, 40, constant_values=255)
    from barcode import Code39, Code128
    from barcode.writer import ImageWriter

    cls = Code128 if symbology == "code128" else Code39
    kwargs = {"add_checksum": False} if symbology == "code39" else {}
    code = cls(value, writer=ImageWriter(), **kwargs)
    buf = io.BytesIO()
    code.write(buf, {"module_width": module_px * 25.4 / DPI, "module_height": 12.0, "dpi": DPI,
                     "quiet_zone": 6.0, "font_size": 8, "text_distance": 4.0})  # fmt: skip
    return np.asarray(Image.open(buf).convert("L"))


def document_page(rng: random.Random, label: np.ndarray | None, angle: float) -> np.ndarray:
    """An A4 page of typed text with ``label`` stuck somewhere at ``angle`` degrees."""
    page = np.full(A4, 250, np.uint8)
    words = [
        "resolución",
        "expediente",
        "contrato",
        "tutela",
        "radicado",
        "folio",
        "secretaría",
        "archivo",
        "central",
    ]
    for row in range(300, A4[0] - 200, 70):
        line = " ".join(rng.choice(words) for _ in range(9))
        cv2.putText(page, line, (200, row), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 3, cv2.LINE_AA)
    if label is not None:
        pasted = _rotate(label, angle)
        opaque = _rotate(np.zeros_like(label), angle) == 0  # the sticker's own area
        h, w = pasted.shape
        y = rng.randint(100, A4[0] - h - 100)
        x = rng.randint(100, max(101, A4[1] - w - 100))
        region = page[y : y + h, x : x + w]
        region[opaque] = pasted[opaque]  # the label covers the text like a sticker
    return page


# ---------------------------------------------------------------- degradations


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c), int(h * c + w * s)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)


def scale(f: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    return lambda im, _r: cv2.resize(im, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)


def rotate(angle: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    return lambda im, _r: _rotate(im, angle)


def blur(sigma: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    return lambda im, _r: cv2.GaussianBlur(im, (0, 0), sigma)


def noise(sigma: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    def f(im: np.ndarray, r: random.Random) -> np.ndarray:
        gen = np.random.default_rng(r.randrange(2**32))
        return np.clip(im + gen.normal(0, sigma, im.shape), 0, 255).astype(np.uint8)

    return f


def contrast(lo: int, hi: int) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    return lambda im, _r: (lo + im.astype(np.float32) * (hi - lo) / 255).astype(np.uint8)


def jpeg(quality: int) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    def f(im: np.ndarray, _r: random.Random) -> np.ndarray:
        ok, buf = cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)

    return f


def perspective(strength: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    def f(im: np.ndarray, r: random.Random) -> np.ndarray:
        h, w = im.shape
        d = strength * min(h, w)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[r.uniform(0, d), r.uniform(0, d)], [w - r.uniform(0, d), r.uniform(0, d)],
                          [w - r.uniform(0, d), h - r.uniform(0, d)], [r.uniform(0, d), h - r.uniform(0, d)]])  # fmt: skip
        m = cv2.getPerspectiveTransform(src, dst)
        return cv2.warpPerspective(im, m, (w, h), borderValue=255)

    return f


def moire(period: float) -> Callable[[np.ndarray, random.Random], np.ndarray]:
    """A photo of a screen: interference bands, softness, uneven light."""

    def f(im: np.ndarray, r: random.Random) -> np.ndarray:
        h, w = im.shape
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = r.uniform(0.2, 1.2)
        bands = 0.85 + 0.15 * np.sin((xx * np.cos(a) + yy * np.sin(a)) * 2 * np.pi / period)
        light = 0.75 + 0.25 * (xx / w)
        out = cv2.GaussianBlur(im.astype(np.float32), (0, 0), 1.2) * bands * light
        return np.clip(out, 0, 255).astype(np.uint8)

    return f


Degrade = Callable[[np.ndarray, random.Random], np.ndarray]
DEGRADATIONS: dict[str, list[Degrade]] = {
    "clean": [],
    "scale50": [scale(0.5)],
    "scale35": [scale(0.35)],
    "rot7": [rotate(7)],
    "rot23": [rotate(23)],
    "rot45": [rotate(45)],
    "rot90": [rotate(90)],
    "rot160": [rotate(160)],
    "blur1": [blur(1.0)],
    "blur2": [blur(2.0)],
    "blur3": [blur(3.0)],
    "noise15": [noise(15)],
    "noise35": [noise(35)],
    "lowcontrast": [contrast(110, 170)],
    "jpeg20": [jpeg(20)],
    "jpeg8": [jpeg(8)],
    "perspective": [perspective(0.12)],
    "moire": [moire(7.0)],
    "photo": [perspective(0.08), blur(1.2), noise(12), contrast(40, 220), jpeg(35)],
    "bad-print": [scale(0.6), blur(1.5), contrast(90, 200), noise(20), jpeg(25)],
}


# ---------------------------------------------------------------- the corpus


def wrong_check(value: str) -> str:
    """``value`` with its check character replaced by a wrong one."""
    from archive.domain.barcodes import ALPHABET

    return value[:-1] + ALPHABET[(ALPHABET.index(value[-1]) + 1) % len(ALPHABET)]


def sources(rng: random.Random, large: bool) -> Iterator[tuple[str, np.ndarray, tuple[str, ...]]]:
    from archive.domain.barcodes import BarcodeKind, format_barcode

    kinds = ["CARPETA", "EXPEDIENTE", "CAJA"] if large else ["EXPEDIENTE"]
    for i, kind in enumerate(kinds):
        value = format_barcode(BarcodeKind[kind], "0A1", 42 + i)
        yield f"label-{kind.lower()}", label_pdf_image(kind, value), (value,)
    externals = [("ARCH-CENTRAL/2019/000123", "code128"), ("EXP 2022 0045", "code39")]
    if large:
        externals += [("8001234567890123", "code128"), ("https://legajo.example/e/123", "qrcode"),
                      ("FUID-2024-77", "datamatrix")]  # fmt: skip
    for value, sym in externals:
        yield (
            f"{sym}-{value[:8].replace('/', '_').replace(':', '_')}",
            code_image(value, sym),
            (value,),
        )
    exp = format_barcode(BarcodeKind.EXPEDIENTE, "BOG", 7)
    yield "page-label", document_page(rng, label_pdf_image("EXPEDIENTE", exp), 14.0), (exp,)
    bad = wrong_check(format_barcode(BarcodeKind.CARPETA, "0A1", 99))
    yield "neg-wrongcheck", code_image(bad, "code128"), ()
    yield "neg-text", document_page(rng, None, 0.0), ()


def corpus(large: bool = True, seed: int = 7) -> Iterator[Sample]:
    """Every source through every degradation (``large``) or a representative few."""
    rng = random.Random(seed)
    picks = (
        list(DEGRADATIONS) if large else ["clean", "rot23", "blur2", "noise35", "moire", "photo"]
    )
    for name, clean, expected in sources(rng, large):
        chosen = picks if (large or not name.startswith(("page", "neg-text"))) else ["photo"]
        for deg in chosen:
            img = clean
            for step in DEGRADATIONS[deg]:
                img = step(img, rng)
            yield Sample(f"{name}--{deg}", img, expected, deg)


def write_small(out: Path) -> dict[str, list[str]]:
    """The committed subset: compressed files, multi-page TIFF and an image PDF included."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, list[str]] = {}
    pages: list[tuple[np.ndarray, tuple[str, ...]]] = []
    for s in corpus(large=False):
        big = s.image.size > 2_000_000
        img = (
            cv2.resize(s.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            if big
            else s.image
        )
        lossy = big or s.degradation in ("photo", "noise35", "moire")
        fname = f"{s.name.replace(' ', '_')}.{'jpg' if lossy else 'png'}"
        if fname.endswith(".jpg"):
            cv2.imwrite(str(out / fname), img, [cv2.IMWRITE_JPEG_QUALITY, 70])
        else:
            cv2.imwrite(str(out / fname), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        manifest[fname] = list(s.expected)
        if s.degradation == "clean":
            pages.append((img, s.expected))
    frames = [Image.fromarray(p) for p, _ in pages[:3]]
    frames[0].save(
        out / "multipage.tif", save_all=True, append_images=frames[1:], compression="tiff_deflate"
    )
    manifest["multipage.tif"] = sorted(v for _, e in pages[:3] for v in e)
    frames[0].save(out / "scanner.pdf", save_all=True, append_images=frames[1:], resolution=300.0)
    manifest["scanner.pdf"] = sorted(v for _, e in pages[:3] for v in e)
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8"
    )
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=HERE / "files")
    parser.add_argument("--small", action="store_true", help="write the committed subset")
    args = parser.parse_args()
    if args.small:
        manifest = write_small(args.out)
        print(f"{len(manifest)} files in {args.out}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for s in corpus(large=True):
        cv2.imwrite(str(args.out / f"{s.name}.png"), s.image)
        manifest[f"{s.name}.png"] = list(s.expected)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    print(f"{len(manifest)} files in {args.out}")


if __name__ == "__main__":
    main()
