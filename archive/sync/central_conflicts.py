"""Turning the merge's findings into stored conflicts: both versions, each with who/when/where.

The incoming version's author is the pushed change itself. The version in force is found in the
history of the row (the latest change that wrote one of the fields: first among the batch's own
earlier changes, then in ``sync_change``), else in its clocks. User ids become user names
through the central copy of ``app_user``, so the person deciding sees names, not ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from archive.db.models import SyncConflict, User
from archive.domain.ids import uuid7
from archive.sync.central_models import ServerChange
from archive.sync.changes import Change, RowClock
from archive.sync.tables import CENTRAL_ORIGIN


@dataclass
class Draft:
    """A conflict found while merging, before it becomes a ``sync_conflict`` row.

    Attributes:
        kind: The conflict kind.
        table: Table of the row concerned.
        row_id: The row concerned (the one whose incoming change lost or was flagged).
        fields: The fields at stake.
        left: Encoded values in force centrally (or the holder's, for a duplicate).
        right: Encoded incoming values.
        right_meta: Who/when/where of the incoming change.
        applied: ``left`` or ``right``: which version is in force now.
        index: Position of the incoming change in its batch.
        left_row: The row whose history tells who wrote the left version.
        other_id: Another row involved (duplicate holder, over-full location).
        detail: Extra facts (JSON-ready).
    """

    kind: str
    table: str
    row_id: str
    fields: list[str]
    left: dict[str, Any]
    right: dict[str, Any]
    right_meta: dict[str, Any]
    applied: str
    index: int
    left_row: str
    other_id: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Written:
    """An effective change already decided in this batch (for the history lookup)."""

    index: int
    change: Change
    fields: Mapping[str, Any]


def hlc_time(hlc: int) -> str:
    """The wall time part of a hybrid logical clock, as ISO text."""
    return datetime.fromtimestamp((hlc >> 16) / 1000, UTC).isoformat()


class ConflictBuilder:
    """Fills in the left versions' authors and stores the conflicts of one batch.

    Args:
        conn: The central connection (inside the batch's transaction).
        clocks: Row clocks of the batch (fallback for authors the history does not know).
        now: The batch's time.
    """

    def __init__(self, conn: Connection, clocks: Mapping[tuple[str, str], RowClock], now: datetime) -> None:
        self._conn = conn
        self._clocks = clocks
        self._now = now

    def _left_meta(self, draft: Draft, written: Sequence[Written]) -> dict[str, Any]:
        wanted = set(draft.fields)
        for w in reversed(written):
            c = w.change
            if w.index < draft.index and c.table == draft.table and c.row_id == draft.left_row and (
                c.op == "I" or wanted & set(w.fields)
            ):
                return c.meta()
        history = self._conn.execute(
            select(ServerChange.op, ServerChange.fields, ServerChange.origin, ServerChange.user_id,
                   ServerChange.at, ServerChange.hlc, ServerChange.change_id)
            .where(ServerChange.table_name == draft.table, ServerChange.row_id == draft.left_row)
            .order_by(ServerChange.server_seq.desc()).limit(200)
        )  # fmt: skip
        for h in history:
            if h.op == "I" or wanted & set(h.fields or {}):
                return {"origin": h.origin, "user_id": h.user_id, "at": h.at.isoformat(),
                        "hlc": h.hlc, "change_id": h.change_id}  # fmt: skip
        clock = self._clocks.get((draft.table, draft.left_row))
        hlc, origin = clock.of(draft.fields[0]) if clock else (0, "")
        return {"origin": origin, "user_id": None, "at": hlc_time(hlc) if hlc else None,
                "hlc": hlc, "change_id": None}  # fmt: skip

    def store(self, drafts: Sequence[Draft], written: Sequence[Written], hlcs: Sequence[int]) -> list[Change]:
        """Insert the conflicts; return their insert changes (origin CENTRAL) for the feed.

        Args:
            drafts: The conflicts of the batch.
            written: The batch's effective changes so far, in change order.
            hlcs: One central clock value per draft.
        """
        if not drafts:
            return []
        metas = [(self._left_meta(d, written), d.right_meta) for d in drafts]
        ids = {m.get("user_id") for pair in metas for m in pair} - {None}
        names: dict[str, str] = {}
        if ids:
            query = select(User.id, User.username).where(User.id.in_(sorted(str(i) for i in ids)))
            names = {str(k): str(v) for k, v in self._conn.execute(query)}
        rows: list[dict[str, Any]] = []
        changes: list[Change] = []
        for d, (left_meta, right_meta), hlc in zip(drafts, metas, hlcs, strict=True):
            left = {"values": d.left, **left_meta, "username": names.get(str(left_meta.get("user_id")), "")}
            right = {"values": d.right, **right_meta, "username": names.get(str(right_meta.get("user_id")), "")}
            row_id = uuid7()
            row: dict[str, Any] = {
                "id": row_id, "created_at": self._now, "updated_at": self._now, "version": 1,
                "origin": CENTRAL_ORIGIN, "deleted_at": None, "kind": d.kind,
                "table_name": d.table, "row_id": d.row_id, "other_id": d.other_id,
                "fields": list(d.fields), "left": left, "right": right, "applied": d.applied,
                "detail": d.detail, "state": "abierto", "resolution": None, "resolved_by": "",
                "resolved_at": None, "resolved_on": "",
            }  # fmt: skip
            rows.append(row)
            encoded = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
            changes.append(Change(uuid7(), SyncConflict.__tablename__, row_id, "I", encoded, hlc,
                                  CENTRAL_ORIGIN, None, self._now))  # fmt: skip
        self._conn.execute(insert(SyncConflict), rows)
        return changes
