"""Cross-checks against PyTorch itself (skipped unless torch is installed)."""
import math

import numpy as np
import pytest

from engine import optim
from engine.nn import Parameter
from engine.nn.utils import clip_grad_norm_

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torchref

RNG = np.random.default_rng(3)
W0 = RNG.standard_normal((3, 4))
GRADS = [RNG.standard_normal(W0.shape) for _ in range(5)]
GRADS[3] = -GRADS[2] * 0.5  # sign flips for Rprop

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.7, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True, betas=(0.8, 0.95))),
    ("Rprop", dict(lr=0.05)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(0.01, 0.08))),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_optimizer_matches_torch(name, kwargs):
    p = Parameter(W0.copy())
    ours = getattr(optim, name)([p], **kwargs)
    tp = torch.tensor(W0.copy(), requires_grad=True)
    theirs = getattr(torch.optim, name)([tp], **kwargs)
    for g in GRADS:
        p.grad = g.copy()
        tp.grad = torch.tensor(g.copy())
        ours.step()
        theirs.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),
])
def test_schedules_match_torch(name, kwargs):
    p = Parameter(np.zeros(1))
    ours = getattr(optim.lr_scheduler, name)(optim.SGD([p], lr=0.2), **kwargs)
    tp = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.2)
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    for _ in range(12):
        assert math.isclose(ours.get_last_lr()[0], theirs.get_last_lr()[0], rel_tol=1e-12)
        topt.step()
        ours.step()
        theirs.step()


def test_clip_grad_norm_matches_torch():
    ps = [Parameter(g.copy()) for g in GRADS[:2]]
    tps = [torch.tensor(g.copy(), requires_grad=True) for g in GRADS[:2]]
    for p, tp, g in zip(ps, tps, GRADS[2:4]):
        p.grad, tp.grad = g.copy(), torch.tensor(g.copy())
    for norm_type in (2.0, 1.0, float("inf")):
        total = clip_grad_norm_(ps, 0.5, norm_type)
        ttotal = torch.nn.utils.clip_grad_norm_(tps, 0.5, norm_type)
        assert float(total.item()) == pytest.approx(float(ttotal), rel=1e-12)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)
