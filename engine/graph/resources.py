"""How much memory a graph needs to train, worked out from its settings and inferred shapes
without building it, and the limit it must stay under.

Every node type that stores tensors declares ``extra["weights"](params, in_shapes)``: how
many numbers its module holds; a block that computes more than its outputs declares
``extra["inner_activations"](params, in_shapes)``: the numbers it holds per sample inside.
Training keeps, per weight, the weight, its gradient and up to two optimizer buffers (Adam's
moments); per activation, the value and its gradient, for a batch, and the prediction over
the whole dataset when metrics are evaluated. The limit is
a share of the memory the machine has free now (``memory_limit``), so a file declaring a
40000 x 40000 Linear is refused in a second with a sentence instead of filling the memory.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy

from .. import backend

#: bytes per number (training runs in float32)
ITEM_BYTES = numpy.dtype(backend.DEFAULT_DTYPE).itemsize
#: numbers kept per weight while training: the weight, its gradient, two optimizer buffers
COPIES_PER_WEIGHT = 4
#: numbers kept per activation: the value and its gradient
COPIES_PER_ACTIVATION = 2
#: share of the free memory a model may take (the rest: Python, the app, the panels)
FREE_SHARE = 0.5
#: the limit when the free memory cannot be read
FALLBACK_LIMIT = 2 << 30
#: overrides the limit, in bytes (tests, or a machine the reading gets wrong)
LIMIT_ENV = "NNPG_MEMORY_LIMIT"


@dataclass(frozen=True)
class Estimate:
    weights: int            # numbers stored by the nodes' modules (tie groups once)
    activations: int        # numbers the node outputs hold for one pass over `rows` samples
    rows: int               # samples in the largest pass (a batch, or the whole dataset)
    biggest: tuple          # (node id, numbers it stores) of the node storing the most
    bytes: int              # the total while training

    def describe(self) -> str:
        return (f"{human(self.bytes)} ({human(self.weights * ITEM_BYTES)} of weights, "
                f"{human(self.activations * ITEM_BYTES)} of activations for {self.rows} samples)")


def human(n) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def _numel(shape, rows) -> int:
    """Entries of a tensor of ``shape``; the batch (the first None: sequences may put the
    time first) is ``rows``, other unknown sizes count as 1 (a lower bound)."""
    batch = next((i for i, d in enumerate(shape) if d is None), None)
    return math.prod(rows if i == batch else d for i, d in enumerate(shape) if d is not None
                     or i == batch)


def estimate(flat, order, shapes, in_shapes, rows) -> Estimate:
    """From compile's expanded graph: ``shapes`` {(node, port): shape} of every output,
    ``in_shapes`` {node: {port: shape}}, ``rows`` the largest number of samples in one pass."""
    weights, seen, biggest = 0, set(), (None, 0)
    activations = 0
    for nid in order:
        node = flat.nodes[nid]
        rule = node.node_type.extra.get("weights")
        if rule is not None and (node.tie is None or node.tie not in seen):
            seen.add(node.tie)
            try:
                n = int(rule(node.params, in_shapes.get(nid, {})))
            except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError):
                n = 0   # bad settings are the validator's to report
            weights += n
            if n > biggest[1]:
                biggest = (nid, n)
    for (nid, _port), shape in shapes.items():
        if flat.nodes[nid].type not in ("Input", "Target") and shape is not None:
            activations += _numel(shape, rows)
    for nid in order:   # what blocks hold inside (hidden layers, gates, attention weights)
        node = flat.nodes[nid]
        inner = node.node_type.extra.get("inner_activations")
        if inner is not None and nid in in_shapes:
            try:
                activations += rows * int(inner(node.params, in_shapes[nid]))
            except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError, IndexError):
                pass
    total = (COPIES_PER_WEIGHT * weights + COPIES_PER_ACTIVATION * activations) * ITEM_BYTES
    return Estimate(weights, activations, rows, biggest, total)


def available_bytes() -> int | None:
    """The memory the machine can give now (Linux MemAvailable, else free pages), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit() -> int:
    """The most bytes a model may need: a share of the free memory (or of this process's
    address-space limit, if lower); $NNPG_MEMORY_LIMIT overrides it."""
    forced = os.environ.get(LIMIT_ENV)
    if forced:
        try:
            return int(float(forced))
        except (ValueError, OverflowError):   # not a number, or "inf": the machine's limit
            pass
    free = available_bytes()
    limit = FALLBACK_LIMIT if free is None else int(free * FREE_SHARE)
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limit = min(limit, int(soft * FREE_SHARE))
    except (ImportError, ValueError, OSError):
        pass
    return limit


def too_big(est: Estimate, limit: int | None = None) -> str | None:
    """The one-line refusal when ``est`` is over the limit, else None."""
    limit = memory_limit() if limit is None else limit
    if est.bytes <= limit:
        return None
    node, n = est.biggest
    where = f"; node '{node}' alone stores {n:,} numbers" if node is not None and n else ""
    return (f"The model would need about {est.describe()}, more than the {human(limit)} this "
            f"computer can spare now{where}: make the layers smaller (or the batch, or the dataset).")
