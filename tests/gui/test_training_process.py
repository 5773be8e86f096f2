"""Training in a process of its own, the app's way (playground/training_process.py): the
Runner drives a TrainWorker in a child process with the same requests and replies as in a
thread. What the worker does is tested in test_runner.py, in a thread and in a process;
here what only a process has: its start and end, its death, the pipe, its language and
settings, and its bugs."""
from __future__ import annotations

import functools
import operator
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground import runner as runner_module  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.runner import GridSpec, Runner, graph_session  # noqa: E402
from tests.gui._panel_support import mlp_graph, worker_step  # noqa: E402

#: a child process starts in about a second; a busy machine takes longer
START_MS = 30000


def started(qtbot, graph, **kwargs):
    r = Runner(in_process=True, **kwargs)
    r.set_session_factory(functools.partial(graph_session, graph))
    qtbot.waitUntil(lambda: r.snapshot is not None, timeout=START_MS)
    return r


@pytest.fixture
def runner(qtbot):
    r = started(qtbot, mlp_graph((2, 4, 1), n_samples=200))
    yield r
    r.shutdown()


def test_the_worker_runs_in_another_process(runner):
    assert runner.thread is None and runner.process.process.pid != os.getpid()
    assert runner.call_in_worker(_pid) == runner.process.process.pid


def _pid(session):
    return os.getpid()


def test_the_panels_requests_come_back_from_the_child(runner, qtbot):
    """The hidden units' outputs (hover), the step-through trace and a gradient check,
    each asked by a panel, computed in the child and sent back."""
    graph = mlp_graph((2, 4, 1), n_samples=200)
    linear = next(n for n in graph.nodes if n.startswith("linear"))
    spec = GridSpec(((-1.0, 1.0), (-1.0, 1.0)), nx=6, ny=3)
    with qtbot.waitSignal(runner.nodeOutputReady, timeout=10000) as got:
        runner.request_node_output(linear, spec)
    assert got.args[0] == linear and got.args[1].shape == (3, 6, 4)
    with qtbot.waitSignal(runner.traceReady, timeout=10000) as got:
        runner.request_trace(4)
    assert linear in str(got.args[0])
    with qtbot.waitSignal(runner.gradCheckReady, timeout=30000) as got:
        runner.request_check_gradient(linear)
    assert got.args[0] == linear and got.args[1] is not None


def test_a_call_that_cannot_travel_or_fails_raises_here_at_once(runner):
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        runner.call_in_worker(lambda session: session.step_count, timeout_s=60)
    with pytest.raises(AttributeError, match="no_such_method"):   # raised in the child
        runner.call_in_worker(operator.methodcaller("no_such_method"), timeout_s=60)
    assert worker_step(runner) == runner.snapshot.step   # and the worker goes on


def test_the_worker_settings_of_this_process_apply_in_the_child(qtbot, monkeypatch):
    monkeypatch.setattr(runner_module, "EVERY_STEP_ROWS", 7)
    r = started(qtbot, mlp_graph((2, 4, 1), n_samples=200))
    try:
        r.step_n(20)
        qtbot.waitUntil(lambda: r.snapshot.step == 20, timeout=10000)
        assert list(r.step_losses.column("step")) == list(range(1, 8))
    finally:
        r.shutdown()


def test_the_child_speaks_the_guis_language(qtbot):
    from engine.i18n import language, set_language

    graph = mlp_graph((2, 4, 1), n_samples=200)
    graph.settings["trainer"] = "nope"   # a session that cannot be built says why
    was = language()
    set_language("it")
    try:
        r = Runner(in_process=True)
        r.set_session_factory(functools.partial(graph_session, graph))
        qtbot.waitUntil(lambda: bool(r.last_message), timeout=START_MS)
        r.shutdown()
    finally:
        set_language(was)
    assert "L'impostazione graph.settings.trainer" in r.last_message


def test_a_child_that_dies_is_said_and_reset_starts_a_new_one(runner, qtbot):
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 50, timeout=10000)
    old = runner.process.process
    old.kill()
    qtbot.waitUntil(lambda: "stopped unexpectedly" in runner.last_message, timeout=10000)
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    runner.reset()   # a new child, with the same document, from its first step
    qtbot.waitUntil(lambda: runner.process.process is not old and runner.snapshot is not None
                    and runner.snapshot.step == 0, timeout=START_MS)
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 50, timeout=10000)
    runner.pause()


def test_a_new_document_after_the_child_died_trains_in_a_new_one(runner, qtbot):
    """File > New or Open after the training process died: the drop it cannot confirm any
    more must not leave the Runner ignoring the next document's frames."""
    runner.play()
    qtbot.waitUntil(lambda: runner.step >= 50, timeout=10000)
    runner.clear()                 # a drop the dying child never confirms ...
    runner.process.process.kill()
    qtbot.waitUntil(lambda: not runner.process.alive, timeout=10000)
    runner.clear()                 # ... and one sent to no child at all
    runner.set_session_factory(functools.partial(graph_session, mlp_graph((2, 3, 1), n_samples=100)))
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step == 0, timeout=START_MS)
    runner.step_n(30)
    qtbot.waitUntil(lambda: runner.snapshot.step == 30, timeout=10000)


def test_where_no_process_can_start_training_runs_in_a_thread(qtbot, monkeypatch):
    from playground import training_process

    def refuse(self):
        raise OSError("no processes here")

    monkeypatch.setattr(training_process.TrainingProcess, "_start", refuse)
    r = started(qtbot, mlp_graph((2, 4, 1), n_samples=200))
    try:
        assert r.process is None and r.thread is not None and r.gui_share == runner_module.GUI_SHARE
        r.step_n(20)
        qtbot.waitUntil(lambda: r.snapshot.step == 20, timeout=10000)
    finally:
        r.shutdown()


def test_shutdown_ends_the_child_cleanly(qtbot):
    r = started(qtbot, mlp_graph((2, 4, 1), n_samples=200))
    r.play()
    qtbot.waitUntil(lambda: r.step >= 50, timeout=10000)
    child = r.process.process
    r.shutdown()
    assert not child.is_alive() and child.exitcode == 0   # it left its event loop, not killed
    r.shutdown()   # twice is fine


def test_a_window_trains_a_lesson_with_goals_and_saves_its_weights(qtbot, tmp_path, monkeypatch):
    """The app's whole way: a lesson with goals opens in a main window (a training
    process of its own), trains, and its trained weights are saved and open again to the
    same predictions."""
    monkeypatch.setenv("NNPG_TRAINING", "process")
    from playground.main_window import MainWindow, lessons_dir

    path = tmp_path / "trained.nnpg"
    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard", save_file=str(path)),
                     data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(win)
    win.show()
    assert win.open_file(str(lessons_dir() / "perceptron_and.nnpg"))
    runner = win.runner
    assert runner.process is not None
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=START_MS)
    win.train_hook(40)
    assert runner.snapshot.step >= 40
    assert runner.goals, "the lesson's goal tracker runs in the child"
    x = runner.dataset.x
    trained = runner.call_in_worker(operator.methodcaller("predict", x))
    win.path = None
    assert win.save_with_weights()
    assert fileformat.weights_path(path).exists()
    child = runner.process.process
    win.close()
    QApplication.processEvents()
    assert not child.is_alive()

    again = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                       autosave=False)
    qtbot.addWidget(again)
    again.show()
    assert again.open_file(str(path))
    qtbot.waitUntil(lambda: again.runner.snapshot is not None, timeout=START_MS)
    assert (again.runner.call_in_worker(operator.methodcaller("predict", x)) == trained).all()
    again.close()


ORPHAN_SCRIPT = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QCoreApplication

def main():
    import functools
    from playground.runner import Runner, graph_session
    from tests.gui._panel_support import mlp_graph

    app = QCoreApplication([])
    r = Runner(in_process=True)
    r.set_session_factory(functools.partial(graph_session, mlp_graph((2, 4, 1), n_samples=200)))
    r.play()
    end = time.perf_counter() + 30
    while r.step < 50 and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)
    print(r.process.process.pid, r.step, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)   # the app crashes: no shutdown, no atexit

if __name__ == "__main__":
    main()
"""


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL")
def test_the_child_ends_when_the_apps_process_is_killed(tmp_path):
    """No training process is left behind by an app that crashed or was killed: it reads
    the end of its pipe and exits."""
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    pid, step = map(int, run.stdout.split()[:2])
    assert step >= 50, run.stdout + run.stderr
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and _running(pid):
        time.sleep(0.05)
    assert not _running(pid), "the training process outlived the app"


def _running(pid) -> bool:
    """Whether ``pid`` is a live process (a zombie, reaped by nobody here, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
