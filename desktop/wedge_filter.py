"""The application-wide keyboard-wedge filter: barcode scanners that type like a keyboard.

:class:`WedgeFilter` is installed on the QApplication. It feeds every key press that produces
text to the pure :class:`scanners.wedge.WedgeDecoder` and obeys its decisions exactly as
``docs/BARCODES.md`` §6 ("Contract for the event filter") says:

1. ``retract``: the first character of a scan already reached the focused editor; take it out
   (only if the text before the cursor really ends with it);
2. ``release``: keys held back that turned out to be typing go to the focused widget as
   synthetic key presses (a re-entrancy flag keeps the filter from feeding them again);
3. ``scan``: ``Scan.from_raw(value, "wedge")`` goes to the dispatcher, whatever has focus;
4. ``swallow``: the current key is consumed.

A single-shot timer calls ``flush`` at the decoder's deadline; focus changes, mouse presses and
window deactivation ``interrupt`` the burst so held keys land where they were typed.

Times: the key events' own timestamps (keys queued behind a busy GUI thread keep their real
spacing). ``flush`` needs a time on the same clock, so the filter keeps
``offset = event.timestamp() - clock()`` at each key. Synthetic events with a zero timestamp
(tests, some platforms) use ``clock()`` itself; the clock is injectable for tests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from archive.domain.errors import ValidationError
from archive.settings import Settings
from scanners.scan import Scan
from scanners.wedge import Decision, WedgeConfig, WedgeDecoder

log = logging.getLogger(__name__)

Clock = Callable[[], int]
_KEY_PRESS = QEvent.Type.KeyPress
#: Events that end a burst at once: held keys go to the widget they were typed in.
_INTERRUPTS = frozenset(
    {
        QEvent.Type.FocusAboutToChange,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.WindowDeactivate,
        QEvent.Type.ApplicationDeactivate,
    }
)
#: Settings have no timeout field yet: the decoder's default (Bluetooth scanners stall).
DEFAULT_TIMEOUT_MS = WedgeConfig().timeout_ms
_SHORTCUT_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


def wedge_config(settings: Settings) -> WedgeConfig:
    """The decoder configuration stored in the workstation settings (defaults if invalid)."""
    try:
        return WedgeConfig(
            max_gap_ms=settings.wedge_max_gap_ms,
            min_length=settings.wedge_min_length,
            prefix=settings.wedge_prefix,
            suffix=settings.wedge_suffix,
            timeout_ms=max(DEFAULT_TIMEOUT_MS, settings.wedge_max_gap_ms),
        )
    except ValidationError as exc:
        log.warning("Configuración del lector inválida (%s); se usan los valores por omisión",
                    exc.untranslated())  # fmt: skip
        return WedgeConfig()


def _editor(widget: QWidget) -> QWidget | None:
    """The text editor behind a focused widget (a spin box's or combo box's line edit)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return widget
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget.lineEdit()
    if isinstance(widget, QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    return None


def retract_chars(widget: QWidget | None, chars: str) -> bool:
    """Delete ``chars`` just before the cursor of ``widget``'s editor, if they are there."""
    editor = _editor(widget) if widget is not None else None
    n = len(chars)
    if editor is None or n == 0:
        return False
    if isinstance(editor, QLineEdit):
        pos = editor.cursorPosition()
        if editor.isReadOnly() or not editor.text()[:pos].endswith(chars):
            return False
        editor.setSelection(pos - n, n)
        editor.insert("")  # one undo step, no textEdited: it is not the user's edit
        return True
    if isinstance(editor, QPlainTextEdit | QTextEdit):
        cursor = editor.textCursor()
        if editor.isReadOnly() or cursor.hasSelection() or cursor.position() < n:
            return False
        cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, n)
        if cursor.selectedText() != chars:
            return False
        cursor.removeSelectedText()
        return True
    return False


def _key_for(char: str) -> int:
    if char.isascii() and char.isalnum():
        return ord(char.upper())
    return {
        " ": Qt.Key.Key_Space, "\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return,
        "\t": Qt.Key.Key_Tab, "-": Qt.Key.Key_Minus, ".": Qt.Key.Key_Period,
    }.get(char, Qt.Key.Key_unknown)  # fmt: skip


class WedgeFilter(QObject):
    """Recognises keyboard-wedge scans anywhere in the application.

    Args:
        dispatch: Called with each completed :class:`~scanners.scan.Scan` (normally
            ``ScanDispatcher.dispatch``).
        config: How the workstation's scanner types (see :func:`wedge_config`).
        clock: Monotonic milliseconds (tests inject a controlled clock).
        parent: Qt parent.

    Signals:
        scanned(Scan): a scan was recognised (emitted before it is dispatched).
    """

    scanned = Signal(object)

    def __init__(
        self,
        dispatch: Callable[[Scan], object],
        config: WedgeConfig | None = None,
        *,
        clock: Clock = monotonic_ms,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._dispatch = dispatch
        self._decoder = WedgeDecoder(config)
        self._clock = clock
        self._offset = 0
        self._injecting = False
        self._enabled = True
        self._target: QWidget | None = None  # the widget the current burst was typed into
        self._source: QObject | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.flush)

    # -- set-up ------------------------------------------------------------------------------

    @property
    def config(self) -> WedgeConfig:
        return self._decoder.config

    def set_config(self, config: WedgeConfig) -> None:
        """Use a new configuration (a burst in progress is concluded first)."""
        self.interrupt()
        self._decoder = WedgeDecoder(config)

    def install(self, source: QObject) -> None:
        """Watch ``source``'s events (the QApplication: every window)."""
        self.uninstall()
        self._source = source
        source.installEventFilter(self)

    def uninstall(self) -> None:
        self.interrupt()
        if self._source is not None and shiboken6.isValid(self._source):
            self._source.removeEventFilter(self)
        self._source = None

    def set_enabled(self, enabled: bool) -> None:
        """Off: every key goes through untouched (a burst in progress is concluded)."""
        if not enabled:
            self.interrupt()
        self._enabled = enabled

    # -- events ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._injecting or not self._enabled:
            return False
        etype = event.type()
        if etype == _KEY_PRESS:
            if isinstance(watched, QWidget) and isinstance(event, QKeyEvent):
                return self._key(watched, event)
            return False  # the QWindow sees the key first; its widget gets it next
        if etype in _INTERRUPTS and self._decoder.deadline_ms is not None:
            self.interrupt()
        return False

    def _key(self, widget: QWidget, event: QKeyEvent) -> bool:
        text = event.text()
        if not text:
            return False  # Shift, arrows, F-keys: scanners press Shift for capitals
        focus = QApplication.focusWidget()
        if focus is not None and widget is not focus and widget.isAncestorOf(focus):
            return False  # the same key propagating to a parent: fed once already
        if event.modifiers() & _SHORTCUT_MODIFIERS and not text.isprintable():
            self.interrupt()  # Ctrl+C and friends are never part of a scan
            return False
        now = self._clock()
        stamp = event.timestamp() or now
        self._offset = stamp - now
        decision = self._decoder.feed(text, stamp, autorepeat=event.isAutoRepeat())
        swallow = self._apply(decision, widget)
        self._target = widget
        self._arm()
        if swallow:
            event.accept()  # an ignored key would propagate to the parents even when filtered
        return swallow

    def flush(self) -> None:
        """The deadline passed: conclude the burst if no key can extend it any more."""
        self._apply(self._decoder.flush(self._clock() + self._offset), self._current_target())
        self._arm()

    def interrupt(self) -> None:
        """Conclude the burst now (held keys go back to the widget they were typed in)."""
        self._apply(self._decoder.interrupt(), self._current_target())
        self._arm()

    # -- decisions ---------------------------------------------------------------------------

    def _current_target(self) -> QWidget | None:
        if self._target is not None and shiboken6.isValid(self._target):
            return self._target
        return QApplication.focusWidget()

    def _apply(self, decision: Decision, target: QWidget | None) -> bool:
        if decision.retract and decision.scan is not None:
            retract_chars(target, decision.scan[: decision.retract])
        if decision.release and target is not None:
            self._release(target, decision.release)
        if decision.scan is not None:
            self._emit(decision.scan)
        return decision.swallow

    def _release(self, target: QWidget, text: str) -> None:
        self._injecting = True
        try:
            for char in text:
                if not shiboken6.isValid(target):
                    return
                key = _key_for(char)
                mods = Qt.KeyboardModifier.NoModifier
                QCoreApplication.sendEvent(target, QKeyEvent(_KEY_PRESS, key, mods, char))
                if shiboken6.isValid(target):
                    release = QKeyEvent(QEvent.Type.KeyRelease, key, mods, char)
                    QCoreApplication.sendEvent(target, release)
        finally:
            self._injecting = False

    def _emit(self, raw: str) -> None:
        try:
            scan = Scan.from_raw(raw, "wedge")
        except ValidationError:
            return  # only blanks: nothing to look up
        self.scanned.emit(scan)
        try:
            self._dispatch(scan)
        except Exception:  # the keyboard must keep working whatever a view does
            log.exception("Error al despachar la lectura %s", scan.value)

    def _arm(self) -> None:
        deadline = self._decoder.deadline_ms
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(1, deadline - (self._clock() + self._offset)))
