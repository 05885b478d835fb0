"""Rasterising PDF pages for barcode decoding, with poppler's ``pdftoppm`` in a subprocess.

A subprocess keeps a malformed PDF away from our own process (poppler crashes and hangs stay
in the child, bounded by a timeout) and needs no Qt (``scanners/`` is Qt-free, so QtPdf is not
an option here). ``pdftoppm`` comes with poppler-utils (Debian/Ubuntu) or the poppler build for
Windows shipped beside the program (see docs/CAPTURE.md).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
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

#: Seconds one PDF may take to rasterise before it is given up.
RENDER_TIMEOUT_S = 120.0


def pdftoppm_path() -> str | None:
    """The ``pdftoppm`` executable, or ``None`` when poppler is not installed."""
    return shutil.which("pdftoppm")


def render_pdf(path: Path, *, dpi: int = 300, timeout: float = RENDER_TIMEOUT_S) -> Iterator[Gray]:
    """Every page of ``path`` as a grayscale ``uint8`` array at ``dpi``.

    Raises:
        ValidationError: ``decode.no_pdftoppm`` when poppler is missing, ``decode.unreadable``
            when ``pdftoppm`` fails or times out.
    """
    import numpy as np
    from PIL import Image

    exe = pdftoppm_path()
    if exe is None:
        raise ValidationError(
            "decode.no_pdftoppm",
            N_("Para leer PDF se necesita pdftoppm (poppler-utils); no está instalado."),
        )
    with tempfile.TemporaryDirectory(prefix="legajo-pdf-") as tmp:
        try:
            subprocess.run(
                [exe, "-r", str(dpi), "-gray", str(path), str(Path(tmp, "p"))],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise _unreadable(path, f"timeout {timeout:.0f} s") from exc
        except subprocess.CalledProcessError as exc:
            reason = exc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _unreadable(path, reason[-1] if reason else f"exit {exc.returncode}") from exc
        pages = sorted(Path(tmp).glob("p*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
        if not pages:
            raise _unreadable(path, "0 pages")
        for page in pages:
            with Image.open(page) as img:
                yield np.asarray(img.convert("L"), dtype=np.uint8).copy()


def _unreadable(path: Path, reason: str) -> ValidationError:
    return ValidationError(
        "decode.unreadable",
        N_("No se pudo leer el PDF {file}: {reason}"),
        file=path.name,
        reason=reason,
    )
