"""The one evaluator of a lesson's goals: `playground train --check`, the tests and the
app's live checklist all use it.

    tracker = GoalTracker(graph.lesson, graph)          # one per training run
    checkpoints = set(tracker.checkpoints())
    while ...:                                          # the training loop (app: its worker)
        follow_step(session, session.step(), tracker.feed, checkpoints)   # cheap; never blocks
    tracker.states()                                    # [GoalState]: met / not met / pending
    tracker.finish()                                    # training ended: decide what is left
    tracker.rewind(step)                                # training resumes from an earlier step

    results = check_lesson(graph, seed=0)               # headless: run, variants, finish

A goal's condition is a metric (``metric``, optionally ``/ relative_to``, or ``/`` the same
metric in a ``variant`` run) compared with ``value`` by ``op``, or a diagnostics
``verdict`` present or absent, over the evaluated points up to its ``step`` (default: the
lesson's ``settings.steps``):

- ``end``: the last point at or before the step (check_lesson makes sure there is one at
  the step itself);
- ``by``: met as soon as it holds at some point up to the step;
- ``always``: not met as soon as it fails at a point up to the step; met at the step.

A metric is a function ``(session, snapshot, arg) -> float`` registered with
``@metric("name")``; NaN means "not available at this snapshot" and the point is skipped.
Built in: loss, train_loss, test_loss, train_acc, test_acc, grad_norm:NODE,
weight:PARAM[i,j], saturated:NODE, dead:NODE, lr, step. Lesson-specific metrics live in
engine/lessons/metrics.py.

A ``variant`` goal needs a second run of the lesson (same seed) with ``changes`` applied:
``tracker.variants()`` lists them and ``record_variant`` runs one (check_lesson does both;
the app may run them in its worker when it likes). Until its variant is known such a goal
stays pending.
"""
from __future__ import annotations

import json
import math
import operator
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable

from ..errors import UserError
from ..graph import registry
from ..graph import schema as _schema
from ..i18n import _

PENDING, MET, NOT_MET, SKIPPED = "pending", "met", "not met", "skipped"
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


# ---------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable            # (session, snapshot, arg) -> float; NaN = not available here
    #: what ``name:ARG`` names: None (no argument), "node" (a node id of the graph, checked
    #: when the lesson is), "output" (a node the metric evaluates on inputs alone: not one
    #: the target reaches, such as a cost), "param" (a parameter's qualified name) or
    #: "text" (anything)
    arg: str | None = None


METRICS: dict = {}
ARG_KINDS = (None, "node", "output", "param", "text")


def metric(name: str, arg: str | None = None):
    """Register ``fn(session, snapshot, arg) -> float`` as the metric ``name`` (``name:ARG``
    in a goal when ``arg`` says what ARG is: "node", "output", "param" or "text")."""
    if arg not in ARG_KINDS:
        raise ValueError(f"metric {name!r}: arg must be one of {ARG_KINDS}, not {arg!r}")

    def register(fn):
        if name in METRICS and METRICS[name].fn is not fn:
            raise ValueError(f"a metric named {name!r} is already registered")
        METRICS[name] = Metric(name, fn, arg)
        return fn
    return register


NAN = float("nan")


def _num(value) -> float:
    return NAN if value is None else float(value)


@metric("loss")
def _loss(session, snap, arg):
    return _num(snap.loss)


@metric("train_loss")
def _train_loss(session, snap, arg):
    return _num(snap.train_loss)


@metric("test_loss")
def _test_loss(session, snap, arg):
    return _num(snap.test_loss)


@metric("train_acc")
def _train_acc(session, snap, arg):
    return _num(snap.metrics.get("train_acc"))


@metric("test_acc")
def _test_acc(session, snap, arg):
    return _num(snap.metrics.get("test_acc"))


@metric("lr")
def _lr(session, snap, arg):
    return _num(snap.lr)


@metric("step")
def _step(session, snap, arg):
    return float(snap.step)


def node_params(session, node_id) -> list:
    """The qualified names of the parameters ``node_id`` owns (inside a module instance
    ``node_id``, too)."""
    inside = node_id + "/"
    return [name for name, owner in zip(session.param_names, session.param_nodes)
            if owner == node_id or owner.startswith(inside)]


@metric("grad_norm", arg="node")
def _grad_norm(session, snap, node_id):
    norms = [snap.grad_norms[p] for p in node_params(session, node_id) if p in snap.grad_norms]
    return math.hypot(*norms) if norms else NAN


_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<index>[0-9, ]*)\])?$")


@metric("weight", arg="param")
def _weight(session, snap, arg):
    """A scalar of a parameter at the snapshot: ``lin.weight[0,1]`` (no index: a 1-element
    parameter). Read from the snapshot's flattened parameters, so it is that moment's."""
    match = _INDEXED.match(arg or "")
    if not match:
        return NAN
    name = match.group("name")
    index = tuple(int(i) for i in (match.group("index") or "").replace(" ", "").split(",") if i)
    offset = 0
    for pname, p in zip(session.param_names, session.params):
        shape = p.data.shape
        if pname == name:
            try:
                flat = _flat_index(index, shape)
            except IndexError:
                return NAN
            point = snap.trajectory_point
            if point is not None:
                return float(point[offset + flat])
            from .. import backend  # noqa: PLC0415

            return float(backend.to_numpy(p.data).reshape(-1)[flat])
        offset += p.data.size
    return NAN


def _flat_index(index, shape) -> int:
    if not index:
        if math.prod(shape) != 1:
            raise IndexError
        return 0
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
        raise IndexError
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


@metric("saturated", arg="node")
def _saturated(session, snap, node_id):
    stats = snap.activations.get(node_id)
    return _num(getattr(stats, "saturated", None))


@metric("dead", arg="node")
def _dead(session, snap, node_id):
    stats = snap.activations.get(node_id)
    return _num(getattr(stats, "dead", None))


def split_metric(name: str):
    """"grad_norm:lin1" -> ("grad_norm", "lin1"); "loss" -> ("loss", None)."""
    head, sep, arg = str(name).partition(":")
    return head, (arg if sep else None)


def measure(session, snap, name: str) -> float:
    """The metric ``name`` (with its ``:ARG``) at ``snap``; NaN when not available."""
    head, arg = split_metric(name)
    m = METRICS.get(head)
    # a metric says "not available here" with NaN; an exception is a bug in it, not bad input
    return NAN if m is None else float(m.fn(session, snap, arg))


def evaluated(snap) -> bool:
    """Did this snapshot measure the full-set losses and refresh the diagnostics?"""
    return snap.train_loss is not None or snap.nan is not None


# ---------------------------------------------------------------------- checking a goal's values
def goal_problems(goal: dict, graph, where: str, steps: int) -> list:
    """[(JSON path, message)] for one goal's values (engine.lessons.problems calls it)."""
    from .changes import ChangeError, apply_changes  # noqa: PLC0415

    found = []
    has_metric, has_verdict = "metric" in goal, "verdict" in goal
    if has_metric == has_verdict:
        found.append((where, _("needs either \"metric\" (with \"op\" and \"value\") or \"verdict\"")))
    if has_metric:
        for key in ("op", "value"):
            if key not in goal:
                found.append((f"{where}.{key}", _("is missing (a metric goal compares the metric "
                                                  "with a value)")))
        for key in ("metric", "relative_to"):
            if key in goal:
                problem = metric_problem(goal[key], graph)
                if problem:
                    found.append((f"{where}.{key}", problem))
    if has_verdict:
        for key in ("op", "value", "relative_to", "variant"):
            if key in goal:
                found.append((f"{where}.{key}", _("does not apply to a verdict goal")))
        for i, node in enumerate(goal.get("nodes", [])):
            if node not in graph.nodes:
                found.append((f"{where}.nodes[{i}]", _("there is no node '{node}' in the graph").format(node=node)))
    if goal.get("step", 0) > steps:
        found.append((f"{where}.step", _("{step} is beyond the lesson's last step (settings.steps = "
                                         "{steps})").format(step=goal["step"], steps=steps)))
    variant = goal.get("variant")
    if variant is not None:
        for i, change in enumerate(variant["changes"]):
            if change["do"] not in _schema.VARIANT_ACTIONS:
                found.append((f"{where}.variant.changes[{i}].do", _(
                    "a variant may only use {actions}").format(actions=", ".join(_schema.VARIANT_ACTIONS))))
        if not any(p[0].startswith(f"{where}.variant") for p in found):
            try:
                apply_changes(graph, variant["changes"], f"{where}.variant.changes")
            except ChangeError as e:
                path, _sep, message = str(e).partition(": ")
                found.append((path, message))
    for i, limit in enumerate(goal.get("limits", [])):
        found += _limit_problems(limit, graph, f"{where}.limits[{i}]")
    return found


def metric_problem(name: str, graph) -> str | None:
    head, arg = split_metric(name)
    m = METRICS.get(head)
    if m is None:
        return _("'{name}' is not a metric: use one of {names}").format(
            name=head, names=", ".join(sorted(METRICS)))
    if m.arg is None and arg is not None:
        return _("the metric '{name}' takes no argument (not ':{arg}')").format(name=head, arg=arg)
    if m.arg is not None and not arg:
        return _("the metric '{name}' needs an argument: '{name}:{kind}'").format(
            name=head, kind=m.arg.upper())
    if m.arg in ("node", "output") and arg not in graph.nodes:
        return _("there is no node '{node}' in the graph").format(node=arg)
    if m.arg == "output" and graph.nodes[arg].type == "Module":   # compiled into its inside
        return _("the metric '{name}' reads one node's output, and '{node}' is a module instance: "
                 "name a node it feeds").format(name=head, node=arg)
    if m.arg == "output" and _reached_by_target(graph, arg):
        return _("the metric '{name}' evaluates '{node}' on the inputs alone, but the target "
                 "reaches that node: name one computed from the inputs").format(name=head, node=arg)
    if m.arg == "param" and not _INDEXED.match(arg):
        return _("'{arg}' is not a parameter name like lin.weight[0,1]").format(arg=arg)
    return None


def _reached_by_target(graph, node_id) -> bool:
    """Does a Target node feed ``node_id``, directly or through other nodes?"""
    todo = [n.id for n in graph.nodes.values() if n.type == "Target"]
    seen = set(todo)
    while todo:
        nid = todo.pop()
        if nid == node_id:
            return True
        for e in graph.edges:
            if e.src == nid and e.dst not in seen:
                seen.add(e.dst)
                todo.append(e.dst)
    return False


def _limit_problems(limit, graph, where):
    if "max_params" in limit:
        return [] if set(limit) == {"max_params"} else [(where, _("\"max_params\" stands alone"))]
    missing = [k for k in ("node", "param", "max") if k not in limit]
    if missing:
        return [(f"{where}.{missing[0]}", _("is missing (a limit is {{\"node\", \"param\", \"max\"}} "
                                            "or {{\"max_params\"}})"))]
    node = graph.nodes.get(limit["node"])
    if node is None:
        return [(f"{where}.node", _("there is no node '{node}' in the graph").format(node=limit["node"]))]
    nt = registry.get(node.type)
    if nt is not None and limit["param"] not in {s.name for s in nt.params}:
        return [(f"{where}.param", _("node '{node}' ({type}) has no parameter '{param}'").format(
            node=node.id, type=node.type, param=limit["param"]))]
    return []


# ---------------------------------------------------------------------- the tracker
@dataclass
class GoalState:
    """Where one goal stands."""

    id: str
    text: dict                       # {"en": ..., "it": ...}
    status: str = PENDING            # pending | met | not met | skipped (check_lesson only)
    value: float = NAN               # the measured value (ratio for relative/variant goals;
    #                                  1/0 for a verdict present/absent); NaN: none yet
    step: int | None = None          # the step it was decided at (or last measured)
    challenge: bool = False
    limits_ok: bool | None = None    # challenges: do the graph's limits hold? (None: no limits)
    detail: str = ""                 # why, when the value alone does not say (a broken limit)

    @property
    def met(self) -> bool:
        return self.status == MET


def variant_key(changes) -> str:
    return json.dumps(changes, sort_keys=True)


@dataclass
class Variant:
    """A variant run some goals need: the changes, and the metric expressions to record."""

    key: str
    changes: list
    where: str                       # the JSON path of the first goal's changes, for messages
    expressions: list = field(default_factory=list)   # [(metric, relative_to or None)]
    checkpoints: set = field(default_factory=set)     # the steps its goals look at
    until: int = 0                   # the last of them


class _Goal:
    """One goal's spec and running state."""

    def __init__(self, spec, index, steps):
        self.spec = spec
        self.where = f"lesson.goals[{index}]"
        self.when = spec.get("when", "end")
        self.step = int(spec.get("step", steps))
        self.verdict = spec.get("verdict")
        self.expression = (spec.get("metric"), spec.get("relative_to"))
        self.variant = variant_key(spec["variant"]["changes"]) if "variant" in spec else None
        self.compare = OPS.get(spec.get("op"), operator.ge)
        self.points: list = []       # (step, lesson value): NaN never enters
        self.done = 0                # points already judged
        self.state = GoalState(str(spec.get("id", index)), spec.get("text", {}),
                               challenge=bool(spec.get("challenge", False)))
        self.last = None             # end/always: (step, value) of the latest judged point

    def holds(self, value) -> bool:
        if self.verdict is not None:
            return (value >= 0.5) == bool(self.spec.get("present", True))
        return self.compare(value, float(self.spec["value"]))


class GoalTracker:
    """Follows one training run and says, for each goal, met / not met / pending.

    ``feed(session, snapshot)`` with every Snapshot (cheap: a few dictionary reads per goal,
    diagnostics only on evaluated snapshots); ``finish()`` when no more will come. Variant
    goals wait for ``set_variant(key, series)`` (see ``variants`` and ``record_variant``).
    Not thread-safe: feed it from the thread that trains; read ``states()`` (copies) anywhere.
    """

    def __init__(self, lesson: dict, graph=None, steps: int | None = None):
        self.lesson = lesson or {}
        if steps is None:
            steps = int(_schema.setting(graph.settings if graph is not None else {}, "steps"))
        self.steps = steps
        self.goals = [_Goal(spec, i, steps) for i, spec in enumerate(self.lesson.get("goals", []))]
        self.variant_series: dict = {}   # key -> {(metric, relative_to): {step: value}}
        self.reached = -1                # the latest step fed
        self.finished = False
        self._limits = [self._graph_limits(g, graph) for g in self.goals]
        self._params_counted = None

    # ----- what the run must provide
    def checkpoints(self) -> list:
        """The steps at which a goal needs an evaluated snapshot (its ``end`` steps)."""
        return sorted({g.step for g in self.goals} | {self.steps})

    def variants(self) -> list:
        """[Variant] the variant goals need (one run per distinct list of changes)."""
        out: dict = {}
        for g in self.goals:
            if g.variant is None:
                continue
            v = out.setdefault(g.variant, Variant(g.variant, g.spec["variant"]["changes"],
                                                  f"{g.where}.variant.changes"))
            if g.expression not in v.expressions:
                v.expressions.append(g.expression)
            v.checkpoints.add(g.step)
            v.until = max(v.checkpoints)
        return list(out.values())

    def set_variant(self, key: str, series: dict):
        """The variant run's values: {(metric, relative_to): {step: value}}."""
        self.variant_series[key] = series
        for g in self.goals:
            if g.variant == key:
                self._judge(g)

    # ----- following the run
    def feed(self, session, snap) -> list:
        """Take one Snapshot of the lesson's run; returns the goals whose state changed."""
        if self._params_counted is None:
            self._params_counted = sum(int(p.data.size) for p in session.params)
        self.reached = max(self.reached, snap.step)
        changed = []
        for g in self.goals:
            if g.state.status != PENDING:
                continue
            if snap.step <= g.step:
                value = _verdict_value(snap, g) if g.verdict is not None else \
                    expression_value(session, snap, g.expression)
                if value == value:
                    g.points.append((snap.step, value))
            self._judge(g, stopped=snap.stopped)
            if g.state.status != PENDING:
                changed.append(g.state)
        return [GoalState(**vars(s)) for s in changed]

    def finish(self) -> list:
        """No more snapshots will come: decide every goal that can be (variant goals wait
        for their variant). Returns states()."""
        self.finished = True
        for g in self.goals:
            self._judge(g)
        return self.states()

    def states(self) -> list:
        return [GoalState(**vars(g.state)) for g in self.goals]

    def rewind(self, step: int) -> list:
        """Training goes on from an earlier ``step`` (the timeline's "resume from here"):
        forget every point after it and judge again. Returns states()."""
        self.reached, self.finished = step, False
        for g in self.goals:
            g.points = [p for p in g.points if p[0] <= step]
            g.done, g.last = 0, None
            g.state = GoalState(g.state.id, g.state.text, challenge=g.state.challenge)
            self._judge(g)
        return self.states()

    # ----- judging
    def _judge(self, g: _Goal, stopped=False):
        if g.state.status != PENDING:
            return
        series = None
        if g.variant is not None:
            series = self.variant_series.get(g.variant, {}).get(g.expression) \
                if g.variant in self.variant_series else None
            if series is None:
                return   # the variant is not known yet
        while g.done < len(g.points):
            step, value = g.points[g.done]
            if series is not None:
                other = series.get(step, NAN)
                value = value / other if other else NAN
            g.done += 1
            if value != value:
                continue
            g.state.value, g.state.step = value, step
            holds = g.holds(value)
            if g.when == "by" and holds:
                return self._decide(g, MET)
            if g.when == "always" and not holds:
                return self._decide(g, NOT_MET)
            g.last = (step, value)
        # decided once the run is past the step, or has a point at the step itself (a
        # probe that did not evaluate may come first: an evaluated one at that step may follow)
        at_step = bool(g.points) and g.points[-1][0] == g.step
        if self.reached > g.step or at_step or self.finished or stopped:
            if g.when == "by":
                self._decide(g, NOT_MET)
            elif g.last is None:
                g.state.detail = _("no value was measured up to step {step}").format(step=g.step)
                self._decide(g, NOT_MET)
            elif g.when == "always":
                self._decide(g, MET)
            else:
                self._decide(g, MET if g.holds(g.last[1]) else NOT_MET)

    def _decide(self, g: _Goal, status):
        limits = self._limits[self.goals.index(g)]
        if status == MET and limits is not None:
            broken = self._broken_limit(limits)
            g.state.limits_ok = broken is None
            if broken:
                g.state.detail = broken
                status = NOT_MET
        elif limits is not None:
            g.state.limits_ok = self._broken_limit(limits) is None
        g.state.status = status

    @staticmethod
    def _graph_limits(g: _Goal, graph):
        """The goal's limits with the graph's values filled in, or None when it has none."""
        limits = g.spec.get("limits")
        if not limits:
            return None
        out = []
        for limit in limits:
            if "max_params" in limit:
                out.append(("params", None, limit["max_params"]))
                continue
            node = graph.nodes.get(limit.get("node")) if graph is not None else None
            spec = registry.get(node.type) if node is not None else None
            value = node.params.get(limit.get("param")) if node is not None else None
            if value is None and spec is not None:
                value = next((s.default for s in spec.params if s.name == limit.get("param")), None)
            out.append((f"{limit.get('node')}.{limit.get('param')}", value, limit.get("max")))
        return out

    def _broken_limit(self, limits):
        for what, value, most in limits:
            if what == "params":
                value = self._params_counted
                if value is not None and value > most:
                    return _("the network has {n} parameters, more than {most}").format(n=value, most=most)
                continue
            if not isinstance(value, (int, float)) or value > most:
                return _("{what} is {value}, more than {most}").format(what=what, value=value, most=most)
        return None


def expression_value(session, snap, expression) -> float:
    """``metric`` (or ``metric / relative_to``) at ``snap``; NaN when not available."""
    name, relative_to = expression
    value = measure(session, snap, name)
    if relative_to is not None and value == value:
        other = measure(session, snap, relative_to)
        value = value / other if other else NAN
    return value


def _verdict_value(snap, g: _Goal) -> float:
    """1.0 when the goal's verdict is among the snapshot's (with the goal's nodes), else 0.0;
    NaN on a snapshot that did not refresh the diagnostics."""
    if not evaluated(snap):
        return NAN
    nodes = set(g.spec.get("nodes", ()))
    for v in snap.verdicts:
        if v.kind == g.verdict and nodes <= set(v.nodes):
            return 1.0
    return 0.0


# ---------------------------------------------------------------------- running headless
def run_tracked(session, steps: int, feed, checkpoints=()):
    """Train ``session`` to ``steps`` (fewer if it stops), calling ``feed(session, snap)``
    with every Snapshot, and with an evaluated one at each of ``checkpoints`` (a snapshot
    taken there when the training's own probe did not evaluate)."""
    wanted = set(checkpoints) | {steps}
    with warnings.catch_warnings():   # overflow on the way to a NaN: the run reports the NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        _run(session, steps, feed, wanted)


def _run(session, steps, feed, wanted):
    while session.step_count < steps and not session.stopped:
        follow_step(session, session.step(), feed, wanted)
    if steps == 0:   # the untrained network: one evaluated point
        feed(session, session.snapshot())


def follow_step(session, snap, feed, checkpoints):
    """After one training step (``snap``: its Snapshot, or None between probes): feed the
    Snapshot, and at a checkpoint step an evaluated one (taken now when the step's own probe
    did not evaluate). The one rule for headless runs and the app's training worker."""
    if snap is not None:
        feed(session, snap)
    if session.step_count in checkpoints and not session.stopped and (snap is None or not evaluated(snap)):
        feed(session, session.snapshot())


def record_variant(graph, variant: Variant, seed=None, device=None) -> dict:
    """Run ``graph`` with the variant's changes (same seed) and record its expressions at
    every evaluated point: {(metric, relative_to): {step: value}}."""
    from ..train import Session  # noqa: PLC0415
    from .changes import apply_changes  # noqa: PLC0415

    changed = apply_changes(graph, variant.changes, variant.where)
    try:
        session = Session.from_graph(changed, seed=seed, device=device)
    except UserError as e:   # the lesson's own graph trains: name the changes that break it
        from . import LessonError  # noqa: PLC0415

        raise LessonError(_("{where}: {problem}").format(where=variant.where, problem=e)) from None
    series = {e: {} for e in variant.expressions}

    def feed(sess, snap):
        for e in variant.expressions:
            value = expression_value(sess, snap, e)
            if value == value:
                series[e][snap.step] = value
    run_tracked(session, variant.until, feed, checkpoints=variant.checkpoints)
    return series


def check_lesson(graph, seed=None, device=None, checking=True) -> list:
    """Run the lesson headless (``settings.steps`` steps, the variants too) and return the
    [GoalState] of its goals. With ``checking``, challenges marked ``"check": false`` are
    ``skipped`` (their shipped graph is the students' starting point, not a solution).
    Raises LessonError for a lesson with problems, and what Session.from_graph raises."""
    from ..train import Session  # noqa: PLC0415
    from . import check  # noqa: PLC0415

    check(graph)
    tracker = GoalTracker(graph.lesson, graph)
    session = Session.from_graph(graph, seed=seed, device=device)
    run_tracked(session, tracker.steps, tracker.feed, tracker.checkpoints())
    for v in tracker.variants():
        tracker.set_variant(v.key, record_variant(graph, v, seed=seed, device=device))
    states = tracker.finish()
    if checking:
        for g, s in zip(tracker.goals, states):
            if g.spec.get("check", True) is False:
                s.status = SKIPPED
    return states


from . import metrics  # noqa: E402,F401 - registers the lesson-specific metrics
