"""Modules of the autoencoder chapter: a standard normal sample, the reparameterisation
trick and the KL divergence to the standard normal (course notes 003, section 12).

Not torch classes: torch users write ``torch.randn_like(x)``, ``mu + torch.exp(logvar / 2)
* torch.randn_like(mu)`` and the KL formula inline. ``generator`` is as for Dropout: the
Session hands its own, so a run is reproducible per seed.
"""
from __future__ import annotations

from .. import backend, ops
from ..autograd import Function
from .module import Module

__all__ = ["RandomNormal", "Reparameterize", "KLNormal", "standard_normal_like", "kl_normal"]


class _StandardNormal(Function):
    """N(0, 1) noise of shape ``(batch,) + shape`` (``shape`` None: the input's own shape).
    Drawn in forward, so a replayed step (engine.replay) draws anew; the noise does not
    depend on the input's values, so the input's gradient is zero."""

    def __init__(self, shape, generator):
        self.shape, self.generator = shape, generator

    def forward(self, x):
        shape = x.shape if self.shape is None else (x.shape[0],) + tuple(self.shape)
        r = self.generator.standard_normal(shape)
        if backend.device_of(r) != backend.device_of(x):
            r = backend.to_device(r, backend.device_of(x))
        return backend.array_module(x).asarray(r, dtype=x.dtype)

    def backward(self, g):
        return backend.array_module(g).zeros(self._in_shape, dtype=g.dtype)

    def apply(self, x):
        self._in_shape = x.shape
        return super().apply(x)


def standard_normal_like(like, shape=None, generator=None):
    """A sample of N(0, 1) with the batch of ``like`` and ``shape`` per sample (None: the
    whole shape of ``like``)."""
    gen = generator if generator is not None else backend.default_generator
    return _StandardNormal(None if shape is None else tuple(shape), gen).apply(like)


def kl_normal(mu, logvar, beta=1.0):
    """beta * mean over the batch of KL(N(mu, exp(logvar)) || N(0, 1)), summed over the
    latent dimensions: 0.5 * sum(mu^2 + exp(logvar) - 1 - logvar)."""
    per_value = mu * mu + ops.exp(logvar) - logvar - 1.0
    per_sample = ops.sum(ops.flatten(per_value, 1), 1) if per_value.ndim > 1 else per_value
    return ops.mean(per_sample) * (0.5 * beta)


class RandomNormal(Module):
    """A fresh N(0, 1) sample on every call, in training and evaluation alike (a generator
    needs its noise in both). ``features`` 0: shaped like ``like``; else (batch, features)."""

    def __init__(self, features=0, generator=None):
        super().__init__()
        self.features, self.generator = int(features), generator

    def extra_repr(self):
        return f"features={self.features}"

    def forward(self, like):
        return standard_normal_like(like, None if self.features == 0 else (self.features,), self.generator)


class Reparameterize(Module):
    """z = mu + exp(logvar / 2) * eps with eps ~ N(0, 1) in training; mu in evaluation.
    The randomness is outside the path from mu and logvar to z, so gradients reach both."""

    def __init__(self, generator=None):
        super().__init__()
        self.generator = generator

    def forward(self, mu, logvar):
        if not self.training:
            return mu
        eps = standard_normal_like(mu, generator=self.generator)
        return mu + ops.exp(logvar * 0.5) * eps


class KLNormal(Module):
    """The KL cost of a VAE's encoder: see :func:`kl_normal`."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = float(beta)

    def extra_repr(self):
        return f"beta={self.beta}"

    def forward(self, mu, logvar):
        return kl_normal(mu, logvar, self.beta)
