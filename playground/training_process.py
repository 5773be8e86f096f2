"""Training in a process of its own: the TrainWorker runs in a child process, and
:class:`TrainingProcess` stands in for it in the GUI's process, with the same requests
(methods) and replies (signals), so the Runner drives either alike.

Why a process: Python runs one thread at a time (the GIL; painting holds it too). With
training in a thread of the GUI's process, every millisecond the panels draw is a
millisecond not training, and 30 redraws a second cost about a third of the training
speed (``make bench``). A child process has its own interpreter and core: the panels
redraw at the display's pace while training keeps nearly all of its headless speed.

The wire: two one-way pipes of pickled ``(name, args)`` messages between our own two
processes (nothing from a user's file is unpickled here; documents travel as the
Graph objects the editor already validated). Requests are the worker's slot names; the
replies are its signals' names, re-emitted here by a reader thread (the Runner connects
them queued, so its slots run in the GUI thread). Two messages bypass the queues:
``wanted`` (the GUI drew the last frame: the next may go; the child's reader sets the
event the worker's training loop reads between steps) and ``called`` (the result of a
``call``, which the GUI thread waits for: the reader hands it over directly).

The child is started with ``spawn`` (a fresh interpreter: forking a process that runs Qt
and BLAS threads is unsafe) once per Runner, at about a second's cost; requests sent
meanwhile wait in the pipe. If it dies, the GUI says so and the next Reset (or a new
document) starts a new one with the last settings.
"""
from __future__ import annotations

import itertools
import multiprocessing
import pickle
import sys
import threading
import traceback
import weakref

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from engine.i18n import _

#: the TrainWorker's requests (its slots) the GUI sends as messages
REQUESTS = ("play", "pause", "stop", "stepN", "stepEpoch", "playSteps", "setSpeed",
            "setHparam", "setFactory", "rebuild", "drop", "setNeeds", "nodeOutput", "trace",
            "checkGradient", "scrub", "live", "resumeHere", "setWeights", "setLimit",
            "setTrackerFactory")
#: requests whose latest value a new child is given again (after the old one died), in
#: this order: a new session's limit, goals and panels' needs are set before it is built
#: (not setWeights: a file's weights are for the first session built from it only)
SETTINGS = ("setSpeed", "setLimit", "setTrackerFactory", "setNeeds", "setFactory")
#: seconds a closing child may take to stop before it is killed
CLOSE_TIMEOUT_S = 3.0


class WorkerSignals(QObject):
    """The replies of a training worker: a TrainWorker's own (in a thread, or in the
    child process) and the TrainingProcess's that relays them."""

    frameReady = Signal(object)            # Frame
    stateChanged = Signal(bool)            # running?
    failed = Signal(str)                   # one-line message for the status bar
    nodeOutputReady = Signal(str, object)  # node id, (ny, nx, units) array
    traceReady = Signal(object)            # session.trace(...) result
    gradCheckReady = Signal(str, object)   # node id, session.check_gradient(...) result
    datasetChanged = Signal(object)        # the Dataset now trained on (host arrays)
    dropped = Signal()                     # the session is gone (a new document): nothing older follows
    limitReached = Signal(int)             # Play stopped at the step limit (settings.steps)
    limitLifted = Signal(int)              # Play went on past the step limit it had reached


#: the names of those replies, sent over the pipe as they are
REPLIES = ("frameReady", "stateChanged", "failed", "nodeOutputReady", "traceReady",
           "gradCheckReady", "datasetChanged", "dropped", "limitReached", "limitLifted")


def _request(name):
    def send(self, *args):
        self._send(name, args)
    send.__name__ = name
    send.__doc__ = f"Queue the worker's ``{name}`` in the training process."
    return send


class TrainingProcess(WorkerSignals):
    """The GUI-side stand-in for a TrainWorker in a child process (see the module's text).

    Lives in the GUI thread; its requests send at once and never wait, except ``call``'s
    caller (Runner.call_in_worker), who waits for the reply with a timeout."""

    locals().update({name: _request(name) for name in REQUESTS})

    def __init__(self, settings: dict | None = None):
        """``settings``: the worker's tunables (runner.worker_settings()), set in the child."""
        super().__init__(None)
        self.settings = dict(settings or {})
        self.process = None
        self._requests = self._replies = None
        self._reader = None
        self._closing = False
        self._settings = {}          # request name -> its latest args (see SETTINGS)
        self._calls = {}             # call id -> (box, done) of a caller waiting
        self._call_ids = itertools.count()
        #: held while writing a request, and by the reader while it closes the pipe of a
        #: child that died
        self._send_lock = threading.Lock()
        #: drops sent that the child has not confirmed (``dropped``) yet: the Runner ignores
        #: everything until each is confirmed, so a child that dies confirms them here
        self._drops_unconfirmed = 0
        self._drops_lock = threading.Lock()
        self.wanted = _WantedEvent(self)
        self._start()
        _LIVE.add(self)

    # ----- the child ---------------------------------------------------------------
    def _start(self):
        from engine.i18n import language  # noqa: PLC0415

        ctx = multiprocessing.get_context("spawn")
        child_requests, self._requests = ctx.Pipe(duplex=False)
        self._replies, child_replies = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=child_main, name="nn-playground-training",
                                   args=(child_requests, child_replies, language(), self.settings),
                                   daemon=True)
        self.process.start()
        # our copies of the child's ends: closed, so that its death reads as an end of file
        child_requests.close()
        child_replies.close()
        self._reader = threading.Thread(target=self._read, args=(self._replies,),
                                        name="training-replies", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and self._requests is not None

    def _restart(self):
        """A new child after the old one died, given the last settings again (the session
        it builds starts afresh: the old one's weights died with it)."""
        self._start()
        for name in SETTINGS:
            if name in self._settings:
                args = self._settings[name]
                if name == "setFactory":
                    args = (args[0], False)
                self._send(name, args)

    # ----- requests ------------------------------------------------------------------
    def _send(self, name, args):
        if name in SETTINGS:
            self._settings[name] = args
        elif name == "drop":   # the document is gone: a new child builds nothing of it
            self._settings.pop("setFactory", None)
            with self._drops_lock:
                self._drops_unconfirmed += 1
        if not self.alive:
            if name == "drop":   # nothing to drop: confirmed at once
                self._confirm_drops()
            if not self._closing and name in ("rebuild", "setFactory"):
                self._restart()   # which builds the last document's session afresh
            return
        try:
            data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001  a request that cannot travel is a bug of ours
            traceback.print_exc()
            self.failed.emit(_("Internal error: the request {name} cannot reach the training "
                               "process ({error})").format(name=name, error=exc))
            return
        self._write(data)

    def _write(self, data):
        try:
            with self._send_lock:
                self._requests.send_bytes(data)
        except (OSError, ValueError, AttributeError):   # the child is gone; the reader says so
            pass

    def call(self, fn, box, done):
        """``box["result"] = fn(session)`` in the child, between chunks (or ``box["error"]``);
        ``done`` is set when the reply is here."""
        call_id = next(self._call_ids)
        try:
            data = pickle.dumps(("call", (call_id, fn)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001  handed to the caller, like the function's own errors
            box["error"] = exc
            done.set()
            return
        if not self.alive:
            done.set()
            return
        self._calls[call_id] = (box, done)
        self._write(data)

    def frame_drawn(self):
        """The GUI drew the last frame: the worker may send the next one."""
        if self.alive:
            self._write(_WANTED)

    # ----- replies (the reader thread) -------------------------------------------------
    def _read(self, replies):
        while True:
            try:
                data = replies.recv_bytes()
            except (EOFError, OSError):
                break
            try:
                name, args = pickle.loads(data)
            except Exception:  # noqa: BLE001  one reply lost, not the rest
                traceback.print_exc()
                continue
            if name == "called":
                call_id, result, error = args
                box, done = self._calls.pop(call_id, (None, None))
                if done is not None:
                    box["result"] = result
                    if error is not None:
                        box["error"] = error
                    done.set()
            elif name == "bug":
                _report_bug(*args)
            elif name == "dropped":
                with self._drops_lock:
                    self._drops_unconfirmed -= 1
                self.dropped.emit()
            elif name in REPLIES:
                getattr(self, name).emit(*args)
        if replies is self._replies:
            self._ended()

    def _confirm_drops(self):
        with self._drops_lock:
            n, self._drops_unconfirmed = self._drops_unconfirmed, 0
        for _confirmed in range(n):
            self.dropped.emit()

    def _ended(self):
        """The child's end of the pipe closed: it exited, at our request or not."""
        process = self.process
        with self._send_lock:
            requests, self._requests = self._requests, None
        if requests is not None:
            requests.close()
        self._replies.close()
        for box, done in list(self._calls.values()):   # nobody waits for a dead process
            done.set()
        self._calls.clear()
        self._confirm_drops()
        if self._closing:
            return
        process.join(1.0)
        self.stateChanged.emit(False)
        self.failed.emit(_("The training process stopped unexpectedly (exit code {code}); "
                           "Reset starts it again.").format(code=process.exitcode))

    def close(self):
        """Stop training and the child (safe to call twice)."""
        if self.process is None or self._closing:
            return
        self._closing = True
        if self._requests is not None:
            self._write(pickle.dumps(("exit", ())))
        self.process.join(CLOSE_TIMEOUT_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(CLOSE_TIMEOUT_S)
        if self._reader is not None:
            self._reader.join(CLOSE_TIMEOUT_S)
        for conn in (self._requests, self._replies):
            if conn is not None:
                conn.close()
        self._requests = None
        _LIVE.discard(self)


_WANTED = pickle.dumps(("wanted", ()))


class TrainingProcessBug(RuntimeError):
    """A bug of ours in the training process: its exception, retold here (a traceback
    cannot travel: the child's is a note on this one, ``where`` its last frame)."""

    where: tuple | None = None


def _report_bug(type_name, message, text, where):
    """A bug the child hit goes where one of this process goes: sys.excepthook (the app's
    ErrorHandler writes the report and says where it is; a test fails)."""
    bug = TrainingProcessBug(f"{type_name}: {message}")
    bug.add_note("in the training process:\n" + text.rstrip())
    bug.where = where
    sys.excepthook(TrainingProcessBug, bug, None)


class _WantedEvent:
    """The Runner's frame_wanted in process mode: setting it tells the child."""

    def __init__(self, process):
        self._process = weakref.ref(process)

    def set(self):
        process = self._process()
        if process is not None:
            process.frame_drawn()


_LIVE: "weakref.WeakSet[TrainingProcess]" = weakref.WeakSet()


def close_all():
    """At interpreter exit: stop every child still running (see runner._stop_all)."""
    for process in list(_LIVE):
        process.close()


# ----- the child's side ------------------------------------------------------------------
class _Inbox(QObject):
    """The child's requests, read by a thread and handled in the main thread's event loop
    (where the worker lives: its timers and chunks run there)."""

    received = Signal(object)

    def __init__(self, worker, requests, replies, wanted):
        super().__init__(None)
        self.worker, self.replies, self.wanted = worker, replies, wanted
        self.received.connect(self._handle, Qt.QueuedConnection)
        for name in REPLIES:
            getattr(worker, name).connect(self._relay(name))
        self._reader = threading.Thread(target=self._read, args=(requests,),
                                        name="training-requests", daemon=True)
        self._reader.start()

    def _read(self, requests):
        while True:
            try:
                name, args = pickle.loads(requests.recv_bytes())
            except (EOFError, OSError):   # the GUI's process is gone: so are we
                name, args = "exit", ()
            if name == "wanted":
                self.wanted.set()
                continue
            self.received.emit((name, args))
            if name == "exit":
                return

    @Slot(object)
    def _handle(self, message):
        name, args = message
        if name == "exit":
            self.worker.stop()
            QCoreApplication.quit()
        elif name == "call":   # the worker's own call, its result sent back
            call_id, fn = args
            box = {}
            self.worker.call(fn, box, threading.Event())
            self.send("called", (call_id, box.get("result"), box.get("error")))
        elif name in REQUESTS:
            getattr(self.worker, name)(*args)

    def report(self, exc_type, exc, tb):
        """The child's sys.excepthook and threading.excepthook: a bug (an exception no
        handler caught) is printed here and retold in the GUI's process."""
        traceback.print_exception(exc_type, exc, tb)
        frames = traceback.extract_tb(tb)[-1:]
        where = (frames[0].filename, frames[0].lineno) if frames else None
        self.send("bug", (exc_type.__name__, str(exc),
                          "".join(traceback.format_exception(exc_type, exc, tb)), where))

    def _relay(self, name):
        return lambda *args: self.send(name, args)

    def send(self, name, args):
        try:
            data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001  a reply that cannot travel is a bug of ours
            traceback.print_exc()
            if name == "called":
                data = pickle.dumps((name, (args[0], None, RuntimeError(str(exc)))))
            else:
                data = pickle.dumps(("failed", (_("Internal error: the training process "
                                                  "cannot send {name} ({error})").format(
                                                      name=name, error=exc),)))
        try:
            self.replies.send_bytes(data)
        except (OSError, ValueError):   # the GUI's process is gone
            QCoreApplication.quit()


def child_main(requests, replies, language, settings):
    """The training process: a Qt event loop (no GUI) with one TrainWorker, which has the
    GUI process's ``language`` and worker ``settings``."""
    from engine.i18n import set_language  # noqa: PLC0415
    from playground import runner  # noqa: PLC0415

    set_language(language)
    for name, value in settings.items():
        setattr(runner, name, value)
    app = QCoreApplication([])
    wanted = threading.Event()
    wanted.set()
    worker = runner.TrainWorker(wanted=wanted)
    inbox = _Inbox(worker, requests, replies, wanted)
    sys.excepthook = inbox.report
    threading.excepthook = lambda args: inbox.report(args.exc_type, args.exc_value, args.exc_traceback)
    worker.start()
    app.exec()
    worker.finish()
