"""Conteos end to end: start by scanning the scope, scan locations then units, pause and resume,
finish, a report with every category, the one-click corrections and the PDF/XLSX export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from archive.domain.barcodes import check_char
from archive.services.container import Services
from archive.services.locations import LocationView
from archive.services.runtime import Actor
from desktop.session import Session
from desktop.views.inventory.counts import CountsView
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


def scan(qtbot: QtBot, view: CountsView, value: str) -> None:
    with qtbot.waitSignal(view.scan_done, timeout=5000):
        type_scan(qtbot, view.scan_field, value)


def test_count_flow_end_to_end(
    qtbot: QtBot, qtmodeltester: Any, tmp_path: Path, session: Session, services: Services,
    admin: Actor, shelf: LocationView, leaf,
) -> None:  # fmt: skip
    s1, s2 = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    outside, module = leaf("D01-M02-A-E01-B1"), leaf("D01-M01")
    at_s1 = services.units.register(admin, type_code="X200", count=3, location_id=s1.id)
    at_s2 = services.units.register(admin, type_code="X200", count=2, location_id=s2.id)
    [stray] = services.units.register(admin, type_code="X200", location_id=outside.id)
    unknown = "CA01" + "00777777"
    unknown += check_char(unknown)

    view = open_view(qtbot, CountsView(session))
    assert isinstance(view, CountsView)
    scan(qtbot, view, at_s1[0].barcode)  # no count yet: a unit is refused
    assert view.feedback.kind == "error"
    with qtbot.waitSignal(view.count_opened, timeout=5000):
        scan(qtbot, view, module.barcode)  # the scope starts the count
    assert view.active is not None and view.active.scope == "D01-M01"
    scan(qtbot, view, at_s1[0].barcode)  # a unit before any location
    assert "Escanee primero la ubicación" in view.feedback.text()

    scan(qtbot, view, s1.barcode)
    assert view.location == s1.barcode and view.feedback.kind == "info"
    for unit in (at_s1[0], at_s1[1], at_s2[0]):  # at_s2[0] is misplaced (found at s1)
        scan(qtbot, view, unit.barcode)
    assert view.feedback.kind == "ok" and view.location_path == s1.path
    assert view.location_label.text() == f"Ubicación actual: {s1.path} ({s1.barcode})"
    view.pause_button.click()
    qtbot.waitUntil(
        lambda: view.active is not None and view.active.state == "pausado", timeout=5000
    )
    scan(qtbot, view, s2.barcode)
    assert view.feedback.kind == "warn"  # paused: nothing recorded
    view.resume_button.click()
    qtbot.waitUntil(
        lambda: view.active is not None and view.active.state == "abierto", timeout=5000
    )
    scan(qtbot, view, s2.barcode)
    scan(qtbot, view, stray.barcode)
    scan(qtbot, view, unknown)
    assert view.feedback.kind == "warn" and "desconocido" in view.feedback.text()
    scan(qtbot, view, outside.barcode)  # outside the scope
    assert view.feedback.kind == "error" and "fuera del alcance" in view.feedback.text()
    assert view.lines.rowCount() == 5
    qtmodeltester.check(view.lines)

    with qtbot.waitSignal(view.report.shown, timeout=5000):
        view.finish_button.click()
    idle(qtbot, session)
    pane = view.report
    assert view.tabs.currentWidget() is pane and pane.report is not None
    counts = {attr: pane.models[attr].rowCount() for attr in pane.models}
    assert counts == {"found": 2, "missing": 2, "misplaced": 1, "unexpected": 2, "on_loan": 0}
    assert pane.tabs.tabText(2) == "Mal ubicadas (1)"
    for model in pane.models.values():
        qtmodeltester.check(model)

    pane.tabs.setCurrentIndex(0)
    assert not pane.relocate_button.isEnabled() and not pane.missing_button.isEnabled()
    pane.tabs.setCurrentIndex(2)  # mal ubicadas → reubicar aquí (where the count found it)
    assert pane.relocate_button.isEnabled()
    with qtbot.waitSignal(pane.shown, timeout=5000):
        pane.relocate_button.click()
    assert services.units.get(admin, at_s2[0].id).location_path == s1.path
    assert pane.models["misplaced"].rowCount() == 0 and pane.models["found"].rowCount() == 3
    pane.tabs.setCurrentIndex(1)  # faltantes → marcar como faltantes
    with qtbot.waitSignal(pane.acted, timeout=5000):
        pane.missing_button.click()
    assert {services.units.get(admin, u.id).status for u in (at_s1[2], at_s2[1])} == {"faltante"}
    assert len(services.incidents.list(admin, kind="faltante")) == 2

    for suffix in ("pdf", "xlsx"):
        with qtbot.waitSignal(pane.exported, timeout=10_000):
            pane.export_to(tmp_path / f"conteo.{suffix}")
    assert (tmp_path / "conteo.pdf").read_bytes().startswith(b"%PDF")
    sheets = load_workbook(tmp_path / "conteo.xlsx").sheetnames
    assert sheets[0] == "Encontradas" and len(sheets) == 5


def test_a_count_is_started_from_the_tree_and_reopened_from_the_list(
    qtbot: QtBot, session: Session, services: Services, admin: Actor, shelf: LocationView
) -> None:
    from desktop.views.inventory.tree import LocationPickerDialog

    view = open_view(qtbot, CountsView(session))
    view.choose_scope()
    picker = view.picker
    assert isinstance(picker, LocationPickerDialog)
    qtbot.waitUntil(lambda: picker.current() is not None, timeout=5000)
    with qtbot.waitSignal(view.count_opened, timeout=5000):
        picker.ok_button.click()
    idle(qtbot, session)
    assert view.sessions.rowCount() == 1 and view.sessions.row(0)["scope"] == "D01"
    view.active = None
    with qtbot.waitSignal(view.count_opened, timeout=5000):
        view.session_table.activated.emit(view.sessions.index(0, 0))
    assert view.active is not None and view.active.scope == "D01"
