"""Fixtures of the GUI tier: a task runner whose messages go to a recording sink."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from desktop.messages import RecordingSink
from desktop.tasks import TaskHandle, TaskRunner


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference_to_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) < before


# PySide6 6.12.0: every Python-side ``signal.emit()`` returns ``True`` without taking a reference,
# so each emit drops one reference to ``True``. On Python 3.11 (``True`` is not immortal) the
# process aborts with "bool_dealloc: deallocating True or False" after a few thousand emits.
# 6.11.3 is not affected. Until the dependency is pinned, give ``True`` references to spare
# (CPython: ob_refcnt is the object's first field). Remove once PySide6 != 6.12.0 is required.
if sys.version_info < (3, 12) and _emit_drops_a_reference_to_true():
    ctypes.c_ssize_t.from_address(id(True)).value += 1 << 40


@pytest.fixture
def sink() -> RecordingSink:
    """Records every message box instead of showing it (confirmations answer No)."""
    return RecordingSink()


@pytest.fixture
def runner(qtbot: QtBot, sink: RecordingSink) -> Iterator[TaskRunner]:
    """A task runner with the production progress delay, shut down after the test."""
    task_runner = TaskRunner(sink)
    yield task_runner
    assert task_runner.shutdown(timeout=5.0), "the database worker did not stop"


@pytest.fixture
def wait_done(qtbot: QtBot) -> Callable[..., None]:
    """``wait_done(*handles)``: wait until each handle's outcome has been delivered."""

    def wait(*handles: TaskHandle, timeout: int = 5000) -> None:
        for handle in handles:
            qtbot.waitUntil(handle.is_finished, timeout=timeout)

    return wait
