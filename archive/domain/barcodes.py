"""Label barcodes: the format Legajo prints, its check character, and scanner-input cleaning.

A Legajo label carries 13 characters ``<kind><workstation><sequence><check>`` (see
``docs/BARCODES.md``)::

    F 0A1 00000042 W     kind F (carpeta), workstation 0A1, sequence 42, check character W

Barcodes are not ids: they are unique because workstation codes are unique centrally and each
workstation allocates its own sequences (per kind) offline. Allocation is a database service;
this module only formats, checks and parses. Barcodes that Legajo did not print (legacy or vendor
labels) are accepted as they are through :func:`validate_external_barcode`.

The check character is the Damm algorithm over a totally anti-symmetric quasigroup of order 36
(built on GF(4) x GF(9)): it detects every single-character substitution, adjacent
transposition, twin error (``aa``→``bb``) and jump transposition (``abc``→``cba``), the check
character included. ISO/IEC 7064 MOD 37,36 was considered and rejected: it misses 1 in 630
adjacent transpositions (``F1U24141011`` and ``F1U24140111`` share its check character).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from archive.domain.errors import ValidationError
from archive.i18n import N_

#: The 36 symbols of payload and check character (Code 39 and Code 128 safe).
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WORKSTATION_CODE_LENGTH = 3
SEQUENCE_DIGITS = 8
MIN_SEQUENCE = 1
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
BARCODE_LENGTH = 1 + WORKSTATION_CODE_LENGTH + SEQUENCE_DIGITS + 1
EXTERNAL_MAX_LENGTH = 64

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_CHARS = frozenset(ALPHABET)
_WORKSTATION_RE = re.compile(r"[A-Z0-9]{3}")
_SHAPE_RE = re.compile(r"[CFEUT][A-Z0-9]{3}[0-9]{8}[0-9A-Z]")
# AIM symbology identifier (ISO/IEC 15424): "]" + symbology letter + modifier character.
_AIM_RE = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_CLEAN = re.compile(r"[0-9A-Z]+")
_LOWER_TO_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class BarcodeKind(Enum):
    """What a Legajo label is stuck on; the value is the barcode's first character."""

    CAJA = "C"
    CARPETA = "F"
    EXPEDIENTE = "E"
    UBICACION = "U"
    TESTIGO = "T"

    @property
    def label(self) -> str:
        """Spanish name (a msgid), e.g. ``"carpeta"``."""
        return _LABELS[self]

    @property
    def with_article(self) -> str:
        """Spanish name with its indefinite article (a msgid), e.g. ``"una carpeta"``."""
        return _WITH_ARTICLE[self]


_LABELS = {
    BarcodeKind.CAJA: N_("caja"),
    BarcodeKind.CARPETA: N_("carpeta"),
    BarcodeKind.EXPEDIENTE: N_("expediente"),
    BarcodeKind.UBICACION: N_("ubicación"),
    BarcodeKind.TESTIGO: N_("testigo"),
}
_WITH_ARTICLE = {
    BarcodeKind.CAJA: N_("una caja"),
    BarcodeKind.CARPETA: N_("una carpeta"),
    BarcodeKind.EXPEDIENTE: N_("un expediente"),
    BarcodeKind.UBICACION: N_("una ubicación"),
    BarcodeKind.TESTIGO: N_("un testigo"),
}
_KIND_BY_LETTER = {k.value: k for k in BarcodeKind}
assert _SHAPE_RE.pattern.startswith(f"[{''.join(_KIND_BY_LETTER)}]")


@dataclass(frozen=True, slots=True)
class ParsedBarcode:
    """A valid Legajo label barcode, split into its parts."""

    kind: BarcodeKind
    workstation_code: str
    sequence: int
    value: str


# --- check character ---------------------------------------------------------------------------


def _damm_op(x: int, y: int) -> int:
    """The quasigroup x*y = a·(x − y) on 0..35 read as GF(4) × GF(9) (x = 9·x4 + x9).

    The multiplier a is (w, 1+t): w generates GF(4)* = {1, w, w²} (encoded 1, 2, 3; GF(2)[w] mod
    w²+w+1), 1+t generates GF(9)* (GF(3)[t] mod t²+1, encoded v0 + 3·v1). Since a ∉ {0, ±1} and
    a² ≠ −1 in both fields, (c*x)*y ≠ (c*y)*x for x ≠ y (total anti-symmetry) and twin, jump
    transposition and jump twin errors change the result too; x*x = 0 (zero diagonal).
    """
    x4, x9 = divmod(x, 9)
    y4, y9 = divmod(y, 9)
    gf4 = (0, 2, 3, 1)[x4 ^ y4]  # w·(x4 − y4); subtraction is XOR in characteristic 2
    d0, d1 = (x9 % 3 - y9 % 3) % 3, (x9 // 3 - y9 // 3) % 3  # x9 − y9 = d0 + d1·t
    gf9 = (d0 - d1) % 3 + 3 * ((d0 + d1) % 3)  # (1+t)(d0 + d1·t) = (d0 − d1) + (d0 + d1)·t
    return 9 * gf4 + gf9


#: ``_damm_op`` tabulated (``x * 36 + y``): every scan is checked, so the arithmetic runs once here.
_DAMM = tuple(_damm_op(x, y) for x in range(36) for y in range(36))


#: ``_DAMM`` by state and character code (``state * 128 + ord(c)``): one index a character.
_DAMM_ASCII = tuple(
    _DAMM[state * 36 + _VALUE[chr(code)]] if chr(code) in _VALUE else -1
    for state in range(36)
    for code in range(128)
)


def _interim(chars: str) -> int:
    """The check state after ``chars`` (characters of :data:`ALPHABET` only)."""
    state, table = 0, _DAMM_ASCII
    for code in chars.encode("ascii"):
        state = table[state * 128 + code]
    return state


def check_char(payload: str) -> str:
    """The check character of ``payload`` (characters of :data:`ALPHABET`).

    Args:
        payload: the characters before the check character, e.g. ``"F0A100000042"``.

    Returns:
        One character of :data:`ALPHABET`.

    Raises:
        ValueError: ``payload`` is empty or has characters outside :data:`ALPHABET`.
    """
    if not payload or not _CHARS.issuperset(payload):
        raise ValueError(f"payload must be non-empty and use only {ALPHABET}: {payload!r}")
    # x*x == 0, so the character that brings the interim to 0 is the interim itself.
    return ALPHABET[_interim(payload)]


def has_valid_check(value: str) -> bool:
    """Whether the last character of ``value`` is the check character of the rest."""
    if len(value) < 2 or not _CHARS.issuperset(value):
        return False
    return _interim(value) == 0


# --- formatting ----------------------------------------------------------------------------------


def validate_workstation_code(code: str) -> str:
    """Check a workstation code: exactly 3 characters, A–Z or 0–9 (upper-cased first).

    Returns:
        The code, upper-cased.

    Raises:
        ValidationError: ``barcode.workstation_code``.
    """
    normalized = code.strip().translate(_LOWER_TO_UPPER)
    if not _WORKSTATION_RE.fullmatch(normalized):
        raise ValidationError(
            "barcode.workstation_code",
            N_(
                "El código de estación «{value}» no es válido: deben ser exactamente 3 "
                "caracteres, letras de la A a la Z o dígitos."
            ),
            value=code,
        )
    return normalized


def format_barcode(kind: BarcodeKind, workstation_code: str, sequence: int) -> str:
    """The label barcode for ``sequence`` of ``kind`` allocated by a workstation.

    Args:
        kind: what the label goes on.
        workstation_code: the allocating workstation's 3-character code.
        sequence: :data:`MIN_SEQUENCE` to :data:`MAX_SEQUENCE`, unique per workstation and kind.

    Returns:
        13 characters, e.g. ``format_barcode(BarcodeKind.CARPETA, "0A1", 42)``.

    Raises:
        ValidationError: ``barcode.workstation_code`` or ``barcode.sequence_range``.
    """
    if not isinstance(kind, BarcodeKind):
        raise TypeError(f"kind must be a BarcodeKind, not {kind!r}")
    code = validate_workstation_code(workstation_code)
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence must be an int, not {sequence!r}")
    _check_sequence(sequence)
    payload = f"{kind.value}{code}{sequence:0{SEQUENCE_DIGITS}d}"
    return payload + check_char(payload)


def _check_sequence(sequence: int) -> None:
    if not MIN_SEQUENCE <= sequence <= MAX_SEQUENCE:
        raise ValidationError(
            "barcode.sequence_range",
            N_("El consecutivo {sequence} está fuera del rango permitido ({min} a {max})."),
            sequence=sequence,
            min=MIN_SEQUENCE,
            max=MAX_SEQUENCE,
        )


# --- scanner input -------------------------------------------------------------------------------


def aim_identifier(raw: str) -> str | None:
    """The AIM symbology identifier (e.g. ``"]C0"``) a scanner put before the data, if any."""
    cleaned = _drop_controls(raw).strip()
    match = _AIM_RE.match(cleaned)
    return match.group(0) if match else None


def normalize_scan(raw: str) -> str:
    """Clean what a scanner (or a person) typed into the value Legajo looks up.

    Removes control and format characters anywhere (CR, LF, TAB, NUL, GS ``\\x1d``, zero-width
    spaces...), surrounding whitespace and a leading AIM symbology identifier (``]C0``), and
    upper-cases a–z (a keyboard-wedge scanner types inverted case when Caps Lock is on).
    Inner spaces are kept: they are legal in some external barcodes.
    """
    if _CLEAN.fullmatch(raw):  # digits and capitals only (every label): nothing to clean
        return raw
    cleaned = _drop_controls(raw).strip()
    if _AIM_RE.match(cleaned):
        cleaned = cleaned[3:].strip()
    return cleaned.translate(_LOWER_TO_UPPER)


def _drop_controls(raw: str) -> str:
    if raw.isprintable():  # no character of category Cc or Cf (the common case: nothing to drop)
        return raw
    return "".join(c for c in raw if unicodedata.category(c) not in ("Cc", "Cf"))


# --- parsing -------------------------------------------------------------------------------------


def parse_barcode(raw: str, expected_kinds: Collection[BarcodeKind] | None = None) -> ParsedBarcode:
    """Validate a scanned or typed Legajo label barcode and split it.

    Args:
        raw: scanner or keyboard input; cleaned with :func:`normalize_scan` first.
        expected_kinds: the kinds this context accepts (``None``: any kind).

    Returns:
        The parsed barcode.

    Raises:
        ValidationError: with code ``barcode.empty``, ``barcode.length``, ``barcode.characters``,
            ``barcode.kind_unknown``, ``barcode.check_digit``, ``barcode.sequence_range`` or
            ``barcode.kind_unexpected`` (checked in that order: the kind of a misread label is
            never reported).
    """
    parsed = _parse_normalized(normalize_scan(raw))
    if expected_kinds is not None and parsed.kind not in expected_kinds:
        raise _unexpected_kind(parsed.value, parsed.kind, expected_kinds)
    return parsed


@lru_cache(maxsize=100_000)
def _parse_normalized(value: str) -> ParsedBarcode:
    """:func:`parse_barcode` of a normalized value, whatever the kind (pure, so cached: bulk
    imports check and then resolve every code, and a depósito's labels come back file after
    file; refusals raise and are not cached)."""
    if _SHAPE_RE.fullmatch(value) is None:  # else every check of _refuse_shape passes
        _refuse_shape(value)
    if _interim(value) != 0:
        raise ValidationError(
            "barcode.check_digit",
            N_("El código de barras {value} tiene un dígito de control inválido."),
            value=value,
        )
    sequence = int(value[1 + WORKSTATION_CODE_LENGTH : -1])
    _check_sequence(sequence)
    return ParsedBarcode(_KIND_BY_LETTER[value[0]], value[1 : 1 + WORKSTATION_CODE_LENGTH], sequence, value)


def _refuse_shape(value: str) -> None:
    """Raise the first error of a value without a label's shape: empty, length, characters,
    kind letter (in that order)."""
    if not value:
        raise ValidationError("barcode.empty", N_("El código de barras está vacío."))
    if len(value) != BARCODE_LENGTH:
        raise ValidationError(
            "barcode.length",
            N_(
                "El código de barras {value} tiene {length} caracteres; una etiqueta de Legajo "
                "tiene {expected}."
            ),
            value=value,
            length=len(value),
            expected=BARCODE_LENGTH,
        )
    sequence_part = value[1 + WORKSTATION_CODE_LENGTH : -1]
    bad = [c for c in value if c not in _VALUE]
    bad += [c for c in sequence_part if c not in "0123456789"]
    if bad:
        raise _bad_characters(value, bad)
    if value[0] not in _KIND_BY_LETTER:
        raise ValidationError(
            "barcode.kind_unknown",
            N_(
                "El código de barras {value} empieza por «{letter}», que no corresponde a "
                "ningún tipo de etiqueta de Legajo."
            ),
            value=value,
            letter=value[0],
        )
    raise AssertionError(f"{value!r} has a label's shape")  # unreachable: _SHAPE_RE says no


def _bad_characters(value: str, bad: list[str]) -> ValidationError:
    shown = [f"«{c}»" if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}" for c in bad]
    return ValidationError(
        "barcode.characters",
        N_("El código de barras {value} contiene caracteres no válidos: {chars}."),
        value=value,
        chars=", ".join(dict.fromkeys(shown)),
    )


def _unexpected_kind(
    value: str, kind: BarcodeKind, expected: Collection[BarcodeKind]
) -> ValidationError:
    ordered = [k for k in BarcodeKind if k in expected]
    codes = [k.value for k in ordered]
    if len(ordered) == 1:
        return ValidationError(
            "barcode.kind_unexpected",
            N_("El código de barras {value} es de {actual}, pero aquí se espera {expected}."),
            value=value,
            actual=kind.with_article,
            expected=ordered[0].with_article,
            actual_kind=kind.value,
            expected_kinds=codes,
        )
    # Several kinds: a joined list would not be a msgid, so the message names only the actual one.
    return ValidationError(
        "barcode.kind_unexpected",
        N_("El código de barras {value} es de {actual}, que aquí no se acepta."),
        value=value,
        actual=kind.with_article,
        actual_kind=kind.value,
        expected_kinds=codes,
    )


def is_legajo_barcode(raw: str) -> bool:
    """Whether ``raw`` is a valid Legajo label (any kind, check character included)."""
    try:
        parse_barcode(raw)
    except ValidationError:
        return False
    return True


def looks_like_legajo_barcode(raw: str) -> bool:
    """Whether ``raw`` has the shape of a Legajo label, whatever its check character.

    Use it to route a scan: a value with this shape is one of our labels, possibly misread, and
    goes through :func:`parse_barcode` (whose error says so); anything else is external.
    """
    return _SHAPE_RE.fullmatch(normalize_scan(raw)) is not None


def validate_external_barcode(raw: str) -> str:
    """Validate a legacy or vendor barcode that Legajo accepts as it is.

    Returns:
        The normalized value (:func:`normalize_scan`): 1 to 64 printable ASCII characters.

    Raises:
        ValidationError: ``barcode.empty``, ``barcode.external_length``, ``barcode.characters``,
            or ``barcode.external_is_legajo`` when the value is a valid Legajo label (registering
            it as external would make lookups ambiguous).
    """
    value = normalize_scan(raw)
    if not value:
        raise ValidationError("barcode.empty", N_("El código de barras está vacío."))
    if len(value) > EXTERNAL_MAX_LENGTH:
        raise ValidationError(
            "barcode.external_length",
            N_("El código de barras externo tiene {length} caracteres; el máximo es {max}."),
            length=len(value),
            max=EXTERNAL_MAX_LENGTH,
        )
    bad = [c for c in value if not " " <= c <= "~"]
    if bad:
        raise _bad_characters(value, bad)
    if looks_like_legajo_barcode(value):
        raise ValidationError(
            "barcode.external_is_legajo",
            N_(
                "El código {value} tiene el formato de una etiqueta de Legajo; no puede "
                "registrarse como código externo."
            ),
            value=value,
        )
    return value
