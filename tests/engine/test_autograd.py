"""Gradient checks for every primitive op, plus the autograd engine's own behaviour."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from engine import ops
from tests.gradcheck import gradcheck, t64

RNG = np.random.default_rng(1234)


def away_from_zero(rng, shape, margin=0.3):
    """Values with |x| >= margin, so kinks (abs, max, relu) are not crossed by eps."""
    x = rng.uniform(margin, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return engine.tensor(x, dtype=np.float64, requires_grad=True)


# (name, function, input factory) — tiny shapes get an elementwise check,
# realistic shapes a directional one.
UNARY = [
    ("neg", lambda x: -x, lambda r, s: t64(r, *s)),
    ("exp", engine.exp, lambda r, s: t64(r, *s)),
    ("sin", engine.sin, lambda r, s: t64(r, *s)),
    ("cos", engine.cos, lambda r, s: t64(r, *s)),
    ("log", engine.log, lambda r, s: t64(r, *s, low=0.5, high=2.0)),
    ("sqrt", engine.sqrt, lambda r, s: t64(r, *s, low=0.5, high=2.0)),
    ("abs", engine.abs, away_from_zero),
    ("sign", lambda x: engine.sign(x) * x, away_from_zero),
    ("tanh", engine.tanh, lambda r, s: t64(r, *s)),
    ("sigmoid", engine.sigmoid, lambda r, s: t64(r, *s)),
    ("relu", engine.relu, away_from_zero),
    ("pow_scalar", lambda x: x ** 3, lambda r, s: t64(r, *s)),
    ("pow_half", lambda x: x ** 0.5, lambda r, s: t64(r, *s, low=0.5, high=2.0)),
    ("clamp", lambda x: engine.clamp(x, -0.5, 0.5), away_from_zero),
    ("sum_all", lambda x: x.sum(), lambda r, s: t64(r, *s)),
    ("sum_axis", lambda x: x.sum(dim=-1, keepdim=True), lambda r, s: t64(r, *s)),
    ("mean", lambda x: x.mean(dim=0), lambda r, s: t64(r, *s)),
    ("max", lambda x: engine.amax(x, dim=-1), lambda r, s: t64(r, *s)),
    ("logsumexp", lambda x: engine.logsumexp(x, dim=-1), lambda r, s: t64(r, *s)),
    ("var", lambda x: x.var(dim=0), lambda r, s: t64(r, *s)),
    ("reshape", lambda x: x.reshape(-1) * engine.arange(x.data.size).double(), lambda r, s: t64(r, *s)),
    ("transpose", lambda x: x.T, lambda r, s: t64(r, *s)),
    ("getitem_slice", lambda x: x[1:, ::2], lambda r, s: t64(r, *s)),
    ("getitem_fancy", lambda x: x[np.array([0, 0, 1])], lambda r, s: t64(r, *s)),
    ("split", lambda x: engine.split(x, 1, dim=0)[0] * 2 + engine.split(x, 1, dim=0)[-1], lambda r, s: t64(r, *s)),
    ("pad", lambda x: engine.pad(x, (1, 2, 0, 1)), lambda r, s: t64(r, *s)),
    ("softmax", lambda x: engine.softmax(x, -1), lambda r, s: t64(r, *s)),
    ("log_softmax", lambda x: engine.log_softmax(x, -1), lambda r, s: t64(r, *s)),
    ("rfft", lambda x: engine.real(engine.rfft(x)) + engine.imag(engine.rfft(x)) * 0.5,
     lambda r, s: t64(r, *s)),
    ("rfft_odd_n", lambda x: engine.imag(engine.rfft(x, n=5)), lambda r, s: t64(r, *s)),
]


@pytest.mark.parametrize("name,fn,make", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", [(2, 3), (16, 24)], ids=["tiny", "realistic"])
def test_unary_gradients(name, fn, make, shape):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    assert gradcheck(fn, [make(rng, shape)])


BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("maximum", engine.maximum),
    ("where", lambda a, b: engine.where(a.data > 0.5, a, b)),
    ("pow", lambda a, b: a ** b),
]


@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((4, 1, 3), (5, 1)), ((12, 20), (20,))],
                         ids=["same", "broadcast", "realistic"])
def test_binary_gradients_with_broadcasting(name, fn, shapes):
    rng = np.random.default_rng(7)
    a = t64(rng, *shapes[0], low=0.5, high=2.0)
    b = t64(rng, *shapes[1], low=0.5, high=2.0)
    if name == "maximum":  # keep a and b apart so the kink is never crossed
        b.data = b.data + 3.0 * (rng.random(b.shape) > 0.5) - 1.5
    assert gradcheck(fn, [a, b])


def test_matmul_variants():
    rng = np.random.default_rng(3)
    for sa, sb in [((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4, 3)),
                   ((3, 4), (4,)), ((4,), (4,)), ((30, 20), (20, 10))]:
        assert gradcheck(lambda a, b: a @ b, [t64(rng, *sa), t64(rng, *sb)]), (sa, sb)


def test_linear_fused_matches_composition_and_gradients():
    rng = np.random.default_rng(4)
    x, w, b = t64(rng, 5, 3), t64(rng, 4, 3), t64(rng, 4)
    assert gradcheck(lambda x, w, b: ops.Linear().apply(x, w, b), [x, w, b])
    fused = ops.Linear().apply(x, w, b).numpy()
    np.testing.assert_allclose(fused, (x @ w.T + b).numpy())


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("ij->i", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 5, 4), (2, 2, 6, 4)]),
])
def test_einsum_gradients(spec, shapes):
    rng = np.random.default_rng(5)
    ts = [t64(rng, *s) for s in shapes]
    assert gradcheck(lambda *a: engine.einsum(spec, *a), ts)


def test_concat_stack_gather_scatter_add():
    rng = np.random.default_rng(6)
    a, b = t64(rng, 2, 3), t64(rng, 2, 4)
    assert gradcheck(lambda a, b: engine.cat([a, b], dim=1), [a, b])
    c, d = t64(rng, 2, 3), t64(rng, 2, 3)
    assert gradcheck(lambda c, d: engine.stack([c, d], dim=1), [c, d])
    idx = np.array([[0, 2, 2], [1, 0, 1]])
    assert gradcheck(lambda c: engine.gather(c, 1, idx), [c])
    base, src = t64(rng, 2, 3), t64(rng, 2, 3)
    assert gradcheck(lambda base, src: engine.scatter_add(base, 1, idx, src), [base, src])


def test_scatter_add_accumulates_duplicates():
    out = engine.scatter_add(engine.zeros(1, 3), 1, np.array([[2, 2, 0]]), engine.ones(1, 3))
    np.testing.assert_array_equal(out.numpy(), [[1, 0, 2]])


def test_getitem_duplicate_indices_accumulate_gradient():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2, 0, 1])


@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 2)])
def test_unfold_conv_building_block(stride, dilation):
    rng = np.random.default_rng(8)
    x, w = t64(rng, 2, 2, 6, 7), t64(rng, 3, 2, 2, 3)

    def conv(x, w):
        win = engine.unfold(x, (2, 3), stride, dilation)  # N C OH OW KH KW
        return engine.einsum("ncHWkl,ockl->noHW", win, w)

    assert gradcheck(conv, [x, w])
    # against a direct loop: the windows really are the convolution's receptive fields
    out = conv(x, w).numpy()
    oh, ow = out.shape[2:]
    ref = np.zeros_like(out)
    for i in range(oh):
        for j in range(ow):
            patch = x.data[:, :, i * stride:i * stride + dilation + 1:dilation, j * stride:j * stride + 2 * dilation + 1:dilation]
            ref[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w.data)
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_irfft_gradients_and_roundtrip():
    rng = np.random.default_rng(9)
    for n in (8, 7):
        y = engine.tensor(rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1),
                          requires_grad=True)
        # the gradient w.r.t. a complex input: check real and imaginary parts separately
        re = engine.tensor(y.data.real.copy(), requires_grad=True)
        im = engine.tensor(y.data.imag.copy(), requires_grad=True)
        assert gradcheck(lambda re, im: engine.irfft(re * 1.0 + im * engine.tensor(1j), n=n), [re, im])
    x = engine.tensor(rng.standard_normal((3, 10)))
    np.testing.assert_allclose(engine.irfft(engine.rfft(x), n=10).numpy(), x.numpy(), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_broadcast_gradients_have_input_shapes(shapes):
    rng = np.random.default_rng(0)
    a = engine.tensor(rng.uniform(0.5, 2, shapes.input_shapes[0]), requires_grad=True)
    b = engine.tensor(rng.uniform(0.5, 2, shapes.input_shapes[1]), requires_grad=True)
    out = a * b + a / b - b
    assert out.shape == shapes.result_shape
    out.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    # d/da sum(a*b + a/b - b) = sum over broadcast axes of (b + 1/b)
    expected = engine.unbroadcast(np.broadcast_to(b.data + 1 / b.data, shapes.result_shape), a.shape)
    np.testing.assert_allclose(a.grad, expected)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.lists(st.integers(0, 1), min_size=0, max_size=2))
def test_unbroadcast_sums_to_shape(m, n, lead):
    g = np.ones(tuple(2 + k for k in lead) + (m, n))
    r = engine.unbroadcast(g, (1, n))
    assert r.shape == (1, n)
    assert r.sum() == g.sum()


def test_ten_thousand_op_chain_backpropagates_without_recursion_error():
    x = engine.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 10_000, rel=1e-4)


def test_graph_is_freed_after_backward_unless_retained():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])  # accumulated twice
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_backward_computes_only_needed_gradients():
    class Spy(ops.Mul):
        calls = []

        def backward(self, g):
            Spy.calls.append(self.needs)
            return super().backward(g)

    a = engine.tensor([1.0], requires_grad=True)
    b = engine.tensor([2.0])  # constant: Mul must not keep a, nor compute d/db
    out = Spy().apply(a, b)
    assert out._ctx.a is None
    out.sum().backward()
    assert Spy.calls == [(True, False)]
    assert b.grad is None and a.grad[0] == 2.0


def test_no_grad_records_nothing():
    x = engine.tensor([1.0], requires_grad=True)
    with engine.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None


def test_hooks_see_and_can_replace_gradients():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [1, 1])
    np.testing.assert_allclose(x.grad, [30, 30])


def test_detach_and_numpy():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and isinstance(d.numpy(), np.ndarray)
    assert x.dtype == np.float32  # training defaults to float32


def test_gpu_unavailable_gives_clear_message():
    if engine.gpu_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="gpu"):
        engine.tensor([1.0]).to("gpu")


@pytest.mark.gpu
def test_cpu_gpu_parity():
    pytest.importorskip("cupy")
    if not engine.gpu_available():
        pytest.skip("no usable GPU: " + str(engine.gpu_unavailable_reason()))
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((8, 5))
    ws = rng.standard_normal((3, 5))
    results = []
    for dev in ("cpu", "gpu"):
        x = engine.tensor(xs, device=dev, requires_grad=True)
        w = engine.tensor(ws, device=dev, requires_grad=True)
        loss = (engine.tanh(x @ w.T).sum(dim=1) ** 2).mean() + engine.logsumexp(x, dim=1).sum()
        loss.backward()
        results.append((loss.numpy(), x.grad if dev == "cpu" else engine.backend.to_numpy(x.grad)))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)


def test_each_node_waits_for_all_its_consumers():
    """Shared intermediates reached by paths of different lengths get every contribution
    before their own backward runs (the creation-order heap), exactly once."""
    x = engine.tensor(np.array([0.3, -0.7, 1.1]), requires_grad=True)
    calls = []
    a = x * 2.0
    a.register_hook(lambda g: calls.append("a") or None)
    b = a.tanh()                      # a -> b -> c -> out (long path)
    c = b * a                         # a also reaches c directly (short path)
    out = (c + a.exp() + b).sum()     # and a, b reach out directly
    out.backward()
    xs = x.data
    av = 2 * xs
    bv = np.tanh(av)
    db_da = 1 - bv ** 2
    # d out / d a = (dc/da) + exp(a) + db/da, with dc/da = b + a * db/da
    expected = 2 * (bv + av * db_da + np.exp(av) + db_da)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)
    assert calls == ["a"]  # a's gradient was complete when its hook ran, and it ran once


def test_backward_twice_without_retain_graph_is_refused():
    x = engine.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_grad_mode_is_per_thread_so_overlapping_no_grad_blocks_never_leave_it_off():
    """The GUI thread asking for a prediction under no_grad while the training worker does
    the same must not switch recording off for good (one shared flag did: the second block
    saved the first's False and restored it)."""
    import threading

    import engine

    inside, leave = threading.Event(), threading.Event()
    seen = {}

    def other():
        with engine.no_grad():
            seen["other_inside"] = engine.is_grad_enabled()
            inside.set()
            leave.wait(5)
        seen["other_after"] = engine.is_grad_enabled()

    t = threading.Thread(target=other)
    t.start()
    assert inside.wait(5)
    assert engine.is_grad_enabled()            # the other thread's no_grad is its own
    with engine.no_grad():
        leave.set()
        t.join(5)
    assert engine.is_grad_enabled()
    assert seen == {"other_inside": False, "other_after": True}
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None
