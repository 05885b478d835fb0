"""The one error hierarchy of Legajo.

The core raises errors that carry a stable ``code`` (for programs, tests and ``--json`` output),
a Spanish message template (the gettext msgid, marked with :func:`archive.i18n.N_` so it can be
extracted) and the template's parameters. The GUI and the CLI render them with
:func:`archive.i18n.render_error`, which translates the template into the active language.

Example::

    raise ValidationError(
        "barcode.check_digit",
        N_("El código de barras {value} tiene un dígito de control inválido."),
        value=raw,
    )
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LegajoError(Exception):
    """Base of every error the core raises on purpose."""

    #: CLI exit code for this kind of error (DESIGN.md §7: 1 user error, 3 conflict/partial).
    exit_code = 1

    def __init__(self, code: str, template: str, /, **params: Any) -> None:
        # code and template are positional-only so a parameter may itself be called "code".
        self.code = code
        self.template = template
        self.params = params
        super().__init__(self.untranslated())

    def untranslated(self) -> str:
        """The Spanish message with its parameters, for logs."""
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.template

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable form (``--json``)."""
        return {
            "error": self.code,
            "kind": type(self).__name__,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class ValidationError(LegajoError):
    """Input that breaks a rule; nothing was changed."""


class PermissionDenied(LegajoError):
    """The acting user lacks the permission the operation needs."""


class AuthenticationError(LegajoError):
    """Wrong credentials, locked or disabled account, expired session."""


class NotFound(LegajoError):
    """A record, barcode or code that does not exist (or is soft-deleted)."""


class ConflictError(LegajoError):
    """A stale edit (optimistic locking) or a domain invariant that another change broke."""

    exit_code = 3


class DatabaseError(LegajoError):
    """The database file is unusable: corrupt, newer than this program, not Legajo's."""


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of an imported file.

    ``row`` is 1-based as a spreadsheet shows it; ``field`` is the column header (or letter).
    """

    row: int
    field: str
    code: str
    template: str
    params: dict[str, Any]

    def untranslated(self) -> str:
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.template


class ImportFileError(LegajoError):
    """An import file with problems. Nothing was written.

    Carries the file name and every row problem found (imports are all-or-nothing).
    """

    def __init__(
        self,
        code: str,
        template: str,
        /,
        *,
        file: str,
        problems: list[RowProblem] | None = None,
        **params: Any,
    ) -> None:
        self.file = file
        self.problems = list(problems or [])
        super().__init__(code, template, file=file, count=len(self.problems), **params)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["problems"] = [
            {"row": p.row, "field": p.field, "error": p.code, "params": p.params}
            for p in self.problems
        ]
        return data
