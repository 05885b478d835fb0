"""All mapped tables. Importing this package registers every model on ``Base.metadata``."""

from archive.db.models.audit import AuditLog
from archive.db.models.capture import CollectorLine, CollectorProfile, DocumentAttachment
from archive.db.models.catalog import Serie, Subserie
from archive.db.models.counts import CountScan, CountSession, Incident
from archive.db.models.feed import ChangeLog, FeedCursor, LocalState
from archive.db.models.inventory import Expediente, ExpedienteDue
from archive.db.models.labels import LabelBatch, LabelTemplateRow, PrinterCalibration
from archive.db.models.loans import Loan
from archive.db.models.locations import Location, LocationLevel
from archive.db.models.org import Dependencia, Entity, Parameter, Workstation
from archive.db.models.retention import LegalHold, TrdRule, TrdVersion, TvdRule, TvdTable
from archive.db.models.security import Role, RolePermission, User
from archive.db.models.sync import SyncConflict
from archive.db.models.transfers import (
    Elimination,
    EliminationItem,
    EliminationObservation,
    Transfer,
    TransferItem,
    TransferSchedule,
)
from archive.db.models.units import BarcodeCounter, Batch, BatchItem, Movement, Unit, UnitType

__all__ = [
    "AuditLog",
    "BarcodeCounter",
    "Batch",
    "BatchItem",
    "ChangeLog",
    "CollectorLine",
    "CollectorProfile",
    "CountScan",
    "CountSession",
    "Dependencia",
    "DocumentAttachment",
    "Elimination",
    "EliminationItem",
    "EliminationObservation",
    "Entity",
    "Expediente",
    "ExpedienteDue",
    "FeedCursor",
    "Incident",
    "LabelBatch",
    "LabelTemplateRow",
    "LegalHold",
    "Loan",
    "LocalState",
    "Location",
    "LocationLevel",
    "Movement",
    "Parameter",
    "PrinterCalibration",
    "Role",
    "RolePermission",
    "Serie",
    "Subserie",
    "SyncConflict",
    "Transfer",
    "TransferItem",
    "TransferSchedule",
    "TrdRule",
    "TrdVersion",
    "TvdRule",
    "TvdTable",
    "Unit",
    "UnitType",
    "User",
    "Workstation",
]
