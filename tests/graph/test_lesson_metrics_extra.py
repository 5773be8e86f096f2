"""The goal metrics the normalisation, regularisation, Transformer and paper lessons use
(engine/lessons/metrics.py: attention_reversed, activation_mean), and the reverse dataset."""
from pathlib import Path

import numpy as np
import pytest

from engine.data import DATASETS
from engine.graph import fileformat
from engine.lessons import goals as G
from engine.train import Session
from engine.train.snapshot import Snapshot

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def _snap(**fields):
    return Snapshot(step=10, epoch=0.0, loss=0.0, lr=0.1, **fields)


def test_the_reverse_dataset_targets_are_the_inputs_backwards():
    data = DATASETS["reverse"].build(n_samples=50, length=5, test_fraction=0.2, seed=3)
    assert data.x_train.shape == data.y_train.shape == (40, 5, 1)
    np.testing.assert_array_equal(data.y_train, data.x_train[:, ::-1])
    np.testing.assert_array_equal(data.y_test, data.x_test[:, ::-1])


def test_attention_reversed_is_the_mass_on_the_anti_diagonal():
    n = 4
    mirror = np.eye(n)[::-1][None, None]                     # (batch, heads, L, L)
    uniform = np.full((2, 3, n, n), 1.0 / n)
    one_hot_first = np.zeros((1, 1, n, n))
    one_hot_first[..., 0] = 1.0                              # every query reads position 0
    measure = G.METRICS["attention_reversed"].fn
    assert measure(None, _snap(attention={"a": mirror}), "a") == pytest.approx(1.0)
    assert measure(None, _snap(attention={"a": uniform}), "a") == pytest.approx(1 / n)
    assert measure(None, _snap(attention={"a": one_hot_first}), "a") == pytest.approx(1 / n)
    assert np.isnan(measure(None, _snap(attention={}), "a"))
    assert np.isnan(measure(None, _snap(attention={"a": np.ones((1, 2, 3))}), "a"))   # not square


def test_a_trained_transformer_lesson_attends_to_the_mirror_position():
    session = Session.from_graph(fileformat.load(LESSONS / "attention_reverse.nnpg"), seed=0)
    before = G.measure(session, session.snapshot(), "attention_reversed:attn")
    session.run(300)
    after = G.measure(session, session.snapshot(), "attention_reversed:attn")
    assert before < 0.4 < 0.8 < after


def test_activation_mean_reads_fixed_samples_in_evaluation_and_only_at_evaluated_snapshots():
    session = Session.from_graph(fileformat.load(LESSONS / "glorot_bengio_figure2.nnpg"), seed=0)
    snap = session.snapshot()
    x = session.dataset.x_test[:256]
    for node in ("sig1", "sig4"):
        expected = session.node_output(node, x).mean()
        assert G.measure(session, snap, f"activation_mean:{node}") == pytest.approx(expected)
    assert G.measure(session, snap, "activation_mean:sig4") == pytest.approx(0.5, abs=0.1)
    assert np.isnan(G.measure(session, _snap(), "activation_mean:sig4"))   # not evaluated


def test_output_size_and_param_count_follow_the_convolution_s_settings():
    from engine.lessons.changes import apply_changes  # noqa: PLC0415

    graph = fileformat.load(LESSONS / "stride_padding_pooling.nnpg")
    def measured(changes=()):
        session = Session.from_graph(apply_changes(graph, list(changes)), seed=0)
        snap = session.snapshot()
        return [G.measure(session, snap, m) for m in
                ("output_size:conv", "output_size:pool", "param_count:conv", "param_count:relu")]
    assert measured() == [8 * 6 * 6, 8 * 3 * 3, 8 * 9 + 8, 0]
    assert measured([{"do": "set_param", "node": "conv", "param": "padding", "value": 1},
                     {"do": "set_param", "node": "classifier", "param": "in_features", "value": 128}]
                    )[:2] == [8 * 8 * 8, 8 * 4 * 4]
    assert measured([{"do": "set_param", "node": "conv", "param": "out_channels", "value": 4},
                     {"do": "set_param", "node": "classifier", "param": "in_features", "value": 36}]
                    ) == [4 * 6 * 6, 4 * 3 * 3, 4 * 9 + 4, 0]


def test_experts_used_counts_the_experts_the_gate_clearly_picks_on_a_tenth_of_the_plane(monkeypatch):
    import numpy as np

    from engine.lessons import metrics
    from engine.train import gatemap

    expert = np.zeros((10, 10), int)
    expert[:, 5:] = 1          # expert 1 on half the plane
    expert[0, :5] = 2          # expert 2 on a twentieth: too little
    weight = np.full((10, 10), 0.9)
    weight[:, 8:] = 0.3        # expert 1 unsure on 2 of its 5 columns: still 30 %
    found = gatemap.GateMap("moe", ((0, 1), (0, 1)), expert, weight, 4)
    monkeypatch.setattr(gatemap, "gate_map", lambda session, node, n: found)
    assert metrics.experts_used(None, None, "moe") == 2.0
    weight[:, 5:] = 0.3        # now the gate never clearly picks expert 1
    assert metrics.experts_used(None, None, "moe") == 1.0
    monkeypatch.setattr(gatemap, "gate_map", lambda session, node, n: None)
    assert np.isnan(metrics.experts_used(None, None, "moe"))
