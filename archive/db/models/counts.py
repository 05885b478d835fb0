"""Shelf counts (conteos / inventory audits) and incidents (novedades)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced
from archive.db.types import UTCDateTime


class CountSession(Synced, Base):
    __tablename__ = "count_session"

    scope_location_id: Mapped[str] = mapped_column(ForeignKey("location.id"))
    #: abierto | pausado | cerrado
    state: Mapped[str] = mapped_column(String(10), default="abierto")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(60))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class CountScan(Synced, Base):
    """A unit (or an unknown barcode) scanned at a location during a count."""

    __tablename__ = "count_scan"
    __table_args__ = (Index("ix_count_scan_session", "session_id"),)

    session_id: Mapped[str] = mapped_column(ForeignKey("count_session.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id"))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    barcode: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Incident(Synced, Base):
    """A novedad on a unit: damaged, biodeterioro, missing, incomplete folios, mislabelled…"""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_unit", "unit_id"), Index("ix_incident_state", "state"))

    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="abierta")  # abierta | cerrada
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(60))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(60), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
