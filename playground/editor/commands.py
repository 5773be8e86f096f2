"""Undoable edits. Every command changes only the document (a ``Graph``); the scene
follows the document's events. A command is a list of primitive ops, each with its
inverse, applied in order on redo and backwards on undo.

Builders (``add_node``, ``delete_nodes``, ``connect``, ...) return a command ready to
push onto the QUndoStack; they raise ValueError with a one-line reason when the edit
is not allowed, so the UI can show it.
"""
from __future__ import annotations

import copy
import itertools

from PySide6.QtGui import QUndoCommand

from engine.graph import Edge, Node
from engine.graph import registry
from engine.i18n import _

from . import model

_MISSING = object()


# ----- primitive ops ---------------------------------------------------------
class Op:
    def do(self):
        raise NotImplementedError

    def undo(self):
        raise NotImplementedError


class AddNodeOp(Op):
    def __init__(self, graph, node: Node):
        self.graph, self.node = graph, node

    def do(self):
        self.graph.insert_node(self.node)

    def undo(self):
        self.graph.remove_node(self.node.id)


class RemoveNodeOp(Op):
    """Remove a node whose edges were already removed by earlier ops."""

    def __init__(self, graph, node_id: str):
        self.graph, self.node_id = graph, node_id
        self.node, self.index = None, 0

    def do(self):
        self.index = list(self.graph.nodes).index(self.node_id)
        self.node, _ = self.graph.remove_node(self.node_id)

    def undo(self):
        self.graph.insert_node(self.node)
        # Keep the file's node order stable across delete + undo (order is not meaning).
        items = list(self.graph.nodes.items())
        items.insert(self.index, items.pop())
        self.graph.nodes.clear()
        self.graph.nodes.update(items)


class AddEdgeOp(Op):
    def __init__(self, graph, edge: Edge, index: int | None = None):
        self.graph, self.edge, self.index = graph, edge, index

    def do(self):
        self.graph.add_edge(self.edge)
        if self.index is not None and self.index < len(self.graph.edges) - 1:
            # Edge order is meaning for multi ports (Concat, Add): put it back where it was.
            self.graph.edges.remove(self.edge)
            self.graph.edges.insert(self.index, self.edge)

    def undo(self):
        self.graph.remove_edge(self.edge)


class RemoveEdgeOp(Op):
    def __init__(self, graph, edge: Edge):
        self.graph, self.edge, self.index = graph, edge, None

    def do(self):
        self.index = self.graph.edges.index(self.edge)
        self.graph.remove_edge(self.edge)

    def undo(self):
        AddEdgeOp(self.graph, self.edge, self.index).do()


class SetParamOp(Op):
    def __init__(self, graph, node_id, name, value):
        self.graph, self.node_id, self.name, self.value = graph, node_id, name, value
        self.old = _MISSING

    def do(self):
        self.old = self.graph.nodes[self.node_id].params.get(self.name, _MISSING)
        self.graph.set_param(self.node_id, self.name, copy.deepcopy(self.value))

    def undo(self):
        if self.old is _MISSING:
            self.graph.nodes[self.node_id].params.pop(self.name, None)
            self.graph._emit("param_changed", node=self.node_id, name=self.name, value=None,
                             old=self.value)
        else:
            self.graph.set_param(self.node_id, self.name, self.old)


class MoveOp(Op):
    def __init__(self, graph, node_id, pos, old=None):
        self.graph, self.node_id, self.pos = graph, node_id, (float(pos[0]), float(pos[1]))
        self.old = old

    def do(self):
        old = self.graph.move_node(self.node_id, self.pos)
        if self.old is None:
            self.old = old

    def undo(self):
        self.graph.move_node(self.node_id, self.old)


class _SetAttrOp(Op):
    setter = ""

    def __init__(self, graph, key, value):
        self.graph, self.key, self.value, self.old = graph, key, value, None

    def do(self):
        self.old = getattr(self.graph, self.setter)(self.key, self.value)

    def undo(self):
        getattr(self.graph, self.setter)(self.key, self.old)


class SetTieOp(_SetAttrOp):
    setter = "set_tie"


class SetLabelOp(_SetAttrOp):
    setter = "set_label"


class SetModuleOp(_SetAttrOp):
    setter = "set_module"


class ReplaceNodeOp(Op):
    """Put ``node`` in the place (and file order) of the node with its id; the edges were
    already removed by earlier ops."""

    def __init__(self, graph, node: Node):
        self.graph, self.node, self.old = graph, node, None

    def _swap(self, node):
        index = list(self.graph.nodes).index(node.id)
        old, _edges = self.graph.remove_node(node.id)
        self.graph.insert_node(node)
        items = list(self.graph.nodes.items())
        items.insert(index, items.pop())
        self.graph.nodes.clear()
        self.graph.nodes.update(items)
        return old

    def do(self):
        self.old = self._swap(self.node)

    def undo(self):
        self._swap(self.old)


class SetSettingOp(Op):
    def __init__(self, graph, key, value):
        self.graph, self.key, self.value, self.old = graph, key, value, _MISSING

    def do(self):
        old = self.graph.settings.get(self.key, _MISSING)
        # the sentinel itself, not a copy: a deep copy of it is another object, and undo
        # then wrote that object into the settings instead of removing the key
        self.old = old if old is _MISSING else copy.deepcopy(old)
        self.graph.set_setting(self.key, copy.deepcopy(self.value))

    def undo(self):
        if self.old is _MISSING:
            self.graph.settings.pop(self.key, None)
            self.graph._emit("settings_changed", name=self.key, value=None, old=self.value)
        else:
            self.graph.set_setting(self.key, copy.deepcopy(self.old))


# ----- the command ------------------------------------------------------------
class EditCommand(QUndoCommand):
    """Ops applied to ``graph``. When ``graph`` is the inside of a module, the root
    document also announces ``module_changed`` so its listeners (compile, dirty marker)
    know the network changed."""

    def __init__(self, text: str, ops: list, graph, owner=None):
        super().__init__(text)
        self.ops, self.graph = list(ops), graph
        #: (root document, module name) when editing inside a module
        self.owner = owner

    def redo(self):
        for op in self.ops:
            op.do()
        self._touch_owner()

    def undo(self):
        for op in reversed(self.ops):
            op.undo()
        self._touch_owner()

    def _touch_owner(self):
        if self.owner:
            root, name = self.owner
            if name in root.modules:
                root.set_module(name, root.modules[name])


MOVE_ID, PARAM_ID = 1001, 1002


class MoveCommand(EditCommand):
    """Moving nodes. Commands with the same ``drag`` token (one mouse drag) merge."""

    def __init__(self, graph, positions: dict, drag=None, owner=None):
        ops = [MoveOp(graph, nid, pos) for nid, pos in positions.items()]
        n = len(positions)
        super().__init__((_("Move {n} node") if n == 1 else _("Move {n} nodes")).format(n=n), ops, graph, owner)
        self.drag = drag

    def id(self):
        return MOVE_ID

    def mergeWith(self, other):
        if not isinstance(other, MoveCommand) or other.graph is not self.graph:
            return False
        if self.drag is None or other.drag != self.drag:
            return False
        mine = {op.node_id: op for op in self.ops}
        for op in other.ops:
            if op.node_id in mine:
                mine[op.node_id].pos = op.pos
            else:
                self.ops.append(op)
        return True


class SetParamCommand(EditCommand):
    """A parameter edit; consecutive edits of the same field (typing in a spin box) merge."""

    def __init__(self, graph, node_id, name, value, owner=None):
        super().__init__(_("Set {name}").format(name=name), [SetParamOp(graph, node_id, name, value)], graph, owner)
        self.key = (node_id, name)

    def id(self):
        return PARAM_ID

    def mergeWith(self, other):
        if not isinstance(other, SetParamCommand) or other.graph is not self.graph or other.key != self.key:
            return False
        self.ops[0].value = other.ops[0].value
        return True


# ----- builders ------------------------------------------------------------
def new_node(graph, type_name: str, pos=(0.0, 0.0), params=None, taken=()) -> Node:
    """A node of a registered type with its registry defaults (not yet in the graph)."""
    if type_name == model.MODULE_TYPE:
        base = {}
    else:
        t = registry.get(type_name)
        if t is None:
            raise ValueError(_("unknown node type '{type}'").format(type=type_name))
        base = t.defaults()
    base.update(params or {})
    node_id = graph.new_id(type_name)
    while node_id in taken:
        node_id = graph.new_id(type_name)
    return Node(node_id, type_name, base, (float(pos[0]), float(pos[1])))


def add_node(graph, type_name, pos=(0.0, 0.0), params=None, owner=None) -> EditCommand:
    node = new_node(graph, type_name, pos, params)
    cmd = EditCommand(_("Add {type}").format(type=type_name), [AddNodeOp(graph, node)], graph, owner)
    cmd.node_id = node.id
    return cmd


def delete_ops(graph, node_ids=(), edges=()) -> list:
    node_ids = [n for n in node_ids if n in graph.nodes]
    gone = set(node_ids)
    doomed = [e for e in graph.edges if e in set(edges) or e.src in gone or e.dst in gone]
    # Remove edges from the back so recorded indices stay valid on undo.
    doomed.sort(key=graph.edges.index, reverse=True)
    return [RemoveEdgeOp(graph, e) for e in doomed] + [RemoveNodeOp(graph, n) for n in node_ids]


def delete(graph, node_ids=(), edges=(), owner=None) -> EditCommand:
    ops = delete_ops(graph, node_ids, edges)
    if not ops:
        raise ValueError(_("nothing selected to delete"))
    return EditCommand(_("Delete"), ops, graph, owner)


def connect(graph, src, src_port, dst, dst_port, owner=None) -> EditCommand:
    problem = model.link_problem(graph, src, src_port, dst, dst_port)
    if problem:
        raise ValueError(problem)
    return EditCommand(_("Connect"), [AddEdgeOp(graph, Edge(src, src_port, dst, dst_port))], graph, owner)


def set_param(graph, node_id, name, value, owner=None) -> SetParamCommand:
    node = graph.nodes[node_id]
    t = model.node_type(node)
    if t is not None and node.type != model.MODULE_TYPE:
        try:
            problem = t.param(name).check(value)
        except KeyError:
            problem = _("has no parameter '{name}'").format(name=name)
        if problem:
            raise ValueError(f"{model.display_name(node)}.{name}: {problem}")
    return SetParamCommand(graph, node_id, name, value, owner)


def replace_node_type(graph, node_id, type_name, owner=None) -> EditCommand:
    """Change a node's type in place: what the new node keeps (id, position, label, the
    parameters and links the new type also has) is ``engine.lessons.changes.replaced_node``'s
    rule, the one a lesson's variant run applies too."""
    from engine.lessons.changes import replaced_node

    if registry.get(type_name) is None:
        raise ValueError(_("unknown node type '{type}'").format(type=type_name))
    node = graph.nodes[node_id]
    new, kept = replaced_node(graph, node_id, type_name)
    order = {e: i for i, e in enumerate(graph.edges)}
    ops = delete_ops(graph, edges=graph.edges_of(node_id))
    ops.append(ReplaceNodeOp(graph, new))
    ops += [AddEdgeOp(graph, e, order.get(e)) for e in sorted(kept, key=lambda e: order.get(e, 0))]
    return EditCommand(_("Change {node} to {type}").format(node=model.display_name(node), type=type_name), ops, graph, owner)


def set_label(graph, node_id, label, owner=None) -> EditCommand:
    return EditCommand(_("Rename"), [SetLabelOp(graph, node_id, label or None)], graph, owner)


def set_tie(graph, node_id, tie, owner=None) -> EditCommand:
    return EditCommand(_("Share weights"), [SetTieOp(graph, node_id, tie or None)], graph, owner)


def set_setting(graph, key, value) -> EditCommand:
    return EditCommand(_("Set {name}").format(name=key), [SetSettingOp(graph, key, value)], graph)


def add_data_points(graph, rows) -> EditCommand:
    """Samples a user placed (clicked on the decision-boundary plot) join the data: ``rows``
    of ``[x1, ..., xd, label]`` go to ``settings.dataset.points`` (see
    engine.data.Dataset.with_points), so they stay through edits, saves and reopening."""
    ds = _dataset_settings(graph)
    ds["points"] = list(ds.get("points") or []) + [list(r) for r in rows]
    return EditCommand(_("Add a data point"), [SetSettingOp(graph, "dataset", ds)], graph)


def new_data_seed(graph) -> EditCommand:
    """A fresh sample of the same dataset: ``settings.dataset.seed`` one higher."""
    from engine.data import DATASETS  # noqa: PLC0415

    ds = _dataset_settings(graph)
    spec = DATASETS.get(ds.get("name"))
    if spec is None or "seed" not in spec.defaults():
        raise ValueError(_("dataset '{name}' has no seed: its samples are always the same").format(
            name=ds.get("name")))
    ds["seed"] = int(ds.get("seed") or 0) + 1
    return EditCommand(_("New data (seed {seed})").format(seed=ds["seed"]),
                       [SetSettingOp(graph, "dataset", ds)], graph)


def _dataset_settings(graph) -> dict:
    ds = graph.settings.get("dataset")
    if not isinstance(ds, dict) or not ds.get("name"):
        raise ValueError(_("no dataset chosen: choose one in the training settings"))
    return copy.deepcopy(ds)


def move(graph, positions: dict, drag=None, owner=None) -> MoveCommand:
    return MoveCommand(graph, positions, drag, owner)


def insert_on_edge(graph, node_id, edge: Edge, owner=None) -> EditCommand:
    """Put a node (already in the graph, unconnected) into the middle of an edge."""
    node = graph.nodes[node_id]
    ins, outs = model.ports_of(graph, node)
    if not ins or not outs:
        raise ValueError(f"'{model.display_name(node)}' needs an input and an output to go on a link")
    ops = [RemoveEdgeOp(graph, edge),
           AddEdgeOp(graph, Edge(edge.src, edge.src_port, node_id, ins[0].name)),
           AddEdgeOp(graph, Edge(node_id, outs[0].name, edge.dst, edge.dst_port))]
    return EditCommand(_("Insert {type}").format(type=node.type), ops, graph, owner)


def fragment(graph, node_ids) -> dict:
    """Selected nodes, the edges among them and the module definitions they use, as a
    plain dict (the clipboard format)."""
    chosen = [n for n in graph.nodes if n in set(node_ids)]
    inner = set(chosen)
    modules = {}
    for nid in chosen:
        mdef = model.module_def(graph, graph.nodes[nid])
        if mdef is not None:
            modules[mdef.name] = mdef.to_dict()
    return {"format": "nnpg-fragment", "nodes": [graph.nodes[n].to_dict() for n in chosen],
            "edges": [e.to_dict() for e in graph.edges if e.src in inner and e.dst in inner],
            "modules": list(modules.values())}


def paste(graph, frag: dict, offset=(30.0, 30.0), owner=None, text="Paste") -> EditCommand:
    """Add a fragment's nodes (fresh ids, shifted by ``offset``) and inner edges."""
    from engine.graph import ModuleDef

    if not frag.get("nodes"):
        raise ValueError(_("the clipboard holds no nodes"))
    ops, mapping = [], {}
    for m in frag.get("modules", []):
        if m["name"] not in graph.modules:  # a module pasted into another file comes along
            ops.append(SetModuleOp(graph, m["name"], ModuleDef.from_dict(m)))
    taken = set(graph.nodes)
    for nd in frag["nodes"]:
        node = Node.from_dict(nd)
        new_id = graph.new_id(node.type)
        while new_id in taken:
            new_id = graph.new_id(node.type)
        taken.add(new_id)
        mapping[node.id] = new_id
        node.id = new_id
        node.pos = (node.pos[0] + offset[0], node.pos[1] + offset[1])
        ops.append(AddNodeOp(graph, node))
    for ed in frag.get("edges", []):
        e = Edge.from_dict(ed)
        if e.src in mapping and e.dst in mapping:
            ops.append(AddEdgeOp(graph, Edge(mapping[e.src], e.src_port, mapping[e.dst], e.dst_port)))
    cmd = EditCommand(text, ops, graph, owner)
    cmd.new_ids = list(mapping.values())
    return cmd


def unique_name(existing, base: str) -> str:
    if base not in existing:
        return base
    for i in itertools.count(2):
        if f"{base}{i}" not in existing:
            return f"{base}{i}"
