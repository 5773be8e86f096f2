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

from ..i18n import N_, _, number
from .snapshot import Verdict

#: probes averaged per verdict
HISTORY = 3
#: vanishing: first layer's gradient norm / last layer's below this
VANISHING_RATIO = 1e-2
#: exploding: that ratio above this, or a gradient norm above EXPLODING_NORM
EXPLODING_RATIO = 1e2
EXPLODING_NORM = 1e3
#: saturation: more than this fraction of a sigmoid/tanh node's outputs saturated (one
#: definition for the verdict and the panels: see saturated_nodes; a single output is
#: saturated in the outer probes.SATURATION_MARGIN of its range)
SATURATION_FRACTION = 0.5
#: a net this accurate on its training set has learned: its sigmoid/tanh units may
#: saturate by design (confident outputs); below it, saturation is reported unless the
#: loss is still falling
GOOD_ACCURACY = 0.9
#: without an accuracy (regression): learned once the loss is below this fraction of the
#: first step's. (Not half of it: a saturated net starts with an inflated loss, and
#: halving that says nothing about having learned.)
LEARNED_FRACTION = 0.1
#: the loss is still falling when it fell by more than this fraction (see still_falling);
#: with fewer than STALL_PROBES probes of trend nothing shows it falling
FALLING_FRACTION = 0.05
STALL_PROBES = 4
#: clipping hides exploding gradients: before clipping the gradient norm was more than
#: this multiple of the clip_grad_norm limit, on average over the diagnosed probes
CLIPPED_FACTOR = 10.0
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
        N_("use a non-saturating activation (ReLU, Leaky ReLU, ELU) in the hidden layers"),
        N_("initialise the weights with Xavier (for sigmoid/tanh) or He/Kaiming (for ReLU) initialization"),
        N_("add BatchNorm between the layers"),
        N_("use fewer layers, or residual connections"),
    ],
    "exploding": [
        N_("use a lower learning rate"),
        N_("clip the gradients (gradient clipping)"),
        N_("initialise the weights with Xavier/He initialization instead of large values"),
        N_("add BatchNorm between the layers"),
    ],
    "saturation": [
        N_("use a non-saturating activation (ReLU family) in the hidden layers"),
        N_("initialise with Xavier initialization so pre-activations start small"),
        N_("normalise the inputs, or add BatchNorm before the activation"),
        N_("use a lower learning rate"),
    ],
    "divergence": [
        N_("use a lower learning rate (try a tenth of it)"),
        N_("clip the gradients (gradient clipping, e.g. clip_grad_norm 1.0)"),
        N_("normalise the inputs, or add BatchNorm between the layers"),
    ],
    "dead": [
        N_("use a lower learning rate"),
        N_("use Leaky ReLU or ELU, whose gradient is never exactly zero"),
        N_("initialise with He/Kaiming initialization (and small positive biases)"),
        N_("add BatchNorm before the activation"),
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
    accuracy: float | None = None     # training accuracy, when measured (classification)
    clipped: tuple | None = None      # (gradient norm before clipping, limit), when clipping

    @classmethod
    def of(cls, snap) -> "Evidence":
        return cls(snap.step, snap.loss, snap.train_loss, snap.activations, snap.gradients,
                   (snap.metrics or {}).get("train_acc"), getattr(snap, "clipped", None))


def _mean(values):
    values = [v for v in values if v is not None and v == v]
    return sum(values) / len(values) if values else None


def is_saturated(fraction) -> bool:
    """Does a node with this fraction of saturated outputs count as saturated?"""
    return fraction is not None and fraction == fraction and fraction > SATURATION_FRACTION


def saturated_nodes(history) -> list:
    """[(node, saturated fraction)] of the nodes that count as saturated, the fraction
    averaged over ``history`` (Evidence or Snapshots; one Snapshot: ``[snap]``). The one
    definition the verdict, the Diagnostics and the Activations panels share."""
    if not history:
        return []
    out = []
    for nid in history[-1].activations:
        sat = _mean([s.activations[nid].saturated for s in history if nid in s.activations])
        if is_saturated(sat):
            out.append((nid, sat))
    return out


def still_falling(history, trend) -> bool:
    """Is the loss still falling? On the diagnosed probes (evaluated on the training set:
    little noise) it must have fallen at each one and by more than FALLING_FRACTION in
    all; with only one of them, the newer half of the batch losses' ``trend`` must lie
    that far below the older half (medians: one batch is noisy)."""
    evaluated = [e.train_loss for e in history if e.train_loss is not None and e.train_loss == e.train_loss]
    if len(evaluated) >= 2:
        return (all(b < a for a, b in zip(evaluated, evaluated[1:]))
                and evaluated[-1] < (1.0 - FALLING_FRACTION) * evaluated[0])
    losses = [loss for loss, _ in trend if loss == loss]
    if len(losses) < STALL_PROBES:
        return False
    half = len(losses) // 2
    older, newer = sorted(losses[:half]), sorted(losses[-half:])
    return newer[len(newer) // 2] < (1.0 - FALLING_FRACTION) * older[len(older) // 2]


def _accuracy(e):
    """Training accuracy of an Evidence or a Snapshot, or None."""
    acc = getattr(e, "accuracy", None)
    return acc if acc is not None else (getattr(e, "metrics", None) or {}).get("train_acc")


def has_learned(latest, initial_loss) -> bool:
    """Has the net learned its task: accurate, or (without an accuracy) its loss far
    below the start?"""
    if _accuracy(latest) is not None:
        return _accuracy(latest) >= GOOD_ACCURACY
    loss_now = latest.train_loss if latest.train_loss is not None else latest.loss
    return (initial_loss is not None and loss_now is not None and math.isfinite(initial_loss)
            and loss_now < LEARNED_FRACTION * initial_loss)


def _accuracy_words(latest) -> str:
    acc = _accuracy(latest)
    return "" if acc is None else _(" at {acc:.0%} training accuracy").format(acc=acc)


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
        why = _("the loss grew from {start} at the start to {now} (about {times} times larger)").format(
            start=number(initial_loss, ".3g"), now=number(loss_now, ".3g"), times=number(grown + 1, ".2g"))
    elif rising:
        why = _("the gradient norm grew on each of the last {n} probes, from {first} to {last}, while the "
                "loss rose from {start} to {now}").format(n=GROWTH_PROBES, first=number(norms[0], ".3g"),
                                                          last=number(norms[-1], ".3g"),
                                                          start=number(initial_loss, ".3g"),
                                                          now=number(loss_now, ".3g"))
    else:
        return None
    return Verdict(
        "divergence",
        _("Training diverges: {why}. The steps are too large: each update overshoots the "
          "valley of the loss and lands higher up the other side, so every step makes it worse.").format(why=why),
        remedies("divergence"), [], "error")


def remedies(kind: str) -> list:
    """The remedies for a verdict of ``kind``, in the current language."""
    return [_(r) for r in REMEDIES[kind]]


def diagnose(history, program, initial_loss=None, trend=()) -> list:
    """Verdicts from recent Evidence (or Snapshots; oldest first).

    ``initial_loss`` (the first step's loss) and ``trend`` ((loss, largest gradient norm)
    of the recent probes, oldest first): divergence reads them; saturation is reported
    unless the net has learned (has_learned: a confident, well-trained sigmoid/tanh net
    saturates by design) or its loss is still falling (still_falling), so the verdict
    stays while units are saturated and learning has stalled."""
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
            _("Vanishing gradients: the first layer ('{first}') gets a gradient about {factor} "
              "times smaller than the last layer ('{last}'), so the early layers barely learn. Each "
              "layer multiplies the gradient by its activation's derivative (at most 0.25 for a "
              "sigmoid) and its weights, and over many layers the product shrinks towards zero.").format(
                first=first, last=last, factor=number(1 / ratio, ",.0f")),
            remedies("vanishing"), [first], "warning"))
    max_norm = max((g.norm for g in latest.gradients.values() if math.isfinite(g.norm)), default=0.0)
    clipped = _mean([e.clipped[0] / e.clipped[1] for e in history
                     if getattr(e, "clipped", None) and e.clipped[1] > 0])
    learned = has_learned(latest, initial_loss)
    if (ratio is not None and ratio > EXPLODING_RATIO) or max_norm > EXPLODING_NORM:
        why = (_("the first layer ('{first}') gets a gradient {factor} times larger than the last").format(
                   first=first, factor=number(ratio, ",.0f"))
               if ratio is not None and ratio > EXPLODING_RATIO
               else _("a gradient norm reached {norm}").format(norm=number(max_norm, ",.0f")))
        verdicts.append(Verdict(
            "exploding",
            _("Exploding gradients: {why}. Large gradients make the updates overshoot, the loss "
              "jumps around and can turn into NaN.").format(why=why),
            remedies("exploding"), [first] if first else [], "warning"))
    elif clipped is not None and clipped > CLIPPED_FACTOR and not learned and not still_falling(history, trend):
        # the clipped gradients look tame in every statistic: only the norm before clipping
        # shows them exploding, while the net stays stuck
        limit = history[-1].clipped[1] if getattr(history[-1], "clipped", None) else 0.0
        verdicts.append(Verdict(
            "exploding",
            _("Exploding gradients, hidden by clipping: before clipping, the gradient norm is "
              "about {factor:,.0f} times the clip_grad_norm limit ({limit:g}), and learning has "
              "stalled{accuracy}. Clipping keeps each step short, but the direction of a gradient "
              "that large is dominated by a few huge slopes, so the steps barely lower the loss.")
            .format(factor=clipped, limit=limit, accuracy=_accuracy_words(latest)),
            [_(r) for r in REMEDIES["exploding"] if "clip" not in r], [first] if first else [], "warning"))
    dead = []
    for nid in latest.activations:
        d = _mean([s.activations[nid].dead for s in history if nid in s.activations])
        if d is not None and d > DEAD_FRACTION:
            dead.append((nid, d))
    saturated = saturated_nodes(history)
    if saturated and not learned and not still_falling(history, trend):
        names = ", ".join(f"'{n}' ({f:.0%})" for n, f in saturated)
        verdicts.append(Verdict(
            "saturation",
            _("Saturated units: {names} of the outputs sit at the flat ends of a sigmoid/tanh, "
              "where the derivative is nearly zero, so almost no gradient passes through them; "
              "learning has stalled{accuracy}.").format(names=names, accuracy=_accuracy_words(latest)),
            remedies("saturation"), [n for n, _ in saturated], "warning"))
    if dead:
        names = ", ".join(f"'{n}' ({f:.0%})" for n, f in dead)
        verdicts.append(Verdict(
            "dead",
            _("Dead units: in {names} of the units output zero for every sample of the batch. "
              "A ReLU that is never active gets no gradient and never recovers.").format(names=names),
            remedies("dead"), [n for n, _ in dead], "warning"))
    return verdicts
