"""Logging in, lockout after repeated failures, password changes, unlocking an idle session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Role, RolePermission, User
from archive.domain.errors import AuthenticationError, ValidationError
from archive.domain.timefmt import format_datetime
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.parameters import load_parameters
from archive.services.passwords import check_policy
from archive.services.runtime import SYSTEM, Actor, Runtime


def bad_credentials() -> AuthenticationError:
    # One message for unknown user and wrong password: do not reveal which usernames exist.
    return AuthenticationError(
        "auth.bad_credentials", N_("Usuario o contraseña incorrectos.")
    )


class AuthService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def login(self, username: str, password: str) -> Actor:
        """Check credentials; count failures and lock the account after too many."""
        name = username.strip().lower()
        with self.rt.uow(SYSTEM) as uow:
            s = uow.session
            params = load_parameters(s)
            user = s.scalar(select(User).where(User.username == name))
            if user is None:
                self.rt.passwords.hash(password)  # same cost as a real check: no timing oracle
                raise bad_credentials()
            now = self.rt.now()
            if user.disabled or user.deleted_at is not None:
                raise AuthenticationError(
                    "auth.disabled",
                    N_("La cuenta {username} está deshabilitada. Consulte al administrador."),
                    username=name,
                )
            if user.locked_until is not None and user.locked_until > now:
                raise locked_error(name, user.locked_until)
            actor_for_audit = Actor(user.id, user.username, "")
            if not self.rt.passwords.verify(user.password_hash, password):
                user.failed_attempts += 1
                locked = user.failed_attempts >= params.lockout_attempts
                if locked:
                    user.locked_until = now + timedelta(minutes=params.lockout_minutes)
                    user.failed_attempts = 0
                write_audit(
                    uow, self.rt, actor_for_audit, module="seguridad",
                    action="auth.lockout" if locked else "auth.login_failed",
                    entity="app_user", entity_id=user.id,
                    after={"locked_until": user.locked_until.isoformat() if locked and user.locked_until else None},
                )  # fmt: skip
                uow.commit()
                if locked and user.locked_until is not None:
                    raise locked_error(name, user.locked_until)
                raise bad_credentials()
            if user.must_change_password and user.password_changed_at is not None:
                expires = user.password_changed_at + timedelta(hours=params.temporary_password_hours)
                if expires < now:
                    raise AuthenticationError(
                        "auth.temporary_expired",
                        N_("La contraseña temporal venció. Pida al administrador una nueva."),
                    )
            if self.rt.passwords.needs_rehash(user.password_hash):
                user.password_hash = self.rt.passwords.hash(password)
            user.failed_attempts = 0
            user.locked_until = None
            user.last_login_at = now
            actor = actor_of(s, user)
            write_audit(
                uow, self.rt, actor, module="seguridad", action="auth.login",
                entity="app_user", entity_id=user.id,
            )  # fmt: skip
            uow.commit()
            return actor

    def change_password(self, actor: Actor, old: str, new: str) -> Actor:
        with self.rt.uow(actor) as uow:
            s = uow.session
            user = s.get(User, actor.user_id)
            assert user is not None
            if not self.rt.passwords.verify(user.password_hash, old):
                raise AuthenticationError(
                    "auth.wrong_current", N_("La contraseña actual no es correcta.")
                )
            if old == new:
                raise ValidationError(
                    "password.same", N_("La nueva contraseña debe ser distinta de la actual.")
                )
            check_policy(new, username=user.username, min_length=load_parameters(s).password_min_length)
            user.password_hash = self.rt.passwords.hash(new)
            user.must_change_password = False
            user.password_changed_at = self.rt.now()
            write_audit(
                uow, self.rt, actor, module="seguridad", action="auth.password_changed",
                entity="app_user", entity_id=user.id,
            )  # fmt: skip
            uow.commit()
            return actor_of(s, user)

    def unlock_session(self, actor: Actor, password: str) -> bool:
        """Re-check the password of the person whose idle session was locked."""
        with self.rt.db.sessions() as s:
            user = s.get(User, actor.user_id)
            ok = (
                user is not None
                and not user.disabled
                and self.rt.passwords.verify(user.password_hash, password)
            )
        if not ok:
            with self.rt.uow(SYSTEM) as uow:
                write_audit(
                    uow, self.rt, actor, module="seguridad", action="auth.unlock_failed",
                    entity="app_user", entity_id=actor.user_id or "",
                )  # fmt: skip
                uow.commit()
        return ok

    def idle_lock_minutes(self) -> int:
        with self.rt.db.sessions() as s:
            return load_parameters(s).idle_lock_minutes


def locked_error(username: str, until: datetime) -> AuthenticationError:
    return AuthenticationError(
        "auth.locked",
        N_("La cuenta {username} está bloqueada por intentos fallidos hasta {until}."),
        username=username,
        until=format_datetime(until),
    )


def actor_of(session: Session, user: User) -> Actor:
    role = session.get(Role, user.role_id)
    perms = session.scalars(
        select(RolePermission.permission).where(
            RolePermission.role_id == user.role_id, RolePermission.deleted_at.is_(None)
        )
    ).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        role_code=role.code if role else "",
        permissions=frozenset(perms),
        dependencia_id=user.dependencia_id,
        own_dependencia_only=bool(role and role.own_dependencia_only),
        must_change_password=user.must_change_password,
        full_name=user.full_name,
    )
