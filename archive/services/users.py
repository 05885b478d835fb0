"""User administration: add, edit, disable, reset passwords, unlock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Role, User
from archive.db.uow import stale_conflict
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import ADMIN_ROLE, Permission
from archive.i18n import N_
from archive.services.audit_log import snapshot, write_audit
from archive.services.changes import Changes
from archive.services.parameters import load_parameters
from archive.services.passwords import check_policy, temporary_password
from archive.services.runtime import Actor, Runtime
from archive.services.setup import validate_username


@dataclass(frozen=True)
class UserView:
    id: str
    username: str
    full_name: str
    email: str
    cargo: str
    role_code: str
    role_name: str
    dependencia_code: str | None
    dependencia_name: str | None
    disabled: bool
    locked_until: datetime | None
    must_change_password: bool
    last_login_at: datetime | None
    version: int


@dataclass(frozen=True)
class UserResult:
    user: UserView
    temporary_password: str | None
    changes: Changes


class UserService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def list(self, actor: Actor, *, include_disabled: bool = True) -> list[UserView]:
        with self.rt.uow(actor, Permission.USERS_MANAGE, write=False) as uow:
            q = select(User).order_by(User.username)
            if not include_disabled:
                q = q.where(User.disabled.is_(False))
            return [_view(uow.session, u) for u in uow.session.scalars(q)]

    def get(self, actor: Actor, username: str) -> UserView:
        with self.rt.uow(actor, Permission.USERS_MANAGE, write=False) as uow:
            return _view(uow.session, _user(uow.session, username))

    def add(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        role_code: str,
        dependencia_code: str | None = None,
        email: str = "",
        cargo: str = "",
        password: str | None = None,
    ) -> UserResult:
        """Create a user. Without ``password`` a temporary one is made and returned; either
        way the user must change it at first login."""
        with self.rt.uow(actor, Permission.USERS_MANAGE) as uow:
            name = validate_username(username)
            if not full_name.strip():
                raise ValidationError("user.full_name", N_("Escriba el nombre completo del usuario."))
            s = uow.session
            if s.scalar(select(User.id).where(User.username == name)):
                raise ValidationError(
                    "user.exists",
                    N_("Ya existe un usuario «{username}» (los nombres de usuario no se reutilizan)."),
                    username=name,
                )
            role = _role(s, role_code)
            dep = _dependencia(s, dependencia_code)
            if role.own_dependencia_only and dep is None:
                raise ValidationError(
                    "user.needs_dependencia",
                    N_("El rol «{role}» exige asignar una dependencia al usuario."),
                    role=role.name,
                )
            temp = None
            if password is None:
                temp = password = temporary_password()
            else:
                check_policy(password, username=name, min_length=load_parameters(s).password_min_length)
            user = User(
                username=name, full_name=full_name.strip(), email=email.strip(), cargo=cargo.strip(),
                role_id=role.id, dependencia_id=dep.id if dep else None,
                password_hash=self.rt.passwords.hash(password), must_change_password=True,
                password_changed_at=self.rt.now(),
            )  # fmt: skip
            s.add(user)
            s.flush()
            write_audit(
                uow, self.rt, actor, module="usuarios", action="user.add", entity="app_user",
                entity_id=user.id, after=snapshot(user),
            )  # fmt: skip
            uow.commit()
            return UserResult(_view(s, user), temp, Changes(users=True))

    def update(
        self,
        actor: Actor,
        username: str,
        *,
        expected_version: int | None = None,
        full_name: str | None = None,
        role_code: str | None = None,
        dependencia_code: str | None = None,
        clear_dependencia: bool = False,
        email: str | None = None,
        cargo: str | None = None,
    ) -> UserResult:
        with self.rt.uow(actor, Permission.USERS_MANAGE) as uow:
            s = uow.session
            user = _user(s, username)
            _check_version(user, expected_version)
            before = snapshot(user)
            if full_name is not None:
                if not full_name.strip():
                    raise ValidationError("user.full_name", N_("Escriba el nombre completo del usuario."))
                user.full_name = full_name.strip()
            if email is not None:
                user.email = email.strip()
            if cargo is not None:
                user.cargo = cargo.strip()
            if role_code is not None:
                role = _role(s, role_code)
                if user.id == actor.user_id and role.code != ADMIN_ROLE and actor.role_code == ADMIN_ROLE:
                    raise ValidationError(
                        "user.self_demote",
                        N_("No puede quitarse a sí mismo el rol de administrador."),
                    )
                user.role_id = role.id
            if clear_dependencia:
                user.dependencia_id = None
            elif dependencia_code is not None:
                dep = _dependencia(s, dependencia_code)
                user.dependencia_id = dep.id if dep else None
            write_audit(
                uow, self.rt, actor, module="usuarios", action="user.update", entity="app_user",
                entity_id=user.id, before=before, after=snapshot(user),
            )  # fmt: skip
            uow.commit()
            return UserResult(_view(s, user), None, Changes(users=True))

    def set_disabled(self, actor: Actor, username: str, disabled: bool, reason: str = "") -> Changes:
        with self.rt.uow(actor, Permission.USERS_MANAGE) as uow:
            s = uow.session
            user = _user(s, username)
            if disabled and user.id == actor.user_id:
                raise ValidationError("user.self_disable", N_("No puede deshabilitar su propia cuenta."))
            user.disabled = disabled
            write_audit(
                uow, self.rt, actor, module="usuarios",
                action="user.disable" if disabled else "user.enable",
                entity="app_user", entity_id=user.id, after={"disabled": disabled}, reason=reason,
            )  # fmt: skip
            uow.commit()
        return Changes(users=True)

    def reset_password(self, actor: Actor, username: str) -> str:
        """Give the user a new temporary password (returned once, never stored in clear)."""
        with self.rt.uow(actor, Permission.USERS_MANAGE) as uow:
            s = uow.session
            user = _user(s, username)
            temp = temporary_password()
            user.password_hash = self.rt.passwords.hash(temp)
            user.must_change_password = True
            user.password_changed_at = self.rt.now()
            user.failed_attempts = 0
            user.locked_until = None
            write_audit(
                uow, self.rt, actor, module="usuarios", action="user.reset_password",
                entity="app_user", entity_id=user.id,
            )  # fmt: skip
            uow.commit()
            return temp

    def unlock(self, actor: Actor, username: str) -> Changes:
        with self.rt.uow(actor, Permission.USERS_MANAGE) as uow:
            user = _user(uow.session, username)
            user.locked_until = None
            user.failed_attempts = 0
            write_audit(
                uow, self.rt, actor, module="usuarios", action="user.unlock",
                entity="app_user", entity_id=user.id,
            )  # fmt: skip
            uow.commit()
        return Changes(users=True)


def _check_version(obj: User, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise stale_conflict()


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound("user.not_found", N_("No existe el usuario «{username}»."), username=username)
    return user


def _role(s: Session, code: str) -> Role:
    role = s.scalar(select(Role).where(Role.code == code, Role.deleted_at.is_(None)))
    if role is None:
        raise NotFound("role.not_found", N_("No existe el rol «{code}»."), code=code)
    return role


def _dependencia(s: Session, code: str | None) -> Dependencia | None:
    if not code:
        return None
    dep = s.scalar(select(Dependencia).where(Dependencia.code == code, Dependencia.deleted_at.is_(None)))
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code)
    return dep


def _view(s: Session, u: User) -> UserView:
    role = s.get(Role, u.role_id)
    dep = s.get(Dependencia, u.dependencia_id) if u.dependencia_id else None
    return UserView(
        id=u.id, username=u.username, full_name=u.full_name, email=u.email, cargo=u.cargo,
        role_code=role.code if role else "", role_name=role.name if role else "",
        dependencia_code=dep.code if dep else None, dependencia_name=dep.name if dep else None,
        disabled=u.disabled, locked_until=u.locked_until,
        must_change_password=u.must_change_password, last_login_at=u.last_login_at,
        version=u.version,
    )  # fmt: skip
