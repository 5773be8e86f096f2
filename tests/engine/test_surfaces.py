"""2-D test surfaces: gradients, documented minima, contour grids and optimizer paths."""
import numpy as np
import pytest

import engine
from engine import optim
from engine.optim import surfaces
from tests.gradcheck import gradcheck

ALL = surfaces.all_surfaces() + [surfaces.quadratic(condition=50.0, angle=0.6)]
IDS = [s.name for s in ALL]


def grad_at(surface, xy):
    p = engine.tensor(np.array(xy, dtype=np.float64), requires_grad=True)
    surface(p).backward()
    return p.grad


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_gradient_check(surface):
    rng = np.random.default_rng(1)
    for _ in range(3):
        x0, x1 = surface.x_range
        y0, y1 = surface.y_range
        p = engine.tensor(np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)]), requires_grad=True)
        assert gradcheck(surface, [p])


@pytest.mark.parametrize("surface", [s for s in ALL if s.minima], ids=[s.name for s in ALL if s.minima])
def test_documented_minima_are_minima(surface):
    for xy in surface.minima:
        assert surface.value(*xy) == pytest.approx(surface.min_value, abs=1e-12)
        scale = 1.0 + np.abs(grad_at(surface, surface.start)).max()
        assert np.abs(grad_at(surface, xy)).max() < 1e-9 * scale
        # no lower point nearby: a small ring of neighbours is higher
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ring = surface.value(xy[0] + 1e-3 * np.cos(angles), xy[1] + 1e-3 * np.sin(angles))
        assert np.all(ring > surface.min_value)
        x0, x1 = surface.x_range
        y0, y1 = surface.y_range
        assert x0 < xy[0] < x1 and y0 < xy[1] < y1
    # and nothing on a fine grid of the window is below the global minimum
    _, _, Z = surfaces.surface_grid(surface, 301, 301)
    assert Z.min() >= surface.min_value - 1e-9


def test_known_values():
    assert surfaces.rosenbrock().value(0.0, 0.0) == 1.0
    assert surfaces.beale().value(0.0, 0.0) == pytest.approx(1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2)
    assert surfaces.himmelblau().value(0.0, 0.0) == 170.0
    assert surfaces.saddle().value(1.0, 2.0) == -3.0
    assert surfaces.six_hump_camel().value(1.0, 1.0) == pytest.approx(4 - 2.1 + 1 / 3 + 1)


def test_quadratic_condition_number_and_exact_hessian():
    s = surfaces.quadratic(condition=25.0, angle=0.4)
    H = s.hessian(np.zeros(2))
    eig = np.linalg.eigvalsh(H)
    assert eig.max() / eig.min() == pytest.approx(25.0)
    # the exact Hessian agrees with finite differences of the autograd gradient
    h = 1e-5
    fd = np.stack([(grad_at(s, [h, 0]) - grad_at(s, [-h, 0])) / (2 * h),
                   (grad_at(s, [0, h]) - grad_at(s, [0, -h])) / (2 * h)], axis=1)
    np.testing.assert_allclose(fd, H, rtol=1e-6)
    with pytest.raises(ValueError, match="condition"):
        surfaces.quadratic(condition=0.5)


def test_saddle_point_is_stationary_but_not_a_minimum():
    s = surfaces.saddle()
    assert s.minima == () and s.min_value is None
    np.testing.assert_array_equal(grad_at(s, s.saddles[0]), [0.0, 0.0])


def test_surface_grid_is_the_formula_on_a_meshgrid():
    s = surfaces.beale()
    X, Y, Z = surfaces.surface_grid(s, 7, 5)
    assert X.shape == Y.shape == Z.shape == (5, 7)
    assert X[0, 0] == s.x_range[0] and X[0, -1] == s.x_range[1] and Y[-1, 0] == s.y_range[1]
    for i, j in [(0, 0), (2, 3), (4, 6)]:
        p = engine.tensor(np.array([X[i, j], Y[i, j]]))
        assert Z[i, j] == pytest.approx(float(s(p).item()), rel=1e-12)


def test_optimize_path_records_every_step():
    s = surfaces.quadratic(condition=4.0)
    lr = 0.1
    path = surfaces.optimize_path(s, lambda ps: optim.SGD(ps, lr=lr), (1.0, 1.0), 5)
    assert path.shape == (6, 2)
    expected = np.array([1.0, 1.0]) * np.stack([(1 - lr) ** np.arange(6), (1 - 4 * lr) ** np.arange(6)], 1)
    np.testing.assert_allclose(path, expected, rtol=1e-12)


def test_optimize_path_with_newton_uses_the_surfaces_hessian_and_finds_the_saddle():
    s = surfaces.saddle()
    made = []
    path = surfaces.optimize_path(s, lambda ps: made.append(optim.Newton(ps)) or made[0], s.start, 3)
    assert made[0].hessian_fn is s.hessian
    assert made[0].n_evals == 3  # one gradient per step: no finite-difference evaluations
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-12)  # Newton is drawn to saddles
    gd = surfaces.optimize_path(s, lambda ps: optim.SGD(ps, lr=0.1), s.start, 40)
    assert abs(gd[-1, 1]) > 1.0 and abs(gd[-1, 0]) < 0.01  # gradient descent escapes along y


def test_optimize_path_stops_at_divergence_with_nan():
    s = surfaces.rosenbrock()
    path = surfaces.optimize_path(s, lambda ps: optim.SGD(ps, lr=1.0), s.start, 50)
    assert np.all(np.isfinite(path[:2]))
    assert np.isnan(path[-1]).all()


@pytest.mark.parametrize("make", [
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.005, momentum=0.9),
    lambda ps: optim.RMSprop(ps, lr=0.05),
    lambda ps: optim.Newton(ps),
    lambda ps: optim.ConjugateGradient(ps),
], ids=["Adam", "momentum", "RMSprop", "Newton", "CG"])
def test_optimizers_reach_the_himmelblau_minimum(make):
    s = surfaces.himmelblau()
    path = surfaces.optimize_path(s, make, (2.0, 1.0), 300)
    np.testing.assert_allclose(path[-1], (3.0, 2.0), atol=1e-2)


def test_surfaces_by_name():
    assert [s.name for s in surfaces.all_surfaces()][:2] == ["quadratic (condition 10)", "Rosenbrock"]
    s = surfaces.by_name("quadratic", condition=50)
    assert np.linalg.cond(s.hessian(np.zeros(2))) == pytest.approx(50)
    with pytest.raises(ValueError, match="unknown surface 'rosenbrok'"):
        surfaces.by_name("rosenbrok")
    with pytest.raises(ValueError, match="no options"):
        surfaces.by_name("beale", condition=3)
