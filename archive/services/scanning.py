"""Turning a scanned (or typed) code into the record it names, and allocating label barcodes.

Exact lookups go to SQL by the unique barcode index, never to the search index. A Legajo label
is validated by kind and check digit first (a misread is refused, never guessed); anything else
is looked up as an external/legacy barcode.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from archive.db.models import BarcodeCounter, Expediente, Location, Unit
from archive.domain.barcodes import (
    BarcodeKind,
    format_barcode,
    looks_like_legajo_barcode,
    normalize_scan,
    parse_barcode,
    validate_external_barcode,
)
from archive.domain.errors import NotFound, ValidationError
from archive.i18n import N_

UNIT_KINDS = {BarcodeKind.CAJA, BarcodeKind.CARPETA}
_Scannable = TypeVar("_Scannable", Location, Expediente, Unit)


@dataclass(frozen=True)
class ScanTarget:
    """What a scan named: exactly one of ``unit``, ``location``, ``expediente``."""

    value: str
    unit: Unit | None = None
    location: Location | None = None
    expediente: Expediente | None = None


def resolve_scan(
    session: Session, raw: str, expected: Collection[BarcodeKind] | None = None
) -> ScanTarget:
    """Find the record a scan names; raise a clear error for anything else."""
    value = normalize_scan(raw)
    if looks_like_legajo_barcode(value):
        parsed = parse_barcode(value, expected)  # kind + check digit, else ValidationError
        if parsed.kind is BarcodeKind.UBICACION:
            loc = session.scalar(_by_barcode(Location), {"barcode": value})
            if loc is not None:
                return ScanTarget(value, location=loc)
        elif parsed.kind is BarcodeKind.EXPEDIENTE:
            exp = session.scalar(_by_barcode(Expediente), {"barcode": value})
            if exp is not None:
                return ScanTarget(value, expediente=exp)
        else:
            unit = session.scalar(_by_barcode(Unit), {"barcode": value})
            if unit is not None:
                return ScanTarget(value, unit=unit)
        raise unknown(value)
    if value == "":
        parse_barcode(value)  # raises the "empty scan" error
    external = validate_external_barcode(value)
    unit = session.scalar(
        select(Unit).where(Unit.barcode == external, Unit.external_barcode.is_(True), Unit.deleted_at.is_(None))
    )
    if unit is None:
        raise unknown(external)
    if expected is not None and not set(expected) & UNIT_KINDS:
        raise ValidationError(
            "scan.external_not_expected",
            N_("El código externo {value} es de una unidad; aquí se esperaba otra cosa."),
            value=external,
        )
    return ScanTarget(external, unit=unit)


@cache
def _by_barcode(model: type[_Scannable]) -> Select[_Scannable]:
    """``model`` by its live barcode, built once: a scan is the hot path, and building the
    statement costs about as much as running it."""
    return select(model).where(model.barcode == bindparam("barcode"), model.deleted_at.is_(None))


def unknown(value: str) -> NotFound:
    return NotFound(
        "scan.unknown",
        N_("El código {value} no corresponde a ningún registro. Verifique el rótulo."),
        value=value,
    )


def allocate_barcodes(session: Session, kind: BarcodeKind, origin: str, n: int = 1) -> list[str]:
    """Reserve ``n`` new label barcodes of ``kind`` for this workstation."""
    row = session.get(BarcodeCounter, kind.value)
    if row is None:
        row = BarcodeCounter(kind=kind.value, last=0)
        session.add(row)
        session.flush()
    start = row.last + 1
    session.execute(update(BarcodeCounter).where(BarcodeCounter.kind == kind.value).values(last=row.last + n))
    row.last += n
    session.expire(row)
    return [format_barcode(kind, origin, seq) for seq in range(start, start + n)]


def kind_of_unit(unit_kind: str) -> BarcodeKind:
    return BarcodeKind.CAJA if unit_kind == "caja" else BarcodeKind.CARPETA
