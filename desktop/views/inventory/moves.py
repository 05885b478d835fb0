"""Mover: the scan-move panel (scan units, then their destination) and the list of bulk batches,
each of which can be reverted.

Scans are handled one at a time, in the order they arrived: a destination scanned right after
a unit waits until that unit is in the pending list, so a fast scanner never moves fewer units
than the clerk scanned. What a scan is comes from its barcode (docs/BARCODES.md): a ubicación
is always a destination; a caja is a destination when only carpetas are pending (carpetas into a
box), otherwise another unit to move; everything else is a unit.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.barcodes import BarcodeKind, looks_like_legajo_barcode, parse_barcode
from archive.domain.errors import LegajoError
from archive.domain.progress import JobCancelled
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _, ngettext, render_error
from archive.services.batches import BatchView
from archive.services.changes import Changes
from archive.services.moves import CapacityExceeded, MoveResult
from archive.services.units import UnitView
from desktop.lazy_model import RIGHT, Column
from desktop.messages import confirm, show_error
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, hint_label, title_label
from desktop.views.inventory.bulk import KIND_CHANGES, KIND_TITLES, describe
from desktop.views.inventory.common import (
    Feedback,
    RowsModel,
    buddy_label,
    fmt_count,
    named,
    selected_rows,
    setup_table,
)
from scanners.scan import Scan

MOVE_KINDS = (BarcodeKind.CAJA, BarcodeKind.CARPETA, BarcodeKind.UBICACION)
UNIT, DESTINATION = "unit", "destination"
PENDING_COLUMNS = [
    Column("barcode", N_("Código de barras")),
    Column("type", N_("Tipo")),
    Column("number", N_("Número")),
    Column("where", N_("Ubicación actual")),
]
BATCH_COLUMNS = [
    Column("at", N_("Fecha y hora"), formatter=format_datetime),
    Column("kind", N_("Operación"), formatter=named(KIND_TITLES)),
    Column("description", N_("Descripción")),
    Column("username", N_("Usuario")),
    Column("items", N_("Registros"), align=RIGHT),
    Column("reverted_at", N_("Revertido"), formatter=format_datetime),
]


def batch_row(b: BatchView) -> dict[str, Any]:
    return {"at": b.at, "kind": b.kind, "description": describe(b.kind, b.description), "username": b.username,
            "items": b.items, "reverted_at": b.reverted_at, "view": b,
            "_color": "#6b6b6b" if b.reverted_at else ""}  # fmt: skip


class MovesView(View):
    """The Mover area.

    Signals:
        moved(MoveResult): a move finished.
        scan_done(str): a scan was fully handled (the outcome is in the feedback line).
        batches_loaded(int): the batch list was (re)loaded.
    """

    moved = Signal(object)
    scan_done = Signal(str)
    batches_loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.pending: list[UnitView] = []
        self._queue: deque[Scan] = deque()
        self._busy = False
        self.scan_field = ScanField(self, _("Escanee unidades y luego el destino"))
        font = self.scan_field.font()
        font.setPointSize(font.pointSize() + 4)
        self.scan_field.setFont(font)
        self.feedback = Feedback()
        self.pending_model = RowsModel(PENDING_COLUMNS, self)
        self.pending_table = setup_table(
            QTableView(), self.pending_model, (165, 130, 90), multi=True
        )
        self.pending_title = QLabel()
        self.remove_button = QPushButton(_("&Quitar de la lista"))
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.pending_table, self.remove_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)  # fmt: skip
        self.clear_button = QPushButton(_("&Vaciar lista"))
        self.clear_button.clicked.connect(self.clear_pending)
        pending_buttons = QHBoxLayout()
        pending_buttons.addWidget(self.pending_title, 1)
        pending_buttons.addWidget(self.remove_button)
        pending_buttons.addWidget(self.clear_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        scan_row = QHBoxLayout()
        scan_row.addWidget(buddy_label(_("E&scanear:"), self.scan_field))
        scan_row.addWidget(self.scan_field, 1)
        top_layout.addLayout(scan_row)
        top_layout.addWidget(hint_label(_(
            "Escanee las cajas o carpetas que va a mover y después la ubicación destino. Si en "
            "la lista solo hay carpetas, escanear una caja las guarda dentro de ella.")))  # fmt: skip
        top_layout.addWidget(self.feedback)
        top_layout.addLayout(pending_buttons)
        top_layout.addWidget(self.pending_table, 1)

        self.batch_model = RowsModel(BATCH_COLUMNS, self)
        self.batch_table = setup_table(QTableView(), self.batch_model, (155, 150, 260, 90, 100))
        self.batch_table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.revert_button = QPushButton(_("&Revertir lote…"))
        self.revert_button.clicked.connect(self.revert_selected)
        self.refresh_button = QPushButton(_("Ac&tualizar"))
        self.refresh_button.clicked.connect(self.load_batches)
        batch_buttons = QHBoxLayout()
        batch_buttons.addWidget(QLabel(_("<b>Lotes (operaciones masivas)</b>")), 1)
        batch_buttons.addWidget(self.revert_button)
        batch_buttons.addWidget(self.refresh_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(batch_buttons)
        bottom_layout.addWidget(self.batch_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([440, 220])
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Mover")))
        layout.addWidget(splitter, 1)
        self.feedback.show_message("info", _("Listo para escanear."))
        self._show_pending()

    # loading

    def reload(self) -> None:
        self.load_batches()
        self.scan_field.setFocus()

    def on_changes(self, changes: Changes) -> None:
        if changes.units or changes.records:
            self.load_batches()

    def load_batches(self) -> None:
        batches, actor = self.session.services.batches, self.session.actor
        self.session.run(lambda: batches.list(actor), on_done=self._batches, on_error=self._failed)

    def _batches(self, rows: list[BatchView]) -> None:
        self.batch_model.set_rows([batch_row(b) for b in rows])
        self._update()
        self.batches_loaded.emit(len(rows))

    def _failed(self, error: LegajoError) -> None:
        if not isinstance(error, JobCancelled):
            show_error(self, error, sink=self.session.sink)

    # pending list

    def _show_pending(self) -> None:
        self.pending_model.set_rows([
            {"barcode": u.barcode, "type": _(u.type_name), "number": u.number,
             "where": (u.location_path or _("sin ubicación"))
             + (f" · {u.parent_barcode}" if u.parent_barcode else "")}
            for u in self.pending
        ])  # fmt: skip
        self.pending_title.setText(
            _("<b>Pendientes por mover: {n}</b>").format(n=len(self.pending))
        )
        self._update()

    def remove_selected(self) -> None:
        rows = set(selected_rows(self.pending_table))
        self.pending = [u for i, u in enumerate(self.pending) if i not in rows]
        self._show_pending()

    def clear_pending(self) -> None:
        self.pending = []
        self._show_pending()

    def _update(self) -> None:
        self.clear_button.setEnabled(bool(self.pending))
        self.remove_button.setEnabled(bool(self.pending))
        rows = selected_rows(self.batch_table)
        batch = self.batch_model.row(rows[0])["view"] if rows else None
        self.revert_button.setEnabled(batch is not None and batch.reverted_at is None)

    # scans, one at a time

    def handle_scan(self, scan: Scan) -> bool:
        self._queue.append(scan)
        self._next()
        return True

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        scan = self._queue.popleft()
        try:
            kind = self.classify(scan.value)
        except LegajoError as error:
            self._finish(scan.value, "error", error)
            return
        self._busy = True
        if kind == UNIT:
            self._look_up(scan.value)
        else:
            self._move(scan.value, override=False)

    def classify(self, value: str) -> str:
        """UNIT or DESTINATION (raises for a misread label or a kind that cannot move)."""
        if not looks_like_legajo_barcode(value):
            return UNIT  # an external (legacy) label: always a unit
        kind = parse_barcode(value, MOVE_KINDS).kind
        if kind is BarcodeKind.UBICACION:
            return DESTINATION
        if (
            kind is BarcodeKind.CAJA
            and self.pending
            and all(u.kind != "caja" for u in self.pending)
        ):
            return DESTINATION
        return UNIT

    def _finish(self, value: str, kind: str, message: str | LegajoError) -> None:
        self.feedback.show_message(kind, message)
        self._busy = False
        self.scan_done.emit(value)
        self._next()

    def _look_up(self, value: str) -> None:
        units, actor = self.session.services.units, self.session.actor
        self.session.run(lambda: units.by_scan(actor, value),
                         on_done=lambda unit: self._found(value, unit),
                         on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _found(self, value: str, unit: UnitView) -> None:
        if any(u.id == unit.id for u in self.pending):
            self._finish(value, "warn", _("{code} ya está en la lista.").format(code=unit.barcode))
            return
        self.pending.append(unit)
        self._show_pending()
        self.pending_table.scrollToBottom()
        self._finish(value, "info", _("{type} {code} agregada. Pendientes: {n}. Escanee más "
                                       "unidades o el destino.").format(
            type=_(unit.type_name), code=unit.barcode, n=len(self.pending)))  # fmt: skip

    def _move(self, destination: str, *, override: bool) -> None:
        if not self.pending:
            self._finish(destination, "error",
                         _("Escanee primero las unidades que va a mover; después, el destino."))  # fmt: skip
            return
        moves, actor = self.session.services.moves, self.session.actor
        codes = [u.barcode for u in self.pending]
        self.session.run(
            lambda: moves.move(actor, codes, destination, method="scan", override_capacity=override),
            on_done=lambda result: self._moved(destination, result),
            on_error=lambda e: self._move_failed(destination, e),
        )  # fmt: skip

    def _moved(self, destination: str, result: MoveResult) -> None:
        self.pending = []
        self._show_pending()
        self.session.publish(result.changes | Changes(audit=True))
        if result.moved == 0:
            text = _("Nada que mover: {n} ya estaban en {to}.").format(
                n=result.already_there, to=result.destination
            )
            self.moved.emit(result)
            self._finish(destination, "warn", text)
            return
        text = ngettext("{n} unidad movida a {to}", "{n} unidades movidas a {to}", result.moved)
        text = text.format(n=result.moved, to=result.destination)
        if result.already_there:
            text += _(" ({n} ya estaban allí)").format(n=result.already_there)
        if result.over_capacity:
            text += _(" — con sobrecupo")
        self.moved.emit(result)
        self._finish(destination, "ok", text)

    def _move_failed(self, destination: str, error: LegajoError) -> None:
        if isinstance(error, CapacityExceeded):
            question = render_error(error) + "\n\n" + _("¿Mover de todas formas?")
            if confirm(self, _("Sin espacio en el destino"), question, sink=self.session.sink):
                self._move(destination, override=True)
                return
            self._finish(destination, "warn", _("No se movió nada: el destino no tiene espacio. "
                                                 "Las unidades siguen en la lista."))  # fmt: skip
            return
        self._finish(destination, "error", error)

    # batches

    def revert_selected(self) -> None:
        rows = selected_rows(self.batch_table)
        if not rows:
            return
        batch: BatchView = self.batch_model.row(rows[0])["view"]
        question = _("¿Revertir el lote «{title} {description}» ({n} registros)? Cada registro "
                     "vuelve a como estaba antes del lote.").format(
            title=_(KIND_TITLES.get(batch.kind, batch.kind)), description=batch.description,
            n=fmt_count(batch.items))  # fmt: skip
        if not confirm(self, _("Revertir lote"), question, sink=self.session.sink):
            return
        batches, actor = self.session.services.batches, self.session.actor
        self.session.run(lambda: batches.revert(actor, batch.id),
                         on_done=lambda n: self._reverted(batch, n), on_error=self._failed,
                         progress=self, label=_("Revirtiendo el lote…"))  # fmt: skip

    def _reverted(self, batch: BatchView, count: int) -> None:
        self.feedback.show_message("ok", _("Lote revertido: {n} registros volvieron a su estado "
                                           "anterior.").format(n=fmt_count(count)))  # fmt: skip
        self.session.publish(KIND_CHANGES.get(batch.kind, Changes()) | Changes(audit=True))
