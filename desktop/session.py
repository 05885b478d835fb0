"""What a window needs to work: the services, the task runner, the message sink, the settings
(:class:`AppContext`, built once by :func:`desktop.app.run_gui`) and, after login, who is
working (:class:`Session`).

Views receive a :class:`Session` and nothing else: no global lookups. Every database call goes
through ``session.runner``; every result's :class:`~archive.services.changes.Changes` is passed to
:meth:`Session.publish`, and each view refreshes what it shows from the ``changed`` signal.

A session locks itself when nobody uses it: :class:`IdleWatcher` notices, :class:`LockDialog`
asks for the same person's password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.i18n import _
from archive.services.changes import Changes
from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings
from desktop.messages import MessageSink
from desktop.tasks import TaskContext, TaskHandle, TaskRunner
from desktop.views import (
    error_label,
    form_layout,
    hint_label,
    primary_button,
    show_inline,
    title_label,
)


@dataclass(frozen=True)
class AppContext:
    """Everything the GUI shares, whoever is logged in.

    Attributes:
        services: All services (they check permissions themselves).
        runner: The one task runner; all database work goes through it.
        sink: Where message boxes go (Qt boxes, or a recording sink in tests).
        settings: This workstation's settings (mutable; call :meth:`save_settings` after a change).
        store_settings: Writes the settings to disk.
    """

    services: Services
    runner: TaskRunner
    sink: MessageSink
    settings: Settings
    store_settings: Callable[[Settings], None]

    def save_settings(self) -> None:
        self.store_settings(self.settings)

    def run(self, fn: Callable[[], Any], **options: Any) -> TaskHandle:
        """Run ``fn()`` on the database worker; ``options`` as :meth:`TaskRunner.run_db`."""
        return self.runner.run_db(lambda _ctx: fn(), **options)

    def run_ctx(self, fn: Callable[[TaskContext], Any], **options: Any) -> TaskHandle:
        """Like :meth:`run`, for callables that report progress or check cancellation."""
        return self.runner.run_db(fn, **options)

    @property
    def database_path(self) -> Path | None:
        """The workstation database file (None for an in-memory or server database)."""
        name = self.services.rt.db.engine.url.database
        return Path(name) if name and name != ":memory:" else None

    @property
    def data_dir(self) -> Path | None:
        path = self.database_path
        return path.parent if path else None

    @property
    def workstation(self) -> str:
        return self.services.rt.env.origin


class Session(QObject):
    """A logged-in person's session: the context plus the actor.

    Args:
        context: The shared application context.
        actor: Who is logged in (the services re-check the actor's permissions on every call).
        role_name: The role's display name (a msgid for built-in roles), for the status bar.
        full_name: The person's name, when known.
        parent: Qt parent.

    Signals:
        changed(Changes): a service call changed something; views refresh what they show.
    """

    changed = Signal(object)

    def __init__(
        self,
        context: AppContext,
        actor: Actor,
        *,
        role_name: str = "",
        full_name: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.actor = actor
        self.role_name = role_name
        self.full_name = full_name

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def runner(self) -> TaskRunner:
        return self.context.runner

    @property
    def sink(self) -> MessageSink:
        return self.context.sink

    @property
    def settings(self) -> Settings:
        return self.context.settings

    def can(self, permission: Permission) -> bool:
        """Whether the GUI should offer ``permission``'s actions (the services still check)."""
        return self.actor.can(permission)

    def run(self, fn: Callable[[], Any], **options: Any) -> TaskHandle:
        return self.context.run(fn, **options)

    def run_ctx(self, fn: Callable[[TaskContext], Any], **options: Any) -> TaskHandle:
        return self.context.run_ctx(fn, **options)

    def publish(self, changes: Changes) -> None:
        """Tell every view what a service call changed."""
        if changes.any():
            self.changed.emit(changes)


class LockDialog(QDialog):
    """Covers the hidden main window until the same person types the password again.

    Signals:
        unlocked(): the password was right.
        switch_user(): the person chose to log out instead.
    """

    unlocked = Signal()
    switch_user = Signal()

    def __init__(
        self, context: AppContext, actor: Actor, *, display_name: str = "",
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._context = context
        self._actor = actor
        self._busy = False
        self.setWindowTitle(_("Legajo — Sesión bloqueada"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(480)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.unlock_button = primary_button(_("&Desbloquear"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton(_("Cambiar de &usuario"))
        self.switch_button.setAutoDefault(False)
        self.switch_button.clicked.connect(self._switch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title_label(_("Sesión bloqueada")))
        layout.addWidget(
            hint_label(
                _(
                    "La sesión de {user} se bloqueó para proteger la información. Escriba su "
                    "contraseña para continuar."
                ).format(user=display_name or actor.username)
            )
        )
        form = form_layout()
        form.addRow(_("&Contraseña:"), self.password)
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        self.password.setFocus()

    def submit(self) -> None:
        if self._busy:
            return
        if not self.password.text():
            show_inline(self.error, _("Escriba su contraseña."))
            return
        auth, actor, password = self._context.services.auth, self._actor, self.password.text()
        self._busy = True
        self.unlock_button.setEnabled(False)
        self._context.run(
            lambda: auth.unlock_session(actor, password),
            on_done=self._checked,
            on_error=lambda error: show_inline(self.error, error),
            on_finally=self._finished,
        )

    def _finished(self) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)

    def _checked(self, ok: bool) -> None:
        if ok:
            self.accept()
            self.unlocked.emit()
            return
        self.password.clear()
        self.password.setFocus()
        show_inline(self.error, _("La contraseña no es correcta."))

    def _switch(self) -> None:
        self.accept()
        self.switch_user.emit()

    def reject(self) -> None:
        """Esc does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() == QDialog.DialogCode.Accepted:
            super().closeEvent(event)
        else:
            event.ignore()


_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Says when nobody has touched the keyboard or mouse for a while.

    Installs itself as an event filter on ``source`` (the QApplication: every window). Activity
    only records a timestamp; a single timer checks it when the time could be up.

    Args:
        source: The object whose events count as activity (the application).
        timeout_ms: Idle time before ``idle``; 0 never fires.

    Signals:
        idle(): the idle time passed (the watcher then stops until :meth:`start`).
    """

    idle = Signal()

    def __init__(self, source: QObject, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeout = timeout_ms
        self._since = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._running = False
        self._source = source
        source.installEventFilter(self)

    def dispose(self) -> None:
        """Stop watching for good (the filter costs a Python call per event)."""
        self.stop()
        self._source.removeEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        return self._timeout

    def set_timeout(self, timeout_ms: int) -> None:
        self._timeout = timeout_ms
        if self._running:
            self.start()

    def start(self) -> None:
        self._running = self._timeout > 0
        self._since.start()
        if self._running:
            self._timer.start(self._timeout)
        else:
            self._timer.stop()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def is_running(self) -> bool:
        return self._running

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._running and event.type() in _ACTIVITY:
            self._since.restart()
        return False

    def _check(self) -> None:
        if not self._running:
            return
        remaining = self._timeout - self._since.elapsed()
        if remaining > 0:
            self._timer.start(int(remaining))
            return
        self.stop()
        self.idle.emit()
