"""The node palette (generated from the registry, grouped by category, with a search
box; drag onto the canvas or double-click) and the Tab quick search."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QLineEdit, QListWidget, QListWidgetItem,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from engine.graph import registry
from engine.graph.registry import CATEGORIES, CATEGORY_TITLES
from engine.i18n import _

from .view import NODE_MIME

TYPE_ROLE = Qt.UserRole + 1


def matches(node_type, text: str) -> bool:
    text = text.strip().lower()
    if not text:
        return True
    hay = f"{node_type.name} {node_type.group} {node_type.help} {node_type.category}".lower()
    return all(word in hay for word in text.split())


def ranked(text: str) -> list:
    """Registry types matching ``text``, best first (name prefix, then name, then help)."""
    t = text.strip().lower()
    found = [nt for nt in registry.all_types() if matches(nt, t) and nt.name != "Module"]

    def score(nt):
        name = nt.name.lower()
        return (0 if name == t else 1 if name.startswith(t) else 2 if t in name else 3, nt.name)
    return sorted(found, key=score)


class _Tree(QTreeWidget):
    def mimeData(self, items):
        data = QMimeData()
        names = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if names:
            data.setData(NODE_MIME, names[0].encode("utf-8"))
            data.setText(names[0])
        return data

    def mimeTypes(self):
        return [NODE_MIME]


class Palette(QWidget):
    #: a node type chosen by double-click or Enter
    nodeChosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search nodes…"))
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._choose_first)
        self.tree.itemActivated.connect(self._activated)
        self.populate()

    def populate(self):
        self.tree.clear()
        by_cat: dict = {}
        for nt in registry.all_types():
            if nt.name == "Module":
                continue  # instances come from grouping, not from the palette
            by_cat.setdefault(nt.category, {}).setdefault(nt.group or "", []).append(nt)
        for cat in CATEGORIES:
            if cat not in by_cat:
                continue
            top = QTreeWidgetItem([_(CATEGORY_TITLES.get(cat, cat))])
            top.setFlags(Qt.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            for group, types in by_cat[cat].items():
                parent = top
                if group and len(by_cat[cat]) > 1:
                    parent = QTreeWidgetItem([_(group)])
                    parent.setFlags(Qt.ItemIsEnabled)
                    top.addChild(parent)
                for nt in types:
                    item = QTreeWidgetItem([nt.name])
                    item.setData(0, TYPE_ROLE, nt.name)
                    item.setToolTip(0, _(nt.help))
                    item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                    parent.addChild(item)
        self.tree.expandAll()

    def type_items(self) -> list:
        out = []

        def walk(item):
            for i in range(item.childCount()):
                child = item.child(i)
                if child.data(0, TYPE_ROLE):
                    out.append(child)
                walk(child)
        walk(self.tree.invisibleRootItem())
        return out

    def visible_types(self) -> list:
        return [i.data(0, TYPE_ROLE) for i in self.type_items() if not i.isHidden()]

    def filter(self, text: str):
        for item in self.type_items():
            item.setHidden(not matches(registry.get(item.data(0, TYPE_ROLE)), text))
        # Hide groups that have nothing left to show.
        def prune(item) -> bool:
            any_visible = False
            for i in range(item.childCount()):
                child = item.child(i)
                visible = not child.isHidden() if child.data(0, TYPE_ROLE) else prune(child)
                any_visible |= visible
            if item is not self.tree.invisibleRootItem() and not item.data(0, TYPE_ROLE):
                item.setHidden(not any_visible)
            return any_visible
        prune(self.tree.invisibleRootItem())

    def _activated(self, item, _column=0):
        name = item.data(0, TYPE_ROLE)
        if name:
            self.nodeChosen.emit(name)

    def _choose_first(self):
        visible = self.visible_types()
        if visible:
            self.nodeChosen.emit(visible[0])


class QuickSearch(QFrame):
    """Tab over the canvas: type a few letters, Enter adds the node at the cursor."""

    #: (type name, scene position)
    chosen = Signal(str, QPointF)

    def __init__(self, parent=None):
        super().__init__(parent, Qt.Popup)
        self.setFrameShape(QFrame.StyledPanel)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("Add node…"))
        self.list = QListWidget()
        self.list.setMaximumHeight(260)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(3, 3, 3, 3)
        lay.addWidget(self.edit)
        lay.addWidget(self.list)
        self.resize(260, 300)
        self.scene_pos = QPointF()
        self.edit.textChanged.connect(self.refill)
        self.edit.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda _item: self.accept_current())
        self.edit.installEventFilter(self)

    def open_at(self, global_pos, scene_pos: QPointF):
        self.scene_pos = scene_pos
        self.edit.clear()
        self.refill("")
        self.move(global_pos)
        self.show()
        self.edit.setFocus()

    def refill(self, text: str):
        self.list.clear()
        for nt in ranked(text):
            item = QListWidgetItem(f"{nt.name}")
            item.setData(TYPE_ROLE, nt.name)
            item.setToolTip(_(nt.help))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def accept_current(self):
        item = self.list.currentItem()
        if item is not None:
            self.hide()
            self.chosen.emit(item.data(TYPE_ROLE), self.scene_pos)

    def eventFilter(self, obj, event):
        # Up/Down in the search box move through the list.
        if obj is self.edit and event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Up, Qt.Key_Down):
            row = self.list.currentRow() + (1 if event.key() == Qt.Key_Down else -1)
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
            return True
        return super().eventFilter(obj, event)
