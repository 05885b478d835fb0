"""The Whoosh adapter of the :class:`~archive.search.port.SearchIndex` port.

Reading: each thread gets its own Whoosh searcher (Whoosh readers seek shared file objects, so
one searcher must not serve two threads), reopened when a commit or a rebuild made it stale.
Never ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 it reuses segment readers with their old
deletions and resurrects merged-away segments (duplicate and deleted records in results).

Writing: one writer at a time, guarded in the process by a lock and across processes by Whoosh's
OS-level file lock (``flock``/``msvcrt``), both with a timeout. The OS releases that lock when
its process dies, so a writer killed with SIGKILL leaves no stale lock behind; what it can leave
(orphan segment files, TOC temporaries, the pool's temp directory) is removed by the next
writer. The writer context manager cancels and re-raises on any error: nothing is committed
after a failure. Never ``BufferedWriter`` (measured 478 s for 1,000 updates).

Maintenance (rebuild, verify, optimize) lives in :mod:`archive.search.maintenance`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.index import IndexError as WhooshIndexError

from archive.domain.errors import LegajoError
from archive.domain.progress import Cancelled, Progress

from . import maintenance, patches, queries
from .errors import SearchIndexLocked, SearchIndexUnavailable, SearchUpdateConflict
from .facets import FacetCache, count_facets, warm
from .pool import new_writer
from .port import (
    DEFAULT_FACETS,
    DocSource,
    FacetCounts,
    HealthState,
    IndexHealth,
    OptimizeReport,
    RebuildReport,
    SearchDoc,
    SearchResult,
)
from .query import SearchQuery, parse_query
from .schema import (
    FACET_FIELD,
    ID,
    META_ID,
    SCHEMA_VERSION,
    TEXT,
    build_schema,
    doc_fields,
    meta_fields,
)
from .storage import (
    INDEX_NAME,
    INFO_FILE,
    DurableFileStorage,
    IndexRoot,
    read_json,
    read_owner,
    remove_toc_temps,
    update_manifest,
    write_owner,
)

log = logging.getLogger(__name__)
patches.install()

#: Errors raised by Whoosh when index files are damaged (it also raises bare ``Exception``).
_DATA_ERRORS = (
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    ValueError,
    KeyError,
    IndexError,
    WhooshIndexError,
)


class WhooshSearchIndex:
    """A :class:`~archive.search.port.SearchIndex` stored in a directory with Whoosh.

    Creating the object touches no file. Call :meth:`verify` on start; when it says
    ``needs_rebuild``, call :meth:`rebuild` (an empty source creates an empty index).

    Args:
        root: The index root directory (created when needed).
        lock_timeout: Seconds to wait for the writer lock before :class:`SearchIndexLocked`.
        rank_max_df: Rank with BM25 only when the rarest query word is in fewer records than
            this; otherwise return the first matches unranked (keeps Enter under ~25 ms at 1M).
        few_results: Widen the search (prefixes, one typo) when it found fewer than this.
        min_typo_length: Shortest word given typo tolerance.
        rebuild_segment_docs: Records per segment of a rebuild, which holds one segment's
            postings in memory (~0.4 KB per record).
    """

    def __init__(
        self,
        root: Path | str,
        *,
        lock_timeout: float = 10.0,
        rank_max_df: int = 5_000,
        few_results: int = 3,
        min_typo_length: int = 5,
        rebuild_segment_docs: int = maintenance.SEGMENT_DOCS,
    ) -> None:
        self.root = IndexRoot(Path(root))
        self.lock_timeout = lock_timeout
        self.rank_max_df = rank_max_df
        self.few_results = few_results
        self.min_typo_length = min_typo_length
        self.rebuild_segment_docs = rebuild_segment_docs
        self.schema = build_schema()
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._ix: Any = None
        self._gen_dir: Path | None = None
        self._stamp: tuple[int, int] | None = None
        self._epoch = 0
        self._local = threading.local()
        self._searchers: set[Any] = set()
        self._facets = FacetCache()
        self._closed = False

    # -- opening -------------------------------------------------------------------------------

    def _current(self) -> tuple[Any, Path, int]:
        """The open index of the live generation (reopened when CURRENT changed)."""
        if self._closed:
            raise SearchIndexUnavailable("closed", "index closed")
        with self._state_lock:
            stamp = self.root.pointer_stamp()
            if self._ix is None or stamp != self._stamp:
                self._ix, self._gen_dir = self._open_generation()
                self._stamp = stamp
                self._epoch += 1
                self._facets.clear()
            assert self._gen_dir is not None
            return self._ix, self._gen_dir, self._epoch

    def _open_generation(self) -> tuple[Any, Path]:
        gen_dir = self.root.current_generation()
        if gen_dir is None:
            raise SearchIndexUnavailable(
                HealthState.MISSING, f"no live generation in {self.root.root}"
            )
        info = read_json(gen_dir / INFO_FILE)
        if info is None:
            raise SearchIndexUnavailable(
                HealthState.CORRUPT, f"{INFO_FILE} unreadable in {gen_dir}"
            )
        if info.get("schema_version") != SCHEMA_VERSION:
            raise SearchIndexUnavailable(
                HealthState.OUTDATED, f"schema {info.get('schema_version')} != {SCHEMA_VERSION}"
            )
        try:
            ix = FileIndex(
                DurableFileStorage(str(gen_dir)), schema=self.schema, indexname=INDEX_NAME
            )
        except EmptyIndexError as exc:
            raise SearchIndexUnavailable(HealthState.CORRUPT, f"no TOC in {gen_dir}") from exc
        except Exception as exc:
            raise SearchIndexUnavailable(HealthState.CORRUPT, repr(exc)) from exc
        return ix, gen_dir

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Any]:
        """This thread's searcher; damaged files surface as ``SearchIndexUnavailable``."""
        try:
            yield self._searcher()
        except LegajoError:
            raise
        except _DATA_ERRORS as exc:
            raise SearchIndexUnavailable(HealthState.CORRUPT, repr(exc)) from exc
        except Exception as exc:
            if type(exc) is Exception:  # Whoosh's "Block tag error" and friends
                raise SearchIndexUnavailable(HealthState.CORRUPT, repr(exc)) from exc
            raise

    def _searcher(self) -> Any:
        ix, _gen_dir, epoch = self._current()
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None:
            if local.epoch == epoch and ix.latest_generation() == local.toc_generation:
                return searcher
            self._drop_searcher(searcher)
        searcher = ix.searcher()
        local.searcher = searcher
        local.epoch = epoch
        local.toc_generation = searcher.reader().generation()
        with self._state_lock:
            self._searchers.add(searcher)
        return searcher

    def _drop_searcher(self, searcher: Any) -> None:
        with self._state_lock:
            self._searchers.discard(searcher)
        with contextlib.suppress(Exception):
            searcher.close()
        self._local.searcher = None

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(
        self, mergetype: Callable[[Any, list[Any]], list[Any]] = maintenance.commit_merge
    ) -> Iterator[Any]:
        """A Whoosh writer that commits on success and cancels (then re-raises) on any error.

        Raises:
            SearchIndexLocked: the lock was not obtained within ``lock_timeout``.
        """
        deadline = time.monotonic() + self.lock_timeout
        if not self._write_lock.acquire(timeout=self.lock_timeout):
            raise SearchIndexLocked(
                owner=f"pid {os.getpid()} (otro hilo)", timeout=self.lock_timeout
            )
        try:
            ix, gen_dir, _epoch = self._current()
            try:
                writer = new_writer(ix, timeout=max(0.0, deadline - time.monotonic()), delay=0.05)
            except LockError:
                raise SearchIndexLocked(
                    owner=_describe_owner(read_owner(gen_dir)), timeout=self.lock_timeout
                ) from None
            write_owner(gen_dir)
            remove_toc_temps(gen_dir)
            try:
                yield writer
            except BaseException:
                _cancel_quietly(writer)
                raise
            try:
                writer.commit(mergetype=mergetype)
            except BaseException:
                if not writer.is_closed:
                    _cancel_quietly(writer)
                raise
            self._after_commit(ix, gen_dir)
        finally:
            self._write_lock.release()

    def _after_commit(self, ix: Any, gen_dir: Path) -> None:
        segment_ids = {s.segment_id() for s in maintenance.read_segments(ix)}
        update_manifest(gen_dir, segment_ids)
        self._facets.retain(segment_ids)

    def update(
        self,
        docs: Iterable[SearchDoc] = (),
        deletes: Iterable[str] = (),
        *,
        cursor: int | None = None,
    ) -> None:
        """Add or replace ``docs`` and remove ``deletes`` (ids) in one commit.

        Idempotent: applying the same batch twice leaves the same index. Within a batch the last
        document of an id wins. When ``cursor`` is given it is stored in the same commit, so it
        is never ahead of the documents (see :meth:`stored_cursor`).

        Raises:
            SearchUpdateConflict: an id is both in ``docs`` and ``deletes``.
            ValidationError: ``search.doc.invalid``; nothing of the batch is committed.
            SearchIndexLocked: the writer lock was not obtained in time.
            SearchIndexUnavailable: the index is missing, corrupt or outdated.
        """
        batch: dict[str, SearchDoc] = {}
        for doc in docs:
            batch[doc.id] = doc
        removed = list(dict.fromkeys(deletes))
        conflict = sorted(set(removed) & batch.keys())
        if conflict:
            raise SearchUpdateConflict(conflict[:10])
        if not batch and not removed and cursor is None:
            return
        with self._writing() as writer:
            for doc_id in (*batch, *removed):
                writer.delete_by_term(ID, doc_id)
            for doc in batch.values():
                writer.add_document(**doc_fields(doc))
            if cursor is not None:
                writer.delete_by_term(ID, META_ID)
                writer.add_document(**meta_fields(cursor))

    def delete(self, ids: Iterable[str], *, cursor: int | None = None) -> None:
        """Remove records by id in one commit (unknown ids are ignored)."""
        self.update((), ids, cursor=cursor)

    def stored_cursor(self) -> int | None:
        """The change-feed cursor stored with the last commit that carried one, or None."""
        with self._reading() as searcher:
            return maintenance.cursor_of(searcher)

    # -- searching -----------------------------------------------------------------------------

    def type_ahead(self, text: str | SearchQuery, limit: int = 20) -> SearchResult:
        """As-you-type search: every word is a prefix (term lookups on the edge n-gram field),
        AND-ed with the filters; unranked, newest segments first, stops after ``limit``.

        Words of one character are ignored; a query left with no usable word returns nothing.
        """
        query = _as_query(text)
        clauses = queries.prefix_clauses(query)
        if query.is_empty or (query.words and not clauses):
            return SearchResult.empty(query)
        with self._reading() as searcher:
            compiled = queries.compile_filters(query, searcher.reader()).plus(clauses)
            if compiled.impossible:
                return SearchResult.empty(query)
            hits, more = queries.first_hits(searcher, compiled.build(), limit)
        return SearchResult(hits, None if more else len(hits), False, more, query=query)

    def search(self, query: str | SearchQuery, limit: int = 20) -> SearchResult:
        """Whole-word search (the Enter key).

        BM25-ranked when the rarest word is in fewer than ``rank_max_df`` records; otherwise the
        first matches unranked. When fewer than ``few_results`` records match, a second pass
        also accepts each word as a prefix and, from ``min_typo_length`` letters, with one typing
        error; its extra hits follow the exact ones (``fuzzy`` is then True).
        """
        parsed = _as_query(query)
        if parsed.is_empty:
            return SearchResult.empty(parsed)
        with self._reading() as searcher:
            filters = queries.compile_filters(parsed, searcher.reader())
            if filters.impossible:
                return SearchResult.empty(parsed)
            terms = queries.word_terms(parsed)
            if not terms:
                if parsed.words:
                    return SearchResult.empty(parsed)
                hits, more = queries.first_hits(searcher, filters.build(), limit)
                return SearchResult(hits, None if more else len(hits), False, more, query=parsed)
            result = self._exact(searcher, parsed, filters, terms, limit)
            if result.total is not None and result.total < self.few_results:
                result = self._widened(searcher, parsed, filters, result, limit)
        return result

    def _exact(
        self,
        searcher: Any,
        parsed: SearchQuery,
        filters: queries.Compiled,
        terms: list[str],
        limit: int,
    ) -> SearchResult:
        rarest = min(searcher.doc_frequency(TEXT, t) for t in terms)
        if rarest == 0:
            return SearchResult.empty(parsed)
        if rarest < self.rank_max_df:
            q = filters.plus(queries.exact_clauses(terms, scored=True)).build()
            return queries.ranked(searcher, q, limit, parsed, self.rank_max_df)
        q = filters.plus(queries.exact_clauses(terms, scored=False)).build()
        hits, more = queries.first_hits_by_sets(searcher, q, limit)
        return SearchResult(hits, None if more else len(hits), False, more, query=parsed)

    def _widened(
        self,
        searcher: Any,
        parsed: SearchQuery,
        filters: queries.Compiled,
        exact: SearchResult,
        limit: int,
    ) -> SearchResult:
        words = queries.widened_clauses(parsed, searcher, self.min_typo_length)
        if not words or min(w.doc_frequency for w in words) == 0:
            return exact
        q = filters.plus(w.clause for w in words).build()
        if min(w.doc_frequency for w in words) < self.rank_max_df:
            wide = queries.ranked(searcher, q, limit + len(exact.hits), parsed, self.rank_max_df)
            total: int | None = wide.total
        else:
            found, _more = queries.first_hits_by_sets(searcher, q, limit + len(exact.hits))
            wide = SearchResult(found, None, False, _more, query=parsed)
            total = None
        seen = {h.id for h in exact.hits}
        extra = [h for h in wide.hits if h.id not in seen]
        if not extra:
            return exact
        hits = (*exact.hits, *extra)[:limit]
        more = total > len(hits) if total is not None else True
        return SearchResult(hits, total, exact.ranked or wide.ranked, more, True, parsed)

    def facets(
        self, query: str | SearchQuery, fields: Sequence[str] = DEFAULT_FACETS
    ) -> FacetCounts:
        """Counts of the records matching ``query`` (its exact words and filters) by facet.

        The first call after a rebuild or a merge builds a per-segment table (about a second
        per facet at a million records); later calls only count.
        """
        unknown = [f for f in fields if f not in FACET_FIELD]
        if unknown:
            raise ValueError(f"unknown facets: {unknown}")
        parsed = _as_query(query)
        with self._reading() as searcher:
            q: Any | None = None
            if not parsed.is_empty:
                compiled = queries.compile_filters(parsed, searcher.reader())
                terms = queries.word_terms(parsed)
                if compiled.impossible or (parsed.words and not terms):
                    return FacetCounts(0, {name: () for name in fields})
                q = compiled.plus(queries.exact_clauses(terms, scored=False)).build()
            return count_facets(searcher, q, self._facets, fields)

    def warm_facets(self, fields: Sequence[str] = DEFAULT_FACETS) -> int:
        """Build the facet tables of segments that lack them (after opening, a rebuild, a merge
        or new documents), so the first facet count a person asks for only counts. Call it off the
        GUI thread; returns how many tables were built."""
        with self._reading() as searcher:
            return warm(searcher, self._facets, fields)

    # -- maintenance ---------------------------------------------------------------------------

    def rebuild(
        self,
        source: DocSource,
        total: int | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        *,
        cursor: int | None = None,
    ) -> RebuildReport:
        """Build a new generation from ``source`` and swap it in atomically.

        Searches and updates keep using the old generation until the swap. Updates applied to
        the old generation during the rebuild are lost with it, which is why ``cursor`` must be
        the change-feed position the source was read at: after the swap,
        :meth:`stored_cursor` returns it and the indexer re-applies what came after.

        Args:
            source: The documents, or a callable returning them (called once).
            total: Number of documents, for progress (None if unknown).
            progress: ``progress(done, total, label)``, called every 1,000 documents.
            cancelled: Polled every 1,000 documents; when true the build is discarded and
                :class:`~archive.domain.progress.JobCancelled` raised.
            cursor: Change-feed cursor to store with the new index.

        Raises:
            JobCancelled: cancelled; the live index is untouched.
            SearchIndexLocked: another rebuild is running.
        """
        report = maintenance.rebuild(
            self.root,
            self.schema,
            source,
            total=total,
            progress=progress,
            cancelled=cancelled,
            cursor=cursor,
            lock_timeout=self.lock_timeout,
            segment_docs=self.rebuild_segment_docs,
        )
        self._retire_generation()
        return report

    def _retire_generation(self) -> None:
        """Forget the open generation so the next call opens the new one, then remove the old
        one, unless an update of this process is still writing into it (removed later)."""
        got_writer = self._write_lock.acquire(timeout=self.lock_timeout)
        try:
            with self._state_lock:
                self._ix = None
                self._stamp = None
            if got_writer:
                maintenance.remove_stale_generations(self.root)
        finally:
            if got_writer:
                self._write_lock.release()

    def verify(self, *, deep: bool = False) -> IndexHealth:
        """Check the live generation: schema version, files against the manifest (sizes; with
        ``deep``, checksums too), that it opens and answers a search, the stored cursor, the
        document count, and whether another process holds the writer lock. Never raises for
        these expected states."""
        own_writer_busy = self._write_lock.locked()
        return maintenance.verify(self.root, self.schema, deep=deep, probe_lock=not own_writer_busy)

    def optimize_step(self, max_docs: int | None = 5_000) -> OptimizeReport:
        """Merge the smallest segments (up to ``max_docs`` documents in all) and the small
        segments with many deletions, in one commit. ``max_docs=None`` merges everything (at a
        million records, minutes: schedule it). Call it in the background when idle."""
        ix, _gen_dir, _epoch = self._current()
        plan = maintenance.merge_plan(maintenance.read_segments(ix), max_docs)
        if not plan:
            return OptimizeReport(0, len(maintenance.read_segments(ix)), True)
        with self._writing(mergetype=maintenance.merge_policy(plan)):
            pass
        segments = maintenance.read_segments(ix)
        return OptimizeReport(
            len(plan), len(segments), not maintenance.merge_plan(segments, max_docs)
        )

    def close(self) -> None:
        """Close every searcher. The object is unusable afterwards."""
        with self._state_lock:
            searchers, self._searchers = self._searchers, set()
            self._ix = None
            self._closed = True
        for searcher in searchers:
            with contextlib.suppress(Exception):
                searcher.close()
        self._facets.clear()


def _as_query(text: str | SearchQuery) -> SearchQuery:
    return text if isinstance(text, SearchQuery) else parse_query(text)


def _cancel_quietly(writer: Any) -> None:
    """Cancel a writer during error handling; a failure to cancel must not mask the error."""
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:
        log.exception("could not cancel the search index writer")
        with contextlib.suppress(Exception):
            if writer.writelock is not None:
                writer.writelock.release()


def _describe_owner(owner: dict[str, Any]) -> str:
    pid = owner.get("pid")
    host = owner.get("host")
    if pid is None:
        return "?"
    where = "" if host in (None, socket.gethostname()) else f" @ {host}"
    return f"pid {pid}{where}"
