"""Which tables sync and how their values travel — derived from the models, never listed by hand.

A table is synced iff its mapped class has ``__synced__`` (the :class:`~archive.db.base.Synced`
mixin). For each one the :class:`Catalog` knows its columns in foreign-key order, which columns
travel (``__feed_exclude__`` ones stay home), how to turn a change feed's JSON value back into a
column value, the length limits of string columns, and its unique keys (live-only partial
indexes included) — everything the merge needs, so a table added later syncs with no new code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Table, UniqueConstraint

from archive.db.base import Base
from archive.db.changefeed import encode
from archive.db.types import UTCDateTime

#: Columns that never merge: the key, and the local optimistic-lock counter (each database
#: bumps its own ``version`` whenever it applies a change, so a form open on stale data still
#: fails its save instead of overwriting what arrived).
BOOKKEEPING = frozenset({"id", "version"})
#: The origin code of changes the central database makes itself (conflicts, corrections).
CENTRAL_ORIGIN = "CENTRAL"


@dataclass(frozen=True)
class UniqueKey:
    """A unique index or constraint of a synced table.

    Attributes:
        name: Index or constraint name.
        columns: Its columns, in order.
        live_only: Whether it only covers rows that are not soft-deleted.
        quarantine: The string column rewritten to keep a losing duplicate apart (None: the
            key cannot be quarantined, e.g. foreign keys only).
    """

    name: str
    columns: tuple[str, ...]
    live_only: bool
    quarantine: str | None


@dataclass(frozen=True)
class SyncedTable:
    """What the sync needs to know about one synced table."""

    name: str
    table: Table
    rank: int
    columns: tuple[str, ...]
    travelling: frozenset[str]
    decoders: Mapping[str, Callable[[Any], Any]]
    lengths: Mapping[str, int]
    unique_keys: tuple[UniqueKey, ...]

    def decode(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Column values from a change's JSON fields (unknown or home-only columns dropped)."""
        dec = self.decoders
        return {k: dec[k](v) for k, v in fields.items() if k in self.travelling}

    def decode_value(self, column: str, value: Any) -> Any:
        return self.decoders[column](value)

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """JSON-ready values (the change feed's encoding)."""
        return {k: encode(v) for k, v in values.items()}


def _as_datetime(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _as_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _as_int(value: Any) -> Any:
    return None if value is None else int(value)


def _same(value: Any) -> Any:
    return value


def _decoder(column: Any) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return _as_datetime
    if isinstance(kind, Date):
        return _as_date
    if isinstance(kind, Boolean):
        return _as_bool
    if isinstance(kind, Integer):
        return _as_int
    return _same


def _unique_keys(table: Table) -> tuple[UniqueKey, ...]:
    keys: list[UniqueKey] = []
    for item in [*table.indexes, *table.constraints]:
        if isinstance(item, Index):
            if not item.unique:
                continue
            where = item.dialect_options["sqlite"].get("where")
            live = where is not None and "deleted_at" in str(where)
        elif isinstance(item, UniqueConstraint):
            live = False
        else:
            continue
        cols = tuple(c.name for c in item.columns)
        if not cols or cols == ("id",):
            continue
        strings = [
            c for c in cols
            if isinstance(table.c[c].type, String) and not c.endswith("_id") and c != "id"
        ]  # fmt: skip
        keys.append(UniqueKey(str(item.name), cols, live, strings[-1] if strings else None))
    return tuple(sorted(keys, key=lambda k: k.name))


class Catalog:
    """The synced tables of a declarative base, in foreign-key order.

    Args:
        base: The declarative base whose mapped classes are inspected (Legajo's ``Base``).
    """

    def __init__(self, base: type[Any] = Base) -> None:
        order = {t.name: i for i, t in enumerate(base.metadata.sorted_tables)}
        found: dict[str, SyncedTable] = {}
        for mapper in base.registry.mappers:
            cls = mapper.class_
            if not getattr(cls, "__synced__", False):
                continue
            table = mapper.local_table
            assert isinstance(table, Table)
            excluded = frozenset(getattr(cls, "__feed_exclude__", frozenset()))
            columns = tuple(c.name for c in table.columns)
            found[table.name] = SyncedTable(
                name=table.name,
                table=table,
                rank=order[table.name],
                columns=columns,
                travelling=frozenset(c for c in columns if c not in excluded),
                decoders={c.name: _decoder(c) for c in table.columns},
                lengths={
                    c.name: int(c.type.length)
                    for c in table.columns
                    if isinstance(c.type, String) and c.type.length
                },
                unique_keys=_unique_keys(table),
            )
        self.ordered: tuple[SyncedTable, ...] = tuple(sorted(found.values(), key=lambda t: t.rank))
        self.tables: dict[str, SyncedTable] = {t.name: t for t in self.ordered}

    def get(self, name: str) -> SyncedTable | None:
        return self.tables.get(name)

    def names(self) -> list[str]:
        return [t.name for t in self.ordered]


@cache
def default_catalog() -> Catalog:
    """The catalog of Legajo's models (built once; the models are fixed for a process)."""
    import archive.db.models  # noqa: F401 - registers every table

    return Catalog(Base)


def quarantine_value(value: str, row_id: str, length: int | None) -> str:
    """The value a losing duplicate gets: the original plus a tag derived from its row id.

    Deterministic (the central database and every workstation compute the same text), visibly
    marked with ``~`` so a person spots it, and within the column's length.
    """
    tag = "~" + hashlib.sha1(row_id.encode("ascii")).hexdigest()[:6]
    if length is None or len(value) + len(tag) <= length:
        return value + tag
    if length > len(tag):
        return value[: length - len(tag)] + tag
    return tag[: max(1, length)]
