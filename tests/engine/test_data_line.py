"""The "line" dataset: y = slope x + intercept (+ noise), optionally with outliers pulled
below the line at the right end (the L1 against L2 lesson)."""
import numpy as np
import pytest

from engine.data import load_dataset


def test_without_noise_every_point_is_on_the_line():
    ds = load_dataset("line", slope=-1.5, intercept=0.25, noise=0.0, n_samples=100)
    np.testing.assert_allclose(ds.y, -1.5 * ds.x + 0.25, atol=1e-6)
    assert ds.x.shape == (100, 1) and ds.y.shape == (100, 1) and ds.task == "regression"
    assert ds.x.min() >= -1 and ds.x.max() <= 1


def test_outliers_lie_shift_below_the_line_at_the_right_end_and_the_rest_on_it():
    ds = load_dataset("line", noise=0.0, n_samples=200, outliers=0.1, outlier_shift=6.0, seed=3)
    residual = (ds.y - (2.0 * ds.x + 0.5)).ravel()
    off = np.abs(residual) > 1e-5
    assert off.sum() == 20
    np.testing.assert_allclose(residual[off], -6.0, atol=1e-5)
    assert ds.x[off].min() >= 0.5
    assert "20 outliers" in ds.description


def test_least_squares_is_tilted_by_the_outliers_least_absolute_deviations_is_not():
    ds = load_dataset("line", noise=0.05, outliers=0.1, n_samples=400)
    x, y = ds.x.ravel().astype(np.float64), ds.y.ravel().astype(np.float64)
    slope_l2 = np.polyfit(x, y, 1)[0]
    # least absolute deviations by iteratively reweighted least squares
    w = np.ones_like(x)
    for _ in range(100):
        slope_l1, b = np.polyfit(x, y, 1, w=np.sqrt(w))
        w = 1.0 / np.maximum(np.abs(y - slope_l1 * x - b), 1e-6)
    assert slope_l2 < 1.4 and abs(slope_l1 - 2.0) < 0.1


def test_bad_options_are_refused_naming_them():
    with pytest.raises(ValueError, match="outliers"):
        load_dataset("line", outliers=0.5)


def test_gauss_class1_fraction_makes_the_classes_imbalanced_and_keeps_the_default():
    ds = load_dataset("gauss", n_samples=1000, class1_fraction=0.1)
    assert int(ds.y.sum()) == 100
    for n in (11, 500):   # the default is the balanced set it always was: n // 2 in class 1
        assert int(load_dataset("gauss", n_samples=n).y.sum()) == n // 2
