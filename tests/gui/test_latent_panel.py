"""The latent-space view (issue 19): the chooser puts it in front for an autoencoder on
images, and what it draws (reconstructions, latent means, the decoded grid) is what the
trained Session computes."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from playground.panels.images import mosaic  # noqa: E402
from tests.gui._panel_support import example  # noqa: E402
from tests.gui.test_views_data import front_view, open_window, train  # noqa: E402


def test_a_vae_on_digits_gets_the_latent_view_with_the_sessions_numbers(qtbot):
    win, runner = open_window(qtbot, example("vae_latent"))
    assert front_view(win) == ["latent"]   # not the image view: the graph has no Target
    session = train(qtbot, runner, 100, "latent")
    panel = win.panels["latent"]
    panel.refresh(runner)
    v = panel.shown
    x = runner.dataset.x_test
    # reconstructions: the decoder's output for the shown test images, through the sigmoid
    logits = session.node_output("out", x[:len(v.originals)])
    np.testing.assert_allclose(v.reconstructions.reshape(len(v.originals), -1), 1 / (1 + np.exp(-logits)),
                               rtol=1e-5, atol=1e-6)
    pairs = mosaic(np.concatenate([v.originals[:, 0], v.reconstructions[:, 0]]), len(v.originals))
    np.testing.assert_array_equal(panel.pairs_image.image, pairs)
    # the plane: every test image at its mean, each digit named at its centre
    px, py = panel.points.getData()
    np.testing.assert_allclose(np.stack([px, py], 1), session.node_output("mu", x), rtol=1e-5, atol=1e-6)
    names = sorted(t.textItem.toPlainText() for t in panel.names if t.isVisible())
    assert names == [str(i) for i in range(10)]
    side = v.grid.shape[0]
    np.testing.assert_array_equal(panel.grid_image.image,
                                  mosaic(v.grid[:, :, 0].reshape(side * side, 8, 8), side, gap=0))
    assert panel.plane.isVisible() and "mu" in panel.plane_label.text
    win.close()


def test_an_autoencoder_shows_reconstructions_and_nothing_classifies_it(qtbot):
    win, runner = open_window(qtbot, example("autoencoder_digits"))
    assert front_view(win) == ["latent"]
    train(qtbot, runner, 60, "latent")
    panel = win.panels["latent"]
    panel.refresh(runner)
    assert not panel.plane.isVisible() and not panel.grid_view.isVisible()   # no 2-D latent
    assert f"{panel.shown.error:.4f}" in panel.pairs_label.text
    # the views that classify have nothing to say about it, and say nothing wrong
    for name in ("images", "predictions", "confusion"):
        win.panels[name].raise_()
    train(qtbot, runner, 20, "latent")
    assert runner.views.get("images") is None and runner.views.get("predictions") is None
    assert runner.confusion is None and not runner.last_message, runner.last_message
    win.close()
