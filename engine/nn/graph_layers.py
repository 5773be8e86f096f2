"""Graph neural network layers: the graph's adjacency as a module, GCNConv and GATConv.

Transductive learning on one graph: every node's features go through the network at once,
one row per node, and the adjacency (N, N) says who passes messages to whom. The layers
follow PyTorch Geometric's ``GCNConv`` and ``GATConv`` (Glorot weights, a bias added after
the aggregation), written densely: the graphs of the lessons have at most a few
hundred nodes, so an (N, N) matrix product is the simplest and fastest form.
"""
from __future__ import annotations

import numpy as np

from .. import backend, ops
from ..autograd import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

NORMALIZATIONS = ("symmetric", "row", "none")
#: added to the attention score of a non-neighbour, so its softmax weight is exactly 0
_MASKED = -1e9


def normalized_adjacency(adjacency, normalization: str = "symmetric", self_loops: bool = True) -> np.ndarray:
    """Â from a 0/1 (or weighted) adjacency matrix A (host array, N x N):
    ``symmetric``: D^-1/2 (A + I) D^-1/2 (Kipf and Welling's GCN), ``row``: D^-1 (A + I)
    (the mean over the neighbours), ``none``: A + I. D is the degree matrix of A + I;
    without ``self_loops`` the I is left out (a node then forgets its own features)."""
    a = np.array(adjacency, dtype=np.float64)
    if self_loops:
        a = a + np.eye(len(a))
    if normalization == "none":
        return a
    degree = a.sum(1)
    with np.errstate(divide="ignore"):
        inv = np.where(degree > 0, 1.0 / degree, 0.0)   # an isolated node without self-loop: a zero row
    if normalization == "row":
        return inv[:, None] * a
    if normalization == "symmetric":
        s = np.sqrt(inv)
        return s[:, None] * a * s[None, :]
    raise ValueError(f"unknown normalization {normalization!r}: use one of {', '.join(NORMALIZATIONS)}")


class Adjacency(Module):
    """The normalised adjacency Â of the data's graph: a constant the dataset supplies
    (``bind``), not a weight. It holds nothing until bound; running unbound says the data
    are not a graph."""

    def __init__(self, normalization: str = "symmetric", self_loops: bool = True):
        super().__init__()
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"unknown normalization {normalization!r}: use one of {', '.join(NORMALIZATIONS)}")
        self.normalization, self.self_loops = normalization, bool(self_loops)
        # a plain attribute, not a buffer: it belongs to the data, so it is neither saved
        # with the weights nor counted as them
        object.__setattr__(self, "matrix", None)

    def bind(self, adjacency, device: str = "cpu"):
        """Take the graph's raw adjacency (host N x N array; None unbinds), on ``device``
        (bind after moving the program: Module.to moves parameters and buffers only)."""
        value = None
        if adjacency is not None:
            a = normalized_adjacency(adjacency, self.normalization, self.self_loops)
            value = Tensor(backend.to_device(a.astype(np.float32), device))
        object.__setattr__(self, "matrix", value)

    def forward(self):
        if self.matrix is None:
            raise ValueError("the data are not a graph: choose a dataset of the group 'Graphs' "
                             "(the adjacency comes from it)")
        return self.matrix

    def extra_repr(self):
        return f"normalization={self.normalization}, self_loops={self.self_loops}"


def bind_graph(program, graph, device: str = "cpu"):
    """Give every Adjacency module of ``program`` the adjacency of ``graph`` (an object
    with ``adjacency()``, e.g. engine.data.graphs.GraphData; None: the data are no graph)."""
    adjacency = None if graph is None else graph.adjacency()
    for m in program.modules():
        if isinstance(m, Adjacency):
            m.bind(adjacency, device)


def _check_nodes(input, adjacency):
    """The features must have one row per node of the graph."""
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(f"the adjacency must be a square (nodes, nodes) matrix, not {tuple(adjacency.shape)}")
    if input.ndim != 2 or input.shape[0] != adjacency.shape[0]:
        raise ValueError(f"the graph has {adjacency.shape[0]} nodes but the input has {input.shape[0]} rows: "
                         "a graph network takes the whole graph at once (batch size = number of nodes)")


class GCNConv(Module):
    """H' = Â H W^T + b (Kipf and Welling, 2017): each node's new features are the
    degree-weighted mean of its neighbours' (and its own) features, transformed by W.
    Init: Glorot (xavier_uniform_) weights and zero bias, as PyTorch Geometric."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(backend.numpy.zeros((out_features, in_features), dtype=np.float32))
        self.bias = Parameter(backend.numpy.zeros((out_features,), dtype=np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        init.xavier_uniform_(self.weight, generator=generator)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input, adjacency):
        _check_nodes(input, adjacency)
        out = ops.matmul(adjacency, ops.Linear().apply(input, self.weight))
        return out if self.bias is None else out + self.bias

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class GATConv(Module):
    """Graph attention (Velickovic et al., 2018), as PyTorch Geometric's GATConv: per head,
    h = x W^T, score e_ij = LeakyReLU(a_dst . h_i + a_src . h_j) for every neighbour j of i
    (where the adjacency is non-zero), weights alpha_ij = softmax over those j, and
    h'_i = sum_j alpha_ij h_j; heads are concatenated (or averaged), then a bias is added.
    ``last_attention`` keeps the attention weights (heads, N, N) of the last forward."""

    def __init__(self, in_features, out_features, heads=1, concat=True, negative_slope=0.2, bias=True):
        super().__init__()
        self.in_features, self.out_features, self.heads = in_features, out_features, heads
        self.concat, self.negative_slope = bool(concat), float(negative_slope)
        zeros = backend.numpy.zeros
        self.weight = Parameter(zeros((heads * out_features, in_features), dtype=np.float32))
        self.att_src = Parameter(zeros((heads, out_features), dtype=np.float32))
        self.att_dst = Parameter(zeros((heads, out_features), dtype=np.float32))
        width = heads * out_features if concat else out_features
        self.bias = Parameter(zeros((width,), dtype=np.float32)) if bias else None
        object.__setattr__(self, "last_attention", None)
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        for p in (self.weight, self.att_src, self.att_dst):
            init.xavier_uniform_(p, generator=generator)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input, adjacency):
        _check_nodes(input, adjacency)
        n, heads, c = input.shape[0], self.heads, self.out_features
        h = ops.Linear().apply(input, self.weight).reshape(n, heads, c)       # (N, H, C)
        src = (h * self.att_src).sum(-1)                                      # (N, H)
        dst = (h * self.att_dst).sum(-1)
        scores = F.leaky_relu(dst.transpose(0, 1).unsqueeze(2) + src.transpose(0, 1).unsqueeze(1),
                              self.negative_slope)                            # (H, N_i, N_j)
        xp = backend.array_module(adjacency.data)
        blocked = Tensor(xp.where(adjacency.data != 0, 0.0, _MASKED).astype(scores.data.dtype))
        alpha = F.softmax(scores + blocked, dim=-1)
        object.__setattr__(self, "last_attention", alpha.data)
        out = ops.matmul(alpha, h.transpose(0, 1)).transpose(0, 1)           # (N, H, C)
        out = out.reshape(n, heads * c) if self.concat else out.mean(1)
        return out if self.bias is None else out + self.bias

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, heads={self.heads}, "
                f"concat={self.concat}, negative_slope={self.negative_slope}")


def gat_weights(in_features, out_features, heads=1, concat=True, bias=True) -> int:
    """How many numbers a GATConv holds (for the registry's memory estimate)."""
    width = heads * out_features if concat else out_features
    return heads * out_features * (in_features + 2) + (width if bias else 0)


__all__ = ["Adjacency", "GCNConv", "GATConv", "bind_graph", "normalized_adjacency", "NORMALIZATIONS",
           "gat_weights"]
