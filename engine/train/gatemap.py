"""The mixture of experts' gate over the input plane: which expert the gate picks at each
point of a 2-D dataset's plane (the argmax of its weights) and how sure it is.

    req = GateMapRequest("moe")          # a panel's need; the training worker computes it
    gm = req.compute(session)            # a GateMap of host arrays, or None

Like the views of engine.train.views it only evaluates the model (eval mode, no
gradients) between training steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import backend

#: grid points per side
GRID_N = 60


@dataclass
class GateMap:
    node: str
    extent: tuple            # ((x0, x1), (y0, y1)) of the grid
    expert: np.ndarray       # (n, n) int: the expert with the largest gate weight (row = y)
    weight: np.ndarray       # (n, n) float: that weight (1/experts: undecided, 1: sure)
    n_experts: int


@dataclass(frozen=True)
class GateMapRequest:
    """What a panel puts in its needs() (hashable; see engine.train.views.ViewRequest)."""

    node: str
    n: int = GRID_N

    def compute(self, session):
        return gate_map(session, self.node, self.n)


def plane_extent(dataset, pad: float = 0.1) -> tuple:
    """The plane a 2-D dataset lives in: its declared extent, or its points' box padded."""
    if getattr(dataset, "extent", None):
        return tuple(tuple(map(float, e)) for e in dataset.extent)
    x = np.asarray(dataset.x_train, dtype=float)
    lo, hi = x.min(0), x.max(0)
    span = np.maximum(hi - lo, 1e-6) * pad
    return tuple((float(a - s), float(b + s)) for a, b, s in zip(lo, hi, span))


def gate_map(session, node: str, n: int = GRID_N) -> GateMap | None:
    """The gate's choice on an n x n grid over the plane; None unless the data are 2-D
    points and ``node`` keeps gates (a MixtureOfExperts)."""
    ds = session.dataset
    module = session.program.node_modules.get(node)
    if ds.x_train.ndim != 2 or ds.x_train.shape[1] != 2 or module is None:
        return None
    try:
        module.last_gates
    except AttributeError:
        return None
    (x0, x1), (y0, y1) = extent = plane_extent(ds)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    session.node_output(node, np.stack([X.ravel(), Y.ravel()], 1))   # the module keeps its gates
    gates = backend.to_numpy(module.last_gates.data).reshape(n, n, -1)
    return GateMap(node, extent, gates.argmax(-1), gates.max(-1).astype(float), gates.shape[-1])
