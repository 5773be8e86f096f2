import gc

import pytest


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A real modal dialog would wait forever for a click; in a test it is an error.

    Tests answer questions with ScriptedDialogs; anything that still reaches the real
    dialogs fails at once, naming the question, instead of hanging the suite.
    """
    from playground.editor import dialogs

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"a test opened a modal dialog: {args[:2]}")

    for name in ("open_file", "save_file", "unsaved_changes", "recover", "ask_text", "error", "info",
                 "import_data"):
        monkeypatch.setattr(dialogs.Dialogs, name, refuse)
    yield


@pytest.fixture(autouse=True)
def destroy_windows_after_each_test(qapp):
    """Destroy each test's closed windows now, in the GUI thread.

    Closed windows are deleted later, when some event loop next runs, and leftover Python
    cycles wait for some later collection. Left alone, a later test that waits for training
    pays for destroying every earlier window (seconds each) inside its own timeout; and a
    collection that happens to run in a training thread would destroy Qt objects there,
    which crashes or deadlocks (see playground.runner.GuiThreadCollector).
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()


@pytest.fixture
def lesson_window(qtbot, tmp_path):
    """``make(name, steps=0)``: a main window (1400x860, shown) with the lesson ``name``
    open, trained ``steps`` steps; presentation mode is left after the test."""
    from PySide6.QtWidgets import QApplication

    from playground import theme as themes
    from playground.editor.dialogs import ScriptedDialogs
    from playground.main_window import MainWindow, lessons_dir

    made = []

    def make(name, steps=0):
        win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                         autosave=False)
        qtbot.addWidget(win)
        win.resize(1400, 860)
        win.show()
        assert win.open_file(str(lessons_dir() / name))
        QApplication.processEvents()
        if steps:
            win.train_hook(steps)
        made.append(win)
        return win
    yield make
    for win in made:
        if themes.current().presentation:
            win.set_presentation(False)
