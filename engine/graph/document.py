"""The drawn graph as a plain-Python document (no Qt), with observer events.

The editor is a view over this document: undoable commands call the mutating methods
below, and the scene redraws from the events they emit. Nothing else holds a copy.

Weight sharing is a first-class field: nodes (plain layers or module instances) that
carry the same non-empty ``tie`` group and the same type share one set of parameters.
"""
from __future__ import annotations

import copy
import itertools
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Node:
    id: str
    type: str
    params: dict = field(default_factory=dict)
    pos: tuple = (0.0, 0.0)
    label: str | None = None
    #: weight-sharing group: same type + same tie => same parameters
    tie: str | None = None
    #: keys of the node's saved dict that this version does not know (kept so that a
    #: placeholder for an unknown node type, or a newer file's extra field, saves back unchanged)
    extra: dict = field(default_factory=dict)

    KEYS = ("id", "type", "params", "pos", "label", "tie")

    def to_dict(self) -> dict:
        d = {"id": self.id, "type": self.type, "params": copy.deepcopy(self.params),
             "pos": [float(self.pos[0]), float(self.pos[1])]}
        if self.label is not None:
            d["label"] = self.label
        if self.tie:
            d["tie"] = self.tie
        for k, v in self.extra.items():
            d.setdefault(k, copy.deepcopy(v))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Node":
        pos = d.get("pos", (0.0, 0.0))
        return cls(id=str(d["id"]), type=str(d["type"]), params=copy.deepcopy(d.get("params", {})),
                   pos=(float(pos[0]), float(pos[1])), label=d.get("label"), tie=d.get("tie"),
                   extra={k: copy.deepcopy(v) for k, v in d.items() if k not in cls.KEYS})


@dataclass(frozen=True)
class Edge:
    """A tensor flowing from ``src``'s output port to ``dst``'s input port."""

    src: str
    src_port: str
    dst: str
    dst_port: str

    def to_dict(self) -> dict:
        return {"src": self.src, "src_port": self.src_port, "dst": self.dst, "dst_port": self.dst_port}

    @classmethod
    def from_dict(cls, d: dict) -> "Edge":
        return cls(str(d["src"]), str(d["src_port"]), str(d["dst"]), str(d["dst_port"]))


@dataclass
class PortRef:
    """An exposed port of a module: ``name`` outside, (node, port) inside."""

    name: str
    node: str
    port: str

    def to_dict(self):
        return {"name": self.name, "node": self.node, "port": self.port}

    @classmethod
    def from_dict(cls, d):
        return cls(str(d["name"]), str(d["node"]), str(d["port"]))


@dataclass
class ModuleDef:
    """A named sub-graph; a node of type ``Module`` with params {"module": name} instantiates it."""

    name: str
    graph: "Graph"
    inputs: list = field(default_factory=list)   # [PortRef]
    outputs: list = field(default_factory=list)  # [PortRef]

    def to_dict(self) -> dict:
        return {"name": self.name, "graph": self.graph.graph_dict(),
                "inputs": [p.to_dict() for p in self.inputs],
                "outputs": [p.to_dict() for p in self.outputs]}

    @classmethod
    def from_dict(cls, d: dict) -> "ModuleDef":
        g = Graph()
        g.load_graph_dict(d.get("graph", {}))
        return cls(str(d["name"]), g, [PortRef.from_dict(p) for p in d.get("inputs", [])],
                   [PortRef.from_dict(p) for p in d.get("outputs", [])])


@dataclass
class GraphEvent:
    """What changed. ``kind`` is one of EVENT_KINDS."""

    kind: str
    node: str | None = None
    edge: Edge | None = None
    name: str | None = None
    value: Any = None
    old: Any = None


EVENT_KINDS = ("node_added", "node_removed", "edge_added", "edge_removed", "param_changed",
               "node_moved", "label_changed", "tie_changed", "module_changed",
               "settings_changed", "lesson_changed", "reset")
#: edits that change only how the graph looks (or the lesson around it), not what it
#: computes or trains
COSMETIC_EVENTS = ("node_moved", "label_changed", "lesson_changed")

log = logging.getLogger(__name__)


def log_observer_error(callback, event: GraphEvent, exc_info):
    """The default report of an observer that raised: a log entry with the traceback."""
    log.error("document observer %s failed on a %r event", getattr(callback, "__qualname__", callback),
              event.kind, exc_info=exc_info)


class Graph:
    """Nodes, edges, module definitions, training settings, view state and the lesson (if any)."""

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.modules: dict[str, ModuleDef] = {}
        #: dataset, loss, optimizer, schedule, seed, batch size, ... (see docs/file-format.md)
        self.settings: dict = {}
        #: editor view state (zoom, centre); not part of the network's meaning
        self.view: dict = {}
        #: the file's ``lesson`` section (a dict, see engine.lessons and docs/file-format.md),
        #: or None for a plain graph file. Saved beside ``graph``, not inside it.
        self.lesson: dict | None = None
        #: the folder of the file it was loaded from (None: not from a file); relative data
        #: file paths in the settings are read from there. Not saved.
        self.folder: str | None = None
        self._observers: list[Callable[[GraphEvent], None]] = []
        #: called as (callback, event, exc_info) when an observer raises; the UI sets its own
        #: (status bar + log). Every other observer still hears the event.
        self.on_observer_error: Callable = log_observer_error
        self._ids = itertools.count(1)

    # ----- observers ---------------------------------------------------
    def subscribe(self, callback: Callable[[GraphEvent], None]):
        self._observers.append(callback)
        return callback

    def unsubscribe(self, callback):
        if callback in self._observers:
            self._observers.remove(callback)

    def _emit(self, kind, **kw):
        # The document has already changed: one failing view must not keep the others
        # (the canvas among them) from hearing it, or screen and document part.
        if self._observers:
            ev = GraphEvent(kind, **kw)
            for cb in list(self._observers):
                try:
                    cb(ev)
                except Exception:  # noqa: BLE001 - reported below; the other observers still run
                    self._report_observer_error(cb, ev, sys.exc_info())

    def _report_observer_error(self, callback, event, exc_info):
        try:
            self.on_observer_error(callback, event, exc_info)
        except Exception:  # noqa: BLE001 - the reporter itself failed: the log still gets both
            log_observer_error(callback, event, exc_info)
            log.exception("the observer error report failed too")

    # ----- queries -------------------------------------------------------
    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def new_id(self, prefix: str = "n") -> str:
        prefix = "".join(c for c in prefix.lower() if c.isalnum()) or "n"
        while True:
            candidate = f"{prefix}{next(self._ids)}"
            if candidate not in self.nodes:
                return candidate

    def edges_into(self, node_id: str, port: str | None = None) -> list:
        return [e for e in self.edges if e.dst == node_id and (port is None or e.dst_port == port)]

    def edges_out_of(self, node_id: str, port: str | None = None) -> list:
        return [e for e in self.edges if e.src == node_id and (port is None or e.src_port == port)]

    def edges_of(self, node_id: str) -> list:
        return [e for e in self.edges if e.src == node_id or e.dst == node_id]

    def tied_groups(self) -> dict:
        """tie group -> node ids (only groups used by two or more nodes)."""
        groups: dict[str, list] = {}
        for n in self.nodes.values():
            if n.tie:
                groups.setdefault(n.tie, []).append(n.id)
        return {k: v for k, v in groups.items() if len(v) > 1}

    # ----- mutations (each emits one event) ------------------------------
    def add_node(self, type: str, params: dict | None = None, pos=(0.0, 0.0),  # noqa: A002
                 label: str | None = None, id: str | None = None, tie: str | None = None) -> Node:  # noqa: A002
        node_id = id or self.new_id(type)
        if node_id in self.nodes:
            raise ValueError(f"a node with id '{node_id}' already exists")
        node = Node(node_id, type, dict(params or {}), (float(pos[0]), float(pos[1])), label, tie)
        return self.insert_node(node)

    def insert_node(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"a node with id '{node.id}' already exists")
        self.nodes[node.id] = node
        self._emit("node_added", node=node.id)
        return node

    def remove_node(self, node_id: str) -> tuple:
        """Remove a node and its edges; returns (node, removed_edges) for undo."""
        removed = self.edges_of(node_id)
        for e in removed:
            self.remove_edge(e)
        node = self.nodes.pop(node_id)
        self._emit("node_removed", node=node_id, value=node)
        return node, removed

    def add_edge(self, edge: Edge) -> Edge:
        for nid in (edge.src, edge.dst):
            if nid not in self.nodes:
                raise KeyError(f"no node '{nid}'")
        if edge in self.edges:
            raise ValueError("these ports are already connected")
        self.edges.append(edge)
        self._emit("edge_added", edge=edge)
        return edge

    def connect(self, src: str, src_port: str, dst: str, dst_port: str) -> Edge:
        return self.add_edge(Edge(src, src_port, dst, dst_port))

    def remove_edge(self, edge: Edge) -> Edge:
        self.edges.remove(edge)
        self._emit("edge_removed", edge=edge)
        return edge

    def set_param(self, node_id: str, name: str, value):
        node = self.nodes[node_id]
        old = node.params.get(name)
        node.params[name] = value
        self._emit("param_changed", node=node_id, name=name, value=value, old=old)
        return old

    def move_node(self, node_id: str, pos):
        node = self.nodes[node_id]
        old = node.pos
        node.pos = (float(pos[0]), float(pos[1]))
        self._emit("node_moved", node=node_id, value=node.pos, old=old)
        return old

    def set_label(self, node_id: str, label):
        node = self.nodes[node_id]
        old, node.label = node.label, label
        self._emit("label_changed", node=node_id, value=label, old=old)
        return old

    def set_tie(self, node_id: str, tie):
        node = self.nodes[node_id]
        old, node.tie = node.tie, tie or None
        self._emit("tie_changed", node=node_id, value=node.tie, old=old)
        return old

    def set_module(self, name: str, module: ModuleDef | None):
        """Define, replace (module) or delete (None) a module definition."""
        old = self.modules.get(name)
        if module is None:
            self.modules.pop(name, None)
        else:
            self.modules[name] = module
        self._emit("module_changed", name=name, value=module, old=old)
        return old

    def set_setting(self, key: str, value):
        old = self.settings.get(key)
        self.settings[key] = value
        self._emit("settings_changed", name=key, value=value, old=old)
        return old

    def set_lesson(self, lesson: dict | None):
        """Replace the lesson section (None: no lesson); returns the old one for undo."""
        old, self.lesson = self.lesson, copy.deepcopy(lesson)
        self._emit("lesson_changed", value=self.lesson, old=old)
        return old

    # ----- plain-dict form (the file format wraps this; see engine.graph.fileformat)
    def graph_dict(self) -> dict:
        return {"nodes": [n.to_dict() for n in self.nodes.values()],
                "edges": [e.to_dict() for e in self.edges]}

    def load_graph_dict(self, d: dict):
        self.nodes = {}
        self.edges = []
        for nd in d.get("nodes", []):
            n = Node.from_dict(nd)
            self.nodes[n.id] = n
        self.edges = [Edge.from_dict(e) for e in d.get("edges", [])]

    def to_dict(self) -> dict:
        d = self.graph_dict()
        d["modules"] = [m.to_dict() for m in self.modules.values()]
        d["settings"] = copy.deepcopy(self.settings)
        d["view"] = copy.deepcopy(self.view)
        return d

    def replace_with(self, other: "Graph"):
        """Take another document's content in place (File > Open keeps observers)."""
        self.nodes, self.edges, self.modules = other.nodes, other.edges, other.modules
        self.settings, self.view = other.settings, other.view
        self.lesson = other.lesson
        self.folder = other.folder
        self._emit("reset")

    @classmethod
    def from_dict(cls, d: dict) -> "Graph":
        g = cls()
        g.load_graph_dict(d)
        g.modules = {m["name"]: ModuleDef.from_dict(m) for m in d.get("modules", [])}
        g.settings = copy.deepcopy(d.get("settings", {}))
        g.view = copy.deepcopy(d.get("view", {}))
        return g

    def copy(self) -> "Graph":
        g = Graph.from_dict(self.to_dict())
        g.lesson = copy.deepcopy(self.lesson)
        g.folder = self.folder
        return g

    def __eq__(self, other):
        return isinstance(other, Graph) and self.to_dict() == other.to_dict() \
            and self.lesson == other.lesson

    __hash__ = None
