"""The search box (Ctrl+K): results as you type, Enter for a ranked search, facet counts beside
the results (they arrive later), open a result in its area, export the results to XLSX.

:class:`IndexKeeper` keeps the local index following the change feed: the database half of each
step runs on the database worker, the index commit on the I/O pool, one step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.i18n import N_, _
from archive.io.export import export_rows
from archive.search.port import FacetCounts, Hit
from archive.services.search import FeedBatch, SearchAnswer
from desktop.messages import show_error
from desktop.session import Session

TYPE_DELAY_MS = 150
KIND_NAMES = {
    "expediente": N_("Expediente"), "caja": N_("Caja"), "carpeta": N_("Carpeta"),
    "ubicacion": N_("Ubicación"), "serie": N_("Serie"), "subserie": N_("Subserie"),
    "dependencia": N_("Dependencia"), "novedad": N_("Novedad"), "prestamo": N_("Préstamo"),
}  # fmt: skip
FACET_NAMES = {"dependencia": N_("Dependencia"), "serie": N_("Serie"), "year": N_("Año"), "stage": N_("Etapa")}
FACET_FILTERS = {"dependencia": "dependencia", "serie": "serie", "year": "año", "stage": "etapa"}


class IndexKeeper(QObject):
    """Applies the change feed to the search index shortly after every change.

    Signals:
        applied(int): a step wrote this many feed changes to the index.
    """

    applied = Signal(int)

    def __init__(self, session: Session, *, delay_ms: int = 300, period_ms: int = 5000) -> None:
        super().__init__(session)
        self.session = session
        self._busy = False
        self._again = False
        self._soon = QTimer(self, singleShot=True, interval=delay_ms)
        self._soon.timeout.connect(self.step)
        self._tick = QTimer(self, interval=period_ms)
        self._tick.timeout.connect(self.step)
        session.changed.connect(lambda _c: self._soon.start())

    def start(self) -> None:
        """Verify (rebuilding in the background if needed), then follow the feed."""
        search = self.session.services.search
        self._busy = True
        self.session.runner.run_io(lambda ctx: (search.ensure(progress=ctx.progress, cancelled=ctx.cancelled),
                                                search.warm_facets()),
                                   on_done=lambda _r: self._done(0), on_error=self._failed, owner=self,
                                   label=_("Preparando el índice de búsqueda…"))  # fmt: skip
        self._tick.start()

    def step(self) -> None:
        if self._busy:
            self._again = True
            return
        search = self.session.services.search
        self._busy = True
        self.session.runner.run_io(lambda _ctx: search.index.stored_cursor() or 0,
                                   on_done=self._read_feed, on_error=self._failed, owner=self)  # fmt: skip

    def _read_feed(self, cursor: int) -> None:
        search = self.session.services.search
        self.session.run(lambda: search.next_batch(cursor), on_done=self._write, on_error=self._failed, owner=self)

    def _write(self, batch: FeedBatch | None) -> None:
        if batch is None:
            self._done(0)
            return
        search = self.session.services.search
        def write(_ctx: object) -> None:
            search.apply_batch(batch)
            search.warm_facets()

        self.session.runner.run_io(write, on_done=lambda _r: self._done(batch.changes), on_error=self._failed,
                                   owner=self)  # fmt: skip

    def _done(self, n: int) -> None:
        self._busy = False
        if n:
            self.applied.emit(n)
        if n or self._again:
            self._again = False
            self._soon.start()

    def _failed(self, error: LegajoError) -> None:
        self._busy = False  # the next change or tick tries again; searches fall back to SQL

    def stop(self) -> None:
        self._tick.stop()
        self._soon.stop()


class SearchDialog(QDialog):
    """Search across expedientes, cajas, carpetas, ubicaciones, series, dependencias, novedades.

    Signals:
        open_record(str, str, str): kind, id and code of the result the user opened.
    """

    open_record = Signal(str, str, str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Buscar"))
        self.resize(900, 560)
        self.hits: list[Hit] = []
        self._generation = 0
        self.box = QLineEdit()
        self.box.setPlaceholderText(_("Escriba palabras, un número o un código; filtros: año:2019 serie:contratos etapa:central"))
        self.box.setClearButtonEnabled(True)
        self.status = QLabel()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Tipo"), _("Código"), _("Nombre")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.facets = QListWidget()
        self.facets.setMinimumWidth(220)
        export = QPushButton(_("&Exportar a XLSX…"))
        export.clicked.connect(self.export)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.facets)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(export)
        layout.addLayout(bottom)
        self._timer = QTimer(self, singleShot=True, interval=TYPE_DELAY_MS)
        self._timer.timeout.connect(lambda: self.run_search(as_you_type=True))
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(lambda: self.run_search(as_you_type=False))
        self.table.itemActivated.connect(lambda item: self.open_row(item.row()))
        self.facets.itemActivated.connect(self._facet_clicked)

    def run_search(self, *, as_you_type: bool) -> None:
        self._timer.stop()
        text = self.box.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self._show(generation, None)
            return
        search, actor = self.session.services.search, self.session.actor
        self.session.run(lambda: search.search(actor, text, as_you_type=as_you_type),
                         on_done=lambda a: self._show(generation, a), on_error=self._failed, owner=self)  # fmt: skip
        self.session.runner.run_io(lambda _ctx: search.facets(actor, text),
                                   on_done=lambda f: self._show_facets(generation, f), on_error=lambda _e: None, owner=self)  # fmt: skip

    def _show(self, generation: int, answer: SearchAnswer | None) -> None:
        if generation != self._generation:
            return  # an older query answered late
        self.hits = list(answer.hits) if answer else []
        self.table.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            for col, text in enumerate((_(KIND_NAMES.get(hit.kind, hit.kind)), hit.code, hit.title)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if answer is None:
            self.status.setText("")
            return
        more = bool(answer.result and answer.result.more)
        note = _(" (búsqueda lenta mientras se reconstruye el índice)") if answer.fallback else ""
        self.status.setText(
            (_("{n} resultados o más").format(n=len(self.hits)) if more else _("{n} resultados").format(n=len(self.hits))) + note
        )  # fmt: skip
        if self.hits:
            self.table.selectRow(0)

    def _show_facets(self, generation: int, facets: FacetCounts) -> None:
        if generation != self._generation:
            return
        self.facets.clear()
        for key, label in FACET_NAMES.items():
            values = facets.get(key)
            if not values:
                continue
            header = QListWidgetItem(_(label))
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.facets.addItem(header)
            for v in values[:8]:
                item = QListWidgetItem(f"   {v.value}  ({v.count})")
                item.setData(Qt.ItemDataRole.UserRole, f"{FACET_FILTERS[key]}:{v.value}")
                self.facets.addItem(item)

    def _facet_clicked(self, item: QListWidgetItem) -> None:
        token = item.data(Qt.ItemDataRole.UserRole)
        if token and " " not in str(token).split(":", 1)[1]:
            self.box.setText(f"{self.box.text().strip()} {token}".strip())
            self.run_search(as_you_type=False)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.hits):
            hit = self.hits[row]
            self.open_record.emit(hit.kind, hit.id, hit.code)

    def export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Exportar resultados"), "busqueda.xlsx", "XLSX (*.xlsx)")
        if not path:
            return
        rows = [(_(KIND_NAMES.get(h.kind, h.kind)), h.code, h.title) for h in self.hits]
        self.export_to(Path(path), rows)

    def export_to(self, path: Path, rows: list[tuple[Any, ...]]) -> None:
        self.session.runner.run_io(
            lambda _ctx: export_rows(path, [_("Tipo"), _("Código"), _("Nombre")], rows, sheet_title=_("Búsqueda")),
            on_done=lambda n: self.status.setText(_("{n} resultados exportados a {file}.").format(n=n, file=path.name)),
            on_error=self._failed, owner=self,
        )  # fmt: skip

    def _failed(self, error: LegajoError) -> None:
        show_error(self, error, sink=self.session.sink)


def open_in_area(show_area: Callable[[str], Any], kind: str, code: str) -> None:
    """Show a search result in the area that holds it."""
    from scanners.scan import Scan

    if kind == "expediente":
        view = show_area("expedientes")
        if view is not None and hasattr(view, "number"):
            view.number.setText(code)
        return
    area = {"caja": "units", "carpeta": "units", "ubicacion": "locations", "novedad": "incidents",
            "prestamo": "loans"}.get(kind)  # fmt: skip
    if area:
        view = show_area(area)
        if view is not None and hasattr(view, "handle_scan") and kind not in ("novedad", "prestamo"):
            view.handle_scan(Scan.from_raw(code, "manual"))


