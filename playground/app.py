"""Starting the desktop app: ``make_app()``, ``run_gui(file, train_steps, screenshot)`` and
the ``ErrorHandler`` that reports what escapes the app's code, as the command line does."""
from __future__ import annotations

import logging
import math
import os
import sys
import tempfile
import threading
import traceback

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal

from engine.errors import UserError
from engine.i18n import _
from playground import bugreport
from playground.cli import say

log = logging.getLogger("playground")
BUG_TITLE = QT_TRANSLATE_NOOP("ErrorHandler", "A bug in NN Playground")


def make_app(argv=None):
    from PySide6.QtWidgets import QApplication

    from playground.platform_check import explain_platform_failure

    app = QApplication.instance()
    if app is None:
        with explain_platform_failure():   # Qt's own message names no missing library
            app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("NN Playground")
    app.setOrganizationName("NN Playground")
    return app


def use_offscreen_platform():
    """Render without a display unless the caller chose a Qt platform (an empty
    QT_QPA_PLATFORM counts as not chosen: Qt would otherwise look for a display)."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


class ErrorHandler(QObject):
    """What escapes the app's own code reaches the user the way the command line reports it.

    PySide6 hands an exception raised in a slot or an event handler to ``sys.excepthook``
    and carries on; Python threads hand theirs to ``threading.excepthook``. Both come here
    and are shown in the GUI thread, after the code that raised has returned:

    - the project's own ``UserError`` (bad input that some code forgot to catch): its one
      line in an error dialog;
    - anything else is a bug: the document is autosaved first, the full report is written
      (``bugreport.write_report``), and a dialog says it is a bug and where the report is.
      The window stays open with the work in it. The same bug raised again (a paint event
      fails on every frame) is logged, not reported and shown again.
    """

    caught = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        #: (exception type, file, line) -> report path, of each bug reported
        self.reported: dict = {}
        self.repeats: dict = {}   # same key -> times it happened again
        self._previous = None
        # queued even in the GUI thread: the dialog opens after the failed slot returned
        self.caught.connect(self._handle, Qt.QueuedConnection)

    def install(self):
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._excepthook
        threading.excepthook = lambda args: self._excepthook(args.exc_type, args.exc_value,
                                                             args.exc_traceback)
        return self

    def uninstall(self):
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def _excepthook(self, exc_type, exc, tb):
        if exc is None or not issubclass(exc_type, Exception):   # KeyboardInterrupt, SystemExit
            (self._previous[0] if self._previous else sys.__excepthook__)(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        self.caught.emit(exc)

    def _handle(self, exc):
        try:
            if isinstance(exc, UserError):
                self.window.dialogs.error("NN Playground", bugreport.user_message(exc))
            else:
                self.report_bug(exc)
        except Exception:  # noqa: BLE001 - reporting must never raise into the hook again
            sys.__excepthook__(*sys.exc_info())

    def report_bug(self, exc, context="the app window"):
        frame = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
        key = (type(exc).__name__, frame[0] and frame[0].filename, frame[0] and frame[0].lineno)
        if getattr(exc, "where", None):   # told by the training process (training_process)
            key = (type(exc).__name__, *exc.where)
        if key in self.reported:
            n = self.repeats[key] = self.repeats.get(key, 0) + 1
            if math.log10(n).is_integer():   # 1, 10, 100... times: the log stays small
                log.error("the bug reported in %s happened again (%d times)", self.reported[key], n)
            return
        safe = self._autosave()
        self.reported[key] = path = bugreport.write_report(exc, context)
        log.error("a bug in NN Playground; report: %s", path, exc_info=exc)
        self.window.dialogs.error(self.tr(BUG_TITLE),
                                  f"{bugreport.bug_message(exc, path)}\n\n{safe}")

    def _autosave(self) -> str:
        """Autosave the document before anything else; says what became of the user's work."""
        win = self.window
        try:
            if not win.is_dirty():
                return self.tr("Your work is still open; it has no unsaved changes.")
            if win.autosave_now():
                return self.tr("Your work is still open, and a copy was autosaved.")
        except Exception:  # noqa: BLE001 - the bug may be in saving itself
            log.exception("autosave after a bug failed")
        return self.tr("Your work is still open, but it could not be autosaved: save it now (File > Save As).")


def run_gui(file=None, train_steps=0, screenshot=None, lang=None, presentation=False) -> int:
    """Open the main window (optionally with ``file``). With ``screenshot``, render
    headless to that PNG and exit (no autosave, no questions asked). ``lang`` ("it", "en"):
    the language for this run; else the one chosen in the Language menu, else the system's.
    ``presentation``: start in presentation mode (View > Presentation Mode)."""
    if screenshot:
        use_offscreen_platform()
    app = make_app()
    bugreport.setup_logging()
    from playground import i18n
    from playground.editor.autosave import default_data_dir

    i18n.install(lang or i18n.remembered_language(default_data_dir()), app)
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
    errors = ErrorHandler(win).install()
    try:
        return _show(app, win, file, train_steps, screenshot, errors, presentation)
    finally:
        errors.uninstall()


def _show(app, win, file, train_steps, screenshot, errors, presentation=False) -> int:
    if file and not win.open_file(str(file)):
        if screenshot:
            messages = [m for kind, _t, m in win.dialogs.shown if kind == "error"]
            say(messages[0] if messages else _("cannot open {file}").format(file=file))
            win.close()
            return 2
    elif not file and not win.is_dirty() and not win.document.nodes:
        win.show_start_page()   # an empty start: the lessons, recent files and New
    win.show()
    if presentation:
        win.set_presentation(True)
    app.processEvents()
    win.view.fit()
    if train_steps:
        if win.train_hook is not None:
            win.train_hook(int(train_steps))
        else:
            say(_("training in the window is not available; --train-steps ignored"))
    if screenshot:
        win.scene.validate_now()
        _wait_for_first_frame(app, getattr(win, "runner", None) if win.document.nodes else None)
        for _i in range(3):
            app.processEvents()
        ok = win.grab().save(str(screenshot))
        win.close()
        app.processEvents()   # a queued bug report
        if errors.reported:   # a capture must not pass for a good one
            bug = [m for _k, title, m in win.dialogs.shown
                   if title in (BUG_TITLE, QCoreApplication.translate("ErrorHandler", BUG_TITLE))]
            print(f"playground: {bug[0].splitlines()[0] if bug else 'a bug was reported'}",
                  file=sys.stderr)
            return bugreport.EXIT_BUG
        if not ok:
            say(_("could not write {file}").format(file=screenshot))
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
