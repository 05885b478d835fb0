"""Expedientes: the big table (a million rows stay smooth: the model holds ids only and loads
rows by page when painted), filters and sorting that re-run the id query in SQL, the detail of
one expediente with its carpetas, and bulk operations on the selection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import LOCAL_TZ
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.expedientes import SORTABLE, ExpedienteFilter, ExpedienteRow
from archive.services.org import DependenciaView
from archive.services.units import UnitView
from desktop.lazy_model import RIGHT, Column
from desktop.messages import show_error
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, error_label, hint_label, show_inline, title_label
from desktop.views.inventory.bulk import BulkOps, ChoiceDialog
from desktop.views.inventory.common import (
    EXPEDIENTE_STATES,
    STAGES,
    RowsModel,
    buddy_label,
    fmt_count,
    fmt_date,
    fmt_folios,
    named,
    selected_rows,
    selection_size,
    setup_table,
)
from desktop.views.inventory.units import where_text
from desktop.windowed_model import WindowedTableModel
from scanners.scan import Scan

FILTER_DELAY_MS = 250
DETAIL_DELAY_MS = 150
COLUMNS = [
    Column("number", N_("Número")),
    Column("title", N_("Nombre")),
    Column("dependencia_code", N_("Dependencia")),
    Column("serie", N_("Serie")),
    Column("opened_on", N_("Fecha inicial"), formatter=fmt_date),
    Column("closed_on", N_("Fecha final"), formatter=fmt_date),
    Column("folios", N_("Folios"), align=RIGHT),
    Column("state", N_("Estado"), formatter=named(EXPEDIENTE_STATES)),
    Column("stage", N_("Etapa"), formatter=named(STAGES)),
]
KEYS = [c.key for c in COLUMNS]
CARPETA_COLUMNS = [
    Column("carpeta", N_("Carpeta")),
    Column("barcode", N_("Código de barras")),
    Column("folios", N_("Folios")),
    Column("where", N_("Ubicación")),
]


def row_values(row: ExpedienteRow) -> dict[str, Any]:
    return {
        "number": row.number, "title": row.title, "dependencia_code": row.dependencia_code,
        "serie": row.serie, "opened_on": row.opened_on, "closed_on": row.closed_on,
        "folios": row.folios, "state": row.state, "stage": row.stage, "view": row,
    }  # fmt: skip


def carpeta_row(u: UnitView) -> dict[str, Any]:
    of = _("{n} de {of}").format(n=u.sequence or "?", of=u.sequence_of or "?")
    return {"carpeta": of, "barcode": u.barcode, "folios": fmt_folios(u.folio_first, u.folio_last),
            "where": where_text(u)}  # fmt: skip


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    return combo


class ExpedientesView(View):
    """The Expedientes area.

    Signals:
        loaded(int): an id query finished; how many expedientes match.
        detail_shown(str): the detail pane shows this expediente id (carpetas included).
    """

    loaded = Signal(int)
    detail_shown = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        exps, actor = session.services.expedientes, session.actor
        self.sort = ("number", False)
        self.applied = ExpedienteFilter()
        self.dialog: ChoiceDialog | None = None
        self._started = False
        self._keep: str | None = None  # the expediente to select again after a re-query
        self._keep_row = 0
        self.dependencias: list[DependenciaView] = []
        # A million rows: count once, then load id windows with their rows as pages are painted.
        self.model = WindowedTableModel(
            session.runner, COLUMNS,
            lambda ids: {i: row_values(r) for i, r in exps.rows(actor, [str(x) for x in ids]).items()},
            parent=self,
        )  # fmt: skip
        self.model.ids_reset.connect(self._ids_reset)
        self.model.page_loaded.connect(lambda _p: self._schedule_detail())

        self.dependencia = _combo([(_("(todas)"), "")])
        self.dependencia.setMinimumContentsLength(14)
        self.dependencia.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.serie = QLineEdit()
        self.serie.setPlaceholderText(_("código"))
        self.serie.setMaximumWidth(120)
        self.state = _combo(
            [(_("(todos)"), "")] + [(_(v), k) for k, v in EXPEDIENTE_STATES.items()]
        )
        self.stage = _combo([(_("(todas)"), "")] + [(_(v), k) for k, v in STAGES.items()])
        self.number = QLineEdit()
        self.number.setPlaceholderText(_("empieza por…"))
        self.number.setClearButtonEnabled(True)
        self.number.setMinimumWidth(140)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply)
        for edit in (self.number, self.serie):
            edit.textChanged.connect(lambda _t: self._filter_timer.start())
            edit.returnPressed.connect(self.apply)
        for combo in (self.dependencia, self.state, self.stage):
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.scan_field = ScanField(self, _("Escanee una carpeta"))
        self.scan_field.setMinimumWidth(240)
        filters = QGridLayout()
        for row, col, text, widget, span in (
            (0, 0, _("&Número:"), self.number, 1), (0, 2, _("&Dependencia:"), self.dependencia, 3),
            (1, 0, _("Se&rie:"), self.serie, 1), (1, 2, _("Es&tado:"), self.state, 1),
            (1, 4, _("Eta&pa:"), self.stage, 1),
        ):  # fmt: skip
            filters.addWidget(buddy_label(text, widget), row, col)
            filters.addWidget(widget, row, col + 1, 1, span)
        filters.setColumnStretch(1, 2)
        filters.setColumnStretch(3, 1)
        heading = QHBoxLayout()
        heading.addWidget(title_label(_("Expedientes")), 1)
        heading.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        heading.addWidget(self.scan_field)

        self.table = setup_table(
            QTableView(), self.model, (185, 290, 105, 150, 100, 100, 60, 75), multi=True
        )
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.model.sort_requested.connect(self._sort_requested)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._schedule_detail())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())

        self.detail_fields: dict[str, QLabel] = {}
        detail_form = QFormLayout()
        for key, label in (("number", N_("Número")), ("title", N_("Nombre")),
                           ("dependencia_code", N_("Dependencia")), ("serie", N_("Serie")),
                           ("dates", N_("Fechas extremas")), ("folios", N_("Folios")),
                           ("state", N_("Estado")), ("stage", N_("Etapa"))):  # fmt: skip
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_fields[key] = value
            detail_form.addRow(_(label) + ":", value)
        self.carpetas = RowsModel(CARPETA_COLUMNS, self)
        self.carpeta_table = setup_table(QTableView(), self.carpetas, (70, 140, 75))
        self.close_button = QPushButton(_("C&errar expediente…"))
        self.close_button.clicked.connect(self.close_current)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        detail_layout.addLayout(detail_form)
        detail_layout.addWidget(QLabel(_("<b>Carpetas</b>")))
        detail_layout.addWidget(self.carpeta_table, 1)
        detail_layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._show_detail)
        self._detail_id: str | None = None

        self.bulk = BulkOps(session, self)
        self.bulk.applied.connect(self._batch_applied)
        self.move_button = QPushButton(_("&Mover carpetas…"))
        self.move_button.clicked.connect(self.move_selected)
        self.dependencia_button = QPushButton(_("Cambiar dependen&cia…"))
        self.dependencia_button.clicked.connect(self.change_dependencia)
        self.close_many_button = QPushButton(_("Cerrar e&xpedientes…"))
        self.close_many_button.clicked.connect(self.close_selected)
        self.count = hint_label()
        self.notice = hint_label()
        self.banner = error_label()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.notice, 1)
        for button in (self.move_button, self.dependencia_button, self.close_many_button):
            bottom.addWidget(button)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 360])
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._update()

    # queries

    def reload(self) -> None:
        self._started = True
        org = self.session.services.org
        self.session.run(lambda: org.list_dependencias(include_inactive=False),
                         on_done=self._dependencias, on_error=self._failed)  # fmt: skip
        self.apply()

    def on_changes(self, changes: Changes) -> None:
        if changes.records or changes.org:
            self._keep = self._current_id()  # stay on the same expediente, not at the top
            self.apply()
        elif changes.units:
            self._schedule_detail()

    def _dependencias(self, deps: list[DependenciaView]) -> None:
        self.dependencias = deps
        current = self.dependencia.currentData()
        self.dependencia.blockSignals(True)
        self.dependencia.clear()
        self.dependencia.addItem(_("(todas)"), "")
        for dep in deps:
            self.dependencia.addItem("    " * dep.depth + f"{dep.code} — {dep.name}", dep.code)
        self.dependencia.setCurrentIndex(max(0, self.dependencia.findData(current)))
        self.dependencia.blockSignals(False)

    def current_filter(self) -> ExpedienteFilter:
        key, descending = self.sort
        return ExpedienteFilter(
            dependencia_code=self.dependencia.currentData() or "",
            serie_code=self.serie.text().strip(),
            state=self.state.currentData() or "",
            stage=self.stage.currentData() or "",
            number_prefix=self.number.text().strip(),
            sort=key, descending=descending,
        )  # fmt: skip

    def apply(self) -> None:
        """Run the id query of the filters and the sort order as they are now."""
        self._filter_timer.stop()
        if not self._started:
            return  # the header's initial sort request comes before the area is shown
        exps, actor, f = (
            self.session.services.expedientes,
            self.session.actor,
            self.current_filter(),
        )
        self.applied = f
        self.model.reset_window(
            lambda _ctx: exps.count(actor, f),
            lambda offset, limit: exps.window(actor, f, offset, limit),
            on_error=self._failed,
        )

    def _sort_requested(self, key: str, order: Qt.SortOrder) -> None:
        if key in SORTABLE:
            self.sort = (key, order == Qt.SortOrder.DescendingOrder)
            self.apply()
            return
        # Only indexed columns sort (a million rows): put the indicator back where it was.
        current, descending = self.sort
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(KEYS.index(current), order)
        header.blockSignals(False)
        header.viewport().update()

    def _ids_reset(self, count: int) -> None:
        show_inline(self.banner, None)
        self.count.setText(_("{n} expedientes").format(n=fmt_count(count)))
        keep, self._keep = self._keep, None
        if count:
            row = self._row_of(keep, self._keep_row)
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._schedule_detail()
        self._update()
        self.loaded.emit(count)

    def _current_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        self._keep_row = index.row()
        return str(self.model.id_at(index.row()))

    def _row_of(self, row_id: str | None, near: int) -> int:
        """The row of ``row_id`` (0 if gone); tries its old row first: no index of 1M ids."""
        if row_id is None:
            return 0
        ids = self.model.ids
        if 0 <= near < len(ids) and ids[near] == row_id:
            return near
        found = self.model.row_of(row_id)
        return 0 if found is None else found

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_inline(self.banner, error)
            show_error(self, error, sink=self.session.sink)

    # selection and detail

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows whose pages are loaded (see :meth:`with_selected_ids`)."""
        ids = (self.model.id_at(row) for row in selected_rows(self.table))
        return [str(i) for i in ids if i is not None]

    def with_selected_ids(self, then: Callable[[list[str]], None]) -> None:
        """Call ``then`` with every selected id; rows on pages never painted (a shift-click
        across the table) get their ids from the same windows, on the database worker."""
        rows = selected_rows(self.table)
        known = {row: self.model.id_at(row) for row in rows}
        missing = [row for row, value in known.items() if value is None]
        if not missing:
            then([str(known[row]) for row in rows])
            return
        exps, actor, f = self.session.services.expedientes, self.session.actor, self.applied

        def resolve() -> list[str]:
            found = dict(known)
            for start, length in _runs(missing):
                for offset, value in enumerate(exps.window(actor, f, start, length)):
                    found[start + offset] = value
            return [str(found[row]) for row in rows if found[row] is not None]

        self.session.run(resolve, on_done=then, on_error=self._failed)

    def current_row(self) -> ExpedienteRow | None:
        index = self.table.currentIndex()
        values = self.model.values_at(index.row()) if index.isValid() else None
        return None if values is None else values["view"]

    def _update(self) -> None:
        edit, move = (
            self.session.can(Permission.RECORDS_EDIT),
            self.session.can(Permission.INVENTORY_MOVE),
        )
        some = bool(self.table.selectionModel().hasSelection())
        self.move_button.setEnabled(some and move)
        self.dependencia_button.setEnabled(some and edit)
        self.close_many_button.setEnabled(some and edit)
        row = self.current_row()
        self.close_button.setEnabled(edit and row is not None and row.state != "cerrado")

    def _schedule_detail(self) -> None:
        self._detail_timer.start()

    def _show_detail(self) -> None:
        row = self.current_row()
        values = row_values(row) if row else {}
        if row is not None:
            values["dates"] = (
                f"{fmt_date(row.opened_on) or 's.f.'} – {fmt_date(row.closed_on) or 's.f.'}"
            )
        for key, label in self.detail_fields.items():
            value = values.get(key)
            if key == "state":
                value = named(EXPEDIENTE_STATES)(value)
            elif key == "stage":
                value = named(STAGES)(value)
            label.setText("" if value is None else str(value))
        self._update()
        if row is None:
            self.carpetas.set_rows([])
            self._detail_id = None
            return
        exps, units, actor, exp_id = (self.session.services.expedientes, self.session.services.units,
                                      self.session.actor, row.id)  # fmt: skip
        self._detail_id = exp_id
        self.session.run(
            lambda: [units.get(actor, i) for i in exps.carpetas(actor, exp_id)],
            on_done=lambda found: self._carpetas(exp_id, found), on_error=self._failed,
        )  # fmt: skip

    def _carpetas(self, exp_id: str, found: list[UnitView]) -> None:
        if exp_id != self._detail_id:
            return
        self.carpetas.set_rows([carpeta_row(u) for u in found])
        self.detail_shown.emit(exp_id)

    # actions

    def _before(self, key: str) -> dict[str, str]:
        """Current values shown in the preview's "Antes" column (loaded rows only)."""
        out: dict[str, str] = {}
        for row in selected_rows(self.table):
            values = self.model.values_at(row)
            if values is not None:
                value = values[key]
                out[str(self.model.id_at(row))] = (
                    named(EXPEDIENTE_STATES)(value) if key == "state" else value
                )
        return out

    def _selection_fits(self) -> bool:
        """Whether the selection fits in one batch (counted from ranges: Ctrl+A is cheap)."""
        return not self.bulk.too_many(selection_size(self.table))

    def move_selected(self) -> None:
        if self._selection_fits():
            self.with_selected_ids(self.bulk.move_expedientes)

    def change_dependencia(self) -> None:
        if not self._selection_fits():
            return
        before = self._before("dependencia_code")
        self.with_selected_ids(lambda ids: self.bulk.change_dependencia(ids, before, self.dependencias))

    def close_selected(self) -> None:
        if not self._selection_fits():
            return
        before = self._before("state")
        self.with_selected_ids(lambda ids: self.bulk.close_expedientes(ids, before))

    def _batch_applied(self, _batch_id: str, count: int) -> None:
        self.notice.setText(_(" · Lote aplicado: {n} expedientes. Puede revertirlo en Mover → "
                              "Lotes.").format(n=fmt_count(count)))  # fmt: skip

    def close_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        today = self.session.services.rt.now().astimezone(LOCAL_TZ).date()
        edit = QDateEdit(QDate(today.year, today.month, today.day))
        edit.setDisplayFormat(QT_DATE_FORMAT)
        edit.setCalendarPopup(True)
        dialog = ChoiceDialog(_("Cerrar expediente {number}").format(number=row.number),
                              _("&Fecha de cierre:"), edit, lambda: edit.date().toPython(), self)  # fmt: skip
        dialog.submitted.connect(lambda when: self._close(row, when))
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _close(self, row: ExpedienteRow, when: date) -> None:
        exps, actor = self.session.services.expedientes, self.session.actor
        self.session.run(lambda: exps.close(actor, row.id, when, expected_version=row.version),
                         on_done=lambda _r: self.session.publish(Changes(records=True, audit=True)),
                         on_error=self._failed)  # fmt: skip

    def handle_scan(self, scan: Scan) -> bool:
        """A carpeta's label shows its expediente (filters the table by its number)."""
        units, actor, value = self.session.services.units, self.session.actor, scan.value
        self.session.run(lambda: units.by_scan(actor, value), on_done=self._scanned_unit,
                         on_error=self._failed)  # fmt: skip
        return True

    def _scanned_unit(self, unit: UnitView) -> None:
        if unit.expediente_number:
            self.number.setText(unit.expediente_number)
            self.apply()
        else:
            show_inline(self.banner, _("La unidad {code} no pertenece a ningún expediente.")
                        .format(code=unit.barcode))  # fmt: skip


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Contiguous (start, length) runs of sorted row numbers."""
    out: list[tuple[int, int]] = []
    for row in sorted(rows):
        if out and out[-1][0] + out[-1][1] == row:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((row, 1))
    return out
