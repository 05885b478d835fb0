"""Index maintenance: rebuild into a new generation, verify, and incremental segment merging."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.index import TOC, EmptyIndexError, FileIndex
from whoosh.reading import SegmentReader

from archive.domain.progress import Cancelled, JobCancelled, Progress, never_cancelled, no_progress
from archive.i18n import _

from .bulk import BulkSegmentWriter
from .errors import SearchIndexLocked
from .parallel import build_shards, write_docs
from .port import DocSource, HealthState, IndexHealth, RebuildReport, SearchDoc, ShardedSource
from .schema import KIND, META_ID, SCHEMA_VERSION, TEXT, fast_codec, meta_fields
from .storage import (
    INDEX_NAME,
    INFO_FILE,
    DurableFileStorage,
    IndexRoot,
    check_manifest,
    read_json,
    read_owner,
    update_manifest,
    write_json_atomic,
)

log = logging.getLogger(__name__)

#: Progress and cancellation are checked every this many documents.
CHECK_EVERY = 1_000
#: Records per segment of a rebuild: a bulk writer holds one segment's postings in memory
#: (~0.4 KB per record), and a search visits each segment.
SEGMENT_DOCS = 500_000
#: Most records one update commit may merge (about a second of work), and how many segments
#: of one size tier it takes to merge them.
COMMIT_MERGE_DOCS = 1_000
FAN_IN = 10
#: A segment with more than this share of deleted documents is worth merging.
DELETED_RATIO = 0.2


def read_segments(ix: Any) -> list[Any]:
    """The segments of the index's latest TOC (fresh objects, with their deletions)."""
    return list(TOC.read(ix.storage, ix.indexname, schema=ix._schema).segments)


def cursor_of(searcher: Any) -> int | None:
    """The cursor stored in the metadata document, or None."""
    docnum = searcher.document_number(id=META_ID)
    if docnum is None:
        return None
    meta = searcher.stored_fields(docnum).get("meta") or {}
    value = meta.get("cursor")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- rebuild -----------------------------------------------------------------------------------


def rebuild(
    root: IndexRoot,
    schema: Any,
    source: DocSource,
    *,
    total: int | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
    cursor: int | None,
    lock_timeout: float,
    segment_docs: int = SEGMENT_DOCS,
) -> RebuildReport:
    """Write a complete new generation and publish it (see :meth:`WhooshSearchIndex.rebuild`)."""
    progress = progress or no_progress
    cancelled = cancelled or never_cancelled
    started = time.monotonic()
    with root.rebuild_lock(lock_timeout) as acquired:
        if not acquired:
            raise SearchIndexLocked(owner="reconstrucción en curso", timeout=lock_timeout)
        root.remove_stale(keep=root.current_generation())
        build_dir = root.new_build_dir()
        try:
            docs = _build(build_dir, schema, source, total, progress, cancelled, cursor, segment_docs)
            size = sum(f.stat().st_size for f in build_dir.iterdir() if f.is_file())
            root.publish(build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
    return RebuildReport(docs=docs, seconds=time.monotonic() - started, size_bytes=size)


def _build(
    build_dir: Path,
    schema: Any,
    source: DocSource,
    total: int | None,
    progress: Progress,
    cancelled: Cancelled,
    cursor: int | None,
    segment_docs: int,
) -> int:
    storage = DurableFileStorage(str(build_dir))
    write_json_atomic(
        build_dir / INFO_FILE, {"schema_version": SCHEMA_VERSION, "created": time.time()}
    )
    ix = FileIndex.create(storage, schema, indexname=INDEX_NAME)
    label = _("Reconstruyendo el índice de búsqueda")
    progress(0, total or 0, label)

    def step(done: int) -> None:
        if cancelled():
            raise JobCancelled()
        progress(done, total or 0, label)

    if isinstance(source, ShardedSource) and source.shards > 1:
        segments, count = build_shards(
            build_dir, schema, source, segment_docs=segment_docs, every=CHECK_EVERY,
            progress=lambda done: progress(done, total or 0, label), cancelled=cancelled,
        )  # fmt: skip
        writer = BulkSegmentWriter(ix, codec=fast_codec())  # the cursor, and the TOC of all
        writer.add_document(**meta_fields(cursor))
        writer.commit(mergetype=lambda _writer, _none: segments)
    else:
        if isinstance(source, ShardedSource):
            docs: Iterable[SearchDoc] = source.shard_docs(0)
        else:
            docs = source() if callable(source) else source
        count = write_docs(ix, docs, segment_docs, CHECK_EVERY, step, last=meta_fields(cursor))
    if cancelled():
        raise JobCancelled()
    update_manifest(build_dir, {s.segment_id() for s in read_segments(ix)})
    progress(count, total or count, label)
    return count


def remove_stale_generations(root: IndexRoot) -> None:
    """Remove old generations and abandoned builds, unless a rebuild is running."""
    with root.rebuild_lock(0.0) as acquired:
        if acquired:
            root.remove_stale(keep=root.current_generation())


# -- verify ------------------------------------------------------------------------------------


def verify(root: IndexRoot, schema: Any, *, deep: bool, probe_lock: bool) -> IndexHealth:
    """See :meth:`WhooshSearchIndex.verify`."""
    gen_dir = root.current_generation()
    if gen_dir is None:
        return IndexHealth(HealthState.MISSING, detail=f"no live generation in {root.root}")
    info = read_json(gen_dir / INFO_FILE)
    if info is None:
        return IndexHealth(HealthState.CORRUPT, detail=f"{INFO_FILE} missing or unreadable")
    version = info.get("schema_version")
    if version != SCHEMA_VERSION:
        return IndexHealth(
            HealthState.OUTDATED,
            schema_version=version if isinstance(version, int) else None,
            detail=f"schema {version} != {SCHEMA_VERSION}",
        )
    try:
        ix = FileIndex(DurableFileStorage(str(gen_dir)), schema=schema, indexname=INDEX_NAME)
        segments = read_segments(ix)
    except EmptyIndexError:
        return IndexHealth(HealthState.CORRUPT, schema_version=version, detail="no TOC")
    except Exception as exc:  # any failure to read the TOC means corrupt
        return IndexHealth(HealthState.CORRUPT, schema_version=version, detail=repr(exc))
    problem = check_manifest(gen_dir, {s.segment_id() for s in segments}, deep=deep)
    if problem:
        return IndexHealth(HealthState.CORRUPT, schema_version=version, detail=problem)
    try:
        doc_count, cursor = _probe(ix)
    except Exception as exc:  # any failure to read means corrupt
        return IndexHealth(HealthState.CORRUPT, schema_version=version, detail=repr(exc))
    state, detail = HealthState.OK, ""
    deleted = sum(s.deleted_count() for s in segments)
    if probe_lock:
        lock = ix.lock("WRITELOCK")
        if lock.acquire(blocking=False):
            lock.release()
        else:
            owner = read_owner(gen_dir)
            state, detail = HealthState.LOCKED, f"writer lock held by pid {owner.get('pid', '?')}"
    return IndexHealth(state, doc_count, cursor, version, len(segments), deleted, detail)


def _probe(ix: Any) -> tuple[int, int | None]:
    """Open the index and touch every segment: a stored document, a term and its postings."""
    with ix.searcher() as searcher:
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            for docnum in range(min(reader.doc_count_all(), 1)):
                sub.stored_fields(docnum)
            for field in (TEXT, KIND):
                term = next(iter(reader.lexicon(field)), None)
                if term is not None:
                    matcher = reader.postings(field, term)
                    if matcher.is_active():
                        matcher.id()
        meta = 1 if searcher.document_number(id=META_ID) is not None else 0
        return searcher.doc_count() - meta, cursor_of(searcher)


# -- merging -----------------------------------------------------------------------------------


def merge_plan(segments: list[Any], max_docs: int | None) -> list[Any]:
    """The segments one optimize step merges: the smallest ones while their documents fit in
    ``max_docs`` (at least two), plus small segments with many deletions. All when None."""
    if max_docs is None:
        return list(segments) if len(segments) > 1 or _has_deletions(segments) else []
    chosen: list[Any] = []
    budget = 0
    for seg in sorted(segments, key=lambda s: s.doc_count_all()):
        if budget + seg.doc_count_all() > max_docs:
            break
        chosen.append(seg)
        budget += seg.doc_count_all()
    if len(chosen) < 2:
        chosen = []
    for seg in segments:
        if seg in chosen or seg.doc_count_all() > max_docs:
            continue
        if seg.deleted_count() > DELETED_RATIO * max(1, seg.doc_count_all()):
            chosen.append(seg)
    return chosen


def tiered_plan(segments: list[Any], max_docs: int, fan_in: int = FAN_IN) -> list[Any]:
    """Segments of similar size to merge: the first size tier (1-9 records, 10-99, 100-999...)
    holding ``fan_in`` segments, its smallest ones while they fit in ``max_docs`` together.
    Each record is then merged about once per tier (log10 times), never more than
    ``max_docs`` at once."""
    tiers: dict[int, list[Any]] = {}
    for seg in segments:
        count = seg.doc_count_all()
        if count <= max_docs:
            tiers.setdefault(len(str(max(count, 1))), []).append(seg)
    for tier in sorted(tiers):
        group = sorted(tiers[tier], key=lambda s: s.doc_count_all())
        if len(group) < fan_in:
            continue
        chosen, budget = [], 0
        for seg in group:
            if budget + seg.doc_count_all() > max_docs:
                break
            chosen.append(seg)
            budget += seg.doc_count_all()
        if len(chosen) >= 2:
            return chosen
    return []


def commit_merge(writer: Any, segments: list[Any]) -> list[Any]:
    """The ``mergetype`` of every update commit: a bounded :func:`tiered_plan`.

    Whoosh's default (``MERGE_SMALL``) has no bound: with a few dozen large segments (what a
    rebuild of a million records leaves) one small commit can decide to merge half the index,
    minutes under the writer lock.
    """
    return merge_policy(tiered_plan(segments, COMMIT_MERGE_DOCS))(writer, segments)


def _has_deletions(segments: list[Any]) -> bool:
    return any(s.deleted_count() for s in segments)


def merge_policy(plan: list[Any]) -> Callable[[Any, list[Any]], list[Any]]:
    """A Whoosh ``mergetype`` merging exactly the segments of ``plan`` into the new segment."""
    wanted = {s.segment_id() for s in plan}

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        keep = []
        for seg in segments:
            if seg.segment_id() in wanted:
                reader = SegmentReader(writer.storage, writer.schema, seg)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
            else:
                keep.append(seg)
        return keep

    return policy
