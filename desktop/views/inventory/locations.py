"""Ubicaciones: the tree of depósitos, módulos, estantes and entrepaños with their occupancy, the
detail of one location (capacity, the units standing there) and the entry points to the range
creation and free-space dialogs (``location_dialogs``)."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from archive.domain.barcodes import BarcodeKind, looks_like_legajo_barcode
from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.i18n import _
from archive.services.changes import Changes
from archive.services.locations import LevelView, LocationView
from archive.services.units import UnitTypeView, UnitView
from desktop.messages import info, show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, title_label
from desktop.views.inventory.common import Feedback, buddy_label, fmt_count
from desktop.views.inventory.location_dialogs import FreeSpaceDialog, RangeDialog, capacity_value
from desktop.views.inventory.tree import (
    LocationTreeModel,
    location_tree,
    node_title,
)
from desktop.views.inventory.units import RegisterDialog, UnitDetail, UnitTable, where_text
from scanners.scan import Scan


def occupancy_line(view: LocationView) -> str:
    parts = []
    if view.capacity_units is not None:
        pct = view.occupied_units * 100 // view.capacity_units if view.capacity_units else 100
        parts.append(_("{used} de {cap} unidades ({pct} %)").format(
            used=view.occupied_units, cap=view.capacity_units, pct=pct))  # fmt: skip
    else:
        parts.append(_("{used} unidades, sin límite").format(used=view.occupied_units))
    if view.capacity_cm is not None:
        parts.append(_("{used} de {cap} cm").format(used=view.occupied_cm, cap=view.capacity_cm))
    return " · ".join(parts)


class UnitDialog(QDialog):
    """A unit's detail in its own window (from a location's unit table)."""

    def __init__(self, session: Session, unit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Unidad"))
        self.resize(820, 560)
        self.detail = UnitDetail(session)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Cerrar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.detail, 1)
        layout.addWidget(buttons)
        self.detail.load(unit_id)


class LocationsView(View):
    """The Ubicaciones area.

    Signals:
        location_shown(LocationView): the detail pane now shows this location.
    """

    location_shown = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.current: LocationView | None = None
        self._select_unit: str | None = None
        self.model = LocationTreeModel(session, self)
        self.model.revealed.connect(self.select_index)
        self.model.children_loaded.connect(self._children_loaded)
        self.tree = location_tree(self.model)
        self.tree.selectionModel().currentChanged.connect(lambda cur, _prev: self._show(cur))
        self.scan_field = ScanField(self, _("Escanee una caja o carpeta para ver dónde está"))
        self.feedback = Feedback()
        manage = session.can(Permission.ORG_MANAGE)
        self.range_button = QPushButton(_("&Crear ubicaciones por rango…"))
        self.range_button.clicked.connect(self.open_range_dialog)
        self.range_button.setEnabled(manage)
        self.free_button = QPushButton(_("Buscar espacio &libre…"))
        self.free_button.clicked.connect(self.open_free_space)
        heading = QHBoxLayout()
        heading.addWidget(title_label(_("Ubicaciones")), 1)
        heading.addWidget(self.range_button)
        heading.addWidget(self.free_button)
        top = QHBoxLayout()
        top.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        top.addWidget(self.scan_field, 1)

        self.heading = title_label(_("Elija una ubicación"))
        self.level_label, self.barcode_label, self.occupancy_label = QLabel(), QLabel(), QLabel()
        self.capacity_units, self.capacity_cm = QLineEdit(), QLineEdit()
        for edit in (self.capacity_units, self.capacity_cm):
            edit.setValidator(QIntValidator(0, 1_000_000, edit))
            edit.setPlaceholderText(_("sin límite"))
            edit.setMaximumWidth(120)
            edit.setEnabled(manage)
        self.save_button = QPushButton(_("&Guardar capacidad"))
        self.save_button.clicked.connect(self.save_capacity)
        self.save_button.setEnabled(False)
        form = QFormLayout()
        form.addRow(_("Nivel:"), self.level_label)
        form.addRow(_("Código de barras:"), self.barcode_label)
        form.addRow(_("Ocupación:"), self.occupancy_label)
        capacity = QHBoxLayout()
        capacity.addWidget(self.capacity_units)
        capacity.addWidget(QLabel(_("unidades")))
        capacity.addWidget(self.capacity_cm)
        capacity.addWidget(QLabel(_("cm")))
        capacity.addWidget(self.save_button)
        capacity.addStretch(1)
        form.addRow(buddy_label(_("Ca&pacidad:"), self.capacity_units), capacity)
        self.units = UnitTable(session)
        self.units.unit_activated.connect(self.open_unit)
        self.units.model.page_loaded.connect(lambda _page: self._find_unit())
        self.register_button = QPushButton(_("&Registrar unidades aquí…"))
        self.register_button.clicked.connect(self.register_here)
        self.register_button.setEnabled(False)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        detail_layout.addWidget(self.heading)
        detail_layout.addLayout(form)
        units_title = QHBoxLayout()
        units_title.addWidget(QLabel(_("<b>Unidades en esta ubicación</b>")), 1)
        units_title.addWidget(self.register_button)
        detail_layout.addLayout(units_title)
        detail_layout.addWidget(self.units, 1)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(detail)
        splitter.setSizes([560, 640])
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(top)
        layout.addWidget(self.feedback)
        layout.addWidget(splitter, 1)
        self.feedback.show_message("info", _("Expanda el árbol o escanee una unidad."))

    # loading

    def reload(self) -> None:
        self.model.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.locations or changes.units:
            self.model.refresh()
            if self.current is not None:
                self._load_detail(self.current.id)

    def _children_loaded(self, parent: QModelIndex) -> None:
        if (
            not parent.isValid()
            and self.model.rowCount()
            and not self.tree.currentIndex().isValid()
        ):
            self.tree.setCurrentIndex(self.model.index(0, 0))

    def select_index(self, index: QModelIndex) -> None:
        if index.isValid() and shiboken6.isValid(self.tree):
            self.tree.scrollTo(index)
            self.tree.setCurrentIndex(index)
            self._find_unit()

    def _show(self, index: QModelIndex) -> None:
        view = self.model.location(index)
        if view is not None:
            self._display(view)
            self.units.show_location(view.id)

    def _load_detail(self, location_id: str) -> None:
        locations, actor = self.session.services.locations, self.session.actor
        self.session.run(lambda: locations.get(actor, location_id), on_done=self._display,
                         on_error=self._failed)  # fmt: skip
        self.units.refresh()

    def _display(self, view: LocationView) -> None:
        self.current = view
        self.heading.setText(f"{view.path} — {node_title(view)}")
        self.level_label.setText(_(view.level_name))
        self.barcode_label.setText(view.barcode)
        self.occupancy_label.setText(occupancy_line(view))
        for edit, value in (
            (self.capacity_units, view.capacity_units),
            (self.capacity_cm, view.capacity_cm),
        ):
            edit.setText("" if value is None else str(value))
        manage = self.session.can(Permission.ORG_MANAGE)
        self.save_button.setEnabled(manage)
        self.register_button.setEnabled(self.session.can(Permission.RECORDS_EDIT))
        self.location_shown.emit(view)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    # capacity

    def save_capacity(self) -> None:
        view = self.current
        if view is None:
            return
        locations, actor = self.session.services.locations, self.session.actor
        units, cm = (
            capacity_value(self.capacity_units.text()),
            capacity_value(self.capacity_cm.text()),
        )
        self.session.run(
            lambda: locations.update(actor, view.id, capacity_units=units, capacity_cm=cm,
                                     clear_capacity=True, expected_version=view.version),
            on_done=lambda changes: self.session.publish(changes | Changes(audit=True)),
            on_error=self._failed,
        )  # fmt: skip

    # scans

    def handle_scan(self, scan: Scan) -> bool:
        value = scan.value
        if looks_like_legajo_barcode(value) and value[0] == BarcodeKind.UBICACION.value:
            index = self.model.find_loaded(lambda v: v.barcode == value)
            if index.isValid():
                self.select_index(index)
                self.feedback.show_message("ok", self.model.location(index).path)  # type: ignore[union-attr]
            else:
                self.feedback.show_message("warn", _(
                    "La ubicación {code} no está en las ramas abiertas del árbol: ábralas o "
                    "escanee una unidad que esté allí.").format(code=value))  # fmt: skip
            return True
        units, actor = self.session.services.units, self.session.actor
        self.session.run(lambda: units.by_scan(actor, value), on_done=self._unit_found,
                         on_error=lambda e: self.feedback.show_message("error", e))  # fmt: skip
        return True

    def _unit_found(self, unit: UnitView) -> None:
        self.feedback.show_message("ok", f"{unit.barcode}: {where_text(unit)}")
        if unit.location_path:
            self._select_unit = unit.parent_barcode or unit.barcode
            self.model.reveal(unit.location_path)

    def _find_unit(self) -> None:
        """Select the unit a scan asked for, once its row has loaded."""
        wanted = self._select_unit
        if not wanted:
            return
        model = self.units.model
        for row in range(model.rowCount()):
            values = model.values_at(row)
            if values is not None and values["barcode"] == wanted:
                self._select_unit = None
                self.units.table.selectRow(row)
                return

    # dialogs

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def open_unit(self, unit_id: str) -> None:
        self._open(UnitDialog(self.session, unit_id, self))

    def open_range_dialog(self) -> None:
        locations = self.session.services.locations
        self.session.run(locations.levels, on_done=self._open_range, on_error=self._failed)

    def _open_range(self, levels: list[LevelView]) -> None:
        dialog = RangeDialog(self.session, levels, self.current, self)
        dialog.created.connect(lambda n: self.feedback.show_message(
            "ok", _("{n} ubicaciones creadas.").format(n=fmt_count(n))))  # fmt: skip
        self._open(dialog)

    def open_free_space(self) -> None:
        units = self.session.services.units
        self.session.run(units.types, on_done=self._open_free, on_error=self._failed)

    def _open_free(self, types: list[UnitTypeView]) -> None:
        dialog = FreeSpaceDialog(self.session, types, self.current, self)
        dialog.chosen.connect(lambda view: self.model.reveal(view.path))
        self._open(dialog)

    def register_here(self) -> None:
        units, org, here = self.session.services.units, self.session.services.org, self.current
        self.session.run(lambda: (units.types(), org.list_dependencias(include_inactive=False)),
                         on_done=lambda data: self._open_register(here, *data),
                         on_error=self._failed)  # fmt: skip

    def _open_register(self, here: LocationView | None, types: list[Any], deps: list[Any]) -> None:
        dialog = RegisterDialog(self.session, types, deps, here, self)
        dialog.registered.connect(lambda made: info(
            self, _("Registrar unidades"),
            _("{n} unidades registradas en {path}.").format(n=len(made), path=here.path if here else "—"),
            sink=self.session.sink))  # fmt: skip
        self._open(dialog)
