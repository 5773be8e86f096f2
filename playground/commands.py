"""``playground train`` and ``playground check``: headless training and validation.

Exit codes (see playground.cli): 0 success; 2 bad input, reported as one line and never
a traceback; 3 training hit NaN/Inf (the message names the node).
"""
from __future__ import annotations

import json
import math
import sys
import time
import warnings

EXIT_OK, EXIT_BAD_INPUT, EXIT_NAN = 0, 2, 3

#: default number of steps when neither --steps nor the file's settings say
DEFAULT_STEPS = 500   # = engine.graph.schema.SETTINGS["steps"] (tests/graph/test_fileformat.py checks)
BAR_WIDTH = 30


class BadInput(Exception):
    """One line for the user; exit code 2."""


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _fail(message) -> int:
    print(f"playground: {_one_line(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _bad_input_types():
    """Exceptions that mean bad input (a file, a graph, settings, a dataset, a device)."""
    from engine.graph.compile import CompileError, NodeError  # noqa: PLC0415
    from engine.graph.fileformat import LoadError  # noqa: PLC0415

    return (LoadError, CompileError, NodeError, ValueError, KeyError, TypeError, OSError,
            RuntimeError, BadInput)


def _load(path):
    from engine.graph import fileformat  # noqa: PLC0415

    return fileformat.load(path)


def _message(exc) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return f"missing or unknown entry {exc.args[0]!r}"
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__


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
        loss_text = f"  loss {loss:.4g}" if loss == loss else ""
        self.stream.write(f"\rtraining [{bar}] {percent:3d}%  step {done}/{self.total}{loss_text}")
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


def _verdict_dict(v):
    return {"kind": v.kind, "message": v.message, "remedies": list(v.remedies),
            "nodes": list(v.nodes), "severity": v.severity}


def cmd_train(args) -> int:
    bad = _bad_input_types()
    try:
        from engine.train import Session  # noqa: PLC0415

        steps = args.steps
        if steps is not None and steps < 0:
            raise BadInput(f"--steps must be 0 or more, not {steps}")
        if args.seed is not None and args.seed < 0:
            raise BadInput(f"--seed must be 0 or more, not {args.seed}")
        device = "gpu" if args.backend == "cupy" else "cpu"
        if device == "gpu":
            from engine import backend  # noqa: PLC0415

            if not backend.gpu_available():
                raise BadInput(f"--backend cupy: {backend.gpu_unavailable_reason()}")
        graph = _load(args.file)
        if steps is None:
            steps = int(graph.settings.get("steps", DEFAULT_STEPS) or DEFAULT_STEPS)
        session = Session.from_graph(graph, seed=args.seed, device=device)
    except bad as exc:
        return _fail(_message(exc))

    progress = _Progress(steps)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():   # overflow on the way to a NaN: reported below instead
            warnings.simplefilter("ignore", RuntimeWarning)
            session.run(steps, callback=lambda done, snap: progress.update(done, session.last_loss))
    except bad as exc:
        progress.close()
        return _fail(_message(exc))
    progress.close()
    seconds = time.perf_counter() - start
    last = session.last_snapshot
    if last is not None and last.nan is not None:
        _write_metrics(args, session, steps, seconds, None, last)
        print(f"playground: {last.nan.message}", file=sys.stderr)
        return EXIT_NAN

    metrics = session.evaluate()
    final = session.snapshot() if session.step_count else None
    verdicts = final.verdicts if final is not None else []
    _print_report(args.file, session, metrics, verdicts, seconds)
    try:
        _write_metrics(args, session, steps, seconds, metrics, final)
    except OSError as exc:
        return _fail(f"--metrics-json: {_message(exc)}")
    return EXIT_OK


def _print_report(path, session, metrics, verdicts, seconds):
    rate = session.step_count / seconds if seconds > 0 else float("inf")
    print(f"{path}: {session.step_count} steps in {seconds:.2f} s ({rate:,.0f} steps/s), "
          f"epoch {session.epoch:.1f}")
    parts = [f"final batch loss {session.last_loss:.4g}"]
    for key, label in (("train_loss", "train loss"), ("test_loss", "test loss")):
        if key in metrics:
            parts.append(f"{label} {metrics[key]:.4g}")
    for key, label in (("train_acc", "train accuracy"), ("test_acc", "test accuracy")):
        if key in metrics:
            parts.append(f"{label} {100 * metrics[key]:.1f}%")
    print("  ".join(parts))
    if not verdicts:
        print("diagnostics: no problems seen (gradients and activations look healthy)")
        return
    print("diagnostics:")
    for v in verdicts:
        print(f"  [{v.severity}] {v.message}")
        if v.remedies:
            print(f"      remedies: {'; '.join(v.remedies)}")


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
    bad = _bad_input_types()
    try:
        graph = _load(args.file)
        from engine.graph.compile import check_graph  # noqa: PLC0415

        problems = check_graph(graph)
    except bad as exc:
        return _fail(_message(exc))
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        print(f"{p.severity}: {_one_line(p.message)}")
    if not problems:
        print(f"{args.file}: no problems ({len(graph.nodes)} nodes, {len(graph.edges)} connections)")
    elif not errors:
        print(f"{args.file}: {len(problems)} warning(s), no errors")
    if errors:
        print(f"playground: {args.file}: {len(errors)} error(s)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK
