"""The timeline (scrub back: every panel shows that moment; resume from it), Save with
Weights (reopening gives the same predictions bit for bit), and the user's points and
data seed living in the document (undoable, saved)."""
from __future__ import annotations

import operator

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.panels import attach  # noqa: E402
from tests.gui._panel_support import BareWindow, mlp_graph  # noqa: E402


def _train_to(qtbot, runner, step):
    """Step exactly up to ``step`` and wait until the paused frame (with its grid) is in."""
    runner.step_n(step - runner.step)
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step == step
                    and not runner.running and step in runner.timeline_steps, timeout=20000)
    qtbot.wait(100)   # the frame with the grid, then one redraw
    runner.redraw_now()


def _shown(win):
    """What the panels show of a moment: the boundary's colours, the step labels."""
    win.runner.redraw_now()
    return (win.panels["boundary"].image.image.copy(), win.panels["controls"].status.text().split(" · ")[0],
            win.panels["loss"].status.text().split("  ")[0], win.panels["timeline"].step_label.text())


@pytest.fixture
def window(qtbot):
    win = BareWindow(mlp_graph((2, 6, 6, 1), n_samples=300, probe_every=5))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=20000)
    yield win, runner
    win.close()


def test_scrubbing_back_shows_that_moment_in_every_panel_and_resume_retrains_it(window, qtbot):
    win, runner = window
    _train_to(qtbot, runner, 100)
    then = _shown(win)
    grid_then = runner.grid.copy()
    assert then[1] == "step 100" and then[2] == "step 100"
    _train_to(qtbot, runner, 300)
    later = runner.history.column("loss").copy(), runner.history.column("step").copy()
    assert not np.array_equal(_shown(win)[0], then[0])

    timeline = win.panels["timeline"]
    assert timeline.slider.value() == timeline.slider.maximum()   # at the live end
    timeline.slider.setValue(list(runner.timeline_steps).index(100))   # drag back to step 100
    qtbot.waitUntil(lambda: runner.preview_step == 100 and runner.snapshot.step == 100, timeout=10000)
    qtbot.wait(50)
    now = _shown(win)
    np.testing.assert_array_equal(runner.grid, grid_then)   # the same weights: the same boundary
    np.testing.assert_array_equal(now[0], then[0])
    assert now[1:3] == then[1:3]
    assert "100" in now[3] and timeline.resume_button.isEnabled()
    marker = win.panels["loss"].markers[0]
    assert marker.isVisible() and marker.value() == 100   # where on the curves that moment is
    assert len(runner.history) == len(later[0])   # looking back drops nothing

    timeline.resume_button.click()   # train on from step 100: what came after goes
    qtbot.waitUntil(lambda: runner.preview_step is None and runner.running, timeout=10000)
    runner.redraw_now()
    assert not marker.isVisible()
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)
    if runner.step < 300:
        _train_to(qtbot, runner, 300)
    steps = runner.history.column("step")
    assert (np.diff(steps) > 0).all()   # one history, no second branch after step 100
    assert max(runner.timeline_steps) <= runner.step
    # ... and training from the moment repeats the first run exactly
    again = dict(zip(steps, runner.history.column("loss")))
    first = dict(zip(*reversed(later)))
    common = [k for k in first if 100 < k <= 300 and k in again]
    assert len(common) >= 30 and all(first[k] == again[k] for k in common)


def test_play_while_looking_back_goes_on_from_the_live_moment(window, qtbot):
    win, runner = window
    _train_to(qtbot, runner, 120)
    back = runner.timeline_steps[len(runner.timeline_steps) // 2]
    assert 0 < back < 120
    runner.scrub_to(back + 1)   # the moment kept at or before it
    qtbot.waitUntil(lambda: runner.preview_step == back and runner.snapshot.step == back, timeout=10000)
    runner.step_n(5)
    qtbot.waitUntil(lambda: runner.preview_step is None and runner.snapshot.step == 125, timeout=10000)
    assert 120 in runner.timeline_steps and back in runner.timeline_steps
    live = runner.call_in_worker(operator.methodcaller("weights"))
    runner.scrub_to(back)
    qtbot.waitUntil(lambda: runner.preview_step == back, timeout=10000)
    win.document.set_setting("batch_size", 20)   # an edit while looking back ...
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step == 0
                    and runner.preview_step is None, timeout=10000)
    kept = runner.call_in_worker(operator.methodcaller("weights"))   # ... keeps the live weights
    assert all((kept[k] == live[k]).all() for k in live)


def _save_window(qtbot, tmp_path, **answers):
    from playground.main_window import MainWindow

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard", **answers),
                     data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(win)
    win.show()
    QApplication.processEvents()
    return win


def _predict(runner, x):
    return runner.call_in_worker(operator.methodcaller("predict", x))


def test_save_with_weights_reopens_to_identical_predictions(qtbot, tmp_path):
    pytest.importorskip("playground.main_window")
    source = tmp_path / "source.nnpg"
    fileformat.save(mlp_graph((2, 5, 1), n_samples=200), source)
    path = tmp_path / "trained.nnpg"
    win = _save_window(qtbot, tmp_path, save_file=str(path))
    assert win.open_file(str(source))
    runner = win.runner
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=20000)
    _train_to(qtbot, runner, 150)
    x = runner.dataset.x
    trained = _predict(runner, x)
    win.path = None   # Save with Weights asks where, like Save As
    assert win.save_with_weights()
    assert path.exists() and fileformat.weights_path(path).exists()
    win.close()

    again = _save_window(qtbot, tmp_path)
    assert again.open_file(str(path))
    qtbot.waitUntil(lambda: again.runner.snapshot is not None, timeout=20000)
    assert (_predict(again.runner, x) == trained).all()   # bit for bit
    first = again.runner.snapshot
    assert again.open_file(str(source))   # a file without its .npz: weights from the seed
    qtbot.waitUntil(lambda: again.runner.snapshot is not None and again.runner.snapshot is not first,
                    timeout=20000)
    assert not (_predict(again.runner, x) == trained).all()
    again.close()



def test_weights_that_do_not_fit_the_graph_are_said_and_the_line_stays(qtbot, tmp_path):
    """A .npz beside the file from another version of the graph: it trains from the seed's
    weights and the status bar says why, and keeps saying it once the new session's frames
    arrive (they must not count it as a message about an older session)."""
    pytest.importorskip("playground.main_window")
    from engine.train import Session

    path = tmp_path / "wider.nnpg"
    fileformat.save(mlp_graph((2, 5, 1), n_samples=200), path,
                    weights=Session.from_graph(mlp_graph((2, 3, 1), n_samples=200)).weights())
    win = _save_window(qtbot, tmp_path)
    assert win.open_file(str(path))
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=20000)
    qtbot.wait(300)
    win.runner.redraw_now()
    assert "wider.npz" in win.statusBar().currentMessage()
    win.close()

def test_save_with_weights_without_a_session_says_why(qtbot, tmp_path):
    pytest.importorskip("playground.main_window")
    win = _save_window(qtbot, tmp_path, save_file=str(tmp_path / "x.nnpg"))
    assert not win.save_with_weights()   # an empty document trains nothing
    assert win.dialogs.shown and "no trained weights" in win.dialogs.shown[-1][2]
    assert not (tmp_path / "x.nnpg").exists()
    win.close()


def test_clicked_points_and_new_data_live_in_the_document_undoably(qtbot, tmp_path):
    pytest.importorskip("playground.main_window")
    source = tmp_path / "points.nnpg"
    fileformat.save(mlp_graph((2, 5, 1), n_samples=200), source)
    win = _save_window(qtbot, tmp_path)
    assert win.open_file(str(source))
    runner = win.runner
    qtbot.waitUntil(lambda: runner.dataset is not None, timeout=20000)
    n = len(runner.dataset.x_train)
    boundary = win.panels["boundary"]
    boundary.add_point(1.5, -2.0, 1)
    assert win.document.settings["dataset"]["points"] == [[1.5, -2.0, 1]]
    qtbot.waitUntil(lambda: len(runner.dataset.x_train) == n + 1, timeout=10000)
    assert tuple(runner.dataset.x_train[-1]) == (1.5, -2.0) and runner.dataset.y_train[-1] == 1
    boundary.regenerate()
    assert win.document.settings["dataset"]["seed"] == 1
    old = runner.dataset.x_train[:5].copy()
    qtbot.waitUntil(lambda: not np.array_equal(runner.dataset.x_train[:5], old), timeout=10000)
    assert len(runner.dataset.x_train) == n + 1   # the point stays with new data ...
    win.training_panel._dataset_option("noise", 0.1)   # ... and with an edit of the dataset
    assert win.document.settings["dataset"]["points"] == [[1.5, -2.0, 1]]
    win.undo_stack.undo()
    assert win.save()
    reopened = fileformat.load(source).settings["dataset"]
    assert reopened["points"] == [[1.5, -2.0, 1]] and reopened["seed"] == 1
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert "points" not in win.document.settings["dataset"] and "seed" not in win.document.settings["dataset"]
    qtbot.waitUntil(lambda: len(runner.dataset.x_train) == n, timeout=10000)
    win.close()


def test_resuming_from_an_earlier_moment_rewinds_the_lessons_goals(qtbot):
    """A goal met after the moment training resumes from no longer counts: the checklist
    judges the new course of training (it once kept goals met on the dropped branch)."""
    from engine.lessons.goals import MET, PENDING

    graph = mlp_graph((2, 6, 6, 1), n_samples=300, probe_every=5)
    graph.settings["steps"] = 400
    graph.lesson = {"chapter": "mlp", "order": 1, "title": {"en": "t"}, "summary": {"en": "s"},
                    "goals": [{"id": "late", "text": {"en": "reach step 200"}, "metric": "step",
                               "op": ">=", "value": 200, "when": "by"}]}
    win = BareWindow(graph)
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=20000)
    _train_to(qtbot, runner, 300)
    qtbot.waitUntil(lambda: runner.goals and runner.goals[0].status == MET, timeout=10000)
    runner.set_speed(20)   # slow enough to see the goal pending again before step 200
    back = max(s for s in runner.timeline_steps if s <= 100)
    runner.scrub_to(back)
    qtbot.waitUntil(lambda: runner.preview_step == back, timeout=10000)
    runner.resume_here()
    qtbot.waitUntil(lambda: runner.goals[0].status == PENDING, timeout=10000)
    assert runner.step < 200
    runner.set_speed(0)
    qtbot.waitUntil(lambda: runner.goals[0].status == MET, timeout=20000)
    runner.pause()
    win.close()
