"""The start page: the lesson browser, recent files and New.

What the canvas area shows when the app starts without a file, and again on File > Lessons.
The lessons come grouped by chapter in the course notes' order (``engine.lessons.catalog``),
each as a card with a picture of its graph (drawn by the editor's own scene, cached per
file version), its title and one-line summary. Clicking a card opens the lesson; New goes to
an empty canvas; a recent file opens that file.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QToolBar, QToolButton, QVBoxLayout, QWidget)

from .catalog import by_chapter, other_files
from .goals import local

THUMB = QSize(260, 110)
#: (path, modification time, size) -> QPixmap of the graph
_pictures: dict = {}


def graph_picture(graph, size: QSize = THUMB) -> QPixmap:
    """The graph drawn as the canvas draws it, scaled to fit ``size``."""
    from PySide6.QtGui import QUndoStack

    from playground import theme as themes
    from playground.editor.scene import EditorScene

    scene = EditorScene(graph, QUndoStack())
    try:
        source = scene.export_rect()
        img = QImage(size, QImage.Format_ARGB32)
        img.fill(themes.current().canvas)
        painter = QPainter(img)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        scene.render(painter, QRectF(img.rect()).adjusted(4, 4, -4, -4), source, Qt.KeepAspectRatio)
        painter.end()
    finally:
        scene.set_document(type(graph)())   # let go of the lesson's graph (observers)
        scene.deleteLater()
    return QPixmap.fromImage(img)


def cached_picture(path: Path, size: QSize = THUMB) -> QPixmap | None:
    """The picture of the graph in the file at ``path`` (None when it does not load)."""
    from engine.graph import fileformat

    try:
        key = (str(path), path.stat().st_mtime_ns, size.width(), size.height())
    except OSError:
        return None
    if key not in _pictures:
        try:
            _pictures[key] = graph_picture(fileformat.load(path), size)
        except Exception:  # noqa: BLE001 - a file that does not load shows no picture, the card stays
            return None
    return _pictures[key]


class LessonCard(QToolButton):
    """One lesson: its graph's picture, title and summary; clicking opens it."""

    def __init__(self, entry, parent=None):
        super().__init__(parent)
        self.entry = entry
        self.path = str(entry.path)
        self.setToolTip(self.path)
        self.setCursor(Qt.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(4)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignCenter)
        self.picture.setFixedSize(THUMB)
        pix = cached_picture(Path(entry.path))
        if pix is not None:
            self.picture.setPixmap(pix)
        self.title = QLabel(local(entry.title))
        self.title.setTextFormat(Qt.PlainText)   # a file's text: never markup
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        self.summary = QLabel(local(entry.summary))
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #555;")
        for w in (self.picture, self.title, self.summary):
            w.setAttribute(Qt.WA_TransparentForMouseEvents)
            lay.addWidget(w)
        lay.addStretch(1)
        self.setFixedWidth(THUMB.width() + 20)
        self.setMinimumHeight(THUMB.height() + 90)
        self.setStyleSheet("LessonCard { background: white; border: 1px solid #d0d4d8; border-radius: 6px; }"
                           "LessonCard:hover { border: 1px solid #0877bd; }")


class StartPage(QScrollArea):
    """See the module docstring. Signals carry what the user chose; the window acts."""

    openRequested = Signal(str)     # a lesson's or a recent file's path
    newRequested = Signal()
    openDialogRequested = Signal()
    backRequested = Signal()        # back to the document that is open

    COLUMNS = 4

    def __init__(self, recent_files=lambda: [], parent=None):
        super().__init__(parent)
        self.hide()
        if parent is not None:
            parent.installEventFilter(self)   # follow the window's size (see cover)
        self.setObjectName("start_page")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.recent_files = recent_files
        self.cards: list[LessonCard] = []
        self.chapter_labels: list[QLabel] = []
        self.rebuild()

    def rebuild(self):
        """(Re)read the lessons and the recent files."""
        body = QWidget()
        body.setObjectName("start_body")
        body.setStyleSheet("#start_body { background: #f4f6f8; }")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(28, 20, 28, 20)
        outer.setSpacing(10)

        head = QLabel(self.tr("NN Playground"))
        head.setStyleSheet("font-size: 22pt; font-weight: bold;")
        sub = QLabel(self.tr("Choose a lesson, or start with an empty canvas."))
        sub.setStyleSheet("font-size: 12pt; color: #444;")
        outer.addWidget(head)
        outer.addWidget(sub)

        row = QHBoxLayout()
        self.back_button = QPushButton(self.tr("◀ Back to the canvas"))
        self.back_button.clicked.connect(self.backRequested)
        self.back_button.setVisible(getattr(self, "_back_visible", False))
        row.addWidget(self.back_button)
        self.new_button = QPushButton(self.tr("New graph"))
        self.new_button.clicked.connect(self.newRequested)
        self.open_button = QPushButton(self.tr("Open a file…"))
        self.open_button.clicked.connect(self.openDialogRequested)
        row.addWidget(self.new_button)
        row.addWidget(self.open_button)
        self.recent_buttons = []
        recent = [p for p in self.recent_files() if Path(p).exists()][:6]
        if recent:
            row.addSpacing(20)
            row.addWidget(QLabel(self.tr("Recent:")))
        for p in recent:
            b = QPushButton(Path(p).name)
            b.setFlat(True)
            b.setToolTip(p)
            b.setStyleSheet("color: #0877bd; text-decoration: underline;")
            b.clicked.connect(lambda _=False, p=p: self.openRequested.emit(p))
            row.addWidget(b)
            self.recent_buttons.append(b)
        row.addStretch(1)
        outer.addLayout(row)

        self.cards, self.chapter_labels = [], []
        groups = by_chapter()
        if not groups:
            outer.addWidget(QLabel(self.tr("No lessons found in this installation.")))
        for chapter, entries in groups:
            label = QLabel(chapter.heading())
            label.setTextFormat(Qt.PlainText)
            label.setStyleSheet("font-size: 14pt; font-weight: bold; margin-top: 12px;")
            outer.addWidget(label)
            self.chapter_labels.append(label)
            grid = QGridLayout()
            grid.setHorizontalSpacing(12)
            grid.setVerticalSpacing(12)
            for i, entry in enumerate(entries):
                card = LessonCard(entry)
                card.clicked.connect(lambda _=False, p=card.path: self.openRequested.emit(p))
                grid.addWidget(card, i // self.COLUMNS, i % self.COLUMNS, Qt.AlignLeft | Qt.AlignTop)
                self.cards.append(card)
            grid.setColumnStretch(self.COLUMNS, 1)
            outer.addLayout(grid)
        others = other_files()
        if others:
            label = QLabel(self.tr("Other examples"))
            label.setStyleSheet("font-size: 14pt; font-weight: bold; margin-top: 12px;")
            outer.addWidget(label)
            grid = QGridLayout()
            for i, p in enumerate(others):
                b = QPushButton(p.stem.replace("_", " "))
                b.setToolTip(str(p))
                b.clicked.connect(lambda _=False, p=str(p): self.openRequested.emit(p))
                grid.addWidget(b, i // self.COLUMNS, i % self.COLUMNS)
            grid.setColumnStretch(self.COLUMNS, 1)
            outer.addLayout(grid)
        outer.addStretch(1)
        self.setWidget(body)

    def cover(self):
        """Show over the window's canvas and docks: everything between the toolbars and the
        status bar (the docks keep their layout underneath)."""
        win = self.parentWidget()
        if win is None:
            self.show()
            return
        top = 0
        for bar in [win.menuBar(), *win.findChildren(QToolBar)]:
            if not bar.isHidden() and not getattr(bar, "isFloating", lambda: False)():
                top = max(top, bar.geometry().bottom() + 1)
        status = win.statusBar()
        bottom = status.geometry().top() if not status.isHidden() else win.height()
        self.setGeometry(0, top, win.width(), max(bottom - top, 100))
        self.show()
        self.raise_()

    def eventFilter(self, obj, event):
        if obj is self.parentWidget() and event.type() in (QEvent.Resize, QEvent.Show) and not self.isHidden():
            self.cover()
        return False

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.LanguageChange and hasattr(self, "cards"):   # the new language
            self.rebuild()

    def set_back_visible(self, on: bool):
        self._back_visible = bool(on)
        self.back_button.setVisible(self._back_visible)

    def chapters_shown(self) -> list[str]:
        """The chapter headings, top to bottom (for tests and the screenshot check)."""
        return [label.text() for label in self.chapter_labels]
