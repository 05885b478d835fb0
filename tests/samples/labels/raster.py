"""Rasterise label PDFs with poppler's ``pdftoppm`` and read the barcodes back.

Used by the label tests: every label is cropped from the page image by its known rectangle
and decoded on its own with pyzbar and zxing-cpp, so a value is matched to its label.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DPI = 300
PT = DPI / 72.0  # pixels per point


def pdftoppm() -> str:
    """Path of ``pdftoppm``; fails the test (not skips) when poppler-utils is missing."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.fail(
            "pdftoppm not found: the label tests rasterise PDFs with poppler-utils "
            "(the setup script installs it; on Debian/Ubuntu: apt-get install poppler-utils)."
        )
    return exe


def rasterise(pdf: bytes, dpi: int = DPI) -> list[np.ndarray]:
    """Every page as a grayscale uint8 array (0 = black), top row first."""
    exe = pdftoppm()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.pdf")
        src.write_bytes(pdf)
        subprocess.run(
            [exe, "-r", str(dpi), "-gray", str(src), str(Path(tmp, "p"))],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pages = sorted(Path(tmp).glob("p*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        return [np.asarray(Image.open(p).convert("L")) for p in pages]


def crop_pt(page: np.ndarray, box: tuple[float, float, float, float], inset: float = 0.0
            ) -> np.ndarray:  # fmt: skip
    """Pixels of a box given in PDF points (origin bottom-left) on a page image."""
    x, y, w, h = box
    height = page.shape[0]
    left = max(round((x + inset) * PT), 0)
    right = min(round((x + w - inset) * PT), page.shape[1])
    top = max(round(height - (y + h - inset) * PT), 0)
    bottom = min(round(height - (y + inset) * PT), height)
    return page[top:bottom, left:right]


@dataclass(frozen=True)
class Decoded:
    pyzbar: tuple[str, ...]
    zxing: tuple[str, ...]


def decode(image: np.ndarray) -> Decoded:
    """Values found by both decoders in ``image`` (pad it with white so quiet zones count)."""
    import zxingcpp
    from pyzbar import pyzbar

    padded = np.pad(image, 40, constant_values=255)
    pil = Image.fromarray(padded)
    zbar = tuple(sorted(_text(d.data) for d in pyzbar.decode(pil)))
    zx = tuple(sorted(r.text for r in zxingcpp.read_barcodes(padded) if r.valid))
    return Decoded(zbar, zx)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def dark_boxes(image: np.ndarray, threshold: int = 128) -> Iterator[tuple[int, int, int, int]]:
    """Bounding box (left, top, right, bottom) of the dark pixels, if any."""
    ys, xs = np.nonzero(image < threshold)
    if len(xs):
        yield int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
