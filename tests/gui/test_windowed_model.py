"""The windowed table: a count, then id windows loaded only for painted pages."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView

from desktop.lazy_model import ID_ROLE, PLACEHOLDER, Column
from desktop.messages import RecordingSink
from desktop.tasks import TaskRunner
from desktop.windowed_model import WindowedIds, WindowedTableModel

N = 1_000_000


def test_windowed_ids_sequence() -> None:
    ids = WindowedIds(450, 200)
    assert len(ids) == 450 and ids[0] is None and ids[-1] is None
    ids.store(2, [f"r{i}" for i in range(400, 450)])
    assert ids[449] == "r449" and ids[400:402] == ["r400", "r401"]
    assert next(iter(ids.loaded())) == (400, "r400")


def test_a_million_rows_cost_a_count_and_the_painted_windows(qtbot, qtmodeltester) -> None:
    runner = TaskRunner(RecordingSink())
    calls: list[tuple[int, int]] = []

    def window(offset: int, limit: int) -> list[str]:
        calls.append((offset, limit))
        return [f"id{i}" for i in range(offset, min(offset + limit, N))]

    def rows(ids):
        return {i: {"n": i.upper()} for i in ids}

    model = WindowedTableModel(runner, [Column("n", "Número")], rows)
    with qtbot.waitSignal(model.ids_reset, timeout=5000):
        model.reset_window(lambda ctx: N, window)
    assert model.rowCount() == N
    assert model.data(model.index(0, 0)) == PLACEHOLDER
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        pass
    assert model.data(model.index(0, 0)) == "ID0"
    assert model.data(model.index(5, 0), ID_ROLE) == "id5"
    view = QTableView()
    view.setModel(model)
    view.resize(400, 300)
    view.show()
    qtbot.waitUntil(lambda: model.data(model.index(3, 0)) == "ID3", timeout=5000)
    view.scrollTo(model.index(500_123, 0))
    qtbot.waitUntil(lambda: model.data(model.index(500_123, 0)) == "ID500123", timeout=5000)
    assert len(calls) <= 4  # first page, maybe a neighbour, and the page scrolled to
    assert model.row_of("id500123") == 500_123
    small = WindowedTableModel(runner, [Column("n", "Número")], rows)
    with qtbot.waitSignal(small.ids_reset, timeout=5000):
        small.reset_window(lambda ctx: 450, window)
    qtmodeltester.check(small)
    view.close()
    runner.shutdown()
