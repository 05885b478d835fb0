"""Rótulos: choose what to label (scan units, a box or a shelf, or type a signatura), the kind,
template, medium, start position and printer calibration; see a live preview of the first
sheet; save the PDF or print it. Every printed batch is remembered and can be printed again.

Database work runs on the database worker; rendering and rasterising on the I/O pool
(DESIGN.md §6). Printing needs ``pdftoppm``; see :mod:`desktop.views.labels.output`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.barcodes import looks_like_legajo_barcode
from archive.domain.errors import LegajoError, NotFound, ValidationError
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _, ngettext
from archive.services.changes import Changes
from archive.services.label_data import LabelRecord
from archive.services.labels import (
    BatchRequest,
    BatchView,
    CalibrationView,
    Selection,
    TemplateView,
    source_of,
)
from desktop.lazy_model import RIGHT, Column
from desktop.messages import show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, form_layout, hint_label, open_dialog, primary_button, title_label
from desktop.views.inventory.common import Feedback, RowsModel, selected_rows, setup_table
from desktop.views.labels import output
from desktop.views.labels.dialogs import CalibrationDialog, TemplateDialog
from desktop.views.labels.output import Job, Rendered, render_job
from reports.labels import LabelTemplate, Medium, builtin_media, default_template
from reports.labels.jobs import resolve_medium
from scanners.scan import Scan

KINDS = (("caja", N_("Caja")), ("carpeta", N_("Carpeta")), ("expediente", N_("Expediente")),
         ("ubicacion", N_("Ubicación (estante)")), ("testigo", N_("Testigo (guía de afuera)")))  # fmt: skip
CUSTOM = "grid"
BATCH_COLUMNS = [
    Column("at", N_("Fecha y hora"), formatter=format_datetime),
    Column("username", N_("Usuario")),
    Column("kind", N_("Clase")),
    Column("template", N_("Plantilla")),
    Column("medium", N_("Medio")),
    Column("items", N_("Rótulos"), align=RIGHT),
]


class LabelsView(View):
    """The Rótulos area.

    Signals:
        rendered(int): a preview finished (number of labels; 0 when there is nothing to show).
        batch_saved(str): a batch was saved or printed and remembered (its id).
    """

    rendered = Signal(int)
    batch_saved = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.entries: list[str] = []
        self.records: list[LabelRecord] = []
        self.result: Rendered | None = None
        self.templates: list[TemplateView] = []
        self.calibrations: list[CalibrationView] = []
        self._generation = 0
        self.timer = QTimer(self, singleShot=True, interval=350)
        self.timer.timeout.connect(self.render_preview)

        self.kind = QComboBox()
        for key, title in KINDS:
            self.kind.addItem(_(title), key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.template = QComboBox()
        self.template.currentIndexChanged.connect(self.schedule)
        edit_template = QPushButton(_("&Editar plantilla…"))
        edit_template.clicked.connect(self.edit_template)
        self.medium = QComboBox()
        for key, m in builtin_media().items():
            self.medium.addItem(m.name, key)
        self.medium.addItem(_("Cuadrícula personalizada…"), CUSTOM)
        self.medium.currentIndexChanged.connect(self._medium_changed)
        self.grid = QLineEdit("grid:a4:3x8:63.5x33.9:2.5x0")
        self.grid.setToolTip(
            _(
                "grid:PÁGINA:COLUMNASxFILAS:ANCHOxALTO[:ESPACIO_XxESPACIO_Y] en mm; página a4 o carta"
            )
        )
        self.grid.editingFinished.connect(self.schedule)
        self.grid.setVisible(False)
        self.start = QSpinBox()
        self.start.setRange(1, 24)
        self.start.valueChanged.connect(self.schedule)
        self.calibration = QComboBox()
        self.calibration.currentIndexChanged.connect(self.schedule)
        edit_cal = QPushButton(_("&Calibrar…"))
        edit_cal.clicked.connect(self.edit_calibration)

        form = form_layout()
        form.addRow(_("&Clase de rótulo:"), self.kind)
        row = QHBoxLayout()
        row.addWidget(self.template, 1)
        row.addWidget(edit_template)
        form.addRow(_("Plantilla:"), row)
        form.addRow(_("&Medio:"), self.medium)
        form.addRow("", self.grid)
        form.addRow(_("Empezar en la &posición:"), self.start)
        row = QHBoxLayout()
        row.addWidget(self.calibration, 1)
        row.addWidget(edit_cal)
        form.addRow(_("Impresora:"), row)

        self.scan_field = ScanField(self, _("Escanee unidades, una caja o un estante"))
        self.signatura = QLineEdit()
        self.signatura.setPlaceholderText(_("o escriba una signatura, p. ej. D01-M01-A-E01"))
        self.signatura.returnPressed.connect(self._add_signatura)
        self.selection = QListWidget()
        self.selection.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        remove = QPushButton(_("&Quitar"))
        remove.clicked.connect(self.remove_selected)
        clear = QPushButton(_("&Vaciar"))
        clear.clicked.connect(self.clear)
        sel_buttons = QHBoxLayout()
        self.count_label = QLabel()
        sel_buttons.addWidget(self.count_label, 1)
        sel_buttons.addWidget(remove)
        sel_buttons.addWidget(clear)
        self.feedback = Feedback()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(QLabel(_("<b>Qué rotular</b>")))
        left_layout.addWidget(self.scan_field)
        left_layout.addWidget(self.signatura)
        left_layout.addWidget(hint_label(_("Una caja escaneada con la clase «Carpeta» agrega sus carpetas; "
                                           "un estante agrega todo lo que tiene.")))  # fmt: skip
        left_layout.addWidget(self.selection, 1)
        left_layout.addLayout(sel_buttons)

        self.preview = QLabel(_("La vista previa aparece al elegir qué rotular."))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("QLabel { background: #8a8f94; color: white; padding: 12px; }")
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        self.summary = QLabel()
        self.save_button = primary_button(_("&Guardar PDF…"))
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton(_("Imp&rimir…"))
        self.print_button.clicked.connect(self.print_labels)
        out_row = QHBoxLayout()
        out_row.addWidget(self.summary, 1)
        out_row.addWidget(self.print_button)
        out_row.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroll, 1)
        right_layout.addLayout(out_row)
        right_layout.addWidget(self.feedback)

        self.batch_model = RowsModel(BATCH_COLUMNS, self)
        self.batch_table = setup_table(
            QTableView(), self.batch_model, (150, 100, 100, 200, 130, 80)
        )
        self.reprint_button = QPushButton(_("Reimprimir &lote en PDF…"))
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.batch_table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        batches = QWidget()
        batch_layout = QVBoxLayout(batches)
        batch_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(_("<b>Lotes impresos</b>")), 1)
        head.addWidget(self.reprint_button)
        batch_layout.addLayout(head)
        batch_layout.addWidget(self.batch_table, 1)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(right)
        top.setSizes([420, 700])
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(top)
        outer.addWidget(batches)
        outer.setSizes([520, 160])
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Rótulos")))
        layout.addWidget(outer, 1)
        self.printers = output.available_printers()
        self._update()

    # loading

    def reload(self) -> None:
        labels, actor = self.session.services.labels, self.session.actor
        self.session.run(lambda: (labels.templates(actor), labels.calibrations(actor), labels.batches(actor)),
                         on_done=self._loaded, on_error=self._failed)  # fmt: skip
        self.scan_field.setFocus()

    def _loaded(
        self, data: tuple[list[TemplateView], list[CalibrationView], list[BatchView]]
    ) -> None:
        self.templates, self.calibrations, batches = data
        self._fill_templates()
        current = self.calibration.currentText()
        self.calibration.blockSignals(True)
        self.calibration.clear()
        self.calibration.addItem(_("Sin calibración"), None)
        for c in self.calibrations:
            self.calibration.addItem(c.name, c)
        self.calibration.setCurrentIndex(max(self.calibration.findText(current), 0))
        self.calibration.blockSignals(False)
        self.batch_model.set_rows([{"at": b.at, "username": b.username, "kind": b.kind, "template": b.template_name,
                                    "medium": b.medium, "items": b.items, "view": b} for b in batches])  # fmt: skip
        self._update()
        self.schedule()

    def _fill_templates(self) -> None:
        kind = self.current_kind()
        stored = [t for t in self.templates if t.kind == kind]
        builtin = default_template(kind)
        self.template.blockSignals(True)
        self.template.clear()
        for t in sorted(stored, key=lambda t: not t.is_default):
            self.template.addItem(t.name, t.body)
        if builtin.name not in {t.name for t in stored}:
            self.template.addItem(_("{name} (integrada)").format(name=builtin.name), None)
        self.template.setCurrentIndex(0)
        self.template.blockSignals(False)

    def on_changes(self, changes: Changes) -> None:
        if changes.units or changes.locations or changes.records:
            self.entries_changed()

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    # choices

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        self._fill_templates()
        self.entries_changed()

    def _medium_changed(self) -> None:
        self.grid.setVisible(self.medium.currentData() == CUSTOM)
        self.schedule()

    def current_medium(self) -> tuple[str, Medium]:
        key = self.medium.currentData()
        return resolve_medium(self.grid.text() if key == CUSTOM else str(key))

    def current_template(self) -> tuple[str, LabelTemplate]:
        body = self.template.currentData()
        if body:
            return self.template.currentText(), LabelTemplate.from_json(body)
        t = default_template(self.current_kind())
        return t.name, t

    # selection

    def handle_scan(self, scan: Scan) -> bool:
        self.add_entry(scan.value)
        return True

    def _add_signatura(self) -> None:
        text = self.signatura.text().strip()
        if text:
            self.add_entry(text)
            self.signatura.clear()

    def add_entry(self, value: str) -> None:
        if value in self.entries:
            self.feedback.show_message("warn", _("{code} ya está en la lista.").format(code=value))
            return
        self.entries.append(value)
        self.selection.addItem(value)
        self.entries_changed()

    def remove_selected(self) -> None:
        rows = sorted((self.selection.row(i) for i in self.selection.selectedItems()), reverse=True)
        for r in rows:
            self.selection.takeItem(r)
            del self.entries[r]
        self.entries_changed()

    def clear(self) -> None:
        self.entries = []
        self.selection.clear()
        self.entries_changed()

    def entries_changed(self) -> None:
        """Read the labels of the selection again (then render)."""
        self._generation += 1
        generation = self._generation
        if not self.entries:
            self.records = []
            self._show(None)
            return
        labels, actor, kind, entries = (
            self.session.services.labels,
            self.session.actor,
            self.current_kind(),
            list(self.entries),
        )

        def read() -> list[LabelRecord]:
            out: list[LabelRecord] = []
            for e in entries:
                try:
                    out.extend(labels.records(actor, kind, Selection(barcodes=(e,))))
                except (NotFound, ValidationError) as error:
                    if looks_like_legajo_barcode(e):
                        raise
                    try:  # a typed signatura
                        out.extend(labels.records(actor, kind, Selection(location=e)))
                    except (NotFound, ValidationError):
                        raise error from None
            return out

        self.session.run(read, on_done=lambda recs: self._records(generation, recs),
                         on_error=lambda e: self._records_failed(generation, e))  # fmt: skip

    def _records(self, generation: int, records: list[LabelRecord]) -> None:
        if generation != self._generation:
            return
        self.records = records
        self.count_label.setText(_("{n} rótulos").format(n=len(records)))
        self.feedback.show_message("info", "")
        self.render_preview()

    def _records_failed(self, generation: int, error: LegajoError) -> None:
        if generation == self._generation:
            self.records = []
            self.feedback.show_message("error", error)
            self._show(None)

    # preview

    def schedule(self) -> None:
        self.timer.start()

    def job(self) -> Job:
        name, template = self.current_template()
        medium_id, medium = self.current_medium()
        self.start.setMaximum(medium.per_page)
        cal = self.calibration.currentData()
        return Job(
            self.current_kind(),
            name,
            template,
            medium_id,
            medium,
            cal,
            self.start.value(),
            tuple(self.records),
        )

    def render_preview(self) -> None:
        self.timer.stop()
        if not self.records:
            self._show(None)
            return
        try:
            job = self.job()
        except LegajoError as error:
            self.feedback.show_message("error", error)
            return
        self._generation += 1
        generation = self._generation
        self.session.runner.run_io(lambda ctx: render_job(job, ctx.cancelled),
                                   on_done=lambda r: self._rendered(generation, r),
                                   on_error=lambda e: self._render_failed(generation, e))  # fmt: skip

    def _rendered(self, generation: int, result: Rendered) -> None:
        if generation == self._generation:
            self._show(result)

    def _render_failed(self, generation: int, error: LegajoError) -> None:
        if generation == self._generation and not isinstance(error, JobCancelled):
            self.feedback.show_message("error", error)
            self._show(None)

    def _show(self, result: Rendered | None) -> None:
        self.result = result
        if result is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(_("La vista previa aparece al elegir qué rotular."))
            self.summary.setText("")
            self.count_label.setText(
                _("{n} rótulos").format(n=len(self.records)) if self.entries else ""
            )
        else:
            if result.preview:
                pixmap = QPixmap()
                pixmap.loadFromData(result.preview)
                self.preview.setPixmap(pixmap)
            else:
                self.preview.setText(_("Vista previa no disponible: falta pdftoppm (poppler-utils). "
                                       "El PDF se puede guardar igual."))  # fmt: skip
            text = ngettext("{n} rótulo", "{n} rótulos", result.labels).format(n=result.labels) + " · " + ngettext(
                "{p} página", "{p} páginas", result.pages).format(p=result.pages)  # fmt: skip
            if result.truncated:
                text += " — " + _("{n} con texto recortado").format(n=result.truncated)
            self.summary.setText(text)
        self._update()
        self.rendered.emit(result.labels if result else 0)

    def _update(self) -> None:
        ready = self.result is not None
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(
            ready and bool(self.printers) and output.pdftoppm() is not None
        )
        if not self.printers:
            self.print_button.setToolTip(
                _("No hay impresoras instaladas en este equipo: guarde el PDF.")
            )
        self.reprint_button.setEnabled(bool(selected_rows(self.batch_table)))

    # output

    def ask_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Guardar rótulos"), suggested, _("PDF (*.pdf)")
        )
        return path

    def save_pdf(self) -> None:
        result = self.result
        if result is None:
            return
        path = self.ask_save_path(f"rotulos-{result.job.kind}.pdf")
        if not path:
            return
        try:
            with open(path, "wb") as f:
                f.write(result.pdf)
        except OSError as exc:
            self.feedback.show_message(
                "error",
                _("No se pudo escribir {file}: {error}").format(file=path, error=exc.strerror),
            )
            return
        self._remember(result.job, _("PDF guardado: {file}").format(file=path))

    def print_labels(self) -> None:
        result = self.result
        if result is None or not self.printers:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        output.prepare_printer(printer, result.job.medium)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        dpi = min(printer.resolution(), 600)
        pages = output.rasterise(result.pdf, dpi)
        try:
            output.print_pages(printer, pages, dpi)
        except OSError:
            self.feedback.show_message("error", _("La impresora no respondió."))
            return
        self._remember(result.job, _("Enviado a {printer}.").format(printer=printer.printerName()))

    def _remember(self, job: Job, message: str) -> None:
        req = BatchRequest(job.kind, job.template_name, job.template.to_json(), job.medium_id, job.medium.to_dict(),
                           job.calibration.name if job.calibration else "", job.start, source_of(job.kind),
                           [r.item_id for r in job.records])  # fmt: skip
        labels, actor = self.session.services.labels, self.session.actor
        self.session.run(lambda: labels.record_batch(actor, req),
                         on_done=lambda batch_id: self._remembered(batch_id, message), on_error=self._failed)  # fmt: skip

    def _remembered(self, batch_id: str, message: str) -> None:
        self.feedback.show_message("ok", message)
        self.session.publish(Changes(audit=True))
        self.batch_saved.emit(batch_id)
        self.reload()

    def reprint_selected(self) -> None:
        rows = selected_rows(self.batch_table)
        if not rows:
            return
        batch: BatchView = self.batch_model.row(rows[0])["view"]
        labels, actor = self.session.services.labels, self.session.actor
        self.session.run(lambda: labels.records_by_ids(actor, batch.kind, batch.source, batch.item_ids),
                         on_done=lambda recs: self._reprint(batch, recs), on_error=self._failed)  # fmt: skip

    def _reprint(self, batch: BatchView, records: list[LabelRecord]) -> None:
        cal = next((c for c in self.calibrations if c.name == batch.calibration), None)
        try:
            job = Job(batch.kind, batch.template_name, LabelTemplate.from_json(batch.template_body), batch.medium,
                      resolve_medium(batch.medium_body)[1], cal, batch.start_position, tuple(records))  # fmt: skip
        except LegajoError as error:
            self.feedback.show_message("error", error)
            return
        self._generation += 1
        generation = self._generation
        self.session.runner.run_io(lambda ctx: render_job(job, ctx.cancelled),
                                   on_done=lambda r: self._reprinted(generation, r), on_error=self._failed)  # fmt: skip

    def _reprinted(self, generation: int, result: Rendered) -> None:
        if generation == self._generation:
            self._show(result)
            self.save_pdf()

    # dialogs

    def edit_template(self) -> None:
        try:
            name, template = self.current_template()
        except LegajoError as error:
            self.feedback.show_message("error", error)
            return
        dialog = TemplateDialog(template, name, self)
        dialog.accepted.connect(lambda: self._save_template(dialog))
        open_dialog(self, "template_dialog", dialog)

    def _save_template(self, dialog: TemplateDialog) -> None:
        template = dialog.template
        if template is None:
            return
        labels, actor, kind = self.session.services.labels, self.session.actor, self.current_kind()
        name, default = dialog.name.text().strip(), dialog.default.isChecked()
        self.session.run(lambda: labels.save_template(actor, kind, name, template.to_json(), make_default=default),
                         on_done=lambda _t: self.reload(), on_error=self._failed)  # fmt: skip

    def edit_calibration(self) -> None:
        dialog = CalibrationDialog(self.calibration.currentData(), self)
        dialog.accepted.connect(lambda: self._save_calibration(dialog))
        open_dialog(self, "calibration_dialog", dialog)

    def _save_calibration(self, dialog: CalibrationDialog) -> None:
        labels, actor, name, values = (
            self.session.services.labels,
            self.session.actor,
            dialog.name.text(),
            dialog.values(),
        )
        self.session.run(lambda: labels.save_calibration(actor, name, **values),  # type: ignore[arg-type]
                         on_done=lambda c: self._calibrated(c.name), on_error=self._failed)  # fmt: skip

    def _calibrated(self, name: str) -> None:
        self.calibration.addItem(name, None)  # placeholder until the reload brings the profile
        self.calibration.setCurrentIndex(self.calibration.count() - 1)
        self.reload()
