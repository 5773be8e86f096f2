"""The panels follow the document: New and Open clear every panel (nothing of the previous
document's run stays on screen), a failed open leaves the document and its panels as they
were, and Pause shows the step the model is at."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QTextEdit  # noqa: E402

from engine.graph.document import Graph  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.invariants import check_window, shown_data  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402
from playground.runner import Runner  # noqa: E402
from tests.gui._panel_support import EXAMPLES, mlp_graph, worker_step  # noqa: E402
from tests.gui.test_runner import session_factory  # noqa: E402


def panel_texts(panel) -> dict:
    """Every text a panel shows: labels, text boxes, list choices, texts in its plots."""
    out = {}
    for i, w in enumerate(panel.findChildren(QLabel)):
        out[f"label {i}"] = w.text()
    for i, w in enumerate(panel.findChildren(QTextEdit)):
        out[f"text {i}"] = w.toPlainText()
    for i, w in enumerate(panel.findChildren(QComboBox)):
        out[f"choices {i}"] = [w.itemText(j) for j in range(w.count())]
    for view in panel.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.TextItem):
                out.setdefault("plot texts", []).append(item.toPlainText())
            elif isinstance(item, pg.LabelItem):
                out.setdefault("plot texts", []).append(item.text)
    return out


@pytest.fixture
def make_window(qtbot, tmp_path):
    made = []

    def make():
        w = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                       autosave=False)
        qtbot.addWidget(w)
        w.resize(1600, 1000)
        w.show()
        QApplication.processEvents()
        made.append(w)
        return w
    yield make
    for w in made:
        w.close()


def train_with_every_panel_shown(win, qtbot, steps=30):
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=15000)
    win.runner.step_n(steps)
    qtbot.waitUntil(lambda: win.runner.snapshot.step >= steps and not win.runner.running, timeout=15000)
    for panel in win.panels.values():  # each tab in turn, so that each draws (and asks for its extras)
        panel.raise_()
        qtbot.wait(30)
        win.runner.redraw_now()


def test_new_and_open_leave_no_panel_with_the_previous_documents_run(make_window, qtbot):
    fresh = make_window()
    fresh_texts = {name: panel_texts(p) for name, p in fresh.panels.items()}
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot)
    drawn = {name for name, p in win.panels.items() if getattr(p, "follows_run", True) and shown_data(p)}
    assert {"loss", "boundary", "gradflow", "weights", "activations"} <= drawn

    assert win.new_file()
    assert check_window(win) == []          # no curve, image or bar of the old run ...
    qtbot.wait(100)                         # ... nor once frames still on their way arrive
    win.runner.redraw_now()
    assert win.runner.snapshot is None and check_window(win) == []
    for name, panel in win.panels.items():  # ... and no text: as in a window just opened
        assert panel_texts(panel) == fresh_texts[name], name

    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot)
    assert win.open_file(str(EXAMPLES / "deep_sigmoid.nnpg"))
    assert check_window(win) == []          # cleared at once, before the new run's first frame
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=15000)
    win.runner.redraw_now()
    nodes = set(win.document.nodes)
    assert set(win.runner.snapshot.activations) <= nodes
    boundary = win.panels["boundary"].node_box
    assert {boundary.itemText(i) for i in range(1, boundary.count())} <= nodes
    activations = win.panels["activations"].node_box
    assert {activations.itemText(i) for i in range(activations.count())} <= nodes


def test_a_failed_open_leaves_the_document_and_its_panels_as_they_were(make_window, qtbot, tmp_path):
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot)
    win.scene.select_nodes(["hidden"])
    before = (win.document.to_dict(), win.windowTitle(), win.runner.snapshot, win.inspector.node_id,
              {name: (shown_data(p), panel_texts(p)) for name, p in win.panels.items()})
    bad = tmp_path / "bad.nnpg"
    bad.write_text('{"format": "nnpg", "version": 1, "graph": {"nodes": [{"id": 3', encoding="utf-8")
    assert not win.open_file(str(bad))
    assert win.dialogs.shown and win.dialogs.shown[-1][0] == "error"
    win.runner.redraw_now()
    after = (win.document.to_dict(), win.windowTitle(), win.runner.snapshot, win.inspector.node_id,
             {name: (shown_data(p), panel_texts(p)) for name, p in win.panels.items()})
    assert after == before
    assert check_window(win) == []


def test_pause_shows_the_step_the_model_is_at(qtbot):
    """Probes are rare here (every 1000 steps): the last probe's snapshot is step 0, the model
    is dozens of steps further when Pause is pressed."""
    runner = Runner()
    try:
        runner.set_session_factory(session_factory(mlp_graph((2, 4, 1), n_samples=200, probe_every=1000)))
        qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=10000)
        runner.play()
        qtbot.waitUntil(lambda: worker_step(runner) >= 50, timeout=10000)
        with qtbot.waitSignal(runner.runningChanged, timeout=5000, check_params_cb=lambda on: not on):
            runner.pause()
        qtbot.waitUntil(lambda: runner.snapshot.step > 0, timeout=5000)
        assert runner.snapshot.step == worker_step(runner)
    finally:
        runner.shutdown()


def test_pause_in_the_window_shows_the_current_step_in_every_panel(make_window, qtbot):
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=15000)
    win.runner.set_hparam("probe_every", 1000)   # the last probe stays far behind the model
    win.actions["run"].trigger()
    qtbot.waitUntil(lambda: worker_step(win.runner) >= 30, timeout=15000)
    win.actions["pause"].trigger()
    qtbot.waitUntil(lambda: not win.runner.running and win.runner.snapshot.step > 0, timeout=10000)
    win.runner.redraw_now()
    at = worker_step(win.runner)
    assert win.runner.snapshot.step == at
    assert f"step {at} " in win.panels["controls"].status.text() + " "


def test_reset_clears_the_runs_panels(make_window, qtbot):
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot)
    with qtbot.waitSignal(win.runner.reset_done, timeout=10000):
        win.actions["reset"].trigger()
    qtbot.waitUntil(lambda: win.runner.snapshot is not None and win.runner.snapshot.step == 0, timeout=10000)
    win.runner.redraw_now()
    assert len(win.runner.history) == 0
    assert "step 0 " in win.panels["controls"].status.text() + " "
    assert not shown_data(win.panels["loss"])


def test_deleting_every_node_leaves_no_run_on_screen(make_window, qtbot):
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot, steps=10)
    win.select_all()
    assert win.scene.delete_selected() and not win.document.nodes
    qtbot.waitUntil(lambda: win.runner.snapshot is None, timeout=5000)  # after the edit's debounce
    win.runner.redraw_now()
    assert check_window(win) == []


def test_panels_that_show_a_node_cope_with_it_vanishing(make_window, qtbot):
    """Step-through and the boundary's neuron view hold a node id; the node is deleted (and
    its neighbours joined, so that the graph still trains)."""
    win = make_window()
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    train_with_every_panel_shown(win, qtbot, steps=10)
    boundary, stepthrough = win.panels["boundary"], win.panels["stepthrough"]
    boundary.raise_()
    boundary.node_box.setCurrentText("tanh")
    assert boundary.shown_node == "tanh"
    stepthrough.raise_()
    stepthrough.start()
    qtbot.waitUntil(lambda: stepthrough.trace is not None, timeout=10000)
    stepthrough.go(stepthrough.steps.index(("forward", "tanh")))
    assert win.scene.node_item("tanh").highlight is not None

    win.scene.select_nodes(["tanh"])
    assert win.scene.delete_selected()
    for i in range(len(stepthrough.steps)):   # walking over the gone node draws nothing, raises nothing
        stepthrough.go(i)
    assert win.scene.connect_ports("hidden", "out", "output", "input")
    messages = []
    win.runner.message.connect(messages.append)
    qtbot.waitUntil(lambda: stepthrough.trace is None, timeout=10000)  # the edited graph's run
    win.runner.play()
    qtbot.waitUntil(lambda: boundary.shown_node is None, timeout=10000)
    qtbot.wait(300)
    win.runner.pause()
    assert boundary.node_box.currentIndex() == 0   # the "network output" entry, not the node named output
    assert not [m for m in messages if "tanh" in m], messages
    assert check_window(win) == [] and not win.observer_failures


def test_canvas_overlays_come_back_when_the_canvas_is_rebuilt(make_window, qtbot):
    """Leaving a module's inside re-creates every item of the main graph: the diagnostics'
    highlights return on the new items (the panel does not trust its record of the old ones)."""
    win = make_window()
    assert win.open_file(str(EXAMPLES / "deep_sigmoid.nnpg"))
    runner, diag = win.runner, win.panels["diagnostics"]
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=15000)
    runner.play()
    qtbot.waitUntil(lambda: bool(runner.snapshot.verdicts), timeout=15000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    diag.refresh_canvas(runner)
    flagged = [n for v in runner.snapshot.verdicts for n in v.nodes]
    assert flagged and all(win.scene.node_item(n).highlight is not None for n in flagged)
    win.scene.enter("a block's inside", Graph(), True)   # what opening a ready-made block shows
    qtbot.wait(50)
    win.scene.go_to_level(0)                              # back: every item is new
    qtbot.waitUntil(lambda: all(win.scene.node_item(n).highlight is not None for n in flagged), timeout=3000)
