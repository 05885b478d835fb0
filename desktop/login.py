"""Getting in and staying safe: the first-run setup wizard, the login window, the password change
dialog (forced after a temporary password). The idle lock is in :mod:`desktop.session`.

All checks run on the task runner's database worker (password hashing takes ~100 ms); errors
from the services are shown inline, translated with ``render_error``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from archive.domain.errors import LegajoError
from archive.domain.parameters import Parameters
from archive.domain.progress import JobCancelled
from archive.i18n import LANGUAGES, _, current_language
from archive.services import demo_data
from archive.services.passwords import check_policy
from archive.services.runtime import Actor
from archive.services.setup import WORKSTATION_CODE, SetupRequest, validate_username
from desktop.session import AppContext
from desktop.views import (
    error_label,
    form_layout,
    hint_label,
    primary_button,
    show_inline,
    title_label,
)

#: Expedientes the "demo data" button loads.
DEMO_ITEMS = 5000


def policy_text(min_length: int) -> str:
    return _(
        "La contraseña debe tener al menos {min} caracteres, combinar letras y números y no "
        "contener el nombre de usuario."
    ).format(min=min_length)


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


# -- login ---------------------------------------------------------------------------------


class LoginDialog(QDialog):
    """Username, password and language.

    Args:
        context: The application context.
        username: Pre-filled user name (default: the last one, from the settings).

    Signals:
        logged_in(Actor): the credentials were right (the dialog then closes).
        language_changed(str): the person picked another language (its code).
    """

    logged_in = Signal(object)
    language_changed = Signal(str)

    def __init__(
        self, context: AppContext, *, username: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._busy = False
        self.setMinimumWidth(460)
        self._title = title_label("Legajo")
        self._entity = hint_label()
        self._entity.setVisible(False)
        self.username = QLineEdit(username or context.settings.last_username)
        self.username.setMaxLength(60)
        self.password = password_field()
        self.language = QComboBox()
        for code, name in LANGUAGES.items():  # each language in its own words: not translated
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.language.currentIndexChanged.connect(self._language_picked)
        self.error = error_label()
        self.login_button = primary_button("")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.submit)
        self.quit_button = QPushButton()
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)

        form = form_layout()
        self._labels = [QLabel(), QLabel(), QLabel()]
        for label, field in zip(
            self._labels, (self.username, self.password, self.language), strict=True
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.login_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self._title)
        layout.addWidget(self._entity)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.language)
        self.setTabOrder(self.language, self.login_button)
        self.setTabOrder(self.login_button, self.quit_button)
        self.retranslate()
        (self.password if self.username.text() else self.username).setFocus()
        context.run(context.services.org.entity, on_done=self._entity_loaded, on_error=_ignore)

    def retranslate(self) -> None:
        """Set every text again in the active language."""
        self.setWindowTitle(_("Legajo — Iniciar sesión"))
        for label, text in zip(
            self._labels, (_("&Usuario:"), _("&Contraseña:"), _("&Idioma:")), strict=True
        ):
            label.setText(text)
        self.login_button.setText(_("&Entrar"))
        self.quit_button.setText(_("&Salir"))
        self.error.clear()
        self.error.setVisible(False)

    def submit(self) -> None:
        if self._busy:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            show_inline(self.error, _("Escriba su usuario y su contraseña."))
            return
        self._set_busy(True)
        auth = self._context.services.auth
        self._context.run(
            lambda: auth.login(username, password),
            on_done=self._succeeded,
            on_error=self._failed,
            on_finally=self._finished,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.username, self.password, self.login_button, self.language):
            widget.setEnabled(not busy)
        self.login_button.setText(_("Verificando…") if busy else _("&Entrar"))

    def _succeeded(self, actor: Actor) -> None:
        self._context.settings.last_username = actor.username
        self._context.save_settings()
        self.accept()
        self.logged_in.emit(actor)

    def _failed(self, error: LegajoError) -> None:
        show_inline(self.error, error)
        self.password.clear()

    def _finished(self) -> None:
        self._set_busy(False)
        if self.isVisible():
            self.password.setFocus()

    def _entity_loaded(self, entity: object) -> None:
        name = getattr(entity, "name", "")
        self._entity.setText(name)
        self._entity.setVisible(bool(name))

    def _language_picked(self, index: int) -> None:
        code = self.language.itemData(index)
        if code and code != current_language():
            self.language_changed.emit(code)


def _ignore(_error: LegajoError) -> None:
    """For optional decorations (the entity name): their failure is not the user's problem."""


# -- first run -----------------------------------------------------------------------------


class SetupWizard(QWizard):
    """First run: entity, this workstation and the administrator — or the demo data.

    Args:
        context: The application context (the database is not initialised yet).
        demo_items: How many expedientes the demo button loads.

    Signals:
        completed(str, str): the database is ready; the user name to log in with, and a note
            for the login window (how to log in to the demo), possibly empty.
    """

    completed = Signal(str, str)

    def __init__(
        self, context: AppContext, *, demo_items: int = DEMO_ITEMS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._demo_items = demo_items
        self._busy = False
        self.setWindowTitle(_("Legajo — Configuración inicial"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(680, 520)
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< &Atrás")),
            (QWizard.WizardButton.NextButton, _("&Siguiente >")),
            (QWizard.WizardButton.FinishButton, _("&Crear base de datos")),
            (QWizard.WizardButton.CancelButton, _("Cancelar")),
        ):
            self.setButtonText(button, text)
        self.addPage(self._intro_page())
        self.addPage(self._entity_page())
        self.addPage(self._workstation_page())
        self.addPage(self._admin_page())

    # pages

    def _page(self, title: str, subtitle: str) -> tuple[QWizardPage, QVBoxLayout]:
        page = QWizardPage()
        page.setTitle(title)
        page.setSubTitle(subtitle)
        layout = QVBoxLayout(page)
        return page, layout

    def _intro_page(self) -> QWizardPage:
        page, layout = self._page(
            _("Bienvenido a Legajo"),
            _("Esta base de datos está vacía. Configúrela en tres pasos."),
        )
        layout.addWidget(
            hint_label(
                _(
                    "Escriba los datos de la entidad (el fondo documental), el código de esta "
                    "estación de trabajo y la cuenta del administrador. Pulse «Siguiente» para "
                    "empezar."
                )
            )
        )
        layout.addStretch(1)
        box = QGroupBox(_("¿Solo quiere conocer el programa?"))
        inner = QVBoxLayout(box)
        inner.addWidget(
            hint_label(
                _(
                    "Cree una entidad de demostración con dependencias, series, {n} expedientes "
                    "y usuarios de ejemplo. No la use para datos reales."
                ).format(n=f"{self._demo_items:,}".replace(",", "."))
            )
        )
        self.demo_button = QPushButton(_("Cargar datos de &demostración"))
        self.demo_button.clicked.connect(self.load_demo)
        self.demo_button.setAutoDefault(False)  # Enter means "Siguiente", never "load the demo"
        row = QHBoxLayout()
        row.addWidget(self.demo_button)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(box)
        return page

    def _entity_page(self) -> QWizardPage:
        page, layout = self._page(
            _("Entidad"), _("La entidad productora cuyo fondo documental administra este archivo.")
        )
        self.entity_name = QLineEdit()
        self.entity_name.setMaxLength(300)
        self.entity_nit = QLineEdit()
        self.entity_nit.setMaxLength(30)
        self.entity_city = QLineEdit()
        self.entity_city.setMaxLength(120)
        form = form_layout()
        form.addRow(_("&Nombre de la entidad:"), self.entity_name)
        form.addRow(_("N&IT (opcional):"), self.entity_nit)
        form.addRow(_("Ci&udad (opcional):"), self.entity_city)
        layout.addLayout(form)
        page.registerField("entity_name*", self.entity_name)
        self.entity_error = error_label()
        layout.addWidget(self.entity_error)
        layout.addStretch(1)
        return page

    def _workstation_page(self) -> QWizardPage:
        page, layout = self._page(
            _("Estación de trabajo"),
            _(
                "Cada equipo que registra datos tiene un código propio de 3 caracteres; va en los "
                "rótulos que imprime, así que no lo repita en otro equipo."
            ),
        )
        self.workstation_code = QLineEdit("A01")
        self.workstation_code.setMaxLength(3)
        self.workstation_code.setValidator(
            QRegularExpressionValidator(r"[A-Za-z0-9]{0,3}", self.workstation_code)
        )
        self.workstation_code.textEdited.connect(
            lambda text: self.workstation_code.setText(text.upper())
        )
        self.workstation_name = QLineEdit(self._context.services.rt.env.host)
        self.workstation_name.setMaxLength(120)
        form = form_layout()
        form.addRow(_("&Código de la estación:"), self.workstation_code)
        form.addRow(_("N&ombre de la estación:"), self.workstation_name)
        layout.addLayout(form)
        page.registerField("workstation_code*", self.workstation_code)
        self.workstation_error = error_label()
        layout.addWidget(self.workstation_error)
        layout.addStretch(1)
        return page

    def _admin_page(self) -> QWizardPage:
        page, layout = self._page(
            _("Administrador"),
            _("La primera cuenta, con todos los permisos. Con ella creará las demás."),
        )
        self.admin_username = QLineEdit("admin")
        self.admin_username.setMaxLength(60)
        self.admin_full_name = QLineEdit()
        self.admin_full_name.setMaxLength(200)
        self.admin_password = password_field()
        self.admin_password2 = password_field()
        form = form_layout()
        form.addRow(_("&Usuario:"), self.admin_username)
        form.addRow(_("Nombre &completo:"), self.admin_full_name)
        form.addRow(_("C&ontraseña:"), self.admin_password)
        form.addRow(_("&Repita la contraseña:"), self.admin_password2)
        layout.addLayout(form)
        layout.addWidget(hint_label(policy_text(Parameters().password_min_length)))
        page.registerField("admin_username*", self.admin_username)
        page.registerField("admin_password*", self.admin_password)
        page.registerField("admin_password2*", self.admin_password2)
        self.admin_error = error_label()
        layout.addWidget(self.admin_error)
        layout.addStretch(1)
        return page

    # validation and creation

    def validateCurrentPage(self) -> bool:
        """Check the page's fields before moving on (pure checks: no database)."""
        page = self.currentId()
        try:
            if page == 2 and not WORKSTATION_CODE.match(self.workstation_code.text().strip()):
                show_inline(
                    self.workstation_error,
                    _("El código de estación debe tener 3 letras mayúsculas o dígitos."),
                )
                return False
            if page == 3:
                username = validate_username(self.admin_username.text())
                if self.admin_password.text() != self.admin_password2.text():
                    show_inline(self.admin_error, _("Las contraseñas no coinciden."))
                    return False
                check_policy(
                    self.admin_password.text(),
                    username=username,
                    min_length=Parameters().password_min_length,
                )
        except LegajoError as exc:
            show_inline(self.admin_error if page == 3 else self.workstation_error, exc)
            return False
        for label in (self.entity_error, self.workstation_error, self.admin_error):
            show_inline(label, None)
        return True

    def request(self) -> SetupRequest:
        return SetupRequest(
            entity_name=self.entity_name.text(),
            entity_nit=self.entity_nit.text(),
            entity_city=self.entity_city.text(),
            workstation_code=self.workstation_code.text().strip().upper(),
            workstation_name=self.workstation_name.text().strip(),
            admin_username=self.admin_username.text(),
            admin_full_name=self.admin_full_name.text(),
            admin_password=self.admin_password.text(),
        )

    def accept(self) -> None:
        """Finish: create the database content in the background; close when it is done."""
        if self._busy or not self.validateCurrentPage():
            return
        req = self.request()
        setup = self._context.services.setup
        self._set_busy(True)
        self._context.run(
            lambda: setup.initialize(req),
            on_done=lambda actor: self._ready(actor.username),
            on_error=self._failed,
            on_finally=lambda: self._set_busy(False),
            owner=self,
            progress=self,
            label=_("Creando la base de datos…"),
        )

    def load_demo(self) -> None:
        if self._busy:
            return
        demo, items = self._context.services.demo, self._demo_items
        self._set_busy(True)
        self._context.run_ctx(
            lambda ctx: demo.generate(
                None,
                items,
                progress=lambda done, total, label: ctx.progress(done, total, _(label)),
                cancelled=ctx.cancelled,
            ),
            on_done=self._demo_loaded,
            on_error=self._failed,
            on_finally=lambda: self._set_busy(False),
            owner=self,
            progress=self,
            label=_("Cargando datos de demostración…"),
            cancellable=True,
        )

    def _demo_loaded(self, result: object) -> None:
        password = getattr(result, "password", None) or demo_data.DEMO_PASSWORD
        others = ", ".join(u for u in getattr(result, "users", []) if u != "admin")
        note = _(
            "Se creó la entidad de demostración con {n} expedientes.\n\n"
            "Inicie sesión con el usuario «admin» y la contraseña «{password}». "
            "Los usuarios {others} tienen la misma contraseña."
        ).format(n=getattr(result, "expedientes", 0), password=password, others=others or "—")
        self._ready("admin", note)

    def _ready(self, username: str, note: str = "") -> None:
        self.done(QDialog.DialogCode.Accepted)
        self.completed.emit(username, note)

    def _failed(self, error: LegajoError) -> None:
        if isinstance(error, JobCancelled):
            return
        label = {1: self.entity_error, 2: self.workstation_error}.get(
            self.currentId(), self.admin_error
        )
        show_inline(label, error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.demo_button.setEnabled(not busy)
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)


# -- password change -----------------------------------------------------------------------


class ChangePasswordDialog(QDialog):
    """Change one's own password; ``forced`` after logging in with a temporary one.

    Signals:
        changed(Actor): the password was changed; the refreshed actor.
    """

    changed = Signal(object)

    def __init__(
        self,
        context: AppContext,
        actor: Actor,
        *,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._actor = actor
        self._busy = False
        self.setWindowTitle(_("Legajo — Cambiar contraseña"))
        self.setMinimumWidth(500)
        self.current = password_field()
        self.new = password_field()
        self.repeat = password_field()
        self._policy = hint_label(policy_text(Parameters().password_min_length))
        self.error = error_label()
        self.ok_button = primary_button(_("Cambiar contraseña"))
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(_("Cerrar sesión") if forced else _("Cancelar"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        if forced:
            layout.addWidget(title_label(_("Cambie su contraseña")))
            layout.addWidget(
                hint_label(
                    _(
                        "{user}: ingresó con una contraseña temporal. Elija una contraseña propia "
                        "para continuar."
                    ).format(user=actor.username)
                )
            )
        form = form_layout()
        form.addRow(_("Contraseña &actual:"), self.current)
        form.addRow(_("&Nueva contraseña:"), self.new)
        form.addRow(_("&Repita la nueva:"), self.repeat)
        layout.addLayout(form)
        layout.addWidget(self._policy)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.current.setFocus()
        context.run(context.services.parameters.get, on_done=self._parameters, on_error=_ignore)

    def _parameters(self, params: Parameters) -> None:
        self._policy.setText(policy_text(params.password_min_length))

    def submit(self) -> None:
        if self._busy:
            return
        if self.new.text() != self.repeat.text():
            show_inline(self.error, _("Las contraseñas nuevas no coinciden."))
            return
        auth, actor = self._context.services.auth, self._actor
        old, new = self.current.text(), self.new.text()
        self._busy = True
        self.ok_button.setEnabled(False)
        self._context.run(
            lambda: auth.change_password(actor, old, new),
            on_done=self._done,
            on_error=lambda error: show_inline(self.error, error),
            on_finally=self._finished,
        )

    def _finished(self) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)

    def _done(self, actor: Actor) -> None:
        self.accept()
        self.changed.emit(actor)
