"""The live panels, attached to a window, training the XOR network in the worker thread."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from playground.panels import attach  # noqa: E402
from playground.panels.activations import BINS  # noqa: E402
from playground.panels.gradflow import FLOOR, flow_params  # noqa: E402
from playground.panels.weights import as_matrix, edge_styles  # noqa: E402
from playground.panels.loss import batch_losses  # noqa: E402
from tests.gui._panel_support import BareWindow, example, in_worker, mlp_graph, session_attr, session_method  # noqa: E402


@pytest.fixture
def trained(qtbot):
    """A window whose panels have drawn a few hundred steps of training, then paused."""
    win = BareWindow(mlp_graph((2, 6, 6, 1), n_samples=300))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    # what the tabbed-away panels would ask for when shown
    runner.set_needs("test-hidden-tabs", {"confusion": True, "landscape": True, "landscape_n": 9})
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 300 and runner.grid is not None, timeout=20000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running and runner.confusion is not None
                    and runner.landscape is not None, timeout=5000)
    qtbot.wait(50)
    for panel in win.panels.values():  # tabbed-away panels draw when shown; draw all now
        panel.refresh(runner)
    yield win, runner
    win.close()


def finite_data(curve):
    x, y = curve.getData()
    return np.asarray(x), np.asarray(y)


def test_loss_panel_holds_the_history(trained):
    win, runner = trained
    panel = win.panels["loss"]
    h = runner.history
    x, y = finite_data(panel.curves["loss"])
    steps, losses = batch_losses(runner)   # each early step's, then each probe's
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_array_equal(y, losses)
    assert set(h.column("step")) <= set(x)
    x, y = finite_data(panel.curves["test_loss"])
    assert len(x) >= 1 and y[-1] == h.column("test_loss")[np.isfinite(h.column("test_loss"))][-1]
    assert "metric:test_acc" in panel.metric_curves
    assert runner.snapshot.step == h.column("step")[-1] or runner.snapshot.step > h.column("step")[-1]


def test_decision_boundary_shows_the_grid_and_the_points(trained):
    win, runner = trained
    panel = win.panels["boundary"]
    ds = runner.dataset
    assert panel.image.image.shape == (runner.grid.shape[0], runner.grid.shape[1], 3)
    assert len(panel.train_points.data) == len(ds.x_train)
    assert len(panel.test_points.data) == len(ds.x_test)
    # where the network says class 1 the pixel is blue, class 0 orange (x in quadrant corners)
    spec = runner.grid_spec
    probs = 1 / (1 + np.exp(-runner.grid[..., 0]))
    img = panel.image.image.astype(int)
    blue = img[..., 2] > img[..., 0]
    assert np.mean(blue == (probs > 0.5)) > 0.97
    panel.discrete.setChecked(True)
    colours = {tuple(c) for c in panel.image.image.reshape(-1, 3)}
    assert len(colours) <= 3
    assert spec.nx == panel.image.image.shape[1]


def test_decision_boundary_view_spans_the_data(qtbot):
    """Before any training and after it, the plot shows the data's extent (not pyqtgraph's
    default range, nor a range widened by an aspect lock), and the heatmap fills it."""
    from playground.panels.boundary import data_extent

    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    panel = win.panels["boundary"]
    qtbot.waitUntil(lambda: runner.grid is not None and panel.refresh_count > 0, timeout=15000)
    panel.refresh(runner)
    (x0, x1), (y0, y1) = data_extent(runner.dataset)
    for _ in range(2):
        (vx0, vx1), (vy0, vy1) = panel.plot.vb.viewRange()
        assert np.allclose((vx0, vx1, vy0, vy1), (x0, x1, y0, y1), atol=0.05 * (x1 - x0))
        rect = panel.image.mapRectToView(panel.image.boundingRect())
        assert abs(rect.left() - x0) < 1e-6 and abs(rect.right() - x1) < 1e-6
        runner.step_n(50)
        qtbot.waitUntil(lambda: runner.step >= 50 and not runner.running, timeout=15000)
        runner.redraw_now()
    win.close()


def test_index_axes_label_cells_with_integers(trained):
    """Weight matrices label their rows and columns 0, 1, ... at the cell centres."""
    win, runner = trained
    weights = win.panels["weights"]
    img = next(iter(weights.images.values()))
    rows, cols = img.image.shape
    plot = img.getViewBox()
    bottom = weights.glw.ci.getItem(0, 0).getAxis("bottom")
    major = bottom._tickLevels[0]
    assert [label for _, label in major] == [str(i) for i in range(cols)]
    assert [pos for pos, _ in major] == [i + 0.5 for i in range(cols)]
    assert plot is not None and rows >= 1


def test_hovered_node_shows_its_neurons(trained, qtbot):
    win, runner = trained
    panel = win.panels["boundary"]
    hidden = next(n for n in runner.snapshot.activations if n.startswith("tanh"))
    panel.show_node(hidden)
    qtbot.waitUntil(lambda: panel.node_grid is not None, timeout=5000)
    assert panel.node_grid.shape == (panel._spec.ny, panel._spec.nx, 6)
    expected = in_worker(runner, session_method, "node_output", hidden, panel._spec.points())
    np.testing.assert_allclose(panel.node_grid[..., 2].ravel(), expected[:, 2], rtol=1e-5)
    assert sum(vb.isVisible() for vb in panel.neuron_views) == 6


def test_clicked_points_join_the_training_set(trained, qtbot):
    win, runner = trained
    n = len(runner.dataset.x_train)
    win.panels["boundary"].add_point(1.5, -2.0, 1)
    qtbot.waitUntil(lambda: len(runner.dataset.x_train) == n + 1, timeout=5000)
    assert tuple(runner.dataset.x_train[-1]) == (1.5, -2.0) and runner.dataset.y_train[-1] == 1
    old = runner.dataset.x_train[:5].copy()
    win.panels["boundary"].regenerate()
    qtbot.waitUntil(lambda: not np.array_equal(runner.dataset.x_train[:5], old), timeout=5000)


def test_activation_and_weight_and_gradient_panels(trained):
    win, runner = trained
    snap = runner.snapshot
    act = win.panels["activations"]
    node = act.node_box.currentText()
    entries = runner.activation_history.by_node[node]
    assert act.hist_image.image.shape == (BINS, len(entries))
    assert act.unit_image.image.shape[0] == np.size(entries[-1][1].unit_mean)

    weights = win.panels["weights"]
    assert set(weights.images) == {n for n in snap.weights if not n.endswith("bias")}
    name = next(iter(weights.images))
    np.testing.assert_allclose(weights.images[name].image, as_matrix(snap.weights[name]))

    flow = win.panels["gradflow"]
    names = flow_params(snap.gradients)
    assert flow.names == names and not any(n.endswith("bias") for n in names)
    heights = flow.max_bars.opts["height"]
    want = np.log10([snap.gradients[n].max_abs for n in names]) - FLOOR
    np.testing.assert_allclose(heights, want)
    x, y = flow.curves[names[0]].getData()
    assert len(x) == len(runner.history)


def test_diagnostics_and_confusion_and_controls(trained):
    win, runner = trained
    text = win.panels["diagnostics"].text.toPlainText()
    assert text  # a verdict or "No problems found"
    conf = win.panels["confusion"]
    counts = sum(int(t.textItem.toPlainText()) for t in conf.texts)
    assert counts == len(runner.dataset.x_test) == runner.confusion.sum()
    assert f"step {runner.snapshot.step}" in win.panels["controls"].status.text()


def test_trajectory_over_the_loss_landscape(trained):
    win, runner = trained
    panel = win.panels["trajectory"]
    land = runner.landscape
    assert land["loss"].shape == (9, 9)
    x, y = panel.path.getData()
    assert len(x) == len(in_worker(runner, session_attr, "trajectory")) >= 3
    # the plane is centred on the last point: it sits at the origin of the plane
    assert abs(x[-1]) < 1e-9 and abs(y[-1]) < 1e-9
    assert panel.image.image.shape == (9, 9)
    assert "explains" in panel.info.text()


def test_edge_styles_follow_the_weights():
    from engine.train.snapshot import GradStats, Snapshot

    snap = Snapshot(step=1, epoch=0.0, loss=0.0)
    snap.weights = {"a.weight": np.array([[2.0, 1.0]]), "b.weight": np.array([[-0.5, -0.5]]),
                    "big.weight": np.ones((20, 20))}
    snap.gradients = {k: GradStats(k, k.split(".")[0], 0.0, 0.0, 0.0) for k in snap.weights}
    styles = edge_styles(snap)
    assert set(styles) == {"a", "b"}  # the 400-weight layer is too big to draw as edges
    (ca, wa), (cb, wb) = styles["a"], styles["b"]
    assert ca.blue() > ca.red() and cb.red() > cb.blue()  # blue positive, orange negative
    assert wa > wb


def test_every_panel_exports_png(trained, tmp_path):
    win, runner = trained
    for name, panel in win.panels.items():
        path = tmp_path / f"{name}.png"
        assert panel.export_png(str(path)), name
        assert path.stat().st_size > 500
    assert win.panels["loss"].export_csv(str(tmp_path / "h.csv"))
    header = (tmp_path / "h.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["step", "epoch"] and "loss" in header


def test_hidden_panels_do_not_redraw(qtbot):
    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    runner.set_step_limit(None)   # Play trains on (past settings.steps) until paused
    qtbot.addWidget(win)
    win.show()
    runner.play()
    qtbot.waitUntil(lambda: runner.redraws >= 3, timeout=15000)
    runner.pause()
    shown = {n for n, p in win.panels.items() if p.is_shown()}
    assert {"loss", "boundary"} <= shown and "paths" not in shown
    assert win.panels["loss"].refresh_count >= 2
    assert win.panels["weights"].refresh_count == 0  # a tab behind "Loss and metrics"
    win.close()


@pytest.mark.parametrize("name", ["attention_module", "mixture_of_experts"])
def test_attention_and_expert_panel(qtbot, name):
    win = BareWindow(example(name))
    runner = attach(win)
    qtbot.addWidget(win)
    runner.step_n(30)
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step >= 30,
                    timeout=15000)
    panel = win.panels["attention"]
    panel.refresh(runner)
    snap = runner.snapshot
    if name == "attention_module":
        (node, w), = snap.attention.items()
        np.testing.assert_allclose(panel.items[("attn", node)].image, w[:64])  # first samples
        np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)  # softmax weights
    else:
        (node, d), = snap.moe.items()
        np.testing.assert_allclose(panel.items[("gates", node)].image, d["gates"][:64])
        np.testing.assert_allclose(panel.items[("load", node)].opts["height"], d["load"])
    assert panel.empty_note is None  # the "no attention nodes" note is gone
    win.close()


def test_panels_say_why_they_are_empty(qtbot):
    """A graph without attention nodes, before any training: the panels explain."""
    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=15000)
    for name in ("attention", "loss", "gradflow", "confusion"):
        win.panels[name].refresh(runner)
    assert "No attention" in win.panels["attention"].empty_note.text
    assert "press Play" in win.panels["loss"].status.text()
    assert "No gradients yet" in win.panels["gradflow"].info.text()
    assert "Waiting" in win.panels["confusion"].info.text()
    win.close()


def test_gradient_flow_labels_fit_their_bars():
    from playground.panels.gradflow import short_name, thinned_ticks

    names = [f"lin{i}.weight" for i in range(1, 11)]
    assert short_name("lin1.weight") == "lin1" and short_name("lin1.bias") == "lin1.bias"
    assert [t for _, t in thinned_ticks(names, 2000)] == [f"lin{i}" for i in range(1, 11)]
    few = thinned_ticks(names, 200)          # 10 labels of 5 characters cannot fit 200 px
    assert 1 < len(few) < 10 and few[0] == (0, "lin1")
    assert len(few) * 7 * 7 <= 200 + 7 * 7
    nested = ["attn.branches.0.fc1.weight", "attn.branches.1.fc1.weight", "out.weight"]
    assert [t for _, t in thinned_ticks(nested, 2000)] == [
        "attn.branches.0.fc1", "attn.branches.1.fc1", "out"]
    shared = ["attn.branches.0.fc1.weight", "attn.branches.1.fc1.weight"]
    assert [t for _, t in thinned_ticks(shared, 2000)] == ["0.fc1", "1.fc1"]


def test_log_axes_label_decades_only(qtbot):
    from playground.panels.base import DecadeAxis

    axis = DecadeAxis("left")
    axis.setLogMode(False, True)
    values = [-2.0, np.log10(0.02), np.log10(0.05), -1.0, 0.0]
    strings = axis.logTickStrings(values, 1.0, 1.0)
    assert [s != "" for s in strings] == [True, False, False, True, True]
    within = [np.log10(0.2), np.log10(0.5)]  # no decade in view: keep the labels
    assert all(axis.logTickStrings(within, 1.0, 1.0))


def test_two_plots_sit_side_by_side_in_a_wide_panel(qtbot):
    import pyqtgraph as pg

    from playground.panels.base import SideBySide

    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    a, b = glw.addPlot(row=0, col=0), glw.addPlot(row=1, col=0)
    arrangement = SideBySide(glw, a, b)
    glw.resize(900, 250)
    glw.show()
    qtbot.waitUntil(lambda: arrangement.wide is True, timeout=3000)
    qtbot.wait(20)
    assert a.geometry().top() == b.geometry().top() and a.geometry().right() <= b.geometry().left()
    glw.resize(300, 700)
    qtbot.waitUntil(lambda: arrangement.wide is False, timeout=3000)
    qtbot.wait(20)
    assert a.geometry().bottom() <= b.geometry().top()


def test_lstm_biases_count_as_biases():
    from playground.panels.base import is_bias

    grads = {n: None for n in ("lstm.module.weight_ih_l0", "lstm.module.bias_ih_l0",
                               "lstm.module.bias_hh_l0", "output.weight", "output.bias")}
    assert flow_params(grads) == ["lstm.module.weight_ih_l0", "output.weight"]
    assert is_bias("lin.bias") and not is_bias("lin.weight") and not is_bias("biased.weight")


def test_regression_and_non_planar_data_explain_the_empty_panels(qtbot):
    win = BareWindow(example("lstm_sequence"))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: runner.dataset is not None and runner.snapshot is not None,
                    timeout=15000)
    for name in ("confusion", "boundary"):
        win.panels[name].refresh(runner)
    assert "regression" in win.panels["confusion"].note.text()
    assert win.panels["confusion"].note.isVisibleTo(win.panels["confusion"])
    assert "two input features" in win.panels["boundary"].note.text()
    assert not win.panels["boundary"].glw.isVisibleTo(win.panels["boundary"])
    win.close()


def test_decision_boundary_fills_the_panel_without_neurons(trained, qtbot):
    """With no hidden node shown, the heatmap takes the whole plot area (no empty row)."""
    win, runner = trained
    panel = win.panels["boundary"]
    panel.show_node(None)
    qtbot.wait(50)
    plot_h = panel.plot.geometry().height()
    assert plot_h > 0.85 * panel.glw.height(), (plot_h, panel.glw.height())


def test_loss_log_scale_keeps_the_curves(trained):
    win, runner = trained
    panel = win.panels["loss"]
    x, y = finite_data(panel.curves["loss"])
    panel.log_box.setChecked(True)
    assert panel.loss_plot.getAxis("left").logMode
    x2, y2 = panel.curves["loss"].getData()  # the same data, drawn as log10
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_allclose(y2, np.log10(y))
    lo, hi = panel.loss_plot.vb.viewRange()[1]
    assert lo <= np.log10(np.nanmin(y)) and np.log10(np.nanmax(y)) <= hi
    panel.log_box.setChecked(False)
    assert not panel.loss_plot.getAxis("left").logMode


def test_weight_matrices_wrap_to_the_columns_that_fit():
    from playground.panels.weights import COLS, columns_for

    short, long = ["a.weight (2, 2)"], ["moe.experts.0.fc1.weight (6, 2)"]
    assert columns_for(0, long) == COLS           # not laid out yet: the default
    assert columns_for(2000, short) == COLS
    n = columns_for(900, long)
    assert 1 <= n < COLS and n * (len(long[0]) * 6.5 + 40) <= 900


def test_regression_says_why_there_is_no_metric_curve(qtbot):
    from playground.runner import Runner  # noqa: F401  (the panels' runner)

    graph = mlp_graph((2, 6, 1), dataset="reg-plane", n_samples=200)
    graph.settings["task"] = "regression"
    cost = next(n.id for n in graph.nodes.values() if n.type == "BCEWithLogitsLoss")
    graph.nodes[cost].type = "MSELoss"
    win = BareWindow(graph)
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    runner.step_once()
    qtbot.waitUntil(lambda: len(runner.history) > 0 or runner.step >= 1, timeout=10000)
    runner.step_epoch()
    qtbot.waitUntil(lambda: len(runner.history) > 0, timeout=10000)
    panel = win.panels["loss"]
    panel.refresh(runner)
    assert not panel.metric_curves
    assert "regression" in panel.metric_plot.titleLabel.text
    runner.shutdown()
    win.close()
