"""Entity parameters: declared once, typed, stored in the ``parameter`` table.

Legal and policy values (security policy today; day counts, masks and norm citations as their
features land) live in the database so an administrator can change them without a new release.
Code reads attributes (``params.lockout_attempts``), never string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from archive.domain.codes import CodeMask
from archive.domain.errors import ValidationError
from archive.i18n import N_


@dataclass(frozen=True)
class Parameters:
    password_min_length: int = 10
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10
    temporary_password_hours: int = 72
    #: Retention (AGN_NOTES §1.7, [U] defaults): count AG/AC from 31 December of the closing
    #: year instead of the closing date.
    retention_count_from_dec31: bool = False
    #: Which date of an expediente picks the TRD version in force: "apertura" (the documents'
    #: production started under it) or "cierre".
    retention_version_by: str = "apertura"
    #: How the entity writes TRD codes as one string (CodeMask.from_pattern grammar).
    trd_code_mask: str = "dp-s.b"
    #: Elimination (Acuerdo 001/2024 art. 4.5.4): business days the inventory is published.
    elimination_publication_days: int = 60
    #: Loans: business days a unit may stay out (due date = lent + N días hábiles), and how
    #: many times a loan may be renewed (each renewal adds the same N business days).
    loan_business_days: int = 10
    loan_max_renewals: int = 2

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Parameters:
        """Defaults overridden by stored values; unknown keys (from newer versions) ignored."""
        known = {f.name: f for f in fields(cls)}
        values = {k: v for k, v in stored.items() if k in known}
        return replace(cls(), **values)

    def with_value(self, key: str, raw: Any) -> Parameters:
        known = {f.name: f for f in fields(self)}
        if key not in known:
            raise ValidationError(
                "parameter.unknown", N_("El parámetro «{key}» no existe."), key=key
            )
        default = getattr(Parameters(), key)
        if isinstance(default, bool):
            return replace(self, **{key: _as_bool(key, raw)})  # type: ignore[arg-type]
        if isinstance(default, str):
            return replace(self, **{key: _checked_text(key, str(raw).strip())})  # type: ignore[arg-type]
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(
                "parameter.not_int",
                N_("El parámetro «{key}» debe ser un número entero; se recibió «{value}»."),
                key=key,
                value=raw,
            ) from None
        if value < 0 or (key == "password_min_length" and value < 8):
            raise ValidationError(
                "parameter.range",
                N_("El valor {value} no es válido para «{key}»."),
                key=key,
                value=value,
            )
        return replace(self, **{key: value})  # type: ignore[arg-type]


_TRUE = {"1", "true", "si", "sí", "s", "yes", "y", "verdadero"}
_FALSE = {"0", "false", "no", "n", "falso"}


def _as_bool(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValidationError(
        "parameter.not_bool",
        N_("El parámetro «{key}» debe ser sí o no; se recibió «{value}»."),
        key=key,
        value=raw,
    )


def _checked_text(key: str, value: str) -> str:
    if key == "trd_code_mask":
        CodeMask.from_pattern(value)
    if key == "retention_version_by" and value not in ("apertura", "cierre"):
        raise ValidationError(
            "parameter.range",
            N_("El valor {value} no es válido para «{key}»."),
            key=key,
            value=value,
        )
    return value
