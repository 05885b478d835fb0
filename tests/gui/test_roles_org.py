"""Roles y permisos (matrix, create, conflicts) and Organización (entity, dependencias tree,
workstations; read-only without org.manage)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from archive.domain.permissions import Permission
from archive.services.container import Services
from archive.services.runtime import Actor
from archive.settings import Settings, save_settings
from desktop.messages import Kind, RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views import View
from desktop.views.org import DependenciaDialog, OrgView
from desktop.views.roles import RoleDialog, RolesView

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
def open_view(qtbot: QtBot, context: AppContext) -> Iterator[Callable[..., View]]:
    sessions: list[Session] = []

    def open_(cls: type[View], actor: Actor) -> View:
        session = Session(context, actor)
        sessions.append(session)
        view = cls(session)
        qtbot.addWidget(view)
        view.resize(1100, 700)
        view.show()
        view.activate()
        return view

    yield open_
    for session in sessions:
        session.deleteLater()


def role_perms(services: Services, admin: Actor, code: str) -> frozenset[str]:
    return next(r.permissions for r in services.roles.list(admin) if r.code == code)


# -- roles ---------------------------------------------------------------------------------


@pytest.fixture
def roles_view(qtbot: QtBot, admin: Actor, open_view: Callable[..., View]) -> RolesView:
    view = open_view(RolesView, admin)
    assert isinstance(view, RolesView)
    qtbot.waitUntil(lambda: view.role_list.count() == 5)
    return view


def test_the_matrix_shows_the_role_permissions_with_labels(
    qtbot: QtBot, roles_view: RolesView
) -> None:
    labels = [roles_view.matrix.item(i).text() for i in range(roles_view.matrix.count())]
    assert len(labels) == len(Permission)
    assert "Administrar usuarios" in labels and "Consultar la auditoría" in labels
    roles_view.select_role("consulta")
    assert roles_view.checked() == frozenset({"records.view"})
    assert roles_view.role_title.text() == "Consulta"
    assert not roles_view.save_button.isEnabled()


def test_admin_matrix_is_read_only(qtbot: QtBot, roles_view: RolesView) -> None:
    roles_view.select_role("administrador")
    assert roles_view.checked() == frozenset(p.value for p in Permission)
    flags = roles_view.matrix.item(0).flags()
    assert not flags & Qt.ItemFlag.ItemIsUserCheckable
    assert "conserva siempre todos los permisos" in roles_view.role_info.text()


def test_save_permissions(
    qtbot: QtBot, roles_view: RolesView, services: Services, admin: Actor
) -> None:
    roles_view.select_role("auxiliar_archivo")
    roles_view.set_checked(Permission.AUDIT_VIEW, True)
    roles_view.set_checked(Permission.LABELS_PRINT, False)
    assert roles_view.is_dirty() and roles_view.save_button.isEnabled()
    qtbot.mouseClick(roles_view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "audit.view" in role_perms(services, admin, "auxiliar_archivo"))
    assert "labels.print" not in role_perms(services, admin, "auxiliar_archivo")
    qtbot.waitUntil(lambda: not roles_view.is_dirty())
    assert roles_view.roles["auxiliar_archivo"].permissions == roles_view.checked()


def test_a_stale_matrix_is_refused(
    qtbot: QtBot, roles_view: RolesView, services: Services, admin: Actor, sink: RecordingSink
) -> None:
    roles_view.select_role("consulta")
    services.roles.set_permissions(admin, "consulta", frozenset({"records.view", "loans.request"}))
    roles_view.set_checked(Permission.AUDIT_VIEW, True)
    roles_view.save()
    qtbot.waitUntil(lambda: bool(sink.messages))
    assert sink.messages[0].text.startswith("Otra persona modificó este registro")
    assert role_perms(services, admin, "consulta") == {"records.view", "loans.request"}
    qtbot.waitUntil(lambda: roles_view.checked() == {"records.view", "loans.request"})


def test_create_a_role_copying_permissions(
    qtbot: QtBot, roles_view: RolesView, services: Services, admin: Actor
) -> None:
    qtbot.mouseClick(roles_view.new_button, Qt.MouseButton.LeftButton)
    dialog = roles_view.dialog
    assert isinstance(dialog, RoleDialog)
    dialog.code.setText("archivo_central")
    dialog.name.setText("Archivo central")
    dialog.copy_from.setCurrentIndex(dialog.copy_from.findData("consulta"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: roles_view.role_list.count() == 6)
    assert role_perms(services, admin, "archivo_central") == {"records.view"}
    qtbot.waitUntil(lambda: roles_view.role_title.text() == "Archivo central")


def test_unsaved_changes_are_kept_if_the_user_says_no(
    qtbot: QtBot, roles_view: RolesView, sink: RecordingSink
) -> None:
    roles_view.select_role("consulta")
    roles_view.set_checked(Permission.AUDIT_VIEW, True)
    roles_view.select_role("jefe_archivo")  # the sink answers No: stay
    assert sink.of_kind(Kind.QUESTION)
    assert roles_view.role_title.text() == "Consulta" and roles_view.is_dirty()


# -- organisation --------------------------------------------------------------------------


@pytest.fixture
def deps(services: Services, admin: Actor) -> None:
    services.org.add_dependencia(admin, code="100", name="Despacho del Alcalde", sigla="DA")
    services.org.add_dependencia(admin, code="101", name="Control Interno", parent_code="100")
    services.org.add_dependencia(admin, code="110", name="Secretaría General")


@pytest.fixture
def org_view(qtbot: QtBot, admin: Actor, deps: None, open_view: Callable[..., View]) -> OrgView:
    view = open_view(OrgView, admin)
    assert isinstance(view, OrgView)
    qtbot.waitUntil(lambda: view.dep_tree.topLevelItemCount() == 2)
    return view


def test_tree_of_dependencias_with_codes_and_workstations(qtbot: QtBot, org_view: OrgView) -> None:
    top = org_view.dep_tree.topLevelItem(0)
    assert [top.text(c) for c in range(4)] == ["100", "Despacho del Alcalde", "DA", "Activa"]
    assert top.child(0).text(0) == "101"
    assert org_view.entity_name.text() == "Alcaldía de Prueba"
    ws = org_view.ws_tree.topLevelItem(0)
    assert (ws.text(0), ws.text(2), ws.text(3)) == ("A01", "test-host", "Sí")


def test_add_and_edit_dependencias(qtbot: QtBot, org_view: OrgView, services: Services) -> None:
    org_view.select_code("110")
    qtbot.mouseClick(org_view.add_dep_button, Qt.MouseButton.LeftButton)
    dialog = org_view.dialog
    assert isinstance(dialog, DependenciaDialog)
    assert dialog.parent_combo.currentData() == "110"  # the selected one is the parent
    dialog.code.setText("111")
    dialog.name.setText("Talento Humano")
    dialog.sigla.setText("TH")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: org_view.selected_code() == "111")
    [dep] = [d for d in services.org.list_dependencias() if d.code == "111"]
    assert (dep.parent_code, dep.depth, dep.sigla) == ("110", 1, "TH")

    org_view.select_code("100")
    org_view.edit_dependencia()
    dialog = org_view.dialog
    assert isinstance(dialog, DependenciaDialog)
    codes = [dialog.parent_combo.itemData(i) for i in range(dialog.parent_combo.count())]
    assert "100" not in codes and "101" not in codes  # not under itself or its subordinates
    dialog.name.setText("Despacho de la Alcaldesa")
    dialog.active.setChecked(False)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: org_view.dep_tree.topLevelItem(0).text(3) == "Inactiva")
    [dep] = [d for d in services.org.list_dependencias() if d.code == "100"]
    assert (dep.name, dep.active) == ("Despacho de la Alcaldesa", False)


def test_duplicate_code_is_shown_and_the_dialog_stays(
    qtbot: QtBot, org_view: OrgView, sink: RecordingSink
) -> None:
    org_view.add_dependencia()
    dialog = org_view.dialog
    assert isinstance(dialog, DependenciaDialog)
    dialog.code.setText("101")
    dialog.name.setText("Repetida")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(sink.messages))
    assert sink.messages[0].text == "Ya existe la dependencia con código «101»."
    assert dialog.isVisible()


def test_edit_the_entity(qtbot: QtBot, org_view: OrgView, services: Services) -> None:
    assert not org_view.entity_save.isEnabled()
    qtbot.keyClicks(org_view.entity_city, "Timbio")
    assert org_view.entity_save.isEnabled()
    qtbot.mouseClick(org_view.entity_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: services.org.entity().city == "Timbio")


def test_read_only_without_org_manage(
    qtbot: QtBot, services: Services, admin: Actor, deps: None, open_view: Callable[..., View]
) -> None:
    services.users.add(admin, username="vera", full_name="Vera", role_code="consulta",
                       password="Clave-segura-2026")  # fmt: skip
    view = open_view(OrgView, services.auth.login("vera", "Clave-segura-2026"))
    assert isinstance(view, OrgView)
    qtbot.waitUntil(lambda: view.dep_tree.topLevelItemCount() == 2)
    assert view.entity_name.isReadOnly()
    hidden: list[QWidget] = [view.entity_save, view.add_dep_button, view.edit_dep_button]
    assert not any(w.isVisible() for w in hidden)
    view.select_code("100")
    view.edit_dependencia()
    assert view.dialog is None
