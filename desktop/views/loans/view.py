"""Préstamos: the loans list (lazy, filtered by state, dependencia and requester; overdue ones
in red), and the actions on it — request, lend (a request, or directly), receive a return,
renew, reject or cancel, print the testigo (out-card). Scanning a unit here receives it back
(archive staff) or asks for it (a Usuario de dependencia, who sees only its own requests)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import format_date, format_datetime
from archive.i18n import N_, _
from archive.services.label_data import LabelRecord
from archive.services.labels import Selection
from archive.services.loans import STATES, LoanFilter, LoanResult, LoanRow
from desktop.lazy_model import RIGHT, Column, LazyTableModel
from desktop.messages import show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, hint_label, open_dialog, primary_button, title_label
from desktop.views.inventory.common import (
    Feedback,
    buddy_label,
    fmt_count,
    named,
    selected_rows,
    setup_table,
)
from desktop.views.labels.output import Job, Rendered, render_job
from desktop.views.loans.dialogs import (
    LendDialog,
    LoanDialog,
    ReasonDialog,
    RequestDialog,
    ReturnDialog,
    dependencia_combo,
)
from reports.labels import default_template
from reports.labels.jobs import resolve_medium
from scanners.scan import Scan

OVERDUE_COLOR = "#a4262c"
TESTIGO_MEDIUM = "a4-1x2"
FILTERS = (
    ("abiertos", N_("Abiertos")),
    ("solicitado", N_("Solicitados")),
    ("prestado", N_("Prestados")),
    ("vencidos", N_("Vencidos")),
    ("devuelto", N_("Devueltos")),
    ("", N_("(todos)")),
)
COLUMNS = [
    Column("unit", N_("Unidad")),
    Column("expediente", N_("Expediente")),
    Column("dependencia", N_("Dependencia")),
    Column("requester", N_("Solicitante")),
    Column("state", N_("Estado"), formatter=named(STATES)),
    Column("requested_at", N_("Solicitado"), formatter=format_datetime),
    Column("lent_at", N_("Prestado"), formatter=format_datetime),
    Column("due_on", N_("Vence"), formatter=lambda d: format_date(d, empty="")),
    Column("renewals", N_("Renov."), align=RIGHT),
    Column("purpose", N_("Para qué")),
]


def loan_values(r: LoanRow) -> dict[str, Any]:
    unit = r.unit_barcode + (f" ({r.unit_number})" if r.unit_number else "")
    exp = f"{r.expediente_number} {r.expediente_title or ''}".strip() if r.expediente_number else ""
    return {"unit": unit, "expediente": exp, "dependencia": r.dependencia_code, "requester": r.requester_name,
            "state": r.state, "requested_at": r.requested_at, "lent_at": r.lent_at, "due_on": r.due_on,
            "renewals": r.renewals, "purpose": r.purpose, "overdue": r.overdue, "row": r}  # fmt: skip


class LoansModel(LazyTableModel):
    """The lazy loans table; overdue loans are painted red (from loaded values, never fetching)."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            values = self.values_at(index.row())
            if values is not None and values.get("overdue"):
                return QBrush(QColor(OVERDUE_COLOR))
        return super().data(index, role)


class LoansView(View):
    """The Préstamos area.

    Signals:
        loaded(int): the list was (re)loaded; how many loans match the filters.
        testigo_saved(str): a testigo PDF was written; its path.
    """

    loaded = Signal(int)
    testigo_saved = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.manager = session.can(Permission.LOANS_MANAGE)
        loans, actor = session.services.loans, session.actor
        self.state_filter = QComboBox()
        for key, title in FILTERS:
            self.state_filter.addItem(_(title), key)
        self.dependencia_filter = dependencia_combo(session, "", (_("(todas)"), ""))
        self.requester_filter = QLineEdit()
        self.requester_filter.setPlaceholderText(_("Nombre o usuario"))
        self.requester_filter.setClearButtonEnabled(True)
        self.state_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.dependencia_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.requester_filter.returnPressed.connect(self.reload)
        hint = _("Escanee una unidad para recibirla") if self.manager else _("Escanee una unidad para solicitarla")
        self.scan_field = ScanField(self, hint)
        filters = QHBoxLayout()
        widgets: list[tuple[str, QWidget]] = [(_("&Estado:"), self.state_filter)]
        if self.manager:
            widgets += [(_("&Dependencia:"), self.dependencia_filter), (_("Solicita&nte:"), self.requester_filter)]
        else:
            self.dependencia_filter.hide()
            self.requester_filter.hide()
        for text, widget in (*widgets, (_("E&scanear:"), self.scan_field)):
            filters.addWidget(buddy_label(text, widget))
            filters.addWidget(widget)
        filters.insertStretch(filters.count() - 2, 1)

        self.model = LoansModel(session.runner, COLUMNS,
                                lambda ids: {r.id: loan_values(r) for r in loans.rows(actor, [str(i) for i in ids])},
                                parent=self)  # fmt: skip
        self.model.ids_reset.connect(self._ids_reset)
        self.table = setup_table(QTableView(), self.model, (170, 220, 90, 160, 90, 130, 130, 90, 55, 200))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.page_loaded.connect(lambda _p: self._update_buttons())
        self.feedback = Feedback()
        self.count = hint_label()

        self.request_button = primary_button(_("S&olicitar…")) if not self.manager else QPushButton(_("S&olicitar…"))
        self.lend_button = primary_button(_("&Prestar…")) if self.manager else QPushButton(_("&Prestar…"))
        self.return_button = QPushButton(_("&Recibir devolución…"))
        self.renew_button = QPushButton(_("Reno&var"))
        self.reject_button = QPushButton(_("Rec&hazar…"))
        self.cancel_button = QPushButton(_("&Cancelar solicitud…"))
        self.testigo_button = QPushButton(_("Imprimir &testigo…"))
        self.request_button.clicked.connect(lambda: self.request())
        self.lend_button.clicked.connect(self.lend)
        self.return_button.clicked.connect(lambda: self.receive())
        self.renew_button.clicked.connect(self.renew)
        self.reject_button.clicked.connect(lambda: self.close_request(reject=True))
        self.cancel_button.clicked.connect(lambda: self.close_request(reject=False))
        self.testigo_button.clicked.connect(self.print_testigo)
        buttons = QHBoxLayout()
        for b in (self.request_button, self.lend_button, self.return_button, self.renew_button, self.reject_button,
                  self.cancel_button, self.testigo_button):  # fmt: skip
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        for b in (self.lend_button, self.return_button, self.renew_button, self.reject_button, self.testigo_button):
            b.setVisible(self.manager)
        self.request_button.setVisible(session.can(Permission.LOANS_REQUEST))

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Préstamos")))
        layout.addLayout(filters)
        layout.addWidget(self.feedback)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # loading

    def current_filter(self) -> LoanFilter:
        state = str(self.state_filter.currentData())
        overdue = state == "vencidos"
        return LoanFilter("prestado" if overdue else state, overdue, str(self.dependencia_filter.currentData() or ""),
                          self.requester_filter.text())  # fmt: skip

    def reload(self) -> None:
        loans, actor, f = self.session.services.loans, self.session.actor, self.current_filter()
        self.model.reset_query(lambda _ctx: loans.ids(actor, f), on_error=self._failed)

    def on_changes(self, changes: Any) -> None:
        if changes.org:
            self.dependencia_filter.reload()
        if changes.loans:
            self.reload()

    def _ids_reset(self, count: int) -> None:
        self.count.setText(_("{n} préstamos").format(n=fmt_count(count)))
        self._update_buttons()
        self.loaded.emit(count)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            self.feedback.show_message("error", error)
            show_error(self, error, sink=self.session.sink)

    def selected(self) -> LoanRow | None:
        rows = selected_rows(self.table)
        values = self.model.values_at(rows[0]) if rows else None
        return values["row"] if values else None

    def _update_buttons(self) -> None:
        row = self.selected()
        state = row.state if row else ""
        mine = row is not None and row.requester_id == self.session.actor.user_id
        self.return_button.setEnabled(self.manager)
        self.renew_button.setEnabled(self.manager and state == "prestado")
        self.reject_button.setEnabled(self.manager and state == "solicitado")
        self.cancel_button.setEnabled(state == "solicitado" and (mine or self.manager))
        self.testigo_button.setEnabled(state == "prestado" and self.session.can(Permission.LABELS_PRINT))

    # scans and actions

    def handle_scan(self, scan: Scan) -> bool:
        if self.manager:
            self.receive(scan.value)
            return True
        if self.session.can(Permission.LOANS_REQUEST):
            self.request(scan.value)
            return True
        return False

    def request(self, barcode: str = "") -> None:
        self._open(RequestDialog(self.session, barcode, self))

    def lend(self) -> None:
        """Lend the selected request; with none selected, lend a unit directly."""
        row = self.selected()
        if row is None or row.state != "solicitado":
            self._open(LendDialog(self.session, "", self))
            return
        loans, actor, loan_id = self.session.services.loans, self.session.actor, row.id
        self._call(lambda: loans.lend(actor, loan_id))

    def receive(self, barcode: str = "") -> None:
        if not barcode:
            row = self.selected()
            barcode = row.unit_barcode if row is not None and row.state == "prestado" else ""
        self._open(ReturnDialog(self.session, barcode, self))

    def renew(self) -> None:
        row = self.selected()
        if row is not None and row.state == "prestado":
            loans, actor, loan_id = self.session.services.loans, self.session.actor, row.id
            self._call(lambda: loans.renew(actor, loan_id))

    def close_request(self, *, reject: bool) -> None:
        row = self.selected()
        if row is not None and row.state == "solicitado":
            what = _("{unit} — {name}: {purpose}").format(unit=row.unit_barcode, name=row.requester_name, purpose=row.purpose)
            self._open(ReasonDialog(self.session, row.id, what, reject=reject, parent=self))

    def _call(self, fn: Any) -> None:
        self.session.run(fn, on_done=self._done, on_error=lambda e: self.feedback.show_message("error", e))

    def _open(self, dialog: QDialog) -> None:
        if isinstance(dialog, LoanDialog):
            dialog.succeeded.connect(self._done)
        open_dialog(self, "dialog", dialog)

    def _done(self, result: LoanResult) -> None:
        self.session.publish(result.changes)
        text = {
            "solicitado": _("Solicitud registrada: {unit}."),
            "prestado": _("{unit} prestada a {name} hasta el {due}."),
            "devuelto": _("{unit} recibida."),
            "rechazado": _("Solicitud de {unit} rechazada."),
            "cancelado": _("Solicitud de {unit} cancelada."),
        }[result.state].format(unit=result.unit_barcode, name=result.requester_name, due=format_date(result.due_on))
        if result.incident_id:
            text += " " + _("Se abrió una novedad por folios incompletos.")
        if result.state == "prestado" and self.session.can(Permission.LABELS_PRINT):
            text += " " + _("Puede imprimir el testigo.")
        self.feedback.show_message("warn" if result.incident_id else "ok", text)

    # testigo (out-card)

    def print_testigo(self) -> None:
        row = self.selected()
        if row is None or row.state != "prestado":
            return
        labels, actor, barcode = self.session.services.labels, self.session.actor, row.unit_barcode
        self.session.run(lambda: labels.records(actor, "testigo", Selection((barcode,))),
                         on_done=self._render_testigo, on_error=lambda e: self.feedback.show_message("error", e))  # fmt: skip

    def _render_testigo(self, records: list[LabelRecord]) -> None:
        template = default_template("testigo")
        medium_id, medium = resolve_medium(TESTIGO_MEDIUM)
        job = Job("testigo", template.name, template, medium_id, medium, None, 1, tuple(records))
        self.session.runner.run_io(lambda ctx: render_job(job, ctx.cancelled), on_done=self._save_testigo,
                                   on_error=lambda e: self.feedback.show_message("error", e))  # fmt: skip

    def ask_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, _("Guardar testigo"), suggested, _("PDF (*.pdf)"))
        return path

    def _save_testigo(self, result: Rendered) -> None:
        barcode = result.job.records[0].barcode if result.job.records else "testigo"
        path = self.ask_save_path(f"testigo-{barcode}.pdf")
        if not path:
            return
        try:
            with open(path, "wb") as f:
                f.write(result.pdf)
        except OSError as exc:
            self.feedback.show_message("error", _("No se pudo escribir {file}: {error}").format(file=path, error=exc.strerror))
            return
        self.feedback.show_message("ok", _("Testigo guardado: {file}").format(file=path))
        self.testigo_saved.emit(path)
