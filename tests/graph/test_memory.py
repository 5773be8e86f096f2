"""Memory stays flat while training (issue 13).

A Snapshot's statistics and verdicts are computed when first read, so each holds what
its computation needs; if that ever included an older Snapshot, every probe would stay
alive through the next one's and memory would grow with the number of steps. The fast
tests count what the training engine leaves alive and trace allocations over a few
thousand steps with nothing read; the soak runs (`make fuzz`) measure the process's RSS
over 200,000 steps, headless through the command line and through the Python API.
"""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from engine.graph import fileformat
from engine.train import Session, session as session_module
from tests.fuzzing import report

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "lessons"
#: the training engine's own objects, counted by the class they are of
ENGINE_MODULES = ("engine.train.",)


def _session(name, **overrides):
    return Session.from_graph(fileformat.load(EXAMPLES / f"{name}.nnpg"), **overrides)


def _engine_objects() -> Counter:
    """Live objects of engine.train's classes (Snapshots, lazy statistics and verdicts,
    statistics records, diagnosis evidence), by class name."""
    gc.collect()
    return Counter(cls.__qualname__ for cls in map(type, gc.get_objects())
                   if str(cls.__dict__.get("__module__", "")).startswith(ENGINE_MODULES))


@pytest.mark.parametrize("name", ["xor_mlp", "deep_relu_he"])
def test_training_leaves_no_growing_number_of_engine_objects(name):
    """Nothing read: the number of live Snapshots, lazy values and statistics must not
    grow with the steps (before the fix every evaluated Snapshot stayed alive)."""
    s = _session(name)
    s.run(s.eval_every * 4)   # the diagnostics history is full
    before = _engine_objects()
    s.run(s.eval_every * 40)
    after = _engine_objects()
    grown = {k: (before[k], n) for k, n in after.items() if n > before[k]}
    assert not grown, f"engine objects grew over {s.eval_every * 40} steps: {grown}"
    assert after["Snapshot"] <= 2


def test_verdicts_computed_late_read_only_their_own_window():
    """A verdict read long after its probe still sees the probes of its time (its own
    bounded copy), while the session has moved on."""
    s = _session("deep_sigmoid")
    s.run(s.eval_every * 3)
    old = s.last_snapshot
    s.run(s.eval_every * 20)
    assert [v.kind for v in old.verdicts] == ["vanishing"]
    assert len(s.history) <= 3 and len(s.trend) <= 8


@pytest.mark.parametrize("name,steps", [("xor_mlp", 4000), ("deep_relu_he", 1200)])
def test_traced_memory_does_not_grow_with_steps(monkeypatch, name, steps):
    """Python allocations alive after ``steps`` more steps (nothing read) stay within a
    few KB: a leak of one small object per probe would show as tens of KB."""
    monkeypatch.setattr(session_module, "MAX_TRAJECTORY", 20)   # its own bound, kept small
    tracemalloc.start()   # before the session: every block it keeps is traced
    try:
        s = _session(name)
        s.run(steps // 2)   # anything allocated once (caches) settles
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        s.run(steps)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown < 16_000, f"{grown:,} bytes more alive after {steps} steps of {name}"


def test_the_trajectory_is_bounded_in_points_and_in_bytes(monkeypatch):
    """A big network keeps fewer trajectory points: their bytes stay under the budget."""
    s = _session("deep_relu_he")
    n = sum(p.data.size for p in s.params)
    assert s.max_trajectory == session_module.MAX_TRAJECTORY_BYTES // (8 * n) < session_module.MAX_TRAJECTORY
    monkeypatch.setattr(session_module, "MAX_TRAJECTORY_BYTES", 30 * 8 * n)
    s = _session("deep_relu_he")
    small = _session("xor_mlp")
    for _ in range(3):
        s.run(s.probe_every * 40)
        small.run(s.probe_every * 40)
        assert 15 <= len(s.trajectory) <= 30 and s.trajectory_array().nbytes <= 30 * 8 * n
        assert len(s.trajectory_steps) == len(s.trajectory)
    assert len(small.trajectory) == 120   # a small network keeps every point up to its cap


# ---------------------------------------------------------------- soak runs (make fuzz)
SOAK_STEPS = 200_000
WARMUP_FRACTION = 0.2   # RSS is compared from here on: caches, the trajectory filled


def _rss_mb(pid="self") -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@pytest.mark.soak
@pytest.mark.parametrize("name", ["deep_relu_he", "xor_mlp"])
def test_cli_training_rss_is_flat_over_200k_steps(tmp_path, name):
    """`playground train FILE --steps 200000`, its RSS sampled every half second."""
    cmd = [sys.executable, "-m", "playground.cli", "train", str(EXAMPLES / f"{name}.nnpg"),
           "--steps", str(SOAK_STEPS)]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    samples, t0 = [], time.perf_counter()
    while proc.poll() is None:
        rss = _rss_mb(proc.pid)
        if rss is not None:
            samples.append((time.perf_counter() - t0, rss))
        time.sleep(0.5)
    err = proc.stderr.read()
    assert proc.returncode == 0, err[-2000:]
    assert len(samples) >= 10, "the run was too short to measure"
    # training: from the warm-up to just before the end-of-run report (which computes
    # the final metrics and verdicts once; its RSS is reported, not judged)
    n = len(samples)
    training = [rss for _, rss in samples[int(n * WARMUP_FRACTION):max(int(n * 0.95), 2)]]
    warm, end = training[0], max(training)
    report(f"memory: CLI train {name} {SOAK_STEPS} steps", seconds=f"{samples[-1][0]:.0f}",
           rss_first_mb=f"{samples[1][1]:.1f}", rss_after_warmup_mb=f"{warm:.1f}",
           rss_training_max_mb=f"{end:.1f}", rss_at_exit_mb=f"{samples[-1][1]:.1f}",
           growth_mb=f"{end - warm:+.1f}")
    assert end - warm < 3.0, f"RSS grew from {warm:.1f} MB to {end:.1f} MB while training"


@pytest.mark.soak
def test_session_api_rss_is_flat_over_200k_steps():
    """The Python API on xor_mlp, in this process (nothing read, as a script would)."""
    s = _session("xor_mlp")
    chunk = SOAK_STEPS // 20
    rss = []
    for _ in range(20):
        s.run(chunk)
        rss.append(_rss_mb())
    warm = rss[int(len(rss) * WARMUP_FRACTION)]
    report(f"memory: Session API xor_mlp {SOAK_STEPS} steps", rss_start_mb=f"{rss[0]:.1f}",
           rss_after_warmup_mb=f"{warm:.1f}", rss_end_mb=f"{rss[-1]:.1f}",
           growth_mb=f"{rss[-1] - warm:+.1f}")
    assert rss[-1] - warm < 3.0
