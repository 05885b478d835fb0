"""Captura: attach scanned documents by barcode, import collector files (preview, apply, folder
watch), read barcodes with a camera."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive.domain.collector import BUILTIN_PROFILES, Profile
from archive.domain.errors import LegajoError
from archive.domain.permissions import Permission
from archive.i18n import _, render_error
from archive.services.capture import AttachResult, CollectorImportResult
from archive.services.changes import Changes
from archive.services.transfers import OPEN, TransferRow
from desktop.session import Session
from desktop.views import View, hint_label, primary_button, title_label
from desktop.views.capture.camera_panel import CameraPanel, SourceFactory
from desktop.views.capture.profile_dialog import ProfileDialog
from desktop.views.transfers.transfers import KINDS, STATUSES
from scanners.scan import Scan
from scanners.worker import FileOutcome, decode_files


def _table(headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    for c in range(table.columnCount() - 1):  # codes shown whole; the last column stretches
        table.resizeColumnToContents(c)


class CaptureView(View):
    """The Captura area (see the module docstring); also takes scans (shows them as reads)."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        camera_factory: SourceFactory | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.tabs = QTabWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Captura"), self))
        layout.addWidget(self.tabs)
        self._build_documents()
        self._build_collector()
        self.camera = CameraPanel(session, camera_factory, self)
        self.camera.scanned.connect(self._camera_scan)
        self.tabs.addTab(self.camera, _("Cámara"))
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._dir_changed)
        self.reads: list[Scan] = []

    # ------------------------------------------------------------------ documents

    def _build_documents(self) -> None:
        page = QWidget(self)
        self.pick_files = QPushButton(_("Elegir imágenes o PDF…"), page)
        self.attach_dry = QCheckBox(_("Solo vista previa (no anexar)"), page)
        self.docs_table = _table([_("Archivo"), _("Códigos leídos"), _("Resultado")], page)
        self.docs_status = QLabel("", page)
        top = QHBoxLayout()
        top.addWidget(self.pick_files)
        top.addWidget(self.attach_dry)
        top.addStretch(1)
        v = QVBoxLayout(page)
        v.addWidget(
            hint_label(
                _(
                    "Cada documento se anexa al expediente, carpeta o caja cuyo rótulo aparece en su portada u hoja separadora. El archivo queda donde está."
                ),
                page,
            )
        )
        v.addLayout(top)
        v.addWidget(self.docs_table, 1)
        v.addWidget(self.docs_status)
        self.pick_files.clicked.connect(self._choose_files)
        self.tabs.addTab(page, _("Documentos"))

    def _choose_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, _("Documentos escaneados"), "",
                                                      _("Imágenes y PDF (*.png *.jpg *.jpeg *.tif *.tiff *.pdf)"))  # fmt: skip
        if files:
            self.attach_files([Path(f) for f in files])

    def attach_files(self, paths: list[Path]) -> None:
        """Decode ``paths`` in the worker process (I/O pool), then attach on the database worker."""
        self.docs_status.setText(_("Leyendo {n} archivos…").format(n=len(paths)))
        self.pick_files.setEnabled(False)
        self.session.runner.run_io(lambda _ctx: list(decode_files(paths)), on_done=self._decoded,
                                   on_finally=lambda: self.pick_files.setEnabled(True), owner=self)  # fmt: skip

    def _decoded(self, outcomes: list[FileOutcome]) -> None:
        sv, actor, dry = self.session.services, self.session.actor, self.attach_dry.isChecked()

        def attach() -> list[tuple[FileOutcome, AttachResult | None]]:
            out: list[tuple[FileOutcome, AttachResult | None]] = []
            for o in outcomes:
                pages = max((d.page for d in o.found), default=1)
                out.append(
                    (
                        o,
                        sv.capture.attach(
                            actor, o.path, [d.value for d in o.found], pages=pages, dry_run=dry
                        )
                        if o.ok
                        else None,
                    )
                )
            return out

        self.session.run(attach, on_done=self._attached)

    def _attached(self, results: list[tuple[FileOutcome, AttachResult | None]]) -> None:
        rows = []
        attached = 0
        for outcome, r in results:
            values = ", ".join(d.value for d in outcome.found)
            if r is None:
                text = _("No se pudo leer: {reason}").format(reason=outcome.error)
            elif r.problem:
                text = _(r.problem)
            else:
                attached += r.created
                text = _("Se anexaría a {value}") if self.attach_dry.isChecked() else (
                    _("Anexado a {value}") if r.created else _("Ya estaba anexado a {value}"))  # fmt: skip
                text = text.format(value=r.value)
            rows.append([outcome.path.name, values, text])
        _fill(self.docs_table, rows)
        self.docs_status.setText(_("{n} documentos anexados.").format(n=attached))
        if attached:
            self.session.publish(Changes(units=True))

    # ------------------------------------------------------------------ collector

    def _build_collector(self) -> None:
        page = QWidget(self)
        self.collector_file = QLineEdit(page)
        self.collector_file.setPlaceholderText(_("Archivo descargado del colector"))
        browse = QPushButton(_("Elegir…"), page)
        self.profile = QComboBox(page)
        self.profile_button = QPushButton(_("Perfil…"), page)
        self.profile_button.setToolTip(
            _("Ver el perfil elegido o crear uno para otro formato de archivo")
        )
        self._profiles: dict[str, Profile] = {}
        self.preview_button = QPushButton(_("Vista previa"), page)
        self.apply_button = primary_button(_("Aplicar"), page)
        self.apply_button.setEnabled(False)
        self.watch_dir = QLineEdit(page)
        self.watch_dir.setPlaceholderText(_("Carpeta donde se dejan los archivos del colector"))
        self.watch_toggle = QCheckBox(_("Vigilar carpeta"), page)
        self.transfer = QComboBox(page)
        self.transfer.setToolTip(
            _("Las líneas de recepción del archivo se cotejan contra esta transferencia.")
        )
        self.transfer.addItem(_("Sin recepción de transferencia"), None)
        self.collector_table = _table([_("Fila"), _("Código"), _("Campo"), _("Resultado")], page)
        self.collector_status = QLabel("", page)
        self.collector_status.setWordWrap(True)
        row1 = QHBoxLayout()
        for w in (
            self.collector_file,
            browse,
            self.profile,
            self.profile_button,
            self.preview_button,
            self.apply_button,
        ):
            row1.addWidget(w)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel(_("Recepción de:"), page))
        row2.addWidget(self.transfer, 1)
        row2.addWidget(self.watch_dir, 1)
        row2.addWidget(self.watch_toggle)
        v = QVBoxLayout(page)
        v.addLayout(row1)
        v.addLayout(row2)
        v.addWidget(self.collector_table, 1)
        v.addWidget(self.collector_status)
        browse.clicked.connect(self._browse_collector)
        self.profile_button.clicked.connect(self.edit_profile)
        self.preview_button.clicked.connect(lambda: self.import_collector(dry_run=True))
        self.apply_button.clicked.connect(lambda: self.import_collector(dry_run=False))
        self.watch_toggle.toggled.connect(self._toggle_watch)
        self.tabs.addTab(page, _("Colector de datos"))

    def reload(self) -> None:
        sv, actor = self.session.services, self.session.actor
        self.session.run(lambda: sv.capture.profiles(actor), on_done=self._profiles_loaded)
        self._load_transfers()

    def on_changes(self, changes: Changes) -> None:
        if changes.records:  # a transfer created, sent, received or accepted elsewhere
            self._load_transfers()

    def _load_transfers(self) -> None:
        sv, actor = self.session.services, self.session.actor
        if actor.can(Permission.TRANSFERS_MANAGE):
            self.session.run(lambda: [t for t in sv.transfers.list(actor) if t.status in OPEN],
                             on_done=self._transfers_loaded)  # fmt: skip

    def _transfers_loaded(self, rows: list[TransferRow]) -> None:
        """Open transfers (the ones that can still be received), newest first."""
        current = self.transfer.currentData()
        while self.transfer.count() > 1:
            self.transfer.removeItem(1)
        for t in rows:
            when = t.sent_on.strftime("%d/%m/%Y") if t.sent_on else ""
            text = _("{dependencia} · {kind} · {status} {when} · {n} expedientes").format(
                dependencia=t.dependencia_code, kind=_(KINDS.get(t.kind, t.kind)),
                status=_(STATUSES.get(t.status, t.status)), when=when, n=t.items)  # fmt: skip
            self.transfer.addItem(text, t.id)
        index = self.transfer.findData(current)
        self.transfer.setCurrentIndex(max(index, 0))

    def _profiles_loaded(self, profiles: dict[str, Profile], select: str = "") -> None:
        current = select or self.profile.currentText() or "csv-basico"  # the documented default
        self._profiles = profiles
        self.profile.clear()
        self.profile.addItems(sorted(profiles))
        if current in profiles:
            self.profile.setCurrentText(current)

    def edit_profile(self) -> ProfileDialog:
        """Open the profile form on the chosen profile; once saved, it is the chosen one."""
        dialog = ProfileDialog(self.session, self._profiles.get(self.profile.currentText())
                               or BUILTIN_PROFILES["csv-basico"], self)  # fmt: skip
        sv, actor = self.session.services, self.session.actor

        def saved(name: str) -> None:
            self.session.run(lambda: sv.capture.profiles(actor),
                             on_done=lambda found: self._profiles_loaded(found, name))  # fmt: skip

        dialog.saved.connect(saved)
        dialog.open()
        return dialog

    def _browse_collector(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, _("Archivo del colector"))
        if name:
            self.collector_file.setText(name)
            self.apply_button.setEnabled(False)

    def import_collector(self, *, dry_run: bool) -> None:
        path = Path(self.collector_file.text().strip())
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.collector_status.setText(
                _("No se pudo abrir {file}: {reason}").format(file=path, reason=exc.strerror)
            )
            return
        sv, actor, profile = self.session.services, self.session.actor, self.profile.currentText()
        transfer = self.transfer.currentData()
        self.session.run(lambda: sv.capture.import_collector(actor, data, path.name, profile, dry_run=dry_run,
                                                             transfer_ref=transfer),
                         on_done=self._imported, on_error=self._import_failed)  # fmt: skip

    def _import_failed(self, error: LegajoError) -> None:
        """Nothing was applied (e.g. reception lines without an open transfer): say why."""
        self.collector_status.setText(render_error(error))
        self.apply_button.setEnabled(False)

    def _imported(self, result: CollectorImportResult) -> None:
        rows = [
            [str(p.row), "", p.field or "-", _(p.template).format(**p.params)]
            for p in result.problems
        ]
        shown = {p.row for p in result.problems}
        names = {
            "applied": _("Aplicada"),
            "would_apply": _("Se aplicará"),
            "duplicate": _("Ya importada"),
        }
        rows += [[str(o.row), o.barcode, "", f"{names.get(o.outcome, o.outcome)} {o.detail}".strip()]
                 for o in result.outcomes if o.row not in shown]  # fmt: skip
        _fill(self.collector_table, sorted(rows, key=lambda r: int(r[0])))
        self.collector_status.setText(_("{lines} líneas ({enc}): aplicadas {a}, por aplicar {w}, ya importadas {d}, con error {e}.").format(
            lines=result.lines, enc=result.encoding, a=result.count("applied"), w=result.count("would_apply"),
            d=result.count("duplicate"), e=len(result.problems)))  # fmt: skip
        c = result.cotejo
        if c is not None:
            self.collector_status.setText(self.collector_status.text() + " " + (
                _("Cotejo correcto: {n} unidades.").format(n=c.expected) if c.ok
                else _("Cotejo con diferencias: faltan {m}, sobran {x}, folios distintos {f}.").format(
                    m=", ".join(c.missing) or "—", x=", ".join(c.extra) or "—", f=len(c.folio_diffs))))  # fmt: skip
        self.apply_button.setEnabled(result.dry_run and result.count("would_apply") > 0)
        if not result.dry_run:
            self.session.publish(result.changes)

    # ------------------------------------------------------------------ folder watch

    def _toggle_watch(self, on: bool) -> None:
        folder = self.watch_dir.text().strip()
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        if on:
            if not folder or not Path(folder).is_dir():
                self.collector_status.setText(_("Indique una carpeta existente para vigilar."))
                self.watch_toggle.setChecked(False)
                return
            self.watcher.addPath(folder)
            self._dir_changed(folder)

    @Slot(str)
    def _dir_changed(self, folder: str) -> None:
        files = sorted(
            p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")
        )
        if not files:
            return
        sv, actor, profile = self.session.services, self.session.actor, self.profile.currentText()
        self.session.run(lambda: [sv.capture.import_dropped(actor, f, profile) for f in files if f.exists()],
                         on_done=self._dropped_done)  # fmt: skip

    def _dropped_done(self, results: list[tuple[CollectorImportResult | None, Path]]) -> None:
        lines = [f"{target.name} → {target.parent.name}" for _r, target in results]
        self.collector_status.setText(_("Carpeta vigilada: {files}").format(files="; ".join(lines)))
        if any(r is not None and r.count("applied") for r, _t in results):
            self.session.publish(Changes(units=True, locations=True))

    # ------------------------------------------------------------------ scans

    def _camera_scan(self, scan: Scan) -> None:
        from desktop.scan_dispatch import ScanDispatcher

        if not ScanDispatcher(self).dispatch(scan):
            self.handle_scan(scan)

    def handle_scan(self, scan: Scan) -> bool:
        """Scans arriving while Captura is active are listed as reads."""
        self.reads.append(scan)
        self.camera.status.setText(_("Leído: {value}").format(value=scan.value))
        return True
