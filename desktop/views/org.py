"""Organización: the entity (fondo), the tree of dependencias with their codes, and the
workstations. Everyone may look; editing needs ``org.manage`` (the service checks it, the view
only hides the buttons of people who lack it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import ConflictError, LegajoError
from archive.domain.permissions import Permission
from archive.i18n import _
from archive.services.changes import Changes
from archive.services.org import DependenciaView, EntityView, WorkstationView
from desktop.messages import show_error
from desktop.session import Session
from desktop.views import View, form_layout, hint_label, open_dialog, primary_button, title_label

CODE_ROLE = Qt.ItemDataRole.UserRole


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.header().setStretchLastSection(False)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return tree


class OrgView(View):
    """The Organización area.

    Signals:
        loaded(): entity, dependencias and workstations were (re)loaded.
    """

    loaded = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.editable = session.can(Permission.ORG_MANAGE)
        self.entity: EntityView | None = None
        self.dependencias: list[DependenciaView] = []
        self.dialog: QDialog | None = None
        self._select_after: str | None = None

        self.entity_name = QLineEdit()
        self.entity_nit = QLineEdit()
        self.entity_city = QLineEdit()
        for field, length in (
            (self.entity_name, 300),
            (self.entity_nit, 30),
            (self.entity_city, 120),
        ):
            field.setMaxLength(length)
            field.setReadOnly(not self.editable)
            field.textEdited.connect(lambda _text: self._entity_edited())
        self.entity_save = primary_button(_("&Guardar entidad"))
        self.entity_save.clicked.connect(self.save_entity)
        self.entity_save.setVisible(self.editable)
        self.entity_save.setEnabled(False)
        entity_box = QGroupBox(_("Entidad (fondo documental)"))
        form = form_layout(entity_box)
        form.addRow(_("&Nombre:"), self.entity_name)
        row = QHBoxLayout()
        row.addWidget(self.entity_nit, 1)
        row.addSpacing(12)
        city_label = QLabel(_("Ci&udad:"))
        city_label.setBuddy(self.entity_city)
        row.addWidget(city_label)
        row.addWidget(self.entity_city, 2)
        row.addSpacing(12)
        row.addWidget(self.entity_save)
        nit_label = QLabel(_("N&IT:"))
        nit_label.setBuddy(self.entity_nit)
        form.addRow(nit_label, row)

        self.dep_tree = _tree([_("Código"), _("Nombre"), _("Sigla"), _("Estado")])
        self.dep_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.dep_tree.itemActivated.connect(lambda *_a: self.edit_dependencia())
        self.dep_tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self.add_dep_button = QPushButton(_("Agregar &dependencia…"))
        self.add_dep_button.clicked.connect(self.add_dependencia)
        self.edit_dep_button = QPushButton(_("&Editar…"))
        self.edit_dep_button.clicked.connect(self.edit_dependencia)
        for button in (self.add_dep_button, self.edit_dep_button):
            button.setVisible(self.editable)
        deps_box = QGroupBox(_("Dependencias"))
        deps_layout = QVBoxLayout(deps_box)
        deps_layout.addWidget(self.dep_tree, 1)
        dep_buttons = QHBoxLayout()
        dep_buttons.addWidget(self.add_dep_button)
        dep_buttons.addWidget(self.edit_dep_button)
        dep_buttons.addStretch(1)
        deps_layout.addLayout(dep_buttons)

        self.ws_tree = _tree([_("Código"), _("Nombre"), _("Equipo"), _("Este equipo")])
        self.ws_tree.setRootIsDecorated(False)
        self.ws_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ws_box = QGroupBox(_("Estaciones de trabajo"))
        ws_layout = QVBoxLayout(ws_box)
        ws_layout.addWidget(self.ws_tree, 1)
        ws_layout.addWidget(hint_label(_("Cada estación numera sus rótulos con su propio código.")))

        splitter = QSplitter()
        splitter.addWidget(deps_box)
        splitter.addWidget(ws_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Organización")))
        if not self.editable:
            layout.addWidget(
                hint_label(_("Solo lectura: no tiene permiso para modificar la organización."))
            )
        layout.addWidget(entity_box)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.entity_name, self.entity_nit)
        self.setTabOrder(self.entity_nit, self.entity_city)
        self.setTabOrder(self.entity_city, self.entity_save)
        self._update_buttons()

    # loading

    def reload(self) -> None:
        org = self.session.services.org
        self.session.run(
            lambda: (org.entity(), org.list_dependencias(), org.list_workstations()),
            on_done=self._loaded,
        )

    def on_changes(self, changes: Changes) -> None:
        if changes.org:
            self.reload()

    def _loaded(
        self, data: tuple[EntityView, list[DependenciaView], list[WorkstationView]]
    ) -> None:
        entity, deps, stations = data
        self.entity = entity
        self.entity_name.setText(entity.name)
        self.entity_nit.setText(entity.nit)
        self.entity_city.setText(entity.city)
        self.entity_save.setEnabled(False)
        keep = self._select_after or self.selected_code()
        self._select_after = None
        self.dependencias = deps
        self.dep_tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        for dep in deps:
            state = _("Activa") if dep.active else _("Inactiva")
            item = QTreeWidgetItem([dep.code, dep.name, dep.sigla, state])
            item.setData(0, CODE_ROLE, dep.code)
            parent = items.get(dep.parent_code or "")
            if parent is None:
                self.dep_tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[dep.code] = item
        self.dep_tree.expandAll()
        if keep in items:
            self.dep_tree.setCurrentItem(items[keep])
        self.ws_tree.clear()
        for ws in stations:
            self.ws_tree.addTopLevelItem(
                QTreeWidgetItem([ws.code, ws.name, ws.host, _("Sí") if ws.local else ""])
            )
        self._update_buttons()
        self.loaded.emit()

    def selected_code(self) -> str | None:
        item = self.dep_tree.currentItem()
        return item.data(0, CODE_ROLE) if item else None

    def select_code(self, code: str) -> None:
        for item in self.dep_tree.findItems(
            code, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0
        ):
            self.dep_tree.setCurrentItem(item)

    def _update_buttons(self) -> None:
        self.edit_dep_button.setEnabled(self.selected_code() is not None)

    # entity

    def _entity_edited(self) -> None:
        e = self.entity
        changed = e is None or (
            (self.entity_name.text(), self.entity_nit.text(), self.entity_city.text())
            != (e.name, e.nit, e.city)
        )
        self.entity_save.setEnabled(self.editable and changed)

    def save_entity(self) -> None:
        org, actor = self.session.services.org, self.session.actor
        name, nit, city = self.entity_name.text(), self.entity_nit.text(), self.entity_city.text()
        self.entity_save.setEnabled(False)
        self.session.run(
            lambda: org.update_entity(actor, name=name, nit=nit, city=city),
            on_done=self.session.publish,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, error: LegajoError) -> None:
        show_error(self, error, sink=self.session.sink)
        self._entity_edited()

    # dependencias

    def add_dependencia(self) -> None:
        self._open(
            DependenciaDialog(
                self.dependencias, None, parent_code=self.selected_code(), parent=self
            )
        )

    def edit_dependencia(self) -> None:
        code = self.selected_code()
        dep = next((d for d in self.dependencias if d.code == code), None)
        if dep is not None and self.editable:
            self._open(DependenciaDialog(self.dependencias, dep, parent=self))

    def _open(self, dialog: DependenciaDialog) -> None:
        dialog.submitted.connect(lambda values: self._save(dialog, values))
        open_dialog(self, "dialog", dialog)

    def _save(self, dialog: DependenciaDialog, values: dict[str, Any]) -> None:
        org, actor, dep = self.session.services.org, self.session.actor, dialog.dependencia
        if dep is None:

            def call() -> Changes:
                return org.add_dependencia(
                    actor, code=values["code"], name=values["name"], sigla=values["sigla"],
                    parent_code=values["parent_code"],
                )  # fmt: skip
        else:

            def call() -> Changes:
                return org.update_dependencia(
                    actor, dep.code, name=values["name"], sigla=values["sigla"],
                    active=values["active"], parent_code=values["parent_code"] or "",
                    expected_version=dep.version,
                )  # fmt: skip

        def saved(changes: Changes) -> None:
            dialog.accept()
            self._select_after = values["code"]
            self.session.publish(changes)

        def failed(error: LegajoError) -> None:
            show_error(dialog, error, sink=self.session.sink)
            if isinstance(error, ConflictError):
                dialog.reject()
                self.reload()

        dialog.ok_button.setEnabled(False)
        self.session.run(
            call, on_done=saved, on_error=failed, owner=dialog,
            on_finally=lambda: dialog.ok_button.setEnabled(True),
        )  # fmt: skip


class DependenciaDialog(QDialog):
    """Add (``dependencia`` None) or edit a dependencia.

    Signals:
        submitted(dict): code, name, sigla, parent_code (None: top level), active.
    """

    submitted = Signal(dict)

    def __init__(
        self,
        deps: list[DependenciaView],
        dependencia: DependenciaView | None,
        *,
        parent_code: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.dependencia = dependencia
        self.setWindowTitle(
            _("Agregar dependencia") if dependencia is None
            else _("Editar dependencia {code}").format(code=dependencia.code)
        )  # fmt: skip
        self.setMinimumWidth(560)
        self.code = QLineEdit(dependencia.code if dependencia else "")
        self.code.setMaxLength(20)
        self.code.setReadOnly(dependencia is not None)
        self.name = QLineEdit(dependencia.name if dependencia else "")
        self.name.setMaxLength(200)
        self.sigla = QLineEdit(dependencia.sigla if dependencia else "")
        self.sigla.setMaxLength(20)
        self.parent_combo = QComboBox()
        self.parent_combo.addItem(_("(ninguna: primer nivel)"), None)
        excluded = _subtree(deps, dependencia.code) if dependencia else set()
        for dep in deps:
            if dep.code not in excluded:
                self.parent_combo.addItem("    " * dep.depth + f"{dep.code} — {dep.name}", dep.code)
        wanted = dependencia.parent_code if dependencia else parent_code
        self.parent_combo.setCurrentIndex(max(0, self.parent_combo.findData(wanted)))
        self.active = QCheckBox(_("Activa"))
        self.active.setChecked(dependencia.active if dependencia else True)
        self.active.setVisible(dependencia is not None)
        form = form_layout()
        form.addRow(_("&Código:"), self.code)
        form.addRow(_("&Nombre:"), self.name)
        form.addRow(_("&Sigla:"), self.sigla)
        form.addRow(_("&Depende de:"), self.parent_combo)
        form.addRow("", self.active)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            _("Agregar") if dependencia is None else _("Guardar"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        (self.name if dependencia else self.code).setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "code": self.code.text().strip(), "name": self.name.text().strip(),
            "sigla": self.sigla.text().strip(), "parent_code": self.parent_combo.currentData(),
            "active": self.active.isChecked(),
        }  # fmt: skip

    def _submit(self) -> None:
        if self.ok_button.isEnabled():
            self.submitted.emit(self.values())


def _subtree(deps: list[DependenciaView], code: str) -> set[str]:
    """``code`` and its subordinates (``deps`` is in tree order: they follow it, deeper)."""
    out: set[str] = set()
    depth = None
    for dep in deps:
        if depth is None:
            if dep.code == code:
                depth = dep.depth
                out.add(code)
        elif dep.depth > depth:
            out.add(dep.code)
        else:
            break
    return out
