"""Lazy, id-backed table models (STYLE.md 4).

A :class:`LazyTableModel` holds only the ordered ids a query returned. Row values are loaded by
page (~200 rows) on the database worker the first time one of the page's rows is painted, kept
in a small LRU cache, and announced with ``dataChanged`` when they arrive; until then cells show
``…``. Sorting and filtering re-run the id query (in SQL), never in Python.

A view declares its columns and a page loader, a plain function run on the database worker::

    COLUMNS = [
        Column("code", N_("Código")),
        Column("created_at", N_("Creado"), formatter=format_datetime),
        Column("folios", N_("Folios"), align=RIGHT),
    ]
    model = LazyTableModel(runner, COLUMNS, load_rows=lambda ids: units.rows_by_id(ids))
    model.reset_query(lambda ctx: units.search_ids(text, order_by="code"))
    # after a service call: if result.changes.records: model.mark_stale()
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from archive.domain.errors import LegajoError
from archive.i18n import _, render_error
from desktop.tasks import TaskContext, TaskHandle, TaskRunner
from desktop.theme import ERROR_TEXT_COLOR

log = logging.getLogger(__name__)

RowValues = Mapping[str, Any]
#: ``load_rows(ids) -> {id: values}``; a value may be an exception for a row that failed alone.
LoadRows = Callable[[Sequence[Hashable]], Mapping[Hashable, RowValues | Exception]]
IdQuery = Callable[[TaskContext], Sequence[Hashable]]
Index = QModelIndex | QPersistentModelIndex

PLACEHOLDER = "…"
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
#: ``data(index, ID_ROLE)`` is the row's id (never fetches).
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: ``data(index, VALUE_ROLE)`` is the raw, unformatted value (None until loaded).
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_VALUE_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, VALUE_ROLE})


@dataclass(frozen=True)
class Column:
    """One column of a lazy table.

    Attributes:
        key: The key of the value in the loader's row mapping.
        header_msgid: Spanish header text, translated with ``_()`` when shown (mark it ``N_``).
        align: Text alignment of the cells.
        formatter: Value → display text; default ``str`` (None shows as empty).
    """

    key: str
    header_msgid: str
    align: Qt.AlignmentFlag = LEFT
    formatter: Callable[[Any], str] | None = None

    def format(self, value: Any) -> str:
        if self.formatter is not None:
            return self.formatter(value)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class _Page:
    epoch: int  # mark_stale() epoch when the load was requested
    rows: Mapping[Hashable, RowValues | Exception]
    error: str | None = None  # the whole page failed


class _Failed:
    """A page load that raised, returned (not raised) so the table shows it in its rows."""

    def __init__(self, error: Exception) -> None:
        self.error = error


_PageResult = Mapping[Hashable, RowValues | Exception] | _Failed


def _load_page(load: LoadRows, ids: list[Hashable], _ctx: TaskContext) -> _PageResult:
    """Runs on the database worker."""
    try:
        return load(ids)
    except LegajoError as exc:
        log.info("No se pudo cargar una página de filas: %s", exc.untranslated())
        return _Failed(exc)
    except Exception as exc:
        log.exception("Error inesperado al cargar una página de filas")
        return _Failed(exc)


def error_text(error: BaseException) -> str:
    """What a row that failed to load shows."""
    if isinstance(error, LegajoError):
        return render_error(error)
    return _("Error al cargar: {error}").format(error=error)


class LazyTableModel(QAbstractTableModel):
    """A table of ids whose row values are loaded by page, when painted.

    Args:
        runner: The task runner; pages and id queries run on its database worker.
        columns: The columns, in order.
        load_rows: ``load_rows(ids) -> {id: values}``, run on the database worker. Ids missing
            from the result show as unavailable (deleted meanwhile); an exception as a value, or
            raised, shows as the error text in those rows.
        page_size: Rows per page.
        max_pages: Pages kept in memory (least recently used are dropped); at least as many as
            fit on screen, plus some for scrolling back.
        parent: Qt parent.

    Signals:
        ids_reset(int): the id list was replaced (:meth:`set_ids`); the new row count.
        page_loaded(int): a page arrived; its rows have been announced with ``dataChanged``.
        sort_requested(str, Qt.SortOrder): the view asked to sort by the column with this key;
            re-run the id query with that order and pass it to :meth:`reset_query`.
    """

    ids_reset = Signal(int)
    page_loaded = Signal(int)
    sort_requested = Signal(str, Qt.SortOrder)

    def __init__(
        self,
        runner: TaskRunner,
        columns: Sequence[Column],
        load_rows: LoadRows,
        *,
        page_size: int = 200,
        max_pages: int = 50,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1 or max_pages < 2:
            raise ValueError("page_size >= 1 and max_pages >= 2")
        self._runner = runner
        self._columns = list(columns)
        self._load_rows = load_rows
        self._page_size = page_size
        self._max_pages = max_pages
        self._ids: list[Hashable] = []
        self._row_of: dict[Hashable, int] | None = None
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._in_flight: dict[int, TaskHandle] = {}
        self._generation = 0  # bumped by set_ids: late pages of older id lists are dropped
        self._epoch = 0  # bumped by mark_stale: older pages are shown but reloaded
        self._query: TaskHandle | None = None
        self._query_generation = 0

    # -- ids ---------------------------------------------------------------------------------

    def set_ids(self, ids: Sequence[Hashable]) -> None:
        """Replace the rows with ``ids`` (already filtered and sorted); drops every page."""
        self.beginResetModel()
        for handle in self._in_flight.values():
            handle.cancel()
        self._ids = list(ids)
        self._row_of = None
        self._pages.clear()
        self._in_flight.clear()
        self._generation += 1
        self.endResetModel()
        self.ids_reset.emit(len(self._ids))

    def reset_query(
        self, query: IdQuery, *, on_error: Callable[[LegajoError], None] | None = None
    ) -> TaskHandle:
        """Run ``query(ctx) -> ids`` on the database worker, then :meth:`set_ids` with them.

        A query still running is cancelled and its result ignored: the newest query wins.
        ``on_error`` goes to the runner (default: an error message; cancellations are silent,
        so a custom ``on_error`` should ignore :class:`JobCancelled`).
        """
        if self._query is not None:
            self._query.cancel()
        self._query_generation += 1
        self._query = self._runner.run_db(
            query,
            on_done=partial(self._query_done, self._query_generation),
            on_error=on_error,
            owner=self,
            label=_("Buscando…"),
        )
        return self._query

    def _query_done(self, generation: int, ids: Sequence[Hashable]) -> None:
        if generation == self._query_generation:
            self._query = None
            self.set_ids(ids)

    def mark_stale(self) -> None:
        """Reload rows after a change: pages are re-requested as they are painted again.

        Stale values stay on screen until the fresh ones arrive (no flicker to ``…``).
        """
        self._epoch += 1
        if self._ids:
            last = self.index(len(self._ids) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last, [])

    @property
    def ids(self) -> Sequence[Hashable]:
        return self._ids

    def id_at(self, row: int) -> Hashable:
        return self._ids[row]

    def row_of(self, row_id: Hashable) -> int | None:
        """The row of an id, or None (the index is built on first use)."""
        if self._row_of is None:
            self._row_of = {value: row for row, value in enumerate(self._ids)}
        return self._row_of.get(row_id)

    def values_at(self, row: int) -> RowValues | None:
        """The loaded values of a row, or None if not loaded (or failed); never fetches."""
        page = self._pages.get(row // self._page_size)
        values = None if page is None else page.rows.get(self._ids[row])
        return None if isinstance(values, Exception) else values

    def loaded_pages(self) -> list[int]:
        """Page numbers in the cache, least recently used first."""
        return list(self._pages)

    def column(self, section: int) -> Column:
        return self._columns[section]

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == _DISPLAY:
                return _(self._columns[section].header_msgid)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self._columns[section].align
            return None
        if orientation == Qt.Orientation.Vertical and role == _DISPLAY:
            return section + 1
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == ID_ROLE:
            return self._ids[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._columns[col].align
        if role not in _VALUE_ROLES:
            return None
        page_no = row // self._page_size
        page = self._pages.get(page_no)
        if page is None or page.epoch < self._epoch:
            self._request(page_no)
        if page is None:
            return PLACEHOLDER if role == _DISPLAY else None
        self._pages.move_to_end(page_no)
        values = page.rows.get(self._ids[row], page.error)
        if values is None:
            values = _("Registro no disponible")
        if isinstance(values, Mapping):
            value = values.get(self._columns[col].key)
            if role == _DISPLAY:
                return self._columns[col].format(value)
            return value if role == VALUE_ROLE else None
        message = values if isinstance(values, str) else error_text(values)
        if role == _FOREGROUND:
            return QBrush(QColor(ERROR_TEXT_COLOR))
        if role == _TOOLTIP:
            return message
        return message if role == _DISPLAY and col == 0 else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the view to re-run its id query in this order (see ``sort_requested``)."""
        if 0 <= column < len(self._columns):
            self.sort_requested.emit(self._columns[column].key, order)

    # -- pages -------------------------------------------------------------------------------

    def _request(self, page_no: int) -> None:
        if page_no in self._in_flight:
            return
        start = page_no * self._page_size
        ids = self._ids[start : start + self._page_size]
        self._in_flight[page_no] = self._runner.run_db(
            partial(_load_page, self._load_rows, ids),
            on_done=partial(self._page_arrived, self._generation, self._epoch, page_no),
            owner=self,
        )

    def _page_arrived(self, generation: int, epoch: int, page_no: int, result: _PageResult) -> None:
        if generation != self._generation:
            return  # the ids changed meanwhile
        self._in_flight.pop(page_no, None)
        if isinstance(result, _Failed):
            page = _Page(epoch, {}, error_text(result.error))
        else:
            page = _Page(epoch, dict(result))
        self._pages[page_no] = page
        self._pages.move_to_end(page_no)
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        first = page_no * self._page_size
        last = min(first + self._page_size, len(self._ids)) - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1), [])
        self.page_loaded.emit(page_no)
