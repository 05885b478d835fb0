"""Retention rules of the TRD/TVD and the due-date arithmetic of expedientes.

AGN_NOTES §1.7: the clock starts at the closing of the expediente (fecha de cierre), not at its
creation, and the central-archive years follow the office years::

    fin_gestion = cierre + AG años
    fin_central = fin_gestion + AC años        (the disposition date)

An open expediente has no due dates. An entity may count from 31 December of the closing year
(vigencia-based counting, common in TRD procedures). 29 February plus whole years lands on
28 February in common years. For a TVD (fondos acumulados, §2) there is only AC, counted from the
end date of the accumulated fonds.

:class:`TrdSubserie`, :class:`TrdSeries` and :class:`TvdSerie` are the value objects of an
imported retention table (``archive.io.trd_import`` builds them).

:func:`compute_due_dates` is the readable one-expediente path;
:func:`compute_due_dates_iso` is the bulk path for recomputing a whole database (ISO strings in,
ISO strings out, no ``date`` objects), proven equal to the slow path by a property test.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from archive.domain.codes import CodeParts
from archive.domain.disposition import Disposition, validate_disposition
from archive.domain.errors import ValidationError
from archive.i18n import N_

#: Upper bound on AG/AC years: a sanity check against typos such as a year ("2018") typed in
#: the years column. Real TRDs reach 80-100 years (historias laborales); 200 leaves room.
MAX_RETENTION_YEARS = 200


class Soporte(enum.StrEnum):
    """Medium of a serie/subserie (SOPORTE column; ORFEO-NG also has "otros")."""

    PAPEL = "papel"
    ELECTRONICO = "electronico"
    OTROS = "otros"


_SOPORTE_WORDS: dict[str, frozenset[Soporte]] = {
    **dict.fromkeys(
        ("papel", "fisico", "f", "p", "fis", "analogo", "impreso"), frozenset({Soporte.PAPEL})
    ),
    **dict.fromkeys(
        ("electronico", "electronica", "e", "el", "ele", "elec", "digital"),
        frozenset({Soporte.ELECTRONICO}),
    ),
    **dict.fromkeys(("otros", "otro", "o"), frozenset({Soporte.OTROS})),
    "hibrido": frozenset({Soporte.PAPEL, Soporte.ELECTRONICO}),
}
_SOPORTE_SPLIT = re.compile(r"\s*(?:/|-|\+|,|;|&|\by\b)\s*")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def parse_soporte_words(text: str) -> frozenset[Soporte]:
    """Read a SOPORTE cell: "PAPEL", "PAPEL / ELECTRONICO", "Electrónico", "F - EL", "híbrido".

    Args:
        text: The cell text; blank means the TRD did not say (many older formats lack the
            column), which gives an empty set rather than a guess.

    Raises:
        ValidationError: ``soporte.unknown`` naming the word that was not understood.
    """
    result: frozenset[Soporte] = frozenset()
    for token in (t for t in _SOPORTE_SPLIT.split(_fold(text)) if t):
        found = _SOPORTE_WORDS.get(token.replace(".", "").replace(" ", ""))
        if found is None:
            raise ValidationError(
                "soporte.unknown",
                N_(
                    "No se entiende «{word}» en el soporte «{value}» (use papel, electrónico u otros)."
                ),
                word=token,
                value=text.strip(),
            )
        result |= found
    return result


def check_years(value: object, stage: str) -> int:
    """Validate a number of retention years.

    Args:
        value: The years (must be an ``int``, not a ``bool``).
        stage: ``"AG"`` or ``"AC"``, for the message.

    Returns:
        The value.

    Raises:
        ValidationError: ``retention.years_invalid`` unless 0 ≤ value ≤ MAX_RETENTION_YEARS.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (0 <= value <= MAX_RETENTION_YEARS)
    ):
        raise ValidationError(
            "retention.years_invalid",
            N_(
                "Los años de {stage} deben ser un número entero entre 0 y {max}; se recibió «{value}»."
            ),
            stage=stage,
            max=MAX_RETENTION_YEARS,
            value=str(value),
        )
    return value


@dataclass(frozen=True)
class RetentionRule:
    """Retention of a serie/subserie: years in each archive, final disposition, procedure.

    Raises:
        ValidationError: on construction, for years outside 0..MAX_RETENTION_YEARS or a
            disposition/procedure that breaks :func:`archive.domain.disposition.check_disposition`.
    """

    ag_years: int
    ac_years: int
    disposition: Disposition
    procedure: str

    def __post_init__(self) -> None:
        check_years(self.ag_years, "AG")
        check_years(self.ac_years, "AC")
        validate_disposition(self.disposition, self.procedure)


@dataclass(frozen=True)
class DueDates:
    """When an expediente leaves the office archive and when its disposition is due."""

    fin_gestion: date
    fin_central: date


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year.

    Raises:
        ValidationError: ``retention.date_out_of_range`` past the year 9999.
    """
    year = day.year + years
    if not 1 <= year <= 9999:
        raise ValidationError(
            "retention.date_out_of_range",
            N_("La fecha {date} más {years} años queda fuera del calendario."),
            date=day.isoformat(),
            years=years,
        )
    if day.month == 2 and day.day == 29 and not _is_leap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def retention_start(closing_date: date, count_from_dec31: bool) -> date:
    """The day the retention clock starts: the closing date, or 31 December of its year."""
    return date(closing_date.year, 12, 31) if count_from_dec31 else closing_date


def compute_due_dates(
    closing_date: date | None, rule: RetentionRule, count_from_dec31: bool = False
) -> DueDates | None:
    """Due dates of one expediente under a TRD rule.

    Args:
        closing_date: Fecha de cierre; ``None`` for an open expediente.
        rule: The serie/subserie rule (AG may be 0).
        count_from_dec31: Count from 31 December of the closing year (entity option).

    Returns:
        ``None`` for an open expediente, else ``fin_gestion = start + AG`` and
        ``fin_central = fin_gestion + AC``.
    """
    if closing_date is None:
        return None
    fin_gestion = add_years(retention_start(closing_date, count_from_dec31), rule.ag_years)
    return DueDates(fin_gestion, add_years(fin_gestion, rule.ac_years))


def compute_tvd_due_date(
    fonds_end: date | None, ac_years: int, count_from_dec31: bool = False
) -> date | None:
    """Disposition date of a TVD serie: only AC, counted from the fonds' end date.

    Args:
        fonds_end: End date of the accumulated fonds (or of the unit); ``None`` if unknown.
        ac_years: Years in the central archive.
        count_from_dec31: Count from 31 December of that year.
    """
    if fonds_end is None:
        return None
    return add_years(retention_start(fonds_end, count_from_dec31), check_years(ac_years, "AC"))


@functools.lru_cache(maxsize=1)
def _year_tables() -> tuple[dict[str, int], list[str], frozenset[int]]:
    """Lookup tables of the bulk path: "YYYY" → int, int → "YYYY", leap years."""
    years = range(10000)
    return (
        {f"{y:04d}": y for y in years},
        [f"{y:04d}" for y in years],
        frozenset(y for y in years if _is_leap(y)),
    )


def compute_due_dates_iso(
    rows: Iterable[tuple[str | None, int, int, bool]],
) -> list[tuple[str, str] | None]:
    """Bulk due dates over plain tuples, for recomputing many expedientes at once.

    Same rules as :func:`compute_due_dates`, but works on ISO strings with table lookups and
    creates no ``date`` objects: a million rows take about 1 s (``bench/bench_trd_import.py``),
    leaving most of the 10-second budget to the database. Feed it straight from a query such as
    ``SELECT fecha_cierre, ag, ac, ...`` and write the results back with ``executemany``.

    Args:
        rows: ``(closing, ag_years, ac_years, count_from_dec31)`` per expediente. ``closing`` is
            ``"YYYY-MM-DD"`` (anything after the 10th character, such as a time, is ignored) or
            ``None``/``""`` for an open expediente. Years are not validated here: they come
            from rules already validated by :class:`RetentionRule`.

    Returns:
        One item per row: ``None`` for an open expediente, else ``(fin_gestion, fin_central)``
        as ISO strings.

    Raises:
        KeyError: for a closing string that does not start with a 4-digit year.
        IndexError: for a result past the year 9999 (validated years cannot get there).
    """
    year_of, text_of, leap = _year_tables()
    out: list[tuple[str, str] | None] = []
    append = out.append
    for closing, ag, ac, dec31 in rows:
        if not closing:
            append(None)
            continue
        y1 = year_of[closing[:4]] + ag
        if dec31:
            month_day = "-12-31"
        else:
            month_day = closing[4:10]
            if month_day == "-02-29" and y1 not in leap:
                month_day = "-02-28"
        y2 = y1 + ac
        md2 = "-02-28" if month_day == "-02-29" and y2 not in leap else month_day
        append((text_of[y1] + month_day, text_of[y2] + md2))
    return out


@dataclass(frozen=True)
class TrdSubserie:
    """A TRD subserie with its retention; a serie without subseries is one of these with
    ``code.subserie == ""``. ``source_row`` is the 1-based row of the imported file (0 if none).
    """

    code: CodeParts
    name: str
    ag_years: int
    ac_years: int
    disposition: Disposition
    soporte: frozenset[Soporte]
    procedure: str
    tipos: tuple[str, ...] = ()
    source_row: int = 0

    @property
    def rule(self) -> RetentionRule:
        """The retention rule (validated when built)."""
        return RetentionRule(self.ag_years, self.ac_years, self.disposition, self.procedure)


@dataclass(frozen=True)
class TrdSeries:
    """A TRD serie and its subseries, in file order."""

    code: CodeParts
    name: str
    subseries: tuple[TrdSubserie, ...]
    source_row: int = 0


@dataclass(frozen=True)
class TvdSerie:
    """A serie/asunto (or subserie) of a TVD: central-archive years only (AGN_NOTES §2)."""

    code: CodeParts
    serie_name: str
    name: str
    ac_years: int
    disposition: Disposition
    procedure: str
    source_row: int = 0
