"""Unidades and Novedades: scan a unit to see its detail, history and incidents; register units;
folios; open and close incidents; the inventory export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from archive.services.container import Services
from archive.services.locations import LocationView
from archive.services.runtime import Actor
from desktop.messages import Kind, RecordingSink
from desktop.session import Session
from desktop.views.inventory.incidents import (
    CloseIncidentDialog,
    IncidentsView,
    OpenIncidentDialog,
)
from desktop.views.inventory.units import FoliosDialog, RegisterDialog, UnitsView
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


def test_scanning_a_box_shows_its_detail_history_and_contents(
    qtbot: QtBot, qtmodeltester: Any, session: Session, services: Services, admin: Actor, leaf
) -> None:
    here, there = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    [box] = services.units.register(admin, type_code="X200", number_start=7, dependencia_code="120",
                                    location_id=here.id)  # fmt: skip
    services.units.register(admin, type_code="CAR4", count=3, parent_barcode=box.barcode)
    services.moves.move(admin, [box.barcode], there.barcode)
    view = open_view(qtbot, UnitsView(session))
    assert isinstance(view, UnitsView)
    with qtbot.waitSignal(view.detail.shown, timeout=5000):
        type_scan(qtbot, view.scan_field, box.barcode)
    detail = view.detail
    assert detail.heading.text() == f"Caja X-200 7 — {box.barcode}"
    assert detail.fields["where"].text() == there.path
    assert detail.fields["home"].text() == here.path
    assert detail.fields["children"].text() == "3 unidades"
    assert [r["method"] for r in detail.history_model.rows] == ["scan", "register"]  # newest first
    assert detail.history_model.rows[0]["from"] == here.path
    qtmodeltester.check(detail.history_model)
    qtbot.waitUntil(lambda: detail.contents.model.rowCount() == 3, timeout=5000)
    assert detail.tabs.isTabEnabled(1) and not detail.folios_button.isEnabled()
    type_scan(qtbot, view.scan_field, "NADA-123")
    qtbot.waitUntil(lambda: view.feedback.kind == "error", timeout=5000)


def test_register_units_then_folios(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView
) -> None:
    view = open_view(qtbot, UnitsView(session))
    view.register_units()
    qtbot.waitUntil(lambda: isinstance(view.dialog, RegisterDialog), timeout=5000)
    dialog: RegisterDialog = view.dialog  # type: ignore[assignment]
    dialog.type.setCurrentIndex(dialog.type.findData("CAR4"))
    dialog.count.setValue(3)
    dialog.number.setText("x")
    dialog.submit()
    assert dialog.error.text() == "El número inicial debe ser un número entero."
    dialog.number.setText("10")
    with qtbot.waitSignal(view.detail.shown, timeout=5000):
        dialog.submit()
    assert view.feedback.text().startswith("3 unidades registradas: FA01")
    unit = view.detail.unit
    assert unit is not None and unit.number == "10" and unit.kind == "carpeta"
    assert view.detail.folios_button.isEnabled()
    view.detail.edit_folios()
    folios = view.detail.dialog
    assert isinstance(folios, FoliosDialog)
    folios.first.setValue(1)
    folios.last.setValue(120)
    with qtbot.waitSignal(view.detail.shown, timeout=5000):
        folios.submit()  # the change feed reloads the detail
    assert view.detail.fields["folios"].text() == "1–120"


def test_incidents_open_by_scan_filter_and_close(
    qtbot: QtBot, qtmodeltester: Any, session: Session, services: Services, admin: Actor, leaf
) -> None:
    [box] = services.units.register(
        admin, type_code="X200", location_id=leaf("D01-M01-A-E01-B1").id
    )
    view = open_view(qtbot, IncidentsView(session))
    assert isinstance(view, IncidentsView)
    idle(qtbot, session)
    assert view.model.rowCount() == 0
    assert view.handle_scan(Scan.from_raw(box.barcode, "wedge"))
    dialog = view.dialog
    assert isinstance(dialog, OpenIncidentDialog) and dialog.unit.text() == box.barcode
    dialog.kind.setCurrentIndex(dialog.kind.findData("biodeterioro"))
    dialog.description.setPlainText("Hongos en la tapa")
    with qtbot.waitSignal(view.loaded, timeout=5000):
        dialog.submit()
    assert view.model.rowCount() == 1
    qtmodeltester.check(view.model)
    row = view.model.row(0)
    assert (row["unit_barcode"], row["kind"], row["state"]) == (
        box.barcode,
        "biodeterioro",
        "abierta",
    )
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.kind_filter.setCurrentIndex(view.kind_filter.findData("deterioro"))
    assert view.model.rowCount() == 0
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.kind_filter.setCurrentIndex(0)
    view.table.selectRow(0)
    view.close_selected()
    closing = view.dialog
    assert isinstance(closing, CloseIncidentDialog)
    closing.submit()  # no resolution: refused with the service's message
    qtbot.waitUntil(lambda: closing.error.isVisible(), timeout=5000)
    closing.resolution.setPlainText("Se limpió y se cambió la caja")
    with qtbot.waitSignal(view.loaded, timeout=5000):
        closing.submit()
    assert view.model.rowCount() == 0  # the default filter shows open ones
    assert (
        services.incidents.list(admin, state="cerrada")[0].resolution
        == "Se limpió y se cambió la caja"
    )


def test_inventory_export_runs_in_the_background(
    qtbot: QtBot, tmp_path: Path, session: Session, services: Services, admin: Actor,
    sink: RecordingSink, leaf,
) -> None:  # fmt: skip
    services.units.register(
        admin, type_code="X200", count=5, location_id=leaf("D01-M01-A-E01-B1").id
    )
    view = open_view(qtbot, UnitsView(session))
    with qtbot.waitSignal(view.exported, timeout=10_000) as exported:
        view.export_to(tmp_path / "inventario.xlsx")
    assert exported.args == [5] and (tmp_path / "inventario.xlsx").stat().st_size > 0
    assert "Se exportaron 5 unidades" in sink.of_kind(Kind.INFO)[-1].text
