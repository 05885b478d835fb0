"""The TRD area: a tree dependencia → versión → serie → subserie, the detail of the selected
rule in a form validated as you type, import (wizard), export (PDF/XLSX in the AGN layout) and
recomputation of the due dates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive.domain.permissions import Permission
from archive.domain.timefmt import format_date
from archive.i18n import _
from archive.io.trd_export import export_trd_xlsx
from archive.services.changes import Changes
from archive.services.trd import TrdRuleRow, TrdVersionRow
from desktop.session import Session
from desktop.views import View, hint_label, open_dialog, primary_button, title_label
from desktop.views.retention.import_wizard import ImportWizard
from desktop.views.retention.rule_form import RuleForm

DATA = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class _Loaded:
    versions: list[TrdVersionRow]
    rules: dict[str, list[TrdRuleRow]]


def version_text(v: TrdVersionRow) -> str:
    until = format_date(v.valid_to) if v.valid_to else _("vigente")
    return _("Versión {n} ({start} – {end})").format(
        n=v.number, start=format_date(v.valid_from), end=until
    )


class TrdView(View):
    """The TRD editor.

    Signals:
        loaded(int): the tree was (re)built; how many versions it shows.
        saved(str): a rule was saved; its id.
    """

    loaded = Signal(int)
    saved = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.dialog: ImportWizard | None = None
        self.current_version: str | None = None
        self.current_rule: TrdRuleRow | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Código"), _("Nombre"), _("AG"), _("AC"), _("Disposición")])
        self.tree.setColumnWidth(0, 150)
        self.tree.setColumnWidth(1, 320)
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._select(cur))
        self.version_info = hint_label()
        self.form = RuleForm()
        self.save_button = primary_button(_("&Guardar regla"))
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton(_("&Nueva serie o subserie"))
        self.new_button.clicked.connect(self.new_rule)
        self.delete_button = QPushButton(_("&Eliminar regla"))
        self.delete_button.clicked.connect(self.delete)
        self.form.validity_changed.connect(lambda _v: self._update())
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.addWidget(self.version_info)
        dl.addWidget(self.form, 1)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.delete_button, self.save_button):
            buttons.addWidget(b)
        dl.addLayout(buttons)
        self.import_button = QPushButton(_("&Importar TRD…"))
        self.import_button.clicked.connect(self.open_import)
        self.pdf_button = QPushButton(_("Exportar &PDF…"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.xlsx_button = QPushButton(_("Exportar &XLSX…"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.recompute_button = QPushButton(_("&Recalcular plazos"))
        self.recompute_button.clicked.connect(self.recompute)
        top = QHBoxLayout()
        top.addWidget(title_label(_("Tablas de retención documental")), 1)
        for b in (self.import_button, self.pdf_button, self.xlsx_button, self.recompute_button):
            top.addWidget(b)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(detail)
        splitter.setSizes([650, 550])
        self.notice = hint_label()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.notice)
        self._update()

    # loading

    def reload(self) -> None:
        trd, actor = self.session.services.trd, self.session.actor

        def load() -> _Loaded:
            versions = trd.versions(actor)
            return _Loaded(versions, {v.id: trd.rules(actor, v.id) for v in versions})

        self.session.run(load, on_done=self._loaded)

    def on_changes(self, changes: Changes) -> None:
        if changes.records or changes.org:
            self.reload()

    def _loaded(self, data: _Loaded) -> None:
        self.tree.clear()
        deps: dict[str, QTreeWidgetItem] = {}
        for v in data.versions:
            dep = deps.get(v.dependencia_code)
            if dep is None:
                dep = deps[v.dependencia_code] = QTreeWidgetItem(
                    self.tree, [v.dependencia_code, v.dependencia_name]
                )
            item = QTreeWidgetItem(dep, ["", version_text(v)])
            item.setData(0, DATA, ("version", v))
            series: dict[str, QTreeWidgetItem] = {}
            for r in data.rules.get(v.id, []):
                cells = [
                    r.serie_code,
                    r.serie_name,
                    str(r.ag_years),
                    str(r.ac_years),
                    r.disposition.label,
                ]
                if not r.subserie_code:
                    node = QTreeWidgetItem(item, cells)
                    node.setData(0, DATA, ("rule", r))
                    continue
                head = series.get(r.serie_code)
                if head is None:
                    head = series[r.serie_code] = QTreeWidgetItem(
                        item, [r.serie_code, r.serie_name]
                    )
                    head.setData(0, DATA, ("version", v))
                node = QTreeWidgetItem(
                    head, [f"{r.serie_code}.{r.subserie_code}", r.name, *cells[2:]]
                )
                node.setData(0, DATA, ("rule", r))
            item.setExpanded(v.valid_to is None)
        for dep in deps.values():
            dep.setExpanded(True)
        self.loaded.emit(len(data.versions))

    def _select(self, item: QTreeWidgetItem | None) -> None:
        data: tuple[str, Any] = (item.data(0, DATA) if item else None) or ("", None)
        kind, payload = data
        if kind == "rule":
            self.current_rule = payload
            self.current_version = payload.version_id
            self.form.set_rule(payload)
        elif kind == "version":
            self.current_rule = None
            self.current_version = payload.id
            self.version_info.setText(_("{v} · acto: {act} · RUSD: {rusd}").format(
                v=version_text(payload), act=payload.approval_act or "—", rusd=payload.rusd_certificate or "—"))  # fmt: skip
        self._update()

    def _update(self) -> None:
        manage = self.session.can(Permission.RETENTION_MANAGE)
        self.save_button.setEnabled(
            manage and self.current_version is not None and self.form.validate()
        )
        self.new_button.setEnabled(manage and self.current_version is not None)
        self.delete_button.setEnabled(manage and self.current_rule is not None)
        for b in (self.import_button, self.recompute_button):
            b.setEnabled(manage)
        self.form.setEnabled(manage and self.current_version is not None)

    # actions

    def new_rule(self) -> None:
        self.current_rule = None
        self.form.set_rule(None)
        self._update()

    def save(self) -> None:
        if self.current_version is None or not self.form.validate():
            return
        trd, actor = self.session.services.trd, self.session.actor
        version, data, rule = self.current_version, self.form.value(), self.current_rule
        self.session.run(
            lambda: trd.save_rule(actor, version, data, rule_id=rule.id if rule else None,
                                  expected_version=rule.version if rule else None),
            on_done=self._saved, owner=self,
        )  # fmt: skip

    def _saved(self, rule_id: str) -> None:
        self.notice.setText(_("Regla guardada; plazos recalculados."))
        self.saved.emit(rule_id)
        self.session.publish(Changes(records=True))

    def delete(self) -> None:
        if self.current_rule is None:
            return
        trd, actor, rule_id = self.session.services.trd, self.session.actor, self.current_rule.id
        self.session.run(
            lambda: trd.delete_rule(actor, rule_id), on_done=self.session.publish, owner=self
        )

    def recompute(self) -> None:
        retention, actor = self.session.services.retention, self.session.actor
        self.session.run_ctx(
            lambda ctx: retention.recompute(actor, progress=ctx.progress),
            on_done=self._recomputed, progress=self, label=_("Recalculando plazos"), owner=self,
        )  # fmt: skip

    def _recomputed(self, result: Any) -> None:
        self.notice.setText(
            _("{n} expedientes revisados, {u} actualizados.").format(
                n=result.examined, u=result.updated
            )
        )
        self.session.publish(result.changes)

    def open_import(self) -> None:
        wizard = ImportWizard(self.session, self)
        wizard.imported.connect(lambda: self.session.publish(Changes(records=True)))
        open_dialog(self, "dialog", wizard)

    def export(self, kind: str, path: str | None = None) -> None:
        if self.current_version is None:
            self.notice.setText(_("Seleccione una versión de TRD."))
            return
        if path is None:
            path, _f = QFileDialog.getSaveFileName(
                self, _("Exportar TRD"), f"TRD.{kind}", f"*.{kind}"
            )
            if not path:
                return
        trd, actor, version = self.session.services.trd, self.session.actor, self.current_version
        out = Path(path)

        def write() -> Path:
            doc = trd.document(actor, version)
            if kind == "pdf":
                from reports.trd_pdf import render_trd_pdf

                render_trd_pdf([doc], out)
            else:
                export_trd_xlsx([doc], out)
            return out

        self.session.run(write, on_done=lambda p: self.notice.setText(_("TRD exportada a {file}.").format(file=p)),
                         owner=self)  # fmt: skip
