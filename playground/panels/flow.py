"""Flow matching and diffusion: where the learned model carries noise, over the data, live.

The worker integrates the flow (or runs a diffusion model's DDIM steps) from a fixed cloud of
noise points (engine.train.flow, the "flow" view) after every few training steps; this panel
draws the data (faint, coloured by component), the cloud at the time the slider chooses (at
the right end: the generated samples), and the trajectories of a few dozen points from noise
to data. The play button sweeps the slider from the noise to the samples, so the class sees
the noise pour into the shape of the data.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QSlider, QToolButton

from engine.train import flow as engine_flow
from engine.train import views as engine_views

from ..i18n import number
from .base import CLASS_COLORS, marker_size
from .latent import PREFERRED
from .views import ViewPanel

#: trajectories drawn as lines (a few dozen: more would be a tangle)
SHOWN_PATHS = 32
#: the noise's reach (most of N(0, 1)), which the plot always shows besides the data
NOISE_REACH = 2.5
#: milliseconds between frames of the sweep from the noise to the samples
SWEEP_MS = 60


def _segments(paths: np.ndarray):
    """(x, y, connect) drawing each row of ``paths`` (k, T, 2) as one polyline."""
    k, steps = paths.shape[:2]
    connect = np.ones((k, steps), dtype=bool)
    connect[:, -1] = False
    return paths[..., 0].ravel(), paths[..., 1].ravel(), connect.ravel()


class FlowPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Flow")
    name = "flow"

    @classmethod
    def suits(cls, dataset) -> float:
        # made for the 2-D generative data; it can draw any 2-D points, but the decision
        # boundary is the view of those
        if engine_flow.generative_plane(dataset):
            return 1.0
        return 0.05 if engine_views.input_kind(dataset) == "plane" else 0.0

    def suitability(self, dataset) -> float:
        """In front of every other view for a graph with a FlowPath or DiffusionPath (the
        decision boundary of its velocity means nothing); below the GAN's view and the
        decision boundary for other graphs on the same data."""
        score = self.suits(dataset)
        graph = getattr(self.window_, "document", None)
        if not score or graph is None:
            return score
        if any(n.type in engine_flow.PATHS for n in graph.nodes.values()):
            return PREFERRED
        return min(score, 0.5)

    def made_for(self):
        return self.tr("The flow is drawn for datasets of 2-D points.")

    def build(self):
        self.paths_box = QCheckBox(self.tr("trajectories"))
        self.paths_box.setChecked(True)
        self.paths_box.setToolTip(self.tr("The paths of %1 of the points, from the noise to where "
                                          "the model carries them").replace("%1", str(SHOWN_PATHS)))
        self.paths_box.toggled.connect(self._redraw)
        self.header.addWidget(self.paths_box)
        self.data_box = QCheckBox(self.tr("data"))
        self.data_box.setChecked(True)
        self.data_box.setToolTip(self.tr("The training points the flow should reproduce"))
        self.data_box.toggled.connect(lambda on: self.data_points.setVisible(on))
        self.header.addWidget(self.data_box)
        row = self.add_row()
        self.play = QToolButton(text="\u25B6")
        self.play.setToolTip(self.tr("Sweep the time from the noise to the samples"))
        self.play.clicked.connect(self.sweep)
        row.addWidget(self.play)
        self.time = QSlider(Qt.Horizontal)
        self.time.setToolTip(self.tr("The time the cloud is drawn at: at the left the noise, at the "
                                     "right the generated samples"))
        self.time.setRange(0, engine_flow.FLOW_STEPS)
        self.time.setValue(engine_flow.FLOW_STEPS)
        self.time.setMaximumWidth(160)
        self.time.valueChanged.connect(self._redraw)
        row.addWidget(self.time)
        self.info = self.add_label(row=row)
        self._sweep = QTimer(self)
        self._sweep.setInterval(SWEEP_MS)
        self._sweep.timeout.connect(self._next_frame)

        self.plot = self.add_plot_body()
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = self.plot.addLegend(offset=(8, 8))
        self.data_points = pg.ScatterPlotItem(size=5, pen=None, name=self.tr("data"))
        self.lines = pg.PlotCurveItem(pen=pg.mkPen((120, 120, 120, 110), width=1))
        self.starts = pg.ScatterPlotItem(size=5, brush=None, pen=pg.mkPen(120, 120, 120, 200),
                                         name=self.tr("starting noise"))
        self.cloud = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(30, 30, 30, 220), pen=None,
                                        name=self.tr("samples"))
        for item in (self.data_points, self.lines, self.starts, self.cloud):
            self.plot.addItem(item)
        self.shown = None          # the FlowView drawn last
        self._data_of = None       # the data array the points and the range were drawn from

    def needs(self):
        return self.request_view("flow")

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None:
            if runner.snapshot is not None and self.name in runner.views:   # computed: not a flow graph
                if self.shown is not None:   # (the graph was edited: nothing of its flow stays)
                    self.clear()
                self.info.setText(self.tr("no flow: draw a FlowPath (or DiffusionPath) whose velocity "
                                          "(noise) a cost compares with a network's output"))
            return
        if v is self.shown:
            return
        self.shown = v
        if self._data_of is None or not np.array_equal(self._data_of, v.data):
            self._draw_data(v)   # (once per dataset: the user's zoom stays while training)
        self.time.setRange(0, len(v.times) - 1)
        self._redraw()

    def _draw_data(self, v):
        self._data_of = v.data
        brushes = [pg.mkBrush(*CLASS_COLORS[int(c) % len(CLASS_COLORS)], 90) for c in v.component]
        self.data_points.setData(v.data[:, 0], v.data[:, 1], brush=brushes, size=marker_size(len(v.data), 5.0))
        lo = np.minimum(v.data.min(0), -NOISE_REACH)
        hi = np.maximum(v.data.max(0), NOISE_REACH)
        self.plot.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.02)

    def _redraw(self):
        v = self.shown
        if v is None:
            return
        k = min(int(self.time.value()), len(v.times) - 1)
        cloud = v.paths[:, k]
        self.cloud.setData(cloud[:, 0], cloud[:, 1])
        shown = v.paths[:SHOWN_PATHS, :k + 1] if self.paths_box.isChecked() else v.paths[:0, :1]
        x, y, connect = _segments(shown)
        self.lines.setData(x, y, connect=connect)
        self.starts.setData(shown[:, 0, 0], shown[:, 0, 1])
        self.info.setText(self.tr("t = %1 · median distance from a sample to the data: %2").replace(
            "%1", number(float(v.times[k]), ".2f")).replace("%2", number(v.distance, ".3f")))

    def sweep(self):
        """Play the flow: the slider from the noise to the samples."""
        self.time.setValue(0)
        self._sweep.start()

    def _next_frame(self):
        if self.time.value() >= self.time.maximum():
            self._sweep.stop()
        else:
            self.time.setValue(self.time.value() + 1)

    def apply_options(self, options: dict):
        """A lesson's options: ``{"trajectories": bool, "data": bool, "time": 0..1}`` (the
        slider's position: 0 the noise, 1 the samples)."""
        if "trajectories" in options:
            self.paths_box.setChecked(bool(options["trajectories"]))
        if "data" in options:
            self.data_box.setChecked(bool(options["data"]))
        if "time" in options:
            self.time.setValue(int(round(float(options["time"]) * self.time.maximum())))

    def clear(self):
        self._sweep.stop()
        self.shown = self._data_of = None
        for item in (self.data_points, self.starts, self.cloud):
            item.clear()
        self.lines.setData([], [])
        self.info.setText("")



