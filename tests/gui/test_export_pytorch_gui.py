"""File > Export PyTorch Script: the script and its .npz, starting from the weights the app
shows (trained ones after training), and a refusal shown as a message, never a crash."""
import operator

import numpy as np

from playground.editor.dialogs import ScriptedDialogs
from playground.main_window import MainWindow, lessons_dir


def _window(qtbot, tmp_path, lesson, **answers):
    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard", **answers), data_dir=tmp_path / "data",
                     autosave=False)
    qtbot.addWidget(win)
    assert win.open_file(str(lessons_dir() / lesson))
    return win


def test_export_writes_the_script_with_the_trained_weights(qtbot, tmp_path):
    out = tmp_path / "xor.py"
    win = _window(qtbot, tmp_path, "xor_mlp.nnpg", save_file=str(out))
    win.show()
    win.train_hook(20)
    assert win.runner.snapshot is not None and win.runner.snapshot.step >= 20
    trained = win.runner.call_in_worker(operator.methodcaller("weights"))
    win.actions["export_pytorch"].trigger()
    assert out.exists() and "class Net(nn.Module)" in out.read_text(encoding="utf-8")
    with np.load(out.with_suffix(".npz"), allow_pickle=False) as stored:
        np.testing.assert_array_equal(stored["weights.hidden.weight"], trained["hidden.weight"])
    assert not [s for s in win.dialogs.shown if s[0] == "error"]


def test_a_graph_the_export_refuses_is_a_message(qtbot, tmp_path):
    out = tmp_path / "p.py"
    win = _window(qtbot, tmp_path, "perceptron_and.nnpg")
    assert not win.export_pytorch(str(out))
    (kind, _title, message), = win.dialogs.shown
    assert kind == "error" and "perceptron" in message and not out.exists()
