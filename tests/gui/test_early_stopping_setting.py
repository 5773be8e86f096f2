"""Early stopping (settings.early_stopping) is set in the training-settings dock through the
undoable settings command, and a lesson file's value shows there."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.main_window import MainWindow, lessons_dir  # noqa: E402
from tests.gui._panel_support import in_worker, session_attr, worker_step  # noqa: E402


@pytest.fixture
def win(qtbot, tmp_path):
    window = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(str(lessons_dir() / "early_stopping.nnpg"))
    QApplication.processEvents()
    return window


def test_the_patience_spin_box_sets_early_stopping_undoably(win):
    panel = win.training_panel
    assert panel.patience_spin.value() == 10          # the lesson's {"patience": 10}
    panel.patience_spin.setValue(0)
    assert win.document.settings["early_stopping"] == {}      # off
    win.training_panel.patience_spin.setValue(4)
    assert win.document.settings["early_stopping"] == {"patience": 4}
    win.actions["undo"].trigger()
    win.actions["undo"].trigger()
    assert win.document.settings["early_stopping"] == {"patience": 10}
    assert win.training_panel.patience_spin.value() == 10


def test_training_that_stops_early_stops_the_runner_and_says_why(qtbot, win):
    runner = win.runner
    runner.set_speed(0)
    runner.play()
    qtbot.waitUntil(lambda: bool(in_worker(runner, session_attr, "stopped")), timeout=20000)
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)
    qtbot.waitUntil(lambda: "early stopping at step" in runner.last_message, timeout=5000)
    assert worker_step(runner) < 400
