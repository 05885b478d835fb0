"""Declarative base, naming convention and the mixin every synced table uses.

Every synced table has ``id`` (UUIDv7 string made on the workstation), ``created_at`` and
``updated_at`` (UTC), ``version`` (optimistic locking: SQLAlchemy adds ``WHERE version = :old``
to every UPDATE, so a stale edit raises ``StaleDataError`` instead of overwriting), ``origin``
(code of the workstation that created the row) and ``deleted_at`` (soft deletion: archival
records are never hard-deleted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Index, Integer, MetaData, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from archive.db.types import UTCDateTime, utcnow
from archive.domain.ids import uuid7

# A naming convention from day one: Alembic's batch mode on SQLite recreates tables and needs
# stable constraint names to find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Mixin for tables that travel through the change feed (search index, central sync)."""

    #: Marks the class for the change feed; see ``archive.db.changefeed``.
    __synced__: ClassVar[bool] = True
    #: Columns never written to the change feed (secrets stay on the workstation that made them
    #: unless a table says otherwise).
    __feed_exclude__: ClassVar[frozenset[str]] = frozenset()

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid7)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    origin: Mapped[str] = mapped_column(String(8), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__dict__.get("version") or cls.version}


def live_unique(name: str, *columns: str) -> Index:
    """A unique index over rows that are not soft-deleted (partial index, SQLite and PostgreSQL)."""
    where = text("deleted_at IS NULL")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


def live_index(name: str, *columns: str) -> Index:
    """A (non-unique) index over rows that are not soft-deleted."""
    where = text("deleted_at IS NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)
