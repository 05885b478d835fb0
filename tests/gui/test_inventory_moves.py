"""Mover: scan units then a destination through the ScanField (and the wedge filter), the
over-capacity confirmation, wrong kinds, carpetas into a box, and reverting a batch."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from archive.domain.barcodes import BarcodeKind, format_barcode
from archive.services.container import Services
from archive.services.locations import LocationView
from archive.services.runtime import Actor
from desktop.messages import Kind, RecordingSink
from desktop.scan_dispatch import ScanDispatcher
from desktop.session import Session
from desktop.views.inventory.moves import MovesView
from desktop.wedge_filter import WedgeFilter
from tests.gui.test_inventory_common import (
    IGNORE_SIZE_HINTS,
    idle,
    leaf,
    open_view,
    session,
    shelf,
    type_scan,
)

pytestmark = IGNORE_SIZE_HINTS
__all__ = ["leaf", "session", "shelf"]  # fixtures


def scan(qtbot: QtBot, view: MovesView, value: str) -> None:
    with qtbot.waitSignal(view.scan_done, timeout=5000):
        type_scan(qtbot, view.scan_field, value)


@pytest.fixture
def view(qtbot: QtBot, session: Session, shelf: LocationView) -> MovesView:
    v = open_view(qtbot, MovesView(session))
    assert isinstance(v, MovesView)
    return v


def test_scanning_a_box_then_a_location_moves_it(
    qtbot: QtBot, qtmodeltester: Any, view: MovesView, services: Services, admin: Actor, leaf
) -> None:
    here, there = leaf("D01-M01-A-E01-B1"), leaf("D01-M02-B-E02-B2")
    [box] = services.units.register(admin, type_code="X200", location_id=here.id)
    scan(qtbot, view, box.barcode)
    assert [u.barcode for u in view.pending] == [box.barcode]
    assert view.pending_model.row(0)["where"] == here.path
    qtmodeltester.check(view.pending_model)
    with qtbot.waitSignal(view.moved, timeout=5000):
        scan(qtbot, view, there.barcode)
    assert view.feedback.kind == "ok"
    assert view.feedback.text() == f"1 unidad movida a {there.path}"
    assert view.pending == [] and view.pending_model.rowCount() == 0
    assert services.units.get(admin, box.id).location_path == there.path
    assert services.units.history(admin, box.id)[-1].method == "scan"


def test_over_capacity_asks_and_moves_only_when_confirmed(
    qtbot: QtBot, view: MovesView, services: Services, admin: Actor, sink: RecordingSink, leaf
) -> None:
    full, other = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    services.units.register(admin, type_code="X200", count=4, location_id=full.id)
    [extra] = services.units.register(admin, type_code="X200", location_id=other.id)
    scan(qtbot, view, extra.barcode)
    scan(qtbot, view, full.barcode)  # the sink answers No by default
    question = sink.of_kind(Kind.QUESTION)[-1]
    assert "¿Mover de todas formas?" in question.text and "capacidad 4" in question.text
    assert view.feedback.kind == "warn" and [u.id for u in view.pending] == [extra.id]
    assert services.units.get(admin, extra.id).location_path == other.path
    sink._answers.append(True)
    with qtbot.waitSignal(view.moved, timeout=5000) as moved:
        scan(qtbot, view, full.barcode)
    assert moved.args[0].over_capacity
    assert "con sobrecupo" in view.feedback.text()
    assert services.units.get(admin, extra.id).location_path == full.path


def test_wrong_kinds_and_misreads_are_shown_in_red(
    qtbot: QtBot, view: MovesView, services: Services, admin: Actor, leaf
) -> None:
    here = leaf("D01-M01-A-E01-B1")
    scan(qtbot, view, here.barcode)  # a destination with nothing pending
    assert view.feedback.kind == "error" and "Escanee primero" in view.feedback.text()
    scan(qtbot, view, format_barcode(BarcodeKind.EXPEDIENTE, "A01", 7))
    assert view.feedback.kind == "error" and "expediente" in view.feedback.text()
    [box] = services.units.register(admin, type_code="X200", location_id=here.id)
    misread = box.barcode[:-1] + ("0" if box.barcode[-1] != "0" else "1")
    scan(qtbot, view, misread)
    assert view.feedback.kind == "error" and "control" in view.feedback.text()
    scan(qtbot, view, "LEGADO-404")  # an external code nobody has
    assert view.feedback.kind == "error" and "no corresponde" in view.feedback.text()
    assert view.pending == []


def test_carpetas_scanned_then_a_box_go_into_the_box(
    qtbot: QtBot, view: MovesView, services: Services, admin: Actor, leaf
) -> None:
    here = leaf("D01-M01-A-E01-B1")
    box, other_box = services.units.register(admin, type_code="X200", count=2, location_id=here.id)
    folders = services.units.register(
        admin, type_code="CAR4", count=2, parent_barcode=other_box.barcode
    )
    for f in folders:
        scan(qtbot, view, f.barcode)
    scan(qtbot, view, f.barcode)  # twice: not added again
    assert view.feedback.kind == "warn" and len(view.pending) == 2
    with qtbot.waitSignal(view.moved, timeout=5000):
        scan(qtbot, view, box.barcode)  # only carpetas pending: the box is the destination
    assert [u.id for u in services.units.contents(admin, box.id)] == [f.id for f in folders]
    scan(qtbot, view, box.barcode)  # nothing pending: a box is a unit to move
    assert [u.id for u in view.pending] == [box.id]


def test_a_hardware_scan_reaches_the_view_from_any_field(
    qtbot: QtBot, qapp: QApplication, view: MovesView, services: Services, admin: Actor, leaf
) -> None:
    """The wedge filter takes a fast burst out of the focused field and dispatches it."""
    here = leaf("D01-M01-A-E01-B1")
    [box] = services.units.register(admin, type_code="X200", location_id=here.id)
    dispatcher = ScanDispatcher()
    clock = iter(range(10_000, 20_000, 3))
    wedge = WedgeFilter(dispatcher.dispatch, clock=lambda: next(clock))
    wedge.install(qapp)
    try:
        view.window().activateWindow()
        view.pending_table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is view.pending_table, timeout=2000)
        with qtbot.waitSignal(view.scan_done, timeout=5000):
            for char in box.barcode + "\r":
                key = Qt.Key.Key_Return if char == "\r" else ord(char)
                event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(view.pending_table, event)
        assert [u.id for u in view.pending] == [box.id]
    finally:
        wedge.uninstall()


def test_reverting_a_batch_from_the_list(
    qtbot: QtBot, view: MovesView, services: Services, admin: Actor, sink: RecordingSink, leaf
) -> None:
    here, there = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=here.id)
    preview = services.batches.preview_move(admin, [b.id for b in boxes], there.barcode)
    services.batches.apply(admin, preview)
    view.load_batches()
    idle(qtbot, view.session)
    view.batch_table.selectRow(0)
    assert view.revert_button.isEnabled()
    view.revert_selected()  # answered No: nothing happens
    assert services.units.get(admin, boxes[0].id).location_path == there.path
    sink._answers.append(True)
    with qtbot.waitSignal(view.batches_loaded, timeout=5000):
        view.revert_selected()
    assert "Lote revertido: 2 registros" in view.feedback.text()
    assert services.units.get(admin, boxes[0].id).location_path == here.path
    assert view.batch_model.row(0)["reverted_at"] is not None
    view.batch_table.selectRow(0)
    assert not view.revert_button.isEnabled()
