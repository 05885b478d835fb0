"""The dialogs of the Préstamos area: request, lend directly, receive a return, and a reason
(reject or cancel). Each runs its service call on the database worker and stays open with the
error shown inline when it fails; scanning a label while one is open fills in the unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.i18n import _
from archive.services.loans import LoanResult
from desktop.session import Session
from desktop.views import error_label, show_inline
from scanners.scan import Scan


class DependenciaCombo(QComboBox):
    """The dependencias (code — name), filled off the GUI thread; :meth:`reload` refills it
    keeping the choice. ``first`` is an optional leading ``(text, data)`` item, e.g. "(todas)"."""

    def __init__(self, session: Session, current: str = "", first: tuple[str, str] | None = None) -> None:
        super().__init__()
        self._session, self._first = session, first
        self.setMinimumContentsLength(24)
        self.reload(current)

    def reload(self, current: str | None = None) -> None:
        keep = str(self.currentData() or "") if current is None else current
        self._session.run(self._session.services.org.list_dependencias, on_done=lambda deps: self._fill(deps, keep),
                          owner=self)  # fmt: skip

    def _fill(self, deps: list[Any], keep: str) -> None:
        self.blockSignals(True)
        self.clear()
        if self._first is not None:
            self.addItem(*self._first)
        for d in deps:
            self.addItem(f"{d.code} — {d.name}", d.code)
        self.setCurrentIndex(max(self.findData(keep), 0))
        self.blockSignals(False)


def dependencia_combo(session: Session, current: str = "", first: tuple[str, str] | None = None) -> DependenciaCombo:
    return DependenciaCombo(session, current, first)


def text_box(height: int = 70) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class LoanDialog(QDialog):
    """Base of the loan dialogs: a form, an inline error, OK/Cancel, one service call.

    Signals:
        succeeded(object): the call succeeded; its :class:`LoanResult` (the owner publishes
            its changes).
    """

    succeeded = Signal(object)

    def __init__(self, session: Session, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.error = error_label()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(buttons)

    def call(self) -> Callable[[], LoanResult]:
        raise NotImplementedError

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        fn = self.call()
        self.ok_button.setEnabled(False)
        self._session.run(fn, on_done=self._succeeded, on_error=self._failed, owner=self)

    def _succeeded(self, result: LoanResult) -> None:
        self.accept()
        self.succeeded.emit(result)

    def _failed(self, error: LegajoError) -> None:
        self.ok_button.setEnabled(True)
        show_inline(self.error, error)


class RequestDialog(LoanDialog):
    """Ask for a unit: its code, what for, and (archive staff) which dependencia asks."""

    def __init__(self, session: Session, barcode: str = "", parent: QWidget | None = None) -> None:
        super().__init__(session, _("Solicitar préstamo"), _("&Solicitar"), parent)
        self.unit = QLineEdit(barcode)
        self.unit.setPlaceholderText(_("Escanee o escriba el código de la caja o carpeta"))
        self.purpose = text_box()
        self.form.addRow(_("&Unidad:"), self.unit)
        self.dependencia: QComboBox | None = None
        if not session.actor.own_dependencia_only:
            self.dependencia = dependencia_combo(session, "")
            self.form.addRow(_("&Dependencia:"), self.dependencia)
        self.form.addRow(_("&Para qué:"), self.purpose)
        (self.purpose if barcode else self.unit).setFocus()

    def handle_scan(self, scan: Scan) -> bool:
        self.unit.setText(scan.value)
        self.purpose.setFocus()
        return True

    def call(self) -> Callable[[], LoanResult]:
        loans, actor = self._session.services.loans, self._session.actor
        unit, purpose = self.unit.text(), self.purpose.toPlainText()
        dep = str(self.dependencia.currentData() or "") if self.dependencia is not None else ""
        return lambda: loans.request(actor, unit, purpose, dependencia_code=dep)


class LendDialog(LoanDialog):
    """Lend a unit directly: who takes it, for which dependencia, what for."""

    def __init__(self, session: Session, barcode: str = "", parent: QWidget | None = None) -> None:
        super().__init__(session, _("Prestar unidad"), _("&Prestar"), parent)
        self.unit = QLineEdit(barcode)
        self.unit.setPlaceholderText(_("Escanee o escriba el código de la caja o carpeta"))
        self.dependencia = dependencia_combo(session, "")
        self.requester = QLineEdit()
        self.requester.setPlaceholderText(_("Nombre de quien recibe la unidad"))
        self.purpose = text_box(60)
        self.form.addRow(_("&Unidad:"), self.unit)
        self.form.addRow(_("&Dependencia:"), self.dependencia)
        self.form.addRow(_("&Recibe:"), self.requester)
        self.form.addRow(_("&Para qué:"), self.purpose)
        (self.requester if barcode else self.unit).setFocus()

    def handle_scan(self, scan: Scan) -> bool:
        self.unit.setText(scan.value)
        self.requester.setFocus()
        return True

    def call(self) -> Callable[[], LoanResult]:
        loans, actor = self._session.services.loans, self._session.actor
        unit, name, purpose = self.unit.text(), self.requester.text(), self.purpose.toPlainText()
        dep = str(self.dependencia.currentData() or "")
        return lambda: loans.lend_scan(actor, unit, dependencia_code=dep, requester_name=name, purpose=purpose)


class ReturnDialog(LoanDialog):
    """Receive a unit back: were all its folios there? Notes on its condition."""

    def __init__(self, session: Session, barcode: str = "", parent: QWidget | None = None) -> None:
        super().__init__(session, _("Recibir devolución"), _("&Recibir"), parent)
        self.unit = QLineEdit(barcode)
        self.unit.setPlaceholderText(_("Escanee o escriba el código de la caja o carpeta"))
        self.complete = QCheckBox(_("&Folios completos"))
        self.complete.setChecked(True)
        self.notes = text_box(60)
        self.form.addRow(_("&Unidad:"), self.unit)
        self.form.addRow("", self.complete)
        self.form.addRow(_("&Observaciones:"), self.notes)
        self.body.insertWidget(1, QLabel(_("Si faltan folios se abre una novedad sobre la unidad.")))
        (self.complete if barcode else self.unit).setFocus()

    def handle_scan(self, scan: Scan) -> bool:
        self.unit.setText(scan.value)
        self.complete.setFocus()
        return True

    def call(self) -> Callable[[], LoanResult]:
        loans, actor = self._session.services.loans, self._session.actor
        unit, complete, notes = self.unit.text(), self.complete.isChecked(), self.notes.toPlainText()
        return lambda: loans.return_unit(actor, unit, folios_complete=complete, notes=notes)


class ReasonDialog(LoanDialog):
    """Reject (reason required) or cancel (reason optional) a request."""

    def __init__(self, session: Session, loan_id: str, what: str, *, reject: bool, parent: QWidget | None = None) -> None:
        title = _("Rechazar solicitud") if reject else _("Cancelar solicitud")
        super().__init__(session, title, _("&Rechazar") if reject else _("C&ancelar solicitud"), parent)
        self._loan_id, self._reject = loan_id, reject
        self.reason = text_box()
        self.body.insertWidget(0, QLabel(what))
        self.form.addRow(_("&Motivo:"), self.reason)
        self.reason.setFocus()

    def call(self) -> Callable[[], LoanResult]:
        loans, actor, loan_id = self._session.services.loans, self._session.actor, self._loan_id
        reason = self.reason.toPlainText()
        if self._reject:
            return lambda: loans.reject(actor, loan_id, reason)
        return lambda: loans.cancel(actor, loan_id, reason)
