"""Images: classified samples (misclassified first, with true -> predicted labels), the
first convolution's filters, and the feature maps of a chosen sample at a chosen node.

Click a sample to see its feature maps; pick the node in the header. The worker computes
everything (engine.train.views.image_view); this panel tiles the arrays into pictures.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QComboBox, QLabel

from engine.train import views as engine_views

from .base import DIVERGING, SEQUENTIAL
from .views import ViewPanel

#: tiles per row of the sample mosaic (and at most, of the filters' and feature maps')
COLUMNS = 8
#: input channels of the filters drawn (one row each)
MAX_FILTER_ROWS = 4
#: the labels under each sample tile take this many tile heights
LABEL_ROWS = 0.45
WRONG = (214, 39, 40)
CHOSEN = (31, 119, 180)
INK = np.linspace(255, 20, 256).astype(np.uint8)[:, None].repeat(3, 1)  # white paper, dark ink


def mosaic(tiles: np.ndarray, columns: int, gap: int = 1, below: int = 0) -> np.ndarray:
    """(n, h, w) tiles -> one float image of ``columns`` per row, NaN (transparent) in the
    gaps; ``below`` extra rows under each tile (room for its label)."""
    n, h, w = tiles.shape
    cols = max(1, min(columns, n))
    rows = max(1, -(-n // cols))
    out = np.full((rows * (h + gap + below) - gap, cols * (w + gap) - gap), np.nan)
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = r * (h + gap + below), c * (w + gap)
        out[y:y + h, x:x + w] = tiles[i]
    return out


def wrap(n: int) -> int:
    """Tiles per row for ``n`` small pictures beside another mosaic: two rows from 5 on."""
    return n if n <= 4 else min(COLUMNS, -(-n // 2))


def tile_origin(i: int, shape, columns: int, n: int, gap: int = 1, below: int = 0):
    """(x, y) of tile ``i``'s top-left corner in a mosaic made by ``mosaic``."""
    h, w = shape
    r, c = divmod(i, max(1, min(columns, n)))
    return c * (w + gap), r * (h + gap + below)


def _frames(origins, h, w):
    """Rectangle outlines around the tiles at ``origins``, as one NaN-separated polyline."""
    xs, ys = [], []
    for x, y in origins:
        xs += [x - 0.5, x + w + 0.5, x + w + 0.5, x - 0.5, x - 0.5, np.nan]
        ys += [y - 0.5, y - 0.5, y + h + 0.5, y + h + 0.5, y - 0.5, np.nan]
    return np.asarray(xs, float), np.asarray(ys, float)


class ImagesPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Images")
    name = "images"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if (engine_views.input_kind(dataset) == "image"
                       and dataset.task == "classification") else 0.0

    def made_for(self):
        return self.tr("The image view is drawn for image classification (inputs of shape "
                       "channels × height × width).")

    def build(self):
        self.header.addWidget(QLabel(self.tr("feature maps of")))
        self.node_box = QComboBox()
        self.node_box.setToolTip(self.tr("The node whose output channels are drawn as feature maps"))
        self.node_box.currentTextChanged.connect(self._on_node)
        self.header.addWidget(self.node_box)

        self.add_body()
        self.samples_label = self.body.addLabel("", row=0, col=0, colspan=2)
        self.samples_view = self.image_box(row=1, col=0, colspan=2)
        self.samples_image = pg.ImageItem()
        self.samples_image.setLookupTable(INK)
        self.samples_view.addItem(self.samples_image)
        self.wrong_frames = pg.PlotCurveItem(pen=pg.mkPen(WRONG, width=2), connect="finite")
        self.chosen_frame = pg.PlotCurveItem(pen=pg.mkPen(CHOSEN, width=3), connect="finite")
        self.samples_view.addItem(self.wrong_frames)
        self.samples_view.addItem(self.chosen_frame)
        self.labels = []
        self.filters_label = self.body.addLabel("", row=2, col=0)
        self.filters_view = self.image_box(row=3, col=0)
        self.filters_image = pg.ImageItem()
        self.filters_image.setLookupTable(DIVERGING)
        self.filters_view.addItem(self.filters_image)
        self.maps_label = self.body.addLabel("", row=2, col=1)
        self.maps_view = self.image_box(row=3, col=1)
        self.maps_image = pg.ImageItem()
        self.maps_image.setLookupTable(SEQUENTIAL)
        self.maps_view.addItem(self.maps_image)
        grid = self.body.ci.layout
        for row, stretch in ((1, 3), (3, 3)):
            grid.setRowStretchFactor(row, stretch)
        self.samples_view.scene().sigMouseClicked.connect(self._on_click)
        self.body.setToolTip(self.tr("Click a sample to see its feature maps"))
        self.shown = None       # the ImageView drawn last
        self.sample = None      # the chosen sample (index in the split), None: the first shown
        self.node = None        # the chosen feature-map node, None: the first

    def needs(self):
        return self.request_view("images", sample=self.sample, node=self.node)

    # ----- choices ------------------------------------------------------------------------
    def choose_sample(self, index):
        """Show the feature maps of sample ``index`` (in the evaluated split)."""
        self.sample = None if index is None else int(index)
        self.update_needs()

    def apply_options(self, options: dict):
        """A lesson's options: ``{"node": feature-map node id, "sample": index in the split}``."""
        if "node" in options:
            self.node = str(options["node"])
        if isinstance(options.get("sample"), int):
            self.sample = options["sample"]
        self.update_needs()

    def _on_node(self, text):
        if text and text != self.node:
            self.node = text
            self.update_needs()

    def _on_click(self, event):
        v = self.shown
        if v is None or not len(v.index):
            return
        vb = self.samples_view
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        h, w = v.images.shape[2:]
        for i in range(len(v.index)):
            x, y = tile_origin(i, (h, w), COLUMNS, len(v.index), below=self._below(h))
            if x <= p.x() < x + w and y <= p.y() < y + h:
                self.choose_sample(v.index[i])
                return

    # ----- drawing -------------------------------------------------------------------------
    @staticmethod
    def _below(h):
        return int(np.ceil(h * LABEL_ROWS))

    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None or v is self.shown:
            return
        self.shown = v
        self._draw_samples(v, runner.dataset)
        self._draw_filters(v)
        self._draw_maps(v)

    def _draw_samples(self, v, ds):
        n = len(v.index)
        split = self.tr("test") if v.split == "test" else self.tr("training")
        self.samples_label.setText(self.tr("%1 of %2 %3 images wrong, shown first (true → predicted)").replace(
            "%1", str(v.n_wrong)).replace("%2", str(v.n_seen)).replace("%3", split))
        if not n:
            self.samples_image.clear()
            return
        h, w = v.images.shape[2:]
        below = self._below(h)
        lo, hi = min(float(v.images.min()), 0.0), max(float(v.images.max()), 1.0)
        self.samples_image.setImage(mosaic(v.images[:, 0], COLUMNS, below=below), levels=(lo, hi))
        names = tuple(ds.class_names or ())
        name = (lambda c: names[c] if 0 <= c < len(names) else str(c))
        while len(self.labels) < n:
            t = pg.TextItem("", anchor=(0.5, 0.0))
            self.samples_view.addItem(t)
            self.labels.append(t)
        origins = [tile_origin(i, (h, w), COLUMNS, n, below=below) for i in range(n)]
        for i, t in enumerate(self.labels):
            t.setVisible(i < n)
            if i < n:
                wrong = v.true[i] != v.guess[i]
                t.setText(f"{name(int(v.true[i]))}→{name(int(v.guess[i]))}", color=WRONG if wrong else (60, 60, 60))
                t.setPos(origins[i][0] + w / 2, origins[i][1] + h)
        self.wrong_frames.setData(*_frames([o for o, t, g in zip(origins, v.true, v.guess) if t != g], h, w))
        chosen = [o for o, i in zip(origins, v.index) if i == v.sample]
        self.chosen_frame.setData(*_frames(chosen, h, w))

    def _draw_filters(self, v):
        if v.filters is None:
            self.filters_label.setText(self.tr("no convolution: no filters to show"))
            self.filters_image.clear()
            return
        out_c, in_c = v.filters.shape[:2]
        rows = min(in_c, MAX_FILTER_ROWS)
        tiles = v.filters[:, :rows].transpose(1, 0, 2, 3).reshape(-1, *v.filters.shape[2:])
        top = float(np.abs(v.filters).max()) or 1.0
        self.filters_image.setImage(mosaic(tiles, out_c if in_c > 1 else wrap(out_c)), levels=(-top, top))
        more = self.tr(" (input channels 1-%1 of %2, one per row)").replace("%1", str(rows)).replace(
            "%2", str(in_c)) if in_c > 1 else ""
        self.filters_label.setText(self.tr("the %1 filters of %2").replace("%1", str(out_c)).replace(
            "%2", str(v.filter_node)) + more)

    def _draw_maps(self, v):
        names = [self.node_box.itemText(i) for i in range(self.node_box.count())]
        if names != list(v.map_nodes):
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.addItems(list(v.map_nodes))
            self.node_box.blockSignals(False)
        if v.maps_node is not None:
            self.node_box.blockSignals(True)
            self.node_box.setCurrentText(v.maps_node)
            self.node_box.blockSignals(False)
        self.node_box.setEnabled(bool(v.map_nodes))
        if v.maps is None:
            self.maps_label.setText(self.tr("no node with feature maps"))
            self.maps_image.clear()
            return
        lo, hi = float(np.nanmin(v.maps)), float(np.nanmax(v.maps))
        self.maps_image.setImage(mosaic(v.maps, wrap(len(v.maps))), levels=(lo, hi if hi > lo else lo + 1.0))
        self.maps_label.setText(self.tr("sample %1 at %2: %3 channels").replace(
            "%1", str(v.sample)).replace("%2", str(v.maps_node)).replace("%3", str(len(v.maps))))

    def clear(self):
        self.shown = None
        for img in (self.samples_image, self.filters_image, self.maps_image):
            img.clear()
        for t in self.labels:
            self.samples_view.removeItem(t)
        self.labels = []
        self.wrong_frames.setData([], [])
        self.chosen_frame.setData([], [])
        for label in (self.samples_label, self.filters_label, self.maps_label):
            label.setText("")
        if self.runner.dataset is None:  # a new document (Runner.clear): its samples and nodes are others
            self.sample = self.node = None
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.blockSignals(False)
