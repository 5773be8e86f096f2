"""The operator view (playground/panels/operator.py), by its content: what it draws is the
engine's OperatorView (engine.train.operator) for the FNO lesson."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine.train import operator as engine_operator  # noqa: E402
from tests.gui.test_views_data import open_window  # noqa: E402
from tests.gui._panel_support import example, mlp_graph  # noqa: E402


def test_operator_view_draws_predictions_at_both_resolutions(qtbot):
    win, runner = open_window(qtbot, example("fno_heat"))
    panel = win.panels["operator"]
    assert win.view_chooser.best(runner.dataset) is panel   # chosen for PDE data, not the sequence view
    assert win.panels["sequence"].suits(runner.dataset) == 0
    panel.raise_()
    runner.step_n(20)
    qtbot.waitUntil(lambda: runner.snapshot.step >= 20 and not runner.running
                    and runner.views.get("operator") is not None, timeout=60000)
    panel.refresh(runner)
    v = runner.views["operator"]
    assert isinstance(v, engine_operator.OperatorView)
    assert len(v.x) == 64 and len(v.x_fine) == 128
    for i in range(len(v.true)):
        coarse, fine = panel.coarse_plot, panel.fine_plot
        for plot, key, x, y in ((coarse, "true", v.x, v.true[i]), (coarse, "pred", v.x, v.pred[i]),
                                (coarse, "initial", v.x, v.initial[i]),
                                (fine, "true", v.x_fine, v.true_fine[i]), (fine, "pred", v.x_fine, v.pred_fine[i])):
            got_x, got_y = panel.curves[(plot, key, i)].getData()
            np.testing.assert_allclose(got_x, x)
            np.testing.assert_allclose(got_y, y, rtol=1e-6)
        # each sample's own error, at each resolution, in that plot's legend
        for plot, err in ((coarse, v.errors[i]), (fine, v.errors_fine[i])):
            label = panel.legends[plot].getLabel(panel.curves[(plot, "pred", i)]).text
            assert f"{100 * err:.2g} %" in label.replace(",", "."), label
    text = panel.info.text()
    assert f"{100 * v.error:.2g} %" in text.replace(",", ".") and "128" in text
    assert f"{100 * v.error_fine:.2g} %" in text.replace(",", ".")
    win.close()


def test_operator_view_explains_data_it_does_not_draw(qtbot):
    win, runner = open_window(qtbot, mlp_graph((2, 4, 1), n_samples=100))
    panel = win.panels["operator"]
    panel.refresh(runner)
    assert panel.note.isVisibleTo(panel) and not panel.body.isVisibleTo(panel)
    assert "PDE" in panel.note.text()
    win.close()
