"""The transfers area: the list, a new transfer from the candidates, preparation and delivery,
FUID export, reception by scanning with the cotejo result, acceptance and rejection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.transfers import CHECKLIST, Cotejo, TransferResult, TransferRow
from desktop.lazy_model import Column
from desktop.session import Session
from desktop.views import View, error_label, open_dialog, primary_button, show_inline, title_label
from desktop.views.inventory.common import RowsModel, fmt_date, named, selected_rows, setup_table
from desktop.views.transfers.common import (
    FormDialog,
    action_bar,
    candidates_table,
    save_path,
    write_fuid,
)

KINDS = {"primaria": N_("Primaria"), "secundaria": N_("Secundaria")}
STATUSES = {"borrador": N_("Borrador"), "enviada": N_("Enviada"), "aceptada": N_("Aceptada"),
            "rechazada": N_("Rechazada")}  # fmt: skip
COLUMNS = [
    Column("kind", N_("Tipo"), formatter=named(KINDS)),
    Column("dependencia_code", N_("Dependencia")),
    Column("label", N_("N° T")),
    Column("status", N_("Estado"), formatter=named(STATUSES)),
    Column("items", N_("Expedientes")),
    Column("sent_on", N_("Entregada"), formatter=fmt_date),
    Column("received_on", N_("Recibida"), formatter=fmt_date),
    Column("observations", N_("Observaciones")),
]


class NewTransferDialog(QDialog):
    """Pick the kind and dependencia, load the candidates, select some (or all), create.

    Signals:
        created(str): the new transfer's id.
    """

    created = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Nueva transferencia"))
        self.kind = QComboBox()
        for key, text in KINDS.items():
            self.kind.addItem(_(text), key)
        self.dependencia = QLineEdit()
        self.dependencia.setPlaceholderText(_("código, p. ej. 110"))
        load = QPushButton(_("&Buscar candidatos"))
        load.clicked.connect(self.load)
        self.table, self.model = candidates_table(self)
        self.message = error_label()
        create = primary_button(_("&Crear con los seleccionados"))
        create.clicked.connect(self.create_transfer)
        top = QHBoxLayout()
        for w in (QLabel(_("Tipo:")), self.kind, QLabel(_("Dependencia:")), self.dependencia, load):
            top.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(create)
        self.resize(900, 500)

    def load(self) -> None:
        tr, actor = self.session.services.transfers, self.session.actor
        kind, dep = self.kind.currentData(), self.dependencia.text().strip()
        self.session.run(lambda: tr.candidates(actor, kind, dep), on_done=self._loaded,
                         on_error=lambda e: show_inline(self.message, e), owner=self)  # fmt: skip

    def _loaded(self, rows: list[Any]) -> None:
        self.model.set_rows([{**r.__dict__, "view": r} for r in rows])
        self.table.selectAll()
        show_inline(self.message, None if rows else _("No hay expedientes por transferir."))

    def create_transfer(self) -> None:
        ids = [self.model.row(i)["id"] for i in selected_rows(self.table)]
        tr, actor = self.session.services.transfers, self.session.actor
        kind, dep = self.kind.currentData(), self.dependencia.text().strip()
        self.session.run(lambda: tr.create(actor, kind, dep, ids), on_done=self._created,
                         on_error=lambda e: show_inline(self.message, e), owner=self)  # fmt: skip

    def _created(self, result: TransferResult) -> None:
        self.session.publish(result.changes)
        self.created.emit(result.id)
        self.accept()


class ReceiveDialog(QDialog):
    """Scan every caja and carpeta that arrived (wedge reader or typing + Enter), then cotejo.

    Signals:
        checked(object): the :class:`Cotejo`.
    """

    checked = Signal(object)

    def __init__(self, session: Session, transfer_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.transfer_id = session, transfer_id
        self.setWindowTitle(_("Recibir transferencia (cotejo)"))
        self.scan = QLineEdit()
        self.scan.setPlaceholderText(_("Lea el código de barras y pulse Intro"))
        self.scan.returnPressed.connect(self.add_scan)
        self.scans = QListWidget()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.message = error_label()
        check = primary_button(_("&Cotejar con el FUID"))
        check.clicked.connect(self.check)
        layout = QVBoxLayout(self)
        for w in (self.scan, self.scans, self.outcome, self.message, check):
            layout.addWidget(w)

    def add_scan(self) -> None:
        code = self.scan.text().strip()
        if code and not self.scans.findItems(code, Qt.MatchFlag.MatchExactly):
            self.scans.addItem(code)
        self.scan.clear()

    def codes(self) -> list[str]:
        return [self.scans.item(i).text() for i in range(self.scans.count())]

    def check(self) -> None:
        tr, actor, tid, codes = (
            self.session.services.transfers,
            self.session.actor,
            self.transfer_id,
            self.codes(),
        )
        self.session.run(lambda: tr.receive(actor, tid, codes), on_done=self._checked,
                         on_error=lambda e: show_inline(self.message, e), owner=self)  # fmt: skip

    def _checked(self, c: Cotejo) -> None:
        if c.ok:
            self.outcome.setText(_("Cotejo correcto: {n} unidades.").format(n=c.expected))
        else:
            self.outcome.setText(_("Diferencias. Faltan: {m}. Sobran: {x}. Folios distintos: {f}.").format(
                m=", ".join(c.missing) or "—", x=", ".join(c.extra) or "—", f=len(c.folio_diffs)))  # fmt: skip
        self.session.publish(Changes(records=True))
        self.checked.emit(c)


class TransfersView(View):
    """The transfers area.

    Signals:
        loaded(int): the list was (re)loaded; how many rows.
        exported(str): a FUID file was written.
    """

    loaded = Signal(int)
    exported = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.model = RowsModel(COLUMNS, self)
        self.table = setup_table(QTableView(), self.model, (90, 100, 90, 90, 90, 90, 90, 300))
        self.message = error_label()
        actions = (
            ("new", _("&Nueva desde candidatos…"), self.new_transfer),
            ("ready", _("&Preparación completa"), self.mark_ready),
            ("send", _("&Entregar"), self.send),
            ("fuid", _("Exportar &FUID…"), lambda: self.export_fuid()),
            ("receive", _("&Recibir…"), self.receive),
            ("accept", _("&Aceptar…"), self.accept_selected),
            ("reject", _("Rec&hazar…"), self.reject_selected),
        )
        manage = session.can(Permission.TRANSFERS_MANAGE)
        bar, self.buttons = action_bar(actions, manage=manage, open_to_all=("fuid",))
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Transferencias documentales")))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)

    def reload(self) -> None:
        tr, actor = self.session.services.transfers, self.session.actor
        self.session.run(lambda: tr.list(actor), on_done=self._loaded)

    def on_changes(self, changes: Changes) -> None:
        if changes.records:
            self.reload()

    def _loaded(self, rows: list[TransferRow]) -> None:
        self.model.set_rows([{**r.__dict__, "label": r.label, "view": r} for r in rows])
        self.loaded.emit(len(rows))

    def current(self) -> TransferRow | None:
        rows = selected_rows(self.table)
        return self.model.row(rows[0])["view"] if rows else None

    def _call(self, fn: Any) -> None:
        self.session.run(fn, on_done=lambda r: self.session.publish(getattr(r, "changes", Changes(records=True))),
                         on_error=lambda e: show_inline(self.message, e))  # fmt: skip

    def new_transfer(self) -> None:
        open_dialog(self, "dialog", NewTransferDialog(self.session, self))

    def mark_ready(self) -> None:
        t = self.current()
        if t is None:
            return
        tr, actor = self.session.services.transfers, self.session.actor

        def work() -> Changes:
            for item in tr.items(actor, t.id):
                tr.set_checklist(actor, t.id, item.expediente_id, **dict.fromkeys(CHECKLIST, True))
            return Changes(records=True)

        self._call(work)

    def send(self) -> None:
        t = self.current()
        if t is not None:
            tr, actor = self.session.services.transfers, self.session.actor

            def work() -> Changes:
                tr.send(actor, t.id)
                return Changes(records=True)

            self._call(work)

    def export_fuid(self, path: str = "") -> None:
        t = self.current()
        if t is None:
            return
        path = path or save_path(self, _("Exportar FUID"), f"FUID-{t.label}.pdf")
        if not path:
            return
        tr, actor = self.session.services.transfers, self.session.actor
        self.session.run(lambda: write_fuid(tr.fuid(actor, t.id), path), on_done=self.exported.emit,
                         on_error=lambda e: show_inline(self.message, e))  # fmt: skip

    def receive(self) -> None:
        t = self.current()
        if t is not None:
            open_dialog(self, "dialog", ReceiveDialog(self.session, t.id, self))

    def accept_selected(self) -> None:
        t = self.current()
        if t is None:
            return
        location, obs, diffs = QLineEdit(), QLineEdit(), QCheckBox(_("aceptar con diferencias"))
        tr, actor = self.session.services.transfers, self.session.actor
        rows = [
            (_("Ubicación de destino (código):"), location),
            (_("Observaciones:"), obs),
            ("", diffs),
        ]
        dialog = FormDialog(self.session, _("Aceptar transferencia"), rows,
                            lambda d: lambda: tr.accept(actor, t.id, location.text(), observations=obs.text(),
                                                        accept_differences=diffs.isChecked()),
                            lambda r: self.session.publish(r.changes), self)  # fmt: skip
        open_dialog(self, "dialog", dialog)

    def reject_selected(self) -> None:
        t = self.current()
        if t is None:
            return
        obs = QLineEdit()
        tr, actor = self.session.services.transfers, self.session.actor
        dialog = FormDialog(self.session, _("Devolver transferencia"), [(_("Observaciones:"), obs)],
                            lambda d: lambda: tr.reject(actor, t.id, obs.text()),
                            lambda r: self.session.publish(Changes(records=True)), self)  # fmt: skip
        open_dialog(self, "dialog", dialog)
