"""Final disposition (disposición final) of a TRD/TVD serie or subserie, as a set of flags.

AGN_NOTES §1.6: CT (conservación total), E (eliminación), S (selección) and M/D (microfilmación
or digitalización, "medio técnico": a reproduction that accompanies one of the others, never an
end state by itself). Rules (:func:`check_disposition`):

- at least one of CT, E, S;
- CT and E exclude each other;
- M/D only beside another flag;
- the procedure text is always mandatory, and a selección must say its criterion there.

Real spreadsheets write the disposition as words ("CONSERVACION TOTAL", "C.TOTAL /
M.TECNOLOGICO", "M.TECNOLOGICO / SELECCION") or as X marks in CT / E / M-D / S columns;
:func:`parse_disposition_words` and :func:`from_x_marks` read both. Bare numbers (ORFEO legacy
``1``/``2``) are rejected by name instead of being guessed.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from archive.domain.errors import ValidationError
from archive.i18n import N_


class Disposition(enum.Flag):
    """The disposition flags. The integer values are persisted: never renumber them."""

    NONE = 0
    CT = 1
    E = 2
    S = 4
    MD = 8

    @property
    def label(self) -> str:
        """The flags as the AGN format writes them, e.g. ``"CT, M/D"`` (``""`` for none)."""
        return ", ".join(name for flag, name in _LABELS if flag in self)


_LABELS = (
    (Disposition.CT, "CT"),
    (Disposition.E, "E"),
    (Disposition.S, "S"),
    (Disposition.MD, "M/D"),
)

#: Words and abbreviations seen in real TRDs, folded (no accents, lower case, no dots/spaces).
_WORDS: dict[str, Disposition] = {
    **dict.fromkeys(
        ("ct", "ctotal", "conservaciontotal", "conservacion", "conservartotal", "conservar"),
        Disposition.CT,
    ),
    **dict.fromkeys(("e", "elim", "eliminacion", "eliminar", "destruccion"), Disposition.E),
    **dict.fromkeys(("s", "sel", "seleccion", "seleccionar"), Disposition.S),
    **dict.fromkeys(
        (
            "m",
            "d",
            "md",
            "mt",
            "mtecnologico",
            "mediotecnologico",
            "mtecnico",
            "mediotecnico",
            "microfilmacion",
            "microfilm",
            "microfilmar",
            "digitalizacion",
            "digitalizar",
        ),
        Disposition.MD,
    ),
}
_SPLIT = re.compile(r"\s*(?:/|-|\+|,|;|&|\by\b)\s*")
_MARKED = frozenset({"x", "✓", "✔", "☑", "si", "1", "true", "verdadero"})
_UNMARKED = frozenset({"", "no", "0", "false", "falso", "-"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def _word(token: str) -> Disposition | None:
    flag = _WORDS.get(token.replace(".", "").replace(" ", ""))
    if flag is not None:
        return flag
    # "CT S": several known codes separated only by spaces.
    words = [w.replace(".", "") for w in token.split()]
    if len(words) > 1 and all(w in _WORDS for w in words):
        result = Disposition.NONE
        for w in words:
            result |= _WORDS[w]
        return result
    return None


def parse_disposition_words(text: str) -> Disposition:
    """Read a disposition written as words or codes.

    Accepts full words with or without accents ("Conservación total", "ELIMINACION",
    "SELECCION", "MICROFILMACION", "DIGITALIZACION"), abbreviations ("CT", "C.TOTAL", "E", "S",
    "M/D", "M.TECNOLOGICO") and combinations joined by ``/``, ``-``, ``+``, ``,`` or ``y``. The
    result is not checked for consistency: use :func:`check_disposition` for that.

    Args:
        text: The cell text.

    Returns:
        The flags found.

    Raises:
        ValidationError: ``disposition.empty`` for a blank value;
            ``disposition.numeric`` for a bare number (legacy ORFEO codes: their meaning is not
            documented, so they are not guessed); ``disposition.unknown`` naming the value and
            the word that was not understood.
    """
    folded = _fold(text)
    if not folded:
        raise ValidationError("disposition.empty", N_("Falta la disposición final."))
    result = Disposition.NONE
    for token in (t for t in _SPLIT.split(folded) if t):
        if token.replace(".", "").isdigit():
            raise ValidationError(
                "disposition.numeric",
                N_(
                    "La disposición final «{value}» es un código numérico sin significado "
                    "conocido; escríbala como CT, E, S o M/D."
                ),
                value=text.strip(),
            )
        flag = _word(token)
        if flag is None:
            raise ValidationError(
                "disposition.unknown",
                N_("No se entiende «{word}» en la disposición final «{value}»."),
                value=text.strip(),
                word=token,
            )
        result |= flag
    return result


def is_marked(value: object, column_code: str = "") -> bool:
    """Whether an X-mark cell is marked.

    Marked: ``X``, ``x``, ``✓``, ``si``/``sí``, ``1``, ``True``, or the column's own code typed
    instead of an X (``CT`` in the CT column). Not marked: blank, ``None``, ``no``, ``0``,
    ``False``, ``-``.

    Args:
        value: The cell value (text, number, bool or ``None``).
        column_code: The code of the column (``"CT"``, ``"M/D"``), also accepted as a mark.

    Raises:
        ValidationError: ``disposition.mark_unknown`` for anything else (a stray note in a mark
            column is reported, not read as a mark).
    """
    if value is None or value is False:
        return False
    if value is True:
        return True
    text = _fold(str(value))
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text in _MARKED or (column_code and text == _fold(column_code)):
        return True
    if text in _UNMARKED:
        return False
    raise ValidationError(
        "disposition.mark_unknown",
        N_("«{value}» no es una marca válida en la columna {column}: use X o deje la celda vacía."),
        value=str(value).strip(),
        column=column_code,
    )


def from_x_marks(ct: object, e: object, md: object, s: object) -> Disposition:
    """The flags of an X-mark row (CT, E, M/D, S columns, in the AGN column order).

    Raises:
        ValidationError: ``disposition.mark_unknown`` for a cell that is neither marked nor
            blank (see :func:`is_marked`).
    """
    result = Disposition.NONE
    for flag, value, code in (
        (Disposition.CT, ct, "CT"),
        (Disposition.E, e, "E"),
        (Disposition.MD, md, "M/D"),
        (Disposition.S, s, "S"),
    ):
        if is_marked(value, code):
            result |= flag
    return result


def check_disposition(flags: Disposition, procedure: str) -> list[ValidationError]:
    """Every rule a disposition breaks (empty list when valid).

    Args:
        flags: The disposition flags.
        procedure: The PROCEDIMIENTO text (mandatory; a selección states its criterion there).

    Returns:
        Errors with codes ``disposition.md_alone``, ``disposition.none``,
        ``disposition.ct_and_e``, ``disposition.selection_without_procedure``,
        ``disposition.procedure_required``, in that order.
    """
    errors: list[ValidationError] = []
    if not flags & (Disposition.CT | Disposition.E | Disposition.S):
        if Disposition.MD in flags:
            errors.append(
                ValidationError(
                    "disposition.md_alone",
                    N_(
                        "M/D (microfilmación o digitalización) acompaña a CT, E o S; "
                        "no puede ser la única disposición."
                    ),
                )
            )
        else:
            errors.append(
                ValidationError("disposition.none", N_("Indique la disposición final: CT, E o S."))
            )
    if Disposition.CT in flags and Disposition.E in flags:
        errors.append(
            ValidationError(
                "disposition.ct_and_e",
                N_("Conservación total (CT) y eliminación (E) se excluyen entre sí."),
            )
        )
    if not procedure.strip():
        if Disposition.S in flags:
            errors.append(
                ValidationError(
                    "disposition.selection_without_procedure",
                    N_("La selección (S) exige un procedimiento que diga el criterio de muestreo."),
                )
            )
        else:
            errors.append(
                ValidationError(
                    "disposition.procedure_required", N_("El procedimiento es obligatorio.")
                )
            )
    return errors


def validate_disposition(flags: Disposition, procedure: str) -> None:
    """Raise the first rule :func:`check_disposition` finds broken.

    Raises:
        ValidationError: see :func:`check_disposition`.
    """
    errors = check_disposition(flags, procedure)
    if errors:
        raise errors[0]
