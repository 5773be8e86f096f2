"""Optimizer paths on the engine's 2-D test surfaces: contours, and several optimizers
racing from one start point. Sliders for the learning rate and the momentum/betas redraw
the paths live; presets reproduce the course figures. Every path comes from
``engine.optim.surfaces.optimize_path`` with real engine optimizers: this module only
chooses which optimizers race and draws what they did.

Click on the plot to move the start point.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRectF, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QSpinBox

from engine import optim
from engine.optim import lr_scheduler, surfaces

from ..i18n import number
from .base import SEQUENTIAL, Panel, color

@dataclass
class Knobs:
    lr: float = 0.02
    momentum: float = 0.9   # SGD's beta; Adam's beta1
    beta2: float = 0.999    # Adam's beta2; RMSprop's alpha
    steps: int = 150


class Scheduled:
    """An optimizer whose learning-rate schedule steps after every optimizer step."""

    def __init__(self, opt, make_schedule):
        self.opt = opt
        self.schedule = make_schedule(opt)

    def step(self, closure):
        loss = self.opt.step(closure)
        self.schedule.step()
        return loss


def _sgd(**kw):
    return lambda ps: optim.SGD(ps, **kw)


def _scheduled(make_schedule, **kw):
    return lambda ps: Scheduled(optim.SGD(ps, **kw), make_schedule)


def preset_momentum(k: Knobs):
    return [(QCoreApplication.translate("PathsPanel", "momentum β={b}").format(b=number(b)), _sgd(lr=k.lr, momentum=b))
            for b in sorted({0.0, 0.5, round(k.momentum, 4)})]


def preset_nesterov(k: Knobs):
    mu = max(k.momentum, 1e-3)
    return [("SGD", _sgd(lr=k.lr)),
            (QCoreApplication.translate("PathsPanel", "momentum β={b}").format(b=number(mu)), _sgd(lr=k.lr, momentum=mu)),
            (f"Nesterov β={number(mu)}", _sgd(lr=k.lr, momentum=mu, nesterov=True))]


def preset_adaptive(k: Knobs):
    return [("SGD", _sgd(lr=k.lr)),
            ("RMSprop", lambda ps: optim.RMSprop(ps, lr=k.lr, alpha=k.beta2)),
            ("Adam", lambda ps: optim.Adam(ps, lr=k.lr, betas=(k.momentum, k.beta2)))]


def preset_decay(k: Knobs):
    n = k.steps
    return [(QCoreApplication.translate("PathsPanel", "constant"), _sgd(lr=k.lr)),
            (QCoreApplication.translate("PathsPanel", "StepLR (halve every 10)"), _scheduled(
                lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.5), lr=k.lr)),
            (f"ExponentialLR γ={number(0.97)}", _scheduled(
                lambda o: lr_scheduler.ExponentialLR(o, gamma=0.97), lr=k.lr)),
            ("CosineAnnealingLR", _scheduled(
                lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=n), lr=k.lr))]


def preset_second_order(k: Knobs):
    return [(QCoreApplication.translate("PathsPanel", "gradient descent"), _sgd(lr=k.lr)),
            ("Newton", lambda ps: optim.Newton(ps, lr=1.0)),
            (QCoreApplication.translate("PathsPanel", "conjugate gradient"), lambda ps: optim.ConjugateGradient(ps, line_search="exact"))]


#: name -> (racers(knobs), surface maker, default knobs); the course figures
PRESETS = {
    QT_TRANSLATE_NOOP("PathsPanel", "Momentum, several β"): (preset_momentum, lambda: surfaces.quadratic(condition=20.0, angle=0.4),
                            Knobs(lr=0.02, momentum=0.9, steps=120)),
    QT_TRANSLATE_NOOP("PathsPanel", "Momentum vs Nesterov"): (preset_nesterov, lambda: surfaces.quadratic(condition=20.0, angle=0.4),
                             Knobs(lr=0.02, momentum=0.9, steps=120)),
    QT_TRANSLATE_NOOP("PathsPanel", "SGD vs RMSprop vs Adam"): (preset_adaptive, surfaces.beale,
                               Knobs(lr=0.01, momentum=0.9, beta2=0.999, steps=300)),
    QT_TRANSLATE_NOOP("PathsPanel", "Learning-rate decay"): (preset_decay, lambda: surfaces.quadratic(condition=20.0, angle=0.4),
                            Knobs(lr=0.102, momentum=0.0, steps=120)),
    QT_TRANSLATE_NOOP("PathsPanel", "Newton and conjugate gradient"): (preset_second_order,
                                      lambda: surfaces.quadratic(condition=10.0, angle=0.6),
                                      Knobs(lr=0.05, momentum=0.0, steps=40)),
}


#: the engine's test surfaces as the list names them (Rosenbrock, Beale... are names)
SURFACE_NAMES = {"quadratic": QT_TRANSLATE_NOOP("PathsPanel", "quadratic"),
                 "saddle": QT_TRANSLATE_NOOP("PathsPanel", "saddle"),
                 "six_hump_camel": QT_TRANSLATE_NOOP("PathsPanel", "six-hump camel")}


def race(racers, surface, start, steps):
    """[(label, path (steps+1, 2))] for each (label, optimizer factory)."""
    return [(label, surfaces.optimize_path(surface, factory, start, steps))
            for label, factory in racers]


# sliders are integers: map them to the knobs on log / "1 - beta" scales
def lr_from_slider(v):
    return float(10 ** (-4 + 4 * v / 1000))


def lr_to_slider(lr):
    return int(round((np.log10(lr) + 4) / 4 * 1000))


def beta_from_slider(v):
    """β with 1 - β rounded to two significant digits: the legend reads β=0.9, not 0.8998."""
    return 1.0 - float(f"{10 ** (-3 * v / 1000):.2g}") if v else 0.0


def beta_to_slider(b):
    return 0 if b <= 0 else int(round(-np.log10(max(1 - b, 1e-3)) / 3 * 1000))


class PathsPanel(Panel):
    follows_run = False  # optimizers on the engine's test surfaces, not the document's run
    title = QT_TRANSLATE_NOOP("Panel", "Optimizer paths")
    name = "paths"

    def build(self):
        self.preset_box = QComboBox()
        for name in PRESETS:   # shown translated; the data is the key
            self.preset_box.addItem(self.tr(name), name)
        self.header.addWidget(self.preset_box)
        self.surface_box = QComboBox()
        for key in surfaces.SURFACES:
            self.surface_box.addItem(self.tr(SURFACE_NAMES[key]) if key in SURFACE_NAMES else key.title(), key)
        self.surface_box.setToolTip(self.tr("Surface (a preset picks its own; change it here)"))
        self.header.addWidget(self.surface_box)
        self.knob_row = self.add_row()
        self.lr_slider = self._slider("lr", 0, 1000)
        self.mom_slider = self._slider("β", 0, 1000)
        self.beta2_slider = self._slider("β₂", 0, 1000)
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, 5000)
        self.steps_box.setPrefix(self.tr("steps "))
        self.steps_box.valueChanged.connect(self.schedule_update)
        self.knob_row.addWidget(self.steps_box)
        self.knob_label = self.add_label(row=self.knob_row)

        self.plot = pg.PlotWidget()
        self.vbox.addWidget(self.plot, 1)
        self.plot.setAspectLocked(False)
        self.plot.addLegend(offset=(-10, 10))
        self.contour_image = pg.ImageItem()
        self.contour_image.setLookupTable(SEQUENTIAL)
        self.contour_image.setOpacity(0.55)
        self.plot.addItem(self.contour_image)
        self.isocurves = []
        self.minima = pg.ScatterPlotItem(symbol="star", size=14, brush=pg.mkBrush("w"),
                                         pen=pg.mkPen("k"))
        self.plot.addItem(self.minima)
        self.start_marker = pg.ScatterPlotItem(symbol="o", size=10, brush=pg.mkBrush("k"))
        self.plot.addItem(self.start_marker)
        self.curves, self.ends = [], []
        self.paths = []
        self.plot.scene().sigMouseClicked.connect(self._on_click)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.update_paths)
        self.surface = None
        self.start = None
        self.preset_box.currentIndexChanged.connect(lambda _i: self.set_preset(self.preset_box.currentData()))
        self.surface_box.currentIndexChanged.connect(lambda _i: self._on_surface_box(self.surface_box.currentData()))
        self.set_preset(self.preset_box.currentData())

    def _slider(self, label, lo, hi):
        self.knob_row.addWidget(QLabel(label))
        s = QSlider(Qt.Horizontal)
        s.setRange(lo, hi)
        s.setMaximumWidth(110)
        s.valueChanged.connect(self.schedule_update)
        self.knob_row.addWidget(s)
        return s

    # ----- knobs -------------------------------------------------------------------
    def knobs(self) -> Knobs:
        return Knobs(lr=lr_from_slider(self.lr_slider.value()),
                     momentum=beta_from_slider(self.mom_slider.value()),
                     beta2=min(beta_from_slider(self.beta2_slider.value()), 0.9999),
                     steps=self.steps_box.value())

    def set_knobs(self, k: Knobs):
        for w, v in ((self.lr_slider, lr_to_slider(k.lr)), (self.mom_slider, beta_to_slider(k.momentum)),
                     (self.beta2_slider, beta_to_slider(k.beta2)), (self.steps_box, k.steps)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)

    def apply_options(self, options: dict):
        """A lesson's options: {"preset": one of PRESETS' keys} (the course figure to show)."""
        name = options.get("preset")
        index = self.preset_box.findData(name)
        if index < 0:
            return
        if index == self.preset_box.currentIndex():
            self.set_preset(name)
        else:
            self.preset_box.setCurrentIndex(index)   # set_preset follows the box

    def set_preset(self, name):
        racers, make_surface, knobs = PRESETS[name]
        self.racers = racers
        self.set_knobs(knobs)
        self.set_surface(make_surface())
        key = next((k for k, make in surfaces.SURFACES.items()
                    if make().name.split(" ")[0] == self.surface.name.split(" ")[0]), None)
        if key:
            self.surface_box.blockSignals(True)
            self.surface_box.setCurrentIndex(self.surface_box.findData(key))
            self.surface_box.blockSignals(False)
        self.update_paths()

    def _on_surface_box(self, key):
        self.set_surface(surfaces.by_name(key))
        self.update_paths()

    def set_surface(self, surface):
        self.surface = surface
        self.start = tuple(surface.start)
        X, Y, Z = surfaces.surface_grid(surface, 160, 160)
        level = np.log10(Z - np.nanmin(Z) + 1e-3)
        self.contour_image.setImage(level, autoLevels=True)
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        self.contour_image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        for iso in self.isocurves:
            self.plot.removeItem(iso)
        self.isocurves = []
        for lv in np.linspace(np.nanmin(level), np.nanmax(level), 14)[1:-1]:
            iso = pg.IsocurveItem(data=level, level=lv, pen=pg.mkPen((60, 60, 60, 120)))
            iso.setParentItem(self.contour_image)
            self.isocurves.append(iso)
        self.minima.setData(pos=list(surface.minima) or [])
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def schedule_update(self, *_):
        self._timer.start()

    # ----- paths -------------------------------------------------------------------
    def update_paths(self):
        k = self.knobs()
        self.knob_label.setText(f"lr {number(k.lr, '.3g')}  β {number(k.momentum)}  β₂ {number(k.beta2)}")
        racers = self.racers(k)
        self.paths = race(racers, self.surface, self.start, k.steps)
        if len(self.curves) != len(self.paths) or [c.name() for c in self.curves] != [l for l, _ in self.paths]:
            for item in self.curves + self.ends:
                self.plot.removeItem(item)
            self.plot.getPlotItem().legend.clear()
            self.curves, self.ends = [], []
            for i, (label, _) in enumerate(self.paths):
                c = self.plot.plot([], [], name=label, pen=pg.mkPen(color(i), width=2), connect="finite")
                e = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(color(i)), pen=pg.mkPen("k"))
                self.plot.addItem(e)
                self.curves.append(c)
                self.ends.append(e)
        for (label, path), c, e in zip(self.paths, self.curves, self.ends):
            c.setData(path[:, 0], path[:, 1])
            finite = path[np.isfinite(path).all(1)]
            e.setData(pos=finite[-1:])
        self.start_marker.setData(pos=[self.start])

    def end_points(self) -> dict:
        """label -> last finite point of its path (for tests and the status line)."""
        return {label: path[np.isfinite(path).all(1)][-1] for label, path in self.paths}

    def _on_click(self, event):
        if event.button() != Qt.LeftButton:
            return
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        self.start = (p.x(), p.y())
        self.update_paths()
