"""The Whoosh schema of the index and the mapping of a :class:`SearchDoc` onto it.

Documents are analysed by :mod:`archive.search.analysis` and handed to Whoosh as ready-made
term lists, so the analyzers attached to the fields below are never run at index time; they
exist so the schema is complete (and they produce the same terms if anything calls them).

Bump :data:`SCHEMA_VERSION` whenever a field, an analysis rule or the mapping below changes:
an index built with another version reports ``outdated`` and must be rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import Analyzer, entoken
from whoosh.codec.whoosh3 import W3Codec

from archive.domain.errors import ValidationError
from archive.i18n import N_

from . import analysis
from .port import SearchDoc
from .vocabulary import FIELD_KEYS, KINDS, STAGES, STATES

SCHEMA_VERSION = 1

#: The id and kind of the one metadata document (stores the change-feed cursor).
META_ID = "__legajo_meta__"
META_KIND = "_meta"

# Field names.
ID = "id"
KIND = "kind"
TITLE = "title"
CODE = "code"
TEXT = "text"
PREFIX = "prefix"
META = "meta"
#: Filter fields holding the words of a value (``serie:contratos``).
WORD_FILTERS = ("dependencia", "serie", "subserie")
#: Filter fields holding whole values: raw display value for the word filters, folded
#: canonical value for the others.
EXACT_FIELD = {
    "dependencia": "dependencia_exact",
    "serie": "serie_exact",
    "subserie": "subserie_exact",
    "year": "year",
    "stage": "stage",
    "state": "state",
    "caja": "caja",
    "kind": KIND,
}
#: Field whose terms are the facet values, by facet name.
FACET_FIELD = {
    "dependencia": "dependencia_exact",
    "serie": "serie_exact",
    "subserie": "subserie_exact",
    "year": "year",
    "stage": "stage",
    "state": "state",
    "kind": KIND,
}


class TermListAnalyzer(Analyzer):  # type: ignore[misc]
    """A Whoosh analyzer that runs one of the functions of :mod:`analysis` by name."""

    def __init__(self, function: str) -> None:
        self.function = function

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TermListAnalyzer) and other.function == self.function

    def __hash__(self) -> int:
        return hash(self.function)

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        func: Callable[[str], Any] = getattr(analysis, self.function)
        terms = func(value)
        if self.function == "prefix_tokens":
            terms = sorted(analysis.edge_ngrams(terms))
        kwargs.pop("mode", None)
        kwargs.pop("tokenize", None)
        kwargs.pop("removestops", None)
        kwargs.pop("boosts", None)
        return entoken(terms, **kwargs)  # type: ignore[no-any-return]


def _keyword(*, stored: bool = False, unique: bool = False) -> fields.ID:
    """A whole-value field. Marked scorable only so it gets a length column: when committing,
    Whoosh looks up each posting's field length, and for a field without that column it asks
    the file system (one ``stat`` per posting: 60% of the commit time, measured)."""
    field = fields.ID(stored=stored, unique=unique)
    field.scorable = True
    return field


def build_schema() -> fields.Schema:
    """The Whoosh schema of :data:`SCHEMA_VERSION`. Every indexed field is scorable, see
    :func:`_keyword`."""
    words = TermListAnalyzer("text_terms")
    filter_words = TermListAnalyzer("filter_terms")
    schema = fields.Schema(
        id=_keyword(stored=True, unique=True),
        kind=_keyword(stored=True),
        title=fields.FieldType(formats.Frequency(), words, scorable=True, stored=True),
        code=fields.STORED(),
        text=fields.FieldType(formats.Frequency(), words, scorable=True),
        prefix=fields.FieldType(
            formats.Existence(), TermListAnalyzer("prefix_tokens"), scorable=True
        ),
        year=_keyword(),
        stage=_keyword(),
        state=_keyword(),
        caja=_keyword(),
        meta=fields.STORED(),
    )
    for name in WORD_FILTERS:
        schema.add(name, fields.FieldType(formats.Existence(), filter_words, scorable=True))
        schema.add(EXACT_FIELD[name], _keyword())
    return schema


def fast_codec() -> W3Codec:
    """The codec every writer uses: Whoosh's default without per-block field-length stats.

    Those stats only let top-N BM25 skip blocks; collecting them costs a column read per
    posting at commit (a third of the commit time, measured). Without them the score bounds
    stay valid, just looser. (The codec object is pickled into the TOC with each segment.)
    """
    codec = W3Codec()
    codec.length_stats = False
    return codec


def _invalid(doc_id: str, problem: str) -> ValidationError:
    return ValidationError(
        "search.doc.invalid",
        N_("El registro {id} no se puede indexar: {problem}."),
        id=doc_id,
        problem=problem,
    )


def doc_fields(doc: SearchDoc) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document`` of one document.

    Raises:
        ValidationError: ``search.doc.invalid`` for an unknown kind or field, a year that is
            not an integer, or a stage/state outside its list (programming errors of the
            indexer, reported loudly).
    """
    if not doc.id or doc.id == META_ID:
        raise _invalid(doc.id, "id")
    if doc.kind not in KINDS:
        raise _invalid(doc.id, f"kind={doc.kind!r}")
    title_terms = analysis.text_terms(doc.title)
    out: dict[str, Any] = {
        ID: doc.id,
        KIND: doc.kind,
        TITLE: title_terms,
        "_stored_title": doc.title,
        CODE: doc.code,
        TEXT: (
            title_terms
            + analysis.text_terms(doc.code, join_numbers=False)
            + analysis.text_terms(doc.body)
        ),
        PREFIX: sorted(
            analysis.edge_ngrams(
                analysis.prefix_tokens(doc.title) + analysis.code_prefix_tokens(doc.code)
            )
        ),
    }
    for key, value in doc.fields.items():
        if key not in FIELD_KEYS:
            raise _invalid(doc.id, f"field {key!r}")
        if key == "year":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _invalid(doc.id, f"year={value!r}")
            out["year"] = str(value)
            continue
        text = str(value).strip()
        if not text:
            continue
        if key in WORD_FILTERS:
            out[key] = analysis.filter_terms(text)
            out[EXACT_FIELD[key]] = text
        elif key in ("stage", "state"):
            folded = analysis.fold(text)
            if folded not in (STAGES if key == "stage" else STATES):
                raise _invalid(doc.id, f"{key}={value!r}")
            out[key] = folded
        else:  # caja
            out[key] = analysis.fold(text)
    return out


def meta_fields(cursor: int | None) -> dict[str, Any]:
    """The metadata document storing ``cursor`` (and the schema version, for diagnosis)."""
    return {ID: META_ID, KIND: META_KIND, META: {"cursor": cursor, "schema": SCHEMA_VERSION}}
