"""Signatura topográfica: the location code derived from a node's path, and range specs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.domain.errors import ValidationError
from archive.i18n import N_


@dataclass(frozen=True)
class LevelFormat:
    prefix: str
    pad: int
    in_signatura: bool = True


def segment(code: str, fmt: LevelFormat) -> str:
    """One node's part of the signatura: prefix + code, numeric codes zero-padded."""
    body = code.zfill(fmt.pad) if code.isdigit() and fmt.pad else code
    return f"{fmt.prefix}{body}"


def signatura(parts: list[tuple[str, LevelFormat]]) -> str:
    """``D01-M03-A-E04-B2`` from the (code, level format) pairs of a path, root first."""
    return "-".join(segment(code, fmt) for code, fmt in parts if fmt.in_signatura)


_RANGE = re.compile(r"^\s*([0-9]+|[A-Za-z])\s*(?:[-–]|\.\.)\s*([0-9]+|[A-Za-z])\s*$")


def expand_range(spec: str) -> list[str]:
    """Codes named by a range spec: ``1-4``, ``A-B``, ``1,3,5``, ``2``, ``1-3,7``.

    Raises ValidationError for reversed, mixed or oversized ranges.
    """
    out: list[str] = []
    for piece in spec.split(","):
        piece = piece.strip()
        if not piece:
            continue
        m = _RANGE.match(piece)
        if not m:
            if not re.fullmatch(r"[0-9A-Za-z]{1,10}", piece):
                raise _bad(spec)
            out.append(piece.upper())
            continue
        a, b = m.group(1), m.group(2)
        if a.isdigit() and b.isdigit():
            lo, hi = int(a), int(b)
            if lo > hi or hi - lo > 999:
                raise _bad(spec)
            out.extend(str(i) for i in range(lo, hi + 1))
        elif a.isalpha() and b.isalpha():
            lo, hi = ord(a.upper()), ord(b.upper())
            if lo > hi:
                raise _bad(spec)
            out.extend(chr(i) for i in range(lo, hi + 1))
        else:
            raise _bad(spec)
    if not out:
        raise _bad(spec)
    if len(set(out)) != len(out):
        raise ValidationError(
            "location.range_repeated", N_("El rango «{spec}» repite códigos."), spec=spec
        )
    return out


def _bad(spec: str) -> ValidationError:
    return ValidationError(
        "location.range",
        N_("El rango «{spec}» no es válido. Ejemplos: 1-4, A-B, 1,3,5."),
        spec=spec,
    )
