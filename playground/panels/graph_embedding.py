"""Node embeddings of a graph network: every node of the data's graph at its hidden
representation, with the graph's edges, coloured by class, the labelled nodes marked.

The numbers come from the worker (engine.train.graph_views.graph_embedding_view): a hidden
layer's 2-D output, or the first two principal components of a wider one. This panel only
draws them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QComboBox

from ..i18n import number
from .base import CLASS_COLORS
from .views import ViewPanel

#: a node whose class training sees is drawn larger, as a star
LABELLED_SIZE, NODE_SIZE = 16, 9
#: ring around an unlabelled node the network gets wrong
WRONG = (220, 30, 30)


class GraphEmbeddingPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Node embeddings")
    name = "graph_embedding"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if getattr(dataset, "graph", None) is not None else 0.0

    def made_for(self):
        return self.tr("Node embeddings are drawn for graph datasets (the group Graphs).")

    def build(self):
        self.node = None   # the node chosen by the user or a lesson (None: the view's default)
        self.node_box = QComboBox()
        self.node_box.setToolTip(self.tr("The layer whose output places the nodes"))
        self.node_box.currentTextChanged.connect(self._on_node)
        self.header.addWidget(self.node_box)
        self.info = self.add_label(row=self.add_row())
        self.plot = self.add_plot_body()
        self.plot.setAspectLocked(False)
        self.plot.showGrid(x=True, y=True, alpha=0.1)
        self.edges = pg.PlotCurveItem(pen=pg.mkPen((120, 120, 120, 110), width=1), connect="pairs")
        self.points = pg.ScatterPlotItem(pxMode=True)
        self.plot.addItem(self.edges)
        self.plot.addItem(self.points)
        self.legend = self.plot.addLegend(offset=(8, 8))
        self._classes = None   # the class names the legend shows
        self.shown = None   # the GraphEmbeddingView drawn last

    def needs(self):
        return self.request_view("graph_embedding", node=self.node)

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None:
            return
        self.shown = v
        self._fill_nodes(v)
        p = v.points
        i, j = v.edges.T if len(v.edges) else (np.zeros(0, int), np.zeros(0, int))
        self.edges.setData(np.stack([p[i, 0], p[j, 0]], 1).ravel(), np.stack([p[i, 1], p[j, 1]], 1).ravel())
        wrong = (v.guess != v.true) & ~v.labelled
        spots = [{"pos": (float(x), float(y)), "size": LABELLED_SIZE if known else NODE_SIZE,
                  "symbol": "star" if known else "o", "brush": pg.mkBrush(*CLASS_COLORS[c % len(CLASS_COLORS)]),
                  "pen": pg.mkPen(WRONG, width=2.5) if bad else pg.mkPen("k" if known else "w", width=1)}
                 for (x, y), c, known, bad in zip(p, v.true, v.labelled, wrong)]
        self.points.setData(spots)
        self._fill_legend(v.class_names)
        self.info.setText(self._describe(v, int(wrong.sum())))
        self.info.setToolTip(self.info.text())   # the whole line, when the panel is narrow

    def _fill_legend(self, names):
        if names == self._classes:
            return
        self._classes = names
        self.legend.clear()
        for c, name in enumerate(names):
            sample = pg.ScatterPlotItem(brush=pg.mkBrush(*CLASS_COLORS[c % len(CLASS_COLORS)]), size=NODE_SIZE)
            self.legend.addItem(sample, name)

    def _fill_nodes(self, v):
        names = [self.node_box.itemText(i) for i in range(self.node_box.count())]
        self.node_box.blockSignals(True)
        if names != list(v.nodes):
            self.node_box.clear()
            self.node_box.addItems(list(v.nodes))
        self.node_box.setCurrentText(v.node)
        self.node_box.blockSignals(False)

    def _describe(self, v, wrong) -> str:
        where = (self.tr("%1 features") if v.explained is None else
                 self.tr("%1 features, 2 principal components (%2% of the variance)")) \
            .replace("%1", str(v.width)).replace("%2", number(100 * (v.explained or 0.0), ".0f"))
        return self.tr("unlabelled nodes right: %1% \u00b7 %2 wrong (red ring) \u00b7 stars: labelled "
                       "\u00b7 %3").replace("%1", number(100 * v.accuracy, ".1f")).replace(
            "%2", str(wrong)).replace("%3", where)

    def _on_node(self, text):
        if text and text != self.node:
            self.node = text
            self.update_needs()

    def apply_options(self, options: dict):
        """A lesson's options: ``{"node": the node whose output places the graph's nodes}``."""
        if "node" in options:
            self.node = str(options["node"])
            self.update_needs()

    def clear(self):
        self.shown = self._classes = None
        self.legend.clear()
        self.edges.setData([], [])
        self.points.clear()
        self.info.setText("")
        if self.runner.snapshot is None:   # a new document: its nodes have other names
            self.node = None
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.blockSignals(False)
