"""Graph neural networks: the GCN and GAT layers (float64 gradient checks, the formulas,
permutation equivariance), the graph datasets, transductive training in a Session (the
whole graph as one batch, the accuracy over the right nodes only) and the embedding view."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine.data import load_dataset
from engine.data.graphs import UNLABELLED
from engine.errors import UserError
from engine.graph import Graph, registry
from engine.nn.graph_layers import GATConv, GCNConv, Adjacency, normalized_adjacency
from engine.train import Session, views
from engine.train.graph_views import plane
from tests.fuzzing import examples
from tests.gradcheck import gradcheck, t64

PATH4 = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=np.float64)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _const(a):
    return engine.tensor(np.asarray(a, dtype=np.float64))


def _params64(module):
    module.double()
    ps = list(module.parameters())
    for p in ps:
        p.requires_grad = True
    return ps


# ----- the layers --------------------------------------------------------------------------
def test_normalized_adjacency_is_the_gcn_formula():
    a_hat = normalized_adjacency(PATH4)
    deg = PATH4.sum(1) + 1
    expected = (PATH4 + np.eye(4)) / np.sqrt(deg[:, None] * deg[None, :])
    np.testing.assert_allclose(a_hat, expected)
    np.testing.assert_allclose(normalized_adjacency(PATH4, "row").sum(1), 1.0)
    np.testing.assert_allclose(normalized_adjacency(PATH4, "none"), PATH4 + np.eye(4))
    # an isolated node without self-loops: a zero row, not a division by zero
    lonely = normalized_adjacency(np.zeros((2, 2)), self_loops=False)
    assert np.all(lonely == 0)


def test_gcnconv_value_and_gradcheck(rng):
    layer = GCNConv(3, 2)
    ps = _params64(layer)
    x = t64(rng, 4, 3)
    a = engine.tensor(normalized_adjacency(PATH4), requires_grad=True)   # e.g. a learned adjacency
    out = layer(x, a).data
    w, b = ps[0].data, ps[1].data
    np.testing.assert_allclose(out, a.data @ x.data @ w.T + b, rtol=1e-12)
    assert gradcheck(lambda x, a, *_: layer(x, a), [x, a, *ps])


@pytest.mark.parametrize("heads, concat", [(1, True), (2, True), (3, False)])
def test_gatconv_gradcheck(rng, heads, concat):
    layer = GATConv(3, 2, heads=heads, concat=concat)
    ps = _params64(layer)
    x = t64(rng, 4, 3)
    assert gradcheck(lambda x, *_: layer(x, _const(PATH4 + np.eye(4))), [x, *ps])
    assert layer(x, _const(PATH4)).shape == (4, 2 * heads if concat else 2)


def test_gat_attends_only_to_neighbours(rng):
    """Each node's weights are a softmax over its neighbours (and itself): zero elsewhere,
    summing to 1, and the output is the weighted sum of the transformed neighbours."""
    layer = GATConv(3, 2, heads=2, bias=False)
    _params64(layer)
    x = t64(rng, 4, 3, requires_grad=False)
    mask = PATH4 + np.eye(4)
    out = layer(x, _const(mask)).data
    alpha = layer.last_attention                      # (heads, N, N)
    assert np.all(alpha[:, mask == 0] == 0)
    np.testing.assert_allclose(alpha.sum(-1), 1.0)
    h = (x.data @ layer.weight.data.T).reshape(4, 2, 2)
    expected = np.einsum("hij,jhc->ihc", alpha, h).reshape(4, 4)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


@settings(max_examples=examples(15, 200), deadline=None)
@given(st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=12),
    st.permutations(range(n)))))
@pytest.mark.fuzz
def test_graph_layers_are_permutation_equivariant(case):
    """Renumbering the nodes renumbers the output rows and nothing else: the layers see only
    the graph, not the order its nodes are listed in."""
    n, edges, perm = case
    a = np.zeros((n, n))
    for i, j in edges:
        if i != j:
            a[i, j] = a[j, i] = 1.0
    perm = np.array(perm)
    x = np.random.default_rng(n).standard_normal((n, 3))
    for layer in (GCNConv(3, 2), GATConv(3, 2, heads=2)):
        layer.double()
        a_hat = normalized_adjacency(a)
        out = layer(_const(x), _const(a_hat)).data
        moved = layer(_const(x[perm]), _const(a_hat[perm][:, perm])).data
        np.testing.assert_allclose(moved, out[perm], rtol=1e-9, atol=1e-12)


def test_a_layer_refuses_rows_that_are_not_the_graphs_nodes(rng):
    with pytest.raises(ValueError, match="the graph has 4 nodes but the input has 3 rows"):
        GCNConv(3, 2)(engine.tensor(rng.standard_normal((3, 3)).astype(np.float32)),
                      engine.tensor(PATH4.astype(np.float32)))


def test_unbound_adjacency_says_the_data_are_not_a_graph():
    with pytest.raises(ValueError, match="not a graph"):
        Adjacency()()


def test_registry_weight_counts_match_the_modules():
    for name, params in (("GCNConv", {"in_features": 5, "out_features": 3}),
                         ("GATConv", {"in_features": 5, "out_features": 3, "heads": 2, "concat": False}),
                         ("Adjacency", {})):
        nt = registry.get(name)
        p = nt.resolve(params)
        module = nt.build(p, {})
        held = sum(int(t.data.size) for t in module.parameters())
        assert nt.extra["weights"](p, {}) == held, name


# ----- the data ----------------------------------------------------------------------------
def test_karate_is_one_graph_with_four_labelled_members():
    ds = load_dataset("karate")
    g = ds.graph
    assert ds.x_train.shape == ds.x_test.shape == (34, 34)
    assert len(g.edges) == 78
    a = g.adjacency()
    assert np.array_equal(a, a.T) and np.all(np.diag(a) == 0)
    labelled = ds.y_train != UNLABELLED
    # every member is in exactly one split, with its side there
    assert np.array_equal(labelled, g.labelled) and np.array_equal(ds.y_test != UNLABELLED, ~labelled)
    assert sorted(np.flatnonzero(labelled)) == [0, 1, 32, 33]
    assert list(np.bincount(ds.y_train[labelled])) == [2, 2]
    assert ds.y_test[0] == UNLABELLED and ds.y_test[8] == 0 and ds.y_test[9] == 1


def test_karate_needs_a_labelled_member_on_each_side():
    with pytest.raises(ValueError, match="each side"):
        load_dataset("karate", labelled=[0, 1])


def test_citation_graph_is_seeded_and_its_links_follow_the_topics():
    ds = load_dataset("citation", seed=3)
    again = load_dataset("citation", seed=3)
    assert np.array_equal(ds.graph.edges, again.graph.edges) and np.array_equal(ds.x_train, again.x_train)
    labels = np.where(ds.graph.labelled, ds.y_train, ds.y_test)
    i, j = ds.graph.edges.T
    assert np.mean(labels[i] == labels[j]) > 0.6   # homophily: papers cite their own topic
    assert list(np.bincount(ds.y_train[ds.graph.labelled])) == [5, 5, 5]


# ----- training on a graph -----------------------------------------------------------------
def gcn_graph(dataset=None, hidden=2, layer="GCNConv", batch_size=10, **layer_params):
    g = Graph()
    g.settings = {"dataset": dataset or {"name": "karate"}, "optimizer": {"name": "Adam", "lr": 0.01},
                  "batch_size": batch_size, "seed": 0, "probe_every": 10, "eval_every": 10}
    ds = load_dataset(**g.settings["dataset"])
    width_in = ds.x_train.shape[1]
    g.add_node("Input", {}, id="x")
    g.add_node("Adjacency", {}, id="A")
    g.add_node(layer, {"in_features": width_in, "out_features": hidden, **layer_params}, id="g1")
    g.add_node("Tanh", {}, id="act")
    width = hidden * (layer_params.get("heads", 1) if layer_params.get("concat", True) else 1)
    g.add_node("GCNConv", {"in_features": width, "out_features": ds.n_classes}, id="g2")
    g.add_node("Target", {}, id="y")
    g.add_node("CrossEntropyLoss", {}, id="cost")
    for src, dst, port in (("x", "g1", "input"), ("A", "g1", "adjacency"), ("g1", "act", "input"),
                           ("act", "g2", "input"), ("A", "g2", "adjacency"), ("g2", "cost", "input"),
                           ("y", "cost", "target")):
        g.connect(src, "out", dst, port)
    return g


def _manual_accuracy(session, split):
    ds = session.dataset
    y = getattr(ds, f"y_{split}")
    guess = session.predicted_class(session.predict(ds.x_test))
    counted = y != UNLABELLED
    return float(np.mean(guess[counted] == y[counted]))


def test_session_trains_the_whole_graph_and_counts_only_the_splits_nodes():
    session = Session.from_graph(gcn_graph(batch_size=10))
    assert session.batch_size == 34 and not session._loader.shuffle   # the graph, in its order
    for _ in range(100):
        snap = session.step()
    assert snap.metrics["train_acc"] == pytest.approx(_manual_accuracy(session, "train"))
    assert snap.metrics["test_acc"] == pytest.approx(_manual_accuracy(session, "test"))
    assert snap.metrics["train_acc"] == 1.0 and snap.metrics["test_acc"] >= 0.9
    # the loss counts the 4 labelled members only (CrossEntropyLoss skips UNLABELLED)
    x, y = (engine.tensor(a) for a in (session.dataset.x_train, session.dataset.y_train))
    with engine.no_grad():
        pred, loss = session.program(x, y)
    counted = session.dataset.y_train != UNLABELLED
    logits = pred.data[counted].astype(np.float64)
    manual = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(4), session.dataset.y_train[counted]])
    assert float(loss.data) == pytest.approx(manual, rel=1e-5)


def test_gat_trains_on_the_citation_graph():
    session = Session.from_graph(gcn_graph({"name": "citation"}, hidden=4, layer="GATConv", heads=2))
    first = session.evaluate()["test_acc"]
    session.run(150)
    result = session.evaluate()
    assert result["train_acc"] == 1.0 and result["test_acc"] > max(first, 0.7)


def test_tools_that_take_the_first_few_samples_take_the_whole_graph():
    """Step-through, the gradient check and the loss landscape evaluate "the first n samples":
    on a graph that is every node (a few rows of a graph are no graph)."""
    from engine.train.landscape import current_point, loss_along

    session = Session.from_graph(gcn_graph())
    assert session.rows(4) == 34
    traced = session.trace()   # before any step: no last batch yet
    assert traced["values"]["g1"]["out"].shape == (34, 2)
    assert session.check_gradient("g1", n_samples=8) < 1e-6
    center = current_point(session)
    losses = loss_along(session, center, np.ones_like(center), [0.0], n_samples=8)
    assert losses[0] == pytest.approx(session.evaluate()["train_loss"], rel=1e-4)


def test_adjacency_on_data_that_are_not_a_graph_is_a_one_line_message():
    g = gcn_graph()
    g.settings["dataset"] = {"name": "xor"}
    g.nodes["g1"].params["in_features"] = 2
    with pytest.raises(UserError) as err:
        Session.from_graph(g).step()
    text = str(err.value)
    assert "'A'" in text and "not a graph" in text and "\n" not in text


def test_embedding_view_places_every_node_with_the_graphs_edges():
    session = Session.from_graph(gcn_graph())
    session.run(50)
    v = views.compute("graph_embedding", session)
    assert v.node == "act" and v.nodes == ["g1", "act", "g2"] and v.width == 2
    hidden = session.node_output("act", session.dataset.x_test)
    np.testing.assert_allclose(v.points, hidden, rtol=1e-6)   # 2-D: drawn as they are
    assert v.points.shape == (34, 2) and len(v.edges) == 78 and v.labelled.sum() == 4
    assert v.accuracy == pytest.approx(_manual_accuracy(session, "test"))
    wide = views.compute("graph_embedding", Session.from_graph(gcn_graph(hidden=5)))
    assert wide.width == 5 and 0 < wide.explained <= 1 and wide.points.shape == (34, 2)
    assert views.compute("graph_embedding", SimpleNamespace(dataset=load_dataset("xor"))) is None


@pytest.mark.parametrize("layer, params", [("GCNConv", {}), ("GATConv", {"heads": 3}),
                                           ("GATConv", {"heads": 2, "concat": False})])
def test_onnx_model_predicts_what_the_session_does_on_the_whole_graph(layer, params):
    """The adjacency stored as a constant, the layers in ONNX operators (export of a graph
    network: every node's features at once, as the session computes them)."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from engine.interop.onnx import onnx_model

    session = Session.from_graph(gcn_graph({"name": "citation"}, hidden=4, layer=layer, **params), replay=False)
    session.run(20)
    runner = ort.InferenceSession(onnx_model(session).SerializeToString(), providers=["CPUExecutionProvider"])
    x = session.dataset.x_test
    np.testing.assert_allclose(runner.run(None, {"x": x})[0], session.predict(x), atol=1e-5, rtol=1e-6)


def test_prediction_view_counts_only_the_unlabelled_nodes():
    session = Session.from_graph(gcn_graph())
    session.run(30)
    v = views.compute("predictions", session)
    assert v.n == 30 and v.counts.sum() == 30
    assert v.accuracy == pytest.approx(_manual_accuracy(session, "test"))


def test_plane_keeps_two_columns_and_projects_wider_ones_stably(rng):
    h = rng.standard_normal((20, 2))
    assert np.array_equal(plane(h)[0], h)
    wide = rng.standard_normal((20, 6)) * np.array([5, 3, 1, 0.1, 0.1, 0.1])
    points, explained = plane(wide)
    centred = wide - wide.mean(0)
    for sign in (1, -1):   # each component points the way of its main column: no flipping
        shown, _ = plane(sign * wide)
        for k in (0, 1):
            assert (shown[:, k] * sign * centred[:, k]).sum() > 0
    assert explained > 0.9
    assert np.isclose(points.var(0).sum() * 20, explained * (centred ** 2).sum())
