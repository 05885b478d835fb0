"""Display of dates and times: dd/mm/aaaa, local time America/Bogota (storage stays UTC)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)
NO_DATE = "s.f."
DATE_FORMAT = "%d/%m/%Y"


def _bogota() -> tzinfo:
    try:
        return ZoneInfo("America/Bogota")
    except ZoneInfoNotFoundError:
        # Windows has no system tz database unless the ``tzdata`` package is installed.
        # Colombia has kept UTC-5 without daylight saving since 1993, so this is exact.
        log.warning("Sin base de datos de zonas horarias (instale 'tzdata'); uso UTC-5 fijo")
        return timezone(timedelta(hours=-5), "COT")


LOCAL_TZ = _bogota()


def to_local(value: datetime) -> datetime:
    """The same instant in Bogotá time (naive values are UTC, as the database stores them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def format_date(d: date | datetime | None, *, empty: str = NO_DATE) -> str:
    """``dd/mm/aaaa`` (a datetime is first taken to Bogotá time); ``empty`` for no date
    (``s.f.``, sin fecha, as fechas extremas are written)."""
    if d is None:
        return empty
    if isinstance(d, datetime):
        d = to_local(d)
    return d.strftime(DATE_FORMAT)


def format_datetime(dt: datetime | None, *, seconds: bool = False) -> str:
    """A UTC timestamp shown in Bogotá time as ``dd/mm/aaaa hh:mm``."""
    if dt is None:
        return ""
    return to_local(dt).strftime(DATE_FORMAT + (" %H:%M:%S" if seconds else " %H:%M"))


def parse_date(text: str) -> date | None:
    """Parse ``dd/mm/aaaa`` (also ``aaaa-mm-dd``); ``s.f.`` or empty gives None.

    Raises ValueError for anything else.
    """
    t = text.strip()
    if not t or t.lower().replace(" ", "") in {"s.f.", "s.f", "sf"}:
        return None
    if "-" in t and len(t.split("-")[0]) == 4:
        return date.fromisoformat(t)
    return datetime.strptime(t, "%d/%m/%Y").date()
