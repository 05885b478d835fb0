"""Acerca de Legajo: versions, where the data lives, this workstation, the license."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from archive.i18n import _
from archive.services.runtime import APP_NAME, APP_VERSION
from desktop.session import AppContext
from desktop.views import form_layout, hint_label, title_label

LICENSE = "GPL-3.0-or-later"


def about_facts(context: AppContext) -> list[tuple[str, str]]:
    """(label, value) pairs the dialog shows; also handy for support requests."""
    return [
        (_("Versión de Legajo:"), APP_VERSION),
        (_("Qt:"), qVersion()),
        (_("PySide6:"), PySide6.__version__),
        (_("Python:"), platform.python_version()),
        (_("Carpeta de datos:"), str(context.data_dir or "—")),
        (_("Base de datos:"), str(context.database_path or context.services.rt.db.engine.url)),
        (_("Estación:"), context.workstation or "—"),
        (_("Equipo:"), context.services.rt.env.host),
        (_("Licencia:"), LICENSE),
    ]


class AboutDialog(QDialog):
    """Who made this, which versions, where the data is."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Acerca de Legajo"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(title_label(f"{APP_NAME} {APP_VERSION}"))
        layout.addWidget(
            hint_label(
                _(
                    "Gestión de archivos físicos: expedientes, carpetas, cajas, TRD/TVD, "
                    "transferencias y eliminación documental."
                )
            )
        )
        form = form_layout()
        self.values: dict[str, QLabel] = {}
        for label, value in about_facts(context):
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            self.values[label] = field
            form.addRow(label, field)
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                _(
                    "Legajo es software libre: puede redistribuirlo y modificarlo bajo los términos "
                    "de la Licencia Pública General GNU, versión 3 o posterior. Se distribuye sin "
                    "ninguna garantía."
                )
            )
        )
        buttons = QDialogButtonBox()
        close = buttons.addButton(_("Cerrar"), QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
