"""Fixtures shared by the inventory GUI tests (imported by the other ``test_inventory_*``
modules), and tests of the shared pieces: the short-list model, the feedback line, AREAS."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from archive.i18n import N_
from archive.services.container import Services
from archive.services.locations import LocationView, RangeLevel
from archive.services.runtime import Actor
from archive.settings import Settings
from desktop.lazy_model import VALUE_ROLE, Column
from desktop.messages import RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views import View
from desktop.views.inventory import AREAS
from desktop.views.inventory.common import COLOR_KEY, ROW_ROLE, Feedback, RowsModel
from tests.unit.test_inventory import leaf as find_leaf

# Qt 6.12's offscreen platform warns when a window with a layout is shown: not ours.
IGNORE_SIZE_HINTS = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)"
)
pytestmark = IGNORE_SIZE_HINTS


@pytest.fixture
def session(
    qtbot: QtBot, services: Services, admin: Actor, runner: TaskRunner, sink: RecordingSink
) -> Iterator[Session]:
    """A logged-in administrator's session on real services.

    At the end the views (closed by pytest-qt) are deleted and garbage is collected here, on
    the GUI thread: otherwise a collection triggered on the database worker could delete a
    widget of a Python reference cycle from the wrong thread.
    """
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    session = Session(context, admin, full_name="Admin de Prueba")
    yield session
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def shelf(services: Services, admin: Actor) -> LocationView:
    """Depósito 1 → módulo 1-2 → cara A-B → estante 1-2 → entrepaño 1-3, 4 units each."""
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    dep = services.locations.create(admin, level_code="deposito", code="1", name="Central")
    levels = [RangeLevel("modulo", "1-2"), RangeLevel("cara", "A-B"),
              RangeLevel("estante", "1-2"), RangeLevel("entrepano", "1-3")]  # fmt: skip
    services.locations.create_range(admin, dep.id, levels, capacity_units=4)
    return dep


@pytest.fixture
def leaf(services: Services, admin: Actor, shelf: LocationView) -> Callable[[str], LocationView]:
    """``leaf(path)``: the location of the shelf fixture with that signatura."""
    return lambda path: find_leaf(services, admin, path)


def open_view(qtbot: QtBot, view: View) -> View:
    """Show an area the way the main window does: add it, show it, activate it."""
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    view.activate()
    return view


def type_scan(qtbot: QtBot, field: QWidget, value: str) -> None:
    """Type a code into a ScanField and press Enter (manual entry)."""
    field.setFocus()
    qtbot.keyClicks(field, value)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def idle(qtbot: QtBot, session: Session, timeout: int = 5000) -> None:
    """Wait until the task runner has nothing queued or running."""
    qtbot.waitUntil(lambda: not session.runner.is_busy(), timeout=timeout)


# -- tests of the shared pieces -----------------------------------------------------------------

COLUMNS = [Column("code", N_("Código")), Column("n", N_("Número"))]


def test_rows_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = RowsModel(COLUMNS)
    qtmodeltester.check(model)
    model.set_rows([{"code": "A", "n": 1}, {"code": "B", "n": None, COLOR_KEY: "#ff0000"}])
    qtmodeltester.check(model)
    assert model.data(model.index(1, 1)) == ""
    assert model.data(model.index(0, 1), VALUE_ROLE) == 1
    assert model.data(model.index(1, 0), ROW_ROLE)["code"] == "B"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Código"


def test_feedback_renders_errors_in_spanish(qtbot: QtBot) -> None:
    from archive.domain.errors import ValidationError

    line = Feedback()
    qtbot.addWidget(line)
    line.show_message("error", ValidationError("x", N_("El código {value} no sirve."), value="Z"))
    assert (line.kind, line.text()) == ("error", "El código Z no sirve.")


def test_areas_describe_views_built_from_a_session(qtbot: QtBot, session: Session) -> None:
    assert [a.key for a in AREAS] == [
        "moves", "expedientes", "units", "locations", "counts", "incidents",
    ]  # fmt: skip
    for area in AREAS:
        view = area.make(session)
        qtbot.addWidget(view)
        assert isinstance(view, View)
        assert callable(getattr(view, "handle_scan", None))
