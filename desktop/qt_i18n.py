"""Qt's side of the language choice, and how dates look.

:func:`install_qt_translations` makes Qt's own texts (standard buttons, context menus, the
colour and file dialogs) speak the language :mod:`archive.i18n` chose, and sets the default
``QLocale`` (es_CO or en_US) used by number and date widgets.

Dates are shown ``dd/mm/aaaa`` in every language (the Colombian convention, and unambiguous in
an archive) and times in America/Bogota; the formatting itself lives in
:mod:`archive.domain.timefmt` (shared with the CLI and reports) and is re-exported here.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from archive.domain.timefmt import LOCAL_TZ, to_local
from archive.domain.timefmt import format_date as timefmt_format_date
from archive.domain.timefmt import format_datetime as timefmt_format_datetime
from archive.i18n import current_language

log = logging.getLogger(__name__)

#: ``QDateEdit.setDisplayFormat`` pattern matching :func:`format_date`.
QT_DATE_FORMAT = "dd/MM/yyyy"
QT_DATETIME_FORMAT = "dd/MM/yyyy HH:mm"
LOCALES = {"es": "es_CO", "en": "en_US"}
#: Qt catalogues to load, in order (qtbase covers QtCore, QtGui and QtWidgets).
QT_CATALOGS = ("qtbase",)


BOGOTA = LOCAL_TZ
to_bogota = to_local
format_datetime = timefmt_format_datetime


def format_date(value: date | datetime | None) -> str:
    """``dd/mm/aaaa``; a datetime is first taken to Bogotá time; None gives ``""``."""
    return timefmt_format_date(value, empty="")


def qt_locale(lang: str | None = None) -> QLocale:
    """The QLocale for a Legajo language (default: the active one)."""
    return QLocale(LOCALES.get(lang or current_language(), LOCALES["es"]))


def translations_dir() -> Path:
    """Where the Qt package keeps its ``.qm`` catalogues."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_qt_translations(
    app: QCoreApplication, lang: str | None = None, *, folder: Path | None = None
) -> list[QTranslator]:
    """Load Qt's catalogues for ``lang`` (default: the active language) and set the locale.

    Catalogues that are missing (a trimmed bundle) are skipped with a log line: Qt then speaks
    English, which is untidy but not broken. The translators are children of ``app``; pass the
    returned list to :func:`remove_qt_translations` before switching language.

    Returns:
        The installed translators.
    """
    lang = lang if lang in LOCALES else current_language()
    locale = qt_locale(lang)
    QLocale.setDefault(locale)
    folder = folder or translations_dir()
    installed: list[QTranslator] = []
    for catalog in QT_CATALOGS:
        translator = QTranslator(app)
        if translator.load(f"{catalog}_{lang}", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.info("Catálogo de Qt %s_%s no encontrado en %s", catalog, lang, folder)
            translator.deleteLater()
    return installed


def remove_qt_translations(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo :func:`install_qt_translations`."""
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
