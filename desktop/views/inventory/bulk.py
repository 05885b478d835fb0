"""Bulk operations on selected rows: ask (destination, dependencia, date) → preview what would
change → apply everything as one batch that can be reverted later (Mover → Lotes).

Nothing is written before the person has seen the preview: the preview lists each change, how
many selected records are already that way, and warns when a destination is over capacity
(applying then needs an explicit "mover de todas formas").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import LOCAL_TZ
from archive.i18n import N_, _
from archive.services.batches import BatchChange, BatchPreview
from archive.services.changes import Changes
from archive.services.locations import LocationView
from archive.services.org import DependenciaView
from desktop.lazy_model import Column
from desktop.messages import info, show_error
from desktop.qt_i18n import QT_DATE_FORMAT
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import error_label, hint_label, show_inline
from desktop.views.inventory.common import (
    EXPEDIENTE_STATES,
    WARN_COLOR,
    RowsModel,
    fmt_count,
    fmt_date,
    named,
    setup_table,
)
from desktop.views.inventory.tree import LocationPickerDialog
from scanners.scan import Scan

#: Largest selection one batch takes (a batch stores every item's before and after).
MAX_ITEMS = 10_000
KIND_TITLES = {
    "move": N_("Mover unidades"),
    "change_dependencia": N_("Cambiar dependencia"),
    "close_expedientes": N_("Cerrar expedientes"),
}
KIND_CHANGES = {
    "move": Changes(units=True, locations=True),
    "change_dependencia": Changes(records=True),
    "close_expedientes": Changes(records=True),
}
PREVIEW_COLUMNS = [
    Column("label", N_("Registro")),
    Column("before", N_("Antes")),
    Column("after", N_("Después")),
]


def describe(kind: str, description: str) -> str:
    """A batch description as shown: the closing date of a close batch as dd/mm/aaaa."""
    if kind == "close_expedientes":
        try:
            when = date.fromisoformat(description.strip())
        except ValueError:
            return description
        return _("fecha de cierre {date}").format(date=fmt_date(when))
    return description


def after_text(preview: BatchPreview, change: BatchChange) -> str:
    if preview.kind == "close_expedientes":
        closed = change.after.get("closed_on")
        when = fmt_date(date.fromisoformat(closed)) if isinstance(closed, str) else ""
        return _("Cerrado el {date}").format(date=when)
    return str(preview.description).removeprefix("→ ").strip()


def before_text(preview: BatchPreview, change: BatchChange, known: Mapping[str, str]) -> str:
    if change.entity_id in known:
        return known[change.entity_id]
    if preview.kind == "close_expedientes":
        return named(EXPEDIENTE_STATES)(change.before.get("state"))
    return ""


class DestinationDialog(QDialog):
    """Where to move: scan (or type) a location or box barcode, or pick one from the tree.

    A hardware scan while the dialog is open lands here (it is a scan handler).

    Signals:
        submitted(str): the destination barcode.
    """

    submitted = Signal(str)

    def __init__(self, session: Session, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.picker: LocationPickerDialog | None = None
        self.setWindowTitle(_("Mover {n} unidades").format(n=fmt_count(count)))
        self.setMinimumWidth(520)
        self.field = ScanField(self, _("Escanee la ubicación o la caja destino"))
        pick = QPushButton(_("&Elegir ubicación en el árbol…"))
        pick.setAutoDefault(False)
        pick.clicked.connect(self._pick)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(_("Escanee el código de barras del destino y pulse Intro.")))
        layout.addWidget(self.field)
        layout.addWidget(pick)
        layout.addWidget(buttons)
        self.field.setFocus()

    def handle_scan(self, scan: Scan) -> bool:
        self.accept()
        self.submitted.emit(scan.value)
        return True

    def _pick(self) -> None:
        picker = LocationPickerDialog(self._session, _("Elegir destino"), self)
        picker.chosen.connect(self._picked)
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()

    def _picked(self, view: LocationView) -> None:
        self.accept()
        self.submitted.emit(view.barcode)


class ChoiceDialog(QDialog):
    """One question with a combo box or a date (dependencia, closing date).

    Signals:
        submitted(object): the chosen value.
    """

    submitted = Signal(object)

    def __init__(self, title: str, label: str, editor: QWidget, read: Callable[[], Any],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.editor = editor
        self._read = read
        form = QFormLayout()
        form.addRow(label, editor)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Ver cambios…"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        editor.setFocus()

    def _submit(self) -> None:
        value = self._read()
        if value:
            self.accept()
            self.submitted.emit(value)


class BatchPreviewDialog(QDialog):
    """What a batch would change, before anything is written.

    Signals:
        apply_requested(bool): apply; True if the person accepted exceeding the capacity.
    """

    apply_requested = Signal(bool)

    def __init__(self, preview: BatchPreview, before: Mapping[str, str],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(_(KIND_TITLES.get(preview.kind, preview.kind)))
        self.resize(720, 520)
        summary = QLabel(
            _("{n} registros cambiarán; {same} ya estaban así y no se tocan.").format(
                n=fmt_count(len(preview.changes)), same=fmt_count(preview.unchanged)
            )
        )
        summary.setWordWrap(True)
        self.model = RowsModel(PREVIEW_COLUMNS, self)
        self.model.set_rows(
            [{"label": c.label, "before": before_text(preview, c, before),
              "after": after_text(preview, c)} for c in preview.changes]
        )  # fmt: skip
        self.table = setup_table(QTableView(), self.model, (200, 220))
        self.override = QCheckBox(_("&Mover de todas formas (queda registrado como sobrecupo)"))
        self.warning = QLabel(
            _("El destino no tiene espacio para todas las unidades: quedaría sobre su capacidad.")
        )
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {WARN_COLOR}; font-weight: bold;")
        for widget in (self.warning, self.override):
            widget.setVisible(preview.over_capacity)
        self.error = error_label()
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(
            _("&Aplicar lote"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)
        self.override.toggled.connect(lambda _c: self._update())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{_(KIND_TITLES.get(preview.kind, ''))}</b> "
                                f"{describe(preview.kind, preview.description)}"))  # fmt: skip
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.warning)
        layout.addWidget(self.override)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._busy = False
        self._update()
        self.table.setFocus()

    def _update(self) -> None:
        ready = bool(self.preview.changes) and (
            not self.preview.over_capacity or self.override.isChecked()
        )
        self.apply_button.setEnabled(ready and not self._busy)
        if not self.preview.changes:
            show_inline(self.error, _("No hay cambios que aplicar."))

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update()

    def _apply(self) -> None:
        if self.apply_button.isEnabled():
            self.apply_requested.emit(self.override.isChecked())


class BulkOps(QObject):
    """Runs the bulk operations of one view (its selection → dialogs → one batch).

    Args:
        session: The session (services, runner, sink).
        owner: The view whose selection it acts on; dialogs open over it.

    Signals:
        applied(str, int): a batch was applied: its id and how many records changed.
    """

    applied = Signal(str, int)

    def __init__(self, session: Session, owner: QWidget) -> None:
        super().__init__(owner)
        self._session = session
        self._owner = owner
        self.dialog: QDialog | None = None  # the dialog open now (tests drive it)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def too_many(self, count: int) -> bool:
        """True (and says so) if ``count`` records are none, or more than one batch takes."""
        if not count:
            return True
        if count > MAX_ITEMS:
            info(self._owner, _("Demasiados registros"),
                 _("Un lote admite hasta {max} registros; seleccionó {n}.").format(
                     max=fmt_count(MAX_ITEMS), n=fmt_count(count)),
                 sink=self._session.sink)  # fmt: skip
            return True
        return False

    # -- the operations ----------------------------------------------------------------------

    def move_units(self, unit_ids: Sequence[str], before: Mapping[str, str]) -> None:
        """Ask for a destination, then preview moving ``unit_ids`` there."""
        if self.too_many(len(unit_ids)):
            return
        ids, known = list(unit_ids), dict(before)
        dialog = DestinationDialog(self._session, len(ids), self._owner)
        batches, actor = self._session.services.batches, self._session.actor
        dialog.submitted.connect(
            lambda dest: self._preview(lambda: batches.preview_move(actor, ids, dest), known)
        )
        self._open(dialog)

    def move_expedientes(self, expediente_ids: Sequence[str]) -> None:
        """Move every carpeta of the selected expedientes."""
        if self.too_many(len(expediente_ids)):
            return
        exps, units, actor = (self._session.services.expedientes, self._session.services.units,
                              self._session.actor)  # fmt: skip
        ids = list(expediente_ids)

        def carpetas() -> dict[str, str]:
            out: dict[str, str] = {}
            for exp_id in ids:
                for unit_id in exps.carpetas(actor, exp_id):
                    out[unit_id] = units.get(actor, unit_id).location_path or ""
            return out

        self._session.run(carpetas, on_done=self._carpetas_found, on_error=self._failed,
                          owner=self._owner)  # fmt: skip

    def _carpetas_found(self, where: dict[str, str]) -> None:
        if not where:
            info(self._owner, _("Mover carpetas"),
                 _("Los expedientes seleccionados no tienen carpetas registradas."),
                 sink=self._session.sink)  # fmt: skip
            return
        self.move_units(list(where), where)

    def change_dependencia(
        self, expediente_ids: Sequence[str], before: Mapping[str, str],
        dependencias: Sequence[DependenciaView],
    ) -> None:  # fmt: skip
        if self.too_many(len(expediente_ids)):
            return
        combo = QComboBox()
        for dep in dependencias:
            combo.addItem("    " * dep.depth + f"{dep.code} — {dep.name}", dep.code)
        dialog = ChoiceDialog(_("Cambiar dependencia"), _("&Nueva dependencia:"), combo,
                              combo.currentData, self._owner)  # fmt: skip
        batches, actor, ids = (
            self._session.services.batches,
            self._session.actor,
            list(expediente_ids),
        )
        dialog.submitted.connect(
            lambda code: self._preview(
                lambda: batches.preview_change_dependencia(actor, ids, code), before
            )
        )
        self._open(dialog)

    def close_expedientes(self, expediente_ids: Sequence[str], before: Mapping[str, str]) -> None:
        if self.too_many(len(expediente_ids)):
            return
        today = self._session.services.rt.now().astimezone(LOCAL_TZ).date()
        edit = QDateEdit(QDate(today.year, today.month, today.day))
        edit.setDisplayFormat(QT_DATE_FORMAT)
        edit.setCalendarPopup(True)
        dialog = ChoiceDialog(_("Cerrar expedientes"), _("&Fecha de cierre:"), edit,
                              lambda: edit.date().toPython(), self._owner)  # fmt: skip
        batches, actor, ids = (
            self._session.services.batches,
            self._session.actor,
            list(expediente_ids),
        )
        dialog.submitted.connect(
            lambda when: self._preview(lambda: batches.preview_close(actor, ids, when), before)
        )
        self._open(dialog)

    # -- preview and apply -------------------------------------------------------------------

    def _preview(self, make: Callable[[], BatchPreview], before: Mapping[str, str]) -> None:
        self._session.run(make, on_done=partial(self._show_preview, before),
                          on_error=self._failed, owner=self._owner,
                          progress=self._owner, label=_("Preparando la vista previa…"))  # fmt: skip

    def _show_preview(self, before: Mapping[str, str], preview: BatchPreview) -> None:
        dialog = BatchPreviewDialog(preview, before, self._owner)
        dialog.apply_requested.connect(partial(self._apply, dialog))
        self._open(dialog)

    def _apply(self, dialog: BatchPreviewDialog, override: bool) -> None:
        batches, actor, preview = (
            self._session.services.batches,
            self._session.actor,
            dialog.preview,
        )
        dialog.set_busy(True)
        self._session.run(
            lambda: batches.apply(actor, preview, override_capacity=override),
            on_done=partial(self._applied, dialog),
            on_error=partial(self._apply_failed, dialog),
            owner=self._owner, progress=self._owner, label=_("Aplicando el lote…"),
        )  # fmt: skip

    def _applied(self, dialog: BatchPreviewDialog, batch_id: str) -> None:
        preview = dialog.preview
        dialog.accept()
        self._session.publish(KIND_CHANGES.get(preview.kind, Changes()) | Changes(audit=True))
        self.applied.emit(batch_id, len(preview.changes))

    def _apply_failed(self, dialog: BatchPreviewDialog, error: LegajoError) -> None:
        dialog.set_busy(False)
        show_inline(dialog.error, error)

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self._owner, error, sink=self._session.sink)
