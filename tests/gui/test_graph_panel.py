"""The node-embedding view of graph networks, by its content: what it draws is checked
against the engine's numbers (the hidden layer's output, the graph's edges, the classes)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine.data.graphs import UNLABELLED  # noqa: E402
from playground.runner import confusion_matrix  # noqa: E402
from tests.gui.test_views_data import open_window  # noqa: E402
from tests.gui._panel_support import example, mlp_graph  # noqa: E402


def _window(qtbot, graph, steps):
    win, runner = open_window(qtbot, graph)
    if steps:
        runner.step_n(steps)
        qtbot.waitUntil(lambda: runner.snapshot.step >= steps and not runner.running, timeout=30000)
    return win, runner


def test_embedding_view_draws_every_member_with_the_friendships(qtbot):
    win, runner = _window(qtbot, example("gcn_karate"), 40)
    panel = win.panels["graph_embedding"]
    assert win.view_chooser.best(runner.dataset) is panel   # picked for graph data
    panel.raise_()
    qtbot.waitUntil(lambda: runner.views.get("graph_embedding") is not None, timeout=15000)
    panel.refresh(runner)
    v = runner.views["graph_embedding"]
    ds = runner.dataset
    spots = panel.points.data
    assert len(spots) == 34
    np.testing.assert_allclose(np.stack([spots["x"], spots["y"]], 1), v.points, rtol=1e-6)
    # the labelled members are the stars, in their class's colour
    assert list(np.flatnonzero(spots["symbol"] == "star")) == [0, 1, 32, 33]
    brushes = {s.brush().color().name() for s, c in zip(panel.points.points(), v.true) if c == 0}
    assert len(brushes) == 1
    # one line segment per friendship, between the two members' places
    x, y = panel.edges.getData()
    assert len(x) == 2 * 78
    i, j = ds.graph.edges[5]
    assert (x[10], y[10], x[11], y[11]) == pytest.approx((*v.points[i], *v.points[j]))
    assert panel.node_box.currentText() == "act" and panel.node_box.count() == 3
    assert f"{100 * v.accuracy:.1f}%" in panel.info.text()
    win.close()


def test_confusion_counts_only_the_unlabelled_members(qtbot):
    """The test split's labelled members carry UNLABELLED: not counted as some class."""
    win, runner = _window(qtbot, example("gcn_karate"), 10)
    ds = runner.dataset
    scores = np.zeros((34, 2), dtype=np.float32)
    cm = confusion_matrix(ds.y_test, scores, 2)
    assert cm.sum() == np.sum(ds.y_test != UNLABELLED) == 30
    win.close()


def test_embedding_view_explains_data_that_are_not_a_graph(qtbot):
    win, runner = _window(qtbot, mlp_graph((2, 4, 1), n_samples=100), 0)
    panel = win.panels["graph_embedding"]
    panel.refresh(runner)
    assert panel.note.isVisibleTo(panel) and not panel.body.isVisibleTo(panel)
    assert "graph" in panel.note.text()
    win.close()
