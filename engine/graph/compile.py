"""Compile a drawn Graph into a Program: engine modules wired in topological order.

All graph work happens here, once: module instances are expanded inline, tie groups
are resolved, shapes are propagated, one engine module is built per node, and the
argument wiring is turned into slot indices. ``Program.forward`` then only walks a
precomputed list of steps, so a training step does no graph work at all.

Node ids of expanded module instances read ``instance/inner`` (nested: ``a/b/c``).
"""
from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field

from .. import backend
from ..errors import UserError
from ..i18n import _
from ..autograd import Tensor, no_grad
from ..nn.module import Module
from . import registry as reg
from . import resources
from .document import Edge, Graph
from .schema import INITS, RULE_TRAINERS, setting  # noqa: F401 - settings.init's choices, re-exported
from .scheme import check_players, players
from .validate import target_kind, target_shape

#: the port that binds the dataset's x (on "Input") and y (on "Target")
DATA_PORT = "out"

#: activations that mix entries (not one output per input), so no local derivative
_NOT_ELEMENTWISE = ("Softmax", "Softmin", "LogSoftmax")

class CompileError(UserError, ValueError):
    """The graph cannot run; the message names the node (and port) in student words."""

    def __init__(self, message: str, problems=(), node: str | None = None):
        super().__init__(message)
        self.problems = list(problems)
        self.node = node


class ResourceError(CompileError):
    """The graph would need more memory than the machine can spare; refused before building."""


class NodeError(UserError, RuntimeError):
    """A node failed while running (e.g. data of an unexpected shape); names the node."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node


@dataclass
class FlatNode:
    """A node of the expanded graph (module instances replaced by their insides)."""

    id: str
    type: str
    params: dict
    node_type: object          # registry.NodeType
    tie: str | None = None     # resolved weight-sharing key (None: own weights)
    origin: str = ""           # id of the top-level graph node it came from


@dataclass
class FlatGraph:
    nodes: dict = field(default_factory=dict)   # id -> FlatNode, in insertion order
    edges: list = field(default_factory=list)   # [Edge] between flat ids


# ====================================================================== expansion
#: nodes a graph may have once every module instance is expanded inline. Classroom nets have
#: tens to hundreds; a file nesting thousands of instances of a large module would take
#: minutes and gigabytes to expand, so it is refused before expanding.
MAX_EXPANDED_NODES = 20_000


def expanded_size(graph: Graph, limit: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes ``flatten`` makes (counted without expanding: each module definition
    once); stops counting soon after ``limit``."""
    memo: dict = {}

    def count(g, modules, stack):
        scope = {**modules, **g.modules}   # the lookup _expand makes
        total = 0
        for node in g.nodes.values():
            total += 1
            name = (node.params or {}).get("module") if node.type == "Module" else None
            mdef = scope.get(name) if isinstance(name, str) else None
            if mdef is not None and name not in stack:   # unknown or recursive: _expand says so
                if id(mdef) not in memo:
                    memo[id(mdef)] = count(mdef.graph, scope, stack + (name,))
                total += memo[id(mdef)]
            if total > limit:
                break
        return total

    return count(graph, graph.modules, ())


def flatten(graph: Graph) -> FlatGraph:
    """Expand every ``Module`` instance inline (recursively) and resolve tie groups."""
    size = expanded_size(graph)
    if size > MAX_EXPANDED_NODES:
        raise ResourceError(_("the graph has more than {most} nodes once its modules are expanded ({top} at "
                              "the top level); that is more than NN Playground builds: use fewer module "
                              "instances or smaller modules").format(most=f"{MAX_EXPANDED_NODES:,}",
                                                                     top=f"{len(graph.nodes):,}"))
    flat = FlatGraph()
    aliases: dict = {}   # (flat node, port) of an inner Input -> the outer source feeding it
    _expand(graph, graph.modules, "", None, flat, aliases, (), "")
    # An inner Input bound to an outer source is replaced by that source everywhere.
    for alias_src in list(aliases):
        flat.nodes.pop(alias_src[0], None)

    def resolve(ref):
        seen = set()
        while ref in aliases:
            if ref in seen:
                raise CompileError(_("module input '{name}' is wired to itself").format(name=ref[0]))
            seen.add(ref)
            ref = aliases[ref]
        return ref

    edges = []
    for e in flat.edges:
        src = resolve((e.src, e.src_port))
        if e.dst in flat.nodes:
            edges.append(Edge(src[0], src[1], e.dst, e.dst_port))
    flat.edges = edges
    return flat


def _expand(graph, modules, prefix, inst_tie, flat, aliases, stack, origin):
    """Add ``graph``'s nodes to ``flat`` under ``prefix``; returns the exposed port maps
    {"in": {name: [(flat node, port)]}, "out": {name: (flat node, port)}} of each
    module instance, keyed by the instance's id."""
    instances = {}
    for node in graph.nodes.values():
        fid = prefix + node.id
        top = origin or node.id
        if node.type == "Module":
            name = (node.params or {}).get("module")
            mdef = graph.modules.get(name) or modules.get(name)
            if mdef is None:
                raise CompileError(_("node '{node}': there is no module named {name}").format(node=fid, name=repr(name)),
                                   node=fid)
            if name in stack:
                raise CompileError(_("node '{node}': module {name} contains itself").format(node=fid, name=repr(name)),
                                   node=fid)
            # A tied instance shares every inner parameter with the other instances of
            # the same tie: inner nodes get a tie key that does not depend on the instance.
            tie = f"{name}:{node.tie}" if node.tie else None
            if inst_tie and not tie:
                tie = f"{inst_tie}/{node.id}"
            inner_modules = {**modules, **graph.modules}
            sub = _expand(mdef.graph, inner_modules, fid + "/", tie, flat, aliases,
                          stack + (name,), top)
            ports_in, ports_out = {}, {}
            for ref in mdef.inputs:
                ports_in.setdefault(ref.name, []).append((f"{fid}/{ref.node}", ref.port))
            for ref in mdef.outputs:
                src = (f"{fid}/{ref.node}", ref.port)
                if ref.node in sub:  # the output of a nested instance
                    src = sub[ref.node]["out"].get(ref.port, src)
                ports_out[ref.name] = src
            for ref_name, targets in ports_in.items():
                expanded = []
                for t_node, t_port in targets:
                    inner_id = t_node[len(fid) + 1:]
                    if inner_id in sub:  # exposed port of a nested instance
                        expanded += sub[inner_id]["in"].get(t_port, [])
                    else:
                        expanded.append((t_node, t_port))
                ports_in[ref_name] = expanded
            instances[node.id] = {"in": ports_in, "out": ports_out}
            continue
        nt = reg.get(node.type)
        if nt is None:
            raise CompileError(_("node '{node}' has an unknown type '{type}'").format(node=fid, type=node.type),
                               node=fid)
        if node.tie:
            tie = f"{node.type}:{node.tie}"
        elif inst_tie:
            tie = f"{inst_tie}/{node.id}"
        else:
            tie = None
        flat.nodes[fid] = FlatNode(fid, node.type, nt.resolve(node.params), nt, tie, top)

    for e in graph.edges:
        if e.src in instances:
            src = instances[e.src]["out"].get(e.src_port)
            if src is None:
                raise CompileError(_("node '{node}' has no output port '{port}'").format(node=prefix + e.src, port=e.src_port),
                                   node=prefix + e.src)
        else:
            src = (prefix + e.src, e.src_port)
        if e.dst in instances:
            targets = instances[e.dst]["in"].get(e.dst_port)
            if targets is None:
                raise CompileError(_("node '{node}' has no input port '{port}'").format(node=prefix + e.dst, port=e.dst_port),
                                   node=prefix + e.dst)
        else:
            targets = [(prefix + e.dst, e.dst_port)]
        for t_node, t_port in targets:
            inner = flat.nodes.get(t_node)
            if inner is not None and inner.node_type.category == reg.OBSERVED and prefix + e.dst != t_node:
                aliases[(t_node, t_port)] = src   # a module's inner Input: bypass it
            else:
                flat.edges.append(Edge(src[0], src[1], t_node, t_port))
    return instances


# ====================================================================== ordering
def reach(starts, next_of: dict) -> set:
    """``starts`` and every node reached from them through ``next_of`` ({node: [nodes]})."""
    seen, todo = set(), list(starts)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(next_of.get(n, ()))
    return seen


def _neighbours(edges, upstream: bool) -> dict:
    """{node: the nodes its edges come from (``upstream``) or go to}."""
    out: dict = {}
    for e in edges:
        a, b = (e.dst, e.src) if upstream else (e.src, e.dst)
        out.setdefault(a, []).append(b)
    return out


def topological_order(flat: FlatGraph) -> list:
    """Kahn's algorithm; ties broken by insertion order so the order is reproducible."""
    indeg = {n: 0 for n in flat.nodes}
    succ = {n: [] for n in flat.nodes}
    for e in flat.edges:
        if e.src not in flat.nodes:
            raise CompileError(_("an edge comes from a missing node '{node}'").format(node=e.src), node=e.dst)
        if e.dst not in flat.nodes:
            raise CompileError(_("an edge goes to a missing node '{node}'").format(node=e.dst), node=e.src)
        indeg[e.dst] += 1
        succ[e.src].append(e.dst)
    position = {n: i for i, n in enumerate(flat.nodes)}
    import heapq  # noqa: PLC0415 - cold path

    ready = [(position[n], n) for n, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _rank, n = heapq.heappop(ready)
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                heapq.heappush(ready, (position[m], m))
    if len(order) != len(flat.nodes):
        stuck = [n for n in flat.nodes if indeg[n] > 0]
        raise CompileError(_("the graph has a cycle through node '{node}': a value cannot depend on "
                             "itself").format(node=stuck[0]), node=stuck[0])
    return order


# ====================================================================== program
def _param_signature(params) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def _node_seed(seed: int, node_key: str) -> int:
    """A per-node seed: adding a node does not change the others' initial weights."""
    return zlib.crc32(f"{seed}:{node_key}".encode()) & 0x7FFFFFFF


class _seeded_init:
    """Temporarily replace the process-wide generator that initialisers draw from."""

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        self.saved = backend.default_generator
        backend.default_generator = backend.Generator(self.seed)

    def __exit__(self, *exc):
        backend.default_generator = self.saved
        return False


def _tensor_slots(module):
    """name -> Tensor of a module's parameters and buffers."""
    out = {}
    for mprefix, m in module.named_modules():
        for store in (m._parameters, m._buffers):
            for name, t in store.items():
                if isinstance(t, Tensor):
                    out[f"{mprefix}.{name}" if mprefix else name] = t
    return out


class Program(Module):
    """The compiled network: ``forward(x, y=None) -> (prediction, loss)``.

    Children are the nodes' engine modules, named by node id, so ``named_parameters()``
    reads ``lin1.weight``; tied nodes hold the same module (and its parameters appear once).
    """

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "order", [])           # flat node ids, topological
        object.__setattr__(self, "flat", None)          # FlatGraph
        object.__setattr__(self, "shapes", {})          # (node, port) -> shape
        object.__setattr__(self, "signatures", {})      # node -> reuse signature
        object.__setattr__(self, "node_modules", {})    # node -> Module or None
        object.__setattr__(self, "last_values", None)   # slot list of the last forward
        object.__setattr__(self, "target_kind", "float")
        object.__setattr__(self, "prediction_node", None)
        object.__setattr__(self, "cost_nodes", [])
        object.__setattr__(self, "reused", [])          # nodes whose weights came from `previous`

    # ----- wiring (filled by compile_graph) --------------------------------
    def _wire(self, order, out_slots, flat, x_nodes, y_nodes, pred_ref, costs):
        """Turn edges into slot indices and precompute the train and predict step lists."""
        slot_of = {}
        for nid in order:
            for port in out_slots[nid]:
                slot_of[(nid, port)] = len(slot_of)
        incoming = {nid: {} for nid in order}
        for e in flat.edges:
            nt = flat.nodes[e.dst].node_type
            try:
                multi = nt.input(e.dst_port).multi
            except KeyError:
                raise CompileError(_("node '{node}' ({type}) has no input port '{port}'").format(
                    node=e.dst, type=nt.name, port=e.dst_port), node=e.dst) from None
            src = slot_of.get((e.src, e.src_port))
            if src is None:
                raise CompileError(_("node '{node}' has no output port '{port}'").format(node=e.src, port=e.src_port),
                                   node=e.src)
            if multi:
                incoming[e.dst].setdefault(e.dst_port, []).append(src)
            else:
                incoming[e.dst][e.dst_port] = src
        steps = {}
        for nid in order:
            if nid in x_nodes or nid in y_nodes:
                continue
            module = self.node_modules[nid]
            singles = tuple((p, s) for p, s in incoming[nid].items() if isinstance(s, int))
            multis = tuple((p, tuple(s)) for p, s in incoming[nid].items() if isinstance(s, list))
            ports = out_slots[nid]
            single_out = slot_of[(nid, ports[0])] if len(ports) == 1 else -1
            out_ports = tuple((p, slot_of[(nid, p)]) for p in ports)
            steps[nid] = (module, singles, multis, single_out, out_ports)
        # without a target, run every node that does not depend on it
        needed = set(order) - reach(y_nodes, _neighbours(flat.edges, upstream=False))
        object.__setattr__(self, "_slot_of", slot_of)
        object.__setattr__(self, "_nslots", len(slot_of))
        object.__setattr__(self, "_x_slots", tuple(slot_of[(n, DATA_PORT)] for n in x_nodes))
        object.__setattr__(self, "_y_slots", tuple(slot_of[(n, DATA_PORT)] for n in y_nodes))
        object.__setattr__(self, "_pred_slot", slot_of[pred_ref] if pred_ref else None)
        object.__setattr__(self, "_cost_slots", tuple(slot_of[(c, "out")] for c in costs))
        object.__setattr__(self, "_train_steps", tuple(steps[n] for n in order if n in steps))
        object.__setattr__(self, "_predict_steps",
                           tuple(steps[n] for n in order if n in steps and n in needed))
        object.__setattr__(self, "_predict_nodes", frozenset(needed))
        object.__setattr__(self, "_step_nodes", tuple(n for n in order if n in steps))
        object.__setattr__(self, "_step_node", {id(steps[n]): n for n in steps})

    # ----- running ------------------------------------------------------------
    def forward(self, x, y=None):
        """(prediction, loss); loss is None when ``y`` is None (then cost nodes are skipped)."""
        vals = [None] * self._nslots
        if not isinstance(x, Tensor):
            x = Tensor(x)
        for s in self._x_slots:
            vals[s] = x
        if y is None:
            steps = self._predict_steps
        else:
            if not isinstance(y, Tensor):
                y = Tensor(y)
            for s in self._y_slots:
                vals[s] = y
            steps = self._train_steps
        object.__setattr__(self, "last_values", vals)
        step = None
        try:
            for step in steps:
                module, singles, multis, out_slot, out_ports = step
                kw = {p: vals[s] for p, s in singles}
                for p, ss in multis:
                    kw[p] = [vals[s] for s in ss]
                out = module(**kw)
                if out_slot >= 0:
                    vals[out_slot] = out
                else:
                    for p, s in out_ports:
                        vals[s] = out[p]
        except (ValueError, TypeError, IndexError, KeyError, RuntimeError) as exc:
            if isinstance(exc, NodeError):
                raise
            nid = self._step_node.get(id(step), "?")
            ntype = self.flat.nodes[nid].type if nid in self.flat.nodes else "?"
            raise NodeError(_("node '{node}' ({type}) failed: {error}").format(node=nid, type=ntype, error=exc),
                            node=nid) from exc
        pred = vals[self._pred_slot] if self._pred_slot is not None else None
        if y is None:
            return pred, None
        loss = None
        for s in self._cost_slots:
            c = vals[s]
            loss = c if loss is None else loss + c
        return pred, loss

    def evaluate(self, feeds: dict, wanted) -> list:
        """Values of ``wanted`` ``(node, port)`` outputs when the outputs in ``feeds``
        (``{(node, port): Tensor or array}``) are given instead of computed: the decoder of a
        VAE from points of its latent plane, a velocity net at chosen (x, t), a
        discriminator over the plane. Only the steps the wanted outputs need run, and a
        fed output's own ancestors never do. Call under ``no_grad`` and in eval mode for a
        view. Raises KeyError naming an input that is neither fed nor computable (the
        data's Input or Target)."""
        vals = [None] * self._nslots
        for (nid, port), v in feeds.items():
            vals[self._slot_of[(nid, port)]] = v if isinstance(v, Tensor) else Tensor(v)
        fed = {nid for nid, _ in feeds}
        need, todo = set(), [nid for nid, _ in wanted if (nid, _) not in feeds]
        while todo:   # the ancestors of the wanted outputs, stopping at fed outputs
            nid = todo.pop()
            if nid in need:
                continue
            need.add(nid)
            todo.extend(e.src for e in self.in_edges(nid)
                        if (e.src, e.src_port) not in feeds and e.src not in need)
        steps = dict(zip(self._step_nodes, self._train_steps))
        for nid in self.order:
            if nid not in need or nid in fed and all(
                    vals[self._slot_of[(nid, p)]] is not None for p in self.out_ports(nid)):
                continue
            if nid not in steps:
                raise KeyError(f"node '{nid}' is not fed and cannot be computed")
            module, singles, multis, out_slot, out_ports = steps[nid]
            kw = {p: vals[s] for p, s in singles}
            for p, ss in multis:
                kw[p] = [vals[s] for s in ss]
            if any(v is None for v in kw.values()):
                missing = [p for p, v in kw.items() if v is None]
                raise KeyError(f"node '{nid}': input {missing[0]} is not fed")
            out = module(**kw)
            if out_slot >= 0:
                vals[out_slot] = out
            else:
                for p, s in out_ports:
                    vals[s] = out[p]
        return [vals[self._slot_of[w]] for w in wanted]

    def run_traced(self, x, y=None, overrides=None) -> dict:
        """A slow, fully recorded forward for step-through mode and gradient checks.

        Every edge gets its own copy of the tensor it carries (an identity op), so after
        ``loss.backward()`` that copy's ``.grad`` is the gradient flowing back along that
        edge alone. ``overrides``: {Edge: Tensor} replaces what an edge delivers.
        Returns {"values": {(node, port): Tensor}, "edges": {Edge: Tensor},
        "elementwise": {node: input Tensor}, "loss": Tensor or None, "prediction": Tensor}.
        """
        from ..nn.activations import _Activation  # noqa: PLC0415

        overrides = overrides or {}
        values, edges, elementwise = {}, {}, {}
        for nid in self.order:
            node = self.flat.nodes[nid]
            if node.type == "Input":
                values[(nid, DATA_PORT)] = x
                continue
            if node.type == "Target":
                if y is not None:
                    values[(nid, DATA_PORT)] = y
                continue
            if y is None and self.needs_target(nid):
                continue
            nt = node.node_type
            kw = {}
            for e in self.in_edges(nid):
                t = overrides.get(e)
                if t is None:
                    src = values[(e.src, e.src_port)]
                    t = src.clone() if src.requires_grad else src
                    if t.requires_grad and t is not src:
                        t.retain_grad()
                    edges[e] = t
                if nt.input(e.dst_port).multi:
                    kw.setdefault(e.dst_port, []).append(t)
                else:
                    kw[e.dst_port] = t
            module = self.node_modules[nid]
            out = module(**kw)
            outs = out if isinstance(out, dict) else {nt.outputs[0].name: out}
            for port, t in outs.items():
                if isinstance(t, Tensor) and t.requires_grad:
                    t.retain_grad()
                values[(nid, port)] = t
            if isinstance(module, _Activation) and type(module).__name__ not in _NOT_ELEMENTWISE \
                    and "input" in kw:
                elementwise[nid] = kw["input"]
        loss = None
        if y is not None:
            for c in self.cost_nodes:
                t = values[(c, "out")]
                loss = t if loss is None else loss + t
        return {"values": values, "edges": edges, "elementwise": elementwise, "loss": loss,
                "prediction": values.get(self.prediction_ref)}

    # ----- introspection (cold paths) ----------------------------------------------
    def slot(self, node_id, port="out"):
        return self._slot_of[(node_id, port)]

    def node_outputs(self, values=None) -> dict:
        """node id -> its first output Tensor from the last forward (None if not run)."""
        vals = self.last_values if values is None else values
        if vals is None:
            return {}
        out = {}
        for nid in self.order:
            ports = self.out_ports(nid)
            if ports:
                v = vals[self._slot_of[(nid, ports[0])]]
                if v is not None:
                    out[nid] = v
        return out

    def out_ports(self, node_id):
        return [p for (n, p) in self._slot_of if n == node_id]

    def in_edges(self, node_id):
        return [e for e in self.flat.edges if e.dst == node_id]

    def ancestors(self, nodes) -> set:
        """``nodes`` and every node that feeds them, directly or through others."""
        return reach(nodes, _neighbours(self.flat.edges, upstream=True))

    def descendants(self, nodes) -> set:
        """``nodes`` and every node they feed, directly or through others."""
        return reach(nodes, _neighbours(self.flat.edges, upstream=False))

    def node_parameters(self, node_id):
        """[(qualified name, Parameter)] owned by a node (a tied node sees its group's)."""
        m = self.node_modules.get(node_id)
        if m is None:
            return []
        return [(f"{node_id}.{n}", p) for n, p in m.named_parameters()]

    def param_owner(self) -> dict:
        """qualified parameter name (as named_parameters gives it) -> node id."""
        return {name: name.rsplit(".", 1)[0].split(".", 1)[0] for name, _ in self.named_parameters()}

    def learnable_nodes(self) -> list:
        """Nodes owning parameters, topological order, each tie group once."""
        cached = self.__dict__.get("_learnable")
        if cached is not None:
            return list(cached)
        seen, out = set(), []
        for nid in self.order:
            m = self.node_modules.get(nid)
            if m is None or id(m) in seen:
                continue
            if any(True for _ in m.parameters()):
                seen.add(id(m))
                out.append(nid)
        object.__setattr__(self, "_learnable", tuple(out))
        return out

    def needs_target(self, node_id) -> bool:
        return node_id not in self._predict_nodes

    def extra_repr(self):
        return f"{len(self.order)} nodes"


# ====================================================================== compile
def _validate(graph, dataset_shapes):
    try:
        from .validate import validate  # noqa: PLC0415 - the validator is optional here
    except ImportError:
        return
    _raise_first(validate(graph, dataset_shapes))


def _declaration_problems(graph):
    from .validate import declaration_problems  # noqa: PLC0415

    return declaration_problems(graph)


def check_declarations(graph):
    """Raise CompileError naming the first node parameter or training setting that breaks
    its declaration (what `check` reports), before anything reads those values."""
    _raise_first(_declaration_problems(graph))


def _estimate(graph, flat, order, shapes, in_shapes, dataset_shapes):
    """The memory training will need: a batch through every node, and the prediction over
    the whole dataset when metrics are evaluated."""
    batch = setting(graph.settings, "batch_size")
    batch = batch if isinstance(batch, int) and not isinstance(batch, bool) else 1
    rows = max(batch, int((dataset_shapes or {}).get("samples") or 0))
    return resources.estimate(flat, order, shapes, in_shapes, rows)


def memory_refusal(graph, dataset_shapes=None) -> str | None:
    """The one-line refusal when training ``graph`` would need more memory than the machine
    can spare (engine.graph.resources), worked out without building anything; else None."""
    flat, order, x_shape, y_shape, _ = _prepare(graph, dataset_shapes)
    shapes, in_shapes = _propagate(flat, order, x_shape, y_shape, strict=False)
    return resources.too_big(_estimate(graph, flat, order, shapes, in_shapes, dataset_shapes))


def check_trainable(program: Program, trainer: str, ends=None):
    """Raise CompileError unless ``trainer`` has weights to train in ``program``: some node
    with weights must feed the cost (``ends``: the nodes the loss is read from, by default
    the cost nodes), and a learning rule (perceptron, Hebb) needs its one Linear layer fed by
    values that do not depend on the target (the Input, or fixed features computed from it).
    The one rule for `check` (check_graph) and training (Session), so that they agree, and
    so that backward() never meets a loss that depends on no weight."""
    nodes = program.flat.nodes
    ends = [n for n in (program.cost_nodes if ends is None else ends) if n is not None]
    feeding = program.ancestors(ends)
    learn = program.learnable_nodes()
    if not any(program.node_parameters(n) for n in feeding):
        cost = ", ".join(f"'{n}' ({nodes[n].type})" for n in ends) or _("the prediction")
        stray = ""
        if learn:
            stray = ": " + (_("{nodes} has weights but does not reach it") if len(learn) == 1
                            else _("{nodes} have weights but do not reach it")).format(nodes=_quoted(learn))
        raise CompileError(_("nothing to train: no node with weights feeds the cost {cost}{stray}; put a layer "
                             "such as Linear (or a Parameter node) on the path from the Input to it").format(
            cost=cost, stray=stray), node=ends[0] if ends else None)
    if trainer not in RULE_TRAINERS:
        return
    if len(learn) != 1 or nodes[learn[0]].type != "Linear":
        raise CompileError(_("the {trainer} trainer needs exactly one Linear layer and no other learnable node "
                             "(this graph has {nodes})").format(trainer=trainer, nodes=_quoted(learn)))
    unit = learn[0]
    # its one input is then computed without weights: the Input itself, or fixed features
    # of it (course notes 003, section 4.2); only the target may not reach it
    feeds = program.in_edges(unit)
    if len(feeds) != 1 or program.needs_target(feeds[0].src):
        raise CompileError(_("the {trainer} rule trains a Linear layer fed by the Input (or by fixed features of "
                             "it); '{node}' is fed by the target").format(trainer=trainer, node=unit), node=unit)
    out = program.shapes.get((unit, DATA_PORT))
    targets = [program.shapes.get((n, DATA_PORT)) for n in program.order if nodes[n].type == "Target"]
    known = bool(targets) and targets[0] is not None and all(isinstance(d, int) for d in targets[0][1:])
    width = math.prod(targets[0][1:]) if known else None
    if out and width is not None and out[-1] != width:
        raise CompileError(_("the {trainer} rule compares the {n} output(s) of '{node}' with the target's "
                             "{width} column(s): give it out_features={width}").format(
            trainer=trainer, n=out[-1], node=unit, width=width), node=unit)


def _quoted(ids, limit=3):
    """'a', 'b', 'c' and 2 more: node ids for a one-line message."""
    shown = ", ".join(f"'{n}'" for n in list(ids)[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "") if ids else "none"


def _raise_first(problems):
    """CompileError with the first error's message (and how many more there are)."""
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    if errors:
        first = errors[0]
        more = len(errors) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        error = ResourceError if first.kind == "resources" else CompileError
        raise error(f"{first.message}{extra}", problems, node=getattr(first, "node", None))


def _input_shapes(flat, nid, shapes, strict):
    """{port: shape or [shapes]} entering ``nid``; None when some shape is unknown and
    not ``strict`` (the node is then skipped)."""
    nt = flat.nodes[nid].node_type
    ins: dict = {}
    for e in flat.edges:
        if e.dst != nid:
            continue
        try:
            multi = nt.input(e.dst_port).multi
        except KeyError:
            raise CompileError(_("node '{node}' ({type}) has no input port '{port}'").format(
                node=nid, type=nt.name, port=e.dst_port), node=nid) from None
        s = shapes.get((e.src, e.src_port))
        if s is None and not strict:
            return None
        if multi:
            ins.setdefault(e.dst_port, []).append(s)
        else:
            ins[e.dst_port] = s
    for port in nt.inputs:
        if port.name not in ins and not port.optional:
            raise CompileError(_("node '{node}' ({type}): input '{port}' is not connected").format(
                node=nid, type=nt.name, port=port.name), node=nid)
    return ins


def _propagate(flat, order, x_shape, y_shape, strict):
    """Shapes of every output port, in topological order (and each node's input shapes)."""
    shapes, in_shapes = {}, {}
    for nid in order:
        node = flat.nodes[nid]
        nt = node.node_type
        if node.type == "Input":
            shapes[(nid, DATA_PORT)] = x_shape or _declared(node)
            if shapes[(nid, DATA_PORT)] is None and strict:
                raise CompileError(_("node '{node}' (Input): its shape is unknown; choose a dataset or set its "
                                     "'shape'").format(node=nid), node=nid)
            continue
        if node.type == "Target":
            shapes[(nid, DATA_PORT)] = y_shape or _declared(node)
            continue
        ins = _input_shapes(flat, nid, shapes, strict)
        if ins is None:
            continue
        in_shapes[nid] = ins
        if nt.shape_rule is None:
            out = {p.name: None for p in nt.outputs}
        else:
            try:
                out = nt.shape_rule(node.params, ins)
            except reg.ShapeError as exc:
                if not strict:
                    continue
                raise CompileError(_("node '{node}' ({type}): {error}").format(node=nid, type=node.type, error=exc),
                                   node=nid) from None
            except Exception as exc:  # a rule that chokes on unknown sizes
                if not strict:
                    continue
                raise CompileError(_("node '{node}' ({type}): cannot work out its output shape ({error})").format(
                    node=nid, type=node.type, error=exc), node=nid) from None
        for port, shape in out.items():
            shapes[(nid, port)] = tuple(shape) if shape is not None else None
    return shapes, in_shapes


def compile_graph(graph: Graph, previous: Program | None = None, *, dataset_shapes=None,
                  seed: int | None = None, validate: bool = True) -> Program:
    """Build a Program from ``graph``.

    ``dataset_shapes``: {"x": (None, ...), "y": (None, ...), "task": ...} for the Input
    and Target nodes (default: the dataset named in ``graph.settings``, else the nodes'
    'shape' params). ``seed`` (default ``graph.settings["seed"]``, else 0) seeds each
    node's initial weights separately. With ``previous``, nodes whose id, type,
    parameters and input shapes are unchanged keep ``previous``'s trained weights.
    Raises CompileError with a one-line message naming the node.
    """
    if validate:   # parameters and settings against their declarations, before using any
        check_declarations(graph)
    if seed is None:
        seed = int(setting(graph.settings, "seed"))
    if dataset_shapes is None:
        dataset_shapes = _dataset_shapes_from_settings(graph)
    try:
        flat, order, x_shape, y_shape, kind = _prepare(graph, dataset_shapes)
    except CompileError:
        if validate:   # the validator words structural mistakes better
            x = (dataset_shapes or {}).get("x")
            _validate(graph, {"x": tuple(x), "y": None} if x is not None else None)
        raise
    if validate:
        _validate(graph, _presented(dataset_shapes, x_shape, y_shape, kind))
    x_nodes = [n for n in order if flat.nodes[n].type == "Input"]
    y_nodes = [n for n in order if flat.nodes[n].type == "Target"]
    costs = [n for n in order if flat.nodes[n].node_type.category == reg.COST]
    pred_ref = _prediction_ref(flat, order, costs)
    shapes, in_shapes_of = _propagate(flat, order, x_shape, y_shape, strict=True)
    refusal = resources.too_big(_estimate(graph, flat, order, shapes, in_shapes_of, dataset_shapes))
    if refusal:   # before a single weight is allocated
        raise ResourceError(refusal)

    # ---- build; a tie group shares one module
    init = setting(graph.settings, "init")
    program = Program()
    out_slots = {}
    tie_leader: dict = {}
    prev_modules = previous.node_modules if previous is not None else {}
    prev_sigs = previous.signatures if previous is not None else {}
    for nid in order:
        node = flat.nodes[nid]
        nt = node.node_type
        out_slots[nid] = [p.name for p in nt.outputs]
        ins = in_shapes_of.get(nid, {})
        sig = (node.type, _param_signature(node.params), _param_signature(ins), node.tie,
               _param_signature(init))
        program.signatures[nid] = sig
        if node.type in ("Input", "Target"):
            program.node_modules[nid] = None
            continue
        if node.tie and node.tie in tie_leader:
            leader = tie_leader[node.tie]
            module = program.node_modules[leader]
            _check_tie_shapes(nt, node, ins, module, leader)
        else:
            with _seeded_init(_node_seed(seed, node.tie or nid)):
                try:
                    module = nt.build(node.params, ins) if nt.build is not None else None
                    if module is not None and init:
                        apply_init(module, init)
                except CompileError:
                    raise
                except Exception as exc:
                    raise CompileError(_("node '{node}' ({type}) cannot be built: {error}").format(
                        node=nid, type=node.type, error=exc), node=nid) from None
            if module is None:
                raise CompileError(_("node '{node}' ({type}) cannot be run: it has no engine module").format(
                    node=nid, type=node.type), node=nid)
            old = prev_modules.get(nid)
            if old is not None and prev_sigs.get(nid) == sig:
                _copy_weights(old, module)
                program.reused.append(nid)
            if node.tie:
                tie_leader[node.tie] = nid
        program.node_modules[nid] = module
        program.add_module(nid, module)

    for name, value in (("order", order), ("flat", flat), ("shapes", shapes), ("target_kind", kind),
                        ("prediction_node", pred_ref[0]), ("prediction_ref", pred_ref),
                        ("cost_nodes", costs), ("seed", seed)):
        object.__setattr__(program, name, value)
    program._wire(order, out_slots, flat, x_nodes, y_nodes, pred_ref, costs)
    return program


def _prepare(graph, dataset_shapes):
    """Expand, order, and work out the Input's and Target's shapes.

    How class labels reach the loss decides the Target's shape, and for MSE-like losses
    it depends on the prediction's width, which does not depend on the target: hence
    a first, lenient shape pass. Returns (flat, order, x_shape, y_shape, target kind).
    ``dataset_shapes``: as the callers loaded them (None: no dataset)."""
    dataset_shapes = dict(dataset_shapes or {})
    flat = flatten(graph)
    order = topological_order(flat)
    if not any(flat.nodes[n].type == "Input" for n in order):
        raise CompileError(_("the graph has no Input node: add one to feed the dataset's x"))
    costs = [n for n in order if flat.nodes[n].node_type.category == reg.COST]
    pred_ref = _prediction_ref(flat, order, costs)
    if pred_ref is None:
        raise CompileError(_("the graph has no cost node fed by a prediction: connect the network's "
                             "output and the Target to a loss such as MSELoss"))
    x_shape = tuple(dataset_shapes["x"]) if dataset_shapes.get("x") is not None else None
    first, _others = _propagate(flat, order, x_shape, None, strict=False)
    task = dataset_shapes.get("task", "classification")
    # the validator's rule (one source of truth: the losses' registry entries); labels are
    # presented only to a Target node, so a graph without one (an autoencoder compares its
    # output with its own input) takes none: kind "none"
    kind = (target_kind(flat, shapes=first) or "none") if task == "classification" else "none"
    y_shape = None
    if dataset_shapes.get("y") is not None:
        y_shape = target_shape(dataset_shapes["y"], kind, first.get(pred_ref),
                               dataset_shapes.get("n_classes"))
    return flat, order, x_shape, y_shape, kind


def check_graph(graph: Graph, dataset_shapes=None, first_batch: bool = True) -> list:
    """Every problem ``playground check`` reports: the validator's (with the Target's
    shape as the loss will see it), then, if there is no error, whatever stops the
    graph from compiling. Returns [Problem] (engine.graph.validate.Problem).

    ``first_batch=False`` leaves out the trial training step (the editor's live check,
    which must stay cheap; the training thread meets that step anyway)."""
    from .validate import Problem, errors, validate  # noqa: PLC0415

    if errors(_declaration_problems(graph)):   # the rest would choke on those values
        return validate(graph)
    dataset = None
    try:
        if dataset_shapes is None:   # loaded once, for all the steps below
            dataset = dataset_from_settings(graph)
            dataset_shapes = None if dataset is None else dataset.shape_info()
        flat, order, x_shape, y_shape, kind = _prepare(graph, dataset_shapes)
        shapes = _presented(dataset_shapes, x_shape, y_shape, kind)
    except CompileError as exc:
        kind = "resources" if isinstance(exc, ResourceError) else "compile"
        return validate(graph, dataset_shapes if dataset_shapes else None) + [Problem(kind, str(exc), exc.node)]
    problems = validate(graph, shapes)
    if not any(p.severity == "error" for p in problems):
        try:
            program = compile_graph(graph, dataset_shapes=dataset_shapes, validate=False)
            check_trainable(program, setting(graph.settings, "trainer"))
            if graph.settings.get("scheme"):   # each player trains weights that reach its costs
                check_players(program, players(graph.settings))
            if dataset is not None and first_batch:
                _first_batch(graph, program, dataset)
        except CompileError as exc:   # a ResourceError comes before any weight is allocated
            kind = "resources" if isinstance(exc, ResourceError) else "compile"
            problems.insert(0, Problem(kind, str(exc), exc.node))
        except NodeError as exc:
            problems.insert(0, Problem("run", f"The first training step fails: {exc}", exc.node))
    return problems


def check_file(graph: Graph, dataset_shapes=None, first_batch: bool = True) -> list:
    """What ``playground check`` lists and the editor counts: check_graph's problems, then
    the lesson section's (a goal's unknown metric, a page button's missing node), which do
    not stop training but leave a lesson's goals unjudged."""
    from ..lessons import problems as lesson_problems  # noqa: PLC0415
    from .validate import Problem  # noqa: PLC0415

    return (check_graph(graph, dataset_shapes, first_batch)
            + [Problem("lesson", f"{path}: {message}") for path, message in lesson_problems(graph)])


def apply_init(module, spec):
    """Re-initialise the weight matrices of Linear and ConvNd layers inside ``module``.

    ``spec``: a name from INITS, or {"name": ..., "nonlinearity": "relu", "gain": 1.0,
    "std": 1.0} (each key read by the initialisations it applies to).
    """
    from ..nn import init as nn_init  # noqa: PLC0415

    if isinstance(spec, str):
        spec = {"name": spec}
    name = spec.get("name", "default")
    if name == "default":
        return
    if name not in INITS:
        raise CompileError(_("settings.init: unknown initialisation {name}; choose one of {choices}").format(
            name=repr(name), choices=", ".join(INITS)))
    for m in module.modules():
        w = m._parameters.get("weight")
        if w is None or w.ndim < 2 or type(m).__name__ not in ("Linear", "Conv1d", "Conv2d", "Bilinear"):
            continue
        if name.startswith("kaiming"):
            getattr(nn_init, name + "_")(w, nonlinearity=spec.get("nonlinearity", "relu"))
        elif name.startswith("xavier"):
            getattr(nn_init, name + "_")(w, gain=spec.get("gain", 1.0))
        elif name == "normal":
            nn_init.normal_(w, std=spec.get("std", 1.0))
        else:
            nn_init.zeros_(w)
        b = m._parameters.get("bias")
        if b is not None:
            nn_init.zeros_(b)


def _check_tie_shapes(nt, node, ins, module, leader):
    """A tied node must fit its group's weights: build one and compare shapes."""
    with _seeded_init(0):
        try:
            probe = nt.build(node.params, ins)
        except Exception as exc:
            raise CompileError(_("node '{node}' ({type}) cannot be built: {error}").format(
                node=node.id, type=node.type, error=exc), node=node.id) from None
    mine = {n: tuple(t.shape) for n, t in _tensor_slots(probe).items()}
    theirs = {n: tuple(t.shape) for n, t in _tensor_slots(module).items()}
    if mine != theirs:
        raise CompileError(f"node '{node.id}' shares weights with '{leader}' (tie group) but needs "
                           f"weights of other shapes; give both the same sizes", node=node.id)


def _copy_weights(old: Module, new: Module):
    """Copy parameters and buffers that match by name and shape (device arrays, no host trip)."""
    old_t = _tensor_slots(old)
    for name, t in _tensor_slots(new).items():
        o = old_t.get(name)
        if o is not None and tuple(o.shape) == tuple(t.shape):
            xp = backend.array_module(o.data)
            t.data = xp.array(o.data, copy=True)


def _declared(node):
    shape = node.params.get("shape") or ()
    return (None, *shape) if shape else None


def _presented(dataset_shapes, x_shape, y_shape, kind):
    """What the validator gets: the Target's shape as the loss sees it (already
    presented, so no "task"), with the class count and kind for its class checks."""
    if not x_shape:
        return None
    out = {"x": x_shape, "y": y_shape}
    if (dataset_shapes or {}).get("samples"):   # for the memory estimate
        out["samples"] = dataset_shapes["samples"]
    n = (dataset_shapes or {}).get("n_classes")
    if n and kind not in (None, "none"):
        out["n_classes"], out["kind"] = n, kind
    return out


def _prediction_ref(flat, order, costs):
    """(node, port) of the prediction: an explicit Output node's input, else the tensor
    entering the first cost node's 'input' port."""
    for nid in order:
        if flat.nodes[nid].type == "Output":
            for e in flat.edges:
                if e.dst == nid:
                    return (e.src, e.src_port)
    for c in costs:
        for e in flat.edges:
            if e.dst == c and e.dst_port in ("input", "input1"):
                return (e.src, e.src_port)
    return None


def _dataset_shapes_from_settings(graph):
    """{"x", "y"} shapes of the dataset named in the settings, or None when there is none."""
    ds = dataset_from_settings(graph)
    return None if ds is None else ds.shape_info()


def dataset_from_settings(graph, error=CompileError):
    """The dataset named in the settings (a relative file path read from the graph's
    folder), or None when there is none; one that cannot be made raises ``error``."""
    spec = graph.settings.get("dataset")
    if not spec:
        return None
    from ..data import from_settings  # noqa: PLC0415 - data imports graph.registry

    try:
        return from_settings(spec, getattr(graph, "folder", None))
    except (ValueError, OSError) as exc:
        raise error(f"dataset: {exc}") from None


def _first_batch(graph, program, dataset):
    """Forward and backward on the first training batch, as step one of training will:
    what only running finds (a Flatten that folds the batch away, class weights of the
    wrong length) is then reported by `check` too, naming the node (a NodeError)."""
    from ..data import CLASSIFICATION, class_targets  # noqa: PLC0415
    from ..nn.graph_layers import bind_graph  # noqa: PLC0415

    bind_graph(program, dataset.graph)   # a graph's adjacency; a graph trains whole, as Session does
    n = len(dataset.x_train) if dataset.graph is not None else \
        min(int(setting(graph.settings, "batch_size")), len(dataset.x_train))
    x, y = dataset.x_train[:n], dataset.y_train[:n]
    if dataset.task == CLASSIFICATION and program.target_kind not in (None, "none"):
        y = class_targets(y, program.target_kind, dataset.n_classes)
    if setting(graph.settings, "trainer") in RULE_TRAINERS:   # no gradients: its rule reads y
        with no_grad():
            program(x, y)
        return
    _, loss = program(x, y)
    if loss is not None:
        loss.backward()
