"""Weights: every (small) weight matrix as a heatmap, orange negative and blue positive;
optionally, on the canvas, the edges into a layer take the colour of its weights' sign
and a width that follows their size (for layers small enough, like TF Playground)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox

from .base import DIVERGING, NEG, POS, Panel, index_ticks, is_bias, node_item, scene_of
from .legends import edge_key

#: an edge's colour when its layer's weights have mixed signs (the key: panels/legends.py)
MIXED = (170, 170, 170)

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
        if is_bias(name):
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
        grey = np.array(MIXED, float)
        rgb = grey + agree * (base - grey)
        out[node] = (QColor(*rgb.astype(int)), 1.0 + 6.0 * rms / top)
    return out


def columns_for(width_px: int, titles, char_px: float = 6.5, cols: int = COLS) -> int:
    """How many matrices fit side by side: each column must hold its title (a panel
    not laid out yet, with no width, gets the default)."""
    if width_px < 100 or not titles:
        return cols
    need = max(len(t) for t in titles) * char_px + 40
    return max(1, min(cols, int(width_px // need)))


class WeightsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Weights")
    name = "weights"

    def build(self):
        self.canvas_box = QCheckBox(self.tr("style canvas edges"))
        self.canvas_box.setToolTip(self.tr("Edges into small layers take the sign (colour) and size "
                                           "(width) of the layer's weights"))
        self.canvas_box.setChecked(True)
        self.canvas_box.toggled.connect(self._on_canvas_toggled)
        self.header.addWidget(self.canvas_box)
        self.edge_key = edge_key(QColor(*POS), QColor(*NEG), QColor(*MIXED))
        self.edge_key.setVisible(self.canvas_box.isChecked())
        self.canvas_box.toggled.connect(self.edge_key.setVisible)
        self.vbox.addWidget(self.edge_key)   # a row of its own, under the header
        self.bias_box = QCheckBox(self.tr("biases"))
        self.bias_box.toggled.connect(lambda _: self.refresh(self.runner))
        self.header.addWidget(self.bias_box)
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.images = {}
        self.layout_key = None
        self.styled_nodes = set()

    def shown_weights(self, snap) -> dict:
        keep = self.bias_box.isChecked()
        return {n: w for n, w in snap.weights.items() if keep or not is_bias(n)}

    def _relayout(self, weights):
        self.glw.clear()
        self.images = {}
        cols = columns_for(self.glw.width(), [f"{n} {tuple(np.shape(w))}" for n, w in weights.items()])
        for i, (name, w) in enumerate(weights.items()):
            m = as_matrix(w)
            plot = self.glw.addPlot(row=i // cols, col=i % cols)
            # a smaller title: long nested names would widen the columns past the panel
            plot.setTitle(f"{name} {tuple(np.shape(w))}", size="9pt")
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.invertY(True)
            index_ticks(plot.getAxis("left"), m.shape[0], max_labels=6 if len(weights) <= cols else 2)
            index_ticks(plot.getAxis("bottom"), m.shape[1], max_labels=8)
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

    def clear(self):
        if self.runner.snapshot is None:  # a new document: none of its weights exist yet
            self.glw.clear()
            self.images, self.layout_key = {}, None
        for img in self.images.values():
            img.clear()

    def forget_canvas(self):
        self.styled_nodes = set()

    def refresh_canvas(self, runner):
        # (a window without the editor's canvas, as the panels' tests and the GUI benchmark
        # have: nothing to style, and reading every weight matrix costs at each frame)
        if self.canvas_box.isChecked() and scene_of(self.window_) is not None:
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
