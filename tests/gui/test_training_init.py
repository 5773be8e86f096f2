"""The initial weights (settings.init) are chosen in the training-settings dock, through the
same undoable settings command as every other training setting, and training uses them."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.graph.schema import INITS, RULE_TRAINERS  # noqa: E402
from engine.train import Session  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.main_window import MainWindow, lessons_dir  # noqa: E402


@pytest.fixture
def win(qtbot, tmp_path):
    window = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(str(lessons_dir() / "xor_mlp.nnpg"))
    QApplication.processEvents()
    return window


def _choose(combo, value):
    i = combo.findData(value)
    assert i >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(i)


def _hidden_weight(win):
    session = Session.from_graph(win.document)
    return session.program.node_modules["hidden"].weight.data


def test_every_initialisation_is_offered_and_the_choice_is_undoable(win):
    """xor_mlp's file has no "init": undo removes the key again (it used to leave a copy of
    the commands' internal "missing" marker in the settings, which broke the dock)."""
    panel = win.training_panel
    assert [panel.init_combo.itemData(i) for i in range(panel.init_combo.count())] == list(INITS)
    assert win.document.settings.get("init") in (None, "default")
    _choose(panel.init_combo, "zeros")
    assert win.document.settings["init"] == "zeros"
    assert not _hidden_weight(win).any()            # training starts from those weights
    win.actions["undo"].trigger()
    assert win.document.settings.get("init") in (None, "default")
    assert win.training_panel.init_combo.currentData() == "default"
    assert _hidden_weight(win).any()


def test_the_number_an_initialisation_reads_is_edited_beside_it(win):
    _choose(win.training_panel.init_combo, "normal")
    panel = win.training_panel          # rebuilt: the std field belongs to "normal"
    assert panel.init_scale is not None and panel.init_nonlinearity is None
    panel.init_scale.setValue(5.0)
    assert win.document.settings["init"] == {"name": "normal", "std": 5.0}
    assert abs(float(np.std(_hidden_weight(win)))) > 1.0   # 4 weights of N(0, 25)
    _choose(win.training_panel.init_combo, "kaiming_normal")
    panel = win.training_panel
    assert panel.init_scale is None and panel.init_nonlinearity is not None
    _choose(panel.init_nonlinearity, "tanh")
    assert win.document.settings["init"] == {"name": "kaiming_normal", "nonlinearity": "tanh"}
    win.actions["undo"].trigger()
    assert win.document.settings["init"] == "kaiming_normal"
    assert win.training_panel.init_nonlinearity.currentData() == "relu"
    win.actions["undo"].trigger()
    assert win.document.settings["init"] == {"name": "normal", "std": 5.0}
    assert win.training_panel.init_scale.value() == 5.0


def test_every_trainer_is_offered(win):
    combo = win.training_panel.trainer_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["gradient", *RULE_TRAINERS]
    _choose(combo, "hebb")
    assert win.document.settings["trainer"] == "hebb"
