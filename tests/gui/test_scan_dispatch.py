"""Routing scans to the active view: focus, the visible area, modal dialogs, the ScanField."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.scan_dispatch import ScanDispatcher, ScanField, ScanHandler
from scanners.scan import Scan

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


class Area(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.got: list[str] = []
        self.edit = QLineEdit()
        self.field = ScanField(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.field)

    def handle_scan(self, scan: Scan) -> bool:
        self.got.append(scan.value)
        return True


class Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.nav = QListWidget()
        self.nav.addItems(["uno", "dos"])
        self.stack = QStackedWidget()
        self.one, self.two = Area("uno"), Area("dos")
        self.stack.addWidget(self.one)
        self.stack.addWidget(self.two)
        layout = QHBoxLayout(self)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack)


def scan(value: str) -> Scan:
    return Scan.from_raw(value, "wedge")


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


@pytest.fixture
def window(qtbot: QtBot) -> Window:
    w = Window()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_views_are_scan_handlers(window: Window) -> None:
    assert isinstance(window.one, ScanHandler)
    assert not isinstance(window.nav, ScanHandler)


def test_the_view_around_the_focus_gets_the_scan(qtbot: QtBot, window: Window) -> None:
    dispatcher = ScanDispatcher()
    focus(qtbot, window.one.edit)
    with qtbot.waitSignal(dispatcher.dispatched) as signal:
        assert dispatcher.dispatch(scan("CA0100000001X"))
    assert window.one.got == ["CA0100000001X"]
    assert signal.args[1] is window.one


def test_focus_outside_any_view_goes_to_the_visible_area(qtbot: QtBot, window: Window) -> None:
    dispatcher = ScanDispatcher()
    window.stack.setCurrentWidget(window.two)
    focus(qtbot, window.nav)
    assert dispatcher.dispatch(scan("x1234"))
    assert (window.one.got, window.two.got) == ([], ["X1234"])


def test_a_modal_dialog_keeps_scans_from_the_view_behind(qtbot: QtBot, window: Window) -> None:
    dispatcher = ScanDispatcher()
    dialog = QDialog(window.one)
    edit = QLineEdit(dialog)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    focus(qtbot, edit)
    with qtbot.waitSignal(dispatcher.unhandled):
        assert not dispatcher.dispatch(scan("abcd"))
    assert window.one.got == []
    dialog.close()


def test_a_handler_dialog_takes_scans_while_open(qtbot: QtBot, window: Window) -> None:
    dispatcher = ScanDispatcher()

    class Picker(QDialog):
        def __init__(self, parent: QWidget) -> None:
            super().__init__(parent)
            self.got: list[str] = []
            self.edit = QLineEdit(self)

        def handle_scan(self, s: Scan) -> bool:
            self.got.append(s.value)
            return True

    picker = Picker(window.one)
    picker.setModal(True)
    picker.show()
    qtbot.waitExposed(picker)
    focus(qtbot, picker.edit)
    assert dispatcher.dispatch(scan("abcd"))
    assert (picker.got, window.one.got) == (["ABCD"], [])
    picker.close()


def test_scan_field_sends_typed_codes_as_manual_scans(qtbot: QtBot, window: Window) -> None:
    field = window.one.field
    focus(qtbot, field)
    field.setText("  ca0100000001x ")
    with qtbot.waitSignal(field.scanned) as signal:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert signal.args[0].source == "manual"
    assert window.one.got == ["CA0100000001X"]
    assert field.text() == ""
    field.setText("   ")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.one.got == ["CA0100000001X"]  # blanks are not a scan
