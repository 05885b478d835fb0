"""WAL checkpoints on a thread of their own, off the path of the commits that fill the log.

In WAL mode a commit appends pages to ``legajo.sqlite3-wal``; a *checkpoint* later copies them
into the database file. By default SQLite runs it inside the commit that takes the log past
1,000 pages, so whoever commits then pays for everyone: a 10,000-line collector file on the
1,000,000-expediente demo database waited ~0.5 s in its commit for the copy of its own 80-190
MB, and a single scan after other writes could stall the same way. SQLite's documentation
suggests this instead for a busy writer: turn the automatic checkpoint off on the writing
connections and run ``PRAGMA wal_checkpoint(PASSIVE)`` from another thread (which SQLite runs
without Python's lock, so on the other core). A passive checkpoint never blocks readers or
writers, and a commit stays durable as before: ``synchronous=FULL`` syncs the log itself.

The checkpointer looks at the log's size every :data:`POLL_SECONDS` and checkpoints when it grew
by :data:`THRESHOLD_PAGES` pages, or changed at all and the last pass is :data:`IDLE_SECONDS`
old; :meth:`close` makes a last pass.
Nothing depends on it for correctness: if it stops, the log grows until the last connection
closes (SQLite checkpoints then) or until :data:`BACKSTOP_PAGES`, where the writers' own
automatic checkpoint takes over again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

#: Pages (4 KiB) of new log before the thread checkpoints: SQLite's own automatic threshold.
THRESHOLD_PAGES = 1000
#: The writers' own automatic checkpoint, kept as a backstop should the thread fall far behind
#: (a log of 1 GiB); a single bulk transaction larger than this still checkpoints in its commit.
BACKSTOP_PAGES = 262_144
#: The log is cut back to this size (bytes) once checkpointed, instead of keeping its peak.
LOG_SIZE_LIMIT = 64 * 1024 * 1024
#: Seconds between looks at the log's size (a ``stat``).
POLL_SECONDS = 0.25
#: A log that changed but grew less than the threshold is checkpointed after this many seconds.
IDLE_SECONDS = 30.0


def writer_settings(dbapi_conn: Any) -> None:
    """What a writing connection needs when a :class:`WalCheckpointer` runs beside it."""
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cur.execute(f"PRAGMA journal_size_limit={LOG_SIZE_LIMIT}")
    cur.close()


class WalCheckpointer:
    """A daemon thread that checkpoints the WAL of the SQLite file behind ``engine``."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.path = path
        self.checkpoints = 0  # completed passes that copied pages (for tests and diagnostics)
        self._wal = Path(f"{path}-wal")
        self._stop = threading.Event()
        self._engine = engine
        event.listen(engine, "connect", self._on_connect)
        engine.dispose()  # connections opened before (the migration's) get the settings anew
        self._thread = threading.Thread(target=self._run, name="legajo-wal-checkpoint", daemon=True)
        self._thread.start()

    @staticmethod
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        writer_settings(dbapi_conn)

    def close(self) -> None:
        """Stop the thread after a last pass over the log; idempotent."""
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
        if event.contains(self._engine, "connect", self._on_connect):
            event.remove(self._engine, "connect", self._on_connect)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error:
            log.exception("WAL checkpointer: cannot open %s", self.path)
            return
        try:
            seen: tuple[int, int] = (0, 0)  # the log's (size, mtime) at the last complete pass
            last = time.monotonic()
            # The thread polls the log's size rather than being woken by each commit: a wake-up
            # per commit cost a scan-to-move ~0.1 ms (1.51 -> 1.60 ms median) in thread switches.
            while True:
                stopping = self._stop.wait(POLL_SECONDS)
                now = self._stat()
                if now == seen and not stopping:
                    continue
                # After a complete pass the next commit rewrites the log from its start, so
                # its size grows only with more than it held: also pass every IDLE_SECONDS.
                if stopping or now[0] - seen[0] >= THRESHOLD_PAGES * 4096 \
                        or time.monotonic() - last >= IDLE_SECONDS:  # fmt: skip
                    if self._pass(conn):
                        seen = now
                    last = time.monotonic()
                if stopping:
                    return
        finally:
            conn.close()

    def _stat(self) -> tuple[int, int]:
        try:
            st = os.stat(self._wal)
        except OSError:
            return (0, 0)
        return (st.st_size, st.st_mtime_ns)

    def _pass(self, conn: sqlite3.Connection) -> bool:
        """One passive checkpoint; whether it copied the whole log (a reader that still needs
        older pages keeps them in it: the next pass tries again)."""
        try:
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            log.exception("WAL checkpoint of %s failed", self.path)
            return False
        if copied > 0:
            self.checkpoints += 1
        return bool(frames == copied)
