"""Session benchmark: XOR MLP (the 2-2-1 example) training steps per second with probes
every 10 steps against probes off, and the probes' cost. Target: under 20 %.

    python -m tests.benchmarks.bench_session

Runs of STEPS steps with and without probes alternate; each is timed in CPU time of
this process, and each figure is the fastest run (on a shared machine, interference
only ever adds time, so the minimum is the best estimate of the cost itself); the
probe cost is the ratio of the two minima.
"""
from __future__ import annotations

import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "lessons" / "xor_mlp.nnpg"
STEPS, RUNS = 200, 15
TARGET = 0.20


def _session(probe_every):
    from engine.graph import fileformat
    from engine.train import Session

    graph = fileformat.load(EXAMPLE)
    return Session.from_graph(graph, probe_every=probe_every)


def _run_once(session, steps):
    # CPU time of this process: on a shared machine, other processes' load does not count
    t0 = time.process_time()
    session.run(steps)
    return time.process_time() - t0


def measure(steps=STEPS, runs=RUNS):
    """{"probes_off": steps/s, "probes_10": steps/s, "cost": fraction}."""
    off, on = _session(0), _session(10)
    for s in (off, on):  # warm up
        s.run(50)
    t_off, t_on = [], []
    for _ in range(runs):
        t_off.append(_run_once(off, steps))
        t_on.append(_run_once(on, steps))
    return {"probes_off": steps / min(t_off), "probes_10": steps / min(t_on),
            "cost": min(t_on) / min(t_off) - 1.0}


def main():
    r = measure()
    print("Session: XOR MLP 2-2-1, batch 10 (steps per second, best of runs)")
    print(f"{'probes off':<24}{r['probes_off']:>12,.0f}")
    print(f"{'probes every 10 steps':<24}{r['probes_10']:>12,.0f}")
    verdict = "ok" if r["cost"] < TARGET else "OVER TARGET"
    print(f"{'probe cost':<24}{100 * r['cost']:>11.1f}%   (target < {100 * TARGET:.0f}%: {verdict})")
    return r


if __name__ == "__main__":
    main()
