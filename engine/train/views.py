"""The numbers behind the main views (1-D fit, images, predictions), computed from a Session.

    from engine.train import views
    fit = views.compute("fit", session)                     # a FitView of host arrays
    req = views.ViewRequest.of("images", sample=3, node="conv")
    shown = req.compute(session)                            # an ImageView

A view function takes the session and keyword options and returns a small dataclass of
host arrays, or None when the session's data do not suit it (the fit of a 2-D dataset).
It only evaluates the model (eval mode, no gradients): it never changes the weights,
the optimizer or the random state, so computing a view between training steps does not
change what training does. Register a new view with ``@view("name")``; a panel asks for
it by putting a ``ViewRequest`` in its ``needs()`` and the training worker computes it
(playground/runner.py), so panels only turn these numbers into pictures.

The kind of data (what decides which view fits) is read here too: ``input_kind``.
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

import numpy as np

from .. import backend
from ..data.base import CLASSIFICATION

#: points on the x axis of the 1-D fit
FIT_POINTS = 200
#: hidden units whose contributions are drawn at most (more would be a tangle)
MAX_UNITS = 32
#: the image view classifies at most this many samples of a split
MAX_IMAGE_SAMPLES = 512
#: the image view sends at most this many samples (misclassified first)
SHOWN_SAMPLES = 16
#: the predictions view evaluates at most this many samples
MAX_PREDICTIONS = 512

VIEWS: dict = {}
#: the modules that register views besides this one: imported before a view is looked
#: up, so that any process (a training process imports no panel) knows every view
VIEW_MODULES = ("adversarial", "flow", "graph_views", "latent", "operator")


def view(name: str):
    """Register ``fn(session, **options) -> dataclass or None`` as the view ``name``."""
    def register(fn):
        VIEWS[name] = fn
        return fn
    return register


@dataclass(frozen=True)
class ViewRequest:
    """A view to compute in the worker, with its options (hashable: a panel's ``needs()``
    compares equal while nothing changed)."""

    name: str
    options: tuple = ()

    @classmethod
    def of(cls, name: str, **options) -> "ViewRequest":
        return cls(name, tuple(sorted(options.items())))

    def compute(self, session):
        return compute(self.name, session, **dict(self.options))


def compute(name: str, session, **options):
    if name not in VIEWS:
        for module in VIEW_MODULES:
            importlib.import_module(f"{__package__}.{module}")
    return VIEWS[name](session, **options)


# ----- what kind of data -----------------------------------------------------------------
def image_shape(dataset) -> tuple | None:
    """(channels, height, width) when the inputs are images, else None. A flat layout of
    a square image (digits' ``layout: flat``) counts: its rows are pictures too."""
    shape = tuple(dataset.x_train.shape[1:])
    if len(shape) == 3:
        return shape
    if len(shape) == 1 and (getattr(dataset, "options", None) or {}).get("layout") == "flat":
        side = math.isqrt(shape[0])
        if side * side == shape[0] and side > 1:
            return (1, side, side)
    return None


def input_kind(dataset) -> str:
    """"plane" (two features), "line" (one feature), "image", "sequence" (N, T, F) or
    (N, T) token indices, "function" (functions sampled on a grid: engine.data.pde), or
    "other". A dataset class may declare its kind as the class attribute ``input_kind``."""
    declared = getattr(dataset, "input_kind", None)
    if isinstance(declared, str):
        return declared
    x = dataset.x_train
    if image_shape(dataset) is not None:
        return "image"
    if x.ndim == 2 and x.shape[1] == 2:
        return "plane"
    if x.ndim == 2 and x.shape[1] == 1:
        return "line"
    if x.ndim == 3 or (x.ndim == 2 and np.issubdtype(x.dtype, np.integer)):
        return "sequence"
    return "other"


def true_classes(y) -> np.ndarray:
    """Class indices from targets given as indices, a 0/1 or -1/+1 column, or one-hot rows."""
    y = np.asarray(y)
    if y.ndim == 1:
        return y.astype(np.int64)
    y = y.reshape(len(y), -1)
    if y.shape[1] > 1:
        return y.argmax(1)
    return (y[:, 0] > (0.0 if y.min(initial=0) < 0 else 0.5)).astype(np.int64)


def _evaluated_split(dataset, limit):
    """The test split (what the model has not trained on), or the training split when the
    dataset has no test samples; at most ``limit`` samples."""
    if len(dataset.x_test):
        return "test", dataset.x_test[:limit], dataset.y_test[:limit]
    return "train", dataset.x_train[:limit], dataset.y_train[:limit]


def _host(t) -> np.ndarray:
    return backend.to_numpy(t.data if hasattr(t, "data") else t)


# ----- 1-D fit -----------------------------------------------------------------------------
@dataclass
class FitView:
    """A model of one input drawn over x (``y[i]`` = the prediction at ``x[i]``)."""

    x: np.ndarray                  # (n,) grid over the data's x range
    y: np.ndarray                  # (n, k) the prediction on the grid
    x_train: np.ndarray            # (N,)
    y_train: np.ndarray            # (N, k') targets (class indices as one column)
    x_test: np.ndarray
    y_test: np.ndarray
    fitted: np.ndarray             # (N, k) the prediction at x_train: residual = y_train - fitted
    linear: bool = False           # a Linear layer straight on the input: the fit is a line
    unit_node: str | None = None   # the node whose units feed the output layer
    units: np.ndarray | None = None  # (n, H): output weight_j * unit_j(x)
    bias: float = 0.0              # the output layer's bias: units.sum(1) + bias == y[:, 0]
    slope: float | None = None     # a linear model's weight: y = slope * x + bias


@view("fit")
def fit_view(session, points: int = FIT_POINTS) -> FitView | None:
    """The prediction over x for a dataset with one input feature; the line and its
    residuals for a linear model; each hidden unit's contribution to the output when the
    output is a Linear layer over at most MAX_UNITS units (the universal-approximation
    picture: the output is the sum of these curves plus the bias)."""
    ds = session.dataset
    if input_kind(ds) != "line":
        return None
    xs = np.concatenate([ds.x_train[:, 0], ds.x_test[:, 0]])
    lo, hi = float(xs.min(initial=-1.0)), float(xs.max(initial=1.0))
    pad = max(hi - lo, 1e-6) * 0.05
    x = np.linspace(lo - pad, hi + pad, int(points)).astype(ds.x_train.dtype)
    y = _column(session.predict(x[:, None]))

    def targets(t):
        return true_classes(t)[:, None].astype(np.float64) if ds.task == CLASSIFICATION else \
            np.asarray(t, dtype=np.float64).reshape(len(t), -1)

    out = FitView(x=x.astype(np.float64), y=y, x_train=ds.x_train[:, 0].astype(np.float64),
                  y_train=targets(ds.y_train), x_test=ds.x_test[:, 0].astype(np.float64),
                  y_test=targets(ds.y_test), fitted=_column(session.predict(ds.x_train)))
    layer = _output_layer(session.program)
    if layer is not None:
        node, module, source = layer
        weight = _host(module.weight)[0].astype(np.float64)
        out.bias = float(_host(module.bias)[0]) if module.bias is not None else 0.0
        if session.program.flat.nodes[source].type == "Input":
            out.linear, out.slope = True, float(weight[0])
        elif len(weight) <= MAX_UNITS:
            out.unit_node = source
            out.units = _column(session.node_output(source, x[:, None])) * weight
    return out


def _column(pred) -> np.ndarray:
    pred = np.asarray(pred, dtype=np.float64)
    return pred.reshape(len(pred), -1)


def _output_layer(program):
    """(node, Linear module, the node feeding it) when the prediction is a Linear layer's
    output with one output feature, else None."""
    from ..nn.layers import Linear  # noqa: PLC0415

    node = program.prediction_node
    module = program.node_modules.get(node)
    if not isinstance(module, Linear) or module.weight.shape[0] != 1:
        return None
    sources = [e.src for e in program.flat.edges if e.dst == node and e.dst_port == "input"]
    if len(sources) != 1:
        return None
    return node, module, sources[0]


# ----- images ------------------------------------------------------------------------------
@dataclass
class ImageView:
    """Classified images, misclassified first; the first convolution's filters; the
    feature maps of one sample at one node."""

    split: str                       # "test" or "train": where the samples come from
    images: np.ndarray               # (m, C, H, W) the shown samples
    index: np.ndarray                # (m,) their indices in the split
    true: np.ndarray                 # (m,) class indices
    guess: np.ndarray                # (m,) predicted classes
    n_wrong: int                     # misclassified among the n_seen evaluated
    n_seen: int
    filter_node: str | None = None   # the first Conv2d
    filters: np.ndarray | None = None  # (out, in, kh, kw) its weights
    map_nodes: list = field(default_factory=list)  # nodes whose output is (C, H, W) per sample
    maps_node: str | None = None
    sample: int = 0                  # index in the split of the sample the maps are of
    maps: np.ndarray | None = None   # (C, h, w) that node's output for that sample


@view("images")
def image_view(session, sample: int | None = None, node: str | None = None,
               shown: int = SHOWN_SAMPLES) -> ImageView | None:
    """``sample``: index in the split for the feature maps (default: the first shown, a
    misclassified one when there is one); ``node``: whose feature maps (default: the
    first node with per-channel image outputs)."""
    ds = session.dataset
    shape = image_shape(ds)
    if shape is None or not session.classifies:
        return None
    split, x, y = _evaluated_split(ds, MAX_IMAGE_SAMPLES)
    guess = session.predicted_class(session.predict(x))
    true = true_classes(y)
    wrong = guess != true
    order = np.concatenate([np.flatnonzero(wrong), np.flatnonzero(~wrong)])[:int(shown)]
    out = ImageView(split=split, images=np.asarray(x[order], dtype=np.float64).reshape(-1, *shape),
                    index=order, true=true[order], guess=guess[order],
                    n_wrong=int(wrong.sum()), n_seen=len(x))
    program = session.program
    for nid in program.order:
        if program.flat.nodes[nid].type == "Conv2d" and out.filter_node is None:
            out.filter_node = nid
            out.filters = _host(program.node_modules[nid].weight).astype(np.float64)
        if _is_feature_map(program, nid):
            out.map_nodes.append(nid)
    out.maps_node = node if node in out.map_nodes else (out.map_nodes[0] if out.map_nodes else None)
    if len(x):
        out.sample = int(sample) if sample is not None and 0 <= int(sample) < len(x) else int(order[0])
        if out.maps_node is not None:
            maps = session.node_output(out.maps_node, x[out.sample:out.sample + 1])
            out.maps = np.asarray(maps, dtype=np.float64)[0]
    return out


def _is_feature_map(program, nid) -> bool:
    """A computed node whose output is (batch, channels, height, width): a feature map."""
    from ..graph import registry as reg  # noqa: PLC0415

    node = program.flat.nodes[nid]
    if node.node_type.category in (reg.OBSERVED, reg.PARAMETER, reg.COST):
        return False
    shape = program.shapes.get((nid, program.out_ports(nid)[0]))
    return shape is not None and len(shape) == 4 and not program.needs_target(nid)


# ----- predictions vs targets (any data) --------------------------------------------------
@dataclass
class PredictionView:
    """Predictions against targets on the evaluated split."""

    split: str
    task: str
    n: int
    # regression: one point per (sample, output column)
    target: np.ndarray | None = None      # (n, k)
    prediction: np.ndarray | None = None  # (n, k)
    r2: float | None = None               # coefficient of determination over all columns
    # classification
    true: np.ndarray | None = None        # (n,) class indices
    guess: np.ndarray | None = None       # (n,)
    class_names: tuple = ()
    per_class: np.ndarray | None = None   # (k,) fraction of each true class predicted right (NaN: none)
    counts: np.ndarray | None = None      # (k,) samples of each true class
    accuracy: float | None = None


@view("predictions")
def prediction_view(session, limit: int = MAX_PREDICTIONS) -> PredictionView | None:
    ds = session.dataset
    split, x, y = _evaluated_split(ds, limit)
    if not len(x) or (ds.task == CLASSIFICATION and not session.classifies):
        return None   # labels that no Target takes (an autoencoder): nothing predicts them
    pred = np.asarray(session.predict(x), dtype=np.float64)
    out = PredictionView(split=split, task=ds.task, n=len(x))
    if ds.task == CLASSIFICATION:
        k = int(ds.n_classes or 2)
        out.true, out.guess = true_classes(y), session.predicted_class(pred)
        if y.ndim == 1 and (y < 0).any():   # unlabelled samples (a graph's other nodes): not counted
            out.true, out.guess = out.true[y >= 0], out.guess[y >= 0]
            out.n = len(out.true)
        out.class_names = tuple(ds.class_names or (str(i) for i in range(k)))
        out.counts = np.bincount(out.true, minlength=k)[:k]
        right = np.bincount(out.true, weights=(out.true == out.guess), minlength=k)[:k]
        with np.errstate(invalid="ignore", divide="ignore"):
            out.per_class = np.where(out.counts > 0, right / np.maximum(out.counts, 1), np.nan)
        out.accuracy = float(np.mean(out.true == out.guess))
        return out
    target = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    out.target, out.prediction = target, pred.reshape(len(pred), -1)
    if out.prediction.shape == target.shape:
        spread = float(((target - target.mean(0)) ** 2).sum())
        out.r2 = 1.0 - float(((target - out.prediction) ** 2).sum()) / spread if spread > 0 else None
    return out


# the later chapters' views register themselves on import
from . import adversarial, flow, graph_views, latent, operator  # noqa: E402,F401
