"""The change feed (DESIGN.md §3) and local, never-synced bookkeeping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base
from archive.db.types import JSONText, UTCDateTime


class ChangeLog(Base):
    """One insert/update/delete of a synced row, written in the same transaction as the change.

    ``seq`` is the local, gap-free-enough cursor position the consumers (search indexer, sync
    client) remember; ``change_id`` is globally unique (UUIDv7) so a central server can apply a
    retried batch idempotently.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_table_row", "table_name", "row_id"),
        Index("ix_change_log_hlc", "hlc"),  # the clock's start, max(hlc), without a scan (0010)
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(1))  # I, U, D
    fields: Mapped[Any] = mapped_column(JSONText)
    hlc: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    origin: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedCursor(Base):
    """How far a consumer of the change feed has got (advanced only after its own commit)."""

    __tablename__ = "feed_cursor"

    consumer: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LocalState(Base):
    """Facts about this database copy that never travel: which workstation it is, etc."""

    __tablename__ = "local_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
