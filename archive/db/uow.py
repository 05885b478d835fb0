"""Unit of work: one transaction, rolled back unless committed (STYLE.md 5)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from archive.db.changefeed import FEED_CONTEXT_KEY, FeedContext
from archive.domain.errors import ConflictError
from archive.i18n import N_


class UnitOfWork:
    """A transaction over one session.

    Nothing sticks without :meth:`commit`; leaving the block rolls back and closes. With
    ``write=True`` a SQLite transaction begins ``IMMEDIATE`` (takes the write lock up front), so
    two processes on one file serialise instead of failing half-way. A stale edit (optimistic
    lock) or a uniqueness race raises :class:`ConflictError` at commit.
    """

    session: Session

    def __init__(
        self, factory: sessionmaker[Session], feed: FeedContext | None, *, write: bool = True
    ) -> None:
        self._factory = factory
        self._feed = feed
        self._write = write

    def __enter__(self) -> Self:
        self.session = self._factory()
        if self._feed is not None:
            self.session.info[FEED_CONTEXT_KEY] = self._feed
        if self._write:
            self.session.connection(execution_options={"legajo_begin": "IMMEDIATE"})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as e:
            raise stale_conflict() from e

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as e:
            self.session.rollback()
            raise stale_conflict() from e
        except IntegrityError as e:
            self.session.rollback()
            raise ConflictError(
                "db.integrity",
                N_("Otro cambio ocupó el mismo código o número; recargue e intente de nuevo."),
                detail=str(e.orig),
            ) from e


def stale_conflict() -> ConflictError:
    return ConflictError(
        "db.stale",
        N_("Otra persona modificó este registro mientras usted lo editaba. Recargue e intente de nuevo."),
    )
