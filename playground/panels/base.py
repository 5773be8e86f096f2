"""What every training panel shares: a dock with a header row, PNG export, and redraws
only while it is visible.

A panel subclass builds its plots once in ``build()`` and updates them in
``refresh(runner)`` with ``setData``/``setImage`` on the items it already has. The
Runner's redraw timer calls ``refresh`` (at most 30 times a second) only while the dock
is shown, so a hidden or tabbed-away panel costs nothing. ``needs()`` names what the
worker must compute for the panel (e.g. the decision-boundary grid); it is requested
while the panel is visible and dropped when it is hidden.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QHBoxLayout, QLabel, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

pg.setConfigOptions(antialias=False, imageAxisOrder="row-major", background="w", foreground="k")

#: TensorFlow Playground's colours: orange for negative / class 0, blue for positive / class 1
NEG = (245, 147, 34)
POS = (8, 119, 189)
MID = (232, 234, 235)
CLASS_COLORS = [NEG, POS, (60, 170, 80), (200, 60, 60), (150, 90, 200), (140, 86, 75),
                (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
SERIES = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
          (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def diverging_lut(n: int = 256) -> np.ndarray:
    """Orange (negative) - light grey (zero) - blue (positive), as a (n, 3) uint8 table."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    neg, mid, pos = (np.array(c, dtype=float) for c in (NEG, MID, POS))
    lut = np.where(t < 0, mid + (-t) * (neg - mid), mid + t * (pos - mid))
    return lut.astype(np.uint8)


def sequential_lut(n: int = 256) -> np.ndarray:
    return (pg.colormap.get("viridis").getLookupTable(nPts=n)[:, :3]).astype(np.uint8)


def blues_lut(n: int = 256) -> np.ndarray:
    """White to the positive blue, for counts and fractions."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (np.array([250.0, 250.0, 250.0]) + t * (np.array(POS, float) - 250.0)).astype(np.uint8)


DIVERGING = diverging_lut()
BLUES = blues_lut()
SEQUENTIAL = sequential_lut()


def color(i: int) -> QColor:
    return QColor(*SERIES[i % len(SERIES)])


class Panel(QDockWidget):
    """A dockable training panel. Subclasses set ``title`` and implement build/refresh."""

    title = "Panel"
    name = "panel"
    #: False for a panel that shows no training run (its own demo): it keeps its plots
    #: when the document changes
    follows_run = True

    def __init__(self, runner, window=None):
        # a subclass marks its title with QT_TRANSLATE_NOOP("Panel", ...); MainWindow.docks
        # keys it by the English one
        super().__init__(QCoreApplication.translate("Panel", self.title), window)
        self.runner = runner
        self.window_ = window
        self.setObjectName(self.name)
        self.setAllowedAreas(Qt.AllDockWidgetAreas)
        body = QWidget()
        self.vbox = QVBoxLayout(body)
        self.vbox.setContentsMargins(4, 2, 4, 4)
        self.vbox.setSpacing(2)
        self.header = QHBoxLayout()
        self.header.setSpacing(6)
        self.vbox.addLayout(self.header)
        self.setWidget(body)
        self.refresh_count = 0
        self._shown = None
        self.build()
        for plot in self.findChildren(pg.GraphicsView):
            for item in plot.scene().items():
                if isinstance(item, pg.AxisItem):
                    # no SI rescaling ("loss (x0.001)" confuses students); note that
                    # enableAutoSIPrefix(False) would freeze whatever scale it had
                    item.setSIPrefixEnableRanges(())
        self.header.addStretch(1)
        export = QToolButton(text="PNG")
        export.setToolTip(QCoreApplication.translate("Panel", "Export this panel as a PNG image"))
        export.clicked.connect(lambda: self.export_png())
        self.header.addWidget(export)
        runner.redraw.connect(self._on_redraw)
        runner.reset_done.connect(self.clear)
        self.visibilityChanged.connect(self._on_visibility)
        rebuilt = getattr(scene_of(window), "rebuilt", None)
        if rebuilt is not None:
            rebuilt.connect(self._on_canvas_rebuilt)

    # ----- for subclasses -----------------------------------------------------
    def build(self):
        """Create the plots and items (once)."""

    def refresh(self, runner):
        """Update the existing items from ``runner`` (snapshot, history, grid, ...)."""

    def refresh_canvas(self, runner):
        """Update this panel's overlays on the editor's canvas (called even while the
        panel itself is hidden: the canvas is on screen)."""

    def clear(self):
        """Forget per-run state after a reset: afterwards the panel shows no data of the old
        run. After ``Runner.clear()`` (a new document) ``runner.snapshot`` is None: then also
        forget what named the old document's nodes (node lists)."""

    def forget_canvas(self):
        """The canvas re-created its items (new document, module level): drop what this
        panel remembers having drawn on the old ones."""

    def needs(self) -> dict | None:
        """What the worker should compute for this panel while it is visible."""
        return None

    # ----- helpers ------------------------------------------------------------------
    def add_label(self, text="", stretch=1, row=None):
        """A status label (in the header, or in ``row``) that never re-lays out the panel
        when its text changes (a relayout would repaint every plot in the dock)."""
        label = QLabel(text)
        label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        label.setMinimumWidth(40)
        (self.header if row is None else row).addWidget(label, stretch)
        return label

    def add_note(self) -> QLabel:
        """A hidden message in the panel's body (why it shows nothing yet), in large type
        where it is readable; show it in place of the plot."""
        note = QLabel()
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignCenter)
        note.setStyleSheet("color: #555; font-size: 12pt;")
        note.hide()
        self.vbox.addWidget(note, 1)
        return note

    def add_row(self) -> QHBoxLayout:
        """A second row of controls under the header, for panels whose controls would
        make one row too wide to share the window with the canvas."""
        row = QHBoxLayout()
        self.vbox.addLayout(row)
        return row

    def is_shown(self) -> bool:
        """On screen: visible and not a tab hidden behind another panel."""
        if self._shown is not None:
            return self._shown and self.isVisible()
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def update_needs(self):
        self.runner.set_needs(self.name, self.needs() if self.is_shown() else None)

    def export_png(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, QCoreApplication.translate("Panel", "Export {panel}").format(panel=self.windowTitle()),
                f"{self.name}.png", QCoreApplication.translate("Panel", "PNG image (*.png)"))
            if not path:
                return False
        return self.widget().grab().save(path, "PNG")

    def _on_visibility(self, visible):
        self._shown = bool(visible)  # also follows tab switches in a tabbed dock
        self.update_needs()
        if visible and self.runner.snapshot is not None:
            self._on_redraw(self.runner)

    def _on_canvas_rebuilt(self):
        self.forget_canvas()
        # redraw once the event that rebuilt the canvas is over: a new document's reset
        # also clears the runner, and no overlay of the old run may land on the new items
        QTimer.singleShot(0, self, lambda: self.runner.snapshot is not None and self.refresh_canvas(self.runner))

    def _on_redraw(self, runner):
        if self.is_shown():
            self.refresh(runner)
            self.refresh_count += 1
        if self.window_ is not None and runner.snapshot is not None:
            self.refresh_canvas(runner)


def flat_span(y0: float, y1: float, log_y: bool = False) -> tuple[float, float]:
    """A y range around values that hardly vary (a constant loss, an accuracy stuck at 1): a
    span of a tenth of their size (at least 1e-3; half a decade on a log axis), so the axis
    reads "0.9 1.0 1.1" and not "0.99999999995" or "±5e-11". Varying values keep their range."""
    mid = (y0 + y1) / 2
    least = max(0.2 * abs(mid), 1.0 if log_y else 2e-3)
    if y1 - y0 >= 1e-3 * least:
        return y0, y1
    return mid - least / 2, mid + least / 2


class StableRange:
    """Sets a plot's view range in coarse jumps, so that its axes (costly to paint) are
    redrawn only when the data leave the shown range or shrink well inside it."""

    def __init__(self, plot, log_y=False, grow=1.25):
        self.plot, self.log_y, self.grow = plot, log_y, grow
        self.shown = None

    def update(self, x, ys):
        x = np.asarray(x, dtype=float)
        finite = [np.asarray(y, dtype=float) for y in ys]
        finite = np.concatenate([y[np.isfinite(y) & ((y > 0) if self.log_y else True)] for y in finite]) \
            if finite else np.zeros(0)
        if x.size == 0 or finite.size == 0:
            return
        if self.log_y:
            finite = np.log10(finite)
        x0, x1 = float(np.nanmin(x)), float(np.nanmax(x))
        y0, y1 = float(finite.min()), float(finite.max())
        y0, y1 = flat_span(y0, y1, log_y=self.log_y)
        pad = (y1 - y0) * 0.05
        want = (x0, x1, y0 - pad, y1 + pad)
        s = self.shown
        if s is not None:
            inside = s[0] <= x0 and x1 <= s[1] and s[2] <= want[2] and want[3] <= s[3]
            span = (s[3] - s[2]) or 1.0
            tight = (want[3] - want[2]) / span > 0.5 and (x1 - x0) / ((s[1] - s[0]) or 1.0) > 0.5
            if inside and tight:
                return
        xs = x1 + (x1 - x0) * (self.grow - 1.0)
        span = want[3] - want[2]
        self.shown = (x0, xs, want[2] - span * 0.1, want[3] + span * 0.1)
        self.plot.setRange(xRange=self.shown[:2], yRange=self.shown[2:], padding=0)

    def reset(self):
        self.shown = None


class DecadeAxis(pg.AxisItem):
    """A log axis that labels only the decades (0.01, 0.1, 1) when it has any in view:
    pyqtgraph also labels 0.02 ... 0.09, a crowd of numbers on a short axis."""

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        decade = [abs(v - round(v)) < 1e-6 for v in values]
        if not any(decade):
            return strings
        return [s if d else "" for s, d in zip(strings, decade)]


class SideBySide(QObject):
    """Two plots of one GraphicsLayoutWidget: side by side while the panel is wide (a
    bottom dock), stacked while it is tall (a side dock). Stacked in a short, wide dock
    each plot would get a strip too thin for its axis labels."""

    def __init__(self, glw, first, second, wide_ratio: float = 1.8):
        super().__init__(glw)
        self.glw, self.items, self.wide_ratio = glw, (first, second), wide_ratio
        self.wide = None
        glw.installEventFilter(self)
        self.arrange()

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Resize:
            self.arrange()
        return False

    def arrange(self):
        wide = self.glw.width() > self.wide_ratio * max(self.glw.height(), 1)
        if wide == self.wide:
            return
        self.wide = wide
        grid = self.glw.ci.layout
        for item in self.items:
            grid.removeItem(item)
        first, second = self.items
        grid.addItem(first, 0, 0)
        grid.addItem(second, 0, 1) if wide else grid.addItem(second, 1, 0)
        for i in range(2):  # equal shares; the unused row or column collapses
            grid.setRowStretchFactor(i, 0 if wide and i else 1)
            grid.setColumnStretchFactor(i, 1 if wide or not i else 0)


def is_bias(param: str) -> bool:
    """A bias parameter: "lin.bias", and the LSTM's "bias_ih_l0" / "bias_hh_l0"."""
    return param.rsplit(".", 1)[-1].startswith("bias")


def index_ticks(axis, n: int, max_labels: int = 12):
    """Integer tick labels at the centres of ``n`` image cells (rows, columns, classes):
    an image cell i spans [i, i+1), so pyqtgraph's default ticks (0, 0.5, 1, ...) would
    label the cell edges with fractions. Long axes get every k-th index only."""
    every = max(1, -(-int(n) // max_labels))
    axis.setTicks([[(i + 0.5, str(i)) for i in range(0, int(n), every)], []])


def scene_of(window):
    """The editor's scene when the window has one (the panels also run without it)."""
    return getattr(window, "scene", None) if window is not None else None


def node_item(window, node_id):
    """The canvas item of a node of the run, or None: also while the canvas shows a
    module's inside, whose node ids are not the run's."""
    scene = scene_of(window)
    if scene is None or not hasattr(scene, "node_item"):
        return None
    if getattr(scene, "graph", None) is not getattr(scene, "document", None):
        return None
    try:
        return scene.node_item(node_id)
    except (KeyError, LookupError):
        return None
