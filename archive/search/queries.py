"""Translation of a :class:`SearchQuery` into Whoosh queries, and cheap matcher iteration.

Only term lookups are produced: prefixes are terms of the edge n-gram field, year ranges are
the years present in the index, exact values are looked up among the few distinct values of a
field. No wildcard, no ``Prefix`` query: at a million records those take seconds.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher

from . import analysis
from .port import Hit, SearchResult
from .query import FieldFilter, SearchQuery
from .schema import EXACT_FIELD, KIND, META_KIND, PREFIX, TEXT, TITLE, WORD_FILTERS

#: Weight of a match in the title over a match elsewhere (BM25F).
TITLE_BOOST = 2.0
#: Most typo variants of one word tried (the most frequent ones).
MAX_VARIANTS = 24

NOTHING = wq.NullQuery
_BLOCK_SIZE = struct.Struct("!i")  # a posting block's length (negative for the last one)


@dataclass(frozen=True)
class Compiled:
    """A query as required clauses and excluded clauses (``required`` may be empty)."""

    required: tuple[Any, ...]
    excluded: tuple[Any, ...]
    impossible: bool = False

    def build(self) -> Any:
        """The Whoosh query: AND of the required clauses minus the excluded ones."""
        if self.impossible:
            return NOTHING
        if self.required:
            base = self.required[0] if len(self.required) == 1 else wq.And(list(self.required))
        else:
            base = wq.AndNot(wq.Every(), wq.Term(KIND, META_KIND))
        if self.excluded:
            return wq.AndNot(base, wq.Or(list(self.excluded)))
        return base

    def plus(self, required: Iterable[Any]) -> Compiled:
        return Compiled((*required, *self.required), self.excluded, self.impossible)


def compile_filters(query: SearchQuery, reader: Any) -> Compiled:
    """Required and excluded clauses for the filters and the ``-palabra`` words of ``query``."""
    required: list[Any] = []
    excluded: list[Any] = []
    impossible = False
    for f in query.filters:
        clause = filter_clause(f, reader)
        if f.negated:
            if clause is not None:
                excluded.append(clause)
        elif clause is None:
            impossible = True
        else:
            required.append(clause)
    for word in query.excluded:
        terms = analysis.text_terms(word)
        if terms:
            excluded.append(_and([wq.Term(TEXT, t) for t in terms]))
    return Compiled(tuple(required), tuple(excluded), impossible)


def filter_clause(f: FieldFilter, reader: Any) -> Any | None:
    """The Whoosh clause of one filter; None when nothing in the index can match it."""
    if f.field == "year":
        lo = f.year_from if f.year_from is not None else -(10**9)
        hi = f.year_to if f.year_to is not None else 10**9
        years = [y for y in _lexicon(reader, "year") if y.isdigit() and lo <= int(y) <= hi]
        return _or([wq.Term("year", y) for y in years])
    if f.field in WORD_FILTERS:
        exact_field = EXACT_FIELD[f.field]
        if f.exact:
            wanted = analysis.fold(f.value).strip()
            values = [v for v in _lexicon(reader, exact_field) if analysis.fold(v) == wanted]
            return _or([wq.Term(exact_field, v) for v in values])
        terms = analysis.filter_terms(f.value)
        if not terms:
            return wq.Every()
        return _and([wq.Term(f.field, t) for t in terms])
    if f.field in EXACT_FIELD:
        return wq.Term(EXACT_FIELD[f.field], analysis.fold(f.value).strip())
    return None


def _lexicon(reader: Any, fieldname: str) -> list[str]:
    return [b.decode("utf-8") for b in reader.lexicon(fieldname)]


def _and(clauses: list[Any]) -> Any | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def _or(clauses: list[Any]) -> Any | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def prefix_clauses(query: SearchQuery) -> list[Any]:
    """As-you-type: one prefix term per typed token (see :func:`analysis.prefix_query_terms`)."""
    terms = analysis.prefix_query_terms(
        " ".join(query.words), last_is_partial=query.last_word_partial
    )
    return [wq.Term(PREFIX, t) for t in terms]


def word_terms(query: SearchQuery) -> list[str]:
    """Whole-word terms of the query words (stemmed), unique, in order."""
    return list(dict.fromkeys(analysis.text_terms(" ".join(query.words))))


def exact_clauses(terms: list[str], *, scored: bool) -> list[Any]:
    """One clause per term: the term in the text field (and in the title, boosted, when the
    results will be ranked)."""
    if not scored:
        return [wq.Term(TEXT, t) for t in terms]
    return [wq.Or([wq.Term(TITLE, t, boost=TITLE_BOOST), wq.Term(TEXT, t)]) for t in terms]


@dataclass(frozen=True)
class WidenedWord:
    """One query word widened for the second pass: the word, its typo variants, its prefix."""

    clause: Any
    doc_frequency: int


def widened_clauses(query: SearchQuery, searcher: Any, min_typo_length: int) -> list[WidenedWord]:
    """Second-pass clauses for when the exact words found little: each word also matches as a
    prefix (it may be unfinished) and, when long enough, with one typing error."""
    out: list[WidenedWord] = []
    for folded in analysis.words(" ".join(query.words)):
        if folded in analysis.STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
            continue
        stem = analysis.light_stem(folded)
        alternatives = [(TEXT, stem)]
        if len(folded) >= analysis.NGRAM_MIN:
            alternatives.append((PREFIX, folded[: analysis.NGRAM_MAX]))
        if len(folded) >= min_typo_length and stem.isalpha():
            alternatives.extend((TEXT, v) for v in typo_variants(searcher, stem))
        alternatives = list(dict.fromkeys(alternatives))
        frequency = sum(searcher.doc_frequency(f, t) for f, t in alternatives)
        titles = [wq.Term(TITLE, t, boost=TITLE_BOOST) for f, t in alternatives if f == TEXT]
        clause = _or([*titles, *(wq.Term(f, t) for f, t in alternatives)])
        out.append(WidenedWord(clause, frequency))
    return out


def typo_variants(searcher: Any, stem: str) -> list[str]:
    """Indexed terms within one edit of ``stem`` (insertion, deletion, substitution or swap of
    two neighbours) that keep its first two letters; the most frequent :data:`MAX_VARIANTS`.

    Per segment, Whoosh walks its term dictionary with a Levenshtein automaton (fast, but
    blind to swaps); swaps are few, so they are generated and looked up as terms.
    """
    found: set[str] = set()
    for sub, _offset in searcher.leaf_searchers():
        found.update(sub.reader().terms_within(TEXT, stem, 1, prefix=2))
    for i in range(2, len(stem) - 1):
        swapped = stem[:i] + stem[i + 1] + stem[i] + stem[i + 2 :]
        if searcher.doc_frequency(TEXT, swapped):
            found.add(swapped)
    found.discard(stem)
    variants = sorted(found)
    if len(variants) > MAX_VARIANTS:
        variants.sort(key=lambda t: -int(searcher.doc_frequency(TEXT, t)))
        variants = variants[:MAX_VARIANTS]
    return variants


def iter_leaf_matches(searcher: Any, q: Any) -> Iterator[tuple[Any, int]]:
    """(leaf searcher, segment docnum) of every match, newest segment first, unscored.

    The caller stops when it has enough: unlike ``searcher.search(scored=False)``, which
    collects every match whatever the limit, this costs only what is consumed.
    """
    for sub, _offset in reversed(searcher.leaf_searchers()):
        matcher = q.matcher(sub, sub.boolean_context())
        while matcher.is_active():
            yield sub, matcher.id()
            matcher.next()


def hit(fields: dict[str, Any], score: float | None = None) -> Hit:
    return Hit(
        id=fields.get("id", ""),
        kind=fields.get("kind", ""),
        title=fields.get("title", ""),
        code=fields.get("code", ""),
        score=score,
    )


def first_hits(searcher: Any, q: Any, limit: int) -> tuple[tuple[Hit, ...], bool]:
    """The first ``limit`` matches, unscored, and whether there are more."""
    hits: list[Hit] = []
    for sub, docnum in iter_leaf_matches(searcher, q):
        if len(hits) >= limit:
            return tuple(hits), True
        hits.append(hit(sub.stored_fields(docnum)))
    return tuple(hits), False


def first_hits_by_sets(searcher: Any, q: Any, limit: int) -> tuple[tuple[Hit, ...], bool]:
    """:func:`first_hits` for whole-word search (Enter): the same hits, in the same order.

    Whoosh intersects posting lists one ``skip_to`` at a time in Python: two common words that
    rarely meet cost a walk through both lists ("gestion contratacion": 157,000 and 31,000
    records, no match, 500 ms at a million). Here each segment, newest first, reads the posting
    blocks of every term of the query whole and combines them as sets, stopping at the
    segment that fills the page: a few ms per segment. Queries with clauses other than terms,
    AND, OR and AND NOT go to :func:`first_hits`.
    """
    hits: list[Hit] = []
    for sub, _offset in reversed(searcher.leaf_searchers()):
        reader = sub.reader()
        ids = _clause_ids(reader, q)
        if ids is None:
            return first_hits(searcher, q, limit)
        if ids and reader.has_deletions():
            deleted = getattr(reader, "deleted_docs_set", None)  # SegmentReader: cached frozenset
            if isinstance(deleted, frozenset):
                ids -= deleted
            else:
                ids = {d for d in ids if not reader.is_deleted(d)}
        for docnum in sorted(ids):
            if len(hits) >= limit:
                return tuple(hits), True
            hits.append(hit(sub.stored_fields(docnum)))
    return tuple(hits), False


def _clause_ids(reader: Any, clause: Any) -> set[int] | None:
    """The segment docnums matching ``clause``, or None for a clause this cannot evaluate."""
    if isinstance(clause, wq.Term):
        if (clause.fieldname, clause.text) not in reader:
            return set()
        return _posting_ids(reader.postings(clause.fieldname, clause.text))
    if isinstance(clause, wq.AndNot):
        a = _clause_ids(reader, clause.a)
        b = _clause_ids(reader, clause.b) if a else set()
        return None if a is None or b is None else a - b
    if isinstance(clause, wq.And | wq.Or):
        parts = []
        for sub in clause.subqueries:
            ids = _clause_ids(reader, sub)
            if ids is None:
                return None
            parts.append(ids)
        if isinstance(clause, wq.And):
            return set.intersection(*sorted(parts, key=len)) if parts else None
        return set().union(*parts)
    return None


def _posting_ids(matcher: Any) -> set[int]:
    """All ids of a term's postings. A W3 posting list is read whole in one call and its blocks
    decoded in memory (block layout: ``archive.search.bulk``); any other matcher is walked."""
    if not isinstance(matcher, W3LeafMatcher):
        return set(matcher.all_ids())
    length = matcher._length  # a 1-tuple: W3TermInfo.from_bytes keeps unpack_int's tuple
    buf = matcher._postfile.get(matcher._startoffset, length[0] if isinstance(length, tuple) else length)
    view = memoryview(buf)
    out: set[int] = set()
    pos = len(WHOOSH3_HEADER_MAGIC)
    while pos < len(buf):
        size = abs(_BLOCK_SIZE.unpack_from(buf, pos)[0])
        pos += _BLOCK_SIZE.size
        block = io.BytesIO(view[pos : pos + size])
        info = pickle.load(block)  # (count, last id, max weight, compression, ...)
        data = view[pos + block.tell() : pos + size]
        ids = pickle.loads(zlib.decompress(data) if info[3] else data)[0]
        out.update(accumulate(ids))  # delta-encoded from 0 in each block
        pos += size
    return out


def ranked(searcher: Any, q: Any, limit: int, parsed: SearchQuery, count_max: int) -> SearchResult:
    """The ``limit`` best matches by BM25, and how many match (None: more than ``count_max``).

    Never ``len(results)``: when the collector skipped blocks by score, Whoosh counts the
    matches again with ``all_ids()``, which intersects by materialising the ids of every
    clause (2.6 s for "acta 145" at a million records, "acta" in 275,000 of them). Walking the
    matcher instead costs what the rarest clause costs.
    """
    results = searcher.search(q, limit=limit)
    hits = tuple(hit(results.fields(i), results.score(i)) for i in range(results.scored_length()))
    if results.has_exact_length():
        total: int | None = len(results)
    else:
        total = 0
        for _match in iter_leaf_matches(searcher, q):
            total += 1
            if total > count_max:
                total = None
                break
    more = total is None or total > len(hits)
    return SearchResult(hits, total, True, more, query=parsed)
