"""Conteos: shelf counts. Start one on a scope (scan its location, or pick it in the tree); then
scan a LOCATION (the "ubicación actual") followed by the units found there, location after
location; pause, resume, finish. The report has four tabs (encontradas, faltantes, mal ubicadas,
inesperadas) with one-click corrections, and exports to PDF or Excel.

Scans are handled one at a time in arrival order: a unit scanned right after a location is
recorded at that location, however fast the scanner is.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive.domain.barcodes import BarcodeKind, looks_like_legajo_barcode, parse_barcode
from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import LOCAL_TZ, format_datetime
from archive.i18n import N_, _
from archive.io.export import export_sheets
from archive.services.changes import Changes
from archive.services.count_report import report_tables
from archive.services.counts import CountLine, CountReport, CountSessionView
from archive.services.moves import MoveResult
from desktop.lazy_model import RIGHT, Column
from desktop.messages import info, show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, hint_label, primary_button, title_label
from desktop.views.inventory.common import (
    COUNT_STATES,
    UNIT_KINDS,
    Feedback,
    RowsModel,
    buddy_label,
    named,
    selected_rows,
    setup_table,
)
from desktop.views.inventory.tree import LocationPickerDialog
from reports.tables import TableReport, TableSection, render_table_report
from scanners.scan import Scan

COUNT_KINDS = (BarcodeKind.CAJA, BarcodeKind.CARPETA, BarcodeKind.UBICACION)
SESSION_COLUMNS = [
    Column("started_at", N_("Inicio"), formatter=format_datetime),
    Column("scope", N_("Alcance")),
    Column("state", N_("Estado"), formatter=named(COUNT_STATES)),
    Column("started_by", N_("Por")),
    Column("scans", N_("Lecturas"), align=RIGHT),
]
LINE_COLUMNS = [
    Column("barcode", N_("Código de barras")),
    Column("kind", N_("Tipo"), formatter=named(UNIT_KINDS)),
    Column("number", N_("Número")),
    Column("expected_at", N_("Ubicación registrada")),
    Column("scanned_at", N_("Escaneada en")),
]
#: The running list of a scanning session: the records' location is only known in the report.
SCAN_COLUMNS = [c for c in LINE_COLUMNS if c.key != "expected_at"]
#: (report attribute, tab title) in tab order.
TABS = (
    ("found", N_("Encontradas")),
    ("missing", N_("Faltantes")),
    ("misplaced", N_("Mal ubicadas")),
    ("unexpected", N_("Inesperadas")),
    ("on_loan", N_("En préstamo")),
)
RELOCATABLE = ("misplaced", "unexpected")


def line_row(line: CountLine) -> dict[str, Any]:
    return {"barcode": line.barcode, "kind": line.kind, "number": line.number,
            "expected_at": line.expected_at or "—", "scanned_at": line.scanned_at or "—",
            "line": line}  # fmt: skip


def write_report(report: CountReport, path: Path) -> Path:
    """The count report as PDF, or XLSX/CSV sheets (runs on the I/O pool: no database)."""
    title, subtitle, sections = report_tables(report)
    if path.suffix.lower() == ".pdf":
        render_table_report(
            TableReport(title, subtitle,
                        [TableSection(n, h, r, widths=[3, 1.2, 1, 3, 3]) for n, h, r in sections]),
            path,
        )  # fmt: skip
    else:
        export_sheets(path, sections)
    return path


class CountReportPane(QWidget):
    """The four report tabs of one count, with the one-click corrections and the export.

    Signals:
        shown(CountReport): a report was loaded.
        acted(str): a correction finished ("relocated" or "marked").
        exported(str): the report was written to this file.
    """

    shown = Signal(object)
    acted = Signal(str)
    exported = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: CountReport | None = None
        self.file_dialog: QFileDialog | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.models: dict[str, RowsModel] = {}
        self.tables: dict[str, QTableView] = {}
        for attr, title in TABS:
            model = RowsModel(LINE_COLUMNS, self)
            table = setup_table(QTableView(), model, (165, 80, 90, 210), multi=True)
            self.models[attr], self.tables[attr] = model, table
            self.tabs.addTab(table, _(title))
        self.tabs.currentChanged.connect(lambda _i: self._update())
        self.relocate_button = primary_button(_("Re&ubicar aquí"))
        self.relocate_button.setToolTip(_("Mueve las unidades seleccionadas (o todas las de la "
                                          "pestaña) a donde el conteo las encontró."))  # fmt: skip
        self.relocate_button.clicked.connect(self.relocate)
        self.missing_button = QPushButton(_("Marcar como &faltantes"))
        self.missing_button.setToolTip(_("Marca las unidades seleccionadas (o todas) como "
                                         "faltantes y abre una novedad para cada una."))  # fmt: skip
        self.missing_button.clicked.connect(self.mark_missing)
        self.pdf_button = QPushButton(_("Exportar &PDF…"))
        self.pdf_button.clicked.connect(lambda: self.choose_file("pdf"))
        self.xlsx_button = QPushButton(_("Exportar &Excel…"))
        self.xlsx_button.clicked.connect(lambda: self.choose_file("xlsx"))
        buttons = QHBoxLayout()
        for button in (self.relocate_button, self.missing_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.xlsx_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._update()

    def load(self, session_id: str) -> None:
        counts, actor = self.session.services.counts, self.session.actor
        self.session.run(lambda: counts.report(actor, session_id), on_done=self._show,
                         on_error=self._failed, owner=self)  # fmt: skip

    def _show(self, report: CountReport) -> None:
        self.report = report
        _title, subtitle, _sections = report_tables(report)
        self.summary.setText("<br>".join([f"<b>{_title}</b>", *subtitle]))
        for index, (attr, title) in enumerate(TABS):
            lines: list[CountLine] = getattr(report, attr)
            self.models[attr].set_rows([line_row(x) for x in lines])
            self.tabs.setTabText(index, f"{_(title)} ({len(lines)})")
        self._update()
        self.shown.emit(report)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()][0]

    def _update(self) -> None:
        attr, has = self.current_tab(), self.report is not None
        rows = bool(self.models[attr].rows)
        self.relocate_button.setEnabled(has and rows and attr in RELOCATABLE
                                        and self.session.can(Permission.INVENTORY_MOVE))  # fmt: skip
        self.missing_button.setEnabled(has and rows and attr == "missing"
                                       and self.session.can(Permission.INVENTORY_COUNT))  # fmt: skip
        self.pdf_button.setEnabled(has)
        self.xlsx_button.setEnabled(has)

    def _unit_ids(self, attr: str) -> list[str]:
        model, table = self.models[attr], self.tables[attr]
        rows = selected_rows(table) or range(model.rowCount())
        ids = [model.row(r)["line"].unit_id for r in rows]
        return [i for i in ids if i]  # unknown barcodes have no unit to act on

    def relocate(self) -> None:
        report, ids = self.report, self._unit_ids(self.current_tab())
        if report is None or not ids:
            return
        counts, actor, sid = self.session.services.counts, self.session.actor, report.session_id
        self.session.run(lambda: counts.relocate_here(actor, sid, ids), on_done=self._relocated,
                         on_error=self._failed, owner=self)  # fmt: skip

    def _relocated(self, result: MoveResult) -> None:
        self.session.publish(result.changes | Changes(audit=True))
        if self.report is not None:
            self.load(self.report.session_id)
        self.acted.emit("relocated")

    def mark_missing(self) -> None:
        report, ids = self.report, self._unit_ids("missing")
        if report is None or not ids:
            return
        counts, actor, sid = self.session.services.counts, self.session.actor, report.session_id
        self.session.run(lambda: counts.mark_missing(actor, sid, ids), on_done=self._marked,
                         on_error=self._failed, owner=self)  # fmt: skip

    def _marked(self, count: int) -> None:
        self.session.publish(Changes(units=True, incidents=True, counts=True, audit=True))
        info(self, _("Marcar como faltantes"),
             _("{n} unidades marcadas como faltantes; se abrió una novedad para cada una.").format(
                 n=count), sink=self.session.sink)  # fmt: skip
        self.acted.emit("marked")

    def choose_file(self, suffix: str) -> None:
        if self.report is None:
            return
        dialog = QFileDialog(self, _("Exportar informe de conteo"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([_("Documento PDF (*.pdf)")] if suffix == "pdf"
                              else [_("Libro de Excel (*.xlsx)")])  # fmt: skip
        dialog.setDefaultSuffix(suffix)
        day = self.report.started_at.astimezone(LOCAL_TZ).strftime("%Y%m%d")
        dialog.selectFile(_("conteo-{scope}-{date}").format(scope=self.report.scope, date=day))
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    def export_to(self, path: Path) -> None:
        report = self.report
        if report is None:
            return
        self.session.runner.run_io(
            lambda _ctx: write_report(report, path), on_done=lambda p: self.exported.emit(str(p)),
            on_error=self._failed, owner=self, progress=self, label=_("Exportando el informe…"),
        )  # fmt: skip


class CountsView(View):
    """The Conteos area.

    Signals:
        count_opened(str): this count is now the active one (its id).
        scan_done(str): a scan was fully handled (outcome in the feedback line).
        sessions_loaded(int): the list of counts was (re)loaded.
    """

    count_opened = Signal(str)
    scan_done = Signal(str)
    sessions_loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.active: CountSessionView | None = None
        self.location: str | None = None  # barcode of the "ubicación actual"
        self.location_path = ""  # its signatura, once a scan there told it
        self.picker: LocationPickerDialog | None = None
        self._queue: deque[Scan] = deque()
        self._busy = False
        self.sessions = RowsModel(SESSION_COLUMNS, self)
        self.session_table = setup_table(QTableView(), self.sessions, (155, 180, 100, 100))
        self.session_table.activated.connect(
            lambda i: self.open_count(self.sessions.row(i.row())["view"])
        )
        self.new_button = primary_button(_("&Nuevo conteo…"))
        self.new_button.clicked.connect(self.choose_scope)
        self.new_button.setEnabled(session.can(Permission.INVENTORY_COUNT))
        self.session_table.setToolTip(_("Intro abre el conteo elegido."))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        new_row = QHBoxLayout()
        new_row.addWidget(hint_label(_(
            "Para empezar, escanee la ubicación que va a contar (un módulo, un estante…) o "
            "elíjala en el árbol. Intro sobre un conteo de la lista lo abre.")), 1)  # fmt: skip
        new_row.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        left_layout.addLayout(new_row)
        left_layout.addWidget(self.session_table, 1)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.location_label = QLabel()
        font = self.location_label.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.location_label.setFont(font)
        self.scan_field = ScanField(self, _("Escanee la ubicación y luego las unidades"))
        self.feedback = Feedback()
        self.lines = RowsModel(SCAN_COLUMNS, self)
        self.line_table = setup_table(QTableView(), self.lines, (165, 80, 90, 210))
        self.pause_button = QPushButton(_("&Pausar"))
        self.pause_button.clicked.connect(lambda: self.set_state("pausado"))
        self.resume_button = QPushButton(_("Re&anudar"))
        self.resume_button.clicked.connect(lambda: self.set_state("abierto"))
        self.finish_button = QPushButton(_("&Finalizar"))
        self.finish_button.clicked.connect(lambda: self.set_state("cerrado"))
        self.report_button = QPushButton(_("Ver &informe"))
        self.report_button.clicked.connect(self.show_report)
        state_buttons = QHBoxLayout()
        for button in (self.pause_button, self.resume_button, self.finish_button):
            state_buttons.addWidget(button)
        state_buttons.addStretch(1)
        state_buttons.addWidget(self.report_button)
        scanning = QWidget()
        scan_layout = QVBoxLayout(scanning)
        scan_row = QHBoxLayout()
        scan_row.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        scan_row.addWidget(self.scan_field, 1)
        scan_layout.addWidget(self.heading)
        scan_layout.addWidget(self.location_label)
        scan_layout.addLayout(scan_row)
        scan_layout.addWidget(self.feedback)
        scan_layout.addWidget(QLabel(_("<b>Lecturas de esta sesión</b>")))
        scan_layout.addWidget(self.line_table, 1)
        scan_layout.addLayout(state_buttons)
        self.report = CountReportPane(session)
        self.tabs = QTabWidget()
        self.tabs.addTab(left, _("&Lista de conteos"))
        self.tabs.addTab(scanning, _("Es&caneo"))
        self.tabs.addTab(self.report, _("Infor&me"))
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Conteos")))
        layout.addWidget(self.tabs, 1)
        self._show_active()

    # sessions

    def reload(self) -> None:
        counts, actor = self.session.services.counts, self.session.actor
        self.session.run(
            lambda: counts.sessions(actor), on_done=self._listed, on_error=self._failed
        )

    def on_changes(self, changes: Changes) -> None:
        if changes.counts:
            self.reload()

    def _listed(self, rows: list[CountSessionView]) -> None:
        self.sessions.set_rows([{"started_at": c.started_at, "scope": c.scope, "state": c.state,
                                 "started_by": c.started_by, "scans": c.scans, "view": c}
                                for c in rows])  # fmt: skip
        if self.active is not None:
            fresh = next((c for c in rows if c.id == self.active.id), None)
            if fresh is not None:
                self.active = fresh
                self._show_active()
        self.sessions_loaded.emit(len(rows))

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    def choose_scope(self) -> None:
        picker = LocationPickerDialog(self.session, _("Alcance del nuevo conteo"), self)
        picker.chosen.connect(lambda view: self.start(view.barcode))
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()

    def start(self, scope_barcode: str, *, scan_value: str | None = None) -> None:
        """Start a count on a scope; ``scan_value``: it was started by this scan."""
        counts, actor = self.session.services.counts, self.session.actor

        def failed(error: LegajoError) -> None:
            if scan_value is None:
                self._failed(error)
            else:
                self._finish(scan_value, "error", error)

        self.session.run(lambda: (counts.start(actor, scope_barcode), counts.sessions(actor)),
                         on_done=lambda data: self._started(data, scan_value),
                         on_error=failed)  # fmt: skip

    def _started(self, data: tuple[str, list[CountSessionView]], scan_value: str | None) -> None:
        count_id, rows = data
        self._listed(rows)
        self.session.publish(Changes(counts=True, audit=True))
        started = next((c for c in rows if c.id == count_id), None)
        if started is not None:
            self.open_count(started)
        text = _("Conteo iniciado en {scope}. Escanee la primera ubicación.").format(
            scope=started.scope if started else ""
        )
        if scan_value is None:
            self.feedback.show_message("ok", text)
        else:
            self._finish(scan_value, "ok", text)

    def open_count(self, count: CountSessionView) -> None:
        self.active = count
        self.location, self.location_path = None, ""
        self.lines.set_rows([])
        self._show_active()
        self.tabs.setCurrentIndex(1 if count.state != "cerrado" else 2)
        self.report.load(count.id)
        self.scan_field.setFocus()
        self.count_opened.emit(count.id)

    def _show_active(self) -> None:
        c = self.active
        if c is None:
            self.heading.setText(_("Ningún conteo abierto. Escanee la ubicación alcance (por "
                                   "ejemplo un módulo) o use «Nuevo conteo…»."))  # fmt: skip
            self.location_label.setText("")
        else:
            self.heading.setText(_("Conteo de <b>{scope}</b> — {state}, {n} lecturas").format(
                scope=c.scope, state=_(COUNT_STATES.get(c.state, c.state)), n=c.scans))  # fmt: skip
            where = self.location_path or self.location or _("(escanee una ubicación)")
            if self.location_path and self.location:
                where = f"{self.location_path} ({self.location})"
            self.location_label.setText(_("Ubicación actual: {where}").format(where=where))
        state = c.state if c else ""
        can = self.session.can(Permission.INVENTORY_COUNT)
        self.pause_button.setEnabled(can and state == "abierto")
        self.resume_button.setEnabled(can and state == "pausado")
        self.finish_button.setEnabled(can and state in ("abierto", "pausado"))
        self.report_button.setEnabled(c is not None)

    def set_state(self, state: str) -> None:
        if self.active is None:
            return
        counts, actor, sid = self.session.services.counts, self.session.actor, self.active.id
        self.session.run(lambda: counts.set_state(actor, sid, state),
                         on_done=lambda _r: self._state_set(state), on_error=self._failed)  # fmt: skip

    def _state_set(self, state: str) -> None:
        self.session.publish(Changes(counts=True, audit=True))
        messages = {"pausado": _("Conteo en pausa."), "abierto": _("Conteo reanudado."),
                    "cerrado": _("Conteo finalizado. Revise el informe.")}  # fmt: skip
        self.feedback.show_message("info", messages[state])
        if state == "cerrado":
            self.show_report()

    def show_report(self) -> None:
        if self.active is not None:
            self.report.load(self.active.id)
            self.tabs.setCurrentWidget(self.report)

    # scans, one at a time

    def handle_scan(self, scan: Scan) -> bool:
        self._queue.append(scan)
        self._next()
        return True

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        value = self._queue.popleft().value
        try:
            is_location = looks_like_legajo_barcode(value) and (
                parse_barcode(value, COUNT_KINDS).kind is BarcodeKind.UBICACION)  # fmt: skip
        except LegajoError as error:
            self._finish(value, "error", error)
            return
        c = self.active
        if c is None or c.state == "cerrado":
            if not is_location:
                self._finish(value, "error", _("Primero abra un conteo: escanee la ubicación "
                                               "alcance o use «Nuevo conteo…»."))  # fmt: skip
                return
            self._busy = True
            self.start(value, scan_value=value)
            return
        if c.state == "pausado":
            self._finish(value, "warn", _("El conteo está en pausa: reanúdelo para seguir."))
            return
        where = value if is_location else self.location
        if where is None:
            self._finish(value, "error", _("Escanee primero la ubicación donde está la unidad."))
            return
        counts, actor, sid = self.session.services.counts, self.session.actor, c.id
        units = [] if is_location else [value]
        self._busy = True
        self.session.run(lambda: counts.scan(actor, sid, where, units),
                         on_done=lambda lines: self._scanned(value, is_location, lines),
                         on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _scanned(self, value: str, is_location: bool, lines: list[CountLine]) -> None:
        assert self.active is not None
        if is_location:
            self.location, self.location_path = value, ""
            self._show_active()
            self._finish(value, "info", _("Ubicación actual: {code}. Escanee las unidades que "
                                          "hay en ella.").format(code=value))  # fmt: skip
            return
        self.lines.set_rows([*self.lines.rows, *(line_row(x) for x in lines)])
        self.line_table.scrollToBottom()
        if lines and lines[0].scanned_at:
            self.location_path = lines[0].scanned_at
        self.active = CountSessionView(self.active.id, self.active.scope, self.active.state,
                                       self.active.started_at, self.active.started_by,
                                       self.active.scans + len(lines))  # fmt: skip
        self._show_active()
        unknown = bool(lines) and lines[0].unit_id is None
        kind = "warn" if unknown else "ok"
        text = (_("{code}: código desconocido, registrado como inesperado.") if unknown
                else _("{code} registrada en {where}.")).format(
                    code=value, where=self.location_path or self.location)  # fmt: skip
        self._finish(value, kind, text)

    def _finish(self, value: str, kind: str, message: str | LegajoError) -> None:
        self.feedback.show_message(kind, message)
        self._busy = False
        self.scan_done.emit(value)
        self._next()
