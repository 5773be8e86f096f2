"""Lesson-specific goal metrics, registered with ``@metric("name")`` (engine.lessons.goals).

A metric is ``fn(session, snapshot, arg) -> float``: ``session`` is the training Session,
``snapshot`` the Snapshot being judged, ``arg`` the text after ``name:`` in the goal (None
without). Return NaN when the value is not available at this snapshot (the point is then
skipped). Keep it cheap: the app's live checklist calls it in the training thread at every
probe. Declare ``arg="node"`` when ARG is a node id (the lesson check then verifies it),
``arg="output"`` when the metric evaluates that node's output on inputs alone.

    from .goals import metric

    @metric("rows_equal", arg="node")
    def rows_equal(session, snapshot, node_id):
        ...

Each metric here gets a test in tests/graph/test_lessons.py (or its lesson's tests) that
can fail.
"""
from __future__ import annotations

from .goals import metric  # noqa: F401 - used by the metrics appended below


#: statistics ``effective_lr:STAT`` takes over the weights' learning rates
_RATE_STATS = {"min": "min", "max": "max", "median": "median", "mean": "mean"}


@metric("effective_lr", arg="text")
def effective_lr(session, snapshot, stat):
    """A statistic (``min``, ``max``, ``median``, ``mean``) of each weight's current learning
    rate (Optimizer.learning_rates: SGD's lr, AdaGrad's decaying lr / sqrt(G), AIMD's own
    rates, ...), read from the optimizer now, so call it while the snapshot is the latest
    (the tracker does). NaN for optimizers whose steps have no rate (Rprop, Lion)."""
    import numpy  # noqa: PLC0415

    how = _RATE_STATS.get(stat)
    rates = session.optimizer.learning_rates() if how and hasattr(session.optimizer, "learning_rates") \
        else None
    if rates is None or not rates.size:
        return float("nan")
    return float(getattr(numpy, how)(rates))



def _node_tensors(session, snapshot, node_id) -> dict:
    """{"weight": array, "bias": array, ...} of the parameters ``node_id`` owns, as they were
    at ``snapshot`` (read from its flattened parameters; the current ones without)."""
    import numpy as np  # noqa: PLC0415

    from .. import backend  # noqa: PLC0415
    from .goals import node_params  # noqa: PLC0415

    mine, out, offset = set(node_params(session, node_id)), {}, 0
    point = snapshot.trajectory_point
    for name, p in zip(session.param_names, session.params):
        size = p.data.size
        if name in mine:
            flat = point[offset:offset + size] if point is not None else backend.to_numpy(p.data).reshape(-1)
            out[name.rsplit(".", 1)[-1]] = np.asarray(flat, dtype=np.float64).reshape(p.data.shape)
        offset += size
    return out


@metric("lstsq_error", arg="node")
def lstsq_error(session, snapshot, node_id):
    """How far a Linear node fed by the Input is from the least-squares solution of the
    training set (the closed form of linear regression): the largest relative difference
    |theta - theta*| / |theta*| over its weights and biases. 0.01 means every one of w and b
    is within 1 % of the closed form. NaN when the node does not map the inputs to the
    targets (other shapes) or the closed form has a zero entry."""
    import numpy as np  # noqa: PLC0415

    params = _node_tensors(session, snapshot, node_id)
    w, b = params.get("weight"), params.get("bias")
    x = np.asarray(session.dataset.x_train, dtype=np.float64)
    y = np.asarray(session.dataset.y_train, dtype=np.float64)
    if w is None or x.ndim != 2 or y.ndim != 2 or w.shape != (y.shape[1], x.shape[1]):
        return float("nan")
    design = np.hstack([x, np.ones((len(x), 1))]) if b is not None else x
    best = np.linalg.lstsq(design, y, rcond=None)[0].T          # (outputs, inputs [+ 1])
    found = np.hstack([w, b[:, None]]) if b is not None else w
    if not np.all(best):
        return float("nan")
    return float(np.max(np.abs(found - best) / np.abs(best)))


@metric("rows_equal", arg="node")
def rows_equal(session, snapshot, node_id):
    """1.0 when every unit (row) of the node's weight matrix, with its bias, equals the first
    unit's (to float precision: 1e-6 of the largest weight), else 0.0: the symmetry a
    constant initialisation never breaks (course notes 003, section 7.1.2, Oss. 4). NaN for a
    node without a weight matrix."""
    import numpy as np  # noqa: PLC0415

    params = _node_tensors(session, snapshot, node_id)
    w, b = params.get("weight"), params.get("bias")
    if w is None or w.ndim < 2:
        return float("nan")
    units = w.reshape(w.shape[0], -1)
    if b is not None and b.shape == (w.shape[0],):
        units = np.hstack([units, b[:, None]])
    tolerance = 1e-6 * max(float(np.abs(units).max()), 1e-30)
    return float(np.abs(units - units[0]).max() <= tolerance)


@metric("recall", arg="text")
def recall(session, snapshot, label):
    """Of the training samples of class ``label`` (an index), the fraction the network
    assigns to that class: on imbalanced data a network can score a high accuracy while it
    misses the rare class. Measured at evaluated snapshots (NaN between them, and for
    regression or a class with no samples)."""
    import numpy  # noqa: PLC0415

    if snapshot.train_loss is None or session.dataset.n_classes is None:
        return float("nan")
    try:
        c = int(label)
    except (TypeError, ValueError):
        return float("nan")
    truth = numpy.asarray(session.dataset.y_train).reshape(-1)
    mine = truth == c
    if not mine.any():
        return float("nan")
    predicted = session.predicted_class(session.predict(session.dataset.x_train[mine]))
    return float(numpy.mean(predicted == c))



@metric("test_loss_of", arg="output")
def test_loss_of(session, snapshot, node_id):
    """The test loss the lesson's cost would give with NODE's output as the prediction
    (evaluation mode): the error on data never trained on of a node the losses do not
    read, such as one member of an ensemble or the members' average. With several cost
    nodes, the first one's. Measured at evaluated snapshots only (NaN between them, and
    when NODE's output does not have the prediction's shape)."""
    from .. import backend  # noqa: PLC0415
    from ..autograd import _make, no_grad  # noqa: PLC0415

    program, x = session.program, session.dataset.x_test
    if snapshot.train_loss is None or not program.cost_nodes or not len(x):
        return float("nan")
    out = _output_of(session, node_id, x)
    if out is None or out.shape[1:] != session.predict(x[:1]).shape[1:]:
        return float("nan")
    cost = program.node_modules[program.cost_nodes[0]]
    with no_grad():
        value = cost(input=_make(backend.to_device(out, session.device), None),
                     target=_make(session.y_test, None))
    return float(backend.to_numpy(value.data))


@metric("attention_reversed", arg="node")
def attention_reversed(session, snapshot, node_id):
    """How much of NODE's attention goes where a reversal needs it: the attention weight
    that query position i gives to key position L-1-i (the anti-diagonal of the L x L map),
    averaged over positions, heads and samples. 1.0 = every output reads exactly its mirror
    input; 1/L = attention spread evenly. Read from the snapshot's attention weights (an
    attention node records them at probes); NaN where there are none or the map is not square."""
    import numpy as np  # noqa: PLC0415

    weights = snapshot.attention.get(node_id) if snapshot.attention else None
    if weights is None:
        return float("nan")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim < 2 or w.shape[-1] != w.shape[-2]:
        return float("nan")
    n = w.shape[-1]
    return float(w[..., np.arange(n), np.arange(n)[::-1]].mean())



#: samples activation_mean averages over (the paper's Figure 2 used 300 fixed test samples)
ACTIVATION_SAMPLES = 256


@metric("activation_mean", arg="output")
def activation_mean(session, snapshot, node_id):
    """The mean of NODE's output over the first ACTIVATION_SAMPLES test samples (training
    samples when there is no test set), in evaluation mode: for a sigmoid layer 0.5 in its
    linear middle, near 0 or 1 when saturated. Glorot & Bengio (2010), Figure 2, plot it
    for each hidden layer during training. Fixed samples, not the probed batch, so that the
    curve shows the network and not the batch. At evaluated snapshots only (NaN between)."""
    import numpy as np  # noqa: PLC0415

    if snapshot.train_loss is None:
        return float("nan")
    x = session.dataset.x_test if len(session.dataset.x_test) else session.dataset.x_train
    out = _output_of(session, node_id, x[:ACTIVATION_SAMPLES])
    return float("nan") if out is None else float(np.mean(out))


def _output_of(session, node_id, x):
    """NODE's output for inputs ``x`` (Session.node_output), or None where the compiled
    program has no such node (a module instance is expanded into its inside) or the
    target reaches it (the lesson check refuses those for ``arg="output"`` metrics)."""
    program = session.program
    if node_id not in program.flat.nodes or program.needs_target(node_id):
        return None
    return session.node_output(node_id, x)


@metric("output_size", arg="node")
def output_size(session, snapshot, node_id):
    """How many values NODE outputs per sample: the product of its output shape without the
    batch dimension (a Conv2d's C x H x W), from the compiled shapes. What stride, padding
    and pooling change (course notes 003, section 9). NaN for a node without a known shape."""
    import math as _math  # noqa: PLC0415

    program = session.program
    ports = program.out_ports(node_id) if node_id in program.node_modules else []
    shape = program.shapes.get((node_id, ports[0])) if ports else None
    if not shape or any(n is None for n in shape[1:]):
        return float("nan")
    return float(_math.prod(shape[1:]))


@metric("param_count", arg="node")
def param_count(session, snapshot, node_id):
    """How many learnable numbers NODE owns (weights and biases; a module instance's
    inside too): a 1x1 convolution's C_in x C_out + C_out, a 3x3 one's 9 times more weights."""
    from .goals import node_params  # noqa: PLC0415

    mine = set(node_params(session, node_id))
    return float(sum(int(p.data.size) for name, p in zip(session.param_names, session.params) if name in mine))


#: an expert "takes charge" of a part of the plane when the gate picks it with at least
#: EXPERT_SURE of its weight on at least EXPERT_SHARE of the plane (experts_used)
EXPERT_SHARE, EXPERT_SURE = 0.1, 0.6


@metric("experts_used", arg="node")
def experts_used(session, snapshot, node_id):
    """How many experts of the MixtureOfExperts NODE the gate clearly picks (weight >= 0.6)
    on at least a tenth of the input plane (a 40 x 40 grid over the data): 1 when one
    expert does all the work, more when the experts share the plane by region. NaN unless
    the data are 2-D points."""
    import numpy as np  # noqa: PLC0415

    from ..train.gatemap import gate_map  # noqa: PLC0415

    found = gate_map(session, node_id, n=40)
    if found is None:
        return float("nan")
    sure = found.weight >= EXPERT_SURE
    shares = np.bincount(found.expert[sure], minlength=found.n_experts) / found.expert.size
    return float((shares >= EXPERT_SHARE).sum())


# the later chapters' views and metrics register themselves on import
from ..train import adversarial, flow, graph_views, latent, operator  # noqa: E402,F401
