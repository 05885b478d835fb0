"""Usuarios: the list of accounts and what an administrator does with them (add, edit, disable,
enable, reset the password, unlock). Every call goes through the task runner; the service checks
``users.manage`` and the view shows its refusal like any other error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import ConflictError, LegajoError
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _, ngettext
from archive.services.changes import Changes
from archive.services.org import DependenciaView
from archive.services.roles import RoleView
from archive.services.users import UserResult, UserView
from desktop.lazy_model import Column, LazyTableModel
from desktop.messages import confirm, show_error
from desktop.session import Session
from desktop.views import (
    View,
    error_label,
    form_layout,
    hint_label,
    open_dialog,
    primary_button,
    show_inline,
    title_label,
)

ACTIVE, DISABLED, LOCKED = "active", "disabled", "locked"


def state_text(value: Any) -> str:
    """``(state, locked_until)`` as the Estado column shows it."""
    if not value:
        return ""
    state, until = value
    if state == DISABLED:
        return _("Deshabilitado")
    if state == LOCKED:
        return _("Bloqueado hasta {until}").format(until=format_datetime(until))
    return _("Activo")


COLUMNS = [
    Column("username", N_("Usuario")),
    Column("full_name", N_("Nombre")),
    Column("role", N_("Rol"), formatter=lambda v: _(v) if v else ""),
    Column("dependencia", N_("Dependencia")),
    Column("state", N_("Estado"), formatter=state_text),
    Column("last_login", N_("Último ingreso"), formatter=format_datetime),
]


def row_values(user: UserView, now: datetime) -> dict[str, Any]:
    if user.disabled:
        state: tuple[str, datetime | None] = (DISABLED, None)
    elif user.locked_until is not None and user.locked_until > now:
        state = (LOCKED, user.locked_until)
    else:
        state = (ACTIVE, None)
    dep = f"{user.dependencia_code} — {user.dependencia_name}" if user.dependencia_code else ""
    return {
        "username": user.username, "full_name": user.full_name, "role": user.role_name,
        "dependencia": dep, "state": state, "last_login": user.last_login_at, "view": user,
    }  # fmt: skip


class UsersView(View):
    """The Usuarios area.

    Signals:
        loaded(int): the list of users was (re)loaded; how many there are.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        users, actor, rt = session.services.users, session.actor, session.services.rt
        self._select_after: str | None = None
        self.dialog: QDialog | None = None  # the open add/edit/reason/password dialog

        def load(usernames: Sequence[Any]) -> dict[Any, Any]:
            wanted, now = set(usernames), rt.now()
            return {
                u.username: row_values(u, now) for u in users.list(actor) if u.username in wanted
            }

        self.model = LazyTableModel(session.runner, COLUMNS, load, parent=self)
        self.model.ids_reset.connect(self._ids_reset)
        self.model.page_loaded.connect(lambda _page: self._update_buttons())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col in (1, 3):  # name and dependencia take the room that is left
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.table.ensurePolished()  # the style sheet's font, not the default one
        text_width = self.table.fontMetrics().horizontalAdvance
        for col, sample in ((0, "nombre.usuario"), (2, "Usuario de dependencia"),
                            (4, "Bloqueado hasta 00/00/0000 00:00"), (5, "Último ingreso")):  # fmt: skip
            self.table.setColumnWidth(col, text_width(sample) + 28)
        self.table.activated.connect(lambda _index: self.edit_user())  # Enter or double click
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())

        self.add_button = primary_button(_("A&gregar usuario…"))
        self.add_button.clicked.connect(self.add_user)
        self.edit_button = QPushButton(_("&Editar…"))
        self.edit_button.clicked.connect(self.edit_user)
        self.disable_button = QPushButton(_("&Deshabilitar…"))
        self.disable_button.clicked.connect(self.toggle_disabled)
        self.reset_button = QPushButton(_("&Restablecer contraseña…"))
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button = QPushButton(_("Des&bloquear"))
        self.unlock_button.clicked.connect(self.unlock_user)
        self.refresh_button = QPushButton(_("Ac&tualizar"))
        self.refresh_button.clicked.connect(self.reload)
        self.banner = error_label()
        self.count = hint_label()

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.disable_button, self.reset_button,
                       self.unlock_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Usuarios")))
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._update_buttons()

    # loading

    def reload(self) -> None:
        users, actor = self.session.services.users, self.session.actor
        if self._select_after is None:
            self._select_after = self.selected_username()
        self.model.reset_query(
            lambda _ctx: [u.username for u in users.list(actor)], on_error=self._load_failed
        )

    def on_changes(self, changes: Changes) -> None:
        if changes.users or changes.roles or changes.org:
            self.reload()

    def _load_failed(self, error: LegajoError) -> None:
        if isinstance(error, JobCancelled):
            return
        show_inline(self.banner, error)
        show_error(self, error, sink=self.session.sink)

    def _ids_reset(self, count: int) -> None:
        show_inline(self.banner, None)
        self.count.setText(ngettext("{n} usuario", "{n} usuarios", count).format(n=count))
        wanted, self._select_after = self._select_after, None
        row = self.model.row_of(wanted) if wanted else None
        if row is not None:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()
        self.loaded.emit(count)

    # selection

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def selected_username(self) -> str | None:
        row = self.selected_row()
        return None if row is None else str(self.model.id_at(row))

    def selected_user(self) -> UserView | None:
        row = self.selected_row()
        values = None if row is None else self.model.values_at(row)
        return None if values is None else values["view"]

    def select_username(self, username: str) -> bool:
        row = self.model.row_of(username)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _update_buttons(self) -> None:
        user = self.selected_user()
        state = None
        if user is not None:
            row = self.selected_row()
            values = self.model.values_at(row) if row is not None else None
            state = values["state"][0] if values else None
        for button in (self.edit_button, self.disable_button, self.reset_button):
            button.setEnabled(user is not None)
        self.unlock_button.setEnabled(state == LOCKED)
        self.disable_button.setText(_("Habi&litar…") if state == DISABLED else _("&Deshabilitar…"))

    # actions

    def _call(self, fn: Callable[[], Any], on_done: Callable[[Any], None], **options: Any) -> None:
        self.session.run(fn, on_done=on_done, owner=self, **options)

    def add_user(self) -> None:
        self._with_choices(None)

    def edit_user(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._with_choices(user)

    def _with_choices(self, user: UserView | None) -> None:
        roles, org, actor = (
            self.session.services.roles,
            self.session.services.org,
            self.session.actor,
        )
        self._call(
            lambda: (roles.list(actor), org.list_dependencias(include_inactive=False)),
            lambda choices: self._open_user_dialog(user, *choices),
        )

    def _open_user_dialog(
        self, user: UserView | None, roles: list[RoleView], deps: list[DependenciaView]
    ) -> None:
        dialog = UserDialog(roles, deps, user, parent=self)
        dialog.submitted.connect(partial(self._save_user, dialog, user))
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        open_dialog(self, "dialog", dialog)

    def _save_user(self, dialog: UserDialog, user: UserView | None, values: dict[str, Any]) -> None:
        users, actor = self.session.services.users, self.session.actor
        dep = values["dependencia_code"]
        if user is None:

            def call() -> UserResult:
                return users.add(actor, **values)
        else:

            def call() -> UserResult:
                return users.update(
                    actor, user.username, expected_version=user.version,
                    full_name=values["full_name"], role_code=values["role_code"],
                    dependencia_code=dep, clear_dependencia=dep is None,
                    email=values["email"], cargo=values["cargo"],
                )  # fmt: skip

        dialog.set_busy(True)
        self._call(
            call,
            partial(self._user_saved, dialog),
            on_error=partial(self._user_failed, dialog),
        )

    def _user_saved(self, dialog: UserDialog, result: UserResult) -> None:
        dialog.accept()
        self._select_after = result.user.username
        self.session.publish(result.changes)
        if result.temporary_password:
            self._show_password(result.user.username, result.temporary_password)

    def _user_failed(self, dialog: UserDialog, error: LegajoError) -> None:
        dialog.set_busy(False)
        if isinstance(error, ConflictError):
            show_error(self, error, sink=self.session.sink)
            dialog.reject()
            self.reload()
        else:
            show_error(dialog, error, sink=self.session.sink)

    def toggle_disabled(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        enable = user.disabled
        title = (_("Habilitar al usuario {user}") if enable
                 else _("Deshabilitar al usuario {user}")).format(user=user.username)  # fmt: skip
        dialog = ReasonDialog(title, parent=self)
        dialog.submitted.connect(partial(self._set_disabled, dialog, user.username, not enable))
        self._open(dialog)

    def _set_disabled(
        self, dialog: ReasonDialog, username: str, disabled: bool, reason: str
    ) -> None:
        users, actor = self.session.services.users, self.session.actor
        dialog.accept()
        self._call(
            lambda: users.set_disabled(actor, username, disabled, reason), self.session.publish
        )

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        question = _(
            "¿Generar una contraseña temporal para {user}? La contraseña actual dejará de servir "
            "y el usuario deberá cambiarla al ingresar."
        ).format(user=user.username)
        if not confirm(self, _("Restablecer contraseña"), question, sink=self.session.sink):
            return
        users, actor, name = self.session.services.users, self.session.actor, user.username
        self._call(lambda: users.reset_password(actor, name), partial(self._password_reset, name))

    def _password_reset(self, username: str, password: str) -> None:
        self.session.publish(Changes(users=True))
        self._show_password(username, password)

    def _show_password(self, username: str, password: str) -> None:
        self._open(TemporaryPasswordDialog(username, password, parent=self))

    def unlock_user(self) -> None:
        user = self.selected_user()
        if user is not None:
            users, actor, name = self.session.services.users, self.session.actor, user.username
            self._call(lambda: users.unlock(actor, name), self.session.publish)


class UserDialog(QDialog):
    """Add (``user`` None) or edit a user. The view makes the service call.

    Signals:
        submitted(dict): the keyword arguments of ``UserService.add`` (the user name included).
    """

    submitted = Signal(dict)

    def __init__(
        self,
        roles: list[RoleView],
        deps: list[DependenciaView],
        user: UserView | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            _("Agregar usuario") if user is None
            else _("Editar usuario {user}").format(user=user.username)
        )  # fmt: skip
        self.setMinimumWidth(560)
        self.username = QLineEdit(user.username if user else "")
        self.username.setMaxLength(60)
        self.username.setReadOnly(user is not None)
        self.full_name = QLineEdit(user.full_name if user else "")
        self.full_name.setMaxLength(200)
        self.email = QLineEdit(user.email if user else "")
        self.cargo = QLineEdit(user.cargo if user else "")
        self.role = QComboBox()
        for role in roles:
            self.role.addItem(_(role.name), role.code)
        current_role = user.role_code if user else "auxiliar_archivo"
        self.role.setCurrentIndex(max(0, self.role.findData(current_role)))
        self.dependencia = QComboBox()
        self.dependencia.addItem(_("(ninguna)"), None)
        for dep in deps:
            self.dependencia.addItem("    " * dep.depth + f"{dep.code} — {dep.name}", dep.code)
        if user and user.dependencia_code:
            self.dependencia.setCurrentIndex(
                max(0, self.dependencia.findData(user.dependencia_code))
            )
        form = form_layout()
        form.addRow(_("&Usuario:"), self.username)
        form.addRow(_("&Nombre completo:"), self.full_name)
        form.addRow(_("&Rol:"), self.role)
        form.addRow(_("&Dependencia:"), self.dependencia)
        form.addRow(_("C&orreo:"), self.email)
        form.addRow(_("C&argo:"), self.cargo)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(
            _("Agregar") if user is None else _("Guardar"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if user is None:
            layout.addWidget(
                hint_label(
                    _("Se generará una contraseña temporal que el usuario cambiará al ingresar.")
                )
            )
        layout.addWidget(self.buttons)
        (self.full_name if user else self.username).setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "username": self.username.text().strip(), "full_name": self.full_name.text().strip(),
            "role_code": self.role.currentData(), "dependencia_code": self.dependencia.currentData(),
            "email": self.email.text().strip(), "cargo": self.cargo.text().strip(),
        }  # fmt: skip

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)

    def _submit(self) -> None:
        if self.ok_button.isEnabled():
            self.submitted.emit(self.values())


class ReasonDialog(QDialog):
    """Asks why (the reason goes to the audit trail).

    Signals:
        submitted(str): the reason.
    """

    submitted = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText(_("Motivo (queda en la auditoría)"))
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("Aceptar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(lambda: self.submitted.emit(self.reason.text().strip()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)


class TemporaryPasswordDialog(QDialog):
    """Shows a new temporary password once, in a field that can be copied."""

    def __init__(self, username: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Contraseña temporal"))
        self.setMinimumWidth(480)
        self.password = QLineEdit(password)
        self.password.setReadOnly(True)
        self.password.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        copy = QPushButton(_("&Copiar"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(password))
        close = primary_button(_("Cerrar"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(copy)
        end = QHBoxLayout()
        end.addStretch(1)
        end.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                _(
                    "Contraseña temporal de {user}. Entréguela personalmente: no se volverá a "
                    "mostrar. El usuario deberá cambiarla al ingresar."
                ).format(user=username)
            )
        )
        layout.addLayout(row)
        layout.addLayout(end)
        self.password.selectAll()
        self.password.setFocus()
