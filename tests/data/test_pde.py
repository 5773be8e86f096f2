"""The PDE data (engine.data.pde): our spectral solvers against exact solutions, and the
datasets' layout, resolutions and finer copy."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import load_dataset, pde


def test_heat_each_fourier_mode_decays_by_its_exact_factor():
    nu, time, n = 0.01, 0.5, 64
    x = pde.grid(n)
    for k in (1, 3, 7):
        u0 = np.sin(2 * np.pi * k * x) + 0.4 * np.cos(2 * np.pi * k * x)
        got = pde.solve_heat(u0[None], nu, time)[0]
        np.testing.assert_allclose(got, u0 * np.exp(-nu * (2 * np.pi * k) ** 2 * time), atol=1e-12)


def _cole_hopf(x, t, nu, a):
    """An exact periodic Burgers solution: u = -2 nu phi_x / phi with phi = 1 + a e^{-nu (2 pi)^2 t}
    cos(2 pi x), which solves the heat equation."""
    decay = a * np.exp(-nu * (2 * np.pi) ** 2 * t)
    return 4 * np.pi * nu * decay * np.sin(2 * np.pi * x) / (1 + decay * np.cos(2 * np.pi * x))


def test_burgers_matches_the_cole_hopf_solution():
    nu, a, time, n = 0.05, 0.95, 0.1, 256
    x = pde.grid(n)
    u0 = _cole_hopf(x, 0.0, nu, a)
    got = pde.solve_burgers(u0[None], nu, time)[0]
    want = _cole_hopf(x, time, nu, a)
    np.testing.assert_allclose(got, want, atol=1e-6)
    # a steep wave, where the nonlinear term matters: diffusion alone is far off
    assert np.abs(u0).max() > 1.5 and np.abs(pde.solve_heat(u0[None], nu, time)[0] - want).max() > 0.1


def test_burgers_conserves_the_mean_and_agrees_with_a_finer_run():
    rng_state = 5
    coarse0 = pde.initial_conditions(np.random.default_rng(rng_state), 4, 256) + 0.3
    fine0 = pde.initial_conditions(np.random.default_rng(rng_state), 4, 512) + 0.3
    coarse = pde.solve_burgers(coarse0, 0.02, 0.5)
    fine = pde.solve_burgers(fine0, 0.02, 0.5)
    np.testing.assert_allclose(coarse.mean(1), coarse0.mean(1), atol=1e-12)
    np.testing.assert_allclose(coarse, fine[:, ::2], atol=1e-6)
    # the nonlinearity acts: the solution is not the heat equation's
    assert np.abs(coarse - pde.solve_heat(coarse0, 0.02, 0.5)).max() > 0.1


def test_initial_conditions_are_the_same_function_on_every_grid():
    coarse = pde.initial_conditions(np.random.default_rng(0), 3, 32)
    fine = pde.initial_conditions(np.random.default_rng(0), 3, 128)
    np.testing.assert_allclose(fine[:, ::4], coarse, atol=1e-12)
    np.testing.assert_allclose(coarse.mean(1), 0.0, atol=1e-12)


@pytest.mark.parametrize("name", ["heat-1d", "burgers-1d"])
def test_datasets_carry_the_same_samples_at_twice_the_resolution(name):
    ds = load_dataset(name, n_samples=40, resolution=32, seed=3)
    fine = ds.fine
    assert ds.x_train.shape == (32, 1, 32) and ds.y_test.shape == (8, 1, 32)
    assert fine.x_train.shape == (32, 1, 64) and fine.y_test.shape == (8, 1, 64)
    for a, b in ((ds.x_train, fine.x_train), (ds.y_train, fine.y_train), (ds.x_test, fine.x_test),
                 (ds.y_test, fine.y_test)):
        np.testing.assert_array_equal(b[..., ::2], a)
        assert a.dtype == np.float32
    # the target really is the solution of its initial condition
    solve = pde.solve_heat if name == "heat-1d" else pde.solve_burgers
    if name == "heat-1d":
        want = solve(fine.x_test[:, 0].astype(np.float64), ds.options["nu"], ds.options["time"])
        np.testing.assert_allclose(fine.y_test[:, 0], want, atol=1e-5)
    assert not np.allclose(ds.x_test, ds.y_test, atol=1e-2)


def test_options_resolution_coordinates_and_seed():
    ds = load_dataset("heat-1d", n_samples=20, resolution=128, coordinates=True)
    assert ds.input_shape == (2, 128) and ds.target_shape == (1, 128) and ds.fine.input_shape == (2, 256)
    np.testing.assert_allclose(ds.x_train[0, 1], np.arange(128) / 128, atol=1e-7)
    same = load_dataset("heat-1d", n_samples=20, resolution=128, coordinates=True)
    np.testing.assert_array_equal(ds.x_train, same.x_train)
    other = load_dataset("heat-1d", n_samples=20, resolution=128, coordinates=True, seed=1)
    assert not np.array_equal(ds.x_train, other.x_train)
    with pytest.raises(ValueError, match="dataset 'heat-1d', option 'resolution' = 50: must be one of"):
        load_dataset("heat-1d", resolution=50)
