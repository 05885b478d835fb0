"""Storage units (cajas, carpetas, tomos…), their types, and the chain of custody."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import JSONText, UTCDateTime


class UnitType(Synced, Base):
    """Catalogue entry: caja X-200, carpeta cuatro aletas, AZ, tomo… (dimensions in cm)."""

    __tablename__ = "unit_type"
    __table_args__ = (live_unique("ix_unit_type_code_live", "code"),)

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    #: caja | carpeta | tomo | az | legajo | sobre | planoteca | otro (FUID column by kind).
    kind: Mapped[str] = mapped_column(String(12))
    width_cm: Mapped[int] = mapped_column(Integer, default=0)
    height_cm: Mapped[int] = mapped_column(Integer, default=0)
    depth_cm: Mapped[int] = mapped_column(Integer, default=0)
    #: Linear centimetres the unit takes on a shelf (its width as it stands).
    shelf_cm: Mapped[int] = mapped_column(Integer, default=0)
    #: How many units it holds (carpetas in a caja) or folios (carpeta), if it matters.
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Unit(Synced, Base):
    """A physical unit with a barcode. A unit inside another (carpeta in caja) has ``parent_id``
    and no location of its own: it moves with its container."""

    __tablename__ = "unit"
    __table_args__ = (
        live_unique("ix_unit_barcode_live", "barcode"),
        Index("ix_unit_location", "location_id"),
        # deleted_at too: a box's live contents are counted from the index alone (0010)
        Index("ix_unit_parent", "parent_id", "deleted_at"),
        Index("ix_unit_expediente", "expediente_id"),
        Index("ix_unit_kind_number", "kind", "number"),
    )

    unit_type_id: Mapped[str] = mapped_column(ForeignKey("unit_type.id"))
    kind: Mapped[str] = mapped_column(String(12))
    barcode: Mapped[str] = mapped_column(String(64))
    external_barcode: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Caja N° / carpeta number as written on the label.
    number: Mapped[str] = mapped_column(String(30), default="")
    dependencia_id: Mapped[str | None] = mapped_column(ForeignKey("dependencia.id"), nullable=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    home_location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    #: For a carpeta: the expediente it holds, its order ("carpeta N de M") and its folios.
    expediente_id: Mapped[str | None] = mapped_column(ForeignKey("expediente.id"), nullable=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    folio_first: Mapped[int | None] = mapped_column(Integer, nullable=True)
    folio_last: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: activo | faltante | eliminado (later: prestado, en_transferencia)
    status: Mapped[str] = mapped_column(String(16), default="activo")
    notes: Mapped[str] = mapped_column(Text, default="")


_HAS_BATCH = text("batch_id IS NOT NULL")


class Movement(Synced, Base):
    """One step of a unit's chain of custody: who moved it, when, from where to where, how."""

    __tablename__ = "movement"
    __table_args__ = (
        Index("ix_movement_unit_at", "unit_id", "at"),
        # only movements made by a batch (most have none): see migration 0009
        Index("ix_movement_batch", "batch_id", sqlite_where=_HAS_BATCH, postgresql_where=_HAS_BATCH),
    )

    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    username: Mapped[str] = mapped_column(String(60))
    #: scan | manual | collector | bulk | count | revert
    method: Mapped[str] = mapped_column(String(12))
    from_location_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    to_location_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    from_parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    to_parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    over_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class Batch(Synced, Base):
    """A bulk operation, kept with each item's before/after so it can be reverted as a whole."""

    __tablename__ = "batch"

    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    items: Mapped[int] = mapped_column(Integer, default=0)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reverted_by: Mapped[str] = mapped_column(String(60), default="")


class BatchItem(Synced, Base):
    __tablename__ = "batch_item"
    __table_args__ = (Index("ix_batch_item_batch", "batch_id"),)

    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[Any] = mapped_column(JSONText)
    after: Mapped[Any] = mapped_column(JSONText)


class BarcodeCounter(Base):
    """Last sequence this workstation allocated per barcode kind (never synced: the workstation
    code inside the barcode keeps allocations of different workstations apart)."""

    __tablename__ = "barcode_counter"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
