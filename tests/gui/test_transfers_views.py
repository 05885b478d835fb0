"""Transfer and elimination areas: list, create from candidates, preparation, delivery, FUID
export, reception by scanning with the cotejo, acceptance; elimination steps and exports."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings
from desktop.messages import RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.transfers import AREAS
from desktop.views.transfers.elimination import EliminationsView
from desktop.views.transfers.transfers import NewTransferDialog, ReceiveDialog, TransfersView
from tests.gui.test_inventory_common import IGNORE_SIZE_HINTS, idle, open_view
from tests.unit import test_transfers as tt

pytestmark = IGNORE_SIZE_HINTS


@pytest.fixture
def session(
    qtbot: QtBot, services: Services, admin: Actor, runner: TaskRunner, sink: RecordingSink
) -> Iterator[Session]:
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    yield Session(context, admin, full_name="Admin de Prueba")
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def world(services, admin):
    return tt.world.__wrapped__(services, admin)


def test_areas_are_declared() -> None:
    assert [a.key for a in AREAS] == ["transfers", "eliminations"]


def test_transfer_from_candidates_to_acceptance(
    qtbot: QtBot, session: Session, world, tmp_path: Path
) -> None:
    sv, admin = session.services, session.actor
    _eid, box, [folder] = tt.make_exp(sv, admin, "G-1")
    view = TransfersView(session)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        open_view(qtbot, view)
    dialog = NewTransferDialog(session, view)
    qtbot.addWidget(dialog)
    dialog.dependencia.setText("110")
    dialog.load()
    idle(qtbot, session)
    assert dialog.model.rowCount() == 1
    with qtbot.waitSignal(dialog.created, timeout=5000):
        dialog.create_transfer()
    idle(qtbot, session)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5000)
    view.table.selectRow(0)
    view.mark_ready()
    idle(qtbot, session)
    view.table.selectRow(0)  # the list reloaded
    view.send()
    idle(qtbot, session)
    qtbot.waitUntil(lambda: view.model.row(0)["status"] == "enviada", timeout=5000)
    assert view.message.text() == ""
    view.table.selectRow(0)
    with qtbot.waitSignal(view.exported, timeout=10_000):
        view.export_fuid(str(tmp_path / "t.pdf"))
    assert (tmp_path / "t.pdf").stat().st_size > 1000
    rd = ReceiveDialog(session, view.current().id, view)
    qtbot.addWidget(rd)
    for code in (box.barcode, folder.barcode, folder.barcode):
        rd.scan.setText(code)
        rd.add_scan()
    assert rd.codes() == [box.barcode, folder.barcode]
    with qtbot.waitSignal(rd.checked, timeout=5000) as blocker:
        rd.check()
    assert blocker.args[0].ok and "correcto" in rd.outcome.text()
    tid = view.current().id
    sv.transfers.accept(admin, tid)
    assert sv.transfers.list(admin)[0].status == "aceptada"


def test_elimination_view_shows_blocks_and_exports(
    qtbot: QtBot, session: Session, world, tmp_path: Path
) -> None:
    sv, admin = session.services, session.actor
    eid, _box, _ = tt.make_exp(sv, admin, "GE-1", serie="14", sub="")
    tt.set_stage(sv, eid, "central")
    r = sv.elimination.create(admin, ["GE-1"])
    view = EliminationsView(session)
    with qtbot.waitSignal(view.loaded, timeout=5000) as blocker:
        open_view(qtbot, view)
    assert blocker.args == [1]
    view.table.selectRow(0)
    view.execute()
    idle(qtbot, session)
    assert "comité" in view.message.text()  # hard block shown inline
    sv.elimination.approve(admin, r.id, "Acta 1", date(2026, 3, 2))
    for what in ("fuid", "acta"):
        with qtbot.waitSignal(view.exported, timeout=10_000):
            view.export(what, str(tmp_path / f"{what}.pdf"))
        assert (tmp_path / f"{what}.pdf").stat().st_size > 1000
