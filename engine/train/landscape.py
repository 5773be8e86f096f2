"""Loss landscapes: where training went, and what the loss looks like around it.

- ``pca_plane(trajectory)``: the two principal directions of the parameter trajectory
  (centred on its last point, as Li et al. 2018 do), so the path can be drawn in 2-D.
- ``filter_normalized_directions(program)``: random directions scaled filter by filter
  to the norms of the weights they perturb (Li et al. 2018, "Visualizing the Loss
  Landscape of Neural Nets"), so the picture does not depend on the weights' scale.
- ``loss_grid(session, center, d1, d2, alphas, betas)`` and ``loss_along(...)``: the loss
  at center + a d1 + b d2 (on a fixed set of training samples, eval mode, no gradients).

All parameter vectors here are flat host arrays in ``program.named_parameters()`` order
(the order of ``Session.trajectory``). The grid of parameter vectors is built in one
array operation; each point then costs one forward pass with the parameters swapped in
as views (no per-parameter copies), and all losses come back in one transfer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import backend
from ..autograd import _make, no_grad


@dataclass
class Plane:
    center: np.ndarray        # (P,) the point the plane goes through
    d1: np.ndarray            # (P,) unit direction (first principal component)
    d2: np.ndarray            # (P,) unit direction, orthogonal to d1
    coords: np.ndarray        # (T, 2) the trajectory's coordinates in the plane
    explained: np.ndarray     # (2,) fraction of the trajectory's variance along d1, d2


def pca_plane(trajectory, center=None, seed: int = 0) -> Plane:
    """The plane of the two principal components of ``trajectory`` (T, P) around
    ``center`` (default: the last point). With fewer than two independent moves, the
    missing direction is a random one orthogonal to the first."""
    traj = np.asarray(trajectory, dtype=np.float64)
    if traj.ndim != 2 or len(traj) == 0:
        raise ValueError("the trajectory needs at least one point (train for a few probes first)")
    center = traj[-1] if center is None else np.asarray(center, dtype=np.float64)
    moves = traj - center
    # Principal directions from the small T x T Gram matrix (T probes << P parameters):
    # moves = U S Vt, so moves moves^T = U S^2 U^T and Vt = S^-1 U^T moves. This is the
    # same answer as an SVD of moves at a fraction of the cost, which matters because the
    # trajectory panel recomputes it while training runs.
    var, u = np.linalg.eigh(moves @ moves.T)
    var, u = np.clip(var[::-1], 0.0, None), u[:, ::-1]
    # the Gram matrix squares the singular values, so its rounding is ~1e-16 of var[0]:
    # directions below 1e-12 of it are noise (and explain nothing)
    keep = var > 1e-12 * max(var[0] if len(var) else 0.0, 1e-300)
    top = np.flatnonzero(keep)[:2]   # the plane needs two directions, not all T of them
    vt = (u[:, top].T @ moves) / np.sqrt(var[top])[:, None]
    total = var.sum()
    rng = np.random.default_rng(seed)
    dirs = [vt[i] / np.linalg.norm(vt[i]) for i in range(min(2, len(vt)))]
    if len(dirs) == 2:     # exact orthogonality despite rounding
        dirs[1] = dirs[1] - (dirs[1] @ dirs[0]) * dirs[0]
        dirs[1] /= np.linalg.norm(dirs[1])
    while len(dirs) < 2:   # complete an orthonormal pair (Gram-Schmidt on a random vector)
        r = rng.standard_normal(traj.shape[1])
        for d in dirs:
            r -= (r @ d) * d
        dirs.append(r / np.linalg.norm(r))
    d1, d2 = dirs
    explained = np.array([var[0] / total if total > 0 and len(var) > 0 else 0.0,
                          var[1] / total if total > 0 and len(var) > 1 else 0.0])
    return Plane(center, d1, d2, moves @ np.stack([d1, d2], axis=1), explained)


def filter_normalized_directions(program, n: int = 2, seed: int = 0) -> list:
    """``n`` random flat directions, each filter (row of a weight, i.e. one output unit
    or one convolution filter) scaled to the norm of the same filter of the weights.
    Biases and other 1-D parameters get zero, as in Li et al.'s "ignore biasbn"."""
    rng = np.random.default_rng(seed)
    params = [backend.to_numpy(p.data).astype(np.float64) for _, p in program.named_parameters()]
    out = []
    for _ in range(n):
        parts = []
        for w in params:
            if w.ndim < 2:
                parts.append(np.zeros(w.size))
                continue
            d = rng.standard_normal(w.shape)
            rows_d = d.reshape(w.shape[0], -1)
            rows_w = w.reshape(w.shape[0], -1)
            scale = np.linalg.norm(rows_w, axis=1) / np.maximum(np.linalg.norm(rows_d, axis=1), 1e-12)
            parts.append((rows_d * scale[:, None]).reshape(-1))
        out.append(np.concatenate(parts) if parts else np.zeros(0))
    return out


def _losses_at(session, points, n_samples):
    """Loss of the session's program at each flat parameter vector in ``points`` (G, P)."""
    prog = session.program
    params = [p for _, p in prog.named_parameters()]
    saved = [p.data for p in params]
    xp = backend.array_module(saved[0]) if saved else np
    dtype = saved[0].dtype if saved else np.float32
    grid = xp.asarray(points, dtype=dtype)               # all points moved at once
    n_samples = session.rows(n_samples)
    x = _make(session.x_train[:n_samples], None)
    y = _make(session.y_train[:n_samples], None)
    sizes = [p.data.size for p in params]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    was = prog.training
    session._set_training(False)
    losses = []
    try:
        with no_grad():
            for row in grid:
                for p, a, b in zip(params, offsets[:-1], offsets[1:]):
                    p.data = row[a:b].reshape(p.data.shape)   # a view into the grid
                _, loss = session._loss(x, y)
                losses.append(loss.data)
    finally:
        for p, d in zip(params, saved):
            p.data = d
        session._set_training(was)
    if not losses:
        return np.zeros(0)
    return backend.to_numpy(xp.stack(losses)).astype(np.float64)   # one transfer


def loss_grid(session, center, d1, d2, alphas, betas, n_samples: int = 256) -> np.ndarray:
    """(len(betas), len(alphas)) losses at center + a d1 + b d2, on the first
    ``n_samples`` training samples."""
    center, d1, d2 = (np.asarray(v, dtype=np.float64) for v in (center, d1, d2))
    a = np.asarray(alphas, dtype=np.float64)
    b = np.asarray(betas, dtype=np.float64)
    points = center + b[:, None, None] * d2 + a[None, :, None] * d1     # (B, A, P), vectorised
    return _losses_at(session, points.reshape(-1, center.size), n_samples).reshape(len(b), len(a))


def loss_along(session, center, direction, alphas, n_samples: int = 256) -> np.ndarray:
    """Losses at center + a * direction for each a in ``alphas`` (a 1-D slice)."""
    center = np.asarray(center, dtype=np.float64)
    a = np.asarray(alphas, dtype=np.float64)
    points = center + a[:, None] * np.asarray(direction, dtype=np.float64)
    return _losses_at(session, points, n_samples)


def current_point(session) -> np.ndarray:
    """The session's parameters now, as one flat host vector."""
    return np.concatenate([backend.to_numpy(p.data).reshape(-1).astype(np.float64)
                           for _, p in session.program.named_parameters()])
