"""A TRD version as plain data for printing and export (AGN layout, AGN_NOTES §1.2-1.3).

The TRD service builds it; ``reports.trd_pdf`` and ``archive.io.trd_export`` render it. Codes are
already rendered with the entity's mask and split into the D / S / Sb columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from archive.domain.disposition import Disposition
from archive.domain.retention import Soporte


@dataclass(frozen=True)
class TrdDocRow:
    """One row of the table: a serie (``is_serie``), a subserie, or a serie without subseries
    (``is_serie`` with retention). Retention fields are ``None`` on a serie row that only heads
    its subseries."""

    dependencia: str
    serie: str
    subserie: str
    name: str
    is_serie: bool
    tipos: tuple[str, ...] = ()
    soporte: frozenset[Soporte] = frozenset()
    ag_years: int | None = None
    ac_years: int | None = None
    disposition: Disposition = Disposition.NONE
    procedure: str = ""


@dataclass(frozen=True)
class TrdDocument:
    """Header block, rows and approval block of one TRD version."""

    entidad: str
    unidad_administrativa: str
    oficina_productora: str
    oficina_code: str
    version: int
    valid_from: date | None
    valid_to: date | None
    approval_act: str = ""
    approval_date: date | None = None
    committee_act: str = ""
    convalidation_date: date | None = None
    convalidation_body: str = ""
    rusd_certificate: str = ""
    rows: tuple[TrdDocRow, ...] = field(default_factory=tuple)
