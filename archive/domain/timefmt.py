"""Display of dates and times: dd/mm/aaaa, local time America/Bogota (storage stays UTC)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Bogota")
NO_DATE = "s.f."


def format_date(d: date | None) -> str:
    """``dd/mm/aaaa``, or ``s.f.`` (sin fecha) for a missing date."""
    return d.strftime("%d/%m/%Y") if d is not None else NO_DATE


def format_datetime(dt: datetime | None, *, seconds: bool = False) -> str:
    """A UTC timestamp shown in Bogotá time as ``dd/mm/aaaa hh:mm``."""
    if dt is None:
        return ""
    return dt.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


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
