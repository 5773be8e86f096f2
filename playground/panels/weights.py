"""Weights: every (small) weight matrix as a heatmap, orange negative and blue positive;
optionally, on the canvas, the edges into a layer take the colour of its weights' sign
and a width that follows their size (for layers small enough, like TF Playground)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox

from .base import DIVERGING, NEG, POS, Panel, node_item

#: layers with at most this many weights get their edges styled on the canvas
EDGE_STYLE_MAX = 64
COLS = 4


def as_matrix(w) -> np.ndarray:
    """A weight tensor as a 2-D image: vectors become a row, conv kernels (out, in*k*k)."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 0:
        return w.reshape(1, 1)
    if w.ndim == 1:
        return w.reshape(1, -1)
    return w.reshape(w.shape[0], -1)


def set_edge_style(edge_item, qcolor, width):
    """Restyle a canvas edge only when it visibly changes (each change repaints the canvas)."""
    key = None if qcolor is None else (qcolor.rgb(), round(float(width), 1))
    if getattr(edge_item, "_panel_style", "unset") != key:
        edge_item._panel_style = key
        edge_item.set_style(qcolor, width)


def owner_node(snap, param: str) -> str:
    g = snap.gradients.get(param)
    return g.node if g is not None else param.rsplit(".", 1)[0]


def edge_styles(snap, max_size: int = EDGE_STYLE_MAX) -> dict:
    """node id -> (QColor, width) from its weights: sign of the mean, size of the RMS."""
    per_node = {}
    for name, w in snap.weights.items():
        if name.endswith("bias"):
            continue
        w = np.asarray(w, dtype=float)
        if w.size == 0 or w.size > max_size:
            continue
        node = owner_node(snap, name)
        mean, rms = float(w.mean()), float(np.sqrt((w * w).mean()))
        per_node[node] = (mean, rms)
    if not per_node:
        return {}
    top = max(r for _, r in per_node.values()) or 1.0
    out = {}
    for node, (mean, rms) in per_node.items():
        agree = min(abs(mean) / (rms or 1.0), 1.0)  # 1 when all weights share one sign
        base = np.array(POS if mean >= 0 else NEG, float)
        grey = np.array((170.0, 170.0, 170.0))
        rgb = grey + agree * (base - grey)
        out[node] = (QColor(*rgb.astype(int)), 1.0 + 6.0 * rms / top)
    return out


class WeightsPanel(Panel):
    title = "Weights"
    name = "weights"

    def build(self):
        self.canvas_box = QCheckBox("style canvas edges")
        self.canvas_box.setToolTip("Edges into small layers take the sign (colour) and size "
                                   "(width) of the layer's weights")
        self.canvas_box.setChecked(True)
        self.canvas_box.toggled.connect(self._on_canvas_toggled)
        self.header.addWidget(self.canvas_box)
        self.bias_box = QCheckBox("biases")
        self.bias_box.toggled.connect(lambda _: self.refresh(self.runner))
        self.header.addWidget(self.bias_box)
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.images = {}
        self.layout_key = None
        self.styled_nodes = set()

    def shown_weights(self, snap) -> dict:
        keep = self.bias_box.isChecked()
        return {n: w for n, w in snap.weights.items() if keep or not n.endswith("bias")}

    def _relayout(self, weights):
        self.glw.clear()
        self.images = {}
        for i, (name, w) in enumerate(weights.items()):
            m = as_matrix(w)
            plot = self.glw.addPlot(row=i // COLS, col=i % COLS, title=f"{name} {tuple(np.shape(w))}")
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.invertY(True)
            plot.getAxis("left").setStyle(showValues=m.shape[0] <= 32)
            plot.getAxis("bottom").setStyle(showValues=m.shape[1] <= 32)
            img = pg.ImageItem()
            img.setLookupTable(DIVERGING)
            plot.addItem(img)
            self.images[name] = img

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        weights = self.shown_weights(snap)
        key = tuple((n, np.shape(w)) for n, w in weights.items())
        if key != self.layout_key:
            self.layout_key = key
            self._relayout(weights)
        for name, w in weights.items():
            m = as_matrix(w)
            top = float(np.nanmax(np.abs(m))) if m.size else 1.0
            self.images[name].setImage(m, levels=(-(top or 1.0), top or 1.0))

    def refresh_canvas(self, runner):
        if self.canvas_box.isChecked():
            self.style_canvas(runner.snapshot)

    def style_canvas(self, snap):
        styles = edge_styles(snap)
        for node, (qcolor, width) in styles.items():
            item = node_item(self.window_, node)
            if item is None:
                continue
            for e in getattr(item, "edges", ()):
                if e.edge.dst == node:
                    set_edge_style(e, qcolor, width)
            self.styled_nodes.add(node)

    def _on_canvas_toggled(self, on):
        if on and self.runner.snapshot is not None:
            self.style_canvas(self.runner.snapshot)
        elif not on:
            self.unstyle_canvas()

    def unstyle_canvas(self):
        for node in self.styled_nodes:
            item = node_item(self.window_, node)
            for e in getattr(item, "edges", ()) if item is not None else ():
                if e.edge.dst == node:
                    set_edge_style(e, None, None)
        self.styled_nodes = set()
