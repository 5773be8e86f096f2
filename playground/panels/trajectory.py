"""The network's own path: its parameter history projected on the plane of the first two
principal components, over the loss evaluated on that plane (engine.train.landscape).
The worker recomputes the landscape about once a second while this panel is visible."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF
from PySide6.QtWidgets import QSpinBox

from .base import SEQUENTIAL, Panel


NO_PATH = QT_TRANSLATE_NOOP("TrajectoryPanel", "Train a few steps: the path needs three parameter snapshots.")


class TrajectoryPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Loss landscape and trajectory")
    name = "trajectory"

    def build(self):
        self.res = QSpinBox()
        self.res.setRange(5, 61)
        self.res.setValue(21)
        self.res.setPrefix(self.tr("grid "))
        self.res.setToolTip(self.tr("Grid points per side of the loss landscape (more is slower)"))
        self.res.valueChanged.connect(lambda _: self.update_needs())
        self.header.addWidget(self.res)
        self.info = self.add_label(self.tr(NO_PATH))
        self.plot = pg.PlotWidget()
        self.vbox.addWidget(self.plot, 1)
        self.plot.setLabel("bottom", self.tr("PC 1"))
        self.plot.setLabel("left", self.tr("PC 2"))
        self.image = pg.ImageItem()
        self.image.setLookupTable(SEQUENTIAL)
        self.image.setOpacity(0.7)
        self.plot.addItem(self.image)
        self.isocurves = []
        for _ in range(10):
            iso = pg.IsocurveItem(pen=pg.mkPen((40, 40, 40, 110)))
            iso.setParentItem(self.image)
            self.isocurves.append(iso)
        self.path = self.plot.plot([], [], pen=pg.mkPen((214, 39, 40), width=2),
                                   symbol="o", symbolSize=3, symbolBrush=(214, 39, 40))
        self.now = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=2))
        self.plot.addItem(self.now)

    def needs(self):
        return {"landscape": True, "landscape_n": self.res.value()}

    def refresh(self, runner):
        land = runner.landscape
        if not land:
            return
        xs, ys, Z = land["xs"], land["ys"], np.asarray(land["loss"], dtype=float)
        logz = np.log10(np.clip(Z - np.nanmin(Z), 0, None) + 1e-3 * (np.nanmax(Z) - np.nanmin(Z) + 1e-12))
        self.image.setImage(logz, autoLevels=True)
        self.image.setRect(QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))
        finite = logz[np.isfinite(logz)]
        if finite.size:
            for iso, lv in zip(self.isocurves, np.linspace(finite.min(), finite.max(), 12)[1:-1]):
                iso.setData(logz, lv)
        path = np.asarray(land["path"], dtype=float)
        self.path.setData(path[:, 0], path[:, 1])
        self.now.setData(pos=path[-1:])
        ev = land.get("explained")
        text = self.tr("{n} points").format(n=len(path))
        if ev is not None:
            text += self.tr("; the plane explains {n}% of the movement").format(n=f"{100 * float(np.sum(ev)):.0f}")
        self.info.setText(text)

    def clear(self):
        self.info.setText(self.tr(NO_PATH))
        self.path.setData([], [])
        self.now.setData(pos=[])
        self.image.clear()
        for iso in self.isocurves:
            iso.setData(None)
