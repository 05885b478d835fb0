"""The delayed progress dialog; the look, language and message boxes of the GUI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from archive.domain.errors import ImportFileError, RowProblem
from archive.domain.progress import JobCancelled
from archive.i18n import N_
from desktop.messages import Kind, QtMessageSink, RecordingSink, confirm, info, show_error
from desktop.progress import TaskProgressDialog
from desktop.qt_i18n import install_qt_translations, remove_qt_translations
from desktop.tasks import TaskContext, TaskRunner
from desktop.theme import apply_theme, load_stylesheet

DELAY_MS = 200


@pytest.fixture
def fast_runner(qtbot, sink: RecordingSink) -> Iterator[TaskRunner]:
    """A runner whose dialogs appear after 200 ms instead of 600 ms, to keep tests short."""
    runner = TaskRunner(sink, progress_delay_ms=DELAY_MS)
    yield runner
    assert runner.shutdown(timeout=5.0)


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def only_dialog(window: QWidget) -> TaskProgressDialog:
    [dialog] = window.findChildren(TaskProgressDialog)
    return dialog


def test_a_short_task_never_shows_a_dialog(qtbot, fast_runner, window, wait_done):
    handle = fast_runner.run_db(lambda ctx: 1, on_done=print, progress=window, label="Corto")
    dialog = only_dialog(window)
    wait_done(handle)
    qtbot.wait(DELAY_MS * 2)
    assert dialog.was_shown is False
    assert window.findChildren(TaskProgressDialog) == []  # deleted with the task


def test_a_long_task_shows_the_dialog_and_cancel_cancels(qtbot, fast_runner, window, wait_done):
    errors: list[BaseException] = []
    started = time.monotonic()

    def long_job(ctx: TaskContext) -> None:
        while True:
            ctx.check_cancelled()
            ctx.progress(1, 4, "Revisando cajas")
            time.sleep(0.005)

    handle = fast_runner.run_db(
        long_job,
        on_done=errors.append,
        on_error=errors.append,
        progress=window,
        label="Importando",
        cancellable=True,
    )
    dialog = only_dialog(window)
    assert not dialog.isVisible()
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert time.monotonic() - started >= DELAY_MS / 1000 * 0.9
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.windowTitle() == "Importando"
    qtbot.waitUntil(lambda: dialog.labelText() == "Revisando cajas", timeout=3000)
    assert dialog.progress_bar().value() == 250  # thousandths

    [button] = dialog.findChildren(QPushButton)
    assert button.text() == "Cancelar"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert handle.cancelled()
    wait_done(handle)

    assert len(errors) == 1
    assert isinstance(errors[0], JobCancelled)
    qtbot.waitUntil(lambda: window.findChildren(TaskProgressDialog) == [], timeout=3000)


def test_cancel_keeps_the_dialog_until_the_job_stops(qtbot, fast_runner, window, wait_done):
    gate = threading.Event()
    handle = fast_runner.run_db(
        lambda ctx: gate.wait(5), on_done=print, progress=window, label="Largo", cancellable=True
    )
    dialog = only_dialog(window)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    dialog.close()  # the window's close button: same as Cancel
    assert handle.cancelled()
    assert dialog.isVisible()
    assert dialog.labelText() == "Cancelando…"
    assert not dialog.findChild(QPushButton).isEnabled()
    gate.set()  # this job ignores cancellation and finishes normally
    wait_done(handle)
    qtbot.waitUntil(lambda: window.findChildren(TaskProgressDialog) == [], timeout=3000)


def test_a_job_that_cannot_be_cancelled_has_no_cancel(qtbot, fast_runner, window, wait_done):
    gate = threading.Event()
    handle = fast_runner.run_db(
        lambda ctx: gate.wait(5), on_done=print, progress=window, label="Guardando"
    )
    dialog = only_dialog(window)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert dialog.findChildren(QPushButton) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible()
    assert not handle.cancelled()
    gate.set()
    wait_done(handle)


def test_unknown_totals_show_a_busy_bar(qtbot):
    dialog = TaskProgressDialog("Buscando", cancel=None, delay_ms=10_000)
    qtbot.addWidget(dialog)
    dialog.report(5, 0, "")
    assert (dialog.progress_bar().minimum(), dialog.progress_bar().maximum()) == (0, 0)
    assert dialog.labelText() == "Buscando"
    dialog.report(3 * 10**12, 4 * 10**12, "Grande")  # totals past 2**31 still fit
    assert dialog.progress_bar().value() == 750
    dialog.finish()
    dialog.report(1, 1, "tarde")  # after finish: ignored
    assert dialog.labelText() == "Grande"


# -- presentation: the look, the language and the message boxes the GUI is shown with --------


def test_the_theme_parses_and_styles_the_dialog_without_warnings(qtbot, qapp):
    assert "QPushButton" in load_stylesheet()
    style = qapp.style().name()
    try:
        apply_theme(qapp)
        dialog = TaskProgressDialog("Tema", cancel=lambda: None, delay_ms=0)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(dialog.isVisible, timeout=3000)
        dialog.grab()  # paints with the style sheet; a parse error would log a Qt warning
        dialog.finish()
    finally:
        qapp.setStyleSheet("")
        qapp.setStyle(style)


def test_qt_speaks_the_active_language(qapp):
    default = QLocale()
    before = QCoreApplication.translate("QPlatformTheme", "Cancel")
    translators = install_qt_translations(qapp, "es")
    try:
        assert len(translators) == 1
        assert QLocale().name() == "es_CO"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"
    finally:
        remove_qt_translations(qapp, translators)
        QLocale.setDefault(default)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == before
    translators = install_qt_translations(qapp, "en")
    try:
        assert QLocale().name() == "en_US"
    finally:
        remove_qt_translations(qapp, translators)
        QLocale.setDefault(default)


def test_recording_sink_answers_confirmations_from_its_script():
    sink = RecordingSink([True, False])
    assert confirm(None, "t", "¿Seguro?", sink=sink) is True
    assert confirm(None, "t", "¿Seguro?", sink=sink) is False
    assert confirm(None, "t", "¿Seguro?", sink=sink) is False  # default answer
    info(None, "t", "Listo", sink=sink)
    assert [m.kind for m in sink.messages] == [Kind.QUESTION] * 3 + [Kind.INFO]


# The offscreen platform can't honour a message box's fixed size; that is not our warning.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_qt_sink_shows_an_error_without_blocking(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    problem = RowProblem(
        2, "Folios", "folios.negative", N_("Los folios no pueden ser negativos."), {}
    )
    error = ImportFileError(
        "import.invalid", N_("{file}: {count} problemas."), file="a.xlsx", problems=[problem]
    )
    show_error(parent, error, sink=QtMessageSink())  # returns at once: no nested event loop
    [box] = parent.findChildren(QMessageBox)
    qtbot.waitUntil(box.isVisible, timeout=3000)
    assert box.text() == "a.xlsx: 1 problemas."
    assert "Fila 2, campo «Folios»" in box.detailedText()
    assert box.windowModality() == Qt.WindowModality.WindowModal
    box.accept()
    qtbot.waitUntil(lambda: parent.findChildren(QMessageBox) == [], timeout=3000)
