"""The lesson actions that change a graph: ``set_param``, ``replace_node``, ``set_setting``.

    changed = apply_changes(graph, [{"do": "replace_node", "node": "act", "type": "ReLU"}],
                            where="lesson.goals[2].variant.changes")

``apply_changes`` works on a COPY (the lesson's document is never touched) and raises a
``ChangeError`` naming the lesson JSON path of a change that cannot apply (no such node,
parameter, node type or setting; a value of the wrong type). The app's page buttons apply
the same vocabulary as undoable commands; ``replaced_node`` is the one definition of what
replacing a node's type keeps, for both.
"""
from __future__ import annotations

import copy

from ..errors import UserError
from ..graph import registry
from ..graph import schema as _schema
from ..graph.document import Edge, Graph, Node
from ..i18n import _


class ChangeError(UserError, ValueError):
    """A lesson change that cannot apply; the message names its JSON path in the file."""


def apply_changes(graph: Graph, changes, where: str = "lesson") -> Graph:
    """A copy of ``graph`` with each change applied in order (``where[i]`` names change i)."""
    changed = graph.copy()
    for i, change in enumerate(changes or ()):
        apply_change(changed, change, f"{where}[{i}]")
    return changed


def apply_change(graph: Graph, change: dict, where: str = "lesson"):
    """Apply one change to ``graph`` IN PLACE (callers pass a copy)."""
    do = change.get("do") if isinstance(change, dict) else None
    if do == "set_param":
        node = _node(graph, change.get("node"), where)
        name = change.get("param")
        spec = _param_spec(node, name, where)
        value = change.get("value")
        if spec is not None:
            problem = _value_problem(node.type, name, value)
            if problem:
                raise ChangeError(_("{where}: node '{node}' parameter '{param}' {problem}").format(
                    where=where, node=node.id, param=name, problem=problem))
        graph.set_param(node.id, name, copy.deepcopy(value))
    elif do == "replace_node":
        node = _node(graph, change.get("node"), where)
        new_type = change.get("type")
        if registry.get(new_type) is None:
            raise ChangeError(_("{where}: there is no node type '{type}'").format(
                where=where, type=new_type))
        new, kept = replaced_node(graph, node.id, new_type)
        graph.remove_node(node.id)
        graph.insert_node(new)
        for edge in kept:
            graph.add_edge(edge)
    elif do == "set_setting":
        key = change.get("key")
        if not isinstance(key, str) or key.split(".")[0] not in _schema.SETTINGS:
            raise ChangeError(_("{where}: there is no setting '{key}'").format(where=where, key=key))
        set_setting_path(graph, key, change.get("value"))
        head = key.split(".")[0]
        problem = _setting_problem(head, graph.settings[head])
        if problem:
            raise ChangeError(_("{where}: {problem}").format(where=where, problem=problem))
    else:
        raise ChangeError(_("{where}: '{do}' cannot change a graph (use set_param, replace_node "
                            "or set_setting)").format(where=where, do=do))


def set_setting_path(graph: Graph, key: str, value):
    """Set ``settings[key]`` where ``key`` may be dotted; one document event."""
    graph.set_setting(*dotted_setting(graph.settings, key, value))


def dotted_setting(settings: dict, key: str, value):
    """(top-level key, its new value) for setting ``key`` to ``value``: "optimizer.lr" gives
    ("optimizer", a copy of the optimizer object with its ``lr`` set, made when missing). An
    undoable settings command sets that one top-level key."""
    head, _dot, rest = key.partition(".")
    if not rest:
        return head, copy.deepcopy(value)
    top = copy.deepcopy((settings or {}).get(head))
    top = top if isinstance(top, dict) else {}
    inner = top
    parts = rest.split(".")
    for part in parts[:-1]:
        if not isinstance(inner.get(part), dict):
            inner[part] = {}
        inner = inner[part]
    inner[parts[-1]] = copy.deepcopy(value)
    return head, top


def replaced_node(graph: Graph, node_id: str, new_type: str):
    """(the new Node, the edges of the old one that it keeps) for replacing ``node_id``'s
    type by ``new_type``: same id, position, label and tie; the parameters the new type
    also declares; the edges whose ports the new type also has."""
    old = graph.nodes[node_id]
    nt = registry.get(new_type)
    names = {spec.name for spec in nt.params} if nt is not None else set()
    params = {k: copy.deepcopy(v) for k, v in old.params.items() if k in names}
    new = Node(old.id, new_type, params, old.pos, old.label, old.tie)
    ins, outs = registry.node_ports(new, graph)
    in_names, out_names = {p.name for p in ins}, {p.name for p in outs}
    kept = [Edge(e.src, e.src_port, e.dst, e.dst_port) for e in graph.edges_of(node_id)
            if (e.dst != node_id or e.dst_port in in_names) and (e.src != node_id or e.src_port in out_names)]
    return new, kept


def _node(graph, node_id, where) -> Node:
    if node_id not in graph.nodes:
        raise ChangeError(_("{where}: there is no node '{node}' in the graph").format(
            where=where, node=node_id))
    return graph.nodes[node_id]


def _param_spec(node, name, where):
    nt = registry.get(node.type)
    if nt is None or node.type == "Module":
        return None   # an unknown type or a module instance: the validator speaks for them
    for spec in nt.params:
        if spec.name == name:
            return spec
    raise ChangeError(_("{where}: node '{node}' ({type}) has no parameter '{param}'").format(
        where=where, node=node.id, type=node.type, param=name))


def _setting_problem(key, value):
    """What training would refuse in ``settings[key] = value`` (the setting on its own, so
    that a change is not blamed for the rest of the file's settings), or None."""
    from ..graph.validate import settings_problems  # noqa: PLC0415 - validate imports the registry

    found = settings_problems({key: value})
    return found[0].message if found else None


def _value_problem(type_name, name, value):
    validator = _schema._params_validator(type_name)
    if validator is None:
        return None
    found = _schema._errors(validator, {name: value})
    return found[0][1] if found else None
