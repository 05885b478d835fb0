"""Unidades: cajas, carpetas and other units. A lazy table of the units at a location or inside a
box (reused by Ubicaciones), the detail of one unit with its chain of custody and its incidents,
registration of new units with fresh label barcodes, and the inventory export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import LOCAL_TZ, format_datetime
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.incidents import IncidentView
from archive.services.inventory_export import export_inventory
from archive.services.units import MovementView, UnitView
from desktop.lazy_model import ID_ROLE, Column, LazyTableModel
from desktop.messages import info, show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, error_label, hint_label, primary_button, show_inline, title_label
from desktop.views.inventory.bulk import BulkOps
from desktop.views.inventory.common import (
    UNIT_STATES,
    Feedback,
    RowsModel,
    buddy_label,
    fmt_count,
    fmt_folios,
    named,
    selected_rows,
    setup_table,
)
from desktop.views.inventory.incidents import OpenIncidentDialog, incident_row, incident_table
from scanners.scan import Scan

UNIT_COLUMNS = [
    Column("barcode", N_("Código de barras")),
    Column("type", N_("Tipo")),
    Column("number", N_("Número")),
    Column("dependencia", N_("Dependencia")),
    Column("expediente", N_("Expediente")),
    Column("folios", N_("Folios")),
    Column("where", N_("Ubicación")),
    Column("status", N_("Estado"), formatter=named(UNIT_STATES)),
]
METHODS = {
    "scan": N_("escaneo"), "manual": N_("manual"), "collector": N_("colector"),
    "bulk": N_("lote"), "count": N_("conteo"), "revert": N_("reversión"), "register": N_("registro"),
}  # fmt: skip
HISTORY_COLUMNS = [
    Column("at", N_("Fecha y hora"), formatter=format_datetime),
    Column("username", N_("Usuario")),
    Column("method", N_("Cómo"), formatter=named(METHODS)),
    Column("from", N_("Desde")),
    Column("to", N_("Hacia")),
    Column("note", N_("Nota")),
]


def carpeta_text(u: UnitView) -> str:
    """``2020-001 (carpeta 2 de 3)``, or the expediente number alone."""
    if not u.expediente_number:
        return ""
    if u.sequence and u.sequence_of:
        return _("{number} (carpeta {n} de {of})").format(
            number=u.expediente_number, n=u.sequence, of=u.sequence_of
        )
    return u.expediente_number


def where_text(u: UnitView) -> str:
    if u.parent_barcode:
        return _("{path} (en la caja {box})").format(
            path=u.location_path or "—", box=u.parent_barcode
        )
    return u.location_path or _("sin ubicación")


def unit_row(u: UnitView) -> dict[str, Any]:
    return {
        "barcode": u.barcode, "type": _(u.type_name), "number": u.number,
        "dependencia": u.dependencia_code or "", "expediente": carpeta_text(u),
        "folios": fmt_folios(u.folio_first, u.folio_last), "where": where_text(u),
        "status": u.status, "view": u,
    }  # fmt: skip


def movement_row(m: MovementView) -> dict[str, Any]:
    return {
        "at": m.at, "username": m.username, "method": m.method,
        "from": m.from_container or m.from_path or "—", "to": m.to_container or m.to_path or "—",
        "note": (_("sobrecupo") + (f" · {m.note}" if m.note else "")) if m.over_capacity else m.note,
    }  # fmt: skip


class UnitTable(QWidget):
    """The units standing at a location or inside a box, loaded lazily, with bulk moves.

    Signals:
        unit_activated(str): Enter or double click on a unit; its id.
        loaded(int): the list was (re)loaded; how many units.
    """

    unit_activated = Signal(str)
    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        units, actor = session.services.units, session.actor
        self._query: Callable[[], list[str]] | None = None
        self.model = LazyTableModel(
            session.runner, UNIT_COLUMNS,
            lambda ids: {i: unit_row(units.get(actor, str(i))) for i in ids}, parent=self,
        )  # fmt: skip
        self.model.ids_reset.connect(self._ids_reset)
        self.table = setup_table(
            QTableView(), self.model, (150, 100, 75, 110, 170, 70, 230), multi=True
        )
        self.table.activated.connect(lambda index: self.unit_activated.emit(index.data(ID_ROLE)))
        self.bulk = BulkOps(session, self)
        self.move_button = QPushButton(_("&Mover seleccionadas…"))
        self.move_button.clicked.connect(self.move_selected)
        self.move_button.setEnabled(session.can(Permission.INVENTORY_MOVE))
        self.count = hint_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.move_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_location(self, location_id: str | None) -> None:
        units, actor = self.session.services.units, self.session.actor
        if location_id is None:
            self._set_query(None)
        else:
            self._set_query(lambda: [u.id for u in units.at_location(actor, location_id)])

    def show_box(self, unit_id: str) -> None:
        units, actor = self.session.services.units, self.session.actor
        self._set_query(lambda: [u.id for u in units.contents(actor, unit_id)])

    def _set_query(self, query: Callable[[], list[str]] | None) -> None:
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        if self._query is None:
            self.model.set_ids([])
            return
        query = self._query
        self.model.reset_query(lambda _ctx: query(), on_error=self._failed)

    def _ids_reset(self, count: int) -> None:
        self.count.setText(_("{n} unidades").format(n=fmt_count(count)))
        self.loaded.emit(count)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    def selected_ids(self) -> list[str]:
        return [str(self.model.id_at(row)) for row in selected_rows(self.table)]

    def move_selected(self) -> None:
        rows = selected_rows(self.table)
        before: dict[str, str] = {}
        for row in rows:
            values = self.model.values_at(row)
            if values is not None:
                before[str(self.model.id_at(row))] = values["where"]
        self.bulk.move_units([str(self.model.id_at(r)) for r in rows], before)


class UnitDetail(QWidget):
    """One unit: its data, contents (cajas), chain of custody and incidents.

    Signals:
        shown(UnitView): a unit was loaded into the pane.
    """

    shown = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.unit: UnitView | None = None
        self.dialog: QDialog | None = None
        self.heading = title_label(_("Ninguna unidad"))
        self.fields: dict[str, QLabel] = {}
        data = QWidget()
        form = QFormLayout(data)
        for key, label in (("barcode", N_("Código de barras")), ("type", N_("Tipo")),
                           ("number", N_("Número")), ("dependencia", N_("Dependencia")),
                           ("where", N_("Ubicación")), ("home", N_("Ubicación habitual")),
                           ("expediente", N_("Expediente")), ("folios", N_("Folios")),
                           ("status", N_("Estado")), ("children", N_("Contenido"))):  # fmt: skip
            value = QLabel()
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(_(label) + ":", value)
        self.contents = UnitTable(session)
        self.history_model = RowsModel(HISTORY_COLUMNS, self)
        self.history = setup_table(QTableView(), self.history_model, (155, 90, 90, 190, 190))
        self.incidents, self.incident_model = incident_table()
        self.tabs = QTabWidget()
        self.tabs.addTab(data, _("&Datos"))
        self.tabs.addTab(self.contents, _("C&ontenido"))
        self.tabs.addTab(self.history, _("&Historial"))
        self.tabs.addTab(self.incidents, _("&Novedades"))
        self.incident_button = QPushButton(_("Nueva no&vedad…"))
        self.incident_button.clicked.connect(self.open_incident)
        self.folios_button = QPushButton(_("&Folios…"))
        self.folios_button.clicked.connect(self.edit_folios)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.folios_button)
        buttons.addWidget(self.incident_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._update()

    def load(self, unit_id: str) -> None:
        units, incidents, actor = (self.session.services.units, self.session.services.incidents,
                                   self.session.actor)  # fmt: skip
        self.session.run(
            lambda: (units.get(actor, unit_id), units.history(actor, unit_id),
                     incidents.list(actor, unit_id=unit_id)),
            on_done=self._loaded, on_error=self._failed, owner=self,
        )  # fmt: skip

    def reload(self) -> None:
        if self.unit is not None:
            self.load(self.unit.id)

    def _loaded(self, data: tuple[UnitView, list[MovementView], list[IncidentView]]) -> None:
        unit, history, incidents = data
        self.unit = unit
        row = unit_row(unit)
        self.heading.setText(f"{_(unit.type_name)} {unit.number}".strip() + f" — {unit.barcode}")
        values = {**row, "status": named(UNIT_STATES)(unit.status), "home": unit.home_path or "—",
                  "children": _("{n} unidades").format(n=unit.children) if unit.kind == "caja" else "—"}  # fmt: skip
        for key, label in self.fields.items():
            label.setText(str(values.get(key) or "—"))
        self.history_model.set_rows([movement_row(m) for m in reversed(history)])
        self.incident_model.set_rows([incident_row(i) for i in incidents])
        self.tabs.setTabText(3, _("&Novedades ({n})").format(n=len(incidents)))
        if unit.kind == "caja":
            self.contents.show_box(unit.id)
        else:
            self.contents.show_location(None)
        self._update()
        self.shown.emit(unit)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    def _update(self) -> None:
        unit, edit = self.unit, self.session.can(Permission.RECORDS_EDIT)
        self.tabs.setTabEnabled(1, unit is not None and unit.kind == "caja")
        self.incident_button.setEnabled(unit is not None and edit)
        self.folios_button.setEnabled(unit is not None and edit and unit.kind == "carpeta")

    def open_incident(self) -> None:
        if self.unit is not None:
            self._open(OpenIncidentDialog(self.session, self.unit.barcode, self))

    def edit_folios(self) -> None:
        if self.unit is not None:
            self._open(FoliosDialog(self.session, self.unit, self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


class FoliosDialog(QDialog):
    """First and last folio of a carpeta (foliation continues across an expediente)."""

    def __init__(self, session: Session, unit: UnitView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session, self._unit = session, unit
        self.setWindowTitle(_("Folios de {barcode}").format(barcode=unit.barcode))
        self.first, self.last = QSpinBox(), QSpinBox()
        for spin, value in ((self.first, unit.folio_first), (self.last, unit.folio_last)):
            spin.setRange(1, 100_000)
            spin.setValue(value or 1)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("Folio &inicial:"), self.first)
        form.addRow(_("Folio &final:"), self.last)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Guardar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def submit(self) -> None:
        units, actor, unit_id = self._session.services.units, self._session.actor, self._unit.id
        first, last = self.first.value(), self.last.value()
        self._session.run(lambda: units.set_folios(actor, unit_id, first, last),
                          on_done=lambda _u: self._saved(),
                          on_error=lambda e: show_inline(self.error, e), owner=self)  # fmt: skip

    def _saved(self) -> None:
        self.accept()
        self._session.publish(Changes(units=True, records=True, audit=True))


class RegisterDialog(QDialog):
    """Register new units, each with a new label barcode (or one with an external barcode).

    Signals:
        registered(list): the new :class:`UnitView` objects.
    """

    registered = Signal(list)

    def __init__(self, session: Session, types: list[Any], deps: list[Any],
                 location: Any = None, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._session = session
        self._location = location
        self.setWindowTitle(_("Registrar unidades"))
        self.setMinimumWidth(520)
        self.type = QComboBox()
        for t in types:
            self.type.addItem(f"{t.code} — {_(t.name)}", t.code)
        self.count = QSpinBox()
        self.count.setRange(1, 10_000)
        self.number = QLineEdit()
        self.number.setPlaceholderText(_("opcional, p. ej. 1"))
        self.dependencia = QComboBox()
        self.dependencia.addItem(_("(ninguna)"), None)
        for dep in deps:
            self.dependencia.addItem("    " * dep.depth + f"{dep.code} — {dep.name}", dep.code)
        self.box = QLineEdit()
        self.box.setPlaceholderText(_("código de la caja, si van dentro de una"))
        self.external = QLineEdit()
        self.external.setPlaceholderText(_("solo para una unidad con rótulo heredado"))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("&Tipo:"), self.type)
        form.addRow(_("&Cantidad:"), self.count)
        form.addRow(_("&Número inicial:"), self.number)
        form.addRow(_("&Dependencia:"), self.dependencia)
        form.addRow(_("Ubicación:"), QLabel(location.path if location else _("sin ubicación")))
        form.addRow(_("Dentro de la ca&ja:"), self.box)
        form.addRow(_("Código &externo:"), self.external)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("&Registrar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def submit(self) -> None:
        number = self.number.text().strip()
        if number and not number.isdigit():
            show_inline(self.error, _("El número inicial debe ser un número entero."))
            return
        units, actor = self._session.services.units, self._session.actor
        options = {
            "type_code": self.type.currentData(), "count": self.count.value(),
            "number_start": int(number) if number else None,
            "dependencia_code": self.dependencia.currentData(),
            "location_id": self._location.id if self._location and not self.box.text().strip() else None,
            "parent_barcode": self.box.text().strip() or None,
            "external_barcode": self.external.text().strip() or None,
        }  # fmt: skip
        self.ok_button.setEnabled(False)
        self._session.run(lambda: units.register(actor, **options), on_done=self._done,
                          on_error=self._failed, owner=self,
                          progress=self, label=_("Registrando unidades…"))  # fmt: skip

    def _done(self, made: list[UnitView]) -> None:
        self.accept()
        self._session.publish(Changes(units=True, locations=True, audit=True))
        self.registered.emit(made)

    def _failed(self, error: LegajoError) -> None:
        self.ok_button.setEnabled(True)
        show_inline(self.error, error)


class UnitsView(View):
    """The Unidades area: scan a unit to see it; register units; export the inventory.

    Signals:
        exported(int): the inventory export finished; how many rows.
    """

    exported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.scan_field = ScanField(self, _("Escanee una caja o carpeta para ver su detalle"))
        self.feedback = Feedback()
        self.detail = UnitDetail(session)
        self.register_button = primary_button(_("&Registrar unidades…"))
        self.register_button.clicked.connect(self.register_units)
        self.register_button.setEnabled(session.can(Permission.RECORDS_EDIT))
        self.export_button = QPushButton(_("E&xportar inventario…"))
        self.export_button.clicked.connect(self.choose_export_file)
        heading = QHBoxLayout()
        heading.addWidget(title_label(_("Unidades")), 1)
        heading.addWidget(self.register_button)
        heading.addWidget(self.export_button)
        top = QHBoxLayout()
        top.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        top.addWidget(self.scan_field, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(top)
        layout.addWidget(self.feedback)
        layout.addWidget(self.detail, 1)
        self.feedback.show_message("info", _("Escanee una caja o carpeta."))

    def on_changes(self, changes: Changes) -> None:
        if changes.units or changes.incidents or changes.locations:
            self.detail.reload()

    def handle_scan(self, scan: Scan) -> bool:
        units, actor, value = self.session.services.units, self.session.actor, scan.value
        self.session.run(lambda: units.by_scan(actor, value), on_done=self._found,
                         on_error=lambda e: self.feedback.show_message("error", e))  # fmt: skip
        return True

    def _found(self, unit: UnitView) -> None:
        self.feedback.show_message("ok", f"{_(unit.type_name)} {unit.barcode} · {where_text(unit)}")
        self.detail.load(unit.id)

    def register_units(self) -> None:
        units, org = self.session.services.units, self.session.services.org
        self.session.run(lambda: (units.types(), org.list_dependencias(include_inactive=False)),
                         on_done=lambda data: self._open_register(*data))  # fmt: skip

    def _open_register(self, types: list[Any], deps: list[Any]) -> None:
        dialog = RegisterDialog(self.session, types, deps, parent=self)
        dialog.registered.connect(self._registered)
        self._open(dialog)

    def _registered(self, made: list[UnitView]) -> None:
        codes = made[0].barcode if len(made) == 1 else f"{made[0].barcode} … {made[-1].barcode}"
        self.feedback.show_message(
            "ok", _("{n} unidades registradas: {codes}").format(n=len(made), codes=codes)
        )
        self.detail.load(made[0].id)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def choose_export_file(self) -> None:
        dialog = QFileDialog(self, _("Exportar inventario"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(
            [_("Libro de Excel (*.xlsx)"), _("CSV separado por punto y coma (*.csv)")]
        )
        dialog.setDefaultSuffix("xlsx")
        dialog.filterSelected.connect(
            lambda name: dialog.setDefaultSuffix("csv" if "*.csv" in name else "xlsx")
        )
        today = self.session.services.rt.now().astimezone(LOCAL_TZ)
        dialog.selectFile(_("inventario-{date}").format(date=today.strftime("%Y%m%d")))
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        self._open(dialog)

    def export_to(self, path: Path) -> None:
        rt, actor = self.session.services.rt, self.session.actor
        self.session.run_ctx(
            lambda ctx: export_inventory(rt, actor, path, progress=ctx.progress, cancelled=ctx.cancelled),
            on_done=lambda n: self._exported(path, n), on_error=self._job_failed,
            owner=self, progress=self, label=_("Exportando el inventario…"), cancellable=True,
        )  # fmt: skip

    def _exported(self, path: Path, count: int) -> None:
        info(self, _("Exportar inventario"),
             _("Se exportaron {n} unidades a {file}.").format(n=fmt_count(count), file=path),
             sink=self.session.sink)  # fmt: skip
        self.exported.emit(count)

    def _job_failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)
