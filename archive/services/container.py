"""All services of one process, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from archive.services.audit import AuditService
from archive.services.auth import AuthService
from archive.services.batches import BatchService
from archive.services.counts import CountService
from archive.services.demo import DemoService
from archive.services.expedientes import ExpedienteService
from archive.services.holds import HoldService
from archive.services.incidents import IncidentService
from archive.services.locations import LocationService
from archive.services.moves import MoveService
from archive.services.org import OrgService
from archive.services.parameters import ParameterService
from archive.services.retention import RetentionService
from archive.services.roles import RoleService
from archive.services.runtime import Runtime
from archive.services.setup import SetupService
from archive.services.trd import TrdService
from archive.services.tvd import TvdService
from archive.services.units import UnitService
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
    locations: LocationService
    units: UnitService
    moves: MoveService
    batches: BatchService
    counts: CountService
    incidents: IncidentService
    expedientes: ExpedienteService
    trd: TrdService
    tvd: TvdService
    retention: RetentionService
    holds: HoldService

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
            locations=LocationService(rt),
            units=UnitService(rt),
            moves=MoveService(rt),
            batches=BatchService(rt),
            counts=CountService(rt),
            incidents=IncidentService(rt),
            expedientes=ExpedienteService(rt),
            trd=TrdService(rt),
            tvd=TvdService(rt),
            retention=RetentionService(rt),
            holds=HoldService(rt),
        )
