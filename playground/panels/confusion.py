"""Confusion matrix on the test set (classification): rows are the true class, columns
the predicted one; colour is the fraction of each true class, the numbers are counts."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QFont

from ..i18n import number
from .base import BLUES, Panel


def count_font(k: int) -> QFont:
    """Big bold counts for a few classes (legible on a projector), smaller for many."""
    font = QFont()
    font.setPointSize(14 if k <= 6 else 9)
    font.setBold(k <= 6)
    return font


class ConfusionPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Confusion")
    name = "confusion"

    def build(self):
        self.info = self.add_label()
        self.plot = pg.PlotWidget()
        self.vbox.addWidget(self.plot, 1)
        self.note = self.add_note()   # why there is no matrix
        self.plot.invertY(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("left", self.tr("true class"))
        self.plot.setLabel("bottom", self.tr("predicted class"))
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
        font = count_font(k)
        for i in range(k):
            for j in range(k):
                t = pg.TextItem("", anchor=(0.5, 0.5), color="k")
                t.setFont(font)
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
        regression = ds is not None and ds.task != "classification"
        self.plot.setVisible(not regression)
        self.note.setVisible(regression)
        if regression:
            self.info.setText("")
            self.note.setText(self.tr("{name} is a regression task: there are no classes, so no "
                                      "confusion matrix. The loss panel shows how far off the "
                                      "predictions are.").format(name=ds.name))
            return
        if cm is None or ds is None:
            if ds is not None:
                self.info.setText(self.tr("Waiting for the first evaluation on the test set"))
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
        self.info.setText(self.tr("test accuracy {percent}% on {n} samples").format(
            percent=number(100 * np.trace(cm) / total, ".1f"), n=total) if total else "")

    def clear(self):
        self.k = -1
        self.image.clear()
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        self.info.setText("")
