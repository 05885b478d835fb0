"""Final disposition: flags, real-world words, X marks and the AGN rules."""

from __future__ import annotations

import pytest

from archive.domain.disposition import (
    Disposition,
    check_disposition,
    from_x_marks,
    is_marked,
    parse_disposition_words,
    validate_disposition,
)
from archive.domain.errors import ValidationError

CT, E, S, MD = Disposition.CT, Disposition.E, Disposition.S, Disposition.MD


def test_persisted_values_never_change() -> None:
    assert [CT.value, E.value, S.value, MD.value, Disposition.NONE.value] == [1, 2, 4, 8, 0]
    assert (CT | MD).label == "CT, M/D"
    assert (MD | S | E).label == "E, S, M/D"
    assert Disposition.NONE.label == ""


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("CONSERVACION TOTAL", CT),
        ("Conservación total", CT),
        ("conservación   total", CT),
        ("C.TOTAL / M.TECNOLOGICO", CT | MD),
        ("CT", CT),
        ("C.T.", CT),
        ("ELIMINACION", E),
        ("Eliminación", E),
        ("E", E),
        ("SELECCION", S),
        ("Selección", S),
        ("S", S),
        ("M.TECNOLOGICO / SELECCION", MD | S),
        ("MICROFILMACION", MD),
        ("DIGITALIZACION", MD),
        ("M/D", MD),
        ("CT - M/D", CT | MD),
        ("Eliminación y digitalización", E | MD),
        ("S + D", S | MD),
        ("E, M", E | MD),
        ("CT S", CT | S),
        (" ct/md ", CT | MD),
        ("Selección - Microfilmación", S | MD),
    ],
)
def test_words(text: str, flags: Disposition) -> None:
    assert parse_disposition_words(text) == flags


@pytest.mark.parametrize("text", ["1", "2", " 2 ", "2 / CT"])
def test_numeric_legacy_codes_are_not_guessed(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_disposition_words(text)
    assert info.value.code == "disposition.numeric"
    assert info.value.params == {"value": text.strip()}


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_disposition_words(text)
    assert info.value.code == "disposition.empty"


def test_unknown_word_is_named() -> None:
    with pytest.raises(ValidationError) as info:
        parse_disposition_words("CT / ARCHIVAR")
    assert info.value.code == "disposition.unknown"
    assert info.value.params == {"value": "CT / ARCHIVAR", "word": "archivar"}
    assert "archivar" in info.value.untranslated()


@pytest.mark.parametrize(
    ("marks", "flags"),
    [
        (("X", None, "X", None), CT | MD),
        (("x", "", "", ""), CT),
        ((None, "✓", None, None), E),
        (("", "", "sí", "SI"), MD | S),
        ((0, 1, 0.0, 1.0), E | S),
        ((False, True, None, None), E),
        (("no", "X", "0", "-"), E),
        (("CT", None, "M/D", None), CT | MD),  # the column's own code typed instead of an X
        ((None, None, None, None), Disposition.NONE),
    ],
)
def test_x_marks(marks: tuple[object, object, object, object], flags: Disposition) -> None:
    assert from_x_marks(*marks) == flags


@pytest.mark.parametrize("value", ["X (10%)", "2", "tal vez", "S"])
def test_unknown_mark_is_reported(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_x_marks(value, None, None, None)
    assert info.value.code == "disposition.mark_unknown"
    assert info.value.params == {"value": value, "column": "CT"}


def test_is_marked_with_column_code() -> None:
    assert is_marked("el", "EL") is True
    assert is_marked("  ", "EL") is False


@pytest.mark.parametrize(
    ("flags", "procedure", "codes"),
    [
        (CT, "Conservar.", []),
        (CT | MD, "Conservar y digitalizar.", []),
        (E | MD, "Eliminar.", []),
        (S | MD, "Muestra del 10 %.", []),
        (S | E, "Muestra del 10 %; el resto se elimina.", []),
        (MD, "Digitalizar.", ["disposition.md_alone"]),
        (Disposition.NONE, "Algo.", ["disposition.none"]),
        (CT | E, "Algo.", ["disposition.ct_and_e"]),
        (S, "  ", ["disposition.selection_without_procedure"]),
        (CT, "", ["disposition.procedure_required"]),
        (CT | E | MD, "", ["disposition.ct_and_e", "disposition.procedure_required"]),
        (MD, "", ["disposition.md_alone", "disposition.procedure_required"]),
    ],
)
def test_rules(flags: Disposition, procedure: str, codes: list[str]) -> None:
    assert [e.code for e in check_disposition(flags, procedure)] == codes


def test_validate_raises_the_first_problem() -> None:
    validate_disposition(CT | MD, "Conservar.")
    with pytest.raises(ValidationError) as info:
        validate_disposition(CT | E, "")
    assert info.value.code == "disposition.ct_and_e"
