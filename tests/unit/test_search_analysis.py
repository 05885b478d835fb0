"""Spanish analysis and the query language of the search index (no index needed)."""

from __future__ import annotations

import pytest

from archive.search import analysis
from archive.search.analysis import (
    NGRAM_MAX,
    edge_ngrams,
    fold,
    light_stem,
    prefix_query_terms,
    prefix_tokens,
    text_terms,
)
from archive.search.query import FieldFilter, SearchQuery, parse_query, parse_years


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Gestión", "gestion"),
        ("RESOLUCIÓN", "resolucion"),
        ("Núñez Peña", "nunez pena"),
        ("AÑO", "ano"),
        ("Pingüino Ærø ß", "pinguino aero ss"),
        ("Nº 45", "no 45"),
    ],
)
def test_fold_removes_case_and_accents_and_folds_enye(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("cajas", "caja"),
        ("resoluciones", "resolución"),
        ("expedientes", "expediente"),
        ("papeles", "papel"),
        ("ciudades", "ciudad"),
        ("luces", "luz"),
        ("leyes", "ley"),
        ("meses", "mes"),
        ("años", "año"),
        ("historias", "historia"),
        ("abogadas", "abogado"),
    ],
)
def test_light_stem_conflates_plural_and_singular(plural: str, singular: str) -> None:
    assert text_terms(plural) == text_terms(singular)


def test_light_stem_leaves_numbers_and_short_words() -> None:
    assert light_stem("2019") == "2019"
    assert light_stem("a1b2") == "a1b2"
    assert light_stem("la") == "la"


def test_text_terms_drop_stopwords_and_join_separated_numbers() -> None:
    terms = text_terms("Historia laboral de Juan, cédula 79.123.456")
    assert "de" not in terms
    assert {"histori", "laboral", "juan", "79", "123", "456", "79123456"} <= set(terms)
    assert "79123456" not in text_terms("79.123.456", join_numbers=False)


def test_prefix_tokens_keep_codes_whole_and_split() -> None:
    assert prefix_tokens("Acta 100-2.3 de") == ["acta", "100-2.3", "100", "2", "3"]
    assert analysis.code_prefix_tokens("100-2.3-2019-0045") == ["100-2.3-2019-0045"]


def test_edge_ngrams_span_two_to_max() -> None:
    grams = edge_ngrams(["constitucionalidad", "a", "ab"])
    assert "co" in grams and "ab" in grams
    assert "constitucion" in grams  # 12 characters
    assert "constituciona" not in grams
    assert max(len(g) for g in grams) == NGRAM_MAX
    assert "a" not in grams


def test_prefix_query_terms_cut_long_words_and_drop_lone_letters() -> None:
    assert prefix_query_terms("inconstitucionalidades x") == ["inconstituci"]
    assert prefix_query_terms("Pé") == ["pe"]


def test_prefix_query_ignores_stopwords_unless_alone_and_partial() -> None:
    assert prefix_query_terms("historia de", last_is_partial=True) == ["historia"]
    assert prefix_query_terms("de historia", last_is_partial=True) == ["historia"]
    assert prefix_query_terms("de", last_is_partial=True) == ["de"]
    assert prefix_query_terms("de", last_is_partial=False) == []


# -- query language ----------------------------------------------------------------------------


def test_parse_words_filters_and_negations() -> None:
    q = parse_query('historia "juan pérez" -anulado serie:contratos -estado:cerrado')
    assert q.words == ("historia", "juan pérez")
    assert q.excluded == ("anulado",)
    assert FieldFilter("serie", "contratos") in q.filters
    assert FieldFilter("state", "cerrado", negated=True) in q.filters
    assert not q.problems


@pytest.mark.parametrize("name", ["año", "AÑO", "ano", "Anio"])
def test_year_field_name_is_accent_and_case_insensitive(name: str) -> None:
    q = parse_query(f"{name}:2019")
    assert q.filters == (FieldFilter("year", year_from=2019, year_to=2019),)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019", (2019, 2019)),
        ("2015..2019", (2015, 2019)),
        ("2019..2015", (2015, 2019)),
        ("..2010", (None, 2010)),
        ("2015..", (2015, None)),
        ("2015-2019", (2015, 2019)),
        ("dos mil", None),
        ("..", None),
    ],
)
def test_parse_years(text: str, years: tuple[int | None, int | None] | None) -> None:
    assert parse_years(text) == years


def test_closed_lists_accept_prefixes_and_other_forms() -> None:
    q = parse_query("estado:cerr etapa:HISTÓRICO tipo:exp estado:cerrados")
    assert [f.value for f in q.filters] == ["cerrado", "historico", "expediente", "cerrado"]


def test_problems_are_reported_never_raised() -> None:
    q = parse_query("nota:algo año:ayer tipo:ca estado:")
    codes = [p.code for p in q.problems]
    assert codes == [
        "search.query.unknown_field",
        "search.query.bad_year",
        "search.query.bad_choice",
    ]
    assert q.words == ("nota:algo",)
    assert all(p.untranslated() for p in q.problems)


def test_exact_filter_and_round_trip() -> None:
    q = parse_query('dependencia:="Oficina Jurídica" año:2015..2019 -tipo:caja juan')
    assert q.filters[0] == FieldFilter("dependencia", "Oficina Jurídica", exact=True)
    again = parse_query(q.to_text())
    assert again.filters == q.filters and again.words == q.words


def test_facet_click_adds_an_exact_filter() -> None:
    q = SearchQuery().with_filter(FieldFilter("serie", "Historias laborales", exact=True))
    assert q.text == 'serie:="Historias laborales"'
    assert q.without_filter(q.filters[0]).is_empty


def test_last_word_partial_tracks_the_trailing_space() -> None:
    assert parse_query("historia de").last_word_partial
    assert not parse_query("historia de ").last_word_partial
    assert parse_query('"juan pe').last_word_partial
