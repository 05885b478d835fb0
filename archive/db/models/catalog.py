"""Series and subseries (the classification). Retention tables (TRD/TVD) attach to these."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced


class Serie(Synced, Base):
    __tablename__ = "serie"
    __table_args__ = (Index("ix_serie_dep_code", "dependencia_id", "code"),)

    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))


class Subserie(Synced, Base):
    __tablename__ = "subserie"
    __table_args__ = (Index("ix_subserie_serie_code", "serie_id", "code"),)

    serie_id: Mapped[str] = mapped_column(ForeignKey("serie.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
