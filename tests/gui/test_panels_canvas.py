"""The panels in the editor's main window: step-through mode, canvas overlays, and a
screenshot of the whole window mid-training."""
from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("pytestqt")
main_window = pytest.importorskip("playground.main_window")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.panels.stepthrough import BACKWARD_COLOR, FORWARD_COLOR, fmt  # noqa: E402
from tests.gui._panel_support import EXAMPLES, in_worker, is_marked, mark_session, worker_step  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    def open_example(name):
        # closing at teardown discards the edits instead of asking (a modal would block)
        win = main_window.MainWindow(autosave=False, data_dir=tmp_path,
                                     dialogs=ScriptedDialogs(unsaved_changes="discard"))
        qtbot.addWidget(win)
        win.resize(1600, 1000)
        win.show()
        assert win.open_file(str(EXAMPLES / f"{name}.nnpg"))
        qtbot.waitUntil(lambda: win.runner.snapshot is not None
                        and win.runner.dataset is not None, timeout=15000)
        opened.append(win)
        return win
    opened = []
    yield open_example
    for win in opened:
        win.close()


def test_step_through_shows_the_chain_rule(window, qtbot):
    win = window("xor_mlp")
    panel = win.panels["stepthrough"]
    scene = win.scene
    panel.start()
    qtbot.waitUntil(lambda: panel.trace is not None, timeout=10000)
    t = panel.trace
    phases = [p for p, _ in panel.steps]
    assert phases.index("backward") == len(t["values"])   # all forward steps come first
    assert [n for p, n in panel.steps if p == "forward"][:2] == ["x", "hidden"]

    panel.go(1)  # forward through "hidden"
    assert scene.node_item("hidden").highlight == FORWARD_COLOR
    edge = next(e for e in scene.node_item("hidden").edges if e.edge.dst == "tanh")
    assert edge.value_text == fmt(t["values"]["hidden"]["out"])
    assert "," in edge.value_text  # one sample, two units: the numbers themselves

    back = panel.steps.index(("backward", "tanh"))
    panel.go(back)
    assert scene.node_item("tanh").highlight == BACKWARD_COLOR
    assert scene.node_item("hidden").highlight is None
    g_out = t["grads"]["tanh"]["out"]
    local = t["local_derivatives"]["tanh"]
    product = t["edge_grads"][edge.edge]
    np.testing.assert_allclose(product, g_out * local, rtol=1e-5)  # the chain rule
    assert edge.value_text == f"{fmt(g_out)} × {fmt(local)} = {fmt(product)}"
    assert "local derivative" in panel.text.toPlainText()

    panel.go(panel.steps.index(("backward", "hidden")))
    panel.check_current()
    qtbot.waitUntil(lambda: "hidden" in panel.checks, timeout=10000)
    assert panel.checks["hidden"] < 1e-6
    assert "agrees" in panel.text.toPlainText()
    panel.stop()
    assert edge.value_text is None and scene.node_item("tanh").highlight is None


def test_diagnostics_highlight_and_gradient_heat(window, qtbot):
    win = window("deep_sigmoid")
    runner, diag = win.runner, win.panels["diagnostics"]
    runner.play()
    qtbot.waitUntil(lambda: bool(runner.snapshot.verdicts), timeout=15000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    diag.refresh(runner)
    diag.refresh_canvas(runner)
    verdict = runner.snapshot.verdicts[0]
    assert verdict.kind == "vanishing"
    assert "anishing" in diag.text.toPlainText()
    for node in verdict.nodes:
        assert win.scene.node_item(node).highlight is not None
    diag.heat_box.setChecked(True)
    heats = {n: win.scene.node_item(n).heat for n in win.document.nodes
             if win.scene.node_item(n).heat is not None}
    assert min(heats.values()) == 0.0 and max(heats.values()) == 1.0
    # vanishing: the first layer gets the least gradient
    assert heats[verdict.nodes[0]] == 0.0
    assert not win.panels["weights"].canvas_box.isChecked()  # one owner of the edge styles


def test_weights_style_the_edges_and_hover_shows_neurons(window, qtbot):
    win = window("xor_mlp")
    runner = win.runner
    runner.step_n(50)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 50, timeout=10000)
    win.panels["weights"].refresh_canvas(runner)
    into_hidden = [e for e in win.scene.node_item("hidden").edges if e.edge.dst == "hidden"]
    assert into_hidden and all(e.color is not None and e.width > 1 for e in into_hidden)
    # hover the "tanh" node on the canvas: the boundary panel shows its two neurons (once it
    # has drawn this run: its node list comes from the run)
    runner.redraw_now()
    boundary = win.panels["boundary"]
    item = win.scene.node_item("tanh")
    pos = win.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseMove(win.view.viewport(), QPoint(pos.x(), pos.y()))
    qtbot.waitUntil(lambda: boundary.node_grid is not None, timeout=5000)
    assert boundary.shown_node == "tanh" and boundary.node_grid.shape[-1] == 2


def test_screenshot_mid_training(window, qtbot, tmp_path):
    win = window("xor_mlp")
    runner = win.runner
    # a fixed number of steps, not "play until": at full speed the run would reach a
    # different (sometimes one-coloured) state on every machine
    runner.step_n(400)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 400 and runner.grid is not None, timeout=20000)
    runner.redraw_now()
    path = os.environ.get("PANELS_SCREENSHOT") or str(tmp_path / "window.png")
    image = win.grab().toImage()
    assert image.save(path)
    # the decision boundary is on screen, with both class colours
    box = win.panels["boundary"]
    top_left = box.mapTo(win, QPoint(0, 0))
    region = image.copy(top_left.x(), top_left.y(), box.width(), box.height())
    pixels = np.array([[region.pixelColor(x, y).getRgb()[:3] for x in range(0, region.width(), 6)]
                       for y in range(0, region.height(), 6)]).reshape(-1, 3)
    blue = np.sum((pixels[:, 2] > 150) & (pixels[:, 0] < 80))
    orange = np.sum((pixels[:, 0] > 200) & (pixels[:, 2] < 100))
    assert blue > 50 and orange > 50


def test_settings_edits_apply_live_and_graph_edits_keep_weights(window, qtbot):
    from playground.editor import commands

    win = window("xor_mlp")
    runner = win.runner
    runner.step_n(40)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 40, timeout=10000)
    in_worker(runner, mark_session)   # this session: a recompile builds a new one
    # the Training settings panel edits the document: the running optimizer follows
    new = dict(win.document.settings["optimizer"], lr=0.05)
    win.undo_stack.push(commands.set_setting(win.document, "optimizer", new))
    qtbot.waitUntil(lambda: runner.snapshot.lr == pytest.approx(0.05), timeout=5000)
    assert in_worker(runner, is_marked) and worker_step(runner) == 40  # not rebuilt
    assert win.panels["controls"].lr.value() == pytest.approx(0.05)
    # a structural edit recompiles; the unchanged layer keeps its trained weights
    trained_hidden = runner.snapshot.weights["hidden.weight"].copy()
    win.undo_stack.push(commands.set_param(win.document, "output", "bias", False))
    qtbot.waitUntil(lambda: in_worker(runner, is_marked) is False and runner.snapshot is not None
                    and "output.bias" not in runner.snapshot.weights, timeout=10000)
    np.testing.assert_allclose(runner.snapshot.weights["hidden.weight"], trained_hidden)
