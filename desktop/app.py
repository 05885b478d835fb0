"""The GUI's start and its flow: first-run setup → login → (forced password change) → main
window, with the idle lock, logout, language switch and quit in between.

:func:`run_gui` is called by the composition root (``main.py``) with the services and the
settings it built; it creates the QApplication, the message sink and the one task runner and hands
them down. :class:`LegajoApp` is the flow itself, testable without an event loop of its own.
"""

from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from archive.domain.errors import LegajoError
from archive.i18n import _, current_language, set_language
from archive.services.changes import Changes
from archive.services.container import Services
from archive.services.runtime import APP_NAME, APP_VERSION, Actor
from archive.settings import Settings, save_settings
from desktop.login import DEMO_ITEMS, ChangePasswordDialog, LoginDialog, SetupWizard
from desktop.main_window import MainWindow
from desktop.messages import QtMessageSink, error_message, info, show_error
from desktop.qt_i18n import install_qt_translations, remove_qt_translations
from desktop.scan_dispatch import ScanDispatcher
from desktop.session import AppContext, IdleWatcher, LockDialog, Session
from desktop.tasks import TaskRunner
from desktop.theme import apply_theme
from desktop.wedge_filter import WedgeFilter, wedge_config


class LegajoApp(QObject):
    """The GUI flow of one process.

    Args:
        qapp: The application (its events count as activity for the idle lock; its translators
            follow the language).
        context: Services, runner, sink and settings.
        idle_ms: Idle time before the session locks; None reads the entity parameter
            (``auth.idle_lock_minutes()``). Tests pass milliseconds.
        demo_items: Expedientes the setup wizard's demo button loads.

    Signals:
        finished(int): the program should end with this exit code.
    """

    finished = Signal(int)

    def __init__(
        self,
        qapp: QApplication,
        context: AppContext,
        *,
        idle_ms: int | None = None,
        demo_items: int = DEMO_ITEMS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._qapp = qapp
        self.context = context
        self._idle_override = idle_ms
        self._demo_items = demo_items
        self._translators: list[QTranslator] = []
        self.idle = IdleWatcher(qapp, 0, parent=self)
        self.idle.idle.connect(self.lock)
        self.wizard: SetupWizard | None = None
        self.login: LoginDialog | None = None
        self.password_dialog: ChangePasswordDialog | None = None
        self.lock_dialog: LockDialog | None = None
        self.window: MainWindow | None = None
        self.session: Session | None = None
        # Keyboard-wedge scanners: a fast burst typed anywhere in the program is taken out of the
        # focused field and dispatched to the active view's scan handler.
        self.scans = ScanDispatcher(self)
        self.wedge = WedgeFilter(self.scans.dispatch, wedge_config(context.settings), parent=self)
        self.wedge.set_enabled(context.settings.wedge_enabled)
        self.wedge.install(qapp)

    # start

    def start(self) -> None:
        """Install Qt's translations, then show the setup wizard or the login window."""
        self._translators = install_qt_translations(self._qapp)
        self.context.run(
            self.context.services.setup.is_initialized,
            on_done=self._started,
            on_error=self._start_failed,
            owner=self,
        )

    def _started(self, initialized: bool) -> None:
        if initialized:
            self.show_login()
        else:
            self.show_setup()

    def _start_failed(self, error: LegajoError) -> None:
        # Nothing else is open: the program ends when the message is closed.
        self._qapp.setQuitOnLastWindowClosed(True)
        show_error(None, error, sink=self.context.sink)

    def show_setup(self) -> None:
        wizard = SetupWizard(self.context, demo_items=self._demo_items)
        wizard.completed.connect(self._setup_completed)
        wizard.rejected.connect(lambda: self._finish(0))
        _delete_when_finished(wizard)
        self.wizard = wizard
        wizard.show()

    def _setup_completed(self, username: str, note: str) -> None:
        self.wizard = None
        self.show_login(username)
        if note:  # over the login window: the wizard is gone
            info(self.login, _("Datos de demostración"), note, sink=self.context.sink)

    # login

    def show_login(self, username: str = "") -> None:
        dialog = LoginDialog(self.context, username=username)
        dialog.logged_in.connect(self._logged_in)
        dialog.language_changed.connect(self.change_language)
        dialog.rejected.connect(lambda: self._finish(0))
        _delete_when_finished(dialog)
        self.login = dialog
        dialog.show()
        dialog.activateWindow()

    def _logged_in(self, actor: Actor) -> None:
        self.login = None
        if not actor.must_change_password:
            self._open_session(actor)
            return
        dialog = ChangePasswordDialog(self.context, actor, forced=True)
        dialog.changed.connect(self._password_changed)
        dialog.rejected.connect(lambda: self.show_login(actor.username))
        _delete_when_finished(dialog)
        self.password_dialog = dialog
        dialog.show()

    def _password_changed(self, actor: Actor) -> None:
        self.password_dialog = None
        self._open_session(actor)

    # session

    def _open_session(self, actor: Actor) -> None:
        self.session = Session(
            self.context, actor, full_name=getattr(actor, "full_name", ""), parent=self
        )
        self.session.changed.connect(self._changes)
        self._open_window()
        self._start_idle()

    def _open_window(self, area: str = "") -> None:
        assert self.session is not None
        window = MainWindow(self.session, area=area)
        window.logout_requested.connect(self.logout)
        window.lock_requested.connect(self.lock)
        window.quit_requested.connect(self.quit)
        window.language_changed.connect(self.change_language)
        window.scanner_changed.connect(self.apply_scanner_settings)
        self.window = window
        window.show()

    def _start_idle(self) -> None:
        if self._idle_override is not None:
            self.idle.set_timeout(self._idle_override)
            self.idle.start()
            return
        self.context.run(
            self.context.services.auth.idle_lock_minutes, on_done=self._idle_minutes, owner=self
        )

    def _idle_minutes(self, minutes: int) -> None:
        if self.session is None:
            return
        self.idle.set_timeout(max(0, minutes) * 60_000)
        if self.lock_dialog is None:
            self.idle.start()

    def _changes(self, changes: Changes) -> None:
        if changes.parameters and self._idle_override is None:
            self._start_idle()

    # lock

    def lock(self) -> None:
        """Hide the main window behind the lock dialog until the password is typed again."""
        if self.window is None or self.session is None or self.lock_dialog is not None:
            return
        self.idle.stop()
        self.window.hide_for_lock()
        s = self.session
        dialog = LockDialog(self.context, s.actor, display_name=s.full_name or s.actor.username)
        dialog.unlocked.connect(self._unlocked)
        dialog.switch_user.connect(self.logout)
        _delete_when_finished(dialog)
        self.lock_dialog = dialog
        dialog.show()
        dialog.activateWindow()

    def _unlocked(self) -> None:
        self.lock_dialog = None
        if self.window is not None:
            self.window.show_after_lock()
        self.idle.start()

    def is_locked(self) -> bool:
        return self.lock_dialog is not None

    # leaving

    def logout(self) -> None:
        username = self.session.actor.username if self.session else ""
        self._close_session()
        self.show_login(username)

    def quit(self) -> None:
        self.close()
        self._finish(0)

    def dispose(self) -> None:
        """Close everything, stop watching the application's events, and delete this object."""
        self.wedge.uninstall()
        self.close()
        self.idle.dispose()
        self.deleteLater()

    def close(self) -> None:
        """Close every window of the flow (the session too) without ending the program."""
        self._close_session()
        for name in ("wizard", "login", "password_dialog"):
            dialog = getattr(self, name)
            setattr(self, name, None)
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.hide()
                dialog.deleteLater()

    def _close_session(self) -> None:
        self.idle.stop()
        if self.lock_dialog is not None:
            if shiboken6.isValid(self.lock_dialog):
                self.lock_dialog.deleteLater()
            self.lock_dialog = None
        if self.window is not None:
            self.window.dispose()
            self.window = None
        if self.session is not None:
            self.session.deleteLater()
            self.session = None

    def _finish(self, code: int) -> None:
        self.finished.emit(code)

    # language

    def apply_scanner_settings(self) -> None:
        """Use the keyboard-wedge settings just saved in Configuración (no restart needed)."""
        settings = self.context.settings
        self.wedge.set_config(wedge_config(settings))
        self.wedge.set_enabled(settings.wedge_enabled)

    def change_language(self, code: str) -> None:
        """Switch the language, store it, and redraw the open windows in it."""
        set_language(code)
        self.context.settings.language = current_language()
        self.context.save_settings()
        remove_qt_translations(self._qapp, self._translators)
        self._translators = install_qt_translations(self._qapp)
        if self.login is not None and shiboken6.isValid(self.login):
            self.login.retranslate()
        if self.window is not None and self.session is not None:
            area = self.window.current_area()
            self.window.dispose()
            self._open_window(area)


def _delete_when_finished(dialog: QDialog) -> None:
    """Delete a parentless dialog once closed.

    ``deleteLater`` is called from Python on purpose: that hands the object to C++. Connected
    directly, Python would still own it, and if its last reference died on the database worker
    (a finished task's callback), shiboken would delete it later at an arbitrary point of the GUI
    thread, even in the middle of one of its own events.
    """
    dialog.finished.connect(lambda _result: dialog.deleteLater())


def run_gui(services: Services, settings: Settings) -> int:
    """Start the desktop application; returns the process exit code."""
    qapp = QApplication(sys.argv[:1])  # main.py has already parsed our arguments
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationVersion(APP_VERSION)
    qapp.setQuitOnLastWindowClosed(False)  # the flow decides when the program ends
    apply_theme(qapp)
    sink = QtMessageSink()
    runner = TaskRunner(sink)
    context = AppContext(services, runner, sink, settings, store_settings=save_settings)
    app = LegajoApp(qapp, context)
    app.finished.connect(qapp.exit)
    app.start()
    try:
        return qapp.exec()
    finally:
        runner.shutdown()


def show_fatal(error: object) -> int:
    """A start-up error (corrupt, newer or foreign database): say so in a window; exit code 1."""
    qapp = QApplication(sys.argv[:1])
    apply_theme(qapp)
    install_qt_translations(qapp)
    exc = error if isinstance(error, BaseException) else RuntimeError(str(error))
    message = error_message(exc)
    box = QMessageBox(QMessageBox.Icon.Critical, _("Legajo no puede iniciar"), message.text)
    box.setInformativeText(
        _("Legajo se cerrará. Si necesita ayuda, muestre este mensaje al administrador.")
    )
    if message.details:
        box.setDetailedText(message.details)
    box.addButton(_("Cerrar"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    return 1
