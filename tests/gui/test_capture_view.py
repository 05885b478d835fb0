"""Captura: documents attached by barcode, collector preview then apply, folder watch, and the
camera panel with a fake frame source (this machine has no camera) and the "no camera" message."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import cv2
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from archive.db.models import DocumentAttachment, Transfer
from archive.domain.barcodes import BarcodeKind, format_barcode
from archive.services.changes import Changes
from archive.services.container import Services
from archive.services.runtime import Actor
from desktop.session import Session
from desktop.views.capture import CaptureView
from scanners.camera import ImageFrameSource, no_camera
from tests.gui.test_inventory_common import IGNORE_SIZE_HINTS, idle, open_view, session
from tests.samples.decode.make_corpus import label_pdf_image
from tests.samples.decode.stream import mjpeg_stream

pytestmark = IGNORE_SIZE_HINTS
__all__ = ["session"]  # fixture

SAMPLES = Path(__file__).parents[1] / "samples" / "decode" / "files"


def _no_camera(index: int) -> ImageFrameSource:
    raise no_camera(index)


@pytest.fixture
def view(qtbot: QtBot, session: Session) -> CaptureView:
    v = open_view(qtbot, CaptureView(session, camera_factory=_no_camera))
    assert isinstance(v, CaptureView)
    idle(qtbot, session)
    return v


def test_no_camera_is_a_clear_message(qtbot: QtBot, view: CaptureView) -> None:
    view.tabs.setCurrentWidget(view.camera)
    view.camera.start_button.click()  # opened off the GUI thread
    qtbot.waitUntil(
        lambda: "No se encontró ninguna cámara" in view.camera.status.text(), timeout=5000
    )
    assert view.camera.start_button.isEnabled() and not view.camera.stop_button.isEnabled()


def test_a_network_camera_by_its_address(qtbot: QtBot, session: Session) -> None:
    """The real OpenCV source (the panel's default factory) on an MJPEG stream, as a phone's
    webcam app serves it; then an address where nothing answers."""
    value = format_barcode(BarcodeKind.CARPETA, "0A1", 43)
    label = cv2.resize(
        label_pdf_image("CARPETA", value), None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA
    )
    frame = cv2.cvtColor(
        cv2.copyMakeBorder(label, 150, 150, 300, 300, cv2.BORDER_CONSTANT, value=255),
        cv2.COLOR_GRAY2BGR,
    )
    v = open_view(qtbot, CaptureView(session))
    assert isinstance(v, CaptureView)
    v.tabs.setCurrentWidget(v.camera)
    with mjpeg_stream(frame) as url:
        v.camera.address.setText(url)
        with qtbot.waitSignal(v.camera.scanned, timeout=15000) as got:
            v.camera.start_button.click()
        assert got.args[0].value == value and v.camera.frames >= 1
        v.camera.stop()
    idle(qtbot, session)
    v.camera.address.setText("http://127.0.0.1:9/video")
    v.camera.start_button.click()
    qtbot.waitUntil(lambda: "127.0.0.1:9" in v.camera.status.text(), timeout=15000)
    assert "No se pudo abrir la cámara" in v.camera.status.text()
    assert v.camera.start_button.isEnabled() and not v.camera.stop_button.isEnabled()


def test_fake_camera_reads_a_label_and_dispatches_a_scan(qtbot: QtBot, session: Session) -> None:
    value = format_barcode(BarcodeKind.CARPETA, "0A1", 42)
    label = cv2.resize(
        label_pdf_image("CARPETA", value), None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA
    )
    frame = cv2.copyMakeBorder(label, 150, 150, 300, 300, cv2.BORDER_CONSTANT, value=255)
    frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    v = open_view(
        qtbot, CaptureView(session, camera_factory=lambda _i: ImageFrameSource([frame], loop=True))
    )
    assert isinstance(v, CaptureView)
    v.tabs.setCurrentWidget(v.camera)
    with qtbot.waitSignal(v.camera.scanned, timeout=10000) as got:
        v.camera.start_button.click()
    scan = got.args[0]
    assert (scan.value, scan.source, scan.symbology) == (value, "camera", "code128")
    qtbot.waitUntil(lambda: v.reads != [], timeout=5000)
    assert v.reads[0].value == value  # Captura itself was the active handler
    v.camera.stop()
    idle(qtbot, session)


def test_attach_documents_by_barcode(qtbot: QtBot, view: CaptureView, session: Session, services: Services,
                                     admin: Actor, tmp_path: Path) -> None:  # fmt: skip
    loc = services.locations.create(admin, level_code="deposito", code="1")
    [box] = services.units.register(admin, type_code="X200", location_id=loc.id)
    from tests.samples.decode.make_corpus import code_image

    scan_file = tmp_path / "portada.png"
    cv2.imwrite(str(scan_file), code_image(box.barcode))
    blank = tmp_path / "blanco.png"
    cv2.imwrite(str(blank), cv2.cvtColor(code_image(box.barcode)[:5], cv2.COLOR_GRAY2BGR) * 0 + 255)
    view.attach_files([scan_file, blank])
    qtbot.waitUntil(lambda: view.docs_table.rowCount() == 2, timeout=30000)
    idle(qtbot, session)
    texts = [view.docs_table.item(r, 2).text() for r in range(2)]
    assert texts[0] == f"Anexado a {box.barcode}" and "No se encontró" in texts[1]
    with services.rt.db.sessions() as s:
        [row] = s.scalars(select(DocumentAttachment)).all()
        assert (row.unit_id, row.decoded_value, row.path) == (
            box.id,
            box.barcode,
            str(scan_file.resolve()),
        )


def test_collector_preview_then_apply_and_folder_watch(qtbot: QtBot, view: CaptureView, session: Session,
                                                       services: Services, admin: Actor, tmp_path: Path) -> None:  # fmt: skip
    a = services.locations.create(admin, level_code="deposito", code="1")
    b = services.locations.create(admin, level_code="deposito", code="2")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=a.id)
    f = tmp_path / "lote.txt"
    f.write_text(f"{boxes[0].barcode};26/11/2026;08:00:00;MOV;{b.barcode}\nbasura\n", "utf-8")
    view.tabs.setCurrentIndex(1)
    assert view.profile.count() >= 2
    view.profile.setCurrentText("csv-basico")
    view.collector_file.setText(str(f))
    view.preview_button.click()
    qtbot.waitUntil(view.apply_button.isEnabled, timeout=5000)
    assert (
        "por aplicar 1" in view.collector_status.text()
        and "con error 1" in view.collector_status.text()
    )
    assert view.collector_table.rowCount() == 2
    assert services.units.get(admin, boxes[0].id).location_path == a.path
    view.apply_button.click()
    qtbot.waitUntil(lambda: "aplicadas 1" in view.collector_status.text(), timeout=5000)
    assert services.units.get(admin, boxes[0].id).location_path == b.path
    inbox = tmp_path / "entrada"
    inbox.mkdir()
    view.watch_dir.setText(str(inbox))
    view.watch_toggle.setChecked(True)
    (inbox / "nuevo.txt").write_text(
        f"{boxes[1].barcode};26/11/2026;09:00:00;MOV;{b.barcode}\n", "utf-8"
    )
    qtbot.waitUntil(lambda: (inbox / "procesados" / "nuevo.txt").exists(), timeout=10000)
    idle(qtbot, session)
    assert services.units.get(admin, boxes[1].id).location_path == b.path
    view.watch_toggle.setChecked(False)
    shutil.rmtree(inbox)


def test_collector_profile_form_saves_a_new_format_used_at_once(qtbot: QtBot, view: CaptureView,
                                                                 services: Services, admin: Actor,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    view.tabs.setCurrentIndex(1)
    assert view.profile.currentText() == "csv-basico"  # chosen at first, not the first by name
    dialog = view.edit_profile()
    assert dialog.fields.text() == "barcode, fecha, hora, operacion, ubicacion"
    dialog.save_button.click()  # a built-in name is refused by the service, shown inline
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert "de fábrica" in dialog.error.text() and dialog.isVisible()
    dialog.name.setText("coma")
    dialog.delimiter.setCurrentText(",")
    dialog.fields.setText("barcode, ubicacion")
    dialog.operations.setText("MOV=move, X")
    dialog.save_button.click()  # read by the form itself: nothing sent
    assert "código=acción" in dialog.error.text() and "«X»" in dialog.error.text()
    dialog.operations.setText("MOV=move")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: view.profile.currentText() == "coma", timeout=5000)
    assert not dialog.isVisible()
    saved = services.capture.profiles(admin)["coma"]
    assert (saved.delimiter, saved.fields, saved.operations) == (
        ",",
        ("barcode", "ubicacion"),
        {"MOV": "move"},
    )
    a = services.locations.create(admin, level_code="deposito", code="1")
    b = services.locations.create(admin, level_code="deposito", code="2")
    [box] = services.units.register(admin, type_code="X200", count=1, location_id=a.id)
    f = tmp_path / "coma.txt"
    f.write_text(f"{box.barcode},{b.barcode}\n", "utf-8")
    view.collector_file.setText(str(f))
    view.preview_button.click()
    qtbot.waitUntil(view.apply_button.isEnabled, timeout=5000)
    assert "por aplicar 1" in view.collector_status.text()


def test_collector_reception_against_the_chosen_transfer(qtbot: QtBot, view: CaptureView, session: Session,
                                                         services: Services, admin: Actor, tmp_path: Path) -> None:  # fmt: skip
    from archive.services.trd import TrdApproval
    from tests.unit.test_transfers import TRD, make_exp

    services.org.add_dependencia(admin, code="110", name="Gestión Documental")
    services.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    _eid, box, carpetas = make_exp(services, admin, "G-1", carpetas=1)
    t = services.transfers.create(admin, "primaria", "110", ["G-1"])
    services.transfers.send(admin, t.id, force=True)
    session.publish(Changes(records=True))  # as the transfers area does
    qtbot.waitUntil(lambda: view.transfer.count() == 2, timeout=5000)
    assert "110" in view.transfer.itemText(1) and "Enviada" in view.transfer.itemText(1)
    f = tmp_path / "recepcion.txt"
    f.write_text(f"{box.barcode};26/11/2026;08:00:00;REC;\n", "utf-8")
    view.tabs.setCurrentIndex(1)
    view.profile.setCurrentText("csv-basico")
    view.collector_file.setText(str(f))
    view.preview_button.click()  # no transfer chosen: refused, nothing applied
    qtbot.waitUntil(
        lambda: "indique la transferencia" in view.collector_status.text(), timeout=5000
    )
    assert not view.apply_button.isEnabled()
    view.transfer.setCurrentIndex(1)
    view.preview_button.click()
    qtbot.waitUntil(view.apply_button.isEnabled, timeout=5000)
    assert f"Cotejo con diferencias: faltan {carpetas[0].barcode}" in view.collector_status.text()
    view.apply_button.click()
    qtbot.waitUntil(lambda: "aplicadas 1" in view.collector_status.text(), timeout=5000)
    with services.rt.db.sessions() as s:
        assert s.get(Transfer, t.id).cotejo["missing"] == [carpetas[0].barcode]
