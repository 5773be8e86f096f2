"""Learning-rate schedules give the documented sequences; gradient clipping and flat vectors."""
import math

import numpy as np
import pytest

from engine import optim
from engine.nn import Parameter
from engine.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                             vector_to_parameters)
from engine.optim import lr_scheduler as S


def sequence(make_sched, n=10, lr=0.1):
    opt = optim.SGD([Parameter(np.zeros(1))], lr=lr)
    sched = make_sched(opt)
    lrs = []
    for _ in range(n):
        lrs.append(sched.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == lrs[-1]
        opt.step()
        sched.step()
    return lrs


def test_step_lr():
    np.testing.assert_allclose(sequence(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 8),
                               [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])


def test_multistep_lr():
    np.testing.assert_allclose(sequence(lambda o: S.MultiStepLR(o, [2, 4], gamma=0.1), 6),
                               [0.1, 0.1, 0.01, 0.01, 0.001, 0.001])


def test_exponential_lr():
    np.testing.assert_allclose(sequence(lambda o: S.ExponentialLR(o, gamma=0.9), 5),
                               [0.1 * 0.9 ** k for k in range(5)])


def test_cosine_annealing_recursive_form_equals_closed_form_past_t_max():
    T, lo, base = 5, 0.01, 0.1
    got = sequence(lambda o: S.CosineAnnealingLR(o, T_max=T, eta_min=lo), 23, lr=base)
    closed = [lo + (base - lo) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(23)]
    np.testing.assert_allclose(got, closed, rtol=1e-12)
    assert got[5] == pytest.approx(lo) and got[10] == pytest.approx(base)


def test_lambda_lr_and_per_group_lambdas():
    np.testing.assert_allclose(sequence(lambda o: S.LambdaLR(o, lambda e: 1 / (1 + e)), 4),
                               [0.1, 0.05, 0.1 / 3, 0.025])
    a, b = Parameter(np.zeros(1)), Parameter(np.zeros(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    sched = S.LambdaLR(opt, [lambda e: 2.0 ** e, lambda e: 0.5])
    sched.step()
    assert sched.get_last_lr() == [0.2, 0.5] and sched.last_epoch == 1


def test_step_with_epoch_uses_closed_form_and_manual_lr_change_is_kept():
    opt = optim.SGD([Parameter(np.zeros(1))], lr=1.0)
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    sched.step(epoch=5)
    assert sched.get_last_lr() == [0.25]
    opt.param_groups[0]["lr"] = 0.1  # the teacher overrides the lr ...
    sched.step()  # epoch 6: a decay step, applied to the teacher's value
    assert sched.get_last_lr() == [pytest.approx(0.05)]


def test_scheduler_state_dict_round_trip():
    opt = optim.SGD([Parameter(np.zeros(1))], lr=1.0)
    sched = S.ExponentialLR(opt, gamma=0.5)
    sched.step()
    sched.step()
    state = sched.state_dict()
    assert state["last_epoch"] == 2 and "optimizer" not in state
    other = S.ExponentialLR(optim.SGD([Parameter(np.zeros(1))], lr=1.0), gamma=0.5)
    other.load_state_dict(state)
    assert other.last_epoch == 2 and other.get_last_lr() == [0.25]


def test_make_scheduler_from_settings():
    opt = optim.SGD([Parameter(np.zeros(1))], lr=1.0)
    assert optim.make_scheduler({"name": "none"}, opt) is None
    sched = optim.make_scheduler({"name": "CosineAnnealingLR", "T_max": 10}, opt)
    assert isinstance(sched, S.CosineAnnealingLR)
    with pytest.raises(ValueError, match="unknown schedule 'Step'"):
        optim.make_scheduler({"name": "Step"}, opt)
    with pytest.raises(ValueError, match="StepLR"):
        optim.make_scheduler({"name": "StepLR"}, opt)  # step_size missing


def _params_with_grads():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros((1, 2)))
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([[0.0, 4.0]])
    return a, b


def test_clip_grad_norm_returns_total_norm_and_scales():
    a, b = _params_with_grads()
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert float(total.item()) == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad, [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad, [[0.0, 0.8]], rtol=1e-6)
    a, b = _params_with_grads()
    assert float(clip_grad_norm_([a, b], max_norm=10.0).item()) == pytest.approx(5.0)
    np.testing.assert_array_equal(a.grad, [3.0, 0.0])  # under the limit: untouched
    a, b = _params_with_grads()
    assert float(clip_grad_norm_([a, b], 2.0, norm_type="inf").item()) == 4.0
    np.testing.assert_allclose(b.grad, [[0.0, 2.0]], rtol=1e-6)
    assert optim.clip_grad_norm_ is clip_grad_norm_


def test_clip_grad_norm_does_not_scale_a_shared_gradient_twice():
    a, b = Parameter(np.zeros(1)), Parameter(np.zeros(1))
    shared = np.array([2.0])
    a.grad = b.grad = shared  # autograd can hand one array to two leaves
    clip_grad_norm_([a, b], max_norm=math.sqrt(2.0))
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [1.0, 1.0], rtol=1e-6)


def test_clip_grad_norm_nonfinite():
    a = Parameter(np.zeros(1))
    a.grad = np.array([np.inf])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(a, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    a, b = _params_with_grads()
    c = Parameter(np.zeros(1))  # no grad: ignored
    clip_grad_value_([a, b, c], 1.5)
    np.testing.assert_array_equal(a.grad, [1.5, 0.0])
    np.testing.assert_array_equal(b.grad, [[0.0, 1.5]])
    assert c.grad is None


def test_parameters_to_vector_and_back():
    a, b = Parameter(np.array([1.0, 2.0])), Parameter(np.array([[3.0], [4.0]]))
    v = parameters_to_vector([a, b])
    np.testing.assert_array_equal(v.data, [1, 2, 3, 4])
    vector_to_parameters(v * 10, [a, b])
    np.testing.assert_array_equal(b.data, [[30.0], [40.0]])
    with pytest.raises(ValueError, match="4 elements"):
        vector_to_parameters(np.zeros(3), [a, b])


def test_a_schedule_drives_the_perceptron_rule_too():
    from engine.nn import Module

    class Unit(Module):
        def __init__(self):
            super().__init__()
            self.weight, self.bias = Parameter(np.zeros((1, 2))), Parameter(np.zeros(1))

    rule = optim.Perceptron(Unit(), lr=1.0)
    sched = S.StepLR(rule, step_size=1, gamma=0.5)
    sched.step()
    assert rule.param_groups[0]["lr"] == 0.5
    rule.step(np.array([[1.0, 1.0]]), np.array([1.0]))
    np.testing.assert_allclose(rule.weight.data, [[0.5, 0.5]])
