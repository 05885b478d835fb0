"""Every service operation × every built-in role: the service layer enforces the matrix.

``OPERATIONS`` maps each guarded operation to the permission it needs; ``UNGUARDED`` lists the
operations any logged-in user (or nobody, for setup/login) may call. A meta-test fails when a
service grows a public method that is in neither list, so the matrix cannot silently fall
behind the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from archive.domain.errors import PermissionDenied
from archive.domain.permissions import BUILTIN_ROLES, Permission
from archive.services.audit import AuditFilter
from archive.services.container import Services
from archive.services.runtime import Actor

P = Permission
PW = "Matriz-clave-99"

Op = Callable[[Services, Actor, Any], Any]

OPERATIONS: dict[str, tuple[Permission, Op]] = {
    "users.list": (P.USERS_MANAGE, lambda sv, a, t: sv.users.list(a)),
    "users.get": (P.USERS_MANAGE, lambda sv, a, t: sv.users.get(a, "objetivo")),
    "users.add": (P.USERS_MANAGE, lambda sv, a, t: sv.users.add(a, username=f"nuevo.{a.username}", full_name="N", role_code="consulta")),
    "users.update": (P.USERS_MANAGE, lambda sv, a, t: sv.users.update(a, "objetivo", cargo="Técnico")),
    "users.set_disabled": (P.USERS_MANAGE, lambda sv, a, t: sv.users.set_disabled(a, "objetivo", False)),
    "users.reset_password": (P.USERS_MANAGE, lambda sv, a, t: sv.users.reset_password(a, "objetivo")),
    "users.unlock": (P.USERS_MANAGE, lambda sv, a, t: sv.users.unlock(a, "objetivo")),
    "roles.create": (P.ROLES_MANAGE, lambda sv, a, t: sv.roles.create(a, code=f"r_{a.username}", name="R")),
    "roles.set_permissions": (P.ROLES_MANAGE, lambda sv, a, t: sv.roles.set_permissions(a, "consulta", frozenset({"records.view"}))),
    "org.update_entity": (P.ORG_MANAGE, lambda sv, a, t: sv.org.update_entity(a, name="Alcaldía")),
    "org.add_dependencia": (P.ORG_MANAGE, lambda sv, a, t: sv.org.add_dependencia(a, code=f"9{sorted(BUILTIN_ROLES).index(a.role_code)}", name="D")),
    "org.update_dependencia": (P.ORG_MANAGE, lambda sv, a, t: sv.org.update_dependencia(a, "100", sigla="DA")),
    "parameters.set": (P.PARAMETERS_MANAGE, lambda sv, a, t: sv.parameters.set(a, "idle_lock_minutes", 12)),
    "audit.ids": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.ids(a, AuditFilter())),
    "audit.entries": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.entries(a, [])),
    "audit.modules": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.modules(a)),
    "audit.verify": (P.AUDIT_EXPORT, lambda sv, a, t: sv.audit.verify(a)),
    "audit.export": (P.AUDIT_EXPORT, lambda sv, a, t: sv.audit.export(a, AuditFilter(), t / f"{a.username}.csv")),
    "demo.generate": (P.DEMO_LOAD, lambda sv, a, t: sv.demo.generate(a, 3)),
}

#: Public operations that need no permission beyond being a valid (or, for setup/login, any) user.
UNGUARDED = {
    "setup.is_initialized", "setup.initialize", "auth.login", "auth.change_password",
    "auth.unlock_session", "auth.idle_lock_minutes", "roles.list", "org.entity",
    "org.list_dependencias", "org.list_workstations", "parameters.get",
}  # fmt: skip


@pytest.fixture
def people(services, admin) -> dict[str, Actor]:
    services.org.add_dependencia(admin, code="100", name="Despacho")
    services.users.add(admin, username="objetivo", full_name="Objetivo", role_code="consulta", password=PW)
    actors = {}
    for code in BUILTIN_ROLES:
        username = f"u_{code}"
        services.users.add(admin, username=username, full_name=code, role_code=code, dependencia_code="100", password=PW)
        actors[code] = services.auth.login(username, PW)
    return actors


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
def test_every_operation_for_every_role(services, people, role, tmp_path) -> None:
    actor = people[role]
    granted = BUILTIN_ROLES[role][2]
    outcomes = {}
    for name, (permission, op) in OPERATIONS.items():
        try:
            op(services, actor, tmp_path)
            outcomes[name] = True
        except PermissionDenied as e:
            assert e.params["permission_code"] == permission.value
            outcomes[name] = False
    expected = {name: perm in granted for name, (perm, _) in OPERATIONS.items()}
    assert outcomes == expected


def test_the_matrix_covers_every_public_service_operation() -> None:
    public = set()
    for field in ("setup", "auth", "users", "roles", "org", "parameters", "audit", "demo"):
        cls = Services.__dataclass_fields__[field].type
        cls = eval(cls, vars(__import__("archive.services.container", fromlist=["x"])))  # noqa: S307 - resolving our own annotations
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                public.add(f"{field}.{name}")
    missing = public - set(OPERATIONS) - UNGUARDED
    assert not missing, f"add these operations to the permission matrix test: {sorted(missing)}"
