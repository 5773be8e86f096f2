"""Modules of flow matching (course notes 003, section 18.5) and diffusion (section 15, DDPM):
a time drawn per sample, the straight (affine) path from noise to data, and the noising of
the data to a noise level t.

Not torch classes: torch users write ``t = torch.rand(x.shape[0], 1)``, then
``x_t = (1 - t) * x0 + t * x1`` and the target velocity ``x1 - x0`` inline, as the notes do
(diffusion: ``x_t = cos(pi t / 2) * x0 + sin(pi t / 2) * eps``, the target ``eps``).
``generator`` is as for Dropout: the Session hands its own, so a run repeats per seed.
"""
from __future__ import annotations

import math

from .. import backend, ops
from ..autograd import Function
from .module import Module

__all__ = ["TimeSample", "FlowPath", "DiffusionPath", "flow_path", "diffusion_path"]


class _UniformTime(Function):
    """U(0, 1) times, one per sample: shape (batch, 1). Drawn in forward, so a replayed step
    (engine.replay) draws anew; the times do not depend on the input's values, so its
    gradient is zero."""

    def __init__(self, generator):
        self.generator = generator

    def forward(self, like):
        self._in_shape = like.shape
        t = self.generator.random((like.shape[0], 1))
        if backend.device_of(t) != backend.device_of(like):
            t = backend.to_device(t, backend.device_of(like))
        return backend.array_module(like).asarray(t, dtype=like.dtype)

    def backward(self, g):
        return backend.array_module(g).zeros(self._in_shape, dtype=g.dtype)


class TimeSample(Module):
    """A time t ~ U(0, 1) for each sample of ``like`` (shape (batch, 1)), fresh on every call
    in training and evaluation alike: the loss measured on the test set averages over t
    too. A sampler that integrates the flow feeds its own times instead."""

    def __init__(self, generator=None):
        super().__init__()
        self.generator = generator

    def forward(self, like):
        gen = self.generator if self.generator is not None else backend.default_generator
        return _UniformTime(gen).apply(like)


def _per_sample(t, like):
    """``t`` (batch, 1) spread over the other dimensions of ``like`` (an image's)."""
    return ops.reshape(t, t.shape[0], *([1] * (like.ndim - 1))) if t.ndim < like.ndim else t


def flow_path(x1, x0, t):
    """(x_t, velocity) of the straight path from ``x0`` (noise) at t = 0 to ``x1`` (data) at
    t = 1: x_t = (1 - t) x0 + t x1, and its constant velocity dx_t/dt = x1 - x0. ``t`` has one
    value per sample, (batch, 1): it is spread over the other dimensions of an image."""
    t = _per_sample(t, x1)
    velocity = x1 - x0
    return x0 + t * velocity, velocity


class FlowPath(Module):
    """The affine path of flow matching (notes eq. 19): outputs ``x_t`` (where a point moving
    at constant speed from x0 to x1 is at time t) and ``velocity`` (the speed the velocity
    net must learn to predict there)."""

    def forward(self, x1, x0, t):
        x_t, velocity = flow_path(x1, x0, t)
        return {"x_t": x_t, "velocity": velocity}


def noise_levels(t):
    """(signal, noise) scales of the noise level ``t`` in [0, 1]: cos(pi t / 2) and
    sin(pi t / 2), so signal^2 + noise^2 = 1 (the variance stays 1, DDPM's sqrt(alpha_bar)
    and sqrt(1 - alpha_bar) with the cosine schedule): t = 0 is the data, t = 1 pure noise."""
    angle = t * (math.pi / 2)
    return ops.cos(angle), ops.sin(angle)


def diffusion_path(x0, eps, t):
    """(x_t, eps): the data ``x0`` noised to level ``t`` with the noise ``eps``,
    x_t = cos(pi t / 2) x0 + sin(pi t / 2) eps, and the noise the network must predict."""
    signal, noise = noise_levels(_per_sample(t, x0))
    return signal * x0 + noise * eps, eps


class DiffusionPath(Module):
    """The forward process of a diffusion model (notes, section 15, DDPM): outputs ``x_t``
    (the data noised to level t) and ``noise`` (eps, what the noise predictor must find)."""

    def forward(self, x0, eps, t):
        x_t, noise = diffusion_path(x0, eps, t)
        return {"x_t": x_t, "noise": noise}
