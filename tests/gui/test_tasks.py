"""The task runner: threads, ordering, errors, cancellation, progress, shutdown."""

from __future__ import annotations

import gc
import itertools
import logging
import threading
import time
import weakref

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Slot
from PySide6.QtWidgets import QLabel, QWidget

from archive.domain.errors import ImportFileError, NotFound, RowProblem
from archive.domain.progress import Cancelled, JobCancelled, Progress
from archive.i18n import N_, render_error
from desktop.messages import Kind
from desktop.tasks import TaskContext, TaskRunner, TaskState


class Receiver(QObject):
    """A GUI-thread object whose slot records what it got and on which thread."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[object] = []
        self.threads: list[QThread] = []

    @Slot(object)
    def done(self, value: object) -> None:
        self.threads.append(QThread.currentThread())
        self.values.append(value)


class ResultLabel(QWidget):
    """A widget that shows a result, as a view would."""

    calls: list[object] = []  # noqa: RUF012 - shared on purpose: outlives deleted instances

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel(self)

    def show_result(self, value: object) -> None:
        ResultLabel.calls.append(value)
        self.label.setText(str(value))


def test_result_arrives_on_gui_thread_from_worker(qapp, runner, wait_done):
    ran_on: list[QThread] = []
    names: list[str] = []

    def work(ctx: TaskContext) -> int:
        ran_on.append(QThread.currentThread())
        names.append(threading.current_thread().name)
        return 42

    receiver = Receiver()
    handle = runner.run_db(work, on_done=receiver.done)
    wait_done(handle)

    assert receiver.values == [42]
    assert receiver.threads == [qapp.thread()]
    assert ran_on[0] is not qapp.thread()
    assert names == ["legajo-db-0"]
    assert handle.state is TaskState.DONE


def test_io_tasks_run_on_the_pool_and_may_overlap(qapp, runner, wait_done):
    barrier = threading.Barrier(2, timeout=5)
    names: list[str] = []

    def meet(ctx: TaskContext) -> str:
        barrier.wait()  # both tasks must be running at once, or this times out
        names.append(threading.current_thread().name)
        return "ok"

    receiver = Receiver()
    handles = [runner.run_io(meet, on_done=receiver.done) for _ in range(2)]
    wait_done(*handles)

    assert receiver.values == ["ok", "ok"]
    assert receiver.threads == [qapp.thread()] * 2
    assert all(name.startswith("legajo-io-") for name in names)


def test_db_tasks_run_in_order_one_at_a_time(runner, wait_done):
    lock = threading.Lock()
    running = 0
    overlaps = 0
    started: list[int] = []
    threads: set[str] = set()

    def task(n: int) -> int:
        nonlocal running, overlaps
        with lock:
            running += 1
            overlaps += running > 1
            started.append(n)
            threads.add(threading.current_thread().name)
        time.sleep(0.002)
        with lock:
            running -= 1
        return n

    delivered: list[int] = []
    handles = [runner.run_db(lambda ctx, n=n: task(n), on_done=delivered.append) for n in range(40)]
    wait_done(*handles)

    assert started == list(range(40))
    assert delivered == list(range(40))
    assert overlaps == 0
    assert threads == {"legajo-db-0"}


def test_legajo_error_goes_to_on_error(runner, sink, wait_done):
    error = NotFound("unit.not_found", N_("No existe la unidad {code}."), code="C-1")
    errors: list[BaseException] = []
    finals: list[bool] = []

    def fail(ctx: TaskContext) -> None:
        raise error

    handle = runner.run_db(
        fail, on_done=errors.append, on_error=errors.append, on_finally=lambda: finals.append(True)
    )
    wait_done(handle)

    assert errors == [error]
    assert finals == [True]
    assert handle.state is TaskState.FAILED
    assert sink.messages == []


def test_legajo_error_by_default_is_shown_translated(runner, sink, wait_done):
    error = NotFound("unit.not_found", N_("No existe la unidad {code}."), code="C-1")

    def fail(ctx: TaskContext) -> None:
        raise error

    wait_done(runner.run_db(fail, on_done=print))

    [message] = sink.messages
    assert message.kind is Kind.ERROR
    assert message.text == render_error(error) == "No existe la unidad C-1."


def test_import_error_lists_its_problems_in_the_details(runner, sink, wait_done):
    problem = RowProblem(3, "Código", "code.empty", N_("El código está vacío."), {})
    error = ImportFileError(
        "import.invalid", N_("{file}: {count} problemas."), file="cajas.xlsx", problems=[problem]
    )

    def fail(ctx: TaskContext) -> None:
        raise error

    wait_done(runner.run_db(fail, on_done=print))

    [message] = sink.messages
    assert message.text == "cajas.xlsx: 1 problemas."
    assert message.details == "Fila 3, campo «Código»: El código está vacío."


def test_unexpected_exception_is_logged_and_shown_not_swallowed(runner, sink, wait_done, caplog):
    on_error_calls: list[BaseException] = []
    finals: list[bool] = []

    def crash(ctx: TaskContext) -> None:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="desktop.tasks"):
        handle = runner.run_db(
            crash,
            on_done=print,
            on_error=on_error_calls.append,
            on_finally=lambda: finals.append(True),
        )
        wait_done(handle)

    assert on_error_calls == []  # not a LegajoError: a bug, reported as such
    assert finals == [True]
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[1].args == ("boom",)
    [message] = sink.messages
    assert message.title == "Error interno"
    assert "ValueError: boom" in message.details


def test_exception_in_a_gui_callback_is_reported(runner, sink, wait_done, caplog):
    def broken(value: object) -> None:
        raise KeyError(value)

    with caplog.at_level(logging.ERROR, logger="desktop.tasks"):
        wait_done(runner.run_db(lambda ctx: "x", on_done=broken))

    assert [m.title for m in sink.messages] == ["Error interno"]
    assert any(r.exc_info for r in caplog.records)


def core_job(n: int, progress: Progress, cancelled: Cancelled) -> int:
    """A core-style long job: plain callbacks, raises JobCancelled when asked to stop."""
    for i in range(n):
        if cancelled():
            raise JobCancelled()
        progress(i, n, "paso")
        time.sleep(0.002)
    return n


def test_cancel_stops_a_loop_that_checks_cancelled(runner, sink, wait_done):
    errors: list[BaseException] = []
    started = threading.Event()

    def job(ctx: TaskContext) -> int:
        started.set()
        return core_job(100_000, ctx.progress, ctx.cancelled)

    handle = runner.run_db(job, on_done=errors.append, on_error=errors.append)
    assert started.wait(5)
    handle.cancel()
    wait_done(handle)

    assert len(errors) == 1
    assert isinstance(errors[0], JobCancelled)
    assert handle.state is TaskState.CANCELLED
    assert sink.messages == []


def test_a_cancelled_queued_task_never_runs_and_is_silent(runner, sink, wait_done):
    gate = threading.Event()
    ran: list[str] = []
    first = runner.run_db(lambda ctx: gate.wait(5), on_done=print)
    second = runner.run_db(lambda ctx: ran.append("second"), on_done=ran.append)
    second.cancel()
    gate.set()
    wait_done(first, second)

    assert ran == []
    assert second.state is TaskState.CANCELLED
    assert sink.messages == []  # cancelling is the user's own doing: no message


def test_progress_reaches_the_gui_throttled(qapp, runner, wait_done):
    reports: list[tuple[float, int]] = []
    threads: set[QThread] = set()

    def on_progress(done: int, total: int, label: str) -> None:
        threads.add(QThread.currentThread())
        reports.append((time.monotonic(), done))

    def chatty(ctx: TaskContext) -> int:
        end = time.monotonic() + 0.6
        i = 0
        while time.monotonic() < end:
            i += 1
            ctx.progress(i, 0, "contando")  # tens of thousands of reports
        return i

    handle = runner.run_db(chatty, on_done=print, on_progress=on_progress)
    wait_done(handle)

    assert 3 <= len(reports) <= 0.6 * 20 + 3
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(reports)]
    assert min(gaps) >= 0.040  # 50 ms, less a coarse timer's slack
    assert [done for _, done in reports] == sorted(done for _, done in reports)
    assert threads == {qapp.thread()}


def test_result_for_a_deleted_widget_is_dropped_without_crash(qtbot, runner, sink, wait_done):
    ResultLabel.calls.clear()
    gate = threading.Event()
    widget = ResultLabel()
    handle = runner.run_db(lambda ctx: gate.wait(5) and "late", on_done=widget.show_result)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget))
    gate.set()
    wait_done(handle)

    assert ResultLabel.calls == []
    assert handle.state is TaskState.DONE
    assert sink.messages == []


def test_explicit_owner_guards_a_lambda_callback(qtbot, runner, wait_done):
    gate = threading.Event()
    widget = QLabel()
    handle = runner.run_db(
        lambda ctx: gate.wait(5), on_done=lambda value: widget.setText("x"), owner=widget
    )
    shiboken6.delete(widget)
    gate.set()
    wait_done(handle)  # widget.setText would raise RuntimeError if it were called


class Callback:
    """A callback that records on which thread it is finally released."""

    released_on: list[str] = []  # noqa: RUF012 - shared on purpose: outlives the instances

    def __call__(self, value: object) -> None:
        pass

    def __del__(self) -> None:
        Callback.released_on.append(threading.current_thread().name)


def test_callbacks_are_released_on_the_gui_thread(qtbot, runner, wait_done):
    # A callback is often a widget's method; a widget deleted on a worker thread crashes Qt.
    Callback.released_on.clear()
    handles = [runner.run_db(lambda ctx: None, on_done=Callback()) for _ in range(20)]
    handles += [runner.run_io(lambda ctx: None, on_done=Callback()) for _ in range(20)]
    wait_done(*handles)
    gc.collect()
    assert Callback.released_on == [threading.current_thread().name] * 40


def test_worker_threads_do_not_keep_the_runner_alive(qtbot, sink):
    # Else the last reference could go on a worker, deleting the runner (and its timer) there.
    runner = TaskRunner(sink)
    wait = threading.Event()
    runner.run_io(lambda ctx: wait.wait(5), on_done=print)
    assert runner.shutdown(timeout=1.0)
    ref = weakref.ref(runner)
    del runner
    gc.collect()
    assert ref() is None  # the I/O worker is still running, yet holds no reference
    wait.set()


def test_busy_changed_brackets_the_work(qtbot, runner, wait_done):
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    handles = [runner.run_db(lambda ctx: None, on_done=print) for _ in range(3)]
    wait_done(*handles)
    qtbot.waitUntil(lambda: states == [True, False])
    assert not runner.is_busy()


def test_shutdown_waits_for_the_current_task_and_drops_the_queue(qtbot, sink):
    runner = TaskRunner(sink)
    finished = threading.Event()
    ran: list[str] = []

    def slow(ctx: TaskContext) -> None:
        time.sleep(0.3)
        finished.set()

    delivered: list[object] = []
    runner.run_db(slow, on_done=delivered.append)
    runner.run_db(lambda ctx: ran.append("queued"), on_done=delivered.append)
    time.sleep(0.05)  # let the worker pick up the first task

    assert runner.shutdown(timeout=5.0)
    assert finished.is_set()
    assert ran == []
    qtbot.wait(50)
    assert delivered == []  # nothing is delivered after shutdown
    with pytest.raises(RuntimeError):
        runner.run_db(lambda ctx: None, on_done=print)


def test_no_worker_posts_once_shutdown_returns(qtbot, sink):
    """I/O workers are not waited for at shutdown. One that finishes afterwards must not emit
    through the bridge: the runner, and the bridge with it, may already be deleted (emitting on
    a deleted object crashes the process instead of raising)."""
    runner = TaskRunner(sink)
    posted: list[object] = []
    runner._bridge.finished.connect(posted.append, Qt.ConnectionType.DirectConnection)
    started, gate, done = threading.Event(), threading.Event(), threading.Event()

    def slow(ctx: TaskContext) -> None:
        started.set()
        gate.wait(5)

    runner.run_io(slow, on_done=print)
    assert started.wait(5)
    assert runner.shutdown(timeout=1.0)
    gate.set()
    threading.Thread(target=lambda: (time.sleep(0.3), done.set())).start()
    assert done.wait(5)  # the worker has long finished its task
    assert posted == []
    shiboken6.delete(runner)
    qtbot.wait(20)


def test_shutdown_gives_up_after_the_timeout(sink):
    runner = TaskRunner(sink)
    gate = threading.Event()
    started = threading.Event()
    runner.run_db(lambda ctx: started.set() or gate.wait(5), on_done=print)
    assert started.wait(5)
    assert runner.shutdown(timeout=0.05) is False
    gate.set()


def test_submitting_from_another_thread_is_refused(runner):
    errors: list[BaseException] = []

    def submit() -> None:
        with pytest.raises(RuntimeError) as raised:
            runner.run_db(lambda ctx: None, on_done=print)
        errors.append(raised.value)

    thread = threading.Thread(target=submit)
    thread.start()
    thread.join()
    assert len(errors) == 1
