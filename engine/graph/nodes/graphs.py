"""Node types of graph neural networks: adjacency, GCN and GAT layers.

The Adjacency node is observed data, like Input: its value is the normalised adjacency of
the dataset's graph (engine.data.graphs), bound by the session (engine.nn.graph_layers.bind_graph).
The layers take the node features (one row per node of the graph) and that matrix. None of
them has a PyTorch form (PyTorch Geometric is not torch.nn): a PyTorch export refuses them.
In ONNX the adjacency is a stored constant (the graph's, as the session bound it), and the
layers are written with the operators their forward uses.
"""
from __future__ import annotations

from ...i18n import _
from ...interop import onnx as to_onnx
from ..registry import FUNCTION, OBSERVED, NodeType, Port, ShapeError, register
from ._common import P, features, fmt, linear_weights

GROUP = "Graphs"

_ADJACENCY_IN = Port("adjacency", "the graph's normalised adjacency Â (nodes x nodes), from an Adjacency node")
_FEATURES_IN = Port("input", "the features of every node of the graph, one row per node")


def _adjacency_build(params, shapes):
    from ...nn.graph_layers import Adjacency  # noqa: PLC0415 - lazily, see the package docstring

    return Adjacency(params["normalization"], params["self_loops"])


register(NodeType(
    "Adjacency", OBSERVED, "The adjacency matrix of the dataset's graph, normalised as GCN does: "
    "Â = D^-1/2 (A + I) D^-1/2, with A[i, j] = 1 when nodes i and j are linked and D the degrees "
    "of A + I. A constant taken from the data (a dataset of the group Graphs), not learned.",
    outputs=(Port("out", "Â: one row and one column per node of the graph"),),
    params=(P("normalization", "choice", "symmetric", "symmetric: D^-1/2 (A+I) D^-1/2 (GCN); row: "
              "D^-1 (A+I), the mean over the neighbours; none: A + I", choices=("symmetric", "row", "none")),
            P("self_loops", "bool", True, "add I: each node also keeps its own features")),
    group="Data", build=_adjacency_build, onnx=to_onnx.onnx_value, extra={"weights": lambda p, s: 0},
    shape_rule=lambda p, s: {"out": (None, None)}, shape_doc="out = (nodes, nodes)"))


def _graph_rule(width):
    def rule(p, s):
        x, a = s["input"], s.get("adjacency")
        if len(x) != 2:
            raise ShapeError(_("expects node features of shape (nodes, features) but receives {shape}").format(
                shape=fmt(x)), port="input")
        features(x, p["in_features"])
        if a is not None and len(a) != 2:
            raise ShapeError(_("expects a (nodes, nodes) adjacency but receives {shape}").format(shape=fmt(a)),
                             port="adjacency")
        return {"out": (x[0], width(p))}
    return rule


def _gcn_build(params, shapes):
    from ...nn.graph_layers import GCNConv  # noqa: PLC0415

    return GCNConv(params["in_features"], params["out_features"], params["bias"])


def _gcn_onnx(g, params, ins, shapes, module):
    """Â (x W^T), then the bias: the order GCNConv.forward computes in."""
    mixed = g.op("MatMul", ins["adjacency"], to_onnx._linear(g, ins["input"], to_onnx._host(module.weight), None))
    bias = to_onnx._bias(module)
    return mixed if bias is None else g.op("Add", mixed, g.const(bias, hint="bias"))


_IN_OUT = (P("in_features", "int", 2, "features each node has", min=1),
           P("out_features", "int", 2, "features each node gets", min=1))
_BIAS = P("bias", "bool", True, "add a learnable bias")

register(NodeType(
    "GCNConv", FUNCTION, "Graph convolution (Kipf and Welling): H' = Â H W^T + b. Each node's new "
    "features are a weighted mean of its neighbours' and its own, transformed by the same W: one "
    "step of message passing along the edges.",
    inputs=(_FEATURES_IN, _ADJACENCY_IN), params=(*_IN_OUT, _BIAS), group=GROUP, learnable=True,
    build=_gcn_build, onnx=_gcn_onnx, shape_rule=_graph_rule(lambda p: p["out_features"]),
    extra={"weights": lambda p, s: linear_weights(p["in_features"], p["out_features"], p["bias"])},
    shape_doc="(nodes, in_features), (nodes, nodes) -> (nodes, out_features)"))


def _gat_build(params, shapes):
    from ...nn.graph_layers import GATConv  # noqa: PLC0415

    return GATConv(params["in_features"], params["out_features"], params["heads"], params["concat"],
                   params["negative_slope"], params["bias"])


def _gat_width(p):
    return p["out_features"] * (p["heads"] if p["concat"] else 1)


def _gat_weights(p, s):
    from ...nn.graph_layers import gat_weights  # noqa: PLC0415

    return gat_weights(p["in_features"], p["out_features"], p["heads"], p["concat"], p["bias"])


def _gat_onnx(g, params, ins, shapes, module):
    """GATConv.forward in ONNX operators: (N, H, C) features, (H, N, N) scores masked by the
    adjacency's zeros, softmax over the neighbours, heads joined or averaged, the bias."""
    heads, c = params["heads"], params["out_features"]
    h = to_onnx._linear(g, ins["input"], to_onnx._host(module.weight), None)
    h = g.op("Reshape", h, g.ints([0, heads, c]))

    def score(att, axis):   # a . h per node and head, as (H, N, 1) or (H, 1, N)
        per_node = g.op("ReduceSum", g.op("Mul", h, g.const(to_onnx._host(att), hint="att")), g.ints([-1]),
                        keepdims=0)
        return g.op("Unsqueeze", g.op("Transpose", per_node, perm=[1, 0]), g.ints([axis]))

    scores = g.op("LeakyRelu", g.op("Add", score(module.att_dst, 2), score(module.att_src, 1)),
                  alpha=float(params["negative_slope"]))
    from ...nn.graph_layers import _MASKED  # noqa: PLC0415

    blocked = g.op("Where", g.op("Equal", ins["adjacency"], g.k(0.0)), g.k(_MASKED), g.k(0.0))
    alpha = g.op("Softmax", g.op("Add", scores, blocked), axis=-1)
    out = g.op("Transpose", g.op("MatMul", alpha, g.op("Transpose", h, perm=[1, 0, 2])), perm=[1, 0, 2])
    if params["concat"]:
        out = g.op("Reshape", out, g.ints([0, -1]))
    else:
        out = g.op("ReduceMean", out, axes=[1], keepdims=0)
    bias = to_onnx._bias(module)
    return out if bias is None else g.op("Add", out, g.const(bias, hint="bias"))


register(NodeType(
    "GATConv", FUNCTION, "Graph attention (Velickovic et al.): each node mixes its neighbours' "
    "transformed features h_j = W x_j with learned weights, softmax over its neighbours of "
    "LeakyReLU(a . [h_i, h_j]). Only the non-zero pattern of the adjacency is used.",
    inputs=(_FEATURES_IN, _ADJACENCY_IN),
    params=(*_IN_OUT,
            P("heads", "int", 1, "independent attention heads", min=1, max=16),
            P("concat", "bool", True, "join the heads' outputs (true) or average them (false)"),
            P("negative_slope", "float", 0.2, "slope of the LeakyReLU on the scores", min=0.0, max=1.0),
            _BIAS),
    group=GROUP, learnable=True, build=_gat_build, onnx=_gat_onnx, shape_rule=_graph_rule(_gat_width),
    extra={"weights": _gat_weights},
    shape_doc="(nodes, in_features), (nodes, nodes) -> (nodes, heads x out_features or out_features)"))
