"""GAN: the generated points over the data, the discriminator's decision, the two losses.

The worker computes the "adversarial" view (engine.train.adversarial) while this panel is
on screen: the generator's output for a fixed cloud of noise (so the points move only
because the generator learns), and the discriminator's P(real) over the plane, drawn as a
shade behind the points. Below, each player's loss from the training history (the
Snapshot's ``"<player> loss"`` metrics of settings.scheme).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF
from PySide6.QtWidgets import QCheckBox

from engine.train import flow as engine_flow

from .base import CLASS_COLORS, color, marker_size
from .views import ViewPanel

#: the shade of the discriminator's P(real): white (fake, 0) to green (real, 1)
_DECISION = pg.ColorMap([0.0, 0.5, 1.0], [(250, 250, 250), (225, 238, 225), (120, 190, 120)])
#: the suffix of a player's loss in the history (engine.graph.scheme.loss_key)
_LOSS = " loss"


class AdversarialPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "GAN")
    name = "adversarial"

    @classmethod
    def suits(cls, dataset) -> float:
        # below the flow view for generative data (a GAN lesson raises this one itself)
        return 0.9 if engine_flow.generative_plane(dataset) else 0.0

    def made_for(self):
        return self.tr("The GAN view is drawn for 2-D generative datasets.")

    def build(self):
        self.decision_box = QCheckBox(self.tr("discriminator"))
        self.decision_box.setChecked(True)
        self.decision_box.setToolTip(self.tr("Shade the plane by the discriminator's probability that a "
                                             "point is real (green) rather than generated (white)"))
        self.decision_box.toggled.connect(lambda on: self.image.setVisible(on))
        self.header.addWidget(self.decision_box)
        self.info = self.add_label()
        self.add_body()
        self.plot = self.body.addPlot(row=0, col=0)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = self.plot.addLegend(offset=(8, 8))
        self.image = pg.ImageItem()
        self.image.setLookupTable(_DECISION.getLookupTable(0.0, 1.0, 256))
        self.plot.addItem(self.image)
        self.data_points = pg.ScatterPlotItem(size=5, pen=None, name=self.tr("data"))
        self.samples = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(235, 120, 20, 120), pen=None,
                                          name=self.tr("generated"))
        self.plot.addItem(self.samples)
        self.plot.addItem(self.data_points)   # over the samples: the targets stay in sight
        self.loss_plot = self.body.addPlot(row=1, col=0)
        self.loss_plot.setMaximumHeight(150)
        self.loss_plot.setLabel("bottom", self.tr("step"))
        self.loss_plot.addLegend(offset=(8, 4))
        self.loss_plot.showGrid(x=True, y=True, alpha=0.15)
        self.curves = {}           # player -> its loss curve
        self.shown = None          # the AdversarialView drawn last
        self._data_of = None

    def needs(self):
        return self.request_view("adversarial")

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        self._draw_losses(runner.history)
        v = runner.views.get(self.name)
        if v is None:
            if runner.snapshot is not None and self.name in runner.views:   # computed: no generator
                self.info.setText(self.tr("no generator: draw a network from a RandomNormal node to a "
                                          "point of the plane"))
            return
        if v is self.shown:
            return
        self.shown = v
        if self._data_of is not v.data:
            self._data_of = v.data
            brushes = [pg.mkBrush(*CLASS_COLORS[int(c) % len(CLASS_COLORS)], 160) for c in v.component]
            self.data_points.setData(v.data[:, 0], v.data[:, 1], brush=brushes,
                                     size=marker_size(len(v.data), 5.0))
            (x0, x1), (y0, y1) = v.extent
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        self.samples.setData(v.samples[:, 0], v.samples[:, 1], size=marker_size(len(v.samples), 5.0))
        if v.decision is not None:
            (x0, x1), (y0, y1) = v.extent
            self.image.setImage(v.decision.T, levels=(0.0, 1.0), autoLevels=False)
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        else:
            self.image.clear()
        self.info.setText(self.tr("modes covered: %1 of %2").replace("%1", str(v.covered)).replace(
            "%2", str(v.modes)))

    def _draw_losses(self, history):
        steps = history.column("step")
        for key in history.names():
            if not (key.startswith("metric:") and key.endswith(_LOSS)):
                continue
            player = key[len("metric:"):-len(_LOSS)]
            curve = self.curves.get(player)
            if curve is None:
                curve = self.curves[player] = self.loss_plot.plot(
                    [], [], name=player, pen=pg.mkPen(color(2 + 2 * len(self.curves)), width=1.5),
                    connect="finite")
            values = history.column(key)
            ok = np.isfinite(values)
            curve.setData(steps[ok], values[ok])

    def clear(self):
        self.shown = self._data_of = None
        for item in (self.data_points, self.samples, self.image):
            item.clear()
        for curve in self.curves.values():
            curve.setData([], [])
        self.info.setText("")
