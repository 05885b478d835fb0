"""Loading scanned pages from image files as grayscale arrays (one array per page).

PNG, JPEG, BMP, single- and multi-page TIFF are read with Pillow (EXIF orientation applied, so a
phone photo comes out the right way up); PDFs go through :mod:`scanners.pdf`. Pillow and NumPy
are imported lazily, like every native engine of this package.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.domain.errors import ValidationError
from archive.i18n import N_

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Gray = npt.NDArray[np.uint8]
else:
    Gray = Any

#: File suffixes read as images (lower case).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
PDF_SUFFIXES = frozenset({".pdf"})
#: Pages larger than this (pixels) are refused: a decompression bomb, not a scan.
MAX_PIXELS = 12_000 * 12_000


def is_supported(path: Path) -> bool:
    """Whether ``path`` has a suffix we decode (image or PDF)."""
    suffix = path.suffix.lower()
    return suffix in IMAGE_SUFFIXES or suffix in PDF_SUFFIXES


def load_pages(path: Path, *, dpi: int = 300) -> Iterator[Gray]:
    """Every page of an image or PDF file as a grayscale ``uint8`` array (0 = black).

    Raises:
        ValidationError: ``decode.unsupported`` for an unknown suffix, ``decode.unreadable``
            when the file cannot be read as what its suffix says.
    """
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from scanners.pdf import render_pdf

        yield from render_pdf(path, dpi=dpi)
        return
    if suffix not in IMAGE_SUFFIXES:
        raise ValidationError(
            "decode.unsupported",
            N_("El archivo {file} no es una imagen ni un PDF (formatos: PNG, JPEG, TIFF, PDF)."),
            file=path.name,
        )
    yield from _image_pages(path)


def _image_pages(path: Path) -> Iterator[Gray]:
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as img:
            for frame in ImageSequence.Iterator(img):
                page = ImageOps.exif_transpose(frame)
                if page.mode in ("RGBA", "LA", "P"):
                    # Transparent areas are paper, not ink.
                    rgba = page.convert("RGBA")
                    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                    page = Image.alpha_composite(white, rgba)
                yield np.asarray(page.convert("L"), dtype=np.uint8).copy()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            "decode.unreadable",
            N_("No se pudo leer la imagen {file}: {reason}"),
            file=path.name,
            reason=str(exc) or type(exc).__name__,
        ) from exc
