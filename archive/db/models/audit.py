"""The audit trail: append-only, hash-chained per workstation.

Each row's ``hash`` is SHA-256 over the previous row's hash (same ``workstation``, previous
``chain_seq``) and the row's own canonical content, so editing, deleting or reordering any row
breaks the chain and ``legajo audit verify`` says where. Not a ``Synced`` table: audit rows are
never updated; sync copies them as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base
from archive.db.types import JSONText, UTCDateTime
from archive.domain.ids import uuid7


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("workstation", "chain_seq"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_user_at", "username", "at"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid7)
    workstation: Mapped[str] = mapped_column(String(8))
    chain_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    username: Mapped[str] = mapped_column(String(60))
    program: Mapped[str] = mapped_column(String(60))
    module: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str] = mapped_column(String(40), default="")
    host: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(36), default="")
    before: Mapped[Any] = mapped_column(JSONText, nullable=True)
    after: Mapped[Any] = mapped_column(JSONText, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    extra1: Mapped[str] = mapped_column(String(200), default="")
    extra2: Mapped[str] = mapped_column(String(200), default="")
    extra3: Mapped[str] = mapped_column(String(200), default="")
    extra4: Mapped[str] = mapped_column(String(200), default="")
    extra5: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
