"""Views and metrics of autoencoders and VAEs (latent space, reconstructions).

An *autoencoder* here is a graph whose cost compares a reconstruction with the input
itself: a cost node's ``target`` is fed by the Input (or something computed from it) and
there is no Target node, so it needs no labels. A *VAE* has a ``Reparameterize`` node (or
a ``KLNormal`` cost): its latent means are the ``mu`` input of the Reparameterize node,
and its decoder is everything from the Reparameterize output to the reconstruction.

    parts = autoencoder_parts(session.program)     # where the reconstruction and latent are
    shown = views.compute("latent", session)       # a LatentView of host arrays
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lessons.goals import evaluated, metric
from .views import _evaluated_split, image_shape, true_classes, view


def _evaluate(session, feeds, wanted) -> list:
    """Session.evaluate_outputs as float64 host arrays."""
    return [np.asarray(v, dtype=np.float64) for v in session.evaluate_outputs(feeds, wanted)]


#: the node types that make a graph a VAE
VAE_TYPES = ("Reparameterize", "KLNormal")
#: costs that take raw scores: their reconstruction is shown through a sigmoid
_LOGIT_COSTS = ("BCEWithLogitsLoss",)
#: originals and reconstructions the view sends
SHOWN_PAIRS = 8
#: the latent plane's scatter holds at most this many test samples
MAX_LATENT_POINTS = 500
#: decoded images along each side of the latent grid
GRID_SIDE = 8
#: neighbours that vote in the k-NN accuracy of the latent means
KNN_K = 5


# ----- what kind of model ---------------------------------------------------------------------
def autoencoder_kind(graph) -> str | None:
    """"vae", "ae" or None from a graph's structure alone (a document Graph or compile's
    FlatGraph): what the latent view and panel choose by. An autoencoder has no Target
    node and a cost whose ``target`` port is fed by an Input node (its target is its input;
    a flow-matching cost's target is a velocity computed from the input and noise)."""
    types = {n.type for n in graph.nodes.values()}
    if types & set(VAE_TYPES):
        return "vae"
    if "Target" in types:
        return None
    from ..graph import registry  # noqa: PLC0415 - the registry imports engine.nn lazily

    costs = {nid for nid, n in graph.nodes.items()
             if (nt := registry.get(n.type)) is not None and nt.category == registry.COST}
    return "ae" if any(e.dst in costs and e.dst_port == "target" and graph.nodes[e.src].type == "Input"
                       for e in graph.edges) else None


@dataclass(frozen=True)
class AutoencoderParts:
    kind: str                      # "ae" or "vae"
    recon: tuple                   # (node, port) of the reconstruction
    recon_cost: str                # the cost node comparing it with the input
    latent: tuple | None = None    # (node, port) of the latent means (mu)
    code: tuple | None = None      # (node, port) the decoder starts from (Reparameterize out)


def autoencoder_parts(program) -> AutoencoderParts | None:
    """Where a compiled autoencoder's reconstruction (and a VAE's latent means and code)
    are, or None when the program is not an autoencoder."""
    kind = autoencoder_kind(program.flat)
    if kind is None or program.prediction_ref is None:
        return None
    nodes, edges = program.flat.nodes, program.flat.edges
    recon_cost = next((e.dst for e in edges if (e.src, e.src_port) == program.prediction_ref
                       and nodes[e.dst].node_type.category == "cost"), None)
    target_src = next((e.src for e in edges if e.dst == recon_cost and e.dst_port == "target"), None)
    if recon_cost is None or target_src is None or program.needs_target(target_src):
        return None   # a VAE on labels (no reconstruction of its input) is not one
    latent = code = None
    for nid in program.order:
        if nodes[nid].type == "Reparameterize":
            latent = next(((e.src, e.src_port) for e in edges if e.dst == nid and e.dst_port == "mu"), None)
            code = (nid, "out")
            break
    return AutoencoderParts(kind, tuple(program.prediction_ref), recon_cost, latent, code)


def _input_ref(program):
    return next((nid, "out") for nid in program.order if program.flat.nodes[nid].type == "Input")


def _shown(program, parts, recon):
    """The reconstruction in pixel values (a logit cost's scores through a sigmoid)."""
    if program.flat.nodes[parts.recon_cost].type in _LOGIT_COSTS:
        return 1.0 / (1.0 + np.exp(-recon))
    return recon


def reconstructions(session, x):
    """(reconstruction in pixel values, latent means or None) of host inputs ``x``."""
    prog = session.program
    parts = autoencoder_parts(prog)
    wanted = [parts.recon] + ([parts.latent] if parts.latent else [])
    out = _evaluate(session, {_input_ref(prog): x}, wanted)
    return _shown(prog, parts, out[0]), (out[1] if parts.latent else None)


# ----- the view -------------------------------------------------------------------------------
@dataclass
class LatentView:
    """An autoencoder on images: originals beside their reconstructions; for a VAE with a
    2-D latent, the test samples' means coloured by class and images decoded on a grid."""

    kind: str                          # "ae" or "vae"
    split: str                         # where the samples come from ("test" or "train")
    originals: np.ndarray              # (m, C, H, W)
    reconstructions: np.ndarray        # (m, C, H, W)
    error: float                       # mean squared reconstruction error over the split
    baseline: float                    # the same error of the mean training image
    latent_node: str | None = None     # the node giving the latent means
    latent: np.ndarray | None = None   # (n, 2) means of the split's samples
    labels: np.ndarray | None = None   # (n,) their classes (None: the data have none)
    class_names: tuple = ()
    extent: tuple | None = None        # (x0, x1, y0, y1) of the decoded grid
    grid: np.ndarray | None = None     # (side, side, C, H, W); grid[i, j] at row i (y, top = high), column j (x)


def reconstruction_errors(session, x):
    """(model's mean squared reconstruction error on ``x``, that of the mean training image)."""
    recon, _ = reconstructions(session, x)
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    mean = np.asarray(session.dataset.x_train, dtype=np.float64).reshape(len(session.dataset.x_train), -1).mean(0)
    return float(((recon.reshape(len(x), -1) - flat) ** 2).mean()), float(((flat - mean) ** 2).mean())


@view("latent")
def latent_view(session, shown: int = SHOWN_PAIRS, side: int = GRID_SIDE) -> LatentView | None:
    ds = session.dataset
    shape = image_shape(ds)
    parts = autoencoder_parts(session.program)
    if shape is None or parts is None:
        return None
    split, x, y = _evaluated_split(ds, MAX_LATENT_POINTS)
    if not len(x):
        return None
    recon, mu = reconstructions(session, x)
    if recon.size != x.size:   # the reconstruction is not an image of the input's shape
        return None
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    mean = np.asarray(ds.x_train, dtype=np.float64).reshape(len(ds.x_train), -1).mean(0)
    out = LatentView(kind=parts.kind, split=split,
                     originals=flat[:shown].reshape(-1, *shape),
                     reconstructions=recon[:shown].reshape(-1, *shape),
                     error=float(((recon.reshape(len(x), -1) - flat) ** 2).mean()),
                     baseline=float(((flat - mean) ** 2).mean()))
    if mu is None or mu.ndim != 2 or mu.shape[1] != 2:
        return out
    out.latent_node, out.latent = parts.latent[0], mu
    if ds.task == "classification":
        out.labels = true_classes(y)
        out.class_names = tuple(ds.class_names or ())
    lo, hi = np.percentile(mu, 1, axis=0), np.percentile(mu, 99, axis=0)
    pad = np.maximum(hi - lo, 1e-3) * 0.05
    lo, hi = lo - pad, hi + pad
    gx, gy = np.linspace(lo[0], hi[0], side), np.linspace(hi[1], lo[1], side)
    z = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)
    decoded = _evaluate(session, {parts.code: z}, [parts.recon])[0]
    out.grid = _shown(session.program, parts, decoded).reshape(side, side, *shape)
    out.extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    return out


# ----- metrics --------------------------------------------------------------------------------
# Each runs the model over a whole split, so only at the snapshots that measured the full-set
# losses (goals.evaluated); NaN at the others and for graphs they do not apply to.
def _test_inputs(session, snapshot):
    """The test images (the training ones without a test split), or None when the metric
    should not be measured at ``snapshot``."""
    if not evaluated(snapshot) or autoencoder_parts(session.program) is None:
        return None
    return _evaluated_split(session.dataset, len(session.dataset.x_test) or len(session.dataset.x_train))[1]


@metric("reconstruction_mse")
def reconstruction_mse(session, snapshot, arg):
    """Mean squared error of the reconstruction of the test images (NaN: not an autoencoder)."""
    x = _test_inputs(session, snapshot)
    return float("nan") if x is None else reconstruction_errors(session, x)[0]


@metric("reconstruction_vs_mean")
def reconstruction_vs_mean(session, snapshot, arg):
    """The test reconstruction error as a fraction of the error of always answering the mean
    training image (1: no better than that baseline, 0: perfect)."""
    x = _test_inputs(session, snapshot)
    if x is None:
        return float("nan")
    error, baseline = reconstruction_errors(session, x)
    return error / baseline if baseline > 0 else float("nan")


def knn_accuracy(train_codes, train_labels, codes, labels, k=KNN_K) -> float:
    """Fraction of ``codes`` whose class is the majority class of their ``k`` nearest
    ``train_codes`` (Euclidean; ties go to the smaller class index)."""
    d = (codes ** 2).sum(1)[:, None] - 2 * codes @ train_codes.T + (train_codes ** 2).sum(1)[None, :]
    k = min(k, len(train_codes))
    near = np.argpartition(d, k - 1, axis=1)[:, :k]
    n_classes = int(max(train_labels.max(), labels.max())) + 1
    counts = np.zeros((len(codes), n_classes), dtype=np.int64)
    np.add.at(counts, (np.arange(len(codes))[:, None], train_labels[near]), 1)
    return float((counts.argmax(1) == labels).mean())


@metric("latent_knn_acc")
def latent_knn_acc(session, snapshot, arg):
    """How well a VAE's latent means separate the classes: the accuracy of a 5-nearest-
    neighbour vote from the training samples' means, on the test samples' means (chance is
    1 / classes). NaN without a Reparameterize node or class labels."""
    ds = session.dataset
    parts = autoencoder_parts(session.program)
    if (not evaluated(snapshot) or parts is None or parts.latent is None or ds.task != "classification"
            or not len(ds.x_test)):
        return float("nan")
    prog = session.program
    codes = [_evaluate(session, {_input_ref(prog): x}, [parts.latent])[0] for x in (ds.x_train, ds.x_test)]
    codes = [c.reshape(len(c), -1) for c in codes]
    return knn_accuracy(codes[0], true_classes(ds.y_train), codes[1], true_classes(ds.y_test))
