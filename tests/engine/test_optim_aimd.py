"""AIMD, the course notes' per-weight learning rates (section 7.4.1): numbers by hand,
and what the rule is for: rates grow along a steady slope and shrink across a valley."""
import numpy as np
import pytest

from engine import optim
from engine.errors import SettingsError
from engine.nn import Parameter

from .test_optim import run


def test_hand_computed_rates_grow_on_steady_sign_and_halve_on_a_flip():
    # weight 0 keeps its sign: rate 0.1, 0.1 + 0.05, 0.15 + 0.05;
    # weight 1 flips at step 2: rate 0.1 * 0.5 = 0.05, then flips again: 0.025
    grads = [np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([1.0, 2.0])]
    got = run(lambda ps: optim.AIMD(ps, lr=0.1, increase=0.05, decrease=0.5), grads=grads,
              w0=np.array([0.0, 0.0]))
    # w0: -0.1, -0.1 - 0.15 = -0.25, -0.25 - 0.2 = -0.45
    # w1: -0.2, -0.2 + 0.05*2 = -0.1, -0.1 - 0.025*2 = -0.15
    np.testing.assert_allclose(np.array(got), [[-0.1, -0.2], [-0.25, -0.1], [-0.45, -0.15]])


def test_rates_are_per_weight_and_capped_at_max_lr():
    p = Parameter(np.zeros(2))
    opt = optim.AIMD([p], lr=0.1, increase=0.4, decrease=0.5, max_lr=0.6)
    for g in ([1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [1.0, -1.0]):
        p.grad = np.array(g)
        opt.step()
    np.testing.assert_allclose(opt.state[p]["lrs"], [0.6, 0.0125])


def test_a_zero_gradient_leaves_the_rate_unchanged():
    p = Parameter(np.zeros(1))
    opt = optim.AIMD([p], lr=0.1, increase=0.05)
    for g in (1.0, 0.0, 1.0):
        p.grad = np.array([g])
        opt.step()
    np.testing.assert_allclose(opt.state[p]["lrs"], [0.1])


def test_on_an_ill_conditioned_bowl_the_steep_weight_slows_and_the_flat_one_speeds_up():
    # f = (x^2 + 50 y^2) / 2 from (1, 1): with lr 0.039 plain SGD (stable, lr < 2/50)
    # zig-zags in y and crawls in x; AIMD shrinks y's rate and grows x's
    def descend(make):
        p = Parameter(np.array([1.0, 1.0]))
        opt = make([p])
        for _ in range(60):
            p.grad = np.array([1.0, 50.0]) * p.data
            opt.step()
        return opt, p.data

    _, sgd = descend(lambda ps: optim.SGD(ps, lr=0.039))
    opt, aimd = descend(lambda ps: optim.AIMD(ps, lr=0.039, increase=0.02, decrease=0.5))
    rates = opt.state[next(iter(opt.state))]["lrs"]
    assert rates[0] > 0.039 > rates[1]
    assert np.linalg.norm(aimd) < 0.1 * np.linalg.norm(sgd)


def test_bad_hyperparameters_give_one_line_errors():
    p = [Parameter(np.zeros(2))]
    with pytest.raises(ValueError, match="decrease"):
        optim.AIMD(p, decrease=1.5)
    with pytest.raises(ValueError, match="max_lr"):
        optim.AIMD(p, lr=0.5, max_lr=0.1)
    with pytest.raises(SettingsError, match="AIMD"):
        optim.make_optimizer({"name": "AIMD", "increase": -1}, p)
    assert isinstance(optim.make_optimizer({"name": "AIMD", "lr": 0.05}, p), optim.AIMD)


# ----- learning_rates(): each weight's rate, what the lessons' effective_lr metric reads
def _stepped(make, grads):
    p = Parameter(W0.copy())
    opt = make([p])
    for g in grads:
        p.grad = g.copy()
        opt.step()
    return opt


W0 = np.array([[0.5, -1.2, 2.0], [0.3, 0.0, -0.7]])
GRADS = [np.random.default_rng(3).standard_normal(W0.shape) for _ in range(3)]


def test_learning_rates_are_the_factor_of_the_gradient_in_the_last_update():
    lr = 0.1
    sgd = _stepped(lambda ps: optim.SGD(ps, lr=lr, momentum=0.9), GRADS)
    np.testing.assert_array_equal(sgd.learning_rates(), np.full(W0.size, lr))
    ada = _stepped(lambda ps: optim.Adagrad(ps, lr=lr), GRADS)
    s = sum(g * g for g in GRADS)
    np.testing.assert_allclose(ada.learning_rates(), (lr / (np.sqrt(s) + 1e-10)).ravel())
    rms = _stepped(lambda ps: optim.RMSprop(ps, lr=lr, alpha=0.9), GRADS)
    v = np.zeros_like(W0)
    for g in GRADS:
        v = 0.9 * v + 0.1 * g * g
    np.testing.assert_allclose(rms.learning_rates(), (lr / (np.sqrt(v) + 1e-8)).ravel())
    adam = _stepped(lambda ps: optim.Adam(ps, lr=lr, betas=(0.9, 0.99)), GRADS)
    v = np.zeros_like(W0)
    for g in GRADS:
        v = 0.99 * v + 0.01 * g * g
    np.testing.assert_allclose(adam.learning_rates(),
                               (lr / (np.sqrt(v / (1 - 0.99 ** 3)) + 1e-8)).ravel())
    aimd = _stepped(lambda ps: optim.AIMD(ps, lr=lr), GRADS)
    np.testing.assert_array_equal(aimd.learning_rates(), aimd.state[next(iter(aimd.state))]["lrs"].ravel())
    # sign-based steps have no rate, before the first step too
    assert _stepped(lambda ps: optim.Rprop(ps), GRADS).learning_rates() is None
    assert _stepped(lambda ps: optim.Lion(ps), []).learning_rates() is None


def test_learning_rates_before_the_first_step_are_the_nominal_lr_and_cover_every_parameter():
    ps = [Parameter(np.zeros((2, 3))), Parameter(np.zeros(4))]
    opt = optim.Adagrad([{"params": [ps[0]], "lr": 0.5}, {"params": [ps[1]]}], lr=0.1)
    np.testing.assert_array_equal(opt.learning_rates(), [0.5] * 6 + [0.1] * 4)


def test_adagrad_rates_only_fall_while_rmsprop_rates_recover_when_gradients_shrink():
    grads = [np.full(W0.shape, 1.0)] * 20 + [np.full(W0.shape, 0.01)] * 200
    ada_opt = _stepped(lambda ps: optim.Adagrad(ps, lr=0.1), grads[:20])
    rms_opt = _stepped(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9), grads[:20])
    before = ada_opt.learning_rates()[0], rms_opt.learning_rates()[0]
    ada_opt = _stepped(lambda ps: optim.Adagrad(ps, lr=0.1), grads)
    rms_opt = _stepped(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9), grads)
    after = ada_opt.learning_rates()[0], rms_opt.learning_rates()[0]
    assert after[0] <= before[0]            # AdaGrad's sum only grows
    assert after[1] > 50 * before[1]        # RMSprop forgets the large gradients
