"""The GAN view: the generated points, the discriminator's shade and the players' losses
are the trained Session's numbers."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine.train.adversarial import generated_samples  # noqa: E402
from tests.engine.test_adversarial import _gan  # noqa: E402
from tests.gui._panel_support import in_worker  # noqa: E402
from tests.gui.test_views_data import front_view, open_window, train  # noqa: E402


def test_gan_view_draws_the_sessions_samples_decision_and_losses(qtbot):
    win, runner = open_window(qtbot, _gan())
    panel = win.panels["adversarial"]
    panel.raise_()
    session = train(qtbot, runner, 40, "adversarial")
    panel.refresh(runner)
    assert "adversarial" in front_view(win)
    v = runner.views["adversarial"]
    # the orange points are the generator's output for the view's fixed noise, now
    sx, sy = panel.samples.getData()
    expected = v.samples
    np.testing.assert_allclose(np.stack([sx, sy], 1), expected, rtol=1e-6)
    np.testing.assert_allclose(in_worker(runner, generated_samples, "G2"), expected, rtol=1e-5, atol=1e-6)
    # the data, a colour per mode, over the samples
    dx, dy = panel.data_points.getData()
    np.testing.assert_array_equal(np.stack([dx, dy], 1), v.data)
    assert panel.data_points.zValue() >= panel.samples.zValue()
    # the shade is the discriminator's P(real) on the grid, transposed for the image's axes
    np.testing.assert_array_equal(panel.image.image, v.decision.T)
    rect = panel.image.mapRectToParent(panel.image.boundingRect())
    assert (rect.left(), rect.right()) == pytest.approx(v.extent[0])
    panel.decision_box.setChecked(False)
    assert not panel.image.isVisible()
    # one curve per player, from the history's "<player> loss" metrics
    assert set(panel.curves) == {"discriminator", "generator"}
    steps, losses = panel.curves["generator"].getData()
    h = runner.history
    ok = np.isfinite(h.column("metric:generator loss"))
    np.testing.assert_array_equal(losses, h.column("metric:generator loss")[ok])
    np.testing.assert_array_equal(steps, h.column("step")[ok])
    assert f"of {v.modes}" in panel.info.text()
    assert session is not None
    win.close()


def test_gan_view_says_so_on_data_it_does_not_draw(qtbot):
    from tests.gui._panel_support import mlp_graph  # noqa: PLC0415

    win, runner = open_window(qtbot, mlp_graph())
    panel = win.panels["adversarial"]
    panel.raise_()
    panel.refresh(runner)
    assert panel.note.isVisibleTo(panel) and not panel.body.isVisibleTo(panel)
    win.close()
