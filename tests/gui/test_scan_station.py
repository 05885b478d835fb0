"""Estación de escaneo: destination then units (each scan moves one, audited), the big panel
and the sounds, errors, undo of the last move, counting, and lending and returns by scan."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from archive.db.models import AuditLog, Movement
from archive.services.container import Services
from archive.services.runtime import Actor
from desktop.session import Session
from desktop.views.labels import ScanStationView
from desktop.views.labels.station import COUNT, LEND, RECEIVE, RETURN
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


class FakeSounds:
    backend = "fake"

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, name: str) -> None:
        self.played.append(name)


@pytest.fixture
def station(qtbot: QtBot, session: Session) -> ScanStationView:
    view = open_view(qtbot, ScanStationView(session, sounds=FakeSounds()))
    assert isinstance(view, ScanStationView)
    return view


def scan(qtbot: QtBot, view: ScanStationView, value: str) -> str:
    with qtbot.waitSignal(view.scan_done, timeout=5000) as done:
        type_scan(qtbot, view.scan_field, value)
    return str(done.args[1])


def test_move_by_scan_with_feedback_sounds_and_undo(qtbot: QtBot, station: ScanStationView, services: Services,
                                                     admin: Actor, leaf, session: Session) -> None:  # fmt: skip
    a, b = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B2")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=a.id)
    sounds = station.sounds
    assert isinstance(sounds, FakeSounds)

    # with no destination, a caja becomes it (for carpetas); scanning a shelf replaces it
    assert (
        scan(qtbot, station, boxes[0].barcode) == "info" and station.destination == boxes[0].barcode
    )
    assert scan(qtbot, station, b.barcode) == "info" and station.destination_label == b.path
    assert scan(qtbot, station, boxes[1].barcode) == "ok"
    assert (
        station.panel_kind == "ok"
        and b.path in station.panel.text()
        and "movida" in station.panel.text()
    )
    assert services.units.get(admin, boxes[1].id).location_path == b.path
    assert scan(qtbot, station, boxes[1].barcode) == "warn"  # already there
    assert scan(qtbot, station, "CA01000000022") == "error"
    assert "dígito de control" in station.panel.text() and station.panel_kind == "error"
    assert sounds.played[-1] == "error" and "ok" in sounds.played
    assert station.history.rowCount() == 5

    assert station.undo_button.isEnabled()
    with qtbot.waitSignal(station.scan_done, timeout=5000):
        station.undo_button.click()
    assert services.units.get(admin, boxes[1].id).location_path == a.path
    assert "volvió" in station.panel.text() and not station.undo_button.isEnabled()
    idle(qtbot, session)
    with services.rt.db.sessions() as s:
        methods = list(
            s.scalars(
                select(Movement.method)
                .where(Movement.unit_id == boxes[1].id)
                .order_by(Movement.at, Movement.id)
            )
        )
        audited = s.scalar(
            select(AuditLog)
            .where(AuditLog.action == "unit.move")
            .order_by(AuditLog.at.desc())
            .limit(1)
        )
    assert methods[-2:] == ["scan", "revert"] and audited is not None


def test_receive_and_count(
    qtbot: QtBot, station: ScanStationView, services: Services, admin: Actor, leaf
) -> None:
    a, b = leaf("D01-M01-A-E01-B1"), leaf("D01-M01-A-E01-B3")
    [box] = services.units.register(admin, type_code="X200", location_id=a.id)

    station.set_mode(RECEIVE)
    assert scan(qtbot, station, b.barcode) == "info"
    assert scan(qtbot, station, box.barcode) == "ok" and "recibida" in station.panel.text()

    station.set_mode(COUNT)
    assert scan(qtbot, station, box.barcode) == "error"  # no location yet
    assert scan(qtbot, station, b.barcode) == "info"
    assert scan(qtbot, station, box.barcode) == "ok" and "contada" in station.panel.text()
    assert scan(qtbot, station, "LEGADO-0001") == "error"  # unknown: recorded as a novelty
    report = services.counts.report(admin, station.count_session)
    assert report is not None


def test_sounds_fall_back_to_beeps_and_the_wavs_are_small(qtbot: QtBot) -> None:
    import importlib.util
    import wave
    from importlib import resources

    from desktop.views.labels.output import Sounds

    sounds = Sounds()
    has_multimedia = importlib.util.find_spec("PySide6.QtMultimedia") is not None
    assert sounds.backend == ("qsoundeffect" if has_multimedia else "beep")
    sounds.play("ok")
    sounds.play("error")
    qtbot.wait(250)  # the second beep of an error
    for name in ("ok", "error"):
        path = resources.files("resources") / "sounds" / f"{name}.wav"
        with wave.open(str(path), "rb") as w:
            assert w.getnframes() / w.getframerate() < 0.5
        assert len(path.read_bytes()) <= 20_000


def test_a_hardware_scan_reaches_the_station_from_any_widget(
    qtbot: QtBot, qapp, station: ScanStationView, services: Services, admin: Actor, leaf
) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from desktop.scan_dispatch import ScanDispatcher
    from desktop.wedge_filter import WedgeFilter

    here = leaf("D01-M01-A-E01-B3")
    dispatcher = ScanDispatcher()
    clock = iter(range(10_000, 20_000, 3))
    wedge = WedgeFilter(dispatcher.dispatch, clock=lambda: next(clock))
    wedge.install(qapp)
    try:
        station.window().activateWindow()
        station.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is station.table, timeout=2000)
        with qtbot.waitSignal(station.scan_done, timeout=5000):
            for char in here.barcode + "\r":
                key = Qt.Key.Key_Return if char == "\r" else ord(char)
                event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(station.table, event)
        assert station.destination == here.barcode and station.destination_label == here.path
    finally:
        wedge.uninstall()


def test_lend_and_return_by_scan_with_undo(
    qtbot: QtBot, station: ScanStationView, services: Services, admin: Actor, leaf, session: Session
) -> None:
    a = leaf("D01-M01-A-E01-B1")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=a.id, dependencia_code="120")
    lend = next(x for x in station.mode_buttons.buttons() if x.property("mode") == LEND)
    assert lend.isEnabled()
    station.set_mode(LEND)
    assert station.lend_box.isVisible() and not station.target.isVisible()
    qtbot.waitUntil(lambda: station.lend_dependencia.count() > 0, timeout=5000)
    station.lend_dependencia.setCurrentIndex(station.lend_dependencia.findData("120"))
    station.lend_requester.setText("Ana Pérez")
    assert scan(qtbot, station, boxes[0].barcode) == "ok" and "Ana Pérez" in station.panel.text()
    assert scan(qtbot, station, boxes[0].barcode) == "error" and "ya está en préstamo" in station.panel.text()
    assert scan(qtbot, station, a.barcode) == "error"  # a shelf is not lent
    assert scan(qtbot, station, boxes[1].barcode) == "ok"
    with qtbot.waitSignal(station.scan_done, timeout=5000):
        station.undo_button.click()
    assert "anulado" in station.panel.text()
    assert [r.unit_barcode for r in services.loans.list(admin) if r.state == "prestado"] == [boxes[0].barcode]

    station.set_mode(RETURN)
    assert not station.lend_box.isVisible()
    assert scan(qtbot, station, boxes[0].barcode) == "ok" and "recibida" in station.panel.text()
    assert scan(qtbot, station, boxes[0].barcode) == "error"  # not on loan any more
    with qtbot.waitSignal(station.scan_done, timeout=5000):
        station.undo_button.click()
    assert [r.state for r in services.loans.history(admin, boxes[0].barcode)] == ["prestado"]
    idle(qtbot, session)


def test_loan_modes_need_the_permission(qtbot: QtBot, services: Services, admin: Actor, runner, sink) -> None:
    from archive.settings import Settings
    from desktop.session import AppContext

    services.org.add_dependencia(admin, code="120", name="Hacienda")
    services.users.add(admin, username="consulta1", full_name="C", role_code="consulta", password="Clave-consulta-99")
    actor = services.auth.login("consulta1", "Clave-consulta-99")
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    view = open_view(qtbot, ScanStationView(Session(context, actor), sounds=FakeSounds()))
    assert isinstance(view, ScanStationView)
    for mode in (LEND, RETURN):
        button = next(x for x in view.mode_buttons.buttons() if x.property("mode") == mode)
        assert not button.isEnabled() and "préstamos" in button.toolTip()
        view.set_mode(mode)
        assert view.mode != mode
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
