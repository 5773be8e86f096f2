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

import math
import threading

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


def _bins(xp, pos, dtype):
    """The histogram bin (0 .. HIST_BINS - 1) of each scaled position ``(x - min) * scale``.
    An infinite output (a float32 overflow the loss may survive) makes the range infinite,
    and its positions NaN (inf * 0) or infinite: NaN goes to the first bin and infinities
    to the edge bins, where a bare integer cast would give garbage indices. (fmax and fmin
    drop NaN, and cost no more than the minimum they replace.)"""
    pos = xp.fmax(pos, 0.0)
    xp.fmin(pos, HIST_BINS - 1, out=pos)
    return pos.astype(dtype)


def _vec(xp, values):
    """A float64 vector from scalars (NumPy scalars, or 0-d device arrays)."""
    if xp is np:
        return np.array(values, dtype=np.float64)
    return xp.stack([xp.asarray(v, dtype=xp.float64) for v in values])


class Transfer:
    """Collects device arrays under keys; ``fetch()`` moves them all in one copy."""

    def __init__(self):
        self.parts, self.index, self.offset = [], {}, 0
        self.meta = {}   # host-side facts the matching stats() needs

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
        out = {"meta": self.meta}
        for key, (o, shape) in self.index.items():
            n = 1
            for d in shape:
                n *= d
            out[key] = host[o:o + n].reshape(shape)
        return out


class ActivationProbe:
    """Precomputed per-node facts (saturation range, ReLU family) for fast probing."""

    def __init__(self, node, module, units=True):
        self.node = node
        self.range, self.relu = activation_kind(module)
        self.units = units   # ship per-unit means (for heatmaps)

    def add(self, tr: Transfer, a):
        """Queue the statistics of this node's output array ``a``."""
        xp = backend.array_module(a)
        flat = a.reshape(-1)
        n = flat.size
        s1, s2 = flat.sum(), (flat * flat).sum()
        mn, mx = flat.min(), flat.max()
        scale = HIST_BINS / xp.maximum(mx - mn, 1e-12)
        idx = _bins(xp, (flat - mn) * scale, xp.int64)
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
        self._layout = None   # precomputed segment arrays for the last shapes (one tuple,
        #                       replaced whole: a GUI thread may read it meanwhile)

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
        if all(a.ndim == 2 for a in arrays) and len({a.shape[0] for a in arrays}) == 1:
            self._add_columns(tr, arrays)
            return
        shapes = tuple(a.shape for a in arrays)
        if self._layout is None or self._layout[0] != shapes:
            self._layout = self._plan(shapes)
        _, sizes, starts, lo, hi, offsets = self._layout
        # float64: squares of large float32 outputs (1e20) would overflow to inf
        flat = np.concatenate([a.reshape(-1) for a in arrays], dtype=np.float64)
        s1 = np.add.reduceat(flat, starts)
        s2 = np.add.reduceat(flat * flat, starts)
        mn = np.minimum.reduceat(flat, starts)
        mx = np.maximum.reduceat(flat, starts)
        scale = HIST_BINS / np.maximum(mx - mn, 1e-12)
        idx = _bins(np, (flat - np.repeat(mn, sizes)) * np.repeat(scale, sizes), np.intp) + offsets
        counts = np.bincount(idx, minlength=len(arrays) * HIST_BINS)
        sat = np.add.reduceat((flat <= lo) | (flat >= hi), starts)   # NaN bounds compare False
        n = sizes.astype(np.float64)
        sat = np.where(np.isnan(lo[starts]), np.nan, sat / n)
        alive = np.full(len(arrays), np.nan)
        for i, (p, a) in enumerate(zip(self.probes, arrays)):
            if a.ndim >= 2 and (p.relu or p.units):
                axes = (0, 2, 3) if a.ndim == 4 else tuple(range(a.ndim - 1))
                if p.relu:
                    unit_alive = (a > 0).any(axis=axes)
                    alive[i] = np.count_nonzero(unit_alive) / unit_alive.size
                if p.units:
                    tr.add(("unit", p.node), a.sum(axis=axes) * (a.shape[1 if a.ndim == 4 else -1] / a.size))
        tr.add("act", np.concatenate([s1 / n, s2 / n, mn, mx, sat, alive]).reshape(6, -1))
        tr.add("hist", counts.reshape(len(arrays), HIST_BINS))

    def _add_columns(self, tr, arrays):
        """The common case, every output (batch, features): join them side by side and
        reduce columns, then per node over its columns (tiny arrays)."""
        widths = tuple(a.shape[1] for a in arrays)
        if self._layout is None or self._layout[0] != ("cols", widths):
            w = np.array(widths, dtype=np.intp)
            starts = np.concatenate([[0], np.cumsum(w)[:-1]]).astype(np.intp)
            lo = np.array([p.range[0] + SATURATION_MARGIN * (p.range[1] - p.range[0])
                           if p.range else np.nan for p in self.probes])
            hi = np.array([p.range[1] - SATURATION_MARGIN * (p.range[1] - p.range[0])
                           if p.range else np.nan for p in self.probes])
            relu = np.array([p.relu for p in self.probes])
            f = int(w.sum())
            self._layout = (("cols", widths), w, starts, np.repeat(lo, w), np.repeat(hi, w),
                            np.repeat(np.arange(len(w)) * HIST_BINS, w), np.isnan(lo), ~relu,
                            np.concatenate([starts + i * f for i in range(4)]),
                            np.concatenate([starts, starts + f]), np.repeat(np.arange(len(w)), w))
        (_, w, starts, lo, hi, offsets, no_range, not_relu, starts4, starts2,
         node_of_col) = self._layout
        k, f = len(arrays), int(w.sum())
        any_range, any_relu = not no_range.all(), not not_relu.all()
        cat = np.concatenate(arrays, axis=1, dtype=np.float64)   # no overflow in squares
        rows = cat.shape[0]
        # one column reduction for sums, squares, and (when some node needs them)
        # saturated and positive counts ...
        parts = [cat, cat * cat]
        if any_range:
            parts.append((cat <= lo) | (cat >= hi))
        if any_relu:
            parts.append(cat > 0)
        col = np.concatenate(parts, axis=1).sum(0)
        c1 = col[:f] / rows
        if any_relu:   # a unit is alive if positive on some sample
            col[-f:] = col[-f:] > 0
        agg = np.add.reduceat(col, starts4[:len(parts) * k]).reshape(len(parts), k)
        # ... and one for minima and maxima
        ext = np.minimum.reduceat(np.concatenate([cat, -cat], axis=1).min(0), starts2)
        mn, mx = ext[:k], -ext[k:]
        n = w * float(rows)
        scale = HIST_BINS / np.maximum(mx - mn, 1e-12)
        cols = node_of_col
        idx = _bins(np, (cat - mn[cols]) * scale[cols], np.intp) + offsets
        counts = np.bincount(idx.reshape(-1), minlength=k * HIST_BINS)
        nan = np.full(k, np.nan)
        sat = agg[2] / n if any_range else nan
        alive = agg[-1] / w if any_relu else nan
        if any_range:
            sat[no_range] = np.nan
        if any_relu:
            alive[not_relu] = np.nan
        tr.add("act", np.concatenate([agg[0] / n, agg[1] / n, mn, mx, sat, alive]).reshape(6, -1))
        tr.add("hist", counts.reshape(k, HIST_BINS))
        tr.add("units", c1)
        tr.meta["units"] = [(int(a), int(a + b)) if p.units and b <= MAX_UNITS else None
                            for p, a, b in zip(self.probes, starts, w)]

    def stats(self, host: dict) -> dict:
        """node -> ActivationStats, from what ``add`` queued."""
        if "act" not in host:   # the per-node path
            return {p.node: st for p in self.probes if (st := p.stats(host)) is not None}
        table, hist = host["act"].T.tolist(), host["hist"].astype(np.int64)
        units = host.get("units")
        out = {}
        for i, p in enumerate(self.probes):
            mean, m2, mn, mx, sat, alive = table[i]
            if units is not None:
                span = host["meta"]["units"][i]
                unit_mean = units[span[0]:span[1]] if span else None
            else:
                unit_mean = host.get(("unit", p.node))
            out[p.node] = ActivationStats(
                node=p.node, mean=mean, std=max(m2 - mean * mean, 0.0) ** 0.5, hist_counts=hist[i],
                hist_edges=mn + (mx - mn) * _FRACTIONS, unit_mean=unit_mean,
                saturated=None if sat != sat else sat, dead=None if alive != alive else 1.0 - alive)
        return out


#: one lock for every lazy fill: a panel (GUI thread) and the worker may read the same
#: snapshot at once, and the second reader must wait for the first one's result, not
#: see a half-filled one. Re-entrant: lazy verdicts read lazy statistics.
_LAZY_LOCK = threading.RLock()


class _Lazy:
    """Computed on first use: ``compute()`` runs once, when the object is first read.

    On the CPU, probes defer their statistics and verdicts until someone (a panel)
    looks, so training does not pay for snapshots nobody displays (the GUI shows a few a
    second; training makes hundreds). ``compute()`` must only read arrays that are
    never modified later (the probe step's own outputs and gradients, fresh copies)."""

    __slots__ = ()

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def _fill(self):
        if self._compute is not None:
            with _LAZY_LOCK:
                compute = self._compute
                if compute is not None:
                    # as in the probe itself: values about to overflow give inf or NaN
                    # statistics, never a RuntimeWarning in whichever thread reads them
                    with np.errstate(all="ignore"):
                        value = compute()
                    self._absorb(value)
                    self._compute = None

    def __reduce__(self):   # a copy or a pickle holds the plain, computed container
        self._fill()
        plain = self.__class__.__mro__[2]
        return (plain, (plain(plain.__iter__(self) if plain is list else plain.items(self)),))

    __hash__ = None


def _filling(base, names):
    """Methods of ``base`` that fill the lazy object first, then do what they always do."""
    def wrap(method):
        def call(self, *args):
            self._fill()
            return method(self, *args)
        call.__name__ = method.__name__
        return call
    return {name: wrap(getattr(base, name)) for name in names}


_READ = ("__getitem__", "__iter__", "__len__", "__contains__", "__repr__", "__eq__", "__ne__")


class LazyStats(_Lazy, dict):
    """A dict computed on first use (see _Lazy): a probe's statistics."""

    __slots__ = ("_compute",)
    _absorb = dict.update
    locals().update(_filling(dict, _READ + ("get", "keys", "values", "items", "copy")))


class LazyList(_Lazy, list):
    """A list computed on first use (see _Lazy): a probe's verdicts."""

    __slots__ = ("_compute",)
    _absorb = list.extend
    locals().update(_filling(list, _READ + (
        "__reversed__", "index", "count", "copy", "append", "extend", "insert", "pop",
        "remove", "clear", "sort", "reverse", "__setitem__", "__delitem__", "__iadd__",
        "__add__", "__mul__")))

    def __bool__(self):
        return len(self) > 0


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
        self._starts = {}

    def flat(self, xp):
        """The parameters as one vector (the trajectory point)."""
        if xp is np:   # axis=None flattens each: no reshape call per parameter
            return np.concatenate([p.data for p in self.params], axis=None)
        return xp.concatenate([p.data.reshape(-1) for p in self.params])

    def norms(self, grads) -> dict:
        """name -> L2 norm of each gradient that is not None (host arrays), cheap enough
        for every probe: one dot product per parameter (joining them first costs more)."""
        sqrt, vdot = math.sqrt, np.vdot
        return {n: sqrt(float(vdot(g, g).real)) for n, g in zip(self.names, grads) if g is not None}

    def _segments(self, xp, v, op, copies=1):
        """Per-parameter reductions of ``v`` (``copies`` flat vectors joined end to end)."""
        if xp is np:
            if copies not in self._starts:
                total = int(self.sizes.sum())
                self._starts[copies] = np.concatenate([self.starts + i * total for i in range(copies)])
            return op.reduceat(v, self._starts[copies])
        fn = xp.add if op is np.add else xp.maximum
        out, o = [], 0
        for _ in range(copies):
            for n in self.sizes.astype(int):
                out.append(fn.reduce(v[o:o + n]))
                o += n
        return xp.stack(out)

    def add(self, tr: Transfer, before=None, after=None, grads=None):
        """Queue the statistics; ``before``/``after`` are flat parameter vectors;
        ``grads``: the gradient arrays (default: the parameters' current ``.grad``)."""
        if not self.params:
            return
        xp = backend.array_module(self.params[0].data)
        grads = [p.grad for p in self.params] if grads is None else grads
        have = [g is not None for g in grads]
        if any(have):
            g = xp.concatenate([(g if g is not None else xp.zeros_like(p.data)).reshape(-1)
                                for g, p in zip(grads, self.params)])
            ag = xp.abs(g)
            tr.add(("g", "sums"), self._segments(xp, xp.concatenate([g * g, ag]), np.add, 2))
            tr.add(("g", "maxabs"), self._segments(xp, ag, np.maximum))
        if before is not None and after is not None:
            d = after - before
            tr.add(("g", "update"), self._segments(xp, xp.concatenate([d * d, before * before]), np.add, 2))
        tr.meta["have"] = have

    def stats(self, host: dict) -> dict:
        """param name -> GradStats (parameters without a gradient or an update are left out)."""
        out = {}
        sums, update = host.get(("g", "sums")), host.get(("g", "update"))
        if sums is None and update is None:
            return out
        nan = float("nan")
        grad = sums is not None
        k = len(self.params)
        norm = np.sqrt(sums[:k]).tolist() if grad else None
        mean_abs = (sums[k:] / self.sizes).tolist() if grad else None
        max_abs = host[("g", "maxabs")].tolist() if grad else None
        ratio = None
        if update is not None:
            ratio = (np.sqrt(update[:k]) / np.maximum(np.sqrt(update[k:]), 1e-12)).tolist()
        for i, (name, node) in enumerate(zip(self.names, self.nodes)):
            has_grad = grad and host["meta"]["have"][i]
            if not has_grad and ratio is None:
                continue
            out[name] = GradStats(param=name, node=node, norm=norm[i] if has_grad else nan,
                                  mean_abs=mean_abs[i] if has_grad else nan,
                                  max_abs=max_abs[i] if has_grad else nan,
                                  update_ratio=None if ratio is None else ratio[i])
        return out
