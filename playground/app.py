"""Starting the desktop app: ``make_app()`` and ``run_gui(file, train_steps, screenshot)``."""
from __future__ import annotations

import os
import sys
import tempfile


def make_app(argv=None):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("NN Playground")
    app.setOrganizationName("NN Playground")
    return app


def use_offscreen_platform():
    """Render without a display unless the caller chose a Qt platform (an empty
    QT_QPA_PLATFORM counts as not chosen: Qt would otherwise look for a display)."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def run_gui(file=None, train_steps=0, screenshot=None) -> int:
    """Open the main window (optionally with ``file``). With ``screenshot``, render
    headless to that PNG and exit (no autosave, no questions asked)."""
    if screenshot:
        use_offscreen_platform()
    app = make_app()
    from playground.editor.dialogs import ScriptedDialogs
    from playground.main_window import MainWindow

    if screenshot:
        # A capture must not touch the user's recent-files list: give it a throwaway data dir
        # (removed when this function returns and the object is collected).
        scratch = tempfile.TemporaryDirectory(prefix="nnpg-capture-")
        win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=scratch.name,
                         autosave=False)
    else:
        win = MainWindow()
    if file and not win.open_file(str(file)):
        if screenshot:
            messages = [m for kind, _t, m in win.dialogs.shown if kind == "error"]
            print(f"playground: {messages[0] if messages else f'cannot open {file}'}", file=sys.stderr)
            win.close()
            return 2
    win.show()
    app.processEvents()
    win.view.fit()
    if train_steps:
        if win.train_hook is not None:
            win.train_hook(int(train_steps))
        else:
            print("playground: training in the window is not available; --train-steps ignored",
                  file=sys.stderr)
    if screenshot:
        win.scene.validate_now()
        _wait_for_first_frame(app, getattr(win, "runner", None))
        for _ in range(3):
            app.processEvents()
        ok = win.grab().save(str(screenshot))
        win.close()
        if not ok:
            print(f"playground: could not write {screenshot}", file=sys.stderr)
        return 0 if ok else 2
    return app.exec()


def _wait_for_first_frame(app, runner, timeout_s: float = 5.0):
    """Let the training thread deliver the first snapshot (and the decision-boundary grid,
    when the boundary panel asks for one) so a capture shows the panels drawn, not empty."""
    if runner is None:
        return
    import time

    def ready():
        if runner.snapshot is None or runner.dataset is None:
            return False
        return runner.grid is not None or not runner.asks_for("grid")

    deadline = time.monotonic() + timeout_s
    while not ready() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    runner.redraw_now()
