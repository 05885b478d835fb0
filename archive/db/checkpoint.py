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

The checkpointer reads the log's backlog (pages not yet copied) every :data:`POLL_SECONDS` and
checkpoints when it reaches :data:`THRESHOLD_PAGES`, or when there is any and the last pass is
:data:`IDLE_SECONDS` old; :meth:`close` makes a last pass.
Nothing depends on it for correctness: if it stops, the log grows until the last connection
closes (SQLite checkpoints then) or until :data:`BACKSTOP_PAGES`, where the writers' own
automatic checkpoint takes over again.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
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
_U32 = struct.Struct("=I")
_SHM_HEAD = 100  # two copies of the 48-byte WAL-index header, then the checkpoint info
#: Seconds between looks at the log's backlog (100 bytes read from ``-shm``).
POLL_SECONDS = 0.25
#: A backlog below the threshold is checkpointed after this many seconds.
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
        self._shm = Path(f"{path}-shm")
        self._closing = threading.Lock()
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
        """Stop the thread after a last pass over the log; idempotent, from any thread."""
        with self._closing:
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
            last = time.monotonic()
            pinned = 0  # frames the last pass could not copy (a reader still needed them)
            # The thread polls rather than being woken by each commit: a wake-up per commit
            # cost a scan-to-move ~0.1 ms (1.51 -> 1.60 ms median) in thread switches.
            while True:
                stopping = self._stop.wait(POLL_SECONDS)
                backlog = self._backlog()
                if backlog < pinned:  # the log restarted, or another process copied it
                    pinned = 0
                new = backlog - pinned
                if (
                    stopping
                    or new >= THRESHOLD_PAGES
                    or (new > 0 and time.monotonic() - last >= IDLE_SECONDS)
                ):
                    done = self._pass(conn)
                    last = time.monotonic()
                    # Busy (another connection is checkpointing): look again at the next poll.
                    pinned = self._backlog() if done else 0
                if stopping:
                    return
        finally:
            conn.close()

    def _backlog(self) -> int:
        """Frames in the log not yet copied into the database file, from the WAL-index header
        in ``-shm`` (https://sqlite.org/walformat.html: ``mxFrame`` at byte 16, the checkpoint's
        ``nBackfill`` at byte 96, native byte order). Read without locks: a read torn by a
        concurrent commit gives a wrong count for one poll, and the next poll reads it again."""
        try:
            with open(self._shm, "rb") as f:
                head = f.read(_SHM_HEAD)
        except OSError:
            return 0
        if len(head) < _SHM_HEAD:
            return 0
        (max_frame,) = _U32.unpack_from(head, 16)
        (backfill,) = _U32.unpack_from(head, 96)
        return max(0, int(max_frame) - int(backfill))

    def _pass(self, conn: sqlite3.Connection) -> bool:
        """One passive checkpoint; False when it could not run (another connection was
        checkpointing: SQLite answers ``(1, -1, -1)``) or failed. Pages a reader still needs
        stay in the log; the next pass copies them."""
        try:
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            log.exception("WAL checkpoint of %s failed", self.path)
            return False
        if copied > 0:
            self.checkpoints += 1
        return not busy and frames >= 0
