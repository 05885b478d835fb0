"""Writes the change feed (DESIGN.md §3) in the same transaction as every change.

A session listener turns each flushed insert/update/delete of a :class:`~archive.db.base.Synced`
object into a ``change_log`` row; :func:`record_bulk` does the same for Core bulk inserts (demo
data, imports). Both go through :func:`_feed_row`, so there is one encoding of a change.
:func:`record_remote` writes changes that were made elsewhere (pulled from the central database)
with their own change id, clock and origin, so the local consumers see them too.

Inserts of one flush are fed parents first (tables in foreign-key order, rows in the order they
were added), so replaying the feed in ``seq`` order on another database never refers to a row
that does not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from archive.db.base import Base, Synced
from archive.db.models.feed import ChangeLog
from archive.db.types import utcnow
from archive.domain.hlc import HybridClock
from archive.domain.ids import uuid7

FEED_CONTEXT_KEY = "legajo.feed"
_CORE_WRITTEN_KEY = "legajo.core_written"


@dataclass
class FeedContext:
    """Who makes the changes of a unit of work, and the clock that orders them."""

    origin: str
    clock: HybridClock
    user_id: str | None = None


def encode(value: Any) -> Any:
    """A JSON-ready form of a column value (ISO dates, UTC ISO timestamps)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _feed_row(
    ctx: FeedContext, table: str, row_id: str, op: str, fields: dict[str, Any]
) -> dict[str, Any]:
    return {
        "change_id": uuid7(),
        "table_name": table,
        "row_id": row_id,
        "op": op,
        "fields": {k: encode(v) for k, v in fields.items()},
        "hlc": ctx.clock.now(),
        "user_id": ctx.user_id,
        "origin": ctx.origin,
        "at": utcnow(),
    }


@cache
def _insert_stmt() -> Insert:
    """The change_log INSERT, built once (statement construction costs more than executing it)."""
    return insert(ChangeLog)


def _columns(obj: Synced) -> list[str]:
    return [c.key for c in inspect(type(obj)).column_attrs]


@cache
def _table_rank() -> dict[str, int]:
    return {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}


def _insert_order(obj: Synced) -> tuple[int, int]:
    """Parents before children: the table's foreign-key rank, then the order rows were added."""
    rank = _table_rank()
    table = obj.__tablename__  # type: ignore[attr-defined]
    return rank.get(table, len(rank)), inspect(obj).insert_order or 0


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    ctx: FeedContext | None = session.info.get(FEED_CONTEXT_KEY)
    if ctx is None:
        return
    for obj in session.new:
        if isinstance(obj, Synced) and not obj.origin:
            obj.origin = ctx.origin


def _after_flush(session: Session, flush_context: Any) -> None:
    ctx: FeedContext | None = session.info.get(FEED_CONTEXT_KEY)
    rows: list[dict[str, Any]] = []
    for obj in sorted((o for o in session.new if isinstance(o, Synced)), key=_insert_order):
        _require(ctx)
        assert ctx is not None
        excluded = type(obj).__feed_exclude__
        fields = {k: getattr(obj, k) for k in _columns(obj) if k not in excluded}
        rows.append(_feed_row(ctx, obj.__tablename__, obj.id, "I", fields))  # type: ignore[attr-defined]
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
            _require(ctx)
            assert ctx is not None
            state = inspect(obj)
            excluded = type(obj).__feed_exclude__
            changed = {
                k: getattr(obj, k)
                for k in _columns(obj)
                if k not in excluded and state.attrs[k].history.has_changes()
            }
            changed["version"] = obj.version
            changed["updated_at"] = obj.updated_at
            rows.append(_feed_row(ctx, obj.__tablename__, obj.id, "U", changed))  # type: ignore[attr-defined]
    for obj in session.deleted:
        if isinstance(obj, Synced):
            _require(ctx)
            assert ctx is not None
            rows.append(_feed_row(ctx, obj.__tablename__, obj.id, "D", {}))  # type: ignore[attr-defined]
    if rows:
        session.connection().execute(_insert_stmt(), rows)


def _require(ctx: FeedContext | None) -> None:
    if ctx is None:
        raise RuntimeError("synced rows changed in a session without a FeedContext")


def install(session_class: Any) -> None:
    """Attach the feed listeners to a sessionmaker (or Session subclass)."""
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "after_soft_rollback", _after_soft_rollback)


def written_with_core(session: Session, obj: Synced, values: dict[str, Any]) -> None:
    """Bring ``obj`` in step after a Core UPDATE wrote ``values`` to its row.

    The values become the object's committed state (a flush would have done the same). Inside a
    savepoint the object is also remembered, so that rolling the savepoint back expires those
    attributes, as the ORM does for the objects it flushed there.
    """
    for key, value in values.items():
        set_committed_value(obj, key, value)
    if session.in_nested_transaction():
        session.info.setdefault(_CORE_WRITTEN_KEY, []).append((obj, list(values)))


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    written: list[tuple[Synced, list[str]]] | None = session.info.pop(_CORE_WRITTEN_KEY, None)
    if written and previous_transaction.nested:
        for obj, keys in written:
            if obj in session:
                session.expire(obj, keys)


def context_of(session: Session) -> FeedContext:
    """The :class:`FeedContext` of a unit of work's session (for changes written with Core)."""
    ctx: FeedContext | None = session.info.get(FEED_CONTEXT_KEY)
    _require(ctx)
    assert ctx is not None
    return ctx


def record_changes(
    connection: Connection,
    ctx: FeedContext,
    changes: list[tuple[type[Synced], str, str, dict[str, Any]]],
) -> None:
    """Feed rows for changes a service wrote with Core statements instead of a flush.

    Each change is ``(model, row id, op, fields)`` and is encoded exactly as the flush listener
    encodes it: for ``"I"`` every column of the new row, for ``"U"`` the changed columns plus the
    new ``version`` and ``updated_at``; the model's ``__feed_exclude__`` columns are left out.
    Pass them in the order the listener would (inserts, then updates, then deletes).
    """
    rows = []
    for model, row_id, op, fields in changes:
        excluded = model.__feed_exclude__
        always = ("version", "updated_at") if op == "U" else ()
        kept = {k: v for k, v in fields.items() if k not in excluded or k in always}
        rows.append(_feed_row(ctx, model.__tablename__, row_id, op, kept))  # type: ignore[attr-defined]
    if rows:
        connection.execute(_insert_stmt(), rows)


def record_bulk(
    connection: Connection, ctx: FeedContext, table: str, rows: list[dict[str, Any]]
) -> None:
    """Feed rows for a Core bulk insert of ``rows`` (each a full column dict with ``id``)."""
    if rows:
        connection.execute(_insert_stmt(), [_feed_row(ctx, table, r["id"], "I", r) for r in rows])


def record_remote(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Feed rows for changes made on another workstation (or by the central database).

    Each row carries its own ``change_id``, ``table_name``, ``row_id``, ``op``, ``fields``
    (already JSON-ready), ``hlc``, ``user_id``, ``origin`` and ``at``: the change keeps its
    identity, so the sync client never sends it back and the consumers see it like a local one.
    """
    if rows:
        connection.execute(_insert_stmt(), rows)
