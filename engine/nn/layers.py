"""Layer modules with torch.nn names, signatures, defaults and default initialisation."""
from __future__ import annotations

import math

from .. import backend, ops
from ..autograd import Tensor, _make, value_read
from . import functional_layers as F
from . import init
from .containers import ModuleList
from .module import Module, Parameter

__all__ = ["Linear", "Bilinear", "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d",
           "AvgPool2d", "Flatten", "Dropout", "GaussianNoise", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "GroupNorm", "InstanceNorm2d", "Embedding", "RNN", "LSTM", "GRU", "detach_hidden",
           "tbptt_chunks", "MultiheadAttention", "PositionalEncoding", "MixtureOfExperts",
           "AttentionModule", "TransformerBlock", "TransformerEncoderLayer"]


def _param(shape, device=None, dtype=None):
    xp = backend.module_for(device or "cpu")
    return Parameter(xp.zeros(shape, dtype=dtype or backend.DEFAULT_DTYPE))


def _buffer(values, device=None, dtype=None):
    xp = backend.module_for(device or "cpu")
    return _make(xp.asarray(values, dtype=dtype or backend.DEFAULT_DTYPE), None)


def _uniform_fan_in(tensor, fan_in, generator=None):
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    init.uniform_(tensor, -bound, bound, generator)


# ===================================================================== dense
class Linear(Module):
    """y = x W^T + b. Init: kaiming_uniform_(a=sqrt(5)) (i.e. U(+-1/sqrt(in))) and
    U(+-1/sqrt(in_features)) for the bias, as torch."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _param((out_features, in_features), device, dtype)
        self.bias = _param((out_features,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            _uniform_fan_in(self.bias, self.in_features, generator)

    def forward(self, input):
        if self.bias is None:
            return ops.Linear().apply(input, self.weight)
        return ops.Linear().apply(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """y_i = x1^T W_i x2 + b_i: the multiplicative module s_i = sum_jk u_ijk z_k x_j.
    Init: U(+-1/sqrt(in1_features)) for weight and bias, as torch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = _param((out_features, in1_features, in2_features), device, dtype)
        self.bias = _param((out_features,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        _uniform_fan_in(self.weight, self.in1_features, generator)
        if self.bias is not None:
            _uniform_fan_in(self.bias, self.in1_features, generator)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)


# ===================================================================== convolution
class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        nd = self._nd
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise ValueError(f"padding_mode {padding_mode!r} is not supported; use 'zeros'")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = F._tuple(kernel_size, nd)
        self.stride, self.dilation = F._tuple(stride, nd), F._tuple(dilation, nd)
        self.padding = padding if isinstance(padding, str) else F._tuple(padding, nd)
        self.weight = _param((out_channels, in_channels // groups) + self.kernel_size, device, dtype)
        self.bias = _param((out_channels,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            _uniform_fan_in(self.bias, fan_in, generator)

    def forward(self, input):
        nd = self._nd
        if input.ndim not in (nd + 1, nd + 2) or input.shape[-nd - 1] != self.in_channels:
            raise ValueError(f"{type(self).__name__}({self.in_channels}, ...) expects input (N, {self.in_channels}, "
                             f"{'H, W' if nd == 2 else 'L'}), got shape {tuple(input.shape)}")
        unbatched = input.ndim == nd + 1
        x = ops.unsqueeze(input, 0) if unbatched else input
        out = F._conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups, nd)
        return ops.squeeze(out, 0) if unbatched else out

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class Conv1d(_ConvNd):
    """Input (N, C_in, L) -> (N, C_out, L_out)."""
    _nd = 1


class Conv2d(_ConvNd):
    """Input (N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
    _nd = 2


# ===================================================================== pooling, reshaping, dropout
class _PoolNd(Module):
    _nd, _kind = 2, "max"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        F._unsupported(ceil_mode, return_indices)
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation

    def forward(self, input):
        return F._pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self._nd, "max")


class MaxPool1d(_PoolNd):
    _nd = 1


class MaxPool2d(_PoolNd):
    """Max over each window; the gradient goes to the first maximum, as in torch."""
    _nd = 2


class _AvgPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        F._unsupported(ceil_mode)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad, self.divisor_override = count_include_pad, None

    def forward(self, input):
        return F._pool(input, self.kernel_size, self.stride, self.padding, 1, self._nd, "avg",
                       self.count_include_pad, self.divisor_override)


class AvgPool1d(_AvgPoolNd):
    _nd = 1


class AvgPool2d(_AvgPoolNd):
    """divisor_override: divide each window's sum by this number instead of its size."""
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.divisor_override = divisor_override


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return ops.flatten(input, self.start_dim, self.end_dim)


class Dropout(Module):
    """Inverted dropout in training, identity in eval. ``generator`` defaults to the
    process-wide engine.backend.default_generator. ``inplace`` is accepted for torch
    compatibility but computes out of place (same numbers; see engine.nn.activations)."""

    def __init__(self, p=0.5, inplace=False, generator=None):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p, self.inplace, self.generator = p, inplace, generator

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def forward(self, input):
        return F.dropout(input, self.p, self.training, generator=self.generator)


class GaussianNoise(Module):
    """Adds N(0, std^2) noise to every value in training, identity in eval: noise injection
    (course notes 003, section 11). Not a torch class (torch users write x + std *
    torch.randn_like(x) under ``if self.training``). ``generator`` as for Dropout."""

    def __init__(self, std=0.1, generator=None):
        super().__init__()
        if std < 0:
            raise ValueError(f"noise standard deviation must be at least 0, got {std}")
        self.std, self.generator = std, generator

    def extra_repr(self):
        return f"std={self.std}"

    def forward(self, input):
        return F.gaussian_noise(input, self.std, self.training, generator=self.generator)


# ===================================================================== normalisation
class _BatchNorm(Module):
    _dims = (2,)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = _param((num_features,), device, dtype)
            self.bias = _param((num_features,), device, dtype) if bias else None
            init.ones_(self.weight)
        else:
            self.weight = self.bias = None
        if track_running_stats:
            xp = backend.module_for(device or "cpu")
            self.register_buffer("running_mean", _buffer(xp.zeros(num_features), device, dtype))
            self.register_buffer("running_var", _buffer(xp.ones(num_features), device, dtype))
            self.register_buffer("num_batches_tracked", _make(xp.zeros((), dtype="int64"), None))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, input):
        if input.ndim not in self._dims:
            raise ValueError(f"{type(self).__name__} expects a {' or '.join(f'{d}-D' for d in self._dims)} input, got shape {tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) got {input.shape[1]} channels")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data[...] += 1
            if self.momentum is None:  # cumulative moving average, as torch
                momentum = 1.0 / float(self.num_batches_tracked.data)
        # batch statistics in training, or always when no running ones are tracked
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats, momentum, self.eps)

    def extra_repr(self):
        no_bias = ", bias=False" if self.affine and self.bias is None else ""
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}{no_bias}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Input (N, C) or (N, C, L)."""
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Input (N, C, H, W)."""
    _dims = (4,)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = F._tuple(normalized_shape, 1)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = _param(self.normalized_shape, device, dtype)
            init.ones_(self.weight)
            self.bias = _param(self.normalized_shape, device, dtype) if bias else None
        else:
            self.weight = self.bias = None

    def forward(self, input):
        if tuple(input.shape[-len(self.normalized_shape):]) != self.normalized_shape:
            raise ValueError(f"LayerNorm{self.normalized_shape} got input of shape {tuple(input.shape)}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        if affine:
            self.weight = _param((num_channels,), device, dtype)
            init.ones_(self.weight)
            self.bias = _param((num_channels,), device, dtype) if bias else None
        else:
            self.weight = self.bias = None

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)


class InstanceNorm2d(Module):
    """Per-sample, per-channel normalisation over H, W (torch defaults: affine=False,
    track_running_stats=False; tracking running statistics is not supported)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__()
        if track_running_stats:
            raise ValueError("InstanceNorm2d(track_running_stats=True) is not supported")
        self.num_features, self.eps, self.affine = num_features, eps, affine
        if affine:
            self.weight = _param((num_features,), device, dtype)
            init.ones_(self.weight)
            self.bias = _param((num_features,), device, dtype) if bias else None
        else:
            self.weight = self.bias = None

    def forward(self, input):
        return F.instance_norm(input, self.weight, self.bias, self.eps)


class Embedding(Module):
    """A lookup table; init N(0, 1) with the padding row zeroed, as torch."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None and padding_idx < 0:
            padding_idx += num_embeddings
        self.padding_idx = padding_idx
        self.weight = _param((num_embeddings, embedding_dim), device, dtype)
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)


# ===================================================================== recurrent
class _RNNBase(Module):
    """Parameters weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}
    with torch's gate order and shapes; init U(+-1/sqrt(hidden_size)) for all.

    ``record``: None (the default: nothing is kept, nothing costs), or a dict that the
    next forward and backward fill for the first layer's forward direction: "h" and
    ("c") the states over time (L, N, H), "gates" {name: (L, N, H)} and, after
    backward, "grad_norm" (L,) = |dL/dh_t| per time step (BPTT). Whoever wants them
    (the Session, on probe steps) sets a fresh dict and resets it to None afterwards."""

    _gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.bidirectional = bidirectional
        self.record = None
        self.generator = None   # of the dropout between layers (as for Dropout)
        dirs = 2 if bidirectional else 1
        G = self._gates * hidden_size
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else hidden_size * dirs
            for suffix in ([""] if dirs == 1 else ["", "_reverse"]):
                setattr(self, f"weight_ih_l{layer}{suffix}", _param((G, in_size), device, dtype))
                setattr(self, f"weight_hh_l{layer}{suffix}", _param((G, hidden_size), device, dtype))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{suffix}", _param((G,), device, dtype))
                    setattr(self, f"bias_hh_l{layer}{suffix}", _param((G,), device, dtype))
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv, generator)

    def _weights(self, layer, suffix):
        w = [getattr(self, f"weight_ih_l{layer}{suffix}"), getattr(self, f"weight_hh_l{layer}{suffix}")]
        if self.bias:
            w += [getattr(self, f"bias_ih_l{layer}{suffix}"), getattr(self, f"bias_hh_l{layer}{suffix}")]
        return w

    def forward(self, input, hx=None):
        unbatched = input.ndim == 2
        if input.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__} expects a 2-D or 3-D input, got shape {tuple(input.shape)}")
        x = ops.unsqueeze(input, 1) if unbatched else (ops.transpose(input, 0, 1) if self.batch_first else input)
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}(input_size={self.input_size}) got features of size {x.shape[-1]}")
        dirs = 2 if self.bidirectional else 1
        n = x.shape[1]
        states = self._initial_states(hx, unbatched, n, dirs, x)
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate([""] if dirs == 1 else ["", "_reverse"]):
                k = layer * dirs + d
                seq = x if d == 0 else x[::-1]
                out, last = self._run_layer(seq, [s[k] for s in states], self._weights(layer, suffix),
                                            self.record if k == 0 else None)
                outs.append(out if d == 0 else out[::-1])
                for f, v in zip(finals, last):
                    f.append(v)
            x = outs[0] if dirs == 1 else ops.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True, generator=self.generator)
        output = ops.squeeze(x, 1) if unbatched else (ops.transpose(x, 0, 1) if self.batch_first else x)
        final = [ops.stack(f, 0) for f in finals]
        if unbatched:
            final = [ops.squeeze(f, 1) for f in final]
        return output, (final[0] if len(final) == 1 else tuple(final))

    def _initial_states(self, hx, unbatched, n, dirs, like):
        count = 2 if isinstance(self, LSTM) else 1
        if hx is None:
            xp = backend.array_module(like.data)
            z = xp.zeros((self.num_layers * dirs, n, self.hidden_size), dtype=like.data.dtype)
            return [_make(z, None)] * count
        hx = list(hx) if isinstance(hx, (tuple, list)) else [hx]
        if len(hx) != count:
            raise ValueError(f"{type(self).__name__} expects {count} initial state tensor(s)")
        if unbatched:
            hx = [ops.unsqueeze(h, 1) for h in hx]
        for h in hx:
            if tuple(h.shape) != (self.num_layers * dirs, n, self.hidden_size):
                raise ValueError(f"{type(self).__name__}: initial state has shape {tuple(h.shape)}, "
                                 f"expected {(self.num_layers * dirs, n, self.hidden_size)}")
        return hx


class RNN(_RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    _gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)
        self.nonlinearity = nonlinearity

    def _run_layer(self, x, state, weights, record=None):
        fn = F.rnn_tanh_layer if self.nonlinearity == "tanh" else F.rnn_relu_layer
        out = fn(x, state[0], *weights, record=record)
        return out, [out[-1]]


class LSTM(_RNNBase):
    """torch's LSTM: gates i, f, g, o stacked in that order in weight_ih/weight_hh (4H rows),
    c_t = f c_{t-1} + i g, h_t = o tanh(c_t). Returns output, (h_n, c_n)."""

    _gates = 4

    def _run_layer(self, x, state, weights, record=None):
        out, c_last = F.lstm_layer(x, state[0], state[1], *weights, record=record)
        return out, [out[-1], c_last]


class GRU(_RNNBase):
    """torch's GRU: gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}."""

    _gates = 3

    def _run_layer(self, x, state, weights, record=None):
        out = F.gru_layer(x, state[0], *weights, record=record)
        return out, [out[-1]]


def detach_hidden(hidden):
    """Cut the graph behind a recurrent state (a Tensor or a tuple of them, as LSTM's)."""
    if hidden is None:
        return None
    if isinstance(hidden, (tuple, list)):
        return type(hidden)(detach_hidden(h) for h in hidden)
    return hidden.detach()


def tbptt_chunks(sequence, chunk_len, dim=0):
    """Truncated backpropagation through time: yield consecutive slices of ``sequence``
    of length ``chunk_len`` along ``dim`` (time; use dim=1 with batch_first). Typical loop:

        hidden = None
        for xs, ys in zip(tbptt_chunks(x, 10), tbptt_chunks(y, 10)):
            out, hidden = lstm(xs, hidden)
            loss = loss_fn(head(out), ys)
            opt.zero_grad(); loss.backward(); opt.step()
            hidden = detach_hidden(hidden)   # gradients stop at the chunk boundary
    """
    if chunk_len < 1:
        raise ValueError("chunk_len must be at least 1")
    n = sequence.shape[dim]
    lead = (slice(None),) * (dim % sequence.ndim)
    for start in range(0, n, chunk_len):
        yield sequence[lead + (slice(start, start + chunk_len),)]


# ===================================================================== attention
def _pad_mask(mask, like):
    """A mask over keys with one more key column (not masked: False / 0), as torch pads
    attn_mask and key_padding_mask for add_bias_kv and add_zero_attn."""
    if mask is None:
        return None
    xp = backend.array_module(like.data)
    a = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
    return xp.concatenate([a, xp.zeros(a.shape[:-1] + (1,), dtype=a.dtype)], -1)


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention. When kdim = vdim = embed_dim: one packed in_proj_weight
    (3E, E); otherwise separate q_proj_weight (E, E), k_proj_weight (E, kdim) and
    v_proj_weight (E, vdim), as torch. Init xavier_uniform_ on the projection weights,
    zeros on in_proj_bias (3E) and out_proj.bias; add_bias_kv adds bias_k, bias_v (1, 1, E)
    (xavier_normal_) as one extra key/value, add_zero_attn one extra all-zero key/value.
    forward returns (output, attention weights averaged over heads, or per head).
    After each forward, ``last_weights`` holds the weights per head, (N, heads, L, S)
    (N = 1 for an unbatched input), detached: the attention views read them (keeping
    them costs nothing: the array exists anyway)."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be positive, got {embed_dim} and {num_heads}")
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        E = embed_dim
        self.embed_dim, self.num_heads, self.dropout = E, num_heads, dropout
        self.generator = None   # of the attention weights' dropout (as for Dropout)
        self.kdim = kdim if kdim is not None else E
        self.vdim = vdim if vdim is not None else E
        self._qkv_same_embed_dim = self.kdim == E and self.vdim == E
        self.head_dim, self.batch_first, self.add_zero_attn = E // num_heads, batch_first, add_zero_attn
        self.last_weights = None
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _param((3 * E, E), device, dtype)
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = _param((E, E), device, dtype)
            self.k_proj_weight = _param((E, self.kdim), device, dtype)
            self.v_proj_weight = _param((E, self.vdim), device, dtype)
        self.in_proj_bias = _param((3 * E,), device, dtype) if bias else None
        self.out_proj = Linear(E, E, bias, device, dtype)
        if add_bias_kv:
            self.bias_k, self.bias_v = _param((1, 1, E), device, dtype), _param((1, 1, E), device, dtype)
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _reset_parameters(self, generator=None):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight, generator=generator)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w, generator=generator)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k, generator=generator)
            init.xavier_normal_(self.bias_v, generator=generator)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        unbatched = query.ndim == 2
        self_attention = query is key and key is value and self._qkv_same_embed_dim
        if unbatched:
            query, key, value = (ops.unsqueeze(t, 0) for t in (query, key, value))
        elif not self.batch_first:
            query, key, value = (ops.transpose(t, 0, 1) for t in (query, key, value))
        # now (N, L, E), (N, S, kdim), (N, S, vdim)
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ValueError(f"MultiheadAttention(kdim={self.kdim}, vdim={self.vdim}) got keys of size "
                             f"{key.shape[-1]} and values of size {value.shape[-1]}")
        E, h, hd = self.embed_dim, self.num_heads, self.head_dim
        b = self.in_proj_bias
        if self_attention:  # one fused projection
            q, k, v = ops.chunk(F.linear(query, self.in_proj_weight, b), 3, -1)
        else:
            if self._qkv_same_embed_dim:
                w = self.in_proj_weight
                ws = (w[:E], w[E:2 * E], w[2 * E:])
            else:
                ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
            bs = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
            q, k, v = (F.linear(t, wi, bi) for t, wi, bi in zip((query, key, value), ws, bs))
        N, L = q.shape[0], q.shape[1]
        if is_causal and attn_mask is None:
            xp = backend.array_module(q.data)
            attn_mask = ~xp.tril(xp.ones((L, k.shape[1]), dtype=bool))
        if self.bias_k is not None:  # one more key/value, that every query may attend
            k = ops.cat([k, ops.expand(self.bias_k, N, 1, E)], 1)
            v = ops.cat([v, ops.expand(self.bias_v, N, 1, E)], 1)
            attn_mask, key_padding_mask = _pad_mask(attn_mask, q), _pad_mask(key_padding_mask, q)
        if self.add_zero_attn:
            zeros = _make(backend.array_module(q.data).zeros((N, 1, E), dtype=q.data.dtype), None)
            k, v = ops.cat([k, zeros], 1), ops.cat([v, zeros], 1)
            attn_mask, key_padding_mask = _pad_mask(attn_mask, q), _pad_mask(key_padding_mask, q)
        S = k.shape[1]
        q, k, v = (ops.transpose(ops.reshape(t, (N, t.shape[1], h, hd)), 1, 2) for t in (q, k, v))
        mask = self._merge_masks(attn_mask, key_padding_mask, N, L, S, q)
        out, weights = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0,
            generator=self.generator, return_weights=True)
        self.last_weights = weights.detach()
        out = ops.reshape(ops.transpose(out, 1, 2), (N, L, E))
        out = self.out_proj(out)
        if unbatched:
            out = ops.squeeze(out, 0)
        elif not self.batch_first:
            out = ops.transpose(out, 0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = ops.mean(weights, 1)
        if unbatched:
            weights = ops.squeeze(weights, 0)
        return out, weights

    def extra_repr(self):
        extra = "" if self._qkv_same_embed_dim else f", kdim={self.kdim}, vdim={self.vdim}"
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}{extra}"

    @staticmethod
    def _merge_masks(attn_mask, key_padding_mask, N, L, S, like):
        """One additive float mask (N or 1, heads or 1, L, S); torch's boolean masks here
        mean True = NOT allowed (the opposite of scaled_dot_product_attention's)."""
        xp = backend.array_module(like.data)
        dt = like.data.dtype
        total = None
        for m, shape in ((attn_mask, None), (key_padding_mask, (N, 1, 1, S))):
            if m is None:
                continue
            a = m.data if isinstance(m, Tensor) else xp.asarray(m)
            add = xp.where(a, -xp.inf, 0).astype(dt) if a.dtype == bool else a.astype(dt)
            if shape is not None:
                add = add.reshape(shape)
            elif add.ndim == 3:  # (N * heads, L, S)
                add = add.reshape(N, -1, L, S)
            total = add if total is None else total + add
        return None if total is None else _make(total, None)


class PositionalEncoding(Module):
    """Adds the sinusoidal encoding of Vaswani et al. (2017):
    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)).
    Input (L, N, d) by default, (N, L, d) with batch_first=True; then dropout, as in the
    PyTorch tutorial's module of the same name."""

    def __init__(self, d_model, max_len=5000, dropout=0.0, batch_first=False, device=None, dtype=None):
        super().__init__()
        import numpy  # host-side table built once

        self.d_model, self.batch_first = d_model, batch_first
        pos = numpy.arange(max_len)[:, None]
        div = numpy.exp(numpy.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = numpy.zeros((max_len, d_model))
        pe[:, 0::2] = numpy.sin(pos * div)
        pe[:, 1::2] = numpy.cos(pos * div)[:, :d_model // 2]
        self.register_buffer("pe", _buffer(backend.to_device(pe, device or "cpu"), device, dtype))
        self.dropout = Dropout(dropout)

    def forward(self, x):
        L = x.shape[1] if self.batch_first else x.shape[0]
        if L > self.pe.shape[0]:
            raise ValueError(f"PositionalEncoding: sequence length {L} exceeds max_len {self.pe.shape[0]}")
        pe = self.pe.data[:L].astype(x.data.dtype, copy=False)
        pe = pe[None] if self.batch_first else pe[:, None]
        return self.dropout(x + _make(pe, None))


# ===================================================================== gated combinations (§3.1)
class _MLP(Module):
    """A sub-network: Linear, or Linear -> ReLU -> Linear when ``hidden`` is given."""

    def __init__(self, in_features, out_features, hidden=None):
        super().__init__()
        if hidden:
            self.fc1 = Linear(in_features, hidden)
            self.fc2 = Linear(hidden, out_features)
        else:
            self.fc = Linear(in_features, out_features)
        self.hidden = hidden

    def forward(self, x):
        if self.hidden:
            return self.fc2(ops.relu(self.fc1(x)))
        return self.fc(x)


def _weighted_sum(weights, outputs):
    """s = sum_j w_j x_j with weights (..., J) and outputs a list of J tensors (..., D)."""
    stacked = ops.stack(outputs, -2)                    # (..., J, D)
    return ops.squeeze(ops.matmul(ops.unsqueeze(weights, -2), stacked), -2)


class MixtureOfExperts(Module):
    """A gating network (Linear) scores the experts, softmax turns the scores into weights
    (with ``top_k``, only the k best experts keep weight, renormalised over them), and the
    output is the weighted sum of the experts' outputs. After each forward, ``last_gates``
    (N, E) holds the gate weights and ``last_load`` (E,) the share of the batch's gate
    weight each expert received (mean over the batch; sums to 1); both are detached
    tensors on the input's device."""

    def __init__(self, in_features, out_features, num_experts=4, hidden=None, top_k=None):
        super().__init__()
        if top_k is not None and not 1 <= top_k <= num_experts:
            raise ValueError(f"top_k must be between 1 and num_experts ({num_experts}), got {top_k}")
        self.in_features, self.out_features = in_features, out_features
        self.num_experts, self.top_k = num_experts, top_k
        self.gate = Linear(in_features, num_experts)
        self.experts = ModuleList([_MLP(in_features, out_features, hidden) for _ in range(num_experts)])
        self.last_gates = self.last_load = None

    def gates(self, x):
        logits = self.gate(x)
        if self.top_k is not None and self.top_k < self.num_experts:
            value_read(logits, "top-k routing")
            xp = backend.array_module(logits.data)
            kth = xp.sort(logits.data, axis=-1)[..., -self.top_k][..., None]
            logits = ops.where(logits.data >= kth, logits, -math.inf)
        return ops.softmax(logits, -1)

    def forward(self, input):
        g = self.gates(input)
        out = _weighted_sum(g, [e(input) for e in self.experts])
        self.last_gates = g.detach()
        self.last_load = _make(g.data.reshape(-1, self.num_experts).mean(0), None)
        return out


class AttentionModule(Module):
    """The attention module of the course notes (§3.1): a controller network produces
    scores z from the input, w = softmax(z), and the output is s = sum_j w_j x_j over the
    outputs x_j of ``num_branches`` sub-networks. ``last_weights`` keeps w (detached)."""

    def __init__(self, in_features, out_features, num_branches=3, hidden=None, controller_hidden=None):
        super().__init__()
        self.in_features, self.out_features, self.num_branches = in_features, out_features, num_branches
        self.controller = _MLP(in_features, num_branches, controller_hidden)
        self.branches = ModuleList([_MLP(in_features, out_features, hidden) for _ in range(num_branches)])
        self.last_weights = None

    def forward(self, input):
        w = ops.softmax(self.controller(input), -1)
        self.last_weights = w.detach()
        return _weighted_sum(w, [b(input) for b in self.branches])


class TransformerBlock(Module):
    """torch.nn.TransformerEncoderLayer: self-attention + residual + LayerNorm, then a
    feed-forward network + residual + LayerNorm (norm_first=True puts the norms first)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation must be 'relu' or 'gelu', not {activation!r}")
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first,
                                            device=device, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias, device, dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias, device, dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.norm2 = LayerNorm(d_model, layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation

    @property
    def last_weights(self):
        """The self-attention's weights per head of the last forward (see MultiheadAttention)."""
        return self.self_attn.last_weights

    def _act(self, x):
        if self.activation == "relu":
            return ops.relu(x)
        from . import functional  # gelu lives with the activations

        return functional.gelu(x)

    def _sa(self, x, mask, kpm, is_causal):
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm,
                                            need_weights=False, is_causal=is_causal)[0])

    def _ff(self, x):
        return self.dropout2(self.linear2(self.dropout(self._act(self.linear1(x)))))

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff(self.norm2(x))
        x = self.norm1(x + self._sa(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff(x))


TransformerEncoderLayer = TransformerBlock

