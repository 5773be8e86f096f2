"""Plots for a projector (issue 20): the loss of every early step (a short run is a curve, not
two dots), a thin batch loss under the train/test curves, readable axes for constant values."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from playground.panels.base import StableRange, flat_span
from playground.runner import EVERY_STEP_ROWS


@pytest.mark.parametrize("y0, y1, log_y, expected", [
    (1.0, 1.0, False, (0.9, 1.1)),                     # an accuracy stuck at 1
    (0.6931, 0.6931 + 1e-12, False, (0.6238, 0.7624)),  # a loss that does not move
    (0.0, 0.0, False, (-1e-3, 1e-3)),
    (-2.0, -2.0, True, (-2.5, -1.5)),                   # log10 of a constant 0.01
    (0.2, 0.5, False, (0.2, 0.5)),                      # values that vary keep their range
])
def test_flat_values_get_a_span_of_a_tenth_of_their_size(y0, y1, log_y, expected):
    assert flat_span(y0, y1, log_y) == pytest.approx(expected, abs=1e-4)


def test_a_constant_curve_gets_axis_labels_without_exponents(qapp):
    plot = pg.PlotItem()
    StableRange(plot).update(np.arange(1.0, 6.0), [np.full(5, 1.0)])
    low, high = plot.getViewBox().viewRange()[1]
    assert high - low > 0.1
    axis = plot.getAxis("left")
    ticks = [v for level in axis.tickValues(low, high, 300) for v in level[1]]
    labels = axis.tickStrings(ticks, 1.0, ticks[1] - ticks[0])
    assert all("e" not in s and len(s) <= 4 for s in labels), labels   # "0.9", "1.0", ...


def test_every_early_step_is_a_point_of_the_loss_curve(lesson_window):
    win = lesson_window("xor_mlp.nnpg")   # probes every 10 steps
    link = win.train_hook.__self__
    runner, curve = link.runner, link.panels["loss"].curves["loss"]
    assert EVERY_STEP_ROWS >= 30
    win.train_hook(5)   # before the first probe: a curve already
    assert list(curve.getOriginalDataset()[0]) == [1, 2, 3, 4, 5]
    win.train_hook(25)
    x, y = curve.getOriginalDataset()
    assert list(x) == list(range(1, 31)) and np.isfinite(y).all()
    assert list(runner.history.column("step")) == [10, 20, 30]   # the history stays a row per probe
    win.train_hook(EVERY_STEP_ROWS)   # past the early steps, a point per probe again
    x = curve.getOriginalDataset()[0]
    assert x[-1] == 30 + EVERY_STEP_ROWS
    assert list(x[:EVERY_STEP_ROWS]) == list(range(1, EVERY_STEP_ROWS + 1))
    assert np.all(np.diff(x[EVERY_STEP_ROWS - 1:]) == 10)


def test_the_batch_loss_is_a_thin_line_under_the_train_and_test_curves(lesson_window):
    win = lesson_window("xor_mlp.nnpg")
    curves = win.train_hook.__self__.panels["loss"].curves
    batch, train = curves["loss"], curves["train_loss"]
    assert batch.opts["pen"].widthF() < train.opts["pen"].widthF()
    # pale (its colour faded toward the white background), not a blob over the others
    from playground.panels.base import color
    base, pale = pg.mkColor(color(0)).getRgb()[:3], batch.opts["pen"].color().getRgb()[:3]
    assert pale != base and all(b <= p <= 255 for b, p in zip(base, pale)), (base, pale)
    assert sum(pale) - sum(base) > 0.4 * (3 * 255 - sum(base))
    assert batch.zValue() < min(train.zValue(), curves["test_loss"].zValue())


def test_canvas_colourings_show_a_key_with_the_colours_the_canvas_uses(lesson_window):
    from PySide6.QtGui import QColor

    from playground.editor.items import HEAT_COLOUR
    from playground.panels.weights import MIXED, edge_styles

    win = lesson_window("xor_mlp.nnpg")
    panels = win.train_hook.__self__.panels
    diagnostics, weights = panels["diagnostics"], panels["weights"]
    win.train_hook(10)
    for box, key in ((diagnostics.heat_box, diagnostics.heat_key), (weights.canvas_box, weights.edge_key)):
        box.setChecked(True)
        assert key.isVisibleTo(key.parentWidget())
        box.setChecked(False)
        assert not key.isVisibleTo(key.parentWidget())
    assert QColor(diagnostics.heat_key.entries[0][2]) == HEAT_COLOUR   # red: the largest gradient

    class Snap:   # one layer of positive weights, one of mixed signs
        gradients = {}
        weights = {"a.weight": np.ones((2, 2)), "b.weight": np.array([[1.0, -1.0]])}
    styles = edge_styles(Snap())
    key_colours = [QColor(e[1]) for e in weights.edge_key.entries]
    assert styles["a"][0] == key_colours[0] and styles["b"][0] == QColor(*MIXED) == key_colours[2]
