"""A lazy table over a listing too big to hold even its ids: count once, fetch id windows.

:class:`LazyTableModel` keeps every id of the query; at 1,000,000 expedientes that query alone
takes seconds. :class:`WindowedTableModel` asks for the row count, then loads each page's ids
*and* values in one database task when the page is first painted (``window(offset, limit)``
is an index-only scan in SQL), so opening the table costs a count and one page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from functools import partial
from typing import Any, overload

from PySide6.QtCore import QObject

from archive.domain.errors import LegajoError
from archive.i18n import _
from desktop.lazy_model import Column, LazyTableModel, LoadRows, _Failed, _load_page
from desktop.tasks import TaskContext, TaskHandle, TaskRunner

CountQuery = Callable[[TaskContext], int]
Window = Callable[[int, int], Sequence[Hashable]]


class WindowedIds(Sequence[Hashable | None]):
    """``count`` row slots whose ids arrive page by page (None until their page is loaded)."""

    def __init__(self, count: int, page_size: int) -> None:
        self._count = count
        self._page_size = page_size
        self._pages: dict[int, list[Hashable]] = {}

    def store(self, page_no: int, ids: Sequence[Hashable]) -> None:
        self._pages[page_no] = list(ids)

    def loaded(self) -> Iterator[tuple[int, Hashable]]:
        for page_no, ids in self._pages.items():
            for i, value in enumerate(ids):
                yield page_no * self._page_size + i, value

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Hashable | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hashable | None]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        ids = self._pages.get(index // self._page_size)
        offset = index % self._page_size
        return ids[offset] if ids is not None and offset < len(ids) else None


def _load_window(window: Window, load: LoadRows, offset: int, limit: int, ctx: TaskContext) -> tuple[list[Hashable], object]:
    """Runs on the database worker: the page's ids, then their rows."""
    try:
        ids = list(window(offset, limit))
    except Exception as exc:  # shown in the page's rows, like a failed row load
        return [], _Failed(exc)
    return ids, _load_page(load, ids, ctx)


class WindowedTableModel(LazyTableModel):
    """A :class:`LazyTableModel` whose ids are fetched by window as pages are painted."""

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
        super().__init__(runner, columns, load_rows, page_size=page_size, max_pages=max_pages, parent=parent)
        self._window: Window | None = None

    def reset_window(
        self,
        count: CountQuery,
        window: Window,
        *,
        on_error: Callable[[LegajoError], None] | None = None,
    ) -> TaskHandle:
        """Count the rows (on the worker), then show that many rows loaded by window."""
        if self._query is not None:
            self._query.cancel()
        self._query_generation += 1
        generation = self._query_generation
        self._query = self._runner.run_db(
            count,
            on_done=lambda n: self._counted(generation, window, n),
            on_error=on_error,
            owner=self,
            label=_("Buscando…"),
        )
        return self._query

    def _counted(self, generation: int, window: Window, count: int) -> None:
        if generation != self._query_generation:
            return
        self._query = None
        self.beginResetModel()
        for handle in self._in_flight.values():
            handle.cancel()
        self._window = window
        self._ids = WindowedIds(count, self._page_size)  # type: ignore[assignment]
        self._row_of = None
        self._pages.clear()
        self._in_flight.clear()
        self._generation += 1
        self.endResetModel()
        self.ids_reset.emit(count)

    def row_of(self, row_id: Hashable) -> int | None:
        ids = self._ids
        if isinstance(ids, WindowedIds):
            return next((row for row, value in ids.loaded() if value == row_id), None)
        return super().row_of(row_id)

    def _request(self, page_no: int) -> None:
        if self._window is None or not isinstance(self._ids, WindowedIds):
            super()._request(page_no)
            return
        if page_no in self._in_flight:
            return
        self._in_flight[page_no] = self._runner.run_db(
            partial(_load_window, self._window, self._load_rows, page_no * self._page_size, self._page_size),
            on_done=partial(self._window_arrived, self._generation, self._epoch, page_no),
            owner=self,
        )

    def _window_arrived(self, generation: int, epoch: int, page_no: int, result: tuple[list[Hashable], Any]) -> None:
        if generation != self._generation or not isinstance(self._ids, WindowedIds):
            return
        ids, rows = result
        self._ids.store(page_no, ids)
        self._page_arrived(generation, epoch, page_no, rows)
