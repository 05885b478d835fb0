"""The eliminations area: the list and each step of the workflow (new inventory from the
candidates, committee approval, publication, observations, selección, acta, execution), the
FUID and the acta PDF. The service checks every hard block; the view shows its message."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLineEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.elimination import EliminationRow
from desktop.lazy_model import Column
from desktop.session import Session
from desktop.views import View, error_label, open_dialog, show_inline, title_label
from desktop.views.inventory.common import RowsModel, fmt_date, named, selected_rows, setup_table
from desktop.views.transfers.common import (
    FormDialog,
    action_bar,
    candidates_table,
    date_edit,
    qdate,
    save_path,
    write_fuid,
)

STATUSES = {"borrador": N_("Borrador"), "aprobada": N_("Aprobada"), "publicada": N_("Publicada"),
            "ejecutada": N_("Ejecutada")}  # fmt: skip
COLUMNS = [
    Column("year", N_("Año")),
    Column("status", N_("Estado"), formatter=named(STATUSES)),
    Column("items", N_("Expedientes")),
    Column("committee_act", N_("Acta del comité")),
    Column("publication_start", N_("Publicación desde"), formatter=fmt_date),
    Column("publication_end", N_("Publicación hasta"), formatter=fmt_date),
    Column("acta_number", N_("Acta de eliminación")),
    Column("executed_on", N_("Ejecutada"), formatter=fmt_date),
]


class EliminationsView(View):
    """The eliminations area.

    Signals:
        loaded(int): the list was (re)loaded; how many rows.
        exported(str): a FUID or acta file was written.
    """

    loaded = Signal(int)
    exported = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: QDialog | None = None
        self.model = RowsModel(COLUMNS, self)
        self.table = setup_table(QTableView(), self.model, (60, 90, 90, 130, 110, 110, 130, 90))
        self.message = error_label()
        actions = (
            ("new", _("&Nueva desde candidatos…"), self.new_elimination),
            ("approve", _("A&probar…"), self.approve),
            ("publish", _("&Publicar…"), self.publish),
            ("observe", _("&Observación…"), self.observe),
            ("acta", _("&Acta…"), self.acta),
            ("execute", _("E&jecutar"), self.execute),
            ("fuid", _("Exportar &FUID…"), lambda: self.export("fuid")),
            ("acta_pdf", _("Imprimir a&cta…"), lambda: self.export("acta")),
        )
        manage = session.can(Permission.ELIMINATION_MANAGE)
        bar, self.buttons = action_bar(actions, manage=manage, open_to_all=("fuid", "acta_pdf"))
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Eliminación documental")))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)

    def reload(self) -> None:
        el, actor = self.session.services.elimination, self.session.actor
        self.session.run(lambda: el.list(actor), on_done=self._loaded)

    def on_changes(self, changes: Changes) -> None:
        if changes.records:
            self.reload()

    def _loaded(self, rows: list[EliminationRow]) -> None:
        self.model.set_rows([{**r.__dict__, "view": r} for r in rows])
        self.loaded.emit(len(rows))

    def current(self) -> EliminationRow | None:
        rows = selected_rows(self.table)
        return self.model.row(rows[0])["view"] if rows else None

    def _form(self, title: str, rows: list[tuple[str, QWidget]], call: Any) -> None:
        dialog = FormDialog(self.session, title, rows, lambda d: call,
                            lambda r: self.session.publish(Changes(records=True)), self)  # fmt: skip
        open_dialog(self, "dialog", dialog)

    def new_elimination(self) -> None:
        table, model = candidates_table()
        el, actor = self.session.services.elimination, self.session.actor

        def loaded(rows: list[Any]) -> None:
            model.set_rows([{**r.__dict__} for r in rows])
            table.selectAll()

        self.session.run(lambda: el.candidates(actor), on_done=loaded)

        def create() -> Any:
            ids = [model.row(i)["id"] for i in selected_rows(table)]
            return lambda: el.create(actor, ids)

        dialog = FormDialog(self.session, _("Nueva eliminación"), [(_("Candidatos:"), table)],
                            lambda d: create(), lambda r: self.session.publish(r.changes), self)  # fmt: skip
        dialog.resize(900, 500)
        open_dialog(self, "dialog", dialog)

    def approve(self) -> None:
        e = self.current()
        if e is None:
            return
        act, on = QLineEdit(), date_edit()
        el, actor = self.session.services.elimination, self.session.actor
        self._form(_("Aprobación del comité"), [(_("Acta del comité:"), act), (_("Fecha:"), on)],
                   lambda: el.approve(actor, e.id, act.text(), qdate(on)))  # fmt: skip

    def publish(self) -> None:
        e = self.current()
        if e is None:
            return
        start, url = date_edit(), QLineEdit()
        el, actor = self.session.services.elimination, self.session.actor
        self._form(_("Publicación del inventario"), [(_("Desde:"), start), (_("Dirección web:"), url)],
                   lambda: el.publish(actor, e.id, qdate(start), url.text()))  # fmt: skip

    def observe(self) -> None:
        e = self.current()
        if e is None:
            return
        on, author, text, exp, years = (
            date_edit(),
            QLineEdit(),
            QLineEdit(),
            QLineEdit(),
            QSpinBox(),
        )
        action = QComboBox()
        for key, label in (("none", _("Solo registrar")), ("exclude", _("Excluir el expediente")),
                           ("extend", _("Ampliar la retención"))):  # fmt: skip
            action.addItem(label, key)
        el, actor = self.session.services.elimination, self.session.actor
        self._form(_("Observación ciudadana"),
                   [(_("Recibida:"), on), (_("Autor:"), author), (_("Texto:"), text), (_("Decisión:"), action),
                    (_("Expediente:"), exp), (_("Años de ampliación:"), years)],
                   lambda: el.observe(actor, e.id, received_on=qdate(on), author=author.text(), text=text.text(),
                                      action=action.currentData(), expediente=exp.text().strip(),
                                      extend_years=years.value()))  # fmt: skip

    def acta(self) -> None:
        e = self.current()
        if e is None:
            return
        number, on, method, signers, metres = (
            QLineEdit(),
            date_edit(),
            QLineEdit("picado"),
            QLineEdit(),
            QLineEdit("0"),
        )
        signers.setPlaceholderText(_("Nombre|Cargo; Nombre|Cargo"))
        el, actor = self.session.services.elimination, self.session.actor

        def call() -> None:
            pairs = [tuple([*s.split("|"), ""][:2]) for s in signers.text().split(";") if s.strip()]
            try:
                m = Decimal(metres.text().replace(",", ".") or "0")
            except InvalidOperation:
                m = Decimal(-1)
            el.set_acta(actor, e.id, number=number.text(), on=qdate(on), method=method.text(),
                        signatories=[(a.strip(), b.strip()) for a, b in pairs], linear_metres=max(m, Decimal(0)))  # fmt: skip

        self._form(_("Acta de eliminación"),
                   [(_("Número:"), number), (_("Fecha:"), on), (_("Método:"), method), (_("Firmantes:"), signers),
                    (_("Metros lineales:"), metres)], call)  # fmt: skip

    def execute(self) -> None:
        e = self.current()
        if e is None:
            return
        el, actor = self.session.services.elimination, self.session.actor
        self.session.run(lambda: el.execute(actor, e.id), on_done=lambda r: self.session.publish(r.changes),
                         on_error=lambda err: show_inline(self.message, err))  # fmt: skip

    def export(self, what: str, path: str = "") -> None:
        e = self.current()
        if e is None:
            return
        path = path or save_path(self, _("Guardar"), f"{what}-{e.year}.pdf")
        if not path:
            return
        el, actor = self.session.services.elimination, self.session.actor

        def work() -> str:
            if what == "fuid":
                return write_fuid(el.fuid(actor, e.id), path)
            from reports.actas import render_acta_eliminacion

            render_acta_eliminacion(el.acta(actor, e.id), path)
            return path

        self.session.run(
            work, on_done=self.exported.emit, on_error=lambda err: show_inline(self.message, err)
        )
