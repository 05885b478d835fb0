"""Expedientes: 20,000 demo expedientes in a lazy table (only painted pages load), prefix
filtering as you type, sorting by indexed columns, the detail with its carpetas, and bulk
closing with preview → apply → revert."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from pytestqt.qtbot import QtBot

from archive.db.engine import sqlite_url
from archive.services.container import Services
from archive.services.expedientes import ExpedienteFilter
from archive.services.runtime import Actor
from archive.settings import Settings
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.inventory.bulk import BatchPreviewDialog, ChoiceDialog
from desktop.views.inventory.expedientes import ExpedientesView
from desktop.views.inventory.moves import MovesView
from tests.conftest import Clock, build_services
from tests.gui.test_inventory_common import IGNORE_SIZE_HINTS, idle, open_view

pytestmark = IGNORE_SIZE_HINTS
ITEMS = 20_000


@pytest.fixture(scope="module")
def demo_db(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> tuple[Path, Actor]:
    """A database with 20,000 demo expedientes, built once for the module."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(migrated_template, folder / "legajo.sqlite3")
    services = build_services(sqlite_url(folder), Clock())
    result = services.demo.generate(None, ITEMS)
    services.rt.db.close()
    return folder / "legajo.sqlite3", result.admin


@pytest.fixture
def demo(
    tmp_path: Path, demo_db: tuple[Path, Actor], clock: Clock
) -> Iterator[tuple[Services, Actor]]:
    folder = tmp_path / "demo"
    folder.mkdir()
    shutil.copy(demo_db[0], folder / "legajo.sqlite3")
    services = build_services(sqlite_url(folder), clock)
    yield services, demo_db[1]
    services.rt.db.close()


@pytest.fixture
def big(
    qtbot: QtBot, demo: tuple[Services, Actor], runner: TaskRunner, sink: RecordingSink
) -> Iterator[ExpedientesView]:
    services, actor = demo
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    view = ExpedientesView(Session(context, actor))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        open_view(qtbot, view)
    yield view
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    if not shiboken6.isValid(view):  # already deleted with the window qtbot closed
        return
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def test_only_painted_pages_load_and_the_prefix_filters(qtbot: QtBot, big: ExpedientesView) -> None:
    model = big.model
    assert model.rowCount() == ITEMS and big.count.text() == "20.000 expedientes"
    qtbot.waitUntil(lambda: model.loaded_pages() == [0], timeout=5000)
    big.table.scrollTo(model.index(10_000, 0))
    qtbot.waitUntil(lambda: 50 in model.loaded_pages(), timeout=5000)
    assert len(model.loaded_pages()) <= 3  # pages 0 and 50 (and maybe 49): never the 100 pages
    prefix = str(model.values_at(10_000)["number"])[:8]  # type: ignore[index]
    with qtbot.waitSignal(big.loaded, timeout=5000) as loaded:
        qtbot.keyClicks(big.number, prefix)  # one query after the typing pauses
    services, actor = big.session.services, big.session.actor
    expected = services.expedientes.count(actor, ExpedienteFilter(number_prefix=prefix))
    assert loaded.args == [expected] and 0 < expected < ITEMS
    qtbot.waitUntil(lambda: model.values_at(0) is not None, timeout=5000)
    assert all(str(model.values_at(r)["number"]).startswith(prefix)  # type: ignore[index]
               for r in range(min(expected, 20)))  # fmt: skip


def test_sorting_reruns_the_query_on_indexed_columns_only(
    qtbot: QtBot, big: ExpedientesView
) -> None:
    header = big.table.horizontalHeader()
    with qtbot.waitSignal(big.loaded, timeout=5000):
        big.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # fecha inicial
    assert big.applied.sort == "opened_on" and big.applied.descending
    qtbot.waitUntil(lambda: big.model.values_at(0) is not None, timeout=5000)
    services, actor = big.session.services, big.session.actor
    first = services.expedientes.ids(
        actor, ExpedienteFilter(sort="opened_on", descending=True), limit=1
    )
    assert big.model.id_at(0) == first[0]
    big.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # dependencia: not indexed for sorting
    assert header.sortIndicatorSection() == 4 and big.applied.sort == "opened_on"


def test_detail_shows_carpetas_and_closes_one(qtbot: QtBot, big: ExpedientesView) -> None:
    services, actor = big.session.services, big.session.actor
    with qtbot.waitSignal(big.loaded, timeout=5000):
        big.state.setCurrentIndex(big.state.findData("abierto"))
    qtbot.waitUntil(lambda: big.current_row() is not None, timeout=5000)
    row = big.current_row()
    assert row is not None and row.state == "abierto"
    before = len(services.expedientes.carpetas(actor, row.id))  # the demo may have some
    services.units.register(actor, type_code="CAR4", count=2, expediente_id=row.id)
    with qtbot.waitSignal(big.detail_shown, timeout=5000):
        big._schedule_detail()
    n = before + 2
    assert [r["carpeta"] for r in big.carpetas.rows] == [f"{i} de {n}" for i in range(1, n + 1)]
    assert big.detail_fields["number"].text() == row.number
    big.close_current()
    assert isinstance(big.dialog, ChoiceDialog)
    with qtbot.waitSignal(big.loaded, timeout=5000):
        big.dialog._submit()
    assert services.expedientes.rows(actor, [row.id])[row.id].state == "cerrado"


def test_bulk_close_previews_applies_and_reverts(
    qtbot: QtBot, big: ExpedientesView, sink: RecordingSink
) -> None:
    services, actor = big.session.services, big.session.actor
    with qtbot.waitSignal(big.loaded, timeout=5000):
        big.state.setCurrentIndex(big.state.findData("abierto"))
    qtbot.waitUntil(lambda: big.model.values_at(2) is not None, timeout=5000)
    chosen = [str(big.model.id_at(r)) for r in range(3)]
    big.table.selectRow(0)
    big.table.selectionModel().select(
        big.model.index(2, 0), big.table.selectionModel().SelectionFlag.Select
        | big.table.selectionModel().SelectionFlag.Rows,
    )  # fmt: skip
    big.table.selectionModel().select(
        big.model.index(1, 0), big.table.selectionModel().SelectionFlag.Select
        | big.table.selectionModel().SelectionFlag.Rows,
    )  # fmt: skip
    assert sorted(big.selected_ids()) == sorted(chosen)
    big.close_selected()
    dialog = big.bulk.dialog
    assert isinstance(dialog, ChoiceDialog)
    dialog._submit()
    qtbot.waitUntil(lambda: isinstance(big.bulk.dialog, BatchPreviewDialog), timeout=5000)
    preview: BatchPreviewDialog = big.bulk.dialog  # type: ignore[assignment]
    assert preview.model.rowCount() == 3 and preview.preview.unchanged == 0
    assert {r["before"] for r in preview.model.rows} == {"Abierto"}
    assert all(r["after"].startswith("Cerrado el 02/03/2026") for r in preview.model.rows)
    assert services.expedientes.rows(actor, chosen)[chosen[0]].state == "abierto"  # not yet
    with qtbot.waitSignal(big.bulk.applied, timeout=5000):
        preview.apply_button.click()
    assert {r.state for r in services.expedientes.rows(actor, chosen).values()} == {"cerrado"}
    idle(qtbot, big.session)
    assert "Lote aplicado: 3 expedientes" in big.notice.text()

    moves = open_view(qtbot, MovesView(big.session))
    idle(qtbot, big.session)
    assert moves.batch_model.row(0)["kind"] == "close_expedientes"
    moves.batch_table.selectRow(0)
    sink._answers.append(True)
    with qtbot.waitSignal(moves.batches_loaded, timeout=5000):
        moves.revert_selected()
    assert {r.state for r in services.expedientes.rows(actor, chosen).values()} == {"abierto"}


def test_select_all_is_cheap_and_too_big_for_one_batch(
    qtbot: QtBot, big: ExpedientesView, sink: RecordingSink
) -> None:
    header = big.table.horizontalHeader()
    # The header must not answer "is this column selected?" from the table's selection: Qt
    # visits every row to answer it (30 s frozen after Ctrl+A on a million rows).
    assert header.selectionModel() is not big.table.selectionModel()
    big.table.selectAll()
    big.table.grab()
    assert header.selectionModel().selection().isEmpty()
    big.close_selected()
    assert big.bulk.dialog is None  # refused before building a list of 20,000 ids
    assert sink.of_kind(Kind.INFO)[-1].text == (
        "Un lote admite hasta 10.000 registros; seleccionó 20.000."
    )
