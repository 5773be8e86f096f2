"""What the app needs from a document's lesson, read through ``engine.lessons``: its texts
in the user's language, the step limit, and the goal tracker the training worker runs."""
from __future__ import annotations

import functools
from dataclasses import dataclass

PENDING, MET, NOT_MET = "pending", "met", "not met"


def lesson_of(graph) -> dict | None:
    lesson = getattr(graph, "lesson", None)
    return lesson if isinstance(lesson, dict) else None


def local(value) -> str:
    """A lesson text in the user's language (or whichever language the file has)."""
    from engine.lessons import text

    return text(value)


def step_limit(graph) -> int | None:
    """Where Play stops: the file's ``settings.steps`` (its documented default when unset),
    the number `playground train` runs too (0: Play stops at once and, asked again, goes on)."""
    from engine.graph.schema import setting

    try:
        steps = int(setting(graph.settings, "steps"))
    except (TypeError, ValueError):
        return None
    return max(steps, 0)


def tracker_factory(graph):
    """``factory(session) -> LiveGoals`` for the lesson's goals (run in the training worker,
    on the worker's own copy of the graph), or None when the document has no goals."""
    lesson = lesson_of(graph)
    if not lesson or not lesson.get("goals"):
        return None
    return functools.partial(live_goals, graph)


def live_goals(graph, session):
    """The tracker of ``graph``'s goals for ``session`` (as data, tracker_factory's
    partial travels to a training process)."""
    return LiveGoals(graph)


class LiveGoals:
    """``engine.lessons.goals.GoalTracker`` following the app's training run: fed every step
    by the worker (``update``), with an evaluated snapshot at each step a goal is decided at
    (as ``run_tracked`` does headless), and the variant runs made when the run reaches the
    lesson's step count (``at_limit``: they take as long as the lesson's own run, in the
    worker, once). Lives in the worker thread."""

    def __init__(self, graph):
        from engine.lessons.goals import GoalTracker, follow_step

        self.graph = graph
        self.tracker = GoalTracker(graph.lesson, graph)
        self.checkpoints = frozenset(self.tracker.checkpoints())
        self._follow = follow_step

    def update(self, session, snap):
        """After every step: ``snap`` is the step's Snapshot or None (no probe). Most steps
        cost one set lookup: the tracker reads snapshots only."""
        self._follow(session, snap, self.tracker.feed, self.checkpoints)
        if session.step_count == self.tracker.steps:
            self.at_limit(session)

    def rewind(self, step: int):
        """Training goes on from an earlier moment (the timeline's "resume from here"):
        what the goals saw after ``step`` no longer happened."""
        self.tracker.rewind(step)

    def at_limit(self, session):
        """The run reached the lesson's step count: run the variants (same seed) that
        variant goals compare with, then decide every goal."""
        from engine.lessons.goals import record_variant

        for v in self.tracker.variants():
            if v.key not in self.tracker.variant_series:
                self.tracker.set_variant(v.key, record_variant(self.graph, v, device=session.device))
        self.tracker.finish()

    def states(self) -> list:
        return self.tracker.states()


@dataclass
class GoalRow:
    """One line of the checklist."""

    id: str
    text: str
    state: str = PENDING
    value: float | None = None
    challenge: bool = False
    detail: str = ""


def goal_rows(lesson: dict | None, states) -> list[GoalRow]:
    """The lesson's goals, in order, with the tracker's latest ``states`` (GoalState list;
    None before any)."""
    by_id = {st.id: st for st in states or ()}
    rows = []
    for i, goal in enumerate((lesson or {}).get("goals", ())):
        row = GoalRow(str(goal.get("id", i)), local(goal.get("text")), challenge=bool(goal.get("challenge")))
        st = by_id.get(row.id)
        if st is not None:
            row.state = st.status
            row.value = st.value if st.value == st.value else None
            row.detail = st.detail
        rows.append(row)
    return rows
