"""Configuración: this workstation's preferences (language, data folder, keyboard-wedge barcode
scanner) and, for people with ``parameters.manage``, the entity's idle-lock time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.parameters import Parameters
from archive.domain.permissions import Permission
from archive.i18n import LANGUAGES, N_, _, current_language
from archive.services.changes import Changes
from desktop.messages import info, show_error
from desktop.session import Session
from desktop.views import form_layout, hint_label, open_dialog

#: What a scanner sends after the code (its "suffix"), as offered in the dialog.
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("\r\n", N_("Enter (CR o CR+LF)")),
    ("\t", N_("Tabulador")),
    ("", N_("Nada (fin por pausa)")),
)


class SettingsDialog(QDialog):
    """Language, data folder and idle lock.

    Signals:
        language_changed(str): the person chose another language (applied by the application).
        scanner_changed(): the barcode-scanner settings changed (applied by the application).
        saved(): everything was stored and the dialog closed.
    """

    language_changed = Signal(str)
    scanner_changed = Signal()
    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._idle_loaded: int | None = None
        self.folder_dialog: QFileDialog | None = None
        self.setWindowTitle(_("Configuración"))
        self.setMinimumWidth(620)

        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        current = session.context.data_dir
        self.data_dir = QLineEdit(str(session.settings.data_dir or current or ""))
        self.data_dir.setReadOnly(True)
        self.data_dir.setMinimumWidth(320)
        self.change_folder = QPushButton(_("&Cambiar…"))
        self.change_folder.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_dir, 1)
        folder_row.addWidget(self.change_folder)
        station = QGroupBox(_("Esta estación"))
        form = form_layout(station)
        form.addRow(_("&Idioma:"), self.language)
        folder_label = QLabel(_("Carpeta de &datos:"))
        folder_label.setBuddy(self.data_dir)
        form.addRow(folder_label, folder_row)
        form.addRow(
            "",
            hint_label(
                _("En uso: {path}. Un cambio de carpeta se aplica al reiniciar Legajo.").format(
                    path=current or "—"
                )
            ),
        )

        settings = session.settings
        self.scanner_enabled = QCheckBox(_("Reconocer las lecturas del lector en cualquier ventana"))
        self.scanner_enabled.setChecked(settings.wedge_enabled)
        self.max_gap = QSpinBox()
        self.max_gap.setRange(5, 200)
        self.max_gap.setSuffix(_(" ms"))
        self.max_gap.setValue(settings.wedge_max_gap_ms)
        self.min_length = QSpinBox()
        self.min_length.setRange(2, 40)
        self.min_length.setValue(settings.wedge_min_length)
        self.prefix = QLineEdit(settings.wedge_prefix)
        self.prefix.setMaxLength(4)
        self.suffix = QComboBox()
        for value, label in SUFFIXES:
            self.suffix.addItem(_(label), value)
        current_suffix = "\r\n" if settings.wedge_suffix in ("\r", "\n", "\r\n") else settings.wedge_suffix
        self.suffix.setCurrentIndex(max(0, self.suffix.findData(current_suffix)))
        scanner = QGroupBox(_("Lector de códigos de barras (teclado)"))
        scanner_form = form_layout(scanner)
        scanner_form.addRow("", self.scanner_enabled)
        scanner_form.addRow(_("&Pausa máxima entre caracteres:"), self.max_gap)
        scanner_form.addRow(_("&Longitud mínima:"), self.min_length)
        scanner_form.addRow(_("Pre&fijo:"), self.prefix)
        scanner_form.addRow(_("&Termina con:"), self.suffix)
        scanner_form.addRow(
            "",
            hint_label(
                _("Las personas escriben con pausas de 60 a 300 ms; un lector, con menos de 30. "
                  "Configure el lector para enviar Enter al final y sin retardo entre caracteres.")
            ),
        )

        self.can_edit_idle = session.can(Permission.PARAMETERS_MANAGE)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(0, 480)
        self.idle_minutes.setSuffix(_(" minutos"))
        self.idle_minutes.setSpecialValueText(_("nunca"))
        self.idle_minutes.setValue(Parameters().idle_lock_minutes)
        self.idle_minutes.setEnabled(False)
        entity = QGroupBox(_("Entidad (todas las estaciones)"))
        entity_form = form_layout(entity)
        entity_form.addRow(_("&Bloquear la sesión tras:"), self.idle_minutes)
        entity_form.addRow(
            "",
            hint_label(
                _("Sin uso del teclado ni del ratón durante ese tiempo, la sesión se bloquea.")
                if self.can_edit_idle
                else _(
                    "Solo quien tiene el permiso «Modificar parámetros de la entidad» puede cambiarlo."
                )
            ),
        )

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Guardar"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(station)
        layout.addWidget(scanner)
        layout.addWidget(entity)
        layout.addWidget(buttons)
        session.run(session.services.parameters.get, on_done=self._parameters)

    def _parameters(self, params: Parameters) -> None:
        self._idle_loaded = params.idle_lock_minutes
        self.idle_minutes.setValue(params.idle_lock_minutes)
        self.idle_minutes.setEnabled(self.can_edit_idle)

    def choose_folder(self) -> None:
        dialog = QFileDialog(self, _("Carpeta de datos"), self.data_dir.text())
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.data_dir.setText)
        open_dialog(self, "folder_dialog", dialog)

    def save(self) -> None:
        idle = self.idle_minutes.value()
        if self.can_edit_idle and self._idle_loaded is not None and idle != self._idle_loaded:
            parameters, actor = self.session.services.parameters, self.session.actor
            self.save_button.setEnabled(False)
            self.session.run(
                lambda: parameters.set(actor, "idle_lock_minutes", idle),
                on_done=self._parameter_saved,
                on_error=self._failed,
            )
        else:
            self._apply_local()

    def _parameter_saved(self, changes: Changes) -> None:
        self.session.publish(changes)
        self._apply_local()

    def _failed(self, error: LegajoError) -> None:
        self.save_button.setEnabled(True)
        show_error(self, error, sink=self.session.sink)

    def _apply_local(self) -> None:
        settings = self.session.settings
        folder = self.data_dir.text().strip()
        current = self.session.context.data_dir
        moved = bool(folder) and folder != settings.data_dir and Path(folder) != current
        if moved:
            settings.data_dir = folder
        language = self.language.currentData()
        scanner = (self.scanner_enabled.isChecked(), self.max_gap.value(), self.min_length.value(),
                   self.prefix.text(), self.suffix.currentData())  # fmt: skip
        before = (settings.wedge_enabled, settings.wedge_max_gap_ms, settings.wedge_min_length,
                  settings.wedge_prefix, settings.wedge_suffix)  # fmt: skip
        (settings.wedge_enabled, settings.wedge_max_gap_ms, settings.wedge_min_length,
         settings.wedge_prefix, settings.wedge_suffix) = scanner  # fmt: skip
        self.session.context.save_settings()
        self.accept()
        if moved:
            info(
                self.parentWidget(), _("Carpeta de datos"),
                _("Legajo usará la carpeta {path} la próxima vez que se inicie.").format(path=folder),
                sink=self.session.sink,
            )  # fmt: skip
        if scanner != before:
            self.scanner_changed.emit()
        self.saved.emit()
        if language != current_language():
            self.language_changed.emit(language)
