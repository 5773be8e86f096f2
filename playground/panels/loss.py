"""Loss and metrics: train/test curves over steps, log-scale option, history to CSV."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QToolButton

from ..i18n import number
from .base import DecadeAxis, Panel, StableRange, color, live_curve, live_plot

LOSS_CURVES = (("loss", QT_TRANSLATE_NOOP("LossPanel", "batch loss"), 0),
               ("train_loss", QT_TRANSLATE_NOOP("LossPanel", "train loss"), 1),
               ("test_loss", QT_TRANSLATE_NOOP("LossPanel", "test loss"), 3))
#: the snapshot's metric keys as the legend and the status line name them
METRIC_NAMES = {"train_acc": QT_TRANSLATE_NOOP("LossPanel", "train accuracy"),
                "test_acc": QT_TRANSLATE_NOOP("LossPanel", "test accuracy")}


def set_finite(curve, x, y):
    """Plot only the rows that have this value: full-set losses and accuracies are
    evaluated on some probes only, and NaN gaps would cut the line into dots. A curve whose
    rows are those it shows already is left alone (setData costs a redraw's budget)."""
    keep = np.isfinite(y)
    x, y = x[keep], y[keep]
    held_x, held_y = curve.xData, curve.yData
    if held_x is not None and len(held_x) == len(x) and len(x) and held_x[0] == x[0] \
            and held_x[-1] == x[-1] and held_y[-1] == y[-1]:
        return
    curve.setData(x, y)


def batch_losses(runner):
    """(steps, batch losses): each early step's (``runner.step_losses``), then the probes'."""
    h, early = runner.history, runner.step_losses
    steps, losses = h.column("step"), h.column("loss")
    if not len(early):
        return steps, losses
    first, last = early.column("step"), early.column("loss")
    later = steps > first[-1]
    return np.concatenate([first, steps[later]]), np.concatenate([last, losses[later]])


class LossPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Loss and metrics")
    name = "loss"

    def build(self):
        self.log_box = QCheckBox(self.tr("log scale"))
        self.log_box.toggled.connect(self._set_log)
        self.header.addWidget(self.log_box)
        csv = QToolButton(text="CSV")
        csv.setToolTip(self.tr("Export the training history (every probe) as CSV"))
        csv.clicked.connect(lambda: self.export_csv())
        self.header.addWidget(csv)
        self.status = self.add_label()

        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.loss_plot = self.glw.addPlot(row=0, col=0, axisItems={"left": DecadeAxis("left")})
        self.loss_plot.setLabel("left", self.tr("loss"))
        # one row, where the curves are not: losses fall (top right), metrics rise (bottom right)
        self.loss_plot.addLegend(offset=(-10, 2), colCount=3)
        self.curves = {}
        for key, label, ci in LOSS_CURVES:
            self.curves[key] = live_curve(self.loss_plot, [], [], name=self.tr(label),
                                          pen=self.curve_pen(key, ci), connect="finite")
        # the noisy batch loss under the train/test curves, not a blob over them
        self.curves["loss"].setZValue(-1)
        self.metric_plot = self.glw.addPlot(row=1, col=0)
        self.metric_plot.setLabel("left", self.tr("metric"))
        self.metric_plot.setLabel("bottom", self.tr("step"))
        self.metric_plot.addLegend(offset=(-10, -2), colCount=4)
        self.metric_plot.setXLink(self.loss_plot)
        self.glw.ci.layout.setRowStretchFactor(0, 3)
        self.glw.ci.layout.setRowStretchFactor(1, 2)
        for p in (self.loss_plot, self.metric_plot):
            live_plot(p)
        self.metric_curves = {}
        self._no_metric_title = False   # the metric plot says why it is empty (regression)
        self.loss_range = StableRange(self.loss_plot)
        self.metric_range = StableRange(self.metric_plot, set_x=False)   # x follows the loss plot's
        # the earlier moment the timeline shows (see panels/timeline.py), across both plots
        self.markers = []
        for p in (self.loss_plot, self.metric_plot):
            marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((90, 90, 90), width=1, style=Qt.DashLine))
            marker.hide()
            p.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)

    @staticmethod
    def curve_pen(key, ci):
        """The batch loss jumps from batch to batch: a thin, pale line; the train and test
        losses are the curves to read, from the back row too. Pale, not translucent: the
        colour at 47 % over the plots' white background, so that once presentation mode
        widens it, it is stroked in device pixels like the others (see DevicePixelCurve; a
        wide translucent line takes pyqtgraph's path, about three times the cost at every
        frame). It lies under the other curves, so nothing shows through it either way."""
        if key == "loss":
            c = pg.mkColor(color(ci))
            a = 120 / 255
            return pg.mkPen(tuple(round(255 + a * (v - 255)) for v in c.getRgb()[:3]), width=1)
        return pg.mkPen(color(ci), width=2)

    def apply_theme(self, recolour=None):
        if recolour:   # the batch loss's pale colour is made from a series colour: anew
            curve = self.curves["loss"]
            pen = self.curve_pen("loss", 0)
            pen.setWidthF(curve.opts["pen"].widthF())   # (the width restyle scaled)
            curve.setPen(pen)
        super().apply_theme(recolour)

    def _set_log(self, on):
        self.loss_plot.setLogMode(y=on)
        self.loss_range = StableRange(self.loss_plot, log_y=on)
        self.refresh(self.runner)

    def clear(self):
        for c in list(self.curves.values()) + list(self.metric_curves.values()):
            c.setData([], [])
        self.loss_range.reset()
        self.metric_range.reset()
        self.status.setText("")
        for marker in self.markers:
            marker.hide()

    def refresh(self, runner):
        h = runner.history
        if not len(h) and not len(runner.step_losses):
            self.status.setText(self.tr("No training yet: press Play or Step."))
            return
        steps = h.column("step")
        for key, curve in self.curves.items():
            if key != "loss":   # (set below)
                set_finite(curve, steps, h.column(key))
        # the batch loss of every early step (probes come every probe_every steps), then a probe's
        early_steps, early_losses = batch_losses(runner)
        set_finite(self.curves["loss"], early_steps, early_losses)
        # both plots share the x axis (linked): both ranges start at the first step drawn
        all_steps = np.concatenate([steps, early_steps])
        self.loss_range.update(all_steps, [h.column(k) for k in self.curves] + [early_losses],
                               tight=not runner.running)
        for key in h.names():
            if key.startswith("metric:"):
                curve = self.metric_curves.get(key)
                if curve is None:
                    ci = 2 + len(self.metric_curves) * 2
                    curve = self.metric_curves[key] = live_curve(
                        self.metric_plot, [], [], name=self.metric_name(key[7:]),
                        pen=pg.mkPen(color(ci), width=1.5), connect="finite")
                set_finite(curve, steps, h.column(key))
        if self.metric_curves:
            self.metric_range.update(all_steps, [h.column(k) for k in self.metric_curves])
        ds = runner.dataset
        regression = not self.metric_curves and ds is not None and ds.task == "regression"
        if regression != self._no_metric_title:
            self._no_metric_title = regression
            self.metric_plot.setTitle(self.tr("no accuracy for a regression task: the loss is the measure")
                                      if regression else None, size="9pt")
        for marker in self.markers:
            marker.setVisible(runner.preview_step is not None)
            if runner.preview_step is not None:
                marker.setPos(runner.preview_step)
        snap = runner.snapshot
        if snap is not None:
            parts = [self.tr("step {n}").format(n=snap.step), self.tr("epoch {n}").format(n=number(snap.epoch, ".1f")),
                     self.tr("loss {n}").format(n=number(snap.loss, ".3g"))]
            if snap.test_loss is not None:
                parts.append(self.tr("test loss {n}").format(n=number(snap.test_loss, ".3g")))
            parts += [f"{self.metric_name(k)} {number(v, '.2f')}" for k, v in snap.metrics.items()]
            self.status.setText("  ".join(parts))
            self.status.setToolTip(self.status.text())

    def metric_name(self, key: str) -> str:
        return self.tr(METRIC_NAMES[key]) if key in METRIC_NAMES else key

    def export_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export history"), "history.csv",
                                                  "CSV (*.csv)")
            if not path:
                return False
        self.runner.history.to_csv(path)
        return True
