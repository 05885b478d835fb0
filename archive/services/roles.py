"""Roles and the permission matrix, editable by an administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import Role, RolePermission, User
from archive.db.uow import stale_conflict
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import ADMIN_ROLE, Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime

ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{2,39}$")


@dataclass(frozen=True)
class RoleView:
    id: str
    code: str
    name: str
    description: str
    builtin: bool
    own_dependencia_only: bool
    permissions: frozenset[str]
    users: int
    version: int


class RoleService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def list(self, actor: Actor) -> list[RoleView]:
        with self.rt.uow(actor, write=False) as uow:
            s = uow.session
            roles = s.scalars(select(Role).where(Role.deleted_at.is_(None)).order_by(Role.name))
            return [_view(s, r) for r in roles]

    def create(
        self,
        actor: Actor,
        *,
        code: str,
        name: str,
        description: str = "",
        permissions: frozenset[str] = frozenset(),
        own_dependencia_only: bool = False,
    ) -> Changes:
        code = code.strip().lower()
        with self.rt.uow(actor, Permission.ROLES_MANAGE) as uow:
            if not ROLE_CODE.match(code):
                raise ValidationError(
                    "role.code",
                    N_("El código de rol «{code}» no es válido: use minúsculas, dígitos y guion bajo."),
                    code=code,
                )
            if not name.strip():
                raise ValidationError("role.name", N_("Escriba el nombre del rol."))
            perms = _valid_permissions(permissions)
            s = uow.session
            if s.scalar(select(Role.id).where(Role.code == code, Role.deleted_at.is_(None))):
                raise ValidationError("role.exists", N_("Ya existe el rol «{code}»."), code=code)
            role = Role(
                code=code, name=name.strip(), description=description.strip(),
                own_dependencia_only=own_dependencia_only,
            )  # fmt: skip
            s.add(role)
            s.flush()
            for p in sorted(perms):
                s.add(RolePermission(role_id=role.id, permission=p))
            write_audit(
                uow, self.rt, actor, module="roles", action="role.create", entity="role",
                entity_id=role.id,
                after={"code": code, "name": role.name, "permissions": sorted(perms),
                       "own_dependencia_only": own_dependencia_only},
            )  # fmt: skip
            uow.commit()
        return Changes(roles=True)

    def set_permissions(
        self,
        actor: Actor,
        code: str,
        permissions: frozenset[str],
        *,
        expected_version: int | None = None,
    ) -> Changes:
        """Replace a role's granted permissions (revoked cells are soft-deleted)."""
        with self.rt.uow(actor, Permission.ROLES_MANAGE) as uow:
            perms = _valid_permissions(permissions)
            s = uow.session
            role = _role(s, code)
            if expected_version is not None and role.version != expected_version:
                raise stale_conflict()
            if role.code == ADMIN_ROLE and perms != {p.value for p in Permission}:
                raise ValidationError(
                    "role.admin_fixed",
                    N_("El rol Administrador conserva siempre todos los permisos."),
                )
            rows = {
                rp.permission: rp
                for rp in s.scalars(select(RolePermission).where(RolePermission.role_id == role.id))
            }
            before = sorted(p for p, rp in rows.items() if rp.deleted_at is None)
            now = self.rt.now()
            for p, rp in rows.items():
                if p not in perms and rp.deleted_at is None:
                    rp.deleted_at = now
                elif p in perms and rp.deleted_at is not None:
                    rp.deleted_at = None
            for p in perms - rows.keys():
                s.add(RolePermission(role_id=role.id, permission=p))
            role.updated_at = now  # bumps the role's version: concurrent matrix edits conflict
            write_audit(
                uow, self.rt, actor, module="roles", action="role.permissions", entity="role",
                entity_id=role.id, before={"permissions": before},
                after={"permissions": sorted(perms)},
            )  # fmt: skip
            uow.commit()
        return Changes(roles=True)


def _valid_permissions(permissions: frozenset[str]) -> frozenset[str]:
    known = {p.value for p in Permission}
    unknown = sorted(set(permissions) - known)
    if unknown:
        raise ValidationError(
            "role.unknown_permission",
            N_("Permiso desconocido: {permissions}."),
            permissions=", ".join(unknown),
        )
    return frozenset(permissions)


def _role(s: Session, code: str) -> Role:
    role = s.scalar(select(Role).where(Role.code == code, Role.deleted_at.is_(None)))
    if role is None:
        raise NotFound("role.not_found", N_("No existe el rol «{code}»."), code=code)
    return role


def _view(s: Session, r: Role) -> RoleView:
    perms = s.scalars(
        select(RolePermission.permission).where(
            RolePermission.role_id == r.id, RolePermission.deleted_at.is_(None)
        )
    ).all()
    users = s.scalar(select(func.count()).select_from(User).where(User.role_id == r.id)) or 0
    return RoleView(
        id=r.id, code=r.code, name=r.name, description=r.description, builtin=r.builtin,
        own_dependencia_only=r.own_dependencia_only, permissions=frozenset(perms), users=users,
        version=r.version,
    )  # fmt: skip
