"""The node-type registry: the one source of truth for every node a user can draw.

A ``NodeType`` declares its category, ports, parameters (type, default, range or
choices, one-line help), shape rule and how it builds into an engine module. The
palette, inspector, validation, compiler, file format and docs are generated from it;
adding a node type touches one place: a declaration in ``engine.graph.nodes``.

The contract between the registry and the compiler
--------------------------------------------------
* Shapes are tuples of ints whose first entry is the batch dimension, written ``None``
  (e.g. ``(None, 2)``); any entry may be ``None`` when unknown. Parameter and Constant
  nodes have no batch dimension (their shape is the tensor's own, e.g. ``(3, 4)``).
* ``NodeType.shape_rule(params, in_shapes) -> {out_port: shape}``. ``in_shapes`` maps
  each *connected* input port to its shape, or to a list of shapes (in edge order) for
  a ``multi`` port. It raises ``ShapeError("...")`` with a sentence a student can act on
  ("expects 4 features but receives 2"); the validator adds which node/port it was.
* ``NodeType.build(params, in_shapes) -> engine.nn.Module`` (``None`` for observed nodes:
  the program binds the dataset's x to Input.out and y to Target.out). The module's
  ``forward(**inputs)`` receives one keyword per connected input port, named exactly as
  the port (a list of Tensors for a ``multi`` port, in edge order; unconnected optional
  ports are simply absent) and returns a Tensor for a node with one output port ``out``,
  or a dict ``{out_port: Tensor}`` for several outputs. Layers whose torch ``forward``
  argument names equal our port names (Linear.forward(input), MSELoss.forward(input,
  target), Bilinear.forward(input1, input2)) are the engine.nn classes themselves.
* ``params`` passed to build/shape_rule are complete: ``NodeType.resolve(node.params)``
  fills missing entries with defaults.
* Port names: single-input functions read ``input`` and write ``out``; binary ops read
  ``a`` and ``b``; variadic ops read one ``multi`` port ``inputs``; costs read ``input``
  and ``target`` (or torch's own argument names) and write a scalar ``out``; observed
  nodes have no inputs and one output ``out``.
* Outputs can depend on params (``Split`` has ``out0..out{k-1}``): use
  ``NodeType.output_ports(params)``; a ``Module`` instance's ports come from its
  ModuleDef: use ``node_ports(node, graph)``.
* Nodes with ``learnable=True`` own parameters; nodes sharing a non-empty ``tie`` and the
  same type share them (the validator checks their parameter shapes agree:
  ``NodeType.param_shapes(params, in_shapes)`` is derived by building the module).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import UserError
from ..i18n import N_, _

#: Categories in the notation of the course notes (Figure 6 of the course text).
OBSERVED = "observed"      # Input, Target, Constant: shaded circles
PARAMETER = "parameter"    # a learnable tensor on its own
FUNCTION = "function"      # layers, ops, activations: rounded boxes
COST = "cost"              # losses and regularisers: scalar-valued
MODULE = "module"          # sub-graphs and ready-made blocks
CATEGORIES = (OBSERVED, PARAMETER, FUNCTION, COST, MODULE)

#: shown through engine.i18n._ (like every help text of the registry: see catalog_strings)
CATEGORY_TITLES = {OBSERVED: N_("Observed variables"), PARAMETER: N_("Parameters"),
                   FUNCTION: N_("Functions"), COST: N_("Costs"), MODULE: N_("Modules")}

#: "ints"/"floats" are lists (a shape, class weights); their min/max apply to each entry.
PARAM_KINDS = ("int", "float", "bool", "choice", "str", "ints", "floats")
#: each kind in words (ParamSpec.describe)
KIND_WORDS = {"int": N_("whole number"), "float": N_("number"), "bool": N_("true/false"), "str": N_("text"),
              "ints": N_("list of whole numbers"), "floats": N_("list of numbers")}


@dataclass(frozen=True)
class Port:
    name: str
    help: str = ""
    #: an input that may be left unconnected
    optional: bool = False
    #: an input that accepts several edges (e.g. Add, Concat)
    multi: bool = False


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _finite(v) -> bool:
    """A number a float can hold (a 400-digit integer cannot: float() would overflow)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str                      # one of PARAM_KINDS ("ints" = list of ints, e.g. a shape)
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    #: None is allowed (torch's "not given", e.g. Softmax(dim=None), class weight=None)
    nullable: bool = False

    def check(self, value) -> str | None:
        """None when ``value`` is acceptable, else a sentence saying why not."""
        if value is None:
            return None if self.nullable else _("must be given")
        k = self.kind
        if k == "bool":
            return None if isinstance(value, bool) else _("must be true or false")
        if k == "choice":
            return None if value in self.choices else _("must be one of {choices}").format(
                choices=", ".join(map(str, self.choices)))
        if k == "str":
            return None if isinstance(value, str) else _("must be text")
        if k in ("ints", "floats"):
            ok = _is_int if k == "ints" else _is_number
            if not isinstance(value, (list, tuple)) or not all(ok(v) for v in value):
                return _("must be a list of whole numbers") if k == "ints" else _("must be a list of numbers")
            for v in value:
                why = self._range(v)
                if why:
                    return _("every entry {problem}").format(problem=why)
            return None
        if k == "int" and not _is_int(value):
            return _("must be a whole number")
        if k == "float":
            if not _is_number(value):
                return _("must be a number")
            if not _finite(value):
                return _("must be a finite number")
        return self._range(value)

    def _range(self, value) -> str | None:
        if not _finite(value):
            return _("is far too large") if isinstance(value, int) else _("must be a finite number")
        if self.min is not None and value < self.min:
            return _("must be at least {value}").format(value=f"{self.min:g}")
        if self.max is not None and value > self.max:
            return _("must be at most {value}").format(value=f"{self.max:g}")
        return None

    def describe(self) -> str:
        """The allowed values in words (for the inspector's tooltip and docs)."""
        if self.kind == "choice":
            text = _("one of {choices}").format(choices=", ".join(map(str, self.choices)))
        else:
            text = _(KIND_WORDS[self.kind])
            if self.min is not None and self.max is not None:
                text += f" in [{self.min:g}, {self.max:g}]"
            elif self.min is not None:
                text += f" >= {self.min:g}"
            elif self.max is not None:
                text += f" <= {self.max:g}"
        return text + (_(", or none") if self.nullable else "")


@dataclass(frozen=True)
class NodeType:
    name: str
    category: str
    help: str
    inputs: tuple = ()
    outputs: tuple = (Port("out"),)
    params: tuple = ()
    #: palette group within the category ("Layers", "Activations", "Tensor ops", ...)
    group: str = ""
    #: shape_rule(params, {input_port: shape or list of shapes}) -> {output_port: shape};
    #: raises ShapeError with a student-readable message on mismatch.
    shape_rule: Callable | None = None
    #: build(params, input_shapes) -> engine.nn.Module (or None for observed nodes)
    build: Callable | None = None
    #: does it own learnable parameters (so tie groups apply)?
    learnable: bool = False
    extra: dict = field(default_factory=dict)
    #: outputs that depend on params (Split): dynamic_outputs(params) -> tuple of Port
    dynamic_outputs: Callable | None = None
    #: the shape rule in words, for docs/nodes.md and tooltips
    shape_doc: str = ""
    #: export(params, input_shapes) -> engine.interop.pytorch.TorchCode: how the node is
    #: written in an exported PyTorch script (None: the export refuses graphs holding it)
    export: Callable | None = None
    #: onnx(g, params, input names, input shapes, module) -> output name or {port: name}:
    #: the node as ONNX operators (engine.interop.onnx; None: the ONNX export refuses it)
    onnx: Callable | None = None

    def param(self, name) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: (list(p.default) if isinstance(p.default, tuple) else p.default)
                for p in self.params}

    def resolve(self, params: dict | None) -> dict:
        """Declared params with the node's values over the defaults (unknown keys kept)."""
        out = self.defaults()
        out.update(params or {})
        return out

    def check_params(self, params: dict | None) -> list:
        """[(param name, reason)] for every declared param whose value is not acceptable,
        plus params the type does not declare."""
        bad = []
        params = params or {}
        for spec in self.params:
            if spec.name in params:
                why = spec.check(params[spec.name])
                if why:
                    bad.append((spec.name, why))
        for name in params:
            if not any(p.name == name for p in self.params):
                bad.append((name, _("is not a setting of {type}").format(type=self.name)))
        return bad

    def input(self, name) -> Port:
        for p in self.inputs:
            if p.name == name:
                return p
        raise KeyError(name)

    def output(self, name) -> Port:
        for p in self.output_ports():
            if p.name == name:
                return p
        raise KeyError(name)

    def input_ports(self, params: dict | None = None) -> tuple:
        return self.inputs

    def output_ports(self, params: dict | None = None) -> tuple:
        if self.dynamic_outputs is not None:
            params = params or {}
            if any(s.name in params and s.check(params[s.name]) for s in self.params):
                # out of its declared range (chunks: 10**400 would make that many ports);
                # reported elsewhere: the ports follow the defaults meanwhile
                return tuple(self.dynamic_outputs(self.defaults()))
            try:
                return tuple(self.dynamic_outputs(self.resolve(params)))
            except (TypeError, ValueError):  # bad params are reported elsewhere
                return tuple(self.dynamic_outputs(self.defaults()))
        return self.outputs


class ShapeError(UserError, ValueError):
    """A shape rule's refusal, in words a student understands. ``port`` optionally names
    the input port at fault (the validator otherwise names the node's only input)."""

    def __init__(self, message: str, port: str | None = None):
        super().__init__(message)
        self.port = port


REGISTRY: dict[str, NodeType] = {}


def register(node_type: NodeType) -> NodeType:
    if node_type.name in REGISTRY:
        raise ValueError(f"node type '{node_type.name}' is registered twice")
    if node_type.category not in CATEGORIES:
        raise ValueError(f"node type '{node_type.name}': unknown category {node_type.category!r}")
    for spec in node_type.params:
        if spec.kind not in PARAM_KINDS:
            raise ValueError(f"node type '{node_type.name}': param '{spec.name}' has unknown kind {spec.kind!r}")
    REGISTRY[node_type.name] = node_type
    return node_type


def catalog_strings():
    """(text, where) of every text the registry declares for people to read: the node
    types' help, shape rules in words, palette groups, ports' and parameters' help. They
    are kept in English here and shown through ``engine.i18n._``; the catalogs take them
    from this list (``python -m playground.i18n update``), so a new node needs no marking."""
    _ensure_loaded()
    for title in CATEGORY_TITLES.values():
        yield title, "engine/graph/registry.py"
    for nt in REGISTRY.values():
        where = f"node {nt.name}"
        yield from ((text, where) for text in (nt.help, nt.shape_doc, nt.group) if text)
        for port in (*nt.inputs, *nt.outputs):
            if port.help:
                yield port.help, f"{where}, port {port.name}"
        for spec in nt.params:
            if spec.help:
                yield spec.help, f"{where}, parameter {spec.name}"


def get(name: str) -> NodeType | None:
    _ensure_loaded()
    return REGISTRY.get(name)


def all_types() -> list:
    _ensure_loaded()
    return list(REGISTRY.values())


def node_ports(node, graph=None) -> tuple:
    """(input ports, output ports) of a document node: from its type and params, or, for
    a ``Module`` instance, from the ModuleDef it names in ``graph``. Unknown types have
    no declared ports: ((), ())."""
    _ensure_loaded()
    if node.type == "Module":
        mdef = graph.modules.get(node.params.get("module")) if graph is not None else None
        if mdef is None:
            return (), ()
        return (tuple(Port(p.name, optional=False) for p in mdef.inputs),
                tuple(Port(p.name) for p in mdef.outputs))
    nt = REGISTRY.get(node.type)
    if nt is None:
        return (), ()
    return nt.input_ports(node.params), nt.output_ports(node.params)


_loaded = False


def _ensure_loaded():
    """Node declarations live in engine.graph.nodes; import them on first use."""
    global _loaded
    if not _loaded:
        _loaded = True
        from . import nodes  # noqa: F401,PLC0415
