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

    for name in ("open_file", "save_file", "unsaved_changes", "recover", "ask_text", "error", "info"):
        monkeypatch.setattr(dialogs.Dialogs, name, refuse)
    yield


@pytest.fixture(autouse=True)
def collect_garbage_in_the_gui_thread():
    """Destroy each test's leftover windows now, in the GUI thread.

    Otherwise they wait in reference cycles until some later collection, which may run in
    a training thread; Qt objects destroyed there crash or deadlock (see GuiThreadCollector).
    """
    yield
    gc.collect()
