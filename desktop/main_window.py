"""The main window: a list of areas on the left (only those the person may use), the area on the
right, menus, shortcuts and a status bar saying who and where.

The window does not decide what happens on logout, lock or quit: it asks, through signals, and
the application (``desktop.app``) acts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import shiboken6
from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.i18n import N_, _
from archive.services.roles import RoleView
from desktop.login import ChangePasswordDialog
from desktop.progress import TaskProgressDialog
from desktop.session import Session
from desktop.views import View, capture, inventory, labels, loans, open_dialog, retention, transfers
from desktop.views.about import AboutDialog
from desktop.views.audit import AuditView
from desktop.views.org import OrgView
from desktop.views.roles import RolesView
from desktop.views.search import IndexKeeper, SearchDialog, open_in_area
from desktop.views.settings_dialog import SettingsDialog
from desktop.views.sync import SyncStatusWidget, SyncView, service_of
from desktop.views.users import UsersView


@dataclass(frozen=True)
class Area:
    """One area of the main window.

    Attributes:
        key: Stable name (tests, remembering the last area).
        title: Spanish msgid of the navigation entry.
        permission: Needed to see the area (None: everyone; the view may be read-only).
        make: Builds the view.
    """

    key: str
    title: str
    permission: Permission | None
    make: Callable[[Session], View]


AREAS: tuple[Area, ...] = (
    *(Area(a.key, a.title, a.permission, a.make) for a in inventory.AREAS),
    *(Area(a.key, a.title, a.permission, a.make) for a in retention.AREAS),
    *(Area(a.key, a.title, a.permission, a.make) for a in transfers.AREAS),
    *(Area(a.key, a.title, a.permission, a.make) for a in loans.AREAS),
    *(Area(a.key, a.title, a.permission, a.make) for a in labels.AREAS),
    *(Area(a.key, a.title, a.permission, a.make) for a in capture.AREAS),
    Area("users", N_("Usuarios"), Permission.USERS_MANAGE, UsersView),
    Area("roles", N_("Roles y permisos"), Permission.ROLES_MANAGE, RolesView),
    Area("org", N_("Organización"), None, OrgView),
    Area("audit", N_("Auditoría"), Permission.AUDIT_VIEW, AuditView),
    Area("sync", N_("Sincronización"), Permission.SYNC_MANAGE, SyncView),
)

KEY_ROLE = Qt.ItemDataRole.UserRole


def visible_areas(session: Session) -> list[Area]:
    return [a for a in AREAS if a.permission is None or session.can(a.permission)]


class MainWindow(QMainWindow):
    """Legajo's main window for one session.

    Args:
        session: Who is working, with the services and the runner.
        area: Key of the area to open first (default: the first permitted one).

    Signals:
        logout_requested(): Archivo → Cerrar sesión.
        lock_requested(): Archivo → Bloquear sesión (Ctrl+L).
        quit_requested(): Archivo → Salir (Ctrl+Q) or the window was closed.
        language_changed(str): the language was changed in Configuración.
        scanner_changed(): the barcode-scanner settings were changed in Configuración.
    """

    logout_requested = Signal()
    lock_requested = Signal()
    quit_requested = Signal()
    language_changed = Signal(str)
    scanner_changed = Signal()

    def __init__(self, session: Session, *, area: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.areas = visible_areas(session)
        self.views: dict[str, View] = {}
        self.dialog: QDialog | None = None
        self._disposing = False
        self._hidden_dialogs: list[QDialog] = []
        self.setWindowTitle("Legajo")
        self.setMinimumSize(QSize(1000, 640))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(210)
        self.nav.setAccessibleName(_("Áreas"))
        for area_def in self.areas:
            item = QListWidgetItem(_(area_def.title))
            item.setData(KEY_ROLE, area_def.key)
            item.setSizeHint(QSize(200, 40))
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self.nav.currentRowChanged.connect(self._area_picked)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.search_dialog: SearchDialog | None = None
        # The local search index follows every change (off the GUI thread).
        self.index_keeper = IndexKeeper(session) if session.can(Permission.RECORDS_VIEW) else None
        if self.index_keeper is not None:
            self.index_keeper.start()
        self.user_label = QLabel(session.full_name or session.actor.username)
        self.station_label = QLabel(
            _("Estación {code}").format(code=session.context.workstation or "—")
        )
        # Last sync, pending changes, conflicts waiting; syncs on its timer and on demand.
        self.sync_status = SyncStatusWidget(session, service_of(session))
        self.sync_label = self.sync_status.label
        status = self.statusBar()
        for label in (self.user_label, self.station_label, self.sync_label):
            label.setContentsMargins(8, 0, 16, 0)
        status.addWidget(self.user_label)
        status.addWidget(self.station_label)
        status.addPermanentWidget(self.sync_status)
        self._update_user_label()

        self._restore_geometry()
        keys = [a.key for a in self.areas]
        self.nav.setCurrentRow(keys.index(area) if area in keys else 0)
        self.nav.setFocus()
        self._load_profile()

    # menus

    def _action(self, text: str, slot: Callable[[], None], shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&Archivo"))
        self.lock_action = self._action(_("&Bloquear sesión"), self.lock_requested.emit, "Ctrl+L")
        self.password_action = self._action(_("Cambiar &contraseña…"), self.change_password)
        self.logout_action = self._action(_("Cerrar &sesión"), self.logout_requested.emit)
        self.quit_action = self._action(_("&Salir"), self.quit_requested.emit, "Ctrl+Q")
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.password_action)
        file_menu.addAction(self.logout_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu(_("&Ver"))
        for number, area_def in enumerate(self.areas, start=1):
            view_menu.addAction(
                self._action(
                    _(area_def.title),
                    partial(self._go, area_def.key),
                    f"Ctrl+{number}" if number <= 9 else None,
                )
            )
        view_menu.addSeparator()
        view_menu.addAction(self._action(_("&Actualizar"), self.reload_current, "F5"))
        tools = bar.addMenu(_("&Herramientas"))
        self.search_action = self._action(_("&Buscar…"), self.open_search, "Ctrl+K")
        self.search_action.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence("Ctrl+F")])
        tools.addAction(self.search_action)
        self.settings_action = self._action(_("&Configuración…"), self.open_settings)
        tools.addAction(self.settings_action)
        help_menu = bar.addMenu(_("A&yuda"))
        self.about_action = self._action(_("&Acerca de Legajo"), self.open_about)
        help_menu.addAction(self.about_action)

    # areas

    def area_keys(self) -> list[str]:
        return [a.key for a in self.areas]

    def current_area(self) -> str:
        item = self.nav.currentItem()
        return item.data(KEY_ROLE) if item else ""

    def show_area(self, key: str) -> View | None:
        keys = self.area_keys()
        if key not in keys:
            return None
        self.nav.setCurrentRow(keys.index(key))
        return self.views.get(key)

    def _area_picked(self, row: int) -> None:
        if not 0 <= row < len(self.areas):
            return
        area_def = self.areas[row]
        view = self.views.get(area_def.key)
        if view is None:
            view = area_def.make(self.session)
            self.views[area_def.key] = view
            self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        view.activate()

    def _go(self, key: str) -> None:
        self.show_area(key)

    def reload_current(self) -> None:
        view = self.views.get(self.current_area())
        if view is not None:
            view.reload()

    # dialogs

    def _open(self, dialog: QDialog) -> None:
        open_dialog(self, "dialog", dialog)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.session, parent=self)
        dialog.language_changed.connect(self.language_changed.emit)
        dialog.scanner_changed.connect(self.scanner_changed.emit)
        self._open(dialog)

    def open_about(self) -> None:
        self._open(AboutDialog(self.session.context, parent=self))

    def change_password(self) -> None:
        dialog = ChangePasswordDialog(self.session.context, self.session.actor, parent=self)
        dialog.changed.connect(self._password_changed)
        self._open(dialog)

    def _password_changed(self, actor: object) -> None:
        self.session.actor = actor  # type: ignore[assignment]
        self.statusBar().showMessage(_("Contraseña cambiada."), 5000)

    # who and where

    def _load_profile(self) -> None:
        org, roles, actor = (
            self.session.services.org,
            self.session.services.roles,
            self.session.actor,
        )
        self.session.run(lambda: (org.entity(), roles.list(actor)), on_done=self._profile)

    def _profile(self, data: tuple[object, list[RoleView]]) -> None:
        entity, roles = data
        name = getattr(entity, "name", "")
        self.setWindowTitle(f"Legajo — {name}" if name else "Legajo")
        role = next((r for r in roles if r.code == self.session.actor.role_code), None)
        if role is not None:
            self.session.role_name = role.name
        self._update_user_label()

    def _update_user_label(self) -> None:
        s = self.session
        who = s.full_name or s.actor.username
        role = _(s.role_name) if s.role_name else s.actor.role_code
        self.user_label.setText(_("Usuario: {who} ({role})").format(who=who, role=role))

    # window state

    def _restore_geometry(self) -> None:
        stored = self.session.settings.window_geometry
        if not stored or not self.restoreGeometry(QByteArray.fromBase64(stored.encode("ascii"))):
            self.resize(1280, 760)

    def _store_geometry(self) -> None:
        self.session.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode(
            "ascii"
        )
        self.session.context.save_settings()

    def hide_for_lock(self) -> None:
        """Hide the window and every dialog open over it (an edit form, a temporary password)."""
        self._hidden_dialogs = [
            d for d in self.findChildren(QDialog)
            if d.isWindow() and d.isVisible() and not isinstance(d, TaskProgressDialog)
        ]  # fmt: skip
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.hide()

    def show_after_lock(self) -> None:
        self.show()
        self.activateWindow()
        for dialog in self._hidden_dialogs:
            if shiboken6.isValid(dialog):
                dialog.show()
        self._hidden_dialogs = []

    def open_search(self) -> None:
        """The search box (Ctrl+K): as-you-type results, facets, open a result in its area."""
        if not self.session.can(Permission.RECORDS_VIEW):
            return
        if self.search_dialog is None:
            self.search_dialog = SearchDialog(self.session, self)
            self.search_dialog.open_record.connect(lambda kind, _id, code: open_in_area(self.show_area, kind, code))
        self.search_dialog.show()
        self.search_dialog.raise_()
        self.search_dialog.box.setFocus()
        self.search_dialog.box.selectAll()

    def dispose(self) -> None:
        """Close for good without asking to quit (logout, language switch)."""
        if self.index_keeper is not None:
            self.index_keeper.stop()
        self.sync_status.stop()
        self._disposing = True
        self.close()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._store_geometry()
        super().closeEvent(event)
        if not self._disposing:
            self.quit_requested.emit()
