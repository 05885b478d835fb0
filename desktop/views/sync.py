"""Sincronización: the status-bar widget (last sync, pending changes, conflicts waiting; syncs on a
timer and on demand), the central-database dialog, and the conflicts area where a person with
``sync.manage`` compares both versions side by side and decides field by field.

Local reads (status, conflicts, decisions) go to the database worker; anything that talks to
the central server (sync, connection test, registration) goes to the I/O pool, so a slow or
absent network never holds up the clerks' database work queue — the sync opens its own
sessions, which SQLite (WAL) serves alongside the worker's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _, render_error
from archive.services.changes import Changes
from archive.services.runtime import Actor
from archive.sync.config import SSLMODES, CentralConfig
from archive.sync.conflicts import Choice, ConflictView, VersionView
from archive.sync.service import SyncReport, SyncService, SyncStatus
from desktop.messages import info, show_error
from desktop.session import AppContext, Session
from desktop.views import (
    View,
    error_label,
    form_layout,
    hint_label,
    open_dialog,
    primary_button,
    show_inline,
    title_label,
)

#: What pulled changes may have touched: every view refreshes what it shows.
EVERYTHING = Changes(users=True, roles=True, org=True, parameters=True, audit=True, records=True,
                     units=True, locations=True, counts=True, incidents=True)  # fmt: skip


#: What a person calls the records of each synced table (others show the table's name).
RECORD_KINDS: dict[str, str] = {
    "unit": N_("Unidad"), "expediente": N_("Expediente"), "location": N_("Ubicación"),
    "dependencia": N_("Dependencia"), "loan": N_("Préstamo"), "app_user": N_("Usuario"),
    "role": N_("Rol"), "serie": N_("Serie"), "subserie": N_("Subserie"), "trd_rule": N_("Regla TRD"),
    "trd_version": N_("Versión de TRD"), "incident": N_("Novedad"), "legal_hold": N_("Suspensión"),
    "transfer": N_("Transferencia"), "elimination": N_("Eliminación"), "workstation": N_("Estación"),
    "unit_type": N_("Tipo de unidad"), "count_session": N_("Conteo"), "parameter": N_("Parámetro"),
}  # fmt: skip


def record_kind(table: str) -> str:
    """The translated name of a synced table's records."""
    label = RECORD_KINDS.get(table)
    return _(label) if label else table


def service_of(session: Session) -> SyncService:
    """The sync service of the session's services, or one built on their runtime."""
    existing = getattr(session.services, "sync", None)
    return existing if isinstance(existing, SyncService) else SyncService(session.services.rt)


def status_text(st: SyncStatus) -> str:
    if not st.configured:
        return _("Sin sincronización configurada")
    parts = [_("Sincronizado {when}").format(when=format_datetime(st.last_ok)) if st.last_ok
             else _("Nunca sincronizado")]  # fmt: skip
    if st.pending_changes:
        parts.append(_("{n} cambios por enviar").format(n=st.pending_changes))
    if st.open_conflicts:
        parts.append(_("{n} conflictos").format(n=st.open_conflicts))
    if st.last_error is not None:
        parts.append(_("sin conexión"))
    return " · ".join(parts)


class SyncStatusWidget(QWidget):
    """The status-bar part of sync: state in one line, a button, and the automatic timer.

    Args:
        session: Who is working.
        service: The sync service (shared with :class:`SyncView`).
        auto: Whether to sync every ``interval_min`` minutes of the configuration.

    Signals:
        status_changed(SyncStatus): a fresh local status was read.
        synced(SyncReport): a sync finished.
        failed(LegajoError): a sync failed (shown in the line and its tooltip, no message box:
            the automatic sync must not interrupt anyone).
    """

    status_changed = Signal(object)
    synced = Signal(object)
    failed = Signal(object)

    def __init__(self, session: Session, service: SyncService, *, auto: bool = True,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.session = session
        self.service = service
        self.status: SyncStatus | None = None
        self.busy = False
        self.label = QLabel(_("Sincronización…"))
        self.label.setObjectName("sync-state")
        self.button = QPushButton(_("Sincronizar"))
        self.button.setToolTip(_("Enviar y recibir cambios de la base central ahora"))
        self.button.clicked.connect(self.sync_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self._auto = auto
        self.session.changed.connect(lambda _c: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Read the local status (database worker; no network)."""
        self.session.run(self.service.status, on_done=self._show, on_error=self._status_failed)

    def _status_failed(self, error: LegajoError) -> None:
        self.label.setText(render_error(error))

    def _show(self, st: SyncStatus) -> None:
        self.status = st
        self.label.setText(status_text(st))
        self.label.setToolTip(render_error(st.last_error) if st.last_error else st.server)
        self.button.setEnabled(st.configured and st.registered and not self.busy)
        interval = st.interval_min * 60_000 if self._auto and st.configured and st.registered else 0
        if not interval:
            self.timer.stop()
        elif not self.timer.isActive() or self.timer.interval() != interval:
            self.timer.start(interval)
        self.status_changed.emit(st)

    def sync_now(self) -> None:
        """Sync now on the I/O pool (never twice at once)."""
        if self.busy or (self.status is not None and not (self.status.configured and self.status.registered)):
            return
        self.busy = True
        self.button.setEnabled(False)
        self.label.setText(_("Sincronizando…"))
        self.session.runner.run_io(lambda ctx: self.service.sync_once(progress=ctx.progress, cancelled=ctx.cancelled),
                                   on_done=self._synced, on_error=self._failed, on_finally=self._finished)  # fmt: skip

    def _synced(self, report: SyncReport) -> None:
        self.synced.emit(report)
        if report.applied or report.conflicts:
            self.session.publish(EVERYTHING)

    def _failed(self, error: LegajoError) -> None:
        self.failed.emit(error)

    def _finished(self) -> None:
        self.busy = False
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()


class CentralConfigDialog(QDialog):
    """Where the central PostgreSQL is, its password (kept in the OS keyring) and registration.

    With ``joining`` (a brand-new, empty workstation: the first-run wizard offers it instead of
    creating an entity) it also asks for the workstation code and name, and registering loads
    every user, role and record from the central database, with progress.

    Args:
        context: The application context (its runner; no login is needed to join).
        service: The sync service.
        actor: Who configures (None only when joining).
        config: The current configuration, if any.
        registered: Whether this workstation is registered already.
        joining: Join a central database from an empty workstation.

    Signals:
        saved(): the configuration was stored (and the workstation registered, if asked).
    """

    saved = Signal()

    def __init__(self, context: AppContext, service: SyncService, *, actor: Actor | None,
                 config: CentralConfig | None, registered: bool, joining: bool = False,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.context = context
        self.service = service
        self.actor = actor
        self.joining = joining
        self.setWindowTitle(_("Unirse a una base central") if joining else _("Base central"))
        self.setMinimumWidth(560)
        current = config or CentralConfig(host="")
        self.host = QLineEdit(current.host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(current.port)
        self.database = QLineEdit(current.database)
        self.user = QLineEdit(current.user)
        self.sslmode = QComboBox()
        self.sslmode.addItems(list(SSLMODES))
        self.sslmode.setCurrentText(current.sslmode)
        self.sslrootcert = QLineEdit(current.sslrootcert)
        self.interval = QSpinBox()
        self.interval.setRange(0, 1440)
        self.interval.setValue(current.interval_min)
        self.interval.setSuffix(_(" min"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        keyring = service.passwords.keyring_available()
        self.password.setPlaceholderText(_("(sin cambios)") if config else "")
        self.register = QCheckBox(_("Registrar esta estación en la base central al guardar"))
        self.register.setChecked(joining or not registered)
        self.register.setVisible(not joining)
        self.code = QLineEdit()
        self.code.setMaxLength(3)
        self.station_name = QLineEdit()
        form = form_layout()
        if joining:
            form.addRow(_("Código de esta &estación:"), self.code)
            form.addRow(_("&Nombre de esta estación:"), self.station_name)
        form.addRow(_("&Servidor:"), self.host)
        form.addRow(_("&Puerto:"), self.port)
        form.addRow(_("&Base de datos:"), self.database)
        form.addRow(_("&Usuario:"), self.user)
        form.addRow(_("Modo &TLS:"), self.sslmode)
        form.addRow(_("Certificado de la &autoridad:"), self.sslrootcert)
        form.addRow(_("Sincronizar cada:"), self.interval)
        form.addRow(_("&Contraseña:"), self.password)
        hint = (_("La contraseña se guarda en el llavero del sistema, nunca en texto plano.") if keyring
                else _("Este equipo no tiene llavero del sistema: la contraseña no se guarda; defina "
                       "LEGAJO_CENTRAL_PASSWORD para la sincronización."))  # fmt: skip
        self.error = error_label()
        self.outcome = hint_label()
        self.test_button = QPushButton(_("&Probar conexión"))
        self.test_button.clicked.connect(self.test_connection)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary_button(_("&Unirse") if joining else _("&Guardar"))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Base central PostgreSQL")))
        layout.addLayout(form)
        layout.addWidget(hint_label(hint))
        layout.addWidget(self.register)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)

    def config(self) -> CentralConfig:
        return CentralConfig(host=self.host.text(), port=self.port.value(), database=self.database.text(),
                             user=self.user.text(), sslmode=self.sslmode.currentText(),
                             sslrootcert=self.sslrootcert.text().strip(), interval_min=self.interval.value())  # fmt: skip

    def _failed(self, error: LegajoError) -> None:
        show_inline(self.error, error)
        self.save_button.setEnabled(True)
        self.test_button.setEnabled(True)

    def test_connection(self) -> None:
        try:
            config = self.config().validated()
        except LegajoError as e:
            show_inline(self.error, e)
            return
        show_inline(self.error, None)
        self.test_button.setEnabled(False)
        password = self.password.text() or None
        self.context.runner.run_io(lambda _ctx: self.service.test_connection(config, password),
                                   on_done=self._tested, on_error=self._failed)  # fmt: skip

    def _tested(self, central: Any) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText(_("Conexión correcta con la base central {id}.").format(id=central.central_id[-12:]))

    def save(self) -> None:
        show_inline(self.error, None)
        self.save_button.setEnabled(False)
        actor, config, password = self.actor, self.config(), self.password.text() or None
        self.context.run(lambda: self.service.configure(actor, config, password),
                         on_done=self._configured, on_error=self._failed)  # fmt: skip

    def _configured(self, _result: object) -> None:
        if not self.register.isChecked():
            self._done(None)
            return
        actor, code, name = self.actor, self.code.text() or None, self.station_name.text()
        self.context.runner.run_io(
            lambda ctx: self.service.register(actor, code=code, name=name, progress=ctx.progress,
                                              cancelled=ctx.cancelled),
            on_done=self._done, on_error=self._failed, progress=self, cancellable=self.joining,
            label=_("Cargando los datos de la base central…") if self.joining else _("Registrando la estación…"),
        )  # fmt: skip

    def _done(self, _result: object) -> None:
        self.saved.emit()
        self.accept()


def version_meta(v: VersionView) -> str:
    who = v.username or "—"
    when = format_datetime(v.at) if v.at else "—"
    return _("Estación {origin} · {user} · {when}").format(origin=v.origin or "—", user=who, when=when)


DECISIONS = (("left", N_("Conservar A")), ("right", N_("Tomar B")), ("value", N_("Otro valor")))


class ConflictPanel(QWidget):
    """Both versions of one conflict side by side, with a decision per field.

    Signals:
        resolved(Changes): the decision was saved.
    """

    resolved = Signal(object)

    def __init__(self, session: Session, service: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.service = service
        self.conflict: ConflictView | None = None
        self.decisions: dict[str, tuple[QComboBox, QLineEdit]] = {}
        self.title = title_label()
        self.explain = hint_label()
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Motivo de la decisión (queda en la auditoría)"))
        self.all_left = QPushButton(_("Todo &A"))
        self.all_left.clicked.connect(lambda: self._all("left"))
        self.all_right = QPushButton(_("Todo &B"))
        self.all_right.clicked.connect(lambda: self._all("right"))
        self.apply_button = primary_button(_("&Aplicar decisión"))
        self.apply_button.clicked.connect(self.apply)
        self.error = error_label()
        row = QHBoxLayout()
        row.addWidget(self.all_left)
        row.addWidget(self.all_right)
        row.addStretch(1)
        row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        layout.addWidget(self.grid_host)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addLayout(row)
        layout.addStretch(1)
        self.show_conflict(None)

    def _clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.decisions = {}

    def show_conflict(self, c: ConflictView | None) -> None:
        self.conflict = c
        self._clear()
        show_inline(self.error, None)
        editable = c is not None and c.state == "abierto"
        for w in (self.all_left, self.all_right, self.apply_button, self.note):
            w.setEnabled(editable)
        if c is None:
            self.title.setText(_("Elija un conflicto"))
            self.explain.setText("")
            return
        self.title.setText(f"{_(c.kind_label)}: {record_kind(c.table)} {c.row_label}")
        self.explain.setText(self._explanation(c))
        heads = [_("Campo"), _("A — vigente"), _("B — entrante"), _("Decisión"), ""]
        for col, text in enumerate(heads):
            self.grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        self.grid.addWidget(QLabel(version_meta(c.left)), 1, 1)
        self.grid.addWidget(QLabel(version_meta(c.right)), 1, 2)
        for i, f in enumerate(c.fields, start=2):
            self.grid.addWidget(QLabel(_(c.field_labels.get(f, f))), i, 0)
            left = QLabel(c.left.display.get(f, "—"))
            left.setObjectName(f"left-{f}")
            right = QLabel(c.right.display.get(f, "—"))
            right.setObjectName(f"right-{f}")
            combo = QComboBox()
            for key, text in DECISIONS:
                combo.addItem(_(text), key)
            # A resolved conflict shows the decision taken; an open one, the version in force.
            decided = ((c.resolution or {}).get(f) or {}).get("choice")
            combo.setCurrentIndex(max(0, combo.findData(decided or c.applied)))
            value = QLineEdit(c.current.get(f, ""))
            value.setEnabled(False)
            combo.currentIndexChanged.connect(lambda _i, cb=combo, v=value: v.setEnabled(cb.currentData() == "value"))
            combo.setEnabled(editable)
            self.grid.addWidget(left, i, 1)
            self.grid.addWidget(right, i, 2)
            self.grid.addWidget(combo, i, 3)
            self.grid.addWidget(value, i, 4)
            self.decisions[f] = (combo, value)

    def _explanation(self, c: ConflictView) -> str:
        d = c.detail
        if c.state != "abierto":
            return _("Resuelto por {user} en la estación {ws}.").format(user=c.resolved_by, ws=c.resolved_on)
        if c.kind == "duplicate":
            return _("Dos registros quedaron con el valor «{value}». A lo conserva; B quedó con «{q}» "
                     "hasta que se decida.").format(value=d.get("value", ""), q=d.get("quarantined", ""))  # fmt: skip
        if c.kind == "capacity":
            return _("{where} tiene capacidad para {capacity} {unit} y quedó con {used}.").format(**{
                "where": d.get("where", ""), "capacity": d.get("capacity", ""), "unit": d.get("unit", ""),
                "used": d.get("used", "")})  # fmt: skip
        return _("Está vigente la versión {side}.").format(side="A" if c.applied == "left" else "B")

    def _all(self, side: str) -> None:
        for combo, _value in self.decisions.values():
            combo.setCurrentIndex(combo.findData(side))

    def choices(self) -> dict[str, Choice]:
        return {f: Choice(str(combo.currentData()), value.text() if combo.currentData() == "value" else None)
                for f, (combo, value) in self.decisions.items()}  # fmt: skip

    def apply(self) -> None:
        c = self.conflict
        if c is None:
            return
        self.apply_button.setEnabled(False)
        actor, choices, note = self.session.actor, self.choices(), self.note.text()
        self.session.run(lambda: self.service.conflicts.resolve(actor, c.id, choices, note=note,
                                                                expected_version=c.version),
                         on_done=self._applied, on_error=self._failed)  # fmt: skip

    def _failed(self, error: LegajoError) -> None:
        show_inline(self.error, error)
        self.apply_button.setEnabled(True)

    def _applied(self, changes: Changes) -> None:
        self.note.clear()
        self.resolved.emit(changes)


class SyncView(View):
    """The Sincronización area: status, actions, and the conflicts to resolve.

    Signals:
        loaded(int): the conflicts list was (re)loaded; how many rows.
    """

    loaded = Signal(int)

    def __init__(self, session: Session, service: SyncService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.service = service or service_of(session)
        self.conflicts: list[ConflictView] = []
        self.dialog: QDialog | None = None
        self.current_status: SyncStatus | None = None
        self.current_config: CentralConfig | None = None
        self.state = QLabel()
        self.sync_button = primary_button(_("&Sincronizar ahora"))
        self.sync_button.clicked.connect(self.sync_now)
        self.config_button = QPushButton(_("&Base central…"))
        self.config_button.clicked.connect(self.configure)
        self.config_button.setEnabled(session.can(Permission.SYNC_MANAGE))
        self.show_resolved = QCheckBox(_("Mostrar los resueltos"))
        self.show_resolved.toggled.connect(lambda _v: self.reload())
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Tipo"), _("Registro"), _("A (estación)"), _("B (estación)"), _("Estado")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._picked(row))
        self.panel = ConflictPanel(session, self.service)
        self.panel.resolved.connect(self._resolved)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.config_button)
        top.addWidget(self.sync_button)
        box = QGroupBox(_("Conflictos"))
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.show_resolved)
        # The list above, both versions below at full width (side by side, the list was
        # squeezed to unreadable columns next to the panel).
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        box_layout.addWidget(split)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Sincronización con la base central")))
        layout.addLayout(top)
        layout.addWidget(box, 1)

    def reload(self) -> None:
        service = self.service
        self.session.run(lambda: (service.status(), service.config()), on_done=self._status)
        if self.session.can(Permission.SYNC_MANAGE):
            actor, everything = self.session.actor, self.show_resolved.isChecked()
            self.session.run(lambda: self.service.conflicts.list(actor, include_resolved=everything),
                             on_done=self._listed)  # fmt: skip

    def on_changes(self, changes: Changes) -> None:
        self.reload()

    def _status(self, loaded: tuple[SyncStatus, CentralConfig | None]) -> None:
        st, self.current_config = loaded
        self.current_status = st
        text = status_text(st)
        if st.last_error is not None:
            text += "\n" + render_error(st.last_error)
        self.state.setText(text)
        self.sync_button.setEnabled(st.configured and st.registered)

    def _listed(self, items: list[ConflictView]) -> None:
        current = self.panel.conflict.id if self.panel.conflict else None
        self.conflicts = items
        self.table.setRowCount(len(items))
        for r, c in enumerate(items):
            cells = [_(c.kind_label), f"{record_kind(c.table)} {c.row_label}", f"{c.left.origin} {c.left.username}",
                     f"{c.right.origin} {c.right.username}", _("abierto") if c.state == "abierto" else _("resuelto")]  # fmt: skip
            for col, text in enumerate(cells):
                self.table.setItem(r, col, QTableWidgetItem(text))
        ids = [c.id for c in items]
        row = ids.index(current) if current in ids else (0 if items else -1)
        if row >= 0:
            self.table.setCurrentCell(row, 0)
        self._picked(row)
        self.loaded.emit(len(items))

    def _picked(self, row: int) -> None:
        self.panel.show_conflict(self.conflicts[row] if 0 <= row < len(self.conflicts) else None)

    def _resolved(self, changes: Changes) -> None:
        self.session.publish(changes | Changes(audit=True))
        info(self, _("Conflicto resuelto"),
             _("La decisión quedó en la auditoría y se enviará en la próxima sincronización."),
             sink=self.session.sink)  # fmt: skip

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        self.session.runner.run_io(lambda ctx: self.service.sync_once(progress=ctx.progress, cancelled=ctx.cancelled),
                                   on_done=self._synced, on_error=self._sync_failed, progress=self,
                                   label=_("Sincronizando…"), cancellable=True)  # fmt: skip

    def _synced(self, report: SyncReport) -> None:
        self.session.publish(EVERYTHING)

    def _sync_failed(self, error: LegajoError) -> None:
        show_error(self, error, sink=self.session.sink)
        self.reload()

    def configure(self) -> None:
        registered = self.current_status.registered if self.current_status else False
        dialog = CentralConfigDialog(self.session.context, self.service, actor=self.session.actor,
                                     config=self.current_config, registered=registered, parent=self)  # fmt: skip
        dialog.saved.connect(self.reload)
        open_dialog(self, "dialog", dialog)
