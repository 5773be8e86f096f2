"""2-D test surfaces for optimizer-path demos, and the helpers the GUI's path panel calls.

Each surface is a formula in x and y written with arithmetic operators only, so the same
function evaluates an engine Tensor (differentiable, for the optimizers) and whole host
arrays at once (for contour grids, no Python loop per point).

    s = surfaces.rosenbrock()
    X, Y, Z = surface_grid(s, 200, 200)
    path = optimize_path(s, lambda ps: engine.optim.Adam(ps, lr=0.05), s.start, 300)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy

from ..autograd import Tensor
from ..nn.module import Parameter


@dataclass(frozen=True)
class Surface:
    name: str
    formula: Callable  # f(x, y) with +, -, *, ** only: works on Tensors and on arrays
    x_range: tuple[float, float]  # recommended plotting window
    y_range: tuple[float, float]
    start: tuple[float, float]  # default start point
    minima: tuple[tuple[float, float], ...]  # known (global or all local) minima
    min_value: float | None  # f at the minima (None: unbounded below)
    description: str = ""
    hessian: Callable | None = field(default=None, compare=False)  # exact H(x) when known
    saddles: tuple[tuple[float, float], ...] = ()

    def __call__(self, p: Tensor) -> Tensor:
        """f(p) for a Tensor of shape (2,): a differentiable scalar."""
        return self.formula(p[0], p[1])

    def value(self, x, y):
        """f on host numbers or arrays (no autograd)."""
        return self.formula(numpy.asarray(x, dtype=numpy.float64),
                            numpy.asarray(y, dtype=numpy.float64))


def quadratic(condition: float = 10.0, angle: float = 0.0) -> Surface:
    """f = (u^2 + condition * v^2) / 2, with (u, v) the point rotated by ``angle`` radians.

    The Hessian's eigenvalues are 1 and ``condition``: gradient descent zig-zags across
    the narrow valley once condition is large.
    """
    if condition < 1:
        raise ValueError(f"condition number must be >= 1, got {condition}")
    c, s = math.cos(angle), math.sin(angle)
    R = numpy.array([[c, s], [-s, c]])
    H = R.T @ numpy.diag([1.0, float(condition)]) @ R

    def f(x, y):
        u = c * x + s * y
        v = -s * x + c * y
        return 0.5 * (u * u + condition * (v * v))

    span = 2.0
    return Surface(f"quadratic (condition {condition:g})", f, (-span, span), (-span, span),
                   start=(-1.8, 0.6), minima=((0.0, 0.0),), min_value=0.0,
                   description="ill-conditioned quadratic bowl", hessian=lambda xy: H)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    def f(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    return Surface("Rosenbrock", f, (-2.0, 2.0), (-1.0, 3.0), start=(-1.5, 2.0),
                   minima=((a, a * a),), min_value=0.0,
                   description="a long curved valley; the minimum is easy to find, hard to reach")


def beale() -> Surface:
    def f(x, y):
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2
                + (2.625 - x + x * y * y * y) ** 2)

    return Surface("Beale", f, (-4.5, 4.5), (-4.5, 4.5), start=(1.0, 1.5),
                   minima=((3.0, 0.5),), min_value=0.0,
                   description="flat plateaus and sharp ridges")


def himmelblau() -> Surface:
    def f(x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    # the three irrational minima refined to float64 precision with Newton's method
    minima = ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
              (-3.779310253377747, -3.283185991286170), (3.584428340330492, -1.848126526964404))
    return Surface("Himmelblau", f, (-5.0, 5.0), (-5.0, 5.0), start=(0.0, 0.0),
                   minima=minima, min_value=0.0,
                   description="four equal minima: where you end depends on where you start")


def saddle() -> Surface:
    def f(x, y):
        return x * x - y * y

    return Surface("saddle", f, (-2.0, 2.0), (-2.0, 2.0), start=(1.5, 0.01),
                   minima=(), min_value=None, saddles=((0.0, 0.0),),
                   description="x^2 - y^2: a start near the ridge shows how methods escape",
                   hessian=lambda xy: numpy.diag([2.0, -2.0]))


def six_hump_camel() -> Surface:
    def f(x, y):
        x2, y2 = x * x, y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    return Surface("six-hump camel", f, (-2.0, 2.0), (-1.0, 1.0), start=(-1.5, -0.5),
                   minima=((0.0898420131003269, -0.7126564030207420),
                           (-0.0898420131003269, 0.7126564030207420)),
                   min_value=-1.0316284534898774,
                   description="six local minima, two of them global")


#: surface constructors by the names the GUI and settings use
SURFACES = {"quadratic": quadratic, "rosenbrock": rosenbrock, "beale": beale,
            "himmelblau": himmelblau, "saddle": saddle, "six_hump_camel": six_hump_camel}


def by_name(name: str, **options) -> Surface:
    """``by_name("quadratic", condition=50)``; unknown names get a one-line message."""
    make = SURFACES.get(name)
    if make is None:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    try:
        return make(**options)
    except TypeError:
        raise ValueError(f"surface {name!r} takes no options {sorted(options)}") from None


def all_surfaces() -> list[Surface]:
    """One of each, with default settings (for the GUI's surface picker)."""
    return [make() for make in SURFACES.values()]


def surface_grid(surface: Surface, nx: int = 100, ny: int = 100, x_range=None, y_range=None):
    """X, Y, Z host arrays of shape (ny, nx) over the recommended window, for contour plots."""
    x0, x1 = x_range or surface.x_range
    y0, y1 = y_range or surface.y_range
    X, Y = numpy.meshgrid(numpy.linspace(x0, x1, nx), numpy.linspace(y0, y1, ny))
    return X, Y, numpy.asarray(surface.value(X, Y), dtype=numpy.float64)


def optimize_path(surface: Surface, optimizer_factory, start=None, steps: int = 100):
    """Run an optimizer on ``surface`` from ``start`` and return the (steps+1, 2) path.

    ``optimizer_factory(params) -> optimizer`` builds any engine.optim optimizer (SGD,
    Adam, ..., Newton, ConjugateGradient) for the one float64 parameter of shape (2,).
    Row 0 is the start. If the iterate becomes non-finite (divergence), the remaining
    rows are NaN so a plot simply stops there.
    """
    start = surface.start if start is None else start
    p = Parameter(numpy.array(start, dtype=numpy.float64).reshape(2))
    opt = optimizer_factory([p])
    if getattr(opt, "hessian_fn", False) is None and surface.hessian is not None:
        opt.hessian_fn = surface.hessian  # exact Hessians beat finite differences

    def closure():
        p.grad = None
        loss = surface(p)
        loss.backward()
        return loss

    path = numpy.full((steps + 1, 2), numpy.nan)
    path[0] = p.data
    with numpy.errstate(over="ignore", invalid="ignore"):
        for i in range(1, steps + 1):
            opt.step(closure)  # every optimizer calls the closure first, as torch's do
            if not numpy.all(numpy.isfinite(p.data)):
                break
            path[i] = p.data
    return path
