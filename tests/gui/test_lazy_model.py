"""The lazy, id-backed table model: pages on demand, errors in rows, staleness, LRU."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from archive.domain.errors import NotFound
from archive.i18n import N_
from desktop.lazy_model import ID_ROLE, PLACEHOLDER, RIGHT, VALUE_ROLE, Column, LazyTableModel
from desktop.qt_i18n import format_date, format_datetime
from desktop.tasks import TaskRunner

COLUMNS = [
    Column("code", N_("Código")),
    Column("n", N_("Número"), align=RIGHT),
    Column("when", N_("Fecha"), formatter=format_date),
]


class Loader:
    """A page loader that counts its calls; ``version`` changes what rows say."""

    def __init__(self, *, fail_ids: frozenset[Hashable] = frozenset()) -> None:
        self.calls: list[list[Hashable]] = []
        self.version = 1
        self.fail_ids = fail_ids
        self.missing: set[Hashable] = set()
        self.raise_error: Exception | None = None
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def __call__(self, ids: Sequence[Hashable]) -> Mapping[Hashable, object]:
        with self._lock:
            self.calls.append(list(ids))
        if self.gate is not None:
            self.gate.wait(5)
        if self.raise_error is not None:
            raise self.raise_error
        rows: dict[Hashable, object] = {}
        for i in ids:
            if i in self.missing:
                continue
            if i in self.fail_ids:
                rows[i] = NotFound("unit.not_found", N_("No existe la unidad {code}."), code=i)
            else:
                rows[i] = {"code": f"C{i}-v{self.version}", "n": i, "when": date(2024, 3, 5)}
        return rows

    def pages(self, page_size: int = 200) -> list[int]:
        return [call[0] // page_size for call in self.calls]


def make_model(runner: TaskRunner, n: int, loader: Loader, **kw: int) -> LazyTableModel:
    model = LazyTableModel(runner, COLUMNS, loader, **kw)
    model.set_ids(range(n))
    return model


def touch(model: LazyTableModel, row: int, col: int = 0) -> object:
    return model.data(model.index(row, col))


def load(qtbot, model: LazyTableModel, row: int) -> None:
    """Paint-like access to a row, then wait for its page."""
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        assert touch(model, row) == PLACEHOLDER


def test_qtmodeltester_before_and_after_loading(qtbot, qtmodeltester, runner):
    loader = Loader(fail_ids=frozenset({3}))
    model = make_model(runner, 450, loader)
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.loaded_pages() != [], timeout=5000)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    model.set_ids([])
    qtmodeltester.check(model)


def test_a_million_ids_load_nothing_until_painted(runner):
    loader = Loader()
    model = make_model(runner, 1_000_000, loader)
    assert model.rowCount() == 1_000_000
    assert model.columnCount() == 3
    for row in (0, 500_000, 999_999):
        model.flags(model.index(row, 0))  # flags() never fetches
        assert model.data(model.index(row, 0), ID_ROLE) == row
    assert model.rowCount(model.index(0, 0)) == 0
    assert loader.calls == []


def test_painting_a_table_of_a_million_rows_loads_at_most_two_pages(qtbot, runner):
    loader = Loader()
    model = make_model(runner, 1_000_000, loader)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: 0 in model.loaded_pages(), timeout=5000)
    qtbot.wait(100)  # the repaint after the page arrived
    assert 1 <= len(loader.calls) <= 2
    assert loader.pages() == sorted(set(loader.pages()))
    assert model.data(model.index(0, 0)) == "C0-v1"


def test_cells_show_a_placeholder_then_the_values(qtbot, runner):
    loader = Loader()
    model = make_model(runner, 300, loader)
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as changed:
        for row in range(50):  # many paints of one page: one request
            assert touch(model, row) == PLACEHOLDER
    top, bottom = changed.args[:2]
    assert (top.row(), top.column(), bottom.row(), bottom.column()) == (0, 0, 199, 2)
    assert len(loader.calls) == 1
    assert touch(model, 7) == "C7-v1"
    assert touch(model, 7, 1) == "7"
    assert touch(model, 7, 2) == "05/03/2024"
    assert model.data(model.index(7, 2), VALUE_ROLE) == date(2024, 3, 5)
    assert model.data(model.index(7, 1), Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert model.values_at(7) == {"code": "C7-v1", "n": 7, "when": date(2024, 3, 5)}
    assert model.values_at(250) is None
    assert model.row_of(250) == 250


def test_last_page_is_partial(qtbot, runner):
    loader = Loader()
    model = make_model(runner, 205, loader)
    load(qtbot, model, 204)
    assert loader.calls == [list(range(200, 205))]
    assert touch(model, 204) == "C204-v1"


def test_headers_are_translated_msgids(runner):
    model = make_model(runner, 1, Loader())
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(i, horizontal) for i in range(3)] == ["Código", "Número", "Fecha"]
    assert model.headerData(1, horizontal, Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert model.headerData(0, Qt.Orientation.Vertical) == 1


def test_a_row_that_fails_shows_the_error_text(qtbot, runner, sink):
    loader = Loader(fail_ids=frozenset({3}))
    model = make_model(runner, 10, loader)
    load(qtbot, model, 0)
    assert touch(model, 3) == "No existe la unidad 3."
    assert touch(model, 3, 1) is None
    assert model.data(model.index(3, 1), Qt.ItemDataRole.ToolTipRole) == "No existe la unidad 3."
    assert model.data(model.index(3, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert touch(model, 4) == "C4-v1"
    assert model.values_at(3) is None
    assert sink.messages == []  # shown in the row, not in a message box


def test_a_page_that_fails_shows_the_error_in_each_row(qtbot, runner, sink, caplog):
    loader = Loader()
    loader.raise_error = RuntimeError("disco lleno")
    model = make_model(runner, 10, loader)
    load(qtbot, model, 0)
    assert touch(model, 0) == "Error al cargar: disco lleno"
    assert touch(model, 9) == "Error al cargar: disco lleno"
    assert any(r.exc_info for r in caplog.records)  # unexpected: logged with its traceback
    assert sink.messages == []


def test_a_row_deleted_meanwhile_shows_as_unavailable(qtbot, runner):
    loader = Loader()
    loader.missing = {2}
    model = make_model(runner, 10, loader)
    load(qtbot, model, 0)
    assert touch(model, 2) == "Registro no disponible"


def test_mark_stale_keeps_values_and_reloads_only_painted_pages(qtbot, runner):
    loader = Loader()
    model = make_model(runner, 2000, loader)
    load(qtbot, model, 0)
    load(qtbot, model, 1000)
    assert loader.pages() == [0, 5]

    loader.version = 2
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.mark_stale()
    assert (changed.args[0].row(), changed.args[1].row()) == (0, 1999)
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        assert touch(model, 0) == "C0-v1"  # stale values stay until fresh ones arrive
    assert touch(model, 0) == "C0-v2"
    assert loader.pages() == [0, 5, 0]  # page 5 was not painted: not reloaded
    assert model.data(model.index(1000, 0)) == "C1000-v1"  # ...until it is
    qtbot.waitUntil(lambda: touch(model, 1000) == "C1000-v2", timeout=5000)


def test_cache_keeps_the_most_recently_used_pages(qtbot, runner):
    loader = Loader()
    model = make_model(runner, 10 * 200, loader, max_pages=3)
    for page in range(5):
        load(qtbot, model, page * 200)
    assert model.loaded_pages() == [2, 3, 4]
    touch(model, 2 * 200)  # page 2 used again
    load(qtbot, model, 5 * 200)
    assert model.loaded_pages() == [4, 2, 5]
    load(qtbot, model, 0)  # an evicted page loads again when painted
    assert loader.pages() == [0, 1, 2, 3, 4, 5, 0]


def test_pages_of_an_old_id_list_are_dropped(qtbot, runner):
    loader = Loader()
    loader.gate = threading.Event()
    model = make_model(runner, 10, loader)
    touch(model, 0)
    model.set_ids([100, 101])  # while the first page is loading
    loader.gate.set()
    load(qtbot, model, 0)
    assert touch(model, 1) == "C101-v1"
    assert model.rowCount() == 2


def test_reset_query_runs_on_the_worker_and_the_newest_wins(qtbot, runner):
    gate = threading.Event()
    model = LazyTableModel(runner, COLUMNS, Loader())
    resets: list[int] = []
    model.ids_reset.connect(resets.append)

    def slow(ctx: object) -> list[int]:
        gate.wait(5)
        return [1, 2, 3]

    first = model.reset_query(slow)
    second = model.reset_query(lambda ctx: [7, 8])
    assert first.cancelled()
    gate.set()
    qtbot.waitUntil(second.is_finished, timeout=5000)
    assert list(model.ids) == [7, 8]
    assert resets == [2]


def test_sorting_asks_the_view_to_rerun_its_query(qtbot, runner):
    model = make_model(runner, 3, Loader())
    with qtbot.waitSignal(model.sort_requested) as sort:
        model.sort(1, Qt.SortOrder.DescendingOrder)
    assert sort.args == ["n", Qt.SortOrder.DescendingOrder]
    assert list(model.ids) == [0, 1, 2]  # nothing sorted in Python


def test_model_deleted_before_its_page_arrives(qtbot, runner):
    loader = Loader()
    loader.gate = threading.Event()
    model = make_model(runner, 10, loader)
    touch(model, 0)
    model.deleteLater()
    qtbot.wait(10)
    loader.gate.set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)


def test_invalid_sizes_are_refused(runner):
    with pytest.raises(ValueError):
        LazyTableModel(runner, COLUMNS, Loader(), max_pages=1)
    assert LazyTableModel(runner, COLUMNS, Loader()).data(QModelIndex()) is None


# -- formatters used by columns (pure helpers from desktop.qt_i18n) ---------------------------


def test_dates_show_day_month_year_in_bogota():
    assert format_date(date(2024, 3, 5)) == "05/03/2024"
    assert format_date(None) == ""
    # 03:00 UTC on the 6th is still the 5th in Bogotá (UTC-5)
    assert format_date(datetime(2024, 3, 6, 3, 0, tzinfo=UTC)) == "05/03/2024"
    assert format_datetime(datetime(2024, 3, 5, 12, 30, tzinfo=UTC)) == "05/03/2024 07:30"
    assert format_datetime(datetime(2024, 3, 5, 12, 30)) == "05/03/2024 07:30"  # naive = UTC
    assert format_datetime(datetime(2024, 3, 5, 12, 30, 9), seconds=True) == "05/03/2024 07:30:09"
    assert format_datetime(None) == ""
