"""A user's first minutes on a real X display, run by test_real_display.py in a process of its
own (the test process renders offscreen): open a lesson, train a few steps, take a picture of
the screen. Prints one JSON line with what it saw. Usage: real_display_flow.py LESSON STEPS PNG"""
from __future__ import annotations

import json
import sys
import tempfile


def main(lesson: str, steps: int, png: str) -> None:
    from PySide6.QtTest import QTest

    from playground.app import make_app
    from playground.editor.dialogs import ScriptedDialogs
    from playground.main_window import MainWindow
    from playground.selftest import blank_reason

    app = make_app()
    with tempfile.TemporaryDirectory(prefix="nnpg-xcb-") as data_dir:
        win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=data_dir,
                         autosave=False)
        opened = win.open_file(lesson)
        win.resize(1400, 860)
        win.show()
        exposed = QTest.qWaitForWindowExposed(win, 10_000)
        win.view.fit()
        win.train_hook(steps)
        for _i in range(5):
            app.processEvents()
        # what the X server shows, not what Qt would paint offscreen
        shot = app.primaryScreen().grabWindow(win.winId()).toImage()
        shot.save(png)
        print(json.dumps({"platform": app.platformName(), "opened": bool(opened), "exposed": exposed,
                          "step": win.runner.snapshot.step if win.runner.snapshot else None,
                          "training": "process" if win.runner.process is not None else "thread",
                          "size": [shot.width(), shot.height()], "blank": blank_reason(shot)}))
        win.close()
        app.processEvents()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
