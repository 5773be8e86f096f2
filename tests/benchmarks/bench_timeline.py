"""Timeline benchmark: what keeping the moments of training costs the training loop (as
the worker runs it: a state due every ``timeline.every`` steps), and the memory bound.
Target: under 2 % (engine.train.timeline.COST_SHARE).

    python -m tests.benchmarks.bench_timeline

Runs of STEPS steps with and without a timeline alternate on the XOR lesson's network;
each is timed in CPU time of this process and each figure is the fastest run (on a
shared machine interference only ever adds time). The capture cost is also given
against one step, at the interval the timeline settled on.
"""
from __future__ import annotations

import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "lessons" / "xor_mlp.nnpg"
STEPS, RUNS = 2000, 9


def _session():
    from engine.graph import fileformat
    from engine.train import Session

    return Session.from_graph(fileformat.load(EXAMPLE))


def _run_once(session, timeline):
    t0 = time.process_time()
    for _ in range(STEPS):
        session.step()
        if timeline is not None and session.step_count >= timeline.next_step:
            timeline.record(session)
    return time.process_time() - t0


def _best(fn, n=300):
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    from engine.train.timeline import COST_SHARE, Timeline

    plain, kept, timeline = _session(), _session(), Timeline()
    off, on = [], []
    for _ in range(RUNS):
        off.append(_run_once(plain, None))
        on.append(_run_once(kept, timeline))
    cost = min(on) / min(off) - 1
    step, capture = _best(kept.step), _best(kept.state)
    print(f"training with the timeline: {cost:+.1%} time (fastest of {RUNS} runs of {STEPS} steps; "
          f"target < {COST_SHARE:.0%})")
    print(f"one capture {capture * 1e6:.0f} us, one step {step * 1e6:.0f} us; after {RUNS * STEPS} steps "
          f"a state every {timeline.every} steps -> {capture / (timeline.every * step):.2%} of the time; "
          f"{len(timeline)} states, {timeline.nbytes / 2**10:.0f} KB")
    # the memory bound on a network whose states fill it: 80k parameters, Adam
    from engine.train import Session
    from tests.graph.test_session import xor_graph

    big, bounded = Session.from_graph(xor_graph(hidden=20000, optimizer={"name": "Adam", "lr": 0.001})), Timeline()
    for _ in range(600):
        big.step()
        bounded._kept_t = None   # a state whenever one is due: the memory bound alone
        bounded.record(big)
    print(f"80k parameters ({big.state().nbytes / 2**20:.2f} MB a state), 600 steps: {len(bounded)} states, "
          f"{bounded.nbytes / 2**20:.1f} MB (bound {bounded.max_bytes / 2**20:.0f} MB), a state every "
          f"{bounded.every} steps from step {bounded.steps()[0]}")


if __name__ == "__main__":
    main()
