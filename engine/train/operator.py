"""Views and metrics of neural operators (predicted vs true solution at two resolutions).

PDE data (engine.data.pde) carry the same samples on a grid of twice the points in
``dataset.fine``. A neural operator built from resolution-independent nodes (SpectralConv1d,
FNOBlock, kernel-1 Conv1d) is trained at one resolution and evaluated here at both, on the
test split: the error at the finer grid says whether it learned the map between functions
or only between vectors of one length.

The error of one sample is the relative L2 error ||prediction - truth|| / ||truth|| over its
grid (on a uniform grid the ratio does not depend on the number of points); the figure for
a split is its mean over the samples.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lessons.goals import metric
from .views import view

#: test samples drawn in the view
SHOWN = 3
#: test samples the errors are measured on, at most
MAX_SAMPLES = 256


def relative_l2(pred, true) -> np.ndarray:
    """(n,) ||pred_i - true_i|| / ||true_i|| per sample (all points and channels of each)."""
    pred = np.asarray(pred, dtype=np.float64).reshape(len(pred), -1)
    true = np.asarray(true, dtype=np.float64).reshape(len(true), -1)
    return np.linalg.norm(pred - true, axis=1) / np.maximum(np.linalg.norm(true, axis=1), 1e-12)


def _fine(dataset):
    return getattr(dataset, "fine", None)


def _predicted(session, x, y):
    """The prediction for ``x`` (host array), or None when the model cannot give one of
    ``y``'s shape there (a model tied to one grid size, evaluated on another)."""
    from ..graph.compile import NodeError  # noqa: PLC0415

    try:
        pred = np.asarray(session.predict(x), dtype=np.float64)
    except NodeError:   # a node failed on these data: e.g. a Linear over the flattened grid fed twice the points
        return None
    return pred if pred.shape == y.shape else None


@dataclass
class OperatorView:
    """Predicted against true solutions of the first test samples, at the training
    resolution and at twice it; arrays are (samples, points) of the first channel."""

    x: np.ndarray                   # (L,) the training grid on [0, 1)
    initial: np.ndarray             # (m, L) the inputs u(x, 0)
    true: np.ndarray                # (m, L) the solutions u(x, T)
    pred: np.ndarray                # (m, L) the model's predictions
    errors: np.ndarray              # (m,) relative L2 error of each shown sample
    error: float                    # mean relative L2 error over the test split
    x_fine: np.ndarray              # (2L,) the finer grid
    true_fine: np.ndarray           # (m, 2L)
    pred_fine: np.ndarray | None    # (m, 2L); None when the model cannot run on the finer grid
    errors_fine: np.ndarray | None  # (m,)
    error_fine: float               # NaN when the model cannot run on the finer grid
    n_test: int                     # samples the errors are measured on


def _first_channel(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)[:, 0, :]


@view("operator")
def operator_view(session, shown: int = SHOWN) -> OperatorView | None:
    """None unless the dataset is PDE data (has ``fine``) with a test split."""
    ds = session.dataset
    fine = _fine(ds)
    if fine is None or not len(ds.x_test):
        return None
    x, y = ds.x_test[:MAX_SAMPLES], ds.y_test[:MAX_SAMPLES]
    xf, yf = fine.x_test[:MAX_SAMPLES], fine.y_test[:MAX_SAMPLES]
    pred, pred_f = _predicted(session, x, y), _predicted(session, xf, yf)
    if pred is None:
        return None
    m = int(shown)
    err = relative_l2(pred, y)
    err_f = relative_l2(pred_f, yf) if pred_f is not None else None
    points = y.shape[-1]
    return OperatorView(
        x=np.arange(points) / points, initial=_first_channel(x[:m]), true=_first_channel(y[:m]),
        pred=_first_channel(pred[:m]), errors=err[:m], error=float(err.mean()),
        x_fine=np.arange(2 * points) / (2 * points), true_fine=_first_channel(yf[:m]),
        pred_fine=_first_channel(pred_f[:m]) if pred_f is not None else None,
        errors_fine=err_f[:m] if err_f is not None else None,
        error_fine=float(err_f.mean()) if err_f is not None else float("nan"), n_test=len(x))


def _test_error(session, data) -> float:
    if data is None or not len(data.x_test):
        return float("nan")
    y = data.y_test[:MAX_SAMPLES]
    pred = _predicted(session, data.x_test[:MAX_SAMPLES], y)
    return float(relative_l2(pred, y).mean()) if pred is not None else float("nan")


@metric("operator_error")
def operator_error(session, snapshot, arg):
    """Mean relative L2 error of the prediction on the test split, at the training
    resolution (0.05 = 5 %); NaN unless the data are PDE data (engine.data.pde)."""
    if _fine(session.dataset) is None:
        return float("nan")
    return _test_error(session, session.dataset)


@metric("operator_error_fine")
def operator_error_fine(session, snapshot, arg):
    """The same on the same test samples sampled at twice the resolution (the model
    trained at the first resolution); NaN when the model cannot run on the finer grid."""
    return _test_error(session, _fine(session.dataset))
