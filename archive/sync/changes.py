"""The unit that travels (a change of the feed) and the per-field clocks that order changes.

A :class:`Change` is one ``change_log`` row as pushed and pulled. Merging is last writer wins per
field by hybrid logical clock, ties broken by origin code: a :data:`Clock` is ``(hlc, origin)``
and plain tuple comparison orders them the same way on every database. A :class:`RowClock` keeps
the clock of the last applied write of every field of one row compactly: the clock of the
insert as ``base`` and only the fields written since then in ``fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.db.models import ChangeLog

#: ``(hlc, origin)``: compared as a tuple, so equal HLCs of two workstations still order.
Clock = tuple[int, str]
ZERO: Clock = (0, "")


@dataclass(frozen=True)
class Change:
    """One insert (I), update (U) or delete (D) of a synced row, with who/when/where."""

    change_id: str
    table: str
    row_id: str
    op: str
    fields: Mapping[str, Any]
    hlc: int
    origin: str
    user_id: str | None
    at: datetime

    @property
    def clock(self) -> Clock:
        return (self.hlc, self.origin)

    @classmethod
    def from_log(cls, row: ChangeLog) -> Change:
        return cls(row.change_id, row.table_name, row.row_id, row.op, row.fields or {},
                   row.hlc, row.origin, row.user_id, row.at)  # fmt: skip

    def feed_row(self, fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """This change as a ``change_log``/``sync_change`` row (optionally other fields)."""
        return {
            "change_id": self.change_id,
            "table_name": self.table,
            "row_id": self.row_id,
            "op": self.op,
            "fields": dict(self.fields if fields is None else fields),
            "hlc": self.hlc,
            "user_id": self.user_id,
            "origin": self.origin,
            "at": self.at,
        }

    def meta(self) -> dict[str, Any]:
        """Who/when/where of this change, as a conflict version keeps it."""
        return {
            "origin": self.origin,
            "user_id": self.user_id,
            "at": self.at.isoformat(),
            "hlc": self.hlc,
            "change_id": self.change_id,
        }


@dataclass
class RowClock:
    """The clocks of one row's fields (see the module docstring)."""

    base: Clock
    fields: dict[str, Clock] = field(default_factory=dict)
    dirty: bool = False

    def of(self, name: str) -> Clock:
        return self.fields.get(name, self.base)

    def set(self, name: str, clock: Clock) -> None:
        if clock > self.of(name):
            self.fields[name] = clock
            self.dirty = True

    def fields_json(self) -> dict[str, list[Any]]:
        return {k: [h, o] for k, (h, o) in sorted(self.fields.items())}

    @classmethod
    def load(cls, base_hlc: int, base_origin: str, fields_json: Mapping[str, Any] | None) -> RowClock:
        parsed = {k: (int(v[0]), str(v[1])) for k, v in (fields_json or {}).items()}
        return cls((int(base_hlc), base_origin), parsed)
