"""Capture: documents attached by the barcode on their cover, and data-collector imports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import UTCDateTime


class DocumentAttachment(Synced, Base):
    """A scanned document (image/PDF) linked to an expediente or unit by a decoded barcode.

    The file stays where it is: ``path`` is where it was attached from and ``sha256`` its content,
    so a moved or altered file is detectable (see docs/CAPTURE.md).
    """

    __tablename__ = "document_attachment"
    __table_args__ = (
        Index("ix_document_attachment_expediente", "expediente_id"),
        Index("ix_document_attachment_unit", "unit_id"),
        live_unique("ux_document_attachment_target", "sha256", "expediente_id", "unit_id"),
    )

    expediente_id: Mapped[str | None] = mapped_column(ForeignKey("expediente.id"), nullable=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=1)
    decoded_value: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(60))


class CollectorProfile(Synced, Base):
    """A data-collector file format (custom; the built-in ones live in ``scanners.collector``).

    ``spec`` is the JSON of :class:`scanners.collector.Profile`.
    """

    __tablename__ = "collector_profile"
    __table_args__ = (live_unique("ux_collector_profile_name", "name"),)

    name: Mapped[str] = mapped_column(String(60))
    spec: Mapped[str] = mapped_column(Text)


class CollectorLine(Base):
    """One applied collector line (by content hash): importing the same file twice applies nothing.

    Local to the workstation (not synced): the effects (moves, count scans) are what travels.
    """

    __tablename__ = "collector_line"

    line_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    row: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_by: Mapped[str] = mapped_column(String(60))
