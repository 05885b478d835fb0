"""The Usuarios area, driven like a person would, checked in the database through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from archive.domain.errors import AuthenticationError
from archive.i18n import _
from archive.services.audit import AuditFilter
from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings, save_settings
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.users import (
    ReasonDialog,
    TemporaryPasswordDialog,
    UserDialog,
    UsersView,
)

# Qt 6.12's offscreen platform warns each time a window with a layout is shown or resized
# ("cannot pass size hints to a window system"): not a bug of ours, so not a failure.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

PEDRO_PASSWORD = "Clave-segura-2026"


@pytest.fixture
def sink() -> RecordingSink:
    """Confirmations answer Yes in this module."""
    return RecordingSink(default_answer=True)


@pytest.fixture
def context(
    services: Services, runner: TaskRunner, sink: RecordingSink, tmp_path: Path
) -> AppContext:
    store = partial(save_settings, path=tmp_path / "settings.json")
    return AppContext(services, runner, sink, Settings(), store)


@pytest.fixture
def org_and_pedro(services: Services, admin: Actor) -> None:
    services.org.add_dependencia(admin, code="110", name="Secretaría General", sigla="SG")
    services.org.add_dependencia(admin, code="111", name="Talento Humano", parent_code="110")
    services.users.add(admin, username="pedro", full_name="Pedro Pérez", role_code="consulta",
                       password=PEDRO_PASSWORD)  # fmt: skip


@pytest.fixture
def open_view(qtbot: QtBot, context: AppContext) -> Iterator[Callable[[Actor], UsersView]]:
    sessions: list[Session] = []

    def open_(actor: Actor) -> UsersView:
        session = Session(context, actor)
        sessions.append(session)
        view = UsersView(session)
        qtbot.addWidget(view)
        view.resize(1200, 600)
        view.show()
        view.activate()
        return view

    yield open_
    for session in sessions:
        session.deleteLater()


@pytest.fixture
def view(
    qtbot: QtBot, admin: Actor, org_and_pedro: None, open_view: Callable[[Actor], UsersView]
) -> UsersView:
    v = open_view(admin)
    qtbot.waitUntil(lambda: v.model.rowCount() == 2)
    return v


def select(qtbot: QtBot, view: UsersView, username: str) -> None:
    qtbot.waitUntil(lambda: view.select_username(username))
    qtbot.waitUntil(lambda: view.selected_user() is not None)


def cell(view: UsersView, username: str, column: int) -> str:
    row = view.model.row_of(username)
    assert row is not None
    return view.model.index(row, column).data()


def test_the_list_shows_every_column(qtbot: QtBot, view: UsersView) -> None:
    qtbot.waitUntil(lambda: cell(view, "pedro", 1) == "Pedro Pérez")
    assert [cell(view, "pedro", c) for c in range(5)] == [
        "pedro", "Pedro Pérez", "Consulta", "", "Activo",
    ]  # fmt: skip
    assert cell(view, "admin", 2) == "Administrador"
    assert view.count.text() == "2 usuarios"
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == ["Usuario", "Nombre", "Rol", "Dependencia", "Estado", "Último ingreso"]


def test_add_user_shows_the_temporary_password_once(
    qtbot: QtBot, view: UsersView, services: Services, admin: Actor
) -> None:
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, UserDialog) and view.dialog.isVisible())
    dialog = view.dialog
    assert isinstance(dialog, UserDialog)
    assert [dialog.dependencia.itemData(i) for i in range(dialog.dependencia.count())] == [
        None, "110", "111",
    ]  # fmt: skip
    dialog.username.setText("maria.gomez")
    dialog.full_name.setText("María Gómez")
    dialog.role.setCurrentIndex(dialog.role.findData("jefe_archivo"))
    dialog.dependencia.setCurrentIndex(dialog.dependencia.findData("111"))
    dialog.cargo.setText("Profesional universitario")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, TemporaryPasswordDialog))
    shown = view.dialog
    assert isinstance(shown, TemporaryPasswordDialog)
    temp = shown.password.text()
    assert shown.password.isReadOnly() and len(temp) == 14

    user = services.users.get(admin, "maria.gomez")
    assert (user.full_name, user.role_code, user.dependencia_code, user.cargo) == (
        "María Gómez", "jefe_archivo", "111", "Profesional universitario",
    )  # fmt: skip
    assert user.must_change_password
    assert services.auth.login("maria.gomez", temp).must_change_password
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtbot.waitUntil(lambda: view.selected_username() == "maria.gomez")
    qtbot.waitUntil(lambda: cell(view, "maria.gomez", 3) == "111 — Talento Humano")


def test_add_user_error_keeps_the_dialog_open(
    qtbot: QtBot, view: UsersView, sink: RecordingSink
) -> None:
    view.add_user()
    qtbot.waitUntil(lambda: isinstance(view.dialog, UserDialog))
    dialog = view.dialog
    assert isinstance(dialog, UserDialog)
    dialog.username.setText("pedro")
    dialog.full_name.setText("Otro Pedro")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(sink.messages))
    assert "Ya existe un usuario «pedro»" in sink.messages[0].text
    assert sink.parents[0] is dialog
    assert dialog.isVisible() and dialog.ok_button.isEnabled()


def test_edit_user_passes_the_version_and_saves(
    qtbot: QtBot, view: UsersView, services: Services, admin: Actor
) -> None:
    select(qtbot, view, "pedro")
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, UserDialog) and view.dialog.isVisible())
    dialog = view.dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.username.isReadOnly() and dialog.full_name.text() == "Pedro Pérez"
    dialog.full_name.setText("Pedro Pablo Pérez")
    dialog.role.setCurrentIndex(dialog.role.findData("auxiliar_archivo"))
    dialog.dependencia.setCurrentIndex(dialog.dependencia.findData("110"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: services.users.get(admin, "pedro").full_name == "Pedro Pablo Pérez")
    user = services.users.get(admin, "pedro")
    assert (user.role_code, user.dependencia_code) == ("auxiliar_archivo", "110")
    qtbot.waitUntil(lambda: cell(view, "pedro", 2) == "Auxiliar de archivo")


def test_a_stale_edit_is_refused_shown_and_the_list_reloaded(
    qtbot: QtBot, view: UsersView, services: Services, admin: Actor, sink: RecordingSink
) -> None:
    select(qtbot, view, "pedro")
    view.edit_user()
    qtbot.waitUntil(lambda: isinstance(view.dialog, UserDialog) and view.dialog.isVisible())
    dialog = view.dialog
    assert isinstance(dialog, UserDialog)
    services.users.update(admin, "pedro", full_name="Pedro Cambiado Por Otro")  # someone else
    dialog.full_name.setText("Pedro Mío")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(sink.messages))
    [message] = sink.messages
    assert message.kind is Kind.ERROR
    assert message.text.startswith("Otra persona modificó este registro")
    assert services.users.get(admin, "pedro").full_name == "Pedro Cambiado Por Otro"
    qtbot.waitUntil(lambda: cell(view, "pedro", 1) == "Pedro Cambiado Por Otro")
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_disable_with_a_reason_then_enable(
    qtbot: QtBot, view: UsersView, services: Services, admin: Actor
) -> None:
    select(qtbot, view, "pedro")
    assert view.disable_button.text() == _("&Deshabilitar…")
    qtbot.mouseClick(view.disable_button, Qt.MouseButton.LeftButton)
    assert isinstance(view.dialog, ReasonDialog)
    view.dialog.reason.setText("Terminó su contrato")
    qtbot.mouseClick(view.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: services.users.get(admin, "pedro").disabled)
    with pytest.raises(AuthenticationError):
        services.auth.login("pedro", PEDRO_PASSWORD)
    entries = services.audit.entries(
        admin, services.audit.ids(admin, AuditFilter(action="user.disable"))
    )
    assert [e.reason for e in entries.values()] == ["Terminó su contrato"]
    qtbot.waitUntil(lambda: cell(view, "pedro", 4) == "Deshabilitado")
    qtbot.waitUntil(lambda: view.disable_button.text() == _("Habi&litar…"))

    view.toggle_disabled()
    assert isinstance(view.dialog, ReasonDialog)
    qtbot.mouseClick(view.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not services.users.get(admin, "pedro").disabled)
    qtbot.waitUntil(lambda: cell(view, "pedro", 4) == "Activo")


def test_reset_password_shows_a_new_temporary_one(
    qtbot: QtBot, view: UsersView, services: Services, sink: RecordingSink
) -> None:
    select(qtbot, view, "pedro")
    qtbot.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert sink.of_kind(Kind.QUESTION)[0].title == "Restablecer contraseña"
    qtbot.waitUntil(lambda: isinstance(view.dialog, TemporaryPasswordDialog))
    assert isinstance(view.dialog, TemporaryPasswordDialog)
    temp = view.dialog.password.text()
    actor = services.auth.login("pedro", temp)
    assert actor.must_change_password
    with pytest.raises(AuthenticationError):
        services.auth.login("pedro", PEDRO_PASSWORD)


def test_unlock_a_locked_account(
    qtbot: QtBot, view: UsersView, services: Services, admin: Actor
) -> None:
    for _attempt in range(5):
        with pytest.raises(AuthenticationError):
            services.auth.login("pedro", "mala-clave-1")
    assert services.users.get(admin, "pedro").locked_until is not None
    view.reload()
    qtbot.waitUntil(lambda: cell(view, "pedro", 4) == "Bloqueado hasta 02/03/2026 10:15")
    select(qtbot, view, "pedro")
    qtbot.waitUntil(view.unlock_button.isEnabled)
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: services.users.get(admin, "pedro").locked_until is None)
    assert services.auth.login("pedro", PEDRO_PASSWORD).username == "pedro"
    qtbot.waitUntil(lambda: cell(view, "pedro", 4) == "Activo")
    qtbot.waitUntil(lambda: not view.unlock_button.isEnabled())


def test_permission_denied_from_the_service_is_shown(
    qtbot: QtBot,
    services: Services,
    org_and_pedro: None,
    open_view: Callable[[Actor], UsersView],
    sink: RecordingSink,
) -> None:
    """The main window never offers Usuarios to a consulta user, but if the view is reached
    anyway the service refuses and the view says so (the GUI only mirrors permissions)."""
    pedro = services.auth.login("pedro", PEDRO_PASSWORD)
    view = open_view(pedro)
    qtbot.waitUntil(lambda: bool(sink.messages))
    expected = "El usuario pedro no tiene el permiso «Administrar usuarios»."
    assert sink.messages[0].text == expected
    assert view.banner.isVisible() and view.banner.text() == expected
    assert view.model.rowCount() == 0
