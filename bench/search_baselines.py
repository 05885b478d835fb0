"""Engines measured by ``bench_search.py``: our Whoosh index and two baselines, SQLite FTS5 and
tantivy, behind one small interface (build, type_ahead, search, facets, update, idle).

The baselines get the **same terms** as the Whoosh index, from :mod:`archive.search.analysis`
(folding, ñ → n, light stemming, stop words, code tokens), so the three answer the same questions
and only the engines differ:

- as-you-type: the AND of one prefix per typed token (FTS5: ``"hist"*`` prefix queries over the
  folded title and code tokens, backed by ``prefix='2 3 4'``; tantivy and Whoosh: terms of an edge
  n-gram field), AND the filters, first 20, unranked (tantivy scores anyway, it has no unscored
  top-k in its Python binding);
- Enter: the stemmed words, each ``title^2 OR text``, AND the filters, BM25, top 20, always ranked
  (Whoosh ranks only when the rarest word is in fewer than 5,000 records, and widens to prefixes
  and typos when fewer than 3 records match; the baselines never do either);
- facets: counts by dependencia, serie, year and stage of the exact words AND the filters.

tantivy (the ``tantivy`` PyPI package) is optional: :func:`tantivy_available` says whether it
can be imported. Install it only to run the benchmark: ``.venv/bin/pip install tantivy``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.search import analysis
from archive.search.port import SearchDoc
from archive.search.query import FieldFilter, parse_query
from archive.search.whoosh_index import WhooshSearchIndex

FACET_FIELDS = ("dependencia", "serie", "year", "stage")
LIMIT = 20


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@dataclass(frozen=True)
class Analysed:
    """One record analysed once, the same way the Whoosh schema does (schema.doc_fields)."""

    doc: SearchDoc
    prefix_tokens: list[str]  # folded title tokens and the code whole
    title: list[str]  # stemmed title terms
    text: list[str]  # stemmed terms of title + code + body
    dependencia: list[str]
    serie: list[str]

    @classmethod
    def of(cls, doc: SearchDoc) -> Analysed:
        title = analysis.text_terms(doc.title)
        text = (
            title
            + analysis.text_terms(doc.code, join_numbers=False)
            + analysis.text_terms(doc.body)
        )
        return cls(
            doc,
            analysis.prefix_tokens(doc.title) + analysis.code_prefix_tokens(doc.code),
            title,
            text,
            analysis.filter_terms(str(doc.fields.get("dependencia", ""))),
            analysis.filter_terms(str(doc.fields.get("serie", ""))),
        )


@dataclass(frozen=True)
class Plan:
    """A typed query, analysed as the Whoosh adapter analyses it."""

    prefixes: list[str]  # as-you-type terms
    words: list[str]  # Enter terms (stemmed)
    filters: tuple[FieldFilter, ...]

    @classmethod
    def of(cls, text: str) -> Plan:
        q = parse_query(text)
        joined = " ".join(q.words)
        prefixes = analysis.prefix_query_terms(joined, last_is_partial=q.last_word_partial)
        words = list(dict.fromkeys(analysis.text_terms(joined)))
        if q.excluded or any(f.exact for f in q.filters):
            raise NotImplementedError(f"baselines: -word and exact filters ({text!r})")
        return cls(prefixes, words, q.filters)


def _dedup(docs: Iterable[SearchDoc]) -> list[SearchDoc]:
    return list({d.id: d for d in docs}.values())


# -- Whoosh (ours) ------------------------------------------------------------------------------


class WhooshEngine:
    """The adapter under test, seen through the same interface as the baselines."""

    name = "Legajo/Whoosh"

    def __init__(self, root: Path) -> None:
        self.index = WhooshSearchIndex(root)
        self.ranked = 0  # Enter searches answered ranked (the rest: first matches unranked)
        self.cursor = 0

    def build(self, docs: Iterable[SearchDoc], n: int) -> int:
        return self.index.rebuild(docs, total=n, cursor=0).size_bytes

    def type_ahead(self, text: str) -> list[str]:
        return [h.id for h in self.index.type_ahead(text).hits]

    def search(self, text: str) -> list[str]:
        result = self.index.search(text)
        self.ranked += result.ranked
        return [h.id for h in result.hits]

    def facets(self, text: str) -> Any:
        return self.index.facets(text)

    def update(self, docs: list[SearchDoc]) -> None:
        self.cursor += 1  # as the indexer does: the change-feed cursor in the same commit
        self.index.update(docs, cursor=self.cursor)

    def idle(self) -> None:
        self.index.optimize_step()

    def segments(self) -> str:
        health = self.index.verify()
        return f"{health.segments} segments, {health.deleted:,} deleted"

    def size(self) -> int:
        gen = self.index.root.current_generation()
        return dir_size(gen) if gen else 0

    def close(self) -> None:
        self.index.close()


# -- SQLite FTS5 -------------------------------------------------------------------------------

FTS_COLUMNS = ("pre", "tw", "words", "dependencia", "serie", "tags")
FTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS rec (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT,
    title TEXT, code TEXT, dependencia TEXT, serie TEXT, year INTEGER, stage TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(pre, tw, words, dependencia, serie, tags,
    tokenize="unicode61 remove_diacritics 2 tokenchars '-./'", prefix='2 3 4');
"""
FTS_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS rec_id ON rec(id);
CREATE INDEX IF NOT EXISTS rec_dep ON rec(dependencia);
CREATE INDEX IF NOT EXISTS rec_serie ON rec(serie);
CREATE INDEX IF NOT EXISTS rec_year ON rec(year);
CREATE INDEX IF NOT EXISTS rec_stage ON rec(stage);
"""
#: bm25 weights by column: title ×2, text ×1 (as TITLE_BOOST in queries.py), filters 0.
BM25 = "bm25(fts, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0)"


def _fts_tags(doc: SearchDoc) -> str:
    f = doc.fields
    tags = [f"kind{doc.kind}", f"y{f.get('year', '')}", f"stage{f.get('stage', '')}"]
    tags += [f"state{f.get('state', '')}", f"caja{analysis.fold(str(f.get('caja', '')))}"]
    return " ".join(tags)


def _q(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Fts5Engine:
    """SQLite FTS5 (stdlib ``sqlite3``): a normal FTS5 table plus a ``rec`` table for display,
    id lookups and facets; the whole index in one file, WAL, ``synchronous=NORMAL``."""

    name = "FTS5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
        )
        self.db.executescript(FTS_SCHEMA)
        self.years: list[int] = []

    def _rows(self, docs: Iterable[Analysed], rowids: Iterator[int]) -> Iterator[tuple[Any, ...]]:
        for a in docs:
            d, f = a.doc, a.doc.fields
            yield (
                next(rowids),
                (d.id, d.kind, d.title, d.code, f.get("dependencia"), f.get("serie")),
                (f.get("year"), f.get("stage")),
                (" ".join(a.prefix_tokens), " ".join(a.title), " ".join(a.text)),
                (" ".join(a.dependencia), " ".join(a.serie), _fts_tags(d)),
            )

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        self.db.executemany(
            "INSERT INTO rec VALUES (?,?,?,?,?,?,?,?,?)", [(r[0], *r[1], *r[2]) for r in rows]
        )
        self.db.executemany(
            "INSERT INTO fts(rowid, pre, tw, words, dependencia, serie, tags) "
            "VALUES (?,?,?,?,?,?,?)",
            [(r[0], *r[3], *r[4]) for r in rows],
        )

    def build(self, docs: Iterable[SearchDoc], n: int) -> int:
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("BEGIN")
        chunk: list[tuple[Any, ...]] = []
        for row in self._rows((Analysed.of(d) for d in docs), iter(range(1, 1 << 62))):
            chunk.append(row)
            if len(chunk) == 10_000:
                self._insert(chunk)
                chunk.clear()
        self._insert(chunk)
        self.db.execute("COMMIT")
        self.db.executescript(FTS_INDEXES)
        self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")  # one b-tree, like a rebuild
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        return dir_size(self.path)

    def open(self) -> None:
        self.db.executescript(FTS_INDEXES)

    def _match(self, plan: Plan, *, prefixes: bool) -> str | None:
        """The MATCH expression, or None when it matches everything (no words, no filters)."""
        parts = []
        if prefixes and plan.prefixes:
            parts.append("pre : (" + " AND ".join(_q(t) + "*" for t in plan.prefixes) + ")")
        if not prefixes and plan.words:
            parts.append("{tw words} : (" + " AND ".join(_q(t) for t in plan.words) + ")")
        negated = []
        for f in plan.filters:
            (negated if f.negated else parts).append(self._filter(f))
        if not parts:
            return None
        return " AND ".join(parts) + "".join(f" NOT {c}" for c in negated)

    def _filter(self, f: FieldFilter) -> str:
        if f.field == "year":
            if not self.years:
                self.years = [y for (y,) in self.db.execute("SELECT DISTINCT year FROM rec")]
            lo, hi = f.year_from or -(10**9), f.year_to or 10**9
            years = [f"y{y}" for y in self.years if lo <= y <= hi] or ["ynone"]
            return "tags : (" + " OR ".join(years) + ")"
        if f.field in ("dependencia", "serie"):
            terms = analysis.filter_terms(f.value)
            return f"{f.field} : (" + " AND ".join(_q(t) for t in terms) + ")"
        return "tags : " + _q(f.field + analysis.fold(f.value).strip())

    def _display(self, sql: str, *params: Any) -> list[str]:
        return [row[0] for row in self.db.execute(sql, params)]

    def type_ahead(self, text: str) -> list[str]:
        plan = Plan.of(text)
        match = self._match(plan, prefixes=True)
        if match is None or not plan.prefixes:
            return []
        return self._display(
            "SELECT r.id, r.kind, r.title, r.code FROM "
            f"(SELECT rowid AS rid FROM fts WHERE fts MATCH ? LIMIT {LIMIT}) "
            "JOIN rec r ON r.rowid = rid",
            match,
        )

    def search(self, text: str) -> list[str]:
        plan = Plan.of(text)
        match = self._match(plan, prefixes=False)
        if match is None or (not plan.words and parse_query(text).words):
            return []
        return self._display(
            "SELECT r.id, r.kind, r.title, r.code FROM "
            f"(SELECT rowid AS rid, {BM25} AS score FROM fts WHERE fts MATCH ? "
            f"ORDER BY score LIMIT {LIMIT}) JOIN rec r ON r.rowid = rid ORDER BY score",
            match,
        )

    def facets(self, text: str) -> dict[str, Counter[Any]]:
        match = self._match(Plan.of(text), prefixes=False)
        where = "" if match is None else "WHERE rowid IN (SELECT rid FROM temp.m)"
        if match is not None:
            self.db.execute("DROP TABLE IF EXISTS temp.m")
            self.db.execute("CREATE TEMP TABLE m (rid INTEGER PRIMARY KEY)")
            self.db.execute("INSERT INTO temp.m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        return {
            name: Counter(
                dict(self.db.execute(f"SELECT {name}, count(*) FROM rec {where} GROUP BY {name}"))
            )
            for name in FACET_FIELDS
        }

    def update(self, docs: list[SearchDoc]) -> None:
        docs = _dedup(docs)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            rowids = []
            for d in docs:
                old = self.db.execute("SELECT rowid FROM rec WHERE id = ?", (d.id,)).fetchone()
                if old is None:
                    (new,) = self.db.execute(
                        "SELECT coalesce(max(rowid), 0) + 1 FROM rec"
                    ).fetchone()
                    rowids.append(new)
                else:
                    rowids.append(old[0])
                    self.db.execute("DELETE FROM fts WHERE rowid = ?", (old[0],))
                    self.db.execute("DELETE FROM rec WHERE rowid = ?", (old[0],))
            self._insert(list(self._rows((Analysed.of(d) for d in docs), iter(rowids))))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def idle(self) -> None:
        """Background work when idle: an incremental FTS5 merge (about 500 leaf pages)."""
        self.db.execute("INSERT INTO fts(fts, rank) VALUES ('merge', 500)")

    def segments(self) -> str:
        (count,) = self.db.execute("SELECT count(*) FROM fts_data").fetchone()
        return f"{count:,} fts_data pages"

    def size(self) -> int:
        return sum(dir_size(p) for p in self.path.parent.glob(self.path.name + "*"))

    def close(self) -> None:
        self.db.close()


# -- tantivy -----------------------------------------------------------------------------------


def tantivy_available() -> str | None:
    """The tantivy package version, or None when it cannot be imported."""
    try:
        import tantivy
    except ImportError:
        return None
    from importlib.metadata import version

    with contextlib.suppress(Exception):
        return f"tantivy-py {version('tantivy')}"
    return str(getattr(tantivy, "__version__", "tantivy"))


class TantivyEngine:
    """tantivy through its Python binding: edge n-grams and stemmed terms pre-analysed by us,
    indexed with the ``whitespace`` tokenizer; facets as terms aggregations on fast fields.
    One indexing thread (as Whoosh and SQLite), 256 MB writer heap for the build."""

    name = "tantivy"

    def __init__(self, path: Path, *, threads: int = 1) -> None:
        import tantivy

        self.t = tantivy
        self.path = path
        self.threads = threads
        sb = tantivy.SchemaBuilder()
        for name in ("id", "kind"):
            sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("title", stored=True, tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field("code", stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("prefix", tokenizer_name="whitespace", index_option="basic")
        sb.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
        for name in ("dependencia", "serie"):
            sb.add_text_field(name, tokenizer_name="whitespace", index_option="basic")
        for name in ("dependencia_exact", "serie_exact", "stage", "state", "caja"):
            sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
        sb.add_integer_field("year", indexed=True, fast=True)
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.writer: Any = None

    def _document(self, a: Analysed) -> Any:
        d, f = a.doc, a.doc.fields
        return self.t.Document(
            id=d.id,
            kind=d.kind,
            title=" ".join(a.title),
            code=d.code,
            prefix=" ".join(sorted(analysis.edge_ngrams(a.prefix_tokens))),
            text=" ".join(a.text),
            dependencia=" ".join(a.dependencia),
            serie=" ".join(a.serie),
            dependencia_exact=str(f.get("dependencia", "")),
            serie_exact=str(f.get("serie", "")),
            stage=str(f.get("stage", "")),
            state=str(f.get("state", "")),
            caja=analysis.fold(str(f.get("caja", ""))),
            year=int(f.get("year", 0)),
        )

    def build(self, docs: Iterable[SearchDoc], n: int) -> int:
        writer = self.index.writer(heap_size=256_000_000, num_threads=self.threads)
        for d in docs:
            writer.add_document(self._document(Analysed.of(d)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return dir_size(self.path)

    def open(self) -> None:
        self.index.reload()

    def _term(self, field: str, value: str, option: str = "basic") -> Any:
        return self.t.Query.term_query(self.schema, field, value, index_option=option)

    def _query(self, plan: Plan, *, prefixes: bool) -> Any:
        must, occ = [], self.t.Occur
        if prefixes:
            must += [self._term("prefix", p) for p in plan.prefixes]
        else:
            for w in plan.words:
                title = self.t.Query.boost_query(self._term("title", w, "freq"), 2.0)
                either = [(occ.Should, title), (occ.Should, self._term("text", w, "freq"))]
                must.append(self.t.Query.boolean_query(either))
        clauses = [(occ.Must, c) for c in must]
        for f in plan.filters:
            clauses.append((occ.MustNot if f.negated else occ.Must, self._filter(f)))
        if not any(o == occ.Must for o, _ in clauses):
            clauses.append((occ.Must, self.t.Query.all_query()))
        return self.t.Query.boolean_query(clauses)

    def _filter(self, f: FieldFilter) -> Any:
        if f.field == "year":
            return self.t.Query.range_query(
                self.schema, "year", self.t.FieldType.Integer, f.year_from, f.year_to
            )
        if f.field in ("dependencia", "serie"):
            terms = [
                (self.t.Occur.Must, self._term(f.field, t)) for t in analysis.filter_terms(f.value)
            ]
            return self.t.Query.boolean_query(terms)
        return self._term(f.field, analysis.fold(f.value).strip())

    def _ids(self, query: Any) -> list[str]:
        searcher = self.index.searcher()
        result = searcher.search(query, limit=LIMIT, count=False)
        out = []
        for _score, address in result.hits:
            doc = searcher.doc(address)
            out.append(doc.get_first("id"))  # the whole stored document is loaded, as Whoosh
        return out

    def type_ahead(self, text: str) -> list[str]:
        plan = Plan.of(text)
        return self._ids(self._query(plan, prefixes=True)) if plan.prefixes else []

    def search(self, text: str) -> list[str]:
        plan = Plan.of(text)
        if not plan.words and parse_query(text).words:
            return []
        return self._ids(self._query(plan, prefixes=False))

    def facets(self, text: str) -> dict[str, Any]:
        plan = Plan.of(text)
        empty = not plan.words and not plan.filters
        query = self.t.Query.all_query() if empty else self._query(plan, prefixes=False)
        fields = {"dependencia": "dependencia_exact", "serie": "serie_exact"}
        aggs = {
            name: {"terms": {"field": fields.get(name, name), "size": 100}} for name in FACET_FIELDS
        }
        return self.index.searcher().aggregate(query, aggs)

    def update(self, docs: list[SearchDoc]) -> None:
        if self.writer is None:
            self.writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for d in _dedup(docs):
            self.writer.delete_documents_by_term("id", d.id)
            self.writer.add_document(self._document(Analysed.of(d)))
        self.writer.commit()
        self.index.reload()

    def idle(self) -> None:
        """Nothing to do: tantivy merges segments in its own background threads."""

    def segments(self) -> str:
        return f"{self.index.searcher().num_segments} segments"

    def size(self) -> int:
        return dir_size(self.path)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.wait_merging_threads()
            self.writer = None
