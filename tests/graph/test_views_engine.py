"""The numbers behind the main views (engine.train.views): each compared with what the
Session itself says (predict, node_output, the weights), never with constants."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.data import load_dataset
from engine.graph import Graph, fileformat
from engine.train import Session, views

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def regression_graph(hidden=6, dataset="sin", act="Tanh", steps_lr=0.02):
    """x -> Linear(hidden) -> act -> Linear(1) -> MSE; hidden=0: linear regression."""
    g = Graph()
    g.add_node("Input", id="x")
    prev = "x"
    if hidden:
        g.add_node("Linear", {"in_features": 1, "out_features": hidden}, id="lin1")
        g.add_node(act, id="act")
        g.connect("x", "out", "lin1", "input")
        g.connect("lin1", "out", "act", "input")
        prev = "act"
    g.add_node("Linear", {"in_features": hidden or 1, "out_features": 1}, id="out")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    g.connect(prev, "out", "out", "input")
    g.connect("out", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": dataset}, "optimizer": {"name": "Adam", "lr": steps_lr},
                  "batch_size": 10, "seed": 0}
    return g


@pytest.fixture(scope="module")
def sin_session():
    s = Session.from_graph(regression_graph())
    s.run(150)
    return s


@pytest.fixture(scope="module")
def digits_session():
    s = Session.from_graph(fileformat.load(LESSONS / "digits_cnn.nnpg"))
    s.run(25)   # part-trained: some test images are still misclassified
    return s


def test_fit_curve_is_the_prediction_on_its_grid(sin_session):
    v = views.compute("fit", sin_session)
    ds = sin_session.dataset
    assert v.x.shape == (views.FIT_POINTS,) and np.all(np.diff(v.x) > 0)
    assert v.x[0] <= ds.x_train.min() and v.x[-1] >= ds.x_train.max()
    grid = v.x[:, None].astype(ds.x_train.dtype)
    np.testing.assert_allclose(v.y, sin_session.predict(grid), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(v.fitted, sin_session.predict(ds.x_train), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(v.y_train[:, 0], ds.y_train[:, 0])
    assert not v.linear


def test_hidden_units_add_up_to_the_prediction(sin_session):
    v = views.compute("fit", sin_session)
    assert v.unit_node == "act" and v.units.shape == (views.FIT_POINTS, 6)
    out = sin_session.program.node_modules["out"]
    assert v.bias == pytest.approx(float(np.asarray(out.bias.data)[0]))
    np.testing.assert_allclose(v.units.sum(1) + v.bias, v.y[:, 0], rtol=1e-5, atol=1e-6)
    # each unit is its own activation times its own output weight, not a share of the sum
    acts = sin_session.node_output("act", v.x[:, None].astype(np.float32))
    w = np.asarray(out.weight.data)[0]
    np.testing.assert_allclose(v.units, acts * w, rtol=1e-6, atol=1e-7)
    assert np.ptp(v.units, axis=0).min() > 0   # the units differ over x


def test_linear_regression_is_a_line_with_its_residuals():
    s = Session.from_graph(regression_graph(hidden=0, dataset="sin"))
    s.run(50)
    v = views.compute("fit", s)
    lin = s.program.node_modules["out"]
    slope, bias = float(np.asarray(lin.weight.data)[0, 0]), float(np.asarray(lin.bias.data)[0])
    assert v.linear and v.units is None and v.unit_node is None
    assert (v.slope, v.bias) == (pytest.approx(slope), pytest.approx(bias))
    np.testing.assert_allclose(v.y[:, 0], slope * v.x + bias, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v.fitted[:, 0], slope * v.x_train + bias, rtol=1e-5, atol=1e-6)


def test_many_units_are_not_drawn_one_by_one():
    s = Session.from_graph(regression_graph(hidden=views.MAX_UNITS + 1))
    v = views.compute("fit", s)
    assert v.units is None and v.y.shape == (views.FIT_POINTS, 1)


def test_images_misclassified_first_with_their_labels(digits_session):
    s = digits_session
    v = views.compute("images", s)
    ds = s.dataset
    assert v.split == "test" and v.n_seen == len(ds.x_test)
    guess_all = s.predict(ds.x_test).argmax(1)
    wrong_all = guess_all != ds.y_test
    assert v.n_wrong == int(wrong_all.sum()) > 0
    m = len(v.index)
    assert m == min(views.SHOWN_SAMPLES, len(ds.x_test))
    np.testing.assert_array_equal(v.true, ds.y_test[v.index])
    np.testing.assert_array_equal(v.guess, guess_all[v.index])
    np.testing.assert_array_equal(v.images, ds.x_test[v.index])
    wrong_shown = v.true != v.guess
    k = min(v.n_wrong, m)
    assert wrong_shown[:k].all() and not wrong_shown[k:].any()   # misclassified first
    assert list(v.index[:k]) == sorted(v.index[:k])             # in the split's order


def test_images_filters_are_the_conv_weights_and_maps_the_node_output(digits_session):
    s = digits_session
    v = views.compute("images", s)
    np.testing.assert_array_equal(v.filters, np.asarray(s.program.node_modules["conv"].weight.data))
    assert v.filter_node == "conv" and v.map_nodes == ["conv", "relu", "pool"]
    assert v.maps_node == "conv" and v.sample == v.index[0]
    x = s.dataset.x_test
    np.testing.assert_allclose(v.maps, s.node_output("conv", x[v.sample:v.sample + 1])[0], rtol=1e-6)
    other = views.ViewRequest.of("images", sample=7, node="pool").compute(s)
    assert (other.sample, other.maps_node, other.maps.shape) == (7, "pool", (8, 4, 4))
    np.testing.assert_allclose(other.maps, s.node_output("pool", x[7:8])[0], rtol=1e-6)
    # a node that is gone falls back to the first, a bad sample to the first shown
    fallback = views.compute("images", s, sample=10**6, node="nope")
    assert (fallback.maps_node, fallback.sample) == ("conv", fallback.index[0])


def test_flat_digits_are_images_too():
    flat = load_dataset("digits", layout="flat")
    assert views.image_shape(flat) == (1, 8, 8) and views.input_kind(flat) == "image"


@pytest.mark.parametrize("name,options,kind", [
    ("sin", {}, "line"), ("xor", {}, "plane"), ("reg-plane", {}, "plane"),
    ("digits", {"layout": "image"}, "image"), ("delay-copy", {}, "sequence"),
    ("chars", {"encoding": "index"}, "sequence"),
])
def test_input_kinds(name, options, kind):
    assert views.input_kind(load_dataset(name, **options)) == kind


def test_predictions_of_a_classifier_per_class(digits_session):
    s = digits_session
    v = views.compute("predictions", s)
    ds = s.dataset
    guess = s.predict(ds.x_test).argmax(1)
    for c in range(10):
        of_c = ds.y_test == c
        assert v.counts[c] == of_c.sum()
        assert v.per_class[c] == pytest.approx(np.mean(guess[of_c] == c))
    assert v.accuracy == pytest.approx(np.mean(guess == ds.y_test))
    assert v.class_names == tuple(str(d) for d in range(10))


def test_predictions_of_a_regression_and_its_r2(sin_session):
    v = views.compute("predictions", sin_session)
    ds = sin_session.dataset
    pred = sin_session.predict(ds.x_test)
    np.testing.assert_allclose(v.prediction, pred, rtol=1e-6)
    np.testing.assert_array_equal(v.target, ds.y_test)
    t = ds.y_test.astype(np.float64)
    assert v.r2 == pytest.approx(1 - ((t - pred) ** 2).sum() / ((t - t.mean()) ** 2).sum(), rel=1e-5)
    assert 0.5 < v.r2 <= 1.0   # trained: the sine is mostly fitted


def test_predicted_class_follows_the_accuracy_rule():
    """A single logit column is a class by its sign (BCEWithLogits), as the accuracy says."""
    g = fileformat.load(LESSONS / "xor_mlp.nnpg")
    s = Session.from_graph(g)
    s.run(40)
    x = s.dataset.x_test
    guess = s.predicted_class(s.predict(x))
    acc = s.evaluate()["test_acc"]
    assert np.mean(guess == s.dataset.y_test) == pytest.approx(acc)


def test_no_view_for_data_it_cannot_draw(digits_session):
    assert views.compute("fit", digits_session) is None
    xor = Session.from_graph(fileformat.load(LESSONS / "xor_mlp.nnpg"))
    assert views.compute("images", xor) is None and views.compute("fit", xor) is None
    empty = replace(xor.dataset, x_test=xor.dataset.x_test[:0], y_test=xor.dataset.y_test[:0])
    s = Session.from_graph(fileformat.load(LESSONS / "xor_mlp.nnpg"), dataset=empty)
    assert views.compute("predictions", s).split == "train"


def test_computing_views_does_not_change_training():
    """Views only evaluate: the same run with views computed after every step trains the
    same numbers."""
    def losses(with_views):
        s = Session.from_graph(regression_graph())
        out = []
        for _ in range(30):
            s.step()
            out.append(s.last_loss)
            if with_views:
                views.compute("fit", s)
                views.compute("predictions", s)
        return out, s.predict(s.dataset.x_test)
    (a, pa), (b, pb) = losses(False), losses(True)
    assert a == b
    np.testing.assert_array_equal(pa, pb)


def test_flat_digits_through_an_mlp_show_their_pictures_without_filters():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 64, "out_features": 10}, id="lin")
    g.add_node("Target", id="y")
    g.add_node("CrossEntropyLoss", id="cost")
    g.connect("x", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "digits", "layout": "flat"}, "seed": 0}
    s = Session.from_graph(g)
    v = views.compute("images", s)
    np.testing.assert_array_equal(v.images[:, 0], s.dataset.x_test[v.index].reshape(-1, 8, 8))
    assert v.filters is None and v.map_nodes == [] and v.maps is None
