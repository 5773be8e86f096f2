"""Loss and metrics: train/test curves over steps, log-scale option, history to CSV."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QFileDialog, QToolButton

from .base import DecadeAxis, Panel, StableRange, color

LOSS_CURVES = (("loss", "batch loss", 0), ("train_loss", "train loss", 1),
               ("test_loss", "test loss", 3))


def set_finite(curve, x, y):
    """Plot only the rows that have this value: full-set losses and accuracies are
    evaluated on some probes only, and NaN gaps would cut the line into dots."""
    keep = np.isfinite(y)
    curve.setData(x[keep], y[keep])


class LossPanel(Panel):
    title = "Loss and metrics"
    name = "loss"

    def build(self):
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self._set_log)
        self.header.addWidget(self.log_box)
        csv = QToolButton(text="CSV")
        csv.setToolTip("Export the training history (every probe) as CSV")
        csv.clicked.connect(lambda: self.export_csv())
        self.header.addWidget(csv)
        self.status = self.add_label()

        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.loss_plot = self.glw.addPlot(row=0, col=0, axisItems={"left": DecadeAxis("left")})
        self.loss_plot.setLabel("left", "loss")
        # one row, where the curves are not: losses fall (top right), metrics rise (bottom right)
        self.loss_plot.addLegend(offset=(-10, 2), colCount=3)
        self.curves = {}
        for key, label, ci in LOSS_CURVES:
            self.curves[key] = self.loss_plot.plot([], [], name=label,
                                                   pen=pg.mkPen(color(ci), width=1.5),
                                                   connect="finite")
        self.metric_plot = self.glw.addPlot(row=1, col=0)
        self.metric_plot.setLabel("left", "metric")
        self.metric_plot.setLabel("bottom", "step")
        self.metric_plot.addLegend(offset=(-10, -2), colCount=4)
        self.metric_plot.setXLink(self.loss_plot)
        self.glw.ci.layout.setRowStretchFactor(0, 3)
        self.glw.ci.layout.setRowStretchFactor(1, 2)
        for p in (self.loss_plot, self.metric_plot):
            p.setClipToView(True)
            p.setDownsampling(auto=True, mode="peak")
            p.disableAutoRange()
        self.metric_curves = {}
        self._no_metric_title = False   # the metric plot says why it is empty (regression)
        self.loss_range = StableRange(self.loss_plot)
        self.metric_range = StableRange(self.metric_plot)

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

    def refresh(self, runner):
        h = runner.history
        if not len(h):
            self.status.setText("No training yet: press Play or Step.")
            return
        steps = h.column("step")
        for key, curve in self.curves.items():
            set_finite(curve, steps, h.column(key))
        self.loss_range.update(steps, [h.column(k) for k in self.curves])
        for key in h.names():
            if key.startswith("metric:"):
                curve = self.metric_curves.get(key)
                if curve is None:
                    ci = 2 + len(self.metric_curves) * 2
                    curve = self.metric_curves[key] = self.metric_plot.plot(
                        [], [], name=key[7:], pen=pg.mkPen(color(ci), width=1.5),
                        connect="finite")
                set_finite(curve, steps, h.column(key))
        if self.metric_curves:
            self.metric_range.update(steps, [h.column(k) for k in self.metric_curves])
        ds = runner.dataset
        regression = not self.metric_curves and ds is not None and ds.task == "regression"
        if regression != self._no_metric_title:
            self._no_metric_title = regression
            self.metric_plot.setTitle("no accuracy for a regression task: the loss is the measure"
                                      if regression else None, size="9pt")
        snap = runner.snapshot
        if snap is not None:
            parts = [f"step {snap.step}", f"epoch {snap.epoch:.1f}", f"loss {snap.loss:.3g}"]
            if snap.test_loss is not None:
                parts.append(f"test loss {snap.test_loss:.3g}")
            parts += [f"{k} {v:.2f}" for k, v in snap.metrics.items()]
            self.status.setText("  ".join(parts))
            self.status.setToolTip(self.status.text())

    def export_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export history", "history.csv",
                                                  "CSV (*.csv)")
            if not path:
                return False
        self.runner.history.to_csv(path)
        return True
