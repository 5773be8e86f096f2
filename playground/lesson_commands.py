"""``playground train LESSON --check`` and ``playground lessons``.

    $ playground train assets/lessons/deep_sigmoid.nnpg --check --seed 3
    met      vanishing   1       The diagnostics flag vanishing gradients
    not met  ratio       0.031   lin1's gradient is 100x smaller than lin10's

Exit codes (see playground.cli): 0 every checked goal met; 1 some goal not met; 2 bad input
(the file, its lesson section, an option). The goals are judged by the engine's one
evaluator (engine.lessons.goals), as the app's checklist and the tests judge them.
"""
from __future__ import annotations

import sys
import time

from engine.i18n import _, language
from playground.bugreport import one_line, safe_text
from playground.cli import EXIT_OK, UsageError
from playground.commands import _load, _naming

EXIT_GOALS_NOT_MET = 1


def status_word(status: str) -> str:
    from engine.lessons import goals  # noqa: PLC0415

    return {goals.MET: _("met"), goals.NOT_MET: _("not met"), goals.PENDING: _("pending"),
            goals.SKIPPED: _("skipped")}[status]


def value_text(value: float) -> str:
    return "-" if value != value else f"{value:.4g}"


def goal_line(state, lang=None) -> str:
    """``met  <id>  <value>  <text>``: one goal's line (escaped: the text comes from a file)."""
    from engine.lessons import text  # noqa: PLC0415

    words = text(state.text, lang)
    if state.detail:
        words = f"{words} ({state.detail})"
    return "  ".join((status_word(state.status), safe_text(state.id), value_text(state.value),
                      safe_text(one_line(words))))


def cmd_check_lesson(args) -> int:
    from engine.lessons.goals import MET, SKIPPED, check_lesson  # noqa: PLC0415

    if args.steps is not None:
        raise UsageError(_("--check runs the lesson's own number of steps (settings.steps): "
                           "leave out --steps"))
    if args.metrics_json:
        raise UsageError(_("--check prints the goals: leave out --metrics-json"))
    if args.seed is not None and args.seed < 0:
        raise UsageError(_("--seed must be 0 or more, not {seed}").format(seed=args.seed))
    device = "gpu" if args.backend == "cupy" else "cpu"
    if device == "gpu":
        from engine import backend  # noqa: PLC0415

        if not backend.gpu_available():
            raise UsageError(f"--backend cupy: {backend.gpu_unavailable_reason()}")
    graph = _load(args.file)
    start = time.perf_counter()
    with _naming(args.file):
        states = check_lesson(graph, seed=args.seed, device=device)
    for state in states:
        print(goal_line(state))
    checked = [s for s in states if s.status != SKIPPED]
    met = sum(s.status == MET for s in checked)
    print(_("{file}: {met} of {n} goals met ({seconds:.1f} s)").format(
        file=safe_text(args.file), met=met, n=len(checked), seconds=time.perf_counter() - start),
        file=sys.stderr)
    return EXIT_OK if met == len(checked) else EXIT_GOALS_NOT_MET


def lessons_table(lang=None, folder=None) -> list:
    """[(chapter "N. title", path, lesson title)] of the lessons in course order."""
    from engine.lessons import catalog, text  # noqa: PLC0415

    lang = lang or language()

    def cell(words):   # one cell of a tab-separated line
        return safe_text(one_line(words))
    return [(cell(e.chapter.heading(lang)), cell(str(e.path)),
             cell(text(e.title, lang))) for e in catalog(folder)]


def cmd_lessons(args) -> int:
    for row in lessons_table(getattr(args, "lessons_lang", None)):
        print("\t".join(row))
    return EXIT_OK
