"""2-D target distributions for generative lessons (moons, 8-Gaussian ring, spiral).

A generative model learns the *distribution* of the points ``x``; nothing predicts
``y``. ``y`` is each point's component (which moon, which of the ring's modes, which
arm of the spiral), an int64 index kept for colours and for metrics such as "how many
modes does the generator cover". The task is classification with one class per
component, so the component index stays an index; a graph without a Target node
never converts or scores it (no labels are fed, no accuracy is shown).

Units are the plane's own, not the [-6, 6] square of the classification sets: the
moons are scikit-learn's ``make_moons`` unscaled (x in [-1, 2], y in [-0.5, 1]), the
ring has radius 2, the spiral reaches radius 2. ``noise`` is the standard deviation
of the Gaussian jitter, in plane units.
"""
from __future__ import annotations

import numpy as np

from .base import CLASSIFICATION, make
from .registry import SEED, n_samples, noise, register, test_fraction

_GEN = "2-D generative"
#: the ring's radius and number of modes (the modes sit at angles 2*pi*k/RING_MODES)
RING_RADIUS = 2.0
RING_MODES = 8


def ring_centres(radius: float = RING_RADIUS, modes: int = RING_MODES) -> np.ndarray:
    """(modes, 2) centres of the ring's Gaussians, mode k at angle 2*pi*k/modes."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def _density(name, x, component, n_components, test_fraction, rng, extent, description):
    return make(name, CLASSIFICATION, x, component, test_fraction=test_fraction, rng=rng,
                n_classes=n_components, extent=extent, description=description,
                class_names=tuple(f"component {k}" for k in range(n_components)))


def _jitter(help_text, default=0.05):
    return noise(default, help=help_text)


@register("gen-moons", _GEN, CLASSIFICATION,
          "points on two interleaving half circles (scikit-learn's make_moons, unscaled); "
          "y says which moon",
          n_samples(1000), _jitter("standard deviation of the Gaussian jitter, in plane units"),
          test_fraction(0.2), SEED)
def gen_moons(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    pts = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                          np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    pts = pts + rng.normal(0.0, noise, size=pts.shape)
    moon = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _density("gen-moons", pts, moon, 2, test_fraction, rng, ((-1.5, 2.5), (-1.25, 1.75)),
                    "Component 0 is the upper moon, component 1 the lower one.")


@register("gen-ring", _GEN, CLASSIFICATION,
          "eight Gaussians evenly spaced on a circle of radius 2; y says which of the 8 modes",
          n_samples(1000), _jitter("standard deviation of each Gaussian, in plane units"),
          test_fraction(0.2), SEED)
def gen_ring(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    mode = np.arange(n_samples) % RING_MODES          # equal shares (split shuffles them)
    pts = ring_centres()[mode] + rng.normal(0.0, noise, size=(n_samples, 2))
    return _density("gen-ring", pts, mode, RING_MODES, test_fraction, rng, ((-3.0, 3.0), (-3.0, 3.0)),
                    f"Mode k is centred at angle 2*pi*k/8 on the circle of radius {RING_RADIUS:g}.")


@register("gen-spiral", _GEN, CLASSIFICATION,
          "points along two interleaved spiral arms of 1.5 turns out to radius 2; y says which arm",
          n_samples(1000), _jitter("standard deviation of the Gaussian jitter, in plane units"),
          test_fraction(0.2), SEED)
def gen_spiral(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    arm = np.arange(n_samples) % 2
    t = rng.uniform(0.0, 1.0, size=n_samples)    # position along the arm, uniform density
    r = 0.2 + 1.8 * t
    angle = 1.5 * 2 * np.pi * t + np.pi * arm
    pts = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    pts = pts + rng.normal(0.0, noise, size=pts.shape)
    return _density("gen-spiral", pts, arm, 2, test_fraction, rng, ((-2.5, 2.5), (-2.5, 2.5)),
                    "Component 0 and component 1 are the two arms, half a turn apart.")
