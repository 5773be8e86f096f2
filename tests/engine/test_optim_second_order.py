"""Newton's method, Fletcher-Reeves conjugate gradient, and the perceptron rule."""
import numpy as np
import pytest

import engine
from engine import optim
from engine.nn import Module, Parameter
from engine.optim import surfaces

A = np.array([[3.0, 1.2], [1.2, 0.8]])  # symmetric positive definite, condition ~9
B = np.array([1.0, -2.0])
X_STAR = np.linalg.solve(A, B)


def quadratic_problem(start=(2.0, 1.0)):
    """f(x) = x.A.x/2 - b.x with its minimiser X_STAR, as an engine closure."""
    p = Parameter(np.array(start, dtype=np.float64))
    a, b = engine.tensor(A), engine.tensor(B)

    def closure():
        p.grad = None
        loss = 0.5 * (p * (a @ p)).sum() - (b * p).sum()
        loss.backward()
        return loss

    return p, closure


@pytest.mark.parametrize("hessian", [None, lambda x: A])
def test_newton_reaches_a_quadratics_minimum_in_one_step(hessian):
    p, closure = quadratic_problem()
    opt = optim.Newton([p], hessian=hessian)
    opt.step(closure)
    np.testing.assert_allclose(p.data, X_STAR, rtol=1e-7)


def test_damped_newton_takes_the_levenberg_step():
    p, closure = quadratic_problem()
    x0 = p.data.copy()
    opt = optim.Newton([p], damping=2.0, lr=0.5)
    opt.step(closure)
    g = A @ x0 - B
    np.testing.assert_allclose(p.data, x0 - 0.5 * np.linalg.solve(A + 2.0 * np.eye(2), g), rtol=1e-7)


def test_conjugate_gradient_is_exact_in_two_steps_with_exact_line_search():
    p, closure = quadratic_problem()
    opt = optim.ConjugateGradient([p], line_search="exact")
    opt.step(closure)
    assert np.abs(p.data - X_STAR).max() > 1e-2  # one step is not enough (not a round bowl)
    opt.step(closure)
    np.testing.assert_allclose(p.data, X_STAR, rtol=1e-8, atol=1e-10)


def test_conjugate_gradient_beats_steepest_descent_with_the_same_line_search():
    # steepest descent with exact line search zig-zags; after 2 steps it is still away
    x = np.array([2.0, 1.0])
    for _ in range(2):
        g = A @ x - B
        x = x - (g @ g) / (g @ A @ g) * g
    assert np.abs(x - X_STAR).max() > 1e-2


@pytest.mark.parametrize("line_search,surface,steps", [
    ("strong_wolfe", surfaces.rosenbrock(), 100), ("exact", surfaces.rosenbrock(), 100),
    ("armijo", surfaces.beale(), 400)])
def test_conjugate_gradient_line_searches_converge(line_search, surface, steps):
    path = surfaces.optimize_path(
        surface, lambda ps: optim.ConjugateGradient(ps, line_search=line_search), None, steps)
    values = surface.value(path[:, 0], path[:, 1])
    assert values[0] > 1.0 and values[-1] < 1e-8
    np.testing.assert_allclose(path[-1], surface.minima[0], atol=1e-4)
    if line_search != "exact":  # sufficient decrease: the loss never goes up
        assert np.all(np.diff(values) <= 1e-12)


def test_strong_wolfe_step_satisfies_both_conditions():
    s = surfaces.beale()
    p = Parameter(np.array([1.0, 1.5]))
    opt = optim.ConjugateGradient([p])

    def closure():
        p.grad = None
        loss = s(p)
        loss.backward()
        return loss

    x0 = p.data.copy()
    f0 = float(closure().item())
    g0 = p.grad.copy()
    opt.step(closure)
    d = -g0  # first direction: steepest descent
    alpha = (p.data - x0)[0] / d[0]
    f1 = float(closure().item())
    assert f1 <= f0 + 1e-4 * alpha * (g0 @ d)
    assert abs(p.grad @ d) <= 0.1 * abs(g0 @ d)


def test_second_order_needs_a_closure():
    p = Parameter(np.zeros(2))
    with pytest.raises(RuntimeError, match="closure"):
        optim.Newton([p]).step()
    with pytest.raises(ValueError, match="line_search"):
        optim.ConjugateGradient([p], line_search="golden")


# ----- perceptron ------------------------------------------------------------------
X_GATE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


class ThresholdUnit(Module):
    """A Linear(2, out) stand-in: the rule only touches weight (out, in) and bias (out,)."""

    def __init__(self, n_out=1):
        super().__init__()
        self.weight = Parameter(np.zeros((n_out, 2)))
        self.bias = Parameter(np.zeros(n_out))


@pytest.mark.parametrize("gate", ["AND", "OR"])
@pytest.mark.parametrize("online", [True, False])
def test_perceptron_learns_linearly_separable_gates(gate, online):
    unit = ThresholdUnit()
    rule = optim.Perceptron(unit, lr=1.0, online=online)
    epochs = rule.fit(X_GATE, np.array(GATES[gate]), max_epochs=50)
    assert epochs is not None and epochs > 1
    np.testing.assert_array_equal(rule.predict(X_GATE)[:, 0], GATES[gate])


def test_perceptron_never_settles_on_xor():
    rule = optim.Perceptron(ThresholdUnit(), lr=1.0)
    assert rule.fit(X_GATE, np.array(GATES["XOR"]), max_epochs=200) is None
    assert rule.step(X_GATE, np.array(GATES["XOR"])) > 0


def test_perceptron_rule_by_hand():
    unit = ThresholdUnit()
    rule = optim.Perceptron(unit, lr=0.5)
    # z = 0 -> y_hat = 0, target 1: w += 0.5 * x, b += 0.5
    assert rule.step(np.array([[1.0, 2.0]]), np.array([1.0])) == 1
    np.testing.assert_allclose(unit.weight.data, [[0.5, 1.0]])
    np.testing.assert_allclose(unit.bias.data, [0.5])
    # now z = 0.5*1 + 1*(-1) + 0.5 = 0 -> 0, target 0: no change
    assert rule.step(np.array([[1.0, -1.0]]), np.array([0.0])) == 0
    # z = 2.5 > 0 -> 1, target 0: w -= 0.5 * x
    rule.step(np.array([[1.0, 1.0]]), np.array([0.0]))
    np.testing.assert_allclose(unit.weight.data, [[0.0, 0.5]])
    np.testing.assert_allclose(unit.bias.data, [0.0])


def test_perceptron_with_several_units_learns_and_or_together():
    unit = ThresholdUnit(n_out=2)
    y = np.stack([GATES["AND"], GATES["OR"]], axis=1)
    rule = optim.Perceptron(unit)
    assert rule.fit(X_GATE, y) is not None
    np.testing.assert_array_equal(rule.predict(X_GATE), y)
    with pytest.raises(ValueError, match="2 output units"):
        rule.step(X_GATE, np.zeros((4, 3)))
