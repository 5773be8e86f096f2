"""Attention maps and mixture-of-experts gates, for graphs that have such nodes.

Attention weights are averaged over the batch (and heads) into one query x key map;
MoE gates are shown per sample (rows) and expert (columns), with each expert's load."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg


from .base import SEQUENTIAL, Panel, index_ticks

MAX_ROWS = 64
EMPTY = ("No attention or mixture-of-experts node in this graph.<br>Add an AttentionModule, "
         "MultiheadAttention<br>or MixtureOfExperts node to see its weights here.")


def attention_map(w) -> np.ndarray:
    """An attention array as an image: (batch, keys) stays (one row per sample, the
    weights over the items it attends to); (..., queries, keys) is averaged over the
    batch and heads into (queries, keys)."""
    w = np.asarray(w, dtype=float)
    if w.ndim < 2:
        return w.reshape(1, -1)
    if w.ndim == 2:
        return w[:MAX_ROWS]
    return w.reshape(-1, w.shape[-2], w.shape[-1]).mean(0)


class AttentionPanel(Panel):
    title = "Attention / MoE"
    name = "attention"

    def build(self):
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.key = None
        self._relayout({}, {})

    def _relayout(self, attention, moe):
        self.glw.clear()
        self.items = {}
        row = 0
        for node, w in attention.items():
            axes = "sample × item" if np.ndim(w) == 2 else "query × key"
            p = self.glw.addPlot(row=row, col=0, colspan=2, title=f"{node}: attention ({axes})")
            p.invertY(True)
            p.hideButtons()
            img = pg.ImageItem()
            img.setLookupTable(SEQUENTIAL)
            p.addItem(img)
            img.plot = p
            self.items[("attn", node)] = img
            row += 1
        for node in moe:
            p = self.glw.addPlot(row=row, col=0, title=f"{node}: gate weights (sample × expert)")
            p.invertY(True)
            p.hideButtons()
            img = pg.ImageItem()
            img.setLookupTable(SEQUENTIAL)
            p.addItem(img)
            img.plot = p
            q = self.glw.addPlot(row=row, col=1, title=f"{node}: expert load")
            bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(8, 119, 189))
            q.addItem(bars)
            self.items[("gates", node)] = img
            self.items[("load", node)] = bars
            row += 1
        self.empty_note = None
        if not self.items:
            self.empty_note = self.glw.addLabel(EMPTY, size="12pt", color="#555")

    def _show(self, img, m):
        """Weights in [0, 1] as an image; integer row/column ticks when its shape changes."""
        if img.image is None or img.image.shape != m.shape:
            plot = getattr(img, "plot", None)
            if plot is not None:
                index_ticks(plot.getAxis("left"), m.shape[0], max_labels=8)
                index_ticks(plot.getAxis("bottom"), m.shape[1], max_labels=12)
                plot.setRange(xRange=(0, m.shape[1]), yRange=(0, m.shape[0]), padding=0)
        img.setImage(m, levels=(0.0, 1.0))

    def clear(self):
        if self.runner.snapshot is None:  # a new document: none of its nodes exist yet
            self.key = None
            self._relayout({}, {})
        for item in self.items.values():
            if isinstance(item, pg.BarGraphItem):
                item.setOpts(x=[], height=[])
            else:
                item.clear()

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        key = (tuple(snap.attention), tuple(snap.moe))
        if key != self.key:
            self.key = key
            self._relayout(snap.attention, snap.moe)
        for node, w in snap.attention.items():
            self._show(self.items[("attn", node)], attention_map(w))
        for node, d in snap.moe.items():
            gates = np.asarray(d.get("gates"), dtype=float)
            gates = gates.reshape(-1, gates.shape[-1])[:MAX_ROWS]
            self._show(self.items[("gates", node)], gates)
            load = d.get("load")
            if load is None:
                load = gates.mean(0)
            load = np.asarray(load, dtype=float).ravel()
            self.items[("load", node)].setOpts(x=np.arange(len(load)), height=load)
