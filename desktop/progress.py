"""Progress and cancellation of background jobs (STYLE.md 8).

A job run by the :class:`~desktop.tasks.TaskRunner` receives a :class:`TaskContext`, whose
``progress(done, total, label)`` and ``cancelled()`` are the plain callbacks of
:mod:`archive.domain.progress`; the GUI holds its :class:`TaskHandle`, to cancel it or read its
state. Progress reports are coalesced on the handle: the worker keeps only the latest, and the
GUI thread is told at most once per delivery.

The runner opens a :class:`TaskProgressDialog` for a job started with a ``progress`` window. The
dialog stays hidden for ``delay_ms`` (600 ms by default): quick jobs finish without anything
flashing on screen. Progress reports arrive already throttled; the dialog only draws them.

``QProgressDialog.setValue`` runs a nested event loop pass on modal dialogs (re-entrancy, which
Legajo forbids), so this dialog owns its progress bar and sets values on the bar directly; its
own show timer replaces ``minimumDuration``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import SIGNAL, SLOT, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QPushButton, QWidget

from archive.domain.progress import JobCancelled
from archive.i18n import _

DEFAULT_DELAY_MS = 600
_SCALE = 1000  # the bar counts in thousandths, so totals beyond 2**31 still fit


class TaskState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaskHandle:
    """A submitted task. ``cancel()`` and ``cancelled()`` are safe from any thread.

    Cancelling only raises a flag: a running callable stops when it next checks ``cancelled()``
    (and raises :class:`JobCancelled`); a queued one is not started at all.
    """

    def __init__(self, task_id: int, label: str, kind: str) -> None:
        self.id = task_id
        self.label = label
        self.kind = kind  # "db" or "io"
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._state = TaskState.QUEUED
        self._latest: tuple[int, int, str] | None = None
        self._posted = False

    def __repr__(self) -> str:
        return f"<TaskHandle {self.id} {self.kind} {self.label!r}>"

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def state(self) -> TaskState:
        with self._lock:
            return self._state

    def is_finished(self) -> bool:
        """True once the outcome has been delivered on the GUI thread."""
        return self.state in (TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED)

    def _set_state(self, state: TaskState) -> None:
        with self._lock:
            self._state = state

    def _store_progress(self, done: int, total: int, label: str) -> bool:
        """Worker side: keep the latest report; True if the GUI must be told."""
        with self._lock:
            self._latest = (done, total, label)
            must_post, self._posted = not self._posted, True
            return must_post

    def _take_progress(self) -> tuple[int, int, str] | None:
        """GUI side: the latest report; the worker may post again."""
        with self._lock:
            self._posted = False
            return self._latest


class TaskContext:
    """What a background callable receives. Its methods may be passed on as plain callbacks."""

    def __init__(self, handle: TaskHandle, post: Callable[[], None]) -> None:
        self.handle = handle
        self._post = post

    def progress(self, done: int, total: int, label: str = "") -> None:
        """Report ``done`` of ``total`` (``total`` 0: unknown); cheap, call it as often as you like."""
        if self.handle._store_progress(done, total, label):
            self._post()

    def cancelled(self) -> bool:
        return self.handle.cancelled()

    def check_cancelled(self) -> None:
        """Raise :class:`JobCancelled` if the task was cancelled."""
        if self.handle.cancelled():
            raise JobCancelled()


class TaskProgressDialog(QProgressDialog):
    """A window-modal progress dialog that shows itself only if its job takes long.

    Args:
        title: What the job is (translated), shown as the window title and first label.
        cancel: Called once when the user asks to cancel; None means the job can't be cancelled
            (no Cancel button, Esc and closing do nothing).
        parent: The window the dialog blocks while visible.
        delay_ms: How long the job must run before the dialog appears.

    Signals:
        canceled: (inherited) the user pressed Cancel, Esc or closed the window. The dialog
            then says it is cancelling and stays until the job really ends (:meth:`finish`).
    """

    def __init__(
        self,
        title: str,
        *,
        cancel: Callable[[], None] | None,
        parent: QWidget | None = None,
        delay_ms: int = DEFAULT_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        # Qt connects canceled() to its own cancel(), which hides the dialog at once; we keep it
        # up, saying "cancelling", until the job has actually stopped.
        QObject.disconnect(self, SIGNAL("canceled()"), self, SLOT("cancel()"))
        self.reset()  # stops Qt's own show timer (minimumDuration); ours is below
        self._cancel = cancel
        self._cancel_requested = False
        self._finished = False
        self._was_shown = False
        self._title = title

        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 0)  # busy until the first report with a total
        self.setBar(self._bar)
        self.setLabelText(title)
        if cancel is None:
            self.setCancelButton(None)  # no button
            self._button: QPushButton | None = None
        else:
            self._button = QPushButton(_("Cancelar"), self)
            self.setCancelButton(self._button)
            self.canceled.connect(self._on_canceled)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_now)
        self._timer.start(delay_ms)

    @property
    def was_shown(self) -> bool:
        """Whether the dialog has ever been on screen."""
        return self._was_shown

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_requested

    def progress_bar(self) -> QProgressBar:
        """The bar (counts in thousandths; range 0-0 while the total is unknown)."""
        return self._bar

    def report(self, done: int, total: int, label: str) -> None:
        """Draw a progress report: ``done`` of ``total`` (total <= 0: unknown, busy bar)."""
        if self._finished:
            return
        if total > 0:
            if self._bar.maximum() != _SCALE:
                self._bar.setRange(0, _SCALE)
            self._bar.setValue(min(_SCALE, max(0, done * _SCALE // total)))
        elif self._bar.maximum() != 0:
            self._bar.setRange(0, 0)
        if not self._cancel_requested:
            self.setLabelText(label or self._title)

    def finish(self) -> None:
        """The job ended: hide (or never show) the dialog and delete it."""
        if self._finished:
            return
        self._finished = True
        self._timer.stop()
        self.hide()
        self.deleteLater()

    @Slot()
    def _show_now(self) -> None:
        if not self._finished:
            self.show()

    @Slot()
    def _on_canceled(self) -> None:
        if self._cancel_requested or self._finished or self._cancel is None:
            return
        self._cancel_requested = True
        self.setLabelText(_("Cancelando…"))
        if self._button is not None:
            self._button.setEnabled(False)
        self._cancel()

    def showEvent(self, event: QShowEvent) -> None:
        self._was_shown = True
        super().showEvent(event)

    def reject(self) -> None:
        """Esc: ask to cancel (if allowed) instead of hiding a job that still runs."""
        if self._cancel is not None:
            self.canceled.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            super().closeEvent(event)
            return
        event.ignore()  # the dialog goes away when the job does
        if self._cancel is not None:
            self.canceled.emit()
