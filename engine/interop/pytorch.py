"""Export a graph as a PyTorch script a student can read, run and extend.

    text, arrays = pytorch_script(graph, source="lesson.nnpg")
    export_pytorch(graph, "lesson.py")      # writes lesson.py and lesson.npz beside it

The script holds an ``nn.Module`` that mirrors the drawn graph (one submodule per node
that owns a module, named after the node; tied nodes call one submodule), the loss (the
sum of the cost nodes, as ``Program.forward``), the optimizer, schedule and training loop
of the file's settings, and the accuracy rule of ``Session``. The data set (as the
Session presents it: class targets already in the loss's form) and the starting weights
travel in the ``.npz`` beside the script. Batches are drawn by our DataLoader's rule
(one ``numpy.random.default_rng(seed).permutation`` per epoch), and the nodes that draw
random numbers (dropout masks, noise) draw the Session's Generator's numbers through the
script's ``PlaygroundRandom`` (one ``default_rng(seed)``, the same calls and shapes, in
Program.forward's order), so from the same weights and batches the script's loss after N
steps equals ``playground train``'s.

Each node type says how it is written through ``NodeType.export(params, in_shapes) ->
TorchCode`` beside its registry entry (see ``torch_module``/``torch_function``). A graph
with a node that has none, or with settings PyTorch has no counterpart for, is refused
with one line naming them (``ExportRefused``).
"""
from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import UserError
from ..i18n import _

#: optimizers and schedules torch.optim has under the same name, arguments and equations
TORCH_OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Rprop")
TORCH_SCHEDULES = ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR")
#: names the script's forward uses besides Python's builtins
RESERVED = ("self", "torch", "nn", "np", "math", "x", "y", "sum")
#: prefix of the weights' keys in the .npz (the data set's keys have none)
WEIGHTS_PREFIX = "weights."


class ExportRefused(UserError):
    """The graph or its settings have something the export cannot write (one line)."""


@dataclass(frozen=True)
class TorchCode:
    """How one node is written in the script.

    ``module``: the constructor of its submodule (``"nn.Linear(2, 3)"``), or None for a
    plain function of its inputs. ``call``: the expression computing it, a format string
    with ``{self}`` (the submodule) and one field per input port (a ``multi`` port is a
    list literal); None calls the submodule with the connected inputs in port order.
    ``outputs``: for several output ports, {port: expression of the call's result ``{r}``}.
    ``draws``: it draws random numbers (dropout, noise) through the script's ``draws`` (our
    Generator's numbers, see ``PlaygroundRandom`` in ``HELPERS``), in the order and shapes
    ours does. ``random``: it draws them from torch's own generator (inside a torch class
    the script cannot feed), so its batches' losses cannot equal ours. ``rename``: {our
    weight's name inside the node: torch's ("" for the submodule itself, e.g. an
    ``nn.Parameter``)} where they differ. ``classes``: names of ``HELPERS`` (classes
    torch.nn has not) the script must define for it."""
    module: str | None = None
    call: str | None = None
    outputs: dict = field(default_factory=dict)
    random: bool = False
    rename: dict = field(default_factory=dict)
    classes: tuple = ()
    draws: bool = False


def _literal(value, tensor=False) -> str:
    if tensor and isinstance(value, (list, tuple)):
        return f"torch.tensor({list(value)!r})"
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)


def torch_module(name, *, skip=(), tensors=(), call=None, outputs=None, random=None, helper=False):
    """The exporter of a node that builds ``engine.nn.<name>(**params)``: torch's
    ``nn.<name>`` with the same keyword arguments (``skip``: params torch does not take;
    ``tensors``: list params torch takes as tensors, e.g. class weights; ``random``: the
    param that, above 0, makes it draw random numbers in training; ``helper``: the class is
    not torch's but the script's own, from ``HELPERS``, and so draws ours).
    ``random=True``: it always draws."""
    def export(params, shapes):
        args = ", ".join(f"{k}={_literal(v, k in tensors)}" for k, v in params.items() if k not in skip)
        drawing = random is True or bool(random and (params.get(random) or 0) > 0)
        return TorchCode(f"{name}({args})" if helper else f"nn.{name}({args})", call, dict(outputs or {}),
                         drawing and not helper, classes=(name,) if helper else (), draws=drawing and helper)
    return export


def torch_function(template, draws=False, **outputs):
    """The exporter of a parameter-free op: ``template`` formatted with the node's params
    and its inputs' variables (e.g. ``"torch.cat({inputs}, dim={dim})"``). ``draws``: the
    template draws random numbers through the script's ``draws`` (e.g.
    ``"draws.standard_normal({like}.shape).to({like})"``)."""
    def export(params, shapes):
        return TorchCode(None, template, dict(outputs), False, classes=("PlaygroundRandom",) if draws else (),
                         draws=draws)
    return export


# ---------------------------------------------------------------------- the script
def _identifier(name: str, taken: set) -> str:
    base = re.sub(r"\W", "_", name) or "node"
    # a node named "sum" or "torch" must not hide what the script's forward calls
    if base[0].isdigit() or keyword.iskeyword(base) or base in RESERVED:
        base = "n_" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


def _refuse(what: list):
    raise ExportRefused(_("cannot export to PyTorch: {what}").format(what="; ".join(what)))


def _check_settings(session, graph) -> list:
    """What of the graph's and the session's settings PyTorch cannot do as we do (sentences).
    The scheme is read from the graph: a session made by hand may have left it out."""
    from ..graph import scheme  # noqa: PLC0415

    problems = []
    players = scheme.players(graph.settings)
    if players:
        problems.append(_("settings.scheme trains {n} players in turns, each with its own optimizer; the "
                          "script trains one loss with one optimizer").format(n=len(players)))
    if session.trainer != "gradient":
        problems.append(_("the '{trainer}' learning rule is not gradient descent").format(trainer=session.trainer))
    opt = type(session.optimizer).__name__
    if session.trainer == "gradient" and opt not in TORCH_OPTIMIZERS and not players:
        problems.append(_("torch.optim has no {optimizer} optimizer").format(optimizer=opt))
    if session.scheduler is not None and type(session.scheduler).__name__ not in TORCH_SCHEDULES:
        problems.append(_("torch has no {schedule} schedule").format(schedule=type(session.scheduler).__name__))
    return problems


def _node_codes(program):
    """({node id: (NodeType, TorchCode)} of every computing node, [why each other one is not])."""
    codes, missing = {}, []
    in_shapes = _input_shapes(program)
    for nid in program.order:
        fn = program.flat.nodes[nid]
        nt = fn.node_type
        if nt.name in ("Input", "Target"):
            continue
        if nt.export is None:
            missing.append(_("node '{node}' ({type}) has no PyTorch form").format(node=nid, type=nt.name))
            continue
        codes[nid] = (nt, nt.export(nt.resolve(fn.params), in_shapes[nid]))
    return codes, missing


def _input_shapes(program):
    shapes = {nid: {} for nid in program.order}
    for e in program.flat.edges:
        nt = program.flat.nodes[e.dst].node_type
        s = program.shapes.get((e.src, e.src_port))
        if nt.input(e.dst_port).multi:
            shapes[e.dst].setdefault(e.dst_port, []).append(s)
        else:
            shapes[e.dst][e.dst_port] = s
    return shapes


class _Flat(Exception):
    """The graph's modules nest, or share weights other than instance by instance: the
    script is written flat (one submodule per node of the expanded graph)."""


class _Scope:
    """One class being written: its submodules (``__init__``) and ``forward`` lines."""

    def __init__(self, program, codes, prefixes, path=""):
        self.program, self.codes, self.prefixes, self.path = program, codes, prefixes, path
        self.init, self.pred, self.rest, self.taken, self.attrs = [], [], [], set(), {}
        #: the flat nodes its forward runs, in order: (the prediction's, the rest's)
        self.ran = ([], [])

    def name(self, node_id) -> str:
        return _identifier(node_id, self.taken)

    def node(self, fid, var, fields, predict=True) -> dict:
        """Write flat node ``fid`` as ``var = ...`` from its inputs' expressions ``fields``;
        {output port: expression}."""
        nt, code = self.codes[fid]
        module = self.program.node_modules.get(fid)
        attr = None
        if code.module is not None:
            attr = self.attrs.get(id(module))
            if attr is None:   # the first of a tie group owns the submodule; the others call it
                attr = self.attrs[id(module)] = var
                self.init.append(f"        self.{attr} = {code.module}")
                # an Adapter holds the engine module as its child "module" (see graph.nodes._modules)
                inner, path = ("module." if type(module).__name__ == "Adapter" else ""), self.path + attr
                for ours, theirs in code.rename.items():
                    self.prefixes[f"{fid}.{inner}{ours}"] = f"{path}.{theirs}" if theirs else path
                self.prefixes[f"{fid}.{inner}"] = f"{path}."
        fields = {p: (f"[{', '.join(v)}]" if isinstance(v, list) else v) for p, v in fields.items()}
        if code.call is None:
            call = f"self.{attr}(" + ", ".join(fields[p.name] for p in nt.inputs if p.name in fields) + ")"
        else:
            params = nt.resolve(self.program.flat.nodes[fid].params)
            call = code.call.format(**{**params, **fields, "self": f"self.{attr}"})
        (self.pred if predict else self.rest).append(f"        {var} = {call}")
        self.ran[not predict].append(fid)
        ports = self.program.out_ports(fid)
        if code.outputs:
            return {port: code.outputs[port].format(r=var) for port in ports}
        return {ports[0]: var}

    def source(self, header, doc, signature, forward_doc, returns) -> list:
        return [header, f'    """{doc}"""', "", "    def __init__(self):", "        super().__init__()",
                *(self.init or ["        pass"]), "", f"    def forward({signature}):",
                f'        """{forward_doc}"""', *self.pred, *returns]


def _fields(edges, ref, node_type, start=None) -> dict:
    """{input port: expression (a list for a multi port)} of a node from its incoming edges."""
    fields = dict(start or {})
    for e in edges:
        value = ref[(e.src, e.src_port)]
        if node_type.input(e.dst_port).multi:
            fields.setdefault(e.dst_port, []).append(value)
        else:
            fields[e.dst_port] = value
    return fields


def _flat_net(program, codes, prefixes):
    """Net's scope and the expressions of every (node, port), one submodule per flat node."""
    net = _Scope(program, codes, prefixes)
    names = {nid: net.name(nid) for nid in program.order}
    ref = {(nid, "out"): {"Input": "x", "Target": "y"}[program.flat.nodes[nid].type]
           for nid in program.order if program.flat.nodes[nid].type in ("Input", "Target")}
    for nid in program.order:
        if nid in codes:
            fields = _fields(program.in_edges(nid), ref, codes[nid][0])
            out = net.node(nid, names[nid], fields, nid in program._predict_nodes)
            ref.update({(nid, port): e for port, e in out.items()})
    return net, ref


def _level_order(graph, first_flat):
    """The nodes of one drawn level in an order that runs each after its inputs (Kahn's,
    ties broken by where their first expanded node runs)."""
    need = {nid: {e.src for e in graph.edges if e.dst == nid} for nid in graph.nodes}
    order, ready = [], sorted((n for n, d in need.items() if not d), key=first_flat)
    while ready:
        nid = ready.pop(0)
        order.append(nid)
        for other, deps in need.items():
            if nid in deps:
                deps.discard(nid)
                if not deps and other not in order and other not in ready:
                    ready.append(other)
        ready.sort(key=first_flat)
    return order


def _nested_net(graph, program, codes, prefixes):
    """Net's scope with one class per module definition its instances use (instances tied
    together call one submodule), and the helper classes' source; raises _Flat when the
    modules nest or share weights otherwise."""
    position = {fid: i for i, fid in enumerate(program.order)}
    inside = {}   # instance id -> its flat nodes
    for fid in program.order:
        if "/" in fid:
            inside.setdefault(fid.split("/", 1)[0], []).append(fid)

    def first_flat(nid):
        return min((position[f] for f in inside.get(nid, [nid]) if f in position), default=len(position))

    net = _Scope(program, codes, prefixes)
    ref = {}
    classes, class_of, owner = [], {}, {}   # owner: id(engine module) -> instance or node that holds it
    bodies = {}   # module definition -> the lines its first instance was written with
    body = {}     # module definition -> its nodes in the order its class runs them
    instances = {nid for nid, n in graph.nodes.items() if n.type == "Module"}
    for nid in _level_order(graph, first_flat):
        node = graph.nodes[nid]
        if node.type in ("Input", "Target"):
            ref[(nid, "out")] = "x" if node.type == "Input" else "y"
            continue
        incoming = [e for e in graph.edges if e.dst == nid]
        if node.type != "Module":
            if nid not in codes:
                continue
            module = program.node_modules.get(nid)
            if module is not None:
                if owner.get(id(module), nid) in instances:   # a node tied to a module's inside
                    raise _Flat
                owner[id(module)] = nid
            out = net.node(nid, net.name(nid), _fields(incoming, ref, codes[nid][0]),
                           nid in program._predict_nodes)
            ref.update({(nid, port): e for port, e in out.items()})
            continue
        mdef = graph.modules.get(node.params.get("module"))
        flat = inside.get(nid, [])
        if mdef is None or any(n.type == "Module" for n in mdef.graph.nodes.values()):
            raise _Flat
        # the instance's submodules that hold weights (parameter-free ones need no sharing)
        held = tuple(id(m) for f in flat if (m := program.node_modules.get(f)) is not None and m.state_dict())
        sharers = {owner.get(h) for h in held}
        var = net.name(nid)
        if sharers == {None} or not held:   # weights of its own: a submodule of its own
            inner = _Scope(program, codes, prefixes, f"{var}.")
            _module_body(inner, mdef, nid)   # names this instance's weights var.<inner node>...
            body.setdefault(mdef.name, [f.split("/", 1)[1] for f in inner.ran[0]])
            if bodies.setdefault(mdef.name, inner.init + inner.pred) != inner.init + inner.pred:
                raise _Flat   # instances of one definition written differently (other shapes)
            if mdef.name not in class_of:
                class_of[mdef.name] = _identifier(
                    "".join(w[:1].upper() + w[1:] for w in re.split(r"\W|_", mdef.name) if w) or "Block",
                    set(HELPERS) | {"Net", *class_of.values()})
                classes.append(_module_class(class_of[mdef.name], mdef, nid, program, codes))
            net.init.append(f"        self.{var} = {class_of[mdef.name]}()")
            owner.update({h: nid for h in held})
            attr = var
        elif len(sharers) == 1 and sharers <= instances and held == tuple(h for h in owner if owner[h] in sharers):
            attr = net.attrs[("instance", next(iter(sharers)))]   # tied: the same submodule, called again
        else:
            raise _Flat   # some of its weights shared, others not
        args = ", ".join(next((ref[(e.src, e.src_port)] for e in incoming if e.dst_port == p.name), "None")
                         for p in mdef.inputs)
        predict = all(f in program._predict_nodes for f in flat)
        (net.pred if predict else net.rest).append(f"        {var} = self.{attr}({args})")
        net.ran[not predict].extend(f"{nid}/{inner}" for inner in body[mdef.name])
        outs = [p.name for p in mdef.outputs]
        ref.update({(nid, port): (var if len(outs) == 1 else f"{var}[{i}]") for i, port in enumerate(outs)})
        net.attrs[("instance", nid)] = attr
    return net, ref, classes


def _module_body(scope, mdef, instance) -> list:
    """Write a module definition's nodes (as instance ``instance`` expanded them) into
    ``scope``; the expressions of its outputs."""
    program = scope.program
    args = {p.name: scope.name(p.name) for p in mdef.inputs}
    ref, start = {}, {}
    for p in mdef.inputs:
        inner = mdef.graph.nodes[p.node]
        if inner.type in ("Input", "Target"):
            ref[(p.node, p.port)] = args[p.name]
        else:   # the port feeds an inner node's input directly
            start.setdefault(p.node, {})[p.port] = args[p.name]
    position = {fid: i for i, fid in enumerate(program.order)}
    for nid in _level_order(mdef.graph, lambda n: position.get(f"{instance}/{n}", -1)):
        fid = f"{instance}/{nid}"
        if fid not in scope.codes:
            continue
        incoming = [e for e in mdef.graph.edges if e.dst == nid]
        out = scope.node(fid, scope.name(nid), _fields(incoming, ref, scope.codes[fid][0], start.get(nid)))
        ref.update({(nid, port): e for port, e in out.items()})
    return [args[p.name] for p in mdef.inputs], [ref[(p.node, p.port)] for p in mdef.outputs]


def _module_class(name, mdef, instance, program, codes) -> str:
    scope = _Scope(program, codes, {})
    args, outs = _module_body(scope, mdef, instance)
    returns = [f"        return {outs[0] if len(outs) == 1 else '(' + ', '.join(outs) + ')'}"]
    return "\n".join(scope.source(f"class {name}(nn.Module):", f"The module {mdef.name!r} of the drawn graph.",
                                  ", ".join(["self", *args]),
                                  "Its outputs: " + ", ".join(p.name for p in mdef.outputs) + ".", returns))


def _draws_in_order(program, codes, net) -> bool:
    """Whether the script's forward, with targets, runs the nodes that draw our random
    numbers in the order Program.forward does (it runs the prediction's nodes first, then
    the rest; a module's class runs its nodes in its first instance's order), so that each
    draws the same numbers as ours."""
    drawing = {f for f, (nt, code) in codes.items() if code.draws}
    return [f for f in net.ran[0] + net.ran[1] if f in drawing] == [f for f in program.order if f in drawing]


def _needs(name) -> list:
    """The helpers ``name`` uses, then itself."""
    return [*(n for dep in HELPER_NEEDS.get(name, ()) for n in _needs(dep)), name]


def _model_source(graph, program, codes):
    """(the script's classes, {engine weight prefix: torch prefix}, whether the forward
    draws our random numbers in our order): the Net and the classes it uses."""
    prefixes, classes = {}, []
    try:
        if not graph.modules or not any(n.type == "Module" for n in graph.nodes.values()):
            raise _Flat
        net, ref, classes = _nested_net(graph, program, codes, prefixes)
        pred_ref = next(k for k, s in program._slot_of.items() if s == program._pred_slot) \
            if program._pred_slot is not None else None
        if (pred_ref and pred_ref not in ref) or any((c, "out") not in ref for c in program.cost_nodes):
            raise _Flat
        if not _draws_in_order(program, codes, net):
            raise _Flat   # instances whose insides interleave with other nodes' draws
    except _Flat:
        prefixes.clear()
        classes = []
        net, ref = _flat_net(program, codes, prefixes)
    pred = "None"
    if program._pred_slot is not None:
        pred = ref[next(k for k, s in program._slot_of.items() if s == program._pred_slot)]
    costs = " + ".join(ref[(c, "out")] for c in program.cost_nodes) or "None"
    needed = []
    for nt, code in codes.values():
        for name in code.classes:
            needed += [n for n in _needs(name) if n not in needed]
    src = [*(HELPERS[name] + "\n\n" for name in needed), *(c + "\n\n" for c in classes),
           *net.source("class Net(nn.Module):",
                       "The drawn graph: one submodule per node that owns one, named after the node.",
                       "self, x, y=None", "(prediction, loss); the loss (the sum of the cost nodes) only with targets y.",
                       ["        if y is None:", f"            return {pred}, None", *net.rest,
                        f"        return {pred}, {costs}"])]
    return "\n".join(src), prefixes, _draws_in_order(program, codes, net)


def _torch_weights(program, prefixes) -> dict:
    out = {}
    for name, array in program.state_dict().items():
        for engine_prefix, torch_prefix in prefixes.items():
            if name.startswith(engine_prefix):
                out[WEIGHTS_PREFIX + torch_prefix + name[len(engine_prefix):]] = np.asarray(array)
                break
    return out


def _call(name, spec, first) -> str:
    args = [first] + [f"{k}={_literal(v)}" for k, v in spec.items() if k != "name"]
    return f"{name}({', '.join(args)})"


def pytorch_script(graph, source: str = "graph.nnpg", seed=None, weights: dict | None = None, session=None):
    """(script text, {npz key: array}) for ``graph``, starting from ``weights`` (as
    ``Session.weights()`` gives them: the app's trained ones) or else from the weights
    ``playground train`` starts from. Raises ExportRefused naming what cannot be exported
    (and the Session's own UserErrors for a graph that cannot be trained). ``session``: a
    fresh Session of ``graph`` to export instead (e.g. one converted to float64)."""
    from ..graph.schema import setting  # noqa: PLC0415
    from ..train import Session  # noqa: PLC0415

    if session is None:
        session = Session.from_graph(graph, seed=seed, replay=False)
    if weights is not None:
        session.load_weights(weights)
    program = session.program
    codes, problems = _node_codes(program)
    problems += _check_settings(session, graph)
    if problems:
        _refuse(problems)
    model, prefixes, in_order = _model_source(graph, program, codes)
    # the data as the Session trains on it: class targets already in the loss's form
    arrays = {k: np.asarray(v) for k, v in (("x_train", session.x_train), ("y_train", session.y_train),
                                             ("x_test", session.x_test), ("y_test", session.y_test))}
    weights = _torch_weights(program, prefixes)
    dtype = next((a.dtype for a in weights.values() if a.dtype.kind == "f"), session.x_train.dtype)
    for key in ("y_train", "y_test"):   # class targets come as float32: exact in float64, as numpy promotes
        if arrays[key].dtype.kind == "f":
            arrays[key] = arrays[key].astype(dtype)
    arrays.update(weights)
    s = graph.settings or {}
    optimizer = dict(setting(s, "optimizer") or {"name": "SGD"})
    schedule = setting(s, "schedule")
    rule = session._acc_rule
    text = SCRIPT.format(
        source=os.path.basename(str(source)),
        random_note=_random_note(codes, in_order),
        stopping_note=("# settings.early_stopping is not reproduced here: training runs all its steps.\n"
                       if s.get("early_stopping") else ""),
        dtype=dtype, model=model,
        optimizer=_call(f"torch.optim.{optimizer.get('name', 'SGD')}", optimizer, "model.parameters()"),
        schedule=(_call(f"torch.optim.lr_scheduler.{schedule['name']}", schedule, "optimizer")
                  if session.scheduler is not None else "None"),
        clip=repr(float(session.clip_grad_norm)) if session.clip_grad_norm else "None",
        batch_size=session.batch_size, shuffle=bool(session._loader.shuffle), seed=session.seed,
        steps=int(setting(s, "steps") or 0),
        accuracy=_accuracy_source(rule, session._truth_threshold))
    return text, arrays


def _random_note(codes, in_order) -> str:
    """The script's comment on its nodes that draw random numbers in training: whether
    their draws, and so the losses, are NN Playground's."""
    ours = ", ".join(nid for nid, (nt, c) in codes.items() if c.draws)
    torch_own = ", ".join(nid for nid, (nt, c) in codes.items() if c.random)
    note = ""
    if ours and in_order:
        note += (f"# Nodes that draw random numbers ({ours}) draw NN Playground's own\n"
                 "# (see PlaygroundRandom), so their masks, noise and samples, and the losses, are the playground's.\n")
    elif ours:
        note += (f"# Nodes that draw random numbers ({ours}) draw NN Playground's numbers in\n"
                 "# another order: their masks, and so the losses, differ from NN Playground's.\n")
    if torch_own:
        note += (f"# Nodes that draw random numbers ({torch_own}) use torch's generator:\n"
                 "# their masks, and so the losses, differ from NN Playground's.\n")
    return note


def _accuracy_source(rule, truth_threshold) -> str:
    if rule is None:
        return "    return None   # regression: no accuracy"
    kind, threshold = rule
    argmax = ("    if pred.ndim >= 2 and pred.shape[-1] > 1:\n"
              "        cls = pred.argmax(-1)\n"
              "        truth = target.argmax(-1) if target.ndim == pred.ndim else target\n"
              "        return (cls == truth.reshape(cls.shape)).double().reshape(len(pred), -1).mean(-1).mean().item()\n")
    if kind == "argmax":
        return argmax + "    raise ValueError('argmax accuracy needs one score per class')"
    return argmax + (f"    hits = (pred.reshape(len(pred), -1) > {threshold!r}) == "
                     f"(target.reshape(len(target), -1) > {truth_threshold!r})\n"
                     "    return hits.double().mean(-1).mean().item()")


def export_pytorch(graph, path, source: str | None = None, seed=None, weights: dict | None = None) -> dict:
    """Write the script to ``path`` and its data and weights to the .npz beside it;
    returns the arrays written."""
    from ..graph.fileformat import atomic_write  # noqa: PLC0415

    text, arrays = pytorch_script(graph, source or str(path), seed=seed, weights=weights)
    npz = os.path.splitext(str(path))[0] + ".npz"
    atomic_write(npz, lambda f: np.savez(f, **arrays))
    atomic_write(path, text.encode("utf-8"))
    return arrays


SCRIPT = '''"""A PyTorch version of {source}, exported by NN Playground.

    python THIS.py [--steps N] [--metrics-json OUT.json]

The network below mirrors the drawn graph; the data set and the starting weights are in
the .npz file beside this script. Mini-batches are drawn as NN Playground draws them, so
from the same weights the losses are the ones the playground shows.
"""
import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

{random_note}{stopping_note}torch.set_default_dtype(torch.{dtype})
BATCH_SIZE = {batch_size}
SHUFFLE = {shuffle}
SEED = {seed}
STEPS = {steps}
CLIP_GRAD_NORM = {clip}


{model}


def batches(n, batch_size, seed, shuffle=True):
    """(new epoch?, sample indices) of each mini-batch: a fresh shuffle of the training
    set per epoch from numpy's default_rng(seed) (with shuffle; else the samples in their
    order: the nodes of one graph), cut into consecutive batches."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for first in range(0, n, batch_size):
            yield first == 0, torch.from_numpy(order[first:first + batch_size])


def accuracy(pred, target):
    """The share of samples whose predicted class is right, by NN Playground's rule."""
{accuracy}


def evaluate(model, data):
    """Loss (and accuracy) on the whole training and test sets, in evaluation mode."""
    model.eval()
    metrics = {{}}
    with torch.no_grad():
        for split in ("train", "test"):
            x, y = data["x_" + split], data["y_" + split]
            if len(x) == 0:
                continue
            pred, loss = model(x, y)
            metrics[split + "_loss"] = loss.item()
            acc = accuracy(pred, y)
            if acc is not None:
                metrics[split + "_acc"] = acc
    model.train()
    # JSON has no NaN or Infinity: they are written as null
    return {{k: v if math.isfinite(v) else None for k, v in metrics.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--metrics-json", metavar="OUT")
    args = parser.parse_args()

    torch.manual_seed(SEED)
    stored = np.load(Path(__file__).with_suffix(".npz"), allow_pickle=False)
    data = {{k: torch.from_numpy(stored[k]) for k in ("x_train", "y_train", "x_test", "y_test")}}
    model = Net()
    prefix = "{weights_prefix}"
    model.load_state_dict({{k[len(prefix):]: torch.from_numpy(stored[k])
                           for k in stored.files if k.startswith(prefix)}})
    optimizer = {optimizer}
    schedule = {schedule}

    start, loss_value, done, nan = time.perf_counter(), float("nan"), 0, None
    mini_batches = batches(len(data["x_train"]), BATCH_SIZE, SEED, SHUFFLE)
    for step in range(args.steps):
        new_epoch, index = next(mini_batches)
        if new_epoch and step > 0 and schedule is not None:
            schedule.step()   # schedules count epochs
        _, loss = model(data["x_train"][index], data["y_train"][index])
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            nan = {{"node": None, "step": step + 1, "message": "the loss is not finite"}}
            break
        optimizer.zero_grad()
        loss.backward()
        if CLIP_GRAD_NORM:
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)
        optimizer.step()
        done += 1
    seconds = time.perf_counter() - start
    metrics = evaluate(model, data) if nan is None else {{}}
    print(f"{{done}} steps, last batch loss {{loss_value:.6g}}, " + ", ".join(
        f"{{k}} {{v:.4g}}" for k, v in metrics.items()))
    if args.metrics_json:
        out = {{"file": __file__, "steps_requested": args.steps, "steps": done, "seconds": seconds,
               "loss": loss_value if math.isfinite(loss_value) else None,
               "metrics": metrics, "verdicts": [], "nan": nan}}
        Path(args.metrics_json).write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
'''.replace("{weights_prefix}", WEIGHTS_PREFIX)


#: classes a script defines where torch.nn has none: the same computations as engine.nn's
#: (and the same weight names, so the .npz loads into them)
HELPERS = {
    "PlaygroundRandom": '''class PlaygroundRandom:
    """NN Playground's random numbers, so that the masks and noise below are the playground's:
    one numpy.random.default_rng(SEED) for the whole run, as the playground makes one per
    training session, drawn by every random layer in the order the forward calls them, with
    the same calls and shapes as the playground's layers, then handed to torch.

    torch's own layers draw from torch's generator instead (seeded by torch.manual_seed):
    nn.Dropout(p) is the same layer as Dropout(p) below, torch.randn_like(x) the same noise
    as draws.standard_normal(x.shape).to(x). Use them to go back to torch's generator: the
    network learns the same way, but from other random numbers than the playground's."""

    def __init__(self, seed):
        self.training_rng = np.random.default_rng(seed)
        # evaluation (evaluate() runs under torch.no_grad) draws from a second generator,
        # as the playground's does: looking at a run changes nothing of its training
        self.evaluation_rng = np.random.default_rng(
            int(np.random.SeedSequence([abs(seed), 1]).generate_state(1)[0]))

    @property
    def rng(self):
        return self.training_rng if torch.is_grad_enabled() else self.evaluation_rng

    def random(self, shape):
        """Uniform numbers in [0, 1), float64 (.to(x) gives x's dtype and device)."""
        return torch.from_numpy(self.rng.random(tuple(shape)))

    def standard_normal(self, shape):
        """Numbers from N(0, 1), float64."""
        return torch.from_numpy(self.rng.standard_normal(tuple(shape)))

    def uniform(self, low, high, shape):
        """Uniform numbers in [low, high), float64."""
        return torch.from_numpy(self.rng.uniform(low, high, tuple(shape)))


draws = PlaygroundRandom(SEED)''',
    "Dropout": '''class Dropout(nn.Module):
    """nn.Dropout with NN Playground's random numbers (see PlaygroundRandom): in training,
    zeroes each value with probability p and scales the others by 1 / (1 - p); nothing in
    evaluation. Write nn.Dropout(p) instead to draw from torch's generator."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        if self.p == 1:
            return x * 0.0
        keep = draws.random(x.shape) >= self.p
        return x * (keep.to(x) * (1.0 / (1.0 - self.p)))''',
    "GaussianNoise": '''class GaussianNoise(nn.Module):
    """Noise injection: adds N(0, std^2) to every value in training, nothing in evaluation.
    The noise is NN Playground's (see PlaygroundRandom); torch's generator would give
    x + self.std * torch.randn_like(x)."""

    def __init__(self, std=0.1):
        super().__init__()
        self.std = std

    def forward(self, x):
        if not self.training or self.std == 0:
            return x
        return x + draws.standard_normal(x.shape).to(x) * self.std''',
    "RReLU": '''class RReLU(nn.Module):
    """nn.RReLU with NN Playground's random numbers (see PlaygroundRandom): in training, a
    slope drawn from U(lower, upper) for each negative value; in evaluation their mean.
    Write nn.RReLU(lower, upper) instead to draw from torch's generator."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3):
        super().__init__()
        self.lower, self.upper = lower, upper

    def forward(self, x):
        if not self.training:
            return nn.functional.leaky_relu(x, (self.lower + self.upper) / 2)
        slope = draws.uniform(self.lower, self.upper, x.shape)
        return x * torch.where(x > 0, 1.0, slope).to(x)''',
    "Reparameterize": '''class Reparameterize(nn.Module):
    """The reparameterisation trick of a VAE: z = mu + exp(logvar / 2) * eps in training, with
    eps ~ N(0, 1) from NN Playground's random numbers (see PlaygroundRandom); mu in
    evaluation. torch's generator would give eps = torch.randn_like(mu)."""

    def forward(self, mu, logvar):
        if not self.training:
            return mu
        eps = draws.standard_normal(mu.shape).to(mu)
        return mu + torch.exp(logvar * 0.5) * eps''',
    "PositionalEncoding": '''class PositionalEncoding(nn.Module):
    """Adds the sinusoidal position code of Vaswani et al. (2017):
    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d))."""

    def __init__(self, d_model, max_len=5000, dropout=0.0, batch_first=False):
        super().__init__()
        self.batch_first = batch_first
        pos = torch.arange(max_len, dtype=torch.float64)[:, None]
        div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)[:, :d_model // 2]
        self.register_buffer("pe", pe.to(torch.get_default_dtype()))
        self.dropout = Dropout(dropout)

    def forward(self, x):
        length = x.shape[1] if self.batch_first else x.shape[0]
        pe = self.pe[:length]
        return self.dropout(x + (pe[None] if self.batch_first else pe[:, None]))''',
    "MLP": '''class MLP(nn.Module):
    """A sub-network: Linear, or Linear -> ReLU -> Linear when hidden is given."""

    def __init__(self, in_features, out_features, hidden=None):
        super().__init__()
        if hidden:
            self.fc1 = nn.Linear(in_features, hidden)
            self.fc2 = nn.Linear(hidden, out_features)
        else:
            self.fc = nn.Linear(in_features, out_features)
        self.hidden = hidden

    def forward(self, x):
        if self.hidden:
            return self.fc2(torch.relu(self.fc1(x)))
        return self.fc(x)


def weighted_sum(weights, outputs):
    """s = sum_j w_j x_j: weights (..., J), outputs a list of J tensors (..., D)."""
    return (weights.unsqueeze(-2) @ torch.stack(outputs, -2)).squeeze(-2)''',
    "AttentionModule": '''class AttentionModule(nn.Module):
    """The attention module of the course notes (section 3.1): a controller scores the
    branches, w = softmax(z), and the output is s = sum_j w_j x_j over the branches' outputs."""

    def __init__(self, in_features, out_features, num_branches=3, hidden=None, controller_hidden=None):
        super().__init__()
        self.controller = MLP(in_features, num_branches, controller_hidden)
        self.branches = nn.ModuleList([MLP(in_features, out_features, hidden) for _ in range(num_branches)])

    def forward(self, x):
        w = torch.softmax(self.controller(x), -1)
        return weighted_sum(w, [branch(x) for branch in self.branches])''',
    "MixtureOfExperts": '''class MixtureOfExperts(nn.Module):
    """A gate scores the experts, softmax turns the scores into weights (with top_k only
    the k best keep weight) and the output is the weighted sum of the experts' outputs."""

    def __init__(self, in_features, out_features, num_experts=4, hidden=None, top_k=None):
        super().__init__()
        self.num_experts, self.top_k = num_experts, top_k
        self.gate = nn.Linear(in_features, num_experts)
        self.experts = nn.ModuleList([MLP(in_features, out_features, hidden) for _ in range(num_experts)])

    def forward(self, x):
        logits = self.gate(x)
        if self.top_k is not None and self.top_k < self.num_experts:
            kth = logits.sort(dim=-1).values[..., -self.top_k, None]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        return weighted_sum(torch.softmax(logits, -1), [expert(x) for expert in self.experts])''',
}
#: helpers a helper uses
HELPER_NEEDS = {"AttentionModule": ("MLP",), "MixtureOfExperts": ("MLP",), "Dropout": ("PlaygroundRandom",),
                "GaussianNoise": ("PlaygroundRandom",), "RReLU": ("PlaygroundRandom",),
                "Reparameterize": ("PlaygroundRandom",),
                "PositionalEncoding": ("Dropout",)}
