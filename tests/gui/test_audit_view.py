"""The audit viewer: filters in SQL, lazy rows, the detail pane, export and the chain check."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings, save_settings
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.audit import AuditView

# Qt 6.12's offscreen platform warns each time a window with a layout is shown or resized
# ("cannot pass size hints to a window system"): not a bug of ours, so not a failure.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def context(
    services: Services, runner: TaskRunner, sink: RecordingSink, tmp_path: Path
) -> AppContext:
    store = partial(save_settings, path=tmp_path / "settings.json")
    return AppContext(services, runner, sink, Settings(), store)


@pytest.fixture
def history(services: Services, admin: Actor) -> None:
    """setup.initialize, two users added, one edited: 4 audit rows."""
    services.users.add(admin, username="pedro", full_name="Pedro", role_code="consulta")
    services.users.add(admin, username="ana", full_name="Ana", role_code="jefe_archivo")
    services.users.update(admin, "pedro", full_name="Pedro Pérez", cargo="Técnico")


@pytest.fixture
def open_view(qtbot: QtBot, context: AppContext) -> Iterator[Callable[[Actor], AuditView]]:
    sessions: list[Session] = []

    def open_(actor: Actor) -> AuditView:
        session = Session(context, actor)
        sessions.append(session)
        view = AuditView(session)
        qtbot.addWidget(view)
        view.resize(1300, 800)
        view.show()
        view.activate()
        return view

    yield open_
    for session in sessions:
        session.deleteLater()


@pytest.fixture
def view(
    qtbot: QtBot, admin: Actor, history: None, open_view: Callable[[Actor], AuditView]
) -> AuditView:
    v = open_view(admin)
    qtbot.waitUntil(lambda: v.model.rowCount() == 4)
    qtbot.waitUntil(lambda: v.module_filter.count() == 3)
    return v


def column(view: AuditView, col: int) -> list[str]:
    return [view.model.index(r, col).data() for r in range(view.model.rowCount())]


def test_rows_newest_first_with_bogota_times(qtbot: QtBot, view: AuditView) -> None:
    qtbot.waitUntil(lambda: column(view, 3)[0] != "…")
    assert column(view, 3) == ["user.update", "user.add", "user.add", "setup.initialize"]
    assert column(view, 0)[0] == "02/03/2026 10:00:00"  # 15:00 UTC
    assert column(view, 1)[:3] == ["admin", "admin", "admin"]
    assert column(view, 6)[0] == "A01"
    assert column(view, 7)[0] == "test-host / 127.0.0.1"
    assert view.count.text() == "4 registros"
    assert [view.module_filter.itemData(i) for i in range(3)] == ["", "setup", "usuarios"]


def test_filters_run_in_the_query(qtbot: QtBot, view: AuditView) -> None:
    view.module_filter.setCurrentIndex(view.module_filter.findData("usuarios"))
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.user_filter.setText("sistema")
    view.module_filter.setCurrentIndex(0)
    qtbot.keyClick(view.user_filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    qtbot.waitUntil(lambda: column(view, 3) == ["setup.initialize"])
    view.user_filter.clear()
    view.from_check.setChecked(True)
    view.from_date.setDate(QDate(2026, 3, 3))  # the day after everything happened
    view.apply()
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    assert view.applied.date_from == date(2026, 3, 3)
    view.entity_filter.setText("app_user")
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    assert view.entity_filter.text() == "" and not view.from_check.isChecked()


def test_detail_pane_shows_every_field_and_pretty_json(qtbot: QtBot, view: AuditView) -> None:
    qtbot.waitUntil(lambda: view.current_entry() is not None)
    entry = view.current_entry()
    assert entry is not None and entry.action == "user.update"
    values = {k: label.text() for k, label in view.detail_values.items()}
    assert values["Acción"] == "user.update"
    assert values["Entidad"] == "app_user"
    assert values["Equipo"] == "test-host" and values["IP"] == "127.0.0.1"
    assert values["Perfil"] == "escritorio/administrador"
    assert values["Confirmado"] == "No"
    assert {"Extra 1", "Extra 2", "Extra 3", "Extra 4", "Extra 5"} <= values.keys()
    before, after = json.loads(view.before.toPlainText()), json.loads(view.after.toPlainText())
    assert (before["full_name"], after["full_name"]) == ("Pedro", "Pedro Pérez")
    assert after["cargo"] == "Técnico"
    assert "\n  " in view.after.toPlainText()  # indented
    with qtbot.waitSignal(view.detail_shown) as shown:
        view.table.selectRow(3)
    assert view.detail_values["Acción"].text() == "setup.initialize"
    assert shown.args == [view.current_entry().id]  # type: ignore[union-attr]
    assert view.before.toPlainText() == ""


def test_export_through_the_file_dialog_writes_the_filtered_rows(
    qtbot: QtBot, view: AuditView, tmp_path: Path, sink: RecordingSink
) -> None:
    view.module_filter.setCurrentIndex(view.module_filter.findData("usuarios"))
    view.apply()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    dialog = view.export_dialog
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "auditoria.csv"
    with qtbot.waitSignal(view.exported, timeout=5000) as done:
        dialog.selectFile(str(target))
        dialog.accept()
    assert done.args == [3]
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][:4] == ["Fecha y hora", "Usuario", "Módulo", "Acción"]
    assert [r[3] for r in rows[1:]] == ["user.add", "user.add", "user.update"]
    [note] = sink.of_kind(Kind.INFO)
    assert "Se exportaron 3 registros" in note.text


def test_export_to_xlsx(qtbot: QtBot, view: AuditView, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "auditoria.xlsx"
    with qtbot.waitSignal(view.exported, timeout=5000):
        view.export_to(target)
    sheet = load_workbook(target).active
    assert sheet is not None and sheet.max_row == 5


def test_verify_ok_then_detects_tampering(
    qtbot: QtBot, view: AuditView, services: Services, sink: RecordingSink
) -> None:
    with qtbot.waitSignal(view.verified) as done:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert done.args[0].ok
    [ok] = sink.of_kind(Kind.INFO)
    assert "íntegra: 4 registros verificados en 1 cadena " in ok.text

    with services.rt.db.engine.begin() as conn:  # an insider edits a row behind our back
        conn.execute(text("UPDATE audit_log SET username = 'nadie' WHERE action = 'user.update'"))
    with qtbot.waitSignal(view.verified) as done:
        view.verify()
    report = done.args[0]
    assert not report.ok
    [bad] = sink.of_kind(Kind.WARNING)
    assert "La auditoría fue alterada" in bad.text
    assert "Estación A01, registro n.º 4: el contenido del registro fue modificado" in bad.details


def test_without_export_permission_the_buttons_are_off(
    qtbot: QtBot,
    services: Services,
    admin: Actor,
    history: None,
    open_view: Callable[[Actor], AuditView],
    sink: RecordingSink,
) -> None:
    services.roles.set_permissions(admin, "consulta", frozenset({"records.view", "audit.view"}))
    services.users.add(admin, username="vera", full_name="Vera", role_code="consulta",
                       password="Clave-segura-2026")  # fmt: skip
    vera = services.auth.login("vera", "Clave-segura-2026")
    view = open_view(vera)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    assert not view.export_button.isEnabled() and not view.verify_button.isEnabled()
    view.verify()  # even if reached, the service refuses
    qtbot.waitUntil(lambda: bool(sink.of_kind(Kind.ERROR)))
    assert "«Exportar y verificar la auditoría»" in sink.of_kind(Kind.ERROR)[0].text


def test_the_model_passes_qt_model_tester(qtbot: QtBot, view: AuditView, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: column(view, 3)[0] != "…")
    qtmodeltester.check(view.model, force_py=True)
