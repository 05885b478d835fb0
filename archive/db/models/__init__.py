"""All mapped tables. Importing this package registers every model on ``Base.metadata``."""

from archive.db.models.audit import AuditLog
from archive.db.models.catalog import Serie, Subserie
from archive.db.models.counts import CountScan, CountSession, Incident
from archive.db.models.feed import ChangeLog, FeedCursor, LocalState
from archive.db.models.inventory import Expediente
from archive.db.models.locations import Location, LocationLevel
from archive.db.models.org import Dependencia, Entity, Parameter, Workstation
from archive.db.models.retention import LegalHold, TrdRule, TrdVersion, TvdRule, TvdTable
from archive.db.models.security import Role, RolePermission, User
from archive.db.models.sync import SyncConflict
from archive.db.models.units import BarcodeCounter, Batch, BatchItem, Movement, Unit, UnitType

__all__ = [
    "AuditLog",
    "BarcodeCounter",
    "Batch",
    "BatchItem",
    "ChangeLog",
    "CountScan",
    "CountSession",
    "Dependencia",
    "Entity",
    "Expediente",
    "FeedCursor",
    "Incident",
    "LegalHold",
    "LocalState",
    "Location",
    "LocationLevel",
    "Movement",
    "Parameter",
    "Role",
    "RolePermission",
    "Serie",
    "Subserie",
    "SyncConflict",
    "TrdRule",
    "TrdVersion",
    "TvdRule",
    "TvdTable",
    "Unit",
    "UnitType",
    "User",
    "Workstation",
]
