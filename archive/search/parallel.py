"""Rebuild on several cores: one worker process per shard of a :class:`ShardedSource`.

Each worker reads its shard itself (its own database connection), analyses it and writes its
segments with the bulk writer into its own directory ``part-<n>`` inside the build. The parent
only watches: it sums the workers' counters for the progress bar, polls the cancel flag, and at
the end moves the segment files into the build and writes one table of contents listing them
all. Workers are started with ``spawn`` (never ``fork``: the GUI process has threads), and
PyInstaller builds call ``multiprocessing.freeze_support()`` in ``main.py``.

A worker that fails leaves its traceback in ``part-<n>/ERROR.txt`` and exits non-zero; the
parent then stops the others and raises :class:`RebuildWorkerFailed`, and the caller discards
the build (the live index is untouched).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex

from archive.domain.progress import Cancelled, JobCancelled

from .bulk import BulkSegmentWriter
from .port import SearchDoc, ShardedSource
from .schema import doc_fields, fast_codec
from .storage import INDEX_NAME, DurableFileStorage, fsync_dir

#: How often the parent looks at the workers (seconds).
POLL = 0.2
#: Smallest segment a worker writes.
CHECK_MIN = 1_000
ERROR_FILE = "ERROR.txt"


class RebuildWorkerFailed(RuntimeError):
    """A rebuild worker process failed (its traceback is in the message)."""


def write_docs(
    ix: Any, docs: Iterable[SearchDoc], segment_docs: int, every: int,
    on_count: Callable[[int], None], last: dict[str, Any] | None = None,
) -> int:  # fmt: skip
    """Add ``docs`` to ``ix`` with bulk writers, committing a segment each ``segment_docs``
    records; ``on_count(count)`` every ``every`` records (it may raise to stop), ``last`` (a
    document's fields) added to the last segment. Returns the number of ``docs``."""
    count = 0
    writer = BulkSegmentWriter(ix, codec=fast_codec())
    try:
        for doc in docs:
            writer.add_document(**doc_fields(doc))
            count += 1
            if count % every == 0:
                on_count(count)
                if writer.doc_count() >= segment_docs:
                    writer.commit(merge=False)
                    writer = BulkSegmentWriter(ix, codec=fast_codec())
        if last is not None:
            writer.add_document(**last)
        on_count(count)
        if writer.doc_count():
            writer.commit(merge=False)
        else:
            writer.cancel()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return count


def build_shards(
    build_dir: Path, schema: Any, source: ShardedSource, *, segment_docs: int, every: int,
    progress: Callable[[int], None], cancelled: Cancelled,
) -> tuple[list[Any], int]:  # fmt: skip
    """Run one worker per shard; return the segments they wrote (files moved into
    ``build_dir``) and the number of records. Each worker's segments hold
    ``segment_docs / shards`` records, so that all of them together hold about as many
    postings in memory as one writer with ``segment_docs``.

    Raises:
        JobCancelled: ``cancelled()`` became true (the workers are stopped).
        RebuildWorkerFailed: a worker failed.
    """
    segment_docs = max(CHECK_MIN, segment_docs // source.shards)  # the same memory in all
    ctx = mp.get_context("spawn")
    counters = [ctx.Value("q", 0, lock=False) for _ in range(source.shards)]
    workers = []
    try:
        for shard, counter in enumerate(counters):
            part = build_dir / f"part-{shard}"
            part.mkdir()
            proc = ctx.Process(
                target=_worker, name=f"legajo-index-{shard}", daemon=True,
                args=(str(part), schema, source, shard, counter, segment_docs, every),
            )  # fmt: skip
            proc.start()
            workers.append(proc)
        while alive := [p.sentinel for p in workers if p.exitcode is None]:
            wait(alive, POLL)
            progress(sum(c.value for c in counters))
            if cancelled():
                raise JobCancelled()
            _check_failures(build_dir, workers)
        _check_failures(build_dir, workers)
    finally:
        for proc in workers:
            if proc.is_alive():
                proc.terminate()
            proc.join()
    segments = []
    for shard in range(source.shards):
        segments.extend(_adopt(build_dir, build_dir / f"part-{shard}", schema))
    fsync_dir(build_dir)
    return segments, sum(c.value for c in counters)


def _check_failures(build_dir: Path, workers: list[Any]) -> None:
    for shard, proc in enumerate(workers):
        if proc.exitcode not in (None, 0):
            error = build_dir / f"part-{shard}" / ERROR_FILE
            detail = (
                error.read_text(encoding="utf-8")
                if error.exists()
                else f"exit code {proc.exitcode}"
            )
            raise RebuildWorkerFailed(f"search rebuild worker {shard} failed:\n{detail}")


def _adopt(build_dir: Path, part: Path, schema: Any) -> list[Any]:
    """Move a worker's segment files into the build; return its segments."""
    from .maintenance import read_segments

    ix = FileIndex(DurableFileStorage(str(part)), schema=schema, indexname=INDEX_NAME)
    segments = read_segments(ix)
    for seg in segments:
        prefix = seg.segment_id() + "."
        for f in part.iterdir():
            if f.name.startswith(prefix):
                os.replace(f, build_dir / f.name)
    for f in part.iterdir():
        f.unlink()
    part.rmdir()
    return segments


def _worker(
    part: str, schema: Any, source: ShardedSource, shard: int, counter: Any, segment_docs: int,
    every: int,
) -> None:  # fmt: skip
    """Worker process: write shard ``shard`` of ``source`` into the index directory ``part``."""
    parent = os.getppid()
    try:
        ix = FileIndex.create(DurableFileStorage(part), schema, indexname=INDEX_NAME)

        def count(n: int) -> None:
            counter.value = n
            if os.getppid() != parent:  # the parent was killed: nobody will adopt this work
                raise SystemExit(1)

        write_docs(ix, source.shard_docs(shard), segment_docs, every, count)
    except BaseException:
        Path(part, ERROR_FILE).write_text(traceback.format_exc(), encoding="utf-8")
        raise SystemExit(1) from None
