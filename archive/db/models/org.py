"""The organisation: the entity (fondo), its dependencias, its workstations, its parameters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import JSONText


class Entity(Synced, Base):
    """The producing entity (fondo). One row per database."""

    __tablename__ = "entity"

    name: Mapped[str] = mapped_column(String(200))
    nit: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")


class Dependencia(Synced, Base):
    """An office of the entity: unidad administrativa (top) or oficina productora (below)."""

    __tablename__ = "dependencia"
    __table_args__ = (live_unique("ix_dependencia_code_live", "code"),)

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    sigla: Mapped[str] = mapped_column(String(20), default="")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("dependencia.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Workstation(Synced, Base):
    """A workstation; its code is part of every barcode it allocates."""

    __tablename__ = "workstation"
    __table_args__ = (live_unique("ix_workstation_code_live", "code"),)

    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(200), default="")


class Parameter(Synced, Base):
    """An entity parameter (legal day counts, security policy, masks): typed in
    ``archive.domain.parameters``, stored here as JSON by key."""

    __tablename__ = "parameter"
    __table_args__ = (live_unique("ix_parameter_key_live", "key"),)

    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSONText)
    note: Mapped[str] = mapped_column(Text, default="")
