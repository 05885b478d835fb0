"""The query language people type in the search box, parsed into a :class:`SearchQuery`.

Syntax (Spanish field names; case and accents do not matter)::

    historia laboral pérez              words: all must match
    "juan pérez"                        quotes group words (not a phrase search)
    -anulado                            a word that must not appear
    serie:contratos                     filter: the serie contains the word "contratos"
    dependencia:"oficina jurídica"      several words in one filter value
    serie:="Historias laborales"        the whole value, exactly (what facet clicks produce)
    año:2019  año:2015..2019            one year or a range; open ranges: año:..2010, año:2015..
    caja:C-0045  estado:cerrado  etapa:central  tipo:expediente
    -estado:cerrado                     a filter that must not match

Closed-list filters (estado, etapa, tipo) accept a unique prefix or another gender/number:
``estado:cerr``, ``estado:cerrados``. Parsing never raises: an unknown field name, a bad year
or an unknown choice becomes a :class:`QueryProblem` the GUI can show, and the rest of the query
still works. This module knows nothing about Whoosh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from archive.i18n import N_

from .analysis import fold, light_stem
from .vocabulary import CHOICES, DISPLAY_NAMES, FIELD_NAMES

_FIELD_PREFIX = re.compile(r"([^\W\d_]+):")
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:\.\.|–|-)\s*(\d{4})?$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class QueryProblem:
    """Something in the typed query that was ignored or cannot match, for the GUI to show."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def untranslated(self) -> str:
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.template


@dataclass(frozen=True)
class FieldFilter:
    """One ``campo:valor`` filter.

    Attributes:
        field: Canonical key: dependencia, serie, subserie, year, caja, state, stage, kind.
        value: The value as typed (empty for years). For closed lists (state, stage, kind) the
            canonical choice, always matched whole.
        exact: Match the whole value (``campo:=valor``) instead of containing its words.
        year_from: First year of a year filter (inclusive), None when open.
        year_to: Last year of a year filter (inclusive), None when open.
        negated: Exclude the records that match.
    """

    field: str
    value: str = ""
    exact: bool = False
    year_from: int | None = None
    year_to: int | None = None
    negated: bool = False

    def to_text(self) -> str:
        """The filter written in the query language."""
        name = DISPLAY_NAMES.get(self.field, self.field)
        sign = "-" if self.negated else ""
        if self.field == "year":
            lo = "" if self.year_from is None else str(self.year_from)
            hi = "" if self.year_to is None else str(self.year_to)
            body = lo if lo == hi else f"{lo}..{hi}"
            return f"{sign}{name}:{body}"
        value = (
            f'"{self.value}"' if (not self.value or re.search(r'[\s"]', self.value)) else self.value
        )
        return f"{sign}{name}:{'=' if self.exact else ''}{value}"


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query.

    Attributes:
        text: The text it was parsed from ("" when built in code).
        words: Free words/quoted groups as typed, in order.
        excluded: Words that must not appear (``-palabra``).
        filters: Field filters.
        last_word_partial: The last word may still be growing (no space typed after it); used by
            as-you-type search to keep a trailing stop word as a prefix.
        problems: What was ignored or cannot match.
    """

    text: str = ""
    words: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[FieldFilter, ...] = ()
    last_word_partial: bool = False
    problems: tuple[QueryProblem, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.excluded or self.filters)

    def with_filter(self, new: FieldFilter) -> SearchQuery:
        """A copy with ``new`` added (a facet click); ``text`` is re-rendered."""
        query = replace(self, filters=(*self.filters, new))
        return replace(query, text=query.to_text())

    def without_filter(self, old: FieldFilter) -> SearchQuery:
        """A copy without ``old``; ``text`` is re-rendered."""
        query = replace(self, filters=tuple(f for f in self.filters if f != old))
        return replace(query, text=query.to_text())

    def to_text(self) -> str:
        """The query written in the query language (round-trips through :func:`parse_query`)."""
        parts = [f'"{w}"' if re.search(r"\s", w) else w for w in self.words]
        parts += [f"-{w}" for w in self.excluded]
        parts += [f.to_text() for f in self.filters]
        return " ".join(parts)


def parse_query(text: str) -> SearchQuery:
    """Parse what a person typed. Never raises.

    Args:
        text: The search box contents.

    Returns:
        The parsed query, with any problems listed in ``problems``.
    """
    words: list[str] = []
    excluded: list[str] = []
    filters: list[FieldFilter] = []
    problems: list[QueryProblem] = []
    last_bare = False
    pos, end = 0, len(text)
    while pos < end:
        if text[pos].isspace():
            pos += 1
            continue
        negated = text[pos] == "-" and pos + 1 < end and not text[pos + 1].isspace()
        if negated:
            pos += 1
        match = _FIELD_PREFIX.match(text, pos)
        if match and fold(match.group(1)) in FIELD_NAMES:
            pos = match.end()
            exact = pos < end and text[pos] == "="
            if exact:
                pos += 1
            value, pos, _ = _read_value(text, pos)
            key = FIELD_NAMES[fold(match.group(1))]
            parsed = _make_filter(key, value, exact, negated, problems)
            if parsed is not None:
                filters.append(parsed)
            last_bare = False
            continue
        if match:
            problems.append(
                QueryProblem(
                    "search.query.unknown_field",
                    N_("«{name}» no es un campo de búsqueda; se buscó como texto."),
                    {"name": match.group(1)},
                )
            )
        value, pos, quoted = _read_value(text, pos)
        value = value.strip()
        if not value:
            continue
        (excluded if negated else words).append(value)
        last_bare = not quoted and not negated
    return SearchQuery(
        text=text,
        words=tuple(words),
        excluded=tuple(excluded),
        filters=tuple(filters),
        last_word_partial=last_bare and not text[-1:].isspace(),
        problems=tuple(problems),
    )


def _read_value(text: str, pos: int) -> tuple[str, int, bool]:
    """Read a bare value (up to whitespace) or a quoted one (an unclosed quote runs to the end,
    as happens while typing). Returns (value, new position, closed by a quote)."""
    if pos < len(text) and text[pos] == '"':
        close = text.find('"', pos + 1)
        if close < 0:
            return text[pos + 1 :], len(text), False
        return text[pos + 1 : close], close + 1, True
    stop = pos
    while stop < len(text) and not text[stop].isspace():
        stop += 1
    return text[pos:stop], stop, False


def _make_filter(
    key: str, value: str, exact: bool, negated: bool, problems: list[QueryProblem]
) -> FieldFilter | None:
    value = value.strip()
    if not value:
        return None  # "estado:" while still typing
    if key == "year":
        years = parse_years(value)
        if years is None:
            problems.append(
                QueryProblem(
                    "search.query.bad_year",
                    N_("«{value}» no es un año ni un rango de años (ej.: 2019 o 2015..2019)."),
                    {"value": value},
                )
            )
            return None
        return FieldFilter("year", year_from=years[0], year_to=years[1], negated=negated)
    if key in CHOICES:
        choice = resolve_choice(value, CHOICES[key])
        if choice is None:
            problems.append(
                QueryProblem(
                    "search.query.bad_choice",
                    N_("«{value}» no es un valor de {field}; use uno de: {choices}."),
                    {
                        "value": value,
                        "field": DISPLAY_NAMES[key],
                        "choices": ", ".join(CHOICES[key]),
                    },
                )
            )
            return FieldFilter(key, fold(value), negated=negated)
        return FieldFilter(key, choice, negated=negated)
    return FieldFilter(key, value, exact=exact, negated=negated)


def parse_years(value: str) -> tuple[int | None, int | None] | None:
    """``"2019"`` → (2019, 2019); ``"2015..2019"`` → (2015, 2019); ``"..2010"`` → (None, 2010).

    A reversed range is put in order. Returns None when ``value`` is not a year expression.
    """
    value = value.strip()
    if _YEAR.match(value):
        return int(value), int(value)
    match = _YEAR_RANGE.match(value)
    if not match or not (match.group(1) or match.group(2)):
        return None
    lo = int(match.group(1)) if match.group(1) else None
    hi = int(match.group(2)) if match.group(2) else None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def resolve_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice ``value`` means: itself, a unique prefix of one, or the same light stem
    ("cerrados" → "cerrado"). None when no single choice fits."""
    folded = fold(value).strip()
    if folded in choices:
        return folded
    starting = [c for c in choices if c.startswith(folded)]
    if len(starting) == 1:
        return starting[0]
    stemmed = [c for c in choices if light_stem(c) == light_stem(folded)]
    if len(stemmed) == 1:
        return stemmed[0]
    return None
