"""Diagnoses in plain words, computed from the probes (recent Snapshots).

Each verdict explains what the numbers show and lists the remedies the course notes
give (non-saturating activations, Xavier/He initialization, BatchNorm, gradient
clipping, a lower learning rate). Statistics are averaged over the last ``HISTORY``
diagnosed probes (the Session diagnoses on its evaluated probes), so one noisy batch
does not raise an alarm. Divergence is judged on a short ``trend`` of plain numbers
(loss and largest gradient norm of the recent probes).

What a diagnosis reads is :class:`Evidence`, never a Snapshot: a Snapshot carries its
verdicts, and a verdict computed when first read holds the evidence it will read, so
evidence that held Snapshots would chain every probe ever made into memory.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

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
#: divergence: the loss has grown by more than this multiple of its start (an order of
#: magnitude), on the latest probe and in the median of the trend (one batch is noisy)
DIVERGENCE_FACTOR = 10.0
#: losses this close to zero at the start are measured against this scale instead
LOSS_SCALE_FLOOR = 1e-3
#: divergence: the gradient norm grew on each of the last GROWTH_PROBES probes, by more
#: than GROWTH_FACTOR overall, while the loss is above its start
GROWTH_PROBES = 5
GROWTH_FACTOR = 1e2
#: probes of (loss, gradient norm) the Session keeps for the divergence verdict
TREND = 8

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
    "divergence": [
        "use a lower learning rate (try a tenth of it)",
        "clip the gradients (gradient clipping, e.g. clip_grad_norm 1.0)",
        "normalise the inputs, or add BatchNorm between the layers",
    ],
    "dead": [
        "use a lower learning rate",
        "use Leaky ReLU or ELU, whose gradient is never exactly zero",
        "initialise with He/Kaiming initialization (and small positive biases)",
        "add BatchNorm before the activation",
    ],
}


@dataclass(eq=False)
class Evidence:
    """What diagnosis reads of one probe (a Snapshot's numbers, without the Snapshot)."""

    step: int
    loss: float
    train_loss: float | None
    activations: dict        # node id -> ActivationStats (may be computed when first read)
    gradients: dict          # param name -> GradStats (likewise)

    @classmethod
    def of(cls, snap) -> "Evidence":
        return cls(snap.step, snap.loss, snap.train_loss, snap.activations, snap.gradients)


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
        out.append((nid, math.hypot(*(g.norm for g in weights))))   # no overflow on huge norms
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
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        if b > 0 and a > 0:
            logs.append(math.log10(a) - math.log10(b))   # a / b may overflow
        elif b > 0:
            logs.append(-12.0)
    if not logs:
        return None, first, last
    return 10 ** min(max(sum(logs) / len(logs), -300.0), 300.0), first, last


def _growth(loss, initial_loss) -> float:
    """How many times its start's size the loss has grown by (negative: it fell)."""
    return (loss - initial_loss) / max(abs(initial_loss), LOSS_SCALE_FLOOR)


def divergence(latest, trend, initial_loss) -> Verdict | None:
    """The divergence verdict, or None.

    ``latest``: the newest Evidence (or Snapshot); ``trend``: (loss, largest gradient
    norm) of the recent probes, oldest first. Diverging: the loss has grown by more than
    an order of magnitude over its start and stayed there, or the gradient norm grew
    probe after probe by orders of magnitude while the loss is above its start."""
    if initial_loss is None or not math.isfinite(initial_loss):
        return None
    loss_now = latest.train_loss if latest.train_loss is not None else latest.loss
    if loss_now is None or loss_now != loss_now:
        return None
    losses = sorted(loss for loss, _ in trend if loss == loss)
    median = losses[len(losses) // 2] if losses else loss_now
    grown = min(_growth(loss_now, initial_loss), _growth(median, initial_loss))
    norms = [norm for _, norm in trend][-GROWTH_PROBES:]
    rising = (len(norms) == GROWTH_PROBES and norms[0] > 0 and all(math.isfinite(n) for n in norms)
              and all(b > a for a, b in zip(norms, norms[1:])) and norms[-1] > GROWTH_FACTOR * norms[0]
              and loss_now > initial_loss)
    if grown > DIVERGENCE_FACTOR:
        why = (f"the loss grew from {initial_loss:.3g} at the start to {loss_now:.3g} "
               f"(about {grown + 1:.2g} times larger)")
    elif rising:
        why = (f"the gradient norm grew on each of the last {GROWTH_PROBES} probes, from "
               f"{norms[0]:.3g} to {norms[-1]:.3g}, while the loss rose from {initial_loss:.3g} "
               f"to {loss_now:.3g}")
    else:
        return None
    return Verdict(
        "divergence",
        f"Training diverges: {why}. The steps are too large: each update overshoots the "
        "valley of the loss and lands higher up the other side, so every step makes it worse.",
        REMEDIES["divergence"], [], "error")


def diagnose(history, program, initial_loss=None, trend=()) -> list:
    """Verdicts from recent Evidence (or Snapshots; oldest first).

    ``initial_loss`` (the first step's loss): saturation is only reported while the loss
    has not yet halved, since a confident, well-trained sigmoid/tanh net saturates by design.
    ``trend``: (loss, largest gradient norm) of the recent probes, oldest first, for the
    divergence verdict."""
    if not history:
        return []
    history = history[-HISTORY:]
    latest = history[-1]
    verdicts = []
    diverging = divergence(latest, trend, initial_loss)
    if diverging is not None:
        verdicts.append(diverging)
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
