"""Activations of one node over time: its histogram as an image (time runs right,
value runs up, darker = more units there) and the mean activation of every unit."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF
from PySide6.QtWidgets import QComboBox

from engine.train import diagnostics

from ..i18n import number
from .base import BLUES, DIVERGING, Panel, SideBySide

BINS = 40


def histogram_image(entries, bins: int = BINS):
    """Resample every entry's histogram onto one set of bins: (bins, T) image and its range.

    Each snapshot has its own bin edges; the cumulative counts are interpolated at the
    common edges so that the columns line up.
    """
    lo = min(float(s.hist_edges[0]) for _, s in entries)
    hi = max(float(s.hist_edges[-1]) for _, s in entries)
    if not np.isfinite(lo) or not np.isfinite(hi):
        lo, hi = -1.0, 1.0
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    common = np.linspace(lo, hi, bins + 1)
    image = np.zeros((bins, len(entries)))
    for t, (_, s) in enumerate(entries):
        cum = np.concatenate([[0.0], np.cumsum(np.asarray(s.hist_counts, dtype=float))])
        col = np.diff(np.interp(common, np.asarray(s.hist_edges, dtype=float), cum))
        top = col.max()
        image[:, t] = col / top if top > 0 else col
    return image, lo, hi


class ActivationsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Activations")
    name = "activations"

    def build(self):
        self.node_box = QComboBox()
        self.node_box.setMinimumContentsLength(10)
        self.header.addWidget(self.node_box)
        self.node_box.currentTextChanged.connect(lambda _: self.refresh(self.runner))
        self.stats = self.add_label()
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.hist_plot = self.glw.addPlot(row=0, col=0,
                                          title=self.tr("histogram over time (darker = more values there)"))
        self.hist_plot.setLabel("left", self.tr("value"))
        self.hist_image = pg.ImageItem()
        self.hist_image.setLookupTable(BLUES)   # no values: near white, calm on a projector
        self.hist_plot.addItem(self.hist_image)
        self.unit_plot = self.glw.addPlot(row=1, col=0, title=self.tr("mean activation per unit"))
        self.unit_plot.setLabel("left", self.tr("unit"))
        self.unit_plot.setLabel("bottom", self.tr("step"))
        self.hist_plot.setLabel("bottom", self.tr("step"))
        self.unit_image = pg.ImageItem()
        self.unit_image.setLookupTable(DIVERGING)
        self.unit_plot.addItem(self.unit_image)
        self.unit_plot.setXLink(self.hist_plot)
        self.arrangement = SideBySide(self.glw, self.hist_plot, self.unit_plot)
        for p in (self.hist_plot, self.unit_plot):
            p.getAxis("left").setStyle(maxTextLevel=0)  # short axes: no crowded labels
            p.hideButtons()
            p.setMouseEnabled(x=False, y=False)

    def _sync_nodes(self, names):
        current = [self.node_box.itemText(i) for i in range(self.node_box.count())]
        if names != current:
            keep = self.node_box.currentText()
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.addItems(names)
            if keep in names:
                self.node_box.setCurrentText(keep)
            self.node_box.blockSignals(False)

    def refresh(self, runner):
        hist = runner.activation_history.by_node
        self._sync_nodes(list(hist))
        entries = list(hist.get(self.node_box.currentText(), ()))
        if not entries:
            return
        step0, step1 = entries[0][0], max(entries[-1][0], entries[0][0] + 1)
        image, lo, hi = histogram_image(entries)
        self.hist_image.setImage(image, levels=(0.0, 1.0))
        self.hist_image.setRect(QRectF(step0, lo, step1 - step0, hi - lo))
        last = entries[-1][1]
        if last.unit_mean is not None:
            units = np.stack([np.asarray(s.unit_mean, dtype=float).ravel() for _, s in entries
                              if s.unit_mean is not None and np.size(s.unit_mean) == np.size(last.unit_mean)], axis=1)
            top = float(np.nanmax(np.abs(units))) or 1.0
            self.unit_image.setImage(units, levels=(-top, top))
            self.unit_image.setRect(QRectF(step0, 0, step1 - step0, units.shape[0]))
        text = self.tr("mean {mean}  std {std}").format(mean=number(last.mean, ".3g"), std=number(last.std, ".3g"))
        if last.saturated is not None:
            text += "  " + self.tr("saturated {n}%").format(n=f"{100 * last.saturated:.0f}")
            if diagnostics.is_saturated(last.saturated):   # the Diagnostics' definition too
                text += " " + self.tr("(a saturated node)")
        if last.dead is not None:
            text += "  " + self.tr("dead {n}%").format(n=f"{100 * last.dead:.0f}")
        self.stats.setText(text)
        self.hist_plot.setRange(xRange=(step0, step1), yRange=(lo, hi), padding=0)

    def clear(self):
        self.hist_image.clear()
        self.unit_image.clear()
        self.stats.setText("")
        if self.runner.snapshot is None:  # a new document: its nodes are not the old ones
            self._sync_nodes([])
