"""Sync conflicts: two versions of the same facts that a person has to reconcile.

A conflict is made by the central database when a pushed change breaks a domain invariant
(duplicate barcode or code, a location over capacity, an edit of a soft-deleted row, an illegal
state transition…). It is itself a synced row, so every workstation sees it offline and the
person who resolves it does so with an ordinary, audited edit that travels back like any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced
from archive.db.types import JSONText, UTCDateTime


class SyncConflict(Synced, Base):
    """Both versions of a row's fields, who wrote each (workstation, user, time), and the outcome.

    ``left`` is the version the central database already held (the holder of a barcode, the row
    as it was before the incoming edit); ``right`` is the incoming one. Each is a JSON object
    ``{"values": {field: value}, "origin", "user_id", "username", "at", "hlc", "change_id"}``.
    ``applied`` says which of them is in force until someone decides.
    """

    __tablename__ = "sync_conflict"
    __table_args__ = (
        Index("ix_sync_conflict_state", "state", "created_at"),
        Index("ix_sync_conflict_row", "table_name", "row_id"),
    )

    #: duplicate | capacity | edit_deleted | transition | too_long | orphan | (plug-in kinds)
    kind: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    #: The other row involved: the holder of a duplicate value, the over-full location…
    other_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    fields: Mapped[Any] = mapped_column(JSONText)
    left: Mapped[Any] = mapped_column(JSONText)
    right: Mapped[Any] = mapped_column(JSONText)
    applied: Mapped[str] = mapped_column(String(5))  # left | right
    detail: Mapped[Any] = mapped_column(JSONText, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="abierto")  # abierto | resuelto
    resolution: Mapped[Any] = mapped_column(JSONText, nullable=True)
    resolved_by: Mapped[str] = mapped_column(String(60), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_on: Mapped[str] = mapped_column(String(8), default="")
