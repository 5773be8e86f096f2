"""The flow view (playground/panels/flow.py), by its content: what it draws is the engine's
FlowView (engine.train.flow) for the flow-matching lesson, at the time its slider chooses."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine.train import flow as engine_flow  # noqa: E402
from playground.panels.flow import SHOWN_PATHS  # noqa: E402
from tests.gui.test_views_data import open_window  # noqa: E402
from tests.gui._panel_support import example, mlp_graph  # noqa: E402


def _xy(item):
    x, y = item.getData()
    return np.stack([x, y], axis=1) if x is not None else np.zeros((0, 2))


def test_the_flow_view_draws_the_samples_their_paths_and_the_noise_at_each_time(qtbot):
    win, runner = open_window(qtbot, example("flow_matching_moons"))
    panel = win.panels["flow"]
    assert panel.suits(runner.dataset) == 1.0 and win.panels["fit"].suits(runner.dataset) == 0
    assert win.view_chooser.best(runner.dataset) is panel   # not the boundary of its velocity
    runner.step_n(30)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 30 and not runner.running, timeout=60000)
    panel.raise_()
    qtbot.waitUntil(lambda: runner.views.get("flow") is not None, timeout=15000)
    panel.refresh(runner)
    v = runner.views["flow"]
    assert isinstance(v, engine_flow.FlowView)
    np.testing.assert_allclose(_xy(panel.data_points), v.data)
    # t = 1: the generated samples, and the whole paths of the first few
    assert panel.time.value() == panel.time.maximum() == engine_flow.FLOW_STEPS
    np.testing.assert_allclose(_xy(panel.cloud), v.samples)
    x, y = panel.lines.getData()
    np.testing.assert_allclose(np.stack([x, y], 1), v.paths[:SHOWN_PATHS].reshape(-1, 2))
    np.testing.assert_allclose(_xy(panel.starts), v.paths[:SHOWN_PATHS, 0])
    assert f"{v.distance:.3f}" in panel.info.text().replace(",", ".")
    # t = 0: the cloud is the sampler's own noise; a lesson's options move the slider
    panel.apply_options({"time": 0.0, "trajectories": False})
    noise = engine_flow.starting_noise((2,), engine_flow.FLOW_SAMPLES, np.float32)
    np.testing.assert_allclose(_xy(panel.cloud), noise, rtol=1e-6)
    assert "t = 0.00" in panel.info.text().replace(",", ".")
    assert len(_xy(panel.starts)) == 0 and panel.lines.getData()[0].size == 0
    panel.apply_options({"time": 0.5, "trajectories": True})
    half = engine_flow.FLOW_STEPS // 2
    np.testing.assert_allclose(_xy(panel.cloud), v.paths[:, half])
    assert panel.lines.getData()[0].size == SHOWN_PATHS * (half + 1)
    # the play button sweeps from the noise to the samples
    panel.sweep()
    assert panel.time.value() == 0
    qtbot.waitUntil(lambda: panel.time.value() == panel.time.maximum(), timeout=10000)
    # a new view of the same data leaves the data and the plot's range (the user's zoom) alone
    panel.plot.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0)
    zoomed = panel.plot.viewRange()
    runner.step_n(10)
    qtbot.waitUntil(lambda: runner.views.get("flow") is not v and not runner.running, timeout=30000)
    panel.refresh(runner)
    assert panel.shown is runner.views["flow"] and panel.plot.viewRange() == zoomed
    win.close()


def test_the_flow_view_says_what_it_needs(qtbot):
    # 2-D points but no flow-matching graph: the view is computed as nothing, and says why
    win, runner = open_window(qtbot, mlp_graph((2, 4, 1), n_samples=100))
    panel = win.panels["flow"]
    assert 0 < panel.suitability(runner.dataset) < win.panels["boundary"].suitability(runner.dataset)
    panel.raise_()
    qtbot.waitUntil(lambda: "flow" in runner.views, timeout=15000)
    panel.refresh(runner)
    assert runner.views["flow"] is None and "FlowPath" in panel.info.text()
    win.close()
    # data of one feature: the note in place of the plot
    win, runner = open_window(qtbot, example("linear_regression"))
    panel = win.panels["flow"]
    panel.refresh(runner)
    assert panel.suits(runner.dataset) == 0
    assert panel.note.isVisibleTo(panel) and not panel.body.isVisibleTo(panel)
    assert "2-D points" in panel.note.text()
    win.close()
