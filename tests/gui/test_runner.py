"""The training runner: a worker that owns the Session, driven by queued requests; each
test of a running worker runs with it in a thread and in a process of its own (the app's
way, playground/training_process.py), and reads the session the same way in both: with
``call_in_worker`` and a function that can travel (not a lambda)."""
from __future__ import annotations

import functools
import operator
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from playground.runner import (GridSpec, History, Runner, confusion_matrix, graph_session,  # noqa: E402
                               steps_per_epoch)
from tests.gui._panel_support import mlp_graph, worker_step  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def session_factory(graph):
    return functools.partial(graph_session, graph.copy())


MODES = ("thread", "process")


@pytest.fixture(params=MODES)
def runner(qtbot, request):
    r = Runner(in_process=request.param == "process")
    r.set_session_factory(session_factory(mlp_graph((2, 4, 1), n_samples=200)))
    qtbot.waitUntil(lambda: r.snapshot is not None, timeout=30000)
    yield r
    r.shutdown()


def test_play_sends_every_probe_in_order(runner, qtbot):
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 300, timeout=15000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    steps = runner.history.column("step")
    # frames coalesce, but the history rows of every probe arrive: 10, 20, 30, ...
    assert len(steps) >= 30
    np.testing.assert_array_equal(np.diff(steps), 10)
    assert np.all(np.isfinite(runner.history.column("loss")))
    assert runner.frames_received < len(steps)  # several probes travelled in one frame


def test_pause_stops_the_steps(runner, qtbot):
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 50, timeout=10000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    qtbot.wait(50)
    before = worker_step(runner)
    qtbot.wait(300)
    assert worker_step(runner) == before


def test_step_once_and_one_epoch(runner, qtbot):
    runner.step_once()
    qtbot.waitUntil(lambda: runner.snapshot.step == 1, timeout=5000)
    per_epoch = runner.call_in_worker(steps_per_epoch)
    assert per_epoch == 10  # 100 training points, batch 10
    runner.step_epoch()
    qtbot.waitUntil(lambda: runner.snapshot.step == 1 + per_epoch, timeout=5000)
    qtbot.wait(100)
    assert worker_step(runner) == 1 + per_epoch
    assert not runner.running


def test_learning_rate_changes_mid_run(runner, qtbot):
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 50, timeout=10000)
    assert runner.snapshot.lr == pytest.approx(0.03)
    runner.set_hparam("lr", 0.25)
    qtbot.waitUntil(lambda: runner.snapshot.lr == pytest.approx(0.25) and runner.running,
                    timeout=5000)
    step_at_change = runner.snapshot.step
    qtbot.waitUntil(lambda: runner.snapshot.step > step_at_change + 20, timeout=10000)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert runner.call_in_worker(operator.attrgetter("optimizer.param_groups"))[0]["lr"] == 0.25
    lrs = runner.history.column("lr")
    assert lrs[0] == pytest.approx(0.03) and lrs[-1] == pytest.approx(0.25)


def test_bad_hyperparameter_is_a_message_not_a_crash(runner, qtbot):
    with qtbot.waitSignal(runner.message, timeout=5000) as sig:
        runner.set_hparam("no_such_thing", 1.0)
    assert "no_such_thing" in sig.args[0] and "\n" not in sig.args[0]


def test_speed_limit(runner, qtbot):
    runner.set_speed(100.0)
    runner.play()
    qtbot.wait(600)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert 10 <= worker_step(runner) <= 100


def test_grid_predictions_are_computed_in_the_worker(runner, qtbot):
    spec = GridSpec(((-6.0, 6.0), (-6.0, 6.0)), 7, 5)
    runner.set_needs("test", {"grid": spec})
    qtbot.waitUntil(lambda: runner.grid is not None, timeout=5000)
    assert runner.grid.shape == (5, 7, 1)
    runner.pause()
    expected = runner.call_in_worker(operator.methodcaller("predict", spec.points())).reshape(5, 7, 1)
    np.testing.assert_allclose(runner.grid, expected, rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_graph_error_is_one_line(qtbot, mode):
    r = Runner(in_process=mode == "process")
    try:
        g = mlp_graph((2, 4, 1))
        g.set_param(next(n for n in g.nodes if n.startswith("linear")), "in_features", 3)
        with qtbot.waitSignal(r.message, timeout=30000) as sig:
            r.set_session_factory(session_factory(g))
        assert "\n" not in sig.args[0] and "3" in sig.args[0]
        assert r.snapshot is None
    finally:
        r.shutdown()


def test_history_and_confusion_helpers(tmp_path):
    h = History()
    rows = [{"step": i, "loss": 1.0 / (i + 1)} for i in range(600)]
    rows[5]["metric:test_acc"] = 0.5
    h.append(rows)
    assert len(h) == 600 and h.column("loss")[599] == pytest.approx(1 / 600)
    assert np.isnan(h.column("metric:test_acc")[0]) and h.column("metric:test_acc")[5] == 0.5
    h.to_csv(tmp_path / "h.csv")
    text = (tmp_path / "h.csv").read_text().splitlines()
    assert text[0] == "step,loss,metric:test_acc" and len(text) == 601
    cm = confusion_matrix(np.array([0, 0, 1, 1]), np.array([[-2.0], [3.0], [1.0], [0.5]]), 2)
    np.testing.assert_array_equal(cm, [[1, 1], [0, 2]])
    cm = confusion_matrix(np.array([2, 0]), np.array([[0, 0, 1.0], [0, 1.0, 0]]), 3)
    np.testing.assert_array_equal(cm, [[0, 1, 0], [0, 0, 0], [0, 0, 1]])


CLOSE_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from playground.panels import attach
    from tests.gui._panel_support import BareWindow, mlp_graph

    def main():   # (a training process imports this file too: only its main runs this)
        app = QApplication([])
        win = BareWindow(mlp_graph())
        runner = attach(win)
        runner.set_step_limit(None)   # train on past the file's steps until closed
        win.show()
        runner.play()
        child = runner.process.process if runner.process is not None else None
        def close():
            if not (runner.running and runner.step > 0):
                print("not training when closed", runner.last_message)
            win.close()
            win.deleteLater()
            app.quit()
        QTimer.singleShot(3000, close)
        app.exec()
        if child is not None and child.is_alive():
            print("the training process still runs")
        print("closed cleanly at step", runner.step)

    if __name__ == "__main__":
        main()
""")


@pytest.mark.parametrize("mode", MODES)
def test_closing_the_window_while_training_exits_cleanly(tmp_path, mode):
    script = tmp_path / "close.py"
    script.write_text(CLOSE_SCRIPT.format(root=str(ROOT)))
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=dict(os.environ, NNPG_TRAINING=mode))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "closed cleanly" in done.stdout and "not training" not in done.stdout, done.stdout
    assert "still runs" not in done.stdout
    assert "QThread" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert time.perf_counter() - t0 < 30


def test_garbage_is_collected_in_the_gui_thread_while_training(runner, qtbot):
    """Cycles holding Qt objects must never be destroyed by the training thread."""
    import gc
    import threading

    if runner.thread is None:
        pytest.skip("training runs in a process of its own: no training thread here")
    class Cycle:
        collected_in = []

        def __init__(self):
            self.me = self

        def __del__(self):
            Cycle.collected_in.append(threading.current_thread())

    assert not gc.isenabled()  # automatic collection would run in whichever thread allocates
    runner.play()
    for _ in range(2000):  # enough young objects to cross the generation-0 threshold
        Cycle()
    qtbot.waitUntil(lambda: len(Cycle.collected_in) > 0, timeout=5000)
    runner.pause()
    assert set(Cycle.collected_in) == {threading.main_thread()}


def test_landscape_grid_shrinks_for_costly_networks():
    from playground.runner import LANDSCAPE_BUDGET_S, landscape_size

    assert landscape_size(21, None) == 7                  # first a small grid finds the cost
    assert landscape_size(21, 1e-5) == 21                 # a tiny MLP gets what was asked
    n = landscape_size(21, 0.01)                          # a CNN: 10 ms per grid point
    assert 5 <= n < 21 and n * n * 0.01 <= LANDSCAPE_BUDGET_S
    assert landscape_size(21, 10.0) == 5                  # never below a readable grid


def test_reset_starts_afresh(runner, qtbot):
    first = {k: np.array(v) for k, v in runner.snapshot.weights.items()}
    runner.step_n(40)
    qtbot.waitUntil(lambda: runner.snapshot.step == 40, timeout=10000)
    assert len(runner.history) > 0
    assert any(not np.array_equal(first[k], v) for k, v in runner.snapshot.weights.items())
    with qtbot.waitSignal(runner.reset_done, timeout=10000):
        runner.reset()
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step == 0, timeout=10000)
    assert len(runner.history) == 0 and worker_step(runner) == 0
    for k, v in runner.snapshot.weights.items():  # same seed: the same initial weights
        np.testing.assert_array_equal(v, first[k])


def test_clear_drops_the_run_and_what_the_worker_sent_before_it(runner, qtbot):
    """A new document: nothing the old session's worker sent before it heard the clear (its
    frames, a failure) reaches the panels or the status bar; the next session's frames do."""
    messages = []
    runner.message.connect(messages.append)
    runner.play()
    qtbot.waitUntil(lambda: runner.running and len(runner.history) > 0, timeout=10000)
    runner.request_node_output("no-such-node", GridSpec(((0.0, 1.0), (0.0, 1.0)), 3, 3))  # fails
    time.sleep(0.3)   # the GUI thread is busy: the worker's frames and failure wait in its queue
    runner.clear()
    assert runner.snapshot is None and len(runner.history) == 0 and not runner.running
    qtbot.wait(300)
    runner.redraw_now()
    assert runner.snapshot is None and len(runner.history) == 0 and not runner.running
    assert messages == []
    runner.set_session_factory(session_factory(mlp_graph((2, 3, 1), n_samples=100)))
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=10000)
    assert runner.snapshot.step == 0


def test_redraws_stay_at_or_below_the_clocks_rate(runner, qtbot):
    redraws0, frames0 = runner.redraws, runner.frames_received
    runner.play()
    t0 = time.perf_counter()
    qtbot.wait(1000)
    redraws, elapsed = runner.redraws - redraws0, time.perf_counter() - t0   # (read together)
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert 1 <= redraws <= elapsed * 1000 / runner.min_interval_ms + 1
    assert runner.frames_received - frames0 >= redraws - 1  # frames coalesce into redraws


def test_play_after_an_interrupted_play_steps_is_not_bounded_by_it(runner, qtbot):
    """A lesson's "Train N steps" cut short by Step: a later Play runs on, not to that N."""
    runner.set_speed(100.0)
    runner.play_steps(200)
    qtbot.waitUntil(lambda: runner.step >= 5, timeout=10000)
    runner.step_once()   # interrupts the 200 steps
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert worker_step(runner) < 200
    runner.set_speed(0.0)
    runner.play()
    qtbot.waitUntil(lambda: runner.step > 400, timeout=15000)
    runner.pause()


def test_a_costly_view_takes_at_most_its_share_of_the_worker_while_running(monkeypatch):
    """A view costing 50 ms is computed while training runs no more often than VIEW_SHARE of
    the time allows (the GUI keeps showing the last one); a cheap view, at every frame; when
    training is paused, at every frame whatever it costs. (A fake clock: no timing here.)"""
    from playground import runner as runner_module
    from playground.runner import VIEW_SHARE, Frame, TrainWorker

    clock = [100.0]
    monkeypatch.setattr(runner_module.time, "perf_counter", lambda: clock[0])

    class View:
        def __init__(self, cost):
            self.cost, self.computed = cost, 0

        def compute(self, session):
            self.computed += 1
            clock[0] += self.cost
            return self.computed

    class Session:
        dataset = type("D", (), {"x_train": np.zeros((4, 3)), "n_classes": 0})()
        classifies = False

    costly, cheap = View(0.05), View(0.0)
    worker = TrainWorker()
    worker.session, worker.needs, worker._running = Session(), {"costly": costly, "cheap": cheap}, True
    frames = 0
    while clock[0] < 110.0:   # 10 s of frames at 30 Hz, while training
        worker._extras(Frame(step=0, snapshot=None), clock[0])
        clock[0] += 1 / 30
        frames += 1
    assert cheap.computed == frames
    assert costly.computed * costly.cost <= VIEW_SHARE * 10.0 + costly.cost and costly.computed >= 10
    worker._running = False
    before = costly.computed
    for _ in range(3):
        worker._extras(Frame(step=0, snapshot=None), clock[0])
    assert costly.computed == before + 3
