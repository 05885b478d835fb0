"""The search port: what the rest of Legajo may ask of a search index.

The database is the truth; an index is derived data that can always be rebuilt from it
(DESIGN.md §5). Exact lookups (barcode, code, id) go to SQL, never here. This module holds the
value objects and the :class:`SearchIndex` protocol; ``whoosh_index`` implements it.

The change-feed cursor: the indexer applies ``change_log`` rows in order and passes the id of
the last row it applied as ``cursor`` to :meth:`SearchIndex.update`. The index stores it in the
same commit as the documents, so after any crash :meth:`SearchIndex.stored_cursor` is never
ahead of the indexed data (it may be behind: re-applying a change is idempotent by id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from archive.domain.progress import Cancelled, Progress

from .query import SearchQuery
from .vocabulary import FIELD_KEYS, KINDS, STAGES, STATES

__all__ = [
    "DEFAULT_FACETS",
    "FIELD_KEYS",
    "KINDS",
    "STAGES",
    "STATES",
    "DocSource",
    "FacetCounts",
    "FacetValue",
    "HealthState",
    "Hit",
    "IndexHealth",
    "OptimizeReport",
    "RebuildReport",
    "SearchDoc",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "ShardedSource",
]

#: Fields :meth:`SearchIndex.facets` counts by default.
DEFAULT_FACETS: tuple[str, ...] = ("dependencia", "serie", "year", "stage")


@dataclass(frozen=True)
class SearchDoc:
    """One record as the index sees it.

    Attributes:
        id: The record id (UUIDv7 string); unique across kinds.
        kind: One of :data:`KINDS`.
        title: Main display text (expediente name, box label...). Searchable, as-you-type too.
        code: The record's code (e.g. "100-2.3-2019-0045"). Searchable, as-you-type too.
        body: Secondary text (notes, descriptors). Searchable by whole words only.
        fields: Filter values, keys from :data:`FIELD_KEYS`: ``dependencia``, ``serie``,
            ``subserie`` (display names or codes, as the GUI shows them), ``year`` (int),
            ``stage`` (:data:`STAGES`), ``state`` (:data:`STATES`), ``caja`` (box code).
    """

    id: str
    kind: str
    title: str
    code: str = ""
    body: str = ""
    fields: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One result. ``score`` is None for unranked results."""

    id: str
    kind: str
    title: str
    code: str
    score: float | None = None


@dataclass(frozen=True)
class SearchResult:
    """Hits of one search.

    Attributes:
        hits: At most ``limit`` hits, best first when ``ranked``.
        total: Exact number of matching records when known cheaply, else None.
        ranked: True when BM25-ranked; False when the first matches in index order (the query
            words are too common to rank in time, or it is an as-you-type search).
        more: True when there are more matches than ``hits``.
        fuzzy: True when typo tolerance or prefix widening contributed hits.
        query: The parsed query, for the GUI to show filter chips and query problems.
    """

    hits: tuple[Hit, ...]
    total: int | None
    ranked: bool
    more: bool
    fuzzy: bool = False
    query: SearchQuery = field(default_factory=SearchQuery)

    @classmethod
    def empty(cls, query: SearchQuery) -> SearchResult:
        return cls(hits=(), total=0, ranked=False, more=False, query=query)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of matching records. ``value`` is an int for
    ``year``, the display string otherwise."""

    value: str | int
    count: int


@dataclass(frozen=True)
class FacetCounts:
    """Counts of matching records by facet field, each sorted by count (descending)."""

    total: int
    by_field: Mapping[str, tuple[FacetValue, ...]]

    def get(self, name: str) -> tuple[FacetValue, ...]:
        return self.by_field.get(name, ())


class HealthState(StrEnum):
    """What :meth:`SearchIndex.verify` found."""

    OK = "ok"
    MISSING = "missing"
    CORRUPT = "corrupt"
    OUTDATED = "outdated"
    LOCKED = "locked"


@dataclass(frozen=True)
class IndexHealth:
    """Result of :meth:`SearchIndex.verify`.

    Attributes:
        state: See :class:`HealthState`. ``locked`` means readable but another process holds the
            writer lock right now.
        doc_count: Records in the index (the metadata record excluded), when readable.
        cursor: The stored change-feed cursor, when readable.
        schema_version: The version the index was built with, when known.
        segments: Number of Whoosh segments, when readable.
        deleted: Deleted records still occupying segments (they go away when their segment is
            merged; a large share is a reason to rebuild, see docs/SEARCH.md).
        detail: Technical explanation for logs (not translated).
    """

    state: HealthState
    doc_count: int | None = None
    cursor: int | None = None
    schema_version: int | None = None
    segments: int | None = None
    deleted: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (HealthState.OK, HealthState.LOCKED)

    @property
    def needs_rebuild(self) -> bool:
        return self.state in (HealthState.MISSING, HealthState.CORRUPT, HealthState.OUTDATED)


@dataclass(frozen=True)
class RebuildReport:
    """What :meth:`SearchIndex.rebuild` did."""

    docs: int
    seconds: float
    size_bytes: int


@dataclass(frozen=True)
class OptimizeReport:
    """What one :meth:`SearchIndex.optimize_step` did. ``done`` when nothing is left to merge."""

    merged_segments: int
    segments: int
    done: bool


@runtime_checkable
class ShardedSource(Protocol):
    """A rebuild source that can be split over worker processes.

    It must be picklable, and :meth:`shard_docs` runs in the worker, which reads its share of
    the records itself (from its own database connection): shard ``i`` of :attr:`shards`, the
    shards together holding every record exactly once.
    """

    shards: int

    def shard_docs(self, shard: int) -> Iterable[SearchDoc]: ...


DocSource = Iterable[SearchDoc] | Callable[[], Iterable[SearchDoc]] | ShardedSource


class SearchIndex(Protocol):
    """A local full-text index of records, derived from the database."""

    def update(
        self,
        docs: Iterable[SearchDoc] = (),
        deletes: Iterable[str] = (),
        *,
        cursor: int | None = None,
    ) -> None:
        """Add or replace ``docs`` and remove ``deletes`` (ids) in one commit.

        Idempotent by id. When ``cursor`` is given it is stored in the same commit.
        """

    def delete(self, ids: Iterable[str], *, cursor: int | None = None) -> None:
        """Remove records by id (unknown ids are ignored)."""

    def stored_cursor(self) -> int | None:
        """The change-feed cursor stored with the last commit, or None."""

    def search(self, query: str | SearchQuery, limit: int = 20) -> SearchResult:
        """Whole-word search (the Enter key): ranked when affordable."""

    def type_ahead(self, text: str | SearchQuery, limit: int = 20) -> SearchResult:
        """As-you-type search: every word is a prefix; unranked, stops after ``limit``."""

    def facets(
        self, query: str | SearchQuery, fields: Sequence[str] = DEFAULT_FACETS
    ) -> FacetCounts:
        """Counts of the records matching ``query`` by facet field (slower; call off the GUI
        thread)."""

    def warm_facets(self, fields: Sequence[str] = DEFAULT_FACETS) -> int:
        """Prepare what :meth:`facets` needs for segments that lack it; returns how much was built
        (call off the GUI thread, e.g. after a rebuild or a commit)."""

    def rebuild(
        self,
        source: DocSource,
        total: int | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        *,
        cursor: int | None = None,
    ) -> RebuildReport:
        """Build a fresh index from ``source`` beside the current one and swap it in."""

    def verify(self, *, deep: bool = False) -> IndexHealth:
        """Check the index without raising for the expected bad states."""

    def optimize_step(self, max_docs: int | None = None) -> OptimizeReport:
        """Merge some small segments (background maintenance)."""

    def close(self) -> None:
        """Release files and locks."""
