"""The Sincronización area and the status-bar widget, driven like a person would, against a real
central PostgreSQL: a duplicate code made offline on two workstations shows both versions side
by side; picking one resolves it and writes the audit row; the status line counts what waits."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from archive.db.models import AuditLog, Dependencia, SyncConflict
from archive.settings import Settings, save_settings
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.sync import CentralConfigDialog, SyncStatusWidget, SyncView
from tests.conftest import ADMIN_PASSWORD
from tests.integration.sync_helpers import Station, Stations

pytestmark = [
    pytest.mark.pg,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]
pytest_plugins = ["tests.integration.sync_fixtures"]


@pytest.fixture
def conflicted(stations: Stations) -> tuple[Station, Station]:
    """A (seed) and B (joined) each created dependencia 500 offline, then synced: B holds the
    conflict (its row lost the code)."""
    a = stations.seed("A01")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    a.sv.org.add_dependencia(a.admin, code="500", name="Jurídica A")
    b.sv.org.add_dependencia(b.admin, code="500", name="Jurídica B")
    for st in (a, b, a, b):
        st.sync.sync_once()
    return a, b


@pytest.fixture
def session(conflicted: tuple[Station, Station], runner: TaskRunner, sink: RecordingSink,
            tmp_path: Path) -> Iterator[Session]:  # fmt: skip
    _, b = conflicted
    context = AppContext(b.sv, runner, sink, Settings(), partial(save_settings, path=tmp_path / "s.json"))
    s = Session(context, b.login())
    yield s
    s.deleteLater()


def test_both_versions_side_by_side_pick_one_and_it_is_audited(
    qtbot: QtBot, session: Session, conflicted: tuple[Station, Station], sink: RecordingSink
) -> None:
    _, b = conflicted
    view = SyncView(session, b.sync)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10_000) as loaded:
        view.activate()
    assert loaded.args == [1]
    panel = view.panel
    assert panel.conflict is not None and panel.conflict.kind == "duplicate"
    left = panel.findChild(type(panel.title), "left-code")
    right = panel.findChild(type(panel.title), "right-code")
    assert left.text() == "500" and right.text() == "500"
    metas = [w.text() for w in panel.grid_host.findChildren(type(panel.title)) if "Estación" in w.text()]
    assert any("A01" in m for m in metas) and any("B02" in m for m in metas)
    # B's row gets the code back (the holder is set aside); with a reason for the audit.
    panel.all_right.click()
    panel.note.setText("El rótulo físico dice 500")
    with qtbot.waitSignal(panel.resolved, timeout=10_000):
        panel.apply_button.click()
    qtbot.waitUntil(lambda: bool(sink.of_kind(Kind.INFO)), timeout=5000)
    with b.rt.db.sessions() as s:
        conflict = s.scalar(select(SyncConflict))
        audit = s.scalar(select(AuditLog).where(AuditLog.action == "sync.conflict.resolve"))
        codes = {str(n): str(c) for n, c in s.execute(select(Dependencia.name, Dependencia.code))}
    assert conflict is not None and conflict.state == "resuelto" and conflict.resolved_by == "admin"
    assert audit is not None and audit.reason == "El rótulo físico dice 500" and audit.workstation == "B02"
    assert codes["Jurídica B"] == "500" and codes["Jurídica A"].startswith("500~")
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=5000)


def test_status_widget_counts_and_syncs_on_demand(
    qtbot: QtBot, session: Session, conflicted: tuple[Station, Station]
) -> None:
    _, b = conflicted
    b.sv.org.add_dependencia(b.admin, code="600", name="Nueva")
    widget = SyncStatusWidget(session, b.sync, auto=False)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.status is not None, timeout=5000)
    assert "1 conflictos" in widget.label.text() and "cambios por enviar" in widget.label.text()
    with qtbot.waitSignal(widget.synced, timeout=15_000) as synced:
        widget.button.click()
    assert synced.args[0].pushed >= 1
    qtbot.waitUntil(lambda: widget.label.text().startswith("Sincronizado "), timeout=5000)
    assert "cambios por enviar" not in widget.label.text()
    automatic = SyncStatusWidget(session, b.sync)
    qtbot.addWidget(automatic)
    qtbot.waitUntil(lambda: automatic.timer.isActive(), timeout=5000)
    assert automatic.timer.interval() == 5 * 60_000
    automatic.stop()


def test_the_central_dialog_keeps_the_configuration(
    qtbot: QtBot, session: Session, conflicted: tuple[Station, Station]
) -> None:
    _, b = conflicted
    dialog = CentralConfigDialog(session.context, b.sync, actor=session.actor, config=b.sync.config(),
                                 registered=True)  # fmt: skip
    qtbot.addWidget(dialog)
    assert dialog.host.text() == "127.0.0.1" and not dialog.register.isChecked()
    dialog.interval.setValue(15)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    config = b.sync.config()
    assert config is not None and config.interval_min == 15


def test_an_empty_workstation_joins_from_the_dialog(
    qtbot: QtBot, stations: Stations, runner: TaskRunner, sink: RecordingSink, tmp_path: Path
) -> None:
    a = stations.seed("A01")
    a.sync.sync_once()
    new = stations.build("C03")
    context = AppContext(new.sv, runner, sink, Settings(), partial(save_settings, path=tmp_path / "n.json"))
    dialog = CentralConfigDialog(context, new.sync, actor=None, config=None, registered=False, joining=True)
    qtbot.addWidget(dialog)
    config = stations.central.config()
    dialog.host.setText(config.host)
    dialog.port.setValue(config.port)
    dialog.database.setText(config.database)
    dialog.user.setText(config.user)
    dialog.sslmode.setCurrentText("disable")
    dialog.code.setText("C03")
    dialog.station_name.setText("Ventanilla")
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        dialog.save_button.click()
    assert new.sync.initialized() and new.rt.env.origin == "C03"
    assert new.sv.auth.login("admin", ADMIN_PASSWORD).username == "admin"
