"""The editor scene: a QGraphicsScene that is a view over one graph of the document
(the root graph, or the inside of a module). It creates items from the document,
follows its events, and turns gestures into undoable commands.

Overlay API for the live panels: ``scene.node_item(node_id)`` and
``scene.edge_item(edge)`` / ``scene.edge_items`` (see ``items``).
"""
from __future__ import annotations

import itertools
from html import escape

import shiboken6
from PySide6.QtCore import QCoreApplication, QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSimpleTextItem, QToolTip

from playground import theme as themes

from . import commands, model, modules
from .items import EdgeItem, NodeItem, PortItem

GRID = 20.0


class EditorScene(QGraphicsScene):
    #: a one-line message for the status bar
    statusMessage = Signal(str)
    #: the validation problems of the whole document (list of Problem)
    problemsChanged = Signal(list)
    #: breadcrumb titles, outermost first
    navigationChanged = Signal(list)
    #: every item was re-created from the shown graph (new document, level, or a resync):
    #: whatever held on to an item or a node id re-reads the scene
    rebuilt = Signal()

    def __init__(self, document, undo_stack, parent=None):
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.document = None
        self.graph = None
        self.read_only = False
        self.owner = None
        self.nav: list[dict] = []
        self.snap_enabled = True
        #: label each computed variable (output circle) with its inferred shape
        self.show_shapes = False
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict = {}
        self.shapes: dict = {}
        self.problems: list = []
        self.last_refusal: str | None = None
        #: returns the dataset shapes validation should assume (set by the window)
        self.dataset_shapes = lambda: None
        self._link = None
        self._drag_token = None
        self._drag_counter = itertools.count(1)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(120)
        self._validate_timer.timeout.connect(self.validate_now)
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        self.set_document(document)

    # ----- what is shown ------------------------------------------------------
    def set_document(self, document):
        self._unsubscribe()
        self.document = document
        self.nav = [{"title": self.tr("Main"), "graph": document, "read_only": False, "owner": None}]
        self._show_level()
        # now, not after the usual delay: the problems list and the status bar's verdict
        # must not name the previous document's nodes, even for a moment
        self.validate_now()

    def _unsubscribe(self):
        if self.graph is not None:
            self.graph.unsubscribe(self._on_event)
        if self.document is not None:
            self.document.unsubscribe(self._on_root_event)

    def _show_level(self):
        self._unsubscribe()
        level = self.nav[-1]
        self.graph, self.read_only, self.owner = level["graph"], level["read_only"], level["owner"]
        self.graph.subscribe(self._on_event)
        if self.graph is not self.document:
            self.document.subscribe(self._on_root_event)
        self.rebuild()
        self.navigationChanged.emit([lv["title"] for lv in self.nav])

    def enter(self, title: str, graph, read_only: bool, owner=None):
        self.nav.append({"title": title, "graph": graph, "read_only": read_only, "owner": owner})
        self._show_level()

    def go_to_level(self, index: int):
        """Breadcrumb: 0 is the main graph."""
        if 0 <= index < len(self.nav) - 1:
            del self.nav[index + 1:]
            self._show_level()

    def open_node(self, node_id: str) -> bool:
        """Double-click: open a module's inside (editable) or a ready block's (read-only)."""
        node = self.graph.nodes.get(node_id)
        if node is None:
            return False
        mdef = model.module_def(self.graph, node)
        if mdef is not None:
            # Edits inside a module are announced on the document that owns the definition.
            self.enter(mdef.name, mdef.graph, self.read_only, owner=(self.graph, mdef.name))
            return True
        inside = modules.template_graph(node)
        if inside is not None:
            self.enter(f"{node.type} (read-only)", inside, True)
            self.statusMessage.emit(self.tr("{type} is a ready-made block: its inside is shown read-only").format(
                type=node.type))
            return True
        return False

    def rebuild(self):
        self._cancel_link()
        self.clear()
        self.node_items, self.edge_items = {}, {}
        for nid in self.graph.nodes:
            self._add_node_item(nid)
        for e in self.graph.edges:
            self._add_edge_item(e)
        self.schedule_validate()
        self.rebuilt.emit()

    def node_item(self, node_id: str) -> NodeItem | None:
        return self.node_items.get(node_id)

    def edge_item(self, edge) -> EdgeItem | None:
        return self.edge_items.get(edge)

    def _add_node_item(self, nid):
        item = NodeItem(self, nid)
        item.setFlag(NodeItem.ItemIsMovable, not self.read_only)
        self.node_items[nid] = item
        self.addItem(item)
        return item

    def _add_edge_item(self, e):
        src, dst = self.node_items.get(e.src), self.node_items.get(e.dst)
        sp = src.port(e.src_port, False) if src else None
        dp = dst.port(e.dst_port, True) if dst else None
        if sp is None or dp is None:
            return None  # a dangling edge in a bad file: validation reports it
        item = EdgeItem(e, sp, dp)
        item.set_shape_text(self._shape_text(e.src, e.src_port))
        self.edge_items[e] = item
        self.addItem(item)
        return item

    def _remove_edge_item(self, e):
        item = self.edge_items.pop(e, None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _refresh_node(self, nid):
        item = self.node_items.get(nid)
        if item is None:
            return
        before = set(item.inputs) | {("o", p) for p in item.outputs}
        item.refresh()
        after = set(item.inputs) | {("o", p) for p in item.outputs}
        if before != after:  # ports changed: re-create this node's edges
            for e in list(self.edge_items):
                if nid in (e.src, e.dst):
                    self._remove_edge_item(e)
            for e in self.graph.edges_of(nid):
                self._add_edge_item(e)
        for e in item.edges:
            e.update_path()

    # ----- document events -> items --------------------------------------------
    def _on_event(self, ev):
        k = ev.kind
        if k == "node_added":
            self._add_node_item(ev.node)
        elif k == "node_removed":
            item = self.node_items.pop(ev.node, None)
            if item is not None:
                for e in list(item.edges):
                    self._remove_edge_item(e.edge)
                self.removeItem(item)
        elif k == "edge_added":
            self._add_edge_item(ev.edge)
        elif k == "edge_removed":
            self._remove_edge_item(ev.edge)
        elif k == "node_moved":
            item = self.node_items.get(ev.node)
            if item is not None and (item.pos().x(), item.pos().y()) != tuple(ev.value):
                item.setPos(*ev.value)
            return  # a move changes no meaning: no revalidation
        elif k in ("param_changed", "label_changed", "tie_changed"):
            self._refresh_node(ev.node)
        elif k == "module_changed":
            for nid, node in self.graph.nodes.items():
                if node.type == model.MODULE_TYPE and node.params.get("module") == ev.name:
                    self._refresh_node(nid)
        elif k == "reset":
            if self.graph is self.document:
                self.set_document(self.document)
            return
        self.schedule_validate()

    def _on_root_event(self, ev):
        """While inside a module: leave it when the document no longer holds it."""
        if ev.kind == "reset":
            self.set_document(self.document)
            return
        if ev.kind == "module_changed":
            dead = self.first_dead_level()
            if dead is not None:  # back to the innermost level the document still holds
                del self.nav[dead:]
                self._show_level()
                return
        self.schedule_validate()

    def first_dead_level(self) -> int | None:
        """The index of the first breadcrumb level whose module definition the document no
        longer holds (deleted, or replaced by another one), or None."""
        for i, level in enumerate(self.nav[1:], start=1):
            owner = level["owner"]
            if owner is None:
                continue  # a ready-made block's inside: a template, not part of the document
            mdef = owner[0].modules.get(owner[1])
            if owner[0] is not self.nav[i - 1]["graph"] or mdef is None or mdef.graph is not level["graph"]:
                return i
        return None

    # ----- validation ------------------------------------------------------------
    def schedule_validate(self):
        self._validate_timer.start()

    def validate_now(self):
        """Problems as badges + the problems list; inferred shapes for port/edge tooltips."""
        self._validate_timer.stop()
        problems, shapes = [], {}
        try:
            from engine.graph import validate as validation
        except ImportError:  # the graph runtime is not there yet: nothing to report
            validation = None
        if validation is not None:
            ds = self.dataset_shapes()
            if self.graph is self.document and ds is not None:
                # what `playground check` says (compile-stage and lesson problems too), so
                # the status bar never counts fewer problems than the command line, and a
                # lesson's checklist never waits forever under "No problems found"
                from engine.graph.compile import check_file  # noqa: PLC0415

                problems = list(check_file(self.document, ds, first_batch=False))
            else:
                problems = list(validation.validate(self.document, ds))
            if self.graph is self.document and hasattr(validation, "infer_shapes"):
                try:
                    shapes = validation.infer_shapes(self.document, ds) or {}
                except Exception as exc:  # noqa: BLE001 - shapes are a hint; problems already say why
                    self.statusMessage.emit(self.tr("shapes unknown: {error}").format(error=exc))
                    shapes = {}
        self.problems, self.shapes = problems, shapes
        by_node = self.problems_by_node(problems)
        for nid, item in self.node_items.items():
            mine = by_node.get(nid, [])
            if mine:
                sev = "error" if any(getattr(p, "severity", "error") == "error" for p in mine) else "warning"
                item.set_problem("\n".join(p.message for p in mine), sev)
            else:
                item.set_problem(None)
            for name, port in itertools.chain(item.inputs.items(), item.outputs.items()):
                shape = shapes.get((nid, name)) if not port.is_input else self._input_shape(nid, name)
                port.shape_text = self._fmt_shape(shape) if shape is not None else ""
                role = (self.tr("input") if port.is_input
                        else self.tr("computed variable") if port.variable else self.tr("output"))
                port.setToolTip(f"<b>{escape(name)}</b> ({role})<br>" + self.tr("shape") + " "
                                + (port.shape_text or self.tr("unknown until the graph is valid")))
            if self.show_shapes:
                item.update()
        for e, item in self.edge_items.items():
            item.set_shape_text(self._shape_text(e.src, e.src_port))
        self.problemsChanged.emit(problems)
        return problems

    def shown_module(self) -> str | None:
        """The name of the module definition whose inside is shown (None: the main graph)."""
        return self.owner[1] if self.owner is not None and not self.read_only else None

    def problems_by_node(self, problems) -> dict:
        """{node id of this level: [Problem]}. A problem inside a module's definition shows
        on that module's node too, so that nothing wrong is hidden behind a module."""
        here = self.shown_module()
        if self.graph is not self.document and here is None:
            return {}  # a ready-made block's inside: the document's problems are not about it
        instances: dict = {}
        for nid, node in self.graph.nodes.items():
            if node.type == model.MODULE_TYPE:
                instances.setdefault(node.params.get("module"), []).append(nid)
        by_node: dict = {}
        for p in problems:
            inside = getattr(p, "module", None)
            if inside == here and getattr(p, "node", None) in self.graph.nodes:
                by_node.setdefault(p.node, []).append(p)
            elif inside is not None and inside != here:
                for nid in instances.get(inside, ()):
                    by_node.setdefault(nid, []).append(p)
        return by_node

    def set_show_shapes(self, on: bool):
        self.show_shapes = bool(on)
        for item in self.node_items.values():
            item.update()

    def _input_shape(self, nid, port):
        into = self.graph.edges_into(nid, port)
        if not into:
            return None
        shapes = [self.shapes.get((e.src, e.src_port)) for e in into]
        return shapes[0] if len(shapes) == 1 else shapes

    @staticmethod
    def _fmt_shape(shape) -> str:
        if isinstance(shape, list):
            return ", ".join(EditorScene._fmt_shape(s) for s in shape)
        if shape == ():
            return QCoreApplication.translate("EditorScene", "scalar")
        if isinstance(shape, tuple):
            return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"
        return str(shape)

    def _shape_text(self, nid, port) -> str:
        shape = self.shapes.get((nid, port))
        return self._fmt_shape(shape) if shape is not None else ""

    # ----- commands --------------------------------------------------------------
    def push(self, build, *args, **kwargs) -> bool:
        """Build a command with ``build(graph, *args, owner=..., **kwargs)`` and push it.
        A refusal (ValueError) goes to the status bar; returns whether it was pushed."""
        if self.read_only:
            self.refuse(self.tr("this is a ready-made block: its inside is read-only"))
            return False
        try:
            cmd = build(self.graph, *args, owner=self.owner, **kwargs)
        except ValueError as exc:
            self.refuse(str(exc))
            return False
        self.undo_stack.push(cmd)
        self.last_command = cmd
        return True

    def refuse(self, message: str, scene_pos: QPointF | None = None, screen_pos=None):
        """Show why an edit was refused: at the cursor when we know it, and in the status bar."""
        self.last_refusal = message
        self.statusMessage.emit(message)
        if screen_pos is not None:
            QToolTip.showText(screen_pos, message)
        if scene_pos is not None:
            th = themes.current()
            text = QGraphicsSimpleTextItem(message)
            text.setFont(th.font(9, bold=True))
            text.setBrush(th.error)
            text.setPos(scene_pos + QPointF(12, 8))
            text.setZValue(10)
            self.addItem(text)
            # the scene as context: no callback once the scene (its window) is gone
            QTimer.singleShot(2500, self, lambda: shiboken6.isValid(text) and text.scene() is self
                              and self.removeItem(text))

    def add_node(self, type_name: str, pos=None, select: bool = True) -> str | None:
        if pos is None:
            pos = self._free_spot()
        pos = self.snap(QPointF(*pos)) if not isinstance(pos, QPointF) else self.snap(pos)
        if not self.push(commands.add_node, type_name, (pos.x(), pos.y())):
            return None
        nid = self.last_command.node_id
        if select:
            self.select_nodes([nid])
        return nid

    def _free_spot(self):
        if not self.graph.nodes:
            return (0.0, 0.0)
        right = max(n.pos[0] for n in self.graph.nodes.values())
        return (right + 180.0, 0.0)

    def connect_ports(self, src, src_port, dst, dst_port, scene_pos=None, screen_pos=None) -> bool:
        problem = model.link_problem(self.graph, src, src_port, dst, dst_port)
        if problem:
            self.refuse(problem, scene_pos, screen_pos)
            return False
        return self.push(commands.connect, src, src_port, dst, dst_port)

    def selected_node_ids(self) -> list:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, ids):
        self.clearSelection()
        for nid in ids:
            item = self.node_items.get(nid)
            if item is not None:
                item.setSelected(True)

    def delete_selected(self) -> bool:
        return self.push(commands.delete, self.selected_node_ids(), self.selected_edges())

    def set_param(self, node_id, name, value) -> bool:
        return self.push(commands.set_param, node_id, name, value)

    def copy_fragment(self) -> dict | None:
        ids = self.selected_node_ids()
        return commands.fragment(self.graph, ids) if ids else None

    def paste_fragment(self, frag, offset=(30.0, 30.0), text=None) -> bool:
        ok = self.push(commands.paste, frag, offset, text=text or self.tr("Paste"))
        if ok:
            self.select_nodes(self.last_command.new_ids)
        return ok

    def duplicate_selected(self) -> bool:
        frag = self.copy_fragment()
        if not frag:
            self.refuse(self.tr("select the nodes to duplicate first"))
            return False
        return self.paste_fragment(frag, text=self.tr("Duplicate"))

    def auto_layout(self) -> bool:
        if not self.graph.nodes:
            return False
        positions = model.auto_layout(self.graph)
        return self.push(commands.move, positions)

    def group_selected(self, name=None) -> str | None:
        if self.push(modules.group, self.selected_node_ids(), name):
            nid = self.last_command.node_id
            self.select_nodes([nid])
            return nid
        return None

    def ungroup_selected(self) -> bool:
        ids = [n for n in self.selected_node_ids() if self.graph.nodes[n].type == model.MODULE_TYPE]
        if len(ids) != 1:
            self.refuse(self.tr("select one module node to ungroup"))
            return False
        if self.push(modules.ungroup, ids[0]):
            self.select_nodes(self.last_command.new_ids)
            return True
        return False

    def place_instance(self, shared: bool) -> str | None:
        ids = self.selected_node_ids()
        if len(ids) != 1:
            self.refuse(self.tr("select one node to place another instance of"))
            return None
        if self.push(modules.place_instance, ids[0], shared):
            nid = self.last_command.node_id
            self.select_nodes([nid])
            return nid
        return None

    # ----- grid snap ------------------------------------------------------------------
    def snap(self, pos: QPointF) -> QPointF:
        if not self.snap_enabled:
            return pos
        return QPointF(round(pos.x() / GRID) * GRID, round(pos.y() / GRID) * GRID)

    # ----- connecting by dragging ---------------------------------------------------
    def begin_link(self, port: PortItem, pos: QPointF):
        line = QGraphicsPathItem()
        th = themes.current()
        line.setPen(QPen(th.edge_hover, th.pen_width(2), Qt.DashLine))
        line.setZValue(5)
        self.addItem(line)
        self._link = (port, line)
        self.update_link(pos)

    def update_link(self, pos: QPointF):
        if self._link is None:
            return
        port, line = self._link
        a = port.scenePos()
        line.setPath(EdgeItem.curve(pos, a) if port.is_input else EdgeItem.curve(a, pos))

    def _cancel_link(self):
        if self._link is not None:
            port, line = self._link
            self._link = None
            if line.scene() is self:
                self.removeItem(line)

    def _port_at(self, pos: QPointF, exclude):
        for item in self.items(pos):
            if isinstance(item, PortItem) and item is not exclude:
                return item
        return None

    def _node_at(self, pos: QPointF):
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def end_link(self, pos: QPointF, screen_pos=None):
        if self._link is None:
            return
        start = self._link[0]
        self._cancel_link()
        target = self._port_at(pos, start)
        if target is None:
            node = self._node_at(pos)
            if node is None or node is start.node_item:
                return  # dropped on empty canvas: nothing to do
            target = self._free_port(node, want_input=not start.is_input)
            if target is None:
                text = (self.tr("'{node}' has no free inputs to connect") if not start.is_input
                        else self.tr("'{node}' has no free outputs to connect"))
                self.refuse(text.format(node=node.title), pos, screen_pos)
                return
        if target.is_input == start.is_input:
            text = (self.tr("cannot connect two inputs: drag from an output to an input") if start.is_input
                    else self.tr("cannot connect two outputs: drag from an output to an input"))
            self.refuse(text, pos, screen_pos)
            return
        out, inp = (target, start) if start.is_input else (start, target)
        self.connect_ports(out.node_id, out.name, inp.node_id, inp.name, pos, screen_pos)

    def _free_port(self, node: NodeItem, want_input: bool):
        if not want_input:
            return next(iter(node.outputs.values()), None)
        for name, port in node.inputs.items():
            if port.multi or not self.graph.edges_into(node.node_id, name):
                return port
        return None

    # ----- moving (one drag = one undo step) and dropping onto an edge ---------------
    def mousePressEvent(self, event):
        super().mousePressEvent(event)
        if event.button() == Qt.LeftButton and self._link is None:
            self._drag_token = next(self._drag_counter)

    def mouseMoveEvent(self, event):
        super().mouseMoveEvent(event)
        if self._drag_token is not None and event.buttons() & Qt.LeftButton:
            self._push_moves()

    def mouseReleaseEvent(self, event):
        super().mouseReleaseEvent(event)
        if self._drag_token is not None:
            moved = self._push_moves()
            self._drag_token = None
            if len(moved) == 1:
                self._maybe_insert_on_edge(moved[0])

    def _push_moves(self) -> list:
        if self.read_only:
            return []
        moved = {}
        for item in self.selectedItems():
            if isinstance(item, NodeItem) and item.node_id in self.graph.nodes:
                p = item.pos()
                if (p.x(), p.y()) != tuple(self.graph.nodes[item.node_id].pos):
                    moved[item.node_id] = (p.x(), p.y())
        if moved:
            self.undo_stack.push(commands.move(self.graph, moved, drag=self._drag_token, owner=self.owner))
        return list(moved)

    def _maybe_insert_on_edge(self, node_id: str):
        if self.graph.edges_of(node_id):
            return
        item = self.node_items[node_id]
        for other in item.collidingItems():
            if isinstance(other, EdgeItem):
                self.insert_on_edge(node_id, other.edge)
                return

    def insert_on_edge(self, node_id, edge) -> bool:
        return self.push(commands.insert_on_edge, node_id, edge)

    def edge_at(self, pos: QPointF):
        for item in self.items(QRectF(pos.x() - 6, pos.y() - 6, 12, 12)):
            if isinstance(item, EdgeItem):
                return item.edge
        return None

    # ----- background grid --------------------------------------------------------------
    def drawBackground(self, painter, rect):
        th = themes.current()
        painter.fillRect(rect, th.canvas)
        scale = painter.worldTransform().m11()
        if scale < 0.35:
            return  # too dense to be useful, and costly
        fine = scale > 0.7
        step = GRID * (1 if fine else 5)
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        lines_minor, lines_major = [], []
        x = left
        while x < rect.right():
            (lines_major if fine and round(x / (GRID * 5)) * GRID * 5 == x else lines_minor).append(
                (QPointF(x, rect.top()), QPointF(x, rect.bottom())))
            x += step
        y = top
        while y < rect.bottom():
            (lines_major if fine and round(y / (GRID * 5)) * GRID * 5 == y else lines_minor).append(
                (QPointF(rect.left(), y), QPointF(rect.right(), y)))
            y += step
        painter.setPen(QPen(th.grid, 0))
        painter.drawLines([QLineF(a, b) for a, b in lines_minor])
        painter.setPen(QPen(th.grid_major, 0))
        painter.drawLines([QLineF(a, b) for a, b in lines_major])

    def export_rect(self) -> QRectF:
        return self.itemsBoundingRect().adjusted(-30, -30, 30, 30)

