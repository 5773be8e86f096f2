"""The app's memory stays flat while a network trains with every panel open (issue 13).

The worker's Session is covered by tests/graph/test_memory.py; here the GUI-side
stores: the history the curves draw from is bounded and keeps its shape, and (soak,
`make fuzz` only) the whole app's RSS over a minute of training with every panel on
screen.
"""
from __future__ import annotations

import operator
import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from playground.panels import attach  # noqa: E402
from playground.runner import History  # noqa: E402
from tests.fuzzing import report  # noqa: E402
from tests.graph.test_memory import _rss_mb  # noqa: E402
from tests.gui._panel_support import BareWindow, example  # noqa: E402


def test_history_is_bounded_evenly_spaced_and_keeps_the_newest_row():
    h = History(max_rows=64)
    for step in range(1, 10_001):
        h.append([{"step": step, "loss": 1.0 / step, "grad:w": None if step % 3 else 2.0}])
        assert len(h) <= 64
        assert h.column("step")[-1] == step   # the newest probe is always drawn
    steps = h.column("step")
    assert len(h) > 32 and steps[0] == 1      # the start of the run stays too
    gaps = np.diff(steps[:-1])
    assert np.all(gaps == gaps[0])            # evenly spaced: the curve keeps its shape
    np.testing.assert_array_equal(h.column("loss"), 1.0 / steps)
    h.clear()
    h.append([{"step": 1}])
    assert len(h) == 1 and h.column("step")[0] == 1


SOAK_S, WARMUP_S = 60.0, 20.0


@pytest.mark.soak
@pytest.mark.parametrize("mode", ["process", "thread"])
@pytest.mark.parametrize("name", ["deep_relu_he", "xor_mlp"])
def test_gui_training_rss_is_flat_with_every_panel_open(qtbot, monkeypatch, name, mode):
    """Every panel floating on screen (none hidden behind a tab), trained for a minute
    after a warm-up (caches, the trajectory and the history filling); the training
    process's memory too, where it trains (the app's way)."""
    monkeypatch.setenv("NNPG_TRAINING", mode)
    win = BareWindow(example(name))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    for panel in win.panels.values():
        panel.setFloating(True)
        panel.show()
    runner.set_step_limit(None)   # a minute of training: past the lesson's own steps
    runner.play()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=30000)
    keep, every = runner.call_in_worker(operator.attrgetter("max_trajectory", "probe_every"))
    child = runner.process.process.pid if runner.process is not None else None

    def rss():
        return (_rss_mb(), _rss_mb(child) if child is not None else 0.0)

    # warm until the trajectory has been thinned once (full) on a slow machine too
    full = (keep + 1) * every
    samples, t0, warm = [], time.perf_counter(), None
    while warm is None or time.perf_counter() - warm[0] < SOAK_S:
        qtbot.wait(1000)
        samples.append((time.perf_counter(), rss(), runner.step))
        if warm is None and samples[-1][0] - t0 >= WARMUP_S and runner.step > full:
            warm = samples[-1]
    runner.pause()
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)
    end = [max(r[k] for _, r, _ in samples[-5:]) for k in (0, 1)]
    report(f"memory: GUI {name}, every panel open, training in a {mode}", warmup_s=f"{warm[0] - t0:.0f}",
           seconds=f"{SOAK_S:.0f}", steps=samples[-1][2] - warm[2],
           rss_start_mb=f"{samples[0][1][0]:.1f}", rss_after_warmup_mb=f"{warm[1][0]:.1f}",
           rss_end_mb=f"{end[0]:.1f}", growth_mb=f"{end[0] - warm[1][0]:+.1f}",
           training_process_mb=f"{warm[1][1]:.1f} -> {end[1]:.1f}" if child else "-",
           history_rows=len(runner.history))
    win.close()
    assert samples[-1][2] > warm[2], "training did not run"
    assert end[0] - warm[1][0] < 5.0, f"RSS grew from {warm[1][0]:.1f} MB to {end[0]:.1f} MB"
    assert end[1] - warm[1][1] < 5.0, f"the training process grew from {warm[1][1]:.1f} MB to {end[1]:.1f} MB"
