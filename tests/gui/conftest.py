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
