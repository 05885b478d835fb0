"""The keyboard-wedge event filter: synthetic key events with controlled timestamps, sent
through the real QApplication, obeying the pure decoder's decisions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from archive.settings import Settings
from desktop.wedge_filter import WedgeFilter, wedge_config
from scanners.scan import Scan
from scanners.wedge import WedgeConfig

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

CODE = "F0A100000042W"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


class Rig:
    def __init__(self, qtbot: QtBot, qapp: QApplication, config: WedgeConfig | None = None) -> None:
        self.clock = FakeClock()
        self.scans: list[Scan] = []
        self.window = QWidget()
        self.line = QLineEdit()
        self.notes = QPlainTextEdit()
        layout = QVBoxLayout(self.window)
        layout.addWidget(self.line)
        layout.addWidget(self.notes)
        qtbot.addWidget(self.window)
        self.window.show()
        self.filter = WedgeFilter(self.scans.append, config, clock=self.clock)
        self.filter.install(qapp)

    def key(self, widget: QWidget, char: str, t: int, *, stamp: bool = True) -> bool:
        """Press and release one key at ``t`` ms; True if the press was delivered (not eaten)."""
        self.clock.now = t
        code = Qt.Key.Key_Return if char == "\r" else ord(char.upper())
        press = QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, char)
        if stamp:
            press.setTimestamp(t)
        press.setAccepted(False)
        QApplication.sendEvent(widget, press)
        release = QKeyEvent(QEvent.Type.KeyRelease, code, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(widget, release)
        return press.isAccepted()

    def type(self, widget: QWidget, text: str, start: int, gap: int, **kw: bool) -> int:
        t = start
        for char in text:
            self.key(widget, char, t, **kw)
            t += gap
        return t


@pytest.fixture
def rig(qtbot: QtBot, qapp: QApplication) -> Iterator[Rig]:
    r = Rig(qtbot, qapp)
    yield r
    r.filter.uninstall()


def test_a_fast_burst_is_removed_from_the_field_and_dispatched(rig: Rig, qtbot: QtBot) -> None:
    rig.window.activateWindow()
    rig.line.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is rig.line, timeout=2000)
    t = rig.type(rig.line, "ab", 0, 300)  # a person typed "ab"
    assert rig.line.text() == "ab"
    rig.type(rig.line, CODE + "\r", t + 300, 3)  # then a scanner, 3 ms per key
    assert rig.line.text() == "ab"
    assert [s.value for s in rig.scans] == [CODE]
    assert rig.scans[0].source == "wedge"
    rig.type(rig.line, "c", t + 900, 10)
    assert rig.line.text() == "abc"


def test_slow_typing_stays_in_the_field(rig: Rig, qtbot: QtBot) -> None:
    with qtbot.waitSignal(rig.line.returnPressed, timeout=1000):
        rig.type(rig.line, "1234\r", 0, 120)
    assert rig.line.text() == "1234"
    assert rig.scans == []


def test_two_quick_keys_are_held_then_released_in_order(rig: Rig, qtbot: QtBot) -> None:
    rig.type(rig.line, "xy", 0, 10)  # rollover: "y" is held, it may start a scan
    assert rig.line.text() == "x"
    rig.clock.now = 500  # the deadline passes; the filter's timer flushes
    qtbot.waitUntil(lambda: rig.line.text() == "xy", timeout=1000)
    rig.key(rig.line, "z", 520)
    assert rig.line.text() == "xyz"
    assert rig.scans == []


def test_a_short_fast_burst_ended_by_enter_is_typing(rig: Rig, qtbot: QtBot) -> None:
    with qtbot.waitSignal(rig.line.returnPressed, timeout=1000):
        rig.type(rig.line, "ok\r", 0, 5)
    assert rig.line.text() == "ok"
    assert rig.scans == []


def test_events_without_timestamp_use_the_injected_clock(rig: Rig) -> None:
    rig.type(rig.notes, "nota ", 0, 200, stamp=False)
    rig.type(rig.notes, CODE.lower() + "\r", 2000, 2, stamp=False)
    assert rig.notes.toPlainText() == "nota "
    assert [s.value for s in rig.scans] == [CODE]  # normalised: upper case


def test_a_key_propagating_to_a_parent_is_fed_once(rig: Rig, qtbot: QtBot) -> None:
    rig.window.activateWindow()
    rig.line.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is rig.line, timeout=2000)
    rig.key(rig.line, "q", 0)
    # The parent sees the same key again when the line edit ignores it: not a second key.
    again = QKeyEvent(QEvent.Type.KeyPress, ord("Q"), Qt.KeyboardModifier.NoModifier, "q")
    again.setTimestamp(1)
    assert rig.filter.eventFilter(rig.window, again) is False
    rig.clock.now = 200
    rig.filter.flush()
    assert rig.line.text() == "q"
    assert rig.scans == []


def test_a_prefix_marks_scans_and_nothing_is_retracted(qtbot: QtBot, qapp: QApplication) -> None:
    r = Rig(qtbot, qapp, WedgeConfig(prefix="~", suffix="\r"))
    try:
        r.type(r.line, "~" + CODE + "\r", 0, 2)
        assert r.line.text() == ""
        assert [s.value for s in r.scans] == [CODE]
        r.type(r.line, "abcd\r", 100, 2)  # fast, but without the prefix: typing
        assert r.line.text() == "abcd"
    finally:
        r.filter.uninstall()


def test_disabled_filter_lets_everything_through(rig: Rig) -> None:
    rig.filter.set_enabled(False)
    rig.type(rig.line, CODE + "\r", 0, 2)
    assert rig.line.text() == CODE
    assert rig.scans == []


def test_config_comes_from_the_settings() -> None:
    settings = Settings(wedge_max_gap_ms=40, wedge_min_length=6, wedge_prefix="", wedge_suffix="\t")
    config = wedge_config(settings)
    assert (config.max_gap_ms, config.min_length, config.suffix) == (40, 6, "\t")
    broken = Settings(wedge_max_gap_ms=500)  # out of range: defaults, not a crash
    assert wedge_config(broken) == WedgeConfig()
