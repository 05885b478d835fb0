"""Loans (préstamos) of physical units: a carpeta or a whole caja out to a dependencia.

A loan moves nothing in the location model: the unit keeps its place and is shown "en préstamo"
while a loan of it is ``prestado``. States: solicitado → prestado → devuelto, or a request ends
rechazado / cancelado. All timestamps are UTC; ``due_on`` is a Bogotá calendar date.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced
from archive.db.types import UTCDateTime


class Loan(Synced, Base):
    __tablename__ = "loan"
    __table_args__ = (
        Index("ix_loan_unit", "unit_id"),
        Index("ix_loan_state_due", "state", "due_on"),
        Index("ix_loan_dependencia", "dependencia_id"),
        Index("ix_loan_requester", "requester_id"),
    )

    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    #: The dependencia that asked for (or took) the unit.
    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    #: The Legajo user who asked, if any (plain column like Movement.user_id).
    requester_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: Who takes it, as written on the out-card (a user's full name or a free name).
    requester_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: solicitado | prestado | devuelto | rechazado | cancelado
    state: Mapped[str] = mapped_column(String(12), default="solicitado")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(60))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by: Mapped[str] = mapped_column(String(60), default="")
    lent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lent_by: Mapped[str] = mapped_column(String(60), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_by: Mapped[str] = mapped_column(String(60), default="")
    #: On return: were all folios there? (None until returned.)
    folios_complete: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    return_notes: Mapped[str] = mapped_column(Text, default="")
    #: The incident (novedad) opened on return, if any.
    incident_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: Rejection or cancellation.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(60), default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
