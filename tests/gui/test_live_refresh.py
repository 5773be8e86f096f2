"""Live panels at the frame rate: the mechanisms that keep redraws cheap and on the beat.

Behaviour only; how many frames a second the app reaches is measured in the GUI
benchmark (`make bench`, tests/benchmarks/bench_gui.py), never here.
"""
from __future__ import annotations

import operator
import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import pyqtgraph as pg  # noqa: E402

from engine.threads import SMALL_NETWORK_PARAMS, blas_threads_for  # noqa: E402
from playground import runner as runner_module  # noqa: E402
from playground.panels import attach  # noqa: E402
from playground.runner import Runner  # noqa: E402
from tests.gui._panel_support import BareWindow, blas_threads, in_worker, mlp_graph  # noqa: E402
from tests.gui.test_runner import session_factory  # noqa: E402


@pytest.fixture(params=("thread", "process"))
def bare_runner(qtbot, request):
    """A Runner with no session: its frame clock (training in a thread shares the GIL with
    the redraws: GUI_SHARE; in a process, the GUI's own core: PROCESS_GUI_SHARE)."""
    r = Runner(in_process=request.param == "process")
    yield r
    r.shutdown()


def redraw_costing(runner, seconds):
    runner.redraw.connect(lambda _r: time.sleep(seconds))
    runner._dirty, runner.running = True, True
    runner._flush()


def test_redraws_keep_the_beat(bare_runner):
    """The next redraw is due one frame after this one began, not one frame after it ended:
    a redraw taking 6 ms leaves 1/30 s - 6 ms to the next (or, if it was so costly that the
    interval stretched, that interval less its cost)."""
    redraw_costing(bare_runner, 0.006)
    cost_ms = 1000 * bare_runner.redraw_cost_s
    assert cost_ms >= 6
    beat_ms = max(bare_runner.min_interval_ms, cost_ms / bare_runner.gui_share)
    assert bare_runner._timer.interval() <= beat_ms - cost_ms + 1


def test_a_costly_redraw_stretches_the_interval_to_its_share(bare_runner):
    """A redraw that would take more than its share of the time at the frame rate spaces the
    redraws out: the GUI thread leaves training the rest (the GIL is one) or, with a
    training process, leaves the GUI process time for everything else."""
    redraw_costing(bare_runner, 0.05)   # (unstretched, even the 3/4-interval floor gives > 70 %)
    cost_ms = 1000 * bare_runner.redraw_cost_s
    idle_ms = bare_runner._timer.interval()
    assert cost_ms / (cost_ms + idle_ms) <= bare_runner.gui_share + 0.02


def test_a_late_redraw_is_caught_up_so_the_clock_keeps_its_rate(bare_runner):
    """The timer fires late when the training thread holds the GIL: the next redraw is then
    due an interval after this one was due (not after it began), so the redraws average
    redraw_hz; but never sooner than 3/4 of an interval after this one."""
    interval_ms = bare_runner.min_interval_ms
    late_ms = 0.2 * interval_ms
    bare_runner._due_t = time.perf_counter() - late_ms / 1000   # this redraw is late
    redraw_costing(bare_runner, 0.0)
    assert bare_runner._timer.interval() <= interval_ms - late_ms + 1
    began = time.perf_counter()
    bare_runner._due_t = began - 0.9 * interval_ms / 1000   # very late: not two redraws in a row
    redraw_costing(bare_runner, 0.0)
    # (the due time, not the timer's wait: the redraw's own time, long on a busy machine,
    # comes off the wait)
    assert bare_runner._due_t >= began + 0.75 * interval_ms / 1000


def test_the_step_axis_grows_to_round_numbers_and_a_new_loss_range_leaves_it(qapp):
    """A live plot's x axis (the steps, growing 10 000 a second) changes only when the
    steps pass a round number (1, 2, 5 x 10^k), about three times a decade: each change
    repaints the axes and may lay the plot out again. A y change leaves x alone, and the
    metric plot (x linked to the loss plot's) sets only its y."""
    from playground.panels.base import StableRange, nice_ceil

    assert [nice_ceil(v) for v in (0.7, 1.0, 1.3, 2.0, 2.1, 4.9, 5.1, 9.9, 1250.0)] == \
        [1.0, 1.0, 2.0, 2.0, 5.0, 5.0, 10.0, 10.0, 2000.0]
    plot = pg.PlotItem()
    ranges = []
    plot.sigXRangeChanged.connect(lambda _vb, r: ranges.append(tuple(r)))
    sr = StableRange(plot)
    y = lambda n: 1.0 / np.sqrt(np.arange(1.0, n + 1))   # noqa: E731
    for n in range(10, 10_001, 10):
        sr.update(np.arange(1.0, n + 1), [y(n)])
    ends = [round(r[1] - 1) for r in ranges]
    assert all(nice_ceil(e) == e for e in ends), ends
    assert len(ends) <= 3 * 4 + 1   # about three a decade over four decades
    sr.update(np.arange(1.0, 3001), [y(3000)], tight=True)   # training stopped at 3000
    assert plot.getViewBox().viewRange()[0] == pytest.approx([1, 1 + 2999 * 1.02])
    sr.update(np.arange(1.0, 10_001), [y(10_000)])
    x_before = plot.getViewBox().viewRange()[0]
    sr.update(np.arange(1.0, 10_001), [y(10_000) * 100])   # the loss jumps: y only
    assert plot.getViewBox().viewRange()[0] == x_before
    metric = pg.PlotItem()
    metric.setXRange(0, 7, padding=0)
    StableRange(metric, set_x=False).update(np.arange(1.0, 101), [np.linspace(0.5, 0.9, 100)])
    assert metric.getViewBox().viewRange()[0] == [0, 7]
    assert metric.getViewBox().viewRange()[1][0] < 0.5 < 0.9 < metric.getViewBox().viewRange()[1][1]


def test_frames_leave_on_time_within_a_long_chunk(qtbot, monkeypatch):
    """The worker ends a chunk of steps when a frame is due, so frames reach the GUI at the
    frame rate whatever the chunk length (a step's cost)."""
    monkeypatch.setattr(runner_module, "CHUNK_S", 5.0)
    monkeypatch.setattr(runner_module, "FRAME_EVERY_S", 0.05)
    r = Runner()
    try:
        r.set_session_factory(session_factory(mlp_graph((2, 4, 1), n_samples=200)))
        qtbot.waitUntil(lambda: r.snapshot is not None, timeout=10000)
        frames = r.frames_received
        r.play()
        qtbot.wait(1000)
        # one frame per chunk would be at most one in that second
        assert r.frames_received - frames >= 4
        r.pause()
        qtbot.waitUntil(lambda: not r.running, timeout=10000)
    finally:
        r.shutdown()


def history_rows(n):
    steps = np.arange(1, n + 1) * 10
    loss = 1.0 / np.sqrt(steps) + 0.05 * np.sin(steps)
    return [{"step": float(s), "epoch": s / 100, "loss": float(v), "lr": 0.1,
             "train_loss": float(v), "test_loss": float(v) * 1.1} for s, v in zip(steps, loss)]


def loss_panel_showing(qtbot, n_rows):
    """(runner, loss panel) of a paused bare window whose history is ``n_rows`` made-up
    rows, refreshed once."""
    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    runner.pause()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=10000)
    runner.history.clear()
    runner.history.append(history_rows(n_rows))
    panel = win.panels["loss"]
    panel.refresh(runner)
    return runner, panel


def test_a_long_history_is_drawn_at_pixel_resolution(qtbot):
    """However many rows the history holds, a curve of the loss panel draws a few points
    per pixel column (peak downsampling keeps the min and max of every ds rows, ds the
    whole number of rows per column: at most 3 points a column once there are 2 rows a
    column): painting stays as cheap at step 80 000 as at step 800."""
    runner, panel = loss_panel_showing(qtbot, 8000)
    width = panel.loss_plot.vb.width()
    assert width > 100
    for key in ("train_loss", "test_loss"):
        drawn = len(panel.curves[key].curve.getData()[0])
        assert 0 < drawn <= 3 * width + 8, key
    runner.shutdown()


def test_axes_are_not_repainted_when_only_the_curves_change(qtbot, monkeypatch):
    """A plot's axes (text: costly) are painted again only when the range changes, not with
    every frame of a live curve."""
    painted = []
    original = pg.AxisItem.paint
    # before any axis paints: PySide looks a Python override up once per object
    monkeypatch.setattr(pg.AxisItem, "paint", lambda self, *a: (painted.append(self), original(self, *a)))
    runner, panel = loss_panel_showing(qtbot, 400)
    view = panel.findChildren(pg.GraphicsView)[0]
    view.viewport().repaint()
    assert painted   # (the counting works)
    painted.clear()
    curve = panel.curves["train_loss"]
    x, y = curve.getData()
    curve.setData(x, y[::-1])   # new values inside the shown range
    view.viewport().repaint()
    assert painted == []
    runner.shutdown()


def test_diagnostics_judge_at_most_every_interval_while_training(qtbot):
    """While training runs, the verdicts shown are those of a snapshot judged at most
    JUDGE_EVERY_S ago, and the newest one is judged once that is over; paused, at once."""
    from playground.panels.diagnostics import JUDGE_EVERY_S

    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    runner.step_n(20)
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step >= 20
                    and not runner.running, timeout=10000)
    panel = win.panels["diagnostics"]
    first = runner.snapshot
    panel.refresh(runner)
    assert panel.judged(runner) is first
    newer = runner.call_in_worker(operator.methodcaller("snapshot"))
    runner.running, runner.snapshot = True, newer   # as while training runs
    start = time.monotonic()
    panel.refresh(runner)
    if time.monotonic() - start < JUDGE_EVERY_S * 0.8:   # (a slow machine may be past it)
        assert panel.judged(runner) is first
    qtbot.waitUntil(lambda: panel._judged is newer, timeout=5000)
    latest = runner.call_in_worker(operator.methodcaller("snapshot"))
    runner.running, runner.snapshot = False, latest
    assert panel.judged(runner) is latest
    runner.shutdown()


BLAS_PIN_SCRIPT = """
import numpy as np
from threadpoolctl import threadpool_info
from engine.threads import BlasPin
n = lambda: max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
before = n()
pin = BlasPin()
pin.set(1)
pinned = n()
a = np.ones((256, 256)); a @ a
pin.set(None)
print(before, pinned, n())
"""


def test_blas_pin_sets_and_restores_the_threads():
    """In a fresh process: OpenBLAS 0.3.31 sometimes ignores a new limit in a process where
    other threads set and lifted one before (seen with a second training thread)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", BLAS_PIN_SCRIPT], cwd=root, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    before, pinned, after = map(int, out)
    assert pinned == 1
    assert after == before
    assert blas_threads_for(SMALL_NETWORK_PARAMS) == 1
    assert blas_threads_for(SMALL_NETWORK_PARAMS + 1) is None


@pytest.mark.parametrize("mode", ("thread", "process"))
def test_a_small_network_trains_with_one_blas_thread(qtbot, mode):
    """The worker asks for one BLAS thread for a small network (the GUI needs the other
    core), and a training thread gives it back when it ends."""
    r = Runner(in_process=mode == "process")
    r.set_session_factory(session_factory(mlp_graph((2, 4, 1), n_samples=200)))
    qtbot.waitUntil(lambda: r.snapshot is not None, timeout=30000)
    if r.thread is None:   # what the training process's BLAS uses
        assert in_worker(r, blas_threads) == 1
        r.shutdown()
        return
    # in a thread: the pin's own record (threadpoolctl reads the process-wide setting,
    # which other threads of this process may be changing)
    pin = r.worker.blas
    assert r.call_in_worker(lambda s: pin.threads) == 1
    r.shutdown()
    assert pin.threads is None


def test_status_texts_change_without_a_relayout(qtbot):
    """The texts that change with every frame (the loss panel's status, the controls' step
    line, the timeline's step) repaint themselves only: a QLabel's new text would ask the
    main window to lay out again, and it then repaints itself whole, 30 times a second."""
    from PySide6.QtCore import QEvent, QObject

    win = BareWindow(mlp_graph((2, 4, 1), n_samples=200))
    runner = attach(win)
    qtbot.addWidget(win)
    win.show()
    runner.pause()
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=10000)
    qtbot.wait(50)

    class Layouts(QObject):
        count = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.LayoutRequest:
                Layouts.count += 1
            return False

    spy = Layouts()
    win.installEventFilter(spy)
    labels = (win.panels["loss"].status, win.panels["controls"].status, win.panels["timeline"].step_label)
    for i in range(3):
        for label in labels:
            label.setText(f"step {i * 1000} of a much longer text than before {'x' * i}")
        qtbot.wait(20)
    assert [label.text()[:9] for label in labels] == ["step 2000"] * 3
    assert Layouts.count == 0
    runner.shutdown()
