"""The areas of the main window (one module each) and the small helpers they share.

Each area is a :class:`View`: it gets the :class:`~desktop.session.Session`, loads its data
through the session's task runner when first shown, and refreshes from ``Session.changed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QPushButton, QWidget

from archive.domain.errors import LegajoError
from archive.i18n import render_error
from archive.services.changes import Changes

if TYPE_CHECKING:
    from desktop.session import Session


def set_role(widget: QWidget, role: str) -> None:
    """Pick a style variant of ``resources/style.qss`` (``primary``, ``error``, ``hint``…)."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def error_label(parent: QWidget | None = None) -> QLabel:
    """A hidden, word-wrapped label for an inline error message."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setVisible(False)
    set_role(label, "error")
    return label


def show_inline(label: QLabel, message: str | LegajoError | None) -> None:
    """Show ``message`` in an :func:`error_label` (None or empty hides it)."""
    text = render_error(message) if isinstance(message, LegajoError) else (message or "")
    label.setText(text)
    label.setVisible(bool(text))


def hint_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    set_role(label, "hint")
    return label


def title_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    set_role(label, "title")
    return label


def form_layout(parent: QWidget | None = None) -> QFormLayout:
    """A form whose labels sit level with their (32 px high) fields."""
    form = QFormLayout(parent)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


def primary_button(text: str, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    set_role(button, "primary")
    return button


def open_dialog(owner: object, attr: str, dialog: QDialog) -> None:
    """Open ``dialog`` (window-modal, no nested event loop), keep it as ``owner.<attr>`` while
    it is open (tests reach it there), and delete it once closed."""
    setattr(owner, attr, dialog)

    def closed(_result: int) -> None:
        if getattr(owner, attr, None) is dialog:
            setattr(owner, attr, None)

    dialog.finished.connect(closed)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()


class View(QWidget):
    """An area of the main window.

    Subclasses load their data in :meth:`reload` (called when first shown) and react to what
    other areas changed in :meth:`on_changes`.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._activated = False
        session.changed.connect(self._changes_arrived)

    def activate(self) -> None:
        """The area became visible: load it the first time."""
        if not self._activated:
            self._activated = True
            self.reload()

    def reload(self) -> None:
        """Load (again) everything the area shows."""

    def on_changes(self, changes: Changes) -> None:
        """Refresh what ``changes`` made stale (only called once the area was loaded)."""

    def _changes_arrived(self, changes: Changes) -> None:
        if self._activated:
            self.on_changes(changes)
