"""Neural operators: predicted against true solutions of a few test functions, at the
training resolution and, with the same trained model, on a grid twice as fine, each with
its relative L2 error. The numbers come from the worker (engine.train.operator); this
panel only draws them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from engine.train import views as engine_views

from ..i18n import number
from .base import SERIES, SideBySide
from .views import ViewPanel


def _percent(value) -> str:
    return "—" if value is None or not np.isfinite(value) else number(100 * value, ".2g") + " %"


class OperatorPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Operator")
    name = "operator"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if engine_views.input_kind(dataset) == "function" else 0.0

    def made_for(self):
        return self.tr("The operator view is drawn for PDE data (functions sampled on a grid).")

    def build(self):
        self.info = self.add_label(row=self.add_row())
        self.info.setToolTip(self.tr(
            "The mean relative L2 error ||predicted - true|| / ||true|| over the test functions, at the "
            "training resolution and, with the same trained model, at twice it. In the plots: dashed, "
            "the true solution u(x, T); solid, the prediction; dotted, the initial condition u(x, 0)."))
        self.add_body()
        self.empty = self.add_note()
        self.coarse_plot = self.body.addPlot(row=0, col=0)
        self.fine_plot = self.body.addPlot(row=0, col=1)
        self.curves = {}
        for plot in (self.coarse_plot, self.fine_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setLabel("bottom", "x")
        self.coarse_plot.setLabel("left", "u(x, T)")
        self.fine_plot.setYLink(self.coarse_plot)
        # one legend per plot: each sample's error at that plot's resolution
        self.legends = {plot: plot.addLegend(offset=(2, 2), labelTextSize="7pt", brush=(255, 255, 255, 190))
                        for plot in (self.coarse_plot, self.fine_plot)}
        self.side_by_side = SideBySide(self.body, self.coarse_plot, self.fine_plot)
        self.shown = None

    def needs(self):
        return self.request_view("operator")

    def _curve(self, plot, key, i):
        """The curve of sample ``i``: "true" dashed, "pred" solid, "initial" faint."""
        item = self.curves.get((plot, key, i))
        if item is None:
            c = SERIES[i % len(SERIES)]
            pen = {"true": pg.mkPen(c, width=1.6, style=Qt.DashLine), "pred": pg.mkPen(c, width=2.4),
                   "initial": pg.mkPen((*c, 90), width=1.0, style=Qt.DotLine)}[key]
            item = self.curves[(plot, key, i)] = plot.plot([], [], pen=pen)
            if key == "pred":
                self.legends[plot].addItem(item, "")
            if key == "initial":
                item.setZValue(-1)
        return item

    def _draw(self, plot, key, i, x, y, error=None):
        item = self._curve(plot, key, i)
        if y is None:
            item.setData([], [])
        else:
            item.setData(x, y)
        if key == "pred":
            label = self.legends[plot].getLabel(item)
            if label is not None:
                label.setText(self.tr("sample {i}: {err}").format(i=i + 1, err=_percent(error)))

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        self.body.setVisible(v is not None)
        self.empty.setVisible(v is None and runner.snapshot is not None)
        if v is None:
            self.empty.setText(self.tr("No prediction of the solution's shape yet: the model's output "
                                       "must have the target's shape (batch, 1, L)."))
            return
        if v is self.shown:
            return
        self.shown = v
        points, fine_points = len(v.x), len(v.x_fine)
        self.coarse_plot.setTitle(self.tr("training grid, {n} points").format(n=points))
        self.fine_plot.setTitle(self.tr("same model, {n} points").format(n=fine_points))
        fine_errors = v.errors_fine if v.errors_fine is not None else [None] * len(v.errors)
        for i in range(len(v.true)):
            self._draw(self.coarse_plot, "initial", i, v.x, v.initial[i])
            self._draw(self.coarse_plot, "true", i, v.x, v.true[i])
            self._draw(self.coarse_plot, "pred", i, v.x, v.pred[i], v.errors[i])
            self._draw(self.fine_plot, "true", i, v.x_fine, v.true_fine[i])
            self._draw(self.fine_plot, "pred", i, v.x_fine,
                       v.pred_fine[i] if v.pred_fine is not None else None, fine_errors[i])
        if v.pred_fine is None:
            text = self.tr("test error ({n} functions): {err}; this model cannot run on {fine} points "
                           "(it depends on the grid size)").format(n=v.n_test, err=_percent(v.error),
                                                                   fine=fine_points)
        else:
            text = self.tr("test error ({n} functions): {err} at {points} points, {err_fine} at {fine}").format(
                n=v.n_test, err=_percent(v.error), points=points, err_fine=_percent(v.error_fine),
                fine=fine_points)
        self.info.setText(text)

    def clear(self):
        self.shown = None
        for item in self.curves.values():
            item.setData([], [])
        for plot in (self.coarse_plot, self.fine_plot):
            plot.setTitle("")
        self.info.setText("")
