"""torch.nn.functional forms of the layers, composed from engine.ops.

Convolution is pad + unfold (a strided view of sliding windows) + one matmul through
the fused Linear Function. Recurrent layers run a whole sequence inside one Function
per layer and direction (forward loops over time, backward is hand-written BPTT), so
a 20-step LSTM is one graph node instead of hundreds.
"""
from __future__ import annotations

import itertools
import math

from .. import backend, ops
from ..autograd import Function, Tensor, _make, value_read

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "dropout", "gaussian_noise", "batch_norm", "layer_norm", "group_norm", "instance_norm",
           "embedding", "scaled_dot_product_attention", "flatten",
           "rnn_tanh_layer", "rnn_relu_layer", "lstm_layer", "gru_layer"]

_xp = backend.array_module


def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


# ===================================================================== linear
def linear(input, weight, bias=None):
    """y = x W^T + b, one fused node."""
    if bias is None:
        return ops.Linear().apply(input, weight)
    return ops.Linear().apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_i = sum_jk x1_j W_ijk x2_k + b_i (the multiplicative module of the notes)."""
    out = ops.einsum("...j,ijk,...k->...i", input1, weight, input2)
    return out if bias is None else out + bias


def flatten(input, start_dim=1, end_dim=-1):
    return ops.flatten(input, start_dim, end_dim)


# ===================================================================== convolution
def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    k = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError("padding='same' needs stride 1")
            total = [d * (kk - 1) for d, kk in zip(dilation, k)]
            widths = []
            for t in reversed(total):
                widths += [t // 2, t - t // 2]
            input = ops.pad(input, widths)
            padding = (0,) * nd
        else:
            raise ValueError(f"padding must be an int, a tuple, 'valid' or 'same', not {padding!r}")
    padding = _tuple(padding, nd)
    if any(padding):
        widths = []
        for p in reversed(padding):
            widths += [p, p]
        input = ops.pad(input, widths)
    cols = ops.unfold(input, k, stride, dilation)          # (N, C, *O, *K)
    n = cols.shape[0]
    out_sp = cols.shape[2:2 + nd]
    # (N, *O, C, *K) so the contraction axis C*K is last and contiguous for the matmul
    axes = (0,) + tuple(range(2, 2 + nd)) + (1,) + tuple(range(2 + nd, 2 + 2 * nd))
    cols = ops.permute(cols, axes)
    if groups == 1:
        # a 2-D matmul (one BLAS call), not a batch of small ones
        cols = ops.reshape(cols, (-1, cols.shape[-nd - 1] * math.prod(k)))
        w2 = ops.reshape(weight, (weight.shape[0], -1))
        out = ops.reshape(linear(cols, w2, bias), (n,) + out_sp + (weight.shape[0],))
    else:
        cols = ops.reshape(cols, (n,) + out_sp + (groups, -1))
        w3 = ops.reshape(weight, (groups, weight.shape[0] // groups, -1))
        out = ops.einsum("...gk,gok->...go", cols, w3)
        out = ops.reshape(out, (n,) + out_sp + (weight.shape[0],))
        if bias is not None:
            out = out + bias
    back = (0, 1 + nd) + tuple(range(1, 1 + nd))
    # a contiguous (N, C, *O) result keeps every later elementwise op on the fast path
    return ops.Identity().apply(ops.permute(out, back))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


# ===================================================================== pooling
class _MaxPool(Function):
    """Max over sliding windows of the trailing axes; the gradient goes to the first
    maximum of each window (like torch). The input is already padded with -inf.

    Windows are small (4 or 9 offsets) and the outputs many, so both passes loop over
    the kernel offsets with whole-array operations instead of reducing a short last axis.
    """

    def __init__(self, kernel, stride, dilation):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def _slices(self, out_spatial):
        for offs in itertools.product(*[range(k) for k in self.kernel]):
            yield (Ellipsis,) + tuple(slice(o * d, o * d + s * (n - 1) + 1, s) for o, d, s, n
                                      in zip(offs, self.dilation, self.stride, out_spatial))

    def forward(self, x):
        xp = _xp(x)
        nd = len(self.kernel)
        out_spatial = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d
                            in zip(x.shape[-nd:], self.kernel, self.stride, self.dilation))
        if min(out_spatial) < 1:
            raise ValueError(f"pooling window {self.kernel} is larger than the input {x.shape[-nd:]}")
        self.shape, self.out_spatial = x.shape, out_spatial
        slices = list(self._slices(out_spatial))
        # one copy that puts each kernel offset's values in a contiguous block
        win = xp.stack([x[sl] for sl in slices])
        best = win[0].copy()
        idx = xp.zeros(best.shape, xp.int8 if len(slices) < 127 else xp.int64)
        better = xp.empty(best.shape, bool)
        for i in range(1, len(slices)):
            xp.greater(win[i], best, out=better)  # strict: ties keep the first maximum
            xp.copyto(best, win[i], where=better)
            xp.copyto(idx, i, where=better)
        self.idx, self.slices = idx, slices
        self.disjoint = all(s >= (k - 1) * d + 1 for k, s, d in zip(self.kernel, self.stride, self.dilation))
        return best

    def backward(self, g):
        xp = _xp(g)
        gx = xp.zeros(self.shape, g.dtype)
        hit = xp.empty(g.shape, bool)
        for i, sl in enumerate(self.slices):
            xp.equal(self.idx, i, out=hit)
            if self.disjoint:  # windows do not overlap: write, no read-modify-write
                xp.multiply(g, hit, out=gx[sl])
            else:
                gx[sl] += g * hit
        return gx


def _pool(input, kernel_size, stride, padding, dilation, nd, kind, count_include_pad=True,
          divisor_override=None):
    k = _tuple(kernel_size, nd)
    s = k if stride is None or stride == () else _tuple(stride, nd)
    p = _tuple(padding, nd)
    d = _tuple(dilation, nd)
    x = input
    if any(p):
        widths = []
        for pp in reversed(p):
            widths += [pp, pp]
        x = ops.pad(x, widths, value=-math.inf if kind == "max" else 0.0)
    if kind == "max":
        return _MaxPool(k, s, d).apply(x)
    cols = ops.unfold(x, k, s, d)                          # (..., *O, *K)
    lead = cols.shape[:cols.ndim - nd]
    cols = ops.reshape(cols, lead + (-1,))
    if divisor_override:  # torch: the window sum over this number, padding or not
        return ops.sum(cols, -1) / float(divisor_override)
    if count_include_pad or not any(p):
        return ops.mean(cols, -1)
    xp = _xp(input.data)
    ones = xp.ones((1, 1) + input.shape[-nd:], dtype=input.data.dtype)
    widths = tuple((0, 0) for _ in range(2)) + tuple((pp, pp) for pp in p)
    ones = xp.pad(ones, widths)
    win = ops.unfold(_make(ones, None), k, s, d).data
    counts = win.reshape(win.shape[:2 + nd] + (-1,)).sum(-1)
    return ops.sum(cols, -1) / _make(counts[0, 0], None)


def _unsupported(ceil_mode=False, return_indices=False):
    """torch's positional arguments we accept but do not implement: a clear error."""
    if ceil_mode:
        raise ValueError("pooling with ceil_mode=True is not supported")
    if return_indices:
        raise ValueError("pooling with return_indices=True is not supported")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    _unsupported(ceil_mode, return_indices)
    return _pool(input, kernel_size, stride, padding, dilation, 1, "max")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    _unsupported(ceil_mode, return_indices)
    return _pool(input, kernel_size, stride, padding, dilation, 2, "max")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _unsupported(ceil_mode)
    return _pool(input, kernel_size, stride, padding, 1, 1, "avg", count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    _unsupported(ceil_mode)
    return _pool(input, kernel_size, stride, padding, 1, 2, "avg", count_include_pad, divisor_override)


# ===================================================================== dropout
def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only).
    ``inplace`` is accepted for torch compatibility but computes out of place (same
    numbers, input untouched; see engine.nn.activations). ``generator`` is an engine
    extra (default: engine.backend.default_generator)."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    gen = generator if generator is not None else backend.default_generator
    return _Dropout(p, gen).apply(input)


class _Dropout(Function):
    """x * mask / (1 - p). The mask is drawn in forward, so a compiled step that replays
    this node draws a new one each time, from the same generator as an eager step."""

    def __init__(self, p, generator):
        self.p, self.generator = p, generator

    def forward(self, x):
        r = self.generator.random(x.shape)
        if backend.device_of(r) != backend.device_of(x):
            r = backend.to_device(r, backend.device_of(x))
        mask = _xp(x).asarray(r >= self.p, dtype=x.dtype) * x.dtype.type(1.0 / (1.0 - self.p))
        self.mask = mask
        return x * mask

    def backward(self, g):
        return g * self.mask


def gaussian_noise(input, std=0.1, training=True, generator=None):
    """x + std * N(0, 1) in training, x in evaluation: noise injection, a regulariser
    (course notes 003, section 11). An engine extra, like dropout's ``generator``."""
    if std < 0:
        raise ValueError(f"noise standard deviation must be at least 0, got {std}")
    if not training or std == 0:
        return input
    gen = generator if generator is not None else backend.default_generator
    return _GaussianNoise(std, gen).apply(input)


class _GaussianNoise(Function):
    """x + std * noise; the noise is drawn in forward (a replayed step draws anew, as for
    dropout) and does not depend on x, so the gradient passes unchanged."""

    def __init__(self, std, generator):
        self.std, self.generator = std, generator

    def forward(self, x):
        r = self.generator.standard_normal(x.shape)
        if backend.device_of(r) != backend.device_of(x):
            r = backend.to_device(r, backend.device_of(x))
        return x + _xp(x).asarray(r, dtype=x.dtype) * x.dtype.type(self.std)

    def backward(self, g):
        return g


# ===================================================================== normalisation
def _normalise(x, axes, eps):
    mu = ops.mean(x, axes, keepdim=True)
    d = x - mu
    var = ops.mean(d * d, axes, keepdim=True)
    return d / ops.sqrt(var + eps), mu, var


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """torch.nn.functional.batch_norm. In training, normalises with the batch statistics
    (biased variance) and updates the running ones in place with the unbiased variance:
    running = (1 - momentum) * running + momentum * batch."""
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    if training or running_mean is None:
        xhat, mu, var = _normalise(input, axes, eps)
        if training and running_mean is not None:
            n = input.data.size // input.shape[1]
            if n < 2:
                raise ValueError(f"BatchNorm needs more than 1 value per channel in training, got input {tuple(input.shape)}")
            m = momentum
            value_read(mu, "batch_norm's running statistics")
            running_mean.data[...] = (1 - m) * running_mean.data + m * mu.data.reshape(-1)
            running_var.data[...] = (1 - m) * running_var.data + m * var.data.reshape(-1) * (n / (n - 1))
    else:
        rm = ops.reshape(running_mean.detach(), shape)
        rv = ops.reshape(running_var.detach(), shape)
        xhat = (input - rm) / ops.sqrt(rv + eps)
    if weight is not None:
        xhat = xhat * ops.reshape(weight, shape)
    if bias is not None:
        xhat = xhat + ops.reshape(bias, shape)
    return xhat


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    nd = len(_tuple(normalized_shape, 1))
    axes = tuple(range(input.ndim - nd, input.ndim))
    out, _, _ = _normalise(input, axes, eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    n, c = input.shape[:2]
    if c % num_groups:
        raise ValueError(f"GroupNorm: {c} channels cannot be split into {num_groups} groups")
    g = ops.reshape(input, (n, num_groups, -1))
    out, _, _ = _normalise(g, (2,), eps)
    out = ops.reshape(out, input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * ops.reshape(weight, shape)
    if bias is not None:
        out = out + ops.reshape(bias, shape)
    return out


def instance_norm(input, weight=None, bias=None, eps=1e-5):
    """Each sample and channel normalised over its own spatial positions."""
    return group_norm(input, input.shape[1], weight, bias, eps)


# ===================================================================== embedding
class _EmbeddingLookup(Function):
    def __init__(self, index, padding_idx):
        self.index, self.padding_idx = index, padding_idx

    def forward(self, w):
        self.shape = w.shape
        return w[self.index]

    def backward(self, g):
        xp = _xp(g)
        gw = xp.zeros(self.shape, g.dtype)
        backend.scatter_add(xp, gw, self.index.reshape(-1), g.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0  # the padding row never learns, as in torch
        return gw


def embedding(input, weight, padding_idx=None):
    value_read(input, "embedding's indices")
    idx = input.data if isinstance(input, Tensor) else input
    xp = _xp(weight.data)
    idx = xp.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding indices must be integers, got {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"embedding index out of range: table has {n} rows")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    return _EmbeddingLookup(idx, padding_idx).apply(weight)


# ===================================================================== attention
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, generator=None,
                                 return_weights=False):
    """softmax(q k^T * scale + mask) v, as torch.nn.functional.scaled_dot_product_attention.

    A boolean ``attn_mask`` marks the pairs that may attend (True = keep); a float mask
    is added to the scores. ``return_weights=True`` (an engine extra) also returns the
    attention weights, which MultiheadAttention reports.
    """
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = ops.matmul(query, ops.transpose(key, -2, -1)) * scale
    xp = _xp(query.data)
    if is_causal:
        if attn_mask is not None:
            raise ValueError("give either attn_mask or is_causal=True, not both")
        attn_mask = xp.tril(xp.ones((L, S), dtype=bool))
    if attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) else xp.asarray(attn_mask)
        if m.dtype == bool:
            scores = ops.where(m, scores, -math.inf)
        else:
            scores = scores + (attn_mask if isinstance(attn_mask, Tensor) else _make(m.astype(scores.data.dtype), None))
    weights = ops.softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, True, generator=generator)
    out = ops.matmul(weights, value)
    return (out, weights) if return_weights else out


# ===================================================================== recurrent layers
def _sig(x, xp):
    # 0.5 * (1 + tanh(x/2)): the logistic without overflow in exp
    out = xp.tanh(x * 0.5)
    out += 1
    out *= 0.5
    return out


def _record_grad(record, norms, t, dh, L):
    """BPTT: keep |dL/dh_t| (the gradient reaching the hidden state of step t, through
    every later step) in ``record["grad_norm"]`` (L,), in float64: no overflow warning."""
    if norms is None:
        norms = record["grad_norm"] = _xp(dh).zeros(L, dtype="float64")
    d = dh.astype("float64")
    norms[t] = (d * d).sum() ** 0.5
    return norms


class _RecurrentLayer(Function):
    """One layer, one direction, the whole sequence. Inputs: x (L, N, I), h0 (N, H),
    W_ih, W_hh[, b_ih, b_hh]. Subclasses define the cell's step and its BPTT step.

    ``record`` (a dict, or None: then nothing is kept and nothing costs): the forward
    puts the hidden states "h" (L, N, H) and each gate's values (L, N, H) under "gates",
    views of the arrays the step itself used; the backward puts "grad_norm" (see
    _record_grad). Set by the modules only when asked (engine.nn.layers._RNNBase.record)."""

    record = None

    def forward(self, x, h0, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = _xp(x)
        L, N, _ = x.shape
        xw = x.reshape(L * N, -1) @ w_ih.T
        if b_ih is not None:
            xw += b_ih
        self.x, self.w_ih, self.w_hh = x, w_ih, w_hh
        self.has_bias = b_ih is not None
        return self.run(xp, xw.reshape(L, N, -1), h0, w_hh, b_hh)

    def finish(self, dxw, dhw, hprev, dh0):
        """Parameter and input gradients from the per-step pre-activation gradients."""
        n = self.needs
        L, N, I = self.x.shape
        G = dxw.shape[-1]
        dxw2 = dxw.reshape(L * N, G)
        dhw2 = dhw.reshape(L * N, G)
        dx = (dxw2 @ self.w_ih).reshape(L, N, I) if n[0] else None
        dwih = dxw2.T @ self.x.reshape(L * N, I) if n[2] else None
        dwhh = dhw2.T @ hprev.reshape(L * N, -1) if n[3] else None
        grads = [dx, dh0 if n[1] else None, dwih, dwhh]
        if self.has_bias:
            grads += [dxw2.sum(0) if n[4] else None, dhw2.sum(0) if n[5] else None]
        return tuple(grads)


class _RNNLayer(_RecurrentLayer):
    def __init__(self, nonlinearity="tanh"):
        self.relu = nonlinearity == "relu"

    def run(self, xp, xw, h0, w_hh, b_hh):
        L = xw.shape[0]
        hs = xp.empty((L + 1,) + h0.shape, dtype=xw.dtype)
        hs[0] = h0
        for t in range(L):
            a = xw[t] + hs[t] @ w_hh.T
            if b_hh is not None:
                a += b_hh
            hs[t + 1] = xp.maximum(a, 0) if self.relu else xp.tanh(a)
        self.hs = hs
        if self.record is not None:
            self.record.update(h=hs[1:], gates={})
        return hs[1:]

    def backward(self, g):
        hs, w_hh = self.hs, self.w_hh
        xp = _xp(g)
        da = xp.empty_like(g)
        dh = xp.zeros_like(hs[0])
        norms = None
        for t in range(g.shape[0] - 1, -1, -1):
            dh = dh + g[t]
            if self.record is not None:
                norms = _record_grad(self.record, norms, t, dh, g.shape[0])
            h = hs[t + 1]
            da[t] = dh * (h > 0) if self.relu else dh * (1 - h * h)
            dh = da[t] @ w_hh
        return self.finish(da, da, hs[:-1], dh)


class _LSTMLayer(Function):
    """Inputs x (L, N, I), h0, c0 (N, H), W_ih (4H, I), W_hh (4H, H)[, b_ih, b_hh].
    Output (L + 1, N, H): the hidden states h_1..h_L, then the last cell state c_L.

    Inside, the gate rows are reordered from torch's (i, f, g, o) to (i, f, o, g) so the
    three sigmoids are one contiguous block, and the 1/2 of sigmoid(a) = (1 + tanh(a/2))/2
    is folded into the weights once: each time step is then a handful of NumPy calls.
    Everything the backward pass needs that does not depend on the recurrence is computed
    for all steps at once before the BPTT loop. ``record``: as _RecurrentLayer's, with
    the cell states "c" too.
    """

    record = None

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = _xp(x)
        L, N, I = x.shape
        H = h0.shape[-1]
        perm = xp.concatenate([xp.arange(0, 2 * H), xp.arange(3 * H, 4 * H), xp.arange(2 * H, 3 * H)])
        scale = xp.ones(4 * H, dtype=x.dtype)
        scale[:3 * H] = 0.5
        wi, wh = w_ih[perm], w_hh[perm]
        xw = x.reshape(L * N, I) @ wi.T
        if b_ih is not None:
            xw += (b_ih + b_hh)[perm]
        xw *= scale
        xw = xw.reshape(L, N, 4 * H)
        whs = wh.T * scale
        hs = xp.empty((L + 1, N, H), dtype=x.dtype)
        cs = xp.empty((L + 1, N, H), dtype=x.dtype)
        tcs = xp.empty((L, N, H), dtype=x.dtype)
        acts = xp.empty((L, N, 4 * H), dtype=x.dtype)  # i, f, o (sigmoid), g (tanh)
        hs[0], cs[0] = h0, c0
        tmp = xp.empty((N, H), dtype=x.dtype)
        for t in range(L):
            act = acts[t]
            xp.matmul(hs[t], whs, out=act)
            act += xw[t]
            xp.tanh(act, out=act)
            sig = act[:, :3 * H]
            sig *= 0.5
            sig += 0.5
            c = cs[t + 1]
            xp.multiply(act[:, H:2 * H], cs[t], out=c)
            xp.multiply(act[:, :H], act[:, 3 * H:], out=tmp)
            c += tmp
            xp.tanh(c, out=tcs[t])
            xp.multiply(act[:, 2 * H:3 * H], tcs[t], out=hs[t + 1])
        self.x, self.wi, self.wh, self.perm = x, wi, wh, perm
        self.hs, self.cs, self.tcs, self.acts = hs, cs, tcs, acts
        self.has_bias = b_ih is not None
        if self.record is not None:
            self.record.update(h=hs[1:], c=cs[1:], gates={
                "input": acts[..., :H], "forget": acts[..., H:2 * H],
                "cell": acts[..., 3 * H:], "output": acts[..., 2 * H:3 * H]})
        out = xp.empty((L + 1, N, H), dtype=x.dtype)
        out[:L] = hs[1:]
        out[L] = cs[L]
        return out

    def backward(self, g):
        xp = _xp(g)
        hs, cs, tcs, acts, wh = self.hs, self.cs, self.tcs, self.acts, self.wh
        g = g.astype(acts.dtype, copy=False)  # mixed dtypes would leave the BLAS path
        L, N, H = tcs.shape
        i, f, o, gg = (acts[..., k * H:(k + 1) * H] for k in range(4))
        # d(pre-activation)/d(c_t) for i, f, g, and d/d(h_t) for o; and d c_t / d h_t
        P = xp.empty((L, N, 4, H), dtype=g.dtype)
        sig = acts[..., :3 * H].reshape(L, N, 3, H)
        xp.subtract(1, sig, out=P[:, :, :3])
        P[:, :, :3] *= sig                                   # sigmoid' for i, f, o
        P[:, :, 0] *= gg
        P[:, :, 1] *= cs[:-1]
        P[:, :, 2] *= tcs
        xp.multiply(gg, gg, out=P[:, :, 3])
        xp.subtract(1, P[:, :, 3], out=P[:, :, 3])
        P[:, :, 3] *= i
        dcdh = tcs * tcs
        xp.subtract(1, dcdh, out=dcdh)
        dcdh *= o
        da = xp.empty((L, N, 4, H), dtype=g.dtype)
        dh = xp.zeros((N, H), dtype=g.dtype)
        dc = g[L].copy()
        tmp = xp.empty((N, H), dtype=g.dtype)
        norms = None
        for t in range(L - 1, -1, -1):
            dh += g[t]
            if self.record is not None:
                norms = _record_grad(self.record, norms, t, dh, L)
            xp.multiply(dh, dcdh[t], out=tmp)
            dc += tmp
            d = da[t]
            xp.multiply(dc[:, None, :], P[t], out=d)
            xp.multiply(dh, P[t, :, 2], out=d[:, 2])
            dc *= f[t]
            xp.matmul(d.reshape(N, 4 * H), wh, out=dh)
        n = self.needs
        x = self.x
        I = x.shape[-1]
        da2 = da.reshape(L * N, 4 * H)
        inv = xp.argsort(self.perm)  # back to torch's gate order
        grads = [(da2 @ self.wi).reshape(L, N, I) if n[0] else None,
                 dh if n[1] else None,
                 dc if n[2] else None,
                 (da2.T @ x.reshape(L * N, I))[inv] if n[3] else None,
                 (da2.T @ hs[:-1].reshape(L * N, H))[inv] if n[4] else None]
        if self.has_bias:
            db = da2.sum(0)[inv]
            grads += [db if n[5] else None, db if n[6] else None]
        return tuple(grads)


class _GRULayer(_RecurrentLayer):
    def run(self, xp, xw, h0, w_hh, b_hh):
        L, N, G = xw.shape
        H = G // 3
        hs = xp.empty((L + 1, N, H), dtype=xw.dtype)
        hs[0] = h0
        rz = xp.empty((L, N, 2 * H), dtype=xw.dtype)
        ns = xp.empty((L, N, H), dtype=xw.dtype)
        hwn = xp.empty((L, N, H), dtype=xw.dtype)
        for t in range(L):
            hw = hs[t] @ w_hh.T
            if b_hh is not None:
                hw += b_hh
            rz[t] = _sig(xw[t, :, :2 * H] + hw[:, :2 * H], xp)
            hwn[t] = hw[:, 2 * H:]
            ns[t] = xp.tanh(xw[t, :, 2 * H:] + rz[t, :, :H] * hwn[t])
            z = rz[t, :, H:]
            hs[t + 1] = ns[t] + z * (hs[t] - ns[t])  # (1 - z) n + z h
        self.hs, self.rz, self.ns, self.hwn = hs, rz, ns, hwn
        if self.record is not None:
            self.record.update(h=hs[1:], gates={"reset": rz[..., :H], "update": rz[..., H:],
                                                "candidate": ns})
        return hs[1:]

    def backward(self, g):
        hs, rz, ns, hwn, w_hh = self.hs, self.rz, self.ns, self.hwn, self.w_hh
        xp = _xp(g)
        L = g.shape[0]
        H = hs.shape[-1]
        dxw = xp.empty((L,) + g.shape[1:-1] + (3 * H,), dtype=g.dtype)
        dhw = xp.empty_like(dxw)
        dh = xp.zeros_like(hs[0])
        norms = None
        for t in range(L - 1, -1, -1):
            dh = dh + g[t]
            if self.record is not None:
                norms = _record_grad(self.record, norms, t, dh, L)
            r, z, n = rz[t, :, :H], rz[t, :, H:], ns[t]
            dn = dh * (1 - z) * (1 - n * n)
            dr = dn * hwn[t] * r * (1 - r)
            dz = dh * (hs[t] - n) * z * (1 - z)
            dxw[t, :, :H] = dr
            dxw[t, :, H:2 * H] = dz
            dxw[t, :, 2 * H:] = dn
            dhw[t, :, :2 * H] = dxw[t, :, :2 * H]
            dhw[t, :, 2 * H:] = dn * r
            dh = dh * z + dhw[t] @ w_hh
        return self.finish(dxw, dhw, hs[:-1], dh)


def _layer_args(x, h0, w_ih, w_hh, b_ih, b_hh):
    args = [x, h0, w_ih, w_hh]
    if b_ih is not None:
        args += [b_ih, b_hh]
    return args


def _recording(fn, record):
    fn.record = record
    return fn


def rnn_tanh_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, record=None):
    """One Elman layer over a (L, N, I) sequence: returns all hidden states (L, N, H).
    ``record``: a dict that receives what the sequence views show (see _RecurrentLayer)."""
    return _recording(_RNNLayer("tanh"), record).apply(*_layer_args(x, h0, w_ih, w_hh, b_ih, b_hh))


def rnn_relu_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, record=None):
    return _recording(_RNNLayer("relu"), record).apply(*_layer_args(x, h0, w_ih, w_hh, b_ih, b_hh))


def lstm_layer(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, record=None):
    """One LSTM layer (torch gate order i, f, g, o): returns (outputs (L, N, H), c_L)."""
    args = _layer_args(x, h0, w_ih, w_hh, b_ih, b_hh)
    packed = _recording(_LSTMLayer(), record).apply(*(args[:2] + [c0] + args[2:]))
    L = x.shape[0]
    return packed[:L], packed[L]


def gru_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, record=None):
    """One GRU layer (torch gate order r, z, n): returns all hidden states (L, N, H)."""
    return _recording(_GRULayer(), record).apply(*_layer_args(x, h0, w_ih, w_hh, b_ih, b_hh))
