"""Retention rules and due dates (AGN_NOTES §1.7): from the closing date, AC after AG."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.domain.disposition import Disposition
from archive.domain.errors import ValidationError
from archive.domain.retention import (
    MAX_RETENTION_YEARS,
    DueDates,
    RetentionRule,
    Soporte,
    add_years,
    compute_due_dates,
    compute_due_dates_iso,
    compute_tvd_due_date,
    parse_soporte_words,
)

CT, E, S, MD = Disposition.CT, Disposition.E, Disposition.S, Disposition.MD


def rule(ag: int, ac: int, flags: Disposition = CT) -> RetentionRule:
    return RetentionRule(ag, ac, flags, "Procedimiento.")


def test_open_expediente_has_no_due_dates() -> None:
    assert compute_due_dates(None, rule(2, 8), False) is None
    assert compute_due_dates(None, rule(2, 8), True) is None


def test_from_closing_date_and_cumulative() -> None:
    assert compute_due_dates(date(2023, 5, 17), rule(2, 8)) == DueDates(
        date(2025, 5, 17), date(2033, 5, 17)
    )


def test_ag_zero_is_allowed() -> None:
    assert compute_due_dates(date(2023, 5, 17), rule(0, 10)) == DueDates(
        date(2023, 5, 17), date(2033, 5, 17)
    )
    assert compute_due_dates(date(2023, 5, 17), rule(0, 0)) == DueDates(
        date(2023, 5, 17), date(2023, 5, 17)
    )


def test_counting_from_31_december() -> None:
    assert compute_due_dates(date(2023, 5, 17), rule(2, 8), True) == DueDates(
        date(2025, 12, 31), date(2033, 12, 31)
    )
    assert compute_due_dates(date(2023, 12, 31), rule(1, 1), True) == DueDates(
        date(2024, 12, 31), date(2025, 12, 31)
    )


def test_29_february() -> None:
    # Into a common year: clamps to 28 Feb, and AC counts from that fin_gestion.
    assert compute_due_dates(date(2024, 2, 29), rule(1, 3)) == DueDates(
        date(2025, 2, 28), date(2028, 2, 28)
    )
    # Into a leap year: stays on 29 Feb.
    assert compute_due_dates(date(2024, 2, 29), rule(4, 4)) == DueDates(
        date(2028, 2, 29), date(2032, 2, 29)
    )
    assert add_years(date(2000, 2, 29), 100) == date(2100, 2, 28)
    assert add_years(date(2000, 2, 29), 400) == date(2400, 2, 29)


def test_date_out_of_calendar() -> None:
    with pytest.raises(ValidationError) as info:
        add_years(date(9990, 1, 1), 20)
    assert info.value.code == "retention.date_out_of_range"


def test_tvd_counts_only_ac_from_the_fonds_end() -> None:
    assert compute_tvd_due_date(date(1999, 6, 30), 10) == date(2009, 6, 30)
    assert compute_tvd_due_date(date(1999, 6, 30), 10, True) == date(2009, 12, 31)
    assert compute_tvd_due_date(date(1996, 2, 29), 5) == date(2001, 2, 28)
    assert compute_tvd_due_date(None, 10) is None
    with pytest.raises(ValidationError):
        compute_tvd_due_date(date(1999, 6, 30), -1)


@pytest.mark.parametrize(
    ("ag", "ac"), [(-1, 2), (2, -1), (MAX_RETENTION_YEARS + 1, 0), (True, 2), (2.0, 2), ("2", 2)]
)
def test_invalid_years(ag: object, ac: object) -> None:
    with pytest.raises(ValidationError) as info:
        RetentionRule(ag, ac, CT, "Conservar.")  # type: ignore[arg-type]
    assert info.value.code == "retention.years_invalid"


def test_rule_enforces_disposition_rules() -> None:
    with pytest.raises(ValidationError) as info:
        RetentionRule(2, 8, CT | E, "Algo.")
    assert info.value.code == "disposition.ct_and_e"
    with pytest.raises(ValidationError) as info:
        RetentionRule(2, 8, S, "")
    assert info.value.code == "disposition.selection_without_procedure"
    assert RetentionRule(0, MAX_RETENTION_YEARS, E | MD, "Eliminar.").ac_years == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PAPEL", {Soporte.PAPEL}),
        ("PAPEL / ELECTRONICO", {Soporte.PAPEL, Soporte.ELECTRONICO}),
        ("Electrónico", {Soporte.ELECTRONICO}),
        ("F - EL", {Soporte.PAPEL, Soporte.ELECTRONICO}),
        ("físico y digital", {Soporte.PAPEL, Soporte.ELECTRONICO}),
        ("Híbrido", {Soporte.PAPEL, Soporte.ELECTRONICO}),
        ("Otros", {Soporte.OTROS}),
        ("", set()),
    ],
)
def test_soporte_words(text: str, expected: set[Soporte]) -> None:
    assert parse_soporte_words(text) == expected


def test_unknown_soporte() -> None:
    with pytest.raises(ValidationError) as info:
        parse_soporte_words("Papel / pergamino")
    assert info.value.code == "soporte.unknown"
    assert info.value.params == {"word": "pergamino", "value": "Papel / pergamino"}


def test_bulk_path_exact_values() -> None:
    rows = [
        ("2023-05-17", 2, 8, False),
        ("2023-05-17", 2, 8, True),
        (None, 2, 8, False),
        ("", 1, 1, True),
        ("2024-02-29", 1, 3, False),
        ("2024-02-29", 4, 4, False),
        ("2024-02-29", 1, 3, True),
        ("2019-07-01 10:30:00", 0, 0, False),
    ]
    assert compute_due_dates_iso(rows) == [
        ("2025-05-17", "2033-05-17"),
        ("2025-12-31", "2033-12-31"),
        None,
        None,
        ("2025-02-28", "2028-02-28"),
        ("2028-02-29", "2032-02-29"),
        ("2025-12-31", "2028-12-31"),
        ("2019-07-01", "2019-07-01"),
    ]


LEAP_DAYS = (
    st.integers(min_value=450, max_value=749)
    .map(lambda n: 4 * n)
    .filter(lambda y: y % 100 != 0 or y % 400 == 0)
    .map(lambda y: date(y, 2, 29))
)
EDGES = st.sampled_from(
    [date(1900, 2, 28), date(2000, 2, 29), date(2023, 12, 31), date(2024, 1, 1)]
)


@given(
    closing=st.one_of(
        st.none(),
        st.dates(min_value=date(1800, 1, 1), max_value=date(2999, 12, 31)),
        LEAP_DAYS,
        EDGES,
    ),
    ag=st.integers(min_value=0, max_value=MAX_RETENTION_YEARS),
    ac=st.integers(min_value=0, max_value=MAX_RETENTION_YEARS),
    dec31=st.booleans(),
)
def test_bulk_path_equals_slow_path(closing: date | None, ag: int, ac: int, dec31: bool) -> None:
    slow = compute_due_dates(closing, rule(ag, ac), dec31)
    expected = (
        None if slow is None else (slow.fin_gestion.isoformat(), slow.fin_central.isoformat())
    )
    iso = closing.isoformat() if closing else None
    assert compute_due_dates_iso([(iso, ag, ac, dec31)]) == [expected]


def test_bulk_path_is_fast() -> None:
    rows = [
        (f"{1990 + i % 35:04d}-02-{1 + i % 29:02d}", i % 11, i % 31, i % 2 == 0)
        for i in range(200_000)
    ]
    started = time.perf_counter()
    result = compute_due_dates_iso(rows)
    elapsed = time.perf_counter() - started
    assert len(result) == 200_000
    assert elapsed < 2.0  # ≈0.2 s expected; 1,000,000 must fit well inside 10 s with the database
