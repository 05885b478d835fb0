"""The main window: areas per role, menus and shortcuts, status bar, settings and about."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from archive.domain.permissions import BUILTIN_ROLES
from archive.services.container import Services
from archive.services.runtime import APP_VERSION, Actor
from archive.settings import Settings, load_settings, save_settings
from desktop.main_window import MainWindow
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.about import AboutDialog
from desktop.views.audit import AuditView
from desktop.views.org import OrgView
from desktop.views.settings_dialog import SettingsDialog
from desktop.views.users import UsersView
from desktop.wedge_filter import wedge_config

# Qt 6.12's offscreen platform warns each time a window with a layout is shown or resized
# ("cannot pass size hints to a window system"): not a bug of ours, so not a failure.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

PASSWORD = "Clave-segura-2026"

_VIEW = ["expedientes", "units", "locations", "incidents", "trd", "due", "holds", "transfers", "eliminations"]
_LABELS = ["labels", "station"]
_CAPTURE = ["capture"]
AREAS_BY_ROLE = {
    "administrador": ["moves", *_VIEW[:3], "counts", *_VIEW[3:], "loans", *_LABELS, *_CAPTURE, "users", "roles", "org", "audit", "sync"],
    "jefe_archivo": ["moves", *_VIEW[:3], "counts", *_VIEW[3:], "loans", *_LABELS, *_CAPTURE, "org", "audit"],
    "auxiliar_archivo": ["moves", *_VIEW[:3], "counts", *_VIEW[3:], "loans", *_LABELS, *_CAPTURE, "org"],
    "consulta": [*_VIEW, "org"],
    "usuario_dependencia": [*_VIEW, "loans", "org"],
}


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


@pytest.fixture
def context(
    services: Services, runner: TaskRunner, sink: RecordingSink, settings_file: Path
) -> AppContext:
    return AppContext(
        services, runner, sink, Settings(), partial(save_settings, path=settings_file)
    )


@pytest.fixture
def actor_with_role(services: Services, admin: Actor) -> Callable[[str], Actor]:
    services.org.add_dependencia(admin, code="110", name="Secretaría General")

    def make(role: str) -> Actor:
        if role == "administrador":
            return admin
        name = role.replace("_", ".")[:20]
        services.users.add(admin, username=name, full_name=name.title(), role_code=role,
                           dependencia_code="110", password=PASSWORD)  # fmt: skip
        return services.auth.login(name, PASSWORD)

    return make


@pytest.fixture
def open_window(qtbot: QtBot, context: AppContext) -> Iterator[Callable[[Actor], MainWindow]]:
    sessions: list[Session] = []

    def open_(actor: Actor) -> MainWindow:
        session = Session(context, actor)
        sessions.append(session)
        window = MainWindow(session)
        qtbot.addWidget(window, before_close_func=lambda w: w.dispose())
        window.show()
        return window

    yield open_
    for session in sessions:
        session.deleteLater()


def test_the_five_built_in_roles_are_all_covered() -> None:
    assert set(AREAS_BY_ROLE) == set(BUILTIN_ROLES)


@pytest.mark.parametrize("role", list(AREAS_BY_ROLE))
def test_only_permitted_areas_are_shown(
    qtbot: QtBot,
    role: str,
    actor_with_role: Callable[[str], Actor],
    open_window: Callable[[Actor], MainWindow],
) -> None:
    window = open_window(actor_with_role(role))
    assert window.area_keys() == AREAS_BY_ROLE[role]
    assert window.nav.count() == len(AREAS_BY_ROLE[role])
    # The first area is open and loaded; the others are built only when visited.
    assert list(window.views) == [AREAS_BY_ROLE[role][0]]
    if role != "administrador":
        assert window.show_area("users") is None
        assert not any(isinstance(v, UsersView) for v in window.views.values())


def test_navigation_titles_and_lazy_views(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow]
) -> None:
    window = open_window(admin)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == [
        "Mover", "Expedientes", "Unidades", "Ubicaciones", "Conteos", "Novedades", "TRD",
        "Plazos cumplidos", "Suspensiones", "Transferencias", "Eliminaciones", "Préstamos", "Rótulos", "Estación de escaneo", "Captura", "Usuarios", "Roles y permisos", "Organización", "Auditoría",
            "Sincronización",
    ]  # fmt: skip
    assert window.current_area() == "moves" and window.focusWidget() is window.nav
    window.show_area("audit")
    assert isinstance(window.stack.currentWidget(), AuditView)
    window.nav.setCurrentRow(titles.index("Organización"))
    assert isinstance(window.stack.currentWidget(), OrgView)
    assert set(window.views) == {"moves", "audit", "org"}


def test_menus_shortcuts_and_signals(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow]
) -> None:
    window = open_window(admin)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&Archivo", "&Ver", "&Herramientas", "A&yuda"]
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    assert [a.text() for a in file_menu.actions() if a.text()] == [
        "&Bloquear sesión", "Cambiar &contraseña…", "Cerrar &sesión", "&Salir",
    ]  # fmt: skip
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    with qtbot.waitSignal(window.lock_requested):
        window.lock_action.trigger()
    with qtbot.waitSignal(window.logout_requested):
        window.logout_action.trigger()
    view_menu = window.menuBar().actions()[1].menu()
    assert isinstance(view_menu, QMenu)
    go_audit = next(a for a in view_menu.actions() if a.text() == "Auditoría")
    assert go_audit.shortcut().toString() == ""  # only the first nine areas have Ctrl+N
    go_locations = next(a for a in view_menu.actions() if a.text() == "Ubicaciones")
    assert go_locations.shortcut().toString() == "Ctrl+4"
    go_audit.trigger()
    assert window.current_area() == "audit"


def test_status_bar_says_who_and_where(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow]
) -> None:
    window = open_window(admin)
    qtbot.waitUntil(lambda: "(Administrador)" in window.user_label.text())
    assert window.user_label.text() == "Usuario: admin (Administrador)"
    assert window.station_label.text() == "Estación A01"
    assert window.sync_label.text() == "Sin sincronización configurada"
    qtbot.waitUntil(lambda: window.windowTitle() == "Legajo — Alcaldía de Prueba")


def test_closing_the_window_asks_to_quit_and_keeps_the_geometry(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow], settings_file: Path
) -> None:
    window = open_window(admin)
    window.resize(1100, 700)
    with qtbot.waitSignal(window.quit_requested):
        window.close()
    assert load_settings(settings_file).window_geometry


def test_about_dialog_lists_versions_and_places(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow], context: AppContext
) -> None:
    window = open_window(admin)
    window.about_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    values = {k: v.text() for k, v in dialog.values.items()}
    assert values["Versión de Legajo:"] == APP_VERSION
    assert values["Licencia:"] == "GPL-3.0-or-later"
    assert values["Estación:"] == "A01"
    assert values["Base de datos:"] == str(context.database_path)
    assert values["Carpeta de datos:"] == str(context.data_dir)
    assert values["Qt:"].startswith("6.") and values["Python:"].startswith("3.")


def test_settings_change_the_idle_lock_parameter(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow], services: Services
) -> None:
    window = open_window(admin)
    window.settings_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.idle_minutes.isEnabled)
    assert dialog.idle_minutes.value() == 10
    dialog.idle_minutes.setValue(25)
    with qtbot.waitSignal(window.session.changed) as changed:
        dialog.save()
    assert changed.args[0].parameters
    assert services.parameters.get().idle_lock_minutes == 25
    assert services.auth.idle_lock_minutes() == 25


def test_settings_data_folder_applies_on_restart(
    qtbot: QtBot,
    admin: Actor,
    open_window: Callable[[Actor], MainWindow],
    settings_file: Path,
    sink: RecordingSink,
    tmp_path: Path,
) -> None:
    window = open_window(admin)
    window.open_settings()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    new_folder = tmp_path / "otra"
    new_folder.mkdir()
    dialog.choose_folder()
    assert dialog.folder_dialog is not None
    dialog.folder_dialog.selectFile(str(new_folder))
    dialog.folder_dialog.accept()
    assert dialog.data_dir.text() == str(new_folder)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert json.loads(settings_file.read_text("utf-8"))["data_dir"] == str(new_folder)
    [note] = sink.of_kind(Kind.INFO)
    assert "la próxima vez que se inicie" in note.text


def test_settings_idle_lock_is_read_only_without_the_permission(
    qtbot: QtBot,
    actor_with_role: Callable[[str], Actor],
    open_window: Callable[[Actor], MainWindow],
    services: Services,
) -> None:
    window = open_window(actor_with_role("consulta"))
    window.open_settings()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.wait(200)  # the parameter has loaded by now
    assert not dialog.idle_minutes.isEnabled()
    dialog.idle_minutes.setValue(1)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert services.parameters.get().idle_lock_minutes == 10


def test_language_choice_in_settings_is_signalled(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow]
) -> None:
    window = open_window(admin)
    window.open_settings()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    with qtbot.waitSignal(window.language_changed) as blocker:
        dialog.save()
    assert blocker.args == ["en"]


def test_scanner_settings_are_stored_and_signalled(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow], settings_file: Path
) -> None:
    window = open_window(admin)
    window.open_settings()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    assert dialog.max_gap.value() == 30 and dialog.suffix.currentData() == "\r\n"
    dialog.max_gap.setValue(45)
    dialog.prefix.setText("#")
    dialog.suffix.setCurrentIndex(dialog.suffix.findData("\t"))
    with qtbot.waitSignal(window.scanner_changed):
        dialog.save()
    stored = json.loads(settings_file.read_text("utf-8"))
    assert (stored["wedge_max_gap_ms"], stored["wedge_prefix"], stored["wedge_suffix"]) == (45, "#", "\t")
    config = wedge_config(window.session.settings)
    assert (config.max_gap_ms, config.prefix, config.suffix) == (45, "#", "\t")
    # Saving again without a scanner change says nothing to the application.
    window.open_settings()
    again = window.dialog
    assert isinstance(again, SettingsDialog)
    with qtbot.assertNotEmitted(window.scanner_changed):
        again.save()


def test_keyboard_shortcut_switches_area(
    qtbot: QtBot, admin: Actor, open_window: Callable[[Actor], MainWindow]
) -> None:
    window = open_window(admin)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "units"
