"""The location tree: a lazy item model (a node's children are loaded when it is expanded), the
occupancy bar delegate, and a dialog to pick a location from the tree.

Only what has been expanded is ever loaded: a depósito with 20,000 entrepaños costs nothing until
someone opens it. Each load is one ``locations.children`` call on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.i18n import N_, _
from archive.services.locations import LocationView
from desktop.messages import show_error
from desktop.session import Session
from desktop.views import hint_label

Index = QModelIndex | QPersistentModelIndex
#: ``(used, capacity, unit)`` for the occupancy bar, or None when the node has no capacity.
OCCUPANCY_ROLE = Qt.ItemDataRole.UserRole + 10
#: The node's :class:`LocationView`.
LOCATION_ROLE = Qt.ItemDataRole.UserRole + 11
HEADERS = (N_("Ubicación"), N_("Ocupación"), N_("Signatura"), N_("Código de barras"))
COL_NAME, COL_OCCUPANCY, COL_PATH, COL_BARCODE = range(4)
#: Fill colours of the bar: normal, at or above 90 %, over capacity.
BAR_COLORS = ("#8cc7a0", "#f2b84b", "#e0646a")
AMBER_AT = 0.9


def occupancy(view: LocationView) -> tuple[int, int, str] | None:
    """What the bar shows: units when the capacity is in units, else linear centimetres."""
    if view.capacity_units is not None:
        return view.occupied_units, view.capacity_units, "u"
    if view.capacity_cm is not None:
        return view.occupied_cm, view.capacity_cm, "cm"
    return None


def occupancy_text(view: LocationView) -> str:
    value = occupancy(view)
    if value is None:
        return str(view.occupied_units) if view.occupied_units else ""
    used, capacity, unit = value
    return f"{used}/{capacity}" if unit == "u" else f"{used}/{capacity} cm"


def bar_color(used: int, capacity: int) -> str:
    if used > capacity:
        return BAR_COLORS[2]
    if capacity == 0 or used / capacity >= AMBER_AT:
        return BAR_COLORS[1]
    return BAR_COLORS[0]


def node_title(view: LocationView) -> str:
    title = f"{_(view.level_name)} {view.code}"
    return f"{title} — {view.name}" if view.name else title


class _Node:
    __slots__ = ("children", "loaded", "loading", "parent", "row", "then", "view")

    def __init__(self, view: LocationView | None, parent: _Node | None, row: int) -> None:
        self.view = view
        self.parent = parent
        self.row = row
        self.children: list[_Node] = []
        self.loaded = False
        self.loading = False
        self.then: list[Callable[[], None]] = []  # run once the children arrive

    @property
    def id(self) -> str | None:
        return self.view.id if self.view else None

    def may_have_children(self) -> bool:
        return self.view is None or self.view.children > 0 or bool(self.children)


class LocationTreeModel(QAbstractItemModel):
    """The location tree, loaded level by level on demand.

    Args:
        session: Whose permissions the ``locations.children`` calls run with.
        parent: Qt parent.

    Signals:
        children_loaded(QModelIndex): a node's children arrived (invalid index: the roots).
        revealed(QModelIndex): :meth:`reveal` reached its location.
    """

    children_loaded = Signal(QModelIndex)
    revealed = Signal(QModelIndex)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._root = _Node(None, None, 0)
        self._started = False  # nothing is loaded before reload(): views fetch roots eagerly

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Forget everything and load the roots again."""
        self._started = True
        self.beginResetModel()
        self._root = _Node(None, None, 0)
        self.endResetModel()
        self._load(self._root)

    def refresh(self) -> None:
        """Reload the occupancy of every loaded node (after moves or capacity edits)."""
        loaded = [n for n in self._walk(self._root) if n.loaded]
        locations, actor = self._session.services.locations, self._session.actor
        ids = [n.id for n in loaded]
        self._session.run(
            lambda: {i: locations.children(actor, i) for i in ids},
            on_done=partial(self._refreshed, self._root),
            on_error=self._failed,
            owner=self,
        )

    def _refreshed(self, root: _Node, fresh: dict[str | None, list[LocationView]]) -> None:
        if root is not self._root:
            return  # reloaded meanwhile
        for node in [n for n in self._walk(self._root) if n.loaded]:
            views = fresh.get(node.id)
            if views is None:
                continue
            if [c.id for c in node.children] == [v.id for v in views]:
                for child, view in zip(node.children, views, strict=True):
                    child.view = view
                if node.children:
                    parent = self.index_of(node)
                    last = len(node.children) - 1
                    self.dataChanged.emit(
                        self.index(0, 0, parent), self.index(last, len(HEADERS) - 1, parent)
                    )
            else:
                self._replace_children(node, views)

    def _load(self, node: _Node) -> None:
        if node.loading:
            return
        node.loading = True
        locations, actor = self._session.services.locations, self._session.actor
        node_id = node.id
        self._session.run(
            lambda: locations.children(actor, node_id),
            on_done=partial(self._arrived, self._root, node),
            on_error=partial(self._load_failed, node),
            owner=self,
        )

    def _arrived(self, root: _Node, node: _Node, views: list[LocationView]) -> None:
        if root is not self._root:
            return
        node.loading = False
        self._replace_children(node, views)
        node.loaded = True
        self.children_loaded.emit(self.index_of(node))
        then, node.then = node.then, []
        for step in then:
            step()

    def _replace_children(self, node: _Node, views: Sequence[LocationView]) -> None:
        parent = self.index_of(node)
        if node.children:
            self.beginRemoveRows(parent, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
        if views:
            self.beginInsertRows(parent, 0, len(views) - 1)
            node.children = [_Node(v, node, row) for row, v in enumerate(views)]
            self.endInsertRows()

    def _load_failed(self, node: _Node, error: LegajoError) -> None:
        node.loading = False
        node.then = []
        self._failed(error)

    def _failed(self, error: LegajoError) -> None:
        parent = self.parent()
        widget = parent if isinstance(parent, QWidget) else None
        show_error(widget, error, sink=self._session.sink)

    def _walk(self, node: _Node) -> list[_Node]:
        out = [node]
        for child in node.children:
            out.extend(self._walk(child))
        return out

    # -- finding -----------------------------------------------------------------------------

    def index_of(self, node: _Node, column: int = 0) -> QModelIndex:
        if node.view is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def location(self, index: Index) -> LocationView | None:
        node = self._node(index)
        return node.view if node is not None else None

    def find_loaded(self, predicate: Callable[[LocationView], bool]) -> QModelIndex:
        """The first loaded node whose view satisfies ``predicate`` (invalid if none)."""
        for node in self._walk(self._root):
            if node.view is not None and predicate(node.view):
                return self.index_of(node)
        return QModelIndex()

    def reveal(self, path: str) -> None:
        """Load the branch down to the location with signatura ``path``, then ``revealed``."""
        self._reveal_from(self._root, path)

    def _reveal_from(self, node: _Node, path: str) -> None:
        if not node.loaded:
            node.then.append(partial(self._reveal_from, node, path))
            self._load(node)
            return
        for child in node.children:
            view = child.view
            assert view is not None
            if view.path == path:
                self.revealed.emit(self.index_of(child))
                return
            if path.startswith(view.path + "-"):
                self._reveal_from(child, path)
                return

    # -- Qt model interface ------------------------------------------------------------------

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, _Node) else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        node = self._node(parent) or self._root
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        if 0 <= row < len(node.children) and 0 <= column < len(HEADERS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008 - Qt's signature
        node = self._node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() and parent.column() != 0:
            return 0
        return len((self._node(parent) or self._root).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return len(HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        if parent.isValid() and parent.column() != 0:
            return False
        return (self._node(parent) or self._root).may_have_children()

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent) or self._root
        if not self._started:
            return False
        return not node.loaded and not node.loading and node.may_have_children()

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._load(self._node(parent) or self._root)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):  # fmt: skip
            return _(HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None or node.view is None:
            return None
        view, col = node.view, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (node_title(view), occupancy_text(view), view.path, view.barcode)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{view.path} · {view.barcode}"
        if role == OCCUPANCY_ROLE and col == COL_OCCUPANCY:
            return occupancy(view)
        if role == LOCATION_ROLE:
            return view
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_OCCUPANCY:
            return Qt.AlignmentFlag.AlignCenter
        return None


class OccupancyDelegate(QStyledItemDelegate):
    """Draws ``OCCUPANCY_ROLE`` as a bar: green, amber from 90 %, red when over capacity."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 90), max(hint.height(), option.fontMetrics.height() + 10))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        value = index.data(OCCUPANCY_ROLE)
        if not value:
            super().paint(painter, option, index)
            return
        used, capacity, _unit = value
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QRectF(opt.rect.adjusted(6, 3, -6, -3))
        ratio = min(1.0, used / capacity) if capacity else 1.0
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#b8bec4")))
        painter.setBrush(QColor("#eef0f2"))
        painter.drawRoundedRect(rect, 3, 3)
        if ratio > 0:
            fill = QRectF(rect)
            fill.setWidth(rect.width() * ratio)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bar_color(used, capacity)))
            painter.drawRoundedRect(fill, 3, 3)
        painter.setPen(QColor("#111111"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def location_tree(model: LocationTreeModel, parent: QWidget | None = None) -> QTreeView:
    """A tree view set up for the location model (bar delegate, widths)."""
    tree = QTreeView(parent)
    tree.setModel(model)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setItemDelegateForColumn(COL_OCCUPANCY, OccupancyDelegate(tree))
    tree.setAccessibleName(_("Árbol de ubicaciones"))
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in ((COL_NAME, 210), (COL_OCCUPANCY, 110), (COL_PATH, 170)):
        tree.setColumnWidth(col, width)
    return tree


class LocationPickerDialog(QDialog):
    """Choose a location in the tree (the range dialog's parent, a count's scope…).

    Signals:
        chosen(LocationView): the person picked this location.
    """

    chosen = Signal(object)

    def __init__(self, session: Session, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 480)
        self.model = LocationTreeModel(session, self)
        self.tree = location_tree(self.model)
        self.tree.activated.connect(lambda _i: self._choose())
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("Elegir"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancelar"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(_("Expanda las ramas con → y elija con Intro.")))
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.model.children_loaded.connect(self._first_load)
        self.model.reload()
        self.tree.setFocus()

    def _first_load(self, parent: QModelIndex) -> None:
        if not parent.isValid() and self.model.rowCount() and shiboken6.isValid(self.tree):
            self.tree.setCurrentIndex(self.model.index(0, 0))

    def current(self) -> LocationView | None:
        return self.model.location(self.tree.currentIndex())

    def _choose(self) -> None:
        view = self.current()
        if view is not None:
            self.chosen.emit(view)
            self.accept()
