"""GUI benchmark: how live the panels are while a network trains, and what they cost.

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.bench_gui

Prints, each measured in this one run:
1. per visible panel, its frames/s while the XOR MLP example trains with every panel open
   (the default layout: the panels on screen, the rest as tabs): how often it redrew from
   a newer step than it showed before (target >= 30 for the slowest), and what a redraw of
   them all costs (median, p95) against what 30 frames/s allows at the Runner's GUI_SHARE;
2. steps/s of that training in the app against headless (Session.step in a loop), and the
   ratio (target >= 70 %);
3. epochs/s of the 2-8-8-8-1 XOR network (250 training points, batch 10) in the app with
   the decision boundary live (target >= 300);
4. the UI event loop's latency while training: a 10 ms QTimer probe records how late
   each tick fires; the 95th percentile (target < 50 ms);
5. NumPy's BLAS with its default threads against one thread (engine/threads.py) while
   another thread keeps a core busy, as the GUI thread does: a float32 256x64 @ 64x64
   product, a classroom step, and the app's steps/s with and without the pin.
It ends with one line: ``live view: F frames/s (slowest visible panel), S % of headless
steps/s, latency p95 L ms``.
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

WARMUP_S, MEASURE_S, PROBE_MS, ROUNDS = 1.0, 4.0, 10, 2


def headless_steps_per_s(graph, seconds=MEASURE_S) -> float:
    from engine.train import Session

    s = Session.from_graph(graph)
    s.run(50)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            s.step()
        n += 50
    return n / (time.perf_counter() - t0)


class FreshFrames:
    """Counts, per panel, the redraws that showed a newer step than its last one; keeps the
    cost of each redraw (all visible panels, paint included: what stretches the frame clock)."""

    def __init__(self, runner, panels):
        self.runner, self.panels = runner, panels
        self.counts = dict.fromkeys(panels, 0)
        self.shown_step = dict.fromkeys(panels, None)
        runner.redraw.connect(self._on_redraw)   # after the panels' own slots (connected first)
        self.before = {}
        self.costs_ms = []
        self._redraws = runner.redraws

    def _on_redraw(self, runner):
        if runner.redraws != self._redraws:   # (the cost of the redraw before this one)
            self._redraws = runner.redraws
            self.costs_ms.append(1000 * runner.redraw_cost_s)
        for name, panel in self.panels.items():
            drew = panel.refresh_count != self.before.get(name)
            self.before[name] = panel.refresh_count
            if drew and runner.step != self.shown_step[name]:
                self.shown_step[name] = runner.step
                self.counts[name] += 1


def gui_run(graph, seconds=MEASURE_S):
    """(steps/s, latencies in ms, {visible panel: frames/s}) of the app training ``graph``
    with every panel open."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from playground.panels import attach
    from tests.gui._panel_support import BareWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = BareWindow(graph)
    runner = attach(win)
    runner.set_step_limit(None)   # a lesson's step limit would stop Play within the warm-up
    win.show()
    app.processEvents()
    fresh = FreshFrames(runner, win.panels)
    runner.play()
    clock = QElapsedTimer()
    clock.start()
    late, marks = [], {}
    last = [None]

    def probe():
        now = clock.nsecsElapsed() / 1e6
        if last[0] is not None and "t1" in marks and "t2" not in marks:
            late.append(max(0.0, now - last[0] - PROBE_MS))
        last[0] = now

    def mark(name):
        shown = {n for n, p in win.panels.items() if p.is_shown()}
        marks[name] = (time.perf_counter(), runner.step, dict(fresh.counts), shown, len(fresh.costs_ms))
        if name == "t2":
            app.quit()

    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    timer.start()
    QTimer.singleShot(int(WARMUP_S * 1000), lambda: mark("t1"))
    QTimer.singleShot(int((WARMUP_S + seconds) * 1000), lambda: mark("t2"))
    app.exec()
    timer.stop()
    runner.shutdown()
    win.close()
    (t1, s1, c1, shown1, r1), (t2, s2, c2, shown2, r2) = marks["t1"], marks["t2"]
    fps = {n: (c2[n] - c1[n]) / (t2 - t1) for n in sorted(shown1 & shown2)}
    gui_run.costs_ms = np.asarray(fresh.costs_ms[r1:r2])   # each redraw's cost, measured part
    return (s2 - s1) / (t2 - t1), np.asarray(late), fps


def paired(graph, rounds=ROUNDS):
    """Headless and in-app runs alternate (a busy machine slows both alike); medians."""
    heads, guis, lates, fpss, costs = [], [], [], [], []
    for _ in range(rounds):
        heads.append(headless_steps_per_s(graph))
        gui, late, fps = gui_run(graph)
        guis.append(gui)
        lates.append(late)
        fpss.append(fps)
        costs.append(gui_run.costs_ms)
    fps = {n: float(np.median([f.get(n, 0.0) for f in fpss])) for n in fpss[0]}
    paired.costs_ms = np.concatenate(costs)
    return float(np.median(heads)), float(np.median(guis)), np.concatenate(lates), fps


class BusyThread:
    """A thread that keeps a core busy with Python, as the GUI thread does while it redraws."""

    def __init__(self):
        import threading

        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._burn, daemon=True)

    def _burn(self):
        while not self.stop.is_set():
            sum(i * i for i in range(20_000))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def call_times_us(fn, seconds=0.6) -> np.ndarray:
    times, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e6 * np.asarray(times)


def blas_threads(graph, digits):
    """Lines comparing NumPy's default BLAS threads with one, while a core is kept busy:
    ``graph`` (the XOR MLP) and ``digits`` (the digits CNN, larger products)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from engine.train import Session
    from playground import runner as runner_module

    rng = np.random.default_rng(0)
    a, b = rng.random((256, 64), dtype=np.float32), rng.random((64, 64), dtype=np.float32)
    session, digits_session = Session.from_graph(graph), Session.from_graph(digits)
    session.run(20)
    digits_session.run(5)
    default = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=1)
    lines = []
    with BusyThread():
        for what, fn in (("float32 256x64 @ 64x64", lambda: a @ b), ("XOR MLP step", session.step),
                         ("digits CNN step", digits_session.step)):
            for label, limit in ((f"default ({default} threads)", None), ("1 thread", 1)):
                with threadpool_limits(limits=limit, user_api="blas"):
                    t = call_times_us(fn)
                lines.append(f"  {what:24s} {label:20s} median {np.median(t):7.1f} us, "
                             f"p95 {np.percentile(t, 95):8.1f} us, mean {t.mean():7.1f} us")
    apps = {}
    for pin in (False, True):
        runner_module.PIN_BLAS = pin
        apps[pin] = gui_run(graph, seconds=2.0)[0]
    runner_module.PIN_BLAS = True
    lines.append(f"  the app's steps/s (XOR MLP, every panel open): default threads {apps[False]:,.0f}, "
                 f"one BLAS thread {apps[True]:,.0f}")
    return lines


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def p95(late) -> float:
    return float(np.percentile(late, 95)) if late.size else float("nan")


def main():
    from tests.gui._panel_support import example, mlp_graph

    load0 = os.getloadavg()[0]

    head, gui, late, fps = paired(example("xor_mlp"))
    ratio = gui / head
    print("XOR MLP example, every panel open; frames/s of each visible panel "
          "(redraws showing a newer step):")
    for name, f in fps.items():
        print(f"  {name:14s} {f:5.1f}")
    slowest = min(fps.values()) if fps else 0.0
    costs = paired.costs_ms
    if costs.size:
        from playground.runner import FRAME_HZ, GUI_SHARE

        print(f"redraw cost (every visible panel, paint included): median {np.median(costs):.1f} ms, "
              f"p95 {np.percentile(costs, 95):.1f} ms; {FRAME_HZ:.0f} frames/s needs at most "
              f"{1000 * GUI_SHARE / FRAME_HZ:.1f} ms (GUI_SHARE {GUI_SHARE:g})")
    print(f"steps/s: headless {head:,.0f}, app {gui:,.0f} = {100 * ratio:.0f} % (target >= 70 %)")
    if late.size:
        print(f"UI latency while training (10 ms QTimer probe): median {np.median(late):.1f} ms, "
              f"p95 {p95(late):.1f} ms, max {late.max():.1f} ms (target p95 < 50 ms)")

    deep = mlp_graph((2, 8, 8, 8, 1), n_samples=500, batch_size=10)  # 250 train points
    steps_per_epoch = 25
    dhead, dgui, dlate, dfps = paired(deep)
    epochs, head_epochs = dgui / steps_per_epoch, dhead / steps_per_epoch
    dslowest = min(dfps.values()) if dfps else 0.0
    print(f"2-8-8-8-1 XOR, 250 points, batch 10, decision boundary live: "
          f"{epochs:,.0f} epochs/s in the app (headless {head_epochs:,.0f}; target >= 300); "
          f"slowest visible panel {dslowest:.1f} frames/s; UI latency p95 {p95(dlate):.1f} ms")

    print("BLAS threads while another thread keeps a core busy (the app pins one for a small network):")
    for line in blas_threads(example("xor_mlp"), example("digits_cnn")):
        print(line)

    load = max(load0, os.getloadavg()[0])
    print(f"machine load (1-minute average, {os.cpu_count()} cores): {load:.1f}; above about "
          f"{os.cpu_count()} other programs share the cores and every figure here is lower")
    worst_p95 = max(p95(late), p95(dlate))
    print("\nSummary (issue 6 and 20 performance targets, all measured in this run):")
    print(f"  1. frames/s of the slowest visible panel, every panel open (XOR MLP example): "
          f"{slowest:.1f}   target >= 30   {verdict(slowest >= 30)}")
    print(f"  2. steps/s, every panel open / headless (XOR MLP example): "
          f"{gui:,.0f} / {head:,.0f} = {100 * ratio:.0f} %   target >= 70 %   {verdict(ratio >= 0.7)}")
    print(f"  3. epochs/s, 2-8-8-8-1 XOR, 250 points, batch 10, boundary live: "
          f"{epochs:,.0f} (headless {head_epochs:,.0f} = the engine's limit here)   "
          f"target >= 300   {verdict(epochs >= 300)}")
    print(f"  4. UI event-loop latency p95 while training (worst of both runs): "
          f"{worst_p95:.1f} ms   target < 50 ms   {verdict(worst_p95 < 50)}")
    print(f"live view: {slowest:.0f} frames/s (slowest visible panel), {100 * ratio:.0f} % of "
          f"headless steps/s, latency p95 {worst_p95:.0f} ms")


if __name__ == "__main__":
    main()
