"""The course notes' own PyTorch code runs on the engine unchanged (issue 18).

The two code blocks below are copied from the notes (003, §2.8 "Implementazione con PyTorch"
and §18.5.3 "Metodologia di Addestramento") with only their `import torch` lines replaced.
One repair: the PDF extraction split §2.8's block in two and lost the indentation of its
methods; they are indented back under the class. The flow-matching training loop is the
five steps §18.5.3 lists in words, written the way a student would in PyTorch.

Where torch is installed, the same class source also runs under torch with the same weights
and the same random draws, and the losses must agree (float64).
"""
import inspect
import subprocess
import sys

import numpy as np
import pytest

import engine as torch
from engine import nn
import engine.nn.functional as F


# ---- 003 §2.8 ---------------------------------------------------------------------------
class MyNet(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x

model = MyNet(784, 128, 10)  # noqa: E305


# ---- 003 §18.5.3 ------------------------------------------------------------------------
class VelocityNet(nn.Module):
    def __init__(self, input_dim, h_dim=64):
        super().__init__()
        self.fc_in = nn.Linear(input_dim + 1, h_dim)
        self.fc2 = nn.Linear(h_dim, h_dim)
        self.fc3 = nn.Linear(h_dim, h_dim)
        self.fc_out = nn.Linear(h_dim, input_dim)

    def forward(self, x, t, act=F.gelu):
        t = t.expand(x.size(0), 1)
        # Ensure t has the correct dimensions
        x = torch.cat([x, t], dim=1)
        x = act(self.fc_in(x))
        x = act(self.fc2(x))
        x = act(self.fc3(x))
        return self.fc_out(x)

# Instantiate the model
input_dim = 2  # noqa: E305
model = VelocityNet(input_dim)


# ---- training loops a student writes around them -----------------------------------------
def fit_classifier(torch, model, loader, epochs, lr):
    """A plain PyTorch loop: cross-entropy, SGD with momentum, per-batch steps."""
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def fit_flow(torch, F, model, x1_all, x0_all, t_all, batch_size, lr):
    """Flow matching as §18.5.3 lists it: pair source and target points, draw times in [0, 1],
    move the points at constant speed to those times, regress the network on that speed."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    data = torch.utils.data.TensorDataset(x1_all, x0_all, t_all)
    losses = []
    for x1, x0, t in torch.utils.data.DataLoader(data, batch_size=batch_size):
        xt = (1 - t) * x0 + t * x1
        loss = F.mse_loss(model(xt, t), x1 - x0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def sample_flow(torch, model, x, steps):
    """Euler integration of the learned velocity from t=0 to 1: one time for the whole batch,
    broadcast by the notes' `t.expand(x.size(0), 1)`."""
    with torch.no_grad():
        for k in range(steps):
            t = torch.tensor([[k / steps]], dtype=x.dtype)
            x = x + model(x, t) / steps
    return x


def prototypes(seed=0, n=300, classes=10, dim=784):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((classes, dim))
    y = rng.integers(0, classes, n)
    return centres[y] + 0.8 * rng.standard_normal((n, dim)), y


def flow_data(seed=0, n=512):
    """Target: a ring of radius 2; source: standard normal; one time per pair."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    x1 = np.stack([2 * np.cos(angle), 2 * np.sin(angle)], 1) + 0.05 * rng.standard_normal((n, 2))
    return x1, rng.standard_normal((n, 2)), rng.uniform(0, 1, (n, 1))


# ---- tests --------------------------------------------------------------------------------
def test_import_engine_as_torch_reaches_the_subpackages():
    """In a fresh interpreter: `import engine` alone makes nn, optim and utils.data reachable,
    as `import torch` does (other tests importing them first would hide the failure here)."""
    code = ("import engine as torch\n"
            "torch.nn.Linear, torch.nn.functional.gelu, torch.optim.Adam, torch.optim.lr_scheduler.StepLR\n"
            "torch.utils.data.DataLoader, torch.utils.data.TensorDataset\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_mynet_trains_with_a_dataloader():
    torch.manual_seed(0)
    x, y = prototypes()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y)),
        batch_size=32, shuffle=True)
    net = MyNet(784, 128, 10)
    assert len(loader) == 10 and net(torch.randn(5, 784)).size() == (5, 10)
    losses = fit_classifier(torch, net, loader, epochs=3, lr=0.01)
    assert losses[-1] < 0.1 * losses[0]
    net.eval()
    with torch.no_grad():
        accuracy = (net(torch.tensor(x, dtype=torch.float32)).argmax(dim=1) == torch.tensor(y)).float().mean()
    assert accuracy.item() > 0.95


def test_velocitynet_flow_matching_moves_noise_onto_the_ring():
    torch.manual_seed(0)
    x1, x0, t = (torch.tensor(a, dtype=torch.float32) for a in flow_data(n=4096))
    net = VelocityNet(input_dim)
    losses = fit_flow(torch, F, net, x1, x0, t, batch_size=64, lr=3e-3)
    assert np.mean(losses[-10:]) < 0.85 * np.mean(losses[:10])  # the rest is the pairs' own spread
    out = sample_flow(torch, net, torch.randn(400, 2), steps=40)
    radius = np.linalg.norm(out.numpy(), axis=1)
    assert abs(np.median(radius) - 2.0) < 0.3, np.median(radius)


def test_dataloader_batches_like_torch():
    x = torch.arange(10).reshape(5, 2)
    data = torch.utils.data.TensorDataset(x, torch.arange(5))
    batches = list(torch.utils.data.DataLoader(data, batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[2][0].tolist() == [[8, 9]]
    assert len(torch.utils.data.DataLoader(data, batch_size=2, drop_last=True)) == 2
    torch.manual_seed(3)
    first = [b[1].tolist() for b in torch.utils.data.DataLoader(data, batch_size=5, shuffle=True)]
    torch.manual_seed(3)
    again = [b[1].tolist() for b in torch.utils.data.DataLoader(data, batch_size=5, shuffle=True)]
    assert first == again and sorted(first[0]) == [0, 1, 2, 3, 4]
    # a dataset of (array, number) samples collates field by field
    pairs = [(np.full(2, i, float), i) for i in range(3)]
    xb, yb = next(iter(torch.utils.data.DataLoader(pairs, batch_size=3)))
    assert xb.shape == (3, 2) and yb.tolist() == [0, 1, 2] and yb.dtype == np.int64
    halves = torch.utils.data.random_split(data, [0.6, 0.4])
    assert [len(h) for h in halves] == [3, 2]
    assert sorted(i for h in halves for i in h.indices) == [0, 1, 2, 3, 4]


# ---- the same code under torch -------------------------------------------------------------
@pytest.fixture
def real_torch():
    return pytest.importorskip("torch")


def under(real_torch, cls):
    """The notes' class, its source run again with `torch` meaning the real torch."""
    scope = {"torch": real_torch, "nn": real_torch.nn, "F": real_torch.nn.functional}
    exec(inspect.getsource(cls), scope)  # noqa: S102 - our own test source
    return scope[cls.__name__]


def twins(real_torch, cls, *args):
    real_torch.manual_seed(0)
    theirs = under(real_torch, cls)(*args).double()
    ours = cls(*args).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.torchref
def test_mynet_loss_curve_equals_torch(real_torch):
    ours, theirs = twins(real_torch, MyNet, 784, 128, 10)
    x, y = prototypes(n=48)
    ds_ours = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    ds_theirs = real_torch.utils.data.TensorDataset(real_torch.tensor(x), real_torch.tensor(y))
    a = fit_classifier(torch, ours, torch.utils.data.DataLoader(ds_ours, batch_size=16), 2, 0.01)
    b = fit_classifier(real_torch, theirs, real_torch.utils.data.DataLoader(ds_theirs, batch_size=16), 2, 0.01)
    np.testing.assert_allclose(a, b, rtol=1e-10)


@pytest.mark.torchref
def test_velocitynet_loss_curve_and_samples_equal_torch(real_torch):
    ours, theirs = twins(real_torch, VelocityNet, 2)
    arrays = flow_data(n=256)
    a = fit_flow(torch, F, ours, *(torch.tensor(v) for v in arrays), 32, 3e-3)
    b = fit_flow(real_torch, real_torch.nn.functional, theirs, *(real_torch.tensor(v) for v in arrays), 32, 3e-3)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    start = np.random.default_rng(1).standard_normal((50, 2))
    np.testing.assert_allclose(sample_flow(torch, ours, torch.tensor(start), 10).numpy(),
                               sample_flow(real_torch, theirs, real_torch.tensor(start), 10).numpy(),
                               atol=1e-10)


@pytest.mark.torchref
def test_the_torch_names_student_code_reaches_for_agree_with_torch(real_torch):
    x = np.random.default_rng(2).standard_normal((4, 3))
    np.testing.assert_array_equal(torch.argmax(torch.tensor(x), dim=1).numpy(),
                                  real_torch.argmax(real_torch.tensor(x), dim=1).numpy())
    np.testing.assert_allclose(torch.linspace(-1, 2, 7).numpy(), real_torch.linspace(-1, 2, 7).numpy())
    np.testing.assert_allclose(torch.mm(torch.tensor(x), torch.tensor(x.T)).numpy(), x @ x.T)
    np.testing.assert_allclose(F.gelu(torch.tensor(x)).numpy(),
                               real_torch.nn.functional.gelu(real_torch.tensor(x)).numpy(), atol=1e-12)
    t = torch.tensor([[0.5]])
    assert t.expand(3, 1).shape == tuple(real_torch.tensor([[0.5]]).expand(3, 1).shape)
    assert torch.cat([torch.tensor(x), torch.tensor(x)], dim=1).size() == (4, 6)
    assert torch.randint(5, (20,)).numpy().max() < 5 and torch.randint(3, 6, (20,)).numpy().min() >= 3
    assert sorted(torch.randperm(6).tolist()) == list(range(6))
    assert torch.from_numpy(x).dtype == np.float64 and torch.long == np.int64
    assert repr(torch.tensor([1.0, 2.0])) == repr(real_torch.tensor([1.0, 2.0]))
