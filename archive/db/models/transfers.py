"""Transfers (AGN_NOTES §4) and eliminations (§5).

- :class:`TransferSchedule`: the annual cronograma, one planned date per dependencia and kind.
- :class:`Transfer` / :class:`TransferItem`: a primaria (gestión → central) or secundaria
  (central → histórico) with its expedientes, the preparation checklist of each, the cotejo of
  the reception and the REGISTRO DE ENTRADA (date and N° T, consecutive per year).
- :class:`Elimination` / :class:`EliminationItem` / :class:`EliminationObservation`: the
  inventory, the committee approval, the publication window, the citizens' observations and the
  acta. Nothing here is ever hard-deleted; an executed item keeps its metadata forever.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_unique
from archive.db.types import JSONText


class TransferSchedule(Synced, Base):
    __tablename__ = "transfer_schedule"
    __table_args__ = (live_unique("ix_transfer_schedule_key", "year", "dependencia_id", "kind"),)

    year: Mapped[int] = mapped_column(Integer)
    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    #: primaria | secundaria
    kind: Mapped[str] = mapped_column(String(12))
    planned_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")


class Transfer(Synced, Base):
    __tablename__ = "transfer"
    __table_args__ = (
        live_unique("ix_transfer_year_number", "year", "number"),
        Index("ix_transfer_status", "status"),
    )

    kind: Mapped[str] = mapped_column(String(12))
    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    year: Mapped[int] = mapped_column(Integer)
    #: N° T, consecutive per year; assigned when the central archive accepts it.
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: borrador | enviada | aceptada | rechazada
    status: Mapped[str] = mapped_column(String(12), default="borrador")
    created_by: Mapped[str] = mapped_column(String(60), default="")
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_by: Mapped[str] = mapped_column(String(60), default="")
    to_location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), nullable=True)
    #: Last cotejo: {"missing": [...], "extra": [...], "folio_diffs": [...]} of barcodes.
    cotejo: Mapped[Any] = mapped_column(JSONText, default=dict)
    observations: Mapped[str] = mapped_column(Text, default="")


class TransferItem(Synced, Base):
    __tablename__ = "transfer_item"
    __table_args__ = (
        live_unique("ix_transfer_item_exp", "transfer_id", "expediente_id"),
        Index("ix_transfer_item_expediente", "expediente_id"),
    )

    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfer.id"))
    expediente_id: Mapped[str] = mapped_column(ForeignKey("expediente.id"))
    #: Preparation checklist: {"foliacion": bool, "hoja_control": bool, "rotulos": bool,
    #: "depuracion": bool}.
    checklist: Mapped[Any] = mapped_column(JSONText, default=dict)
    #: Folios declared at the time the item was added (the FUID figure the cotejo compares).
    folios: Mapped[int] = mapped_column(Integer, default=0)


class Elimination(Synced, Base):
    __tablename__ = "elimination"
    __table_args__ = (Index("ix_elimination_status", "status"),)

    year: Mapped[int] = mapped_column(Integer)
    #: borrador | aprobada | publicada | ejecutada
    status: Mapped[str] = mapped_column(String(12), default="borrador")
    dependencia_id: Mapped[str | None] = mapped_column(ForeignKey("dependencia.id"), nullable=True)
    committee_act: Mapped[str] = mapped_column(String(100), default="")
    committee_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    publication_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    publication_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    publication_url: Mapped[str] = mapped_column(String(300), default="")
    acta_number: Mapped[str] = mapped_column(String(60), default="")
    acta_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: picado | trituracion | borrado_seguro | …
    method: Mapped[str] = mapped_column(String(40), default="")
    #: [{"name": ..., "cargo": ...}, …]
    signatories: Mapped[Any] = mapped_column(JSONText, default=list)
    #: Selección: the sampling criterion recorded for the S items.
    selection_criterion: Mapped[str] = mapped_column(Text, default="")
    #: Metros lineales eliminated, in centimetres (integers travel through the change feed).
    linear_cm: Mapped[int] = mapped_column(Integer, default=0)
    executed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class EliminationItem(Synced, Base):
    __tablename__ = "elimination_item"
    __table_args__ = (
        live_unique("ix_elimination_item_exp", "elimination_id", "expediente_id"),
        Index("ix_elimination_item_expediente", "expediente_id"),
    )

    elimination_id: Mapped[str] = mapped_column(ForeignKey("elimination.id"))
    expediente_id: Mapped[str] = mapped_column(ForeignKey("expediente.id"))
    #: incluido | excluido | seleccionado (kept by selección) | eliminado
    status: Mapped[str] = mapped_column(String(14), default="incluido")
    #: The TRD disposition letters at inclusion time (E, S, MD…).
    disposition: Mapped[str] = mapped_column(String(12), default="")
    #: M/D: the reproduction was made before elimination.
    reproduced: Mapped[bool] = mapped_column(Boolean, default=False)
    folios: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class EliminationObservation(Synced, Base):
    __tablename__ = "elimination_observation"
    __table_args__ = (Index("ix_elimination_obs", "elimination_id"),)

    elimination_id: Mapped[str] = mapped_column(ForeignKey("elimination.id"))
    received_on: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    #: none | exclude | extend
    action: Mapped[str] = mapped_column(String(10), default="none")
    expediente_id: Mapped[str | None] = mapped_column(ForeignKey("expediente.id"), nullable=True)
    extend_years: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[str] = mapped_column(Text, default="")
