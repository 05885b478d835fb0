"""The search box: type-ahead through the runner, facets, opening a result, the index keeper."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from archive.services.expedientes import ExpedienteInput
from archive.settings import Settings
from desktop.messages import RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.search import IndexKeeper, SearchDialog, open_in_area

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def session(qtbot, services, admin):
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    services.expedientes.create(admin, ExpedienteInput("120", "2019-120-1", "Resolución de gestión presupuestal"))
    services.search.ensure()
    runner = TaskRunner(RecordingSink())
    context = AppContext(services, runner, RecordingSink(), Settings(), store_settings=lambda _s: None)
    s = Session(context, admin)
    yield s
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    runner.shutdown()


def test_type_ahead_facets_open_and_export(qtbot, session, tmp_path: Path) -> None:
    dialog = SearchDialog(session)
    qtbot.addWidget(dialog)
    opened = []
    dialog.open_record.connect(lambda kind, _id, code: opened.append((kind, code)))
    dialog.box.setText("resolucion")
    qtbot.waitUntil(lambda: len(dialog.hits) == 1, timeout=5000)
    assert dialog.table.item(0, 2).text() == "Resolución de gestión presupuestal"
    qtbot.waitUntil(lambda: dialog.facets.count() > 0, timeout=5000)
    dialog.open_row(0)
    assert opened == [("expediente", "2019-120-1")]
    out = tmp_path / "r.xlsx"
    dialog.export_to(out, [("Expediente", "2019-120-1", "Resolución")])
    qtbot.waitUntil(out.exists, timeout=5000)
    assert list(load_workbook(out).active.iter_rows(values_only=True))[1][1] == "2019-120-1"


def test_the_keeper_makes_changes_searchable(qtbot, session, services, admin) -> None:
    keeper = IndexKeeper(session, delay_ms=10, period_ms=60_000)
    applied = []
    keeper.applied.connect(applied.append)
    services.expedientes.create(admin, ExpedienteInput("120", "2020-120-9", "Contrato de papelería"))
    keeper.step()
    qtbot.waitUntil(lambda: bool(applied), timeout=10_000)
    assert [h.title for h in services.search.search(admin, "papeleria").hits] == ["Contrato de papelería"]
    keeper.stop()


def test_open_in_area_routes_by_kind() -> None:
    shown = []
    open_in_area(lambda key: shown.append(key), "caja", "CA0100000001I")
    open_in_area(lambda key: shown.append(key), "ubicacion", "D01")
    assert shown == ["units", "locations"]
