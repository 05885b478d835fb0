"""TRD import wizard: file → sheet → column mapping (only when the headers are not recognised) →
preview → errors (file / row / column / reason) → import.

Every step before the last runs the real import with ``dry_run=True`` on the database worker (the
whole validation, then a rollback), so the preview shows exactly what will be written and a file
with any problem never gets past the errors page: nothing is written unless the whole table is
valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import ImportFileError, LegajoError
from archive.i18n import _, render_error, render_problem
from archive.io.tabular import sheet_names
from archive.io.trd_columns import FIELD_LABELS, ColumnMapping, TrdField, TrdHeaderNotRecognised
from archive.services.trd import TrdApproval, TrdImportResult
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.session import Session
from desktop.views import error_label, hint_label, primary_button, show_inline, title_label

FILE, MAPPING, PREVIEW, ERRORS = range(4)


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setVisible(False)
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(value))


class ImportWizard(QDialog):
    """The import dialog.

    Signals:
        page_changed(int): the page shown (FILE, MAPPING, PREVIEW, ERRORS).
        imported(): the TRD was written.
    """

    page_changed = Signal(int)
    imported = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Importar TRD"))
        self.resize(900, 600)
        self.mapping: ColumnMapping | None = None
        self.import_result: TrdImportResult | None = None
        self.pages = QStackedWidget()
        # file
        self.path = QLineEdit()
        browse = QPushButton(_("E&xaminar…"))
        browse.clicked.connect(self._browse)
        self.sheet = QComboBox()
        self.dependencia = QLineEdit()
        self.dependencia.setPlaceholderText(_("si el archivo no la indica"))
        self.mask_edit = QLineEdit()
        self.mask_edit.setPlaceholderText(_("por defecto, la de la entidad (p. ej. dp-s.b)"))
        self.valid_from = QDateEdit(QDate.currentDate())
        self.valid_from.setDisplayFormat(QT_DATE_FORMAT)
        self.valid_from.setCalendarPopup(True)
        self.act = QLineEdit()
        self.rusd = QLineEdit()
        file_page = QWidget()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(file_page)
        form.addRow(title_label(_("Archivo de la TRD")))
        form.addRow(_("&Archivo (XLSX o CSV):"), row)
        form.addRow(_("&Hoja:"), self.sheet)
        form.addRow(_("&Dependencia:"), self.dependencia)
        form.addRow(_("&Máscara del código:"), self.mask_edit)
        form.addRow(_("&Vigente desde:"), self.valid_from)
        form.addRow(_("Acto administrativo:"), self.act)
        form.addRow(_("Certificado RUSD:"), self.rusd)
        self.path.textChanged.connect(self._path_changed)
        # mapping
        self.map_table = _table([_("Columna"), _("Encabezado en el archivo"), _("Campo")])
        self.start_row = QSpinBox()
        self.start_row.setRange(1, 100000)
        map_page = QWidget()
        ml = QVBoxLayout(map_page)
        ml.addWidget(title_label(_("Columnas")))
        ml.addWidget(
            hint_label(_("No se reconocieron los encabezados. Indique qué contiene cada columna."))
        )
        ml.addWidget(self.map_table, 1)
        start = QFormLayout()
        start.addRow(_("Los datos empiezan en la &fila:"), self.start_row)
        ml.addLayout(start)
        # preview
        self.preview = _table([_("Código"), _("Serie / subserie"), _("AG"), _("AC"), _("Disposición"),
                               _("Soporte"), _("Tipos")])  # fmt: skip
        self.summary = hint_label()
        prev_page = QWidget()
        pl = QVBoxLayout(prev_page)
        pl.addWidget(title_label(_("Vista previa")))
        pl.addWidget(self.summary)
        pl.addWidget(self.preview, 1)
        # errors
        self.errors = _table([_("Archivo"), _("Fila"), _("Columna"), _("Problema")])
        self.error_summary = hint_label()
        err_page = QWidget()
        el = QVBoxLayout(err_page)
        el.addWidget(title_label(_("El archivo tiene errores; no se importó nada")))
        el.addWidget(self.error_summary)
        el.addWidget(self.errors, 1)
        for page in (file_page, map_page, prev_page, err_page):
            self.pages.addWidget(page)
        self.message = error_label()
        self.back_button = QPushButton(_("< &Atrás"))
        self.back_button.clicked.connect(lambda: self.show_page(FILE))
        self.next_button = primary_button(_("&Siguiente >"))
        self.next_button.clicked.connect(self.next)
        cancel = QPushButton(_("Cancelar"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, cancel):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.show_page(FILE)

    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setEnabled(page != FILE)
        self.next_button.setEnabled(page != ERRORS)
        self.next_button.setText(_("&Importar") if page == PREVIEW else _("&Siguiente >"))
        if page == FILE:
            self.mapping = None
        self.page_changed.emit(page)

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(
            self, _("Archivo de la TRD"), "", _("Hojas de cálculo (*.xlsx *.csv *.txt)")
        )
        if path:
            self.path.setText(path)

    def _path_changed(self, text: str) -> None:
        self.sheet.clear()
        if text.lower().endswith(".xlsx") and Path(text).is_file():
            try:
                self.sheet.addItems(sheet_names(text))
            except LegajoError as e:
                show_inline(self.message, e)

    def _approval(self) -> TrdApproval:
        d = self.valid_from.date()
        return TrdApproval(date(d.year(), d.month(), d.day()), approval_act=self.act.text().strip(),
                           rusd_certificate=self.rusd.text().strip())  # fmt: skip

    def next(self) -> None:
        page = self.pages.currentIndex()
        if page == MAPPING:
            self.mapping = self._chosen_mapping()
        self._run(dry_run=page != PREVIEW)

    def _run(self, *, dry_run: bool) -> None:
        show_inline(self.message, None)
        trd, actor = self.session.services.trd, self.session.actor
        path, approval, mapping = self.path.text().strip(), self._approval(), self.mapping
        dep, mask = self.dependencia.text().strip() or None, self.mask_edit.text().strip() or None
        sheet = self.sheet.currentText() or None
        self.next_button.setEnabled(False)
        self.session.run(
            lambda: trd.import_file(actor, path, approval, dependencia_code=dep, mask=mask,
                                    sheet=sheet, mapping=mapping, dry_run=dry_run),
            on_done=self._done, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _done(self, result: TrdImportResult) -> None:
        self.import_result = result
        if not result.dry_run:
            self.imported.emit()
            self.accept()
            return
        rows = []
        if result.table is not None:
            for s in result.table.series:
                for b in s.subseries:
                    code = "-".join(p for p in (b.code.dependencia, b.code.serie) if p)
                    code += f".{b.code.subserie}" if b.code.subserie else ""
                    rows.append([code, b.name, str(b.ag_years), str(b.ac_years), b.disposition.label,
                                 ", ".join(sorted(x.value for x in b.soporte)), "; ".join(b.tipos)])  # fmt: skip
        _fill(self.preview, rows)
        self.summary.setText(_("{series} series, {rules} reglas para la(s) dependencia(s) {deps}; "
                               "{n} expedientes tendrán plazos nuevos.").format(
            series=result.series, rules=result.rules, deps=", ".join(result.dependencias),
            n=result.expedientes_updated))  # fmt: skip
        self.show_page(PREVIEW)

    def _failed(self, error: LegajoError) -> None:
        self.next_button.setEnabled(True)
        if isinstance(error, TrdHeaderNotRecognised):
            self._show_mapping(error)
        elif isinstance(error, ImportFileError) and error.problems:
            name = Path(error.file).name
            _fill(
                self.errors,
                [[name, str(p.row), p.field, render_problem(p)] for p in error.problems],
            )
            self.error_summary.setText(render_error(error))
            self.show_page(ERRORS)
        else:
            show_inline(self.message, error)

    def _show_mapping(self, error: TrdHeaderNotRecognised) -> None:
        by_column = {col: f for f, col in error.recognised.items()}
        self.map_table.setRowCount(len(error.columns))
        for i, label in enumerate(error.columns):
            self.map_table.setItem(i, 0, QTableWidgetItem(str(i + 1)))
            self.map_table.setItem(i, 1, QTableWidgetItem(label))
            combo = QComboBox()
            combo.addItem(_("(no importar)"), None)
            for f in TrdField:
                combo.addItem(_(FIELD_LABELS[f]), f)
            if i in by_column:
                combo.setCurrentIndex(combo.findData(by_column[i]))
            self.map_table.setCellWidget(i, 2, combo)
        self.start_row.setValue((error.header_row or 0) + 1)
        show_inline(self.message, error)
        self.show_page(MAPPING)

    def combo_at(self, row: int) -> Any:
        """The field chooser of a file column (tests drive it)."""
        return self.map_table.cellWidget(row, 2)

    def _chosen_mapping(self) -> ColumnMapping:
        columns: dict[TrdField, int] = {}
        for i in range(self.map_table.rowCount()):
            f = self.combo_at(i).currentData()
            if f is not None:
                columns[f] = i
        return ColumnMapping(columns, self.start_row.value())
