"""Auditoría: who did what, when and where. Filters run in SQL (``audit.ids``); the table holds
only ids and loads rows by page (``audit.entries``); the detail pane shows every field of the
selected entry, with the before/after values as indented JSON. Export and the hash-chain check
run in the background with a progress dialog."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import LOCAL_TZ, format_datetime
from archive.i18n import N_, _, ngettext
from archive.services.audit import AuditEntry, AuditFilter
from archive.services.audit_log import VerifyReport
from desktop.lazy_model import Column, LazyTableModel
from desktop.messages import info, show_error, warning
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.session import Session
from desktop.views import (
    View,
    error_label,
    hint_label,
    open_dialog,
    primary_button,
    show_inline,
    title_label,
)


def _seconds(value: Any) -> str:
    return format_datetime(value, seconds=True)


COLUMNS = [
    Column("at", N_("Fecha y hora"), formatter=_seconds),
    Column("username", N_("Usuario")),
    Column("module", N_("Módulo")),
    Column("action", N_("Acción")),
    Column("entity", N_("Entidad")),
    Column("entity_id", N_("Id")),
    Column("workstation", N_("Estación")),
    Column("host_ip", N_("Equipo/IP")),
]

#: (label msgid, how to read the value from an entry) for the detail pane.
DETAIL_FIELDS: list[tuple[str, Any]] = [
    (N_("Fecha y hora"), lambda e: _seconds(e.at)),
    (N_("Usuario"), lambda e: e.username),
    (N_("Módulo"), lambda e: e.module),
    (N_("Acción"), lambda e: e.action),
    (N_("Entidad"), lambda e: e.entity),
    (N_("Id"), lambda e: e.entity_id),
    (N_("Estación"), lambda e: e.workstation),
    (N_("Equipo"), lambda e: e.host),
    (N_("IP"), lambda e: e.ip),
    (N_("Programa"), lambda e: e.program),
    (N_("Perfil"), lambda e: e.profile),
    (N_("Motivo"), lambda e: e.reason),
    (N_("Confirmado"), lambda e: _("Sí") if e.confirmed else _("No")),
    (N_("Extra 1"), lambda e: e.extras[0]),
    (N_("Extra 2"), lambda e: e.extras[1]),
    (N_("Extra 3"), lambda e: e.extras[2]),
    (N_("Extra 4"), lambda e: e.extras[3]),
    (N_("Extra 5"), lambda e: e.extras[4]),
    (N_("Registro"), lambda e: e.id),
]

PROBLEM_TEXT = {
    "hash": N_("el contenido del registro fue modificado"),
    "link": N_("el enlace con el registro anterior está roto (registro borrado o reordenado)"),
    "gap": N_("falta el registro anterior (registro borrado)"),
}


def pretty_json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def row_values(entry: AuditEntry) -> dict[str, Any]:
    host_ip = " / ".join(p for p in (entry.host, entry.ip) if p)
    return {
        "at": entry.at, "username": entry.username, "module": entry.module,
        "action": entry.action, "entity": entry.entity, "entity_id": entry.entity_id,
        "workstation": entry.workstation, "host_ip": host_ip, "entry": entry,
    }  # fmt: skip


def _date_filter(label: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    edit = QDateEdit()
    edit.setDisplayFormat(QT_DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setEnabled(False)
    edit.ensurePolished()
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00/00/00000") + 48)
    check.toggled.connect(edit.setEnabled)
    return check, edit


class AuditView(View):
    """The Auditoría area.

    Signals:
        loaded(int): a query finished; how many entries match.
        detail_shown(str): the detail pane now shows this entry id.
        exported(int): an export finished; how many rows were written.
        verified(object): the chain check finished; its VerifyReport.
    """

    loaded = Signal(int)
    detail_shown = Signal(str)
    exported = Signal(int)
    verified = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        audit, actor = session.services.audit, session.actor
        self.applied = AuditFilter()
        self.export_dialog: QFileDialog | None = None
        self.model = LazyTableModel(
            session.runner, COLUMNS,
            lambda ids: {i: row_values(e) for i, e in audit.entries(actor, [str(i) for i in ids]).items()},
            parent=self,
        )  # fmt: skip
        self.model.ids_reset.connect(self._ids_reset)
        self.model.page_loaded.connect(lambda _page: self._show_detail())

        # filters
        self.user_filter = QLineEdit()
        self.user_filter.setPlaceholderText(_("todos"))
        self.user_filter.setMaxLength(60)
        self.module_filter = QComboBox()
        self.module_filter.setMinimumContentsLength(12)
        self.module_filter.addItem(_("(todos)"), "")
        self.entity_filter = QLineEdit()
        self.entity_filter.setPlaceholderText(_("todas"))
        self.entity_filter.setMaxLength(60)
        self.from_check, self.from_date = _date_filter(_("&Desde:"))
        self.to_check, self.to_date = _date_filter(_("Ha&sta:"))
        today = session.services.rt.now().astimezone(LOCAL_TZ).date()
        self.from_date.setDate(_qdate(today - timedelta(days=30)))
        self.to_date.setDate(_qdate(today))
        self.apply_button = primary_button(_("A&plicar"))
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton(_("&Limpiar"))
        self.clear_button.clicked.connect(self.clear_filters)
        for field in (self.user_filter, self.entity_filter):
            field.returnPressed.connect(self.apply)
            field.setMinimumWidth(110)
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        for col, (text, widget) in enumerate(
            ((_("&Usuario:"), self.user_filter), (_("&Módulo:"), self.module_filter),
             (_("&Entidad:"), self.entity_filter))
        ):  # fmt: skip
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label, 0, 2 * col)
            filters.addWidget(widget, 0, 2 * col + 1)
        for col, (check, edit) in enumerate(
            ((self.from_check, self.from_date), (self.to_check, self.to_date))
        ):
            filters.addWidget(check, 1, 2 * col)
            filters.addWidget(edit, 1, 2 * col + 1, Qt.AlignmentFlag.AlignLeft)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.clear_button)
        filters.addLayout(buttons, 1, 4, 1, 2)
        for col in (1, 3, 5):
            filters.setColumnStretch(col, 1)

        # table
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.ensurePolished()  # the style sheet's font, not the default one
        text_width = self.table.fontMetrics().horizontalAdvance
        for col, sample in enumerate(("00/00/0000 00:00:00", "usuario.largo", "organizacion",
                                      "dependencia.update", "dependencia", "01a215af-98b0",
                                      "Estación")):  # fmt: skip
            self.table.setColumnWidth(col, text_width(sample) + 28)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_detail())

        # detail
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.detail_values: dict[str, QLabel] = {}
        fields = QWidget()
        form = QFormLayout(fields)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for msgid, _read in DETAIL_FIELDS:
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.detail_values[msgid] = value
            form.addRow(QLabel(_(msgid) + ":"), value)
        scroll = QScrollArea()
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        self.before = QPlainTextEdit()
        self.after = QPlainTextEdit()
        panes: list[QWidget] = [scroll]
        for text, pane_edit in ((_("Antes"), self.before), (_("Después"), self.after)):
            pane_edit.setReadOnly(True)
            pane_edit.setFont(mono)
            pane_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(QLabel(text))
            box_layout.addWidget(pane_edit, 1)
            panes.append(box)
        detail = QSplitter()
        for pane in panes:
            detail.addWidget(pane)
        detail.setSizes([480, 300, 300])

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        # actions
        can_export = session.can(Permission.AUDIT_EXPORT)
        self.export_button = QPushButton(_("E&xportar…"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.verify_button = QPushButton(_("Verificar &integridad"))
        self.verify_button.clicked.connect(self.verify)
        for button in (self.export_button, self.verify_button):
            button.setEnabled(can_export)
            if not can_export:
                button.setToolTip(_("Necesita el permiso «Exportar y verificar la auditoría»."))
        self.count = hint_label()
        self.banner = error_label()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.verify_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Auditoría")))
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    # loading

    def reload(self) -> None:
        audit, actor = self.session.services.audit, self.session.actor
        self.session.run(lambda: audit.modules(actor), on_done=self._modules, on_error=self._failed)
        self.apply()

    def _modules(self, modules: list[str]) -> None:
        current = self.module_filter.currentData()
        self.module_filter.clear()
        self.module_filter.addItem(_("(todos)"), "")
        for module in modules:
            self.module_filter.addItem(module, module)
        self.module_filter.setCurrentIndex(max(0, self.module_filter.findData(current)))

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            username=self.user_filter.text().strip(),
            module=self.module_filter.currentData() or "",
            entity=self.entity_filter.text().strip(),
            date_from=_pydate(self.from_date.date()) if self.from_check.isChecked() else None,
            date_to=_pydate(self.to_date.date()) if self.to_check.isChecked() else None,
        )

    def apply(self) -> None:
        """Run the query of the filters as they are now."""
        audit, actor, f = self.session.services.audit, self.session.actor, self.current_filter()
        self.applied = f
        self.model.reset_query(lambda _ctx: audit.ids(actor, f), on_error=self._failed)

    def clear_filters(self) -> None:
        self.user_filter.clear()
        self.entity_filter.clear()
        self.module_filter.setCurrentIndex(0)
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.apply()

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_inline(self.banner, error)
            show_error(self, error, sink=self.session.sink)

    def _ids_reset(self, count: int) -> None:
        show_inline(self.banner, None)
        self.count.setText(_("{n} registros").format(n=f"{count:,}".replace(",", ".")))
        if count:
            self.table.selectRow(0)
        self._show_detail()
        self.loaded.emit(count)

    # detail

    def current_entry(self) -> AuditEntry | None:
        index = self.table.currentIndex()
        values = self.model.values_at(index.row()) if index.isValid() else None
        return None if values is None else values["entry"]

    def _show_detail(self) -> None:
        entry = self.current_entry()
        for msgid, read in DETAIL_FIELDS:
            self.detail_values[msgid].setText(str(read(entry)) if entry else "")
        self.before.setPlainText(pretty_json(entry.before) if entry else "")
        self.after.setPlainText(pretty_json(entry.after) if entry else "")
        if entry is not None:
            self.detail_shown.emit(entry.id)

    # export and verification

    def choose_export_file(self) -> None:
        dialog = QFileDialog(self, _("Exportar auditoría"))
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
        dialog.selectFile(_("auditoria-{date}").format(date=today.strftime("%Y%m%d")))
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        open_dialog(self, "export_dialog", dialog)

    def export_to(self, path: Path) -> None:
        """Export the entries of the applied filters to ``path`` (.csv or .xlsx)."""
        audit, actor, f = self.session.services.audit, self.session.actor, self.applied
        self.session.run_ctx(
            lambda ctx: audit.export(
                actor, f, path, progress=ctx.progress, cancelled=ctx.cancelled
            ),
            on_done=lambda n: self._exported(path, n),
            on_error=self._job_failed,
            owner=self,
            progress=self,
            label=_("Exportando la auditoría…"),
            cancellable=True,
        )

    def _exported(self, path: Path, count: int) -> None:
        info(
            self, _("Exportar auditoría"),
            _("Se exportaron {n} registros a {file}.").format(n=count, file=path),
            sink=self.session.sink,
        )  # fmt: skip
        self.exported.emit(count)

    def _job_failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    def verify(self) -> None:
        audit, actor = self.session.services.audit, self.session.actor
        self.session.run(
            lambda: audit.verify(actor),
            on_done=self._verified,
            on_error=self._job_failed,
            progress=self,
            label=_("Verificando la cadena de auditoría…"),
        )

    def _verified(self, report: VerifyReport) -> None:
        title = _("Verificar integridad")
        if report.ok:
            info(
                self, title,
                ngettext(
                    "La auditoría está íntegra: {rows} registros verificados en {chains} cadena "
                    "(una por estación).",
                    "La auditoría está íntegra: {rows} registros verificados en {chains} cadenas "
                    "(una por estación).",
                    report.chains,
                ).format(rows=report.rows, chains=report.chains),
                sink=self.session.sink,
            )  # fmt: skip
        else:
            lines = [
                _("Estación {ws}, registro n.º {seq}: {problem}").format(
                    ws=p.workstation, seq=p.chain_seq, problem=_(PROBLEM_TEXT.get(p.kind, p.kind))
                )
                for p in report.problems
            ]
            warning(
                self, title,
                _("La auditoría fue alterada: {n} problemas en {rows} registros. Vea el "
                  "detalle.").format(n=len(report.problems), rows=report.rows),
                sink=self.session.sink, details="\n".join(lines),
            )  # fmt: skip
        self.verified.emit(report)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())
