"""Due lists: expedientes whose office years ended (to transfer to the central archive) or
whose central years ended (to dispose: CT → histórico, E → elimination, S → selection), in a lazy
id-backed table, with filters; those under a legal hold are marked."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.retention import DueFilter, DueRow
from desktop.lazy_model import Column, LazyTableModel
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.session import Session
from desktop.views import View, hint_label, title_label
from desktop.views.inventory.common import buddy_label, fmt_count, fmt_date, setup_table

COLUMNS = [
    Column("number", N_("Número")),
    Column("title", N_("Nombre")),
    Column("dependencia_code", N_("Dependencia")),
    Column("code", N_("Código TRD")),
    Column("closed_on", N_("Cierre"), formatter=fmt_date),
    Column("fin_gestion", N_("Fin gestión"), formatter=fmt_date),
    Column("fin_central", N_("Fin central"), formatter=fmt_date),
    Column("disposition", N_("Disposición")),
    Column("on_hold", N_("Suspendido"), formatter=lambda v: _("sí") if v else ""),
]


def row_values(row: DueRow) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in COLUMNS}


class DueView(View):
    """The due lists.

    Signals:
        loaded(int): the id query finished; how many expedientes are due.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        retention, actor = session.services.retention, session.actor
        self.model = LazyTableModel(
            session.runner, COLUMNS,
            lambda ids: {i: row_values(r) for i, r in retention.due_rows(actor, [str(x) for x in ids]).items()},
            parent=self,
        )  # fmt: skip
        self.model.ids_reset.connect(self._ids_reset)
        self.stage = QComboBox()
        self.stage.addItem(_("Por transferir (fin de gestión)"), "gestion")
        self.stage.addItem(_("Por disponer (fin de central)"), "central")
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setDisplayFormat(QT_DATE_FORMAT)
        self.as_of.setCalendarPopup(True)
        self.dependencia = QLineEdit()
        self.dependencia.setPlaceholderText(_("código"))
        self.serie = QLineEdit()
        self.serie.setPlaceholderText(_("código"))
        self.disposition = QComboBox()
        for text, value in (
            (_("(todas)"), ""),
            ("CT", "CT"),
            ("E", "E"),
            ("S", "S"),
            ("M/D", "MD"),
        ):
            self.disposition.addItem(text, value)
        self.exclude_held = QCheckBox(_("Omitir suspendidos"))
        for combo in (self.stage, self.disposition):
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.as_of.dateChanged.connect(lambda _d: self.apply())
        self.exclude_held.toggled.connect(lambda _b: self.apply())
        for edit in (self.dependencia, self.serie):
            edit.returnPressed.connect(self.apply)
        filters = QHBoxLayout()
        for text, widget in ((_("&Lista:"), self.stage), (_("&A la fecha:"), self.as_of),
                             (_("&Dependencia:"), self.dependencia), (_("Se&rie:"), self.serie),
                             (_("Dis&posición:"), self.disposition)):  # fmt: skip
            filters.addWidget(buddy_label(text, widget))
            filters.addWidget(widget)
        filters.addWidget(self.exclude_held)
        filters.addStretch(1)
        self.table = setup_table(QTableView(), self.model, (130, 300, 90, 100, 90, 90, 90, 90, 80))
        self.count = hint_label()
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Plazos de retención cumplidos")))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

    def current_filter(self) -> DueFilter:
        d = self.as_of.date()
        return DueFilter(
            stage=self.stage.currentData(), as_of=date(d.year(), d.month(), d.day()),
            dependencia_code=self.dependencia.text().strip(), serie_code=self.serie.text().strip(),
            disposition=self.disposition.currentData() or "", exclude_held=self.exclude_held.isChecked(),
        )  # fmt: skip

    def reload(self) -> None:
        self.apply()

    def apply(self) -> None:
        retention, actor, f = (
            self.session.services.retention,
            self.session.actor,
            self.current_filter(),
        )
        self.model.reset_query(lambda _ctx: retention.due_window(actor, f, 0, 10_000_000))

    def on_changes(self, changes: Changes) -> None:
        if changes.records:
            self.apply()

    def _ids_reset(self, n: int) -> None:
        self.count.setText(_("{n} expedientes").format(n=fmt_count(n)))
        self.loaded.emit(n)
