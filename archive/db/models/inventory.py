"""Expedientes (case files). Storage units and locations join them with the inventory issue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_index, live_unique


class Expediente(Synced, Base):
    __tablename__ = "expediente"
    __table_args__ = (
        # Covering, live-only indexes for the big table's sort orders: the id window of any page
        # is an index-only scan (see ExpedienteService.window).
        live_index("ix_expediente_number_live", "number", "id"),
        live_index("ix_expediente_opened_live", "opened_on", "id"),
        live_index("ix_expediente_closed_live", "closed_on", "id"),
        live_index("ix_expediente_title_live", "title", "id"),
        live_unique("ix_expediente_dep_number", "dependencia_id", "number"),
        Index("ix_expediente_serie", "serie_id"),
        live_unique("ix_expediente_barcode_live", "barcode"),
        live_index("ix_expediente_fin_gestion_live", "fin_gestion", "id"),
        live_index("ix_expediente_fin_central_live", "fin_central", "id"),
    )
    #: Due dates are derived data (TRD + closing date): every site recomputes them, so they do
    #: not travel through the change feed (see archive.services.retention).
    __feed_exclude__ = frozenset({"trd_rule_id", "fin_gestion", "fin_central"})

    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    serie_id: Mapped[str | None] = mapped_column(ForeignKey("serie.id"), nullable=True)
    subserie_id: Mapped[str | None] = mapped_column(ForeignKey("subserie.id"), nullable=True)
    #: The entity's file number, e.g. 2019-100-2.1-0042 (unique per dependencia).
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(500))
    #: Fechas extremas; None means "s.f." (sin fecha).
    opened_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    folio_first: Mapped[int | None] = mapped_column(Integer, nullable=True)
    folio_last: Mapped[int | None] = mapped_column(Integer, nullable=True)
    folios: Mapped[int] = mapped_column(Integer, default=0)
    soporte: Mapped[str] = mapped_column(String(20), default="papel")
    state: Mapped[str] = mapped_column(String(12), default="abierto")  # abierto | cerrado
    stage: Mapped[str] = mapped_column(String(12), default="gestion")  # gestion|central|historico
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Optional label barcode of the expediente itself (carpetas carry their own).
    barcode: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Retention (archive.services.retention): the TRD rule applied and the due dates. Plain
    #: column, not a foreign key: derived data, and adding it must not rebuild the big table.
    trd_rule_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    fin_gestion: Mapped[date | None] = mapped_column(Date, nullable=True)
    fin_central: Mapped[date | None] = mapped_column(Date, nullable=True)
