"""A training session's state at a moment, and a timeline of such moments.

    state = session.state()          # a SessionState: everything the next steps depend on
    session.run(100)
    session.restore(state)           # back to that moment: the next 100 steps repeat exactly

    timeline = Timeline()            # states kept at intervals, at most 50 MB together
    timeline.record(session)         # keeps a state when one is due (cheap otherwise)
    timeline.steps()                 # [0, 10, 20, ...]
    session.restore(timeline.at(40))

A state holds copies of the parameters, their gradients and the buffers (running
statistics), the optimizer's state (momenta, step counts, the hyperparameters of its
groups: a teacher's live change of the learning rate is part of the moment), the
schedule's state, the step and epoch counters, where the data loader is in its epoch
(the shuffling generator's state when the epoch began and the batches handed out since)
and the state of every random generator the modules draw from (dropout). Restoring it
and training N steps gives the same parameters, losses and statistics, bit for bit, as
never having stopped (tests/graph/test_timeline.py).

The diagnostics' evidence (the last few evaluated probes, whose statistics hold a batch
of activations each) is kept only by a ``full`` state, which is what a viewer takes of
the moment it leaves to look back, so that returning to it is exact; a timeline's states
leave it out to stay small, and the verdicts after restoring one of them are formed
from the probes that follow (as after Reset). No state holds a Snapshot.

The timeline keeps a state every ``every`` steps. When its states together exceed
``max_bytes`` (or number more than ``max_states``), it thins them out: the interval
doubles and only the states on the new interval stay, the first one always; so the
states stay evenly spread over the whole run, however long it trains, and the memory
stays bounded. The moments training stopped at (``record(force=True)``: a pause, the
end of Step) are kept when it thins out, unless only they are left to drop. It does the same when capturing a state costs more than ``COST_SHARE``
of the training time since the previous one (a tiny network at full speed), so keeping
the timeline never slows training down noticeably. A network whose single state does not fit twice in ``max_bytes`` gets no
timeline (``Timeline.too_big``).
"""
from __future__ import annotations

import copy
import math
import time
from collections import deque
from dataclasses import dataclass, field

from .. import backend
from ..autograd import _make
from . import diagnostics

#: the default memory bound of a timeline (all its states together)
MAX_BYTES = 50 * 2**20
#: the default number of states a timeline keeps at most (the slider's resolution)
MAX_STATES = 1000
#: steps between states at first (it doubles each time the timeline thins out)
EVERY = 10
#: keeping states takes at most about this share of the training time: when a capture
#: costs more than this share of the time since the previous one, the interval doubles
COST_SHARE = 0.02


@dataclass
class SessionState:
    """Everything a Session's next steps depend on, at one step (see the module docstring)."""

    step: int
    epoch_count: int
    last_loss: float
    initial_loss: float | None
    stopped: bool
    batch_size: int
    params: list                      # arrays, one per Session.params entry (copies)
    grads: list                       # the same for their gradients (None where none)
    buffers: list                     # (module, name, array copy) of every buffer
    optimizer: dict
    scheduler: dict | None
    loader: dict
    generators: list                  # (generator, its state) of every random generator
    trend: tuple
    last_batch: tuple | None          # copies of the last batch's (x, y) arrays
    #: the trajectory point at this step was kept (it is kept again on restore)
    trajectory_here: bool = False
    #: only in a full state (what a viewer leaves to look back): the diagnostics' evidence,
    #: the whole trajectory and the last snapshot, so that returning is exact
    full: dict | None = None
    nbytes: int = field(default=0)
    #: a moment training stopped at (the user saw it): kept when the timeline thins out,
    #: unless only such moments are left to drop
    pinned: bool = False
    #: early stopping's watcher state and the stop message (None: no early stopping)
    early: tuple | None = None


def capture(session, full: bool = False) -> SessionState:
    """The state of ``session`` now (copies: training on does not change it)."""
    s = session
    params = [p.data.copy() for p in s.params]
    grads = [None if p.grad is None else p.grad.copy() for p in s.params]
    buffers = [(m, name, b.data.copy()) for m in s._all_modules
               for name, b in m._buffers.items() if b is not None and hasattr(b, "data")]
    opt = _optimizer_state(s.optimizer)
    sched = None
    if s.scheduler is not None and hasattr(s.scheduler, "state_dict"):
        # numbers and lists of numbers (the lrs): a copy of each list is a deep enough copy
        sched = {k: list(v) if isinstance(v, list) else v for k, v in s.scheduler.state_dict().items()}
    state = SessionState(
        step=s.step_count, epoch_count=s.epoch_count, last_loss=s.last_loss,
        initial_loss=s.initial_loss, stopped=s.stopped, batch_size=s.batch_size,
        params=params, grads=grads, buffers=buffers, optimizer=opt, scheduler=sched,
        loader=s._loader.state(), generators=[(g, _rng_state(g)) for g in _generators(s)],
        trend=tuple(s.trend),
        # copies: the batch is a view of its whole shuffled epoch, which it would keep alive
        last_batch=None if s._last_batch is None else tuple(t.data.copy() for t in s._last_batch),
        trajectory_here=bool(s.trajectory_steps) and s.trajectory_steps[-1] == s.step_count,
        early=None if s.early_stopping is None else (s.early_stopping.state(), s.stop_message))
    if full:
        state.full = {"history": list(s.history), "trajectory": list(s.trajectory),
                      "trajectory_steps": list(s.trajectory_steps),
                      "last_snapshot": s.last_snapshot}
    state.nbytes = _nbytes(state)
    return state


def restore(session, state: SessionState):
    """Put ``session`` back into ``state`` (which stays as it is: it may be restored again)."""
    s = session
    if len(state.params) != len(s.params):
        raise ValueError("this state belongs to another network")
    for p, a, g in zip(s.params, state.params, state.grads):
        p.data = a.copy()   # the optimizer joins its parameters again on the next step
        p.grad = None if g is None else g.copy()
    for m, name, a in state.buffers:
        m._buffers[name].data = a.copy()
    _load_optimizer(s.optimizer, state.optimizer)
    if state.scheduler is not None:
        s.scheduler.load_state_dict(copy.deepcopy(state.scheduler))
    for g, st in state.generators:
        _set_rng_state(g, st)
    s.step_count, s.epoch_count = state.step, state.epoch_count
    s.last_loss, s.initial_loss, s.stopped = state.last_loss, state.initial_loss, state.stopped
    if s.early_stopping is not None and state.early is not None:
        s.early_stopping.set_state(state.early[0])
        s.stop_message = state.early[1]
    s.batch_size = state.batch_size
    s._batches = s._loader.resume(state.loader)
    s._last_batch = None if state.last_batch is None else tuple(_make(a, None) for a in state.last_batch)
    s.trend = deque(state.trend, maxlen=diagnostics.TREND)
    if state.full is not None:
        f = state.full
        s.history = list(f["history"])
        s.trajectory, s.trajectory_steps = list(f["trajectory"]), list(f["trajectory_steps"])
        s.last_snapshot = f["last_snapshot"]
    else:
        s.history = []
        s.last_snapshot = None
        # the points before this step, and the one taken at it (a snapshot taken since,
        # e.g. to show this moment, may have added it again)
        keep = [i for i, k in enumerate(s.trajectory_steps) if k < state.step]
        if state.trajectory_here and state.step in s.trajectory_steps:
            keep.append(s.trajectory_steps.index(state.step))
        s.trajectory = [s.trajectory[i] for i in keep]
        s.trajectory_steps = [s.trajectory_steps[i] for i in keep]


class Timeline:
    """States of one session at intervals, memory-bounded (see the module docstring)."""

    def __init__(self, max_bytes: int = MAX_BYTES, every: int = EVERY, max_states: int = MAX_STATES):
        self.max_bytes = int(max_bytes)
        self.max_states = max(int(max_states), 2)
        self.every = max(int(every), 1)
        self.states: list[SessionState] = []
        self.nbytes = 0
        self.too_big = False
        #: the step at which the next state is due (record() before it does nothing)
        self.next_step = 0
        #: bumps whenever the list of steps changes (a viewer redraws its slider then)
        self.version = 0
        self._kept_t = None   # when the last state was kept (perf_counter)
        self._costs = deque(maxlen=5)   # the seconds the last captures took

    def __len__(self):
        return len(self.states)

    def steps(self) -> list[int]:
        return [s.step for s in self.states]

    def record(self, session, force: bool = False) -> bool:
        """Keep ``session``'s state if one is due at its step (or, with ``force``, if it is
        later than the last one kept: a moment training stopped at); True when kept."""
        step = session.step_count
        if self.too_big or (step < self.next_step and not force):
            return False
        if self.states and step <= self.states[-1].step:
            if force and step == self.states[-1].step:
                self.states[-1].pinned = True   # kept on the interval, and stopped at too
            return False
        t0 = time.perf_counter()
        state = capture(session)
        t1 = time.perf_counter()
        state.pinned = force
        if 2 * state.nbytes > self.max_bytes:
            self.too_big = True   # not even the first state and one more would fit
            self.clear()
            self.next_step = math.inf
            return False
        self.states.append(state)
        self.nbytes += state.nbytes
        # keeping states must not slow training down: when capturing takes more than
        # COST_SHARE of the time since the last one, space them out (the cost is the least
        # of the last few captures: one slowed down by the machine being busy elsewhere
        # must not double the interval for good)
        costly = False
        if not force:
            self._costs.append(t1 - t0)
            costly = self._kept_t is not None and min(self._costs) > COST_SHARE * (t0 - self._kept_t)
            self._kept_t = t1
        self._thin(costly)
        self.next_step = (step // self.every + 1) * self.every
        self.version += 1
        return True

    def at(self, step: int) -> SessionState | None:
        """The latest state at or before ``step`` (None when there is none)."""
        best = None
        for s in self.states:
            if s.step > step:
                break
            best = s
        return best

    def drop_after(self, step: int):
        """Forget the states after ``step`` (training resumes from there)."""
        kept = [s for s in self.states if s.step <= step]
        if len(kept) != len(self.states):
            self.states = kept
            self.nbytes = sum(s.nbytes for s in kept)
            self.version += 1
        self.next_step = (step // self.every + 1) * self.every

    def clear(self):
        self.states, self.nbytes = [], 0
        self.version += 1

    def _over(self) -> bool:
        return self.nbytes > self.max_bytes or len(self.states) > self.max_states

    def _thin(self, space_out: bool = False):
        """Double the interval and keep the states on it, the first and the pinned ones,
        while over the bounds (then pinned ones go too, if need be), or once when
        ``space_out``."""
        while len(self.states) > 1 and (space_out or self._over()):
            space_out = False
            self.every *= 2
            first = self.states[0]
            kept = [first] + [s for s in self.states[1:] if s.pinned or s.step % self.every == 0]
            if len(kept) == len(self.states) and self._over():   # only pinned ones are left to go
                kept = [first] + self.states[2::2]
            self.states = kept
            self.nbytes = sum(s.nbytes for s in kept)


# ----- pieces ---------------------------------------------------------------------------
def _optimizer_state(opt) -> dict:
    if hasattr(opt, "state_dict") and hasattr(opt, "load_state_dict"):
        return opt.state_dict()   # copies of the state arrays
    # the perceptron rule: nothing but its groups' hyperparameters
    return {"param_groups": [{k: copy.deepcopy(v) for k, v in g.items() if k != "params"}
                             for g in opt.param_groups]}


def _load_optimizer(opt, state):
    if hasattr(opt, "load_state_dict"):
        opt.load_state_dict(copy.deepcopy(state))   # the saved state stays as it was
        return
    for group, saved in zip(opt.param_groups, state["param_groups"]):
        group.update(copy.deepcopy(saved))


def _generators(session) -> list:
    """The session's generator and every other one a module draws from, once each."""
    seen, out = set(), []
    held = [m.__dict__.get("generator") for m in session._all_modules]
    held = [x for g in held for x in ((g.train, g.evaluation) if isinstance(g, backend.ModeGenerator) else (g,))]
    for g in [session.generator, getattr(session, "eval_generator", None)] + held:
        if isinstance(g, backend.Generator) and id(g) not in seen:
            seen.add(id(g))
            out.append(g)
    return out


def _rng_state(gen):
    rng = gen._rng
    try:
        return ("state", rng.bit_generator.state)
    except (AttributeError, NotImplementedError, TypeError):   # a device generator
        pass
    try:
        return ("copy", copy.deepcopy(rng))
    except Exception:  # noqa: BLE001 - a generator that cannot be copied: its draws go on
        return ("none", None)


def _set_rng_state(gen, saved):
    how, value = saved
    if how == "state":
        gen._rng.bit_generator.state = value
    elif how == "copy":
        gen._rng = copy.deepcopy(value)


def _nbytes(state: SessionState) -> int:
    arrays = list(state.params) + [g for g in state.grads if g is not None] + [a for _, _, a in state.buffers]
    arrays += list(state.last_batch or ())
    for entry in state.optimizer.get("state", {}).values():
        arrays += [v for v in entry.values() if hasattr(v, "nbytes")]
    return int(sum(a.nbytes for a in arrays)) + 2048   # the counters, the loader's state


__all__ = ["SessionState", "Timeline", "capture", "restore", "MAX_BYTES"]
