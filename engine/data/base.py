"""The Dataset object every loader returns, the train/test split and target conversions.

All arrays are host NumPy arrays: features float32, class labels int64 class indices
(0..n_classes-1), regression targets float32 of shape (N, k). The training code moves
them to a device (see :class:`engine.data.loader.DataLoader`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import UserError
from ..i18n import _

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)

#: How class labels can be presented to a loss (see :func:`class_targets`).
TARGET_KINDS = ("index", "float", "signed", "onehot")


class DataError(UserError, ValueError):
    """Bad user data; the message is one line naming the file and the place in it."""


@dataclass
class Dataset:
    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    #: number of classes (None for regression)
    n_classes: int | None = None
    description: str = ""
    #: the options it was built with (after defaults were filled in)
    options: dict = field(default_factory=dict)
    #: ((xmin, xmax), (ymin, ymax)) of the plane a 2-D point set lives in, for plots
    extent: tuple | None = None
    #: readable class names (e.g. the original labels of a CSV file), index = class
    class_names: tuple | None = None
    #: the character vocabulary of text datasets (a CharVocab), else None
    vocab: object = None
    #: the graph of graph datasets (an engine.data.graphs.GraphData: each sample is one of
    #: its nodes, in order, and the whole graph is one batch), else None
    graph: object = None

    @property
    def input_shape(self) -> tuple:
        """Shape of one sample, without the batch dimension."""
        return tuple(self.x_train.shape[1:])

    @property
    def target_shape(self) -> tuple:
        return tuple(self.y_train.shape[1:])

    @property
    def x(self) -> np.ndarray:
        """All samples, train then test."""
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    def shapes(self) -> dict:
        """Shapes with a leading None batch dimension, as graph validation wants them."""
        return {"x": (None, *self.input_shape), "y": (None, *self.target_shape)}

    def shape_info(self) -> dict:
        """``shapes()`` with the task and the class count: all that compiling and checking
        a graph assume about its data (``dataset_shapes`` in engine.graph)."""
        return {**self.shapes(), "task": self.task, "n_classes": self.n_classes,
                "samples": max(len(self.x_train), len(self.x_test))}

    def with_targets(self, kind: str) -> "Dataset":
        """The same data with class labels presented as ``kind`` (see :func:`class_targets`)."""
        if self.task != CLASSIFICATION:
            raise ValueError(f"dataset '{self.name}' is a regression set; its targets are already numbers")
        return replace(self, y_train=class_targets(self.y_train, kind, self.n_classes),
                       y_test=class_targets(self.y_test, kind, self.n_classes))

    def with_points(self, points) -> "Dataset":
        """The same data with samples a user placed (clicked on the decision-boundary
        plot) added to the training split. ``points``: rows ``[x1, ..., xd, label]``,
        the label a class index (classification) or the target values (regression).
        A row that does not fit raises DataError naming it, e.g. ``points[2]: ...``."""
        if not isinstance(points, (list, tuple)):
            raise DataError(_("points must be a list of rows [x1, x2, ..., label]"))
        if not points:
            return self
        if self.x_train.ndim != 2:
            raise DataError(_("points: samples of dataset '{name}' have the shape {shape}; points can "
                              "be added to datasets of plain feature vectors only").format(
                name=self.name, shape=self.input_shape))
        d = self.x_train.shape[1]
        classes = self.task == CLASSIFICATION
        k = 1 if classes or self.y_train.ndim == 1 else self.y_train.shape[1]
        xs, ys = [], []
        for i, row in enumerate(points):
            numbers = isinstance(row, (list, tuple)) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
            if not numbers or len(row) != d + k:
                raise DataError((_("points[{i}] must be {n} numbers: {d} inputs and the class") if classes
                                 else _("points[{i}] must be {n} numbers: {d} inputs and {k} target values"))
                                .format(i=i, n=d + k, d=d, k=k))
            if not all(math.isfinite(v) for v in row):
                raise DataError(_("points[{i}] holds a number that is not finite").format(i=i))
            label = row[d:]
            if classes and (label[0] != int(label[0]) or not 0 <= label[0] < (self.n_classes or 2)):
                raise DataError(_("points[{i}]: the class must be a whole number from 0 to {last}").format(
                    i=i, last=(self.n_classes or 2) - 1))
            xs.append(row[:d])
            ys.append(int(label[0]) if classes else label)
        x = np.asarray(xs, dtype=self.x_train.dtype)
        y = np.asarray(ys, dtype=self.y_train.dtype).reshape(len(ys), *self.y_train.shape[1:])
        return replace(self, x_train=np.concatenate([self.x_train, x]),
                       y_train=np.concatenate([self.y_train, y]))

    def info(self) -> str:
        """A one-paragraph summary for the training panel and the command line."""
        n_tr, n_te = len(self.x_train), len(self.x_test)
        if self.graph is not None:   # one graph: its nodes are labelled in one split or the other
            n_tr, n_te = int((self.y_train >= 0).sum()), int((self.y_test >= 0).sum())
        what = (f"{self.n_classes} classes" if self.task == CLASSIFICATION
                else f"target shape {self.target_shape}")
        head = (f"{self.name}: {self.task}, {n_tr + n_te} samples ({n_tr} train / {n_te} test), "
                f"input shape {self.input_shape}, {what}")
        return f"{head}. {self.description}" if self.description else head

    def __str__(self):
        return self.info()


def class_targets(labels, kind: str = "index", n_classes: int | None = None) -> np.ndarray:
    """Class indices presented for a given loss.

    - ``"index"``: int64 (N,) class indices, for CrossEntropyLoss / NLLLoss;
    - ``"float"``: float32 (N, 1) 0.0/1.0, for BCELoss / BCEWithLogitsLoss / MSELoss (2 classes);
    - ``"signed"``: float32 (N, 1) -1.0/+1.0, for the perceptron, hinge losses, MSE on tanh;
    - ``"onehot"``: float32 (N, n_classes), for MSELoss on a softmax.
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    labels = labels.astype(np.int64)
    if kind == "index":
        return labels
    if kind in ("float", "signed"):
        if labels.size and labels.max() > 1:
            raise ValueError(f"'{kind}' targets need 2 classes, found a label {labels.max()}")
        out = labels.astype(np.float32)[:, None]
        return out if kind == "float" else 2.0 * out - 1.0
    if kind == "onehot":
        k = int(n_classes if n_classes is not None else labels.max() + 1)
        return np.eye(k, dtype=np.float32)[labels]
    raise ValueError(f"unknown target kind {kind!r}: use one of {', '.join(TARGET_KINDS)}")


def split(x, y, test_fraction: float, rng, shuffle: bool = True):
    """Shuffle, then the first floor(N * (1 - test_fraction)) samples train, the rest test.

    This is TensorFlow Playground's split (its "ratio of training to test data" is
    100 * (1 - test_fraction) percent).
    """
    n = len(x)
    if shuffle:
        order = rng.permutation(n)
        x, y = x[order], y[order]
    n_train = int(np.floor(n * (1.0 - test_fraction) + 1e-9))
    n_train = min(max(n_train, 1), n - 1) if n > 1 else n
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def make(name, task, x, y, *, test_fraction, rng, n_classes=None, x_dtype=np.float32,
         **fields) -> Dataset:
    """Cast to the documented dtypes, split, and wrap in a Dataset."""
    x = np.ascontiguousarray(x, dtype=x_dtype)
    y = np.ascontiguousarray(y, dtype=np.int64 if task == CLASSIFICATION else np.float32)
    if task == REGRESSION and y.ndim == 1:
        y = y[:, None]
    x_tr, y_tr, x_te, y_te = split(x, y, test_fraction, rng)
    return Dataset(name, task, x_tr, y_tr, x_te, y_te, n_classes=n_classes, **fields)
