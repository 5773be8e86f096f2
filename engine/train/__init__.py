"""Training: compile a Graph, run a Session with probes, diagnose, map the loss landscape.

    from engine.train import Session
    session = Session.from_graph(graph)
    snapshot = session.run(100)
"""
from ..graph.compile import CompileError, NodeError, Program, compile_graph  # noqa: F401
from .diagnostics import diagnose  # noqa: F401
from .session import Session  # noqa: F401
from .snapshot import ActivationStats, GradStats, NanReport, Snapshot, Verdict  # noqa: F401

__all__ = ["compile_graph", "Program", "CompileError", "NodeError", "Session", "diagnose", "Snapshot",
           "ActivationStats", "GradStats", "NanReport", "Verdict"]
