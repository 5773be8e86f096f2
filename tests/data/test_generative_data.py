"""The 2-D generative datasets: geometry, component labels, determinism."""
import numpy as np
import pytest

from engine.data import DATASETS, load_dataset
from engine.data.base import CLASSIFICATION
from engine.data.generative import ring_centres

NAMES = ("gen-moons", "gen-ring", "gen-spiral")


@pytest.mark.parametrize("name", NAMES)
def test_component_labels_are_indices_and_seeded(name):
    spec = DATASETS[name]
    assert spec.group == "2-D generative" and spec.task == CLASSIFICATION
    a, b = load_dataset(name, seed=3), load_dataset(name, seed=3)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert a.x_train.shape[1:] == (2,) and a.y_train.ndim == 1
    assert set(np.unique(a.y)) == set(range(a.n_classes))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, load_dataset(name, seed=4).x)
    assert len(a.x) == spec.defaults()["n_samples"]


def test_ring_modes_sit_at_their_centres():
    ds = load_dataset("gen-ring", noise=0.02, n_samples=800)
    centres = ring_centres()
    assert np.allclose(np.linalg.norm(centres, axis=1), 2.0)
    for k in range(8):
        pts = ds.x[ds.y == k]
        assert len(pts) == 100
        assert np.linalg.norm(pts.mean(0) - centres[k]) < 0.01
        assert np.linalg.norm(pts - centres[k], axis=1).max() < 0.1


def test_moons_are_scikit_learns_geometry_unscaled():
    ds = load_dataset("gen-moons", noise=0.0, n_samples=200)
    upper, lower = ds.x[ds.y == 0], ds.x[ds.y == 1]
    # upper moon: the unit circle's upper half; lower moon: centred at (1, 0.5), lower half
    assert np.allclose(np.hypot(*upper.T), 1.0, atol=1e-6) and (upper[:, 1] >= -1e-6).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


def test_spiral_arms_are_half_a_turn_apart():
    ds = load_dataset("gen-spiral", noise=0.0)
    r = np.hypot(*ds.x.T)
    assert r.min() >= 0.2 - 1e-6 and r.max() <= 2.0 + 1e-6
    # arm 1 is arm 0 turned by pi: at the same radius, opposite directions
    for arm, turn in ((0, 0.0), (1, np.pi)):
        pts = ds.x[ds.y == arm]
        radius = np.hypot(*pts.T)
        angle = 3 * np.pi * (radius - 0.2) / 1.8 + turn
        np.testing.assert_allclose(pts / radius[:, None], np.stack([np.cos(angle), np.sin(angle)], 1),
                                   atol=1e-5)
