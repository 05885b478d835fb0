"""The dialogs of Ubicaciones: creating many locations at once from ranges (with a live
preview before anything is written) and the search for free space."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.domain.progress import JobCancelled
from archive.i18n import N_, _
from archive.services.changes import Changes
from archive.services.locations import LevelView, LocationView, RangeLevel, RangePreview
from archive.services.units import UnitTypeView
from desktop.lazy_model import RIGHT, Column
from desktop.session import Session
from desktop.views import error_label, hint_label, primary_button, show_inline
from desktop.views.inventory.common import RowsModel, fmt_count, setup_table
from desktop.views.inventory.tree import LocationPickerDialog, occupancy_text

PREVIEW_DELAY_MS = 350
PREVIEW_SAMPLE = 12
FREE_COLUMNS = [
    Column("path", N_("Signatura")),
    Column("free", N_("Libres"), align=RIGHT),
    Column("occupancy", N_("Ocupación"), align=RIGHT),
    Column("barcode", N_("Código de barras")),
]


def capacity_value(text: str) -> int | None:
    """A capacity field's value: empty means no limit."""
    return int(text) if text.strip() else None


class RangeDialog(QDialog):
    """Create every combination of level ranges under a parent, after a live preview.

    Signals:
        created(int): locations were created; how many nodes (intermediate ones included).
    """

    created = Signal(int)

    def __init__(self, session: Session, levels: list[LevelView], parent_view: LocationView | None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._session = session
        self._levels = levels
        self._parent_view = parent_view
        self._generation = 0
        self.preview: RangePreview | None = None
        self.picker: LocationPickerDialog | None = None
        self.setWindowTitle(_("Crear ubicaciones por rango"))
        self.resize(680, 620)
        self.parent_label = QLabel()
        pick = QPushButton(_("Cambiar &padre…"))
        pick.clicked.connect(self._pick_parent)
        top = QPushButton(_("Sin padre (&raíz)"))
        top.clicked.connect(lambda: self._set_parent(None))
        parent_row = QHBoxLayout()
        parent_row.addWidget(self.parent_label, 1)
        parent_row.addWidget(pick)
        parent_row.addWidget(top)
        self.rows: list[tuple[QComboBox, QLineEdit]] = []
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel(_("Nivel")), 0, 0)
        self.grid.addWidget(QLabel(_("Rango (p. ej. 1-4, A-B, 1,3,5)")), 0, 1)
        add = QPushButton(_("&Agregar nivel"))
        add.clicked.connect(lambda: self.add_level())
        remove = QPushButton(_("&Quitar el último"))
        remove.clicked.connect(self.remove_level)
        self.capacity_units = QLineEdit()
        self.capacity_cm = QLineEdit()
        for edit in (self.capacity_units, self.capacity_cm):
            edit.setValidator(QIntValidator(0, 1_000_000, edit))
            edit.setPlaceholderText(_("sin límite"))
        self.capacity_units.setText("8")  # an X-200 box per 20 cm on a 1 m entrepaño, roughly
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.sample = QLabel()
        self.sample.setWordWrap(True)
        self.sample.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = error_label()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.run_preview)
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(_("&Crear"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        level_buttons = QHBoxLayout()
        level_buttons.addWidget(add)
        level_buttons.addWidget(remove)
        level_buttons.addStretch(1)
        capacity = QFormLayout()
        capacity.addRow(_("Capacidad de cada ubicación final (&unidades):"), self.capacity_units)
        capacity.addRow(_("Capacidad de cada ubicación final (c&m lineales):"), self.capacity_cm)
        preview_box = QGroupBox(_("Vista previa (todavía no se ha creado nada)"))
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.summary)
        preview_layout.addWidget(self.sample, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(parent_row)
        layout.addLayout(self.grid)
        layout.addLayout(level_buttons)
        layout.addLayout(capacity)
        layout.addWidget(preview_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._set_parent(parent_view)
        self.add_level()

    # levels

    def add_level(self, code: str = "", spec: str = "") -> None:
        combo = QComboBox()
        for level in self._levels:
            combo.addItem(_(level.name), level.code)
        depth = self._next_depth()
        default = code or next((lv.code for lv in self._levels if lv.depth >= depth), "")
        combo.setCurrentIndex(max(0, combo.findData(default)))
        edit = QLineEdit(spec)
        edit.setPlaceholderText("1-4")
        row = len(self.rows) + 1
        self.grid.addWidget(combo, row, 0)
        self.grid.addWidget(edit, row, 1)
        self.rows.append((combo, edit))
        combo.currentIndexChanged.connect(lambda _i: self.schedule_preview())
        edit.textChanged.connect(lambda _t: self.schedule_preview())
        edit.setFocus()
        self.schedule_preview()

    def remove_level(self) -> None:
        if len(self.rows) > 1:
            for widget in self.rows.pop():
                self.grid.removeWidget(widget)
                widget.deleteLater()
            self.schedule_preview()

    def _next_depth(self) -> int:
        if self.rows:
            code = self.rows[-1][0].currentData()
        elif self._parent_view is not None:
            code = self._parent_view.level_code
        else:
            return 0
        depth = next((lv.depth for lv in self._levels if lv.code == code), -1)
        return depth + 1

    def levels(self) -> list[RangeLevel]:
        return [RangeLevel(combo.currentData(), edit.text().strip()) for combo, edit in self.rows]

    # parent

    def _pick_parent(self) -> None:
        picker = LocationPickerDialog(self._session, _("Elegir la ubicación padre"), self)
        picker.chosen.connect(self._set_parent)
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()

    def _set_parent(self, view: LocationView | None) -> None:
        self._parent_view = view
        self.parent_label.setText(
            _("Dentro de: {path}").format(path=view.path) if view
            else _("Dentro de: (raíz, sin padre)")
        )  # fmt: skip
        self.schedule_preview()

    # preview

    def schedule_preview(self) -> None:
        self._generation += 1
        self.preview = None
        self._update()
        self._timer.start()

    def run_preview(self) -> None:
        levels = self.levels()
        if any(not r.spec for r in levels):
            self.summary.setText(_("Escriba el rango de cada nivel."))
            self.sample.clear()
            return
        locations, actor = self._session.services.locations, self._session.actor
        parent_id = self._parent_view.id if self._parent_view else None
        self._session.run(lambda: locations.preview_range(actor, parent_id, levels),
                          on_done=partial(self._previewed, self._generation),
                          on_error=partial(self._preview_failed, self._generation),
                          owner=self)  # fmt: skip

    def _previewed(self, generation: int, preview: RangePreview) -> None:
        if generation != self._generation:
            return
        self.preview = preview
        show_inline(self.error, None)
        self.summary.setText(_("Se crearán {n} ubicaciones finales, p. ej.:").format(
            n=fmt_count(len(preview.paths))))  # fmt: skip
        lines = preview.paths[:PREVIEW_SAMPLE]
        more = len(preview.paths) - len(lines)
        text = "\n".join(lines) + (_("\n… y {n} más").format(n=fmt_count(more)) if more else "")
        self.sample.setText(text)
        if preview.existing:
            show_inline(self.error, _("Ya existen {n}: {paths}. Ajuste los rangos.").format(
                n=len(preview.existing), paths=", ".join(preview.existing[:8])))  # fmt: skip
        self._update()

    def _preview_failed(self, generation: int, error: LegajoError) -> None:
        if generation == self._generation and not isinstance(error, JobCancelled):
            self.summary.setText("")
            self.sample.clear()
            show_inline(self.error, error)

    def _update(self) -> None:
        ok = self.preview is not None and bool(self.preview.paths) and not self.preview.existing
        self.create_button.setEnabled(ok)

    # create

    def submit(self) -> None:
        if not self.create_button.isEnabled() or self.preview is None:
            return
        locations, actor, levels = (
            self._session.services.locations,
            self._session.actor,
            self.levels(),
        )
        parent_id = self._parent_view.id if self._parent_view else None
        units, cm = (
            capacity_value(self.capacity_units.text()),
            capacity_value(self.capacity_cm.text()),
        )
        self.create_button.setEnabled(False)
        self._session.run(
            lambda: locations.create_range(actor, parent_id, levels, capacity_units=units, capacity_cm=cm),
            on_done=self._created, on_error=self._create_failed, owner=self,
            progress=self, label=_("Creando {n} ubicaciones…").format(n=fmt_count(len(self.preview.paths))),
        )  # fmt: skip

    def _created(self, count: int) -> None:
        self.accept()
        self._session.publish(Changes(locations=True, audit=True))
        self.created.emit(count)

    def _create_failed(self, error: LegajoError) -> None:
        self._update()
        show_inline(self.error, error)


class FreeSpaceDialog(QDialog):
    """Leaf locations with room for N more units of a type, nearest to the selected one first.

    Signals:
        chosen(LocationView): the person picked a result (Enter or double click).
    """

    chosen = Signal(object)

    def __init__(self, session: Session, types: list[UnitTypeView], near: LocationView | None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._session, self._near = session, near
        self.setWindowTitle(_("Buscar espacio libre"))
        self.resize(640, 460)
        self.units = QSpinBox()
        self.units.setRange(1, 10_000)
        self.type = QComboBox()
        for t in types:
            self.type.addItem(f"{t.code} — {_(t.name)}", t.code)
        search = primary_button(_("&Buscar"))
        search.setDefault(True)
        search.clicked.connect(self.search)
        form = QFormLayout()
        form.addRow(_("&Unidades:"), self.units)
        form.addRow(_("&Tipo:"), self.type)
        near_text = _("Cerca de {path}").format(path=near.path) if near else _("Desde el principio")
        form.addRow(_("Orden:"), QLabel(near_text))
        self.model = RowsModel(FREE_COLUMNS, self)
        self.table = setup_table(QTableView(), self.model, (200, 70, 110))
        self.table.activated.connect(lambda i: self._choose(i.row()))
        self.error = error_label()
        buttons = QDialogButtonBox()
        buttons.addButton(_("Cerrar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addLayout(form, 1)
        row.addWidget(search, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint_label(_("Intro sobre un resultado lo muestra en el árbol.")))
        layout.addWidget(buttons)

    def search(self) -> None:
        locations, actor = self._session.services.locations, self._session.actor
        n, code, near = (
            self.units.value(),
            self.type.currentData(),
            self._near.id if self._near else None,
        )
        self._session.run(
            lambda: locations.find_free_space(actor, units=n, unit_type_code=code, near_id=near),
            on_done=self._found, on_error=lambda e: show_inline(self.error, e), owner=self,
        )  # fmt: skip

    def _found(self, views: list[LocationView]) -> None:
        show_inline(self.error, None if views else _("No hay ubicaciones con ese espacio libre."))
        self.model.set_rows([
            {"path": v.path, "free": v.free_units if v.free_units is not None else "—",
             "occupancy": occupancy_text(v), "barcode": v.barcode, "view": v} for v in views
        ])  # fmt: skip
        if views:
            self.table.selectRow(0)
            self.table.setFocus()

    def _choose(self, row: int) -> None:
        self.chosen.emit(self.model.row(row)["view"])
        self.accept()
