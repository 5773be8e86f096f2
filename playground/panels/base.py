"""What every training panel shares: a dock with a header row, export of its plot alone
(PNG or SVG, at a chosen width), the theme's scale and colours, and redraws only while it is
visible.

A panel subclass builds its plots once in ``build()`` and updates them in
``refresh(runner)`` with ``setData``/``setImage`` on the items it already has. The
Runner's redraw timer calls ``refresh`` (at most 30 times a second) only while the dock
is shown, so a hidden or tabbed-away panel costs nothing. ``needs()`` names what the
worker must compute for the panel (e.g. the decision-boundary grid); it is requested
while the panel is visible and dropped when it is hidden.

Presentation mode and the colour scheme are one mechanism for every panel: ``apply_theme()``
walks the panel's plots (``restyle``) and grows tick and axis-label fonts, titles, legends,
text, line widths and marker sizes by the theme's ``plot_scale``, remembering the sizes the
panel itself chose; while the scale is not 1 it runs again after each refresh, for items a
refresh created or re-styled. Panels choose sizes as usual and never look at the theme.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QPainter, QPen, QTransform
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QGraphicsItem, QHBoxLayout, QLabel,
                               QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from playground import theme as themes

pg.setConfigOptions(antialias=False, imageAxisOrder="row-major", background="w", foreground="k")

#: TensorFlow Playground's colours: orange for negative / class 0, blue for positive / class 1
NEG = (245, 147, 34)
POS = (8, 119, 189)
MID = (232, 234, 235)
#: the colour scheme's classes and series (see playground.theme.SCHEMES): changed in place
#: by ``use_scheme``, since the panels import them by name
CLASS_COLORS = [NEG, POS, *themes.SCHEMES["standard"]["classes"]]
SERIES = list(themes.SCHEMES["standard"]["series"])


def diverging_lut(n: int = 256) -> np.ndarray:
    """Orange (negative) - light grey (zero) - blue (positive), as a (n, 3) uint8 table."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    neg, mid, pos = (np.array(c, dtype=float) for c in (NEG, MID, POS))
    lut = np.where(t < 0, mid + (-t) * (neg - mid), mid + t * (pos - mid))
    return lut.astype(np.uint8)


def sequential_lut(n: int = 256, name: str = "viridis") -> np.ndarray:
    return (pg.colormap.get(name).getLookupTable(nPts=n)[:, :3]).astype(np.uint8)


def blues_lut(n: int = 256) -> np.ndarray:
    """White to the positive blue, for counts and fractions."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (np.array([250.0, 250.0, 250.0]) + t * (np.array(POS, float) - 250.0)).astype(np.uint8)


DIVERGING = diverging_lut()
BLUES = blues_lut()
SEQUENTIAL = sequential_lut()


def color(i: int) -> QColor:
    return QColor(*SERIES[i % len(SERIES)])


def marker_size(n_points: int, base: float = 6.0) -> float:
    """A scatter marker's size for ``n_points`` points: few points, big markers (the
    perceptron's 4 points get 16 px, a few hundred the usual 6)."""
    return float(np.clip(base * (300.0 / max(int(n_points), 1)) ** 0.25, base, 16.0))


def use_scheme(name: str) -> dict:
    """Switch the shared palettes to the colour scheme ``name`` in place; returns the map
    {colour of any scheme: the same role's colour now} that recolours items built earlier."""
    themes.set_scheme(name)
    scheme = themes.SCHEMES[name]
    SERIES[:] = scheme["series"]
    CLASS_COLORS[2:] = scheme["classes"]
    SEQUENTIAL[:] = sequential_lut(len(SEQUENTIAL), scheme["heat"])
    recolour = {}
    for role, now in (("series", SERIES), ("classes", CLASS_COLORS[2:])):
        for other in themes.SCHEMES.values():
            for old, new in zip(other[role], now):
                recolour.setdefault(tuple(old), tuple(new))   # the series' role wins a clash
    return recolour


def text_scale(scale: float) -> float:
    """How much plot titles and legends grow when ticks and lines grow by ``scale``."""
    return scale ** 0.5


def _grown(item, key, value: float, scale: float) -> float:
    """``value`` (a size the panel chose, or one ``restyle`` set earlier) for ``scale``:
    the panel's own value is remembered, so restyling twice does not grow it twice, and a
    value the panel set since becomes the new base."""
    memo = item.__dict__.setdefault("_nnpg_base", {})
    base, applied = memo.get(key, (None, None))
    if applied is None or abs(value - applied) > 0.05:   # (sizes written as "12.1pt" round)
        base = value
    memo[key] = (base, base * scale)
    return base * scale


def _points(css, default: float) -> float:
    """"9pt" -> 9.0 (pyqtgraph's CSS sizes); ``default`` for None or pixels."""
    text = str(css or "")
    return float(text[:-2]) if text.endswith("pt") else default


def _recoloured(pen_or_brush, recolour):
    if not recolour or pen_or_brush is None or isinstance(pen_or_brush, (str, tuple, list)):
        return None
    c = pen_or_brush.color()
    new = recolour.get((c.red(), c.green(), c.blue()))
    if new is None:
        return None
    copy = type(pen_or_brush)(pen_or_brush)
    copy.setColor(QColor(*new, c.alpha()))
    return copy


def restyle(widget, scale: float, recolour: dict | None = None):
    """Give every plot inside ``widget`` the theme's look: fonts, lines and markers times
    ``scale`` of the sizes the panel chose, and colours of an earlier scheme mapped by
    ``recolour`` (see ``use_scheme``)."""
    base_pt = QCoreApplication.instance().font().pointSizeF() if QCoreApplication.instance() else 9.0
    base_pt = getattr(themes.current(), "base_point_size", None) or base_pt
    for view in widget.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            kind = _restyled_kind(type(item))
            if kind is None or (kind is pg.ImageItem and not recolour):
                continue
            if isinstance(item.parentItem(), pg.PlotDataItem):
                continue   # its curve and scatter follow the PlotDataItem's own options
            _restyle_item(item, scale, recolour, base_pt)


#: the item classes ``_restyle_item`` styles, in the order it tells them apart
_RESTYLED = (pg.AxisItem, pg.LabelItem, pg.TextItem, pg.PlotDataItem, pg.PlotCurveItem,
             pg.ScatterPlotItem, pg.ImageItem)
_restyled_kinds: dict = {}


def _restyled_kind(cls):
    """Which of _RESTYLED ``cls`` is, or None (most of a scene's items: view boxes,
    rectangles, the legend's samples); looked up once per class, as presentation mode
    walks every item of the shown panels after each refresh."""
    kind = _restyled_kinds.get(cls, False)
    if kind is False:
        kind = _restyled_kinds[cls] = next((k for k in _RESTYLED if issubclass(cls, k)), None)
    return kind


def _restyle_item(item, scale, recolour, base_pt):
    """Restyle one item; a setter is called only when its value changes. Presentation mode
    restyles after every refresh (to catch the items a refresh made or re-styled), and a
    setter repaints: a new axis style regenerates its ticks and lays the plot out again, a
    new marker size redraws every marker (measured: 34 ms a redraw, 6 frames/s, before)."""
    if isinstance(item, pg.AxisItem):
        tick = item.style.get("tickFont")
        size = _grown(item, "tick", tick.pointSizeF() if tick is not None else base_pt, scale)
        length = int(round(_grown(item, "ticklen", item.style["tickLength"], scale)))
        if tick is None or not _same(tick.pointSizeF(), size) or length != item.style["tickLength"]:
            font = QFont(tick) if tick is not None else QFont()
            font.setPointSizeF(size)
            item.setStyle(tickFont=font, tickLength=length)
        label = f'{_grown(item, "label", _points(item.labelStyle.get("font-size"), base_pt), scale):.1f}pt'
        width = _grown(item, "pen", item.pen().widthF() or 1.0, scale)
        if item.labelStyle.get("font-size") != label or not _same(item.pen().widthF(), width):
            item.labelStyle["font-size"] = label
            pen = QPen(item.pen())
            pen.setWidthF(width)
            item._pen = pen   # (setPen would also reset the label's colour)
            item._updateLabel()
    elif isinstance(item, pg.LabelItem):
        # titles and legends are sentences that would push the plot out of a narrow
        # panel in the ticks' large type: they grow less
        size = f'{_grown(item, "text", _points(item.opts.get("size"), base_pt), text_scale(scale)):.1f}pt'
        if item.opts.get("size") != size:
            item.setText(item.text, size=size)
    elif isinstance(item, pg.TextItem):
        font = QFont(item.textItem.font())
        size = _grown(item, "text", font.pointSizeF(), scale)
        if not _same(font.pointSizeF(), size):
            font.setPointSizeF(size)
            item.setFont(font)
    elif isinstance(item, pg.PlotDataItem):
        _restyle_pen(item, scale, recolour)
        if item.opts.get("symbol") is not None:
            size = _grown(item, "symbol", float(item.opts["symbolSize"]), scale)
            if not _same(float(item.opts["symbolSize"]), size):
                item.setSymbolSize(size)
            brush = _recoloured(pg.mkBrush(item.opts["symbolBrush"]), recolour)
            if brush is not None:
                item.setSymbolBrush(brush)
    elif isinstance(item, pg.PlotCurveItem):
        _restyle_pen(item, scale, recolour)
    elif isinstance(item, pg.ScatterPlotItem):
        size = _grown(item, "size", float(item.opts["size"]), scale)
        if not _same(float(item.opts["size"]), size):
            item.setSize(size)
        for key, setter in (("pen", item.setPen), ("brush", item.setBrush)):
            new = _recoloured(item.opts.get(key), recolour)
            if new is not None:
                setter(new)
        if recolour and len(item.data):
            brushes = [_recoloured(b, recolour) or b for b in item.data["brush"]]
            if any(b is not None for b in brushes):
                item.setBrush(brushes)
    elif isinstance(item, pg.ImageItem) and recolour and isinstance(item.lut, np.ndarray):
        lut, item.lut = item.lut, None   # the shared table changed in place: render again
        item.setLookupTable(lut)


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _restyle_pen(item, scale, recolour):
    """A curve's pen (a PlotDataItem's or a PlotCurveItem's) recoloured and its width
    scaled; set only when it changes."""
    pen = item.opts.get("pen")
    if not isinstance(pen, QPen):
        return
    new = _recoloured(pen, recolour)
    width = _grown(item, "pen", pen.widthF(), scale)
    if new is None and _same(pen.widthF(), width):
        return
    new = new or QPen(pen)
    new.setWidthF(width)
    item.setPen(new)


class StatusLabel(QLabel):
    """A one-line label of plain text whose text changes without a relayout: QLabel.setText
    asks the layouts up to the main window to lay out again, and the main window then
    repaints itself whole (measured: twice per redraw, 1.5 million pixels, with the loss,
    controls and timeline labels changing 30 times a second while training). This one only
    repaints itself; its height is one line of its font, its text is elided to its width."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self._text = ""
        # opaque (it fills its own background, the window's colour): a label that is not
        # makes Qt repaint every widget behind it at each change, the dock's title bar and
        # frame too (measured: 1.1 ms a frame for the Training dock alone)
        self.setAutoFillBackground(True)
        self.setText(text)

    def setText(self, text):
        text = str(text)
        if text != self._text:
            self._text = text
            self.update()

    def text(self) -> str:
        return self._text

    def sizeHint(self):
        m = self.contentsMargins()
        return QSize(self.fontMetrics().horizontalAdvance(self._text[:40]) + m.left() + m.right(),
                     self.fontMetrics().height() + m.top() + m.bottom())

    def minimumSizeHint(self):
        return QSize(self.minimumWidth(), self.sizeHint().height())

    def paintEvent(self, event):
        super().paintEvent(event)   # a style sheet's frame and background (its own text is empty)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        painter.drawText(rect, int(self.alignment()),
                         self.fontMetrics().elidedText(self._text, Qt.ElideRight, rect.width()))


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
                    # the axis as a cached pixmap: a live curve repaints the plot 30 times
                    # a second, and its axes (text, costly) only change with the range
                    item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.header.addStretch(1)
        export = QToolButton(text=QCoreApplication.translate("Panel", "Export"))
        export.setToolTip(QCoreApplication.translate(
            "Panel", "Export this panel's plot alone as a PNG or SVG image, at a width you choose"))
        export.clicked.connect(lambda: self.ask_export_plot())
        self.header.addWidget(export)
        for view in self.findChildren(pg.GraphicsView):
            # right-click in a plot: ours in place of pyqtgraph's "Export..." dialog
            action = QAction(QCoreApplication.translate("Panel", "Export Plot…"), view)
            action.triggered.connect(lambda: self.ask_export_plot())
            view.scene().contextMenu = [action]
        self.apply_theme()
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
        label = StatusLabel(text)
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

    def apply_theme(self, recolour: dict | None = None):
        """Restyle the plots for the current theme (see the module docstring)."""
        restyle(self, themes.current().plot_scale, recolour)
        for arrangement in self.findChildren(SideBySide):
            arrangement.arrange()   # the plots' text changed size, not only the panel's

    def plot_item(self):
        """What "export the plot" exports: the largest plot area of the panel (a
        GraphicsLayout or PlotItem, without the panel's checkboxes and combo boxes), or None."""
        views = [v for v in self.findChildren(pg.GraphicsView) if v.isVisibleTo(self)]
        if not views:
            return None
        view = max(views, key=lambda v: v.width() * v.height())
        return getattr(view, "ci", None) or getattr(view, "plotItem", None) or view.scene()

    def export_plot(self, path: str, width: int = 1920) -> bool:
        """The panel's plot alone as PNG (``width`` pixels wide, the height in proportion)
        or SVG (by the file's extension); False when the panel has no plot or the file
        cannot be written."""
        import pyqtgraph.exporters as exporters  # noqa: PLC0415

        item = self.plot_item()
        if item is None:
            return False
        if str(path).lower().endswith(".svg"):
            return _export_svg(item, path)   # (pyqtgraph's SVGExporter fails on some paths)
        exporter = exporters.ImageExporter(item)
        exporter.parameters()["width"] = int(width)   # the height follows (aspect locked)
        try:
            exporter.export(str(path))
        except OSError:
            return False
        from pathlib import Path  # noqa: PLC0415

        return Path(path).is_file()

    def ask_export_plot(self) -> bool:
        """The header's Export button (and File > Export Plot): a file name and a width."""
        dialogs = getattr(self.window_, "dialogs", None)
        if dialogs is None:
            return self.export_png()
        path = dialogs.save_file(f"{self.name}.png", QCoreApplication.translate("Panel", "PNG image (*.png);;SVG image (*.svg)"))
        if not path:
            return False
        width = 1920
        if not str(path).lower().endswith(".svg"):
            text = dialogs.ask_text(QCoreApplication.translate("Panel", "Export {panel}").format(panel=self.windowTitle()),
                                    QCoreApplication.translate("Panel", "Width in pixels:"), str(width))
            if text is None:
                return False
            try:
                width = int(text)
                if not 16 <= width <= 20000:
                    raise ValueError
            except ValueError:
                dialogs.error(QCoreApplication.translate("Panel", "Cannot export"),
                              QCoreApplication.translate("Panel", "The width must be a whole number of pixels from 16 to 20000, not '{text}'.")
                              .format(text=text))
                return False
        ok = self.export_plot(path, width) or (not str(path).lower().endswith(".svg") and self.export_png(path))
        if not ok:
            dialogs.error(QCoreApplication.translate("Panel", "Cannot export"), QCoreApplication.translate("Panel", "Could not write {path}").format(path=path))
        return ok

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
            if themes.current().plot_scale != 1.0:   # items the refresh made or re-styled
                self.apply_theme()
        if self.window_ is not None and runner.snapshot is not None:
            self.refresh_canvas(runner)


#: the options of a curve of a ``live_plot`` (``live_curve`` passes them): one history row per
#: pixel column before peak downsampling keeps its min and max (pyqtgraph's default keeps five)
LIVE_CURVE = {"autoDownsampleFactor": 1.0}


_AXIS_ALIGNED = (QTransform.TxNone, QTransform.TxTranslate, QTransform.TxScale)
try:   # pyqtgraph's internals the fast path uses (0.13.7 and 0.14 have them): else its own paint
    from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
    _PIXEL_PATH = hasattr(pg.PlotCurveItem, "_shouldUseDrawLineSegments")
except ImportError:
    arrayToLineSegments, _PIXEL_PATH = None, False


class DevicePixelCurve(pg.PlotCurveItem):
    """A PlotCurveItem that strokes a wide line (2 px, the loss and metric curves) in device
    pixels. pyqtgraph draws it as line segments in data coordinates under the painter's
    data-to-pixel scale; Qt's raster engine strokes wide segments about three times slower
    under a scale than without (measured: 0.85 against 0.27 ms for 1250 segments), and a
    live plot's curves are repainted at every frame. Mapping the points to pixels here
    (one multiply-add per coordinate) draws the same line (a pixel may differ where a
    coordinate rounds the other way). Anything else (an export, a rotated view, a fill,
    steps, a translucent or non-cosmetic pen) is pyqtgraph's own paint."""

    @pg.debug.warnOnException   # (as pyqtgraph's own paint: an exception here crashes Qt)
    def paint(self, p, opt, widget):
        pen = self.opts["pen"]
        tr = p.combinedTransform()
        if (not _PIXEL_PATH or self._exportOpts is not False or widget is None or self.xData is None
                or len(self.xData) < 2 or tr.type() not in _AXIS_ALIGNED
                or self.opts["fillLevel"] is not None or self.opts["stepMode"]
                or self.opts["shadowPen"] is not None or not pen.isCosmetic()
                or pen.style() == Qt.NoPen or not self._shouldUseDrawLineSegments(pen)):
            return super().paint(p, opt, widget)
        x, y = self.getData()
        segments = getattr(self, "_pixelSegments", None)
        self._pixelSegments = segments = arrayToLineSegments(
            x * tr.m11() + tr.dx(), y * tr.m22() + tr.dy(), connect=self.opts["connect"],
            finiteCheck=not self.opts["skipFiniteCheck"], out=segments)
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.Antialiasing, bool(self.opts["antialias"]))
        p.setPen(pen)
        p.drawLines(*segments.drawargs())
        p.restore()


class LiveCurve(pg.PlotDataItem):
    """A PlotDataItem whose line is a DevicePixelCurve (see ``live_curve``)."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        old, self.curve = self.curve, DevicePixelCurve()
        old.setParentItem(None)   # (not in a scene yet: it simply goes)
        self.curve.setParentItem(self)
        self.curve.sigClicked.connect(self.sigClicked)
        self.setData(*args, **kwargs)


def live_curve(plot, *args, **kwargs) -> pg.PlotDataItem:
    """``plot.plot(*args, **kwargs)`` for a curve of a ``live_plot`` (see LIVE_CURVE), drawn
    by a DevicePixelCurve: a live plot repaints its curves at every frame."""
    item = LiveCurve(*args, **{**LIVE_CURVE, **kwargs})
    plot.addItem(item)
    return item


def live_plot(plot):
    """Set up a plot of curves that grow while training (the step on x, ranges set by a
    StableRange): it draws only what is in view, downsampled to the pixel columns, so that
    a long history costs no more to paint 30 times a second than a short one."""
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    plot.disableAutoRange()


def _export_svg(item, path) -> bool:
    """The scene area of ``item`` (a plot or layout, or a whole scene) as an SVG file."""
    from PySide6.QtCore import QRectF  # noqa: PLC0415
    from PySide6.QtGui import QPainter  # noqa: PLC0415
    from PySide6.QtSvg import QSvgGenerator  # noqa: PLC0415

    scene = item if hasattr(item, "views") else item.scene()
    rect = scene.sceneRect() if item is scene else item.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(rect.size().toSize())
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    ok = painter.end()
    from pathlib import Path  # noqa: PLC0415

    return ok and Path(path).is_file()


def flat_span(y0: float, y1: float, log_y: bool = False) -> tuple[float, float]:
    """A y range around values that hardly vary (a constant loss, an accuracy stuck at 1): a
    span of a tenth of their size (at least 1e-3; half a decade on a log axis), so the axis
    reads "0.9 1.0 1.1" and not "0.99999999995" or "±5e-11". Varying values keep their range."""
    mid = (y0 + y1) / 2
    least = max(0.2 * abs(mid), 1.0 if log_y else 2e-3)
    if y1 - y0 >= 1e-3 * least:
        return y0, y1
    return mid - least / 2, mid + least / 2


def finite_bounds(values, positive: bool = False):
    """(min, max) of the finite values (of the positive ones when ``positive``), or None if
    there are none. A curve's history is finite or NaN (values a probe did not measure):
    NumPy's fmin/fmax skip NaN, so such a column needs no masked copy (a live plot's range
    is checked at every frame, over every column)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return None
    lo, hi = np.fmin.reduce(v, axis=None), np.fmax.reduce(v, axis=None)
    if np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or not positive):
        return float(lo), float(hi)
    keep = v[np.isfinite(v) & ((v > 0) if positive else True)]
    return (float(keep.min()), float(keep.max())) if keep.size else None


def nice_ceil(v: float) -> float:
    """The smallest of 1, 2 and 5 times a power of ten at or above ``v`` (> 0)."""
    v = max(float(v), 1e-12)
    decade = 10.0 ** math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * decade >= v * (1 - 1e-12):
            return m * decade
    return 10.0 * decade


class StableRange:
    """Sets a plot's view range in coarse jumps, so that its axes (costly to paint: a new
    range regenerates their ticks and labels, and a label of another width lays the whole
    plot out again) are redrawn only when the data leave the shown range or shrink well
    inside it. Each axis on its own: a new y range leaves x as it is. The x range (steps,
    growing while training runs) ends at a round number (1, 2 or 5 times a power of ten
    past the first step), so it changes about three times a decade; once training stops,
    it ends just past the data. ``set_x=False``: a plot whose x axis follows another's
    (setXLink) sets only its y range."""

    def __init__(self, plot, log_y=False, grow=1.25, set_x=True):
        self.plot, self.log_y, self.grow, self.set_x = plot, log_y, grow, set_x
        self.shown = None

    def update(self, x, ys, tight: bool = False):
        """``tight``: x ends just past the data (training stopped: the run is what there is
        to read, and Play widens it again)."""
        xb = finite_bounds(x)
        yb = [b for b in (finite_bounds(y, positive=self.log_y) for y in ys) if b is not None]
        if xb is None or not yb:
            return
        x0, x1 = xb
        y0, y1 = min(b[0] for b in yb), max(b[1] for b in yb)
        if self.log_y:
            y0, y1 = float(np.log10(y0)), float(np.log10(y1))
        y0, y1 = flat_span(y0, y1, log_y=self.log_y)
        pad = (y1 - y0) * 0.05
        want_y = (y0 - pad, y1 + pad)
        s = self.shown
        x_ok = y_ok = False
        fit = (x0, x0 + max(x1 - x0, 1.0) * 1.02) if tight else None
        if s is not None:
            x_ok = s[:2] == fit if tight else \
                s[0] <= x0 and x1 <= s[1] and (x1 - x0) > 0.3 * (s[1] - s[0])
            y_ok = s[2] <= want_y[0] and want_y[1] <= s[3] \
                and (want_y[1] - want_y[0]) / ((s[3] - s[2]) or 1.0) > 0.5
            if (x_ok or not self.set_x) and y_ok:
                return
        xr = s[:2] if x_ok else fit or (x0, x0 + nice_ceil(max(x1 - x0, 1.0) * self.grow))
        span = want_y[1] - want_y[0]
        yr = s[2:] if y_ok else (want_y[0] - span * 0.1, want_y[1] + span * 0.1)
        self.shown = (*xr, *yr)
        if not self.set_x:
            self.plot.setRange(yRange=yr, padding=0)
        elif y_ok:
            self.plot.setRange(xRange=xr, padding=0)
        elif x_ok:
            self.plot.setRange(yRange=yr, padding=0)
        else:
            self.plot.setRange(xRange=xr, yRange=yr, padding=0)

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
        # side by side only where both fit: a title in presentation mode's large type
        # would otherwise push the second plot out of the panel
        least = sum(item.effectiveSizeHint(Qt.MinimumSize).width() for item in self.items)
        wide = self.glw.width() > self.wide_ratio * max(self.glw.height(), 1) and least <= self.glw.width()
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
