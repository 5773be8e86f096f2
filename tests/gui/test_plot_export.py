"""A panel's plot exported alone (issue 20): PNG at the chosen width, SVG, without the
panel's checkboxes and combo boxes, from the header button and File > Export Plot."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage


@pytest.fixture
def win(lesson_window):
    return lesson_window("xor_mlp.nnpg", steps=20)


def test_png_at_the_chosen_width_and_svg_without_the_controls(win, tmp_path):
    panel = win.panels["boundary"]
    png = tmp_path / "b.png"
    assert panel.export_plot(str(png), width=1234)
    image = QImage(str(png))
    assert image.width() == 1234 and image.height() > 100
    svg = tmp_path / "b.svg"
    assert panel.export_plot(str(svg))
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text[:2000]
    assert panel.discrete.text() not in text   # the header's checkbox is not in the plot


def test_the_header_button_asks_for_a_file_and_a_width(win, tmp_path):
    png = tmp_path / "loss.png"
    win.dialogs.answers.update(save_file=str(png), ask_text="800")
    assert win.panels["loss"].ask_export_plot()
    assert QImage(str(png)).width() == 800
    win.dialogs.answers.update(ask_text="wide")
    assert not win.panels["loss"].ask_export_plot()
    assert "'wide'" in win.dialogs.shown[-1][2]   # a one-line message naming the bad value


def test_file_export_plot_exports_a_shown_panel(win, tmp_path):
    path = tmp_path / "front.png"
    assert win.export_plot(str(path), width=640)
    assert QImage(str(path)).width() == 640


def test_a_plots_context_menu_exports_it_alone(win, tmp_path):
    panel = win.panels["loss"]
    view = panel.plot_item().scene().views()[0]
    actions = view.scene().contextMenu
    assert [a.text() for a in actions] == ["Export Plot…"]   # ours, not pyqtgraph's dialog
    png = tmp_path / "menu.png"
    win.dialogs.answers.update(save_file=str(png), ask_text="500")
    actions[0].trigger()
    assert QImage(str(png)).width() == 500
