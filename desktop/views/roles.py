"""Roles y permisos: the roles and, for the selected one, its permission matrix (one checkbox per
permission). Saving passes the role's version, so two administrators editing the same role at
once get a conflict instead of silently overwriting each other. The Administrador role always
keeps every permission: its matrix is read-only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import ConflictError, LegajoError
from archive.domain.permissions import ADMIN_ROLE, PERMISSION_LABELS, Permission
from archive.i18n import _, ngettext
from archive.services.changes import Changes
from archive.services.roles import RoleView
from desktop.messages import confirm, show_error
from desktop.session import Session
from desktop.views import View, form_layout, hint_label, open_dialog, primary_button, title_label

CODE_ROLE = Qt.ItemDataRole.UserRole


class RolesView(View):
    """The Roles y permisos area.

    Signals:
        loaded(int): the roles were (re)loaded; how many.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.roles: dict[str, RoleView] = {}
        self._current: str | None = None
        self._select_after: str | None = None
        self.dialog: QDialog | None = None
        editable = session.can(Permission.ROLES_MANAGE)

        self.role_list = QListWidget()
        self.role_list.currentItemChanged.connect(self._role_picked)
        self.new_button = QPushButton(_("&Nuevo rol…"))
        self.new_button.clicked.connect(self.new_role)
        self.new_button.setEnabled(editable)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(_("Roles")))
        left_layout.addWidget(self.role_list, 1)
        left_layout.addWidget(self.new_button)

        self.role_title = title_label()
        self.role_info = hint_label()
        self.matrix = QListWidget()
        self.matrix.setAlternatingRowColors(True)
        self.matrix.setSpacing(3)
        for permission in Permission:
            item = QListWidgetItem(_(PERMISSION_LABELS[permission]))
            item.setData(CODE_ROLE, permission.value)
            item.setToolTip(permission.value)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.matrix.addItem(item)
        self.matrix.itemChanged.connect(lambda _item: self._update_buttons())
        self.matrix_label = QLabel(_("&Permisos del rol:"))
        self.matrix_label.setBuddy(self.matrix)
        self.save_button = primary_button(_("&Guardar permisos"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(_("&Descartar cambios"))
        self.revert_button.clicked.connect(self._show_current)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.role_title)
        right_layout.addWidget(self.role_info)
        right_layout.addWidget(self.matrix_label)
        right_layout.addWidget(self.matrix, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        right_layout.addLayout(buttons)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Roles y permisos")))
        layout.addWidget(splitter, 1)
        self._editable = editable
        self._update_buttons()

    # loading

    def reload(self) -> None:
        roles, actor = self.session.services.roles, self.session.actor
        self.session.run(lambda: roles.list(actor), on_done=self._loaded)

    def on_changes(self, changes: Changes) -> None:
        if changes.roles or changes.users:
            self.reload()

    def _loaded(self, roles: list[RoleView]) -> None:
        keep = self._select_after or self._current
        self._select_after = None
        self.roles = {r.code: r for r in roles}
        self.role_list.blockSignals(True)
        self.role_list.clear()
        for role in roles:
            users = ngettext("{n} usuario", "{n} usuarios", role.users).format(n=role.users)
            item = QListWidgetItem(f"{_(role.name)}  ({users})")
            item.setData(CODE_ROLE, role.code)
            self.role_list.addItem(item)
        self.role_list.blockSignals(False)
        self._current = None
        self.select_role(keep if keep in self.roles else (roles[0].code if roles else None))
        self.loaded.emit(len(roles))

    def select_role(self, code: str | None) -> None:
        for row in range(self.role_list.count()):
            if self.role_list.item(row).data(CODE_ROLE) == code:
                self.role_list.setCurrentRow(row)
                return

    # the matrix

    def checked(self) -> frozenset[str]:
        return frozenset(
            self.matrix.item(i).data(CODE_ROLE)
            for i in range(self.matrix.count())
            if self.matrix.item(i).checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, permission: Permission, on: bool) -> None:
        for i in range(self.matrix.count()):
            item = self.matrix.item(i)
            if item.data(CODE_ROLE) == permission.value:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def is_dirty(self) -> bool:
        role = self.roles.get(self._current or "")
        return role is not None and self.checked() != role.permissions

    def _role_picked(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        code = item.data(CODE_ROLE) if item else None
        if code == self._current:
            return
        if self.is_dirty() and not confirm(
            self,
            _("Cambios sin guardar"),
            _("¿Descartar los cambios de permisos del rol {role}?").format(
                role=_(self.roles[self._current or ""].name)
            ),
            sink=self.session.sink,
        ):
            if previous is not None:
                self.role_list.blockSignals(True)
                self.role_list.setCurrentItem(previous)
                self.role_list.blockSignals(False)
            return
        self._current = code
        self._show_current()

    def _show_current(self) -> None:
        role = self.roles.get(self._current or "")
        self.matrix.blockSignals(True)
        fixed = role is None or role.code == ADMIN_ROLE or not self._editable
        for i in range(self.matrix.count()):
            item = self.matrix.item(i)
            granted = role is not None and item.data(CODE_ROLE) in role.permissions
            item.setCheckState(Qt.CheckState.Checked if granted else Qt.CheckState.Unchecked)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not fixed:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
        self.matrix.blockSignals(False)
        if role is None:
            self.role_title.setText("")
            self.role_info.setText("")
        else:
            self.role_title.setText(_(role.name))
            notes = [_(role.description)] if role.description else []
            if role.own_dependencia_only:
                notes.append(_("Sus usuarios solo ven los datos de su propia dependencia."))
            if role.code == ADMIN_ROLE:
                notes.append(_("El rol Administrador conserva siempre todos los permisos."))
            elif role.builtin:
                notes.append(_("Rol predefinido: puede ajustar sus permisos."))
            self.role_info.setText(" ".join(notes))
        self._update_buttons()

    def _update_buttons(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    # saving

    def save(self) -> None:
        role = self.roles.get(self._current or "")
        if role is None or not self.is_dirty():
            return
        roles, actor, perms = self.session.services.roles, self.session.actor, self.checked()
        self.save_button.setEnabled(False)
        self.session.run(
            lambda: roles.set_permissions(actor, role.code, perms, expected_version=role.version),
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _saved(self, changes: Changes) -> None:
        self.session.publish(changes)

    def _save_failed(self, error: LegajoError) -> None:
        show_error(self, error, sink=self.session.sink)
        if isinstance(error, ConflictError):
            self.reload()
        else:
            self._update_buttons()

    def new_role(self) -> None:
        dialog = RoleDialog(list(self.roles.values()), parent=self)
        dialog.submitted.connect(lambda values: self._create(dialog, values))
        open_dialog(self, "dialog", dialog)

    def _create(self, dialog: RoleDialog, values: dict[str, object]) -> None:
        roles, actor = self.session.services.roles, self.session.actor
        code = str(values["code"]).strip().lower()

        def created(changes: Changes) -> None:
            dialog.accept()
            self._select_after = code
            self.session.publish(changes)

        dialog.ok_button.setEnabled(False)
        self.session.run(
            lambda: roles.create(actor, **values),  # type: ignore[arg-type]
            on_done=created,
            on_error=lambda error: show_error(dialog, error, sink=self.session.sink),
            on_finally=lambda: dialog.ok_button.setEnabled(True),
            owner=dialog,
        )


class RoleDialog(QDialog):
    """A new role: code, name, description, scope, and optionally another role's permissions.

    Signals:
        submitted(dict): keyword arguments of ``RoleService.create``.
    """

    submitted = Signal(dict)

    def __init__(self, roles: list[RoleView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Nuevo rol"))
        self.setMinimumWidth(520)
        self._roles = {r.code: r for r in roles}
        self.code = QLineEdit()
        self.code.setMaxLength(40)
        self.code.setPlaceholderText(_("p. ej. archivo_central"))
        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.description = QLineEdit()
        self.own_only = QCheckBox(_("Sus usuarios solo ven su propia dependencia"))
        self.copy_from = QComboBox()
        self.copy_from.addItem(_("(ninguno)"), None)
        for role in roles:
            self.copy_from.addItem(_(role.name), role.code)
        form = form_layout()
        form.addRow(_("&Código:"), self.code)
        form.addRow(_("&Nombre:"), self.name)
        form.addRow(_("&Descripción:"), self.description)
        form.addRow("", self.own_only)
        form.addRow(_("Co&piar permisos de:"), self.copy_from)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("Crear"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            hint_label(_("Código: minúsculas, dígitos y guion bajo; no se puede cambiar después."))
        )
        layout.addWidget(buttons)

    def values(self) -> dict[str, object]:
        source = self._roles.get(self.copy_from.currentData() or "")
        return {
            "code": self.code.text().strip(),
            "name": self.name.text().strip(),
            "description": self.description.text().strip(),
            "own_dependencia_only": self.own_only.isChecked(),
            "permissions": source.permissions if source else frozenset(),
        }

    def _submit(self) -> None:
        if self.ok_button.isEnabled():
            self.submitted.emit(self.values())
