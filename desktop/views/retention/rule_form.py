"""The detail form of a TRD rule (serie without subseries, or subserie), validated as you type.

The disposition checkboxes enforce the rules live: ticking CT clears E and the other way round
(they exclude each other), and the message under the form says what is still missing (at least
one of CT/E/S, M/D never alone, procedure mandatory, a selección states its criterion).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from archive.domain.codes import normalize_part
from archive.domain.disposition import Disposition, check_disposition
from archive.domain.errors import ValidationError
from archive.domain.retention import MAX_RETENTION_YEARS, Soporte
from archive.i18n import _, render_error
from archive.services.trd import TrdRuleInput, TrdRuleRow
from desktop.views import error_label, show_inline


class RuleForm(QWidget):
    """Edits one rule.

    Signals:
        validity_changed(bool): the form became valid or invalid.
    """

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.serie_code = QLineEdit()
        self.subserie_code = QLineEdit()
        self.serie_name = QLineEdit()
        self.name = QLineEdit()
        self.ag = QSpinBox()
        self.ac = QSpinBox()
        for spin in (self.ag, self.ac):
            spin.setRange(0, MAX_RETENTION_YEARS)
            spin.setSuffix(_(" años"))
        self.flags = {
            Disposition.CT: QCheckBox(_("CT — Conservación total")),
            Disposition.E: QCheckBox(_("E — Eliminación")),
            Disposition.S: QCheckBox(_("S — Selección")),
            Disposition.MD: QCheckBox(_("M/D — Microfilmación / digitalización")),
        }
        self.soportes = {
            Soporte.PAPEL: QCheckBox(_("Físico (papel)")),
            Soporte.ELECTRONICO: QCheckBox(_("Electrónico")),
            Soporte.OTROS: QCheckBox(_("Otros")),
        }
        self.procedure = QPlainTextEdit()
        self.procedure.setPlaceholderText(_("Obligatorio: cómo se ejecuta la disposición final"))
        self.tipos = QPlainTextEdit()
        self.tipos.setPlaceholderText(_("Un tipo documental por línea"))
        self.errors = error_label()
        codes = QHBoxLayout()
        codes.addWidget(self.serie_code)
        codes.addWidget(self.subserie_code)
        disp = QHBoxLayout()
        for box in self.flags.values():
            disp.addWidget(box)
        sop = QHBoxLayout()
        for box in self.soportes.values():
            sop.addWidget(box)
        form = QFormLayout(self)
        form.addRow(_("Código S / Sb:"), codes)
        form.addRow(_("Serie:"), self.serie_name)
        form.addRow(_("Subserie:"), self.name)
        form.addRow(_("Retención AG:"), self.ag)
        form.addRow(_("Retención AC:"), self.ac)
        form.addRow(_("Disposición final:"), disp)
        form.addRow(_("Soporte:"), sop)
        form.addRow(_("Procedimiento:"), self.procedure)
        form.addRow(_("Tipos documentales:"), self.tipos)
        form.addRow(self.errors)
        self._valid = False
        for edit in (self.serie_code, self.subserie_code, self.serie_name, self.name):
            edit.textChanged.connect(lambda _t: self.validate())
        for spin in (self.ag, self.ac):
            spin.valueChanged.connect(lambda _v: self.validate())
        for flag, box in self.flags.items():
            box.toggled.connect(lambda on, f=flag: self._flag_toggled(f, on))
        for box in self.soportes.values():
            box.toggled.connect(lambda _on: self.validate())
        self.procedure.textChanged.connect(self.validate)
        self.validate()

    def _flag_toggled(self, flag: Disposition, on: bool) -> None:
        other = {Disposition.CT: Disposition.E, Disposition.E: Disposition.CT}.get(flag)
        if on and other is not None and self.flags[other].isChecked():
            self.flags[other].setChecked(False)  # CT and E exclude each other
        self.validate()

    def disposition(self) -> Disposition:
        result = Disposition.NONE
        for flag, box in self.flags.items():
            if box.isChecked():
                result |= flag
        return result

    def value(self) -> TrdRuleInput:
        """The rule as typed (call :meth:`problems` first)."""
        subserie = self.subserie_code.text().strip()
        serie_name = self.serie_name.text().strip()
        return TrdRuleInput(
            self.serie_code.text().strip(), subserie, serie_name,
            self.name.text().strip() or serie_name, self.ag.value(), self.ac.value(),
            self.disposition(), self.procedure.toPlainText().strip(),
            frozenset(s for s, box in self.soportes.items() if box.isChecked()),
            tuple(t.strip() for t in self.tipos.toPlainText().splitlines() if t.strip()),
        )  # fmt: skip

    def set_rule(self, row: TrdRuleRow | None) -> None:
        """Show a rule (``None``: an empty form for a new one)."""
        self.serie_code.setText(row.serie_code if row else "")
        self.subserie_code.setText(row.subserie_code if row else "")
        self.serie_name.setText(row.serie_name if row else "")
        self.name.setText(row.name if row and row.subserie_code else "")
        self.ag.setValue(row.ag_years if row else 0)
        self.ac.setValue(row.ac_years if row else 0)
        for flag, box in self.flags.items():
            box.blockSignals(True)
            box.setChecked(bool(row and flag in row.disposition))
            box.blockSignals(False)
        for soporte, box in self.soportes.items():
            box.setChecked(
                bool(row and soporte in row.soporte) if row else soporte is Soporte.PAPEL
            )
        self.procedure.setPlainText(row.procedure if row else "")
        self.tipos.setPlainText("\n".join(row.tipos) if row else "")
        self.validate()

    def problems(self) -> list[str]:
        """What is wrong with the form, as translated sentences (empty when valid)."""
        out: list[str] = []
        for edit, label in ((self.serie_code, _("serie")), (self.subserie_code, _("subserie"))):
            text = edit.text().strip()
            if text:
                try:
                    normalize_part(text)
                except ValidationError as e:
                    out.append(render_error(e))
            elif edit is self.serie_code:
                out.append(_("Escriba el código de la {part}.").format(part=label))
        if not self.serie_name.text().strip():
            out.append(_("Escriba el nombre de la serie."))
        if self.subserie_code.text().strip() and not self.name.text().strip():
            out.append(_("Escriba el nombre de la subserie."))
        out += [
            render_error(e)
            for e in check_disposition(self.disposition(), self.procedure.toPlainText())
        ]
        return out

    def validate(self) -> bool:
        """Re-check the form, show the problems, emit :attr:`validity_changed` on change."""
        problems = self.problems()
        show_inline(self.errors, "\n".join(problems))
        valid = not problems
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        return valid
