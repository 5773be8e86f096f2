"""The initialisation explorer: for a chosen depth, width, activation and initialisation,
the variance of the activations and of the back-propagated gradients at every layer of a
freshly initialised network (the picture of Glorot & Bengio, 2010). It updates as the
choices change; the numbers come from engine.train.initstats on random data, so the panel
needs no training run.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from engine.train import initstats

from ..i18n import number
from .base import SERIES, DecadeAxis, Panel, SideBySide

INIT_LABELS = {"standard": QT_TRANSLATE_NOOP("InitExplorerPanel", "standard U(±1/√n)"),
               "xavier_uniform": QT_TRANSLATE_NOOP("InitExplorerPanel", "Xavier uniform"),
               "xavier_normal": QT_TRANSLATE_NOOP("InitExplorerPanel", "Xavier normal"),
               "kaiming_uniform": QT_TRANSLATE_NOOP("InitExplorerPanel", "He (Kaiming) uniform"),
               "kaiming_normal": QT_TRANSLATE_NOOP("InitExplorerPanel", "He (Kaiming) normal")}


class InitExplorerPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Initialisation")
    name = "init"
    follows_run = False   # its own experiment: it keeps its plots when the document changes

    def build(self):
        self.depth_box = QSpinBox(minimum=1, maximum=30, value=10)
        self.depth_box.setPrefix(self.tr("depth "))
        self.width_box = QSpinBox(minimum=2, maximum=256, value=64)
        self.width_box.setPrefix(self.tr("width "))
        self.act_box = QComboBox()
        self.act_box.addItems(list(initstats.ACTIVATIONS))
        self.act_box.setCurrentText("Sigmoid")
        self.init_box = QComboBox()
        for key in initstats.INITS:
            self.init_box.addItem(self.tr(INIT_LABELS[key]), key)
        for w in (self.depth_box, self.width_box, self.act_box, self.init_box):
            self.header.addWidget(w)
        for box in (self.depth_box, self.width_box):
            box.valueChanged.connect(lambda _: self.recompute())
        for box in (self.act_box, self.init_box):
            box.currentIndexChanged.connect(lambda _: self.recompute())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.vbox.addWidget(self.summary)
        self.glw = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.glw, 1)
        self.act_plot = self.glw.addPlot(row=0, col=0, title=self.tr("variance of the activations h_l"),
                                         axisItems={"left": DecadeAxis("left")})
        self.grad_plot = self.glw.addPlot(row=0, col=1, title=self.tr("variance of the gradients dL/dh_l"),
                                          axisItems={"left": DecadeAxis("left")})
        self.curves = {}
        for key, plot, color in (("activation_var", self.act_plot, SERIES[0]),
                                 ("gradient_var", self.grad_plot, SERIES[3])):
            plot.setLogMode(y=True)
            plot.setLabel("bottom", self.tr("layer (input side left)"))
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.showGrid(x=False, y=True, alpha=0.2)
            self.curves[key] = plot.plot([], [], pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                                         symbolBrush=color)
        self.arrangement = SideBySide(self.glw, self.act_plot, self.grad_plot)
        self.stats = None
        self.recompute()

    def recompute(self):
        """Compute the statistics for the current choices (a few milliseconds) and draw them."""
        width = self.width_box.value()
        # a wide net has samples enough in fewer rows: the panel stays quick in the GUI thread
        self.stats = initstats.init_statistics(self.depth_box.value(), width, self.act_box.currentText(),
                                               self.init_box.currentData(), batch=256 if width <= 64 else 64)
        s = self.stats
        for key, curve in self.curves.items():
            v = np.asarray(s[key], dtype=float)
            keep = np.isfinite(v) & (v > 0)
            curve.setData(np.asarray(s["layers"], dtype=float)[keep], v[keep])
        g = np.asarray(s["gradient_var"], dtype=float)
        a = np.asarray(s["activation_var"], dtype=float)
        self.summary.setText(self.tr(
            "From the last layer to the first the gradients' variance changes {g}×, the activations' "
            "{a}× from the first layer to the last. Glorot & Bengio: keep both about constant "
            "(Xavier for tanh, He for ReLU).").format(
            g=number(g[0] / g[-1] if g[-1] > 0 else float("nan"), ".2g"),
            a=number(a[-1] / a[0] if a[0] > 0 else float("nan"), ".2g")))

    def apply_options(self, options: dict):
        """A lesson's choices: {"depth", "width", "activation", "init"}."""
        if "depth" in options:
            self.depth_box.setValue(int(options["depth"]))
        if "width" in options:
            self.width_box.setValue(int(options["width"]))
        if options.get("activation") in initstats.ACTIVATIONS:
            self.act_box.setCurrentText(options["activation"])
        if options.get("init") in initstats.INITS:
            self.init_box.setCurrentIndex(initstats.INITS.index(options["init"]))
