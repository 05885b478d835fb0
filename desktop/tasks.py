"""The one task runner of the GUI (DESIGN.md §6, STYLE.md 3).

Everything that touches the database runs on ONE worker thread, in submission order (SQLAlchemy
sessions are not thread-safe); camera, image and network work runs on a small I/O pool. Outcomes
and progress come back through queued signals to slots of the :class:`TaskRunner`, which lives on
the GUI thread. Background callables get a :class:`TaskContext` and never touch widgets::

    runner.run_db(lambda ctx: imports.run(path, progress=ctx.progress, cancelled=ctx.cancelled),
                  on_done=self._imported,  # a widget's method: skipped if the widget is deleted
                  progress=self, label=_("Importando unidades…"), cancellable=True)
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from archive.domain.errors import LegajoError
from archive.domain.progress import JobCancelled
from desktop.messages import MessageSink, show_error
from desktop.progress import (
    DEFAULT_DELAY_MS,
    TaskContext,
    TaskHandle,
    TaskProgressDialog,
    TaskState,
)

__all__ = ["TaskContext", "TaskHandle", "TaskRunner", "TaskState"]

log = logging.getLogger(__name__)

#: Progress reports reach the GUI at most once per this many milliseconds (≤ 20 a second).
PROGRESS_INTERVAL_MS = 50
IO_WORKERS = 3


@dataclass(eq=False)
class _Task:
    """A task and its options, as :meth:`TaskRunner.run_db` documents them."""

    fn: Callable[[TaskContext], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[LegajoError], None] | None = None
    on_finally: Callable[[], None] | None = None
    on_progress: Callable[[int, int, str], None] | None = None
    progress: QWidget | None = None
    label: str = ""
    cancellable: bool = False
    owner: QObject | None = None
    handle: TaskHandle = field(init=False)
    dialog: TaskProgressDialog | None = field(init=False, default=None)
    value: Any = field(init=False, default=None)  # the outcome, set by the worker
    error: BaseException | None = field(init=False, default=None)

    @property
    def parent(self) -> QWidget | None:
        """The window messages about this task belong to, if it still exists."""
        for widget in (self.progress, self.owner):
            if isinstance(widget, QWidget) and shiboken6.isValid(widget):
                return widget
        return None


class _Bridge(QObject):
    """Worker → GUI. The only Qt object worker threads hold; a child of the runner, so no worker
    ever owns (and so deletes) a GUI-thread object. Only task ids cross threads.

    Signals:
        finished(int): the task's outcome is stored on it; deliver it.
        progress_posted(int): the task has a new progress report.
    """

    finished = Signal(object)
    progress_posted = Signal(object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # Held while emitting and while closing: once ``close`` returns, no worker is emitting
        # or will emit, so the runner (and this child of it) may be deleted safely. Without it,
        # an I/O worker left running at shutdown could emit on a deleted object (a crash, not
        # a Python exception).
        self._lock = threading.Lock()
        self._closed = False

    def post(self, signal_name: str, task_id: int) -> None:
        with self._lock:
            if self._closed:
                return  # the runner was shut down: nobody to tell
            with contextlib.suppress(RuntimeError):  # deleted all the same: nobody to tell
                getattr(self, signal_name).emit(task_id)

    def close(self) -> None:
        """No more posts (GUI thread, at shutdown)."""
        with self._lock:
            self._closed = True


def _call(fn: Callable[[TaskContext], Any], ctx: TaskContext) -> tuple[Any, Exception | None]:
    try:
        return fn(ctx), None
    except Exception as exc:
        return None, exc


def _run(task: _Task, bridge: _Bridge) -> int:
    """Worker side: run a task, store its outcome on it, return its id."""
    handle = task.handle
    if handle.cancelled():
        task.error = JobCancelled()
    else:
        handle._set_state(TaskState.RUNNING)
        post = partial(bridge.post, "progress_posted", handle.id)
        task.value, task.error = _call(task.fn, TaskContext(handle, post))
    return handle.id


class _Workers:
    """Daemon threads draining one FIFO queue (one thread: strictly sequential).

    A worker drops its reference to a task before announcing that it finished, so the last
    references to the task's callbacks (often widgets) are released on the GUI thread.
    """

    def __init__(self, name: str, count: int, bridge: _Bridge) -> None:
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._bridge = bridge
        self._threads = [
            threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True)
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, task: _Task) -> None:
        self._queue.put(task)

    def stop(self, timeout: float) -> bool:
        """Drop queued tasks, let each thread finish its current one; False if one still runs."""
        with contextlib.suppress(queue.Empty):
            while (task := self._queue.get_nowait()) is not None:
                task.handle._set_state(TaskState.CANCELLED)
        for _thread in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def _loop(self) -> None:
        while (task := self._queue.get()) is not None:
            task_id = _run(task, self._bridge)
            del task
            self._bridge.post("finished", task_id)


class TaskRunner(QObject):
    """Runs callables off the GUI thread and delivers their outcome on it.

    Create one in the composition root and pass it to the views; call :meth:`shutdown` when
    the application quits.

    Args:
        sink: Where default error messages go (a :class:`~desktop.messages.QtMessageSink` in
            the application, a recording sink in tests).
        progress_delay_ms: How long a job runs before its progress dialog appears.
        parent: Qt parent.

    Signals:
        task_finished(TaskHandle): a task's outcome was delivered (or dropped because its
            owner was deleted).
        busy_changed(bool): whether any task is queued or running.
    """

    task_finished = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        sink: MessageSink,
        *,
        progress_delay_ms: int = DEFAULT_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self._delay_ms = progress_delay_ms
        self._ids = itertools.count(1)
        self._active: dict[int, _Task] = {}
        self._dirty: set[int] = set()
        self._closed = False
        self._bridge = _Bridge(self)
        # Explicitly queued: the slots run on this object's (the GUI) thread, never a worker's.
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.finished.connect(self._on_finished, queued)
        self._bridge.progress_posted.connect(self._on_progress_posted, queued)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush_progress)
        self._last_flush = 0.0  # time.monotonic() of the last progress delivery
        self._db = _Workers("legajo-db", 1, self._bridge)
        self._io = _Workers("legajo-io", IO_WORKERS, self._bridge)

    def run_db(self, fn: Callable[[TaskContext], Any], **options: Any) -> TaskHandle:
        """Queue ``fn(ctx)`` on the database worker (FIFO, never two at once).

        Args:
            fn: The background callable; must not touch widgets.
            **options: Keyword-only:

                - ``on_done(result)`` (required): called on the GUI thread with the result.
                - ``on_error(error)``: called on the GUI thread with a :class:`LegajoError`
                  (including :class:`JobCancelled`). Default: a translated error message;
                  cancellations are silent. Unexpected exceptions are always logged and shown
                  as internal errors, whatever ``on_error`` is.
                - ``on_finally()``: called on the GUI thread after the above, whatever happened.
                - ``on_progress(done, total, label)``: throttled reports on the GUI thread.
                - ``progress``: a window; a delayed progress dialog appears over it.
                - ``label``: what the task does (translated); the dialog's title.
                - ``cancellable``: whether the dialog has a Cancel button.
                - ``owner``: the QObject the callbacks belong to; if it was deleted when the
                  outcome arrives, they are skipped. Default: ``on_done.__self__`` if a QObject.

        Returns:
            The handle, to cancel the task or check its state.
        """
        return self._submit(self._db, "db", fn, **options)

    def run_io(self, fn: Callable[[TaskContext], Any], **options: Any) -> TaskHandle:
        """Like :meth:`run_db`, on the I/O pool: tasks may overlap. No database work here."""
        return self._submit(self._io, "io", fn, **options)

    def is_busy(self) -> bool:
        """Whether any task is queued or running."""
        return bool(self._active)

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel everything, let the database worker finish its current task, stop the workers.

        Queued tasks are dropped and no further outcome is delivered. Call on application quit.

        Returns:
            False if the database worker was still busy after ``timeout`` seconds.
        """
        if self._closed:
            return True
        self._closed = True
        for task in self._active.values():
            task.handle.cancel()
            if task.dialog is not None and shiboken6.isValid(task.dialog):
                task.dialog.finish()
        self._io.stop(0)  # not waited for: a stuck camera must not keep the program alive
        finished = self._db.stop(timeout)
        self._bridge.close()  # a worker still running (I/O) finishes without telling anyone
        if not finished:
            log.warning("El trabajador de base de datos no terminó en %.1f s", timeout)
        return finished

    def _submit(
        self, workers: _Workers, kind: str, fn: Callable[[TaskContext], Any], **options: Any
    ) -> TaskHandle:
        if self._closed:
            raise RuntimeError("TaskRunner is shut down")
        if QThread.currentThread() is not self.thread():
            raise RuntimeError("Submit tasks from the GUI thread")
        task = _Task(fn, **options)
        if task.owner is None and isinstance(getattr(task.on_done, "__self__", None), QObject):
            task.owner = task.on_done.__self__  # type: ignore[attr-defined]
        task.handle = handle = TaskHandle(next(self._ids), task.label, kind)
        if task.progress is not None:
            task.dialog = TaskProgressDialog(
                task.label,
                cancel=handle.cancel if task.cancellable else None,
                parent=task.progress,
                delay_ms=self._delay_ms,
            )
        if not self._active:
            self.busy_changed.emit(True)
        self._active[handle.id] = task
        workers.submit(task)
        return handle

    @Slot(object)
    def _on_progress_posted(self, task_id: int) -> None:
        self._dirty.add(task_id)
        if not self._flush_timer.isActive():
            wait = PROGRESS_INTERVAL_MS - int((time.monotonic() - self._last_flush) * 1000)
            self._flush_timer.start(max(0, wait))

    @Slot()
    def _flush_progress(self) -> None:
        self._last_flush = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        for task_id in dirty:
            task = self._active.get(task_id)
            report = None if task is None else task.handle._take_progress()
            if task is None or report is None or self._closed:
                continue
            if task.dialog is not None and shiboken6.isValid(task.dialog):
                task.dialog.report(*report)
            if task.on_progress is not None and self._owner_alive(task):
                self._call(task, task.on_progress, *report)

    @Slot(object)
    def _on_finished(self, task_id: int) -> None:
        task = self._active.pop(task_id, None)
        self._dirty.discard(task_id)
        if task is None:
            return
        handle = task.handle
        if task.dialog is not None and shiboken6.isValid(task.dialog):
            task.dialog.finish()
        error = task.error
        if error is None:
            handle._set_state(TaskState.DONE)
        elif isinstance(error, JobCancelled):
            handle._set_state(TaskState.CANCELLED)
        else:
            handle._set_state(TaskState.FAILED)
        if self._closed:
            return
        if not self._owner_alive(task):
            log.debug("Resultado de %r descartado: su receptor fue eliminado", handle)
            if error is not None and not isinstance(error, LegajoError):
                self._report_unexpected(task, error)  # a bug is never swallowed
        elif error is None:
            self._call(task, task.on_done, task.value)
        else:
            self._deliver_error(task, error)
        if task.on_finally is not None and self._owner_alive(task):
            self._call(task, task.on_finally)
        if not self._active:
            self.busy_changed.emit(False)
        self.task_finished.emit(handle)

    def _deliver_error(self, task: _Task, error: BaseException) -> None:
        if not isinstance(error, LegajoError):
            self._report_unexpected(task, error)
        elif task.on_error is not None:
            self._call(task, task.on_error, error)
        elif isinstance(error, JobCancelled):
            log.info("Tarea cancelada: %r", task.handle)
        else:
            show_error(task.parent, error, sink=self._sink)

    def _call(self, task: _Task, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:  # a bug in a GUI callback: log it and say so, don't lose it
            self._report_unexpected(task, exc)

    def _report_unexpected(self, task: _Task, error: BaseException) -> None:
        log.error("Error inesperado en la tarea %r", task.handle, exc_info=error)
        show_error(task.parent, error, sink=self._sink)

    @staticmethod
    def _owner_alive(task: _Task) -> bool:
        return task.owner is None or shiboken6.isValid(task.owner)
