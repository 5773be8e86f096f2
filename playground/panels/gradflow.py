"""Gradient flow: per-layer max and mean |g| as bars (the well-known grad-flow plot,
on a log scale so that vanishing gradients show as bars that shrink towards the
input), and every layer's gradient norm over time on a log scale."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox

from .base import Panel, StableRange, color

FLOOR = -12.0  # log10 of the smallest |g| drawn (zero gradients sit on the floor)


def flow_params(gradients: dict) -> list:
    """The parameters to plot, input side first: weights only when there are any."""
    names = list(gradients)
    weights = [n for n in names if not n.endswith("bias")]
    return weights or names


class GradFlowPanel(Panel):
    title = "Gradient flow"
    name = "gradflow"

    def build(self):
        self.bias_box = QCheckBox("include biases")
        self.bias_box.toggled.connect(lambda: self._rebuild_axes())
        self.header.addWidget(self.bias_box)
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.bar_plot = self.glw.addPlot(row=0, col=0, title="max |g| (light) and mean |g| (dark)")
        self.bar_plot.setLabel("left", "log10 |g|")
        self.max_bars = pg.BarGraphItem(x=[], height=[], width=0.8, y0=FLOOR,
                                        brush=pg.mkBrush(120, 200, 230), pen=None)
        self.mean_bars = pg.BarGraphItem(x=[], height=[], width=0.45, y0=FLOOR,
                                         brush=pg.mkBrush(20, 70, 170), pen=None)
        self.bar_plot.addItem(self.max_bars)
        self.bar_plot.addItem(self.mean_bars)
        self.time_plot = self.glw.addPlot(row=1, col=0, title="gradient norm over time")
        self.time_plot.setLogMode(y=True)
        self.time_plot.setLabel("bottom", "step")
        self.time_plot.addLegend(offset=(-10, 10))
        self.time_plot.setClipToView(True)
        self.time_plot.setDownsampling(auto=True, mode="peak")
        self.time_plot.disableAutoRange()
        self.time_range = StableRange(self.time_plot, log_y=True)
        self.curves = {}
        self.names = []

    def _rebuild_axes(self):
        snap = self.runner.snapshot
        if snap is not None:
            self.names = []
            self.refresh(self.runner)

    def _params(self, gradients):
        return list(gradients) if self.bias_box.isChecked() else flow_params(gradients)

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None or not snap.gradients:
            return
        names = self._params(snap.gradients)
        if names != self.names:  # the graph changed: new tick labels and curves
            self.names = names
            self.bar_plot.getAxis("bottom").setTicks([list(enumerate(names))])
            for c in self.curves.values():
                self.time_plot.removeItem(c)
            self.time_plot.legend.clear()
            self.curves = {n: self.time_plot.plot([], [], name=n, pen=pg.mkPen(color(i), width=1.3),
                                                   connect="finite")
                           for i, n in enumerate(names)}
        x = np.arange(len(names), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mx = np.log10([snap.gradients[n].max_abs for n in names])
            mean = np.log10([snap.gradients[n].mean_abs for n in names])
        mx = np.clip(np.nan_to_num(mx, nan=FLOOR, neginf=FLOOR, posinf=6), FLOOR, 6)
        mean = np.clip(np.nan_to_num(mean, nan=FLOOR, neginf=FLOOR, posinf=6), FLOOR, 6)
        self.max_bars.setOpts(x=x, height=mx - FLOOR, y0=FLOOR)
        self.mean_bars.setOpts(x=x, height=mean - FLOOR, y0=FLOOR)
        self.bar_plot.setYRange(max(FLOOR, float(mean.min()) - 1), float(mx.max()) + 0.5, padding=0)
        self.bar_plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        h = runner.history
        steps = h.column("step")
        for n, curve in self.curves.items():
            v = h.column("grad:" + n)
            keep = np.isfinite(v) & (v > 0)
            curve.setData(steps[keep], v[keep])
        self.time_range.update(steps, [h.column("grad:" + n) for n in self.curves])

    def clear(self):
        for c in self.curves.values():
            c.setData([], [])
        self.time_range.reset()
