"""Predictions against targets, for any data: the view when no other suits (and a second
opinion when one does). Regression: a scatter of prediction against target with the
diagonal where they would be equal. Classification: per class, the fraction of its samples
predicted right. The worker computes them (engine.train.views.prediction_view).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt


from ..i18n import number
from .base import CLASS_COLORS, POS, SERIES
from .views import ViewPanel

#: the fallback's score: any data, below every view made for it
FALLBACK = 0.1


class PredictionsPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Predictions")
    name = "predictions"

    @classmethod
    def suits(cls, dataset) -> float:
        return FALLBACK

    def build(self):
        self.info = self.add_label()
        self.plot = self.add_plot_body()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.diagonal = pg.PlotCurveItem(pen=pg.mkPen((120, 120, 120), width=1, style=Qt.DashLine))
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.5))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        for item in (self.diagonal, self.points, self.bars):
            self.plot.addItem(item)
        self.shown = None
        self._task = None

    def needs(self):
        return self.request_view("predictions")

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None or v is self.shown:
            return
        self.shown = v
        if v.task != self._task:
            self._task = v.task
            self._set_axes(v.task)
        split = self.tr("test") if v.split == "test" else self.tr("training")
        if v.task == "classification":
            self._draw_classes(v, split)
        else:
            self._draw_regression(v, split)

    def _set_axes(self, task):
        classes = task == "classification"
        self.points.setVisible(not classes)
        self.diagonal.setVisible(not classes)
        self.bars.setVisible(classes)
        if classes:
            self.plot.setLabel("bottom", self.tr("true class"))
            self.plot.setLabel("left", self.tr("fraction predicted right"))
        else:
            self.plot.getAxis("bottom").setTicks(None)
            self.plot.setLabel("bottom", self.tr("target"))
            self.plot.setLabel("left", self.tr("prediction"))

    def _draw_classes(self, v, split):
        k = len(v.per_class)
        height = np.nan_to_num(v.per_class, nan=0.0)
        brushes = [pg.mkBrush(*CLASS_COLORS[i % len(CLASS_COLORS)]) for i in range(k)]
        self.bars.setOpts(x=np.arange(k), height=height, width=0.7, brushes=brushes)
        self.plot.getAxis("bottom").setTicks([[(i, str(n)) for i, n in enumerate(v.class_names)]])
        self.plot.setRange(xRange=(-0.6, k - 0.4), yRange=(0.0, 1.05), padding=0)
        self.info.setText(self.tr("accuracy %1 % on %2 %3 samples").replace(
            "%1", number(100.0 * v.accuracy, ".1f")).replace("%2", str(v.n)).replace("%3", split))

    def _draw_regression(self, v, split):
        k = v.target.shape[1]
        cols = min(k, v.prediction.shape[1])
        colours = [pg.mkBrush(*SERIES[j % len(SERIES)]) if k > 1 else pg.mkBrush(*POS) for j in range(cols)]
        x, y = v.target[:, :cols].T.ravel(), v.prediction[:, :cols].T.ravel()
        self.points.setData(x, y, brush=[c for c in colours for _ in range(len(v.target))])
        both = np.concatenate([x, y])
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
        pad = max(hi - lo, 1e-6) * 0.05
        self.diagonal.setData([lo - pad, hi + pad], [lo - pad, hi + pad])
        self.plot.setRange(xRange=(lo - pad, hi + pad), yRange=(lo - pad, hi + pad), padding=0)
        if v.r2 is None:
            text = self.tr("%1 %2 samples").replace("%1", str(v.n)).replace("%2", split)
        else:
            text = self.tr("R² = %1 on %2 %3 samples").replace("%1", number(v.r2, ".3f")).replace(
                "%2", str(v.n)).replace("%3", split)
        self.info.setText(text)

    def clear(self):
        self.shown = self._task = None
        self.points.clear()
        self.bars.setOpts(x=[], height=[])
        self.diagonal.setData([], [])
        self.info.setText("")
