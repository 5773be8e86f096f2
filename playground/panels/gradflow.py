"""Gradient flow: per-layer max and mean |g| as bars (the well-known grad-flow plot,
on a log scale so that vanishing gradients show as bars that shrink towards the
input), and every layer's gradient norm over time on a log scale."""
from __future__ import annotations

import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox

from .base import (SEQUENTIAL, DecadeAxis, Panel, SideBySide, StableRange, color, is_bias,
                   live_curve, live_plot)

NO_GRADIENTS = QT_TRANSLATE_NOOP("GradFlowPanel", "No gradients yet: press Play or Step to train.")
FLOOR = -12.0  # log10 of the smallest |g| drawn (zero gradients sit on the floor)
#: the fixed scale (log10 |g|, option scale: fixed): the same axis in every lesson, so
#: two of them can be compared; a bar outside it is drawn at its edge with a marker
FIXED_RANGE = (-8.0, 2.0)


def bar_tops(values, lo, hi):
    """log10 |g| of the bars drawn between ``lo`` and ``hi``, and which ones lie beyond
    (below lo: zero or vanishing; above hi): those are drawn at the edge, with a marker,
    never left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log10(np.asarray(values, dtype=float))
    v = np.nan_to_num(v, nan=-np.inf)
    return np.clip(v, lo, hi), v < lo, v > hi


def short_name(param: str) -> str:
    """A bar's label: the parameter without ".weight" (the bars are weights unless biases
    are included), so that neighbouring labels do not run into each other."""
    return param[:-len(".weight")] if param.endswith(".weight") else param


def thinned_ticks(names, width_px: float, char_px: float = 7.0) -> list:
    """(position, label) for every k-th bar, k chosen so the labels fit ``width_px``."""
    if not names:
        return []
    labels = [short_name(n) for n in names]
    # a prefix every bar shares ("attn.branches.") says nothing: label what differs
    prefix = os.path.commonprefix(labels)
    prefix = prefix[:prefix.rfind(".") + 1]
    if len(labels) > 1 and all(len(t) > len(prefix) for t in labels):
        labels = [t[len(prefix):] for t in labels]
    need = (max(len(t) for t in labels) + 2) * char_px
    every = max(1, int(np.ceil(need * len(labels) / max(width_px, 1.0))))
    return [(i, labels[i]) for i in range(0, len(labels), every)]


def curve_pens(n: int, legend_max: int = 4):
    """Pens for ``n`` layers' curves, and whether a legend is worth showing. A few layers
    get distinct colours and a legend; many get a dark-to-light ramp from the input side
    to the output side (a legend of ten entries would cover the plot), so vanishing
    gradients read as dark curves at the bottom."""
    if n <= legend_max:
        return [pg.mkPen(color(i), width=1.5) for i in range(n)], True
    ramp = SEQUENTIAL[np.linspace(0, len(SEQUENTIAL) * 0.9, n).astype(int)]
    return [pg.mkPen(tuple(int(c) for c in rgb), width=1.3) for rgb in ramp], False


def flow_params(gradients: dict) -> list:
    """The parameters to plot, input side first: weights only when there are any."""
    names = list(gradients)
    weights = [n for n in names if not is_bias(n)]
    return weights or names


class GradFlowPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Gradient flow")
    name = "gradflow"

    def build(self):
        self.bias_box = QCheckBox(self.tr("include biases"))
        self.bias_box.toggled.connect(lambda: self._rebuild_axes())
        self.header.addWidget(self.bias_box)
        self.fixed_box = QCheckBox(self.tr("fixed scale"))
        self.fixed_box.setToolTip(self.tr("The same axis, 1e-8 to 1e2, for every graph: "
                                          "gradients of two lessons can be compared"))
        self.fixed_box.toggled.connect(lambda: self._rebuild_axes())
        self.header.addWidget(self.fixed_box)
        self.info = self.add_label(self.tr(NO_GRADIENTS))
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.bar_plot = self.glw.addPlot(row=0, col=0, title=self.tr("max |g| (light) and mean |g| (dark)"))
        self.bar_plot.setLabel("left", "log10 |g|")
        self.max_bars = pg.BarGraphItem(x=[], height=[], width=0.8, y0=FLOOR,
                                        brush=pg.mkBrush(120, 200, 230), pen=None)
        self.mean_bars = pg.BarGraphItem(x=[], height=[], width=0.45, y0=FLOOR,
                                         brush=pg.mkBrush(20, 70, 170), pen=None)
        self.bar_plot.addItem(self.max_bars)
        self.bar_plot.addItem(self.mean_bars)
        # bars beyond the axis: a red triangle at the edge (pointing where the value lies)
        self.below = pg.ScatterPlotItem(symbol="t", size=11, brush=pg.mkBrush(200, 40, 40), pen=None)
        self.above = pg.ScatterPlotItem(symbol="t1", size=11, brush=pg.mkBrush(200, 40, 40), pen=None)
        self.bar_plot.addItem(self.below)
        self.bar_plot.addItem(self.above)
        self.time_plot = self.glw.addPlot(row=1, col=0, title=self.tr("gradient norm over time"),
                                          axisItems={"left": DecadeAxis("left")})
        self.time_plot.setLogMode(y=True)
        self.time_plot.setLabel("bottom", self.tr("step"))
        self.time_plot.addLegend(offset=(-10, 2), colCount=4, labelTextSize="8pt")
        for plot in (self.bar_plot, self.time_plot):
            plot.getAxis("left").setStyle(maxTextLevel=0)  # decades only: legible when short
        self._tick_width = None
        live_plot(self.time_plot)
        self.time_range = StableRange(self.time_plot, log_y=True)
        self.arrangement = SideBySide(self.glw, self.bar_plot, self.time_plot)
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
            self.info.setText(self.tr(NO_GRADIENTS))
            return
        self.info.setText("")
        names = self._params(snap.gradients)
        if names != self.names:  # the graph changed: new tick labels and curves
            self.names = names
            self._tick_width = None
            for c in self.curves.values():
                self.time_plot.removeItem(c)
            self.time_plot.legend.clear()
            pens, legend = curve_pens(len(names))
            self.time_plot.setTitle(self.tr("gradient norm over time") + (
                "" if legend else " " + self.tr("(dark: input side, light: output side)")))
            self.curves = {n: live_curve(self.time_plot, [], [], name=short_name(n) if legend else None,
                                         pen=pen, connect="finite")
                           for n, pen in zip(names, pens)}
        width = round(self.bar_plot.vb.width() / 50) * 50  # re-thin only on real resizes
        if width != self._tick_width:
            self._tick_width = width
            self.bar_plot.getAxis("bottom").setTicks([thinned_ticks(names, width), []])
        x = np.arange(len(names), dtype=float)
        mx_abs = [snap.gradients[n].max_abs for n in names]
        mean_abs = [snap.gradients[n].mean_abs for n in names]
        if self.fixed_box.isChecked():
            lo, hi = FIXED_RANGE
        else:
            finite = bar_tops(mean_abs + mx_abs, FLOOR, 6.0)[0]
            lo, hi = max(FLOOR, float(finite.min()) - 1), float(finite.max()) + 0.5
        mx, mx_low, mx_high = bar_tops(mx_abs, lo, hi)
        mean, mean_low, mean_high = bar_tops(mean_abs, lo, hi)
        self.max_bars.setOpts(x=x, height=mx - FLOOR, y0=FLOOR)
        self.mean_bars.setOpts(x=x, height=mean - FLOOR, y0=FLOOR)
        low, high = mx_low | mean_low, mx_high | mean_high
        pad = 0.04 * (hi - lo)
        self.below.setData(x=x[low], y=np.full(int(low.sum()), lo + pad))
        self.above.setData(x=x[high], y=np.full(int(high.sum()), hi - pad))
        self.bar_plot.setYRange(lo, hi, padding=0)
        self.bar_plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        h = runner.history
        steps = h.column("step")
        for n, curve in self.curves.items():
            v = h.column("grad:" + n)
            keep = np.isfinite(v) & (v > 0)
            curve.setData(steps[keep], v[keep])
        self.time_range.update(steps, [h.column("grad:" + n) for n in self.curves])
        if self.fixed_box.isChecked():   # norms over time on the same fixed decades
            self.time_plot.setYRange(*FIXED_RANGE, padding=0)

    def apply_options(self, options: dict):
        """A lesson's options: {"scale": "fixed"} (or "auto")."""
        if "scale" in options:
            self.fixed_box.setChecked(options["scale"] == "fixed")

    def clear(self):
        for c in self.curves.values():
            c.setData([], [])
        for bars in (self.max_bars, self.mean_bars):
            bars.setOpts(x=[], height=[])
        self.below.setData([], [])
        self.above.setData([], [])
        self.info.setText(self.tr(NO_GRADIENTS))
        self.time_range.reset()
        if self.runner.snapshot is None:  # a new document: not one of its parameters is known
            for c in self.curves.values():
                self.time_plot.removeItem(c)
            self.time_plot.legend.clear()
            self.curves, self.names = {}, []
