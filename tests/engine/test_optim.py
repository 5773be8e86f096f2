"""Each optimizer's first steps against updates computed by hand in NumPy from the
equations in the torch.optim documentation (Lion: Chen et al. 2023)."""
import numpy as np
import pytest

import engine
from engine import optim
from engine.nn import Parameter

W0 = np.array([[0.5, -1.2, 2.0], [0.3, 0.0, -0.7]])
RNG = np.random.default_rng(7)
GRADS = [RNG.standard_normal(W0.shape) for _ in range(3)]
# a gradient that flips sign in some entries, for Rprop
GRADS[2][0] = -GRADS[1][0]


def run(make, grads=GRADS, w0=W0):
    """Apply the optimizer with the given gradient sequence; the weights after each step."""
    p = Parameter(w0.copy())
    opt = make([p])
    out = []
    for g in grads:
        p.grad = g.copy()
        opt.step()
        out.append(p.data.copy())
    return out


def check(make, reference):
    for got, want in zip(run(make), reference(W0.copy(), GRADS), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


# ----- the documented equations, written out plainly --------------------------------
def ref_sgd(w, grads, lr, momentum=0.0, dampening=0.0, wd=0.0, nesterov=False, maximize=False):
    b, out = None, []
    for g in grads:
        g = -g if maximize else g
        g = g + wd * w
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        w = w - lr * g
        out.append(w)
    return out


def ref_adagrad(w, grads, lr=1e-2, lr_decay=0.0, wd=0.0, init=0.0, eps=1e-10):
    s, out = np.full_like(w, init), []
    for t, g in enumerate(grads, 1):
        clr = lr / (1 + (t - 1) * lr_decay)
        g = g + wd * w
        s = s + g * g
        w = w - clr * g / (np.sqrt(s) + eps)
        out.append(w)
    return out


def ref_rmsprop(w, grads, lr=1e-2, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False):
    v, gbar, b, out = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), []
    for g in grads:
        g = g + wd * w
        v = alpha * v + (1 - alpha) * g * g
        vt = v
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            vt = v - gbar * gbar
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(vt) + eps)
            w = w - lr * b
        else:
            w = w - lr * g / (np.sqrt(vt) + eps)
        out.append(w)
    return out


def ref_adadelta(w, grads, lr=1.0, rho=0.9, eps=1e-6, wd=0.0):
    v, u, out = np.zeros_like(w), np.zeros_like(w), []
    for g in grads:
        g = g + wd * w
        v = rho * v + (1 - rho) * g * g
        dx = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * dx * dx
        w = w - lr * dx
        out.append(w)
    return out


def ref_adam(w, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, wd=0.0, amsgrad=False,
             decoupled=False):
    b1, b2 = betas
    m, v, vmax, out = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), []
    for t, g in enumerate(grads, 1):
        if decoupled:
            w = w - lr * wd * w
        else:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat = m / (1 - b1 ** t)
        if amsgrad:  # torch keeps the max of the raw second moment, then bias-corrects it
            vmax = np.maximum(vmax, v)
            vhat = vmax / (1 - b2 ** t)
        else:
            vhat = v / (1 - b2 ** t)
        w = w - lr * mhat / (np.sqrt(vhat) + eps)
        out.append(w)
    return out


def ref_rprop(w, grads, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    prev, step, out = np.zeros_like(w), np.full_like(w, lr), []
    for g in grads:
        s = np.sign(g * prev)
        step = np.clip(step * np.where(s > 0, etas[1], np.where(s < 0, etas[0], 1.0)), *step_sizes)
        g = np.where(s < 0, 0.0, g)
        w = w - np.sign(g) * step
        prev = g
        out.append(w)
    return out


def ref_aimd(w, grads, lr=1e-2, increase=1e-3, decrease=0.5, max_lr=1.0):
    """The course notes' section 7.4.1, one learning rate per weight."""
    prev, rates, out = np.zeros_like(w), np.full_like(w, lr), []
    for g in grads:
        rates = np.where(g * prev > 0, rates + increase, np.where(g * prev < 0, rates * decrease, rates))
        rates = np.minimum(rates, max_lr)
        w = w - rates * g
        prev = g
        out.append(w)
    return out


def ref_lion(w, grads, lr=1e-4, betas=(0.9, 0.99), wd=0.0):
    m, out = np.zeros_like(w), []
    for g in grads:
        c = betas[0] * m + (1 - betas[0]) * g
        w = w - lr * (np.sign(c) + wd * w)
        m = betas[1] * m + (1 - betas[1]) * g
        out.append(w)
    return out


CASES = {
    "sgd": (lambda ps: optim.SGD(ps, lr=0.1), lambda w, g: ref_sgd(w, g, 0.1)),
    "sgd momentum": (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                     lambda w, g: ref_sgd(w, g, 0.1, momentum=0.9)),
    "sgd dampening wd": (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3,
                                              weight_decay=0.05),
                         lambda w, g: ref_sgd(w, g, 0.1, 0.8, 0.3, 0.05)),
    "sgd nesterov": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
                     lambda w, g: ref_sgd(w, g, 0.05, 0.9, 0.0, 0.01, nesterov=True)),
    "sgd maximize": (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, maximize=True, weight_decay=0.1),
                     lambda w, g: ref_sgd(w, g, 0.1, 0.5, wd=0.1, maximize=True)),
    "adagrad": (lambda ps: optim.Adagrad(ps), lambda w, g: ref_adagrad(w, g)),
    "adagrad all": (lambda ps: optim.Adagrad(ps, lr=0.3, lr_decay=0.1, weight_decay=0.02,
                                             initial_accumulator_value=0.5, eps=1e-6),
                    lambda w, g: ref_adagrad(w, g, 0.3, 0.1, 0.02, 0.5, 1e-6)),
    "rmsprop": (lambda ps: optim.RMSprop(ps), lambda w, g: ref_rmsprop(w, g)),
    "rmsprop centered momentum wd": (
        lambda ps: optim.RMSprop(ps, lr=0.02, alpha=0.9, weight_decay=0.1, momentum=0.7, centered=True),
        lambda w, g: ref_rmsprop(w, g, 0.02, 0.9, 1e-8, 0.1, 0.7, True)),
    "rmsprop centered": (lambda ps: optim.RMSprop(ps, centered=True),
                         lambda w, g: ref_rmsprop(w, g, centered=True)),
    "adadelta": (lambda ps: optim.Adadelta(ps), lambda w, g: ref_adadelta(w, g)),
    "adadelta wd": (lambda ps: optim.Adadelta(ps, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1),
                    lambda w, g: ref_adadelta(w, g, 0.5, 0.8, 1e-4, 0.1)),
    "adam": (lambda ps: optim.Adam(ps, lr=0.01), lambda w, g: ref_adam(w, g, 0.01)),
    "adam wd amsgrad": (lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True),
                        lambda w, g: ref_adam(w, g, 0.01, (0.8, 0.9), 1e-8, 0.1, True)),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.01), lambda w, g: ref_adam(w, g, 0.01, wd=1e-2, decoupled=True)),
    "adamw amsgrad": (lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.3, amsgrad=True),
                      lambda w, g: ref_adam(w, g, 0.01, wd=0.3, amsgrad=True, decoupled=True)),
    "adam decoupled": (lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.3, decoupled_weight_decay=True),
                       lambda w, g: ref_adam(w, g, 0.01, wd=0.3, decoupled=True)),
    "rprop": (lambda ps: optim.Rprop(ps), lambda w, g: ref_rprop(w, g)),
    "rprop clamped": (lambda ps: optim.Rprop(ps, lr=0.1, etas=(0.3, 2.0), step_sizes=(0.05, 0.15)),
                      lambda w, g: ref_rprop(w, g, 0.1, (0.3, 2.0), (0.05, 0.15))),
    "aimd": (lambda ps: optim.AIMD(ps), lambda w, g: ref_aimd(w, g)),
    "aimd capped": (lambda ps: optim.AIMD(ps, lr=0.1, increase=0.05, decrease=0.3, max_lr=0.12),
                    lambda w, g: ref_aimd(w, g, 0.1, 0.05, 0.3, 0.12)),
    "lion": (lambda ps: optim.Lion(ps, lr=0.01), lambda w, g: ref_lion(w, g, 0.01)),
    "lion wd": (lambda ps: optim.Lion(ps, lr=0.01, betas=(0.5, 0.9), weight_decay=0.5),
                lambda w, g: ref_lion(w, g, 0.01, (0.5, 0.9), 0.5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_first_steps_match_documented_equations(name):
    make, reference = CASES[name]
    check(make, reference)


def test_hand_computed_sgd_momentum_numbers():
    # b1 = g1 = 1, w1 = 1 - 0.1 = 0.9; b2 = 0.9*1 + 2 = 2.9, w2 = 0.9 - 0.29 = 0.61
    got = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
              grads=[np.array([1.0]), np.array([2.0])], w0=np.array([1.0]))
    np.testing.assert_allclose([got[0][0], got[1][0]], [0.9, 0.61])


def test_hand_computed_adam_first_step_is_lr_times_sign():
    # bias correction makes the first Adam step lr * g/|g| (up to eps)
    got = run(lambda ps: optim.Adam(ps, lr=0.1), grads=[np.array([3.0, -0.02])],
              w0=np.array([0.0, 0.0]))
    np.testing.assert_allclose(got[0], [-0.1, 0.1], rtol=1e-6)


def test_defaults_are_torchs():
    p = [Parameter(np.zeros(2))]
    assert optim.SGD(p).defaults["lr"] == 1e-3
    assert optim.Adam(p).defaults["betas"] == (0.9, 0.999) and optim.Adam(p).defaults["eps"] == 1e-8
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2
    assert optim.Adagrad(p).defaults["eps"] == 1e-10
    assert optim.RMSprop(p).defaults["alpha"] == 0.99
    assert optim.Adadelta(p).defaults["lr"] == 1.0 and optim.Adadelta(p).defaults["rho"] == 0.9
    assert optim.Rprop(p).defaults["etas"] == (0.5, 1.2)
    assert optim.Lion(p).defaults == {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0,
                                      "maximize": False}


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad,
                                 optim.Adadelta, optim.Rprop, optim.Lion, optim.AdamW])
def test_parameters_without_grad_are_skipped_and_float32_stays_float32(cls):
    a = Parameter(np.ones(3, dtype=np.float32))
    b = Parameter(np.ones(3, dtype=np.float32))
    opt = cls([a, b], lr=0.1)
    a.grad = np.array([1.0, -1.0, 0.5], dtype=np.float32)
    opt.step()
    assert np.array_equal(b.data, np.ones(3)) and b not in opt.state
    assert a.data.dtype == np.float32 and not np.array_equal(a.data, np.ones(3))


def test_lr_and_momentum_are_read_from_param_groups_every_step():
    p = Parameter(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.0)
    p.grad = np.array([1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 0.5  # a teacher turns the knob mid-training
    opt.param_groups[0]["momentum"] = 0.9
    opt.step()  # first momentum step: buffer = g
    opt.step()  # buffer = 0.9 + 1 = 1.9
    np.testing.assert_allclose(p.data, [1.0 - 0.1 - 0.5 - 0.95])


def test_param_groups_have_their_own_hyperparameters():
    a, b = Parameter(np.array([0.0])), Parameter(np.array([0.0]))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.step()
    assert a.data[0] == pytest.approx(-0.1) and b.data[0] == pytest.approx(-1.0)
    c = Parameter(np.array([0.0]))
    opt.add_param_group({"params": [c], "momentum": 0.5})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_zero_grad_and_closure():
    p = Parameter(np.array([2.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.item()) == 4.0 and p.data[0] == pytest.approx(1.0)  # 2 - 0.25 * 4
    opt.zero_grad(set_to_none=False)
    assert np.array_equal(p.grad, [0.0])
    opt.zero_grad()
    assert p.grad is None


def test_state_dict_round_trip_continues_identically():
    make = lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True)  # noqa: E731
    p = Parameter(W0.copy())
    opt = make([p])
    p.grad = GRADS[0].copy()
    opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0] and saved["state"][0]["step"] == 1
    q = Parameter(p.data.copy())
    opt2 = make([q])
    opt2.load_state_dict(saved)
    for g in GRADS[1:]:
        p.grad, q.grad = g.copy(), g.copy()
        opt.step()
        opt2.step()
    np.testing.assert_array_equal(p.data, q.data)
    assert saved["state"][0]["step"] == 1  # the saved copy did not move on


def test_bad_arguments_give_clear_errors():
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(p, lr=0.1)


def test_make_optimizer_from_settings():
    p = Parameter(np.zeros(2))
    opt = optim.make_optimizer({"name": "Adam", "lr": 0.01, "betas": [0.8, 0.9]}, [p])
    assert isinstance(opt, optim.Adam) and opt.param_groups[0]["betas"] == (0.8, 0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'Adamm'"):
        optim.make_optimizer({"name": "Adamm"}, [p])
    with pytest.raises(ValueError, match="no hyperparameter 'momentum'"):
        optim.make_optimizer({"name": "Adam", "momentum": 0.9}, [p])


def test_trains_a_tiny_regression_with_autograd():
    rng = np.random.default_rng(0)
    x = engine.tensor(rng.standard_normal((32, 2)))
    y = x.data @ np.array([2.0, -3.0]) + 0.5
    w = Parameter(np.zeros(2))
    b = Parameter(np.zeros(1))
    opt = optim.Adam([w, b], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        loss = (((x @ w) + b - engine.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, [2.0, -3.0], atol=1e-3)
    np.testing.assert_allclose(b.data, [0.5], atol=1e-3)
