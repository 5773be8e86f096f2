"""Library benchmarks: one training step of a digits CNN and of an LSTM, ours beside
PyTorch eager CPU (when torch is importable) with the ratio ours / torch.

    python -m tests.benchmarks.bench_library

Each figure is the median of several runs, each run the mean over many steps
(time.perf_counter). Runs of ours and of torch alternate, so a busy machine slows
both alike; the ratio is the median of the per-run ratios. Data are random: the
figures measure step cost, not learning.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

import engine
from engine import nn

REPEATS, RUNS = 30, 7


def _run_once(step, repeats):
    t0 = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - t0) / repeats


def _time(step, repeats=REPEATS, runs=RUNS):
    for _ in range(3):  # warm up caches and allocators
        step()
    return statistics.median(_run_once(step, repeats) for _ in range(runs))


def _time_pair(ours, theirs, repeats=REPEATS, runs=RUNS):
    """(median ours, median theirs, median of per-run ratios), runs interleaved."""
    for _ in range(3):
        ours()
        theirs()
    a, b = [], []
    for _ in range(runs):
        a.append(_run_once(ours, repeats))
        b.append(_run_once(theirs, repeats))
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b))


def _cross_entropy(logits, target):
    loss_cls = getattr(nn, "CrossEntropyLoss", None)
    if loss_cls is not None:
        return loss_cls()(logits, target)
    logp = engine.log_softmax(logits, -1)
    return -logp[np.arange(len(target.data)), target.data].mean()


def _optimizer(params, kind):
    optim = getattr(engine, "optim", None)
    if optim is None:
        import engine.optim as optim  # noqa: PLC0415
    if kind == "adam" and hasattr(optim, "Adam"):
        return optim.Adam(params, lr=1e-3)
    return optim.SGD(params, lr=0.05)


# ----------------------------------------------------------------------------- ours
def cnn_step_ours(batch=64):
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), _Relu(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(128, 10))
    opt = _optimizer(list(model.parameters()), "sgd")
    x = engine.tensor(rng.standard_normal((batch, 1, 8, 8)).astype(np.float32))
    y = engine.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss = _cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def lstm_step_ours(hidden=32, length=20, batch=32, features=8):
    rng = np.random.default_rng(0)
    lstm, head = nn.LSTM(features, hidden), nn.Linear(hidden, 1)
    opt = _optimizer(list(lstm.parameters()) + list(head.parameters()), "adam")
    x = engine.tensor(rng.standard_normal((length, batch, features)).astype(np.float32))
    y = engine.tensor(rng.standard_normal((batch, 1)).astype(np.float32))

    def step():
        opt.zero_grad()
        out, _ = lstm(x)
        d = head(out[-1]) - y
        (d * d).mean().backward()
        opt.step()
    return step


class _Relu(nn.Module):
    def forward(self, x):
        return engine.relu(x)


# ----------------------------------------------------------------------------- torch
def cnn_step_torch(torch, batch=64):
    tnn = torch.nn
    model = tnn.Sequential(tnn.Conv2d(1, 8, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                           tnn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(batch, 1, 8, 8), torch.randint(0, 10, (batch,))
    loss_fn = tnn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def lstm_step_torch(torch, hidden=32, length=20, batch=32, features=8):
    lstm, head = torch.nn.LSTM(features, hidden), torch.nn.Linear(hidden, 1)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
    x, y = torch.randn(length, batch, features), torch.randn(batch, 1)

    def step():
        opt.zero_grad()
        out, _ = lstm(x)
        ((head(out[-1]) - y) ** 2).mean().backward()
        opt.step()
    return step


CASES = [
    ("digits CNN step (conv 1->8 3x3, relu, maxpool 2, linear 128->10, batch 64, SGD)",
     cnn_step_ours, cnn_step_torch),
    ("LSTM step (input 8, hidden 32, length 20, batch 32, Adam)", lstm_step_ours, lstm_step_torch),
]


def run():
    """[(name, ours_seconds, torch_seconds or None, ratio or None)]"""
    try:
        import torch  # noqa: PLC0415 - optional
    except ImportError:
        torch = None
    rows = []
    for name, ours, theirs in CASES:
        if torch is None:
            rows.append((name, _time(ours()), None, None))
        else:
            rows.append((name,) + _time_pair(ours(), theirs(torch)))
    return rows


def main():
    rows = run()
    print(f"{'benchmark':<84} {'ours ms':>9} {'torch ms':>9} {'ratio':>7}")
    for name, ours, theirs, ratio in rows:
        t = f"{theirs * 1e3:9.3f}" if theirs else f"{'-':>9}"
        r = f"{ratio:7.2f}" if ratio else f"{'-':>7}"
        print(f"{name:<84} {ours * 1e3:9.3f} {t} {r}")
    return rows


if __name__ == "__main__":
    main()
