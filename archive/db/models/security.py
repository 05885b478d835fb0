"""Users, roles and the permission matrix (roles are data, editable by an administrator)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import UTCDateTime


class Role(Synced, Base):
    __tablename__ = "role"
    __table_args__ = (live_unique("ix_role_code_live", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Users with this role see and request only their own dependencia's records.
    own_dependencia_only: Mapped[bool] = mapped_column(Boolean, default=False)


class RolePermission(Synced, Base):
    """One cell of the permission matrix that is granted. Revoking soft-deletes the row."""

    __tablename__ = "role_permission"
    __table_args__ = (Index("ix_role_permission_pair", "role_id", "permission"),)

    role_id: Mapped[str] = mapped_column(ForeignKey("role.id"))
    permission: Mapped[str] = mapped_column(String(60))


class User(Synced, Base):
    __tablename__ = "app_user"
    # Usernames are never reused (audit rows name them), so unique over all rows.
    __table_args__ = (Index("ix_app_user_username", "username", unique=True),)
    # Password hashes are Argon2id strings; they travel to the central database so a user can
    # log in on any workstation, but never into logs, exports or the audit's before/after.
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    username: Mapped[str] = mapped_column(String(60))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    cargo: Mapped[str] = mapped_column(String(120), default="")
    role_id: Mapped[str] = mapped_column(ForeignKey("role.id"))
    dependencia_id: Mapped[str | None] = mapped_column(ForeignKey("dependencia.id"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
