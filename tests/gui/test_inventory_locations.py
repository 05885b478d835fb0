"""Ubicaciones: the lazy location tree, occupancy bars, the range dialog (preview, then create),
free space, capacity edits and scanning a unit to find it. Real services on SQLite."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from archive.services.container import Services
from archive.services.locations import LocationView
from archive.services.runtime import Actor
from desktop.session import Session
from desktop.views.inventory.bulk import BatchPreviewDialog, DestinationDialog
from desktop.views.inventory.location_dialogs import FreeSpaceDialog, RangeDialog
from desktop.views.inventory.locations import LocationsView
from desktop.views.inventory.tree import (
    BAR_COLORS,
    COL_OCCUPANCY,
    OCCUPANCY_ROLE,
    LocationTreeModel,
    bar_color,
)
from scanners.scan import Scan
from tests.gui.test_inventory_common import (
    IGNORE_SIZE_HINTS,
    idle,
    leaf,
    open_view,
    session,
    shelf,
    type_scan,
)

pytestmark = IGNORE_SIZE_HINTS
__all__ = ["leaf", "session", "shelf"]  # fixtures


def child(model: LocationTreeModel, parent: QModelIndex, path: str) -> QModelIndex:
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if model.location(index).path == path:  # type: ignore[union-attr]
            return index
    raise AssertionError(f"{path} not loaded")


def expand(qtbot: QtBot, view: LocationsView, index: QModelIndex) -> None:
    with qtbot.waitSignal(view.model.children_loaded, timeout=5000):
        view.tree.expand(index)


def test_tree_loads_children_only_when_expanded(
    qtbot: QtBot, qtmodeltester: Any, session: Session, shelf: LocationView
) -> None:
    view = LocationsView(session)
    model = view.model
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())  # not before activate
    with qtbot.waitSignal(model.children_loaded, timeout=5000):
        open_view(qtbot, view)
    depot = child(model, QModelIndex(), "D01")
    assert model.hasChildren(depot) and model.rowCount(depot) == 0 and model.canFetchMore(depot)
    expand(qtbot, view, depot)
    assert [model.location(model.index(r, 0, depot)).path for r in range(2)] == [  # type: ignore[union-attr]
        "D01-M01", "D01-M02",
    ]  # fmt: skip
    module = child(model, depot, "D01-M01")
    assert model.rowCount(module) == 0 and model.canFetchMore(module)  # grandchildren: not yet
    expand(qtbot, view, module)
    assert model.rowCount(module) == 2
    qtmodeltester.check(model)  # (it fetches more itself: the rows arrive while it checks)
    idle(qtbot, session)
    qtmodeltester.check(model)


def test_occupancy_bar_turns_amber_then_red(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView, leaf
) -> None:
    b1 = leaf("D01-M01-A-E01-B1")
    services.units.register(admin, type_code="X200", count=4, location_id=b1.id)
    view = LocationsView(session)
    with qtbot.waitSignal(view.model.revealed, timeout=5000):
        open_view(qtbot, view)
        view.model.reveal(b1.path)
    index = view.model.find_loaded(lambda v: v.path == b1.path)
    assert view.model.index(index.row(), COL_OCCUPANCY, index.parent()).data(OCCUPANCY_ROLE) == (
        4, 4, "u",
    )  # fmt: skip
    assert (bar_color(3, 4), bar_color(4, 4), bar_color(5, 4)) == BAR_COLORS
    view.grab()  # the delegate paints the bars without warnings
    # A move elsewhere refreshes the loaded nodes' occupancy from the change feed.
    services.moves.move(admin, [u.barcode for u in services.units.at_location(admin, b1.id)][:1],
                        leaf("D01-M01-A-E01-B2").barcode)  # fmt: skip
    from archive.services.changes import Changes

    session.publish(Changes(units=True, locations=True))
    qtbot.waitUntil(lambda: view.model.location(index).occupied_units == 3, timeout=5000)  # type: ignore[union-attr]


def test_range_dialog_previews_then_creates(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView
) -> None:
    view = open_view(qtbot, LocationsView(session))
    qtbot.waitUntil(lambda: view.current is not None and view.current.path == "D01", timeout=5000)
    view.open_range_dialog()
    qtbot.waitUntil(lambda: isinstance(view.dialog, RangeDialog), timeout=5000)
    dialog: RangeDialog = view.dialog  # type: ignore[assignment]
    combo, spec = dialog.rows[0]
    assert combo.currentData() == "modulo"  # the level below the parent's
    spec.setText("2-3")
    dialog.add_level("cara", "A")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=5000)
    assert dialog.preview.existing == ["D01-M02-A"]  # type: ignore[union-attr]
    assert dialog.error.isVisible() and not dialog.create_button.isEnabled()
    spec.setText("3-4")
    dialog.add_level("estante", "1-6")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=5000)
    assert dialog.preview.paths[:2] == ["D01-M03-A-E01", "D01-M03-A-E02"]  # type: ignore[union-attr]
    assert "Se crearán 12 ubicaciones" in dialog.summary.text()
    assert services.locations.children(admin, shelf.id)[-1].path == "D01-M02"  # nothing written
    dialog.capacity_units.setText("6")
    with qtbot.waitSignal(dialog.created, timeout=5000) as created:
        dialog.create_button.click()
    assert created.args == [12 + 2 + 2]  # estantes + caras + módulos
    assert [c.path for c in services.locations.children(admin, shelf.id)][-2:] == [
        "D01-M03",
        "D01-M04",
    ]
    idle(qtbot, session)
    depot = view.model.find_loaded(lambda v: v.path == "D01")
    assert view.model.location(depot).children == 4  # type: ignore[union-attr]


def test_free_space_search_and_capacity_edit(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView, leaf
) -> None:
    view = open_view(qtbot, LocationsView(session))
    qtbot.waitUntil(lambda: view.current is not None, timeout=5000)
    view.open_free_space()
    qtbot.waitUntil(lambda: isinstance(view.dialog, FreeSpaceDialog), timeout=5000)
    dialog: FreeSpaceDialog = view.dialog  # type: ignore[assignment]
    dialog.units.setValue(3)
    dialog.search()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=5000)
    first = dialog.model.row(0)["view"]
    assert first.path == "D01-M01-A-E01-B1" and first.free_units == 4
    with qtbot.waitSignal(view.model.revealed, timeout=5000):
        dialog._choose(0)
    assert view.current is not None and view.current.path == first.path
    view.capacity_units.setText("10")
    view.save_button.click()
    qtbot.waitUntil(lambda: view.current.capacity_units == 10, timeout=5000)  # type: ignore[union-attr]
    assert services.locations.get(admin, first.id).capacity_units == 10


def test_scanning_a_box_shows_where_it_is(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView, leaf
) -> None:
    b2 = leaf("D01-M02-B-E02-B3")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=b2.id)
    view = open_view(qtbot, LocationsView(session))
    qtbot.waitUntil(lambda: view.current is not None, timeout=5000)
    type_scan(qtbot, view.scan_field, boxes[1].barcode.lower())
    qtbot.waitUntil(lambda: view.current is not None and view.current.path == b2.path, timeout=5000)
    assert view.feedback.kind == "ok" and b2.path in view.feedback.text()
    qtbot.waitUntil(lambda: view.units.selected_ids() == [boxes[1].id], timeout=5000)
    type_scan(qtbot, view.scan_field, "CA0100000000X")  # misread label
    qtbot.waitUntil(lambda: view.feedback.kind == "error", timeout=5000)


def test_bulk_move_from_a_location_asks_before_exceeding_capacity(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, leaf
) -> None:
    here, full = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    boxes = services.units.register(admin, type_code="X200", count=3, location_id=here.id)
    services.units.register(admin, type_code="X200", count=3, location_id=full.id)
    view = open_view(qtbot, LocationsView(session))
    with qtbot.waitSignal(view.units.loaded, timeout=5000):
        view.model.reveal(here.path)
    qtbot.waitUntil(lambda: view.units.model.values_at(2) is not None, timeout=5000)
    view.units.table.selectAll()
    view.units.move_selected()
    destination = view.units.bulk.dialog
    assert isinstance(destination, DestinationDialog)
    assert destination.handle_scan(Scan.from_raw(full.barcode, "wedge"))  # a hardware scan
    qtbot.waitUntil(lambda: isinstance(view.units.bulk.dialog, BatchPreviewDialog), timeout=5000)
    preview: BatchPreviewDialog = view.units.bulk.dialog  # type: ignore[assignment]
    assert preview.preview.over_capacity and preview.warning.isVisibleTo(preview)
    assert [r["before"] for r in preview.model.rows] == [here.path] * 3
    assert {r["after"] for r in preview.model.rows} == {full.path}
    assert not preview.apply_button.isEnabled()  # needs the explicit override
    preview.override.setChecked(True)
    with qtbot.waitSignal(view.units.bulk.applied, timeout=5000):
        preview.apply_button.click()
    assert len(services.units.at_location(admin, full.id)) == 6
    assert {services.units.get(admin, b.id).location_path for b in boxes} == {full.path}
    idle(qtbot, session)
    assert view.units.model.rowCount() == 0  # the change feed refreshed the table
