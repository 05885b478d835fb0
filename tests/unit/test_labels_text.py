"""Text fitting, fonts and the printed forms of dates, folios and numbers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.domain.timefmt import format_date
from reports.labels import HELVETICA, LabelKind, default_fonts
from reports.labels.data import (
    FIELD_KEYS,
    format_date_range,
    format_folios,
    format_n_of_m,
    format_range,
)
from reports.labels.text import fit_text, sanitise, unit_width
from tests.samples.labels.factory import FACTORIES


def test_dates_print_as_dd_mm_aaaa_and_undated_as_sf() -> None:
    assert format_date(dt.date(2024, 3, 5)) == "05/03/2024"
    assert format_date(None) == "s.f."
    assert format_date_range(None, None) == "s.f."
    assert format_date_range(dt.date(2020, 1, 2), dt.date(2020, 1, 2)) == "02/01/2020"
    assert format_date_range(dt.date(2020, 1, 2), None) == "02/01/2020 – s.f."
    assert format_date_range(None, dt.date(2021, 12, 31)) == "s.f. – 31/12/2021"
    # a UTC timestamp prints as its Bogotá date (UTC−5)
    assert format_date(dt.datetime(2024, 3, 6, 3, 59, tzinfo=dt.UTC)) == "05/03/2024"


def test_folios_carpetas_and_counts() -> None:
    assert format_folios(1, 200, None) == "del 1 al 200 (200)"
    assert format_folios(201, 380, 180) == "del 201 al 380 (180)"
    assert format_folios(None, None, 57) == "57"
    assert format_folios(None, None, None) == ""
    assert format_n_of_m(1, 2) == "1 de 2"
    assert format_n_of_m("3", None) == "3"
    assert format_n_of_m(None, 4) == ""
    assert format_range(1, 12, 12) == "1 a 12 (12)"
    assert format_range(None, None, 5) == "5"


def test_every_kind_offers_exactly_its_field_keys() -> None:
    for kind, factory in FACTORIES.items():
        item = factory()
        assert item.kind is kind
        assert set(item.values()) == FIELD_KEYS[kind]


def test_undated_carpeta_prints_sf() -> None:
    item = FACTORIES[LabelKind.CARPETA](fecha_inicial=None, fecha_final=None)
    assert item.values()["fechas"] == "s.f."


FONTS = default_fonts()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120),
    caption=st.sampled_from(["", "Serie:", "Fechas extremas:", "Signatura topográfica:"]),
    width=st.floats(min_value=8, max_value=400),
    size=st.floats(min_value=5, max_value=20),
    max_lines=st.integers(min_value=1, max_value=4),
)
def test_fitted_lines_never_exceed_the_width(
    text: str, caption: str, width: float, size: float, max_lines: int
) -> None:
    fit = fit_text(text, caption, FONTS.regular, FONTS.bold, size, 5.0, width, max_lines)
    assert 5.0 <= fit.size <= size
    assert len(fit.lines) <= max_lines
    for i, line in enumerate(fit.lines):
        w = unit_width(line, FONTS.regular) * fit.size
        assert fit.offset(i) + w <= width + 1e-6
    if not fit.truncated:  # every character is printed, only the spacing may change
        assert "".join("".join(fit.lines).split()) == "".join(text.split())


def test_short_text_shrinks_long_text_wraps_then_ellipsis() -> None:
    regular, bold = FONTS.regular, FONTS.bold
    date = "05/01/2023 – 19/03/2024"
    w = unit_width("Fechas extremas: " + date, regular) * 6.0
    fit = fit_text(date, "Fechas extremas:", regular, bold, 8.0, 5.0, w, 2)
    assert len(fit.lines) == 1 and 5.0 <= fit.size < 8.0 and not fit.truncated
    prose = "Tutela de Juan Pérez Núñez contra la Secretaría de Educación Municipal"
    w = unit_width(prose, regular) * 8.0 * 0.6
    fit = fit_text(prose, "", regular, bold, 8.0, 5.0, w, 2)
    assert len(fit.lines) == 2 and not fit.truncated
    assert fit.size >= 6.5  # wrapped rather than shrunk to the minimum
    fit = fit_text(prose * 4, "", regular, bold, 8.0, 5.0, w, 2)
    assert fit.truncated and fit.size == 5.0 and fit.lines[-1].endswith("…")


def test_balanced_wrap_avoids_a_lone_last_word() -> None:
    text = "Depósito 01 · Módulo 03 · Cara A · Estante 04 · Bandeja 2"
    w = unit_width(text, FONTS.regular) * 8.0 * 0.97
    fit = fit_text(text, "", FONTS.regular, FONTS.bold, 8.0, 8.0, w, 2)
    assert len(fit.lines) == 2
    short, long_ = sorted(len(x) for x in fit.lines)
    assert short > long_ / 2


def test_no_break_space_keeps_level_and_value_together() -> None:
    text = "Depósito\u00a001 · Módulo\u00a003 · Cara\u00a0A"
    w = unit_width("Depósito\u00a001 · Módulo\u00a003 · Ca", FONTS.regular) * 8.0
    fit = fit_text(text, "", FONTS.regular, FONTS.bold, 8.0, 8.0, w, 3)
    assert all(not line.endswith("Cara") for line in fit.lines)


def test_sanitise_for_helvetica() -> None:
    assert sanitise("Sección Ñandú ¿sí?", HELVETICA) == "Sección Ñandú ¿sí?"
    assert sanitise("漢字 – ok", HELVETICA) == "?? – ok"
    assert sanitise("tab\there", FONTS) == "tab here"


def test_default_fonts_cover_spanish_even_without_dejavu(tmp_path) -> None:
    fonts = default_fonts([tmp_path])  # no DejaVu there: ReportLab's own Vera
    assert fonts.unicode
    assert fonts.regular == "LegajoVera"
    assert unit_width("ñ", fonts.regular) > 0
