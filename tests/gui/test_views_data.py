"""The main views (1-D fit, images, predictions) and the chooser that puts the right one in
front: what each view draws is compared with what the trained Session says."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("pytestqt")


from engine.data import load_dataset  # noqa: E402
from engine.train import views as engine_views  # noqa: E402
from playground.panels import attach  # noqa: E402
from playground.panels.images import COLUMNS, LABEL_ROWS, mosaic, tile_origin, wrap  # noqa: E402
from tests.graph.test_views_engine import regression_graph  # noqa: E402
from tests.gui._panel_support import BareWindow, example, in_worker, mlp_graph, session_method  # noqa: E402


def open_window(qtbot, graph):
    win = BareWindow(graph)
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: runner.dataset is not None and runner.snapshot is not None, timeout=20000)
    return win, runner


class InWorker:
    """The worker's Session, its methods called by the worker (in its thread or its
    process, where the session lives): ``session.predict(x)`` here is answered there.

    Calling them from the test's thread could overlap a view the worker computes for a
    panel just shown: the engine's grad mode is one global flag, and two threads that
    each enter and leave ``no_grad`` can leave it off for good."""

    def __init__(self, qtbot, runner):
        self.qtbot, self.runner = qtbot, runner

    def __getattr__(self, name):
        return lambda *args, **kwargs: in_worker(self.runner, session_method, name, *args, **kwargs)


def train(qtbot, runner, steps, view):
    """Train ``steps`` steps and wait for the last frame, whose view is computed from the
    final weights (the worker sends it when the steps are done)."""
    target = runner.step + steps
    runner.step_n(steps)
    qtbot.waitUntil(lambda: runner.step == target and not runner.running
                    and runner.views.get(view) is not None, timeout=30000)
    return InWorker(qtbot, runner)


def front_view(win):
    return [p.name for p in win.view_chooser.views if p.is_shown()]


def tiles(image, n, shape, columns, below=0):
    """The n tiles of a mosaic, back as (n, h, w)."""
    h, w = shape
    out = []
    for i in range(n):
        x, y = tile_origin(i, shape, columns, n, below=below)
        out.append(image[y:y + h, x:x + w])
    return np.stack(out)


def test_sine_data_get_the_fit_view_with_the_sessions_numbers(qtbot):
    """The chooser puts the fit in front; its curve, units and residuals are the trained
    Session's; the image view, shown instead, says which view draws these data."""
    win, runner = open_window(qtbot, regression_graph())
    session = train(qtbot, runner, 120, "fit")
    panel = win.panels["fit"]
    panel.refresh(runner)
    assert front_view(win) == ["fit"]
    assert runner.asks_for("fit") and not runner.asks_for("grid")   # only the shown view is computed
    for check in (fit_curve_is_the_prediction, units_sum_to_the_prediction_minus_the_bias,
                  residuals_join_each_point_to_the_prediction, unsuited_view_names_the_fit):
        check(win, runner, session, panel)
    win.close()


def fit_curve_is_the_prediction(win, runner, session, panel):
    x, y = panel.curve.getData()
    np.testing.assert_allclose(y, session.predict(np.asarray(x, np.float32)[:, None])[:, 0], rtol=1e-5, atol=1e-6)
    ds = runner.dataset
    px, py = panel.train_points.getData()
    np.testing.assert_array_equal(px, ds.x_train[:, 0])
    np.testing.assert_array_equal(py, ds.y_train[:, 0])
    assert len(panel.test_points.getData()[0]) == len(ds.x_test)


def units_sum_to_the_prediction_minus_the_bias(win, runner, session, panel):
    assert panel.units_box.isChecked() and panel.units_box.isEnabled()
    shown = [c for c in panel.unit_curves if c.isVisible()]
    assert len(shown) == 6
    x, y = panel.curve.getData()
    total = np.sum([c.getData()[1] for c in shown], axis=0)
    bias = float(np.asarray(session.weights()["out.bias"])[0])
    np.testing.assert_allclose(total, y - bias, rtol=1e-5, atol=1e-5)
    assert "6" in panel.info.text() and "act" in panel.info.text()
    panel.units_box.setChecked(False)
    assert not any(c.isVisible() for c in panel.unit_curves)


def residuals_join_each_point_to_the_prediction(win, runner, session, panel):
    assert not panel.residuals_box.isChecked()   # a network: the curve is the point
    panel.residuals_box.setChecked(True)
    x, y = panel.residuals.getData()
    ds = runner.dataset
    np.testing.assert_array_equal(x[0::2], ds.x_train[:, 0])
    np.testing.assert_array_equal(x[1::2], ds.x_train[:, 0])
    np.testing.assert_allclose(y[0::2], ds.y_train[:, 0])
    np.testing.assert_allclose(y[1::2], session.predict(ds.x_train)[:, 0], rtol=1e-5, atol=1e-6)


def unsuited_view_names_the_fit(win, runner, session, panel):
    images = win.panels["images"]
    images.raise_()
    images.refresh(runner)
    assert images.note.isVisibleTo(images) and not images.body.isVisibleTo(images)
    assert "Function fit" in images.note.text() and "image classification" in images.note.text()


def test_linear_regression_shows_the_line_and_its_residuals(qtbot):
    win, runner = open_window(qtbot, regression_graph(hidden=0))
    session = train(qtbot, runner, 30, "fit")
    panel = win.panels["fit"]
    panel.refresh(runner)
    weights = session.weights()
    slope, bias = float(np.asarray(weights["out.weight"])[0, 0]), float(np.asarray(weights["out.bias"])[0])
    x, y = panel.curve.getData()
    np.testing.assert_allclose(y, slope * x + bias, rtol=1e-5, atol=1e-5)
    assert panel.residuals_box.isChecked() and len(panel.residuals.getData()[0]) == 2 * len(runner.dataset.x_train)
    assert not panel.units_box.isEnabled() and not any(c.isVisible() for c in panel.unit_curves)
    assert f"{slope:.3g}" in panel.info.text()
    win.close()


def test_digits_get_the_image_view_with_the_sessions_numbers(qtbot):
    """The chooser puts the images in front: misclassified samples first with their labels,
    the conv filters, the feature maps of a chosen sample and node (also as a lesson's
    options); the predictions view beside it: per-class accuracy."""
    win, runner = open_window(qtbot, example("digits_cnn"))
    session = train(qtbot, runner, 20, "images")
    panel = win.panels["images"]
    panel.refresh(runner)
    assert front_view(win) == ["images"]
    for check in (misclassified_first_with_matching_labels, filters_are_the_conv_weights,
                  feature_maps_of_the_chosen_sample_and_node, lesson_options_of_the_views,
                  predictions_of_a_classifier_per_class):
        check(qtbot, win, runner, session, panel)
    win.close()


def misclassified_first_with_matching_labels(qtbot, win, runner, session, panel):
    ds = runner.dataset
    v = panel.shown
    guess = session.predict(ds.x_test).argmax(1)
    wrong = np.flatnonzero(guess != ds.y_test)
    assert len(wrong) > 0 and v.n_wrong == len(wrong)
    k = min(len(wrong), len(v.index))
    np.testing.assert_array_equal(v.index[:k], wrong[:k])
    labels = [t.textItem.toPlainText() for t in panel.labels if t.isVisible()]
    assert labels == [f"{ds.y_test[i]}→{guess[i]}" for i in v.index]
    # the pictures are those samples', in that order
    n, h = len(v.index), ds.x_test.shape[2]
    shown = tiles(panel.samples_image.image, n, (h, h), COLUMNS, below=int(np.ceil(h * LABEL_ROWS)))
    np.testing.assert_array_equal(shown, ds.x_test[v.index, 0])
    assert f"{len(wrong)} of {len(ds.x_test)}" in panel.samples_label.text


def filters_are_the_conv_weights(qtbot, win, runner, session, panel):
    w = np.asarray(session.weights()["conv.weight"])
    shown = tiles(panel.filters_image.image, 8, (3, 3), wrap(8))
    np.testing.assert_allclose(shown, w[:, 0], rtol=1e-6)
    assert "conv" in panel.filters_label.text


def feature_maps_of_the_chosen_sample_and_node(qtbot, win, runner, session, panel):
    x = runner.dataset.x_test
    v = panel.shown
    maps = tiles(panel.maps_image.image, 8, (8, 8), wrap(8))
    np.testing.assert_allclose(maps, session.node_output("conv", x[v.sample:v.sample + 1])[0], rtol=1e-5, atol=1e-6)
    assert [panel.node_box.itemText(i) for i in range(panel.node_box.count())] == ["conv", "relu", "pool"]
    chosen = int(v.index[-1])
    panel.choose_sample(chosen)
    panel.node_box.setCurrentText("pool")
    qtbot.waitUntil(lambda: runner.views["images"].sample == chosen
                    and runner.views["images"].maps_node == "pool", timeout=10000)
    panel.refresh(runner)
    maps = tiles(panel.maps_image.image, 8, (4, 4), wrap(8))
    np.testing.assert_allclose(maps, session.node_output("pool", x[chosen:chosen + 1])[0], rtol=1e-5, atol=1e-6)
    assert f"sample {chosen}" in panel.maps_label.text


def predictions_of_a_classifier_per_class(qtbot, win, runner, session, panel):
    pred_panel = win.panels["predictions"]
    pred_panel.raise_()
    qtbot.waitUntil(lambda: runner.views.get("predictions") is not None, timeout=10000)
    pred_panel.refresh(runner)
    ds = runner.dataset
    guess = session.predict(ds.x_test).argmax(1)
    expected = [np.mean(guess[ds.y_test == c] == c) for c in range(10)]
    np.testing.assert_allclose(pred_panel.bars.opts["height"], expected)
    assert pred_panel.bars.isVisible() and not pred_panel.points.isVisible()


def test_predictions_of_a_regression_scatter_target_and_prediction(qtbot):
    win, runner = open_window(qtbot, example("lstm_sequence"))
    panel = win.panels["predictions"]
    panel.raise_()   # the user's choice of a second opinion beside the sequence view
    session = train(qtbot, runner, 20, "predictions")
    panel.refresh(runner)
    ds = runner.dataset
    x, y = panel.points.getData()
    np.testing.assert_array_equal(x, ds.y_test[:, 0])
    np.testing.assert_allclose(y, session.predict(ds.x_test)[:, 0], rtol=1e-5, atol=1e-6)
    assert "R²" in panel.info.text()
    win.close()


def test_chooser_scores_each_kind_of_data(qtbot):
    win, runner = open_window(qtbot, mlp_graph((2, 4, 1), n_samples=100))
    chooser = win.view_chooser
    assert front_view(win) == ["boundary"]
    xor = load_dataset("xor", n_samples=40)
    other = replace(xor, x_train=np.zeros((5, 3), np.float32), x_test=np.zeros((2, 3), np.float32))
    for dataset, name in ((load_dataset("sin"), "fit"), (load_dataset("digits", layout="image"), "images"),
                          (load_dataset("digits", layout="flat"), "images"), (xor, "boundary"),
                          (load_dataset("reg-plane"), "boundary"), (other, "predictions")):
        assert chooser.best(dataset).name == name, dataset.name
    win.close()


def test_a_view_raised_for_a_new_document_stays_and_a_new_kind_of_data_chooses_again(qtbot):
    win, runner = open_window(qtbot, mlp_graph((2, 4, 1), n_samples=100))
    assert front_view(win) == ["boundary"]
    # the user's tab: kept while the data stay of the same kind (a new sample of them)
    win.panels["predictions"].raise_()
    version = runner.data_version
    win.document.set_setting("dataset", {"name": "xor", "n_samples": 60, "seed": 5})
    qtbot.waitUntil(lambda: runner.data_version > version and runner.dataset is not None
                    and len(runner.dataset.x_train) < 60, timeout=10000)
    qtbot.wait(100)
    assert front_view(win) == ["predictions"]
    # a new document of another kind: its best view comes to the front
    runner.clear()
    win.document = regression_graph()
    win._panels_link.load()
    qtbot.waitUntil(lambda: runner.dataset is not None and runner.dataset.name == "sin", timeout=20000)
    qtbot.waitUntil(lambda: front_view(win) == ["fit"], timeout=5000)
    # a lesson raises a view right after opening its document: that view stays in front
    runner.clear()
    win.panels["predictions"].raise_()
    win.document = regression_graph()
    win._panels_link.load()
    qtbot.waitUntil(lambda: runner.dataset is not None and runner.snapshot is not None, timeout=20000)
    qtbot.wait(200)
    assert front_view(win) == ["predictions"]
    win.close()


def test_mosaic_places_tiles_where_tile_origin_says():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(11, 3, 2))
    img = mosaic(t, 4, below=2)
    np.testing.assert_array_equal(tiles(img, 11, (3, 2), 4, below=2), t)
    assert np.isnan(img).sum() == img.size - t.size   # the gaps are transparent
    assert wrap(3) == 3 and wrap(8) == 4 and wrap(32) == COLUMNS
    assert engine_views.SHOWN_SAMPLES <= 2 * COLUMNS   # two rows of samples fit the panel


def lesson_options_of_the_views(qtbot, win, runner, session, panel):
    from playground.lesson.pane import raise_panel  # noqa: PLC0415 - what a lesson's page does

    assert raise_panel(win, "images", {"node": "relu", "sample": 3})
    qtbot.waitUntil(lambda: (runner.views["images"].maps_node, runner.views["images"].sample) == ("relu", 3),
                    timeout=10000)
    panel.refresh(runner)
    assert panel.node_box.currentText() == "relu"
    maps = tiles(panel.maps_image.image, 8, (8, 8), wrap(8))
    np.testing.assert_allclose(maps, session.node_output("relu", runner.dataset.x_test[3:4])[0], rtol=1e-5, atol=1e-6)
    fit = win.panels["fit"]
    fit.apply_options({"units": False, "residuals": True})
    assert not fit.units_box.isChecked() and fit.residuals_box.isChecked()
