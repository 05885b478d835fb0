"""What a service changed, so views refresh only what they show (STYLE.md 2)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    users: bool = False
    roles: bool = False
    org: bool = False
    parameters: bool = False
    audit: bool = False
    records: bool = False
    units: bool = False
    locations: bool = False
    counts: bool = False
    incidents: bool = False
    retention: bool = False
    loans: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))
