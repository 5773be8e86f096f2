"""Diagnoses in plain words, computed from the probes (recent Snapshots).

Each verdict explains what the numbers show and lists the remedies the course notes
give (non-saturating activations, Xavier/He initialization, BatchNorm, gradient
clipping, a lower learning rate). Statistics are averaged over the last ``HISTORY``
diagnosed probes (the Session diagnoses on its evaluated probes), so one noisy batch
does not raise an alarm.
"""
from __future__ import annotations

import math

from .snapshot import Verdict

#: probes averaged per verdict
HISTORY = 3
#: vanishing: first layer's gradient norm / last layer's below this
VANISHING_RATIO = 1e-2
#: exploding: that ratio above this, or a gradient norm above EXPLODING_NORM
EXPLODING_RATIO = 1e2
EXPLODING_NORM = 1e3
#: saturation: more than this fraction of a sigmoid/tanh node's outputs saturated
SATURATION_FRACTION = 0.5
#: the loss counts as falling well once below this fraction of the first step's
LEARNING_FRACTION = 0.5
#: dead units: more than this fraction of a ReLU node's units never active on a batch
DEAD_FRACTION = 0.5
#: verdicts need at least this many layers with weights between input and output
MIN_LAYERS = 3

REMEDIES = {
    "vanishing": [
        "use a non-saturating activation (ReLU, Leaky ReLU, ELU) in the hidden layers",
        "initialise the weights with Xavier (for sigmoid/tanh) or He/Kaiming (for ReLU) initialization",
        "add BatchNorm between the layers",
        "use fewer layers, or residual connections",
    ],
    "exploding": [
        "use a lower learning rate",
        "clip the gradients (gradient clipping)",
        "initialise the weights with Xavier/He initialization instead of large values",
        "add BatchNorm between the layers",
    ],
    "saturation": [
        "use a non-saturating activation (ReLU family) in the hidden layers",
        "initialise with Xavier initialization so pre-activations start small",
        "normalise the inputs, or add BatchNorm before the activation",
        "use a lower learning rate",
    ],
    "dead": [
        "use a lower learning rate",
        "use Leaky ReLU or ELU, whose gradient is never exactly zero",
        "initialise with He/Kaiming initialization (and small positive biases)",
        "add BatchNorm before the activation",
    ],
}


def _mean(values):
    values = [v for v in values if v is not None and v == v]
    return sum(values) / len(values) if values else None


def layer_gradient_norms(snapshot, program) -> list:
    """[(node, gradient norm of its weights)] for layers with weights, input to output.

    A node's "weights" are its parameters named ``weight`` (or all of them when none is),
    so biases do not blur the picture."""
    cached = snapshot.__dict__.get("_layer_norms")
    if cached is not None:
        return cached
    by_node: dict = {}
    for g in snapshot.gradients.values():
        by_node.setdefault(g.node, []).append(g)
    out = []
    for nid in program.learnable_nodes():
        stats = by_node.get(nid)
        if not stats:
            continue
        weights = [g for g in stats if g.param.rsplit(".", 1)[-1].startswith("weight")] or stats
        out.append((nid, math.sqrt(sum(g.norm ** 2 for g in weights))))
    snapshot.__dict__["_layer_norms"] = out   # a Snapshot's numbers never change
    return out


def gradient_ratio(history, program):
    """Mean (over the probes) of log10(first layer's norm / last layer's); None if unknown."""
    logs, first, last = [], None, None
    for snap in history:
        norms = layer_gradient_norms(snap, program)
        if len(norms) < MIN_LAYERS:
            continue
        (first, a), (last, b) = norms[0], norms[-1]
        if b > 0 and a > 0:
            logs.append(math.log10(a / b))
        elif b > 0:
            logs.append(-12.0)
    if not logs:
        return None, first, last
    return 10 ** (sum(logs) / len(logs)), first, last


def diagnose(history, program, initial_loss=None) -> list:
    """Verdicts from recent Snapshots (oldest first).

    ``initial_loss`` (the first step's loss): saturation is only reported while the loss
    has not yet halved, since a confident, well-trained sigmoid/tanh net saturates by design."""
    if not history:
        return []
    history = history[-HISTORY:]
    latest = history[-1]
    verdicts = []
    ratio, first, last = gradient_ratio(history, program)
    if ratio is not None and ratio < VANISHING_RATIO:
        verdicts.append(Verdict(
            "vanishing",
            f"Vanishing gradients: the first layer ('{first}') gets a gradient about {1 / ratio:,.0f} "
            f"times smaller than the last layer ('{last}'), so the early layers barely learn. Each "
            "layer multiplies the gradient by its activation's derivative (at most 0.25 for a "
            "sigmoid) and its weights, and over many layers the product shrinks towards zero.",
            REMEDIES["vanishing"], [first], "warning"))
    max_norm = max((g.norm for g in latest.gradients.values() if math.isfinite(g.norm)), default=0.0)
    if (ratio is not None and ratio > EXPLODING_RATIO) or max_norm > EXPLODING_NORM:
        why = (f"the first layer ('{first}') gets a gradient {ratio:,.0f} times larger than the last"
               if ratio is not None and ratio > EXPLODING_RATIO
               else f"a gradient norm reached {max_norm:,.0f}")
        verdicts.append(Verdict(
            "exploding",
            f"Exploding gradients: {why}. Large gradients make the updates overshoot, the loss "
            "jumps around and can turn into NaN.",
            REMEDIES["exploding"], [first] if first else [], "warning"))
    saturated, dead = [], []
    for nid in latest.activations:
        sat = _mean([s.activations[nid].saturated for s in history if nid in s.activations])
        if sat is not None and sat > SATURATION_FRACTION:
            saturated.append((nid, sat))
        d = _mean([s.activations[nid].dead for s in history if nid in s.activations])
        if d is not None and d > DEAD_FRACTION:
            dead.append((nid, d))
    loss_now = latest.train_loss if latest.train_loss is not None else latest.loss
    learning = (initial_loss is not None and loss_now is not None and math.isfinite(initial_loss)
                and loss_now < LEARNING_FRACTION * initial_loss)
    if saturated and not learning:
        names = ", ".join(f"'{n}' ({f:.0%})" for n, f in saturated)
        verdicts.append(Verdict(
            "saturation",
            f"Saturated units: {names} of the outputs sit at the flat ends of a sigmoid/tanh, where "
            "the derivative is nearly zero, so almost no gradient passes through them.",
            REMEDIES["saturation"], [n for n, _ in saturated], "warning"))
    if dead:
        names = ", ".join(f"'{n}' ({f:.0%})" for n, f in dead)
        verdicts.append(Verdict(
            "dead",
            f"Dead units: in {names} of the units output zero for every sample of the batch. "
            "A ReLU that is never active gets no gradient and never recovers.",
            REMEDIES["dead"], [n for n, _ in dead], "warning"))
    return verdicts
