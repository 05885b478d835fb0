"""Colombian business days: weekends, national holidays (Ley Emiliani), start day not counted."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from archive.domain.calendar import (
    add_business_days,
    business_days_between,
    colombian_holidays,
    is_business_day,
)

PUBLISHED = date(2026, 1, 23)  # Pasto's elimination notice: "a partir del 23 de enero de 2026"
PASTO_END = date(2026, 4, 17)  # "... hasta el 17 de abril de 2026", announced as 60 días hábiles


def test_holidays_inside_pastos_window() -> None:
    inside = {d for d in colombian_holidays(2026) if PUBLISHED < d <= PASTO_END}
    assert inside == {date(2026, 3, 23), date(2026, 4, 2), date(2026, 4, 3)}  # San José (moved),
    # Jueves Santo, Viernes Santo


def test_pastos_end_date_is_weekdays_only_with_start_excluded() -> None:
    # The only convention that reproduces the published date: start excluded, holidays ignored
    # (Excel WORKDAY without a holiday list).
    assert add_business_days(PUBLISHED, 60, national_holidays=False) == PASTO_END
    assert business_days_between(PUBLISHED, PASTO_END, national_holidays=False) == 60
    # Counting the start day would end a day earlier.
    assert add_business_days(PUBLISHED - timedelta(days=1), 60, national_holidays=False) == date(
        2026, 4, 16
    )


def test_legal_count_removes_the_three_holidays() -> None:
    assert business_days_between(PUBLISHED, PASTO_END) == 57
    assert add_business_days(PUBLISHED, 60) == date(2026, 4, 22)
    assert add_business_days(date(2026, 4, 22), -60) == PUBLISHED


def test_is_business_day() -> None:
    assert is_business_day(date(2026, 1, 23))  # Friday
    assert not is_business_day(date(2026, 1, 24))  # Saturday
    assert not is_business_day(date(2026, 1, 25))  # Sunday
    assert not is_business_day(date(2026, 1, 12))  # Reyes, moved from Tuesday 6 January
    assert is_business_day(date(2026, 1, 6))
    assert not is_business_day(date(2026, 3, 23))  # San José, moved from Thursday 19 March
    assert is_business_day(date(2026, 3, 19))
    assert not is_business_day(date(2026, 4, 2))  # Jueves Santo
    assert not is_business_day(date(2026, 7, 20))  # Independencia (not moved)
    assert not is_business_day(date(2026, 12, 25))
    civic = date(2026, 4, 17)  # día cívico for national entities (Decreto 500 de 2024)
    assert is_business_day(civic)
    assert not is_business_day(civic, [civic])
    assert is_business_day(date(2026, 4, 2), national_holidays=False)


def test_extra_holidays_shift_the_end() -> None:
    assert add_business_days(PUBLISHED, 60, [date(2026, 4, 17)]) == date(2026, 4, 23)
    # An extra day on a weekend or equal to a national holiday changes nothing.
    assert add_business_days(PUBLISHED, 60, [date(2026, 2, 7), date(2026, 4, 3)]) == date(
        2026, 4, 22
    )
    assert business_days_between(PUBLISHED, PASTO_END, [date(2026, 4, 3), date(2026, 2, 7)]) == 57


def test_zero_and_negative() -> None:
    saturday = date(2026, 1, 24)
    assert add_business_days(saturday, 0) == saturday
    assert add_business_days(saturday, 1) == date(2026, 1, 26)
    assert add_business_days(date(2026, 1, 26), -1) == date(2026, 1, 23)
    assert business_days_between(PASTO_END, PUBLISHED) == -57
    assert business_days_between(PUBLISHED, PUBLISHED) == 0
    assert business_days_between(date(2026, 1, 23), date(2026, 1, 26)) == 1


def test_holiday_years_are_cached() -> None:
    assert colombian_holidays(2027) is colombian_holidays(2027)
    assert date(2027, 3, 25) in colombian_holidays(2027)  # Jueves Santo 2027


def test_long_span_matches_a_day_by_day_count() -> None:
    a, b = date(2000, 1, 1), date(2030, 12, 31)
    naive = sum(1 for i in range(1, (b - a).days + 1) if is_business_day(a + timedelta(days=i)))
    assert business_days_between(a, b) == naive


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    n=st.integers(min_value=-300, max_value=300),
)
def test_add_and_between_agree(start: date, n: int) -> None:
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    if n:
        assert is_business_day(end)
