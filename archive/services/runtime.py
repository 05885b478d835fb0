"""What every service needs: the database, who and where we are, clocks, and the permission gate.

``Runtime.uow(actor, permission)`` is the one way a service opens a transaction on behalf of a
person: it re-reads the user and role inside the transaction (so a disabled user or a revoked
permission takes effect at once) and raises :class:`PermissionDenied` before anything happens.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from archive.db.changefeed import FeedContext
from archive.db.database import Database
from archive.db.models import ChangeLog, Role, RolePermission, User
from archive.db.uow import UnitOfWork
from archive.domain.errors import AuthenticationError, PermissionDenied
from archive.domain.hlc import HybridClock
from archive.domain.permissions import PERMISSION_LABELS, Permission
from archive.i18n import N_
from archive.services.passwords import Passwords
from archive.version import APP_NAME as APP_NAME
from archive.version import APP_VERSION as APP_VERSION


@dataclass(frozen=True)
class Actor:
    """A logged-in person (or the system, for first-run setup)."""

    user_id: str | None
    username: str
    role_code: str
    permissions: frozenset[str] = frozenset()
    dependencia_id: str | None = None
    own_dependencia_only: bool = False
    must_change_password: bool = False
    full_name: str = ""

    def can(self, permission: Permission) -> bool:
        return permission.value in self.permissions


SYSTEM = Actor(user_id=None, username="sistema", role_code="sistema")


@dataclass
class Environment:
    """Where the program runs: workstation code (origin), host, address, program name."""

    origin: str = ""
    host: str = field(default_factory=socket.gethostname)
    ip: str = ""
    program: str = f"{APP_NAME} {APP_VERSION}"
    profile: str = "escritorio"

    def __post_init__(self) -> None:
        if not self.ip:
            self.ip = _local_ip()


def _local_ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return ""


class Runtime:
    """Shared by all services of one process; built by the composition root."""

    def __init__(
        self,
        db: Database,
        env: Environment,
        *,
        passwords: Passwords | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.env = env
        self.passwords = passwords or Passwords()
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        with db.sessions() as s:
            last = s.scalar(select(func.max(ChangeLog.hlc))) or 0
        self.hlc = HybridClock(last)
        if not env.origin:
            env.origin = db.local("workstation_code") or ""

    def feed(self, actor: Actor) -> FeedContext:
        return FeedContext(origin=self.env.origin, clock=self.hlc, user_id=actor.user_id)

    def uow(
        self, actor: Actor, permission: Permission | None = None, *, write: bool = True
    ) -> UnitOfWork:
        """A unit of work acting for ``actor``; checks ``permission`` as it opens."""
        return _CheckedUnitOfWork(self, actor, permission, write)


class _CheckedUnitOfWork(UnitOfWork):
    def __init__(
        self, rt: Runtime, actor: Actor, permission: Permission | None, write: bool
    ) -> None:
        super().__init__(rt.db.sessions, rt.feed(actor), write=write)
        self._actor = actor
        self._permission = permission

    def __enter__(self) -> _CheckedUnitOfWork:
        super().__enter__()
        try:
            if self._actor.user_id is not None:
                check_actor(self, self._actor, self._permission)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self


def check_actor(uow: UnitOfWork, actor: Actor, permission: Permission | None) -> None:
    """Raise unless ``actor`` is still an active user whose role grants ``permission`` now.

    One indexed query on the unit of work's connection (the user row and, when a permission is
    asked for, whether a live grant exists), built once: this runs at the start of every
    service call, so it must cost tens of microseconds, not an ORM load and a second query.
    """
    params = {"user_id": actor.user_id}
    if permission is not None:
        params["permission"] = permission.value
    row = uow.session.connection().execute(_actor_query(permission is not None), params).first()
    if row is None or row.disabled or row.deleted_at is not None:
        raise AuthenticationError(
            "auth.session_invalid",
            N_("La cuenta {username} ya no está activa; inicie sesión de nuevo."),
            username=actor.username,
        )
    if permission is None:
        return
    if not row.granted:
        raise PermissionDenied(
            "permission.denied",
            N_("El usuario {username} no tiene el permiso «{permission}»."),
            username=actor.username,
            permission=PERMISSION_LABELS[permission],
            permission_code=permission.value,
        )


@cache
def _actor_query(with_permission: bool) -> Select[Any]:
    user = User.__table__
    cols: list[Any] = [user.c.disabled, user.c.deleted_at]
    if with_permission:
        rp, role = RolePermission.__table__, Role.__table__
        granted = (
            select(func.count())
            .select_from(rp.join(role, role.c.id == rp.c.role_id))
            .where(
                rp.c.role_id == user.c.role_id,
                rp.c.permission == bindparam("permission"),
                rp.c.deleted_at.is_(None),
                role.c.deleted_at.is_(None),
            )
            .scalar_subquery()
        )
        cols.append(granted.label("granted"))
    return select(*cols).where(user.c.id == bindparam("user_id"))
