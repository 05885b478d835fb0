"""Login, lockout, disabled accounts, temporary passwords and the password policy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.db.models import AuditLog, User
from archive.domain.errors import AuthenticationError, ValidationError
from archive.i18n import render_error
from tests.conftest import ADMIN_PASSWORD


def test_login_returns_the_actor_with_role_permissions(services, admin) -> None:
    actor = services.auth.login("ADMIN ", ADMIN_PASSWORD)
    assert actor.username == "admin"
    assert actor.role_code == "administrador"
    assert "users.manage" in actor.permissions


def test_unknown_user_and_wrong_password_give_the_same_message(services, admin) -> None:
    with pytest.raises(AuthenticationError) as a:
        services.auth.login("nadie", "x")
    with pytest.raises(AuthenticationError) as b:
        services.auth.login("admin", "mala-clave-1")
    assert a.value.code == b.value.code == "auth.bad_credentials"
    assert render_error(a.value) == "Usuario o contraseña incorrectos."


def test_lockout_after_repeated_failures_then_expiry(services, admin, clock) -> None:
    services.users.add(admin, username="ana", full_name="Ana Gómez", role_code="consulta", password="Pradera-2026x")
    for _ in range(4):
        with pytest.raises(AuthenticationError) as e:
            services.auth.login("ana", "equivocada1")
        assert e.value.code == "auth.bad_credentials"
    with pytest.raises(AuthenticationError) as e:
        services.auth.login("ana", "equivocada1")
    assert e.value.code == "auth.locked"
    # Even the right password is refused while locked.
    with pytest.raises(AuthenticationError) as e:
        services.auth.login("ana", "Pradera-2026x")
    assert e.value.code == "auth.locked"
    assert "bloqueada" in render_error(e.value)
    clock.advance(minutes=16)
    assert services.auth.login("ana", "Pradera-2026x").username == "ana"
    with services.rt.db.sessions() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.username == "ana")))
    assert actions.count("auth.login_failed") == 4
    assert "auth.lockout" in actions
    assert actions[-1] == "auth.login"


def test_lockout_threshold_is_an_entity_parameter(services, admin) -> None:
    services.parameters.set(admin, "lockout_attempts", 2)
    services.users.add(admin, username="beto", full_name="Beto", role_code="consulta", password="Montana-2026x")
    with pytest.raises(AuthenticationError):
        services.auth.login("beto", "mala-clave-1")
    with pytest.raises(AuthenticationError) as e:
        services.auth.login("beto", "mala-clave-1")
    assert e.value.code == "auth.locked"


def test_disabled_user_cannot_log_in_and_loses_running_session(services, admin) -> None:
    services.users.add(admin, username="caro", full_name="Caro", role_code="jefe_archivo", password="Cordillera2026")
    caro = services.auth.login("caro", "Cordillera2026")
    services.users.set_disabled(admin, "caro", True, reason="retiro")
    with pytest.raises(AuthenticationError) as e:
        services.auth.login("caro", "Cordillera2026")
    assert e.value.code == "auth.disabled"
    with pytest.raises(AuthenticationError) as e:
        services.audit.verify(caro)
    assert e.value.code == "auth.session_invalid"


def test_temporary_password_forces_a_change_and_expires(services, admin, clock) -> None:
    result = services.users.add(admin, username="dani", full_name="Dani", role_code="consulta")
    temp = result.temporary_password
    assert temp and result.user.must_change_password
    actor = services.auth.login("dani", temp)
    assert actor.must_change_password
    with pytest.raises(ValidationError) as e:
        services.auth.change_password(actor, temp, "corta1")
    assert e.value.code == "password.too_short"
    with pytest.raises(ValidationError) as e:
        services.auth.change_password(actor, temp, "soloLetrasLargas")
    assert e.value.code == "password.too_simple"
    with pytest.raises(ValidationError) as e:
        services.auth.change_password(actor, temp, "dani-2026-clave")
    assert e.value.code == "password.contains_username"
    with pytest.raises(AuthenticationError):
        services.auth.change_password(actor, "no-es-la-actual1", "NuevaClave2026")
    changed = services.auth.change_password(actor, temp, "NuevaClave2026")
    assert not changed.must_change_password
    assert not services.auth.login("dani", "NuevaClave2026").must_change_password

    temp2 = services.users.reset_password(admin, "dani")
    clock.advance(hours=73)
    with pytest.raises(AuthenticationError) as e:
        services.auth.login("dani", temp2)
    assert e.value.code == "auth.temporary_expired"


def test_passwords_are_argon2id_and_never_in_audit_or_feed(services, admin) -> None:
    services.users.add(admin, username="eva", full_name="Eva", role_code="consulta", password="Sabana-2026-x")
    with services.rt.db.sessions() as s:
        h = s.scalar(select(User.password_hash).where(User.username == "eva"))
        audit_text = " ".join(str(a.after) + str(a.before) for a in s.scalars(select(AuditLog)))
    assert h.startswith("$argon2id$")
    assert "argon2" not in audit_text
    assert "Sabana-2026-x" not in audit_text


def test_unlock_session_checks_the_same_users_password(services, admin) -> None:
    assert services.auth.unlock_session(admin, ADMIN_PASSWORD)
    assert not services.auth.unlock_session(admin, "otra-clave-1")
