"""All services of one process, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from archive.services.audit import AuditService
from archive.services.auth import AuthService
from archive.services.demo import DemoService
from archive.services.org import OrgService
from archive.services.parameters import ParameterService
from archive.services.roles import RoleService
from archive.services.runtime import Runtime
from archive.services.setup import SetupService
from archive.services.users import UserService


@dataclass(frozen=True)
class Services:
    rt: Runtime
    setup: SetupService
    auth: AuthService
    users: UserService
    roles: RoleService
    org: OrgService
    parameters: ParameterService
    audit: AuditService
    demo: DemoService

    @classmethod
    def build(cls, rt: Runtime) -> Services:
        return cls(
            rt=rt,
            setup=SetupService(rt),
            auth=AuthService(rt),
            users=UserService(rt),
            roles=RoleService(rt),
            org=OrgService(rt),
            parameters=ParameterService(rt),
            audit=AuditService(rt),
            demo=DemoService(rt),
        )
