"""Gradient clipping and flat parameter vectors (torch.nn.utils)."""
from __future__ import annotations

import math

from .. import backend
from ..autograd import Tensor, _make


def _with_grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their joint norm is at most ``max_norm``.

    Returns the total norm before clipping (a scalar Tensor), like torch. The gradients
    are replaced by scaled copies rather than scaled in place, because two parameters'
    ``.grad`` may be the same array (autograd hands the same gradient to both inputs of
    an addition).
    """
    params = _with_grads(parameters)
    if not params:
        return Tensor(0.0)
    xp = backend.array_module(params[0].grad)
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = max(float(xp.abs(p.grad).max()) for p in params if p.grad.size)
    else:
        total = sum(float((xp.abs(p.grad) ** norm_type).sum()) for p in params) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"the total norm of order {norm_type} for gradients is non-finite, "
                           "so it cannot be clipped")
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad = p.grad * coef
    return _make(xp.asarray(total, dtype=params[0].grad.dtype), None)


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    c = float(clip_value)
    for p in _with_grads(parameters):
        p.grad = backend.array_module(p.grad).clip(p.grad, -c, c)


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor (a copy, no grad)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    xp = backend.array_module(params[0].data)
    return _make(xp.concatenate([p.data.reshape(-1) for p in params]), None)


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' arrays, in place."""
    data = vec.data if isinstance(vec, Tensor) else vec
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p.data.size for p in params)
    if data.ndim != 1 or data.size != total:
        raise ValueError(f"expected a 1-D vector of {total} elements, got shape {tuple(data.shape)}")
    offset = 0
    for p in params:
        n = p.data.size
        p.data[...] = data[offset:offset + n].reshape(p.data.shape)
        offset += n
