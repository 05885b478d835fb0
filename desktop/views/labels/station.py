"""Estación de escaneo: a focused screen for working by scan only — receive, move and count —
with a large green/red panel for the last result, a sound for success and another for errors,
the last scans listed, and undo of the last move. Lending and receiving loans by scan too.

Every scan (keyboard wedge, or Enter in the field) arrives in :meth:`ScanStationView.handle_scan`
and is handled one at a time, in order. Moves go through ``StationService`` (one transaction
per scan, audited; undo moves the unit back, as a revert). Counting records each read in a
count session started at the first location scanned. Lending: choose the dependencia and who
receives once, then scan each unit (``LoanService.lend_scan``; a pending request of that
dependencia is served); Devolver receives each unit scanned. Undo reverts the last loan step.
Both need LOANS_MANAGE (the modes are disabled without it; the service checks anyway).
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.barcodes import BarcodeKind, looks_like_legajo_barcode, parse_barcode
from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.timefmt import format_date, format_datetime
from archive.i18n import N_, _, render_error
from archive.services.changes import Changes
from archive.services.counts import CountLine
from archive.services.loans import LoanResult
from archive.services.moves import MoveResult
from archive.services.station import StationMove
from desktop.lazy_model import Column
from desktop.scan_dispatch import ScanField
from desktop.session import Session
from desktop.views import View, hint_label, title_label
from desktop.views.inventory.common import RowsModel, setup_table
from desktop.views.labels.output import Sounds
from desktop.views.loans.dialogs import dependencia_combo
from scanners.scan import Scan

RECEIVE, MOVE, COUNT, LEND, RETURN = "recibir", "mover", "contar", "prestar", "devolver"
MODES = (
    (RECEIVE, N_("Recibir")),
    (MOVE, N_("Mover")),
    (COUNT, N_("Contar")),
    (LEND, N_("Prestar")),
    (RETURN, N_("Devolver")),
)
LOAN_MODES = (LEND, RETURN)
HINTS = {
    RECEIVE: N_("Escanee el lugar de recepción (estante o caja) y luego cada unidad que llega."),
    MOVE: N_(
        "Escanee el destino (ubicación, o una caja para guardar carpetas) y luego cada unidad: "
        "se mueve al leerla. Escanee otra ubicación para cambiar de destino."
    ),
    COUNT: N_("Escanee la ubicación que va a contar y luego cada unidad que encuentre en ella."),
    LEND: N_("Elija la dependencia y escriba quién recibe; luego escanee cada unidad que se lleva."),
    RETURN: N_("Escanee cada unidad que devuelven: queda recibida con sus folios completos."),
}
PANEL = {
    "ok": "background: #1e7e34; color: white;",
    "error": "background: #b3261e; color: white;",
    "warn": "background: #b26a00; color: white;",
    "info": "background: #eef1f4; color: #333333;",
}
HISTORY_COLUMNS = [
    Column("at", N_("Hora"), formatter=format_datetime),
    Column("value", N_("Código")),
    Column("outcome", N_("Resultado")),
]


class ScanStationView(View):
    """The scan station.

    Signals:
        scan_done(str, str): a scan was handled: its value and the outcome kind (ok/warn/error).
    """

    scan_done = Signal(str, str)

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, sounds: Sounds | None = None
    ) -> None:
        super().__init__(session, parent)
        self.sounds = sounds or Sounds()
        self.mode = MOVE
        self.destination: str | None = None  # barcode
        self.destination_label = ""
        self.count_session: str | None = None
        self.count_location: str | None = None
        self.last_move: StationMove | None = None
        self.last_loan: LoanResult | None = None
        self._queue: deque[str] = deque()
        self._busy = False

        self.mode_buttons = QButtonGroup(self)
        modes = QHBoxLayout()
        for key, title in MODES:
            button = QPushButton(_(title))
            button.setCheckable(True)
            button.setMinimumHeight(44)
            button.setProperty("mode", key)
            button.setStyleSheet(
                "QPushButton:checked { background: #1f4e79; color: white; font-weight: bold; }"
            )
            if key in LOAN_MODES and not session.can(Permission.LOANS_MANAGE):
                button.setEnabled(False)
                button.setToolTip(_("Se necesita el permiso «Gestionar préstamos»."))
            self.mode_buttons.addButton(button)
            modes.addWidget(button)
            if key == MOVE:
                button.setChecked(True)
        self.mode_buttons.buttonClicked.connect(lambda b: self.set_mode(str(b.property("mode"))))
        self.hint = hint_label()
        self.target = QLabel()
        self.target.setStyleSheet("QLabel { font-size: 13pt; }")
        self.change_target = QPushButton(_("Cambiar &destino"))
        self.change_target.clicked.connect(self.clear_target)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.change_target)
        self.lend_box = QWidget()
        self.lend_dependencia = dependencia_combo(session)
        self.lend_requester = QLineEdit()
        self.lend_requester.setPlaceholderText(_("Nombre de quien recibe"))
        lend_row = QHBoxLayout(self.lend_box)
        lend_row.setContentsMargins(0, 0, 0, 0)
        for text, widget in ((_("De&pendencia:"), self.lend_dependencia), (_("Reci&be:"), self.lend_requester)):
            label = QLabel(text)
            label.setBuddy(widget)
            lend_row.addWidget(label)
            lend_row.addWidget(widget, 1)

        self.panel = QLabel()
        self.panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.panel.setWordWrap(True)
        self.panel.setMinimumHeight(160)
        self.panel_kind = "info"
        self.scan_field = ScanField(self, _("Escanee aquí"))
        font = self.scan_field.font()
        font.setPointSize(font.pointSize() + 6)
        self.scan_field.setFont(font)
        self.undo_button = QPushButton(_("&Deshacer último movimiento"))
        self.undo_button.clicked.connect(self.undo_last)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_last)
        self.history = RowsModel(HISTORY_COLUMNS, self)
        self.table = setup_table(QTableView(), self.history, (150, 170, 520))
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(_("<b>Últimas lecturas</b>")), 1)
        bottom.addWidget(self.undo_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Estación de escaneo")))
        layout.addLayout(modes)
        layout.addWidget(self.hint)
        layout.addLayout(target_row)
        layout.addWidget(self.lend_box)
        layout.addWidget(self.scan_field)
        layout.addWidget(self.panel, 2)
        layout.addLayout(bottom)
        layout.addWidget(self.table, 1)
        self.rows: list[dict[str, object]] = []
        self.set_mode(MOVE)

    def reload(self) -> None:
        self.scan_field.setFocus()

    # state

    def set_mode(self, mode: str) -> None:
        if mode in LOAN_MODES and not self.session.can(Permission.LOANS_MANAGE):
            return
        self.mode = mode
        self.clear_target()
        for button in self.mode_buttons.buttons():
            button.setChecked(button.property("mode") == mode)
        self.hint.setText(_(HINTS[mode]))
        self.lend_box.setVisible(mode == LEND)
        if mode == LEND:
            self.lend_dependencia.reload()
        self.target.setVisible(mode not in LOAN_MODES)
        self.change_target.setVisible(mode not in LOAN_MODES)
        if mode in LOAN_MODES:
            self.show_result("info", _("Modo {mode}: escanee las unidades.").format(mode=_(dict(MODES)[mode])))
            return
        self.show_result("info", _("Modo {mode}: escanee el destino.").format(mode=_(dict(MODES)[mode]))
                         if mode != COUNT else _("Modo Contar: escanee la ubicación."))  # fmt: skip

    def clear_target(self) -> None:
        self.destination = self.count_location = None
        self.destination_label = ""
        self.last_move = self.last_loan = None
        self._show_target()

    def _show_target(self) -> None:
        if self.mode == COUNT:
            text = (
                _("Contando en: <b>{where}</b>").format(where=self.destination_label)
                if self.count_location
                else _("Sin ubicación")
            )
        else:
            text = (
                _("Destino: <b>{where}</b>").format(where=self.destination_label)
                if self.destination
                else _("Sin destino")
            )
        self.target.setText(text)
        last = self.last_loan if self.mode in LOAN_MODES else self.last_move
        self.undo_button.setEnabled(last is not None and self.mode != COUNT)

    def show_result(self, kind: str, message: str | LegajoError) -> None:
        text = render_error(message) if isinstance(message, LegajoError) else message
        self.panel_kind = kind
        self.panel.setText(text)
        self.panel.setAccessibleDescription(text)
        size = "15pt" if kind == "info" else "24pt"
        self.panel.setStyleSheet(
            f"QLabel {{ {PANEL[kind]} font-size: {size}; font-weight: bold; padding: 16px; border-radius: 8px; }}"
        )

    # scans, one at a time

    def handle_scan(self, scan: Scan) -> bool:
        self._queue.append(scan.value)
        self._next()
        return True

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        value = self._queue.popleft()
        try:
            kind = parse_barcode(value).kind if looks_like_legajo_barcode(value) else None
        except LegajoError as error:
            self._finish(value, "error", error)
            return
        self._busy = True
        if self.mode in LOAN_MODES:
            self._loan(value)
        elif self.mode == COUNT:
            self._count(value, kind)
        elif kind is BarcodeKind.UBICACION or (
            kind is BarcodeKind.CAJA and self.destination is None
        ):
            self._set_destination(value, kind)
        else:
            self._move(value)

    def _finish(self, value: str, kind: str, message: str | LegajoError) -> None:
        self.show_result(kind, message)
        if kind in ("ok", "error", "warn"):
            self.sounds.play("error" if kind == "error" else "ok")
        text = render_error(message) if isinstance(message, LegajoError) else message
        self.rows.insert(0, {"at": datetime.now(UTC), "value": value, "outcome": text,
                             "_color": {"error": "#a4262c", "warn": "#8a5300"}.get(kind, "")})  # fmt: skip
        del self.rows[200:]
        self.history.set_rows(self.rows)
        self._busy = False
        self._show_target()
        self.scan_done.emit(value, kind)
        self._next()

    def _set_destination(self, value: str, kind: BarcodeKind | None) -> None:
        station, actor = self.session.services.station, self.session.actor
        self.session.run(lambda: station.destination(actor, value),
                         on_done=lambda label: self._destination_set(value, label),
                         on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _destination_set(self, value: str, label: str) -> None:
        self.destination, self.destination_label, self.last_move = value, label, None
        self._finish(
            value, "info", _("Destino: {where}. Escanee las unidades.").format(where=label)
        )

    def _move(self, value: str) -> None:
        if self.destination is None:
            self._finish(value, "error", _("Escanee primero el destino."))
            return
        station, actor, dest = self.session.services.station, self.session.actor, self.destination
        note = "recepción" if self.mode == RECEIVE else ""
        self.session.run(lambda: station.move_one(actor, value, dest, note=note),
                         on_done=lambda m: self._moved(value, m),
                         on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _moved(self, value: str, move: StationMove) -> None:
        self.session.publish(move.result.changes | Changes(audit=True))
        if move.result.moved == 0:
            self._finish(
                value,
                "warn",
                _("{code} ya estaba en {where}.").format(
                    code=move.barcode, where=self.destination_label
                ),
            )
            return
        self.last_move = move
        verb = _("recibida en") if self.mode == RECEIVE else _("movida a")
        text = _("{code} {verb} {where}").format(
            code=move.barcode, verb=verb, where=move.result.destination
        )
        if move.result.over_capacity:
            text += _(" — con sobrecupo")
        self._finish(value, "ok", text)

    def undo_last(self) -> None:
        if self.mode in LOAN_MODES:
            self._undo_loan()
            return
        move = self.last_move
        if move is None or self._busy or self.mode == COUNT:
            return
        self._busy = True
        station, actor = self.session.services.station, self.session.actor
        self.session.run(lambda: station.undo_move(actor, move),
                         on_done=lambda r: self._undone(move, r),
                         on_error=lambda e: self._finish(move.barcode, "error", e))  # fmt: skip

    def _undone(self, move: StationMove, result: MoveResult) -> None:
        self.last_move = None
        self.session.publish(result.changes | Changes(audit=True))
        self._finish(
            move.barcode,
            "warn",
            _("Deshecho: {code} volvió a {where}.").format(
                code=move.barcode, where=result.destination
            ),
        )

    # counting

    def _count(self, value: str, kind: BarcodeKind | None) -> None:
        counts, actor = self.session.services.counts, self.session.actor
        if kind is BarcodeKind.UBICACION:
            session_id = self.count_session

            def start() -> tuple[str, str]:
                sid = session_id or counts.start(actor, value, note="estación de escaneo")
                counts.scan(actor, sid, value, [])
                return sid, value

            self.session.run(start, on_done=lambda r: self._count_location(value, r[0]),
                             on_error=lambda e: self._finish(value, "error", e))  # fmt: skip
            return
        if self.count_session is None or self.count_location is None:
            self._finish(value, "error", _("Escanee primero la ubicación que va a contar."))
            return
        sid, loc = self.count_session, self.count_location
        self.session.run(lambda: counts.scan(actor, sid, loc, [value]),
                         on_done=lambda lines: self._counted(value, lines),
                         on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _count_location(self, value: str, session_id: str) -> None:
        self.count_session, self.count_location = session_id, value
        self.destination_label = value
        self._finish(
            value, "info", _("Contando en {where}. Escanee las unidades.").format(where=value)
        )

    def _counted(self, value: str, lines: list[CountLine]) -> None:
        self.session.publish(Changes(counts=True))
        line = lines[0]
        if line.unit_id is None:
            self._finish(
                value,
                "error",
                _("{code} no está registrada: quedó anotada como novedad.").format(
                    code=line.barcode
                ),
            )
            return
        self._finish(
            value,
            "ok",
            _("{code} contada en {where}").format(code=line.barcode, where=line.scanned_at),
        )

    # lending and returns

    def _loan(self, value: str) -> None:
        loans, actor = self.session.services.loans, self.session.actor
        if self.mode == RETURN:
            self.session.run(lambda: loans.return_unit(actor, value), on_done=lambda r: self._loaned(value, r),
                             on_error=lambda e: self._finish(value, "error", e))  # fmt: skip
            return
        dep, name = str(self.lend_dependencia.currentData() or ""), self.lend_requester.text()
        if not dep:
            self._finish(value, "error", _("Elija primero la dependencia que recibe."))
            return
        self.session.run(lambda: loans.lend_scan(actor, value, dependencia_code=dep, requester_name=name),
                         on_done=lambda r: self._loaned(value, r), on_error=lambda e: self._finish(value, "error", e))  # fmt: skip

    def _loaned(self, value: str, result: LoanResult) -> None:
        self.last_loan = result
        self.session.publish(result.changes)
        if result.state == "devuelto":
            text = _("{code} recibida de préstamo").format(code=result.unit_barcode)
        else:
            text = _("{code} prestada a {name} hasta el {due}").format(
                code=result.unit_barcode, name=result.requester_name, due=format_date(result.due_on))  # fmt: skip
        self._finish(value, "ok", text)

    def _undo_loan(self) -> None:
        step = self.last_loan
        if step is None or self._busy:
            return
        self._busy = True
        loans, actor = self.session.services.loans, self.session.actor
        self.session.run(lambda: loans.undo(actor, step), on_done=lambda r: self._loan_undone(step, r),
                         on_error=lambda e: self._finish(step.unit_barcode, "error", e))  # fmt: skip

    def _loan_undone(self, step: LoanResult, result: LoanResult) -> None:
        self.last_loan = None
        self.session.publish(result.changes)
        text = (_("Deshecho: {code} vuelve a estar en préstamo.") if step.state == "devuelto"
                else _("Deshecho: préstamo de {code} anulado."))  # fmt: skip
        self._finish(step.unit_barcode, "warn", text.format(code=step.unit_barcode))
