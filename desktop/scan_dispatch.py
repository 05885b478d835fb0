"""Where a barcode read goes: the active view's scan handler, whatever widget has focus.

Every way of reading a barcode ends in a :class:`~scanners.scan.Scan`: the keyboard-wedge filter
(``desktop.wedge_filter``), a camera, a typed code. The :class:`ScanDispatcher` hands a scan to
one :class:`ScanHandler`, chosen without any registry (views are found in the widget tree):

1. while a modal dialog is open, only a handler inside that dialog (or the dialog itself) may
   take the scan: a read that arrives during a confirmation never reaches the view behind it;
2. otherwise the handler nearest the focus widget (the widget itself or an ancestor);
3. otherwise the visible handler in the active window (the main window's current area when the
   focus is in the navigation list).

Nothing found: ``unhandled`` is emitted (the caller may beep or show a notice).

:class:`ScanField` is the "Escanear aquí" line edit every inventory view shows: typing a code and
pressing Enter hands a ``manual`` scan to the same handler a hardware read would reach.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from archive.domain.errors import ValidationError
from archive.i18n import _
from scanners.scan import Scan

log = logging.getLogger(__name__)


@runtime_checkable
class ScanHandler(Protocol):
    """A widget that acts on barcode reads (a view or a dialog)."""

    def handle_scan(self, scan: Scan) -> bool:
        """Act on ``scan``; True if it was taken (False: not for me, e.g. the view is busy)."""
        ...


def is_handler(widget: object) -> bool:
    return isinstance(widget, QWidget) and isinstance(widget, ScanHandler)


def handler_above(widget: QWidget | None, stop: QWidget | None = None) -> ScanHandler | None:
    """The nearest handler among ``widget`` and its ancestors, not looking above ``stop``."""
    while widget is not None:
        if is_handler(widget) and widget.isVisible():
            return widget  # type: ignore[return-value]
        if widget is stop:
            return None
        widget = widget.parentWidget()
    return None


def handler_within(root: QWidget | None) -> ScanHandler | None:
    """The outermost visible handler inside ``root`` (``root`` included)."""
    if root is None:
        return None
    if is_handler(root) and root.isVisible():
        return root  # type: ignore[return-value]
    for child in root.findChildren(QWidget):
        if is_handler(child) and child.isVisible():
            return child  # type: ignore[return-value]
    return None


class ScanDispatcher(QObject):
    """Routes completed scans to the active view (see the module docstring).

    Create one in the composition root; pass :meth:`dispatch` to the wedge filter and to other
    scan sources.

    Signals:
        dispatched(Scan, QWidget): the scan was taken by this handler.
        unhandled(Scan): no handler took the scan.
    """

    dispatched = Signal(object, object)
    unhandled = Signal(object)

    def find_handler(self) -> ScanHandler | None:
        """The handler a scan would go to now (None: nobody)."""
        modal = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if modal is not None:
            inside = focus is not None and (focus is modal or modal.isAncestorOf(focus))
            return handler_above(focus, stop=modal) if inside else handler_within(modal)
        found = handler_above(focus)
        if found is not None:
            return found
        window = QApplication.activeWindow() or (focus.window() if focus else None)
        return handler_within(window)

    def dispatch(self, scan: Scan) -> bool:
        """Hand ``scan`` to the active handler; True if one took it."""
        handler = self.find_handler()
        taken = False
        if handler is not None:
            try:
                taken = bool(handler.handle_scan(scan))
            except Exception:  # a broken view must not break the keyboard for everyone
                log.exception("Error al entregar la lectura %s", scan.value)
        if taken:
            self.dispatched.emit(scan, handler)
        else:
            self.unhandled.emit(scan)
        return taken


class ScanField(QLineEdit):
    """The "Escanear aquí" field: Enter hands the typed code to ``handler`` as a manual scan.

    A keyboard-wedge read while this field has focus never lands here (the wedge filter takes
    it out and dispatches it to the same handler), so both paths end in one place.

    Args:
        handler: Who receives the scans (usually the view showing the field).
        placeholder: Hint shown while empty (default "Escanear aquí").
        parent: Qt parent.

    Signals:
        scanned(Scan): a code was entered (emitted before the handler is called).
    """

    scanned = Signal(object)

    def __init__(
        self, handler: ScanHandler, placeholder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._handler = handler
        self.setPlaceholderText(placeholder or _("Escanear aquí"))
        self.setClearButtonEnabled(True)
        self.setMaxLength(80)
        self.setMinimumWidth(200)
        self.setAccessibleName(_("Escanear aquí"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter submits and stops there: it never also presses a dialog's default button."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        """Send the text as a scan (empty or blank text does nothing) and clear the field."""
        text = self.text()
        self.clear()
        try:
            scan = Scan.from_raw(text, "manual")
        except ValidationError:
            return
        self.scanned.emit(scan)
        if shiboken6.isValid(self._handler):
            self._handler.handle_scan(scan)
