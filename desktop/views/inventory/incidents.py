"""Novedades: incidents on units (deterioro, biodeterioro, faltante, folios incompletos…), with
filters by state and kind; open one by scanning the unit, close it with how it was resolved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.incidents import INCIDENT_KINDS, IncidentView
from desktop.lazy_model import Column
from desktop.messages import show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, error_label, hint_label, primary_button, show_inline, title_label
from desktop.views.inventory.common import (
    INCIDENT_STATES,
    RowsModel,
    buddy_label,
    fmt_count,
    named,
    selected_rows,
    setup_table,
)
from scanners.scan import Scan

COLUMNS = [
    Column("opened_at", N_("Abierta"), formatter=format_datetime),
    Column("unit_barcode", N_("Unidad")),
    Column("kind", N_("Tipo"), formatter=named(INCIDENT_KINDS)),
    Column("description", N_("Descripción")),
    Column("state", N_("Estado"), formatter=named(INCIDENT_STATES)),
    Column("opened_by", N_("Por")),
    Column("closed_at", N_("Cerrada"), formatter=format_datetime),
    Column("resolution", N_("Resolución")),
]


def incident_row(i: IncidentView) -> dict[str, Any]:
    return {
        "opened_at": i.opened_at, "unit_barcode": i.unit_barcode, "kind": i.kind,
        "description": i.description, "state": i.state, "opened_by": i.opened_by,
        "closed_at": i.closed_at, "resolution": i.resolution, "view": i,
    }  # fmt: skip


def incident_table(parent: QWidget | None = None) -> tuple[QTableView, RowsModel]:
    table = QTableView(parent)
    model = RowsModel(COLUMNS, table)
    setup_table(table, model, (155, 135, 190, 240, 80, 90, 155))
    return table, model


class OpenIncidentDialog(QDialog):
    """Record an incident on a unit; scanning a label while open fills in the unit.

    Signals:
        opened(str): the incident was recorded; its id.
    """

    opened = Signal(str)

    def __init__(self, session: Session, barcode: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle(_("Nueva novedad"))
        self.setMinimumWidth(520)
        self.unit = QLineEdit(barcode)
        self.unit.setPlaceholderText(_("Escanee o escriba el código de la unidad"))
        self.kind = QComboBox()
        for code, name in INCIDENT_KINDS.items():
            self.kind.addItem(_(name), code)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("&Unidad:"), self.unit)
        form.addRow(_("&Tipo:"), self.kind)
        form.addRow(_("&Descripción:"), self.description)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("&Registrar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.kind if barcode else self.unit).setFocus()

    def handle_scan(self, scan: Scan) -> bool:
        self.unit.setText(scan.value)
        self.kind.setFocus()
        return True

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        incidents, actor = self._session.services.incidents, self._session.actor
        unit, kind = self.unit.text(), self.kind.currentData()
        text = self.description.toPlainText()
        self.ok_button.setEnabled(False)
        self._session.run(
            lambda: incidents.open(actor, unit, kind, text),
            on_done=self._opened, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _opened(self, incident_id: str) -> None:
        self.accept()
        self._session.publish(Changes(incidents=True, audit=True))
        self.opened.emit(incident_id)

    def _failed(self, error: LegajoError) -> None:
        self.ok_button.setEnabled(True)
        show_inline(self.error, error)


class CloseIncidentDialog(QDialog):
    """Close an incident, saying how it was resolved.

    Signals:
        closed(str): the incident id.
    """

    closed = Signal(str)

    def __init__(
        self, session: Session, incident: IncidentView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._incident = incident
        self.setWindowTitle(_("Cerrar novedad"))
        self.setMinimumWidth(520)
        self.resolution = QPlainTextEdit()
        self.resolution.setTabChangesFocus(True)
        self.resolution.setFixedHeight(90)
        self.error = error_label()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            _("C&errar novedad"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("{kind} en {unit}: {text}").format(
            kind=_(INCIDENT_KINDS.get(incident.kind, incident.kind)), unit=incident.unit_barcode,
            text=incident.description or "—")))  # fmt: skip
        layout.addWidget(buddy_label(_("&Resolución:"), self.resolution))
        layout.addWidget(self.resolution)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resolution.setFocus()

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        incidents, actor, incident_id = (self._session.services.incidents, self._session.actor,
                                         self._incident.id)  # fmt: skip
        text = self.resolution.toPlainText()
        self.ok_button.setEnabled(False)
        self._session.run(
            lambda: incidents.close(actor, incident_id, text),
            on_done=lambda _r: self._closed(), on_error=self._failed, owner=self,
        )  # fmt: skip

    def _closed(self) -> None:
        self.accept()
        self._session.publish(Changes(incidents=True, audit=True))
        self.closed.emit(self._incident.id)

    def _failed(self, error: LegajoError) -> None:
        self.ok_button.setEnabled(True)
        show_inline(self.error, error)


class IncidentsView(View):
    """The Novedades area.

    Signals:
        loaded(int): the list was (re)loaded; how many incidents match the filters.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.state_filter = QComboBox()
        self.state_filter.addItem(_("Abiertas"), "abierta")
        self.state_filter.addItem(_("Cerradas"), "cerrada")
        self.state_filter.addItem(_("(todas)"), "")
        self.kind_filter = QComboBox()
        self.kind_filter.setMinimumContentsLength(16)
        self.kind_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_filter.addItem(_("(todos)"), "")
        for code, name in INCIDENT_KINDS.items():
            self.kind_filter.addItem(_(name), code)
        for combo in (self.state_filter, self.kind_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.scan_field = ScanField(self, _("Escanee una unidad para registrar una novedad"))
        filters = QHBoxLayout()
        for text, widget in ((_("&Estado:"), self.state_filter), (_("&Tipo:"), self.kind_filter)):
            filters.addWidget(buddy_label(text, widget))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        filters.addWidget(self.scan_field)

        self.table, self.model = incident_table()
        self.table.activated.connect(lambda _i: self.close_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        edit = session.can(Permission.RECORDS_EDIT)
        self.open_button = primary_button(_("&Nueva novedad…"))
        self.open_button.clicked.connect(lambda: self.open_incident())
        self.close_button = QPushButton(_("&Cerrar novedad…"))
        self.close_button.clicked.connect(self.close_selected)
        self.open_button.setEnabled(edit)
        self.count = hint_label()
        self.banner = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Novedades")))
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def reload(self) -> None:
        incidents, actor = self.session.services.incidents, self.session.actor
        state, kind = self.state_filter.currentData(), self.kind_filter.currentData()
        self.session.run(lambda: incidents.list(actor, state=state, kind=kind),
                         on_done=self._listed, on_error=self._failed)  # fmt: skip

    def on_changes(self, changes: Changes) -> None:
        if changes.incidents:
            self.reload()

    def _listed(self, rows: list[IncidentView]) -> None:
        show_inline(self.banner, None)
        self.model.set_rows([incident_row(i) for i in rows])
        self.count.setText(_("{n} novedades").format(n=fmt_count(len(rows))))
        self._update_buttons()
        self.loaded.emit(len(rows))

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_inline(self.banner, error)
            show_error(self, error, sink=self.session.sink)

    def selected(self) -> IncidentView | None:
        rows = selected_rows(self.table)
        return self.model.row(rows[0])["view"] if rows else None

    def _update_buttons(self) -> None:
        incident = self.selected()
        self.close_button.setEnabled(
            incident is not None and incident.state == "abierta"
            and self.session.can(Permission.RECORDS_EDIT)
        )  # fmt: skip

    def handle_scan(self, scan: Scan) -> bool:
        if not self.session.can(Permission.RECORDS_EDIT):
            return False
        self.open_incident(scan.value)
        return True

    def open_incident(self, barcode: str = "") -> None:
        self._open(OpenIncidentDialog(self.session, barcode, self))

    def close_selected(self) -> None:
        incident = self.selected()
        if incident is not None and incident.state == "abierta":
            self._open(CloseIncidentDialog(self.session, incident, self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
