"""First run: create the entity, this workstation, the built-in roles and the administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from archive.db.models import Entity, LocalState, Role, RolePermission, User, Workstation
from archive.db.uow import UnitOfWork
from archive.domain.errors import ValidationError
from archive.domain.parameters import Parameters
from archive.domain.permissions import ADMIN_ROLE, BUILTIN_ROLES
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.locations import seed_levels
from archive.services.passwords import check_policy
from archive.services.runtime import SYSTEM, Actor, Runtime
from archive.services.units import seed_unit_types

WORKSTATION_CODE = re.compile(r"^[A-Z0-9]{3}$")


@dataclass(frozen=True)
class SetupRequest:
    entity_name: str
    admin_username: str
    admin_full_name: str
    admin_password: str
    workstation_code: str = "A01"
    workstation_name: str = ""
    entity_nit: str = ""
    entity_city: str = ""


class SetupService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def is_initialized(self) -> bool:
        return self.rt.db.local("workstation_code") is not None

    def initialize(self, req: SetupRequest) -> Actor:
        """Create everything a new database needs; returns the administrator as an Actor."""
        if self.is_initialized():
            raise ValidationError(
                "setup.already", N_("Esta base de datos ya fue inicializada.")
            )
        name = req.entity_name.strip()
        if not name:
            raise ValidationError(
                "setup.entity_name", N_("Escriba el nombre de la entidad (fondo).")
            )
        code = req.workstation_code.strip().upper()
        if not WORKSTATION_CODE.match(code):
            raise ValidationError(
                "workstation.code",
                N_("El código de estación «{code}» debe tener 3 letras mayúsculas o dígitos."),
                code=req.workstation_code,
            )
        username = validate_username(req.admin_username)
        check_policy(
            req.admin_password,
            username=username,
            min_length=Parameters().password_min_length,
        )
        self.rt.env.origin = code
        with self.rt.uow(SYSTEM) as uow:
            s = uow.session
            s.add(LocalState(key="workstation_code", value=code))
            s.add(Entity(name=name, nit=req.entity_nit.strip(), city=req.entity_city.strip()))
            ws = Workstation(code=code, name=req.workstation_name or self.rt.env.host, host=self.rt.env.host)
            s.add(ws)
            s.flush()
            s.add(LocalState(key="workstation_id", value=ws.id))
            roles = seed_roles(uow)
            seed_levels(s)
            seed_unit_types(s)
            admin = User(
                username=username,
                full_name=req.admin_full_name.strip() or username,
                role_id=roles[ADMIN_ROLE].id,
                password_hash=self.rt.passwords.hash(req.admin_password),
                must_change_password=False,
                password_changed_at=self.rt.now(),
            )
            s.add(admin)
            s.flush()
            write_audit(
                uow, self.rt, SYSTEM, module="setup", action="setup.initialize",
                entity="entity", after={"entity": name, "workstation": code, "admin": username},
                confirmed=True,
            )  # fmt: skip
            uow.commit()
            return Actor(
                user_id=admin.id,
                username=admin.username,
                role_code=ADMIN_ROLE,
                permissions=frozenset(p.value for p in BUILTIN_ROLES[ADMIN_ROLE][2]),
                full_name=admin.full_name,
            )


def seed_roles(uow: UnitOfWork) -> dict[str, Role]:
    """Create the built-in roles with their default permission matrix (idempotent)."""
    session = uow.session
    existing = {r.code: r for r in session.scalars(select(Role))}
    for code, (name, description, perms, own_only) in BUILTIN_ROLES.items():
        if code in existing:
            continue
        role = Role(
            code=code, name=name, description=description, builtin=True,
            own_dependencia_only=own_only,
        )  # fmt: skip
        session.add(role)
        session.flush()
        for p in sorted(perms):
            session.add(RolePermission(role_id=role.id, permission=p.value))
        existing[code] = role
    session.flush()
    return existing


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


def validate_username(raw: str) -> str:
    username = raw.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "user.username",
            N_(
                "El nombre de usuario «{username}» no es válido: use de 3 a 60 letras "
                "minúsculas sin tildes, dígitos, punto, guion o guion bajo."
            ),
            username=raw,
        )
    return username
