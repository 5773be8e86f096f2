"""Attention maps and mixture-of-experts gates, for graphs that have such nodes.

Attention weights are averaged over the batch (and heads) into one query x key map;
MoE gates are shown per sample (rows) and expert (columns), with each expert's load."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg


from .base import SEQUENTIAL, Panel

MAX_ROWS = 64


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
    title = "Attention and experts"
    name = "attention"

    def build(self):
        self.info = self.add_label("No attention or mixture-of-experts nodes in this graph.")
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.items = {}
        self.key = None

    def _relayout(self, snap):
        self.glw.clear()
        self.items = {}
        row = 0
        for node, w in snap.attention.items():
            axes = "sample × item" if np.ndim(w) == 2 else "query × key"
            p = self.glw.addPlot(row=row, col=0, colspan=2, title=f"{node}: attention ({axes})")
            p.invertY(True)
            p.hideButtons()
            img = pg.ImageItem()
            img.setLookupTable(SEQUENTIAL)
            p.addItem(img)
            self.items[("attn", node)] = img
            row += 1
        for node in snap.moe:
            p = self.glw.addPlot(row=row, col=0, title=f"{node}: gate weights (sample × expert)")
            p.invertY(True)
            p.hideButtons()
            img = pg.ImageItem()
            img.setLookupTable(SEQUENTIAL)
            p.addItem(img)
            q = self.glw.addPlot(row=row, col=1, title=f"{node}: expert load")
            bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(8, 119, 189))
            q.addItem(bars)
            self.items[("gates", node)] = img
            self.items[("load", node)] = bars
            row += 1
        self.info.setText("" if self.items else "No attention or mixture-of-experts nodes in this graph.")

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        key = (tuple(snap.attention), tuple(snap.moe))
        if key != self.key:
            self.key = key
            self._relayout(snap)
        for node, w in snap.attention.items():
            self.items[("attn", node)].setImage(attention_map(w), levels=(0.0, 1.0))
        for node, d in snap.moe.items():
            gates = np.asarray(d.get("gates"), dtype=float)
            gates = gates.reshape(-1, gates.shape[-1])[:MAX_ROWS]
            self.items[("gates", node)].setImage(gates, levels=(0.0, 1.0))
            load = d.get("load")
            if load is None:
                load = gates.mean(0)
            load = np.asarray(load, dtype=float).ravel()
            self.items[("load", node)].setOpts(x=np.arange(len(load)), height=load)
