"""One translation mechanism for the whole program: gettext.

Source strings (msgids) are Spanish (es-CO), the first language of Legajo; catalogues in
``resources/i18n/<lang>.po`` translate them (English today). The CLI, the GUI and error
rendering all go through :func:`_`. ``.mo`` files are built from the ``.po`` sources by
``python scripts/i18n.py compile`` (run by the setup script and the PyInstaller spec); when a
``.mo`` is missing the ``.po`` is compiled in memory, so a source checkout always works.

Language choice is process-wide state, like gettext's own: :func:`set_language` is called once
by the composition root (``main.py``) from the settings, and by tests.
"""

from __future__ import annotations

import gettext
import io
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.domain.errors import LegajoError, RowProblem

DOMAIN = "legajo"
SOURCE_LANGUAGE = "es"
LANGUAGES: dict[str, str] = {"es": "Español (Colombia)", "en": "English"}

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid


def _(msgid: str) -> str:
    """Translate ``msgid`` (Spanish) into the active language."""
    return _active.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def current_language() -> str:
    return _language


def set_language(lang: str) -> None:
    """Activate ``lang`` ('es' or 'en'); unknown languages fall back to Spanish."""
    global _active, _language
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        _active, _language = gettext.NullTranslations(), SOURCE_LANGUAGE
        return
    _active, _language = _load_catalog(lang), lang


def _load_catalog(lang: str) -> gettext.NullTranslations:
    folder = resources.files("resources") / "i18n"
    mo = folder / f"{lang}.mo"
    if mo.is_file():
        return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
    po = folder / f"{lang}.po"
    if po.is_file():
        return gettext.GNUTranslations(io.BytesIO(compile_po(po.read_text("utf-8"))))
    return gettext.NullTranslations()


def compile_po(po_text: str) -> bytes:
    """Compile the text of a ``.po`` file into ``.mo`` bytes (Babel does the parsing)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.StringIO(po_text))
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def render_error(error: LegajoError) -> str:
    """The translated, parameter-filled message of a core error.

    String parameters are passed through the catalogue too, so a parameter that is itself a
    marked msgid (a permission's label, a kind's name) shows translated; other values (names,
    codes) have no catalogue entry and come back unchanged.
    """
    return _format(_(error.template), _translated(error.params), error.template)


def _translated(params: dict[str, object]) -> dict[str, object]:
    return {k: _(v) if isinstance(v, str) and v else v for k, v in params.items()}


def render_problem(problem: RowProblem) -> str:
    """The translated message of one import row problem, prefixed by row and field."""
    body = _format(_(problem.template), _translated(problem.params), problem.template)
    return _("Fila {row}, campo «{field}»: {message}").format(
        row=problem.row, field=problem.field, message=body
    )


def _format(template: str, params: dict[str, object], fallback: str) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback.format(**params) if params else fallback
