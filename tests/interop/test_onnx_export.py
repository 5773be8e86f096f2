"""`playground export FILE --format onnx -o OUT.onnx`: a model onnxruntime runs with the
outputs `Session.predict` gives on the dataset's inputs (atol 1e-5; float32 values above
10 also get 1e-6 relative: one float32 step there is already more than 1e-5), with the
session's current weights. Nodes ONNX has no form for here are refused in one line
naming them (none of the shipped lessons has one)."""
import sys

import numpy as np
import pytest

from engine.graph import fileformat, registry
from engine.interop.onnx import onnx_model
from engine.interop.pytorch import ExportRefused
from engine.lessons import lesson_files
from engine.train import Session
from playground.cli import main

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

def _session(path):
    session = Session.from_graph(fileformat.load(path), replay=False)
    weights = fileformat.load_weights(path)
    if weights:
        session.load_weights(weights, path.name)
    return session


def _run(model, x):
    runner = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return runner.run(None, {"x": x})[0]


def _inputs(session):
    """The dataset's inputs, every row `playground data` writes (train then test); for a
    graph dataset its nodes, once (its two splits are two labellings of one graph, and the
    model reads the whole graph)."""
    if getattr(session.dataset, "graph", None) is not None:
        return session.dataset.x_train
    return np.concatenate([session.dataset.x_train, session.dataset.x_test])


def _same(got, ref):
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=1e-5, rtol=1e-6)


#: shipped lessons whose prediction ONNX cannot give, and what the one-line refusal names
#: (a new lesson whose nodes have no ONNX form fails below until it is listed here)
REFUSED = {
    # their prediction reads the noise and time drawn at each step: the trained velocity (or
    # noise) net alone would need its own inputs, which the drawn graph does not name
    "flow_matching_moons": "node 'x0' (RandomNormal) has no ONNX form",
    "denoising_moons": "(RandomNormal) has no ONNX form",
}


@pytest.mark.parametrize("path", lesson_files(), ids=lambda p: p.stem)
def test_every_lesson_exports_with_our_predictions(path):
    """Every shipped lesson: the nodes its prediction needs all have an ONNX form, or it is
    one of REFUSED, refused in one line naming them."""
    session = _session(path)
    if path.stem in REFUSED:
        with pytest.raises(ExportRefused) as refusal:
            onnx_model(session)
        msg = str(refusal.value)
        assert "\n" not in msg and msg.startswith("cannot export to ONNX: ") and REFUSED[path.stem] in msg
        return
    x = _inputs(session)
    _same(_run(onnx_model(session), x), session.predict(x))


def test_only_what_the_prediction_needs_is_written(monkeypatch):
    """An autoencoder's cost reads the input, not a Target; it is no part of the model, and
    neither is a branch beside the prediction: nodes there need no ONNX form."""
    import dataclasses

    from engine.data.base import REGRESSION, Dataset
    from engine.graph.document import Edge, Graph

    monkeypatch.setitem(registry.REGISTRY, "Sign", dataclasses.replace(registry.get("Sign"), onnx=None))
    g = Graph()
    for node_id, node_type, params in (("x", "Input", {"shape": [3]}),
                                       ("lin", "Linear", {"in_features": 3, "out_features": 3}),
                                       ("side", "Sign", {}), ("loss", "MSELoss", {})):
        g.add_node(node_type, params, id=node_id)
    for edge in (Edge("x", "out", "lin", "input"), Edge("lin", "out", "loss", "input"),
                 Edge("x", "out", "loss", "target"), Edge("x", "out", "side", "input")):
        g.add_edge(edge)
    x, _y = _random_data((3,), 3)
    session = Session.from_graph(g, dataset=Dataset("d", REGRESSION, x, x, x[:4], x[:4]), replay=False)
    _same(_run(onnx_model(session), x), session.predict(x))


def test_the_model_holds_the_current_weights_not_the_initial_ones():
    path = next(p for p in lesson_files() if p.stem == "batchnorm_train_eval")
    session = _session(path)
    x = _inputs(session)
    before = _run(onnx_model(session), x)
    session.run(30)   # moves the weights and BatchNorm's running statistics
    after = session.predict(x)
    assert not np.allclose(before, after, atol=1e-3)
    _same(_run(onnx_model(session), x), after)


def _graph(node_type, params, n=3):
    """Input -> Linear (set to the identity below: something to train) -> node -> MSELoss."""
    from engine.graph.document import Edge, Graph

    g = Graph()
    g.add_node("Input", {"shape": [n]}, id="x")
    g.add_node("Linear", {"in_features": n, "out_features": n}, id="lin")
    g.add_node(node_type, params, id="f")
    g.add_node("Target", {"shape": [n]}, id="y")
    g.add_node("MSELoss", {}, id="loss")
    g.add_edge(Edge("x", "out", "lin", "input"))
    g.add_edge(Edge("lin", "out", "f", "input"))
    g.add_edge(Edge("f", "out", "loss", "input"))
    g.add_edge(Edge("y", "out", "loss", "target"))
    return g


ELEMENTWISE = [nt.name for nt in registry.all_types()
               if nt.onnx is not None and nt.group == "Activations"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_activation_declared_for_onnx_computes_what_ours_does(name):
    """Every activation's ONNX declaration, on values around each of its kinks and bends."""
    from engine.data.base import REGRESSION, Dataset

    params = {"dim": -1} if "dim" in registry.get(name).defaults() else {}
    if name == "PReLU":
        params = {"num_parameters": 3}
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 3, (40, 3)), [[0.0, 0.5, -0.5], [25.0, -25.0, 1e-3]]]).astype(np.float32)
    data = Dataset("points", REGRESSION, x, x, x[:5], x[:5])
    session = Session.from_graph(_graph(name, params), dataset=data, replay=False)
    lin = session.program.node_modules["lin"]
    lin.weight.data[...] = np.eye(3)
    lin.bias.data[...] = 0
    _same(_run(onnx_model(session), x), session.predict(x))


@pytest.mark.parametrize("kind, params", [
    ("LSTM", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True, "batch_first": True}),
    ("GRU", {"batch_first": False, "bias": False}),
])
def test_recurrent_layers_in_every_arrangement(kind, params):
    """Gate order, stacked and backward layers, batch_first, no bias: ONNX's LSTM/GRU/RNN."""
    from engine.data.base import REGRESSION, Dataset
    from engine.graph.document import Edge, Graph

    steps, features, hidden = 5, 3, 4
    batch_first = params.get("batch_first", False)
    g = Graph()
    g.add_node("Input", {"shape": [steps, features]}, id="x")
    g.add_node(kind, {"input_size": features, "hidden_size": hidden, **params}, id="rnn")
    g.add_node("Flatten", {}, id="flat")
    g.add_node("Target", {"shape": [steps * hidden * (1 + params.get("bidirectional", False))]}, id="y")
    g.add_node("MSELoss", {}, id="loss")
    if not batch_first:   # (time, batch, features) inside, (batch, ...) outside
        g.add_node("Transpose", {"dim0": 0, "dim1": 1}, id="t_in")
        g.add_node("Transpose", {"dim0": 0, "dim1": 1}, id="t_out")
        chain = ["x", "t_in", "rnn", "t_out", "flat", "loss"]
    else:
        chain = ["x", "rnn", "flat", "loss"]
    for a, b in zip(chain, chain[1:]):
        g.add_edge(Edge(a, "out", b, "input"))
    g.add_edge(Edge("y", "out", "loss", "target"))
    rng = np.random.default_rng(3)
    x = rng.normal(size=(12, steps, features)).astype(np.float32)
    y = rng.normal(size=(12, steps * hidden * (1 + params.get("bidirectional", False)))).astype(np.float32)
    session = Session.from_graph(g, dataset=Dataset("seq", REGRESSION, x, y, x[:4], y[:4]), replay=False)
    _same(_run(onnx_model(session), x), session.predict(x))


@pytest.mark.parametrize("batch_first, port", [(True, "out"), (False, "out"), (True, "weights")])
def test_multihead_attention_both_outputs_and_layouts(batch_first, port):
    from engine.data.base import REGRESSION, Dataset
    from engine.graph.document import Edge, Graph

    length, e = 4, 6
    g = Graph()
    g.add_node("Input", {"shape": [length, e]}, id="x")
    g.add_node("MultiheadAttention", {"embed_dim": e, "num_heads": 3, "batch_first": batch_first}, id="attn")
    g.add_node("Flatten", {}, id="flat")
    size = length * (e if port == "out" else length)
    g.add_node("Target", {"shape": [size]}, id="y")
    g.add_node("MSELoss", {}, id="loss")
    src = "x"
    if not batch_first:
        g.add_node("Transpose", {"dim0": 0, "dim1": 1}, id="t_in")
        g.add_edge(Edge("x", "out", "t_in", "input"))
        src = "t_in"
    g.add_edge(Edge(src, "out", "attn", "query"))
    after = "attn"
    if not batch_first and port == "out":
        g.add_node("Transpose", {"dim0": 0, "dim1": 1}, id="t_out")
        g.add_edge(Edge("attn", "out", "t_out", "input"))
        after, port = "t_out", "out"
    g.add_edge(Edge(after, port, "flat", "input"))
    g.add_edge(Edge("flat", "out", "loss", "input"))
    g.add_edge(Edge("y", "out", "loss", "target"))
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, length, e)).astype(np.float32)
    y = rng.normal(size=(10, size)).astype(np.float32)
    session = Session.from_graph(g, dataset=Dataset("seq", REGRESSION, x, y, x[:3], y[:3]), replay=False)
    _same(_run(onnx_model(session), x), session.predict(x))


def _chain_graph(nodes, sample, out_size):
    """Input (sample) -> nodes [(type, params)] one after the other -> Flatten -> MSELoss;
    an Einsum also reads a Parameter (its second operand)."""
    from engine.graph.document import Edge, Graph

    g = Graph()
    g.add_node("Input", {"shape": list(sample)}, id="x")
    chain = ["x"]
    for i, (node_type, params) in enumerate(nodes):
        g.add_node(node_type, params, id=f"n{i}")
        port = "inputs" if node_type == "Einsum" else "input"
        g.add_edge(Edge(chain[-1], "out", f"n{i}", port))
        if node_type == "Einsum":
            g.add_node("Parameter", {"shape": [sample[-1], out_size]}, id="p")
            g.add_edge(Edge("p", "out", f"n{i}", port))
        chain.append(f"n{i}")
    g.add_node("Flatten", {}, id="flat")
    g.add_node("Target", {"shape": [out_size]}, id="y")
    g.add_node("MSELoss", {}, id="loss")
    for a, b in ((chain[-1], "flat"), ("flat", "loss")):
        g.add_edge(Edge(a, "out", b, "input"))
    g.add_edge(Edge("y", "out", "loss", "target"))
    return g


def _random_data(sample, out_size, seed=7):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(16, *sample)).astype(np.float32),
            rng.normal(size=(16, out_size)).astype(np.float32))


def _chain_session(nodes, sample, out_size, x=None):
    from engine.data.base import REGRESSION, Dataset

    x_random, y = _random_data(sample, out_size)
    x = x_random if x is None else x
    data = Dataset("d", REGRESSION, x, y, x[:4], y[:4])
    return Session.from_graph(_chain_graph(nodes, sample, out_size), dataset=data, replay=False), x


@pytest.mark.parametrize("nodes, sample, out_size", [
    ([("AttentionModule", {"in_features": 3, "out_features": 2, "num_branches": 3, "hidden": 4,
                           "controller_hidden": 5})], (3,), 2),
    ([("MixtureOfExperts", {"in_features": 3, "out_features": 2, "num_experts": 4, "top_k": 2, "hidden": 3})],
     (3,), 2),
    ([("TransformerBlock", {"d_model": 4, "nhead": 2, "dim_feedforward": 8, "activation": "gelu",
                            "norm_first": True, "batch_first": True})], (5, 4), 20),
    ([("PlaneFeatures", {"x1_squared": True, "x1_x2": True, "sin_x2": True}),
      ("Linear", {"in_features": 5, "out_features": 2})], (2,), 2),
    ([("Einsum", {"equation": "bi,ij->bj"})], (3,), 2),
    ([("Var", {"dim": 1}), ("Linear", {"in_features": 3, "out_features": 2})], (4, 3), 2),
    ([("Linear", {"in_features": 3, "out_features": 3}), ("Std", {"dim": -1, "keepdim": True, "correction": 0})],
     (4, 3), 4),
    ([("InstanceNorm2d", {"num_features": 2, "affine": True})], (2, 3, 3), 18),
    ([("Squeeze", {"dim": 1}), ("Linear", {"in_features": 3, "out_features": 3})], (1, 3), 3),
    ([("Embedding", {"num_embeddings": 10, "embedding_dim": 3})], (5,), 15),
], ids=["attention", "experts-top-k", "transformer-pre-norm-gelu", "plane-features", "einsum", "var", "std",
        "instance-norm", "squeeze", "embedding"])
def test_blocks_and_features_in_their_less_usual_settings(nodes, sample, out_size):
    indices = np.random.default_rng(2).integers(0, 10, (16, *sample))   # int64, as token data is
    session, x = _chain_session(nodes, sample, out_size, x=indices if nodes[0][0] == "Embedding" else None)
    _same(_run(onnx_model(session), x), session.predict(x))


def test_a_tensorflow_playground_link_exports(tmp_path):
    from engine.interop import tfp

    url = ("https://playground.tensorflow.org/#activation=tanh&dataset=circle&networkShape=4,2&seed=0.5"
           "&x=true&y=true&xSquared=true&ySquared=true&sinX=true")
    tfp.import_url(url, tmp_path / "tfp.nnpg")
    session = _session(tmp_path / "tfp.nnpg")
    x = _inputs(session)
    _same(_run(onnx_model(session), x), session.predict(x))


def test_a_setting_onnx_cannot_follow_is_refused_naming_the_node():
    session, _x = _chain_session([("Squeeze", {"dim": 0}), ("Linear", {"in_features": 3, "out_features": 3})],
                                 (1, 3), 3)
    with pytest.raises(ExportRefused, match=r"^cannot export to ONNX: node 'n0' \(Squeeze\) squeezes a dimension "
                                            r"whose size is known only when it runs$"):
        onnx_model(session)


def test_cli_writes_the_model_with_the_saved_weights_and_refuses_in_one_line(tmp_path, capsys):
    src = next(p for p in lesson_files() if p.stem == "xor_mlp")
    graph = fileformat.load(src)
    session = Session.from_graph(graph, replay=False)
    session.run(20)
    lesson = tmp_path / "xor.nnpg"
    fileformat.save(graph, lesson, weights=session.weights())
    out = tmp_path / "xor.onnx"
    assert main(["export", str(lesson), "--format", "onnx", "-o", str(out)]) == 0
    assert "xor.npz" in capsys.readouterr().out
    # on the inputs as `playground data` writes them
    assert main(["data", str(lesson), "-o", str(tmp_path / "points.csv")]) == 0
    table = np.genfromtxt(tmp_path / "points.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    x = np.stack([table["x1"], table["x2"]], axis=1).astype(np.float32)
    _same(_run(onnx.load(str(out)), x), session.predict(x))

    graph = _chain_graph([("Squeeze", {"dim": 0}), ("Linear", {"in_features": 3, "out_features": 3})], (1, 3), 3)
    x, y = _random_data((1, 3), 3)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    graph.set_setting("dataset", {"name": "file", "path": "d.npz", "task": "regression"})
    fileformat.save(graph, tmp_path / "squeeze.nnpg")
    assert main(["export", str(tmp_path / "squeeze.nnpg"), "--format", "onnx", "-o", str(tmp_path / "g.onnx")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "squeeze.nnpg" in err and "node 'n0' (Squeeze) squeezes" in err
    assert not (tmp_path / "g.onnx").exists()


def test_without_the_onnx_package_the_cli_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)   # `import onnx` now raises ImportError
    lesson = next(p for p in lesson_files() if p.stem == "xor_mlp")
    assert main(["export", str(lesson), "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install onnx" in err
    assert not (tmp_path / "m.onnx").exists()


def test_a_prediction_that_reads_the_target_is_refused():
    """The cost's input computed from the target too: no model of x alone can give it."""
    from engine.data.base import REGRESSION, Dataset
    from engine.graph.document import Edge, Graph

    g = Graph()
    for node_id, node_type, params in (("x", "Input", {"shape": [2]}), ("y", "Target", {"shape": [1]}),
                                       ("lin", "Linear", {"in_features": 2, "out_features": 1}),
                                       ("diff", "Subtract", {}), ("loss", "MSELoss", {})):
        g.add_node(node_type, params, id=node_id)
    for edge in (Edge("x", "out", "lin", "input"), Edge("lin", "out", "diff", "a"), Edge("y", "out", "diff", "b"),
                 Edge("diff", "out", "loss", "input"), Edge("y", "out", "loss", "target")):
        g.add_edge(edge)
    x, y = _random_data((2,), 1)
    session = Session.from_graph(g, dataset=Dataset("d", REGRESSION, x, y, x[:4], y[:4]), replay=False)
    with pytest.raises(ExportRefused, match=r"^cannot export to ONNX: the prediction \('diff'\) depends on the target$"):
        onnx_model(session)
