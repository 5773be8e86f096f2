"""engine.compile: a replayed step gives the eager step's numbers, and what cannot be
replayed stays eager (and says why)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import engine.optim
from engine import nn
from tests.gradcheck import gradcheck, t64


def _pair(build, seed=0):
    """Two identical copies of a model (same initial parameters)."""
    engine.manual_seed(seed)
    a = build()
    engine.manual_seed(seed)
    b = build()
    return a, b


def _batches(n, shape, target, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = engine.tensor(rng.standard_normal(shape).astype(dtype))
        yield x, target(rng)


def _train_both(eager_model, compiled_model, loss_fn, batches, opt=engine.optim.SGD, **kw):
    """Train one copy eagerly and one through engine.compile on the same batches;
    assert equal losses and parameters at every step; return the compiled function."""
    o1 = opt(eager_model.parameters(), **kw)
    o2 = opt(compiled_model.parameters(), **kw)
    compiled = engine.compile(lambda x, y: loss_fn(compiled_model(x), y))
    for x, y in batches:
        o1.zero_grad()
        l1 = loss_fn(eager_model(x), y)
        l1.backward()
        o1.step()
        o2.zero_grad()
        l2 = compiled(x, y)
        l2.backward()
        o2.step()
        np.testing.assert_allclose(l2.data, l1.data, rtol=1e-12, atol=1e-12)
        for (name, p1), p2 in zip(eager_model.named_parameters(), compiled_model.parameters()):
            np.testing.assert_allclose(p2.data, p1.data, rtol=1e-12, atol=1e-12, err_msg=name)
    return compiled


def _mlp(sizes=(2, 8, 8, 1), act=nn.Tanh):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], dtype=np.float64))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def test_replayed_mlp_steps_equal_eager_steps():
    a, b = _pair(_mlp)
    batches = _batches(12, (10, 2), lambda r: engine.tensor(r.standard_normal((10, 1))))
    compiled = _train_both(a, b, nn.MSELoss(), batches, lr=0.1, momentum=0.9)
    assert compiled.replays == 10   # two traces, then replays
    assert compiled.explain() == ["((10, 2), (10, 1)): replayed"]


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       batch=st.integers(1, 7), act=st.sampled_from([nn.Tanh, nn.Sigmoid, nn.ReLU, nn.GELU]))
def test_replay_equals_eager_for_any_mlp(sizes, batch, act):
    a, b = _pair(lambda: _mlp(sizes, act))
    batches = _batches(4, (batch, sizes[0]),
                       lambda r: engine.tensor(r.standard_normal((batch, sizes[-1]))))
    compiled = _train_both(a, b, nn.MSELoss(), batches, opt=engine.optim.Adam, lr=0.01)
    assert compiled.replays == 2


def test_replayed_cnn_with_class_targets_equals_eager():
    def build():
        return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, dtype=np.float64), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 4 * 4, 4, dtype=np.float64))
    a, b = _pair(build)
    batches = _batches(6, (5, 1, 8, 8), lambda r: engine.tensor(r.integers(0, 4, 5)))
    compiled = _train_both(a, b, nn.CrossEntropyLoss(), batches, lr=0.05)
    assert compiled.replays == 4, compiled.explain()


def test_replayed_lstm_equals_eager():
    class Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(2, 5, batch_first=True, dtype=np.float64)
            self.head = nn.Linear(5, 1, dtype=np.float64)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    a, b = _pair(Seq)
    batches = _batches(5, (3, 4, 2), lambda r: engine.tensor(r.standard_normal((3, 1))))
    compiled = _train_both(a, b, nn.MSELoss(), batches, lr=0.1)
    assert compiled.replays == 3, compiled.explain()


def test_dropout_draws_a_new_mask_on_every_replay():
    def build():
        return nn.Sequential(nn.Linear(3, 16, dtype=np.float64), nn.Dropout(0.5),
                             nn.Linear(16, 1, dtype=np.float64))
    a, b = _pair(build)
    ga, gb = engine.Generator(7), engine.Generator(7)
    a[1].generator, b[1].generator = ga, gb
    batches = _batches(8, (4, 3), lambda r: engine.tensor(r.standard_normal((4, 1))))
    compiled = _train_both(a, b, nn.MSELoss(), batches, lr=0.1)
    assert compiled.replays == 6


def test_values_used_outside_a_function_keep_the_call_eager():
    w = engine.tensor(np.ones((3, 3)), requires_grad=True)

    def masked(x):
        return engine.where(x > 0, x @ w, 0.0).sum()   # the mask comes from x's values

    f = engine.compile(masked)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = engine.tensor(rng.standard_normal((2, 3)))
        expected = masked(x).data
        assert f(x).data == pytest.approx(expected)
    assert f.replays == 0
    assert "comparison" in f.explain()[0]


def test_a_constant_that_changes_between_traces_keeps_the_call_eager():
    w = engine.tensor(np.ones((3, 1)), requires_grad=True)
    rng = np.random.default_rng(0)

    def noisy(x):  # a random array made outside any Function: nothing reports it
        return (x @ w * engine.tensor(rng.random((2, 1)))).sum()

    f = engine.compile(noisy)
    x = engine.tensor(np.ones((2, 3)))
    for _ in range(4):
        f(x)
    assert f.replays == 0
    assert "changed between two traces" in f.explain()[0]


def test_a_second_call_before_backward_runs_eagerly_and_both_gradients_are_right():
    lin = nn.Linear(3, 2, dtype=np.float64)
    f = engine.compile(lin)
    x1, x2 = engine.tensor(np.ones((1, 3))), engine.tensor(np.full((1, 3), 2.0))
    for _ in range(3):   # reach the replaying state
        f(x1).sum().backward()
    lin.zero_grad()
    (f(x1).sum() + 3 * f(x2).sum()).backward()   # two results alive at once (a siamese use)
    np.testing.assert_allclose(lin.weight.grad, np.ones((2, 3)) + 3 * np.full((2, 3), 2.0))
    np.testing.assert_allclose(lin.bias.grad, [4.0, 4.0])


def test_new_shapes_and_grad_mode_get_their_own_recordings():
    lin = nn.Linear(2, 2, dtype=np.float64)
    f = engine.compile(lin)
    rng = np.random.default_rng(1)
    for i in range(12):
        n = 5 if i % 2 else 3
        x = engine.tensor(rng.standard_normal((n, 2)))
        if i % 3 == 0:
            with engine.no_grad():
                out = f(x)
            assert not out.requires_grad
        else:
            out = f(x)
        np.testing.assert_allclose(out.data, lin(x).data)
        out = None  # a result kept alive without its backward would hold the recording
    assert f.replays > 0
    assert len(f.explain()) == 4  # two batch sizes, with and without grad


def test_gradients_reach_the_compiled_functions_inputs_and_frozen_leaves_are_respected():
    lin = nn.Linear(3, 1, dtype=np.float64)
    f = engine.compile(lambda x: engine.tanh(lin(x)).sum())
    for _ in range(3):
        x = engine.tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True)
        f(x).backward()
    x_ref = engine.tensor(x.data, requires_grad=True)
    engine.tanh(lin(x_ref)).sum().backward()
    np.testing.assert_allclose(x.grad, x_ref.grad)
    lin.weight.requires_grad_(False)   # freeze: the recording no longer fits, so eager
    lin.weight.grad = None
    f(engine.tensor(x.data)).backward()
    assert lin.weight.grad is None and lin.bias.grad is not None


def test_module_hooks_and_batch_norm_statistics_stay_eager():
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, i, o: seen.append(1))
    f = engine.compile(lin)
    for _ in range(4):
        f(engine.ones(3, 2))
    assert len(seen) == 4 and f.replays == 0

    a, b = _pair(lambda: nn.Sequential(nn.Linear(2, 4, dtype=np.float64),
                                       nn.BatchNorm1d(4, dtype=np.float64)))
    batches = _batches(5, (6, 2), lambda r: engine.tensor(r.standard_normal((6, 4))))
    compiled = _train_both(a, b, nn.MSELoss(), batches, lr=0.1)
    np.testing.assert_allclose(b[1].running_mean.data, a[1].running_mean.data)
    assert compiled.replays == 0 and "running statistics" in compiled.explain()[0]


def test_a_replay_builds_no_function_objects():
    """The replay runs the recorded Functions only (no module calls, no Tensor per op):
    no Function is applied during a replayed step."""
    model = _mlp((2, 8, 8, 8, 1))
    loss_fn = nn.MSELoss()
    f = engine.compile(lambda x, y: loss_fn(model(x), y))
    x, y = engine.ones(10, 2, dtype=np.float64), engine.ones(10, 1, dtype=np.float64)
    for _ in range(3):
        f(x, y).backward()
    created = []
    original = engine.Function.apply

    def counting(self, *inputs):
        created.append(type(self).__name__)
        return original(self, *inputs)

    engine.Function.apply = counting
    try:
        f(x, y).backward()
    finally:
        engine.Function.apply = original
    assert created == []


def test_replayed_gradients_pass_a_finite_difference_check():
    """The replayed node's backward (the recorded backwards, generated as code) against
    float64 finite differences, for the inputs and a shared weight used twice."""
    rng = np.random.default_rng(3)
    w = t64(rng, 3, 3)

    def fn(x, v, w):
        h = engine.tanh(x @ w)
        return engine.sigmoid(h @ w) * v + h

    f = engine.compile(fn)
    x, v = t64(rng, 4, 3), t64(rng, 4, 3)
    for _ in range(3):
        (f(x, v, w) * 1.0).sum().backward()
    assert f.replays == 1
    x.grad = v.grad = w.grad = None
    assert gradcheck(f, [x, v, w])
    assert f.replays > 10


@pytest.mark.gpu
def test_replay_on_the_gpu_equals_eager():
    pytest.importorskip("cupy")
    if not engine.gpu_available():
        pytest.skip("no usable GPU: " + str(engine.gpu_unavailable_reason()))
    a, b = _pair(_mlp)
    a.to("gpu")
    b.to("gpu")
    rng = np.random.default_rng(0)
    batches = [(engine.tensor(rng.standard_normal((10, 2)), device="gpu"),
                engine.tensor(rng.standard_normal((10, 1)), device="gpu")) for _ in range(5)]
    o1, o2 = engine.optim.SGD(a.parameters(), lr=0.1), engine.optim.SGD(b.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    compiled = engine.compile(lambda x, y: loss_fn(b(x), y))
    for x, y in batches:
        for opt, run in ((o1, lambda: loss_fn(a(x), y)), (o2, lambda: compiled(x, y))):
            opt.zero_grad()
            run().backward()
            opt.step()
    assert compiled.replays == 3
    for p1, p2 in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(engine.backend.to_numpy(p2.data),
                                   engine.backend.to_numpy(p1.data), rtol=1e-12)
