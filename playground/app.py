"""The main window. (Bare until the editor lands.)"""
from __future__ import annotations

import os
import sys


def make_app(argv=None):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("NN Playground")
    app.setOrganizationName("NN Playground")
    return app


def run_gui(file=None, train_steps=0, screenshot=None) -> int:
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    from PySide6.QtWidgets import QLabel, QMainWindow

    win = QMainWindow()
    win.setWindowTitle("NN Playground")
    win.setCentralWidget(QLabel("NN Playground"))
    win.resize(1280, 800)
    win.show()
    if screenshot:
        app.processEvents()
        ok = win.grab().save(screenshot)
        win.close()
        return 0 if ok else 2
    return app.exec()
