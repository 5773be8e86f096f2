"""The primitive differentiable operations, and the Tensor methods built on them.

Everything else in the engine (layers, activations, losses) is composed from these.
Each op works on whatever array module owns its inputs (numpy or cupy), so the same
code serves both devices. Complex gradients follow the convention
grad = dL/d(Re z) + i dL/d(Im z), hence the ``conj`` in products.
"""
from __future__ import annotations

import builtins
import math

import numpy

from . import backend
from .autograd import Function, Tensor, _make, unbroadcast, value_read

_xp = backend.array_module


def _conj(a):
    return a.conj() if a.dtype.kind == "c" else a


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Wrap scalars and arrays; Python scalars take the dtype of ``like``."""
    if isinstance(x, Tensor):
        return x
    if like is not None:
        if isinstance(x, (int, float, bool)) and not isinstance(x, complex):
            return _make(_xp(like.data).asarray(x, dtype=like.data.dtype), None)
        if not hasattr(x, "dtype"):
            return _make(_xp(like.data).asarray(x, dtype=like.data.dtype), None)
        return _make(_xp(like.data).asarray(x), None)
    return Tensor(x)


# ===================================================================== elementwise
class Identity(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


class Detach(Function):
    """The array itself, out of the graph: what ``Tensor.detach`` records while a step is
    traced (engine.compile), so that a replay hands on the new values."""

    def forward(self, x):
        return x


class Cast(Function):
    def __init__(self, dtype):
        self.dtype = numpy.dtype(dtype)

    def forward(self, x):
        self.src = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return g.astype(self.src)


class Add(Function):
    def forward(self, a, b):
        self.sa, self.sb = a.shape, b.shape
        return a + b

    def backward(self, g):
        n = self.needs
        return (unbroadcast(g, self.sa) if n[0] else None,
                unbroadcast(g, self.sb) if n[1] else None)


class Sub(Function):
    def forward(self, a, b):
        self.sa, self.sb = a.shape, b.shape
        return a - b

    def backward(self, g):
        n = self.needs
        return (unbroadcast(g, self.sa) if n[0] else None,
                unbroadcast(-g, self.sb) if n[1] else None)


class Mul(Function):
    def forward(self, a, b):
        n = self.needs
        # keep only what the wanted gradients need: d/da needs b, d/db needs a
        self.a = a if n[1] else None
        self.b = b if n[0] else None
        self.sa, self.sb = a.shape, b.shape
        return a * b

    def backward(self, g):
        n = self.needs
        return (unbroadcast(g * _conj(self.b), self.sa) if n[0] else None,
                unbroadcast(g * _conj(self.a), self.sb) if n[1] else None)


class Div(Function):
    def forward(self, a, b):
        self.b = b
        out = a / b
        self.out = out if self.needs[1] else None
        self.sa, self.sb = a.shape, b.shape
        return out

    def backward(self, g):
        n = self.needs
        gb = g / _conj(self.b)
        return (unbroadcast(gb, self.sa) if n[0] else None,
                unbroadcast(-gb * _conj(self.out), self.sb) if n[1] else None)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class PowScalar(Function):
    """x ** p for a constant exponent p."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, g):
        p = self.p
        if p == 2:
            return g * (2 * self.x)
        return g * (p * self.x ** (p - 1))


class Pow(Function):
    """a ** b with both operands tensors (a > 0 where b's gradient is needed)."""

    def forward(self, a, b):
        out = a ** b
        self.a, self.b, self.out = a, b, out
        return out

    def backward(self, g):
        a, b, out = self.a, self.b, self.out
        n = self.needs
        ga = unbroadcast(g * b * a ** (b - 1), a.shape) if n[0] else None
        gb = None
        if n[1]:
            xp = _xp(a)
            safe = xp.where(a > 0, a, 1)
            gb = unbroadcast(g * out * xp.log(safe), b.shape)
        return ga, gb


class Exp(Function):
    def forward(self, x):
        self.out = _xp(x).exp(x)
        return self.out

    def backward(self, g):
        return g * self.out


class Sin(Function):
    def forward(self, x):
        self.x = x
        return _xp(x).sin(x)

    def backward(self, g):
        return g * _xp(g).cos(self.x)


class Cos(Function):
    def forward(self, x):
        self.x = x
        return _xp(x).cos(x)

    def backward(self, g):
        return -g * _xp(g).sin(self.x)


class Log(Function):
    def forward(self, x):
        self.x = x
        return _xp(x).log(x)

    def backward(self, g):
        return g / self.x


class Sqrt(Function):
    def forward(self, x):
        self.out = _xp(x).sqrt(x)
        return self.out

    def backward(self, g):
        return g / (2 * self.out)


class Abs(Function):
    def forward(self, x):
        self.x = x
        return _xp(x).abs(x)

    def backward(self, g):
        x = self.x
        if x.dtype.kind == "c":
            xp = _xp(x)
            mag = xp.abs(x)
            return g * x / xp.where(mag == 0, 1, mag)
        return g * _xp(x).sign(x)


class Sign(Function):
    """Piecewise constant: its gradient is zero wherever it is defined."""

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return _xp(x).sign(x)

    def backward(self, g):
        return _xp(g).zeros(self.shape, self.dtype)


class Maximum(Function):
    """Elementwise max; ties send half the gradient to each side (like torch)."""

    def forward(self, a, b):
        xp = _xp(a)
        self.sa, self.sb = a.shape, b.shape
        self.gt = a > b
        self.eq = a == b
        return xp.maximum(a, b)

    def backward(self, g):
        n = self.needs
        half = self.eq * 0.5
        wa = self.gt + half
        ga = unbroadcast(g * wa, self.sa) if n[0] else None
        gb = unbroadcast(g * (1 - wa), self.sb) if n[1] else None
        return ga, gb


class Where(Function):
    """where(cond, a, b); ``cond`` is a constant boolean array."""

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        self.sa, self.sb = a.shape, b.shape
        return _xp(a).where(self.cond, a, b)

    def backward(self, g):
        n = self.needs
        zero = g.dtype.type(0)
        xp = _xp(g)
        ga = unbroadcast(xp.where(self.cond, g, zero), self.sa) if n[0] else None
        gb = unbroadcast(xp.where(self.cond, zero, g), self.sb) if n[1] else None
        return ga, gb


class Tanh(Function):
    def forward(self, x):
        self.out = _xp(x).tanh(x)
        return self.out

    def backward(self, g):
        # g - g*out*out: three array ops; 1 - out*out would pay for a Python scalar
        t = self.out * self.out
        t *= g
        return g - t


class Sigmoid(Function):
    def forward(self, x):
        xp = _xp(x)
        # 0.5*(1+tanh(x/2)) is the numerically stable logistic, no overflow in exp
        out = xp.tanh(x * 0.5)
        out += 1
        out *= 0.5
        self.out = out
        return out

    def backward(self, g):
        out = self.out
        return g * (out * (1 - out))


class Relu(Function):
    def forward(self, x):
        xp = _xp(x)
        out = xp.maximum(x, 0)
        self.mask = out > 0
        return out

    def backward(self, g):
        return g * self.mask


class Real(Function):
    def forward(self, x):
        return x.real.copy()

    def backward(self, g):
        return g.astype(numpy.result_type(g.dtype, numpy.complex64))


class Imag(Function):
    def forward(self, x):
        return x.imag.copy()

    def backward(self, g):
        return 1j * g


# ===================================================================== reductions
def _norm_axis(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, int):
        return (axis % ndim,) if ndim else ()
    return tuple(sorted(a % ndim for a in axis))


def _expand_reduced(g, shape, axis, keepdims):
    """Re-insert reduced axes so ``g`` broadcasts against the input."""
    if axis is None:
        return g.reshape((1,) * len(shape)) if not keepdims else g
    if not keepdims:
        g = _xp(g).expand_dims(g, axis)
    return g


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axis = _norm_axis(self.axis, x.ndim)
        self.shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        g = _expand_reduced(g, self.shape, self.axis, self.keepdims)
        return _xp(g).broadcast_to(g, self.shape)


class Mean(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axis = _norm_axis(self.axis, x.ndim)
        self.shape = x.shape
        out = x.mean(axis=self.axis, keepdims=self.keepdims)
        self.count = x.size // max(out.size, 1) if x.size else 1
        return out

    def backward(self, g):
        g = _expand_reduced(g, self.shape, self.axis, self.keepdims) / self.count
        return _xp(g).broadcast_to(g, self.shape)


class Max(Function):
    """max over axes; ties share the gradient equally (torch.amax semantics)."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axis = _norm_axis(self.axis, x.ndim)
        out = x.max(axis=self.axis, keepdims=True)
        mask = x == out
        self.mask = mask / mask.sum(axis=self.axis, keepdims=True)
        return out if self.keepdims else (out.reshape(()) if self.axis is None else out.squeeze(self.axis))

    def backward(self, g):
        g = _expand_reduced(g, self.mask.shape, self.axis, self.keepdims)
        return g * self.mask


class LogSumExp(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        xp = _xp(x)
        self.axis = _norm_axis(self.axis, x.ndim)
        m = x.max(axis=self.axis, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        e = xp.exp(x - m)
        s = e.sum(axis=self.axis, keepdims=True)
        out = xp.log(s) + m
        self.softmax = e / s  # d logsumexp / dx
        return out if self.keepdims else (out.reshape(()) if self.axis is None else out.squeeze(self.axis))

    def backward(self, g):
        g = _expand_reduced(g, self.softmax.shape, self.axis, self.keepdims)
        return g * self.softmax


# ===================================================================== linear algebra
def _swap(a):
    return a.swapaxes(-1, -2)


class MatMul(Function):
    def forward(self, a, b):
        n = self.needs
        self.a = a if n[1] else None
        self.b = b if n[0] else None
        self.sa, self.sb = a.shape, b.shape
        return a @ b

    def backward(self, g):
        n = self.needs
        sa, sb = self.sa, self.sb
        ga = gb = None
        if len(sa) == 1 and len(sb) == 1:  # dot product
            return (g * _conj(self.b) if n[0] else None, g * _conj(self.a) if n[1] else None)
        xp = _xp(g)
        if n[0]:
            b = _conj(self.b)
            if len(sb) == 1:
                ga = xp.multiply.outer(g, b) if g.ndim else g * b
            elif len(sa) == 1:
                ga = unbroadcast(xp.expand_dims(g, -2) @ _swap(b), (1,) * (len(sb) - 2) + (1, sa[0]))
                ga = ga.reshape(sa)
            else:
                ga = unbroadcast(g @ _swap(b), sa)
        if n[1]:
            a = _conj(self.a)
            if len(sa) == 1:
                gb = xp.multiply.outer(a, g) if len(sb) == 2 else unbroadcast(a[:, None] * xp.expand_dims(g, -2), sb)
            elif len(sb) == 1:
                gb = (_swap(a) @ g[..., None])[..., 0]
                gb = gb.reshape(-1, sb[0]).sum(0) if gb.ndim > 1 else gb
            else:
                gb = unbroadcast(_swap(a) @ g, sb)
        return ga, gb


class Linear(Function):
    """x @ W.T + b fused into one node: the hot path of every MLP."""

    def forward(self, x, w, b=None):
        n = self.needs
        self.x = x if n[1] else None
        self.w = w if n[0] else None
        # ndarray.dot for 2-D: the same product as @, at half its per-call cost on the
        # tiny matrices of a classroom net (0.7 against 1.5 us); @ broadcasts batch dims
        out = x.dot(w.T) if x.ndim == 2 else x @ w.T
        if b is not None:
            out += b
        return out

    def backward(self, g):
        n = self.needs
        if n[0]:
            gx = g.dot(self.w) if g.ndim == 2 else g @ self.w
        else:
            gx = None
        if n[1]:
            x = self.x
            if g.ndim == 2:
                gw = g.T.dot(x)
            else:
                gw = g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        else:
            gw = None
        if len(n) == 3 and n[2]:
            if g.ndim == 2:
                # column sums as ones @ g under NumPy: a third of g.sum(0)'s cost (a Python
                # wrapper) on a tiny batch; the ones vector is cached per length and dtype
                gb = _ones(g.shape[0], g.dtype).dot(g) if type(g) is numpy.ndarray else g.sum(0)
            else:
                gb = g.sum(axis=tuple(range(g.ndim - 1))) if g.ndim > 1 else g
            return gx, gw, gb
        return gx, gw, None


_ONES: dict = {}


def _ones(n, dtype):
    """A read-only NumPy vector of ``n`` ones (shared: never written)."""
    v = _ONES.get((n, dtype))
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = numpy.ones(n, dtype)
        v.flags.writeable = False
        _ONES[(n, dtype)] = v
    return v


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(subscripts, shapes):
    """Explicit form 'ij,jk->ik' with ellipses expanded to letters."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
    else:
        lhs, out = subscripts, None
    ins = lhs.split(",")
    used = set(c for c in subscripts if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    max_ell = 0
    for s, shape in zip(ins, shapes):
        if "..." in s:
            max_ell = builtins.max(max_ell, len(shape) - (len(s) - 3))
    ell = "".join(free[:max_ell])
    expanded = []
    for s, shape in zip(ins, shapes):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", ell[max_ell - k:])
        expanded.append(s)
    if out is None:
        counts = {}
        for s in expanded:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return expanded, out


class Einsum(Function):
    def __init__(self, subscripts):
        self.subscripts = subscripts

    def forward(self, *ops):
        self.ins, self.out = _parse_einsum(self.subscripts, [o.shape for o in ops])
        self.ops = ops
        spec = ",".join(self.ins) + "->" + self.out
        self.spec = spec
        return _xp(ops[0]).einsum(spec, *ops, optimize=True)

    def backward(self, g):
        xp = _xp(g)
        grads = []
        for i, (sub, need) in enumerate(zip(self.ins, self.needs)):
            if not need:
                grads.append(None)
                continue
            if len(set(sub)) != len(sub):
                raise NotImplementedError(f"einsum gradient for repeated index in {sub!r}")
            others = [(s, _conj(o)) for j, (s, o) in enumerate(zip(self.ins, self.ops)) if j != i]
            avail = set(self.out).union(*[set(s) for s, _ in others]) if others else set(self.out)
            target = "".join(c for c in sub if c in avail)
            spec = ",".join([self.out] + [s for s, _ in others]) + "->" + target
            gi = xp.einsum(spec, g, *[o for _, o in others], optimize=True)
            if target != sub:  # indices summed only in this operand: broadcast back
                shape = self.ops[i].shape
                expand = tuple(k for k, c in enumerate(sub) if c not in avail)
                gi = xp.broadcast_to(xp.expand_dims(gi, expand), shape)
            grads.append(gi)
        return tuple(grads)


# ===================================================================== shapes
class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class Transpose(Function):
    """General axis permutation (covers transpose, permute, .T)."""

    def __init__(self, axes):
        self.axes = tuple(axes)

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, g):
        return g.transpose(tuple(numpy.argsort(self.axes)))


class Expand(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return _xp(x).broadcast_to(x, self.shape)

    def backward(self, g):
        return unbroadcast(g, self.in_shape)


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, (list, Tensor)) or hasattr(i, "dtype"):
            return True
    return False


def _raw_index(index):
    if isinstance(index, Tensor):
        value_read(index, "indexing with a tensor")
        return index.data
    if isinstance(index, tuple):
        for i in index:
            value_read(i, "indexing with a tensor")
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


class GetItem(Function):
    """Slicing and (advanced) indexing; duplicate indices accumulate in backward."""

    def __init__(self, index):
        self.index = _raw_index(index)

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, g):
        xp = _xp(g)
        gx = xp.zeros(self.shape, g.dtype)
        if _is_advanced(self.index):
            backend.scatter_add(xp, gx, self.index, g)
        else:
            gx[self.index] = g
        return gx


class Concat(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return _xp(xs[0]).concatenate(xs, axis=self.axis)

    def backward(self, g):
        xp = _xp(g)
        cuts = numpy.cumsum(self.sizes)[:-1].tolist()
        parts = xp.split(g, cuts, axis=self.axis)
        return tuple(p if need else None for p, need in zip(parts, self.needs))


class Stack(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return _xp(xs[0]).stack(xs, axis=self.axis)

    def backward(self, g):
        xp = _xp(g)
        return tuple(xp.take(g, i, axis=self.axis) if need else None
                     for i, need in enumerate(self.needs))


class Gather(Function):
    """torch.gather: out[i][j] = x[i][index[i][j]] along ``dim``."""

    def __init__(self, dim, index):
        self.dim = dim
        if isinstance(index, Tensor):
            value_read(index, "gather's index")
            index = index.data
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return _xp(x).take_along_axis(x, self.index, axis=self.dim)

    def backward(self, g):
        xp = _xp(g)
        gx = xp.zeros(self.shape, g.dtype)
        backend.scatter_add(xp, gx, _along_axis_index(xp, self.index, self.dim), g)
        return gx


def _along_axis_index(xp, index, dim):
    """Full fancy index tuple equivalent to take_along_axis(·, index, dim)."""
    dim = dim % index.ndim
    grids = list(xp.ogrid[tuple(slice(n) for n in index.shape)]) if index.ndim else []
    grids[dim] = index
    return tuple(grids)


class ScatterAdd(Function):
    """torch.scatter_add: out = x; out[index along dim] += src (duplicates accumulate)."""

    def __init__(self, dim, index):
        self.dim = dim
        if isinstance(index, Tensor):
            value_read(index, "scatter_add's index")
            index = index.data
        self.index = index

    def forward(self, x, src):
        xp = _xp(x)
        out = x.copy()
        self.full_index = _along_axis_index(xp, self.index, self.dim)
        backend.scatter_add(xp, out, self.full_index, src[tuple(slice(n) for n in self.index.shape)])
        self.src_shape = src.shape
        return out

    def backward(self, g):
        gsrc = None
        if self.needs[1]:
            xp = _xp(g)
            gsrc = xp.zeros(self.src_shape, g.dtype)
            gsrc[tuple(slice(n) for n in self.index.shape)] = g[self.full_index]
        return (g if self.needs[0] else None), gsrc


class Pad(Function):
    """Constant padding; ``widths`` is numpy-style ((before, after), ...) per axis."""

    def __init__(self, widths, value=0.0):
        self.widths, self.value = widths, value

    def forward(self, x):
        self.slices = tuple(slice(b, b + n) for (b, _), n in zip(self.widths, x.shape))
        return _xp(x).pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        return g[self.slices]


class Unfold(Function):
    """Sliding windows over the trailing spatial axes: the convolution building block.

    (N, C, *S) -> (N, C, *O, *K) where O are output positions and K kernel offsets.
    Forward is a strided view (sliding_window_view); backward adds each kernel
    offset's slice back, one slice per offset rather than per element.
    """

    def __init__(self, kernel, stride, dilation):
        self.kernel, self.stride, self.dilation = tuple(kernel), tuple(stride), tuple(dilation)

    def forward(self, x):
        xp = _xp(x)
        k, s, d = self.kernel, self.stride, self.dilation
        nd = len(k)
        axes = tuple(range(x.ndim - nd, x.ndim))
        eff = tuple(d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d))
        win = xp.lib.stride_tricks.sliding_window_view(x, eff, axis=axes)
        sel = (Ellipsis,) + tuple(slice(None, None, s_) for s_ in s) + tuple(slice(None, None, d_) for d_ in d)
        self.shape = x.shape
        out = win[sel]
        self.out_spatial = out.shape[x.ndim - nd:x.ndim]
        return out

    def backward(self, g):
        xp = _xp(g)
        k, s, d = self.kernel, self.stride, self.dilation
        nd = len(k)
        gx = xp.zeros(self.shape, g.dtype)
        lead = (slice(None),) * (len(self.shape) - nd)
        for offs in numpy.ndindex(*k):
            dst = lead + tuple(slice(o * d_, o * d_ + s_ * (n - 1) + 1, s_)
                               for o, d_, s_, n in zip(offs, d, s, self.out_spatial))
            gx[dst] += g[(Ellipsis,) + offs]
        return gx


# ===================================================================== spectral
class RFFT(Function):
    """Real-input FFT along ``axis`` (norm='backward', like numpy and torch)."""

    def __init__(self, n=None, axis=-1):
        self.n, self.axis = n, axis

    def forward(self, x):
        xp = _xp(x)
        self.in_len = x.shape[self.axis]
        self.N = self.n or self.in_len
        out = xp.fft.rfft(x, n=self.N, axis=self.axis)
        self.real_dtype = x.dtype
        return out.astype(numpy.complex64) if x.dtype == numpy.float32 else out

    def backward(self, g):
        xp = _xp(g)
        N, m = self.N, g.shape[self.axis]
        scale = xp.full(m, 0.5, dtype=self.real_dtype)
        scale[0] = 1.0
        if N % 2 == 0:
            scale[-1] = 1.0
        shape = [1] * g.ndim
        shape[self.axis] = m
        h = g * scale.reshape(shape)
        gx = xp.fft.irfft(h, n=N, axis=self.axis) * N
        if self.in_len != N:  # x was cropped or zero-padded to N
            idx = [slice(None)] * g.ndim
            if self.in_len < N:
                idx[self.axis] = slice(0, self.in_len)
                gx = gx[tuple(idx)]
            else:
                pad = [(0, 0)] * g.ndim
                pad[self.axis] = (0, self.in_len - N)
                gx = xp.pad(gx, pad)
        return gx.astype(self.real_dtype)


class IRFFT(Function):
    """Inverse of rfft: a half spectrum to ``n`` real samples along ``axis``."""

    def __init__(self, n=None, axis=-1):
        self.n, self.axis = n, axis

    def forward(self, y):
        xp = _xp(y)
        self.m = y.shape[self.axis]
        self.N = self.n or 2 * (self.m - 1)
        self.cdtype = y.dtype
        out = xp.fft.irfft(y, n=self.N, axis=self.axis)
        return out.astype(numpy.float32) if y.dtype == numpy.complex64 else out

    def backward(self, g):
        xp = _xp(g)
        N, m = self.N, self.m
        full = xp.fft.rfft(g, axis=self.axis) / N  # N//2 + 1 bins
        k = full.shape[self.axis]
        scale = xp.full(k, 2.0, dtype=g.dtype)
        scale[0] = 1.0
        if N % 2 == 0:
            scale[-1] = 1.0
        shape = [1] * g.ndim
        shape[self.axis] = k
        full = full * scale.reshape(shape)
        idx = [slice(None)] * g.ndim
        if m <= k:
            idx[self.axis] = slice(0, m)
            gy = full[tuple(idx)]
        else:  # bins beyond N//2 were ignored by irfft
            pad = [(0, 0)] * g.ndim
            pad[self.axis] = (0, m - k)
            gy = xp.pad(full, pad)
        return gy.astype(self.cdtype)


# ===================================================================== functional API
def _binary(cls, a, b):
    if not isinstance(a, Tensor):
        a = as_tensor(a, b)
    if not isinstance(b, Tensor):
        b = as_tensor(b, a)
    return cls().apply(a, b)


def add(a, b):
    return _binary(Add, a, b)


def sub(a, b):
    return _binary(Sub, a, b)


def mul(a, b):
    return _binary(Mul, a, b)


def div(a, b):
    return _binary(Div, a, b)


def maximum(a, b):
    return _binary(Maximum, a, b)


def minimum(a, b):
    return -maximum(-as_tensor(a, b if isinstance(b, Tensor) else None), -as_tensor(b, a if isinstance(a, Tensor) else None))


def matmul(a, b):
    return _binary(MatMul, a, b)


def pow(x, p):  # noqa: A001 - torch name
    if isinstance(p, Tensor):
        return _binary(Pow, x, p)
    return PowScalar(p).apply(as_tensor(x))


def exp(x):
    return Exp().apply(x)


def sin(x):
    return Sin().apply(x)


def cos(x):
    return Cos().apply(x)


def log(x):
    return Log().apply(x)


def sqrt(x):
    return Sqrt().apply(x)


def abs(x):  # noqa: A001
    return Abs().apply(x)


def sign(x):
    return Sign().apply(x)


def tanh(x):
    return Tanh().apply(x)


def sigmoid(x):
    return Sigmoid().apply(x)


def relu(x):
    return Relu().apply(x)


def real(x):
    return Real().apply(x)


def imag(x):
    return Imag().apply(x)


def where(cond, a, b):
    """where(cond, a, b): ``cond`` is not differentiated."""
    ref = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    if ref is None:
        ref = Tensor(a)
    a, b = as_tensor(a, ref), as_tensor(b, ref)
    if isinstance(cond, Tensor):
        value_read(cond, "where's condition")
        cond = cond.data
    return Where(cond).apply(a, b)


class Clamp(Function):
    """Gradient 1 inside [lo, hi] (ends included), 0 outside, like torch.clamp."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        xp = _xp(x)
        lo, hi = self.lo, self.hi
        self.keep = None
        if self.needs[0]:
            keep = x >= lo if lo is not None else None
            if hi is not None:
                keep = x <= hi if keep is None else keep & (x <= hi)
            self.keep = keep
        if lo is None and hi is None:  # the node's default: nothing to clip
            return x.copy()
        return xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, g):
        return g if self.keep is None else g * self.keep


def clamp(x, min=None, max=None):  # noqa: A002 - torch names
    """Gradient 1 inside [min, max], 0 outside (like torch.clamp)."""
    return Clamp(min, max).apply(x)


def sum(x, dim=None, keepdim=False):  # noqa: A001
    return Sum(dim, keepdim).apply(x)


def mean(x, dim=None, keepdim=False):
    return Mean(dim, keepdim).apply(x)


def amax(x, dim=None, keepdim=False):
    return Max(dim, keepdim).apply(x)


def amin(x, dim=None, keepdim=False):
    return -Max(dim, keepdim).apply(-x)


def logsumexp(x, dim=None, keepdim=False):
    return LogSumExp(dim, keepdim).apply(x)


def var(x, dim=None, keepdim=False, correction=1, unbiased=None):
    """Variance, composed from mean: torch's default correction=1 (unbiased)."""
    if unbiased is not None:
        correction = 1 if unbiased else 0
    mu = mean(x, dim, keepdim=True)
    d = x - mu
    sq = Sum(dim, keepdim).apply(d * d)
    n = x.data.size // builtins.max(sq.data.size, 1)
    return sq * (1.0 / builtins.max(n - correction, 0) if n - correction > 0 else float("nan"))


def std(x, dim=None, keepdim=False, correction=1, unbiased=None):
    return sqrt(var(x, dim, keepdim, correction, unbiased))


def einsum(subscripts, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return Einsum(subscripts).apply(*[as_tensor(o) for o in operands])


def reshape(x, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape(shape).apply(x)


def permute(x, *axes):
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return Transpose(axes).apply(x)


def transpose(x, dim0, dim1):
    axes = list(range(x.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return Transpose(axes).apply(x)


def unsqueeze(x, dim):
    shape = list(x.shape)
    dim = dim % (len(shape) + 1)
    shape.insert(dim, 1)
    return Reshape(tuple(shape)).apply(x)


def squeeze(x, dim=None):
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = (dim,) if isinstance(dim, int) else dim
        dims = {d % x.ndim for d in dims}
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return Reshape(shape).apply(x)


def flatten(x, start_dim=0, end_dim=-1):
    nd = x.ndim
    s, e = start_dim % nd, end_dim % nd
    shape = x.shape[:s] + (-1,) + x.shape[e + 1:]
    return Reshape(shape).apply(x)


def expand(x, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(x.shape[i - (len(shape) - x.ndim)] if n == -1 else n for i, n in enumerate(shape))
    return Expand(shape).apply(x)


def cat(tensors, dim=0):
    return Concat(dim).apply(*tensors)


concat = cat


def stack(tensors, dim=0):
    return Stack(dim).apply(*tensors)


def split(x, split_size_or_sections, dim=0):
    """torch.split: chunks of a size, or a list of sizes; composed from slicing."""
    n = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
    out, start = [], 0
    lead = (slice(None),) * (dim % x.ndim)
    for s in sizes:
        out.append(x[lead + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(x, chunks, dim=0):
    return split(x, -(-x.shape[dim] // chunks), dim)


def gather(x, dim, index):
    return Gather(dim, index).apply(x)


def scatter_add(x, dim, index, src):
    return ScatterAdd(dim, index).apply(x, src)


def pad(x, pad_widths, value=0.0):
    """torch.nn.functional.pad order: (left_last, right_last, left_prev, right_prev, ...)."""
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad_widths) // 2):
        widths[x.ndim - 1 - i] = (pad_widths[2 * i], pad_widths[2 * i + 1])
    return Pad(tuple(widths), value).apply(x)


def unfold(x, kernel, stride=1, dilation=1):
    k = (kernel,) if isinstance(kernel, int) else tuple(kernel)
    s = (stride,) * len(k) if isinstance(stride, int) else tuple(stride)
    d = (dilation,) * len(k) if isinstance(dilation, int) else tuple(dilation)
    return Unfold(k, s, d).apply(x)


def rfft(x, n=None, dim=-1):
    return RFFT(n, dim).apply(x)


def irfft(x, n=None, dim=-1):
    return IRFFT(n, dim).apply(x)


def softmax(x, dim=-1):
    return exp(log_softmax(x, dim))


def log_softmax(x, dim=-1):
    return x - LogSumExp(dim, True).apply(x)


# ===================================================================== factories
def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def _factory(fn_name, shape, dtype, device, requires_grad, **kw):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    xp = backend.module_for(device or "cpu")
    data = getattr(xp, fn_name)(shape, dtype=dtype or backend.DEFAULT_DTYPE, **kw)
    t = _make(data, None)
    t.requires_grad = requires_grad
    return t


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    return _factory("zeros", shape, dtype, device, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    return _factory("ones", shape, dtype, device, requires_grad)


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    return _factory("full", (shape,), dtype, device, requires_grad, fill_value=fill_value)


def zeros_like(t, dtype=None):
    return _make(_xp(t.data).zeros_like(t.data, dtype=dtype), None)


def ones_like(t, dtype=None):
    return _make(_xp(t.data).ones_like(t.data, dtype=dtype), None)


def arange(*args, dtype=None, device=None):
    xp = backend.module_for(device or "cpu")
    return _make(xp.arange(*args, dtype=dtype), None)


def linspace(start, end, steps, dtype=None, device=None):
    xp = backend.module_for(device or "cpu")
    return _make(xp.linspace(start, end, steps, dtype=dtype or backend.DEFAULT_DTYPE), None)


def from_numpy(array) -> Tensor:
    return Tensor(array)


def randint(low, high=None, size=(), dtype=None, device=None, generator=None):
    """torch.randint(high, size) or (low, high, size): integers in [low, high)."""
    if isinstance(high, (tuple, list)):   # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    gen = generator or backend.default_generator
    return Tensor(gen.integers(low, high, size).astype(dtype or numpy.int64), device=device)


def randperm(n, dtype=None, device=None, generator=None):
    gen = generator or backend.default_generator
    return Tensor(gen.permutation(n).astype(dtype or numpy.int64), device=device)


def argmax(input, dim=None, keepdim=False):
    return input.argmax(dim, keepdim)


def mm(input, mat2):
    return matmul(input, mat2)


def eye(n, m=None, dtype=None, device=None):
    xp = backend.module_for(device or "cpu")
    return _make(xp.eye(n, m, dtype=dtype or backend.DEFAULT_DTYPE), None)


def randn(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    gen = generator or backend.default_generator
    data = gen.standard_normal(shape).astype(dtype or backend.DEFAULT_DTYPE)
    t = Tensor(data, device=device)
    t.requires_grad = requires_grad
    return t


def rand(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    gen = generator or backend.default_generator
    data = gen.random(shape).astype(dtype or backend.DEFAULT_DTYPE)
    t = Tensor(data, device=device)
    t.requires_grad = requires_grad
    return t


def randn_like(t, dtype=None, requires_grad=False, generator=None):
    return randn(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad,
                 generator=generator)


def rand_like(t, dtype=None, requires_grad=False, generator=None):
    return rand(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad,
                generator=generator)


# ===================================================================== Tensor methods
def _compare(op):
    def method(self, other):
        value_read(self, "a comparison")
        value_read(other, "a comparison")
        o = other.data if isinstance(other, Tensor) else other
        return _make(op(self.data, o), None)

    return method


def _getitem(self, index):
    return GetItem(index).apply(self)


def _rsub(self, other):
    return sub(other, self)


def _rdiv(self, other):
    return div(other, self)


def _rpow(self, other):
    return pow(as_tensor(other, self), self)


def _setitem(self, index, value):
    if self.requires_grad and self.is_leaf:
        raise RuntimeError("a leaf tensor that requires grad cannot be modified in place")
    value_read(self, "assignment into a tensor")
    value_read(value, "assignment into a tensor")
    self.data[_raw_index(index)] = value.data if isinstance(value, Tensor) else value


_methods = {
    "__add__": add, "__radd__": lambda s, o: add(o, s),
    "__sub__": sub, "__rsub__": _rsub,
    "__mul__": mul, "__rmul__": lambda s, o: mul(o, s),
    "__truediv__": div, "__rtruediv__": _rdiv,
    "__neg__": lambda s: Neg().apply(s),
    "__pow__": pow, "__rpow__": _rpow,
    "__matmul__": matmul, "__rmatmul__": lambda s, o: matmul(o, s),
    "__getitem__": _getitem, "__setitem__": _setitem,
    "__lt__": _compare(numpy.less), "__le__": _compare(numpy.less_equal),
    "__gt__": _compare(numpy.greater), "__ge__": _compare(numpy.greater_equal),
    "__eq__": _compare(numpy.equal), "__ne__": _compare(numpy.not_equal),
    "exp": exp, "sin": sin, "cos": cos, "log": log, "sqrt": sqrt, "abs": abs, "sign": sign,
    "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "real": real, "imag": imag,
    "pow": pow, "clamp": clamp, "maximum": maximum,
    "sum": sum, "mean": mean, "amax": amax, "amin": amin, "logsumexp": logsumexp,
    "var": var, "std": std, "matmul": matmul,
    "reshape": reshape, "view": reshape, "permute": permute, "transpose": transpose,
    "unsqueeze": unsqueeze, "squeeze": squeeze, "flatten": flatten, "expand": expand,
    "split": split, "chunk": chunk, "gather": gather, "scatter_add": scatter_add,
    "softmax": softmax, "log_softmax": log_softmax,
}
for _name, _fn in _methods.items():
    setattr(Tensor, _name, _fn)
Tensor.__hash__ = object.__hash__  # __eq__ is elementwise; identity hashing, like torch


def _max_method(self, dim=None, keepdim=False):
    """torch semantics: max() is a scalar; max(dim) is (values, indices)."""
    if dim is None:
        return amax(self)
    values = amax(self, dim, keepdim)
    value_read(self, "max(dim)'s indices")
    idx = _xp(self.data).argmax(self.data, axis=dim)
    if keepdim:
        idx = _xp(idx).expand_dims(idx, dim)
    return values, _make(idx, None)


def _min_method(self, dim=None, keepdim=False):
    if dim is None:
        return amin(self)
    values = amin(self, dim, keepdim)
    value_read(self, "min(dim)'s indices")
    idx = _xp(self.data).argmin(self.data, axis=dim)
    if keepdim:
        idx = _xp(idx).expand_dims(idx, dim)
    return values, _make(idx, None)


def _argmax(self, dim=None, keepdim=False):
    value_read(self, "argmax()")
    return _make(_xp(self.data).argmax(self.data, axis=dim, keepdims=keepdim), None)


Tensor.max = _max_method
Tensor.min = _min_method
Tensor.argmax = _argmax
Tensor.T = property(lambda s: Transpose(tuple(range(s.ndim))[::-1]).apply(s))
Tensor.mT = property(lambda s: transpose(s, -1, -2))

# math constants used by composed ops
pi = math.pi
