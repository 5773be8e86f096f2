"""The node-type registry: the one source of truth for every node a user can draw.

A ``NodeType`` declares its category, ports, parameters (type, default, range or
choices, one-line help), shape rule and how it builds into an engine module. The
palette, inspector, validation, compiler, file format and docs are generated from it;
adding a node type touches one place: a ``register(NodeType(...))`` call in
``engine.graph.nodes``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

#: Categories in the notation of the course notes (Figure 6 of the course text).
OBSERVED = "observed"      # Input, Target, Constant: shaded circles
PARAMETER = "parameter"    # a learnable tensor on its own
FUNCTION = "function"      # layers, ops, activations: rounded boxes
COST = "cost"              # losses and regularisers: scalar-valued
MODULE = "module"          # sub-graphs and ready-made blocks
CATEGORIES = (OBSERVED, PARAMETER, FUNCTION, COST, MODULE)

CATEGORY_TITLES = {OBSERVED: "Observed variables", PARAMETER: "Parameters",
                   FUNCTION: "Functions", COST: "Costs", MODULE: "Modules"}

PARAM_KINDS = ("int", "float", "bool", "choice", "str", "ints")


@dataclass(frozen=True)
class Port:
    name: str
    help: str = ""
    #: an input that may be left unconnected
    optional: bool = False
    #: an input that accepts several edges (e.g. Add, Concat)
    multi: bool = False


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str                      # one of PARAM_KINDS ("ints" = tuple of ints, e.g. a shape)
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()

    def check(self, value) -> str | None:
        """None when ``value`` is acceptable, else a sentence saying why not."""
        k = self.kind
        if k == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return "must be a whole number"
        elif k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "must be a number"
            if value != value:
                return "must be a number, not NaN"
        elif k == "choice":
            return None if value in self.choices else f"must be one of {', '.join(map(str, self.choices))}"
        elif k == "str":
            return None if isinstance(value, str) else "must be text"
        elif k == "ints":
            if not isinstance(value, (list, tuple)) or not all(
                    isinstance(v, int) and not isinstance(v, bool) for v in value):
                return "must be a list of whole numbers"
            return None
        if self.min is not None and value < self.min:
            return f"must be at least {self.min:g}"
        if self.max is not None and value > self.max:
            return f"must be at most {self.max:g}"
        return None


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
    #: build(params, input_shapes) -> engine.nn.Module (or None for parameter-free ops)
    build: Callable | None = None
    #: does it own learnable parameters (so tie groups apply)?
    learnable: bool = False
    extra: dict = field(default_factory=dict)

    def param(self, name) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def input(self, name) -> Port:
        for p in self.inputs:
            if p.name == name:
                return p
        raise KeyError(name)

    def output(self, name) -> Port:
        for p in self.outputs:
            if p.name == name:
                return p
        raise KeyError(name)


class ShapeError(ValueError):
    """A shape rule's refusal, in words a student understands."""


REGISTRY: dict[str, NodeType] = {}


def register(node_type: NodeType) -> NodeType:
    if node_type.name in REGISTRY:
        raise ValueError(f"node type '{node_type.name}' is registered twice")
    if node_type.category not in CATEGORIES:
        raise ValueError(f"node type '{node_type.name}': unknown category {node_type.category!r}")
    REGISTRY[node_type.name] = node_type
    return node_type


def get(name: str) -> NodeType | None:
    _ensure_loaded()
    return REGISTRY.get(name)


def all_types() -> list:
    _ensure_loaded()
    return list(REGISTRY.values())


_loaded = False


def _ensure_loaded():
    """Node declarations live in engine.graph.nodes; import them on first use."""
    global _loaded
    if not _loaded:
        _loaded = True
        from . import nodes  # noqa: F401,PLC0415
