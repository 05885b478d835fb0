"""Finding barcodes in page images: OpenCV preprocessing, pyzbar and zxing-cpp, cross-checked.

A wrong read is worse than no read, so a value is reported only when it is confirmed:

- a value shaped like a Legajo label (``archive.domain.barcodes.looks_like_legajo_barcode``) is
  confirmed by its check character and refused (counted in ``rejected``) when the check fails;
- any other value needs two independent reads: two engines, or one engine on two different
  preprocessing variants of the page.

Variants are tried cheapest first (downscaled grayscale, then full resolution, adaptive
threshold, rotations of 30° and 60° — the engines cover the multiples of 90° — denoising and
upscaling) and the search stops at the first variant after which every candidate is confirmed.
Engines are imported lazily. Pure: no Qt, no database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.domain.barcodes import has_valid_check, looks_like_legajo_barcode, normalize_scan

if TYPE_CHECKING:
    import numpy.typing as npt

    Gray = npt.NDArray[Any]  # uint8 at run time; OpenCV stubs type results loosely
else:
    Gray = Any

#: Symbologies looked for by default (archive labels and vendor codes; no EAN-8/UPC-E/DataBar,
#: whose short patterns are what decoders "find" in text).
DEFAULT_SYMBOLOGIES = frozenset(
    {"code128", "code39", "code93", "qrcode", "datamatrix", "pdf417", "ean13", "itf"}
)
#: Longest side the first (fast) variant is scaled to.
FAST_SIDE = 1800

_ZBAR_NAMES = {
    "CODE128": "code128", "CODE39": "code39", "CODE93": "code93", "QRCODE": "qrcode",
    "EAN13": "ean13", "EAN8": "ean8", "UPCA": "ean13", "UPCE": "upce", "I25": "itf",
    "PDF417": "pdf417", "DATABAR": "databar", "CODABAR": "codabar",
}  # fmt: skip
_ZXING_NAMES = {
    "Code128": "code128", "Code39": "code39", "Code39Ext": "code39", "Code39Std": "code39",
    "Code93": "code93", "QRCode": "qrcode", "MicroQRCode": "qrcode", "DataMatrix": "datamatrix",
    "PDF417": "pdf417", "EAN13": "ean13", "EAN8": "ean8", "UPCA": "ean13", "UPCE": "upce",
    "ITF": "itf", "Codabar": "codabar", "Aztec": "aztec",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Decoded:
    """One confirmed barcode.

    Attributes:
        value: the normalized text (``archive.domain.barcodes.normalize_scan``).
        symbology: lower-case symbology name, as in :class:`scanners.scan.Scan`.
        page: 1-based page number within the file (1 for a single image).
        position: ``(x, y, width, height)`` in pixels of the page as loaded.
        confirmed_by: how it was confirmed: ``"check"`` (Legajo check character) or the two
            reads that agreed, e.g. ``"zxing/gray+zbar/gray"``.
    """

    value: str
    symbology: str
    page: int
    position: tuple[int, int, int, int]
    confirmed_by: str


@dataclass
class PageResult:
    """What one page gave: confirmed values, and the reads refused as unconfirmed or misread."""

    found: list[Decoded] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    variants_tried: int = 0


@dataclass
class _Candidate:
    symbology: str
    position: tuple[int, int, int, int]
    sources: set[str] = field(default_factory=set)
    engines: set[str] = field(default_factory=set)
    variants: set[str] = field(default_factory=set)
    by_check: bool = False

    @property
    def confirmed(self) -> bool:
        return self.by_check or len(self.engines) > 1 or len(self.variants) > 1


# A raw read: (text, symbology, (x, y, w, h) in variant pixels).
_Read = tuple[str, str, tuple[int, int, int, int]]
# A variant: name, image, and a function mapping its points back to page pixels.
_Variant = tuple[str, Gray, Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]]


def decode_page(
    image: Gray,
    *,
    page: int = 1,
    symbologies: frozenset[str] = DEFAULT_SYMBOLOGIES,
    exhaustive: bool = False,
    engines: Sequence[str] = ("zxing", "zbar"),
) -> PageResult:
    """Find the barcodes of one grayscale page.

    Args:
        image: 2-D ``uint8`` array (colour arrays are converted).
        page: page number stored in the results.
        symbologies: which symbologies to accept.
        exhaustive: try every variant even after everything found is confirmed (slower; finds
            barcodes that only a late variant reveals).
        engines: ``"zxing"`` and/or ``"zbar"`` (the benchmark measures each alone).
    """
    gray = _as_gray(image)
    result = PageResult()
    candidates: dict[str, _Candidate] = {}
    rejected: set[str] = set()
    readers = [_ENGINES[e] for e in engines]
    for name, variant, to_page in _variants(gray):
        result.variants_tried += 1
        for engine, read in zip(engines, readers, strict=True):
            if candidates and not exhaustive and all(c.confirmed for c in candidates.values()):
                break  # the other engine would add nothing (e.g. a label confirmed by its check)
            for raw, symbology, box in read(variant, symbologies, result.variants_tried == 1):
                value = normalize_scan(raw)
                if not value or symbology not in symbologies:
                    continue
                if looks_like_legajo_barcode(value) and not has_valid_check(value):
                    rejected.add(value)
                    continue
                cand = candidates.get(value)
                if cand is None:
                    cand = candidates[value] = _Candidate(symbology, to_page(box))
                    cand.by_check = looks_like_legajo_barcode(value)
                cand.sources.add(f"{engine}/{name}")
                cand.engines.add(engine)
                cand.variants.add(name)
        if candidates and not exhaustive and all(c.confirmed for c in candidates.values()):
            break
    for value, cand in candidates.items():
        if cand.confirmed:
            how = "check" if cand.by_check else "+".join(sorted(cand.sources)[:2])
            result.found.append(Decoded(value, cand.symbology, page, cand.position, how))
        else:
            rejected.add(value)
    result.found.sort(key=lambda d: (d.position[1], d.position[0]))
    result.rejected = sorted(rejected)
    return result


def decode_file(path: Path, *, dpi: int = 300, exhaustive: bool = False) -> list[Decoded]:
    """Every confirmed barcode in an image or PDF file, page by page.

    Raises:
        ValidationError: the file is not a supported or readable image/PDF.
    """
    from scanners.images import load_pages

    found: list[Decoded] = []
    for number, page in enumerate(load_pages(path, dpi=dpi), start=1):
        found.extend(decode_page(page, page=number, exhaustive=exhaustive).found)
    return found


def _as_gray(image: Gray) -> Gray:
    import cv2
    import numpy as np

    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    return np.ascontiguousarray(image, dtype=np.uint8)


def _scaled(factor: float) -> Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]:
    def back(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        return (round(x / factor), round(y / factor), round(w / factor), round(h / factor))

    return back


def _variants(gray: Gray) -> Iterator[_Variant]:
    """Preprocessed versions of the page, cheapest and most likely first."""
    import cv2

    height, width = gray.shape
    side = max(height, width)
    # An integer reduction keeps INTER_AREA on its fast path (2 ms instead of 35 for a page).
    fast = 1.0 / math.ceil(side / FAST_SIDE)
    small = (
        cv2.resize(gray, None, fx=fast, fy=fast, interpolation=cv2.INTER_AREA) if fast < 1 else gray
    )
    yield "gray", small, _scaled(fast)
    # A tilted label on a page is the common hard case: its estimated tilt comes before the
    # (expensive) full-resolution pass.
    tried: set[int] = set()
    for angle in _skew_angles(small):
        tried.add(angle)
        rotated, back = _rotate(small, angle, fast)
        yield f"rot{angle}", rotated, back
    if fast < 1:
        yield "full", gray, _scaled(1.0)
    block = max(15, (min(small.shape) // 40) | 1)
    thresh = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10
    )
    yield "adaptive", thresh, _scaled(fast)
    for angle in (30, 60, -30, -60):
        if any(abs(angle - t) < 6 for t in tried):
            continue
        tried.add(angle)
        rotated, back = _rotate(small, angle, fast)
        yield f"rot{angle}", rotated, back
    denoised = cv2.medianBlur(small, 3)
    denoised = cv2.GaussianBlur(denoised, (0, 0), 1.0)
    yield "denoise", denoised, _scaled(fast)
    if side < 1600:
        up = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        yield "up2", up, _scaled(2.0)
        equal = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(up)
        yield "up2-clahe", equal, _scaled(2.0)
    else:
        equal = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(small)
        yield "clahe", equal, _scaled(fast)


def _skew_angles(small: Gray, limit: int = 2) -> list[int]:
    """Rotations (degrees) that would bring tilted bar patterns upright.

    Bars give strong gradients in a single direction: peaks of the magnitude-weighted histogram
    of gradient directions (mod 180°) away from 0° and 90° (text, page edges, and what the
    engines read anyway) are the tilts of the barcodes on the page.
    """
    import cv2
    import numpy as np

    factor = min(1.0, 1000 / max(small.shape))
    tiny = (
        cv2.resize(small, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        if factor < 1
        else small
    )
    gx = cv2.Sobel(tiny, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(tiny, cv2.CV_32F, 0, 1, ksize=3)
    mag, ang = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    strong = mag > 60
    hist, _ = np.histogram(ang[strong] % 180.0, bins=180, range=(0, 180), weights=mag[strong])
    hist = np.convolve(np.concatenate([hist[-3:], hist, hist[:3]]), np.ones(5) / 5, mode="same")[
        3:-3
    ]
    angles: list[int] = []
    for i in np.argsort(hist)[::-1][:40]:
        deg = int(i)
        tilt = ((deg + 45) % 90) - 45  # tilt of the bars from upright, -45..44
        left = float(np.median(hist[np.arange(i - 15, i - 6) % 180]))
        right = float(np.median(hist[np.arange(i + 7, i + 16) % 180]))
        if abs(tilt) < 6 or hist[i] < 1.5 * min(left, right):
            continue
        if hist[i] < hist[(i - 1) % 180] or hist[i] < hist[(i + 1) % 180]:
            continue
        if all(abs(tilt - a) >= 5 for a in angles):
            angles.append(tilt)
        if len(angles) >= limit:
            break
    return angles


def _rotate(
    image: Gray, angle: float, factor: float
) -> tuple[Gray, Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]]:
    import cv2
    import numpy as np

    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    rotated = cv2.warpAffine(image, matrix, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)
    inverse = cv2.invertAffineTransform(matrix)

    def back(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, bw, bh = box
        corners = np.array(
            [[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], dtype=float
        )
        pts = corners @ inverse.T / factor
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return (round(x0), round(y0), round(x1 - x0), round(y1 - y0))

    return rotated, back


def _read_zxing(image: Gray, symbologies: frozenset[str], quick: bool = False) -> list[_Read]:
    import zxingcpp

    out: list[_Read] = []
    # quick (first pass): no inverted or downscaled retries; later variants cover those cases.
    formats = _zxing_formats(symbologies)
    results = (
        zxingcpp.read_barcodes(image, formats=formats, try_downscale=False, try_invert=False)
        if quick
        else zxingcpp.read_barcodes(image, formats=formats)
    )
    for r in results:
        if not r.valid:
            continue
        name = _ZXING_NAMES.get(r.format.name, r.format.name.lower())
        p = r.position
        xs = (p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x)
        ys = (p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y)
        box = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        out.append((r.text, name, box))
    return out


def _zxing_formats(symbologies: frozenset[str]) -> Any:
    """zxing-cpp's format set (built per call: holding one in a module cache makes nanobind
    report a leak at interpreter exit)."""
    import zxingcpp

    names = [n for n, ours in _ZXING_NAMES.items() if ours in symbologies]
    return zxingcpp.barcode_formats_from_str(",".join(names)) if names else None


def _read_zbar(image: Gray, symbologies: frozenset[str], quick: bool = False) -> list[_Read]:
    from pyzbar import pyzbar

    symbols = [s for s in pyzbar.ZBarSymbol if _ZBAR_NAMES.get(s.name) in symbologies]
    out: list[_Read] = []
    height, width = image.shape
    for d in pyzbar.decode((image.tobytes(), width, height), symbols=symbols or None):
        name = _ZBAR_NAMES.get(d.type, d.type.lower())
        try:
            text = d.data.decode("utf-8")
        except UnicodeDecodeError:
            text = d.data.decode("latin-1")
        r = d.rect
        out.append((text, name, (r.left, r.top, r.width, r.height)))
    return out


_ENGINES: dict[str, Callable[[Gray, frozenset[str], bool], list[_Read]]] = {
    "zxing": _read_zxing,
    "zbar": _read_zbar,
}
