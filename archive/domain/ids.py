"""Typed identifiers and UUIDv7 generation.

Primary keys are UUIDv7 strings made on the workstation: time-ordered (good B-tree locality
in SQLite and PostgreSQL) and unique across workstations without a server. ``NewType`` ids keep
ids of different things from being mixed up by the type checker.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import NewType

UserId = NewType("UserId", str)
RoleId = NewType("RoleId", str)
DependenciaId = NewType("DependenciaId", str)
WorkstationId = NewType("WorkstationId", str)
ExpedienteId = NewType("ExpedienteId", str)
UnitId = NewType("UnitId", str)
LocationId = NewType("LocationId", str)

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def uuid7() -> str:
    """A UUIDv7 (RFC 9562) string, monotonic within this process.

    48-bit Unix milliseconds, then a 12-bit counter seeded randomly each millisecond (so ids
    made in the same millisecond still sort in creation order), then 62 random bits.
    """
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _seq = int.from_bytes(os.urandom(2), "big") & 0x7FF  # leave room to count up
        else:
            _seq += 1
            if _seq > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _seq = 0
            ms = _last_ms
        seq = _seq
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= rand
    return str(uuid.UUID(int=value))


def uuid7_time_ms(value: str) -> int:
    """The Unix millisecond timestamp embedded in a UUIDv7 string."""
    return uuid.UUID(value).int >> 80
