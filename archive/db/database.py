"""The database handle the composition root builds once and hands to the services."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from archive.db import changefeed, migrate
from archive.db.changefeed import FeedContext
from archive.db.checkpoint import WalCheckpointer
from archive.db.engine import make_engine, sqlite_file
from archive.db.models.feed import LocalState
from archive.db.uow import UnitOfWork


class Database:
    """Engine + session factory with the change feed installed; on a SQLite file, the WAL
    checkpoints run on a thread of their own (:mod:`archive.db.checkpoint`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        changefeed.install(self.sessions)
        path = sqlite_file(engine)
        self.checkpointer = WalCheckpointer(engine, Path(path)) if path else None

    @classmethod
    def open(cls, url: str) -> Database:
        """Open (and migrate, refusing newer/foreign/corrupt databases) the database at ``url``."""
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    def uow(self, feed: FeedContext | None, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.sessions, feed, write=write)

    def local(self, key: str) -> str | None:
        with self.sessions() as s:
            row = s.get(LocalState, key)
            return row.value if row else None

    def local_values(self) -> dict[str, str]:
        with self.sessions() as s:
            return {r.key: r.value for r in s.scalars(select(LocalState))}

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()
