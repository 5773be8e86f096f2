"""What a training Session reports every k steps: the contract between engine and panels.

All arrays here are host NumPy arrays (statistics are reduced on the device and moved
in one transfer by the session), so the GUI thread never touches device memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class ActivationStats:
    """Statistics of one node's output over the probed batch."""

    node: str
    mean: float
    std: float
    hist_counts: np.ndarray          # a few bins
    hist_edges: np.ndarray           # len(counts) + 1
    unit_mean: np.ndarray | None = None   # mean activation per unit (last axis), for heatmaps
    saturated: float | None = None   # fraction saturated (sigmoid/tanh nodes only)
    dead: float | None = None        # fraction of units never active (ReLU family only)


@dataclass
class GradStats:
    """Gradient statistics of one parameter tensor."""

    param: str                       # qualified name, e.g. "lin1.weight"
    node: str                        # the graph node that owns it
    norm: float                      # L2 norm
    mean_abs: float
    max_abs: float
    update_ratio: float | None = None   # |lr * update| / |w|


@dataclass
class Verdict:
    """A diagnosis in plain words, with the course notes' remedies."""

    kind: str                        # "vanishing" | "exploding" | "saturation" | "dead" | "nan"
    #                                  | "divergence"
    message: str
    remedies: list = field(default_factory=list)
    nodes: list = field(default_factory=list)   # offending node ids, to highlight on the canvas
    severity: str = "warning"        # "info" | "warning" | "error"


@dataclass
class NanReport:
    node: str                        # first node whose output turned non-finite
    step: int
    message: str


@dataclass
class Snapshot:
    step: int
    epoch: float
    loss: float                                  # training loss of the last batch
    lr: float = 0.0
    train_loss: float | None = None              # full train-set loss, when evaluated
    test_loss: float | None = None
    metrics: dict = field(default_factory=dict)  # e.g. {"train_acc": .9, "test_acc": .85}
    activations: dict = field(default_factory=dict)   # node id -> ActivationStats
    gradients: dict = field(default_factory=dict)     # param name -> GradStats
    grad_norms: dict = field(default_factory=dict)    # param name -> L2 norm of its gradient
    #                      (always at hand: curves over time need every probe's; the full
    #                      GradStats may be computed only when read)
    weights: dict = field(default_factory=dict)       # param name -> array (small ones only)
    attention: dict = field(default_factory=dict)     # node id -> attention weights array
    moe: dict = field(default_factory=dict)           # node id -> {"gates": array, "load": array}
    recurrent: dict = field(default_factory=dict)     # RNN/LSTM/GRU node id -> {"h", "c" (LSTM):
    #                      (samples, time, hidden) states, "gates": {name: same shape},
    #                      "grad_norm": (time,) |dL/dh_t| of the probe step's batch (BPTT)}
    sequence: dict | None = None                      # for graphs with a recurrent node: the
    #                      first training samples' "input", "target" and "prediction"
    clipped: tuple | None = None                      # (total gradient norm before clipping,
    #                      clip_grad_norm) of this probe's step, in a run that clips
    trajectory_point: np.ndarray | None = None        # flattened parameters
    verdicts: list = field(default_factory=list)      # [Verdict]; probes between two
    #                      evaluations share one list (read-only), computed when first read
    nan: NanReport | None = None
    stopped: bool = False                             # training stopped (NaN or finished)
