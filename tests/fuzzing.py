"""One switch for the size of fuzzing and soak runs.

`make test` runs every fuzzer briefly (a few hundred cases at most, so the suite stays
near its time budget); `make fuzz` sets NNPG_FUZZ=1 and the same tests run long, and the
tests marked ``soak`` (long training runs, memory over time) run only then.

    from tests.fuzzing import FUZZ, examples, report
    @settings(max_examples=examples(200, 20_000), deadline=None)

``report(name, **figures)`` prints one line a fuzzer's figures (cases, steps, failures)
so that `make fuzz`'s output holds the numbers the README quotes.
"""
from __future__ import annotations

import os
import sys

FUZZ = os.environ.get("NNPG_FUZZ") == "1"


def examples(short: int, long: int) -> int:
    """How many cases a fuzzer runs: ``short`` in `make test`, ``long`` in `make fuzz`."""
    return long if FUZZ else short


def report(name: str, **figures):
    parts = ", ".join(f"{k} {v}" for k, v in figures.items())
    sys.__stdout__.write(f"\n[fuzz] {name}: {parts}\n")
    sys.__stdout__.flush()
