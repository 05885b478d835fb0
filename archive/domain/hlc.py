"""Hybrid logical clock (HLC) for ordering changes across workstations.

A timestamp is one integer: physical milliseconds << 16 | logical counter. It never goes
backwards on a workstation even if the wall clock does, and ``observe`` folds in timestamps
received from other workstations so causally later changes always compare greater.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

LOGICAL_BITS = 16
_LOGICAL_MASK = (1 << LOGICAL_BITS) - 1


def pack(ms: int, logical: int) -> int:
    return (ms << LOGICAL_BITS) | logical


def unpack(value: int) -> tuple[int, int]:
    return value >> LOGICAL_BITS, value & _LOGICAL_MASK


class HybridClock:
    """Thread-safe HLC. ``wall_ms`` is injectable so tests can drive time."""

    def __init__(self, last: int = 0, wall_ms: Callable[[], int] | None = None) -> None:
        self._last = last
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last

    def now(self) -> int:
        """A new timestamp, greater than every one issued or observed before."""
        with self._lock:
            wall = self._wall_ms()
            ms, logical = unpack(self._last)
            self._last = pack(wall, 0) if wall > ms else pack(ms, logical + 1)
            return self._last

    def reserve(self, count: int) -> range:
        """``count`` new timestamps at once, consecutive and each greater than every one issued or
        observed before (what ``count`` calls of :meth:`now` give within one millisecond): for
        bulk jobs that stamp thousands of changes."""
        with self._lock:
            wall = self._wall_ms()
            ms, logical = unpack(self._last)
            first = pack(wall, 0) if wall > ms else pack(ms, logical + 1)
            self._last = first + max(count, 1) - 1
            return range(first, first + count)

    def observe(self, remote: int) -> None:
        """Fold in a timestamp seen from another workstation."""
        with self._lock:
            if remote > self._last:
                self._last = remote
