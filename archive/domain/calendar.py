"""Colombian business days (días hábiles) for legal terms such as the elimination notice.

A business day is Monday to Friday and not a national holiday (``holidays`` package, country
"CO", which applies Ley Emiliani's move of most holidays to Monday and the Easter-based ones such
as Jueves and Viernes Santo), nor one of the entity's extra non-working days (``extra_holidays``:
días cívicos, local decrees). Ley 4 de 1913 art. 62: "En los plazos de días que se señalen en las
leyes y actos oficiales, se entienden suprimidos los feriados y de vacantes". Holiday sets are
cached per year.

**Counting convention: the start day is not counted.** ``add_business_days(start, n)`` returns the
n-th business day *after* ``start`` (terms run from the day after the act, and Excel's
``WORKDAY(start, n)`` counts the same way); ``business_days_between(a, b)`` counts the business
days ``d`` with ``a < d <= b``, so ``business_days_between(a, add_business_days(a, n)) == n``
(also for negative ``n``).

Evidence (AGN_NOTES §5.1): Pasto published an elimination inventory "por un término de sesenta
(60) días hábiles, contados a partir del 23 de enero de 2026 hasta el 17 de abril de 2026". Only
one convention reproduces that end date: start day excluded **and no holidays removed**
(Mon-Fri only), i.e. Excel's ``WORKDAY`` without a holiday list. Counting the start day gives 16
April without holidays and 21 April with them. Three national holidays fall inside the window
(San José, moved to Monday 23 March; Jueves Santo 2 April; Viernes Santo 3 April), so the legal
count of 60 días hábiles from 23 January 2026 ends on **22 April 2026**. Legajo removes holidays
(art. 62 above) and keeps the start-day convention that Pasto's date shows;
``national_holidays=False`` reproduces a weekends-only count for comparison.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta

import holidays


@functools.lru_cache(maxsize=512)
def colombian_holidays(year: int) -> frozenset[date]:
    """National holidays of Colombia in ``year`` (cached)."""
    return frozenset(holidays.country_holidays("CO", years=year).keys())


def _closed(day: date, extra: frozenset[date] | Iterable[date], national_holidays: bool) -> bool:
    if day.weekday() >= 5:
        return True
    if national_holidays and day in colombian_holidays(day.year):
        return True
    return day in extra


def is_business_day(
    day: date, extra_holidays: Iterable[date] = (), *, national_holidays: bool = True
) -> bool:
    """Whether ``day`` is a Colombian business day.

    Args:
        day: The day.
        extra_holidays: Additional non-working days of the entity.
        national_holidays: Exclude Colombian national holidays (the legal rule; ``False`` only
            to reproduce weekends-only counts).
    """
    return not _closed(day, frozenset(extra_holidays), national_holidays)


def add_business_days(
    start: date, n: int, extra_holidays: Iterable[date] = (), *, national_holidays: bool = True
) -> date:
    """The n-th business day after ``start`` (``start`` itself is not counted).

    Args:
        start: The day the term is counted from (for example the publication date).
        n: Number of business days; 0 returns ``start``; negative counts backwards.
        extra_holidays: Additional non-working days of the entity.
        national_holidays: See :func:`is_business_day`.

    Returns:
        For example ``add_business_days(date(2026, 1, 23), 60) == date(2026, 4, 22)``.
    """
    extra = frozenset(extra_holidays)
    step = timedelta(days=1 if n >= 0 else -1)
    day = start
    remaining = abs(n)
    while remaining:
        day += step
        if not _closed(day, extra, national_holidays):
            remaining -= 1
    return day


def _weekdays_through(day: date) -> int:
    # Ordinal 1 (0001-01-01) is a Monday: count Mon-Fri days among ordinals 1..day.
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def business_days_between(
    a: date, b: date, extra_holidays: Iterable[date] = (), *, national_holidays: bool = True
) -> int:
    """Business days ``d`` with ``a < d <= b``; when ``b`` is before ``a``, minus the business
    days with ``b <= d < a`` (so it always inverts :func:`add_business_days`).

    Computed arithmetically (weekday count minus weekday holidays), so long spans are cheap.

    Args:
        a: Start day (not counted).
        b: End day (counted).
        extra_holidays: Additional non-working days of the entity.
        national_holidays: See :func:`is_business_day`.
    """
    if b < a:  # walking backwards: days d with b <= d < a, counted negative
        one = timedelta(days=1)
        return -business_days_between(
            b - one, a - one, extra_holidays, national_holidays=national_holidays
        )
    closed: set[date] = {d for d in extra_holidays if a < d <= b and d.weekday() < 5}
    if national_holidays:
        for year in range(a.year, b.year + 1):
            closed.update(d for d in colombian_holidays(year) if a < d <= b and d.weekday() < 5)
    return _weekdays_through(b) - _weekdays_through(a) - len(closed)
