"""Rótulos: scan a box to select its carpetas, live preview, save the PDF (decoded back),
the batch remembered and reprinted, a typed signatura, templates and calibrations as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from archive.services.container import Services
from archive.services.runtime import Actor
from desktop.session import Session
from desktop.views.labels import LabelsView
from desktop.views.labels import output as label_output
from reports.labels import NO_CALIBRATION, builtin_media, default_template
from tests.gui.test_inventory_common import (
    IGNORE_SIZE_HINTS,
    idle,
    leaf,
    open_view,
    session,
    shelf,
    type_scan,
)
from tests.samples.labels.raster import crop_pt, decode, rasterise

pytestmark = IGNORE_SIZE_HINTS
__all__ = ["leaf", "session", "shelf"]  # fixtures


@pytest.fixture
def box(services: Services, admin: Actor, leaf):
    place = leaf("D01-M01-A-E01-B1")
    [b] = services.units.register(admin, type_code="X200", number_start=7, location_id=place.id)
    folders = services.units.register(admin, type_code="CAR4", count=3, parent_barcode=b.barcode)
    return b, folders, place


def view_for(qtbot: QtBot, session: Session) -> LabelsView:
    view = open_view(qtbot, LabelsView(session))
    idle(qtbot, session)
    assert isinstance(view, LabelsView)
    return view


def test_scan_preview_save_and_reprint(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, box, tmp_path: Path
) -> None:
    b, folders, _place = box
    view = view_for(qtbot, session)
    view.kind.setCurrentIndex(view.kind.findData("carpeta"))
    view.start.setValue(4)
    with qtbot.waitSignal(view.rendered, timeout=10_000) as done:
        type_scan(qtbot, view.scan_field, b.barcode)
    assert done.args == [3] and view.entries == [b.barcode]
    assert view.summary.text().startswith("3 rótulos")
    if label_output.pdftoppm():
        assert not view.preview.pixmap().isNull()
    assert view.save_button.isEnabled()

    target = tmp_path / "carpetas.pdf"
    view.ask_save_path = lambda _suggested: str(target)  # type: ignore[method-assign]
    with qtbot.waitSignal(view.batch_saved, timeout=10_000) as saved:
        view.save_button.click()
    medium = builtin_media()["a4-3x8"]
    (page,) = rasterise(target.read_bytes())
    got = [
        decode(crop_pt(page, medium.slot_box(3 + i, NO_CALIBRATION), inset=1)).pyzbar
        for i in range(3)
    ]
    assert got == [(f.barcode,) for f in folders]
    (batch,) = services.labels.batches(admin)
    assert batch.id == saved.args[0] and batch.start_position == 4 and batch.items == 3
    assert view.feedback.kind == "ok"

    idle(qtbot, session)
    assert view.batch_model.rowCount() == 1
    view.batch_table.selectRow(0)
    again = tmp_path / "again.pdf"
    view.ask_save_path = lambda _suggested: str(again)  # type: ignore[method-assign]
    with qtbot.waitSignal(view.batch_saved, timeout=10_000):
        view.reprint_button.click()
    assert again.read_bytes() == target.read_bytes()
    assert len(services.labels.batches(admin)) == 2


def test_signatura_errors_calibration_and_stored_template(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, box
) -> None:
    _b, _folders, place = box
    body = default_template("ubicacion").to_json()
    services.labels.save_template(admin, "ubicacion", "Estante grande", body, make_default=True)
    services.labels.save_calibration(admin, "Láser piso 2", offset_x_mm=0.3)
    view = view_for(qtbot, session)
    view.kind.setCurrentIndex(view.kind.findData("ubicacion"))
    assert view.template.currentText() == "Estante grande"
    assert view.calibration.findText("Láser piso 2") > 0
    view.calibration.setCurrentIndex(view.calibration.findText("Láser piso 2"))
    with qtbot.waitSignal(view.rendered, timeout=10_000) as done:
        view.signatura.setText(place.path)
        view.signatura.returnPressed.emit()
    assert done.args == [1]
    assert view.job().calibration is not None and view.job().calibration.name == "Láser piso 2"

    # a misread label: the error shows, nothing to save
    view.clear()
    type_scan(qtbot, view.scan_field, "CA01000000022")
    qtbot.waitUntil(lambda: view.feedback.kind == "error", timeout=5000)
    assert "dígito de control" in view.feedback.text() and not view.save_button.isEnabled()
    # custom grid
    view.medium.setCurrentIndex(view.medium.findData("grid"))
    assert view.grid.isVisibleTo(view)
    assert view.current_medium()[1].per_page == 24
    # without printers the print button explains itself
    if not view.printers:
        assert not view.print_button.isEnabled() and "impresoras" in view.print_button.toolTip()


def test_printing_path_through_qprinter_to_a_pdf_file(qtbot: QtBot, tmp_path: Path) -> None:
    """What "Imprimir" does after the dialog, on a PDF-file printer (no printer needed)."""
    from PySide6.QtPrintSupport import QPrinter

    from reports.labels import CajaLabel, render_labels_bytes

    medium = builtin_media()["a4-2x7"]
    pdf = render_labels_bytes(
        [CajaLabel(barcode="CA0100000001I", caja_numero=1)], default_template("caja"), medium
    )
    pages = label_output.rasterise(pdf, 200)
    assert len(pages) == 1
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    label_output.prepare_printer(printer, medium)
    label_output.print_pages(printer, pages, 200)
    (page,) = rasterise((tmp_path / "printed.pdf").read_bytes())
    assert abs(page.shape[0] - round(297 / 25.4 * 300)) <= 2  # A4 portrait, at 300 dpi
    got = decode(crop_pt(page, medium.slot_box(0, NO_CALIBRATION), inset=1))
    assert got.pyzbar == ("CA0100000001I",)

    roll = builtin_media()["rollo-100x50"]
    pdf = render_labels_bytes([CajaLabel(barcode="CA0100000002Q")], default_template("caja"), roll)
    printer.setOutputFileName(str(tmp_path / "roll.pdf"))
    label_output.prepare_printer(printer, roll)
    label_output.print_pages(printer, label_output.rasterise(pdf, 300), 300)
    (page,) = rasterise((tmp_path / "roll.pdf").read_bytes())
    assert (
        abs(page.shape[1] - round(100 / 25.4 * 300)) <= 2
        and abs(page.shape[0] - round(50 / 25.4 * 300)) <= 2
    )
    assert decode(page).pyzbar == ("CA0100000002Q",)


def test_template_and_calibration_dialogs_store_data(
    qtbot: QtBot, session: Session, services: Services, admin: Actor
) -> None:
    view = view_for(qtbot, session)
    view.edit_template()
    dialog = view.template_dialog
    dialog.body.setPlainText("{roto")
    dialog.check()
    assert dialog.error.isVisibleTo(dialog) and dialog.result() == 0
    dialog.body.setPlainText(
        default_template("caja").to_json().replace('"border": false', '"border": true')
    )
    dialog.name.setText("Caja con borde")
    dialog.default.setChecked(True)
    dialog.check()
    qtbot.waitUntil(lambda: view.template.currentText() == "Caja con borde", timeout=5000)
    (row,) = services.labels.templates(admin, "caja")
    assert row.is_default and '"border": true' in row.body

    view.edit_calibration()
    cal = view.calibration_dialog
    cal.name.setText("Zebra bodega")
    cal.spins["offset_y_mm"].setValue(-0.8)
    cal.dpi.setValue(203)
    cal.accept()
    qtbot.waitUntil(
        lambda: (
            view.calibration.currentText() == "Zebra bodega"
            and view.calibration.currentData() is not None
        ),
        timeout=5000,
    )
    stored = services.labels.calibration(admin, "Zebra bodega")
    assert (stored.offset_y_mm, stored.dpi) == (-0.8, 203)
