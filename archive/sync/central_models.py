"""Tables only the central database has (their own metadata and Alembic chain).

The central database also runs the workstation migration chain, so every synced table exists
there exactly as on a workstation; these tables add what only a server needs:

- ``sync_change``: every applied change, as the other workstations must replay it, numbered by
  ``server_seq`` (assigned under one lock, so commit order is ``server_seq`` order and a pull
  never skips a change committed late);
- ``sync_row_clock``: the per-field clocks of every synced row (see :class:`RowClock`);
- ``sync_workstation``: the registry of workstations (a code is taken once, by one install);
- ``sync_meta``: facts about this central database (its id, when it was created).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from archive.db.base import NAMING_CONVENTION
from archive.db.types import JSONText, UTCDateTime

CENTRAL_VERSION_TABLE = "legajo_central_version"


class CentralBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ServerChange(CentralBase):
    """A change as the central database applied it (fields that lost or were refused removed)."""

    __tablename__ = "sync_change"
    __table_args__ = (Index("ix_sync_change_row", "table_name", "row_id"),)

    server_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(1))
    fields: Mapped[Any] = mapped_column(JSONText)
    hlc: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    origin: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The workstation whose push brought the change (CENTRAL for conflicts and corrections).
    pushed_by: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RowClockRow(CentralBase):
    """Clock of the insert (``base``) and of each field written since (``fields``).

    The key starts with ``row_id`` so a batch's lookup (``row_id = ANY(...)``) is an index probe
    whatever the planner's statistics say (a push of 100,000 rows outruns autovacuum).
    """

    __tablename__ = "sync_row_clock"

    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    base_hlc: Mapped[int] = mapped_column(BigInteger)
    base_origin: Mapped[str] = mapped_column(String(8))
    fields: Mapped[Any] = mapped_column(JSONText, nullable=True)


class RegisteredWorkstation(CentralBase):
    """A workstation known to the central database; its code is unique here."""

    __tablename__ = "sync_workstation"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    install_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(200), default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_pull_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    program: Mapped[str] = mapped_column(String(60), default="")


class CentralMeta(CentralBase):
    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
