"""Legal holds: the list (active, or all), placing one on an expediente, a box, a serie or a
dependencia, and releasing it with the reason (both audited by the service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.holds import HoldInput, HoldRow
from desktop.lazy_model import Column
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.session import Session
from desktop.views import View, error_label, open_dialog, primary_button, show_inline, title_label
from desktop.views.inventory.common import RowsModel, fmt_date, named, selected_rows, setup_table

KINDS = {"expediente": N_("Expediente"), "unit": N_("Caja o unidad"), "serie": N_("Serie"),
         "dependencia": N_("Dependencia")}  # fmt: skip
COLUMNS = [
    Column("kind", N_("Objeto"), formatter=named(KINDS)),
    Column("target_label", N_("Referencia")),
    Column("authority", N_("Autoridad")),
    Column("reason", N_("Motivo")),
    Column("starts_on", N_("Desde"), formatter=fmt_date),
    Column("ends_on", N_("Hasta"), formatter=fmt_date),
    Column("state", N_("Estado")),
]


def _qdate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


class HoldDialog(QDialog):
    """Place a hold. The target field means: expediente number or id, box barcode, serie code
    (with the dependencia), or nothing (the whole dependencia)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Nueva suspensión"))
        self.kind = QComboBox()
        for key, text in KINDS.items():
            self.kind.addItem(_(text), key)
        self.target = QLineEdit()
        self.dependencia = QLineEdit()
        self.reason = QLineEdit()
        self.authority = QLineEdit()
        self.reference = QLineEdit()
        self.starts = QDateEdit(QDate.currentDate())
        self.ends = QDateEdit(QDate.currentDate())
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat(QT_DATE_FORMAT)
            edit.setCalendarPopup(True)
        self.has_end = QCheckBox(_("con fecha final"))
        self.message = error_label()
        form = QFormLayout(self)
        form.addRow(_("&Objeto:"), self.kind)
        form.addRow(_("&Número, código de barras o serie:"), self.target)
        form.addRow(_("&Dependencia:"), self.dependencia)
        form.addRow(_("&Motivo:"), self.reason)
        form.addRow(_("&Autoridad que ordena:"), self.authority)
        form.addRow(_("Oficio / radicado:"), self.reference)
        form.addRow(_("Desde:"), self.starts)
        ends = QHBoxLayout()
        ends.addWidget(self.has_end)
        ends.addWidget(self.ends)
        form.addRow(_("Hasta:"), ends)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> HoldInput:
        kind, target = self.kind.currentData(), self.target.text().strip()
        return HoldInput(
            kind=kind, reason=self.reason.text(), authority=self.authority.text(),
            starts_on=_qdate(self.starts.date()), dependencia_code=self.dependencia.text().strip(),
            serie_code=target if kind == "serie" else "", expediente=target if kind == "expediente" else "",
            unit_barcode=target if kind == "unit" else "", reference=self.reference.text(),
            ends_on=_qdate(self.ends.date()) if self.has_end.isChecked() else None,
        )  # fmt: skip

    def submit(self) -> None:
        holds, actor, data = self.session.services.holds, self.session.actor, self.value()
        self.session.run(lambda: holds.place(actor, data), on_done=self._placed,
                         on_error=lambda e: show_inline(self.message, e), owner=self)  # fmt: skip

    def _placed(self, result: Any) -> None:
        self.session.publish(result.changes)
        self.accept()


class ReleaseDialog(QDialog):
    """Release a hold: the reason is mandatory."""

    def __init__(self, session: Session, hold: HoldRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.hold = session, hold
        self.setWindowTitle(_("Levantar suspensión"))
        self.reason = QLineEdit()
        self.message = error_label()
        form = QFormLayout(self)
        form.addRow(_("Suspensión:"), QLineEdit(hold.target_label, readOnly=True))
        form.addRow(_("&Motivo del levantamiento:"), self.reason)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def submit(self) -> None:
        holds, actor, hold_id, reason = (
            self.session.services.holds,
            self.session.actor,
            self.hold.id,
            self.reason.text(),
        )
        self.session.run(lambda: holds.release(actor, hold_id, reason), on_done=self._released,
                         on_error=lambda e: show_inline(self.message, e), owner=self)  # fmt: skip

    def _released(self, changes: Changes) -> None:
        self.session.publish(changes)
        self.accept()


class HoldsView(View):
    """The holds area.

    Signals:
        loaded(int): the list was (re)loaded; how many rows.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.model = RowsModel(COLUMNS, self)
        self.table = setup_table(QTableView(), self.model, (110, 220, 200, 260, 90, 90, 90))
        self.show_all = QCheckBox(_("Incluir las levantadas"))
        self.show_all.toggled.connect(lambda _b: self.reload())
        self.add_button = primary_button(_("&Nueva suspensión…"))
        self.add_button.clicked.connect(
            lambda: open_dialog(self, "dialog", HoldDialog(self.session, self))
        )
        self.release_button = QPushButton(_("&Levantar…"))
        self.release_button.clicked.connect(self.release_selected)
        manage = session.can(Permission.RETENTION_MANAGE)
        self.add_button.setEnabled(manage)
        self.release_button.setEnabled(manage)
        bar = QHBoxLayout()
        bar.addWidget(self.show_all)
        bar.addStretch(1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.release_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Suspensiones por orden de autoridad")))
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)

    def reload(self) -> None:
        holds, actor, all_ = (
            self.session.services.holds,
            self.session.actor,
            self.show_all.isChecked(),
        )
        self.session.run(lambda: holds.list(actor, active_only=not all_), on_done=self._loaded)

    def on_changes(self, changes: Changes) -> None:
        if changes.records:
            self.reload()

    def _loaded(self, rows: list[HoldRow]) -> None:
        self.model.set_rows([
            {**r.__dict__, "state": _("activa") if r.active else _("levantada"), "view": r} for r in rows
        ])  # fmt: skip
        self.loaded.emit(len(rows))

    def release_selected(self) -> None:
        rows = selected_rows(self.table)
        if not rows:
            return
        hold: HoldRow = self.model.row(rows[0])["view"]
        if hold.active:
            open_dialog(self, "dialog", ReleaseDialog(self.session, hold, self))
