"""Probe statistics, reduced on the device and moved to the host in one transfer.

Every statistic a Snapshot carries is first computed as a device array; ``Transfer``
collects them, concatenates them into one flat float64 array, copies that to the host
once and cuts it back into named pieces. On the GPU this is one synchronisation per
probe, however many nodes and parameters there are.

Classroom nets are tiny, so the cost is the number of array operations, not their
size: gradient statistics of all parameters are computed together on one flat vector
(segment reductions), and each node's activation statistics take about a dozen ops.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .snapshot import ActivationStats, GradStats

#: histogram bins per node
HIST_BINS = 8
#: a saturating unit counts as saturated in the outer 2.5 % of its output range,
#: where its derivative is at most about a tenth of its peak
SATURATION_MARGIN = 0.025
#: per-unit means are shipped for heatmaps only up to this many units
MAX_UNITS = 256
#: small weight tensors are shipped whole (for the weight view)
MAX_WEIGHT_SIZE = 256

#: output range of the saturating activations, by engine class name (the perceptron's
#: Heaviside is left out: a threshold unit is "saturated" by design)
_RANGES = {"Sigmoid": (0.0, 1.0), "Tanh": (-1.0, 1.0), "Softsign": (-1.0, 1.0),
           "ReLU6": (0.0, 6.0)}


_FRACTIONS = np.arange(HIST_BINS + 1) / HIST_BINS


def activation_kind(module):
    """(saturation range or None, is ReLU family) for a node's engine module."""
    inner = module.__dict__["_modules"].get("module") if type(module).__name__ == "Adapter" else module
    cls = type(inner)
    rng = None
    if getattr(cls, "saturating", False):
        rng = _RANGES.get(cls.__name__)
        if cls.__name__ == "Hardtanh":
            rng = (float(inner.min_val), float(inner.max_val))
    return rng, bool(getattr(cls, "relu_family", False))


def _vec(xp, values):
    """A float64 vector from scalars (NumPy scalars, or 0-d device arrays)."""
    if xp is np:
        return np.array(values, dtype=np.float64)
    return xp.stack([xp.asarray(v, dtype=xp.float64) for v in values])


class Transfer:
    """Collects device arrays under keys; ``fetch()`` moves them all in one copy."""

    def __init__(self):
        self.parts, self.index, self.offset = [], {}, 0

    def add(self, key, arr):
        flat = arr.reshape(-1)
        self.parts.append(flat)
        self.index[key] = (self.offset, arr.shape)
        self.offset += flat.size

    def fetch(self) -> dict:
        if not self.parts:
            return {}
        xp = backend.array_module(self.parts[0])
        host = backend.to_numpy(xp.concatenate(self.parts).astype(xp.float64, copy=False))  # one transfer
        out = {}
        for key, (o, shape) in self.index.items():
            n = 1
            for d in shape:
                n *= d
            out[key] = host[o:o + n].reshape(shape)
        return out


class ActivationProbe:
    """Precomputed per-node facts (saturation range, ReLU family) for fast probing."""

    def __init__(self, node, module):
        self.node = node
        self.range, self.relu = activation_kind(module)

    def add(self, tr: Transfer, a):
        """Queue the statistics of this node's output array ``a``."""
        xp = backend.array_module(a)
        flat = a.reshape(-1)
        n = flat.size
        s1, s2 = flat.sum(), (flat * flat).sum()
        mn, mx = flat.min(), flat.max()
        scale = HIST_BINS / xp.maximum(mx - mn, 1e-12)
        idx = xp.minimum(((flat - mn) * scale).astype(xp.int64), HIST_BINS - 1)
        scalars = [s1 / n, s2 / n, mn, mx]
        if self.range is not None:
            lo, hi = self.range
            m = SATURATION_MARGIN * (hi - lo)
            scalars.append(xp.count_nonzero((flat <= lo + m) | (flat >= hi - m)) / n)
        else:
            scalars.append(xp.nan)
        if self.relu and a.ndim >= 2:
            axes = (0, 2, 3) if a.ndim == 4 else tuple(range(a.ndim - 1))
            alive = (a > 0).any(axis=axes)
            scalars.append(xp.count_nonzero(alive) / alive.size)
        else:
            scalars.append(xp.nan)
        tr.add(("act", self.node), _vec(xp, scalars))
        tr.add(("hist", self.node), xp.bincount(idx.reshape(-1), minlength=HIST_BINS))
        if a.ndim >= 2:
            units = a.shape[1] if a.ndim == 4 else a.shape[-1]
            if units <= MAX_UNITS:
                axes = (0, 2, 3) if a.ndim == 4 else tuple(range(a.ndim - 1))
                tr.add(("unit", self.node), a.sum(axis=axes) * (units / n))

    def stats(self, host: dict) -> ActivationStats | None:
        s = host.get(("act", self.node))
        if s is None:
            return None
        mean = float(s[0])
        var = max(float(s[1]) - mean * mean, 0.0)
        edges = s[2] + (s[3] - s[2]) * _FRACTIONS
        return ActivationStats(node=self.node, mean=mean, std=var ** 0.5,
                               hist_counts=host[("hist", self.node)].astype(np.int64), hist_edges=edges,
                               unit_mean=host.get(("unit", self.node)),
                               saturated=None if np.isnan(s[4]) else float(s[4]),
                               dead=None if np.isnan(s[5]) else float(1.0 - s[5]))


class ActivationBatch:
    """Activation statistics of several nodes with a fixed number of array ops.

    Under NumPy the nodes' outputs are joined into one vector and reduced per segment
    (``ufunc.reduceat``), one bincount gives every histogram: the cost hardly grows with
    the number of nodes. Other array modules (CuPy) take the per-node path, whose
    operations queue on the device without synchronising anyway.
    """

    def __init__(self, probes):
        self.probes = list(probes)
        self._layout = None   # (shapes) -> precomputed segment arrays

    def _plan(self, shapes):
        sizes = np.array([int(np.prod(s)) for s in shapes], dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        lo = np.full(len(shapes), np.nan)
        hi = np.full(len(shapes), np.nan)
        for i, p in enumerate(self.probes):
            if p.range is not None:
                m = SATURATION_MARGIN * (p.range[1] - p.range[0])
                lo[i], hi[i] = p.range[0] + m, p.range[1] - m
        offsets = np.repeat(np.arange(len(shapes)) * HIST_BINS, sizes)
        return (shapes, sizes, starts, np.repeat(lo, sizes), np.repeat(hi, sizes), offsets)

    def add(self, tr: Transfer, arrays):
        """Queue the statistics of ``arrays`` (one per probe, same order)."""
        if not arrays:
            return
        xp = backend.array_module(arrays[0])
        if xp is not np:
            for p, a in zip(self.probes, arrays):
                p.add(tr, a)
            return
        shapes = tuple(a.shape for a in arrays)
        if self._layout is None or self._layout[0] != shapes:
            self._layout = self._plan(shapes)
        _, sizes, starts, lo, hi, offsets = self._layout
        flat = np.concatenate([a.reshape(-1) for a in arrays])
        s1 = np.add.reduceat(flat, starts)
        s2 = np.add.reduceat(flat * flat, starts)
        mn = np.minimum.reduceat(flat, starts)
        mx = np.maximum.reduceat(flat, starts)
        scale = HIST_BINS / np.maximum(mx - mn, 1e-12)
        idx = np.minimum(((flat - np.repeat(mn, sizes)) * np.repeat(scale, sizes)).astype(np.intp),
                         HIST_BINS - 1) + offsets
        counts = np.bincount(idx, minlength=len(arrays) * HIST_BINS)
        with np.errstate(invalid="ignore"):
            sat = np.add.reduceat((flat <= lo) | (flat >= hi), starts)
        for i, (p, a) in enumerate(zip(self.probes, arrays)):
            n = sizes[i]
            sat_i = sat[i] / n if p.range is not None else np.nan
            alive = np.nan
            if p.relu and a.ndim >= 2:
                axes = (0, 2, 3) if a.ndim == 4 else tuple(range(a.ndim - 1))
                unit_alive = (a > 0).any(axis=axes)
                alive = np.count_nonzero(unit_alive) / unit_alive.size
            tr.add(("act", p.node), np.array([s1[i] / n, s2[i] / n, mn[i], mx[i], sat_i, alive]))
            tr.add(("hist", p.node), counts[i * HIST_BINS:(i + 1) * HIST_BINS])
            if a.ndim >= 2:
                units = a.shape[1] if a.ndim == 4 else a.shape[-1]
                if units <= MAX_UNITS:
                    axes = (0, 2, 3) if a.ndim == 4 else tuple(range(a.ndim - 1))
                    tr.add(("unit", p.node), a.sum(axis=axes) * (units / n))


class GradientProbe:
    """Gradient statistics of all parameters at once, on one flat vector.

    Per parameter: L2 norm, mean |g|, max |g|, and with the flat parameter vector from
    before the update, ||w_new - w_old|| / ||w_old||. Segment sums use
    ``ufunc.reduceat`` under NumPy; other array modules reduce parameter by parameter.
    """

    def __init__(self, names, nodes, params):
        self.names, self.nodes, self.params = list(names), list(nodes), list(params)
        sizes = [p.data.size for p in self.params]
        self.sizes = np.array(sizes, dtype=np.float64)
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) if sizes else np.zeros(0, np.intp)

    def flat(self, xp):
        """The parameters as one vector (the trajectory point)."""
        return xp.concatenate([p.data.reshape(-1) for p in self.params])

    def _segments(self, xp, v, op):
        if xp is np:
            return op.reduceat(v, self.starts)
        fn = xp.add if op is np.add else xp.maximum
        out, o = [], 0
        for n in self.sizes.astype(int):
            out.append(fn.reduce(v[o:o + n]))
            o += n
        return xp.stack(out)

    def add(self, tr: Transfer, before=None, after=None):
        """Queue the statistics; ``before``/``after`` are flat parameter vectors."""
        if not self.params:
            return
        xp = backend.array_module(self.params[0].data)
        have = [p.grad is not None for p in self.params]
        if any(have):
            g = xp.concatenate([(p.grad if p.grad is not None else xp.zeros_like(p.data)).reshape(-1)
                                for p in self.params])
            ag = xp.abs(g)
            tr.add(("g", "norm2"), self._segments(xp, g * g, np.add))
            tr.add(("g", "sumabs"), self._segments(xp, ag, np.add))
            tr.add(("g", "maxabs"), self._segments(xp, ag, np.maximum))
        if before is not None and after is not None:
            d = after - before
            tr.add(("g", "d2"), self._segments(xp, d * d, np.add))
            tr.add(("g", "w2"), self._segments(xp, before * before, np.add))
        self._have = have

    def stats(self, host: dict) -> dict:
        """param name -> GradStats (parameters without a gradient or an update are left out)."""
        out = {}
        norm2, d2 = host.get(("g", "norm2")), host.get(("g", "d2"))
        if norm2 is None and d2 is None:
            return out
        ratio = None
        if d2 is not None:
            ratio = np.sqrt(d2) / np.maximum(np.sqrt(host[("g", "w2")]), 1e-12)
        for i, (name, node) in enumerate(zip(self.names, self.nodes)):
            has_grad = norm2 is not None and self._have[i]
            if not has_grad and ratio is None:
                continue
            out[name] = GradStats(
                param=name, node=node,
                norm=float(np.sqrt(norm2[i])) if has_grad else float("nan"),
                mean_abs=float(host[("g", "sumabs")][i] / self.sizes[i]) if has_grad else float("nan"),
                max_abs=float(host[("g", "maxabs")][i]) if has_grad else float("nan"),
                update_ratio=None if ratio is None else float(ratio[i]))
        return out
