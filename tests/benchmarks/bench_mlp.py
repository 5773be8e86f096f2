"""Foundation benchmark: one SGD training step of small MLPs, the engine beside a
hand-written NumPy forward/backward/SGD of the same network (and PyTorch eager CPU
when torch is importable). Ratios are ours / reference, taken in one run with the
runs interleaved so a busy machine slows both alike.

    python -m tests.benchmarks.bench_mlp
"""
from __future__ import annotations

import statistics

import numpy as np

import engine
import engine.optim  # noqa: F401
from engine import nn
from tests.benchmarks.bench_library import RUNS, _run_once

NETS = [  # (name, layer sizes, activation, batch)
    ("2-8-8-8-1 tanh, batch 10", [2, 8, 8, 8, 1], "tanh", 10),
    ("2-64-64-1 tanh, batch 32", [2, 64, 64, 1], "tanh", 32),
    ("2-64-64-1 tanh, batch 256", [2, 64, 64, 1], "tanh", 256),
    ("2-[16]x10-1 sigmoid, batch 32", [2] + [16] * 10 + [1], "sigmoid", 32),
]
LR = 0.01


def _data(sizes, batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
    return x, y


def engine_step(sizes, act, batch, compiled=False):
    """One eager step; ``compiled``: the forward and loss recorded once and replayed
    (engine.compile), the optimizer as before."""
    engine.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh() if act == "tanh" else nn.Sigmoid())
    model = nn.Sequential(*layers)
    opt = engine.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    xs, ys = _data(sizes, batch)
    x, y = engine.tensor(xs), engine.tensor(ys)
    forward = engine.compile(lambda x, y: loss_fn(model(x), y)) if compiled else \
        (lambda x, y: loss_fn(model(x), y))

    def step():
        opt.zero_grad()
        loss = forward(x, y)
        loss.backward()
        opt.step()
    return step


def numpy_step(sizes, act, batch):
    """The reference: the same network and MSE loss written by hand, as a student would
    (the loss value included, as the engine's step computes it)."""
    rng = np.random.default_rng(0)
    ws = [(rng.standard_normal((sizes[i + 1], sizes[i])) * 0.3).astype(np.float32) for i in range(len(sizes) - 1)]
    bs = [np.zeros(sizes[i + 1], np.float32) for i in range(len(sizes) - 1)]
    x, y = _data(sizes, batch)
    n_layers = len(ws)

    def step():
        hs = [x]
        for i in range(n_layers):
            z = hs[-1] @ ws[i].T + bs[i]
            if i < n_layers - 1:
                z = np.tanh(z) if act == "tanh" else 1 / (1 + np.exp(-z))
            hs.append(z)
        d = hs[-1] - y
        loss = (d * d).mean()  # noqa: F841 - the loss value, as every training loop reports it
        g = d * (2 / y.size)
        for i in reversed(range(n_layers)):
            gw = g.T @ hs[i]
            gb = g.sum(0)
            if i:
                g = g @ ws[i]
                h = hs[i]
                g = g * (1 - h * h) if act == "tanh" else g * h * (1 - h)
            ws[i] -= LR * gw
            bs[i] -= LR * gb
    return step


def torch_step(sizes, act, batch):
    import torch  # noqa: PLC0415

    torch.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    xs, ys = _data(sizes, batch)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def main():
    try:
        import torch  # noqa: F401,PLC0415
        has_torch = True
    except ImportError:
        has_torch = False
    print("MLP training step (forward + backward + SGD), microseconds per step;")
    print("'compiled': the same step with the forward and loss replayed (engine.compile)")
    head = f"{'network':34s} {'engine':>9s} {'numpy':>9s} {'ratio':>6s} {'compiled':>9s} {'ratio':>6s}"
    if has_torch:
        head += f" {'torch':>9s} {'eng/torch':>9s}"
    print(head)
    for name, sizes, act, batch in NETS:
        steps = [engine_step(sizes, act, batch), engine_step(sizes, act, batch, compiled=True),
                 numpy_step(sizes, act, batch)]
        if has_torch:
            steps.append(torch_step(sizes, act, batch))
        times, ratios = _interleaved(steps, reference=2, repeats=200, runs=15)
        line = (f"{name:34s} {times[0] * 1e6:9.1f} {times[2] * 1e6:9.1f} {ratios[0]:6.2f} "
                f"{times[1] * 1e6:9.1f} {ratios[1]:6.2f}")
        if has_torch:
            line += f" {times[3] * 1e6:9.1f} {times[0] / times[3]:9.2f}"
        print(line, flush=True)


def _interleaved(steps, reference, repeats, runs=RUNS):
    """Median time of each step, and the median over runs of each step's time divided by
    the reference's in the same run; the steps take turns, so load slows all alike."""
    for _ in range(3):
        for step in steps:
            step()
    per_run = [[_run_once(step, repeats) for step in steps] for _ in range(runs)]
    times = [statistics.median(run[i] for run in per_run) for i in range(len(steps))]
    ratios = [statistics.median(run[i] / run[reference] for run in per_run)
              for i in range(len(steps))]
    return times, ratios

if __name__ == "__main__":
    main()
