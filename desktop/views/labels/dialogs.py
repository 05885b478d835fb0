"""Small dialogs of the Rótulos area: edit a template (its JSON) and a printer calibration."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.i18n import _
from archive.services.labels import CalibrationView
from desktop.views import error_label, form_layout, hint_label, show_inline
from reports.labels import LabelTemplate


class TemplateDialog(QDialog):
    """Edit a template as JSON (docs/LABELS.md "Templates"); ``accepted`` leaves the checked
    template in :attr:`template`."""

    def __init__(self, template: LabelTemplate, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Plantilla de rótulo"))
        self.resize(640, 560)
        self.template: LabelTemplate | None = None
        self.name = QLineEdit(name)
        self.default = QCheckBox(_("Usar como predeterminada para esta clase"))
        self.body = QPlainTextEdit(template.to_json())
        self.body.setFont(QFont("monospace"))
        self.error = error_label()
        form = form_layout()
        form.addRow(_("&Nombre:"), self.name)
        form.addRow("", self.default)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint_label(_("Campos, tamaños de letra, código de barras y márgenes, en JSON "
                                      "(docs/LABELS.md). Se valida al guardar.")))  # fmt: skip
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def check(self) -> None:
        try:
            template = LabelTemplate.from_json(self.body.toPlainText())
        except LegajoError as error:
            show_inline(self.error, error)
            return
        if not self.name.text().strip():
            show_inline(self.error, _("La plantilla necesita un nombre."))
            return
        self.template = template
        self.accept()


class CalibrationDialog(QDialog):
    """A printer's offsets and creep in mm (docs/LABELS.md "Calibration")."""

    def __init__(self, current: CalibrationView | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Calibración de impresora"))
        self.name = QLineEdit(current.name if current else "")
        self.name.setPlaceholderText(_("p. ej. HP bodega, bandeja 2"))
        self.spins: dict[str, QDoubleSpinBox] = {}
        form = form_layout()
        form.addRow(_("&Impresora:"), self.name)
        for key, text in (("offset_x_mm", _("Desplazamiento &horizontal (mm):")),
                          ("offset_y_mm", _("Desplazamiento &vertical (mm, + baja):")),
                          ("creep_x_mm", _("Deriva por &columna (mm):")),
                          ("creep_y_mm", _("Deriva por &fila (mm):"))):  # fmt: skip
            spin = QDoubleSpinBox()
            spin.setRange(-50, 50)
            spin.setDecimals(2)
            spin.setSingleStep(0.1)
            spin.setValue(getattr(current, key) if current else 0.0)
            self.spins[key] = spin
            form.addRow(text, spin)
        self.dpi = QSpinBox()
        self.dpi.setRange(0, 2400)
        self.dpi.setSpecialValueText(_("sin indicar"))
        self.dpi.setValue(current.dpi or 0 if current else 0)
        form.addRow(_("&Resolución (ppp):"), self.dpi)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint_label(_("Imprima una hoja con la plantilla con bordes en papel normal, "
                                      "póngala sobre una hoja de etiquetas y mida el corrimiento de la "
                                      "primera y la última fila.")))  # fmt: skip
        layout.addWidget(buttons)

    def values(self) -> dict[str, float | int | None]:
        out: dict[str, float | int | None] = {k: s.value() for k, s in self.spins.items()}
        out["dpi"] = self.dpi.value() or None
        return out
