"""The configurable location tree: levels as data, nodes with capacity and signatura."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique


class LocationLevel(Synced, Base):
    """A level of the tree (sede, edificio, piso, depósito, módulo, cara, estante, entrepaño…).

    ``depth`` orders the levels; ``prefix`` starts the node's segment in the signatura
    topográfica (``D`` + ``01`` → ``D01``); ``pad`` zero-pads numeric node codes.
    """

    __tablename__ = "location_level"
    __table_args__ = (live_unique("ix_location_level_code_live", "code"),)

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    depth: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(4), default="")
    pad: Mapped[int] = mapped_column(Integer, default=2)
    #: Whether nodes of this level appear in the signatura (a sede often does not).
    in_signatura: Mapped[bool] = mapped_column(default=True)


class Location(Synced, Base):
    __tablename__ = "location"
    __table_args__ = (
        live_unique("ix_location_barcode_live", "barcode"),
        live_unique("ix_location_parent_code_live", "parent_id", "code"),
        Index("ix_location_path", "path"),
        Index("ix_location_parent", "parent_id"),
    )

    parent_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    level_id: Mapped[str] = mapped_column(ForeignKey("location_level.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120), default="")
    barcode: Mapped[str] = mapped_column(String(64))
    #: Signatura topográfica derived from the path, e.g. ``D01-M03-A-E04-B2-P07``.
    path: Mapped[str] = mapped_column(String(200))
    capacity_units: Mapped[int | None] = mapped_column(Integer, nullable=True)
    capacity_cm: Mapped[int | None] = mapped_column(Integer, nullable=True)
