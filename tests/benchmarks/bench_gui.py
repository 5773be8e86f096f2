"""GUI benchmark: how live the panels are while a network trains, and what they cost.

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.bench_gui

Prints, each measured in this one run:
1. per visible panel, its frames/s while the XOR MLP example trains with every panel open
   (the default layout: the panels on screen, the rest as tabs) in the app's training
   process: how often it redrew from a newer step than it showed before (target >= 30
   for the slowest), and what a redraw of them all costs (median, p95) against what the
   frame clock allows at the Runner's share of the GUI's time;
2. steps/s of that training in the app against headless (Session.step in a loop, in this
   thread while the app is paused), in alternating one-second windows: the median of the
   windows' ratios (target >= 70 %). The shared machine's speed moves by a third from one
   second to the next; a window's ratio to its neighbour cancels most of that. Then the
   same with training in a thread of the GUI's process (NNPG_TRAINING=thread, the tests'
   way), which shares Python's GIL with the redraws;
3. epochs/s of the 2-8-8-8-1 XOR network (250 training points, batch 10) in the app with
   the decision boundary live (target >= 300);
4. the UI event loop's latency while training: a 10 ms QTimer probe records how late
   each tick fires; the 95th percentile (target < 50 ms); the same figures with the plots
   in presentation mode's sizes (what a projector shows);
5. NumPy's BLAS with its default threads against one thread (engine/threads.py) while
   another thread keeps a core busy, as the GUI thread does: a float32 256x64 @ 64x64
   product, a classroom step, and the app's steps/s with and without the pin.
It ends with one line: ``live view: F frames/s (slowest visible panel), S % of headless
steps/s, latency p95 L ms``.
"""
from __future__ import annotations

import operator
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

#: a warm-up, then ROUNDS pairs of windows (the app training, then headless) of WINDOW_S
#: each, SETTLE_S after each pause and play; a UI latency probe every PROBE_MS
WARMUP_S, WINDOW_S, SETTLE_S, PROBE_MS, ROUNDS = 1.0, 1.0, 0.15, 10, 8


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


def spin(app, seconds):
    """Run the event loop for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(1000 * seconds), loop.quit)
    loop.exec()


def headless_window(session, seconds) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            session.step()
        n += 50
    return n / (time.perf_counter() - t0)


def interleaved(graph, rounds=ROUNDS, window_s=WINDOW_S, presentation=False):
    """The app training ``graph`` with every panel open, against headless (Session.step in
    a loop, in this thread, while the app is paused), in alternating windows of
    ``window_s``: the shared machine's load changes over seconds and moves both alike, so
    each window's ratio is measured against its neighbour. Returns (headless steps/s,
    app steps/s, the median of the windows' ratios, UI latencies in ms, {visible panel:
    frames/s}); ``interleaved.costs_ms``: each redraw's cost. ``presentation``: the plots
    in presentation mode's sizes (fonts, lines, markers; the window's layout stays)."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from engine.train import Session
    from playground.panels import attach
    from tests.gui._panel_support import BareWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = BareWindow(graph)
    runner = attach(win)
    runner.set_step_limit(None)   # a lesson's step limit would stop Play within the warm-up
    win.show()
    app.processEvents()
    if presentation:
        from playground import theme as themes

        themes.set_presentation(True)
        for panel in win.panels.values():
            panel.apply_theme()
    fresh = FreshFrames(runner, win.panels)
    head_session = Session.from_graph(graph)
    head_session.run(50)
    clock = QElapsedTimer()
    clock.start()
    late, last, measuring = [], [None], [False]

    def probe():
        now = clock.nsecsElapsed() / 1e6
        if last[0] is not None and measuring[0]:
            late.append(max(0.0, now - last[0] - PROBE_MS))
        last[0] = now

    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    timer.start()
    # the session's own count, wherever the worker runs (it answers between two chunks)
    steps_done = lambda: runner.call_in_worker(operator.attrgetter("step_count"))  # noqa: E731
    heads, apps, ratios, fpss, costs = [], [], [], [], []
    runner.play()
    spin(app, WARMUP_S)
    for _ in range(rounds):
        s0, c0, r0, t0 = steps_done(), dict(fresh.counts), len(fresh.costs_ms), time.perf_counter()
        shown0 = {n for n, p in win.panels.items() if p.is_shown()}
        measuring[0], last[0] = True, None
        spin(app, window_s)
        measuring[0] = False
        s1, c1, r1, t1 = steps_done(), dict(fresh.counts), len(fresh.costs_ms), time.perf_counter()
        shown = shown0 & {n for n, p in win.panels.items() if p.is_shown()}
        runner.pause()
        spin(app, SETTLE_S)
        apps.append((s1 - s0) / (t1 - t0))
        fpss.append({n: (c1[n] - c0[n]) / (t1 - t0) for n in shown})
        costs.extend(fresh.costs_ms[r0:r1])
        heads.append(headless_window(head_session, window_s))
        ratios.append(apps[-1] / heads[-1])
        runner.play()
        spin(app, SETTLE_S)
    timer.stop()
    runner.shutdown()
    win.close()
    if presentation:
        themes.set_presentation(False)
    fps = {n: float(np.median([f.get(n, 0.0) for f in fpss])) for n in sorted(fpss[0])}
    interleaved.costs_ms = np.asarray(costs)
    return (float(np.median(heads)), float(np.median(apps)), float(np.median(ratios)),
            np.asarray(late), fps)


class training_in_thread:
    """Within: windows train in a thread of this process (see runner.training_in_process)."""

    def __enter__(self):
        self.was = os.environ.get("NNPG_TRAINING")
        os.environ["NNPG_TRAINING"] = "thread"

    def __exit__(self, *exc):
        if self.was is None:
            os.environ.pop("NNPG_TRAINING")
        else:
            os.environ["NNPG_TRAINING"] = self.was


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
        apps[pin] = interleaved(graph, rounds=3)[2]
    runner_module.PIN_BLAS = True
    lines.append(f"  the app's steps/s against headless (XOR MLP, every panel open): default threads "
                 f"{100 * apps[False]:.0f} %, one BLAS thread {100 * apps[True]:.0f} %")
    return lines


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def p95(late) -> float:
    return float(np.percentile(late, 95)) if late.size else float("nan")


def main():
    from tests.gui._panel_support import example, mlp_graph

    load0 = os.getloadavg()[0]

    head, gui, ratio, late, fps = interleaved(example("xor_mlp"))
    print("XOR MLP example, every panel open; frames/s of each visible panel "
          "(redraws showing a newer step):")
    for name, f in fps.items():
        print(f"  {name:14s} {f:5.1f}")
    slowest = min(fps.values()) if fps else 0.0
    costs = interleaved.costs_ms
    if costs.size:
        from playground import runner as r

        hz, share, name = ((r.PROCESS_FRAME_HZ, r.PROCESS_GUI_SHARE, "PROCESS_GUI_SHARE")
                           if r.training_in_process() else (r.FRAME_HZ, r.GUI_SHARE, "GUI_SHARE"))
        print(f"redraw cost (every visible panel, paint included): median {np.median(costs):.1f} ms, "
              f"p95 {np.percentile(costs, 95):.1f} ms; the clock's {hz:.0f} frames/s needs at most "
              f"{1000 * share / hz:.1f} ms ({name} {share:g})")
    print(f"steps/s: headless {head:,.0f}, app {gui:,.0f} (medians of {ROUNDS} windows of {WINDOW_S:g} s each); "
          f"the median of the windows' ratios {100 * ratio:.0f} % (target >= 70 %)")
    with training_in_thread():
        _, _, tratio, _, tfps = interleaved(example("xor_mlp"), rounds=4)
    print(f"the same with training in a thread of the GUI's process: slowest visible panel "
          f"{min(tfps.values()) if tfps else 0.0:.1f} frames/s, {100 * tratio:.0f} % of headless steps/s")
    if late.size:
        print(f"UI latency while training (10 ms QTimer probe): median {np.median(late):.1f} ms, "
              f"p95 {p95(late):.1f} ms, max {late.max():.1f} ms (target p95 < 50 ms)")

    _, _, pratio, plate, pfps = interleaved(example("xor_mlp"), rounds=4, presentation=True)
    pslowest = min(pfps.values()) if pfps else 0.0
    pcosts = interleaved.costs_ms
    print(f"the same in presentation mode's sizes: slowest visible panel {pslowest:.1f} frames/s, "
          f"redraw median {np.median(pcosts) if pcosts.size else float('nan'):.1f} ms, "
          f"{100 * pratio:.0f} % of headless steps/s, UI latency p95 {p95(plate):.1f} ms")

    deep = mlp_graph((2, 8, 8, 8, 1), n_samples=500, batch_size=10)  # 250 train points
    steps_per_epoch = 25
    dhead, dgui, _, dlate, dfps = interleaved(deep)
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
    worst_p95 = max(p95(late), p95(dlate), p95(plate))
    print("\nSummary (issue 6 and 20 performance targets, all measured in this run):")
    print(f"  1. frames/s of the slowest visible panel, every panel open (XOR MLP example): "
          f"{slowest:.1f}   target >= 30   {verdict(slowest >= 30)}")
    print(f"  2. steps/s, every panel open / headless (XOR MLP example): "
          f"{100 * ratio:.0f} %   target >= 70 %   {verdict(ratio >= 0.7)}")
    print(f"  3. epochs/s, 2-8-8-8-1 XOR, 250 points, batch 10, boundary live: "
          f"{epochs:,.0f} (headless {head_epochs:,.0f} = the engine's limit here)   "
          f"target >= 300   {verdict(epochs >= 300)}")
    print(f"  4. UI event-loop latency p95 while training (worst of the runs): "
          f"{worst_p95:.1f} ms   target < 50 ms   {verdict(worst_p95 < 50)}")
    print(f"  5. the same, presentation mode's sizes: {pslowest:.1f} frames/s, {100 * pratio:.0f} % "
          f"of headless steps/s")
    print(f"live view: {slowest:.0f} frames/s (slowest visible panel), {100 * ratio:.0f} % of "
          f"headless steps/s, latency p95 {worst_p95:.0f} ms")


if __name__ == "__main__":
    main()
