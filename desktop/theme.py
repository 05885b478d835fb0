"""The look of Legajo: a calm, high-contrast light stylesheet (``resources/style.qss``).

Loaded with :mod:`importlib.resources`, so it works from a checkout, a wheel and a PyInstaller
bundle alike (``resources/style.qss`` must be listed in the spec's ``datas``). Colours that code
needs (e.g. the text of rows that failed to load) are named here, once, next to the sheet that
uses the same values.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication

STYLESHEET = "style.qss"
STYLE = "Fusion"  # style sheets render predictably on Fusion, on every platform

ERROR_TEXT_COLOR = "#a4262c"
ACCENT_COLOR = "#1d5ba4"
FOCUS_COLOR = "#c26a00"


def load_stylesheet() -> str:
    """The text of the application style sheet."""
    return (resources.files("resources") / STYLESHEET).read_text("utf-8")


def apply_theme(app: QApplication) -> None:
    """Give the whole application Legajo's style. Call once, from the composition root."""
    app.setStyle(STYLE)
    app.setStyleSheet(load_stylesheet())
