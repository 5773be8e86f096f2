"""Activations: NumPy reference formulas, float64 gradient checks, torch cross-checks."""
import math

import numpy as np
import pytest

import engine
from engine import nn
from engine.nn import functional as F
from tests.gradcheck import gradcheck

SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


# name -> (module factory, NumPy reference, kinks to keep gradient-check inputs away from)
CASES = {
    "ReLU": (lambda: nn.ReLU(), lambda x: np.maximum(x, 0), [0]),
    "ReLU6": (lambda: nn.ReLU6(), lambda x: np.clip(x, 0, 6), [0, 6]),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x), [0]),
    "PReLU": (lambda: nn.PReLU(), lambda x: np.where(x > 0, x, 0.25 * x), [0]),
    "RReLU": (lambda: nn.RReLU().eval(), lambda x: np.where(x > 0, x, x * (1 / 8 + 1 / 3) / 2), [0]),
    "ELU": (lambda: nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)), [0]),
    "SELU": (lambda: nn.SELU(), lambda x: SELU_S * np.where(x > 0, x, SELU_A * (np.exp(x) - 1)), [0]),
    "CELU": (lambda: nn.CELU(1.5),
             lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * (np.exp(x / 1.5) - 1)), [0]),
    "GELU": (lambda: nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), []),
    "GELU_tanh": (lambda: nn.GELU("tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), []),
    "Softplus": (lambda: nn.Softplus(beta=2.0, threshold=4.0),
                 lambda x: np.where(2 * x > 4, x, np.log1p(np.exp(2 * x)) / 2), [2.0]),
    "Sigmoid": (lambda: nn.Sigmoid(), _sig, []),
    "LogSigmoid": (lambda: nn.LogSigmoid(), lambda x: np.log(_sig(x)), []),
    "Tanh": (lambda: nn.Tanh(), np.tanh, []),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0), [-0.5, 1.0]),
    "Threshold": (lambda: nn.Threshold(0.3, -2.0), lambda x: np.where(x > 0.3, x, -2.0), [0.3]),
    "Tanhshrink": (lambda: nn.Tanhshrink(), lambda x: x - np.tanh(x), []),
    "Softshrink": (lambda: nn.Softshrink(0.5),
                   lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)), [-0.5, 0.5]),
    "Hardshrink": (lambda: nn.Hardshrink(0.5), lambda x: np.where(np.abs(x) > 0.5, x, 0), [-0.5, 0.5]),
    "Softsign": (lambda: nn.Softsign(), lambda x: x / (1 + np.abs(x)), []),
    "Softmax": (lambda: nn.Softmax(dim=1),
                lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True), []),
    "Softmin": (lambda: nn.Softmin(dim=1),
                lambda x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True), []),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1),
                   lambda x: x - np.log(np.exp(x).sum(1, keepdims=True)), []),
}


def _away_from(x, kinks, gap=0.05):
    for k in kinks:
        near = np.abs(x - k) < gap
        x = np.where(near, k + np.where(x >= k, gap, -gap) * 2, x)
    return x


def _sample(kinks, shape=(4, 5), seed=0):
    x = np.random.default_rng(seed).uniform(-3, 3, shape)
    x = _away_from(x, kinks)
    # a few values on both sides of every kink, so each branch is exercised
    for i, k in enumerate(kinks):
        x[i % shape[0], 0] = k + 0.3
        x[i % shape[0], 1] = k - 0.3
    return x


@pytest.mark.parametrize("name", list(CASES))
def test_value_matches_formula(name):
    make, ref, kinks = CASES[name]
    x = _sample(kinks)
    out = make()(engine.tensor(x, dtype=np.float64))
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_float64(name):
    make, _, kinks = CASES[name]
    m = make().double() if name == "PReLU" else make()
    x = engine.tensor(_sample(kinks, seed=1), dtype=np.float64, requires_grad=True)
    assert gradcheck(lambda t: m(t), [x])


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32(name):
    make, _, kinks = CASES[name]
    x = engine.tensor(_sample(kinks).astype(np.float32), requires_grad=True)
    out = make()(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_saturating_and_relu_family_flags():
    for cls in (nn.Sigmoid, nn.Tanh, nn.Softsign, nn.Hardtanh):
        assert cls.saturating and not cls.relu_family
    for cls in (nn.ReLU, nn.ReLU6, nn.Threshold):   # a flat zero region: units can die
        assert cls.relu_family
    # a slope on the negative side keeps a gradient: no unit dies
    for cls in (nn.ELU, nn.GELU, nn.Softplus, nn.SELU, nn.LeakyReLU, nn.PReLU, nn.RReLU):
        assert not cls.saturating and not cls.relu_family


def test_gradient_conventions_at_kinks():
    """torch picks a side at the kinks: relu'(0)=0, leaky'(0)=slope, hardtanh'(bound)=0."""
    x = engine.tensor([0.0, -1.0, 1.0], dtype=np.float64, requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1])
    x.grad = None
    F.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.1, 0.1, 1])
    x.grad = None
    w = engine.tensor([0.25], dtype=np.float64, requires_grad=True)
    F.prelu(x, w).sum().backward()      # prelu'(0) = weight, as leaky_relu's slope
    np.testing.assert_array_equal(x.grad, [0.25, 0.25, 1])
    np.testing.assert_array_equal(w.grad, [-1.0])   # d/dw = min(0, x), summed
    x.grad = None
    F.hardtanh(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 0])
    x.grad = None
    F.elu(x, 2.0).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 2 * math.exp(-1), 1])


def test_erf_accuracy():
    x = np.linspace(-8, 8, 4001)
    np.testing.assert_allclose(F.erf(engine.tensor(x, dtype=np.float64)).numpy(), _erf(x),
                               rtol=0, atol=1e-14)
    t = engine.tensor(np.array([-1.3, 0.2, 2.1]), dtype=np.float64, requires_grad=True)
    assert gradcheck(F.erf, [t])


def test_gelu_tails_are_finite_and_exact():
    x = np.array([-40.0, -10.0, 10.0, 40.0])
    out = F.gelu(engine.tensor(x, dtype=np.float64)).numpy()
    ref = x * 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-300)


def test_softplus_does_not_overflow():
    out = F.softplus(engine.tensor([-1000.0, 1000.0], dtype=np.float64)).numpy()
    np.testing.assert_allclose(out, [0.0, 1000.0])


def test_prelu_per_channel_weight_gradient():
    m = nn.PReLU(num_parameters=3, init=0.1).double()
    rng = np.random.default_rng(2)
    x = engine.tensor(_away_from(rng.standard_normal((2, 3, 4)), [0]), dtype=np.float64,
                      requires_grad=True)
    ref = np.where(x.data > 0, x.data, 0.1 * x.data)
    np.testing.assert_allclose(m(x).numpy(), ref)
    assert gradcheck(lambda t, w: F.prelu(t, w), [x, m.weight])
    assert [n for n, _ in m.named_parameters()] == ["weight"]


def test_rrelu_training_slopes_random_in_bounds_and_seeded():
    x = engine.tensor(-np.ones(2000), dtype=np.float64, requires_grad=True)
    m = nn.RReLU(0.1, 0.3, generator=engine.Generator(5))
    out = m(x).numpy()
    slopes = -out
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    assert not np.array_equal(m(x).numpy(), out)  # each call draws new slopes
    again = nn.RReLU(0.1, 0.3, generator=engine.Generator(5))(x).numpy()
    np.testing.assert_array_equal(out, again)
    y = m(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, -y.numpy())  # d(r x)/dx = r for x < 0
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2 * np.ones(2000))
    pos = engine.tensor([2.0, 3.0], dtype=np.float64)
    np.testing.assert_array_equal(nn.RReLU()(pos).numpy(), [2.0, 3.0])


def test_heaviside_step_and_zero_gradient():
    x = engine.tensor([-2.0, 0.0, 0.5], dtype=np.float64, requires_grad=True)
    out = nn.Heaviside()(x)
    np.testing.assert_array_equal(out.numpy(), [0, 1, 1])
    np.testing.assert_array_equal(F.heaviside(x, 0.5).numpy(), [0, 0.5, 1])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 0])


def test_softmax_legacy_dim_and_module_over_other_dims():
    x = np.random.default_rng(3).standard_normal((2, 3, 4))
    t = engine.tensor(x, dtype=np.float64)
    # dim=None: torch's legacy rule picks dim 0 for 3-D input
    np.testing.assert_allclose(F.softmax(t).numpy(), np.exp(x) / np.exp(x).sum(0))
    np.testing.assert_allclose(nn.LogSoftmax(-1)(t).numpy(),
                               x - np.log(np.exp(x).sum(-1, keepdims=True)))
    big = engine.tensor([[1000.0, 0.0]], dtype=np.float64)
    np.testing.assert_allclose(F.softmax(big, 1).numpy(), [[1.0, 0.0]])
    np.testing.assert_allclose(F.log_softmax(big, 1).numpy(), [[0.0, -1000.0]])


def test_invalid_arguments_fail_clearly():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(1.0, -1.0)


# ----------------------------------------------------------------------------- torch
TORCH_ARGS = {
    "ReLU": (), "ReLU6": (), "LeakyReLU": (0.2,), "PReLU": (), "RReLU": (), "ELU": (0.7,),
    "SELU": (), "CELU": (1.5,), "GELU": (), "GELU_tanh": ("tanh",), "Softplus": (2.0, 4.0),
    "Sigmoid": (), "LogSigmoid": (), "Tanh": (), "Hardtanh": (-0.5, 1.0), "Threshold": (0.3, -2.0),
    "Tanhshrink": (), "Softshrink": (0.5,), "Hardshrink": (0.5,), "Softsign": (),
    "Softmax": (1,), "Softmin": (1,), "LogSoftmax": (1,),
}


@pytest.mark.torchref
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    make, _, kinks = CASES[name]
    x = _sample(kinks, shape=(6, 7), seed=4)
    tm = getattr(torch.nn, name.split("_")[0])(*TORCH_ARGS[name]).double()
    if name == "RReLU":
        tm.eval()
    tx = torch.tensor(x, requires_grad=True)
    w = np.random.default_rng(5).standard_normal(x.shape)
    (tm(tx) * torch.tensor(w)).sum().backward()
    m = make().double() if name == "PReLU" else make()
    ex = engine.tensor(x, dtype=np.float64, requires_grad=True)
    out = m(ex)
    (out * engine.tensor(w, dtype=np.float64)).sum().backward()
    np.testing.assert_allclose(out.numpy(), tm(tx).detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ex.grad, tx.grad.numpy(), rtol=1e-11, atol=1e-14)
    if name == "PReLU":
        np.testing.assert_allclose(m.weight.grad, tm.weight.grad.numpy(), rtol=1e-12)


@pytest.mark.torchref
def test_heaviside_and_erf_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.5, 0.0, 0.0, 2.0, 1e-3, -3.7])
    np.testing.assert_array_equal(
        F.heaviside(engine.tensor(x, dtype=np.float64), 0.25).numpy(),
        torch.heaviside(torch.tensor(x), torch.tensor(0.25, dtype=torch.float64)).numpy())
    grid = np.linspace(-6, 6, 1001)
    np.testing.assert_allclose(F.erf(engine.tensor(grid, dtype=np.float64)).numpy(),
                               torch.erf(torch.tensor(grid)).numpy(), atol=1e-15)


# ----------------------------------------------------------------------------- inplace flag
INPLACE_MODULES = {
    "ReLU": lambda ip: nn.ReLU(inplace=ip), "ReLU6": lambda ip: nn.ReLU6(inplace=ip),
    "LeakyReLU": lambda ip: nn.LeakyReLU(0.2, inplace=ip),
    "RReLU": lambda ip: nn.RReLU(inplace=ip).eval(), "ELU": lambda ip: nn.ELU(0.7, inplace=ip),
    "SELU": lambda ip: nn.SELU(inplace=ip), "CELU": lambda ip: nn.CELU(1.5, inplace=ip),
    "Hardtanh": lambda ip: nn.Hardtanh(inplace=ip), "Threshold": lambda ip: nn.Threshold(0.3, -2.0, inplace=ip),
    "Dropout": lambda ip: nn.Dropout(0.5, inplace=ip).eval(),
}


@pytest.mark.parametrize("name", sorted(INPLACE_MODULES))
def test_inplace_flag_is_accepted_and_computes_the_same_numbers_out_of_place(name):
    make = INPLACE_MODULES[name]
    assert make(True).inplace is True and make(False).inplace is False
    x0 = np.random.default_rng(3).normal(size=(4, 5))
    results = {}
    for ip in (False, True):
        x = engine.tensor(x0.copy(), requires_grad=True)
        y = make(ip)(x * 1.0)  # a non-leaf input, as in a real network
        (y * y).sum().backward()
        np.testing.assert_array_equal(x.data, x0)  # the input is never overwritten
        results[ip] = (np.array(y.data), np.array(x.grad))
    np.testing.assert_array_equal(results[True][0], results[False][0])
    np.testing.assert_array_equal(results[True][1], results[False][1])


@pytest.mark.parametrize("fn", [
    lambda x, ip: F.relu(x, inplace=ip), lambda x, ip: F.relu6(x, inplace=ip),
    lambda x, ip: F.leaky_relu(x, 0.1, inplace=ip), lambda x, ip: F.elu(x, inplace=ip),
    lambda x, ip: F.selu(x, inplace=ip), lambda x, ip: F.celu(x, inplace=ip),
    lambda x, ip: F.hardtanh(x, inplace=ip), lambda x, ip: F.threshold(x, 0.1, 5.0, inplace=ip),
    lambda x, ip: F.rrelu(x, inplace=ip), lambda x, ip: (F.relu_(x) if ip else F.relu(x)),
    lambda x, ip: F.dropout(x, 0.5, True, ip, generator=engine.Generator(7)),
])
def test_functional_inplace_matches_out_of_place_and_leaves_input(fn):
    x0 = np.linspace(-2, 2, 12).reshape(3, 4)
    x = engine.tensor(x0.copy())
    out_of_place, in_place = fn(x, False), fn(x, True)
    np.testing.assert_array_equal(in_place.data, out_of_place.data)
    np.testing.assert_array_equal(x.data, x0)


def test_inplace_shows_in_repr_and_modules_without_the_flag_reject_it():
    assert "inplace=True" in repr(nn.ReLU(inplace=True)) and "inplace" not in repr(nn.ReLU())
    assert repr(nn.ELU(inplace=True)) == "ELU(alpha=1.0, inplace=True)"
    with pytest.raises(TypeError):
        nn.Sigmoid(inplace=True)  # torch's Sigmoid has no such flag either
