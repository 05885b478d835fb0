"""Préstamos area: direct lending through the dialog, overdue loans in red, renew, receive by
scan (with a novedad when folios are missing), the testigo PDF, and the Usuario de dependencia's
view (request by scan, only its own requests, no staff actions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings
from desktop.session import AppContext, Session
from desktop.views.loans import LoansView
from desktop.views.loans.dialogs import LendDialog, RequestDialog, ReturnDialog
from desktop.views.loans.view import OVERDUE_COLOR
from tests.gui.test_inventory_common import (
    IGNORE_SIZE_HINTS,
    idle,
    open_view,
    session,
    shelf,
    type_scan,
)

pytestmark = IGNORE_SIZE_HINTS
__all__ = ["session", "shelf"]  # fixtures
PW = "Clave-prestamos-26"


@pytest.fixture
def units(services: Services, admin: Actor, shelf: Any) -> list[Any]:
    return services.units.register(admin, type_code="CAR4", count=3, dependencia_code="120", location_id=shelf.id)


def loaded(qtbot: QtBot, view: LoansView, n: int) -> None:
    qtbot.waitUntil(lambda: view.model.rowCount() == n, timeout=5000)
    for row in range(n):
        view.model.data(view.model.index(row, 0))  # paint: loads the page
    qtbot.waitUntil(lambda: all(view.model.values_at(r) is not None for r in range(n)), timeout=5000)


def submit(qtbot: QtBot, view: LoansView, dialog: Any) -> None:
    with qtbot.waitSignal(view.loaded, timeout=5000):
        dialog.submit()


def test_lend_renew_overdue_and_receive_by_scan(qtbot: QtBot, session: Session, services: Services, admin: Actor,
                                                 units: list[Any], clock: Any, qtmodeltester: Any) -> None:  # fmt: skip
    view = open_view(qtbot, LoansView(session))
    assert isinstance(view, LoansView)
    loaded(qtbot, view, 0)
    assert view.lend_button.isVisible() and not view.renew_button.isEnabled()
    view.table.clearSelection()
    view.lend()
    dialog = view.dialog
    assert isinstance(dialog, LendDialog)
    qtbot.waitUntil(lambda: dialog.dependencia.findData("120") >= 0, timeout=5000)
    dialog.dependencia.setCurrentIndex(dialog.dependencia.findData("120"))
    dialog.unit.setText(units[0].barcode)
    dialog.requester.setText("Ana Pérez")
    submit(qtbot, view, dialog)
    assert view.feedback.kind == "ok" and "Ana Pérez" in view.feedback.text()
    loaded(qtbot, view, 1)
    qtmodeltester.check(view.model)
    view.table.selectRow(0)
    assert view.renew_button.isEnabled() and view.testigo_button.isEnabled()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.renew_button.click()
    loaded(qtbot, view, 1)
    assert view.model.values_at(0)["renewals"] == 1
    assert view.model.data(view.model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None

    clock.advance(days=60)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.reload()
    loaded(qtbot, view, 1)
    brush = view.model.data(view.model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == OVERDUE_COLOR
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.state_filter.setCurrentIndex(view.state_filter.findData("vencidos"))
    loaded(qtbot, view, 1)

    # Receive it back by scanning, folios missing: a novedad is opened.
    type_scan(qtbot, view.scan_field, units[0].barcode)
    back = view.dialog
    assert isinstance(back, ReturnDialog) and back.unit.text() == units[0].barcode
    back.complete.setChecked(False)
    back.notes.setPlainText("Faltan los folios 3 y 4")
    submit(qtbot, view, back)
    assert view.feedback.kind == "warn" and "novedad" in view.feedback.text()
    loaded(qtbot, view, 0)  # no overdue loans left
    [incident] = services.incidents.list(admin)
    assert incident.kind == "folios_incompletos"
    idle(qtbot, session)


def test_print_testigo_writes_a_pdf(qtbot: QtBot, session: Session, services: Services, admin: Actor,
                                    units: list[Any], tmp_path: Path) -> None:  # fmt: skip
    services.loans.lend_scan(admin, units[1].barcode, dependencia_code="120", requester_name="Luis Gómez")
    view = open_view(qtbot, LoansView(session))
    assert isinstance(view, LoansView)
    loaded(qtbot, view, 1)
    view.table.selectRow(0)
    target = tmp_path / "testigo.pdf"
    view.ask_save_path = lambda suggested: str(target)  # type: ignore[method-assign]
    with qtbot.waitSignal(view.testigo_saved, timeout=20_000):
        view.testigo_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    idle(qtbot, session)


def test_usuario_de_dependencia_requests_by_scan_and_sees_only_its_own(
    qtbot: QtBot, services: Services, admin: Actor, units: list[Any], runner: Any, sink: Any
) -> None:
    services.users.add(admin, username="hacienda", full_name="Fabián", role_code="usuario_dependencia",
                       dependencia_code="120", password=PW)  # fmt: skip
    services.loans.lend_scan(admin, units[2].barcode, dependencia_code="120", requester_name="Otro")
    actor = services.auth.login("hacienda", PW)
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    view = open_view(qtbot, LoansView(Session(context, actor)))
    assert isinstance(view, LoansView)
    loaded(qtbot, view, 0)  # the staff's loan is not shown
    assert view.request_button.isVisible() and not view.lend_button.isVisible()
    assert not view.dependencia_filter.isVisible()
    type_scan(qtbot, view.scan_field, units[0].barcode)
    dialog = view.dialog
    assert isinstance(dialog, RequestDialog) and dialog.dependencia is None
    dialog.submit()  # no purpose: refused inline
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    dialog.purpose.setPlainText("Revisión de cuentas")
    submit(qtbot, view, dialog)
    loaded(qtbot, view, 1)
    view.table.selectRow(0)
    assert view.cancel_button.isEnabled()
    assert view.model.values_at(0)["requester"] == "Fabián"
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
