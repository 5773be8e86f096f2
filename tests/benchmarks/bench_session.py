"""Session benchmark: XOR MLP (the 2-2-1 example) training steps per second with probes
every 10 steps against probes off, and the probes' cost. Target: under 20 %.

    python -m tests.benchmarks.bench_session

Each figure is the median over several runs of STEPS steps; runs with and without
probes alternate, so a busy machine slows both alike, and the cost is the median of
the per-run ratios.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "examples" / "xor_mlp.nnpg"
STEPS, RUNS = 400, 7
TARGET = 0.20


def _session(probe_every):
    from engine.graph import fileformat
    from engine.train import Session

    graph = fileformat.load(EXAMPLE)
    return Session.from_graph(graph, probe_every=probe_every)


def _run_once(session, steps):
    t0 = time.perf_counter()
    session.run(steps)
    return time.perf_counter() - t0


def measure(steps=STEPS, runs=RUNS):
    """{"probes_off": steps/s, "probes_10": steps/s, "cost": fraction}."""
    off, on = _session(0), _session(10)
    for s in (off, on):  # warm up
        s.run(50)
    t_off, t_on = [], []
    for _ in range(runs):
        t_off.append(_run_once(off, steps))
        t_on.append(_run_once(on, steps))
    cost = statistics.median(b / a - 1.0 for a, b in zip(t_off, t_on))
    return {"probes_off": steps / statistics.median(t_off),
            "probes_10": steps / statistics.median(t_on), "cost": cost}


def main():
    r = measure()
    print("Session: XOR MLP 2-2-1, batch 10 (steps per second, median of runs)")
    print(f"{'probes off':<24}{r['probes_off']:>12,.0f}")
    print(f"{'probes every 10 steps':<24}{r['probes_10']:>12,.0f}")
    verdict = "ok" if r["cost"] < TARGET else "OVER TARGET"
    print(f"{'probe cost':<24}{100 * r['cost']:>11.1f}%   (target < {100 * TARGET:.0f}%: {verdict})")
    return r


if __name__ == "__main__":
    main()
