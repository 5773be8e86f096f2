"""The fit of a function of one input: the prediction over x with the data, live.

For a network whose output is a Linear layer over a few hidden units, each unit's
contribution (output weight x the unit's activation over x) can be drawn too: the output
is their sum plus the bias, the universal-approximation picture. For a Linear layer
straight on the input (linear regression) the fit is a line; the residuals (data minus
prediction) are drawn as vertical segments. The numbers come from the worker
(engine.train.views.fit_view); this panel only draws them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox

from engine.train import views as engine_views

from ..i18n import number
from .base import NEG, POS, SERIES
from .views import ViewPanel

#: how far the y range reaches beyond the data (units may leave it: they are clipped)
Y_PAD = 0.25


class FitPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Function fit")
    name = "fit"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if engine_views.input_kind(dataset) == "line" else 0.0

    def made_for(self):
        return self.tr("The function fit is drawn for datasets with one input feature "
                       "(a function of x).")

    def build(self):
        self.units_box = QCheckBox(self.tr("hidden units"))
        self.units_box.setChecked(True)
        self.units_box.setToolTip(self.tr(
            "Each hidden unit's contribution: its output weight times its activation over x. "
            "The prediction is their sum plus the output bias."))
        self.units_box.toggled.connect(lambda: self.runner.snapshot is not None and self.refresh(self.runner))
        self.header.addWidget(self.units_box)
        self.residuals_box = QCheckBox(self.tr("residuals"))
        self.residuals_box.setToolTip(self.tr("The residuals: each training point's distance "
                                              "from the prediction"))
        self.residuals_box.toggled.connect(lambda: self.runner.snapshot is not None and self.refresh(self.runner))
        self.residuals_box.clicked.connect(lambda: setattr(self, "_residuals_chosen", True))
        self._residuals_chosen = False   # by the user or a lesson: no longer follows the model
        self.header.addWidget(self.residuals_box)
        self.info = self.add_label(row=self.add_row())

        self.plot = self.add_plot_body()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.legend = self.plot.addLegend(offset=(8, 8))
        self.residuals = pg.PlotCurveItem(pen=pg.mkPen((200, 60, 60, 200), width=1.2), connect="pairs")
        self.plot.addItem(self.residuals)
        self.unit_curves = []
        self.train_points = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(*POS), pen=pg.mkPen("w", width=0.5),
                                               name=self.tr("training data"))
        self.test_points = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(255, 255, 255), pen=pg.mkPen(POS, width=1.2),
                                              name=self.tr("test data"))
        self.curve = pg.PlotDataItem(pen=pg.mkPen(NEG, width=3), name=self.tr("prediction"))
        for item in (self.train_points, self.test_points, self.curve):
            self.plot.addItem(item)
        self.shown = None          # the FitView drawn last
        self._points_of = None     # the x_train the points were drawn from
        self._linear = None

    def needs(self):
        return self.request_view("fit")

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None:
            return
        self.shown = v
        if self._points_of is None or not np.array_equal(self._points_of, v.x_train):
            self._draw_data(v)
        if v.linear != self._linear:   # a linear model: the residuals are the point
            self._linear = v.linear
            if not self._residuals_chosen:
                self.residuals_box.setChecked(v.linear)
        self.curve.setData(v.x, v.y[:, 0])
        self._draw_units(v)
        if self.residuals_box.isChecked():
            x = np.repeat(v.x_train, 2)
            y = np.stack([v.y_train[:, 0], v.fitted[:, 0]], axis=1).ravel()
            self.residuals.setData(x, y)
        else:
            self.residuals.setData([], [])
        self.info.setText(self._describe(v))

    def _draw_data(self, v):
        self._points_of = v.x_train
        self.train_points.setData(v.x_train, v.y_train[:, 0])
        self.test_points.setData(v.x_test, v.y_test[:, 0])
        ys = np.concatenate([v.y_train[:, 0], v.y_test[:, 0]])
        lo, hi = (float(ys.min()), float(ys.max())) if ys.size else (-1.0, 1.0)
        pad = max(hi - lo, 1e-6) * Y_PAD
        self.plot.setRange(xRange=(float(v.x[0]), float(v.x[-1])), yRange=(lo - pad, hi + pad), padding=0)

    def _draw_units(self, v):
        units = v.units if (v.units is not None and self.units_box.isChecked()) else np.zeros((len(v.x), 0))
        self.units_box.setEnabled(v.units is not None)
        while len(self.unit_curves) < units.shape[1]:
            i = len(self.unit_curves)
            c = SERIES[i % len(SERIES)]
            curve = pg.PlotCurveItem(pen=pg.mkPen((*c, 170), width=1.2))
            curve.setZValue(-1)
            self.plot.addItem(curve)
            self.unit_curves.append(curve)
        for i, curve in enumerate(self.unit_curves):
            if i < units.shape[1]:
                curve.setData(v.x, units[:, i])
                curve.setVisible(True)
            else:
                curve.setVisible(False)

    def _describe(self, v) -> str:
        if v.linear:
            return self.tr("a line: y = %1 x + %2").replace("%1", number(v.slope, ".3g")).replace(
                "%2", number(v.bias, ".3g"))
        if v.units is not None:
            return self.tr("prediction = sum of the %1 units of %2 + bias %3").replace(
                "%1", str(v.units.shape[1])).replace("%2", str(v.unit_node)).replace("%3", number(v.bias, ".3g"))
        return ""

    def apply_options(self, options: dict):
        """A lesson's options: ``{"units": bool, "residuals": bool}``."""
        if "units" in options:
            self.units_box.setChecked(bool(options["units"]))
        if "residuals" in options:
            self._residuals_chosen = True
            self.residuals_box.setChecked(bool(options["residuals"]))

    def clear(self):
        self.shown = self._points_of = self._linear = None
        if self.runner.dataset is None:   # a new document: the residuals follow its model
            self._residuals_chosen = False
        for item in (self.train_points, self.test_points):
            item.clear()
        self.curve.setData([], [])
        self.residuals.setData([], [])
        for curve in self.unit_curves:
            curve.setVisible(False)
        self.info.setText("")
