"""The canvas widget: wheel zoom at the cursor, pan (middle or right button, or
Space+drag), rubber-band selection, fit (F), drops from the palette, Tab for quick
search, and a minimap in the corner."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QGraphicsView

from playground import theme as themes

NODE_MIME = "application/x-nnpg-node-type"
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


class EditorView(QGraphicsView):
    #: Tab pressed over the canvas: (scene position) where to add a node
    quickSearchRequested = Signal(QPointF)
    zoomChanged = Signal(float)

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        # A large scene rect so panning is never stopped by the items' bounds.
        self.minimap = None
        self.setSceneRect(QRectF(-50000, -50000, 100000, 100000))
        self._pan_from = None
        self._space = False
        self.minimap = MiniMap(self)

    # ----- zoom --------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float):
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        s = factor / self.zoom()
        self.scale(s, s)
        self.zoomChanged.emit(self.zoom())
        self.minimap.follow()

    def zoom_by(self, ratio: float):
        self.set_zoom(self.zoom() * ratio)

    def wheelEvent(self, event):
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.15 ** (delta / 120))
        event.accept()

    def fit(self):
        """Fit all nodes in view (F)."""
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            rect = QRectF(-200, -150, 400, 300)
        rect = rect.adjusted(-40, -40, 40, 40)
        self.resetTransform()
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.zoom() > 1.5:
            self.set_zoom(1.5)
        self.zoomChanged.emit(self.zoom())
        self.minimap.follow()

    # ----- pan -----------------------------------------------------------------
    def pan_by(self, dx: float, dy: float):
        """Move the visible area by (dx, dy) pixels."""
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + int(dx))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + int(dy))
        self.minimap.follow()

    def mousePressEvent(self, event):
        if event.button() in (Qt.MiddleButton, Qt.RightButton) or (self._space and event.button() == Qt.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(-d.x(), -d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def scrollContentsBy(self, dx, dy):
        super().scrollContentsBy(dx, dy)
        if getattr(self, "minimap", None) is not None:
            self.minimap.follow()

    # ----- keys: Tab (quick search), Space (pan) --------------------------------
    def event(self, event):
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Tab:
            self.quickSearchRequested.emit(self.cursor_scene_pos())
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def cursor_scene_pos(self) -> QPointF:
        local = self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        return self.mapToScene(local)

    def center_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # ----- drops from the palette ------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if event.mimeData().hasFormat(NODE_MIME):
            type_name = bytes(event.mimeData().data(NODE_MIME)).decode("utf-8")
            self.drop_node(type_name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def drop_node(self, type_name: str, scene_pos: QPointF):
        """Add a node where it was dropped; on a link, insert it into that link (one undo step)."""
        scene = self.scene()
        edge = scene.edge_at(scene_pos)
        stack = scene.undo_stack
        stack.beginMacro(self.tr("Add {type}").format(type=type_name))
        try:
            nid = scene.add_node(type_name, scene_pos)
            if nid and edge is not None:
                scene.insert_on_edge(nid, edge)
        finally:
            stack.endMacro()
        return nid

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self.minimap is not None:
            self.minimap.place()


class MiniMap(QFrame):
    """The whole graph, small, in the bottom-right corner; the visible area is a frame.
    Click or drag in it to move the main view. The "–" in its top-right corner collapses it
    to a small button over the canvas (a click on that opens it again): on a projector the
    canvas needs every pixel.

    The graph is drawn into a cached picture, redrawn (at most a few times a second) only
    when the scene changes: panning and zooming the main view cost just the frame."""

    SIZE = (160, 100)
    SMALL = (120, 75)
    COLLAPSED = (22, 22)
    CORNER = 14   # the collapse box in the top-right corner, pixels
    REDRAW_MS = 250

    def __init__(self, main: EditorView):
        super().__init__(main)
        self.main = main
        self.setFixedSize(*self.SIZE)
        self.setFrameShape(QFrame.Box)
        self.setStyleSheet("MiniMap { border: 1px solid #b0b0b0; }")
        self.setFocusPolicy(Qt.NoFocus)
        self.setCursor(Qt.PointingHandCursor)
        self._picture: QPixmap | None = None
        self._source = QRectF()   # the scene rectangle the picture shows
        self._target = QRectF()   # where in this widget it is drawn
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(self.REDRAW_MS)
        self._redraw.timeout.connect(self._invalidate_now)
        main.scene().changed.connect(self._scene_changed)
        self.set_collapsed(False)   # places it and sets its tooltip

    def place(self):
        m = 10
        # On a small canvas the minimap would hide the graph: a smaller one, or none at all.
        size = next((s for s in (self.SIZE, self.SMALL)
                     if self.main.width() >= 3 * s[0] and self.main.height() >= 3 * s[1]), None)
        if size is not None and self.collapsed:
            size = self.COLLAPSED
        elif size is not None and self._all_in_view():
            size = None   # it would show what the canvas already shows, and hide part of it
        if size is not None and (self.width(), self.height()) != size:
            self.setFixedSize(*size)
            self._picture = None
        self.move(self.main.width() - self.width() - m, self.main.height() - self.height() - m)
        self.setVisible(self.enabled and size is not None)

    enabled = True
    collapsed = False

    def set_enabled(self, on: bool):
        self.enabled = bool(on)
        self.place()

    def follow(self):
        """The main view moved or zoomed: show the new frame, or hide when the graph fits."""
        self.place()
        self.update()

    def _all_in_view(self) -> bool:
        items = self.main.scene().itemsBoundingRect()
        return items.isEmpty() or self.main.mapToScene(self.main.viewport().rect()).boundingRect().contains(items)

    def set_collapsed(self, on: bool):
        self.collapsed = bool(on)
        self.setToolTip(self.tr("Minimap (click to open)") if self.collapsed
                        else self.tr("Minimap: click to move the view; the corner box hides it"))
        self.place()
        self.update()

    def _corner_box(self) -> QRectF:
        c = self.CORNER
        return QRectF(self.width() - c - 2, 2, c, c)

    def _scene_changed(self, _regions=None):
        if not self._redraw.isActive():
            self._redraw.start()

    def _invalidate_now(self):
        self._picture = None
        self.follow()

    def _render(self):
        scene = self.main.scene()
        rect = scene.itemsBoundingRect()
        if rect.isEmpty():
            rect = QRectF(-200, -150, 400, 300)
        rect = rect.adjusted(-60, -60, 60, 60)
        area = QRectF(self.contentsRect())
        s = min(area.width() / rect.width(), area.height() / rect.height())
        w, h = rect.width() * s, rect.height() * s
        self._source = rect
        self._target = QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)
        dpr = self.devicePixelRatioF()
        pic = QPixmap(int(area.width() * dpr), int(area.height() * dpr))
        pic.setDevicePixelRatio(dpr)
        pic.fill(QColor(255, 255, 255, 225))
        painter = QPainter(pic)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.translate(-area.topLeft())
        scene.render(painter, self._target, rect, Qt.KeepAspectRatio)
        painter.end()
        self._picture = pic

    def to_scene(self, p: QPointF) -> QPointF:
        t, r = self._target, self._source
        if t.isEmpty():
            return r.center()
        return QPointF(r.left() + (p.x() - t.left()) * r.width() / t.width(),
                       r.top() + (p.y() - t.top()) * r.height() / t.height())

    def from_scene(self, p: QPointF) -> QPointF:
        if self._picture is None:   # the mapping is the picture's: draw it first
            self._render()
        t, r = self._target, self._source
        return QPointF(t.left() + (p.x() - r.left()) * t.width() / r.width(),
                       t.top() + (p.y() - r.top()) * t.height() / r.height())

    def paintEvent(self, event):
        if self.collapsed:
            painter = QPainter(self)
            painter.fillRect(self.contentsRect(), QColor(255, 255, 255, 225))
            painter.setPen(QPen(themes.current().selection, 1))
            painter.drawRect(QRectF(self.contentsRect()).adjusted(4, 6, -5, -6))   # a tiny map
            painter.end()
            super().paintEvent(event)
            return
        if self._picture is None:
            self._render()
        painter = QPainter(self)
        painter.drawPixmap(self.contentsRect().topLeft(), self._picture)
        visible = self.main.mapToScene(self.main.viewport().rect()).boundingRect()
        frame = QRectF(self.from_scene(visible.topLeft()), self.from_scene(visible.bottomRight()))
        painter.setClipRect(self.contentsRect())
        painter.setPen(QPen(themes.current().selection, 1))
        painter.setBrush(QColor(47, 123, 229, 30))
        painter.drawRect(frame)
        painter.setClipping(False)
        box = self._corner_box()
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        painter.setBrush(QColor(255, 255, 255))
        painter.drawRect(box)
        painter.drawLine(QPointF(box.left() + 3, box.center().y()), QPointF(box.right() - 3, box.center().y()))
        painter.end()
        super().paintEvent(event)  # the frame border

    def mousePressEvent(self, event):
        if self.collapsed:
            self.set_collapsed(False)
        elif self._corner_box().contains(event.position()):
            self.set_collapsed(True)
        else:
            self.main.centerOn(self.to_scene(event.position()))

    def mouseMoveEvent(self, event):
        if event.buttons() and not self.collapsed:
            self.main.centerOn(self.to_scene(event.position()))
