"""Finite-difference gradient checks in float64.

Small inputs are checked element by element (central differences); large ones along a
few random directions, comparing <grad, v> with (f(x+eps v) - f(x-eps v)) / 2 eps.
The scalar being differentiated is sum(f(x) * w) for a fixed random w, so every
output element matters and no gradient can hide behind a sum of ones.
"""
from __future__ import annotations

import numpy as np

import engine

ELEMENTWISE_LIMIT = 64  # inputs with at most this many elements are checked entrywise


def _scalar(fn, inputs, weights):
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = 0.0
    for o, w in zip(outs, weights):
        total += float(np.real(np.sum(engine.backend.to_numpy(o.data) * w)))
    return total


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, directions=3, seed=0):
    """Assert that autograd's gradients of ``fn`` match finite differences.

    ``inputs`` are float64 engine Tensors; those with requires_grad are checked.
    Returns True so it can be used in an assert.
    """
    rng = np.random.default_rng(seed)
    for t in inputs:
        if t.requires_grad:
            assert t.data.dtype == np.float64, "gradcheck needs float64 inputs"
            t.grad = None
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    weights = [rng.standard_normal(o.shape) for o in outs]
    loss = None
    for o, w in zip(outs, weights):
        term = (o * engine.tensor(w, dtype=o.data.dtype)).sum()
        if o.data.dtype.kind == "c":
            term = engine.real(term)
        loss = term if loss is None else loss + term
    loss.backward()

    for idx, t in enumerate(inputs):
        if not t.requires_grad:
            continue
        analytic = np.zeros(t.shape) if t.grad is None else engine.backend.to_numpy(t.grad)
        x0 = t.data.copy()

        def at(x):
            t.data = x
            try:
                with engine.no_grad():
                    return _scalar(fn, inputs, weights)
            finally:
                t.data = x0

        if t.data.size <= ELEMENTWISE_LIMIT:
            numeric = np.zeros(t.shape)
            for i in np.ndindex(*t.shape):
                xp_, xm_ = x0.copy(), x0.copy()
                xp_[i] += eps
                xm_[i] -= eps
                numeric[i] = (at(xp_) - at(xm_)) / (2 * eps)
            if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
                worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), t.shape)
                raise AssertionError(
                    f"input {idx}: gradient mismatch at {worst}: autograd {analytic[worst]:.8g} "
                    f"vs finite difference {numeric[worst]:.8g}\nautograd={analytic}\nnumeric={numeric}")
        else:
            for _ in range(directions):
                v = rng.standard_normal(t.shape)
                v /= np.linalg.norm(v)
                numeric = (at(x0 + eps * v) - at(x0 - eps * v)) / (2 * eps)
                projected = float(np.sum(analytic * v))
                if not np.isclose(projected, numeric, atol=atol, rtol=rtol):
                    raise AssertionError(
                        f"input {idx}: directional derivative mismatch: autograd {projected:.8g} "
                        f"vs finite difference {numeric:.8g}")
    return True


def t64(rng, *shape, low=None, high=None, requires_grad=True):
    """A float64 leaf tensor of random values (uniform in [low, high] when given)."""
    if low is None:
        data = rng.standard_normal(shape)
    else:
        data = rng.uniform(low, high, shape)
    return engine.tensor(data, dtype=np.float64, requires_grad=requires_grad)
