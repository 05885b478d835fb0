"""Search: exact lookups in SQL, everything else in the local index, kept fresh from the feed.

The database is the truth; the Whoosh index is derived (DESIGN.md §5). :meth:`SearchService.
catch_up` reads the change feed after the index's stored cursor and writes the affected records
with the new cursor in the same index commit, so a crash never loses or double-applies a change.
A missing, corrupt or outdated index is rebuilt from the database; while it is unusable,
searches fall back to a slower SQL path.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from archive.db.models import ChangeLog, Dependencia, Expediente
from archive.domain.barcodes import looks_like_legajo_barcode
from archive.domain.errors import LegajoError, PermissionDenied
from archive.domain.permissions import PERMISSION_LABELS, Permission
from archive.domain.progress import Cancelled, Progress, never_cancelled, no_progress
from archive.i18n import N_
from archive.search.errors import SearchIndexLocked, SearchIndexUnavailable
from archive.search.port import FacetCounts, Hit, IndexHealth, SearchDoc, SearchResult
from archive.search.query import parse_query
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan
from archive.services.search_docs import INDEXED_TABLES, DatabaseDocs, all_docs, count_all, docs_for

log = logging.getLogger(__name__)
FEED_BATCH = 5_000


@dataclass(frozen=True)
class SearchAnswer:
    """What the search box shows: exact matches first, then the index's results."""

    exact: tuple[Hit, ...]
    result: SearchResult | None
    fallback: bool  # True: the index was unusable and SQL answered (slower, title/number only)

    @property
    def hits(self) -> tuple[Hit, ...]:
        seen = {h.id for h in self.exact}
        rest = tuple(h for h in (self.result.hits if self.result else ()) if h.id not in seen)
        return self.exact + rest


@dataclass(frozen=True)
class FeedBatch:
    docs: tuple[SearchDoc, ...]
    deletes: tuple[str, ...]
    cursor: int
    changes: int


@dataclass(frozen=True)
class IndexStatus:
    health: IndexHealth
    feed_position: int
    pending: int


class SearchService:
    def __init__(self, rt: Runtime, index_dir: Path | None) -> None:
        self.rt = rt
        self.index_dir = index_dir
        self._index: Any = None
        #: Worker processes of a rebuild (each reads, analyses and writes a share of the
        #: records); one per core, at most two: the GUI keeps a core only when there are more.
        self.rebuild_workers = min(2, os.cpu_count() or 1)
        #: Smaller databases are rebuilt in this process (starting workers costs ~1 s).
        self.rebuild_parallel_from = 50_000

    @property
    def index(self) -> Any:
        if self._index is None:
            if self.index_dir is None:
                raise RuntimeError("no index folder configured")
            from archive.search.whoosh_index import WhooshSearchIndex

            self._index = WhooshSearchIndex(self.index_dir)
        return self._index

    # -- keeping the index fresh ------------------------------------------------------------

    def status(self) -> IndexStatus:
        health = self.index.verify()
        with self.rt.db.sessions() as s:
            top = s.scalar(select(func.max(ChangeLog.seq))) or 0
            cursor = health.cursor or 0
            pending = s.scalar(
                select(func.count()).select_from(ChangeLog).where(
                    ChangeLog.seq > cursor, ChangeLog.table_name.in_(INDEXED_TABLES))
            ) or 0  # fmt: skip
        return IndexStatus(health, top, pending)

    def ensure(self, progress: Progress = no_progress, cancelled: Cancelled = never_cancelled) -> bool:
        """Verify the index on start; rebuild it when missing, corrupt or outdated.

        Returns True when a rebuild was needed.
        """
        health = self.index.verify()
        if health.needs_rebuild:
            log.warning("Índice de búsqueda inutilizable (%s): se reconstruye", health.state)
            self.rebuild(progress=progress, cancelled=cancelled)
            return True
        return False

    def rebuild(self, *, progress: Progress = no_progress, cancelled: Cancelled = never_cancelled) -> int:
        """Build a fresh index from the database (beside the old one; swapped in at the end),
        with :attr:`rebuild_workers` processes when the database is a file they can open."""
        with self.rt.db.sessions() as s:
            cursor = s.scalar(select(func.max(ChangeLog.seq))) or 0
            total = count_all(s)
            url = self.rt.db.engine.url
            source: Any = lambda: all_docs(s)  # noqa: E731
            if (self.rebuild_workers > 1 and total >= self.rebuild_parallel_from
                    and url.database not in (None, "", ":memory:")):  # fmt: skip
                # Records read after ``cursor`` are re-applied from the feed: idempotent.
                source = DatabaseDocs(url.render_as_string(hide_password=False), self.rebuild_workers)
            report = self.index.rebuild(source, total, progress, cancelled, cursor=cursor)
        return int(report.docs)

    def catch_up(self, *, limit: int | None = None) -> int:
        """Apply the change feed after the index's cursor; returns the changes consumed."""
        done = 0
        while limit is None or done < limit:
            batch = self.next_batch(self.index.stored_cursor() or 0)
            if batch is None:
                return done
            self.apply_batch(batch)
            done += batch.changes
        return done

    def next_batch(self, after: int) -> FeedBatch | None:
        """Database half of a catch-up step: the records touched after ``after`` (run it on the
        database worker; :meth:`apply_batch` then writes the index, off that thread)."""
        with self.rt.db.sessions() as s:
            rows = s.execute(
                select(ChangeLog.seq, ChangeLog.table_name, ChangeLog.row_id)
                .where(ChangeLog.seq > after).order_by(ChangeLog.seq).limit(FEED_BATCH)
            ).all()  # fmt: skip
            if not rows:
                return None
            by_table: dict[str, list[str]] = {}
            for _, table, row_id in rows:
                if table in INDEXED_TABLES:
                    by_table.setdefault(table, []).append(row_id)
            docs: list[SearchDoc] = []
            gone: list[str] = []
            for table, ids in by_table.items():
                d, g = docs_for(s, table, list(dict.fromkeys(ids)))
                docs.extend(d)
                gone.extend(g)
        written = {d.id for d in docs}
        return FeedBatch(tuple(docs), tuple(g for g in gone if g not in written), rows[-1][0], len(rows))

    def warm_facets(self) -> int:
        """Build the facet tables the index lacks (the indexer calls it in the background after
        opening the index and after each batch), so a person's first facet count only counts."""
        try:
            return int(self.index.warm_facets())
        except (SearchIndexUnavailable, SearchIndexLocked):
            return 0  # a rebuild is due or running: its tables get built after it

    def apply_batch(self, batch: FeedBatch) -> None:
        """Index half: documents, removals and the new cursor in one index commit."""
        self.index.update(batch.docs, batch.deletes, cursor=batch.cursor)

    # -- searching --------------------------------------------------------------------------

    def search(self, actor: Actor, text: str, *, limit: int = 20, as_you_type: bool = True) -> SearchAnswer:
        """Exact barcode/number matches from SQL, then the index (as-you-type or ranked)."""
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            exact = self._exact(uow.session, text)
            scope = None
            if actor.own_dependencia_only and actor.dependencia_id:
                dep = uow.session.get(Dependencia, actor.dependencia_id)
                scope = dep.code if dep else None
        query_text = f"{text} dependencia:{scope}" if scope else text
        try:
            result = self.index.type_ahead(query_text, limit) if as_you_type else self.index.search(query_text, limit)
            return SearchAnswer(exact, result, False)
        except (SearchIndexUnavailable, SearchIndexLocked) as e:
            # The index is missing, damaged or busy: answer from SQL while it is rebuilt.
            log.warning("Búsqueda por índice no disponible (%s); responde la base de datos", e.untranslated())
            return SearchAnswer(exact, self._sql_fallback(actor, text, limit), True)

    def facets(self, actor: Actor, text: str) -> FacetCounts:
        """Counts by dependencia, serie, year and stage (slow: call off the GUI thread).

        Touches only the index, so it may run on the I/O pool; the permission is checked against
        the logged-in actor (the database re-check happens on every search call).
        """
        if not actor.can(Permission.RECORDS_VIEW):
            raise PermissionDenied(
                "permission.denied", N_("El usuario {username} no tiene el permiso «{permission}»."),
                username=actor.username, permission=PERMISSION_LABELS[Permission.RECORDS_VIEW],
                permission_code=Permission.RECORDS_VIEW.value,
            )  # fmt: skip
        if actor.own_dependencia_only:
            return FacetCounts(0, {})  # counts over other offices' records would leak them
        try:
            counts: FacetCounts = self.index.facets(text)
        except (SearchIndexUnavailable, SearchIndexLocked):
            return FacetCounts(0, {})  # facets come back once the index is rebuilt
        return counts

    def _exact(self, s: Any, text: str) -> tuple[Hit, ...]:
        value = text.strip()
        if not value or " " in value:
            return ()
        hits: list[Hit] = []
        if looks_like_legajo_barcode(value):
            try:
                target = resolve_scan(s, value)
            except LegajoError:
                return ()
            if target.unit is not None:
                u = target.unit
                hits.append(Hit(u.id, "caja" if u.kind == "caja" else "carpeta", u.number or u.barcode, u.barcode))
            elif target.location is not None:
                hits.append(Hit(target.location.id, "ubicacion", target.location.path, target.location.barcode))
            elif target.expediente is not None:
                e = target.expediente
                hits.append(Hit(e.id, "expediente", e.title, e.number))
            return tuple(hits)
        for e in s.scalars(select(Expediente).where(Expediente.number == value, Expediente.deleted_at.is_(None)).limit(5)):
            hits.append(Hit(e.id, "expediente", e.title, e.number))
        return tuple(hits)

    def _sql_fallback(self, actor: Actor, text: str, limit: int) -> SearchResult:
        query = parse_query(text)
        words = [w for w in query.words if len(w) >= 2]
        with self.rt.uow(actor, Permission.RECORDS_VIEW, write=False) as uow:
            q = select(Expediente).where(Expediente.deleted_at.is_(None))
            for w in words:
                q = q.where(or_(Expediente.title.ilike(f"%{w}%"), Expediente.number.ilike(f"{w}%")))
            if actor.own_dependencia_only:
                q = q.where(Expediente.dependencia_id == actor.dependencia_id)
            rows = list(uow.session.scalars(q.limit(limit + 1)))
            hits = tuple(Hit(e.id, "expediente", e.title, e.number) for e in rows[:limit])
        return SearchResult(hits, None, False, len(rows) > limit, query=query)
