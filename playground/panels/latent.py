"""Latent space: an autoencoder's test images beside their reconstructions and, for a VAE
with a 2-D latent, the plane of its latent means (one dot per test image, coloured by its
class, the class name at each class's centre) beside images decoded on a grid over that
plane. The worker computes everything (engine.train.latent.latent_view); this panel draws.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP

from engine.train import latent as engine_latent
from engine.train import views as engine_views

from .base import CLASS_COLORS, marker_size
from .images import INK, mosaic
from .views import ViewPanel

#: above the Images view (1.0), which draws image classification, when the graph is an autoencoder
PREFERRED = 1.5


class LatentPanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Latent space")
    name = "latent"

    @classmethod
    def suits(cls, dataset) -> float:
        """By the data alone it can only draw images, and only for an autoencoder: a small
        score, so it never takes the place of the image view of a classifier."""
        return 0.05 if engine_views.input_kind(dataset) == "image" else 0.0

    def suitability(self, dataset) -> float:
        if not self.suits(dataset):
            return 0.0
        graph = getattr(self.window_, "document", None)
        if graph is None:
            return self.suits(dataset)
        return PREFERRED if engine_latent.autoencoder_kind(graph) else 0.0

    def made_for(self):
        return self.tr("The latent-space view is drawn for an autoencoder on images: a graph whose cost "
                       "compares its output with its own input (no Target node).")

    def build(self):
        self.add_body()
        self.pairs_label = self.body.addLabel("", row=0, col=0, colspan=2)
        self.pairs_view = self.image_box(row=1, col=0, colspan=2)
        self.pairs_image = pg.ImageItem()
        self.pairs_image.setLookupTable(INK)
        self.pairs_view.addItem(self.pairs_image)
        self.plane_label = self.body.addLabel("", row=2, col=0)
        self.plane = self.body.addPlot(row=3, col=0)
        self.plane.setLabel("bottom", "z₁")
        self.plane.setLabel("left", "z₂")
        self.points = pg.ScatterPlotItem(size=5, pen=None)
        self.plane.addItem(self.points)
        self.names = []
        self.grid_label = self.body.addLabel("", row=2, col=1)
        self.grid_view = self.image_box(row=3, col=1)
        self.grid_image = pg.ImageItem()
        self.grid_image.setLookupTable(INK)
        self.grid_view.addItem(self.grid_image)
        layout = self.body.ci.layout
        layout.setRowStretchFactor(1, 2)
        layout.setRowStretchFactor(3, 5)
        self.shown = None

    def needs(self):
        return self.request_view("latent")

    # ----- drawing -------------------------------------------------------------------------
    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        v = runner.views.get(self.name)
        if v is None or v is self.shown:
            return
        self.shown = v
        self._draw_pairs(v)
        self._draw_plane(v)

    def _draw_pairs(self, v):
        split = self.tr("test") if v.split == "test" else self.tr("training")
        self.pairs_label.setText(self.tr("%1 images, below them their reconstructions: error %2, "
                                         "mean image %3").replace(
            "%1", split).replace("%2", f"{v.error:.4f}").replace("%3", f"{v.baseline:.4f}"))
        n = len(v.originals)
        if not n:
            self.pairs_image.clear()
            return
        tiles = np.concatenate([v.originals[:, 0], v.reconstructions[:, 0]])
        self.pairs_image.setImage(mosaic(tiles, n), levels=(0.0, max(1.0, float(tiles.max()))))

    def _draw_plane(self, v):
        flat = v.latent is None   # an autoencoder without a 2-D latent: the pairs take the room
        for item in (self.plane, self.grid_view):
            item.setVisible(not flat)
        self.body.ci.layout.setRowStretchFactor(1, 5 if flat else 2)
        self.body.ci.layout.setRowStretchFactor(3, 0 if flat else 5)
        if flat:
            self.plane_label.setText(self.tr("a VAE with a 2-D latent (a Reparameterize node) would show its "
                                             "latent plane here"))
            self.grid_label.setText("")
            self.points.setData([], [])
            self.grid_image.clear()
            self._set_names([])
            return
        self.plane_label.setText(self.tr("latent means (%1), by class").replace("%1", str(v.latent_node)))
        labels = v.labels if v.labels is not None else np.zeros(len(v.latent), dtype=np.int64)
        brushes = [pg.mkBrush(*CLASS_COLORS[int(c) % len(CLASS_COLORS)], 170) for c in labels]
        self.points.setData(v.latent[:, 0], v.latent[:, 1], brush=brushes, size=marker_size(len(v.latent), 5.0))
        names = []
        if v.labels is not None:
            for c in np.unique(labels):
                centre = np.median(v.latent[labels == c], axis=0)
                text = v.class_names[c] if c < len(v.class_names) else str(int(c))
                names.append((text, CLASS_COLORS[int(c) % len(CLASS_COLORS)], centre))
        self._set_names(names)
        x0, x1, y0, y1 = v.extent
        self.plane.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        side = v.grid.shape[0]
        self.grid_label.setText(self.tr("decoded from a %1×%1 grid").replace("%1", str(side)))
        rows = v.grid[:, :, 0].reshape(side * side, *v.grid.shape[3:])
        self.grid_image.setImage(mosaic(rows, side, gap=0), levels=(0.0, max(1.0, float(rows.max()))))

    def _set_names(self, names):
        while len(self.names) < len(names):
            t = pg.TextItem("", anchor=(0.5, 0.5))
            self.plane.addItem(t)
            self.names.append(t)
        for i, t in enumerate(self.names):
            t.setVisible(i < len(names))
            if i < len(names):
                text, colour, centre = names[i]
                t.setHtml(f'<span style="font-weight: bold; font-size: 13pt; color: rgb{tuple(colour)};'
                          f' background: rgba(255, 255, 255, 180)">{text}</span>')
                t.setPos(float(centre[0]), float(centre[1]))

    def clear(self):
        self.shown = None
        self.pairs_image.clear()
        self.grid_image.clear()
        self.points.setData([], [])
        self._set_names([])
        for label in (self.pairs_label, self.plane_label, self.grid_label):
            label.setText("")
