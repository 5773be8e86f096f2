"""The canvas from the back row (issue 20): node titles stay readable however far the view is
zoomed out (the 10-layer lessons open fitted at about 25 %), and the minimap is small,
collapsible and out of the way when the whole graph is already on the canvas."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from playground.editor.items import MIN_LABEL_PX

CHAIN = "deep_sigmoid.nnpg"   # ten Linear + Sigmoid layers in two long rows


@pytest.fixture
def chain_window(lesson_window):
    return lesson_window(CHAIN)


def _dark_rows_over(win, node_id) -> int:
    """How many pixel rows of dark (text) pixels the canvas shows over ``node_id``."""
    view = win.view
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    centre = view.mapFromScene(win.scene.node_item(node_id).sceneBoundingRect().center())
    half_w, half_h = 20, 12
    patch = pixels[centre.y() - half_h:centre.y() + half_h, centre.x() - half_w:centre.x() + half_w, :3]
    dark = (patch.max(axis=2) < 110)
    return int(dark.any(axis=1).sum())


@pytest.mark.parametrize("zoom", [0.25, 0.12])
def test_node_titles_are_drawn_at_a_readable_size_when_zoomed_far_out(chain_window, zoom):
    win = chain_window
    win.view.set_zoom(zoom)
    for node_id in ("lin1", "act5", "lin10"):
        win.view.centerOn(win.scene.node_item(node_id))
        QApplication.processEvents()
        # text MIN_LABEL_PX pixels high spans at least 6 rows (an "x"); a bare outline 1 or 2
        assert _dark_rows_over(win, node_id) >= 0.5 * MIN_LABEL_PX, (node_id, zoom)


def test_the_fitted_chain_shows_a_title_on_every_node(chain_window):
    win = chain_window
    win.view.fit()
    QApplication.processEvents()
    assert win.view.zoom() < 0.45   # the compact drawing is what this lesson opens with
    for node_id in win.document.nodes:
        assert _dark_rows_over(win, node_id) >= 0.5 * MIN_LABEL_PX, node_id


def test_minimap_is_small_collapsible_and_hidden_when_the_graph_fits(chain_window, qtbot):
    win = chain_window
    mini = win.view.minimap
    win.view.fit()
    QApplication.processEvents()
    assert not mini.isVisible()          # the canvas already shows the whole graph
    win.view.set_zoom(1.0)
    QApplication.processEvents()
    assert mini.isVisible()
    canvas = win.view.size()
    assert mini.width() * mini.height() <= 0.06 * canvas.width() * canvas.height()
    corner = mini._corner_box().center().toPoint()
    qtbot.mouseClick(mini, Qt.LeftButton, pos=corner)
    assert mini.collapsed and mini.isVisible() and mini.size().width() <= 24 and mini.size().height() <= 24
    centre = win.view.center_scene_pos()
    qtbot.mouseClick(mini, Qt.LeftButton, pos=QPoint(10, 10))   # opens it, does not move the view
    assert not mini.collapsed and mini.width() > 100
    assert (win.view.center_scene_pos() - centre).manhattanLength() < 1
    win.actions["minimap"].trigger()
    assert not mini.isVisible()
