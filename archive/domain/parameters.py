"""Entity parameters: declared once, typed, stored in the ``parameter`` table.

Legal and policy values (security policy today; day counts, masks and norm citations as their
features land) live in the database so an administrator can change them without a new release.
Code reads attributes (``params.lockout_attempts``), never string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from archive.domain.errors import ValidationError
from archive.i18n import N_


@dataclass(frozen=True)
class Parameters:
    password_min_length: int = 10
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10
    temporary_password_hours: int = 72

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
        return replace(self, **{key: value})
