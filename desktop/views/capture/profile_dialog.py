"""The collector profile form (Captura → Colector de datos → Perfil…): how a handheld lays out its
file, saved as data through ``CaptureService.save_profile`` (which checks it and refuses to
change how a profile in use reads fields and dates)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from archive.domain.collector import FIELDS, Profile
from archive.domain.errors import LegajoError, ValidationError
from archive.i18n import N_, _
from desktop.session import Session
from desktop.views import error_label, form_layout, hint_label, show_inline

_OPERATIONS = {"move": N_("mover"), "count": N_("contar"), "reception": N_("recibir")}
_TAB = "TAB"


def _pairs(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class ProfileDialog(QDialog):
    """Edit ``profile`` (a built-in one is a starting point: save it under another name).

    Signals:
        saved(str): the profile's name, once stored.
    """

    saved = Signal(str)

    def __init__(self, session: Session, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle(_("Perfil de colector"))
        self.setMinimumWidth(760)
        self.name = QLineEdit(profile.name)
        self.kind = QComboBox()
        self.kind.addItem(_("Texto delimitado"), "delimited")
        self.kind.addItem(_("Ancho fijo"), "fixed")
        self.kind.setCurrentIndex(max(self.kind.findData(profile.kind), 0))
        self.delimiter = QComboBox()
        self.delimiter.setEditable(True)
        self.delimiter.addItems([";", ",", "|", _TAB])
        self.delimiter.setCurrentText(_TAB if profile.delimiter == "\t" else profile.delimiter)
        self.fields = QLineEdit(", ".join(profile.fields))
        self.widths = QLineEdit(", ".join(f"{n}:{s}:{w}" for n, s, w in profile.widths))
        self.header = QCheckBox(_("La primera línea es un encabezado"))
        self.header.setChecked(profile.header)
        self.date_format = QLineEdit(profile.date_format)
        self.time_format = QLineEdit(profile.time_format)
        self.operations = QLineEdit(", ".join(f"{c}={o}" for c, o in profile.operations.items()))
        self.default_operation = QComboBox()
        for code, label in _OPERATIONS.items():
            self.default_operation.addItem(_(label), code)
        self.default_operation.setCurrentIndex(
            max(self.default_operation.findData(profile.default_operation), 0)
        )
        form = form_layout()
        form.addRow(_("&Nombre:"), self.name)
        form.addRow(_("&Tipo:"), self.kind)
        form.addRow(_("&Separador:"), self.delimiter)
        form.addRow(_("&Campos, en orden:"), self.fields)
        form.addRow(_("&Anchos (campo:inicio:largo):"), self.widths)
        form.addRow("", self.header)
        form.addRow(_("Formato de &fecha:"), self.date_format)
        form.addRow(_("Formato de &hora:"), self.time_format)
        form.addRow(_("&Operaciones (código=acción):"), self.operations)
        form.addRow(_("Operación si el archivo no la trae:"), self.default_operation)
        self.error = error_label()
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("&Guardar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        body = QVBoxLayout(self)
        body.addWidget(hint_label(_(
            "Campos: {fields}. Acciones: move (mover), count (contar), reception (recibir). "
            "Formatos como en Python: %d/%m/%Y, %H:%M:%S. Los de fábrica sirven de modelo: "
            "guárdelos con otro nombre.").format(fields=", ".join(FIELDS)), self))  # fmt: skip
        body.addLayout(form)
        body.addWidget(self.error)
        body.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        delimited = self.kind.currentData() == "delimited"
        for w in (self.delimiter, self.fields):
            w.setEnabled(delimited)
        self.widths.setEnabled(not delimited)

    def profile(self) -> Profile:
        """The profile the form describes; ``ValidationError`` naming the box that is wrong."""
        widths: list[tuple[str, int, int]] = []
        for part in _pairs(self.widths.text()) if self.kind.currentData() == "fixed" else []:
            try:
                name, start, width = (p.strip() for p in part.split(":"))
                widths.append((name, int(start), int(width)))
            except ValueError:
                raise ValidationError("collector.profile_widths",
                                      N_("Anchos: «{value}» debe ser campo:inicio:largo (p. ej. barcode:0:13)."),
                                      value=part) from None  # fmt: skip
        operations: dict[str, str] = {}
        for part in _pairs(self.operations.text()):
            code, eq, action = part.partition("=")
            if not eq or not code.strip() or not action.strip():
                raise ValidationError("collector.profile_operations",
                                      N_("Operaciones: «{value}» debe ser código=acción (p. ej. MOV=move)."),
                                      value=part)  # fmt: skip
            operations[code.strip().upper()] = action.strip()
        delimiter = self.delimiter.currentText()
        return Profile(
            name=self.name.text().strip(),
            kind=str(self.kind.currentData()),
            fields=tuple(_pairs(self.fields.text()))
            if self.kind.currentData() == "delimited"
            else (),
            widths=tuple(widths),
            delimiter="\t" if delimiter == _TAB else delimiter,
            header=self.header.isChecked(),
            date_format=self.date_format.text().strip(),
            time_format=self.time_format.text().strip(),
            operations=operations,
            default_operation=str(self.default_operation.currentData()),
        )

    def submit(self) -> None:
        try:
            profile = self.profile()
        except LegajoError as e:
            show_inline(self.error, e)
            return
        if not profile.name:
            show_inline(self.error, _("Escriba un nombre para el perfil."))
            return
        sv, actor = self._session.services, self._session.actor
        self.save_button.setEnabled(False)
        self._session.run(lambda: sv.capture.save_profile(actor, profile), owner=self,
                          on_done=lambda _changes: self._saved(profile.name), on_error=self._failed)  # fmt: skip

    def _saved(self, name: str) -> None:
        self.accept()
        self.saved.emit(name)

    def _failed(self, error: LegajoError) -> None:
        self.save_button.setEnabled(True)
        show_inline(self.error, error)
