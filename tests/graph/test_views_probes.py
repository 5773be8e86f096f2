"""What the sequence, attention and initialisation views read: the probes' content, checked
against independent computations (not only shapes)."""
import numpy as np
import pytest

from engine import nn
from engine.autograd import Tensor
from engine.graph import fileformat
from engine.graph.document import Graph
from engine.train import Session
from engine.train.initstats import init_statistics

from .test_diagnostics import EXAMPLES


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def attention_graph(kind="MultiheadAttention", heads=2, window=6) -> Graph:
    """sine window (N, T, 1) -> Linear to 8 features -> attention -> Flatten -> Linear -> MSE."""
    g = Graph()
    x = g.add_node("Input", {}, (0.0, 0.0)).id
    emb = g.add_node("Linear", {"in_features": 1, "out_features": 8}, (160.0, 0.0)).id
    if kind == "MultiheadAttention":
        att = g.add_node(kind, {"embed_dim": 8, "num_heads": heads, "batch_first": True}, (320.0, 0.0)).id
        g.connect(emb, "out", att, "query")
    else:
        att = g.add_node(kind, {"d_model": 8, "nhead": heads, "dim_feedforward": 16, "dropout": 0.0,
                                "batch_first": True}, (320.0, 0.0)).id
        g.connect(emb, "out", att, "input")
    flat = g.add_node("Flatten", {}, (480.0, 0.0)).id
    out = g.add_node("Linear", {"in_features": 8 * window, "out_features": 1}, (640.0, 0.0)).id
    y = g.add_node("Target", {}, (640.0, 160.0)).id
    cost = g.add_node("MSELoss", {}, (800.0, 80.0)).id
    g.connect(x, "out", emb, "input")
    g.connect(att, "out", flat, "input")
    g.connect(flat, "out", out, "input")
    g.connect(out, "out", cost, "input")
    g.connect(y, "out", cost, "target")
    g.settings.update({"dataset": {"name": "sine-sequence", "n_samples": 64, "window": window},
                       "task": "regression", "batch_size": 16, "seed": 0, "probe_every": 5,
                       "optimizer": {"name": "Adam", "lr": 0.01}})
    return g


@pytest.mark.parametrize("kind", ["MultiheadAttention", "TransformerBlock"])
def test_attention_nodes_record_their_weights_per_head(kind):
    g = attention_graph(kind, heads=2, window=6)
    s = Session.from_graph(g)
    snap = s.run(10)
    (node,) = [n for n in g.nodes if g.nodes[n].type == kind]
    w = snap.attention[node]
    assert w.ndim == 4 and w.shape[1:] == (2, 6, 6)   # (batch, heads, L, L)
    assert w.shape[0] >= 16
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)
    assert (w >= 0).all()
    # the heads differ (each has its own projections): not one map copied
    assert np.abs(w[:, 0] - w[:, 1]).max() > 1e-3


def test_multihead_attention_keeps_the_weights_it_used():
    """last_weights are the per-head weights whose mean over heads the module returns."""
    mha = nn.MultiheadAttention(8, 4, batch_first=True)
    x = Tensor(np.random.default_rng(0).standard_normal((3, 5, 8)).astype(np.float32))
    _, averaged = mha(x, x, x)
    per_head = mha.last_weights.data
    assert per_head.shape == (3, 4, 5, 5)
    np.testing.assert_allclose(per_head.mean(1), averaged.data, rtol=1e-6)


def _lstm_by_hand(lstm, x):
    """torch's LSTM equations step by step in NumPy (x time first): gates i, f, g, o, c, h."""
    H = lstm.hidden_size
    w_ih, w_hh = lstm.weight_ih_l0.data.astype(float), lstm.weight_hh_l0.data.astype(float)
    b = (lstm.bias_ih_l0.data + lstm.bias_hh_l0.data).astype(float)
    L, N, _ = x.shape
    h, c = np.zeros((N, H)), np.zeros((N, H))
    out = {k: [] for k in ("input", "forget", "cell", "output", "c", "h")}
    for t in range(L):
        a = x[t] @ w_ih.T + h @ w_hh.T + b
        i, f, g, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        for k, v in zip(out, (i, f, g, o, c, h)):
            out[k].append(v)
    return {k: np.stack(v) for k, v in out.items()}


def test_lstm_records_the_gates_it_used_and_nothing_when_not_asked():
    lstm = nn.LSTM(3, 5)
    x = np.random.default_rng(1).standard_normal((7, 4, 3)).astype(np.float32)
    lstm(Tensor(x))
    assert lstm.record is None   # off by default: the Function keeps nothing extra
    lstm.record = rec = {}
    lstm(Tensor(x))
    want = _lstm_by_hand(lstm, x.astype(float))
    for gate in ("input", "forget", "cell", "output"):
        np.testing.assert_allclose(rec["gates"][gate], want[gate], atol=1e-5, err_msg=gate)
    np.testing.assert_allclose(rec["c"], want["c"], atol=1e-5)
    np.testing.assert_allclose(rec["h"], want["h"], atol=1e-5)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_bptt_norms_are_the_gradients_reaching_each_hidden_state(cls):
    """record["grad_norm"][t] = |dL/dh_t|, checked against an unrolled run in which a zero
    leaf is added to every step's hidden state (its gradient is dL/dh_t)."""
    rng = np.random.default_rng(2)
    m = cls(2, 4)
    x = rng.standard_normal((6, 3, 2)).astype(np.float64)
    r = rng.standard_normal((6, 3, 4))
    m.double()
    m.record = rec = {}
    out, _ = m(Tensor(x))
    (out * Tensor(r)).sum().backward()
    m.record = None
    # unrolled: one step at a time, the state passed on by hand
    state, leaves, loss = None, [], 0.0
    for t in range(6):
        o, state = m(Tensor(x[t:t + 1]), state)
        leaf = Tensor(np.zeros((1, 3, 4)), requires_grad=True)
        leaves.append(leaf)
        h = o + leaf
        loss = loss + (h * Tensor(r[t:t + 1])).sum()
        state = (h, state[1]) if cls is nn.LSTM else h
    loss.backward()
    want = [np.linalg.norm(leaf.grad) for leaf in leaves]
    np.testing.assert_allclose(rec["grad_norm"], want, rtol=1e-6)


def test_delay_lesson_probes_show_the_memory_and_the_rnn_vanishing():
    g = fileformat.load(EXAMPLES / "lstm_delay_copy.nnpg")
    assert Session.from_graph(g).run(10).recurrent == {}   # off unless asked: no cost
    s = Session.from_graph(g, sequence_probes=True)
    snap = s.run(20)
    rec = snap.recurrent["lstm"]
    k = len(snap.sequence["input"])
    assert rec["gates"]["forget"].shape == (k, 31, 16) and rec["c"].shape == (k, 31, 16)
    assert rec["gates"]["forget"].mean() > 0.9          # forget gates near 1: the cell holds
    assert snap.sequence["prediction"].shape == snap.sequence["target"].shape == (k, 1)
    np.testing.assert_allclose(snap.sequence["input"], s.dataset.x_train[:k], rtol=1e-6)
    assert rec["grad_norm"].shape == (31,) and np.isfinite(rec["grad_norm"]).all()
    # the same graph with a plain RNN: the gradient reaching the first steps vanishes
    g.nodes["lstm"].type = "RNN"
    g.nodes["lstm"].params.pop("forget_bias")
    rnn = Session.from_graph(g, sequence_probes=True)
    norms = rnn.run(20).recurrent["lstm"]["grad_norm"]
    assert norms[0] < 1e-3 * norms[-1]
    assert "c" not in rnn.last_snapshot.recurrent["lstm"]
    # probes asked only on probe steps: nothing is recorded in between
    rnn.step()
    assert all(m.record is None for _, m in rnn._recurrent)


def _spread(values):
    v = np.log10(values)
    return float(v.max() - v.min())


def test_init_explorer_variances_follow_glorot_and_bengio():
    sig = init_statistics(depth=10, width=64, activation="Sigmoid", init="standard")
    assert sig["layers"] == list(range(1, 11))
    # sigmoid with the standard init: the gradients shrink layer after layer towards the input
    g = np.array(sig["gradient_var"])
    assert (np.diff(g) > 0).all() and g[0] < 1e-6 * g[-1]
    assert sig["activation_var"][-1] < sig["activation_var"][0]
    for act, init in (("Tanh", "xavier_uniform"), ("ReLU", "kaiming_normal")):
        st = init_statistics(depth=10, width=64, activation=act, init=init)
        assert _spread(st["activation_var"]) < 1.0, (act, st["activation_var"])   # within 10x
        assert _spread(st["gradient_var"]) < 1.0, (act, st["gradient_var"])
    # and ReLU with Xavier's (gain 1) halves the variance at every layer
    assert _spread(init_statistics(depth=10, width=64, activation="ReLU", init="xavier_uniform")
                   ["activation_var"]) > 2.0
    with pytest.raises(ValueError, match="activation"):
        init_statistics(activation="Nope")


def test_gate_map_is_the_gates_choice_over_the_plane():
    from engine.autograd import no_grad
    from engine.train.gatemap import gate_map, plane_extent

    s = Session.from_graph(fileformat.load(EXAMPLES / "mixture_of_experts.nnpg"))
    s.run(50)
    gm = gate_map(s, "moe", n=20)
    assert gm.expert.shape == gm.weight.shape == (20, 20) and gm.n_experts == 4
    assert gm.extent == plane_extent(s.dataset)
    (x0, x1), (y0, y1) = gm.extent
    X, Y = np.meshgrid(np.linspace(x0, x1, 20), np.linspace(y0, y1, 20))
    moe = s.program.node_modules["moe"]
    with no_grad():
        gates = moe.gates(Tensor(np.stack([X.ravel(), Y.ravel()], 1).astype(np.float32))).data
    np.testing.assert_array_equal(gm.expert, gates.argmax(-1).reshape(20, 20))
    np.testing.assert_allclose(gm.weight, gates.max(-1).reshape(20, 20), rtol=1e-5)
    assert len(np.unique(gm.expert)) > 1   # the experts share the plane
    assert gate_map(s, "x") is None   # not a gated node
