"""Label printing as data: editable templates, printer calibrations and printed batches.

Templates and calibrations are JSON documents owned by the renderer (``reports.labels``:
``LabelTemplate.to_json()``, ``Calibration``); the core stores them opaque. A batch keeps what
was printed (kind, template, medium, calibration, start position and the unit ids in order) so a
sheet can be printed again exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import JSONText, UTCDateTime


class LabelTemplateRow(Synced, Base):
    """A named, user-editable label template for one kind (caja, carpeta, ubicación…)."""

    __tablename__ = "label_template"
    __table_args__ = (live_unique("ix_label_template_kind_name_live", "kind", "name"),)

    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(80))
    #: ``LabelTemplate.to_json()`` of the renderer.
    body: Mapped[str] = mapped_column(Text)
    #: The template offered first for its kind.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class PrinterCalibration(Synced, Base):
    """Offsets and creep of one printer (and tray), applied when labels are drawn."""

    __tablename__ = "printer_calibration"
    __table_args__ = (live_unique("ix_printer_calibration_name_live", "name"),)

    name: Mapped[str] = mapped_column(String(80))
    offset_x_mm: Mapped[float] = mapped_column(default=0.0)
    offset_y_mm: Mapped[float] = mapped_column(default=0.0)
    creep_x_mm: Mapped[float] = mapped_column(default=0.0)
    creep_y_mm: Mapped[float] = mapped_column(default=0.0)
    dpi: Mapped[int | None] = mapped_column(Integer, nullable=True)


class LabelBatch(Synced, Base):
    """One print job: who, when, what kind, with which template, medium and calibration."""

    __tablename__ = "label_batch"
    __table_args__ = (Index("ix_label_batch_at", "at"),)

    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    username: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))
    template_name: Mapped[str] = mapped_column(String(80))
    #: The template as printed (a later edit of the template does not change a reprint).
    template_body: Mapped[str] = mapped_column(Text)
    medium: Mapped[str] = mapped_column(String(40))
    #: ``medium.to_dict()`` as printed (custom grids included).
    medium_body: Mapped[Any] = mapped_column(JSONText)
    calibration: Mapped[str] = mapped_column(String(80), default="")
    start_position: Mapped[int] = mapped_column(Integer, default=1)
    #: unit | location | expediente: what ``item_ids`` point at.
    source: Mapped[str] = mapped_column(String(12))
    item_ids: Mapped[Any] = mapped_column(JSONText)
    items: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
