"""Finding barcodes in page images: OpenCV preprocessing, pyzbar and zxing-cpp, cross-checked.

A wrong read is worse than no read, so a value is reported only when it is confirmed:

- a value shaped like a Legajo label (``archive.domain.barcodes.looks_like_legajo_barcode``) is
  confirmed by its check character and refused (counted in ``rejected``) when the check fails;
- any other value needs two independent reads: two engines, or one engine on two different
  preprocessing variants of the page.

Where to look comes first, so that a page costs what its barcodes need, not what its size
allows: the page is read whole once, by zxing-cpp on a working-size copy without retries (an
upright label ends the search there, in a few milliseconds); then :mod:`scanners.locate`
points at the barcode-like regions, each is cut out, turned upright by its own measured angle
and tried through a ladder of variants (working size, full resolution, adaptive threshold,
denoised, unrotated, enlarged or contrast-equalised) by both engines. A page with no such
region is answered "nothing" right there. Images small enough to be a label or a cropped photo
also go through the whole-image ladder (estimated and fixed rotations, full resolution, ...),
after their regions. The search stops at the first variant after which every candidate is
confirmed.
Engines are imported lazily. Pure: no Qt, no database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.domain.barcodes import has_valid_check, looks_like_legajo_barcode, normalize_scan
from scanners.locate import Region, cut, find_regions, region_around

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
#: Images up to this many pixels are also tried whole through every variant
#: (a label, a cropped photo); larger pages are read only where the locator points.
WHOLE_PIXELS = 1_600_000
#: Engines that read a large page whole: zbar costs twice zxing-cpp's time on a whole page,
#: and reads the page's regions instead (both engines read every region).
PAGE_ENGINES = frozenset({"zxing"})
#: A region whose longest side at full resolution is under this is also read enlarged twice.
SMALL_CROP = 800
#: A region crop (working size) of more pixels than this is larger than any symbol on a page
#: (700 × 700 px, 120 mm square on a half-size A4) and gets only the working-size variants: it
#: is a false candidate (a ruled form), or a symbol that fills a small image, which is also
#: tried whole.
LARGE_REGION = 500_000

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
_Box = tuple[int, int, int, int]
_Back = Callable[[_Box], _Box]


@dataclass(frozen=True, slots=True)
class _Variant:
    """One preprocessed image to read: its name (confirmation counts distinct names), the
    pixels, how its boxes map back to the page, and which engines read it (``None``: all)."""

    name: str
    image: Gray
    back: _Back
    engines: frozenset[str] | None = None


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

    def settled() -> bool:
        return bool(candidates) and not exhaustive and all(c.confirmed for c in candidates.values())

    def unconfirmed() -> list[_Box]:
        return [c.position for c in candidates.values() if not c.confirmed]

    for variant in _variants(gray, unconfirmed):
        result.variants_tried += 1
        for engine in engines:
            if settled():
                break  # the other engine would add nothing (e.g. a label confirmed by its check)
            if variant.engines is not None and engine not in variant.engines:
                continue
            read = _ENGINES[engine]
            for raw, symbology, box in read(variant.image, symbologies, result.variants_tried == 1):
                value = normalize_scan(raw)
                if not value or symbology not in symbologies:
                    continue
                if looks_like_legajo_barcode(value) and not has_valid_check(value):
                    rejected.add(value)
                    continue
                cand = candidates.get(value)
                if cand is None:
                    cand = candidates[value] = _Candidate(symbology, variant.back(box))
                    cand.by_check = looks_like_legajo_barcode(value)
                cand.sources.add(f"{engine}/{variant.name}")
                cand.engines.add(engine)
                cand.variants.add(variant.name)
        if settled():
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


def _scaled(factor: float) -> _Back:
    def back(box: _Box) -> _Box:
        x, y, w, h = box
        return (round(x / factor), round(y / factor), round(w / factor), round(h / factor))

    return back


def _affine_back(inverse: Gray, factor: float) -> _Back:
    """Map boxes through ``inverse`` (variant → image pixels), then from an image ``factor``
    times the page's size to page pixels."""
    import numpy as np

    def back(box: _Box) -> _Box:
        x, y, bw, bh = box
        corners = np.array(
            [[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], dtype=float
        )
        pts = corners @ inverse.T / factor
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return (round(x0), round(y0), round(x1 - x0), round(y1 - y0))

    return back


def _variants(gray: Gray, unconfirmed: Callable[[], list[_Box]]) -> Iterator[_Variant]:
    """Preprocessed versions of the page, cheapest and most likely first.

    A large page is read once as a whole (zxing-cpp on the working-size copy: an upright label
    ends the search there), then only where :func:`scanners.locate.find_regions` sees something
    barcode-like, each region cut out and turned upright by its own angle; a page with no such
    region is answered "nothing" at that point. A small image (a label, a cropped photo) is
    also tried whole through every variant, as cheap as a page's regions.

    Args:
        gray: the page.
        unconfirmed: page boxes of the values read so far but not yet confirmed (each gets a
            region of its own when the locator missed it).
    """
    height, width = gray.shape
    # An integer reduction keeps INTER_AREA on its fast path (2 ms instead of 35 for a page).
    fast = 1.0 / math.ceil(max(height, width) / FAST_SIDE)
    small = _reduce(gray, fast)
    whole = gray.size <= WHOLE_PIXELS
    yield _Variant("gray", small, _scaled(fast), None if whole else PAGE_ENGINES)
    regions = find_regions(small)
    for box in unconfirmed():
        if not any(r.covers(_box_center(box, fast)) for r in regions):
            regions.append(region_around(box, fast))
    # Binarisation window: the one a whole page of this size gets (about 3 modules at 300 dpi).
    block = max(15, (min(small.shape) // 40) | 1)
    for number, region in enumerate(regions):
        yield from _region_variants(gray, small, fast, region, f"{region.kind}{number}", block)
    if whole:
        yield from _whole_variants(gray, small, fast)


def _reduce(gray: Gray, fast: float) -> Gray:
    import cv2

    return (
        cv2.resize(gray, None, fx=fast, fy=fast, interpolation=cv2.INTER_AREA) if fast < 1 else gray
    )


def _box_center(box: _Box, fast: float) -> tuple[float, float]:
    x, y, w, h = box
    return ((x + w / 2) * fast, (y + h / 2) * fast)


def _region_variants(
    gray: Gray, small: Gray, fast: float, region: Region, name: str, block: int
) -> Iterator[_Variant]:
    """One region, upright: at working size, at full resolution, binarised, denoised, as it
    lies (when turned), enlarged (when small) or contrast-equalised."""
    import cv2

    crop, inverse = cut(small, region, 1.0)
    back = _affine_back(inverse, fast)
    yield _Variant(name, crop, back)
    full, full_back = crop, back
    large = crop.size > LARGE_REGION  # larger than a symbol: a false candidate, kept cheap
    if fast < 1 and not large:
        full, inverse_full = cut(gray, region, fast)
        full_back = _affine_back(inverse_full, 1.0)
        yield _Variant(f"{name}-full", full, full_back)
    thresh = cv2.adaptiveThreshold(
        crop, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10
    )
    yield _Variant(f"{name}-adaptive", thresh, back)
    denoised = cv2.GaussianBlur(cv2.medianBlur(crop, 3), (0, 0), 1.0)
    yield _Variant(f"{name}-denoise", denoised, back)
    if region.angle and not large:
        # The angle may be the texture's, not the bars' (moiré): the region as it lies.
        level, inverse_level = cut(small, region.upright(), 1.0)
        yield _Variant(f"{name}-level", level, _affine_back(inverse_level, fast))
    if max(full.shape) < SMALL_CROP:  # small even at full resolution: enlarge it
        full, inverse_up = cut(gray, region, fast, scale=2.0)
        full_back = _affine_back(inverse_up, 1.0)
        yield _Variant(f"{name}-up2", full, full_back)
    equal = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(full)
    yield _Variant(f"{name}-clahe", equal, full_back)


def _whole_variants(gray: Gray, small: Gray, fast: float) -> Iterator[_Variant]:
    """The rest of the ladder for an image small enough to try whole (after ``gray``)."""
    import cv2

    # A tilted label is the common hard case: its estimated tilt comes before the
    # (expensive) full-resolution pass.
    tried: set[int] = set()
    for angle in _skew_angles(small):
        tried.add(angle)
        rotated, back = _rotate(small, angle, fast)
        yield _Variant(f"rot{angle}", rotated, back)
    if fast < 1:
        yield _Variant("full", gray, _scaled(1.0))
    block = max(15, (min(small.shape) // 40) | 1)
    thresh = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10
    )
    yield _Variant("adaptive", thresh, _scaled(fast))
    for angle in (30, 60, -30, -60):
        if any(abs(angle - t) < 6 for t in tried):
            continue
        tried.add(angle)
        rotated, back = _rotate(small, angle, fast)
        yield _Variant(f"rot{angle}", rotated, back)
    denoised = cv2.medianBlur(small, 3)
    denoised = cv2.GaussianBlur(denoised, (0, 0), 1.0)
    yield _Variant("denoise", denoised, _scaled(fast))
    if max(gray.shape) < 1600:
        up = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        yield _Variant("up2", up, _scaled(2.0))
        equal = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(up)
        yield _Variant("up2-clahe", equal, _scaled(2.0))
    else:
        equal = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(small)
        yield _Variant("clahe", equal, _scaled(fast))


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


def _rotate(image: Gray, angle: float, factor: float) -> tuple[Gray, _Back]:
    import cv2

    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    rotated = cv2.warpAffine(image, matrix, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)
    return rotated, _affine_back(cv2.invertAffineTransform(matrix), factor)


def _read_zxing(image: Gray, symbologies: frozenset[str], quick: bool = False) -> list[_Read]:
    import zxingcpp

    out: list[_Read] = []
    # quick (the first, whole-page pass): no inverted, downscaled or 90°-turned retries (a third
    # of the time); the regions' variants cover those cases.
    formats = _zxing_formats(symbologies)
    results = (
        zxingcpp.read_barcodes(
            image, formats=formats, try_downscale=False, try_invert=False, try_rotate=False
        )
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
