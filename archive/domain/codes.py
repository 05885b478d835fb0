"""TRD classification codes: dependencia, serie and subserie kept as separate parts.

AGN_NOTES §1.4: the code has three parts and no mandated separator; each entity renders them
with its own mask (ORFEO-NG ships ``dp.ss.sb``, ``dpss.sb`` and ``dp-ss-sb``). Legajo stores the
parts (:class:`CodeParts`) and renders them with a per-entity :class:`CodeMask`. A combined code
typed or imported as one string is split back **only** by the declared mask: nothing is inferred
from digits or from the look of the string.

Parts are stored in canonical form: surrounding blanks removed, letters upper-cased, and the
zero padding of numeric parts dropped (``"02"`` is stored as ``"2"``); the mask puts the padding
back when rendering. So ``100.02.01`` and ``100-2.1`` are the same code under their masks.

Mask patterns: ``dp`` (dependencia as written) or ``d…`` (dependencia zero-padded to as many
digits as there are ``d``), then a separator, then the serie as ``s…`` (``s`` = no padding,
``ss`` = two digits, ``sss`` = three), then a separator, then the subserie as ``sb`` (two digits)
or ``b…`` (``b`` = no padding). Separators are any non-letter text (``-``, ``.``, `` / ``); the
dependencia/serie separator may be empty only when the serie has a fixed width (``dpss.sb``);
the serie/subserie separator may not be empty.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from archive.domain.errors import ValidationError
from archive.i18n import N_

_PART = re.compile(r"[0-9A-Z]+")
_PATTERN = re.compile(
    r"^(?P<d>dp|d+)(?P<sep1>[^a-z]*)(?P<s>s+?)(?P<sep2>[^a-z]*)(?P<b>sb|b+)$", re.IGNORECASE
)


def normalize_part(text: str) -> str:
    """The canonical form of one code part: trimmed, upper case, numeric padding dropped.

    Args:
        text: A dependencia, serie or subserie code as written (``" 02 "``, ``"a1"``).

    Returns:
        The canonical part (``"2"``, ``"A1"``); ``""`` for a blank part.

    Raises:
        ValidationError: ``code.part_invalid`` when the part holds anything but letters and
            digits (a separator or a space inside a part means the wrong mask was used).
    """
    part = text.strip().upper()
    if not part:
        return ""
    if not _PART.fullmatch(part):
        raise ValidationError(
            "code.part_invalid",
            N_("«{value}» no es una parte de código válida: solo se admiten letras y dígitos."),
            value=text,
        )
    return str(int(part)) if part.isdigit() else part


@dataclass(frozen=True)
class CodeParts:
    """A TRD/TVD code as its three parts, in canonical form (see :func:`normalize_part`).

    ``subserie`` is ``""`` for a serie (or a serie without subseries). ``dependencia`` is ``""``
    when the source did not say (a flat export listing series for the whole entity); the caller
    then assigns the office.
    """

    dependencia: str
    serie: str
    subserie: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencia", normalize_part(self.dependencia))
        object.__setattr__(self, "serie", normalize_part(self.serie))
        object.__setattr__(self, "subserie", normalize_part(self.subserie))

    @property
    def serie_parts(self) -> CodeParts:
        """The code of the serie this code belongs to (itself when it is a serie)."""
        return CodeParts(self.dependencia, self.serie)


@dataclass(frozen=True)
class CodeMask:
    """How an entity writes a code as one string.

    Attributes:
        sep_dep_serie: Text between dependencia and serie (may be ``""`` if ``pad_serie`` > 0).
        sep_serie_sub: Text between serie and subserie (never empty).
        pad_serie: Zero-pad the serie to this many digits (0 = as is).
        pad_sub: Zero-pad the subserie to this many digits (0 = as is).
        pad_dep: Zero-pad the dependencia to this many digits (0 = as is).
    """

    sep_dep_serie: str = "-"
    sep_serie_sub: str = "."
    pad_serie: int = 0
    pad_sub: int = 0
    pad_dep: int = 0

    def __post_init__(self) -> None:
        for sep in (self.sep_dep_serie, self.sep_serie_sub):
            if any(ch.isalnum() for ch in sep):
                raise _mask_error(self.pattern, N_("un separador no puede tener letras ni dígitos"))
        if not self.sep_serie_sub:
            raise _mask_error(self.pattern, N_("falta el separador entre serie y subserie"))
        if not self.sep_dep_serie and self.pad_serie <= 0:
            raise _mask_error(
                self.pattern,
                N_("sin separador tras la dependencia, la serie debe tener ancho fijo"),
            )
        if min(self.pad_serie, self.pad_sub, self.pad_dep) < 0:
            raise _mask_error(self.pattern, N_("los anchos no pueden ser negativos"))

    @classmethod
    def from_pattern(cls, pattern: str) -> CodeMask:
        """Build a mask from an ORFEO-style pattern such as ``dp.ss.sb`` or ``dp-s.b``.

        Raises:
            ValidationError: ``code.mask_invalid`` for a pattern outside the grammar in the
                module docstring.
        """
        m = _PATTERN.match(pattern.strip())
        if m is None:
            raise _mask_error(pattern, N_("no sigue la forma dp-ss.sb"))
        d, s, b = m["d"].lower(), m["s"].lower(), m["b"].lower()
        return cls(
            sep_dep_serie=m["sep1"],
            sep_serie_sub=m["sep2"],
            pad_dep=0 if d == "dp" else len(d),
            pad_serie=0 if s == "s" else len(s),
            pad_sub=2 if b == "sb" else (0 if b == "b" else len(b)),
        )

    @property
    def pattern(self) -> str:
        """The mask written back as a pattern (``dp.ss.sb``)."""
        d = "d" * self.pad_dep if self.pad_dep else "dp"
        s = "s" * self.pad_serie if self.pad_serie > 1 else "s"
        b = "sb" if self.pad_sub == 2 else ("b" * self.pad_sub if self.pad_sub > 1 else "b")
        return f"{d}{self.sep_dep_serie}{s}{self.sep_serie_sub}{b}"


def _mask_error(pattern: str, reason: str) -> ValidationError:
    return ValidationError(
        "code.mask_invalid",
        N_("La máscara de código «{mask}» no es válida: {reason}."),
        mask=pattern,
        reason=reason,
    )


def _pad(part: str, width: int) -> str:
    return part.zfill(width) if width and part.isdigit() else part


def render_code(dependencia: str, serie: str, subserie: str, mask: CodeMask) -> str:
    """Write a code as one string with the entity's mask.

    Args:
        dependencia: Dependencia code part (any padding is normalised away first).
        serie: Serie code part.
        subserie: Subserie code part, ``""`` for a serie.
        mask: The entity's mask.

    Returns:
        For example ``"100-2.1"`` (``dp-s.b``), ``"100.02.01"`` (``dp.ss.sb``),
        ``"100-02-01"`` (``dp-ss-sb``), ``"10002.01"`` (``dpss.sb``); ``"100-2"`` for a serie.

    Raises:
        ValidationError: ``code.part_invalid`` for a malformed part; ``code.too_wide`` when the
            mask has no dependencia/serie separator and the serie is wider than its fixed width
            (the string could not be split back).
    """
    parts = CodeParts(dependencia, serie, subserie)
    s = _pad(parts.serie, mask.pad_serie)
    if not mask.sep_dep_serie and len(s) != mask.pad_serie:
        raise ValidationError(
            "code.too_wide",
            N_("La serie {serie} no cabe en los {width} dígitos de la máscara {mask}."),
            serie=parts.serie,
            width=mask.pad_serie,
            mask=mask.pattern,
        )
    text = f"{_pad(parts.dependencia, mask.pad_dep)}{mask.sep_dep_serie}{s}"
    if parts.subserie:
        text += f"{mask.sep_serie_sub}{_pad(parts.subserie, mask.pad_sub)}"
    return text


@functools.lru_cache(maxsize=64)
def _mask_regex(mask: CodeMask) -> re.Pattern[str]:
    dep = r"(?P<d>[0-9A-Z]+?)" if not mask.sep_dep_serie else r"(?P<d>[0-9A-Z]+)"
    serie = (
        rf"(?P<s>[0-9A-Z]{{{mask.pad_serie}}})" if not mask.sep_dep_serie else r"(?P<s>[0-9A-Z]+)"
    )
    sub = r"(?P<b>[0-9A-Z]+)"
    sep1, sep2 = re.escape(mask.sep_dep_serie), re.escape(mask.sep_serie_sub)
    return re.compile(rf"{dep}{sep1}{serie}(?:{sep2}{sub})?")


def parse_code(text: str, mask: CodeMask) -> CodeParts:
    """Split a combined code back into parts using only the declared mask.

    Args:
        text: The code as written, e.g. ``"100-2.1"``; surrounding blanks are ignored.
        mask: The entity's mask. A string that does not follow it is rejected, never guessed.

    Returns:
        The canonical parts (``subserie`` is ``""`` for a serie code such as ``"100-2"``).

    Raises:
        ValidationError: ``code.empty`` for a blank string; ``code.mask_mismatch`` when the
            string does not follow the mask; ``code.width`` when a part is narrower than the
            mask's padding (``"100.2.01"`` under ``dp.ss.sb``).
    """
    raw = text.strip().upper()
    if not raw:
        raise ValidationError("code.empty", N_("El código está vacío."))
    m = _mask_regex(mask).fullmatch(raw)
    if m is None:
        raise ValidationError(
            "code.mask_mismatch",
            N_("El código «{value}» no sigue la máscara {mask} (por ejemplo {example})."),
            value=text.strip(),
            mask=mask.pattern,
            example=render_code("100", "2", "1", mask),
        )
    for name, width in (("d", mask.pad_dep), ("s", mask.pad_serie), ("b", mask.pad_sub)):
        part = m[name]
        if part is not None and width and len(part) < width:
            raise ValidationError(
                "code.width",
                N_("En el código «{value}», «{part}» debe tener {width} dígitos (máscara {mask})."),
                value=text.strip(),
                part=part,
                width=width,
                mask=mask.pattern,
            )
    return CodeParts(m["d"], m["s"], m["b"] or "")
