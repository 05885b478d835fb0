"""Writing and verifying the hash-chained audit trail.

Every service mutation calls :func:`write_audit` inside its unit of work, so the audit row
commits or rolls back with the change. Rows are chained per workstation: ``hash`` =
SHA-256(prev_hash + canonical JSON of the row). :func:`verify_chain` recomputes every chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, bindparam, func, insert, select

from archive.db.changefeed import encode
from archive.db.models import AuditLog
from archive.db.uow import UnitOfWork
from archive.domain.ids import uuid7
from archive.services.runtime import Actor, Runtime

GENESIS = "0" * 64
_HASHED = (
    "id", "workstation", "chain_seq", "at", "user_id", "username", "program", "module",
    "profile", "host", "ip", "action", "entity", "entity_id", "before", "after", "reason",
    "confirmed", "extra1", "extra2", "extra3", "extra4", "extra5",
)  # fmt: skip


def canonical(values: Mapping[str, Any]) -> str:
    data = {k: encode(values[k]) for k in _HASHED}
    if isinstance(values["at"], datetime):
        data["at"] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_hash(prev_hash: str, values: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode("utf-8")).hexdigest()


def snapshot(obj: Any, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Column values of a mapped object for before/after (secrets excluded)."""
    skip = set(exclude) | set(getattr(type(obj), "__audit_exclude__", ()))
    cols = obj.__table__.columns.keys()
    return {k: encode(getattr(obj, k)) for k in cols if k not in skip}


def write_audit(
    uow: UnitOfWork,
    rt: Runtime,
    actor: Actor,
    *,
    module: str,
    action: str,
    entity: str = "",
    entity_id: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    confirmed: bool = False,
    extras: tuple[str, ...] = (),
) -> str:
    """Append one audit row to this workstation's chain, in ``uow``'s transaction.

    Pending ORM changes are flushed first, so the row follows the changes it records. The row
    is written with Core statements built once: every mutation writes one, and building and
    flushing an ORM object for it cost several times these two statements. The previous hash is read every time (one seek on the unique
    ``(workstation, chain_seq)`` index), not cached in the process: another process on the same
    file (the CLI, a second window) may have appended since, and the write lock a writing unit
    of work takes at BEGIN makes this read-then-append safe. Returns the new row's hash.
    """
    uow.flush()
    conn = uow.session.connection()
    origin = rt.env.origin
    last = conn.execute(_last_link(), {"workstation": origin}).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    padded = (*extras, "", "", "", "", "")[:5]
    values: dict[str, Any] = {
        "id": uuid7(),
        "workstation": origin,
        "chain_seq": seq,
        "at": rt.now(),
        "user_id": actor.user_id,
        "username": actor.username,
        "program": rt.env.program,
        "module": module,
        "profile": f"{rt.env.profile}/{actor.role_code}",
        "host": rt.env.host,
        "ip": rt.env.ip,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "reason": reason,
        "confirmed": confirmed,
        "extra1": padded[0],
        "extra2": padded[1],
        "extra3": padded[2],
        "extra4": padded[3],
        "extra5": padded[4],
    }
    digest = row_hash(prev, values)
    conn.execute(_append(), {**values, "prev_hash": prev, "hash": digest})
    return digest


@cache
def _last_link() -> Select[int, str]:
    return (
        select(AuditLog.chain_seq, AuditLog.hash)
        .where(AuditLog.workstation == bindparam("workstation"))
        .order_by(AuditLog.chain_seq.desc())
        .limit(1)
    )


@cache
def _append() -> Insert:
    return insert(AuditLog)


@dataclass(frozen=True)
class ChainProblem:
    workstation: str
    chain_seq: int
    kind: str  # "hash" (row edited), "link" (row removed or reordered), "gap" (row removed)


@dataclass
class VerifyReport:
    rows: int = 0
    chains: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(uow: UnitOfWork, batch: int = 5000) -> VerifyReport:
    """Recompute every workstation's chain; report each broken link."""
    report = VerifyReport()
    session = uow.session
    stations = session.scalars(select(AuditLog.workstation).distinct()).all()
    cols = [getattr(AuditLog, c) for c in (*_HASHED, "prev_hash", "hash")]
    for station in stations:
        report.chains += 1
        prev, expected_seq = GENESIS, 1
        stream = session.execute(
            select(*cols).where(AuditLog.workstation == station).order_by(AuditLog.chain_seq),
            execution_options={"yield_per": batch},
        )
        for r in stream:
            values: Mapping[str, Any] = dict(r._mapping)
            report.rows += 1
            seq = values["chain_seq"]
            if seq != expected_seq:
                report.problems.append(ChainProblem(station, seq, "gap"))
            if values["prev_hash"] != prev:
                report.problems.append(ChainProblem(station, seq, "link"))
            if row_hash(values["prev_hash"], values) != values["hash"]:
                report.problems.append(ChainProblem(station, seq, "hash"))
            prev, expected_seq = values["hash"], seq + 1
    return report


def last_audit_seq(uow: UnitOfWork, origin: str) -> int:
    return uow.session.scalar(
        select(func.coalesce(func.max(AuditLog.chain_seq), 0)).where(
            AuditLog.workstation == origin
        )
    ) or 0
