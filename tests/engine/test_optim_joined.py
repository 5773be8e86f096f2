"""A group's parameters are updated as one joined array (see engine/optim/optimizer.py).

The reference is the same optimizer with every parameter in a group of its own, which
can only be updated parameter by parameter: the joined update must give the same
numbers, the same per-parameter state, and survive what users do between steps
(replace a parameter's array, load a checkpoint, leave a gradient out)."""
import numpy as np
import pytest

from engine import optim
from engine.nn import Parameter

from .test_optim import CASES

SHAPES = [(3, 2), (3,), (1, 3), (1,)]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.standard_normal(s).astype(dtype)) for s in SHAPES]


def grads_for(step, dtype=np.float64):
    rng = np.random.default_rng(100 + step)
    gs = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    if step == 2:   # some signs flip (Rprop's other branch)
        gs[0][0] *= -1
    return gs


def pair(make, dtype=np.float64):
    """(joined optimizer, its params), (one-group-per-parameter optimizer, its params)."""
    a, b = make_params(dtype=dtype), make_params(dtype=dtype)
    joined = make(a)
    separate = make([{"params": [p]} for p in b])
    return (joined, a), (separate, b)


def train(opt, ps, steps, skip=()):
    """Give ``ps`` the gradients of each step in ``steps`` (none for indices in ``skip``)
    and step ``opt``."""
    for t in steps:
        for i, (p, g) in enumerate(zip(ps, grads_for(t, ps[0].data.dtype))):
            p.grad = None if i in skip else g
        opt.step()


def step_both(both, step, skip=()):
    for opt, ps in both:
        train(opt, ps, [step], skip)


def assert_same(both):
    (o1, a), (o2, b) = both
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)
        assert p.data.shape == q.data.shape
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert s1.keys() == s2.keys()
    for i in s1:
        assert s1[i].keys() == s2[i].keys()
        for k in s1[i]:
            np.testing.assert_array_equal(s1[i][k], s2[i][k])


@pytest.mark.parametrize("name", list(CASES))
def test_joined_update_equals_the_update_of_each_parameter(name):
    make = CASES[name][0]
    both = pair(make)
    for t in range(4):
        step_both(both, t)
    assert both[0][0]._joins, "the joined path was not taken"
    assert not both[1][0]._joins
    assert_same(both)


def test_parameters_are_views_of_one_array_and_state_per_parameter_stays_readable():
    (opt, ps), _ = pair(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    train(opt, ps, range(2))
    base = ps[0].data.base
    assert base is not None and all(p.data.base is base for p in ps)
    buf = opt.state[ps[1]]["momentum_buffer"]
    assert buf.shape == ps[1].data.shape
    # after two steps the buffer is 0.9 * g0 + g1 (torch's first buffer is g0 itself)
    np.testing.assert_allclose(buf, 0.9 * grads_for(0)[1] + grads_for(1)[1])


def test_a_replaced_parameter_array_is_updated_not_lost():
    both = pair(lambda ps: optim.Adam(ps, lr=0.1))
    step_both(both, 0)
    for _, ps in both:   # e.g. loading weights: new arrays, not writes into the old ones
        ps[2].data = ps[2].data * 0.5
    step_both(both, 1)
    step_both(both, 2)
    assert_same(both)
    assert both[0][0].param_groups[0]["params"][2].data.base is not None  # joined again


def test_a_missing_gradient_skips_that_parameter_then_updates_go_on_per_parameter():
    both = pair(lambda ps: optim.Adam(ps, lr=0.1))
    step_both(both, 0)
    before = both[0][1][1].data.copy()
    step_both(both, 1, skip={1})
    np.testing.assert_array_equal(both[0][1][1].data, before)
    step_both(both, 2)   # step counts now differ between parameters: no joining
    step_both(both, 3)
    assert_same(both)


def test_loading_a_checkpoint_while_joined_continues_identically():
    make = lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True)  # noqa: E731
    (opt, ps), _ = pair(make)
    train(opt, ps, range(2))
    saved = opt.state_dict()
    weights = [p.data.copy() for p in ps]
    train(opt, ps, range(2, 4))
    qs = [Parameter(w) for w in weights]
    opt2 = make(qs)
    opt2.load_state_dict(saved)
    train(opt2, qs, range(2, 4))
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.data, q.data)
    # and the first optimizer, given its own checkpoint back, goes on from there
    opt.load_state_dict(saved)
    for p, w in zip(ps, weights):
        p.data[...] = w
    train(opt, ps, range(2, 4))
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.data, q.data)


def test_float32_parameters_stay_float32_and_equal_the_separate_update():
    both = pair(lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.1), dtype=np.float32)
    for t in range(3):
        step_both(both, t)
    assert all(p.data.dtype == np.float32 for p in both[0][1])
    assert_same(both)
