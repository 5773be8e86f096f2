"""The problems list (validation results; clicking one selects its node) and the
breadcrumb shown while inside a module."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QStyle, QWidget

NODE_ROLE = Qt.UserRole + 2
MODULE_ROLE = Qt.UserRole + 3


class ProblemsList(QListWidget):
    #: a problem's node was clicked: (node id, the module whose inside holds it or "")
    nodeClicked = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.set_problems([])

    def set_problems(self, problems):
        self.clear()
        if not problems:
            item = QListWidgetItem(self.tr("No problems found."))
            item.setFlags(Qt.ItemIsEnabled)
            self.addItem(item)
            return
        for p in problems:
            sev = getattr(p, "severity", "error")
            module = getattr(p, "module", None)
            where = f"{p.node}" + (f".{p.port}" if getattr(p, "port", None) else "") if getattr(p, "node", None) else ""
            if module:  # "block › hidden": where to look, outermost first
                where = f"{module} › {where}" if where else module
            text = f"{where + ': ' if where else ''}{p.message}"
            icon = self.style().standardIcon(QStyle.SP_MessageBoxCritical if sev == "error"
                                             else QStyle.SP_MessageBoxWarning)
            item = QListWidgetItem(icon, text)
            item.setToolTip(f"{getattr(p, 'kind', '')}: {p.message}")
            item.setData(NODE_ROLE, getattr(p, "node", None))
            item.setData(MODULE_ROLE, module)
            self.addItem(item)

    def _clicked(self, item):
        node = item.data(NODE_ROLE)
        if node:
            self.nodeClicked.emit(node, item.data(MODULE_ROLE) or "")


class Breadcrumb(QWidget):
    """Main › Block › ... ; click a level to go back up."""

    levelChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lay = QHBoxLayout(self)
        self.lay.setContentsMargins(6, 2, 6, 2)
        self.set_levels([self.tr("Main")])

    def set_levels(self, titles):
        while self.lay.count():
            w = self.lay.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.titles = list(titles)
        for i, title in enumerate(titles):
            if i:
                self.lay.addWidget(QLabel("›"))
            if i < len(titles) - 1:
                b = QPushButton(title)
                b.setFlat(True)
                b.setCursor(Qt.PointingHandCursor)
                b.setToolTip(self.tr("go back to this level"))
                b.clicked.connect(lambda _=False, i=i: self.levelChosen.emit(i))
                self.lay.addWidget(b)
            else:
                self.lay.addWidget(QLabel(f"<b>{escape(title)}</b>"))  # a module's name, from the file
        self.lay.addStretch(1)
        self.setVisible(len(titles) > 1)
