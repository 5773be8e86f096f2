"""The plots' colour scheme (View > Colour Scheme) and projector-friendly marks (issue 20)."""
from __future__ import annotations

import numpy as np
import pytest

from playground import theme as themes
from playground.panels import base


@pytest.fixture
def win(lesson_window):
    yield lesson_window
    base.use_scheme("standard")


def rgb(qcolor):
    return (qcolor.red(), qcolor.green(), qcolor.blue())


def test_the_colour_scheme_recolours_every_panel_and_switches_back(win):
    w = win("xor_mlp.nnpg")
    curve = w.panels["init"].curves["activation_var"]   # a pen made when the panel was built
    assert rgb(curve.opts["pen"].color()) == themes.SCHEMES["standard"]["series"][0]
    heat = base.SEQUENTIAL.copy()
    batch = w.panels["loss"].curves["loss"]   # a pale colour made from a series colour
    pale = rgb(batch.opts["pen"].color())
    w.set_colour_scheme("projector")
    assert rgb(curve.opts["pen"].color()) == themes.SCHEMES["projector"]["series"][0]
    assert rgb(batch.opts["pen"].color()) == rgb(w.panels["loss"].curve_pen("loss", 0).color()) != pale
    assert base.SERIES[:3] == themes.SCHEMES["projector"]["series"][:3]
    assert not np.array_equal(base.SEQUENTIAL, heat)   # cividis for heat
    assert [a.data() for a in w.scheme_actions.actions() if a.isChecked()] == ["projector"]
    w.set_colour_scheme("standard")
    assert rgb(curve.opts["pen"].color()) == themes.SCHEMES["standard"]["series"][0]
    assert rgb(batch.opts["pen"].color()) == pale
    np.testing.assert_array_equal(base.SEQUENTIAL, heat)


def test_the_projector_scheme_keeps_series_apart_and_avoids_pale_yellow_early():
    series = themes.SCHEMES["projector"]["series"]
    assert len(set(series)) == len(series)
    for r, g, b in series[:6]:   # no pale colour among the first ones (lost on a projector)
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 200
    with pytest.raises(ValueError, match="unknown colour scheme"):
        themes.set_scheme("neon")


def test_few_points_get_big_markers(win):
    assert base.marker_size(4) >= 2 * 8 and base.marker_size(1000) == 6.0
    assert base.marker_size(4) >= base.marker_size(40) >= base.marker_size(400)
    w = win("perceptron_and.nnpg")
    w.train_hook(1)
    points = w.panels["boundary"].train_points
    assert len(points.data) == 4 and points.opts["size"] >= 16


def test_the_activation_histogram_shows_no_values_in_a_calm_colour(win):
    w = win("xor_mlp.nnpg")
    lut = w.panels["activations"].hist_image.lut
    empty = lut[0].astype(float)
    assert empty.min() > 230 and empty.max() - empty.min() < 20   # near white, not yellow
