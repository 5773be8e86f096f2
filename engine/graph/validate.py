"""Checks a Graph before it is compiled, and infers the shape of every tensor.

``validate(graph, dataset_shapes=None) -> [Problem]`` finds: unknown node types (kept
as placeholders), settings out of range, edges to unknown nodes or ports, required
inputs left unconnected, several edges into a single-input port, cycles, shape
mismatches (propagated from the dataset's shapes through every node's shape rule),
tie-group conflicts, unknown module definitions, and (as a warning) a graph with no
cost node. Every Problem names the node (label or id, and type) and port in words a
student understands.

``infer_shapes(graph, dataset_shapes=None) -> {(node_id, port): shape}`` gives the
shape of every output port it could work out (``None`` entries = unknown sizes).
"""
from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass

import networkx as nx

from ..i18n import _
from . import registry
from .registry import COST, ShapeError
from .scheme import scheme_problems
from .nodes._common import fmt

ERROR, WARNING = "error", "warning"

#: Problem kinds, one per kind of mistake.
KINDS = ("unknown_type", "bad_param", "unknown_node", "unknown_port", "missing_input",
         "too_many_inputs", "cycle", "shape", "tie", "module", "no_cost", "settings", "resources", "run")


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    node: str | None = None
    port: str | None = None
    severity: str = ERROR
    #: the module definition whose inside holds ``node`` (None: the document's own graph)
    module: str | None = None

    def __str__(self):
        return self.message


def describe(node) -> str:
    """"Linear 'hidden1'": the type and the name the student sees (label, else id)."""
    name = " ".join(str(node.label).split()) if node.label else node.id  # one line, always
    return f"{node.type} '{name}'"


def errors(problems) -> list:
    return [p for p in problems if p.severity == ERROR]


# ----------------------------------------------------------------- structure
def _structure(graph, problems, exposed=(), scope=None):
    """Node types, params, edges and ports. ``exposed``: (node, port) pairs fed from
    outside (a module's exposed inputs). Returns the ids of nodes with a known type."""
    scope = scope or graph  # the document whose module definitions instances refer to
    known = set()
    for node in graph.nodes.values():
        nt = registry.get(node.type)
        if nt is None:
            problems.append(Problem("unknown_type", _(
                "{node}: unknown node type '{type}'. It is kept as a placeholder (saved back unchanged) "
                "but cannot run.").format(node=describe(node), type=node.type), node.id))
            continue
        known.add(node.id)
        bad = list(_param_problems(node, nt))
        problems.extend(bad)
        if node.type == "Module":
            name = node.params.get("module")
            if bad:   # not a name at all: reported above
                known.discard(node.id)
            elif name not in scope.modules:
                problems.append(Problem("module", _("{node}: there is no module named {name} in this file.")
                                        .format(node=describe(node), name=repr(name)), node.id))
                known.discard(node.id)  # its ports are unknown: one problem is enough
    ports = {nid: registry.node_ports(graph.nodes[nid], scope) for nid in known}
    for e in graph.edges:
        ends_known = True
        for nid in (e.src, e.dst):
            if nid not in graph.nodes:
                problems.append(Problem("unknown_node", _(
                    "A connection refers to node '{node}', which is not in the graph ({link}).").format(
                    node=nid, link=f"{e.src}.{e.src_port} -> {e.dst}.{e.dst_port}"), nid))
                ends_known = False
        if not ends_known:
            continue
        if e.src in known and e.src_port not in {p.name for p in ports[e.src][1]}:
            src = graph.nodes[e.src]
            problems.append(Problem("unknown_port", _("{node} has no output '{port}' (its outputs: {ports}).")
                                    .format(node=describe(src), port=e.src_port, ports=_names(ports[e.src][1])),
                                    e.src, e.src_port))
        if e.dst in known and e.dst_port not in {p.name for p in ports[e.dst][0]}:
            dst = graph.nodes[e.dst]
            problems.append(Problem("unknown_port", _("{node} has no input '{port}' (its inputs: {ports}).")
                                    .format(node=describe(dst), port=e.dst_port, ports=_names(ports[e.dst][0])),
                                    e.dst, e.dst_port))
    for nid in known:
        node = graph.nodes[nid]
        for port in ports[nid][0]:
            count = len(graph.edges_into(nid, port.name)) + ((nid, port.name) in exposed)
            if count == 0 and not port.optional:
                text = _("{node} input '{port}' is not connected").format(node=describe(node), port=port.name)
                problems.append(Problem("missing_input", text + (": " + _(port.help) if port.help else "") + ".",
                                        nid, port.name))
            elif count > 1 and not port.multi:
                problems.append(Problem("too_many_inputs", _(
                    "{node} input '{port}' takes one connection but has {n}; combine them first (e.g. with Add "
                    "or Concat).").format(node=describe(node), port=port.name, n=count), nid, port.name))
    return known


def _param_problems(node, nt):
    for name, why in nt.check_params(node.params):
        value = node.params.get(name)
        yield Problem("bad_param", _("{node} setting '{name}' {problem} (it is {value}).").format(
            node=describe(node), name=name, problem=why, value=repr(value)), node.id)


def declaration_problems(graph) -> list:
    """The node parameters (the document's and its modules') and training settings that
    break their declarations: what must hold before shapes are worked out or anything is
    built, or NumPy would find it first."""
    def params(g):
        return [p for node in g.nodes.values() if (nt := registry.get(node.type)) is not None
                for p in _param_problems(node, nt)]

    problems = params(graph)
    for name, mdef in graph.modules.items():
        problems += _inside(name, params(mdef.graph))
    problems += settings_problems(graph.settings)
    if not errors(problems):
        problems += _scheme(graph)
    return problems


def _scheme(graph) -> list:
    """settings.scheme's players against the graph: node ids, costs, optimizers
    (engine.graph.scheme), each named by its JSON path."""
    return [_settings_problem(graph.settings, f"graph.settings.{path}", why) for path, why in scheme_problems(graph)]


def _inside(name, problems) -> list:
    """Problems found in module ``name``'s own graph, as the document reports them."""
    return [Problem(p.kind, _("Inside module '{name}': {problem}").format(name=name, problem=p.message),
                    p.node, p.port, p.severity, module=name) for p in problems]


def _names(ports):
    return ", ".join(p.name for p in ports) or _("none")


def _digraph(graph):
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((e.src, e.dst) for e in graph.edges if e.src in graph.nodes and e.dst in graph.nodes)
    return g


def _cycles(graph, problems):
    g = _digraph(graph)
    for component in nx.strongly_connected_components(g):
        if len(component) == 1:
            nid = next(iter(component))
            if not g.has_edge(nid, nid):
                continue
        cycle = nx.find_cycle(g.subgraph(component))
        names = [describe(graph.nodes[a]) for a, _ in cycle]
        names.append(names[0])
        first = cycle[0][0]
        problems.append(Problem("cycle", _(
            "These nodes form a loop, so none of them can be computed first: {loop}. Remove one connection "
            "(recurrence needs an RNN, LSTM or GRU node).").format(loop=" -> ".join(names)), first))
    return g


# ----------------------------------------------------------------- shapes
def infer_shapes(graph, dataset_shapes=None) -> dict:
    """{(node_id, output port): shape} for every output whose shape can be worked out
    (the Target's as the loss sees it: see presented_shapes)."""
    return _infer(graph, presented_shapes(graph, dataset_shapes)[0], [], {}, (), graph)


def _fits(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _declared_shape(node, what, dataset_shapes, problems):
    """The Input/Target shape: the dataset's, checked against the node's own 'shape'."""
    own = node.params.get("shape") or []
    data = (dataset_shapes or {}).get("x" if node.type == "Input" else "y")
    if data is not None:
        data = tuple(data)
        if own and tuple(own) != tuple(data[1:]):
            text = (_("{node}: its 'shape' setting says {own} but the dataset's inputs are {data}.")
                    if what == "inputs" else
                    _("{node}: its 'shape' setting says {own} but the dataset's targets are {data}."))
            problems.append(Problem("shape", text.format(node=describe(node), own=fmt((None, *own)), data=fmt(data)),
                                    node.id, "out"))
        return data
    return (None, *own) if own else None


def _infer(graph, dataset_shapes, problems, seeds, stack, scope):
    """Shapes in topological order. ``seeds``: {(node, input port): shape} fed from outside a
    module; ``stack``: the module names being expanded (to refuse a module inside itself)."""
    shapes = {}
    g = _digraph(graph)
    if not nx.is_directed_acyclic_graph(g):
        cyclic = set().union(*(c for c in nx.strongly_connected_components(g)
                               if len(c) > 1 or any(g.has_edge(n, n) for n in c)))
        g = g.subgraph(n for n in g if n not in cyclic)
    for nid in nx.lexicographical_topological_sort(g):
        node = graph.nodes[nid]
        nt = registry.get(node.type)
        if nt is None:
            continue
        if (nid, "out") in seeds and node.type == "Input":  # a module's input, drawn as an Input node
            seed = shapes[(nid, "out")] = seeds[(nid, "out")]
            own = node.params.get("shape") or []
            if own and seed is not None and not _fits((None, *own), seed):
                problems.append(Problem("shape", _("{node}: its 'shape' setting says {own} but it receives {seed}.")
                                        .format(node=describe(node), own=fmt((None, *own)), seed=fmt(seed)),
                                        nid, "out"))
            continue
        if nt.check_params(node.params):
            continue  # bad settings are reported already; a rule on them would only add noise
        if node.type in ("Input", "Target"):
            shapes[(nid, "out")] = _declared_shape(node, "inputs" if node.type == "Input" else "targets",
                                                   dataset_shapes, problems)
            continue
        in_ports, out_ports = registry.node_ports(node, scope)
        in_shapes, sources, complete = {}, {}, True
        for port in in_ports:
            edges = graph.edges_into(nid, port.name)
            if port.multi:
                got = [shapes.get((e.src, e.src_port)) for e in edges]
                in_shapes[port.name] = got
                complete &= None not in got
            elif (nid, port.name) in seeds:
                in_shapes[port.name] = seeds[(nid, port.name)]
                complete &= in_shapes[port.name] is not None
            elif edges:
                in_shapes[port.name] = shapes.get((edges[0].src, edges[0].src_port))
                sources[port.name] = edges[0].src
                complete &= in_shapes[port.name] is not None
            elif not port.optional:
                complete = False
        if not complete:
            continue
        try:
            if node.type == "Module":
                out = _module_shapes(scope, node, in_shapes, problems, stack)
            elif nt.shape_rule is None:
                continue
            else:
                out = nt.shape_rule(nt.resolve(node.params), in_shapes)
        except ShapeError as e:
            problems.append(_shape_problem(graph, node, in_ports, in_shapes, sources, e))
            continue
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as e:
            problems.append(Problem("shape", _("{node}: cannot work out its output shape ({reason}).").format(
                node=describe(node), reason=e), nid))
            continue
        for port, shape in out.items():
            shapes[(nid, port)] = None if shape is None else tuple(shape)
    return shapes


def _shape_problem(graph, node, in_ports, in_shapes, sources, err):
    port = err.port
    connected = [p.name for p in in_ports if p.name in in_shapes]
    if port is None and len(connected) == 1:
        port = connected[0]
    text = str(err).rstrip(".")
    if port is not None:
        where = _("{node} input '{port}'").format(node=describe(node), port=port)
        src = sources.get(port)
        if src is not None:
            text += " " + _("(from {node})").format(node=describe(graph.nodes[src]))
    else:
        where = describe(node)
    return Problem("shape", f"{where}: {text}.", node.id, port)


def _module_shapes(graph, node, in_shapes, problems, stack):
    name = node.params.get("module")
    mdef = graph.modules.get(name)
    if mdef is None:
        return {}
    if name in stack:
        raise ShapeError(_("module '{name}' contains an instance of itself").format(name=name))
    seeds = {(ref.node, ref.port): in_shapes.get(ref.name) for ref in mdef.inputs}
    inner_problems = []
    inner = _infer(mdef.graph, None, inner_problems, seeds, stack + (name,), graph)
    for p in inner_problems:
        problems.append(Problem(p.kind, _("Inside module '{name}' (used by {node}): {problem}").format(
            name=name, node=describe(node), problem=p.message), node.id, None, p.severity))
    return {ref.name: inner.get((ref.node, ref.port)) for ref in mdef.outputs}


# ----------------------------------------------------------------- weight sharing
def _ties(graph, problems):
    for group, ids in graph.tied_groups().items():
        nodes = [graph.nodes[i] for i in ids]
        types = sorted({n.type for n in nodes})
        if len(types) > 1:
            problems.append(Problem("tie", _("Tie group '{group}' mixes node types ({types}): only nodes of one "
                                             "type can share weights.").format(group=group, types=", ".join(types)),
                                    ids[0]))
            continue
        nt = registry.get(types[0])
        if nt is None:
            continue
        if not nt.learnable:
            problems.append(Problem("tie", _("Tie group '{group}': {type} has no weights to share.").format(
                group=group, type=types[0]), ids[0], severity=WARNING))
            continue
        if types[0] == "Module":
            names = sorted({str(n.params.get("module")) for n in nodes})
            if len(names) > 1:
                problems.append(Problem("tie", _("Tie group '{group}' mixes different modules ({names}): only "
                                                 "instances of one module can share weights.").format(
                    group=group, names=", ".join(names)), ids[0]))
            continue
        first = nodes[0]
        ref = _shape_settings(nt, first)
        for n in nodes[1:]:
            got = _shape_settings(nt, n)
            diff = [k for k in ref if got.get(k) != ref[k]]
            if diff:
                k = diff[0]
                problems.append(Problem("tie", _(
                    "Tie group '{group}': {node} and {other} share weights, so their weights must have the same "
                    "shapes, but their '{setting}' settings differ ({value} vs {other_value}).").format(
                    group=group, node=describe(n), other=describe(first), setting=k, value=repr(got.get(k)),
                    other_value=repr(ref[k])), n.id))


def _shape_settings(nt, node):
    """The settings that decide a node's weight shapes: its whole-number, list and on/off
    settings (sizes, counts, bias). Compared instead of building modules, so that checking
    a file never allocates its weights."""
    params = nt.resolve(node.params)
    return {s.name: params.get(s.name) for s in nt.params if s.kind in ("int", "ints", "bool")}


# ----------------------------------------------------------------- targets
# One place decides how a classification dataset's labels reach the loss (the kind) and
# so the Target node's shape; compile and the Session use the same functions. The loss
# node types declare the kind they expect in the registry (extra["target_kind"]).

def _wide(shape) -> bool:
    """A prediction with several output columns (one per class)."""
    return bool(shape) and len(shape) >= 2 and shape[-1] not in (None, 1)


def _prediction_edge(graph, cost_id):
    """The edge into a cost node's prediction port ('input', else 'input1'), or None."""
    for port in ("input", "input1"):
        for e in graph.edges:
            if e.dst == cost_id and e.dst_port == port:
                return e
    return None


def _prediction_into(graph, cost_id, shapes):
    """The shape entering a cost node's prediction port."""
    e = _prediction_edge(graph, cost_id)
    return None if e is None else shapes.get((e.src, e.src_port))


def _fed_costs(graph, target_id):
    """(cost node, its NodeType) for each cost node the Target feeds directly."""
    for e in graph.edges:
        if e.src != target_id:
            continue
        dst = graph.nodes.get(e.dst)
        nt = registry.get(dst.type) if dst is not None else None
        if nt is not None and nt.category == COST:
            yield dst, nt


def target_kind(graph, dataset_shapes=None, shapes=None) -> str | None:
    """How a classification dataset's labels should reach the graph's Target node:
    "index", "float", "signed" or "onehot" (see engine.data.base.class_targets), or None
    when there is no Target. An explicit Target 'kind' wins; with "auto" the loss the
    Target feeds decides (its registry entry's extra["target_kind"]: CrossEntropyLoss ->
    index, BCEWithLogitsLoss -> float, ...), and float targets for a prediction with
    several outputs become onehot rows. ``graph``: a Graph, or compile's FlatGraph with
    ``shapes`` given ({(node, port): shape} already inferred; a Graph's are inferred here)."""
    targets = [n for n in graph.nodes.values() if n.type == "Target"]
    if not targets:
        return None
    for node in targets:
        if node.params.get("kind", "auto") != "auto":
            return node.params["kind"]
    if shapes is None:
        shapes = _infer(graph, {**(dataset_shapes or {}), "y": None}, [], {}, (), graph)
    for node in targets:
        for cost, nt in _fed_costs(graph, node.id):
            hint = nt.extra.get("target_kind")
            if hint in (None, "float") and _wide(_prediction_into(graph, cost.id, shapes)):
                return "onehot"
            if hint:
                return hint
    # the Target reaches the loss through other nodes: go by the prediction's width
    for node in graph.nodes.values():
        nt = registry.get(node.type)
        if nt is not None and nt.category == COST and _wide(_prediction_into(graph, node.id, shapes)):
            return "onehot"
    return "float"


def target_shape(y_shape, kind, pred_shape=None, n_classes=None):
    """The Target node's shape once the dataset's class labels (shape ``y_shape``) are
    presented as ``kind`` (None or "none": the targets as they are, e.g. regression)."""
    if kind == "index":
        return (None,)
    if kind in ("float", "signed"):
        return (None, 1)
    if kind == "onehot":
        return (None, n_classes if n_classes else (pred_shape[-1] if pred_shape else None))
    return None if y_shape is None else tuple(y_shape)


def presented_shapes(graph, dataset_shapes):
    """``dataset_shapes`` as the graph sees them: {"x", "y", "task", ...} where, for a
    classification dataset ("task": "classification"), "y" is the shape of the class
    labels *as the loss receives them* (index, 0/1 column, one-hot rows). Without a
    "task" key "y" is taken as already presented. Returns (shapes, kind)."""
    ds = dict(dataset_shapes or {})
    if ds.get("task") != "classification" or ds.get("y") is None:
        return ds, ds.get("kind", "none" if ds.get("task") else None)
    first = _infer(graph, {**ds, "y": None}, [], {}, (), graph)
    kind = target_kind(graph, shapes=first) or "index"
    pred = None
    for t in (n for n in graph.nodes.values() if n.type == "Target"):
        for cost, _edge in _fed_costs(graph, t.id):
            pred = pred or _prediction_into(graph, cost.id, first)
    ds["y"] = target_shape(ds["y"], kind, pred, ds.get("n_classes"))
    return ds, kind


def _class_problems(graph, shapes, dataset_shapes, kind, problems):
    """Targets that cannot carry the dataset's classes: 0/1 or -1/+1 columns for more
    than two classes, or fewer class scores than classes. ``shapes``: the inferred ones."""
    n = (dataset_shapes or {}).get("n_classes")
    if not n or kind is None or kind == "none":
        return
    for t in (node for node in graph.nodes.values() if node.type == "Target"):
        for cost, _edge in _fed_costs(graph, t.id):
            edge = _prediction_edge(graph, cost.id)
            pred = None if edge is None else shapes.get((edge.src, edge.src_port))
            port = "input1" if edge is None else edge.dst_port
            if kind in ("float", "signed") and n > 2:
                problems.append(Problem("shape", _(
                    "{cost} input '{port}': the dataset has {n} classes but {target} gives one {values} value per "
                    "sample, which can only tell two classes apart. Give the prediction {n} outputs (one per "
                    "class) or use CrossEntropyLoss.").format(
                    cost=describe(cost), port=port, n=n, target=describe(t),
                    values="0/1" if kind == "float" else "-1/+1"), cost.id, port))
            elif kind == "index" and pred and len(pred) >= 2 and pred[1] is not None and pred[1] < n:
                text = (_("{cost} input '{port}': the dataset has {n} classes but the prediction holds "
                          "{scores} class score per sample; give the last layer {n} outputs.") if pred[1] == 1 else
                        _("{cost} input '{port}': the dataset has {n} classes but the prediction holds "
                          "{scores} class scores per sample; give the last layer {n} outputs."))
                problems.append(Problem("shape", text.format(cost=describe(cost), port=port, n=n, scores=pred[1]),
                                        cost.id, port))


# ----------------------------------------------------------------- training settings
# The settings' declarations are engine.graph.schema.SETTINGS (types and ranges of each key)
# and, for the optimizer's and schedule's hyperparameters, the engine classes' own signatures
# and argument checks (torch's). Checking here, from those, is what makes `check` and
# training agree: compile_graph runs this same function before it builds anything.

def _settings_problem(settings, path, why):
    value, found = settings, True
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[len("graph.settings"):]):
        key = part[0] if part[0] else int(part[1])
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            found = False
            break
    shown = " " + _("(it is {value})").format(value=reprlib.repr(value)) if found else ""
    return Problem("settings", _("Setting {path} {problem}").format(path=path, problem=why) + shown + ".", None)


def _unusable_numbers(value, path):
    """(path, why) for each number Python cannot turn into a finite float (1e999, 10**400)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _unusable_numbers(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _unusable_numbers(v, f"{path}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            ok = math.isfinite(float(value))
        except OverflowError:
            ok = False
        if not ok:
            yield path, _("must be a finite number of sensible size")


def _hyperparameter_type(cls, key, value) -> str | None:
    """The type a hyperparameter must have, read from the class's signature (its default
    or annotation): None when ``value`` has it, else the words for it."""
    import inspect  # noqa: PLC0415 - cold path

    p = inspect.signature(cls).parameters.get(key)
    if p is None:
        return None   # unknown names are refused by the engine's own constructor
    default, note = p.default, str(p.annotation)
    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, bool):
        return None if isinstance(value, bool) else _("must be true or false")
    if isinstance(default, tuple):
        ok = isinstance(value, (list, tuple)) and len(value) == len(default) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        return None if ok else _("must be a list of {n} numbers").format(n=len(default))
    if note == "int":
        return None if is_num and float(value).is_integer() else _("must be a whole number")
    if note == "float" or isinstance(default, float):
        return None if is_num else _("must be a number")
    return None


def _trial_step(trainer, spec, schedule):
    """Build the optimizer (and schedule) on one tiny parameter and take a step: whatever
    the engine refuses (torch's own range checks: lr >= 0, momentum >= 0, betas in [0, 1),
    ...) is refused here, before any model is built. The optimizer setting is checked
    whatever the trainer (the file declares it); the schedule is tried on what ``trainer``
    steps (the learning rule under "perceptron" and "hebb"), as Session will build it.
    Returns (key path, why) or None."""
    import numpy as np  # noqa: PLC0415

    from ..nn.module import Parameter  # noqa: PLC0415
    from .schema import RULE_TRAINERS  # noqa: PLC0415
    from ..optim import (OPTIMIZERS, lr_scheduler, make_optimizer, make_perceptron,  # noqa: PLC0415
                         make_scheduler)

    name = spec.get("name", "SGD")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        return "optimizer.name", _("must be one of {choices}").format(choices=", ".join(OPTIMIZERS))
    for key, value in spec.items():
        why = key != "name" and _hyperparameter_type(OPTIMIZERS[name], key, value)
        if why:
            return f"optimizer.{key}", why
    weight = Parameter(np.zeros(2))
    try:
        optimizer = make_optimizer(spec, [weight])
        weight.grad = np.ones(2)

        def closure():   # Newton and conjugate gradient evaluate a loss of their own
            loss = ((weight - 1.0) * (weight - 1.0)).sum()
            loss.backward()
            return loss
        optimizer.step(closure if getattr(optimizer, "needs_closure", False) else None)
        if trainer in RULE_TRAINERS:
            optimizer = make_perceptron(spec, weight=Parameter(np.zeros((1, 2))), rule=trainer)
            optimizer.step(np.ones((1, 2)), np.ones((1, 1)))
    except (ValueError, TypeError, OverflowError, ZeroDivisionError) as exc:
        return "optimizer", _("cannot be used: {reason}").format(reason=exc)
    if not isinstance(schedule, dict):
        return None
    sname = schedule.get("name", "none")
    if sname not in (None, "none"):
        cls = lr_scheduler.SCHEDULERS.get(sname) if isinstance(sname, str) else None
        for key, value in schedule.items():
            why = cls is not None and key != "name" and _hyperparameter_type(cls, key, value)
            if why:
                return f"schedule.{key}", why
    try:
        scheduler = make_scheduler(schedule, optimizer)
        if scheduler is not None:
            scheduler.step()
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, KeyError) as exc:
        return "schedule", _("cannot be used: {reason}").format(reason=exc)
    return None


def settings_problems(settings) -> list:
    """[Problem] for each training setting that training would refuse or choke on, named
    by its JSON path (graph.settings.batch_size ...)."""
    from . import schema  # noqa: PLC0415 - schema imports the registry

    settings = settings or {}
    if not isinstance(settings, dict):
        return [_settings_problem(settings, "graph.settings", _("must be an object ({...})"))]
    # the file format's declarations (types, minima and maxima of every key)
    doc = {"format": schema.FORMAT, "version": schema.VERSION,
           "graph": {"nodes": [], "edges": [], "settings": settings}}
    found = [(path, why) for path, why in schema.problems(doc) if path.startswith("graph.settings")]
    found += list(_unusable_numbers(settings, "graph.settings"))
    if not found:   # whatever the trainer: the perceptron's lr follows the schedule too
        bad = _trial_step(schema.setting(settings, "trainer"), schema.setting(settings, "optimizer"),
                          schema.setting(settings, "schedule"))
        if bad:
            found.append((f"graph.settings.{bad[0]}", bad[1]))
    seen, out = set(), []
    for path, why in found:
        if path not in seen:
            seen.add(path)
            out.append(_settings_problem(settings, path, why))
    return out


# ----------------------------------------------------------------- memory
def _resources(graph, dataset_shapes, problems):
    """A model too big for the machine, estimated from the declarations (nothing built)."""
    from .compile import CompileError, memory_refusal  # noqa: PLC0415 - compile imports this module

    try:
        refusal = memory_refusal(graph, dataset_shapes)
    except CompileError:
        return   # a graph that cannot compile yet: its problems are reported as such
    if refusal:
        problems.append(Problem("resources", refusal))


# ----------------------------------------------------------------- the cost
def _cost_outputs(graph, shapes, problems):
    """Training adds the cost nodes' outputs into the one number it minimises, so each
    must be a scalar (a loss with reduction 'none' gives one loss per sample)."""
    for node in graph.nodes.values():
        nt = registry.get(node.type)
        shape = shapes.get((node.id, "out"))
        if nt is None or nt.category != COST or shape is None or shape == ():
            continue
        hint = ": " + _("set its 'reduction' to mean or sum") if node.params.get("reduction") == "none" else ""
        problems.append(Problem("shape", _("{node}: a cost must be one number to minimise, but its output has "
                                           "shape {shape}").format(node=describe(node), shape=fmt(shape)) + hint + ".",
                                node.id, "out"))


# ----------------------------------------------------------------- entry point
def validate(graph, dataset_shapes=None) -> list:
    """Every problem in the graph, errors first in the order found, then warnings."""
    problems = []
    _structure(graph, problems)
    _cycles(graph, problems)
    dataset_shapes, kind = presented_shapes(graph, dataset_shapes)
    shapes = _infer(graph, dataset_shapes, problems, {}, (), graph)
    _cost_outputs(graph, shapes, problems)
    if not any(p.kind == "shape" for p in problems):
        _class_problems(graph, shapes, dataset_shapes, kind, problems)
    _ties(graph, problems)
    problems.extend(settings_problems(graph.settings))
    if not errors(problems):
        problems.extend(_scheme(graph))
    for name, mdef in graph.modules.items():
        inner = []
        exposed = {(ref.node, ref.port) for ref in mdef.inputs}
        _structure(mdef.graph, inner, exposed, graph)
        _cycles(mdef.graph, inner)
        for refs, side in ((mdef.inputs, 0), (mdef.outputs, 1)):
            for ref in refs:
                node = mdef.graph.nodes.get(ref.node)
                if node is None:
                    inner.append(Problem("module", _("exposed port '{port}' refers to node '{node}', which is not "
                                                     "inside.").format(port=ref.name, node=ref.node), None))
                elif side == 0 and node.type == "Input" and ref.port == "out":
                    continue  # the module's input drawn as an Input node inside it
                elif registry.get(node.type) is not None and ref.port not in {
                        p.name for p in registry.node_ports(node, graph)[side]}:
                    text = (_("exposed port '{port}' refers to {node}'s input '{inner}', which it does not have.")
                            if side == 0 else
                            _("exposed port '{port}' refers to {node}'s output '{inner}', which it does not have."))
                    inner.append(Problem("module", text.format(port=ref.name, node=describe(node), inner=ref.port),
                                         ref.node, ref.port))
        problems.extend(_inside(name, inner))
    if not any((nt := registry.get(n.type)) is not None and nt.category == COST for n in graph.nodes.values()):
        problems.append(Problem("no_cost", _("Nothing to train: the graph has no cost (loss) node. Connect the "
                                             "prediction and the Target to a loss such as MSELoss or "
                                             "CrossEntropyLoss."), severity=WARNING))
    if not errors(problems):   # only a graph that could be built is weighed
        _resources(graph, dataset_shapes, problems)
    return [p for p in problems if p.severity == ERROR] + [p for p in problems if p.severity != ERROR]
