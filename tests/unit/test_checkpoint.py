"""The WAL checkpointer: commits leave the copy into the database file to its thread."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from archive.db.checkpoint import BACKSTOP_PAGES, LOG_SIZE_LIMIT, POLL_SECONDS, THRESHOLD_PAGES
from archive.db.database import Database
from archive.db.engine import make_engine, sqlite_file, sqlite_url


def _eventually(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Whether ``condition`` holds within ``seconds`` (a liveness wait, not a speed check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _fill(db: Database, pages: int) -> None:
    """Commit about ``pages`` pages of new rows in one transaction (through the engine)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (x BLOB)")
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO scratch SELECT randomblob(3000) FROM n",
            (pages,),
        )


def _pending(path: Path) -> tuple[int, int]:
    """(frames in the log, frames already copied) as a passive checkpoint from outside sees
    them; it copies what is left, so call it only to look after the fact."""
    with sqlite3.connect(path) as conn:
        _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames, copied


def test_the_writers_leave_checkpoints_to_the_thread(tmp_path) -> None:
    db = Database.open(sqlite_url(tmp_path))
    assert db.checkpointer is not None
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == LOG_SIZE_LIMIT
    _fill(db, 2 * THRESHOLD_PAGES)
    # The commit itself copied nothing (SQLite's own checkpoint would have, past 1,000
    # pages); the thread, looking at the log's size, does.
    assert _eventually(lambda: db.checkpointer is not None and db.checkpointer.checkpoints >= 1)
    frames, copied = _pending(tmp_path / "legajo.sqlite3")
    assert frames > THRESHOLD_PAGES and frames == copied
    db.close()


def test_a_second_batch_is_copied_though_the_log_file_does_not_grow(tmp_path) -> None:
    """After a pass the next commits rewrite the log from its start: the file keeps its size,
    so the thread counts the pages not yet copied (from ``-shm``), not the file's size."""
    db = Database.open(sqlite_url(tmp_path))
    assert db.checkpointer is not None
    _fill(db, 3 * THRESHOLD_PAGES)
    assert _eventually(lambda: db.checkpointer is not None and db.checkpointer.checkpoints >= 1)
    size = (tmp_path / "legajo.sqlite3-wal").stat().st_size
    _fill(db, THRESHOLD_PAGES + 200)
    assert (tmp_path / "legajo.sqlite3-wal").stat().st_size == size
    assert _eventually(lambda: db.checkpointer is not None and db.checkpointer.checkpoints >= 2)
    db.close()


def test_the_backlog_is_read_as_sqlite_counts_it(tmp_path) -> None:
    db = Database.open(sqlite_url(tmp_path))
    assert db.checkpointer is not None
    db.checkpointer.close()  # looked at by hand from here
    _fill(db, 40)
    backlog = db.checkpointer._backlog()
    frames, copied = _pending(tmp_path / "legajo.sqlite3")  # copies them: then none is left
    assert backlog == frames > 40 and copied == frames
    assert db.checkpointer._backlog() == 0
    db.close()


def test_a_small_commit_waits_for_more_and_close_finishes_the_log(tmp_path) -> None:
    db = Database.open(sqlite_url(tmp_path))
    assert db.checkpointer is not None
    _fill(db, 5)
    time.sleep(3 * POLL_SECONDS)  # the thread looked and found too little to copy
    assert db.checkpointer.checkpoints == 0
    db.close()
    assert not db.checkpointer._thread.is_alive()
    assert db.checkpointer.checkpoints == 1  # the last pass at close
    with sqlite3.connect(tmp_path / "legajo.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 5
    db.close()  # closing twice is harmless


def test_only_a_sqlite_file_gets_a_checkpointer(tmp_path) -> None:
    assert sqlite_file(make_engine(sqlite_url(tmp_path))) == str(tmp_path / "legajo.sqlite3")
    for url in ("sqlite+pysqlite:///:memory:", "sqlite://", "postgresql://u@h/db"):
        assert sqlite_file(make_engine(url)) is None
