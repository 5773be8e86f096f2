"""The sequence, attention and initialisation views and the honest diagnostics, by their
content: what each draws is checked against the snapshot or the engine's numbers."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine.graph.validate import Problem  # noqa: E402
from engine.train import diagnostics  # noqa: E402
from engine.train.initstats import init_statistics  # noqa: E402
from playground.panels import attach  # noqa: E402
from playground.panels.gradflow import FIXED_RANGE  # noqa: E402
from tests.graph.test_views_probes import attention_graph  # noqa: E402
from tests.gui._panel_support import BareWindow, example, mlp_graph  # noqa: E402


def _window(qtbot, graph, steps):
    win = BareWindow(graph)
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=15000)
    if steps:
        runner.step_n(steps)
        qtbot.waitUntil(lambda: runner.snapshot.step >= steps and not runner.running, timeout=30000)
    qtbot.wait(30)
    return win, runner


def test_sequence_view_draws_the_lstm_gates_states_and_bptt(qtbot):
    win, runner = _window(qtbot, example("lstm_delay_copy"), 30)
    panel = win.panels["sequence"]
    assert win.view_chooser.best(runner.dataset) is panel   # picked for sequence data
    panel.refresh(runner)
    snap = runner.snapshot
    rec = snap.recurrent["lstm"]
    for i in (0, 3):
        panel.sample_box.setValue(i)
        _, forget = panel.gate_items["forget"].getData()
        np.testing.assert_allclose(forget, rec["gates"]["forget"][i].mean(-1), rtol=1e-6)
        assert set(panel.gate_items) == {"input", "forget", "cell", "output"}
        np.testing.assert_allclose(panel.state_image.image, rec["c"][i].T, rtol=1e-6)
        _, target = panel.io_items["target"].getData()
        _, pred = panel.io_items["pred"].getData()
        np.testing.assert_allclose(target, snap.sequence["target"][i], rtol=1e-6)
        np.testing.assert_allclose(pred, snap.sequence["prediction"][i], rtol=1e-6)
        x, _ = panel.io_items["target"].getData()
        assert list(x) == [30]   # one target value, at the last of the 31 steps
    steps, norms = panel.bptt_curve.xData, panel.bptt_curve.yData   # getData() is log10 on a log axis
    np.testing.assert_allclose(norms, rec["grad_norm"], rtol=1e-6)
    assert list(steps) == list(range(31))
    win.close()


def test_sequence_view_explains_data_it_does_not_draw(qtbot):
    win, runner = _window(qtbot, mlp_graph((2, 4, 1), n_samples=100), 0)
    panel = win.panels["sequence"]
    panel.refresh(runner)
    assert panel.note.isVisibleTo(panel) and not panel.body.isVisibleTo(panel)
    assert "sequence" in panel.note.text()
    win.close()


def test_attention_panel_shows_every_head(qtbot):
    g = attention_graph("MultiheadAttention", heads=2, window=6)
    win, runner = _window(qtbot, g, 10)
    panel = win.panels["attention"]
    panel.refresh(runner)
    (node, w), = runner.snapshot.attention.items()
    assert w.shape[1:] == (2, 6, 6)
    for k in range(2):
        image = panel.items[("attn", node, k)].image
        np.testing.assert_allclose(image, w[:, k].mean(0), rtol=1e-6)
        np.testing.assert_allclose(image.sum(-1), 1.0, atol=1e-5)   # each query's weights
    assert not np.allclose(panel.items[("attn", node, 0)].image, panel.items[("attn", node, 1)].image)
    win.close()


def test_init_explorer_follows_the_choices(qtbot):
    win, _ = _window(qtbot, mlp_graph((2, 4, 1), n_samples=100), 0)
    panel = win.panels["init"]
    panel.apply_options({"depth": 6, "width": 32, "activation": "Sigmoid", "init": "standard"})
    want = init_statistics(6, 32, "Sigmoid", "standard")
    layers, grads = panel.curves["gradient_var"].xData, panel.curves["gradient_var"].yData
    assert list(layers) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(grads, want["gradient_var"], rtol=1e-6)
    assert grads[0] < 1e-3 * grads[-1]   # vanishing towards the input
    panel.act_box.setCurrentText("ReLU")
    panel.init_box.setCurrentIndex(panel.init_box.findData("kaiming_normal"))
    grads = panel.curves["gradient_var"].yData
    np.testing.assert_allclose(grads, init_statistics(6, 32, "ReLU", "kaiming_normal")["gradient_var"], rtol=1e-6)
    assert grads.max() < 10 * grads.min()
    win.close()


def test_diagnostics_say_not_trained_yet_before_the_first_step(qtbot):
    win, runner = _window(qtbot, mlp_graph((2, 4, 1), n_samples=100), 0)
    panel = win.panels["diagnostics"]
    assert runner.snapshot.step == 0
    panel.refresh(runner)
    text = panel.text.toPlainText()
    assert "Not trained yet" in text and "No problems" not in text
    runner.step_n(50)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 50 and not runner.running, timeout=20000)
    panel.refresh(runner)
    assert "Not trained yet" not in panel.text.toPlainText()
    win.close()


def test_diagnostics_and_activations_agree_on_saturation(qtbot):
    """A tanh net that learned XOR with saturated units: no verdict (by design), but the
    Diagnostics panel never says 'not saturated' where the Activations panel shows it."""
    g = mlp_graph((2, 16, 16, 16, 1), "Tanh", "xor", n_samples=400, lr=5.0)
    win, runner = _window(qtbot, g, 300)
    snap = runner.snapshot
    saturated = dict(diagnostics.saturated_nodes([snap]))
    assert saturated, "the setup should saturate"
    node = next(iter(saturated))
    acts, diag = win.panels["activations"], win.panels["diagnostics"]
    acts.refresh(runner)   # lists the nodes
    acts.node_box.setCurrentText(node)
    acts.refresh(runner)
    diag.refresh(runner)
    assert "(a saturated node)" in acts.stats.text()
    text = diag.text.toPlainText()
    assert "neither saturated" not in text and node in text
    win.close()


def test_gradient_bars_below_the_axis_get_a_marker_and_the_scale_can_be_fixed(qtbot):
    win, runner = _window(qtbot, mlp_graph((2, 4, 4, 1), n_samples=100), 10)
    panel = win.panels["gradflow"]
    panel.apply_options({"scale": "fixed"})
    assert panel.fixed_box.isChecked()
    snap = runner.snapshot
    names = panel._params(snap.gradients)
    snap.gradients[names[0]].max_abs = snap.gradients[names[0]].mean_abs = 0.0   # a dead layer
    panel.refresh(runner)
    lo, hi = panel.bar_plot.vb.viewRange()[1]
    assert (lo, hi) == pytest.approx(FIXED_RANGE)
    x, y = panel.below.getData()
    assert list(x) == [0.0] and lo <= y[0] < hi   # drawn at the floor, inside the view
    panel.apply_options({"scale": "auto"})
    assert not panel.fixed_box.isChecked()
    win.close()


def test_boundary_node_chooser_lists_each_node_once(qtbot):
    win, runner = _window(qtbot, example("xor_mlp"), 10)
    panel = win.panels["boundary"]
    panel.refresh(runner)
    items = [panel.node_box.itemText(i) for i in range(panel.node_box.count())]
    assert items.count("output") == 1 and items[0] != "output"
    panel.node_box.setCurrentIndex(items.index("output"))
    assert panel.shown_node == "output"   # the node called "output", not the network's output
    panel.node_box.setCurrentIndex(0)
    assert panel.shown_node is None
    win.close()


def test_status_bar_counts_errors_and_warnings(qtbot, tmp_path):
    from playground.editor.dialogs import ScriptedDialogs  # noqa: PLC0415
    from playground.main_window import MainWindow  # noqa: PLC0415

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    qtbot.addWidget(win)
    win.scene.add_node("Linear", (0.0, 0.0))
    problems = [Problem("shape", "a"), Problem("compile", "b"), Problem("unused", "c", severity="warning")]
    win._problems_changed(problems)
    text = win.check_label.text()
    assert "2 errors" in text and "1 warning" in text
    win.close()


def test_moe_gate_choice_is_drawn_over_the_plane_with_a_key(qtbot):
    from engine.train.gatemap import GateMap  # noqa: PLC0415
    from playground.panels.base import CLASS_COLORS  # noqa: PLC0415

    win, runner = _window(qtbot, example("mixture_of_experts"), 40)
    panel = win.panels["attention"]
    panel.raise_()
    panel.refresh(runner)   # lays out the MoE row, then asks the worker for the map
    runner.step_n(10)
    qtbot.waitUntil(lambda: isinstance(runner.views.get("attention"), GateMap), timeout=15000)
    panel.refresh(runner)
    gm = runner.views["attention"]
    image = panel.items[("map", "moe")].image
    assert image.shape == gm.expert.shape + (3,)
    sure = gm.weight > 0.99   # where the gate is sure, the pixel is its expert's colour
    assert sure.any()
    palette = np.array(CLASS_COLORS[:gm.n_experts])
    np.testing.assert_allclose(image[sure], palette[gm.expert[sure]], atol=2)
    legend = panel.items[("map", "moe")].plot.legend
    assert [label.text for _, label in legend.items] == [f"expert {i}" for i in range(4)]
    win.close()


def test_the_status_bar_counts_what_playground_check_lists(qtbot, tmp_path, capsys):
    """A problem only compiling finds (the perceptron rule on a two-layer net) is counted by
    the status bar too, as `playground check` lists it."""
    from engine.graph import fileformat  # noqa: PLC0415
    from playground.cli import main  # noqa: PLC0415
    from playground.editor.dialogs import ScriptedDialogs  # noqa: PLC0415
    from playground.main_window import MainWindow  # noqa: PLC0415

    graph = example("xor_mlp")
    graph.settings["trainer"] = "perceptron"
    path = tmp_path / "perceptron_mlp.nnpg"
    fileformat.save(graph, path)
    assert main(["check", str(path)]) == 2
    listed = [line for line in capsys.readouterr().out.splitlines() if "error" in line.lower()]
    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                     autosave=False)
    qtbot.addWidget(win)
    assert win.open_file(str(path))
    win.scene.validate_now()
    assert [p.kind for p in win.scene.problems] == ["compile"]
    assert "1 error" in win.check_label.text() and len(listed) >= 1
    win.close()
