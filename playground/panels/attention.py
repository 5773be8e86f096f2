"""Attention maps and mixture-of-experts gates, for graphs that have such nodes.

MultiheadAttention and TransformerBlock weights (batch, heads, L, S) are shown per head,
averaged over the batch into one query x key map each; an AttentionModule's weights are
shown per sample; MoE gates per sample (rows) and expert (columns), with each expert's load
and, for 2-D data, the expert the gate picks over the input plane (engine.train.gatemap,
computed by the worker while the panel is shown)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF

from engine.train.gatemap import GateMap, GateMapRequest

from .base import CLASS_COLORS, SEQUENTIAL, Panel, index_ticks

MAX_ROWS = 64
EMPTY = QT_TRANSLATE_NOOP("AttentionPanel", "No attention or mixture-of-experts node in this graph.<br>"
                          "Add an AttentionModule, MultiheadAttention<br>or MixtureOfExperts node "
                          "to see its weights here.")


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


def head_maps(w) -> list:
    """The maps to draw for one node's weights: one (queries, keys) map per head for
    (batch, heads, L, S) weights (the mean over the batch), else [attention_map(w)]."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 4:
        return list(w.mean(0))
    return [attention_map(w)]


class AttentionPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Attention / MoE")
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
            heads = np.shape(w)[1] if np.ndim(w) == 4 else 0
            axes = self.tr("sample × item") if np.ndim(w) == 2 else self.tr("query × key")
            if heads:   # one title for the node, short ones for its heads
                self.glw.addLabel(self.tr("{node}: attention per head ({axes}; brightest: the largest weight)")
                                  .format(node=node, axes=axes),
                                  row=row, col=0, colspan=2)
                row += 1
            for k in range(max(heads, 1)):   # the heads two by two: each map stays legible
                title = (self.tr("head {k}").format(k=k) if heads
                         else self.tr("{node}: attention ({axes})").format(node=node, axes=axes))
                p = self.glw.addPlot(row=row + k // 2, col=k % 2, colspan=1 if heads else 2, title=title)
                p.invertY(True)
                p.hideButtons()
                img = pg.ImageItem()
                img.setLookupTable(SEQUENTIAL)
                p.addItem(img)
                img.plot = p
                self.items[("attn", node, k) if heads else ("attn", node)] = img
            row += (max(heads, 1) + 1) // 2
        for node in moe:
            p = self.glw.addPlot(row=row, col=0, title=self.tr("{node}: gate weights (sample × expert)").format(node=node))
            p.invertY(True)
            p.hideButtons()
            img = pg.ImageItem()
            img.setLookupTable(SEQUENTIAL)
            p.addItem(img)
            img.plot = p
            q = self.glw.addPlot(row=row, col=1, title=self.tr("{node}: expert load").format(node=node))
            bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(8, 119, 189))
            q.addItem(bars)
            self.items[("gates", node)] = img
            self.items[("load", node)] = bars
            if self.plane:   # the gate's choice over the input plane, a colour per expert
                row += 1
                m = self.glw.addPlot(row=row, col=0, colspan=2,
                                     title=self.tr("{node}: the expert the gate picks at each point").format(node=node))
                m.hideButtons()
                m.setMenuEnabled(False)
                chosen = pg.ImageItem()
                m.addItem(chosen)
                m.addLegend(offset=(-4, 4), labelTextSize="8pt")
                self.items[("map", node)] = chosen
                chosen.plot = m
            row += 1
        self.empty_note = None
        if not self.items:
            self.empty_note = self.glw.addLabel(self.tr(EMPTY), size="12pt", color="#555")

    @property
    def plane(self) -> bool:
        ds = self.runner.dataset
        return ds is not None and ds.x_train.ndim == 2 and ds.x_train.shape[1] == 2

    def needs(self):
        moe = [key[1] for key in self.items if key[0] == "map"]
        return {self.name: GateMapRequest(moe[0])} if moe else None

    def _show_map(self, item, gm: GateMap):
        """Each point of the plane in the colour of the expert the gate picks there, faded
        where the gate hesitates (its largest weight near 1/experts); a key per expert."""
        e = gm.n_experts
        palette = np.array([CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(e)], dtype=float)
        sure = np.clip((gm.weight - 1.0 / e) / max(1.0 - 1.0 / e, 1e-9), 0.0, 1.0)[..., None]
        white = np.array([250.0, 250.0, 250.0])
        item.setImage((white + (0.25 + 0.75 * sure) * (palette[gm.expert] - white)).astype(np.uint8))
        (x0, x1), (y0, y1) = gm.extent
        item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        item.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        legend = item.plot.legend
        if len(legend.items) != e:
            legend.clear()
            for i in range(e):
                sample = pg.ScatterPlotItem(symbol="s", size=10, brush=pg.mkBrush(*palette[i].astype(int)), pen=None)
                legend.addItem(sample, self.tr("expert {i}").format(i=i))

    def _show(self, img, m, top=1.0):
        """Weights in [0, top] as an image; integer row/column ticks when its shape changes."""
        if img.image is None or img.image.shape != m.shape:
            plot = getattr(img, "plot", None)
            if plot is not None:
                index_ticks(plot.getAxis("left"), m.shape[0], max_labels=8)
                index_ticks(plot.getAxis("bottom"), m.shape[1], max_labels=12)
                plot.setRange(xRange=(0, m.shape[1]), yRange=(0, m.shape[0]), padding=0)
        img.setImage(m, levels=(0.0, top))

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
        key = (tuple((n, np.ndim(w), np.shape(w)[1] if np.ndim(w) == 4 else 0)   # the heads
                     for n, w in snap.attention.items()), tuple(snap.moe))
        if key != self.key:
            self.key = key
            self._relayout(snap.attention, snap.moe)
            self.update_needs()   # the gate map of the (new) MoE node
        for node, w in snap.attention.items():
            if np.ndim(w) == 4:
                maps = head_maps(w)
                # over many keys each weight is small: the brightest colour is the largest
                # weight of the node's heads (the same scale for all its heads)
                top = max(float(max(m.max() for m in maps)), 1e-6)
                for k, m in enumerate(maps):
                    self._show(self.items[("attn", node, k)], m, top)
            else:
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
        gm = runner.views.get(self.name)
        if isinstance(gm, GateMap) and ("map", gm.node) in self.items:
            self._show_map(self.items[("map", gm.node)], gm)
