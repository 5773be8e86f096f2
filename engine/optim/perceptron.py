"""Rosenblatt's perceptron rule and Hebb's rule for threshold units (no gradients).

    y_hat = 1 if w.x + b > 0 else 0
    perceptron:  w <- w + lr * (y - y_hat) * x,   b <- b + lr * (y - y_hat)
    Hebb:        w <- w + lr * y * x,             b <- b + lr * y

The perceptron rule converges in finitely many updates when the classes are linearly
separable (AND, OR), and never settles when they are not (XOR): the lesson of the course
notes. Hebb's rule ("cells that fire together wire together", notes 002) strengthens each
weight by the product of its input and the target, whether the unit was right or not: with
bipolar (-1/+1) inputs and targets one pass over AND or OR gives a separating line, with
0/1 values a target of 0 teaches nothing.

Targets may be 0/1 or -1/+1 (the Target's "signed" kind): the perceptron rule compares
classes (y > 0), Hebb's rule multiplies by y itself.
"""
from __future__ import annotations

from .. import backend
from ..autograd import Tensor


#: the learning rules a Perceptron applies, by the name the "trainer" setting uses
RULES = ("perceptron", "hebb")


class Perceptron:
    """Trains a Linear layer's ``weight`` (out, in) and ``bias`` (out,) as threshold units.

    ``online=True`` (default) is Rosenblatt's rule: samples of a batch are taken one at a
    time and each sees the weights updated by the previous ones. ``online=False`` sums the
    corrections of the whole batch into one update (the batch perceptron).
    ``rule="hebb"`` applies Hebb's rule instead (see the module docstring).
    """

    def __init__(self, layer=None, lr: float = 1.0, *, weight=None, bias=None,
                 online: bool = True, rule: str = "perceptron"):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}: use {' or '.join(map(repr, RULES))}")
        self.rule = rule
        if layer is not None:
            weight, bias = layer.weight, getattr(layer, "bias", None)
        if weight is None:
            raise ValueError("Perceptron needs a layer with a weight, or weight=")
        if weight.ndim != 2:
            raise ValueError(f"Perceptron expects a weight of shape (out, in), got {weight.shape}")
        self.weight, self.bias = weight, bias
        self.online = online
        self.param_groups = [{"params": [t for t in (weight, bias) if t is not None], "lr": lr}]

    def predict(self, x):
        """Threshold outputs in {0, 1}, shape (N, out)."""
        x = x.data if isinstance(x, Tensor) else x
        z = x @ self.weight.data.T
        if self.bias is not None:
            z = z + self.bias.data
        return (z > 0).astype(self.weight.data.dtype)

    def _as_arrays(self, x, y):
        W = self.weight.data
        xp = backend.array_module(W)
        x = xp.asarray(x.data if isinstance(x, Tensor) else x, dtype=W.dtype)
        y = xp.asarray(y.data if isinstance(y, Tensor) else y, dtype=W.dtype)
        if x.ndim == 1:
            x = x[None, :]
        y = y.reshape(x.shape[0], -1)
        if y.shape[1] != W.shape[0]:
            raise ValueError(f"targets have {y.shape[1]} columns but the layer has "
                             f"{W.shape[0]} output units")
        return x, y

    def step(self, x, y) -> int:
        """Apply the rule to one batch; returns how many (sample, unit) outputs were wrong
        (before their update)."""
        x, y = self._as_arrays(x, y)
        lr = self.param_groups[0]["lr"]  # read per step so a teacher can change it live
        W = self.weight.data
        b = self.bias.data if self.bias is not None else None
        if not self.online:
            fired = self.predict(x)
            change = self._update(y, fired)
            W += lr * (change.T @ x)
            if b is not None:
                b += lr * change.sum(axis=0)
            return int((fired != (y > 0)).sum())
        mistakes = 0
        for xi, yi in zip(x, y):  # one sample at a time is the rule itself
            fired = (W @ xi + (b if b is not None else 0)) > 0
            mistakes += int((fired != (yi > 0)).sum())
            change = self._update(yi, fired.astype(W.dtype))
            if change.any():
                W += lr * change[:, None] * xi[None, :]
                if b is not None:
                    b += lr * change
        return mistakes

    def _update(self, y, fired):
        """What multiplies the input in the update: the error (class minus output) for
        the perceptron rule, zero where the unit was right; the target itself for Hebb's."""
        if self.rule == "hebb":
            return y
        return (y > 0).astype(fired.dtype) - fired

    def fit(self, x, y, max_epochs: int = 100) -> int | None:
        """Repeat epochs until an epoch makes no mistake; returns the epochs used, or None."""
        for epoch in range(1, max_epochs + 1):
            if self.step(x, y) == 0:
                return epoch
        return None

    def zero_grad(self, set_to_none: bool = True):
        """Nothing to clear (the rule uses no gradients); here so a Session can call it."""
