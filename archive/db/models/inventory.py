"""Expedientes (case files). Storage units and locations join them with the inventory issue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    )

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
    #: Retention (archive.services.retention): the TRD rule applied and the due dates live in
    #: :class:`ExpedienteDue`, read here through the properties below.
    due: Mapped[ExpedienteDue | None] = relationship(viewonly=True, lazy="select")

    @property
    def trd_rule_id(self) -> str | None:
        return self.due.trd_rule_id if self.due else None

    @property
    def fin_gestion(self) -> date | None:
        return self.due.fin_gestion if self.due else None

    @property
    def fin_central(self) -> date | None:
        return self.due.fin_central if self.due else None


class ExpedienteDue(Base):
    """The TRD rule in force for an expediente and its due dates (a row only when a rule applies).

    Derived data (TRD + dates + extensions): every site computes it (archive.services.retention),
    so it is not synced. It lives apart from the wide expediente row so that recomputing a
    million expedientes rewrites a million ~100-byte rows, not every page of the expediente table.
    ``trd_rule_id`` is a plain column (no foreign key): derived, and written in bulk.
    """

    __tablename__ = "expediente_due"
    __table_args__ = (
        Index("ix_expediente_due_gestion", "fin_gestion", "expediente_id"),
        Index("ix_expediente_due_central", "fin_central", "expediente_id"),
        {"sqlite_with_rowid": False},
    )

    expediente_id: Mapped[str] = mapped_column(ForeignKey("expediente.id"), primary_key=True)
    trd_rule_id: Mapped[str] = mapped_column(String(36))
    fin_gestion: Mapped[date | None] = mapped_column(Date, nullable=True)
    fin_central: Mapped[date | None] = mapped_column(Date, nullable=True)
