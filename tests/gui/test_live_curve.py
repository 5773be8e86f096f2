"""The live plots' fast paths draw what pyqtgraph draws: a 2-px curve stroked in device
pixels (DevicePixelCurve) and the range found without masked copies (finite_bounds)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import pyqtgraph as pg  # noqa: E402

from playground.panels.base import finite_bounds, live_curve  # noqa: E402


def _render(qtbot, make_curve):
    w = pg.PlotWidget()
    qtbot.addWidget(w)
    w.resize(400, 300)
    w.setXRange(0, 100, padding=0)
    w.setYRange(-1.5, 1.5, padding=0)
    x = np.arange(200) * 0.5
    make_curve(w.getPlotItem(), x, np.sin(x / 7.0) + 0.3 * np.cos(x))
    w.show()
    qtbot.waitExposed(w)
    image = w.grab().toImage()
    return np.array([[image.pixelColor(i, j).getRgb()[:3] for i in range(image.width())]
                     for j in range(image.height())])


def test_a_live_curve_draws_the_same_line_as_pyqtgraph(qtbot):
    pen = pg.mkPen((31, 119, 180), width=2)
    ours = _render(qtbot, lambda plot, x, y: live_curve(plot, x, y, pen=pen))
    theirs = _render(qtbot, lambda plot, x, y: plot.plot(x, y, pen=pen))
    drawn = (theirs != 255).any(axis=2)
    assert drawn.sum() > 500                       # the line is there
    differ = (np.abs(ours.astype(int) - theirs).max(axis=2) > 60).sum()
    assert differ <= 0.01 * drawn.sum(), differ     # a pixel may round the other way


@pytest.mark.parametrize("positive", [False, True])
def test_finite_bounds_are_the_masked_min_and_max(positive):
    rng = np.random.default_rng(0)
    for _ in range(50):
        v = rng.normal(size=rng.integers(0, 30))
        v[rng.random(v.size) < 0.3] = np.nan
        keep = v[np.isfinite(v) & ((v > 0) if positive else True)]
        expected = (keep.min(), keep.max()) if keep.size else None
        assert finite_bounds(v, positive=positive) == expected


def test_the_live_curve_takes_the_pixel_path(qtbot, monkeypatch):
    """(So the comparison above compares the fast path, not pyqtgraph's own paint twice.)"""
    from playground.panels import base

    calls = []
    real = base.arrayToLineSegments
    monkeypatch.setattr(base, "arrayToLineSegments", lambda *a, **k: calls.append(1) or real(*a, **k))
    _render(qtbot, lambda plot, x, y: live_curve(plot, x, y, pen=pg.mkPen((0, 0, 0), width=2)))
    assert calls
