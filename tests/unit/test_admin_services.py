"""Users, roles, organisation and parameters: rules, validation and audit rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.db.models import AuditLog
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.services.audit import AuditFilter


def _last_audit(services) -> AuditLog:
    with services.rt.db.sessions() as s:
        return s.scalars(select(AuditLog).order_by(AuditLog.chain_seq.desc())).first()


def test_add_user_validates_and_audits(services, admin) -> None:
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    r = services.users.add(admin, username="Luz.Ospina", full_name=" Luz Ospina ", role_code="usuario_dependencia", dependencia_code="120")
    assert r.user.username == "luz.ospina"
    assert r.user.dependencia_code == "120"
    entry = _last_audit(services)
    assert (entry.action, entry.entity, entry.entity_id) == ("user.add", "app_user", r.user.id)
    assert entry.after["username"] == "luz.ospina"
    assert "password_hash" not in entry.after
    assert entry.host == "test-host" and entry.workstation == "A01"
    assert entry.program.startswith("Legajo ")
    with pytest.raises(ValidationError) as e:
        services.users.add(admin, username="luz.ospina", full_name="Otra", role_code="consulta")
    assert e.value.code == "user.exists"
    with pytest.raises(ValidationError) as e:
        services.users.add(admin, username="x", full_name="X", role_code="consulta")
    assert e.value.code == "user.username"
    with pytest.raises(ValidationError) as e:
        services.users.add(admin, username="sin.dep", full_name="Sin Dep", role_code="usuario_dependencia")
    assert e.value.code == "user.needs_dependencia"
    with pytest.raises(NotFound):
        services.users.add(admin, username="rol.malo", full_name="R", role_code="no_existe")


def test_admin_cannot_lock_themselves_out(services, admin) -> None:
    with pytest.raises(ValidationError):
        services.users.set_disabled(admin, "admin", True)
    with pytest.raises(ValidationError):
        services.users.update(admin, "admin", role_code="consulta")


def test_role_matrix_edit_takes_effect_immediately(services, admin) -> None:
    services.users.add(admin, username="aux", full_name="Aux", role_code="auxiliar_archivo", password="Archivador2026")
    aux = services.auth.login("aux", "Archivador2026")
    role = next(r for r in services.roles.list(admin) if r.code == "auxiliar_archivo")
    assert Permission.AUDIT_VIEW.value not in role.permissions
    services.roles.set_permissions(admin, "auxiliar_archivo", role.permissions | {Permission.AUDIT_VIEW.value}, expected_version=role.version)
    # The actor object is stale but the service re-reads the role inside the transaction.
    assert services.audit.ids(aux, AuditFilter())
    with pytest.raises(ValidationError) as e:
        services.roles.set_permissions(admin, "administrador", frozenset({"users.manage"}))
    assert e.value.code == "role.admin_fixed"
    with pytest.raises(ValidationError):
        services.roles.set_permissions(admin, "consulta", frozenset({"nope"}))


def test_custom_role(services, admin) -> None:
    services.roles.create(admin, code="ventanilla", name="Ventanilla", permissions=frozenset({"records.view", "loans.request"}))
    role = next(r for r in services.roles.list(admin) if r.code == "ventanilla")
    assert role.permissions == {"records.view", "loans.request"} and not role.builtin
    with pytest.raises(ValidationError):
        services.roles.create(admin, code="ventanilla", name="Otra")


def test_dependencias_form_a_tree_without_cycles(services, admin) -> None:
    services.org.add_dependencia(admin, code="110", name="Secretaría General")
    services.org.add_dependencia(admin, code="111", name="Talento Humano", parent_code="110")
    services.org.add_dependencia(admin, code="1111", name="Nómina", parent_code="111")
    services.org.add_dependencia(admin, code="100", name="Despacho")
    tree = [(d.code, d.depth) for d in services.org.list_dependencias()]
    assert tree == [("100", 0), ("110", 0), ("111", 1), ("1111", 2)]
    with pytest.raises(ValidationError) as e:
        services.org.update_dependencia(admin, "110", parent_code="1111")
    assert e.value.code == "dependencia.cycle"
    with pytest.raises(ValidationError):
        services.org.add_dependencia(admin, code="110", name="Duplicada")
    with pytest.raises(ValidationError):
        services.org.add_dependencia(admin, code="1 1", name="Código con espacio")


def test_parameters_are_typed_and_validated(services, admin) -> None:
    assert services.parameters.get().lockout_attempts == 5
    services.parameters.set(admin, "idle_lock_minutes", "20")
    assert services.parameters.get().idle_lock_minutes == 20
    with pytest.raises(ValidationError):
        services.parameters.set(admin, "idle_lock_minutes", "veinte")
    with pytest.raises(ValidationError):
        services.parameters.set(admin, "password_min_length", 4)
    with pytest.raises(ValidationError):
        services.parameters.set(admin, "no_existe", 1)


def test_setup_refuses_a_second_initialisation_and_bad_input(services, admin) -> None:
    from archive.services.setup import SetupRequest

    with pytest.raises(ValidationError) as e:
        services.setup.initialize(SetupRequest("X", "otro", "Otro", "Clave-2026-x"))
    assert e.value.code == "setup.already"


@pytest.mark.parametrize(
    ("req", "code"),
    [
        ({"entity_name": " "}, "setup.entity_name"),
        ({"workstation_code": "ab"}, "workstation.code"),
        ({"admin_username": "A B"}, "user.username"),
        ({"admin_password": "corta"}, "password.too_short"),
    ],
)
def test_setup_validation(services, req, code) -> None:
    from archive.services.setup import SetupRequest

    base = {"entity_name": "Alcaldía", "admin_username": "admin", "admin_full_name": "A", "admin_password": "Clave-2026-ok"}
    with pytest.raises(ValidationError) as e:
        services.setup.initialize(SetupRequest(**(base | req)))
    assert e.value.code == code
    assert not services.setup.is_initialized()
