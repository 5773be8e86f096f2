"""Decision boundary of a 2-D dataset: the network's output as a heatmap, with the train
(filled) and test (outlined) points; a discretize option; the heatmaps of one hidden
node's neurons (hover the node on the canvas, or pick it); click to add points; new data.

The grid predictions are computed in the worker (``needs()`` asks for them) and the
per-neuron ones on request, so this panel only turns numbers into colours.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGraphicsItem, QPushButton

from ..editor import commands
from ..runner import GridSpec
from .base import CLASS_COLORS, DIVERGING, marker_size
from .views import ViewPanel

MAX_NEURONS = 8
GRID_N = 60


def signed_scale(values: np.ndarray, task: str, y_range=None) -> np.ndarray:
    """Map one output column to [-1, 1] for the diverging colour map.

    Probabilities (all in [0, 1]) map 0.5 to 0; values already in [-1, 1] (tanh,
    signed targets) stay; anything else is read as a logit, shown as 2*sigmoid - 1.
    Regression outputs are divided by the largest |target|.
    """
    v = np.nan_to_num(values, nan=0.0, posinf=1e3, neginf=-1e3)
    if task == "regression":
        top = max(float(np.max(np.abs(y_range))) if y_range is not None else 1.0, 1e-12)
        return np.clip(v / top, -1, 1)
    lo, hi = float(v.min(initial=0.0)), float(v.max(initial=0.0))
    if lo >= 0.0 and hi <= 1.0:
        return 2.0 * v - 1.0
    if lo >= -1.0 and hi <= 1.0:
        return v
    return np.tanh(0.5 * v)


def colorize(grid: np.ndarray, task: str, discrete: bool, y_range=None) -> np.ndarray:
    """(ny, nx, k) network outputs -> (ny, nx, 3) uint8 colours."""
    if grid.shape[-1] == 1:
        s = signed_scale(grid[..., 0], task, y_range)
        if discrete:
            s = np.sign(s)
        idx = np.clip(((s + 1.0) * 0.5 * (len(DIVERGING) - 1)).round(), 0, len(DIVERGING) - 1)
        return DIVERGING[idx.astype(np.intp)]
    # several class scores: the winning class's colour, faded by how sure the net is
    z = grid - grid.max(axis=-1, keepdims=True)
    p = np.exp(z) if (grid.min() < 0 or np.abs(grid.sum(-1) - 1).max() > 1e-3) else grid
    p = p / p.sum(-1, keepdims=True)
    winner = p.argmax(-1)
    conf = np.ones(winner.shape) if discrete else (p.max(-1) - 1.0 / p.shape[-1]) * p.shape[-1] / (p.shape[-1] - 1)
    palette = np.array([CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(p.shape[-1])], float)
    white = np.array([245.0, 245.0, 245.0])
    rgb = white + conf[..., None] * 0.8 * (palette[winner] - white)
    return rgb.astype(np.uint8)


def data_extent(dataset, pad=0.1):
    ext = getattr(dataset, "extent", None)
    if ext:
        return tuple(tuple(map(float, e)) for e in ext)
    x = dataset.x
    lo, hi = x.min(0), x.max(0)
    span = np.maximum(hi - lo, 1e-6) * pad
    return ((float(lo[0] - span[0]), float(hi[0] + span[0])),
            (float(lo[1] - span[1]), float(hi[1] + span[1])))


class BoundaryPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Decision boundary")
    name = "boundary"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if dataset.x_train.ndim == 2 and dataset.x_train.shape[1] == 2 else 0.0

    def made_for(self):
        return self.tr("The decision boundary is drawn for datasets with two input features "
                       "(points in a plane).")

    @property
    def body(self):
        return self.glw

    def build(self):
        self.discrete = QCheckBox(self.tr("discretize"))
        self.discrete.toggled.connect(lambda: self._redraw_image())
        self.header.addWidget(self.discrete)
        self.node_box = QComboBox()
        # item 0: the network's output, named unlike any node (a node may be called "output")
        self.node_box.addItem(self.tr("network output"))
        self.node_box.setToolTip(self.tr("Show the heatmaps of one node's neurons "
                                         "(or hover a node on the canvas)"))
        self.node_box.currentTextChanged.connect(self._on_node_box)
        self.header.addWidget(self.node_box)
        self.add_box = QComboBox()
        self.add_box.addItems([self.tr("click: nothing"), self.tr("click adds class 0"),
                               self.tr("click adds class 1")])
        self.add_box.setToolTip(self.tr("Click on the plot to add training points of a class"))
        self.header.addWidget(self.add_box)
        regen = QPushButton(self.tr("New data"))
        regen.setToolTip(self.tr("Draw a fresh sample of the same dataset (new seed)"))
        regen.clicked.connect(self.regenerate)
        self.header.addWidget(regen)

        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.note = self.add_note()
        self.plot = self.glw.addPlot(row=0, col=0, colspan=MAX_NEURONS)
        # no aspect lock: a locked square plot in a wide panel widens the x range and
        # leaves most of the panel empty; the heatmap fills the plot instead
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.8))
        self.test_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen((30, 30, 30), width=1.2))
        for points in (self.train_points, self.test_points):
            # the heatmap under the points changes at every frame, the points only with the
            # data: Qt keeps their pixels and blits them (painting 500 markers costs more)
            points.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            self.plot.addItem(points)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.neuron_label = self.glw.addLabel("", row=1, col=0, colspan=MAX_NEURONS)
        self.neuron_views, self.neuron_images = [], []
        for i in range(MAX_NEURONS):
            vb = self.glw.addViewBox(row=2, col=i, lockAspect=False, enableMouse=False)
            img = pg.ImageItem()
            vb.addItem(img)
            self.neuron_views.append(vb)
            self.neuron_images.append(img)
        self.glw.ci.layout.setRowStretchFactor(0, 6)
        self.glw.ci.layout.setRowStretchFactor(2, 1)
        self._set_neurons_visible(False)
        self.shown_node = None
        self.node_grid = None
        self._data_version = -1
        self._spec = None
        self._node_request_t = 0.0
        self._image_of = self._image_extent = None   # what the heatmap shows (see _redraw_image)
        self.runner.nodeOutputReady.connect(self._on_node_output)

    def apply_theme(self, recolour=None):
        if recolour:   # another colour scheme: the next refresh colours the heatmap anew
            self._image_of = None
        super().apply_theme(recolour)

    # ----- worker requests ----------------------------------------------------------
    def needs(self):
        ds = self.runner.dataset
        if ds is None or ds.x_train.ndim != 2 or ds.x_train.shape[1] != 2:
            return None
        self._spec = GridSpec(data_extent(ds), GRID_N, GRID_N)
        return {"grid": self._spec}

    def regenerate(self):
        """A fresh sample of the data: the document's data seed goes up by one (undoable)."""
        self._edit_data(commands.new_data_seed)

    def _edit_data(self, build):
        """An undoable edit of the document's dataset settings: the data live in the
        document (they survive edits, saves and reopening); the run follows it."""
        window = self.window_
        doc = getattr(window, "document", None)
        if doc is None:
            return
        try:
            command = build(doc)
        except ValueError as exc:   # not possible here: say why
            self.runner.message.emit(str(exc))
            return
        stack = getattr(window, "undo_stack", None)
        stack.push(command) if stack is not None else command.redo()

    def show_node(self, node_id):
        """Show ``node_id``'s neurons under the output heatmap (None: hide them)."""
        self.shown_node = node_id
        self.node_grid = None
        if node_id is None:
            self._set_neurons_visible(False)
            return
        self.neuron_label.setText(self.tr("neurons of {node}").format(node=node_id))
        self._request_node()

    def _request_node(self):
        if self.shown_node is not None and self._spec is not None:
            self._node_request_t = time.perf_counter()
            self.runner.request_node_output(self.shown_node, self._spec)

    def _on_node_box(self, text):
        # item 0 is the network's output (its text translated), the others node ids
        self.show_node(None if self.node_box.currentIndex() <= 0 else text)

    def _on_node_output(self, node_id, grid):
        if node_id != self.shown_node:
            return
        self.node_grid = grid
        self._set_neurons_visible(True)
        ds = self.runner.dataset
        rect = self._rect(ds)
        units = grid.shape[-1]
        for i, img in enumerate(self.neuron_images):
            if i < units:
                img.setImage(colorize(grid[..., i:i + 1], "classification", False))
                img.setRect(rect)
                self.neuron_views[i].setVisible(True)
            else:
                self.neuron_views[i].setVisible(False)
        more = (" " + self.tr("(first {n} of {units})").format(n=MAX_NEURONS, units=units)
                if units > MAX_NEURONS else "")
        self.neuron_label.setText(self.tr("neurons of {node}").format(node=node_id) + more)

    def _set_neurons_visible(self, on):
        # a hidden item still keeps its share of a QGraphicsGridLayout: collapse the row
        self.glw.ci.layout.setRowStretchFactor(2, 1 if on else 0)
        for vb in self.neuron_views:
            vb.setMaximumHeight(1e6 if on else 0)
            vb.setVisible(on)
        self.neuron_label.setVisible(on)
        self.neuron_label.setMaximumHeight(30 if on else 0)

    # ----- drawing --------------------------------------------------------------------
    def _rect(self, ds):
        (x0, x1), (y0, y1) = self._spec.extent if self._spec else data_extent(ds)
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def _redraw_image(self, force=True):
        r = self.runner
        if r.grid is None or r.dataset is None:
            return
        ds, discrete = r.dataset, self.discrete.isChecked()
        shown = self._image_of
        if not force and shown is not None and shown[0] is r.grid and shown[1] is ds and shown[2] == discrete:
            return   # a redraw without a new grid (they come at most 40 times a second)
        self._image_of = (r.grid, ds, discrete)
        self.image.setImage(colorize(r.grid, ds.task, discrete, ds.y_train if ds.task == "regression" else None),
                            autoLevels=False)
        (x0, x1), (y0, y1) = r.grid_spec.extent
        if self._image_extent != (x0, x1, y0, y1):   # (setRect repositions the item: only on change)
            self._image_extent = (x0, x1, y0, y1)
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def _redraw_points(self, ds):
        for item, x, y in ((self.train_points, ds.x_train, ds.y_train),
                           (self.test_points, ds.x_test, ds.y_test)):
            if ds.task == "classification":
                labels = np.asarray(y).reshape(len(y), -1)
                labels = labels.argmax(1) if labels.shape[1] > 1 else labels[:, 0]
                labels = (labels > 0).astype(int) if labels.min(initial=0) < 0 else labels.astype(int)
                brushes = [pg.mkBrush(*CLASS_COLORS[c % len(CLASS_COLORS)]) for c in range(
                    int(labels.max(initial=0)) + 1)]
                item.setData(x=x[:, 0], y=x[:, 1], brush=[brushes[c] for c in labels], size=marker_size(len(x)))
            else:
                s = np.clip(np.asarray(y).reshape(len(y), -1)[:, 0] /
                            max(float(np.abs(ds.y_train).max()), 1e-12), -1, 1)
                idx = ((s + 1) * 0.5 * (len(DIVERGING) - 1)).astype(int)
                item.setData(x=x[:, 0], y=x[:, 1], brush=[pg.mkBrush(*DIVERGING[i]) for i in idx],
                             size=marker_size(len(x)))
        self.show_extent(ds)
        self.update_needs()  # the grid follows the data's extent

    def show_extent(self, ds):
        """The view spans exactly the data's extent (the heatmap's rectangle)."""
        (x0, x1), (y0, y1) = data_extent(ds)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def refresh(self, runner):
        ds = runner.dataset
        if ds is None:
            return
        if self.explain_unsuited(ds):   # not two input features: says which view draws them
            return
        if runner.data_version != self._data_version:
            self._data_version = runner.data_version
            self._redraw_points(ds)
        if runner.snapshot is not None:
            self._sync_nodes(list(runner.snapshot.activations))
        self._redraw_image(force=False)
        if self.shown_node is not None and runner.running and (
                time.perf_counter() - self._node_request_t > 0.2):
            self._request_node()

    def _sync_nodes(self, names):
        current = [self.node_box.itemText(i) for i in range(1, self.node_box.count())]
        if names != current:
            keep = self.node_box.currentText() if self.node_box.currentIndex() > 0 else None
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.addItems([self.tr("network output")] + names)
            self.node_box.setCurrentIndex(names.index(keep) + 1 if keep in names else 0)
            self.node_box.blockSignals(False)
        if self.shown_node is not None and self.shown_node not in names:
            self.show_node(None)  # the node is gone (deleted, or a new document)

    def clear(self):
        self.node_grid = None
        self.image.clear()
        self._image_of = self._image_extent = None
        for points in (self.train_points, self.test_points):
            points.clear()
        for img in self.neuron_images:
            img.clear()
        self._data_version = -1  # the points are redrawn from the next run's data
        if self.runner.snapshot is None:  # a new document: its nodes are not the old ones
            self._sync_nodes([])

    # ----- adding points -----------------------------------------------------------
    def _on_click(self, event):
        mode = self.add_box.currentIndex()
        if mode == 0 or event.button() != Qt.LeftButton:
            return
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        self.add_point(p.x(), p.y(), mode - 1)

    def add_point(self, x, y, cls):
        """A training sample of class ``cls`` at (x, y), added to the document's data
        (``settings.dataset.points``; the session presents the class as its loss wants)."""
        self._edit_data(lambda doc: commands.add_data_points(doc, [[float(x), float(y), int(cls)]]))
