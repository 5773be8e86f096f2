"""Confusion matrix on the test set (classification): rows are the true class, columns
the predicted one; colour is the fraction of each true class, the numbers are counts."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg


from .base import BLUES, Panel


class ConfusionPanel(Panel):
    title = "Confusion matrix"
    name = "confusion"

    def build(self):
        self.info = self.add_label()
        self.plot = pg.PlotWidget()
        self.vbox.addWidget(self.plot, 1)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        self.image = pg.ImageItem()
        self.image.setLookupTable(BLUES)
        self.plot.addItem(self.image)
        self.texts = []
        self.k = 0

    def needs(self):
        return {"confusion": True}

    def _relayout(self, k, names):
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        for i in range(k):
            for j in range(k):
                t = pg.TextItem("", anchor=(0.5, 0.5), color="k")
                t.setPos(j + 0.5, i + 0.5)
                self.plot.addItem(t)
                self.texts.append(t)
        ticks = [(i + 0.5, str(n)) for i, n in enumerate(names)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("left").setTicks([ticks])
        self.plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)
        self.k = k

    def refresh(self, runner):
        cm = runner.confusion
        ds = runner.dataset
        if cm is None or ds is None:
            if ds is not None and ds.task != "classification":
                self.info.setText("regression: no classes")
            return
        k = cm.shape[0]
        if k != self.k:
            names = ds.class_names or tuple(range(k))
            self._relayout(k, names)
        rows = cm.sum(1, keepdims=True)
        frac = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)
        self.image.setImage(frac, levels=(0.0, 1.0))
        for i in range(k):
            for j in range(k):
                self.texts[i * k + j].setText(str(int(cm[i, j])))
                self.texts[i * k + j].setColor("w" if frac[i, j] > 0.6 else "k")
        total = cm.sum()
        self.info.setText(f"test accuracy {np.trace(cm) / total:.1%} on {total} samples"
                          if total else "")

    def clear(self):
        self.k = -1
