"""What training in a process of its own would give the live view (issue 20), measured.

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.bench_training_process

The app trains in a thread of the GUI's process, and Python runs one thread at a time (the
GIL): every millisecond the panels take to redraw is a millisecond not training, so the
frames/s and the share of headless steps/s trade against each other (runner.GUI_SHARE;
bench_gui measures both). Here a child process steps the XOR MLP example headless while
the app in this process redraws every panel from a slow in-process training (so that every
frame has something new to draw) with the clock unstretched; alternating one-second
windows compare the child's steps/s with the GUI redrawing and with it idle. Prints the
median ratio and the GUI's frames/s meanwhile: the figures a training process would reach
on this machine, before the cost of sending frames between the processes.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROUNDS, WINDOW_S = 6, 1.0


def _child(conn):
    from engine.train import Session
    from tests.benchmarks.bench_gui import headless_window
    from tests.gui._panel_support import example

    session = Session.from_graph(example("xor_mlp"))
    session.run(50)
    conn.send("ready")
    while True:
        seconds = conn.recv()
        if seconds is None:
            return
        conn.send(headless_window(session, seconds))


def main():
    ctx = mp.get_context("spawn")   # (a forked Qt process is not safe)
    conn, child_end = ctx.Pipe()
    child = ctx.Process(target=_child, args=(child_end,), daemon=True)
    child.start()
    assert conn.recv() == "ready"

    from PySide6.QtWidgets import QApplication

    from playground import runner as runner_module
    from playground.panels import attach
    from tests.benchmarks.bench_gui import FreshFrames, spin
    from tests.gui._panel_support import BareWindow, example

    app = QApplication.instance() or QApplication(sys.argv[:1])
    share = runner_module.GUI_SHARE
    runner_module.GUI_SHARE = 0.9   # the GUI has a core of its own: no need to leave training time
    win = BareWindow(example("xor_mlp"))
    runner = attach(win)
    runner.set_step_limit(None)
    win.show()
    app.processEvents()
    fresh = FreshFrames(runner, win.panels)
    runner.set_speed(1500)   # a little training here, so that each frame draws something new
    ratios, fps = [], []
    try:
        for _ in range(ROUNDS):
            conn.send(WINDOW_S)
            alone = conn.recv()
            runner.play()
            spin(app, 0.2)
            counts, t0 = dict(fresh.counts), time.perf_counter()
            conn.send(WINDOW_S)
            while not conn.poll():
                spin(app, 0.02)
            busy, dt = conn.recv(), time.perf_counter() - t0
            fps.append(min((fresh.counts[n] - counts[n]) / dt for n, p in win.panels.items() if p.is_shown()))
            runner.pause()
            spin(app, 0.1)
            ratios.append(busy / alone)
    finally:
        conn.send(None)
        child.join(5)
        runner.shutdown()
        win.close()
        runner_module.GUI_SHARE = share
    print("training in a child process (the XOR MLP example, headless steps) while this process's GUI "
          "redraws every visible panel:")
    print(f"  the child's steps/s with the GUI redrawing / with it idle: median {100 * np.median(ratios):.0f} % "
          f"(windows: {', '.join(f'{100 * r:.0f}' for r in ratios)})")
    print(f"  the GUI's frames/s meanwhile (slowest visible panel): median {np.median(fps):.1f}; "
          f"redraw median {np.median(fresh.costs_ms):.1f} ms")


if __name__ == "__main__":
    main()
