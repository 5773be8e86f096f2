"""The Fourier neural operator's layers (engine.nn.spectral) and their node types."""
from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.graph import registry
from engine.graph.registry import ShapeError
from engine.nn.spectral import FNOBlock, SpectralConv1d
from tests.gradcheck import gradcheck


def _t(a, grad=False):
    return engine.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _layer(cin, cout, modes, seed=0):
    layer = SpectralConv1d(cin, cout, modes, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for p in (layer.weight_real, layer.weight_imag):   # not the small init: every term matters
        p.data = rng.standard_normal(p.shape)
    return layer


def _reference(x, wr, wi, modes):
    """The FNO layer written directly with numpy's complex FFT."""
    n = x.shape[-1]
    m = min(modes, n // 2 + 1)
    spectrum = np.fft.rfft(x, axis=-1)[:, :, :m]
    w = (wr + 1j * wi)[:, :, :m]
    out = np.zeros((x.shape[0], w.shape[1], n // 2 + 1), dtype=complex)
    out[:, :, :m] = np.einsum("nik,iok->nok", spectrum, w)
    return np.fft.irfft(out, n=n, axis=-1)


@pytest.mark.parametrize("length, modes", [(8, 3), (9, 5), (6, 7)], ids=["even", "odd", "more-modes-than-grid"])
def test_spectral_conv_is_the_truncated_fourier_product(length, modes):
    layer = _layer(2, 3, modes)
    x = np.random.default_rng(1).standard_normal((4, 2, length))
    got = layer(_t(x)).numpy()
    want = _reference(x, layer.weight_real.numpy(), layer.weight_imag.numpy(), modes)
    assert got.shape == (4, 3, length)
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("length, modes", [(8, 3), (7, 4), (6, 9)])
def test_spectral_conv_gradients(length, modes):
    layer = _layer(2, 2, modes, seed=2)
    x = _t(np.random.default_rng(3).standard_normal((2, 2, length)), grad=True)
    wr, wi = layer.weight_real, layer.weight_imag
    assert gradcheck(lambda x, a, b: layer(x), [x, wr, wi])


def test_fno_block_gradients_and_formula():
    block = FNOBlock(2, 3, activation="tanh", dtype=np.float64)
    for p in block.parameters():
        p.data = np.random.default_rng(4).standard_normal(p.shape)
    x = _t(np.random.default_rng(5).standard_normal((2, 2, 8)), grad=True)
    assert gradcheck(lambda x, *ps: block(x), [x, *block.parameters()])
    spec = block.spectral(x).numpy()
    point = np.einsum("oi,nil->nol", block.pointwise.weight.numpy()[:, :, 0], x.numpy()) \
        + block.pointwise.bias.numpy()[None, :, None]
    np.testing.assert_allclose(block(x).numpy(), np.tanh(spec + point), atol=1e-12)


def test_a_trained_layer_gives_the_same_function_on_a_finer_grid():
    """Resolution independence: a band-limited function sampled at L and at 2L points gives
    the same output at the shared points (rfft/irfft normalisation makes mode amplitudes
    independent of the grid)."""
    layer = _layer(1, 2, 4)

    def sampled(n):
        x = np.arange(n) / n
        return (np.sin(2 * np.pi * x) + 0.5 * np.cos(6 * np.pi * x) + 0.2)[None, None]

    coarse, fine = layer(_t(sampled(32))).numpy(), layer(_t(sampled(64))).numpy()
    np.testing.assert_allclose(fine[..., ::2], coarse, atol=1e-12)


def test_float32_stays_float32():
    layer = SpectralConv1d(1, 2, 3)
    x = engine.tensor(np.ones((2, 1, 16), dtype=np.float32), requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert out.data.dtype == np.float32 and x.grad.dtype == np.float32
    assert layer.weight_real.grad.dtype == np.float32


def test_bad_settings_are_refused_with_words():
    with pytest.raises(ValueError, match="activation"):
        FNOBlock(4, 2, activation="swish")
    with pytest.raises(ValueError, match="expects input"):
        SpectralConv1d(2, 2, 3)(engine.tensor(np.ones((1, 3, 8))))


def test_node_shape_rules():
    spec, block = registry.get("SpectralConv1d"), registry.get("FNOBlock")
    params = spec.resolve({"in_channels": 2, "out_channels": 5, "modes": 4})
    assert spec.shape_rule(params, {"input": (None, 2, 64)}) == {"out": (None, 5, 64)}
    assert spec.shape_rule(params, {"input": (None, 2, None)}) == {"out": (None, 5, None)}
    with pytest.raises(ShapeError, match="expects 2 channels but receives 3"):
        spec.shape_rule(params, {"input": (None, 3, 64)})
    with pytest.raises(ShapeError, match="3-D"):
        spec.shape_rule(params, {"input": (None, 64)})
    bp = block.resolve({"channels": 8})
    assert block.shape_rule(bp, {"input": (None, 8, 32)}) == {"out": (None, 8, 32)}
    with pytest.raises(ShapeError, match="expects 8 channels"):
        block.shape_rule(bp, {"input": (None, 4, 32)})
    # the palette offers exactly the activations the module knows
    from engine.nn.spectral import FNO_ACTIVATIONS
    assert set(block.param("activation").choices) == set(FNO_ACTIVATIONS)
    # the declared weight count is what the built module holds
    for nt, p in ((spec, params), (block, bp)):
        built = nt.build(p, {"input": (None, p.get("in_channels", p.get("channels")), 16)})
        assert nt.extra["weights"](p, {}) == sum(w.data.size for w in built.parameters())


# ----------------------------------------------------------------- the operator view and metrics
def _session(*chain, dataset=None):
    """Input -> the given (type, params) nodes -> MSELoss against the Target, on small heat data."""
    from engine.graph import Graph
    from engine.train import Session

    g = Graph()
    g.settings = {"dataset": dataset or {"name": "heat-1d", "n_samples": 60, "resolution": 32},
                  "optimizer": {"name": "Adam", "lr": 0.01}, "batch_size": 10, "seed": 0}
    g.add_node("Input", {}, id="x")
    prev = "x"
    for i, (kind, params) in enumerate(chain):
        g.add_node(kind, params, id=f"n{i}")
        g.connect(prev, "out", f"n{i}", "input")
        prev = f"n{i}"
    g.add_node("Target", {}, id="y")
    g.add_node("MSELoss", {}, id="cost")
    g.connect(prev, "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    return Session.from_graph(g)


def test_the_exact_heat_operator_scores_zero_at_both_resolutions():
    """One SpectralConv1d whose weights are the heat equation's multipliers exp(-nu (2 pi k)^2 T)
    is the solution operator itself: the metrics and the view must say so at 32 and 64 points."""
    from engine.train import operator as op

    s = _session(("SpectralConv1d", {"in_channels": 1, "out_channels": 1, "modes": 17}))
    layer = s.program.node_modules["n0"]
    opts = s.dataset.options
    k = 2 * np.pi * np.arange(17)
    layer.weight_real.data = np.exp(-opts["nu"] * k ** 2 * opts["time"]).astype(np.float32)[None, None]
    layer.weight_imag.data = np.zeros((1, 1, 17), dtype=np.float32)
    assert op.operator_error(s, None, None) < 1e-5
    assert op.operator_error_fine(s, None, None) < 1e-5
    v = op.operator_view(s)
    assert v.pred.shape == (op.SHOWN, 32) and v.pred_fine.shape == (op.SHOWN, 64)
    assert v.n_test == len(s.dataset.x_test) and np.all(v.errors < 1e-5) and np.all(v.errors_fine < 1e-5)
    # wrong weights: the error is the relative L2 distance, computed here independently
    layer.weight_real.data = np.ones((1, 1, 17), dtype=np.float32)   # the identity map
    x, y = s.dataset.x_test, s.dataset.y_test
    want = np.mean([np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(x, y)])
    assert op.operator_error(s, None, None) == pytest.approx(want, rel=1e-4) and want > 0.1


def test_a_model_tied_to_its_grid_shows_it_on_the_finer_grid():
    """A 3-point smoothing stencil acts differently at twice the resolution (the spacing halves);
    a Linear over the flattened grid cannot run there at all (NaN, no fine curves)."""
    from engine.train import operator as op

    s = _session(("Conv1d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 1}))
    conv = s.program.node_modules["n0"]
    conv.weight.data = np.array([[[0.25, 0.5, 0.25]]], dtype=np.float32)
    conv.bias.data = np.zeros(1, dtype=np.float32)
    coarse, fine = op.operator_error(s, None, None), op.operator_error_fine(s, None, None)
    assert abs(coarse - fine) > 0.02
    tied = _session(("Flatten", {}), ("Linear", {"in_features": 32, "out_features": 32}),
                    ("Reshape", {"shape": [1, 32]}))
    assert np.isfinite(op.operator_error(tied, None, None))
    assert np.isnan(op.operator_error_fine(tied, None, None))
    v = op.operator_view(tied)
    assert v.pred_fine is None and v.errors_fine is None and np.isnan(v.error_fine)


def test_operator_metrics_and_view_need_pde_data():
    from engine.train import operator as op

    s = _session(("Linear", {"in_features": 1, "out_features": 1}), dataset={"name": "line"})
    assert np.isnan(op.operator_error(s, None, None)) and np.isnan(op.operator_error_fine(s, None, None))
    assert op.operator_view(s) is None


@pytest.mark.torchref
def test_the_exported_pytorch_classes_compute_ours():
    """The script's SpectralConv1d and FNOBlock (engine.interop.pytorch.HELPERS), given our
    weights by name, give our outputs at two resolutions."""
    torch = pytest.importorskip("torch")
    from engine.interop.pytorch import HELPERS

    registry.get("FNOBlock")   # the node declarations add their classes to HELPERS
    namespace = {"torch": torch, "nn": torch.nn}
    for name in ("SpectralConv1d", "FNOBlock"):
        exec(HELPERS[name], namespace)  # noqa: S102 - our own source text, as the script runs it
    ours = FNOBlock(3, 5, activation="gelu", dtype=np.float64)
    for p in ours.parameters():
        p.data = np.random.default_rng(6).standard_normal(p.shape)
    theirs = namespace["FNOBlock"](3, 5, "gelu").double()
    theirs.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in ours.state_dict().items()})
    for length in (16, 32):
        x = np.random.default_rng(length).standard_normal((2, 3, length))
        with torch.no_grad():
            want = theirs(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(ours(_t(x)).numpy(), want, atol=1e-10)


@pytest.mark.parametrize("chain", [
    (("SpectralConv1d", {"in_channels": 1, "out_channels": 1, "modes": 17}),),   # every bin, Nyquist too
    (("Conv1d", {"in_channels": 1, "out_channels": 4, "kernel_size": 1}),
     ("FNOBlock", {"channels": 4, "modes": 5, "activation": "tanh"}),
     ("FNOBlock", {"channels": 4, "modes": 3, "activation": "relu"}),
     ("SpectralConv1d", {"in_channels": 4, "out_channels": 1, "modes": 6}))], ids=["nyquist", "blocks"])
def test_the_onnx_form_gives_our_predictions(chain):
    """The ONNX form writes the layer as real DFT matrices for the exported grid."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from engine.interop.onnx import onnx_model

    s = _session(*chain)
    for p in s.program.parameters():   # weights of order one: every mode and sign matters
        p.data = np.random.default_rng(7).standard_normal(p.shape).astype(p.data.dtype)
    x = np.random.default_rng(8).standard_normal((5, 1, 32)).astype(np.float32)   # every mode present
    runner = ort.InferenceSession(onnx_model(s).SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(runner.run(None, {"x": x})[0], s.predict(x), atol=2e-4, rtol=1e-4)
