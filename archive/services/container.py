"""All services of one process, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.services.audit import AuditService
from archive.services.auth import AuthService
from archive.services.batches import BatchService
from archive.services.capture import CaptureService
from archive.services.counts import CountService
from archive.services.demo import DemoService
from archive.services.elimination import EliminationService
from archive.services.expedientes import ExpedienteService
from archive.services.fuid import FuidService
from archive.services.holds import HoldService
from archive.services.incidents import IncidentService
from archive.services.labels import LabelService
from archive.services.loans import LoanService
from archive.services.locations import LocationService
from archive.services.moves import MoveService
from archive.services.org import OrgService
from archive.services.parameters import ParameterService
from archive.services.retention import RetentionService
from archive.services.roles import RoleService
from archive.services.runtime import Runtime
from archive.services.search import SearchService
from archive.services.setup import SetupService
from archive.services.station import StationService
from archive.services.transfers import TransferService
from archive.services.trd import TrdService
from archive.services.tvd import TvdService
from archive.services.units import UnitService
from archive.services.users import UserService
from archive.sync.service import SyncService


@dataclass(frozen=True)
class Services:
    rt: Runtime
    search: SearchService
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
    capture: CaptureService
    incidents: IncidentService
    expedientes: ExpedienteService
    trd: TrdService
    tvd: TvdService
    retention: RetentionService
    holds: HoldService
    fuid: FuidService
    transfers: TransferService
    elimination: EliminationService
    labels: LabelService
    station: StationService
    loans: LoanService
    sync: SyncService

    @classmethod
    def build(cls, rt: Runtime, *, index_dir: Path | None = None) -> Services:
        """All services; the search index lives in ``index_dir`` (default: ``index/`` beside a
        SQLite database file)."""
        if index_dir is None and rt.db.engine.url.get_backend_name() == "sqlite":
            name = rt.db.engine.url.database
            if name and name != ":memory:":
                index_dir = Path(name).parent / "index"
        return cls(
            rt=rt,
            search=SearchService(rt, index_dir),
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
            capture=CaptureService(rt),
            incidents=IncidentService(rt),
            expedientes=ExpedienteService(rt),
            trd=TrdService(rt),
            tvd=TvdService(rt),
            retention=RetentionService(rt),
            holds=HoldService(rt),
            fuid=FuidService(rt),
            transfers=TransferService(rt),
            elimination=EliminationService(rt),
            labels=LabelService(rt),
            station=StationService(rt),
            loans=LoanService(rt),
            sync=SyncService(rt),
        )
