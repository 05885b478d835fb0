"""Finding barcode-like regions on a page before any engine looks at it.

Decoding a whole 300-dpi page, and every preprocessing variant of it, is what made a page with
no barcode cost seconds. This module answers, in about ten milliseconds, *where* a barcode
could be and at what angle, from the page's local gradient structure (the structure tensor,
summed over small windows):

- **bars** (1-D symbologies): strong gradients that all point the same way (high coherence).
  Text strokes point every way within a window. A ruled line is coherent but only one edge
  thick, and is dropped for being too short across its "bars"; the stripes that lines of text
  make at a paragraph's ragged edge are dropped for having a handful of dark/light
  alternations where a symbol has dozens. The tensor also gives the angle that brings the bars
  upright, so only that crop is rotated, by that angle.
- **matrix** (QR, Data Matrix): strong gradients in both directions over a block that is about
  half ink, which typed text (thin strokes, white between lines) is not. Bold text crossed by a
  form's rules would be: the rules (long, thin, isolated lines, square or up to 2° askew) are
  papered over before either test looks (:func:`_unruled`).

A region is a candidate, not a read: a false candidate costs one small crop's decoding, a
missed one costs a read, so the thresholds lean towards candidates (``bench/bench_decode.py``
measures both on the degraded corpus, alone and pasted onto text pages). Pure NumPy/OpenCV,
no Qt.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

    Gray = npt.NDArray[Any]
else:
    Gray = Any

#: Side in pixels of the cells the tensor is summed over.
CELL = 8
#: Cells (per side) of the window each cell's statistics are smoothed over.
WINDOW = 5
#: Coherence (0 = every direction, 1 = a single direction) above which a window looks like bars.
BAR_COHERENCE = 0.6
#: Coherence below which a dense window may be a matrix code.
MATRIX_COHERENCE = 0.45
#: Mean squared Sobel gradient below which a window is blank paper (a 20-level step or noise).
MIN_ENERGY = 2_000.0
#: Ink fraction (pixels darker than the page's own threshold) of a matrix code's window.
MATRIX_INK = (0.28, 0.75)
#: Fewest cells across the bars for a bar region (a single ruled line spans about WINDOW).
MIN_BAR_CELLS = WINDOW + 1
#: Tilts this close to upright (or to lying on the side) are left to the engines, which read
#: them as they are: a crop that needs no rotation is copied, not resampled.
SNAP_DEGREES = 2.0
#: Fewest dark/light alternations across a bar region (see :func:`_striped`).
MIN_TRANSITIONS = 20
#: Pieces of bars this close in angle, and a window apart at most, are one symbol.
MERGE_DEGREES = 6.0
#: Largest pieces considered for merging (a textured page must stay cheap).
MAX_PIECES = 60
#: Fraction of the page's width (height) a row (column) must be ink over to be a form's rule.
RULE_SPAN = 0.5
#: Thickest rule, and least distance between rules, in pixels of the analysed image: a rule is
#: a thin line on its own; bars that fill a close-up are thin lines too, but packed at module
#: pitch.
RULE_WIDTH, RULE_GAP = 6, CELL * WINDOW // 2
#: Steepest slant of a form's rules, in degrees (scans are often a degree or so askew), and the
#: step of the slants tried (over the page's width a step shifts a line by a few pixels).
RULE_SKEW, RULE_SKEW_STEP = 2.0, 0.1
#: Width in pixels of the strips the slant is measured in (a line at ``RULE_SKEW`` drifts about
#: one pixel across a strip), and the fraction of a strip's row a rule fills.
RULE_STRIP, RULE_FILL = 32, 0.75


@dataclass(frozen=True, slots=True)
class Region:
    """A place on the analysed image that may hold a barcode.

    Attributes:
        center: ``(x, y)`` in pixels of the analysed image.
        size: ``(across, along)``: extent across the bars (the symbol's length) and along them
            (its height), in pixels, margins included; for a matrix region, its two sides.
        angle: degrees to rotate the crop (counter-clockwise, OpenCV convention) so the bars
            stand upright: 0 within ``SNAP_DEGREES`` of upright, 90 for bars lying on their
            side; 0 for the other kinds (the engines read matrix codes at any angle).
        kind: ``"bars"``, ``"matrix"``, or ``"read"`` (around a value an engine already read,
            see :func:`region_around`).
        score: how strongly the region looks like a barcode, by the density of its edges (bigger
            first).
    """

    center: tuple[float, float]
    size: tuple[float, float]
    angle: float
    kind: str
    score: float

    def upright(self) -> Region:
        """The same place unrotated: the axis-aligned box around the region."""
        a = math.radians(self.angle)
        cos, sin = abs(math.cos(a)), abs(math.sin(a))
        w, h = self.size
        return Region(self.center, (w * cos + h * sin, w * sin + h * cos), 0.0, self.kind, 0.0)

    def covers(self, point: tuple[float, float]) -> bool:
        """Whether ``point`` (analysed-image pixels) lies inside the region."""
        dx, dy = point[0] - self.center[0], point[1] - self.center[1]
        a = math.radians(self.angle)
        # The same rotation as :func:`cut` (OpenCV's matrix for ``angle``).
        across = dx * math.cos(a) + dy * math.sin(a)
        along = -dx * math.sin(a) + dy * math.cos(a)
        return abs(across) <= self.size[0] / 2 and abs(along) <= self.size[1] / 2


def region_around(box: tuple[int, int, int, int], factor: float) -> Region:
    """An upright region around ``box`` (page pixels) on an image ``factor`` times the page's
    size, with the quiet-zone margin the locator's own regions get."""
    x, y, w, h = (v * factor for v in box)
    margin = CELL * WINDOW
    return Region((x + w / 2, y + h / 2), (w + 2 * margin, h + 2 * margin), 0.0, "read", 0.0)


def find_regions(image: Gray, *, limit: int = 6) -> list[Region]:
    """The barcode-like regions of a grayscale page, most convincing first.

    Args:
        image: 2-D ``uint8`` array, already reduced to the working size (the caller's choice:
            the tensor needs bars at least about 1.5 px wide to see them).
        limit: at most this many regions (a page of false candidates must stay cheap).
    """
    import cv2
    import numpy as np

    height, width = image.shape
    rows, cols = height // CELL, width // CELL
    if rows < WINDOW or cols < WINDOW:
        return []
    view = image[: rows * CELL, : cols * CELL]
    otsu, _ = cv2.threshold(view, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = int(otsu)
    _, dark = cv2.threshold(view, threshold, 1, cv2.THRESH_BINARY_INV)  # 1: ink, 0: paper
    view, dark = _unruled(view, dark, threshold)
    gx = cv2.Sobel(view, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(view, cv2.CV_32F, 0, 1, ksize=3)

    def cells(values: Gray) -> Gray:
        summed = cv2.resize(values, (cols, rows), interpolation=cv2.INTER_AREA)
        return cv2.blur(summed, (WINDOW, WINDOW), borderType=cv2.BORDER_REPLICATE)

    jxx, jyy, jxy = cells(gx * gx), cells(gy * gy), cells(gx * gy)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / np.maximum(energy, 1e-3)
    busy = energy > MIN_ENERGY

    bars = (busy & (coherence > BAR_COHERENCE)).astype(np.uint8)
    # Close gaps of a cell or two (a faint bar, the printed digits) so one symbol is one region.
    bars = cv2.morphologyEx(bars, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    regions = [
        r for r in _bar_regions(bars, jxx, jyy, jxy, energy, coherence) if _striped(image, r)
    ]
    ink = cells(dark.astype(np.float32))
    dense = busy & (coherence < MATRIX_COHERENCE) & (ink > MATRIX_INK[0]) & (ink < MATRIX_INK[1])
    regions += _matrix_regions(dense, energy)
    regions.sort(key=lambda r: -r.score)
    return regions[:limit]


def _unruled(view: Gray, dark: Gray, threshold: int) -> tuple[Gray, Gray]:
    """The page with a form's rules papered over, and its ink mask to match (``dark``: 1 where
    the page is darker than ``threshold``, its Otsu level).

    Bold text between a form's rules, crossed by the rules and the column lines, is dense in
    both directions like a matrix code (a ruled form otherwise fills the region limit with
    false candidates). A rule is a row (column) whose dark runs two windows long or more add up
    to over ``RULE_SPAN`` of its width (height), thin and apart from any other
    (:func:`_rule_runs`): a line of text is as dark along its strokes but in short runs;
    the bars of a symbol that fills a close-up are long runs too, but packed at module pitch.
    Where a label covers a rule, the label's own pixels are not part of the rule's runs and
    stay as they are.

    A scan is seldom square: where no row holds a rule, the rules' common slant, up to
    ``RULE_SKEW`` degrees, is measured (:func:`_slant`) and the ink mask sheared by it so that
    each rule lies along one row (column) for the same test. Columns are only measured so on
    a page whose rows have rules (a form askew with column lines only keeps them).

    The rules' runs, sheared back onto the page, and a pixel around them (their antialiased
    edges and the stairs of a slanted line) are painted with the paper's level, for the bar and
    the matrix tests alike. Only what the locator looks at changes; engines read the original
    page. A page without rules costs two projections and one slant measurement (about a
    millisecond); a square form what it did before.
    """
    import cv2
    import numpy as np

    rules: Gray | None = None  # allocated for a page that has rules
    for axis in (1, 0):  # rules along rows, then along columns
        found = _rule_runs(dark, axis, rules)  # square rules: a projection on a page without
        # The slant is only looked for across the page (a form has rules across it), and
        # down the page on a form that has them: a text page pays for one measurement.
        if found is None and (axis == 1 or rules is not None):
            slope = _slant(dark, axis)
            if slope:
                # A slanted line rasterised, then sheared square, wobbles by a pixel: thickened
                # across by a pixel each way, it holds one row (column) along its whole length.
                across = (3, 1) if axis == 1 else (1, 3)
                thick = cv2.dilate(_sheared(dark, axis, slope), np.ones(across, np.uint8))
                runs = _rule_runs(thick, axis, width=RULE_WIDTH + 2)
                if runs is not None:
                    found = _sheared(runs, axis, -slope)
                    if rules is not None:
                        found |= rules
        rules = found if found is not None else rules
    if rules is None:
        return view, dark
    paper = float(np.median(view[::8, ::8]))
    if paper <= threshold:  # a dark page: nothing to call paper
        return view, dark
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    clean = view.copy()
    clean[rules > 0] = paper
    _, dark = cv2.threshold(clean, threshold, 1, cv2.THRESH_BINARY_INV)
    return clean, dark


def _slant(dark: Gray, axis: int) -> float | None:
    """The slope (pixels across per pixel along) of the rules of ``dark`` that run along its
    rows (``axis`` 1: ``y = y0 + slope * x``) or its columns (``axis`` 0: ``x = x0 + slope *
    y``); ``None`` when no slant up to ``RULE_SKEW`` degrees lines up enough ink for a rule.

    The mask is summed in strips ``RULE_STRIP`` pixels wide across the lines; a rule fills one
    or two of a strip's rows (it drifts by a pixel at most in a strip), a line of text, with
    the white between its letters, does not. Each slant tried counts the filled strip rows that
    fall on one line; the slant nearest square among those counting most wins (a Hough
    transform over a few thousand points, not the page's pixels).
    """
    import cv2
    import numpy as np

    extent = dark.shape[axis]  # length of a row (column)
    strips = extent // RULE_STRIP
    if strips < 4:
        return None
    if axis == 1:  # one reduction over the strips' rows, laid end to end
        rows = np.ascontiguousarray(dark[:, : strips * RULE_STRIP]).reshape(-1, RULE_STRIP)
        sums = cv2.reduce(rows, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).reshape(-1, strips)
    else:
        sums = np.stack(
            [
                cv2.reduce(band, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
                for band in np.split(dark[: strips * RULE_STRIP], strips)
            ],
            axis=1,
        )
    across, strip = np.nonzero(sums >= RULE_FILL * RULE_STRIP)
    if len(across) < RULE_SPAN * strips:
        return None
    along = (strip + 0.5) * RULE_STRIP - extent / 2  # strip centres, from the middle
    steps = round(RULE_SKEW / RULE_SKEW_STEP)
    slopes = np.tan(np.radians(np.arange(-steps, steps + 1) * RULE_SKEW_STEP))
    slopes[steps] = 0.0  # square exactly
    # The line each point falls on at each slant, as one histogram per slant (all in one).
    reach = int(slopes[-1] * extent) + 2
    span = dark.shape[1 - axis] + 2 * reach
    lines = np.rint(across - slopes[:, None] * along).astype(np.intp) + reach
    counts = np.bincount(
        (lines + span * np.arange(len(slopes))[:, None]).ravel(), minlength=span * len(slopes)
    )
    peaks = counts.reshape(len(slopes), span).max(axis=1)
    best = int(peaks.max())
    slope = float(min(slopes[peaks == best], key=abs))  # nearest square among the best
    return slope if best >= RULE_SPAN * strips else None


def _sheared(mask: Gray, axis: int, slope: float) -> Gray:
    """``mask`` sheared about its middle so that a line of ``slope`` (see :func:`_slant`)
    lies along one row (``axis`` 1) or column (``axis`` 0); ``-slope`` undoes it exactly.

    Each column (row) moves by a whole number of pixels, so the shear is a few dozen block
    copies (one per shift), not a resampling.
    """
    import numpy as np

    out = np.zeros_like(mask)
    # Lines along the rows: out[y, x] = mask[y + shift(x), x]; along the columns, transposed.
    src, dst = (mask, out) if axis == 1 else (mask.T, out.T)
    across, along = src.shape
    shift = np.rint(slope * (np.arange(along) - along / 2)).astype(int)
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(shift)) + 1, [along]))
    for a, b in itertools.pairwise(cuts):
        d = int(shift[a])
        if d >= 0:
            dst[: across - d, a:b] = src[d:, a:b]
        else:
            dst[-d:, a:b] = src[: across + d, a:b]
    return out


def _rule_runs(
    dark: Gray, axis: int, rules: Gray | None = None, *, width: int = RULE_WIDTH
) -> Gray | None:
    """The long dark runs of the rows (``axis`` 1) or columns (``axis`` 0) of ``dark`` that are
    a form's rules (see :func:`_unruled`; at most ``width`` rows or columns thick), added to
    ``rules`` (a mask the shape of ``dark``, allocated if ``None``) and returned; ``None`` if
    there are none (``rules`` is left as it was)."""
    import cv2
    import numpy as np

    extent = dark.shape[axis]
    run = 2 * CELL * WINDOW  # shortest dark run taken for part of a rule
    ink = cv2.reduce(dark, axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    (dense,) = np.nonzero(ink >= RULE_SPAN * extent)
    if not len(dense):
        return None
    lines = dark[dense] if axis == 1 else np.ascontiguousarray(dark[:, dense].T)
    runs = cv2.morphologyEx(lines, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    straight = np.zeros(len(ink), dtype=bool)
    straight[dense] = runs.sum(axis=1) >= RULE_SPAN * extent
    keep = _isolated(straight, width)[dense]
    if not keep.any():
        return None
    rules = np.zeros_like(dark) if rules is None else rules
    if axis == 1:
        rules[dense[keep]] |= runs[keep]
    else:
        rules[:, dense[keep]] |= runs[keep].T
    return rules


def _isolated(lines: Gray, width: int = RULE_WIDTH) -> Gray:
    """The runs of ``True`` in ``lines`` (rows or columns that are ink across the page) that
    are at most ``width`` long and ``RULE_GAP`` or more from the next run: rules, not
    the bars of a symbol that fills the image (or a dark border)."""
    import numpy as np

    edges = np.flatnonzero(np.diff(np.concatenate(([0], lines.astype(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    keep = np.zeros_like(lines, dtype=bool)
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        before = start - ends[i - 1] if i else RULE_GAP
        after = starts[i + 1] - end if i + 1 < len(starts) else RULE_GAP
        if end - start <= width and min(before, after) >= RULE_GAP:
            keep[start:end] = True
    return keep


def _components(mask: Gray) -> list[Gray]:
    """Cell coordinates ``(row, col)`` of each 8-connected component of ``mask``."""
    import cv2
    import numpy as np

    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    order = np.argsort(labels, axis=None, kind="stable")
    flat = labels.ravel()[order]
    bounds = np.searchsorted(flat, np.arange(1, count + 1))
    cols = labels.shape[1]
    return [
        np.stack(np.divmod(order[bounds[i] : bounds[i + 1]], cols), axis=1)
        for i in range(count - 1)
    ]


def _bar_regions(
    mask: Gray, jxx: Gray, jyy: Gray, jxy: Gray, energy: Gray, coherence: Gray
) -> list[Region]:
    import numpy as np

    def direction(cells: Gray) -> float:
        """Gradient direction (radians, y down) of the summed tensor: across the bars."""
        r, c = cells[:, 0], cells[:, 1]
        sxx, syy, sxy = float(jxx[r, c].sum()), float(jyy[r, c].sum()), float(jxy[r, c].sum())
        return 0.5 * math.atan2(2 * sxy, sxx - syy)

    found: list[Region] = []
    for cells in _merged(_components(mask), direction):
        if len(cells) < MIN_BAR_CELLS:
            continue
        r, c = cells[:, 0], cells[:, 1]
        theta = direction(cells)
        across = np.array([math.cos(theta), math.sin(theta)])
        along = np.array([-across[1], across[0]])
        pts = np.stack([c + 0.5, r + 0.5], axis=1) * CELL  # (x, y) pixel centres
        u, v = pts @ across, pts @ along
        length, height = float(np.ptp(u)) + CELL, float(np.ptp(v)) + CELL
        if length < MIN_BAR_CELLS * CELL:
            continue  # one edge (a ruled line, a box border) smeared by the window
        centre_u, centre_v = (u.max() + u.min()) / 2, (v.max() + v.min()) / 2
        cx, cy = centre_u * across + centre_v * along
        # The window smears a region by about half its width on each side; the symbol's quiet
        # zones lie beyond the coherent band, so the crop keeps generous margins.
        margin = CELL * WINDOW
        size = (length + 2 * margin, height + 2 * margin)
        # theta is measured with y pointing down, OpenCV's angles with y up: rotating by
        # +theta degrees brings the gradient horizontal, i.e. the bars vertical.
        angle = (math.degrees(theta) + 90) % 180 - 90
        if abs(angle) >= 90 - SNAP_DEGREES:  # a quarter turn: exact, nothing is resampled
            angle = 90.0
        elif abs(angle) <= SNAP_DEGREES:
            angle = 0.0
        # Density, not size: a symbol's edges are packed and parallel; a large false candidate
        # (a ruled form) must not come before a label stuck on it.
        score = float(energy[r, c].mean() * coherence[r, c].mean())
        found.append(Region((float(cx), float(cy)), size, angle, "bars", score))
    return found


def _striped(image: Gray, region: Region) -> bool:
    """Whether the region is striped like a symbol: enough dark/light alternations across the
    bars, through the middle of the region.

    A symbol has dozens (Code 128 with one character: 25 bars and spaces); the stripes that
    lines of text make at a paragraph's ragged edge number a handful.
    """
    import numpy as np

    crop, _ = cut(image, region, 1.0)
    h = crop.shape[0]
    profile = crop[h // 4 : h - h // 4].mean(axis=0)  # along the bars: noise and tilt average out
    detail = profile - np.convolve(profile, np.ones(15) / 15, mode="same")
    margin = 0.25 * float(detail.std())
    state, count = 0, 0
    for value in detail:
        side = 1 if value > margin else -1 if value < -margin else 0
        if side and side != state:
            count += state != 0
            state = side
    return count >= MIN_TRANSITIONS


def _merged(parts: list[Gray], direction: Callable[[Gray], float]) -> list[Gray]:
    """Join components that are pieces of one symbol: bars at the same angle (within
    ``MERGE_DEGREES``) whose cell boxes come within a window of each other (a barcode whose
    thinnest bars fade at the working size breaks into pieces along its length)."""
    import numpy as np

    # Specks of a cell or two cannot make a symbol's length; the largest pieces suffice.
    parts = sorted((p for p in parts if len(p) > 2), key=len, reverse=True)[:MAX_PIECES]
    angles = [direction(p) for p in parts]
    boxes = [(p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()) for p in parts]
    parent = list(range(len(parts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            turn = abs(math.degrees(angles[i] - angles[j])) % 180
            if min(turn, 180 - turn) > MERGE_DEGREES:
                continue
            (t1, b1, l1, r1), (t2, b2, l2, r2) = boxes[i], boxes[j]
            if t2 - b1 <= WINDOW and t1 - b2 <= WINDOW and l2 - r1 <= WINDOW and l1 - r2 <= WINDOW:
                parent[root(j)] = root(i)
    groups: dict[int, list[Gray]] = {}
    for i, p in enumerate(parts):
        groups.setdefault(root(i), []).append(p)
    return [np.concatenate(g) for g in groups.values()]


def _matrix_regions(mask: Gray, energy: Gray) -> list[Region]:

    found: list[Region] = []
    for cells in _components(mask):
        r, c = cells[:, 0], cells[:, 1]
        top, bottom, left, right = r.min(), r.max() + 1, c.min(), c.max() + 1
        if len(cells) < 6 or min(bottom - top, right - left) < 2:
            continue  # a word or two of bold text
        h, w = (bottom - top) * CELL, (right - left) * CELL
        if max(h, w) > 5 * min(h, w):
            continue  # a line of bold text (rectangular Data Matrix goes to 1:4)
        margin = CELL * WINDOW
        centre = ((left + right) / 2 * CELL, (top + bottom) / 2 * CELL)
        score = float(energy[r, c].mean()) * 0.5
        found.append(Region(centre, (w + 2 * margin, h + 2 * margin), 0.0, "matrix", score))
    return found


def cut(image: Gray, region: Region, factor: float, *, scale: float = 1.0) -> tuple[Gray, Gray]:
    """The region cut out of ``image`` and turned upright, in one affine warp.

    Args:
        image: the page to cut from (full resolution or the analysed image).
        region: found on an image ``factor`` times the size of ``image`` (e.g. 0.5 when the
            regions were found on a half-size copy).
        scale: extra scaling of the crop (e.g. 2 to enlarge a small symbol).

    Returns:
        The crop and the 2×3 affine matrix mapping crop pixels back to ``image`` pixels.
    """
    import cv2
    import numpy as np

    k = scale / factor  # crop pixels per analysed-image pixel
    (cx, cy), (sw, sh) = region.center, region.size
    out_w, out_h = max(8, round(sw * k)), max(8, round(sh * k))
    if region.angle == 0 and scale == 1:
        # Upright at the image's own scale: a whole-pixel shift, so the crop is an exact copy.
        to_crop = np.array(
            [[1.0, 0.0, round(out_w / 2 - cx / factor)], [0.0, 1.0, round(out_h / 2 - cy / factor)]]
        )
    else:
        # Rotate by region.angle about the region centre, scale, then centre in the crop.
        to_crop = cv2.getRotationMatrix2D((cx / factor, cy / factor), region.angle, scale)
        to_crop[0, 2] += out_w / 2 - cx / factor
        to_crop[1, 2] += out_h / 2 - cy / factor
    flags = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_LINEAR
    out = cv2.warpAffine(image, to_crop, (out_w, out_h), flags=flags, borderValue=255)
    return np.ascontiguousarray(out), cv2.invertAffineTransform(to_crop)
