"""Pieces shared by the transfer and elimination areas: a small form dialog that runs a service
call on the worker and shows its error inline, a candidates picker, and the FUID export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QWidget,
)

from archive.domain.fuid import FuidDocument
from archive.i18n import N_, _
from desktop.lazy_model import Column
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.session import Session
from desktop.views import error_label, primary_button, show_inline
from desktop.views.inventory.common import RowsModel, fmt_date, setup_table

CANDIDATE_COLUMNS = [
    Column("number", N_("Número")),
    Column("title", N_("Nombre")),
    Column("code", N_("Código")),
    Column("closed_on", N_("Cierre"), formatter=fmt_date),
    Column("disposition", N_("Disposición")),
]


def action_bar(
    actions: Sequence[tuple[str, str, Callable[[], object]]],
    *,
    manage: bool,
    open_to_all: Sequence[str],
) -> tuple[QHBoxLayout, dict[str, QPushButton]]:
    """A row of action buttons keyed by name: the first (``"new"``) is the primary one; without
    ``manage`` only the ``open_to_all`` ones (exports) are enabled."""
    bar, buttons = QHBoxLayout(), {}
    for key, text, slot in actions:
        b = primary_button(text) if key == "new" else QPushButton(text)
        b.clicked.connect(slot)
        b.setEnabled(manage or key in open_to_all)
        buttons[key] = b
        bar.addWidget(b)
    bar.addStretch(1)
    return bar, buttons


def date_edit(value: date | None = None) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day) if value else QDate.currentDate())
    edit.setDisplayFormat(QT_DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def qdate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class FormDialog(QDialog):
    """Rows of labelled widgets, OK/Cancel; OK runs ``submit(dialog)`` on the worker and closes
    on success (calling ``done(result)``), or shows the error under the form."""

    def __init__(self, session: Session, title: str, rows: Sequence[tuple[str, QWidget]],
                 submit: Callable[[FormDialog], Callable[[], Any]], done: Callable[[Any], None],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.session, self._submit, self._done = session, submit, done
        self.setWindowTitle(title)
        self.message = error_label()
        form = QFormLayout(self)
        for label, widget in rows:
            form.addRow(label, widget)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def submit(self) -> None:
        call = self._submit(self)
        self.session.run(
            call, on_done=self._ok, on_error=lambda e: show_inline(self.message, e), owner=self
        )

    def _ok(self, result: Any) -> None:
        self._done(result)
        self.accept()


def candidates_table(parent: QWidget | None = None) -> tuple[QTableView, RowsModel]:
    model = RowsModel(CANDIDATE_COLUMNS, parent)
    table = setup_table(QTableView(), model, (170, 300, 90, 90, 90))
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    return table, model


def write_fuid(doc: FuidDocument, path: str) -> str:
    """PDF or XLSX by suffix (runs on the worker)."""
    from archive.io.fuid_export import export_fuid_xlsx
    from reports.fuid_pdf import render_fuid_pdf

    if Path(path).suffix.lower() == ".xlsx":
        export_fuid_xlsx(doc, Path(path))
    else:
        render_fuid_pdf(doc, Path(path))
    return path


def save_path(parent: QWidget, title: str, default: str) -> str:
    from PySide6.QtWidgets import QFileDialog

    path, _f = QFileDialog.getSaveFileName(parent, title, default, _("PDF (*.pdf);;Excel (*.xlsx)"))
    return path
