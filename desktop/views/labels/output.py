"""Getting labels out of the program: preview images, printing, and the scan station's sounds.

PySide6-Essentials 6.11 ships neither QtPdf nor QtMultimedia (checked: both imports fail), so:

- the preview and printing rasterise the PDF with poppler's ``pdftoppm`` (installed by
  ``scripts/run.sh``; the label tests need it anyway). Without it the preview says so and the
  label area offers "Guardar PDF" only;
- printing goes through ``QPrinter``: each page, rasterised at the printer's resolution, is
  drawn at its physical size (the PDF already carries the calibration). With no printer
  installed the "Imprimir" button is disabled with an explanation;
- sounds use ``QSoundEffect`` when QtMultimedia is installed (PySide6-Addons), else
  ``QApplication.beep()`` (once for success, twice for an error).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSizeF, QTimer, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication

from archive.services.label_data import LabelRecord
from archive.services.labels import CalibrationView
from reports.labels import LabelTemplate, Medium, SheetLayout
from reports.labels.jobs import render_records

PREVIEW_DPI = 90


def pdftoppm() -> str | None:
    return shutil.which("pdftoppm")


def rasterise(pdf: bytes, dpi: int, first: int = 1, last: int | None = None) -> list[bytes]:
    """PNG bytes of pages ``first``..``last`` (no Qt: safe on a worker thread)."""
    exe = pdftoppm()
    if exe is None:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.pdf")
        src.write_bytes(pdf)
        cmd = [exe, "-r", str(dpi), "-png", "-f", str(first)]
        if last is not None:
            cmd += ["-l", str(last)]
        subprocess.run(
            [*cmd, str(src), str(Path(tmp, "p"))], check=True, capture_output=True, timeout=300
        )
        pages = sorted(Path(tmp).glob("p*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [p.read_bytes() for p in pages]


def available_printers() -> list[str]:
    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


def prepare_printer(printer: QPrinter, medium: Medium) -> None:
    """Paper of the medium's page (a sheet, or one roll label), drawn from the paper's corner."""
    if isinstance(medium, SheetLayout):
        width, height = medium.page_width_mm, medium.page_height_mm
    else:
        width, height = medium.width_mm, medium.length_mm or medium.width_mm
    portrait = QSizeF(min(width, height), max(width, height))  # Qt sizes are portrait; turn it
    printer.setPageSize(QPageSize(portrait, QPageSize.Unit.Millimeter, medium.name))
    printer.setPageOrientation(page_orientation(width, height))
    printer.setFullPage(True)


def print_pages(printer: QPrinter, pages: list[bytes], dpi: int) -> None:
    """Draw rasterised pages (PNG at ``dpi``) at their physical size, one per printer page
    (call :func:`prepare_printer` first: full-page mode, so (0, 0) is the paper's corner)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("printer")
    try:
        scale = printer.resolution() / dpi
        for i, png in enumerate(pages):
            if i:
                printer.newPage()
            image = QImage.fromData(png)
            painter.drawImage(QRectF(0, 0, image.width() * scale, image.height() * scale), image)
    finally:
        painter.end()


def page_orientation(width_mm: float, height_mm: float) -> QPageLayout.Orientation:
    return (
        QPageLayout.Orientation.Landscape
        if width_mm > height_mm
        else QPageLayout.Orientation.Portrait
    )


class Sounds:
    """Success and error sounds of the scan station (see the module docstring)."""

    def __init__(self) -> None:
        self.backend = "beep"
        self._effects: dict[str, Any] = {}
        try:
            multimedia = importlib.import_module("PySide6.QtMultimedia")
        except ImportError:
            return
        for name in ("ok", "error"):
            effect = multimedia.QSoundEffect()
            path = resources.files("resources") / "sounds" / f"{name}.wav"
            effect.setSource(QUrl.fromLocalFile(str(path)))
            self._effects[name] = effect
        self.backend = "qsoundeffect"

    def play(self, name: str) -> None:
        effect = self._effects.get(name)
        if effect is not None:
            effect.play()
            return
        QApplication.beep()
        if name == "error":
            QTimer.singleShot(180, QApplication.beep)


@dataclass(frozen=True)
class Job:
    """Everything a render needs, fixed when it was asked for."""

    kind: str
    template_name: str
    template: LabelTemplate
    medium_id: str
    medium: Medium
    calibration: CalibrationView | None
    start: int
    records: tuple[LabelRecord, ...]


@dataclass(frozen=True)
class Rendered:
    job: Job
    pdf: bytes
    labels: int
    pages: int
    truncated: int
    preview: bytes | None


def render_job(job: Job, cancelled: Any) -> Rendered:
    """Render the job to bytes and rasterise its first page (I/O pool: no widgets here)."""
    import io

    buffer = io.BytesIO()
    cal = job.calibration.to_dict() if job.calibration else None
    result = render_records(
        job.records, job.template, job.medium, cal, buffer, job.start, cancelled=cancelled
    )
    pdf = buffer.getvalue()
    pages = rasterise(pdf, PREVIEW_DPI, 1, 1) if pdftoppm() else []
    return Rendered(
        job, pdf, result.labels, result.pages, len(result.truncated), pages[0] if pages else None
    )
