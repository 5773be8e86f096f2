"""Training in a worker (a child process, or a thread), and the GUI-side store the panels
draw from.

    runner = Runner(parent=window)
    runner.set_session_factory(functools.partial(graph_session, graph_copy))
    runner.play(); runner.pause(); runner.step_once(); runner.step_epoch(); runner.reset()
    runner.set_hparam("lr", 0.1)          # queued to the worker, applied between steps
    runner.clear()                        # a new document: drop the run and all it showed
    runner.redraw.connect(panel.refresh)  # ``redraw_hz`` times a second while training

Where it runs: in the app, :class:`TrainWorker` runs in a process of its own
(playground.training_process: redrawing then costs training nothing); the tests run it in
a QThread of their own process (``NNPG_TRAINING=thread``), where they can read the session.
The worker is the same either way, a QObject with an event loop. It owns
the Session (nothing else touches it) and steps it in chunks of about ``CHUNK_S`` seconds,
then returns to its event loop so that pause/step/hyperparameter requests, queued from
the GUI thread as signals, arrive between chunks. A chunk also ends when a frame is due
(every ``FRAME_EVERY_S``): the worker sends one :class:`Frame`, the latest Snapshot plus
the slim history rows of every snapshot since the last frame (so the loss curves lose
nothing) and whatever extras the visible panels asked for (decision-boundary grid,
confusion matrix, loss landscape), all computed in the worker. The GUI keeps only the
newest frame's snapshot (frames coalesce), and a frame clock at ``redraw_hz`` (30 a
second in a thread, 40 with a training process) redraws the visible panels from it; frames come a little more often than that, so
every redraw while training shows a newer step. The clock slows only when redrawing would
take more than ``GUI_SHARE`` of the time (in a thread, the GIL is shared with training)
or ``PROCESS_GUI_SHARE`` (with a training process, the GUI's own core).
"""
from __future__ import annotations

import atexit
import gc
import logging
import math
import os
import threading
import time
import traceback
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from engine.errors import UserError
from engine.i18n import _
from engine.threads import BlasPin, blas_threads_for
from engine.train.timeline import Timeline
from playground.training_process import TrainingProcess, WorkerSignals, close_all

log = logging.getLogger("playground")

#: seconds of training per chunk before the worker yields to its event loop
CHUNK_S = 0.015
#: milliseconds between chunks at full speed (queued requests are handled in between)
GAP_MS = 0
#: the panels redraw this many times a second while training runs (a display's rate is
#: 60; 30 is what the eye needs for motion and leaves the GIL to training)
FRAME_HZ = 30.0
#: the same with training in a process of its own (see PROCESS_GUI_SHARE): a little more
#: than 30, so that no second shows fewer (a timer fires late now and then)
PROCESS_FRAME_HZ = 40.0
#: a frame goes to the GUI this often while training runs: a little more often than the
#: GUI redraws, so that every redraw finds a newer step than the one before (at equal
#: rates the two clocks drift and every few redraws would show the same step again).
#: The worker ends a chunk early when a frame is due. Rows are never lost.
FRAME_EVERY_S = 1 / 40
#: the activation statistics of a frame's snapshot join ``Runner.activation_history`` at
#: most this often while training runs (the rate frames had before the 30 Hz clock: the
#: Activations panel's 200 entries still span about ten seconds; computing them costs)
ACTIVATIONS_EVERY_S = 1 / 20
#: the decision-boundary grid and the other extras are recomputed at most this often
EXTRAS_EVERY_S = 1 / 40
#: the largest share of the time the GUI may spend redrawing while training runs; the
#: redraw interval stretches (from 1/FRAME_HZ s) to keep it there, on a slow machine or
#: with a costly panel. Python runs one thread at a time (the GIL; painting holds it too),
#: so every millisecond the panels draw is a millisecond not training. The one knob
#: between frames/s and steps/s (`make bench` prints both). With the default layout's
#: redraw at about 9.5 ms on 2 cores: 0.2 measured 16-20 frames/s at 61-70 % of headless
#: steps/s, 0.33 27-28 frames/s at 52-53 % (two runs each, 2026-12-03)
GUI_SHARE = 0.2
#: the same with training in a process of its own (the app's way, see training_process):
#: redrawing then takes nothing from training but a share of the GUI process's own core
#: (what the training process's frames cost to read is on that core too)
PROCESS_GUI_SHARE = 0.6
#: where the worker runs when a Runner is not told: "process" (a child process: the app)
#: or "thread" (a thread of this process: the tests, which read the session directly);
#: the environment variable NNPG_TRAINING overrides it
TRAINING = "process"
#: while the GUI redraws, the worker waits (without the GIL) at most this long
GATE_TIMEOUT_S = 0.1
#: a small network trains with one BLAS thread (see engine.threads): the GUI thread needs
#: the other core, and a product split over two cores then waits for it
PIN_BLAS = True
#: seconds one loss-landscape grid may take; a costly network gets a coarser grid
LANDSCAPE_BUDGET_S = 0.3
#: while training runs, the landscape takes at most this share of the worker's time
LANDSCAPE_SHARE = 0.1
#: while training runs, each main view (engine.train.views) takes at most this share of the
#: worker's time: a costly one (a flow's sampled trajectories, tens of ms) is computed less
#: often, a cheap one at every frame
VIEW_SHARE = 0.25


#: the worker's tunables above: a training process is given this process's values (a
#: benchmark's or a test's choice applies wherever the worker runs)
WORKER_SETTINGS = ("CHUNK_S", "GAP_MS", "FRAME_EVERY_S", "EXTRAS_EVERY_S", "GATE_TIMEOUT_S",
                   "PIN_BLAS", "LANDSCAPE_BUDGET_S", "LANDSCAPE_SHARE", "VIEW_SHARE",
                   "EVERY_STEP_ROWS")


def worker_settings() -> dict:
    return {name: globals()[name] for name in WORKER_SETTINGS}


def training_in_process() -> bool:
    """Whether a Runner trains in a child process (see TRAINING)."""
    where = os.environ.get("NNPG_TRAINING", "").strip().lower() or TRAINING
    return where != "thread"


def graph_session(graph, previous, dataset):
    """A session factory (see Runner.set_session_factory) as data:
    ``functools.partial(graph_session, graph_copy)`` travels to a training process.
    ``previous``: the session whose unchanged nodes keep their trained weights."""
    from engine.train import Session  # noqa: PLC0415

    prev_program = previous.program if previous is not None else None
    return Session.from_graph(graph, dataset=dataset, previous=prev_program)


def landscape_size(requested: int, seconds_per_point: float | None,
                   budget_s: float = LANDSCAPE_BUDGET_S) -> int:
    """Points per side of the loss-landscape grid: the panel's ``requested`` size, or fewer
    when evaluating one point of this network costs so much that the grid would take more
    than ``budget_s`` (a CNN's 21 x 21 grid takes seconds: the controls would freeze).
    Before the first measurement a small grid finds the cost."""
    if seconds_per_point is None:
        return min(requested, 7)
    fit = int(math.sqrt(budget_s / max(seconds_per_point, 1e-9)))
    return max(5, min(requested, fit))


@dataclass
class GridSpec:
    """Where the decision-boundary heatmap is evaluated: an nx x ny lattice over extent."""

    extent: tuple  # ((xmin, xmax), (ymin, ymax))
    nx: int = 60
    ny: int = 60

    def points(self) -> np.ndarray:
        (x0, x1), (y0, y1) = self.extent
        X, Y = np.meshgrid(np.linspace(x0, x1, self.nx), np.linspace(y0, y1, self.ny))
        return np.stack([X.ravel(), Y.ravel()], axis=1).astype(np.float32)


@dataclass
class Frame:
    """What the worker sends after a chunk (all host data, nothing shared with the worker)."""

    step: int
    snapshot: object | None                        # the latest engine.train Snapshot
    rows: list = field(default_factory=list)       # history rows (dicts) since the last frame
    running: bool = False
    steps_per_s: float = 0.0
    grid: np.ndarray | None = None                 # (ny, nx, k) predictions on GridSpec
    grid_spec: GridSpec | None = None
    confusion: np.ndarray | None = None            # (k, k) counts on the test set, rows = truth
    landscape: dict | None = None                  # see TrainWorker._landscape
    views: dict = field(default_factory=dict)      # need key -> what its ViewRequest computed
    data_version: int = 0                          # bumps when the dataset changed
    reset: bool = False                            # a new session replaced the old one
    goals: list | None = None                      # the lesson's goal states (see set_goal_tracker)
    timeline: tuple | None = None                  # the steps the timeline keeps, when changed
    preview: int | None = None                     # an earlier moment shown (its step), or None
    truncate: int | None = None                    # resumed from this step: drop later history


class StepLoss(NamedTuple):
    """A frame row that is not a probe: one early step's batch loss (see EVERY_STEP_ROWS)."""
    step: int
    loss: float


def history_row(snap) -> dict:
    """The scalars of a Snapshot worth keeping for every probe (curves over time)."""
    row = {"step": snap.step, "epoch": snap.epoch, "loss": snap.loss, "lr": snap.lr,
           "train_loss": snap.train_loss, "test_loss": snap.test_loss}
    for name, value in snap.metrics.items():
        row["metric:" + name] = value
    # grad_norms, not gradients: reading those would compute every statistic of a probe
    # that no panel may ever show
    for name, norm in snap.grad_norms.items():
        row["grad:" + name] = norm
    return row


class TrainWorker(WorkerSignals):
    """Owns the Session and steps it; lives in the runner's thread (or the training
    process's main thread). Talk to it by signals (or messages, see training_process)."""

    def __init__(self, gate: threading.Event | None = None, wanted: threading.Event | None = None):
        super().__init__(None)  # no parent: it is moved to the thread
        #: cleared by the GUI while it draws: the worker then waits between steps, so the
        #: GUI holds the GIL for its whole redraw instead of fighting for it call by call
        self.gate = gate or threading.Event()
        if gate is None:
            self.gate.set()
        #: set by the GUI when it has drawn the last frame: while training runs, a frame goes
        #: only then (one per redraw; a frame nobody draws costs both threads). None: every
        #: FRAME_EVERY_S
        self.wanted = wanted
        self._frame_t = 0.0
        self.session = None
        self._factory = None
        self._timer = None
        self._running = False
        self._budget = 0          # steps still to run in step-once / step-epoch mode
        self._speed = 0.0         # steps per second; 0 = as fast as possible
        self._credit = 0.0
        self._last_tick = 0.0
        self._rows = []
        self._last_snap = None
        self._steps = 0
        self._rate_t, self._rate_steps, self._rate = time.perf_counter(), 0, 0.0
        self.needs = {}           # extras the visible panels want: "grid", "confusion", "landscape"
        self._extras_t = 0.0
        self._extras_step = -1
        self._data_version = 0
        self._reset_pending = False
        self._landscape_point_s = None   # measured cost of one landscape grid point
        self._due = {}                   # costly extra (view name, "landscape") -> when it may run again
        self._limit_setting = None       # Play stops at this step (settings.steps; None: never)
        self._limit = None               # ... unless lifted by a Play after the stop
        self._until = None               # Play stops here too (play_steps), limit or not
        self._tracker_factory = None     # session -> goal tracker (a lesson's goals) or None
        self._tracker = None
        self.timeline = None             # the session's earlier moments (engine.train.timeline)
        self._timeline_sent = None       # the timeline version the last frame carried
        self._preview = None             # the step of the earlier moment shown, or None (live)
        self._live = None                # (full state, snapshot) of the live moment meanwhile
        self._preview_hparams = []       # hyperparameters set meanwhile (they belong to the run)
        self._scrub_to, self._scrub_queued = 0, False
        self._truncate = None            # resumed at this step: the GUI drops later history
        self._weights = None             # (weights, source) for the next session built afresh
        self.blas = BlasPin()            # BLAS threads while this worker's session trains

    # ----- lifecycle (runs in the worker thread) ---------------------------
    @Slot()
    def start(self):
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    @Slot()
    def stop(self):
        self._running = False
        self._budget = 0
        self._until = None
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def finish(self):
        """The thread is about to end: NumPy's default BLAS threads again. (Undone here, by
        the thread that set the limit: OpenBLAS 0.3.31 ignored the same call from the GUI
        thread once this one had run products under the limit.)"""
        self.stop()
        self.blas.release()

    @Slot(object, bool)
    def setFactory(self, factory, keep_weights):
        """``factory(previous_session or None, dataset or None) -> Session``; called now and
        on every reset (a dataset of None means the one the graph's settings name).

        ``keep_weights``: hand the old session over so that unchanged nodes keep their
        trained weights (an edit of the graph); otherwise start afresh (reset).
        """
        self._factory = factory
        self._build(keep_weights)

    @Slot()
    def rebuild(self):
        self._build(False)

    @Slot()
    def drop(self):
        """Forget the session and its factory (the document it was built from is gone)."""
        self.stop()
        self._factory = None
        self.timeline, self._preview, self._live, self._preview_hparams = None, None, None, []
        self.session, self._last_snap, self._rows, self._steps = None, None, [], 0
        self.blas.release()
        self.stateChanged.emit(False)
        self.dropped.emit()  # after every frame of the old session

    def _build(self, keep_weights):
        was_running = self._running
        self.stop()
        if self.session is not None:
            self._leave_preview()   # an edit keeps the live weights, not those of a moment shown
        previous = self.session if keep_weights else None
        self.session, self._last_snap, self._rows, self._steps = None, None, [], 0
        self.timeline = None
        self._due = {}
        weights, self._weights = self._weights, None
        if self._factory is None:
            return
        try:
            self.session = self._factory(previous, None)
        except Exception as exc:  # a graph the student is still drawing: say why, go on
            self.failed.emit(_one_line(exc))
            self.stateChanged.emit(False)
            return
        if PIN_BLAS:
            self.blas.set(blas_threads_for(sum(int(p.data.size) for p in getattr(self.session, "params", ()))))
        # first: the GUI counts this as a new session, so what goes wrong below is about
        # this one (the window clears messages about older sessions once frames arrive)
        self.datasetChanged.emit(self.session.dataset)
        if weights is not None and previous is None:
            try:
                self.session.load_weights(*weights)
            except UserError as exc:   # weights of another graph: train from the seed's
                self.failed.emit(_one_line(exc))
        self.timeline, self._timeline_sent = Timeline(), None   # the next frame carries its steps
        self._record(self.timeline, self.session)
        self._apply_session_needs()
        self._data_version += 1
        self._reset_pending = True
        self._limit = self._limit_setting
        self._new_tracker()
        self._last_snap = _try(self.session.snapshot)
        self._extras_step = -1
        self._emit_frame(force_extras=True)
        if was_running and keep_weights:
            self.play()
        else:
            self.stateChanged.emit(False)

    # ----- controls -----------------------------------------------------------
    @Slot()
    def play(self):
        if self.session is None:
            return
        self._leave_preview()
        if self._limit is not None and self.session.step_count >= self._limit:
            self.limitLifted.emit(self._limit)   # Play after the stop: the user asks for more
            self._limit = None
        # a plain Play is bounded by the step limit only (playSteps sets its end after this):
        # an earlier "Train N steps" cut short by Step must not stop it
        self._running, self._budget, self._until = True, 0, None
        self._credit, self._last_tick = 0.0, time.perf_counter()
        self.stateChanged.emit(True)
        self._schedule(0)

    @Slot()
    def pause(self):
        was = self._running or self._budget
        self.stop()
        if was and self.session is not None:
            # the step the model is at, not the last probe's (the boundary grid and the
            # step-through trace are computed from the current weights too)
            s = self.session
            if self._last_snap is None or self._last_snap.step != s.step_count:
                self._last_snap = _try(s.snapshot) or self._last_snap
            self._keep_moment()
            self._emit_frame(force_extras=True)
        self.stateChanged.emit(False)  # after the last frame: "paused" means "all shown"

    @Slot(int)
    def stepN(self, n):
        """Run exactly ``n`` steps, then pause (step once: n=1; one epoch: steps_per_epoch)."""
        if self.session is None:
            return
        self._leave_preview()
        self._running = False
        self._budget = max(int(n), 1)
        self.stateChanged.emit(False)
        self._schedule(0)

    @Slot()
    def stepEpoch(self):
        if self.session is not None:
            self.stepN(steps_per_epoch(self.session))

    @Slot(int)
    def playSteps(self, n):
        """Play ``n`` steps at the set speed, then pause (a lesson's "train N steps": watched
        at the classroom speed, unlike stepN)."""
        if self.session is None:
            return
        self.play()
        self._until = self.session.step_count + max(int(n), 1)

    @Slot(object)
    def setLimit(self, steps):
        """Play stops when the session reaches ``steps`` (None: never). Step and step-N
        requests are not limited: they ask for exactly that many steps."""
        self._limit_setting = self._limit = None if steps is None else max(int(steps), 0)

    @Slot(object)
    def setTrackerFactory(self, factory):
        """``factory(session) -> tracker`` (or None): the tracker is fed every step of the
        session (``tracker.update(session, snapshot_or_None)``) and its ``states()`` travel
        with each frame; a new tracker for every new session."""
        self._tracker_factory = factory
        self._new_tracker()
        if self.session is not None and not self._running:
            self._emit_frame()

    def _new_tracker(self):
        self._tracker = None
        if self._tracker_factory is not None and self.session is not None:
            try:
                self._tracker = self._tracker_factory(self.session)
            except Exception as exc:  # a lesson's goals that cannot be read: say why, train on
                self.failed.emit(_one_line(exc))
                traceback.print_exc()

    def _track(self, snap):
        """Feed the goal tracker the step just made (``snap``: its Snapshot or None)."""
        self._with_tracker(lambda t: t.update(self.session, snap))

    def _with_tracker(self, use):
        if self._tracker is not None:
            try:
                use(self._tracker)
            except Exception as exc:  # a goal that cannot be evaluated never stops training
                self._tracker = None
                self.failed.emit(_one_line(exc))
                traceback.print_exc()

    @Slot(float)
    def setSpeed(self, steps_per_s):
        self._speed = max(float(steps_per_s), 0.0)
        self._credit, self._last_tick = 0.0, time.perf_counter()

    @Slot(str, object)
    def setHparam(self, name, value):
        if self.session is None:
            return
        try:
            self.session.set_hparam(name, value)
        except Exception as exc:
            self.failed.emit(_one_line(exc))
            return
        if self._preview is not None:   # the run's, whatever moment is shown
            self._preview_hparams.append((name, value))
        if not self._running:  # show the new value without waiting for a step
            self._last_snap = _try(self.session.snapshot) or self._last_snap
            self._emit_frame()

    @Slot(object)
    def setNeeds(self, needs):
        self.needs = dict(needs)
        self._due = {}   # a view just shown is computed at the next frame
        self._apply_session_needs()
        if self.session is not None and not self._running:
            self._emit_frame(force_extras=True)

    def _apply_session_needs(self):
        """What the session probes only while a panel shows it (the sequence view's
        recurrent states and BPTT norms: they cost every probe step an eager run)."""
        if self.session is not None and hasattr(self.session, "sequence_probes"):
            self.session.sequence_probes = bool(self.needs.get("sequence_probes"))

    # ----- requests from panels ----------------------------------------------
    @Slot(str, object)
    def nodeOutput(self, node_id, spec):
        if self.session is None:
            return
        try:
            out = np.asarray(self.session.node_output(node_id, spec.points()))
        except Exception as exc:
            self.failed.emit(_("node {node}: {error}").format(node=node_id, error=_one_line(exc)))
            return
        out = out.reshape(out.shape[0], -1)
        self.nodeOutputReady.emit(node_id, out.reshape(spec.ny, spec.nx, out.shape[1]))

    @Slot(int)
    def trace(self, n_samples):
        """Forward and backward values of every node on the first ``n_samples`` train samples."""
        if self.session is None:
            return
        s = self.session
        # the session's own copies of the data carry the targets as its loss wants them
        x, y = getattr(s, "x_train", s.dataset.x_train), getattr(s, "y_train", s.dataset.y_train)
        rows = getattr(s, "rows", None)   # a graph's nodes go together (Session.rows)
        n_samples = rows(n_samples) if rows is not None else n_samples
        try:
            result = s.trace(x[:n_samples], y[:n_samples])
        except Exception as exc:
            self.failed.emit(_one_line(exc))
            return
        self.traceReady.emit(result)

    @Slot(str)
    def checkGradient(self, node_id):
        if self.session is None:
            return
        try:
            result = self.session.check_gradient(node_id)
        except Exception as exc:
            self.failed.emit(_("node {node}: {error}").format(node=node_id, error=_one_line(exc)))
            return
        self.gradCheckReady.emit(node_id, result)

    # ----- the timeline: earlier moments of this session ------------------------
    # (the points a user clicks and "New data" are settings of the document: an edit)
    @Slot(int)
    def scrub(self, step):
        """Show the moment of the timeline at or before ``step``: the session goes back to
        that state (no training), and a snapshot of it with every extra is sent, so that
        each panel shows that moment. Requests that come faster than they are shown are
        merged: only the latest one is shown. Play and Step go back to the live moment
        first; ``resumeHere`` continues training from the moment shown instead."""
        self._scrub_to = int(step)
        if not self._scrub_queued:
            self._scrub_queued = True
            QTimer.singleShot(0, self, self._show_moment)

    def _show_moment(self):
        self._scrub_queued = False
        s = self.session
        state = None if s is None or self.timeline is None else self.timeline.at(self._scrub_to)
        if state is None:
            return
        if self._running or self._budget:
            self.stop()
            self.stateChanged.emit(False)
        try:
            if self._preview is None:   # what to come back to, exactly as it is now
                self._live = (s.state(full=True), self._last_snap)
            s.restore(state)
        except Exception as exc:  # a bug: say so, and stay at the live moment
            self.failed.emit(_one_line(exc))
            traceback.print_exc()
            self._leave_preview()
            return
        self._preview = state.step
        self._last_snap = _try(s.snapshot)
        self._extras_step = -1
        self._emit_frame(force_extras=True)

    def _record(self, timeline, session, force=False):
        try:
            timeline.record(session, force)
        except Exception as exc:  # a bug: the timeline stops, training goes on
            timeline.next_step, timeline.too_big = math.inf, True
            self.failed.emit(_one_line(exc))
            traceback.print_exc()

    def _keep_moment(self):
        """Training stopped here (a pause, the end of Step or Epoch): a moment the user saw,
        kept on the timeline even between its intervals."""
        if self.timeline is not None and self._preview is None and self.session is not None:
            self._record(self.timeline, self.session, force=True)

    def _leave_preview(self) -> bool:
        """Back to the live moment after showing an earlier one; False if not showing one."""
        if self._preview is None:
            return False
        state, snap = self._live
        self.session.restore(state)
        self._last_snap = snap
        self._preview = self._live = None
        self._reapply_hparams()
        return True

    def _reapply_hparams(self):
        # hyperparameters changed while an earlier moment was shown belong to the run
        for name, value in self._preview_hparams:
            _try(lambda: self.session.set_hparam(name, value))
        self._preview_hparams = []

    @Slot()
    def live(self):
        """Show the live moment again (the end of the timeline)."""
        if self._leave_preview():
            self._extras_step = -1
            self._emit_frame(force_extras=True)

    @Slot()
    def resumeHere(self):
        """Train on from the moment shown: the states after it are dropped (and the
        history rows after it, in the GUI) and training runs."""
        if self._preview is None or self.session is None:
            return
        state = self.timeline.at(self._preview)
        # again: showing the moment took a snapshot, whose probe leaves traces
        self.session.restore(state)
        self.timeline.drop_after(state.step)
        self._with_tracker(lambda t: t.rewind(state.step))   # the goals forget what came after
        self._preview = self._live = None
        self._reapply_hparams()
        self._rows, self._truncate = [], state.step
        self._emit_frame()
        self.play()

    @Slot(object, object)
    def setWeights(self, weights, source):
        """Trained weights ({name: array}, read from ``source``) for the next session built
        afresh (a file opened with its .npz); used once, by the next build either way."""
        self._weights = None if weights is None else (weights, source)

    @Slot(object, object, object)
    def call(self, fn, box, done):
        """``box["result"] = fn(session)`` here, between chunks (see Runner.call_in_worker)."""
        try:
            box["result"] = None if self.session is None else fn(self.session)
        except Exception as exc:  # handed to the caller, who decides what it means
            box["error"] = exc
        finally:
            done.set()

    # ----- the training loop ------------------------------------------------
    def _schedule(self, ms):
        if self._timer is not None and not self._timer.isActive():
            self._timer.start(ms)

    @Slot()
    def _tick(self):
        s = self.session
        if s is None or not (self._running or self._budget):
            return
        now = time.perf_counter()
        limit = math.inf
        if self._budget:
            limit = self._budget
        elif self._speed > 0:
            self._credit = min(self._credit + (now - self._last_tick) * self._speed, 
                               self._speed * 0.25 + 1)
            limit = int(self._credit)
        if not self._budget and (self._limit is not None or self._until is not None):
            left = min(e for e in (self._limit, self._until) if e is not None) - s.step_count
            if left <= 0:
                if self._limit is not None and s.step_count >= self._limit:
                    self._stop_at_limit()
                else:
                    self.pause()   # the steps play_steps asked for are done
                return
            limit = min(limit, left)
        self._last_tick = now
        deadline = now + CHUNK_S
        # a chunk also ends when a frame is due, so that frames leave on time
        frame_due = self._frame_t + FRAME_EVERY_S if self._running else math.inf
        wanted = self.wanted
        done = 0
        gate = self.gate
        timeline = self.timeline
        try:
            while done < limit:
                if not gate.is_set():
                    gate.wait(GATE_TIMEOUT_S)
                snap = s.step()
                done += 1
                if s.step_count >= timeline.next_step:
                    self._record(timeline, s)
                if self._tracker is not None:
                    self._track(snap)
                if s.step_count <= EVERY_STEP_ROWS and (snap is None or not snap.stopped):
                    self._rows.append(StepLoss(s.step_count, s.last_loss))
                if snap is not None:
                    self._last_snap = snap
                    self._rows.append(history_row(snap))
                    if snap.stopped:
                        self._running, self._budget = False, 0
                        self.stateChanged.emit(False)
                        if s.stop_message:   # early stopping: say why, in the status bar
                            self.failed.emit(s.stop_message)
                        break
                t = time.perf_counter()
                if t >= deadline or (t >= frame_due and (wanted is None or wanted.is_set())):
                    break
        except Exception as exc:
            self._running, self._budget = False, 0
            self.stateChanged.emit(False)
            self.failed.emit(_one_line(exc))
            traceback.print_exc()
        self._steps += done
        if self._budget:
            self._budget = max(self._budget - done, 0)
            if not self._budget:  # finished a step-once/epoch: show the exact state
                self._last_snap = _try(s.snapshot) or self._last_snap
                self._keep_moment()
                self._emit_frame(force_extras=True)
                return
        elif self._speed > 0:
            self._credit -= done
        if not self._running or (time.perf_counter() - self._frame_t >= FRAME_EVERY_S
                                 and (self.wanted is None or self.wanted.is_set())):
            self._emit_frame()
        if self._running or self._budget:
            wait = GAP_MS
            if self._speed > 0 and self._credit < 1:
                wait = max(GAP_MS, int(1000 * (1 - self._credit) / self._speed))
            self._schedule(wait)

    def _stop_at_limit(self):
        """Play reached the step limit: stop there and show that exact step."""
        s = self.session
        self._running, self._until = False, None
        if self._last_snap is None or self._last_snap.step != s.step_count:
            self._last_snap = _try(s.snapshot) or self._last_snap
        self._keep_moment()
        self._emit_frame(force_extras=True)
        self.stateChanged.emit(False)
        self.limitReached.emit(self._limit)

    def _emit_frame(self, force_extras=False):
        s = self.session
        if s is None:
            return
        now = time.perf_counter()
        self._frame_t = now
        if self.wanted is not None:
            self.wanted.clear()
        if now - self._rate_t > 0.5:
            self._rate = (self._steps - self._rate_steps) / (now - self._rate_t)
            self._rate_t, self._rate_steps = now, self._steps
        frame = Frame(step=self._snap_step(), snapshot=self._last_snap, rows=self._rows,
                      running=self._running, steps_per_s=self._rate if self._running else 0.0,
                      data_version=self._data_version, reset=self._reset_pending)
        if self._tracker is not None:
            frame.goals = _try(self._tracker.states)
        tl = self.timeline
        if tl is not None and tl.version != self._timeline_sent:
            frame.timeline, self._timeline_sent = tuple(tl.steps()), tl.version
        frame.preview, frame.truncate, self._truncate = self._preview, self._truncate, None
        self._rows, self._reset_pending = [], False
        due = now - self._extras_t >= EXTRAS_EVERY_S and self._extras_step != self._steps
        if force_extras or due:
            self._extras_t, self._extras_step = now, self._steps
            try:
                self._extras(frame, now)
            except Exception as exc:  # extras are for looking, never stop training
                self.failed.emit(_one_line(exc))
        if frame.snapshot is not None:
            # the GUI reads the activation statistics of every snapshot it shows (the
            # decision boundary's node list, the activation history): a lazy snapshot
            # computes them here, not in the GUI's redraw (whose cost sets the frame rate)
            _try(lambda: len(frame.snapshot.activations))
        self.frameReady.emit(frame)

    def _snap_step(self):
        return self._last_snap.step if self._last_snap is not None else self._steps

    def _extras(self, frame, now):
        s = self.session
        ds = s.dataset
        spec = self.needs.get("grid")
        if spec is not None and ds.x_train.ndim == 2 and ds.x_train.shape[1] == 2:
            pred = np.asarray(s.predict(spec.points()), dtype=np.float64)
            frame.grid = pred.reshape(spec.ny, spec.nx, -1)
            frame.grid_spec = spec
        if self.needs.get("confusion") and s.classifies and ds.n_classes:
            frame.confusion = confusion_matrix(ds.y_test, s.predict(ds.x_test), ds.n_classes)
        for key, request in self.needs.items():  # the main views: engine.train.views.ViewRequest
            if hasattr(request, "compute") and self._is_due(key, now):
                start = time.perf_counter()
                frame.views[key] = request.compute(s)
                self._ran(key, start, VIEW_SHARE)
        if self.needs.get("landscape") and len(getattr(s, "trajectory", ())) >= 3 and self._is_due("landscape", now):
            start = time.perf_counter()   # the landscape's own cost, not the grid's before it
            frame.landscape = self._landscape()
            self._ran("landscape", start, LANDSCAPE_SHARE, floor_s=1.0)

    def _is_due(self, key, now) -> bool:
        """Whether the costly extra ``key`` may run: always while paused, else once its wait
        (see ``_ran``) is over. Meanwhile the GUI keeps showing the last result."""
        return not self._running or now >= self._due.get(key, 0.0)

    def _ran(self, key, start, share, floor_s=0.0):
        """``key`` ran from ``start`` until now: it is due again after a wait that keeps its
        cost at most ``share`` of the worker's time (and at least ``floor_s`` seconds)."""
        end = time.perf_counter()
        self._due[key] = end + max(floor_s, (end - start) * (1 - share) / share)

    def _landscape(self):
        """The trajectory on the PCA plane of the parameter history, and the loss on a grid
        of that plane around it (engine.train.landscape does the numerics)."""
        from engine.train import landscape  # noqa: PLC0415

        s = self.session
        plane = landscape.pca_plane(s.trajectory_array())
        c = plane.coords
        n = landscape_size(int(self.needs.get("landscape_n", 21)), self._landscape_point_s)
        axes = []
        for k in range(2):
            lo, hi = float(c[:, k].min()), float(c[:, k].max())
            pad = max(hi - lo, 1e-3) * 0.25
            axes.append(np.linspace(lo - pad, hi + pad, n))
        t0 = time.perf_counter()
        loss = landscape.loss_grid(s, plane.center, plane.d1, plane.d2, axes[0], axes[1])
        self._landscape_point_s = (time.perf_counter() - t0) / (n * n)
        return {"xs": axes[0], "ys": axes[1], "loss": np.asarray(loss), "path": c,
                "explained": plane.explained}


def steps_per_epoch(session) -> int:
    spe = getattr(session, "steps_per_epoch", None)
    if spe:
        return int(spe() if callable(spe) else spe)
    n = len(session.dataset.x_train)
    return max(1, -(-n // int(getattr(session, "batch_size", 10) or 10)))


def confusion_matrix(y_true, prediction, n_classes) -> np.ndarray:
    """Counts of (true class, predicted class) on host arrays; rows are the truth.

    ``prediction`` is the model output: class scores (N, k) or, for one output column,
    a score thresholded at the middle of its range (0.5 for probabilities, 0 otherwise).
    """
    y = np.asarray(y_true).reshape(len(y_true), -1)
    y = y.argmax(1) if y.shape[1] > 1 else y[:, 0]
    p = np.asarray(prediction, dtype=np.float64).reshape(len(y), -1)
    if p.shape[1] > 1:
        guess = p.argmax(1)
    else:
        p = p[:, 0]
        threshold = 0.5 if (p.min() >= 0 and p.max() <= 1) else 0.0
        guess = (p > threshold).astype(np.int64)
        y = (y > (0.0 if y.min() < 0 else 0.5)).astype(np.int64) if y.dtype.kind == "f" else y
    if y.dtype.kind == "i":   # a negative class is no label (a graph's other nodes): not counted
        y, guess = y[y >= 0], guess[y >= 0]
    y = np.clip(y.astype(np.int64), 0, n_classes - 1)
    guess = np.clip(guess, 0, n_classes - 1)
    return np.bincount(y * n_classes + guess, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


#: history rows kept: a run left training for hours keeps flat memory (see History)
MAX_HISTORY_ROWS = 8192
#: the batch loss of each of the first steps goes to ``Runner.step_losses``, also between
#: probes (every ``probe_every`` steps): a short run is a curve, not two dots
EVERY_STEP_ROWS = 50


class History:
    """Columns of history rows, grown by doubling (no per-row Python lists to copy).

    At most ``max_rows`` rows, evenly spaced: when full, every other row is dropped and
    from then on only every other incoming row is kept (the stride doubles), so a curve
    over a long run keeps its shape. The newest row is always there (a row off the
    stride stays as the last one until the next arrives)."""

    def __init__(self, max_rows: int = MAX_HISTORY_ROWS):
        self.max_rows = max(int(max_rows), 4)
        self.clear()

    def clear(self):
        self.n = 0
        self._cols: dict[str, np.ndarray] = {}
        self._cap = min(256, self.max_rows)
        self._stride, self._seen, self._tail = 1, 0, False

    def append(self, rows):
        for row in rows:
            if self._tail:   # the last row was only the newest one, off the stride
                self.n -= 1
                for v in self._cols.values():
                    v[self.n] = np.nan
            if self.n == self._cap and self._cap >= self.max_rows:   # full: thin out
                kept = (self.n + 1) // 2
                for v in self._cols.values():
                    v[:kept] = v[:self.n:2].copy()
                    v[kept:] = np.nan
                self.n, self._stride = kept, self._stride * 2
            elif self.n == self._cap:
                self._cap = min(self._cap * 2, self.max_rows)
                for k, v in self._cols.items():
                    grown = np.full(self._cap, np.nan)
                    grown[:self.n] = v[:self.n]
                    self._cols[k] = grown
            for k, v in row.items():
                col = self._cols.get(k)
                if col is None:
                    col = self._cols[k] = np.full(self._cap, np.nan)
                col[self.n] = np.nan if v is None else v
            self.n += 1
            self._tail = self._seen % self._stride != 0
            self._seen += 1

    def __len__(self):
        return self.n

    def truncate(self, step):
        """Forget the rows after ``step`` (training resumed from an earlier moment)."""
        steps = self.column("step")
        keep = int(np.searchsorted(steps, step, side="right"))
        for v in self._cols.values():
            v[keep:self.n] = np.nan
        self.n, self._tail = keep, False

    def names(self):
        return list(self._cols)

    def column(self, name) -> np.ndarray:
        col = self._cols.get(name)
        return np.full(self.n, np.nan) if col is None else col[:self.n]

    def to_csv(self, path):
        names = self.names()
        data = np.stack([self.column(n) for n in names], axis=1) if names else np.zeros((0, 0))
        np.savetxt(path, data, delimiter=",", header=",".join(names), comments="", fmt="%.8g")


class ActivationHistory:
    """The last ``keep`` activation statistics of every node, one entry per shown snapshot."""

    def __init__(self, keep: int = 200):
        self.keep = keep
        self.clear()

    def clear(self):
        self.by_node: dict[str, deque] = {}

    def add(self, snap):
        for node, stats in snap.activations.items():
            q = self.by_node.get(node)
            if q is None:
                q = self.by_node[node] = deque(maxlen=self.keep)
            if q and q[-1][0] >= snap.step:
                continue   # shown already (the live moment again, after an earlier one)
            q.append((snap.step, stats))

    def truncate(self, step):
        """Forget the entries after ``step`` (training resumed from an earlier moment)."""
        for q in self.by_node.values():
            while q and q[-1][0] > step:
                q.pop()


class GuiThreadCollector(QObject):
    """Run Python's cyclic garbage collector only in the GUI thread, from a timer.

    The collector runs in whichever thread happens to allocate. If the training thread
    collects a cycle holding Qt widgets (a closed window, a menu), their C++ destructors
    run off the GUI thread, which crashes Qt or deadlocks with the GUI thread (seen: the
    worker waiting for the GIL inside ~QObject while the GUI thread waits for a Qt lock).
    So automatic collection is switched off while a runner exists, and this timer collects
    with the usual generation thresholds instead (the same remedy as pyqtgraph's
    GarbageCollector).
    """

    _instance = None

    def __init__(self, interval_ms: int = 500):
        super().__init__(QCoreApplication.instance())
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    @classmethod
    def install(cls):
        if cls._instance is None and QCoreApplication.instance() is not None:
            cls._instance = cls()
        return cls._instance

    def check(self):
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 > t0:
            gc.collect(0)
            if c1 > t1:
                gc.collect(1)
                if c2 > t2:
                    gc.collect(2)


class Runner(QObject):
    """GUI-side controller: owns the thread, forwards controls, keeps the latest frame."""

    # requests queued to the worker (signals cross threads safely)
    _play = Signal()
    _pause = Signal()
    _stepN = Signal(int)
    _stepEpoch = Signal()
    _playSteps = Signal(int)
    _setSpeed = Signal(float)
    _setHparam = Signal(str, object)
    _setFactory = Signal(object, bool)
    _rebuild = Signal()
    _setNeeds = Signal(object)
    _nodeOutput = Signal(str, object)
    _trace = Signal(int)
    _checkGradient = Signal(str)
    _scrub = Signal(int)
    _live = Signal()
    _resumeHere = Signal()
    _setWeights = Signal(object, object)
    _call = Signal(object, object, object)
    _stop = Signal()
    _finish = Signal()
    _drop = Signal()
    _setLimit = Signal(object)
    _setTrackerFactory = Signal(object)

    #: panels redraw on this; carries the Runner (read .snapshot, .history, .grid, ...)
    redraw = Signal(object)
    runningChanged = Signal(bool)
    message = Signal(str)
    reset_done = Signal()
    #: Play stopped at the step limit (the step); Play again goes on past it (the step)
    limitReached = Signal(int)
    limitLifted = Signal(int)
    # the worker's replies, relayed so that none from a dropped session reaches a panel
    nodeOutputReady = Signal(str, object)  # node id, (ny, nx, units) array
    traceReady = Signal(object)            # session.trace(...) result
    gradCheckReady = Signal(str, object)   # node id, session.check_gradient(...) result

    def __init__(self, parent=None, redraw_hz: float | None = None, in_process: bool | None = None):
        """``in_process``: train in a child process (True), in a thread of this one (False),
        or as ``training_in_process()`` says (None). ``redraw_hz``: the frame clock's rate
        while training (None: FRAME_HZ, or PROCESS_FRAME_HZ in a process)."""
        super().__init__(parent)
        GuiThreadCollector.install()
        self.snapshot = None
        self.history = History()          # a row per probe
        self.step_losses = History()      # step, loss: each of the first EVERY_STEP_ROWS steps
        self.activation_history = ActivationHistory()
        self.grid = None
        self.grid_spec = None
        self.confusion = None
        self.landscape = None
        #: what each visible view asked for (a ViewRequest in its needs), by need key
        self.views = {}
        self.dataset = None
        self.data_version = 0
        self.step = 0
        #: the goal states of the lesson being trained (a list, see set_goal_tracker) or None
        self.goals = None
        #: the steps of the moments the timeline keeps, and the one shown (None: live)
        self.timeline_steps: tuple = ()
        self.preview_step = None
        self.running = False
        self.steps_per_s = 0.0
        self.frames_received = 0
        self.redraws = 0
        self.last_message = ""
        self._drops_pending = 0   # clear()s the worker has not confirmed yet: ignore its frames
        self.message.connect(self._remember_message)
        self._dirty = False
        self._activations_t = -math.inf   # when a snapshot last went to activation_history
        self._needs: dict[str, dict] = {}   # owner -> its needs; merged for the worker

        if in_process is None:
            in_process = training_in_process()
        asked_hz = redraw_hz
        if redraw_hz is None:
            redraw_hz = PROCESS_FRAME_HZ if in_process else FRAME_HZ
        #: the largest share of the time redrawing may take while training runs (see _flush)
        self.gui_share = PROCESS_GUI_SHARE if in_process else GUI_SHARE
        self.gate = threading.Event()
        self.gate.set()
        #: set when the panels have drawn the last frame: the worker sends the next one
        self.frame_wanted = threading.Event()
        self.frame_wanted.set()
        self.thread = self.process = None
        if in_process:   # the worker in a child process (see training_process)
            # frames a little more often than redraws (as FRAME_EVERY_S is to FRAME_HZ)
            settings = dict(worker_settings(), FRAME_EVERY_S=min(FRAME_EVERY_S, 0.75 / redraw_hz))
            try:
                self.worker = self.process = TrainingProcess(settings)
                self.frame_wanted = self.process.wanted
            except Exception:  # noqa: BLE001  no process can start here: train in a thread
                log.exception("the training process could not start; training in a thread")
                in_process = False
                self.gui_share, redraw_hz = GUI_SHARE, asked_hz or FRAME_HZ
        if not in_process:
            self.thread = QThread()
            self.thread.setObjectName("training")
            self.worker = TrainWorker(self.gate, self.frame_wanted)
            self.worker.moveToThread(self.thread)
            self.thread.started.connect(self.worker.start)
            self.thread.finished.connect(self.worker.deleteLater)
        w = self.worker
        for sig, slot in ((self._play, w.play), (self._pause, w.pause), (self._stepN, w.stepN),
                          (self._stepEpoch, w.stepEpoch), (self._setSpeed, w.setSpeed),
                          (self._playSteps, w.playSteps),
                          (self._setHparam, w.setHparam), (self._setFactory, w.setFactory),
                          (self._rebuild, w.rebuild), (self._setNeeds, w.setNeeds),
                          (self._nodeOutput, w.nodeOutput), (self._trace, w.trace),
                          (self._checkGradient, w.checkGradient), (self._scrub, w.scrub),
                          (self._live, w.live), (self._resumeHere, w.resumeHere),
                          (self._setWeights, w.setWeights), (self._call, w.call),
                          (self._stop, w.stop), (self._drop, w.drop),
                          (self._setLimit, w.setLimit), (self._setTrackerFactory, w.setTrackerFactory)):
            sig.connect(slot)
        if self.thread is not None:
            self._finish.connect(w.finish, Qt.BlockingQueuedConnection)
        # queued explicitly: these slots touch GUI state and must run in the GUI thread
        # (the worker's thread, or the reader thread of the training process, emits them)
        w.frameReady.connect(self._on_frame, Qt.QueuedConnection)
        w.stateChanged.connect(self._on_state, Qt.QueuedConnection)
        w.failed.connect(self._on_failed, Qt.QueuedConnection)
        w.datasetChanged.connect(self._on_dataset, Qt.QueuedConnection)
        w.dropped.connect(self._on_dropped, Qt.QueuedConnection)
        w.nodeOutputReady.connect(self._on_node_output, Qt.QueuedConnection)
        w.traceReady.connect(self._on_trace, Qt.QueuedConnection)
        w.gradCheckReady.connect(self._on_grad_check, Qt.QueuedConnection)
        w.limitReached.connect(self._on_limit_reached, Qt.QueuedConnection)
        w.limitLifted.connect(self._on_limit_lifted, Qt.QueuedConnection)

        self.min_interval_ms = 1000 / redraw_hz
        self.redraw_cost_s = 0.0      # last redraw, paint included (seconds)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.PreciseTimer)   # a coarse timer's 5 % jitter skips frames
        self._timer.setInterval(int(self.min_interval_ms))
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self._due_t = time.perf_counter() + self.min_interval_ms / 1000   # when the next redraw is due
        # last resort when nobody called shutdown(): the window (our parent) is being
        # destroyed; stop the thread (before Qt destroys a running QThread: that aborts)
        # or the process
        if self.process is not None:
            process = self.process
            self.destroyed.connect(lambda *_: process.close())
        else:
            self.thread.start()
            thread = self.thread
            self.destroyed.connect(lambda *_: _stop_thread(thread))
            _LIVE_THREADS.add(thread)  # and at interpreter exit (see _stop_all)

    # ----- controls (GUI thread) ------------------------------------------------
    def set_session_factory(self, factory, keep_weights: bool = False):
        """``factory(previous_session_or_None, dataset_or_None) -> Session``, run in the worker.

        It must not read anything the GUI thread changes: give it its own copy of the
        graph. In a training process it travels pickled: ``functools.partial(graph_session,
        copy)``, not a closure. ``keep_weights`` passes the current session so unchanged nodes keep theirs.
        """
        self._setFactory.emit(factory, bool(keep_weights))

    def play(self):
        self._play.emit()

    def pause(self):
        self._pause.emit()

    def step_once(self):
        self._stepN.emit(1)

    def step_n(self, n):
        self._stepN.emit(int(n))

    def play_steps(self, n):
        """Play ``n`` steps at the set speed (watchable), then pause."""
        self._playSteps.emit(int(n))

    def step_epoch(self):
        self._stepEpoch.emit()

    def reset(self):
        self._rebuild.emit()

    def clear(self):
        """A new document: drop the session and everything shown from it, now. Frames the
        worker sent before it hears this are ignored (see _on_dropped)."""
        self._drops_pending += 1
        self._drop.emit()
        self.snapshot = self.grid_spec = self.dataset = None
        self.step, self.steps_per_s = 0, 0.0
        self.data_version += 1
        self._on_state(False)
        self._clear_run()
        self._dirty = True

    def _clear_run(self):
        """Drop the run's curves and extras and tell the panels (they read ``snapshot``
        to tell a new session of this document from a new document)."""
        self.history.clear()
        self.step_losses.clear()
        self.activation_history.clear()
        self.landscape = self.confusion = self.grid = self.goals = None
        self.views = {}
        self.timeline_steps, self.preview_step = (), None
        self.reset_done.emit()

    def set_step_limit(self, steps: int | None):
        """Play stops at this step (``settings.steps``); a Play after that stop goes on (and
        ``limitLifted`` says so); a new session (reset, edit) has the limit again."""
        self._setLimit.emit(steps)

    def set_goal_tracker(self, factory):
        """``factory(session) -> tracker`` run in the worker for every new session (None: no
        goals). The tracker is fed each snapshot; ``runner.goals`` holds its latest states.
        Data, like the session factory (playground.lesson.goals.tracker_factory)."""
        self._setTrackerFactory.emit(factory)

    def set_speed(self, steps_per_s: float):
        """Steps per second; 0 trains as fast as the machine can."""
        self._setSpeed.emit(float(steps_per_s))

    def set_hparam(self, name: str, value):
        self._setHparam.emit(name, value)

    def set_needs(self, owner: str, needs: dict | None):
        """What a panel needs computed in the worker while it is visible (None: nothing)."""
        if needs:
            self._needs[owner] = needs
        else:
            self._needs.pop(owner, None)
        merged = {}
        for n in self._needs.values():
            merged.update(n)
        self._setNeeds.emit(merged)

    def asks_for(self, key: str) -> bool:
        """Does some visible panel need ``key`` ("grid", "confusion", ...) computed?"""
        return any(key in needs for needs in self._needs.values())

    def request_node_output(self, node_id: str, spec: GridSpec):
        self._nodeOutput.emit(node_id, spec)

    def request_trace(self, n_samples: int = 4):
        self._trace.emit(int(n_samples))

    def request_check_gradient(self, node_id: str):
        self._checkGradient.emit(node_id)

    # ----- the timeline (see TrainWorker.scrub) ---------------------------------------
    def scrub_to(self, step: int):
        """Show the kept moment at or before ``step``; panels then show that moment."""
        self._scrub.emit(int(step))

    def back_to_live(self):
        self._live.emit()

    def resume_here(self):
        """Train on from the moment shown (the later moments and history are dropped)."""
        self._resumeHere.emit()

    def set_initial_weights(self, weights: dict | None, source: str = "weights"):
        """Trained weights for the next session built afresh (a file opened with them)."""
        self._setWeights.emit(weights, source)

    def call_in_worker(self, fn, timeout_s: float = 10.0):
        """``fn(session)`` run by the worker between two chunks (the session is never
        touched from here); its result, or None when there is no session or the worker did
        not answer within ``timeout_s``. What ``fn`` raises is raised here. In a training
        process ``fn`` travels pickled: a module's function, not a lambda
        (``operator.methodcaller("weights")``)."""
        if not self.open:
            return None
        box, done = {}, threading.Event()
        self._call.emit(fn, box, done)
        if not done.wait(timeout_s):
            return None
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def shutdown(self):
        """Stop training and the thread or process; safe to call twice (window close + app
        quit)."""
        if not self.open:
            return
        self._timer.stop()
        if self.process is not None:
            self.process.close()
            self.process = None
            return
        self._stop.emit()
        self._finish.emit()   # (blocking: the BLAS limit is undone by the thread that set it)
        self.thread.quit()
        self.thread.wait()
        self.thread = None

    @property
    def open(self) -> bool:
        """Whether the worker is there (until shutdown)."""
        return self.thread is not None or self.process is not None

    # ----- frames (GUI thread) ----------------------------------------------------
    @Slot()
    def _on_dropped(self):
        self._drops_pending -= 1

    @Slot(str)
    def _on_failed(self, text):
        if not self._drops_pending:   # not about the document shown now
            self.message.emit(text)

    @Slot(str, object)
    def _on_node_output(self, node_id, grid):
        if not self._drops_pending:
            self.nodeOutputReady.emit(node_id, grid)

    @Slot(object)
    def _on_trace(self, result):
        if not self._drops_pending:
            self.traceReady.emit(result)

    @Slot(int)
    def _on_limit_reached(self, step):
        if not self._drops_pending:
            self.limitReached.emit(step)

    @Slot(int)
    def _on_limit_lifted(self, step):
        if not self._drops_pending:
            self.limitLifted.emit(step)

    @Slot(str, object)
    def _on_grad_check(self, node_id, result):
        if not self._drops_pending:
            self.gradCheckReady.emit(node_id, result)

    @Slot(object)
    def _on_frame(self, frame: Frame):
        if self._drops_pending:
            return  # from the session of a document that is gone
        if frame.reset:
            self._clear_run()
        self.frames_received += 1
        if frame.truncate is not None:   # resumed from an earlier moment
            self.history.truncate(frame.truncate)
            self.step_losses.truncate(frame.truncate)
            self.activation_history.truncate(frame.truncate)
        self.history.append(r for r in frame.rows if not isinstance(r, StepLoss))
        self.step_losses.append(r._asdict() for r in frame.rows if isinstance(r, StepLoss))
        if frame.timeline is not None:
            self.timeline_steps = frame.timeline
        self.preview_step = frame.preview
        if frame.snapshot is not None:
            now = time.perf_counter()
            if frame.preview is None and (self.snapshot is None or frame.snapshot.step != self.snapshot.step) \
                    and (now - self._activations_t >= ACTIVATIONS_EVERY_S or not frame.running):
                self._activations_t = now
                self.activation_history.add(frame.snapshot)
            self.snapshot = frame.snapshot  # older snapshots are simply dropped (coalesced)
        self.step = frame.step
        self.steps_per_s = frame.steps_per_s
        if frame.grid is not None:
            self.grid, self.grid_spec = frame.grid, frame.grid_spec
        if frame.confusion is not None:
            self.confusion = frame.confusion
        if frame.landscape is not None:
            self.landscape = frame.landscape
        self.views.update(frame.views)
        if frame.goals is not None or frame.reset:
            self.goals = frame.goals
        self._dirty = True

    @Slot(bool)
    def _on_state(self, running):
        if self._drops_pending and running:
            return
        self.running = running
        self.runningChanged.emit(running)

    @Slot(object)
    def _on_dataset(self, dataset):
        if self._drops_pending:
            return
        self.dataset = dataset
        self.data_version += 1
        self._dirty = True

    def redraw_now(self):
        """Redraw the panels at once (e.g. before a screenshot)."""
        self._dirty = True
        self._timer.stop()
        self._flush()

    def _remember_message(self, text):
        self.last_message = text

    @Slot()
    def _flush(self):
        """Redraw the panels (and paint them) while the worker waits at the gate.

        The redraws keep the beat of ``redraw_hz`` (the next one is due an interval after
        this one was due, not after it ended), stretched only when redrawing would take more
        than GUI_SHARE of the time while training runs."""
        t0 = time.perf_counter()
        interval = self.min_interval_ms
        if self._dirty:
            self._dirty = False
            self.gate.clear()
            try:
                self.redraw.emit(self)
                # paint now, still holding the worker back, rather than later piecemeal
                # (the scene's dirty-item pass, then the paint it requests)
                QCoreApplication.processEvents()
                QCoreApplication.processEvents()
            finally:
                self.gate.set()
            self.redraw_cost_s = time.perf_counter() - t0
            self.redraws += 1
            self.frame_wanted.set()
            if self.running:
                interval = max(interval, 1000 * self.redraw_cost_s / self.gui_share)
        if self.open:
            interval = min(interval, 500) / 1000
            # on the beat: due an interval after this redraw was due, so that a timer that
            # fired late (it waits for the GIL) is caught up and the clock keeps its rate;
            # an interval after this one began when it came early (redraw_now), lagged a
            # whole interval, or the interval stretched
            due = min(self._due_t, t0) + interval
            if interval > self.min_interval_ms / 1000 or due < t0:
                due = t0 + interval
            self._due_t = max(due, t0 + 0.75 * interval)
            wait = 1000 * (self._due_t - time.perf_counter())
            self._timer.start(max(1, round(wait)))


_LIVE_THREADS: "weakref.WeakSet[QThread]" = weakref.WeakSet()


@atexit.register
def _stop_all():
    for thread in list(_LIVE_THREADS):
        _stop_thread(thread)
    close_all()


def _stop_thread(thread):
    try:
        if thread.isRunning():
            thread.quit()
            thread.wait()
    except RuntimeError:  # already gone
        pass


def _try(fn):
    try:
        return fn()
    except Exception:
        return None


def _one_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
