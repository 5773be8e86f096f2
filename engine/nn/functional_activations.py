"""torch.nn.functional activations, with torch's names, defaults and gradients.

The hot ones (relu, tanh, sigmoid) use the fused Functions of engine.ops. The other
pointwise activations are one node each: a ``_Pointwise`` Function that evaluates the
formula and its closed-form derivative, choosing the same side as torch at the kinks
(e.g. leaky_relu uses the negative slope at x == 0, hardtanh has zero gradient at its
bounds). Softmax and log-softmax are fused too: they sit in every classifier.

``inplace=True`` (and the ``relu_`` spelling) is accepted for torch compatibility but
computes out of place: same values and gradients, a new tensor, the input untouched.
Without autograd version counters an in-place write could corrupt a tensor saved for an
earlier op's backward pass, so we never do one; use the returned tensor.
"""
from __future__ import annotations

import math

import numpy

from .. import backend, ops
from ..autograd import Function, Tensor, _make, value_read

__all__ = ["relu", "relu_", "leaky_relu", "prelu", "rrelu", "elu", "selu", "celu", "gelu",
           "softplus", "sigmoid", "tanh", "hardtanh", "relu6", "threshold", "tanhshrink",
           "softshrink", "hardshrink", "softsign", "softmax", "softmin", "log_softmax",
           "logsigmoid", "heaviside", "erf"]

_xp = backend.array_module

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ===================================================================== erf
def _erfcx_host(z):
    """exp(z^2) erfc(z) for z >= 0 on the host (only used to build the table below)."""
    if z < 20.0:
        return math.exp(z * z) * math.erfc(z)
    # asymptotic series; at z >= 20 eight terms are exact to double precision
    s, term = 1.0, 1.0
    for k in range(1, 9):
        term *= -(2 * k - 1) / (2 * z * z)
        s += term
    return s / (z * math.sqrt(math.pi))


def _erfc_chebyshev_coefficients(degree=28):
    """Chebyshev coefficients c of f(u) = log(erfc(z) / t) + z^2, t = 2 / (2 + z), u = 2t - 1.

    This is the form of Numerical Recipes' erfccheb; the coefficients are fitted here
    from math.erfc at import (microseconds), so no magic constants are pasted in.
    """
    def f(u):
        t = (u + 1.0) / 2.0
        z = 2.0 / t - 2.0
        return math.log(_erfcx_host(z) / t)

    return numpy.polynomial.chebyshev.chebinterpolate(numpy.vectorize(f), degree).tolist()


_ERFC_COEF = _erfc_chebyshev_coefficients()
#: float32 needs the series only to ~1e-9 (its epsilon is 6e-8): the coefficients up to the
#: last one of at least that size, half the table, so half the passes over a GELU's input
_ERFC_COEF_F32 = _ERFC_COEF[:1 + max(i for i, c in enumerate(_ERFC_COEF) if abs(c) >= 1e-9)]


def _erfc_nonneg(xp, z):
    """erfc(z) for z >= 0, accurate to ~1e-15 relative (Clenshaw on the table above); for a
    float32 (or smaller) z, to ~1e-9 relative, beyond what the dtype holds."""
    coef = _ERFC_COEF if z.dtype.itemsize >= 8 else _ERFC_COEF_F32
    t = 2.0 / (2.0 + z)
    u2 = 2.0 * (2.0 * t - 1.0)
    b1 = xp.zeros_like(z)
    b2 = xp.zeros_like(z)
    for c in reversed(coef[1:]):
        b1, b2 = u2 * b1 - b2 + c, b1
    series = 0.5 * u2 * b1 - b2 + coef[0]
    return t * xp.exp(series - z * z)


def _erf_array(xp, x):
    """erf on raw arrays of either device (NumPy has no erf of its own)."""
    a = xp.abs(x)
    e = 1.0 - _erfc_nonneg(xp, a)
    return xp.where(x < 0, -e, e).astype(x.dtype, copy=False)


def _normal_cdf(xp, x):
    """Phi(x) = erfc(-x/sqrt2)/2, accurate in both tails."""
    z = x * (-1.0 / math.sqrt(2.0))
    c = 0.5 * _erfc_nonneg(xp, xp.abs(z))
    return xp.where(z >= 0, c, 1.0 - c)


# ===================================================================== pointwise base
class _Pointwise(Function):
    """y = f(x) with a closed-form f'(x): one graph node per activation."""

    def value(self, xp, x):
        raise NotImplementedError

    def derivative(self, xp, x, out):
        raise NotImplementedError

    def forward(self, x):
        out = self.value(_xp(x), x)
        self.x, self.out = x, out
        return out

    def backward(self, g):
        d = self.derivative(_xp(g), self.x, self.out)
        return g * d.astype(g.dtype, copy=False)


def _c(x, v):
    """A constant of x's dtype: keeps float32 maths in float32."""
    return x.dtype.type(v)


class Erf(_Pointwise):
    def value(self, xp, x):
        return _erf_array(xp, x)

    def derivative(self, xp, x, out):
        return (2.0 / math.sqrt(math.pi)) * xp.exp(-x * x)


class LeakyReLUFn(_Pointwise):
    def __init__(self, slope):
        self.slope = slope

    def value(self, xp, x):
        return xp.where(x > 0, x, x * _c(x, self.slope))

    def derivative(self, xp, x, out):
        return xp.where(x > 0, _c(x, 1), _c(x, self.slope))


class ELUFn(_Pointwise):
    """torch's elu kernel: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    def __init__(self, alpha, scale=1.0, input_scale=1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def value(self, xp, x):
        neg = xp.expm1(xp.minimum(x, 0) * _c(x, self.input_scale)) * _c(x, self.alpha)
        return xp.where(x > 0, x, neg) * _c(x, self.scale)

    def derivative(self, xp, x, out):
        neg = xp.exp(xp.minimum(x, 0) * _c(x, self.input_scale)) * _c(
            x, self.alpha * self.scale * self.input_scale)
        return xp.where(x > 0, _c(x, self.scale), neg)


class GELUFn(_Pointwise):
    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', not {approximate!r}")
        self.approximate = approximate

    def value(self, xp, x):
        if self.approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            self.inner = xp.tanh(_c(x, k) * (x + _c(x, 0.044715) * x * x * x))
            return _c(x, 0.5) * x * (1 + self.inner)
        self.cdf = _normal_cdf(xp, x).astype(x.dtype, copy=False)
        return x * self.cdf

    def derivative(self, xp, x, out):
        if self.approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            th = self.inner
            dinner = k * (1 + 3 * 0.044715 * x * x)
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * dinner
        return self.cdf + x * xp.exp(-0.5 * x * x) * (1.0 / math.sqrt(2.0 * math.pi))


class SoftplusFn(_Pointwise):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold (like torch)."""

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold

    def value(self, xp, x):
        bx = x * _c(x, self.beta)
        # log1p(exp(-|bx|)) + max(bx, 0): never overflows
        soft = (xp.log1p(xp.exp(-xp.abs(bx))) + xp.maximum(bx, 0)) / _c(x, self.beta)
        return xp.where(bx > self.threshold, x, soft)

    def derivative(self, xp, x, out):
        bx = x * _c(x, self.beta)
        s = 0.5 * (1 + xp.tanh(0.5 * bx))  # sigmoid(bx), overflow-free
        return xp.where(bx > self.threshold, _c(x, 1), s)


class LogSigmoidFn(_Pointwise):
    def value(self, xp, x):
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def derivative(self, xp, x, out):
        return 0.5 * (1 - xp.tanh(0.5 * x))  # sigmoid(-x)


class HardtanhFn(_Pointwise):
    def __init__(self, min_val, max_val):
        if max_val < min_val:
            raise ValueError(f"hardtanh: max_val ({max_val}) must be >= min_val ({min_val})")
        self.min_val, self.max_val = min_val, max_val

    def value(self, xp, x):
        return xp.clip(x, self.min_val, self.max_val).astype(x.dtype, copy=False)

    def derivative(self, xp, x, out):
        return (x > self.min_val) & (x < self.max_val)


class ThresholdFn(_Pointwise):
    def __init__(self, threshold, value):
        self.threshold, self.fill = threshold, value

    def value(self, xp, x):
        return xp.where(x > self.threshold, x, _c(x, self.fill))

    def derivative(self, xp, x, out):
        return x > self.threshold


class TanhshrinkFn(_Pointwise):
    def value(self, xp, x):
        self.th = xp.tanh(x)
        return x - self.th

    def derivative(self, xp, x, out):
        return self.th * self.th


class SoftshrinkFn(_Pointwise):
    def __init__(self, lambd):
        if lambd < 0:
            raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
        self.lambd = lambd

    def value(self, xp, x):
        lam = _c(x, self.lambd)
        return xp.where(x > lam, x - lam, xp.where(x < -lam, x + lam, _c(x, 0)))

    def derivative(self, xp, x, out):
        return (x > self.lambd) | (x < -self.lambd)


class HardshrinkFn(_Pointwise):
    def __init__(self, lambd):
        self.lambd = lambd

    def value(self, xp, x):
        return xp.where((x > self.lambd) | (x < -self.lambd), x, _c(x, 0))

    def derivative(self, xp, x, out):
        return (x > self.lambd) | (x < -self.lambd)


class SoftsignFn(_Pointwise):
    def value(self, xp, x):
        self.den = 1 + xp.abs(x)
        return x / self.den

    def derivative(self, xp, x, out):
        return 1 / (self.den * self.den)


class HeavisideFn(Function):
    """Step: 1 where x > 0, ``values`` where x == 0, 0 below. Its gradient is zero.

    torch.heaviside has no derivative at all; here backward returns zeros so a graph
    containing a step still runs. Threshold units learn with the perceptron rule
    (engine.optim.perceptron), not with gradients.
    """

    def __init__(self, values):
        self.values = values

    def forward(self, x):
        xp = _xp(x)
        self.shape, self.dtype = x.shape, x.dtype
        v = self.values.data if isinstance(self.values, Tensor) else self.values
        return xp.where(x > 0, _c(x, 1), xp.where(x == 0, xp.asarray(v, dtype=x.dtype), _c(x, 0)))

    def backward(self, g):
        return _xp(g).zeros(self.shape, g.dtype)


class SoftmaxFn(Function):
    """softmax along ``axis``; backward y * (g - sum(g y))."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        xp = _xp(x)
        e = xp.exp(x - x.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        self.out = e
        return e

    def backward(self, g):
        y = self.out
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


class LogSoftmaxFn(Function):
    """log-softmax along ``axis``; backward g - softmax * sum(g)."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        xp = _xp(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.out = out
        return out

    def backward(self, g):
        return g - _xp(g).exp(self.out) * g.sum(axis=self.axis, keepdims=True)


# ===================================================================== functional API
def relu(input, inplace=False):
    return ops.Relu().apply(input)


def relu_(input):
    """torch's in-place spelling; here out of place like ``relu`` (see the module docstring)."""
    return relu(input)


def relu6(input, inplace=False):
    return HardtanhFn(0.0, 6.0).apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return LeakyReLUFn(negative_slope).apply(input)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x); weight has 1 or C (= input.shape[1]) entries."""
    w = weight
    if w.ndim == 1 and w.shape[0] > 1 and input.ndim >= 2:
        w = ops.reshape(w, (1, w.shape[0]) + (1,) * (input.ndim - 2))
    # r + w (x - r) with r = relu(x): no mask taken from the values in Python, so a
    # compiled step can replay it; at x = 0 the gradient is w, as torch's
    r = ops.relu(input)
    return r + w * (input - r)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, generator=None):
    """Randomized leaky ReLU: a uniform slope in [lower, upper] per element while training,
    the mean slope (lower + upper) / 2 in evaluation (torch semantics)."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2.0)
    gen = generator if generator is not None else backend.default_generator
    slope = gen.uniform(lower, upper, input.shape)
    value_read(input, "rrelu's random slopes")
    d = input.data
    if backend.device_of(slope) != backend.device_of(d):
        slope = backend.to_device(slope, backend.device_of(d))
    slope = _xp(d).where(d > 0, 1, slope).astype(d.dtype, copy=False)
    return input * _make(slope, None)


def elu(input, alpha=1.0, inplace=False):
    return ELUFn(alpha).apply(input)


def selu(input, inplace=False):
    return ELUFn(SELU_ALPHA, SELU_SCALE).apply(input)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise ValueError("ZeroDivisionError in CELU: alpha cannot be 0")
    return ELUFn(alpha, 1.0, 1.0 / alpha).apply(input)


def gelu(input, approximate="none"):
    return GELUFn(approximate).apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    return SoftplusFn(beta, threshold).apply(input)


def logsigmoid(input):
    return LogSigmoidFn().apply(input)


def sigmoid(input):
    return ops.Sigmoid().apply(input)


def tanh(input):
    return ops.Tanh().apply(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return HardtanhFn(min_val, max_val).apply(input)


def threshold(input, threshold, value, inplace=False):
    return ThresholdFn(threshold, value).apply(input)


def tanhshrink(input):
    return TanhshrinkFn().apply(input)


def softshrink(input, lambd=0.5):
    return SoftshrinkFn(lambd).apply(input)


def hardshrink(input, lambd=0.5):
    return HardshrinkFn(lambd).apply(input)


def softsign(input):
    return SoftsignFn().apply(input)


def erf(input):
    return Erf().apply(input)


def heaviside(input, values=1.0):
    """torch.heaviside(input, values): 1 for x > 0, ``values`` at 0, 0 below; zero gradient."""
    return HeavisideFn(values).apply(input)


def _softmax_dim(ndim):
    """torch's legacy choice when dim is None: 0 for 0-, 1- and 3-D input, else 1."""
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype=dtype)
    return input, (_softmax_dim(input.ndim) if dim is None else dim % max(input.ndim, 1))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _prepare(input, dim, dtype)
    return SoftmaxFn(dim).apply(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _prepare(input, dim, dtype)
    return SoftmaxFn(dim).apply(-input)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _prepare(input, dim, dtype)
    return LogSoftmaxFn(dim).apply(input)
