"""``playground train`` and ``playground check``: headless training and validation.

Exit codes (see playground.cli): 0 success; 2 bad input, reported as one line and never
a traceback; 3 training hit NaN/Inf (the message names the node). Bad input is raised as a
``UserError`` and reported by ``playground.cli.main``, as is any other error (as a bug).
Everything printed that comes from the user's file goes through ``bugreport.user_message``
or ``safe_text``: escaped, one line, capped.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import textwrap
import time
import warnings

from engine.errors import UserError
from engine.i18n import N_, _, number
from playground.bugreport import MAX_EXPLANATION, safe_text, user_message
from playground.cli import EXIT_BAD_INPUT, EXIT_NAN, EXIT_OK, UsageError, os_message, say

#: default number of steps when neither --steps nor the file's settings say
#: a problem's severity as ``check`` prints it
SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
BAR_WIDTH = 30
PARAGRAPH_WIDTH = 100


def _load(path):
    from engine.graph import fileformat  # noqa: PLC0415

    return fileformat.load(path)


class FileProblem(UserError):
    """Bad input found in a loaded file's content (its graph, settings or data)."""


@contextlib.contextmanager
def _naming(path):
    """Bad input found while building or training what a file describes names the file, as
    the loader's own messages do (``lesson.nnpg: ...``)."""
    try:
        yield
    except UserError as exc:
        name = os.path.basename(str(path))
        if str(exc).startswith(name):
            raise
        raise FileProblem(f"{name}: {exc}") from exc


# ---------------------------------------------------------------------- train
class _Progress:
    """A plain-text progress bar on stderr, redrawn only when it changes."""

    def __init__(self, total, stream=None):
        self.total, self.stream = max(1, total), stream or sys.stderr
        self.shown = -1

    def update(self, done, loss):
        filled = BAR_WIDTH * done // self.total
        percent = 100 * done // self.total
        if percent == self.shown and done != self.total:
            return
        self.shown = percent
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        loss_text = "  " + _("loss {value}").format(value=number(loss, ".4g")) if loss == loss else ""
        self.stream.write("\r" + _("training [{bar}] {percent}%  step {done}/{total}").format(
            bar=bar, percent=f"{percent:3d}", done=done, total=self.total) + loss_text)
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


def _verdict_dict(v):
    return {"kind": v.kind, "message": v.message, "remedies": list(v.remedies),
            "nodes": list(v.nodes), "severity": v.severity}


def cmd_train(args) -> int:
    from engine.train import Session  # noqa: PLC0415

    steps = args.steps
    if steps is not None and steps < 0:
        raise UsageError(_("--steps must be 0 or more, not {n}").format(n=steps))
    if args.seed is not None and args.seed < 0:
        raise UsageError(_("--seed must be 0 or more, not {n}").format(n=args.seed))
    device = "gpu" if args.backend == "cupy" else "cpu"
    if device == "gpu":
        from engine import backend  # noqa: PLC0415

        if not backend.gpu_available():
            raise UsageError(f"--backend cupy: {backend.gpu_unavailable_reason()}")
    graph = _load(args.file)
    if steps is None:
        from engine.graph.schema import setting  # noqa: PLC0415

        steps = int(setting(graph.settings, "steps"))   # 0 is 0: the untrained net's figures
    with _naming(args.file):
        session = Session.from_graph(graph, seed=args.seed, device=device)

    progress = _Progress(steps)
    start = time.perf_counter()
    try:   # an error's line starts on a fresh line, after the bar
        with _naming(args.file), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # overflow on the way to a NaN: reported below
            session.run(steps, callback=lambda done, snap: progress.update(done, session.last_loss))
    finally:
        progress.close()
    seconds = time.perf_counter() - start
    last = session.last_snapshot
    if last is not None and last.nan is not None:
        _write_metrics(args, session, steps, seconds, None, last)
        say(last.nan.message)
        return EXIT_NAN

    metrics = session.evaluate()
    final = session.snapshot() if session.step_count else None
    verdicts = final.verdicts if final is not None else []
    _print_report(args.file, session, metrics, verdicts, seconds)
    if session.stop_message:   # early stopping (settings.early_stopping) ended the run
        print(session.stop_message)
    try:
        _write_metrics(args, session, steps, seconds, metrics, final)
    except OSError as exc:
        raise UsageError(f"--metrics-json: {os_message(exc)}") from None
    return EXIT_OK


def _print_report(path, session, metrics, verdicts, seconds):
    rate = session.step_count / seconds if seconds > 0 else float("inf")
    print(f"{safe_text(path)}: " + _("{steps} steps in {seconds} s ({rate} steps/s), epoch {epoch}").format(
        steps=session.step_count, seconds=number(seconds, ".2f"), rate=number(rate, ",.0f"),
        epoch=number(session.epoch, ".1f")))
    parts = [_("final batch loss {value}").format(value=number(session.last_loss, ".4g"))]
    for key, label in (("train_loss", _("train loss")), ("test_loss", _("test loss"))):
        if key in metrics:
            parts.append(f"{label} {number(metrics[key], '.4g')}")
    for key, label in (("train_acc", _("train accuracy")), ("test_acc", _("test accuracy"))):
        if key in metrics:
            parts.append(f"{label} {number(100 * metrics[key], '.1f')}%")
    print("  ".join(parts))
    if not verdicts:
        print(_("diagnostics: no problems seen (gradients and activations look healthy)"))
        return
    print(_("diagnostics:"))
    for v in verdicts:
        print(_paragraph(v.message, f"  [{_(SEVERITIES.get(v.severity, v.severity))}] ", "      "))
        if v.remedies:
            print(_paragraph("; ".join(v.remedies), "      " + _("remedies: "), "      "))


def _paragraph(text, first: str, rest: str) -> str:
    """A diagnostic's explanation: escaped, capped, wrapped to lines a terminal shows whole."""
    return textwrap.fill(user_message(text, MAX_EXPLANATION), width=PARAGRAPH_WIDTH,
                         initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


def _write_metrics(args, session, steps, seconds, metrics, snap):
    if not getattr(args, "metrics_json", None):
        return
    out = {
        "file": str(args.file), "steps_requested": steps, "steps": session.step_count,
        "seconds": seconds, "loss": _num(session.last_loss),
        "metrics": {k: _num(v) for k, v in (metrics or {}).items()},
        "verdicts": [_verdict_dict(v) for v in (snap.verdicts if snap else [])],
        "nan": None,
    }
    if snap is not None and snap.nan is not None:
        out["nan"] = {"node": snap.nan.node, "step": snap.nan.step, "message": snap.nan.message}
    with open(args.metrics_json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)


def _num(v):
    """JSON has no NaN/Infinity: write them as null."""
    v = float(v)
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------- check
def cmd_check(args) -> int:
    from engine.graph.compile import check_file  # noqa: PLC0415

    graph = _load(args.file)
    with _naming(args.file):
        problems = check_file(graph)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        print(f"{_(SEVERITIES.get(p.severity, p.severity))}: {user_message(p.message)}")
    name = safe_text(args.file)
    if not problems:
        print(f"{name}: " + _("no problems ({nodes} nodes, {links} connections)").format(
            nodes=len(graph.nodes), links=len(graph.edges)))
    elif not errors:
        print(f"{name}: " + _("{n} warning(s), no errors").format(n=len(problems)))
    if errors:
        say(f"{args.file}: " + _("{n} error(s)").format(n=len(errors)))
        return EXIT_BAD_INPUT
    return EXIT_OK
