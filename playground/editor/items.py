"""Graphics items: nodes in the notation of the course notes, their ports, and edges.

Items only draw. They read the document through the scene (``scene.graph``) and never
change it; edits go through the scene, which pushes undoable commands.

Overlay API (used by the live panels): ``NodeItem.set_highlight(color|None)``,
``set_heat(0..1|None)``, ``set_badge(text|None, tooltip)``; ``EdgeItem.set_style(color,
width)`` and ``set_value_text(text|None)``.
"""
from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker,
                           QPen, QPolygonF, QStaticText, QTransform)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from engine.graph.registry import COST, MODULE, OBSERVED, PARAMETER
from engine.i18n import _
from playground import theme as themes
from playground.bugreport import user_message

from . import model


def _html(text) -> str:
    """``text`` for a rich-text tooltip: ``<``, ``>`` and ``&`` escaped (quotes may stay)."""
    return escape(str(text), quote=False)


PORT_R = 5.5
# A function's output is a computed variable: an open circle just outside the box (the
# course notes' notation), joined to the box by a short stub.
VAR_R, VAR_STUB = 7.0, 7.0


def var_radius(th) -> float:
    # Grows a little in presentation mode, but not with the font: the examples' node spacing
    # (170) must still leave room between a circle and the next box.
    return VAR_R * (1.25 if th.presentation else 1.0)
CIRCLE_D = 58.0
BOX_MIN_W, BOX_H, PORT_GAP = 100.0, 46.0, 18.0
MAX_TEXT_W = 118.0  # longer titles get a smaller font, then are elided: nodes stay compact
LOW_DETAIL = 0.45  # below this zoom, draw shapes and the title alone (compact nodes)
#: a title's smallest height on screen, in pixels, however far the view is zoomed out: the
#: 10-layer lessons open fitted at about 25 % and must still be readable from the back row
MIN_LABEL_PX = 11.0
#: a node's fill at the largest gradient of the graph (gradient heat; the key: panels/legends.py)
HEAT_COLOUR = QColor(230, 70, 40)


def _fitting_font(text: str, width: float, size: float, th, min_size: float = 6.5):
    """The bold title font, shrunk (down to ``min_size``) until ``text`` fits ``width``."""
    font = th.font(size, bold=True)
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance > width:
        font.setPointSizeF(max(min_size * th.font_scale, font.pointSizeF() * width / advance))
    return font


_COMPACT_FONTS: dict = {}


def _compact_font(th):
    """The font (and its metrics) of compact titles at this theme's scale, made once."""
    key = (th.font_scale, th.presentation)
    if key not in _COMPACT_FONTS:
        font = th.font(9.5, bold=True)
        font.setPixelSize(max(1, round(MIN_LABEL_PX * th.font_scale)))
        _COMPACT_FONTS[key] = (font, QFontMetricsF(font))
    return _COMPACT_FONTS[key]


def _lod(option, painter) -> float:
    return option.levelOfDetailFromTransform(painter.worldTransform())


class PortItem(QGraphicsItem):
    def __init__(self, node_item: "NodeItem", name: str, is_input: bool, multi: bool = False):
        super().__init__(node_item)
        self.node_item, self.name, self.is_input, self.multi = node_item, name, is_input, multi
        self.hover = False
        #: drawn as a computed variable (open circle): outputs of functions, costs, modules
        self.variable = False
        self.shape_text = ""  # the inferred shape, set by the scene's validation
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self.setFlag(QGraphicsItem.ItemHasNoContents)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self):
        r = (var_radius(themes.current()) if self.variable else PORT_R) + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self):
        p = QPainterPath()
        p.addEllipse(self.boundingRect())
        return p

    def paint(self, painter, option, widget=None):
        pass  # the node draws its ports (one Python paint call per node, not per port)

    def paint_on(self, painter, th):
        """Draw this port on its node's painter (node coordinates)."""
        if self.variable:
            self._paint_variable(painter, th)
            return
        # A plain port is a small solid dot, so that only variables are open circles.
        color = th.edge_hover if self.hover else th.outline_for(self.node_item.category)
        painter.setPen(QPen(color, th.pen_width(1.0)))
        painter.setBrush(color)
        r = PORT_R * (1.2 if self.hover else 0.75) * (1.2 if th.presentation else 1.0)
        c = self.pos()
        if self.multi:  # a multi port (Add, Concat) is drawn as a small rounded bar
            painter.drawRoundedRect(QRectF(c.x() - r * 0.8, c.y() - r * 1.4, r * 1.6, r * 2.8), r * 0.6, r * 0.6)
        else:
            painter.drawEllipse(c, r, r)

    def _paint_variable(self, painter, th):
        c = self.pos()
        r = var_radius(th) * (1.15 if self.hover else 1.0)
        color = th.edge_hover if self.hover else th.outline_for(self.node_item.category)
        # the stub: the function's arrow into the variable it computes
        painter.setPen(QPen(th.outline_for(self.node_item.category), th.pen_width(1.4)))
        painter.drawLine(QPointF(self.node_item.box_rect().right(), c.y()), QPointF(c.x() - r, c.y()))
        painter.setPen(QPen(color, th.pen_width(1.5)))
        painter.setBrush(th.port)
        painter.drawEllipse(c, r, r)

    def scene_center(self) -> QPointF:
        return self.scenePos()

    def hoverEnterEvent(self, event):
        self.hover = True
        self.node_item.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.node_item.update()

    # Connecting by dragging: the scene owns the temporary line and the decision.
    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton and self.scene() and not self.scene().read_only:
            self.scene().begin_link(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event):
        self.scene().update_link(event.scenePos())

    def mouseReleaseEvent(self, event):
        self.scene().end_link(event.scenePos(), event.screenPos())


class NodeItem(QGraphicsItem):
    def __init__(self, scene, node_id: str):
        super().__init__()
        self.node_id = node_id
        self._scene_ref = scene
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        self.edges: list = []
        self.problem: str | None = None      # validation messages, one a line, plain text (badge "!")
        self.problem_severity = "error"
        self.highlight: QColor | None = None
        self.heat: float | None = None
        self.badge_text: str | None = None
        self.badge_tooltip = ""
        self._rect = QRectF()
        self._bounds = QRectF()
        self._compact = None   # (key, laid-out text, size) of the zoomed-out title
        self._path = QPainterPath()
        self._hovered = False
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.refresh()

    # ----- document -> item -------------------------------------------------
    @property
    def node(self):
        return self._scene_ref.graph.nodes[self.node_id]

    def refresh(self):
        """Re-read the node (type, params, label, tie, ports) and re-lay out."""
        self.prepareGeometryChange()
        graph = self._scene_ref.graph
        node = self.node
        self.category = model.category_of(node)
        self.title = model.display_name(node, getattr(graph, "lesson", None))
        self.subtitle = model.param_summary(node) if self.category != OBSERVED else ""
        if node.label and node.type != model.MODULE_TYPE:
            self.subtitle = node.type if not self.subtitle else f"{node.type}: {self.subtitle}"
        self.tie = node.tie
        ins, outs = model.ports_of(graph, node)
        th = themes.current()
        if self.category in (OBSERVED, PARAMETER):
            d = CIRCLE_D * th.font_scale
            self._rect = QRectF(-d / 2, -d / 2, d, d)
            self._title_font = _fitting_font(self.title, d - 8, 8.5, th)
        else:
            fm_sub = QFontMetricsF(th.font(8))
            max_w = MAX_TEXT_W * (1.2 if th.presentation else 1.0)  # long titles shrink: spacing stays usable
            self._title_font = _fitting_font(self.title, max_w, 9.5, th)
            self.subtitle = fm_sub.elidedText(self.subtitle, Qt.ElideRight, max_w)
            w = max(BOX_MIN_W,  # text decides the width in presentation mode: spacing stays usable
                    QFontMetricsF(self._title_font).horizontalAdvance(self.title) + 24,
                    fm_sub.horizontalAdvance(self.subtitle) + 20)
            h = max(BOX_H * th.font_scale, (max(len(ins), len(outs)) + 1) * PORT_GAP * th.font_scale)
            self._rect = QRectF(-w / 2, -h / 2, w, h)
        self._label_room = (64.0 if len(ins) > 1 else 0.0, 64.0 if len(outs) > 1 else 0.0)
        self._bounds = self._compute_bounds()
        self._path = self._outline_path()
        self._place_ports(self.inputs, ins, True)
        self._place_ports(self.outputs, outs, False)
        t = model.node_type(node)
        help_text = _(t.help) if t else (
            QCoreApplication.translate("NodeItem", "module (double-click to open)") if node.type == model.MODULE_TYPE
            else QCoreApplication.translate("NodeItem", "unknown node type '{type}'").format(type=node.type))
        self.setToolTip(self._tooltip(help_text))
        self.setPos(*node.pos)
        self.update()

    def _tooltip(self, help_text):
        """Rich text: every text in it is escaped (a label "<img src=...>" is shown, not run)."""
        node = self.node
        lines = [f"<b>{_html(self.title)}</b> ({_html(node.type)}, id {_html(node.id)})", _html(help_text)]
        if self.tie:
            lines.append(QCoreApplication.translate("NodeItem", "shares weights with group '{group}'").format(
                group=_html(self.tie)))
        if self.problem:   # messages, one a line, each capped
            problems = "<br>".join(_html(user_message(m)) for m in self.problem.splitlines())
            lines.append(f"<span style='color:#d93025'>{problems}</span>")
        if self.badge_tooltip:
            lines.append(_html(self.badge_tooltip))
        return "<br>".join(x for x in lines if x)

    def _place_ports(self, store: dict, ports, is_input: bool):
        wanted = [p.name for p in ports]
        for name in list(store):
            if name not in wanted:
                item = store.pop(name)
                item.setParentItem(None)
                if item.scene():
                    item.scene().removeItem(item)
        n = len(ports)
        r = self._rect
        for i, p in enumerate(ports):
            item = store.get(p.name)
            if item is None:
                item = store[p.name] = PortItem(self, p.name, is_input, p.multi)
            if self.category in (OBSERVED, PARAMETER):
                # Circles: spread ports around the left/right side of the circle.
                ang = (i - (n - 1) / 2) * 0.5
                rad = r.width() / 2
                x = -rad * math.cos(ang) if is_input else rad * math.cos(ang)
                item.setPos(x, rad * math.sin(ang))
            else:
                gap = r.height() / (n + 1)
                item.variable = not is_input
                x = r.left() if is_input else r.right() + self.variable_offset()
                item.setPos(x, r.top() + gap * (i + 1))
            item.setToolTip(f"<b>{_html(p.name)}</b>" + (f" — {_html(p.help)}" if p.help else ""))

    def box_rect(self) -> QRectF:
        return self._rect

    @staticmethod
    def variable_offset() -> float:
        """From the box's right edge to the centre of its output variables' circles."""
        return VAR_STUB + var_radius(themes.current())

    def port(self, name: str, is_input: bool) -> PortItem | None:
        return (self.inputs if is_input else self.outputs).get(name)

    # ----- overlays (used by the live panels) --------------------------------
    def set_highlight(self, color):
        self.highlight = QColor(color) if color is not None else None
        self.update()

    def set_heat(self, value):
        self.heat = None if value is None else max(0.0, min(1.0, float(value)))
        self.update()

    def set_badge(self, text, tooltip: str = ""):
        self.badge_text = text or None
        self.badge_tooltip = tooltip if text else ""
        self.refresh_tooltip()
        self.update()

    def set_problem(self, message: str | None, severity: str = "error"):
        if message != self.problem or severity != self.problem_severity:
            self.problem, self.problem_severity = message, severity
            self.refresh_tooltip()
            self.update()

    def refresh_tooltip(self):
        t = model.node_type(self.node)
        self.setToolTip(self._tooltip(t.help if t else ""))

    # ----- geometry ----------------------------------------------------------
    def boundingRect(self):
        return self._bounds  # asked for very often while painting: computed in refresh()

    def _compute_bounds(self) -> QRectF:
        th = themes.current()
        m = 14.0 * th.line_scale
        left, right = self._label_room
        if self.category not in (OBSERVED, PARAMETER):  # output variables and their shape labels
            right = max(right + 2 * self.variable_offset(), 2 * self.variable_offset() + 40.0 * th.font_scale)
        return self._rect.adjusted(-m - left, -m - 6, m + right, m + 12)

    def shape(self):
        p = QPainterPath()
        if self.category in (OBSERVED, PARAMETER):
            p.addEllipse(self._rect)
        else:
            p.addRoundedRect(self._rect, 10, 10)
        return p

    def _outline_path(self) -> QPainterPath:
        r = self._rect
        p = QPainterPath()
        if self.category in (OBSERVED, PARAMETER):
            p.addEllipse(r)
        elif self.category == COST:
            # Costs: an elongated hexagon (scalar-valued, "the end of the line").
            k = r.height() / 2
            p.addPolygon(QPolygonF([QPointF(r.left() + k * 0.6, r.top()), QPointF(r.right() - k * 0.6, r.top()),
                                    QPointF(r.right(), r.center().y()), QPointF(r.right() - k * 0.6, r.bottom()),
                                    QPointF(r.left() + k * 0.6, r.bottom()), QPointF(r.left(), r.center().y()),
                                    QPointF(r.left() + k * 0.6, r.top())]))
        else:
            p.addRoundedRect(r, 10, 10)
        return p

    def paint(self, painter: QPainter, option, widget=None):
        th = themes.current()
        lod = _lod(option, painter)
        if lod < LOW_DETAIL:  # overview zoom: plain shapes, no antialiasing (300 nodes at 30 fps)
            painter.setRenderHint(QPainter.Antialiasing, False)
        selected = self.isSelected()  # (cheaper than testing option.state's flags in Python)
        path = self._path
        fill = th.fill_for(self.category)
        if self.heat is not None:
            hot = HEAT_COLOUR
            t = self.heat
            fill = QColor(int(fill.red() * (1 - t) + hot.red() * t), int(fill.green() * (1 - t) + hot.green() * t),
                          int(fill.blue() * (1 - t) + hot.blue() * t))
        outline = th.selection if selected else th.outline_for(self.category)
        width = th.pen_width(2.6 if selected else 1.6)
        if self.highlight is not None:
            painter.setPen(QPen(self.highlight, th.pen_width(7), Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(path)
        painter.setPen(QPen(outline, width))
        painter.setBrush(fill)
        painter.drawPath(path)
        if self.category == MODULE:
            # Modules: a double border.
            painter.setBrush(Qt.NoBrush)
            painter.setPen(QPen(outline, th.pen_width(1.0)))
            painter.drawRoundedRect(self._rect.adjusted(4, 4, -4, -4), 7, 7)
        if lod < LOW_DETAIL:
            self._paint_compact_title(painter, th, lod, widget)
            return
        for port in self.inputs.values():
            port.paint_on(painter, th)
        for port in self.outputs.values():
            port.paint_on(painter, th)
        self._paint_text(painter, th, lod)
        self._paint_badges(painter, th)

    def _paint_compact_title(self, painter, th, lod, widget):
        """Zoomed out: the title alone, at least MIN_LABEL_PX high on screen, drawn in screen
        pixels over the node (and into the gap beside it, where the nodes' spacing leaves one).
        A title too long for the room gives way to the node's id when that fits ("lin3" in a
        chain of ten "Linear"), else it is elided. Not in the minimap's picture (no widget).
        The laid-out text is kept per item until the room or the title changes: 300 nodes
        zoomed out repaint at 30 frames per second."""
        if widget is None:
            return
        font, fm = _compact_font(th)
        # the node, its output circle and half the examples' gap to the next node (spacing 170)
        room = self._rect.width() + 2 * (var_radius(th) + VAR_STUB + 12.0)
        width = 4 * round(max(room * lod, 3.5 * fm.averageCharWidth()) / 4)   # steps: a zoom re-lays few
        key = (width, id(font), self.title, self.node_id)
        if self._compact is None or self._compact[0] != key:
            title = next((t for t in (self.title, self.node_id) if fm.horizontalAdvance(t) <= width),
                         None) or fm.elidedText(self.title, Qt.ElideRight, width)
            text = QStaticText(title)
            text.setTextFormat(Qt.PlainText)
            text.prepare(QTransform(), font)
            self._compact = (key, text, text.size())
        _key, text, size = self._compact
        transform = painter.worldTransform()
        centre = transform.map(self._rect.center())
        painter.resetTransform()
        painter.setFont(font)
        painter.setPen(th.text)
        painter.drawStaticText(QPointF(centre.x() - size.width() / 2, centre.y() - size.height() / 2), text)
        painter.setWorldTransform(transform)

    def _paint_text(self, painter, th, lod=1.0):
        r = self._rect
        painter.setPen(th.text)
        painter.setFont(self._title_font)
        title = QFontMetricsF(self._title_font).elidedText(self.title, Qt.ElideRight, r.width() - 6)
        if self.category in (OBSERVED, PARAMETER):
            painter.drawText(r, Qt.AlignCenter, title)
            return
        if self.subtitle:
            painter.drawText(QRectF(r.left(), r.top() + 4, r.width(), r.height() / 2),
                             Qt.AlignHCenter | Qt.AlignBottom, title)
            painter.setFont(th.font(8))
            painter.setPen(th.muted_text)
            painter.drawText(QRectF(r.left(), r.center().y() + 2, r.width(), r.height() / 2 - 4),
                             Qt.AlignHCenter | Qt.AlignTop, self.subtitle)
        else:
            painter.drawText(r, Qt.AlignCenter, title)
        scene = self.scene()
        if scene is not None and getattr(scene, "show_shapes", False):
            self._paint_shapes(painter, th)
        # Port names, just outside the box above their port, when a side has several ports;
        # only while the node is hovered or selected (otherwise they crowd the neighbours'
        # variables; the ports' tooltips say them too) and zoomed in enough to read.
        if lod < 0.6 or not (self._hovered or self.isSelected()):
            return
        painter.setFont(th.font(6.5))
        painter.setPen(th.muted_text)
        for store, is_input in ((self.inputs, True), (self.outputs, False)):
            if len(store) > 1:
                for item in store.values():
                    p = item.pos()
                    rect = (QRectF(p.x() - 62, p.y() - 15, 58, 11) if is_input
                            else QRectF(p.x() + var_radius(th) + 1, p.y() - 15, 58, 11))
                    painter.drawText(rect, (Qt.AlignRight if is_input else Qt.AlignLeft) | Qt.AlignVCenter, item.name)

    def _paint_shapes(self, painter, th):
        """View > Show Tensor Shapes: each output variable labelled with its inferred shape."""
        painter.setFont(th.font(6.5))
        painter.setPen(th.muted_text)
        r = var_radius(th)
        h = 11 * th.font_scale
        single = len(self.outputs) == 1
        for item in self.outputs.values():
            if not item.variable or not item.shape_text:
                continue
            p = item.pos()
            if single:  # under the circle
                painter.drawText(QRectF(p.x() - 40 * th.font_scale, p.y() + r + 1, 80 * th.font_scale, h),
                                 Qt.AlignHCenter | Qt.AlignTop, item.shape_text)
            else:  # beside it, under the link
                painter.drawText(QRectF(p.x() + r + 1, p.y() + 1, 60 * th.font_scale, h),
                                 Qt.AlignLeft | Qt.AlignTop, item.shape_text)

    def _paint_badges(self, painter, th):
        r = self._rect
        painter.setFont(th.font(7, bold=True))
        if self.category == MODULE:
            tag = QRectF(r.left() + 6, r.top() - 9, 44, 14)
            painter.setPen(QPen(th.outline_for(MODULE), th.pen_width(1)))
            painter.setBrush(th.fill_for(MODULE))
            painter.drawRoundedRect(tag, 4, 4)
            painter.setPen(th.outline_for(MODULE))
            painter.drawText(tag, Qt.AlignCenter, QCoreApplication.translate("NodeItem", "module"))
        if self.tie:
            c = themes.tie_color(self.tie)
            painter.setPen(QPen(Qt.white, 1.5))
            painter.setBrush(c)
            painter.drawEllipse(QPointF(r.left() + 2, r.bottom() - 2), 7, 7)
            painter.drawText(QRectF(r.left() - 5, r.bottom() - 9, 14, 14), Qt.AlignCenter, "w")
        if self.problem:
            c = th.error if self.problem_severity == "error" else th.warning
            painter.setPen(Qt.NoPen)
            painter.setBrush(c)
            center = QPointF(r.right() - 2, r.top() + 2)
            painter.drawEllipse(center, 8, 8)
            painter.setPen(Qt.white)
            painter.drawText(QRectF(center.x() - 8, center.y() - 8, 16, 16), Qt.AlignCenter, "!")
        if self.badge_text:
            fm = QFontMetricsF(painter.font())
            w = fm.horizontalAdvance(self.badge_text) + 10
            rect = QRectF(r.center().x() - w / 2, r.bottom() - 7, w, 15)
            painter.setPen(QPen(th.outline, 1))
            painter.setBrush(QColor("#fff7d6"))
            painter.drawRoundedRect(rect, 5, 5)
            painter.setPen(th.text)
            painter.drawText(rect, Qt.AlignCenter, self.badge_text)

    # ----- interaction ---------------------------------------------------
    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionChange and self.scene() is not None:
            return self.scene().snap(value)
        if change == QGraphicsItem.ItemPositionHasChanged:
            for e in self.edges:
                e.update_path()
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event):
        self._hovered = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hovered = False
        self.update()

    def mouseDoubleClickEvent(self, event):
        if self.scene() is not None:
            self.scene().open_node(self.node_id)
        event.accept()


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge, src_port: PortItem, dst_port: PortItem):
        super().__init__()
        self.edge, self.src_port, self.dst_port = edge, src_port, dst_port
        self.color: QColor | None = None
        self.width: float | None = None
        self.value_text: str | None = None
        self.shape_text = ""
        self.hover = False
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        src_port.node_item.edges.append(self)
        dst_port.node_item.edges.append(self)
        self.update_path()

    def detach(self):
        for item in (self.src_port.node_item, self.dst_port.node_item):
            if self in item.edges:
                item.edges.remove(self)

    @staticmethod
    def curve(a: QPointF, b: QPointF) -> QPainterPath:
        dx = max(40.0, abs(b.x() - a.x()) * 0.5)
        path = QPainterPath(a)
        path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        return path

    def update_path(self):
        self.setPath(self.curve(self.src_port.scenePos(), self.dst_port.scenePos()))

    def shape(self):
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def boundingRect(self):
        return super().boundingRect().adjusted(-60, -20, 60, 20)

    def set_style(self, color, width=None):
        self.color = QColor(color) if color is not None else None
        self.width = width
        self.update()

    def set_value_text(self, text):
        self.value_text = text or None
        self.update()

    def set_shape_text(self, text: str):
        self.shape_text = text
        e = self.edge
        self.setToolTip(_html(f"{e.src}.{e.src_port} → {e.dst}.{e.dst_port}")
                        + (f"<br>shape {_html(text)}" if text else ""))

    def hoverEnterEvent(self, event):
        self.hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.update()

    def paint(self, painter, option, widget=None):
        th = themes.current()
        selected = self.isSelected()
        color = th.selection if selected else (th.edge_hover if self.hover else (self.color or th.edge))
        width = th.pen_width(self.width if self.width is not None else 1.8)
        if self.hover or selected:
            width += 1.2
        low = _lod(option, painter) < LOW_DETAIL
        if low:
            painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(QPen(color, width, Qt.SolidLine, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        path = self.path()
        painter.drawPath(path)
        if low:
            return
        # A small arrow head at the input end: functions have a direction.
        end = path.pointAtPercent(1.0)
        before = path.pointAtPercent(0.93)
        ang = math.atan2(end.y() - before.y(), end.x() - before.x())
        s = 7 * th.line_scale
        tip = end - QPointF(math.cos(ang) * PORT_R, math.sin(ang) * PORT_R)
        head = QPolygonF([tip, tip - QPointF(math.cos(ang - 0.45) * s, math.sin(ang - 0.45) * s),
                          tip - QPointF(math.cos(ang + 0.45) * s, math.sin(ang + 0.45) * s)])
        painter.setBrush(color)
        painter.drawPolygon(head)
        label = self.value_text or (self.shape_text if self.hover else None)
        if label:
            painter.setFont(th.font(7.5))
            fm = QFontMetricsF(painter.font())
            w = fm.horizontalAdvance(label) + 10
            mid = path.pointAtPercent(0.5)
            rect = QRectF(mid.x() - w / 2, mid.y() - 9 * th.font_scale, w, 18 * th.font_scale)
            painter.setPen(QPen(color, 1))
            painter.setBrush(QBrush(QColor(255, 255, 255, 230)))
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(th.text)
            painter.drawText(rect, Qt.AlignCenter, label)
