"""Engine factory: SQLite per workstation (the embedded default) or PostgreSQL (central, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

DB_FILENAME = "legajo.sqlite3"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+pysqlite:///{(data_dir / DB_FILENAME).as_posix()}"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with Legajo's connection settings.

    SQLite: WAL (readers never block the writer), ``foreign_keys=ON``, ``synchronous=FULL``
    (a scan that said "moved" survives a power cut), a busy timeout so the CLI and the GUI can
    share a file. Transactions begin ``IMMEDIATE`` when written to, through the unit of work.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, poolclass=NullPool if _memory(url) else None)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


#: Page cache for bulk jobs that rewrite a large share of a big table (MiB). SQLite's default
#: (2 MiB) makes a million-row UPDATE with its indexes re-read and re-write the same pages: 29 s
#: against 14 s with 256 MiB on the 1M demo database (bench_retention, 26/11/2026).
BULK_CACHE_MIB = 256


@contextmanager
def bulk_page_cache(conn: Connection, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """On SQLite, a larger page cache for the duration of a bulk job on ``conn``; elsewhere
    nothing. The connection's own setting is restored afterwards (the memory is given back)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    # The temp schema has its own cache: bulk jobs stage rows in temp tables too.
    before = {
        schema: conn.exec_driver_sql(f"PRAGMA {schema}.cache_size").scalar()
        for schema in ("main", "temp")
    }
    for schema in before:
        conn.exec_driver_sql(f"PRAGMA {schema}.cache_size = {-abs(int(mib)) * 1024}")
    try:
        yield
    finally:
        for schema, size in before.items():
            conn.exec_driver_sql(f"PRAGMA {schema}.cache_size = {int(size or -2000)}")


def sqlite_file(engine: Engine) -> str | None:
    """The file behind a SQLite engine; None for another database or an in-memory one."""
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    return (
        None if not path or ":memory:" in path or engine.url.query.get("mode") == "memory" else path
    )


def _memory(url: str) -> bool:
    return ":memory:" in url or url.endswith("sqlite://") or url.endswith("sqlite+pysqlite://")


def _sqlite_on_connect(dbapi_conn: Any, record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are unreliable).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("legajo_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
