"""File > Open TensorFlow Playground Link: the link's network, points and initial weights
become a new document whose first session starts from those weights."""
from __future__ import annotations

import operator

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.interop import tfp  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402

URL = ("https://playground.tensorflow.org/#activation=relu&batchSize=3&dataset=xor&noise=15"
       "&networkShape=3&seed=0.59321&percTrainData=70&x=true&y=true&xTimesY=true")


def _window(qtbot, tmp_path, **answers):
    from playground.main_window import MainWindow

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard", **answers),
                     data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(win)
    win.show()
    QApplication.processEvents()
    return win


def test_open_link_from_the_file_menu_starts_from_its_weights(qtbot, tmp_path):
    win = _window(qtbot, tmp_path, ask_text=URL)
    assert win.actions["open_tfp"] in win.menuBar().actions()[0].menu().actions()
    win.actions["open_tfp"].trigger()
    runner = win.runner
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=20000)
    page = tfp.page(tfp.parse_url(URL))
    weights = runner.call_in_worker(operator.methodcaller("weights"))
    assert runner.step == 0   # nothing trained yet: exactly the page's weights
    np.testing.assert_allclose(weights["layer1.weight"], page.weights[0], rtol=1e-6)
    np.testing.assert_allclose(weights["output.weight"], page.weights[1], rtol=1e-6)
    assert {n.type for n in win.document.nodes.values()} >= {"PlaneFeatures", "ReLU", "Tanh", "MSELoss"}
    x = runner.dataset.x_train
    np.testing.assert_allclose(x, page.points[:page.n_train, :2], rtol=1e-6)
    win.close()


def test_a_bad_link_is_an_error_box_and_keeps_the_document(qtbot, tmp_path):
    win = _window(qtbot, tmp_path, ask_text="#noise=loud")
    before = sorted(win.document.nodes)
    assert not win.open_tfp_link()
    assert win.dialogs.shown[-1][0] == "error" and "noise=loud" in win.dialogs.shown[-1][2]
    assert sorted(win.document.nodes) == before
    win.close()
