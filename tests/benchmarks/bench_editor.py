"""Editor benchmark: a 300-node graph in the main window.

    python -m tests.benchmarks.bench_editor

Prints the load time (read the file + build the scene + first paint) and the time per
frame for zoom and pan repaints (each frame: change the view, then a synchronous
repaint of the canvas), at "fit all" and at 100 % zoom. Targets: < 1 s to load and
< 33 ms per frame (30 frames per second). Medians over the frames of one run, on the
offscreen (software) platform, so they include the full raster cost.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

N_CHAINS, CHAIN = 30, 10  # 300 nodes, 270 links
FRAMES = 40
TARGET_FRAME_MS, TARGET_LOAD_S = 33.0, 1.0


def build_graph():
    from engine.graph import Graph

    g = Graph()
    kinds = ["Linear", "ReLU", "Linear", "Tanh", "Linear", "Sigmoid", "Linear", "ReLU", "Linear"]
    for c in range(N_CHAINS):
        y = c * 110.0
        prev = g.add_node("Input", {"shape": [4]}, (0.0, y), id=f"x{c}")
        for k, t in enumerate(kinds):
            params = {"in_features": 4, "out_features": 4, "bias": True} if t == "Linear" else {}
            node = g.add_node(t, params, ((k + 1) * 180.0, y), id=f"n{c}_{k}")
            g.connect(prev.id, "out", node.id, "input")
            prev = node
    assert len(g.nodes) == N_CHAINS * CHAIN
    return g


CPU_MS: dict = {}  # name -> the GUI thread's CPU time per frame (immune to a busy machine)


def frame_times(app, view, change, name="") -> list:
    times, cpu = [], []
    for i in range(FRAMES):
        t0, c0 = time.perf_counter(), time.thread_time()
        change(i)
        view.viewport().repaint()
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    CPU_MS[name] = statistics.median(cpu)
    return times


def main():
    from engine.graph import fileformat
    from playground.app import make_app
    from playground.editor.dialogs import ScriptedDialogs
    from playground.main_window import MainWindow

    app = make_app()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.nnpg"
        fileformat.save(build_graph(), path)
        win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp, autosave=False)
        win.resize(1400, 900)
        win.show()
        app.processEvents()

        t0 = time.perf_counter()
        assert win.open_file(str(path))
        win.view.fit()
        win.view.viewport().repaint()
        app.processEvents()
        load_s = time.perf_counter() - t0
        assert len(win.scene.node_items) == N_CHAINS * CHAIN

        view = win.view
        results = {"load (s)": load_s}
        view.fit()
        results["zoom, fit all (ms/frame)"] = frame_times(app, view, lambda i: view.zoom_by(1.02 if i % 2 else 1 / 1.02),
                                                          "zoom, fit all (ms/frame)")
        results["pan, fit all (ms/frame)"] = frame_times(app, view, lambda i: view.pan_by(8 if i % 2 else -8, 5),
                                                         "pan, fit all (ms/frame)")
        view.set_zoom(1.0)
        view.centerOn(win.scene.node_item("n15_4"))
        results["zoom, 100% (ms/frame)"] = frame_times(app, view, lambda i: view.zoom_by(1.02 if i % 2 else 1 / 1.02),
                                                       "zoom, 100% (ms/frame)")
        results["pan, 100% (ms/frame)"] = frame_times(app, view, lambda i: view.pan_by(8 if i % 2 else -8, 5),
                                                      "pan, 100% (ms/frame)")

        print(f"editor benchmark: {N_CHAINS * CHAIN} nodes, {len(win.document.edges)} links, "
              f"canvas {view.viewport().width()}x{view.viewport().height()} px")
        print(f"  load                      {load_s:7.3f} s   (target < {TARGET_LOAD_S:g} s) "
              f"{'OK' if load_s < TARGET_LOAD_S else 'SLOW'}")
        for name, times in results.items():
            if name.startswith("load"):
                continue
            med, worst = statistics.median(times), max(times)
            print(f"  {name:26s}{med:7.1f} median, {worst:6.1f} worst, {CPU_MS.get(name, float('nan')):5.1f} "
                  f"GUI-thread CPU   (target < {TARGET_FRAME_MS:g}) {'OK' if med < TARGET_FRAME_MS else 'SLOW'}")
        win.close()
    return results


if __name__ == "__main__":
    main()
