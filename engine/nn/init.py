"""torch.nn.init: fill a tensor's data in place (no gradient recorded) and return it.

Every initialiser takes an optional ``generator`` (engine.backend.Generator) and uses
engine.backend.default_generator otherwise, so a seeded Session is reproducible.
"""
from __future__ import annotations

import math

from .. import backend

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_",
           "ones_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_", "lstm_forget_bias_"]


def _gen(generator):
    return generator if generator is not None else backend.default_generator


def _fill(tensor, values):
    """Write ``values`` (from any device) into tensor.data in place."""
    arr = tensor.data
    if backend.device_of(values) != backend.device_of(arr):
        values = backend.to_device(values, backend.device_of(arr))
    arr[...] = values
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError("fan in and fan out need a tensor with at least 2 dimensions")
    receptive = 1
    for n in shape[2:]:
        receptive *= n
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _fill(tensor, _gen(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill(tensor, _gen(generator).normal(mean, std, tensor.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Normal(mean, std) redrawn until inside [a, b] (rejection sampling on the host)."""
    gen = _gen(generator)
    vals = backend.to_numpy(gen.normal(mean, std, tensor.shape))
    bad = (vals < a) | (vals > b)
    while bad.any():
        vals[bad] = backend.to_numpy(gen.normal(mean, std, int(bad.sum())))
        bad = (vals < a) | (vals > b)
    return _fill(tensor, vals)


def constant_(tensor, val):
    tensor.data[...] = val
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0)


def ones_(tensor):
    return constant_(tensor, 1)


def eye_(tensor):
    if tensor.ndim != 2:
        raise ValueError("eye_ needs a 2-D tensor")
    xp = backend.array_module(tensor.data)
    tensor.data[...] = xp.eye(*tensor.shape, dtype=tensor.data.dtype)
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one."""
    import numpy  # host-side: QR of a small matrix at construction time

    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flat = backend.to_numpy(_gen(generator).normal(0.0, 1.0, (rows, cols)))
    if rows < cols:
        flat = flat.T
    q, r = numpy.linalg.qr(flat)
    q = q * numpy.sign(numpy.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def lstm_forget_bias_(lstm, value=1.0):
    """Engine extra (torch has no such helper): set the forget-gate bias of every layer
    and direction of an LSTM to ``value`` (bias_hh's forget rows = value, bias_ih's = 0,
    so the gate starts at sigmoid(value)). value = 1 is Jozefowicz et al. (2015);
    value = ln(T) for dependencies about T steps long is the "chrono" initialisation of
    Tallec & Ollivier (2018). torch's default (uniform, around 0) starts the gate at 0.5."""
    if not lstm.bias:
        raise ValueError("lstm_forget_bias_: this LSTM was built with bias=False, it has no gate biases")
    H = lstm.hidden_size
    for name, p in lstm.named_parameters():
        if name.startswith("bias_"):
            p.data[H:2 * H] = value if name.startswith("bias_hh") else 0.0
    return lstm
