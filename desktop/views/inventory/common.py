"""Small pieces the inventory areas share: an in-memory table model for short lists (batches,
incidents, count lines, previews), the big result banner of scan actions, table set-up and
the display names of unit kinds and states."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from archive.domain.errors import LegajoError
from archive.domain.timefmt import format_date
from archive.i18n import N_, _, render_error
from desktop.lazy_model import VALUE_ROLE, Column

Index = QModelIndex | QPersistentModelIndex
Row = Mapping[str, Any]
#: ``data(index, ROW_ROLE)`` is the whole row mapping.
ROW_ROLE = Qt.ItemDataRole.UserRole + 3
#: A row may carry a colour for all its cells under this key (a ``QColor`` name).
COLOR_KEY = "_color"

WARN_COLOR = "#8a5a00"
OK_COLOR = "#1e6b2f"

UNIT_KINDS = {
    "caja": N_("Caja"), "carpeta": N_("Carpeta"), "tomo": N_("Tomo"), "az": N_("AZ"),
    "legajo": N_("Legajo"), "sobre": N_("Sobre"), "planoteca": N_("Planoteca"), "otro": N_("Otro"),
}  # fmt: skip
UNIT_STATES = {
    "activo": N_("Activa"), "faltante": N_("Faltante"), "prestado": N_("Prestada"),
    "eliminado": N_("Eliminada"), "transferido": N_("Transferida"),
}  # fmt: skip
EXPEDIENTE_STATES = {"abierto": N_("Abierto"), "cerrado": N_("Cerrado")}
STAGES = {"gestion": N_("Gestión"), "central": N_("Central"), "historico": N_("Histórico")}
INCIDENT_STATES = {"abierta": N_("Abierta"), "cerrada": N_("Cerrada")}
COUNT_STATES = {"abierto": N_("En curso"), "pausado": N_("Pausado"), "cerrado": N_("Finalizado")}


def named(names: Mapping[str, str]) -> Callable[[Any], str]:
    """A formatter showing the translated name of a code (the code itself if unknown)."""

    def fmt(value: Any) -> str:
        if value is None or value == "":
            return ""
        return _(names[value]) if value in names else str(value)

    return fmt


def fmt_date(value: date | None) -> str:
    return format_date(value) if value is not None else ""


def fmt_count(n: int) -> str:
    """``1234567`` → ``1.234.567`` (Colombian thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fmt_folios(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return ""
    return _("{first}–{last}").format(first=first, last=last)


class RowsModel(QAbstractTableModel):
    """A short list of rows (mappings) held in memory, for lists a service returns whole.

    Large listings use :class:`~desktop.lazy_model.LazyTableModel` instead.

    Args:
        columns: The columns, in order (the same :class:`Column` as the lazy tables).
        parent: Qt parent.
    """

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> list[Row]:
        return self._rows

    def row(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self._columns[section].header_msgid)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._columns[section].align
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        values = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.format(values.get(column.key))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ForegroundRole and values.get(COLOR_KEY):
            return QBrush(QColor(values[COLOR_KEY]))
        if role == VALUE_ROLE:
            return values.get(column.key)
        if role == ROW_ROLE:
            return values
        return None


def setup_table(
    table: QTableView, model: QAbstractItemModel, widths: Sequence[int] = (), *, multi: bool = False
) -> QTableView:
    """Give ``table`` its model, row selection, no row numbers, a fixed row height (cheap with
    a million rows) and initial column widths."""
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users move between panes
    vertical = table.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(28)
    header = table.horizontalHeader()
    # The header asks "is this whole column selected?" for its sections whenever the selection
    # changed, and Qt answers by visiting every row (index() and flags() in Python each): Ctrl+A
    # on a million rows froze the GUI for 30 s. Whole columns are never selected here, so the
    # header gets a selection model of its own, which stays empty.
    header.setHighlightSections(False)
    header.setSelectionModel(QItemSelectionModel(model, header))
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate(widths):
        table.setColumnWidth(col, width)
    return table


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic (``&``) moves the focus to ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def selection_size(table: QTableView) -> int:
    """How many rows are selected, without listing them (ranges of rows never overlap here)."""
    selection = table.selectionModel()
    if selection is None:
        return 0
    spans = selection.selection()
    return sum(span.bottom() - span.top() + 1 for span in spans)  # type: ignore[attr-defined]


def selected_rows(table: QTableView) -> list[int]:
    """Selected row numbers in order, read from the selection ranges (cheap for big ones)."""
    selection = table.selectionModel()
    if selection is None:
        return []
    rows: set[int] = set()
    for span in selection.selection():  # type: ignore[attr-defined]  # iterable at run time
        rows.update(range(span.top(), span.bottom() + 1))
    return sorted(rows)


class Feedback(QLabel):
    """The large result line of scan actions: green for done, red for errors, grey for hints."""

    _STYLES: ClassVar[dict[str, str]] = {
        "ok": f"color: {OK_COLOR}; background: #e6f4ea; border: 1px solid #9fd3ad;",
        "error": "color: #a4262c; background: #fbe9ea; border: 1px solid #e6a5a9;",
        "warn": f"color: {WARN_COLOR}; background: #fff4dc; border: 1px solid #e8c77d;",
        "info": "color: #333333; background: #f1f3f5; border: 1px solid #d0d5da;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setMinimumHeight(52)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = "info"
        self.show_message("info", "")

    def show_message(self, kind: str, message: str | LegajoError) -> None:
        """Show ``message`` (an error is rendered in the active language)."""
        text = render_error(message) if isinstance(message, LegajoError) else message
        self.kind = kind
        self.setText(text)
        weight = "normal" if kind == "info" else "bold"
        self.setStyleSheet(
            f"QLabel {{ {self._STYLES[kind]} font-size: 14pt; font-weight: {weight};"
            " padding: 8px 12px; border-radius: 4px; }"
        )
        self.setAccessibleDescription(text)
