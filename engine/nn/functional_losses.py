"""torch.nn.functional losses, with torch's reductions, weights and edge conventions.

Pointwise losses (mse, l1, smooth_l1, huber, soft_margin, binary cross-entropies) are
one ``_PairLoss`` node each: the per-element value, its closed-form partials and the
reduction live in a single Function, since a regression step would otherwise spend
more time in Python than in arithmetic. nll_loss and cross_entropy with class-index
targets are fused the same way (cross_entropy = log-softmax + nll in one node). The
rarer losses are composed from engine.ops.
"""
from __future__ import annotations

import math

import numpy

from .. import backend, ops
from ..autograd import Function, Tensor, _make, unbroadcast, value_read
from . import functional_activations as _act

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "hinge_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
           "soft_margin_loss", "cosine_embedding_loss", "pairwise_distance"]

_xp = backend.array_module
_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, allowed))}, not {reduction!r}")
    return reduction


def _legacy_reduction(size_average, reduce, reduction):
    """torch's deprecated size_average/reduce arguments, mapped onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else ("mean" if size_average else "sum")


def _reduce(loss, reduction):
    if reduction == "mean":
        return ops.mean(loss)
    if reduction == "sum":
        return ops.sum(loss)
    return loss


def _raw(v, like):
    """A constant array (weights) on ``like``'s device and dtype, or None."""
    if v is None:
        return None
    d = v.data if isinstance(v, Tensor) else v
    xp = _xp(like)
    return xp.asarray(d, dtype=like.dtype)


def _as_tensor(t, like):
    return t if isinstance(t, Tensor) else ops.as_tensor(t, like)


# ===================================================================== pointwise losses
class _PairLoss(Function):
    """reduce(l(x, y)) with closed-form partials of l; x and y broadcast like torch."""

    def __init__(self, reduction):
        self.reduction = reduction

    def value(self, xp, x, y):
        raise NotImplementedError

    def partials(self, xp, x, y, need_y):
        """(dl/dx, dl/dy or None), arrays of the broadcast shape."""
        raise NotImplementedError

    def forward(self, x, y):
        xp = _xp(x)
        self.x, self.y = x, y
        loss = self.value(xp, x, y)
        self.shape = loss.shape
        return self._reduce(loss)

    def _reduce(self, loss):
        if self.reduction == "mean":
            return loss.sum() / loss.size  # what mean() does, without its Python wrapper
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def backward(self, g):
        xp = _xp(g)
        if self.reduction == "mean":
            g = g / max(math.prod(self.shape), 1)
        dx, dy = self.partials(xp, self.x, self.y, self.needs[1])
        gx = self._to_shape(xp, g * dx, self.x.shape) if self.needs[0] else None
        gy = self._to_shape(xp, g * dy, self.y.shape) if self.needs[1] else None
        return gx, gy

    def _to_shape(self, xp, grad, shape):
        if grad.shape != self.shape:  # a scalar partial (e.g. a broadcast constant)
            grad = xp.broadcast_to(grad, self.shape)
        return unbroadcast(grad, shape)


class _MSE(_PairLoss):
    """The most common loss of the course gets a shorter path than the generic pair: the
    difference is kept, and the backward is one scaled copy of it."""

    def forward(self, x, y):
        if self.reduction == "none" or x.shape != y.shape:
            self.d = None
            return super().forward(x, y)
        d = x - y
        self.d = d
        return self._reduce(d * d)

    def backward(self, g):
        d = self.d
        if d is None:
            return super().backward(g)
        scale = g * (2.0 / d.size) if self.reduction == "mean" else g * 2.0
        gx = d * scale
        return (gx if self.needs[0] else None), (-gx if self.needs[1] else None)

    def value(self, xp, x, y):
        d = x - y
        return d * d

    def partials(self, xp, x, y, need_y):
        dx = 2 * (x - y)
        return dx, (-dx if need_y else None)


class _L1(_PairLoss):
    def value(self, xp, x, y):
        return xp.abs(x - y)

    def partials(self, xp, x, y, need_y):
        dx = xp.sign(x - y)
        return dx, (-dx if need_y else None)


class _SmoothL1(_PairLoss):
    def __init__(self, reduction, beta):
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
        self.beta = beta

    def value(self, xp, x, y):
        d = xp.abs(x - y)
        if self.beta == 0:
            return d
        return xp.where(d < self.beta, (0.5 / self.beta) * d * d, d - 0.5 * self.beta)

    def partials(self, xp, x, y, need_y):
        d = x - y
        if self.beta == 0:
            dx = xp.sign(d)
        else:
            dx = xp.clip(d / self.beta, -1, 1)
        return dx, (-dx if need_y else None)


class _Huber(_PairLoss):
    def __init__(self, reduction, delta):
        super().__init__(reduction)
        if delta <= 0:
            raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
        self.delta = delta

    def value(self, xp, x, y):
        d = xp.abs(x - y)
        return xp.where(d < self.delta, 0.5 * d * d, self.delta * (d - 0.5 * self.delta))

    def partials(self, xp, x, y, need_y):
        dx = xp.clip(x - y, -self.delta, self.delta)
        return dx, (-dx if need_y else None)


class _SoftMargin(_PairLoss):
    """log(1 + exp(-y x)), computed as softplus(-y x)."""

    def value(self, xp, x, y):
        z = -y * x
        return xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)

    def partials(self, xp, x, y, need_y):
        s = 0.5 * (1 + xp.tanh(-0.5 * y * x))  # sigmoid(-y x)
        return -y * s, (-x * s if need_y else None)


class _BCE(_PairLoss):
    """-w (y log x + (1 - y) log(1 - x)), logs clamped at -100 and the gradient's
    denominator at 1e-12, exactly like torch's binary_cross_entropy kernels."""

    def __init__(self, reduction, weight):
        super().__init__(reduction)
        self.weight = weight

    def _logs(self, xp, x):
        with numpy.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            return xp.maximum(xp.log(x), -100.0), xp.maximum(xp.log1p(-x), -100.0)

    def value(self, xp, x, y):
        log_x, log_1mx = self._logs(xp, x)
        loss = (y - 1) * log_1mx - y * log_x
        return loss if self.weight is None else loss * self.weight

    def partials(self, xp, x, y, need_y):
        dx = (x - y) / xp.maximum((1 - x) * x, 1e-12)
        dy = None
        if need_y:
            log_x, log_1mx = self._logs(xp, x)
            dy = log_1mx - log_x
        if self.weight is not None:
            dx = dx * self.weight
            dy = None if dy is None else dy * self.weight
        return dx, dy


class _BCEWithLogits(_PairLoss):
    """(1 - y) x + (1 + (pw - 1) y) softplus(-x), times weight: stable for any x."""

    def __init__(self, reduction, weight, pos_weight):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, x, y):
        # The loss of every binary-classification lesson gets a short path, as MSE does:
        # softplus(-x) is kept for the backward, where
        # sigmoid(x) = exp(-softplus(-x)) makes dl/dx = sigmoid(x) - y two ufuncs more.
        if (self.reduction == "none" or self.weight is not None or self.pos_weight is not None
                or x.shape != y.shape or self.needs[1]):
            self.sp = None
            return super().forward(x, y)
        xp = _xp(x)
        # softplus(-x) = log1p(exp(-|x|)) + max(-x, 0); logaddexp(0, -x) is one call
        # but warns on a NaN input, and a NaN is reported by the session, not NumPy
        sp = xp.log1p(xp.exp(-xp.abs(x)))
        sp += xp.maximum(-x, 0)
        self.sp, self.y = sp, y
        loss = x - x * y
        loss += sp
        return self._reduce(loss)

    def backward(self, g):
        sp = self.sp
        if sp is None:
            return super().backward(g)
        gx = _xp(sp).exp(-sp)
        gx -= self.y
        gx *= g * (1.0 / sp.size) if self.reduction == "mean" else g
        return gx, None

    def value(self, xp, x, y):
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)  # softplus(-x) = -log sigmoid(x)
        if self.pos_weight is None:
            loss = (1 - y) * x + sp
        else:
            loss = (1 - y) * x + (1 + (self.pos_weight - 1) * y) * sp
        return loss if self.weight is None else loss * self.weight

    def partials(self, xp, x, y, need_y):
        sig_neg = 0.5 * (1 - xp.tanh(0.5 * x))  # sigmoid(-x)
        if self.pos_weight is None:
            dx = (1 - y) - sig_neg
        else:
            dx = (1 - y) - (1 + (self.pos_weight - 1) * y) * sig_neg
        dy = None
        if need_y:
            dy = -x
            if self.pos_weight is not None:
                sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
                dy = dy + (self.pos_weight - 1) * sp
        if self.weight is not None:
            dx = dx * self.weight
            dy = None if dy is None else dy * self.weight
        return dx, dy


def _pair(cls, input, target, reduction, *args):
    _check_reduction(reduction)
    target = _as_tensor(target, input)
    return cls(reduction, *args).apply(input, target)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _pair(_MSE, input, target, _legacy_reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _pair(_L1, input, target, _legacy_reduction(size_average, reduce, reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    return _pair(_SmoothL1, input, target, _legacy_reduction(size_average, reduce, reduction), beta)


def huber_loss(input, target, reduction="mean", delta=1.0):
    return _pair(_Huber, input, target, reduction, delta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _pair(_SoftMargin, input, target, _legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy: target size {tuple(target.shape)} must equal "
                         f"input size {tuple(input.shape)}")
    d = input.data
    if d.size and bool(((d < 0) | (d > 1)).any()):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(apply Sigmoid first, or use BCEWithLogitsLoss)")
    return _pair(_BCE, input, target, _legacy_reduction(size_average, reduce, reduction),
                 _raw(weight, d))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target size {tuple(target.shape)} "
                         f"must equal input size {tuple(input.shape)}")
    d = input.data
    return _pair(_BCEWithLogits, input, target, _legacy_reduction(size_average, reduce, reduction),
                 _raw(weight, d), _raw(pos_weight, d))


# ===================================================================== class-index losses
def _class_targets(input, target, weight, name):
    """Check (input, target, weight) by dtype and shape: (axis, target Tensor, weight array).
    The values are looked at in the Function's forward (``_picked``), so a compiled step
    that replays the loss checks and uses each new target."""
    x = input.data
    if not isinstance(target, Tensor):
        target = _make(_xp(x).asarray(target), None)
    y = target.data
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name}: class-index targets must be integers, got dtype {y.dtype}")
    axis = 1 if x.ndim >= 2 else 0
    expected = x.shape[:axis] + x.shape[axis + 1:]
    if tuple(y.shape) != expected:
        raise ValueError(f"{name}: expected target of shape {expected} for input of shape "
                         f"{tuple(x.shape)}, got {tuple(y.shape)}")
    n_classes = x.shape[axis]
    w = _raw(weight, x)
    if w is not None and w.shape != (n_classes,):
        raise ValueError(f"{name}: weight must have {n_classes} entries (one per class), "
                         f"got shape {tuple(w.shape)}")
    return axis, target, w


def _picked(x, y, axis, w, ignore_index, name):
    """(safe target, per-position weight w_y, valid mask) from the target's values."""
    xp = _xp(x)
    n_classes = x.shape[axis]
    valid = y != ignore_index
    y_safe = xp.where(valid, y, 0)
    lo, hi = (int(y_safe.min()), int(y_safe.max())) if y_safe.size else (0, 0)
    if lo < 0 or hi >= n_classes:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{name}: target {bad} is out of bounds for {n_classes} classes")
    w_y = valid.astype(x.dtype) if w is None else w[y_safe] * valid
    return y_safe, w_y, valid


def _along(xp, target, axis):
    """Fancy index picking the target class along ``axis``; the result has target's shape."""
    if target.ndim == 1 and axis == 1:  # the common (N, C) case, without ogrid's overhead
        return (xp.arange(target.shape[0]), target)
    grids = list(xp.ogrid[tuple(slice(n) for n in target.shape)]) if target.ndim else []
    grids.insert(axis, target)
    return tuple(grids)


def _unsqueeze(a, axis):
    """Re-insert the class axis so a per-position array broadcasts over classes."""
    return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])


class _NLL(Function):
    """-w_y x[y] per position; 'mean' divides by the sum of the picked weights (torch).
    Inputs: the log-probabilities and the class-index target (not differentiated)."""

    def __init__(self, axis, w, ignore_index, reduction):
        self.axis, self.w, self.ignore_index, self.reduction = axis, w, ignore_index, reduction

    def forward(self, x, y):
        xp = _xp(x)
        self.shape = x.shape
        y, self.w_y, _ = _picked(x, y, self.axis, self.w, self.ignore_index, "nll_loss")
        self.index = _along(xp, y, self.axis)
        loss = -self.w_y * x[self.index]
        if self.reduction == "none":
            return loss
        total = loss.sum()
        return total / self.w_y.sum() if self.reduction == "mean" else total

    def backward(self, g):
        xp = _xp(g)
        coef = -self.w_y * (g / self.w_y.sum() if self.reduction == "mean" else g)
        gx = xp.zeros(self.shape, g.dtype)
        gx[self.index] = coef
        return gx, None


class _CrossEntropy(Function):
    """log-softmax + nll (+ label smoothing) fused: one node, closed-form gradient.

    per position i: l_i = (1 - e) w_y (-logp_y) + (e / C) sum_c w_c (-logp_c)
    dl_i/dx = (1 - e) w_y (p - onehot_y) + (e / C) (sum_c w_c p - w)
    'mean' divides by sum_i w_y (torch normalises both terms by it); ignored positions
    contribute nothing.
    """

    def __init__(self, axis, w, ignore_index, reduction, smoothing):
        self.axis, self.w, self.ignore_index = axis, w, ignore_index
        self.reduction, self.smoothing = reduction, smoothing

    def _class_vector(self, v, ndim):
        """A per-class vector shaped to broadcast along the class axis."""
        shape = [1] * ndim
        shape[self.axis] = -1
        return v.reshape(shape)

    def forward(self, x, y):
        xp = _xp(x)
        ax, e = self.axis, self.smoothing
        y, self.w_y, valid = _picked(x, y, ax, self.w, self.ignore_index, "cross_entropy")
        self.valid = valid.astype(x.dtype) if e else None
        shifted = x - x.max(axis=ax, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=ax, keepdims=True))
        self.logp, self.shape = logp, x.shape
        self.index = _along(xp, y, ax)
        loss = -self.w_y * logp[self.index]
        if e:
            weighted = logp if self.w is None else logp * self._class_vector(self.w, x.ndim)
            smooth = -weighted.sum(axis=ax) * self.valid
            loss = (1 - e) * loss + (e / x.shape[ax]) * smooth
        if self.reduction == "none":
            return loss
        total = loss.sum()
        return total / self.w_y.sum() if self.reduction == "mean" else total

    def backward(self, g):
        xp = _xp(g)
        ax, e = self.axis, self.smoothing
        a = g / self.w_y.sum() if self.reduction == "mean" else g  # scalar unless 'none'
        hard = (1 - e) * a * self.w_y                      # weight of the one-hot term
        p = xp.exp(self.logp)
        if not e:
            gx = p * _unsqueeze(hard, ax)
        else:
            n_classes = self.shape[ax]
            soft = a * self.valid * (e / n_classes)         # weight of the uniform term
            w = xp.ones(n_classes, g.dtype) if self.w is None else self.w
            gx = p * _unsqueeze(hard + soft * w.sum(), ax)
            gx -= _unsqueeze(soft, ax) * self._class_vector(w, len(self.shape))
        gx[self.index] -= hard
        return gx, None


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    axis, target, w = _class_targets(input, target, weight, "nll_loss")
    return _NLL(axis, w, ignore_index, reduction).apply(input, target)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Class indices (integer target) or class probabilities (float target, input's shape)."""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    tdata = target.data if isinstance(target, Tensor) else _xp(input.data).asarray(target)
    if tdata.dtype.kind == "f":
        return _cross_entropy_probs(input, _as_tensor(target, input), weight, reduction,
                                    label_smoothing)
    if not isinstance(target, Tensor):
        target = _make(tdata, None)  # converted once
    axis, target, w = _class_targets(input, target, weight, "cross_entropy")
    return _CrossEntropy(axis, w, ignore_index, reduction, label_smoothing).apply(input, target)


def _cross_entropy_probs(input, target, weight, reduction, smoothing):
    if target.shape != input.shape:
        raise ValueError(f"cross_entropy: probability targets must have the input's shape "
                         f"{tuple(input.shape)}, got {tuple(target.shape)}")
    axis = 1 if input.ndim >= 2 else 0
    n_classes = input.shape[axis]
    logp = _act.log_softmax(input, axis)
    if smoothing:
        target = target * (1 - smoothing) + smoothing / n_classes
    prod = logp * target
    w = _raw(weight, input.data)
    if w is not None:
        shape = [1] * input.ndim
        shape[axis] = -1
        prod = prod * _make(w.reshape(shape), None)
    loss = -ops.sum(prod, axis)
    return _reduce(loss, reduction)


# ===================================================================== composed losses
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input), with 0 log 0 = 0; 'batchmean' divides by input.size(0)."""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction),
                                 _REDUCTIONS + ("batchmean",))
    target = _as_tensor(target, input)
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        value_read(target, "kl_div's zero targets")
        positive = target.data > 0
        safe = ops.where(positive, target, 1.0)
        loss = target * ops.log(safe) - target * input
    if reduction == "batchmean":
        return ops.sum(loss) / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x where y = 1, max(0, margin - x) where y = -1 (torch's where-based definition)."""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    value_read(target, "the target's signs")
    y = target.data if isinstance(target, Tensor) else _xp(input.data).asarray(target)
    margin_part = ops.clamp(margin - input, min=0.0)
    loss = ops.where(y != 1, margin_part, 0.0) + ops.where(y != -1, input, 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    target = _as_tensor(target, input1)
    loss = ops.clamp(-target * (input1 - input2) + margin, min=0.0)
    return _reduce(loss, reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (torch adds eps to the difference)."""
    d = x1 - x2 + eps
    if p == 2:
        return ops.sqrt(ops.sum(d * d, -1, keepdim))
    if p == 1:
        return ops.sum(ops.abs(d), -1, keepdim)
    return ops.pow(ops.sum(ops.pow(ops.abs(d), p), -1, keepdim), 1.0 / p)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = ops.minimum(d_neg, d_swap)
    loss = ops.clamp(margin + d_pos - d_neg, min=0.0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos where y = 1, max(0, cos - margin) where y = -1; torch's 1e-12 in the norms."""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    dim = input1.ndim - 1
    value_read(target, "the target's signs")
    y = target.data if isinstance(target, Tensor) else _xp(input1.data).asarray(target)
    prod = ops.sum(input1 * input2, dim)
    mag1 = ops.sum(input1 * input1, dim) + 1e-12
    mag2 = ops.sum(input2 * input2, dim) + 1e-12
    cos = prod / ops.sqrt(mag1 * mag2)
    loss = ops.where(y == 1, 1 - cos, 0.0) + ops.where(y == -1, ops.clamp(cos - margin, min=0.0), 0.0)
    return _reduce(loss, reduction)
