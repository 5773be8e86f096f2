"""Shared by the panel tests and the GUI benchmark: graphs to train and a bare window.

The bare window is what the panels need from the editor's MainWindow (a ``document``);
the tests that need the real canvas use playground.main_window when it is importable.
"""
from __future__ import annotations

import operator
from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow

from engine.graph import fileformat
from engine.graph.document import Graph

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def mlp_graph(sizes=(2, 8, 8, 8, 1), activation="Tanh", dataset="xor", n_samples=500,
              lr=0.03, batch_size=10, probe_every=10, optimizer=None) -> Graph:
    """An MLP on a 2-D dataset with BCEWithLogitsLoss; sizes include input and output."""
    g = Graph()
    prev = g.add_node("Input", {}, (0.0, 0.0)).id
    x = 160.0
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = g.add_node("Linear", {"in_features": fan_in, "out_features": fan_out}, (x, 0.0)).id
        g.connect(prev, "out", lin, "input")
        prev, x = lin, x + 160.0
        if i < len(sizes) - 2:
            act = g.add_node(activation, {}, (x, 0.0)).id
            g.connect(prev, "out", act, "input")
            prev, x = act, x + 160.0
    target = g.add_node("Target", {}, (x - 160.0, 160.0)).id
    cost = g.add_node("BCEWithLogitsLoss", {}, (x, 80.0)).id
    g.connect(prev, "out", cost, "input")
    g.connect(target, "out", cost, "target")
    g.settings.update({"dataset": {"name": dataset, "n_samples": n_samples},
                       "task": "classification", "batch_size": batch_size,
                       "optimizer": optimizer or {"name": "SGD", "lr": lr}, "seed": 0,
                       "probe_every": probe_every})
    return g


def example(name="xor_mlp") -> Graph:
    return fileformat.load(EXAMPLES / f"{name}.nnpg")


class BareWindow(QMainWindow):
    """A main window with a document and no canvas: enough for the panels."""

    def __init__(self, graph: Graph):
        super().__init__()
        self.document = graph
        self.setCentralWidget(QLabel("(canvas)"))
        self.resize(1600, 1000)


class Call:
    """``fn(session, *args, **kwargs)``: what a test asks of the worker's session, which
    travels to a training process when ``fn`` is a module's function (not a lambda)."""

    def __init__(self, fn, *args, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def __call__(self, session):
        return self.fn(session, *self.args, **self.kwargs)


def in_worker(runner, fn, *args, **kwargs):
    """``fn(session, *args, **kwargs)`` run by the runner's worker between two chunks, in
    its thread or its process (Runner.call_in_worker); None when there is no session."""
    return runner.call_in_worker(Call(fn, *args, **kwargs), timeout_s=30)


def session_attr(session, path):
    """``session.<path>`` (dotted), for in_worker."""
    return operator.attrgetter(path)(session)


def session_method(session, name, *args, **kwargs):
    """``session.<name>(*args, **kwargs)``, for in_worker."""
    return getattr(session, name)(*args, **kwargs)


def worker_step(runner):
    """The step the worker's session is at (None: no session)."""
    return in_worker(runner, session_attr, "step_count")


def worker_speed(runner):
    """The speed (steps/s) the worker was given: the thread's worker's own, or the last one
    sent to the training process (whose worker only the messages reach)."""
    if runner.process is not None:
        return runner.process._settings["setSpeed"][0]
    return runner.worker._speed


def blas_threads(session) -> int:
    """The threads NumPy's BLAS uses now, where the session trains (for in_worker)."""
    from threadpoolctl import threadpool_info

    return max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=1)


def mark_session(session):
    """Mark the worker's session (for in_worker): a session built later has no mark."""
    session.test_mark = True


def is_marked(session) -> bool:
    return getattr(session, "test_mark", False)
