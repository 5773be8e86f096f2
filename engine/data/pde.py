"""1-D PDE data from our own spectral solver: heat and viscous Burgers.

Both equations live on the periodic interval [0, 1). A sample is a random smooth initial
condition u(x, 0) and the solution u(x, T) at a fixed time T; a neural operator learns the
map u(., 0) -> u(., T) between functions.

- ``heat-1d``: u_t = nu u_xx. Exact in Fourier space: the mode exp(2 pi i k x) decays by
  exp(-nu (2 pi k)^2 T), so the solution is computed, not approximated.
- ``burgers-1d``: u_t + u u_x = nu u_xx, pseudo-spectral: the nonlinear term (u^2 / 2)_x
  is formed on the grid and dealiased by the 2/3 rule, the viscous term is integrated
  exactly by an integrating factor, and the rest by classical RK4 (IFRK4), with a time step
  from the advective CFL condition. It runs on a grid of SOLVE_POINTS points (or more) and
  is sampled down, so the data at every resolution are the same solution.

Initial conditions: u(x, 0) = sum_{k=1..IC_MODES} (a_k cos 2 pi k x + b_k sin 2 pi k x) with
a_k, b_k ~ N(0, 1) / k^2 (smooth, zero mean), evaluated exactly on any grid.

Layout (N, C, L) like Conv1d: x is u(x, 0) in channel 0 and, with ``coordinates``, the grid
coordinate x_j = j / L in channel 1; y is u(x, T), shape (N, 1, L).

The same samples at twice the resolution: every dataset built here is a :class:`PDEDataset`
whose ``fine`` is another Dataset holding the same initial conditions and solutions on a grid
of 2 L points, in the same train/test split and order (``fine.x_test[i]`` is ``x_test[i]``
sampled twice as densely; its even points are exactly ``x_test[i]``). The views and goals use
it to evaluate a model trained at L on the finer grid (engine.train.operator).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .base import REGRESSION, Dataset, make
from .registry import SEED, ParamSpec, n_samples, register, test_fraction

_PDE = "PDEs"
#: Fourier modes of the random initial conditions
IC_MODES = 8
#: the Burgers solver's grid: at least this many points (shocks need them), a multiple of 2 L
SOLVE_POINTS = 256
#: grid cells a wave may cross in one Burgers time step (RK4 on the dealiased spectrum is stable
#: up to about 1.3)
CFL = 1.0
RESOLUTIONS = (32, 64, 128, 256)


@dataclass
class PDEDataset(Dataset):
    #: what the views read (engine.train.views.input_kind): functions on a grid, not sequences
    input_kind = "function"
    #: the same samples on a grid of twice the points (see the module docstring); its own
    #: ``fine`` is None
    fine: Dataset | None = None


def grid(points: int) -> np.ndarray:
    """x_j = j / points on the periodic interval [0, 1)."""
    return np.arange(points) / points


def wavenumbers(points: int) -> np.ndarray:
    """The angular wavenumbers 2 pi k of numpy's rfft on ``points`` points."""
    return 2 * np.pi * np.fft.rfftfreq(points, d=1.0 / points)


def initial_conditions(rng, n: int, points: int) -> np.ndarray:
    """(n, points) random smooth periodic functions (see the module docstring)."""
    k = np.arange(1, IC_MODES + 1)
    a = rng.standard_normal((n, IC_MODES)) / k ** 2
    b = rng.standard_normal((n, IC_MODES)) / k ** 2
    phase = 2 * np.pi * np.outer(k, grid(points))
    return a @ np.cos(phase) + b @ np.sin(phase)


def solve_heat(u0: np.ndarray, nu: float, time: float) -> np.ndarray:
    """u(., time) of u_t = nu u_xx for each row of ``u0`` (periodic grid rows): exact for
    functions the grid resolves."""
    k = wavenumbers(u0.shape[-1])
    return np.fft.irfft(np.fft.rfft(u0) * np.exp(-nu * k ** 2 * time), n=u0.shape[-1])


def solve_burgers(u0: np.ndarray, nu: float, time: float, steps: int | None = None) -> np.ndarray:
    """u(., time) of u_t + u u_x = nu u_xx for each row of ``u0`` by IFRK4 (module
    docstring); ``steps`` time steps, by default from the CFL condition on the grid."""
    points = u0.shape[-1]
    k = wavenumbers(points)
    keep = np.abs(np.fft.rfftfreq(points, d=1.0 / points)) < points / 3   # the 2/3 rule
    if steps is None:
        speed = max(float(np.abs(u0).max(initial=0.0)), 1e-6)   # max|u| never grows (maximum principle)
        steps = max(int(np.ceil(time * speed * points / CFL)), 1)
    dt = time / steps
    half = np.exp(-nu * k ** 2 * dt / 2)   # the integrating factor over half a step

    def advection(v):
        """-(u^2 / 2)_x in Fourier space, dealiased."""
        u = np.fft.irfft(v * keep, n=points)
        return -0.5j * k * np.fft.rfft(u * u) * keep

    v = np.fft.rfft(u0)
    for _ in range(steps):
        a = advection(v)
        b = advection(half * (v + dt / 2 * a))
        c = advection(half * v + dt / 2 * b)
        d = advection(half * half * v + dt * half * c)
        v = half * half * v + dt / 6 * (half * half * a + 2 * half * (b + c) + d)
    return np.fft.irfft(v, n=points)


@functools.lru_cache(maxsize=4)
def _solved(solve, n_samples, points, nu, time, seed):
    """(u0, u(T)) on ``points`` points, read-only; cached because a lesson's check builds the
    same data for every training seed, and Burgers takes seconds."""
    u0 = initial_conditions(np.random.default_rng(seed), n_samples, points)
    u_t = solve(u0, nu, time)
    u0.flags.writeable = u_t.flags.writeable = False
    return u0, u_t


def _dataset(name, solve, n_samples, resolution, nu, time, coordinates, test_fraction, seed,
             solve_points) -> PDEDataset:
    """Solve on ``solve_points`` (a multiple of 2 * resolution), then sample the same
    solutions at resolution and at twice it, split alike."""
    u0, u_t = _solved(solve, n_samples, solve_points, nu, time, seed)

    def at(points):
        every = solve_points // points
        x = u0[:, None, ::every]
        if coordinates:
            x = np.concatenate([x, np.broadcast_to(grid(points), x.shape)], axis=1)
        return x, u_t[:, None, ::every]

    parts = []
    for points in (2 * resolution, resolution):
        x, y = at(points)
        split_rng = np.random.default_rng((seed, 1))   # the split's own stream: the same shuffle at both
        parts.append(make(name, REGRESSION, x, y, test_fraction=test_fraction, rng=split_rng, description=(
            f"u(x, 0) -> u(x, {time:g}) on {points} points of [0, 1), nu = {nu:g}; x (N, {x.shape[1]}, "
            f"{points}), y (N, 1, {points}).")))
    fine, coarse = (PDEDataset(**{f: getattr(d, f) for f in Dataset.__dataclass_fields__}) for d in parts)
    coarse.fine = fine
    return coarse


def _options(nu, time):
    return (ParamSpec("resolution", "choice", 64, "grid points the functions are sampled at",
                      choices=RESOLUTIONS),
            ParamSpec("nu", "float", nu, "viscosity (diffusion coefficient) nu", min=1e-3, max=1.0),
            ParamSpec("time", "float", time, "the time T of the target u(x, T)", min=0.01, max=2.0),
            ParamSpec("coordinates", "bool", False, "add the grid coordinate x as a second input channel"))


@register("heat-1d", _PDE, REGRESSION,
          "heat equation u_t = nu u_xx on a periodic interval: u(x, 0) -> u(x, T), solved exactly in "
          "Fourier space; the same samples at twice the resolution are kept for evaluation",
          n_samples(600, lo=20, hi=5000), *_options(0.01, 0.5), test_fraction(0.2), SEED)
def heat_1d(n_samples, resolution, nu, time, coordinates, test_fraction, seed):
    return _dataset("heat-1d", solve_heat, n_samples, resolution, nu, time, coordinates, test_fraction,
                    seed, 2 * resolution)


@register("burgers-1d", _PDE, REGRESSION,
          "viscous Burgers equation u_t + u u_x = nu u_xx on a periodic interval: u(x, 0) -> u(x, T), "
          "by our pseudo-spectral solver; the same samples at twice the resolution are kept for evaluation",
          n_samples(600, lo=20, hi=5000), *_options(0.02, 0.5), test_fraction(0.2), SEED)
def burgers_1d(n_samples, resolution, nu, time, coordinates, test_fraction, seed):
    return _dataset("burgers-1d", solve_burgers, n_samples, resolution, nu, time, coordinates,
                    test_fraction, seed, max(SOLVE_POINTS, 2 * resolution))
