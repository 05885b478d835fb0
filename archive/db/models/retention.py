"""Retention instruments and legal holds (AGN_NOTES §1, §2).

- :class:`TrdVersion`: one approved version of a dependencia's TRD, in force from ``valid_from``
  to ``valid_to`` (inclusive; ``None`` = still in force), with its approval data (acto
  administrativo, dates, convalidation, RUSD certificate) and the header block it was printed with.
- :class:`TrdRule`: a serie without subseries, or a subserie, of a version: code parts stored
  separately (D, S, Sb), AG/AC whole years, the disposition as the persisted
  :class:`~archive.domain.disposition.Disposition` integer, soporte, procedure and tipos. It points
  at the classification (``serie``/``subserie``) the expedientes use.
- :class:`TvdTable` and :class:`TvdRule`: a TVD for one historical period, AC years only.
- :class:`LegalHold`: a legal hold on an expediente, a unit (caja), a serie or a dependencia.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.base import Base, Synced, live_index, live_unique
from archive.db.types import JSONText, UTCDateTime


class TrdVersion(Synced, Base):
    """An approved version of a dependencia's TRD with its validity and approval data."""

    __tablename__ = "trd_version"
    __table_args__ = (live_unique("ix_trd_version_dep_number", "dependencia_id", "number"),)

    dependencia_id: Mapped[str] = mapped_column(ForeignKey("dependencia.id"))
    #: 1, 2, 3… per dependencia.
    number: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    #: Last day in force (inclusive); ``None`` while it is the current version.
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Acto administrativo that adopted it (e.g. "Resolución 123 de 2019").
    approval_act: Mapped[str] = mapped_column(String(200), default="")
    approval_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Comité Institucional de Gestión y Desempeño acta, if different from the act.
    committee_act: Mapped[str] = mapped_column(String(200), default="")
    convalidation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    convalidation_body: Mapped[str] = mapped_column(String(200), default="")
    rusd_certificate: Mapped[str] = mapped_column(String(100), default="")
    entidad: Mapped[str] = mapped_column(String(300), default="")
    unidad_administrativa: Mapped[str] = mapped_column(String(300), default="")
    oficina_productora: Mapped[str] = mapped_column(String(300), default="")
    source_file: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class TrdRule(Synced, Base):
    """A serie (without subseries) or subserie of a TRD version, with its retention."""

    __tablename__ = "trd_rule"
    __table_args__ = (
        live_unique("ix_trd_rule_code_live", "version_id", "serie_code", "subserie_code"),
        Index("ix_trd_rule_serie", "serie_id", "subserie_id"),
    )

    version_id: Mapped[str] = mapped_column(ForeignKey("trd_version.id"))
    dependencia_code: Mapped[str] = mapped_column(String(20))
    serie_code: Mapped[str] = mapped_column(String(20))
    #: ``""`` for a serie without subseries.
    subserie_code: Mapped[str] = mapped_column(String(20), default="")
    serie_name: Mapped[str] = mapped_column(String(300))
    #: The subserie name (the serie name again for a serie without subseries).
    name: Mapped[str] = mapped_column(String(300))
    ag_years: Mapped[int] = mapped_column(Integer)
    ac_years: Mapped[int] = mapped_column(Integer)
    #: :class:`archive.domain.disposition.Disposition` value (CT=1, E=2, S=4, M/D=8).
    disposition: Mapped[int] = mapped_column(Integer)
    #: Comma-separated :class:`archive.domain.retention.Soporte` values ("papel,electronico").
    soporte: Mapped[str] = mapped_column(String(40), default="")
    procedure: Mapped[str] = mapped_column(Text)
    tipos: Mapped[Any] = mapped_column(JSONText, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    serie_id: Mapped[str | None] = mapped_column(ForeignKey("serie.id"), nullable=True)
    subserie_id: Mapped[str | None] = mapped_column(ForeignKey("subserie.id"), nullable=True)


class TvdTable(Synced, Base):
    """A TVD of one historical period of the organic structure (fondos acumulados)."""

    __tablename__ = "tvd_table"

    name: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: The historical office (code and name as they were in that period).
    dependencia_code: Mapped[str] = mapped_column(String(20), default="")
    dependencia_name: Mapped[str] = mapped_column(String(300), default="")
    entidad: Mapped[str] = mapped_column(String(300), default="")
    approval_act: Mapped[str] = mapped_column(String(200), default="")
    approval_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    convalidation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    rusd_certificate: Mapped[str] = mapped_column(String(100), default="")
    source_file: Mapped[str] = mapped_column(String(300), default="")


class TvdRule(Synced, Base):
    """A serie/asunto of a TVD: central-archive years only."""

    __tablename__ = "tvd_rule"
    __table_args__ = (live_index("ix_tvd_rule_table", "tvd_id", "position"),)

    tvd_id: Mapped[str] = mapped_column(ForeignKey("tvd_table.id"))
    dependencia_code: Mapped[str] = mapped_column(String(20), default="")
    serie_code: Mapped[str] = mapped_column(String(20))
    subserie_code: Mapped[str] = mapped_column(String(20), default="")
    serie_name: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300))
    ac_years: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[int] = mapped_column(Integer)
    procedure: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LegalHold(Synced, Base):
    """A legal hold: while active (``released_at`` is ``None``) nothing under the target may be
    transferred or eliminated."""

    __tablename__ = "legal_hold"
    __table_args__ = (live_index("ix_legal_hold_target", "target_kind", "target_id"),)

    #: expediente | unit | serie | dependencia
    target_kind: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[str] = mapped_column(String(36))
    #: Human reference of the target when placed (number, barcode, code), for lists.
    target_label: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(300))
    #: Oficio, radicado or proceso number of the order.
    reference: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    #: Expected end, if the order gives one (the hold stays until released).
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    placed_by: Mapped[str] = mapped_column(String(60), default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_by: Mapped[str] = mapped_column(String(60), default="")
    release_reason: Mapped[str] = mapped_column(Text, default="")
