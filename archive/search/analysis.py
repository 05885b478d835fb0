"""Spanish text analysis for the search index: folding, tokens, light stemming, edge n-grams.

Everything here is plain Python, independent of Whoosh: the adapter analyses each document
itself and hands Whoosh ready-made term lists, and analyses query words with the very same
functions, so index and query can never disagree.

Decisions (see docs/SEARCH.md):

- **Folding**: lower case (``casefold``) and accents removed, so "gestion" finds "Gestión" and
  "resolucion" finds "RESOLUCIÓN". **ñ folds to n** ("Núñez" = "Nunez", "año" = "ano"): legacy
  inventories typed on keyboards without ñ are common, and the few collisions it causes
  ("año"/"ano", "peña"/"pena") cost less than missing a person's name.
- **Tokens**: runs of letters and digits. Codes joined by ``- . / _`` ("100-2.3", "C-0045") are
  also kept whole for prefixes, so typing a code as printed finds it.
- **Stemming**: a light, predictable Spanish stemmer for whole-word (ranked) search: it strips a
  plural "s", then a final gender vowel (a/e/o), and turns a final "z" into "c"; so "cajas" =
  "caja", "resoluciones" = "resolución", "papeles" = "papel", "luces" = "luz", "leyes" = "ley".
  Snowball is more aggressive (it conflates names and unrelated words) and expects accents,
  which folded text no longer has.
- **Edge n-grams**: every word (and whole code) is indexed by its prefixes of 2 to
  :data:`NGRAM_MAX` characters, so as-you-type search is a term lookup, never a wildcard
  expansion. A query word longer than :data:`NGRAM_MAX` is cut to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

#: Shortest and longest prefix indexed in the edge n-gram field.
NGRAM_MIN = 2
NGRAM_MAX = 12

#: Spanish function words dropped from whole-word search (folded forms).
STOPWORDS: frozenset[str] = frozenset(
    (
        "a",
        "al",
        "ante",
        "bajo",
        "con",
        "contra",
        "de",
        "del",
        "desde",
        "durante",
        "e",
        "el",
        "en",
        "entre",
        "hacia",
        "hasta",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "mediante",
        "o",
        "para",
        "pero",
        "por",
        "que",
        "se",
        "segun",
        "sin",
        "sino",
        "so",
        "sobre",
        "su",
        "sus",
        "tras",
        "u",
        "un",
        "una",
        "unas",
        "unos",
        "y",
    )
)

_WORD = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]+(?:[-./_][^\W_]+)+")
_TOKEN = re.compile(r"[^\W_]+(?:[-./_][^\W_]+)*")
_NUMBER_GROUPS = re.compile(r"(?<![^\W_])\d+(?:[-./_]\d+)+(?![^\W_])")
_SEPARATORS = re.compile(r"[-./_]")

# Letters that NFKD does not decompose into base letter + combining mark.
_SPECIAL_FOLDS = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i"}


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[code] = base.lower()
    for char in ("º", "ª"):
        table[ord(char)] = unicodedata.normalize("NFKD", char).lower()
    for char, base in _SPECIAL_FOLDS.items():
        table[ord(char)] = base
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case ``text`` and remove accents (ñ becomes n).

    >>> fold("RESOLUCIÓN Núñez")
    'resolucion nunez'
    """
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    lowered = lowered.translate(_FOLD_TABLE)
    if lowered.isascii():
        return lowered
    return "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )


@lru_cache(maxsize=200_000)
def light_stem(word: str) -> str:
    """Light Spanish stem of a folded word: plural, gender vowel, final z.

    Words with digits and words shorter than three letters are returned unchanged.

    >>> [light_stem(w) for w in ("cajas", "caja", "resoluciones", "resolucion", "luces", "luz")]
    ['caj', 'caj', 'resolucion', 'resolucion', 'luc', 'luc']
    """
    if len(word) < 3 or not word.isalpha():
        return word
    if len(word) >= 4 and word[-1] == "s":
        word = word[:-1]
    if len(word) > 3 and word[-1] in "aeo":
        word = word[:-1]
    if word[-1] == "z":
        word = word[:-1] + "c"
    return word


def words(text: str) -> list[str]:
    """The folded words (letters/digits runs) of ``text``, in order, duplicates kept."""
    return _WORD.findall(fold(text))


def text_terms(text: str, *, join_numbers: bool = True) -> list[str]:
    """Terms of the whole-word (ranked) field: folded, stop words and lone letters dropped,
    light-stemmed. Duplicates are kept (term frequency matters to BM25).

    With ``join_numbers``, a number written with separators ("79.123.456") also yields its
    digits joined ("79123456"), so a cédula is found however it is typed.
    """
    folded = fold(text)
    terms = [
        light_stem(w)
        for w in _WORD.findall(folded)
        if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
    ]
    if join_numbers:
        terms.extend(_joined_numbers(folded))
    return terms


def _joined_numbers(folded: str) -> list[str]:
    return [_SEPARATORS.sub("", m.group()) for m in _NUMBER_GROUPS.finditer(folded)]


def filter_terms(text: str) -> list[str]:
    """Terms of a filter field (dependencia, serie...): same as :func:`text_terms`, unique."""
    return list(dict.fromkeys(text_terms(text)))


def prefix_tokens(text: str) -> list[str]:
    """Folded tokens for the prefix field: each word, plus each code kept whole.

    >>> prefix_tokens("Acta 100-2.3 de")
    ['acta', '100-2.3', '100', '2', '3']
    """
    folded = fold(text)
    out: list[str] = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        if _COMPOUND.fullmatch(token):
            out.append(token)
            out.extend(_WORD.findall(token))
        elif token not in STOPWORDS:
            out.append(token)
    return out


def code_prefix_tokens(code: str) -> list[str]:
    """Folded tokens of a record code for the prefix field: the code whole, so that typing it
    from its start finds it ("100-2" finds "100-2.3-2019-0045"). Its parts are not indexed
    separately: a code is looked up by its start (and exactly, in SQL)."""
    return [m.group() for m in _TOKEN.finditer(fold(code))]


def edge_ngrams(tokens: Iterable[str]) -> set[str]:
    """All prefixes of :data:`NGRAM_MIN`..:data:`NGRAM_MAX` characters of ``tokens``."""
    grams: set[str] = set()
    for token in tokens:
        for size in range(NGRAM_MIN, min(len(token), NGRAM_MAX) + 1):
            grams.add(token[:size])
    return grams


def prefix_query_terms(text: str, *, last_is_partial: bool = True) -> list[str]:
    """The prefix-field terms for what a person typed so far (as-you-type search).

    Each token becomes one term, cut to :data:`NGRAM_MAX` characters. Single characters are
    dropped (nothing that short is indexed), and so are stop words, which are not indexed:
    "historia de" keeps showing the matches of "historia" until "de" grows into "derecho".
    Only when the text is nothing but stop words is the last one, still being typed, kept as
    a prefix ("de" alone finds "derecho", "demanda"...).
    """
    folded = fold(text)
    tokens = [m.group() for m in _TOKEN.finditer(folded) if len(m.group()) >= NGRAM_MIN]
    terms = [t[:NGRAM_MAX] for t in tokens if t not in STOPWORDS]
    if not terms and tokens and last_is_partial:
        terms = [tokens[-1][:NGRAM_MAX]]
    return list(dict.fromkeys(terms))


def iter_typo_candidates(terms: Iterable[str], min_length: int = 5) -> Iterator[str]:
    """The stemmed terms long enough to deserve typo tolerance (alphabetic, ``min_length``+)."""
    for term in terms:
        if len(term) >= min_length and term.isalpha():
            yield term
