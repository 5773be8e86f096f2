"""Diagnostics verdicts and the loss landscape."""
import warnings
from pathlib import Path

import numpy as np
import pytest

from engine.graph import fileformat
from engine.train import Session, diagnostics, landscape
from engine.train.snapshot import ActivationStats, GradStats, Snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "lessons"


def _kinds(snapshot):
    return [v.kind for v in snapshot.verdicts]


@pytest.fixture(scope="module")
def deep_sessions():
    out = {}
    for name in ("deep_sigmoid", "deep_relu_he"):
        s = Session.from_graph(fileformat.load(EXAMPLES / f"{name}.nnpg"))
        s.run(60)
        out[name] = s
    return out


def test_vanishing_gradients_flagged_on_the_deep_sigmoid_net_only(deep_sessions):
    sig = deep_sessions["deep_sigmoid"].snapshot()
    relu = deep_sessions["deep_relu_he"].snapshot()
    assert "vanishing" in _kinds(sig)
    v = next(v for v in sig.verdicts if v.kind == "vanishing")
    assert v.nodes == ["lin1"] and any("ReLU" in r for r in v.remedies) \
        and any("Xavier" in r or "He" in r for r in v.remedies)
    assert _kinds(relu) == []
    ratio_sig, first, last = diagnostics.gradient_ratio([sig], deep_sessions["deep_sigmoid"].program)
    ratio_relu, _, _ = diagnostics.gradient_ratio([relu], deep_sessions["deep_relu_he"].program)
    assert (first, last) == ("lin1", "lin10")
    assert ratio_sig < diagnostics.VANISHING_RATIO < ratio_relu


class _Program:
    """Just what diagnose() asks of a Program."""

    def __init__(self, nodes):
        self.nodes = nodes

    def learnable_nodes(self):
        return list(self.nodes)


def _snap(norms, acts=(), train_loss=None):
    snap = Snapshot(step=10, epoch=1.0, loss=1.0, train_loss=train_loss)
    for node, n in norms.items():
        snap.gradients[f"{node}.weight"] = GradStats(f"{node}.weight", node, n, n, n)
    for node, sat, dead in acts:
        snap.activations[node] = ActivationStats(node, 0.0, 1.0, np.zeros(8), np.zeros(9),
                                                 saturated=sat, dead=dead)
    return snap


def test_exploding_dead_and_saturation_verdicts():
    prog = _Program(["a", "b", "c"])
    assert _kinds_of(diagnostics.diagnose([_snap({"a": 1.0, "b": 1.0, "c": 1.0})], prog)) == []
    assert "exploding" in _kinds_of(diagnostics.diagnose([_snap({"a": 500.0, "b": 10.0, "c": 1.0})], prog))
    assert "exploding" in _kinds_of(diagnostics.diagnose([_snap({"a": 1.0, "b": 5e3, "c": 1.0})], prog))
    assert "vanishing" in _kinds_of(diagnostics.diagnose([_snap({"a": 1e-5, "b": 1e-2, "c": 1.0})], prog))
    dead = diagnostics.diagnose([_snap({}, [("r", None, 0.8), ("q", None, 0.1)])], prog)
    assert _kinds_of(dead) == ["dead"] and dead[0].nodes == ["r"]
    sat = _snap({}, [("s", 0.9, None)], train_loss=0.69)
    assert _kinds_of(diagnostics.diagnose([sat], prog, initial_loss=0.7)) == ["saturation"]
    # a well-trained net that saturates confidently is not a problem
    done = _snap({}, [("s", 0.9, None)], train_loss=0.01)
    assert _kinds_of(diagnostics.diagnose([done], prog, initial_loss=0.7)) == []
    # averaged over the history: one bad probe among good ones is not enough
    calm = [_snap({}, [("r", None, 0.0)]), _snap({}, [("r", None, 0.0)]), _snap({}, [("r", None, 0.9)])]
    assert _kinds_of(diagnostics.diagnose(calm, prog)) == []


def _kinds_of(verdicts):
    return [v.kind for v in verdicts]


def test_pca_plane_recovers_the_plane_of_a_planar_trajectory():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(20, 2)))[0].T         # two orthonormal directions
    coeffs = rng.normal(size=(15, 2)) * [3.0, 1.0]
    traj = 5.0 + coeffs @ basis
    plane = landscape.pca_plane(traj)
    np.testing.assert_allclose(plane.center, traj[-1])
    # d1, d2 span the same plane as the basis
    proj = basis @ np.stack([plane.d1, plane.d2], axis=1)
    np.testing.assert_allclose(np.abs(np.linalg.det(proj)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(plane.coords @ np.stack([plane.d1, plane.d2]), traj - traj[-1], atol=1e-9)
    assert plane.explained.sum() == pytest.approx(1.0) and plane.explained[0] >= plane.explained[1]
    # a straight-line trajectory still gets a second, orthogonal direction
    line = np.outer(np.arange(5.0), basis[0])
    p2 = landscape.pca_plane(line)
    assert abs(p2.d1 @ p2.d2) < 1e-9 and np.linalg.norm(p2.d2) == pytest.approx(1.0)


def test_loss_grid_and_filter_normalised_directions():
    s = Session.from_graph(fileformat.load(EXAMPLES / "xor_mlp.nnpg"), probe_every=5)
    s.run(60)
    traj = s.trajectory_array()
    assert traj.shape[0] == 12
    center = landscape.current_point(s)
    plane = landscape.pca_plane(traj, center=center)
    before = [p.data.copy() for p in s.params]
    grid = landscape.loss_grid(s, plane.center, plane.d1, plane.d2, [-1.0, 0.0, 1.0], [-0.5, 0.0, 0.5, 1.0])
    assert grid.shape == (4, 3)
    # the grid's centre is the current loss on the same samples
    x, y = s.x_train, s.y_train
    _, loss = s._loss(*(landscape._make(a, None) for a in (x, y)))
    assert grid[1, 1] == pytest.approx(float(loss.data), rel=1e-5)
    for p, b in zip(s.params, before):          # parameters restored
        np.testing.assert_array_equal(p.data, b)

    d1, d2 = landscape.filter_normalized_directions(s.program, n=2, seed=1)
    assert d1.shape == center.shape and not np.allclose(d1, d2)
    offset = 0
    for name, p in s.program.named_parameters():
        n = p.data.size
        part = d1[offset:offset + n].reshape(p.data.shape)
        if p.data.ndim < 2:
            assert np.all(part == 0)                 # biases ignored
        else:                                        # each filter scaled to the weights' filter
            np.testing.assert_allclose(np.linalg.norm(part.reshape(len(part), -1), axis=1),
                                       np.linalg.norm(p.data.reshape(len(part), -1), axis=1), rtol=1e-5)
        offset += n
    line = landscape.loss_along(s, center, d1, [0.0, 0.5])
    assert line[0] == pytest.approx(grid[1, 1], rel=1e-5) and np.isfinite(line).all()
    # a 2-D grid on the plane of two filter-normalised random directions (Li et al. 2018)
    rand_grid = landscape.loss_grid(s, center, d1, d2, [-0.5, 0.0, 0.5], [0.0, 0.5])
    assert rand_grid.shape == (2, 3) and rand_grid[0, 1] == pytest.approx(grid[1, 1], rel=1e-5)
    assert np.isfinite(rand_grid).all() and len(np.unique(rand_grid)) > 1


def test_every_verdict_explains_itself_and_gives_the_notes_remedies():
    prog = _Program(["a", "b", "c"])
    cases = {"vanishing": [_snap({"a": 1e-5, "b": 1e-2, "c": 1.0})],
             "exploding": [_snap({"a": 500.0, "b": 10.0, "c": 1.0})],
             "dead": [_snap({}, [("r", None, 0.8)])],
             "saturation": [_snap({}, [("s", 0.9, None)], train_loss=0.69)]}
    for kind, snaps in cases.items():
        verdict = next(v for v in diagnostics.diagnose(snaps, prog, initial_loss=0.7) if v.kind == kind)
        assert len(verdict.message) > 30 and "\n" not in verdict.message
        assert verdict.remedies == diagnostics.REMEDIES[kind] and verdict.nodes
    words = " ".join(r for rs in diagnostics.REMEDIES.values() for r in rs)
    for remedy in ("ReLU", "Xavier", "He", "BatchNorm", "clip", "lower learning rate"):
        assert remedy in words


def test_on_the_cpu_statistics_and_verdicts_wait_until_read(monkeypatch):
    s = Session.from_graph(fileformat.load(EXAMPLES / "deep_sigmoid.nnpg"))
    assert s.lazy_probes
    s.run(s.eval_every * 3)
    calls = []
    real = diagnostics.diagnose
    monkeypatch.setattr(diagnostics, "diagnose", lambda *a: calls.append(1) or real(*a))
    snaps = [s.step() for _ in range(s.eval_every * 2)]
    snaps = [x for x in snaps if x is not None]
    assert not calls   # two evaluated probes, nothing diagnosed yet
    last = snaps[-1]
    kinds = [v.kind for v in last.verdicts]
    assert calls == [1] and [v.kind for v in last.verdicts] == kinds   # once, when first read
    eager = Session.from_graph(fileformat.load(EXAMPLES / "deep_sigmoid.nnpg"))
    eager.lazy_probes = False
    eager.run(s.step_count)
    want = eager.last_snapshot
    assert kinds == [v.kind for v in want.verdicts] == ["vanishing"]
    assert list(last.verdicts) == list(want.verdicts)
    assert last.gradients.keys() == want.gradients.keys()
    for name, g in want.gradients.items():
        assert last.gradients[name].norm == pytest.approx(g.norm, rel=1e-6)


# ---------------------------------------------------------------- divergence (issue 13)
def _lesson(name, lr=None):
    graph = fileformat.load(EXAMPLES / f"{name}.nnpg")
    if lr is not None:
        graph.settings["optimizer"] = dict(graph.settings["optimizer"], lr=lr)
    return graph


def test_a_diverging_run_gets_the_divergence_verdict_and_its_remedies():
    """lstm_delay_copy at lr 1e8: the loss ends around 1e15 (it started at 0.33); this
    was called healthy. No overflow warning from the probes on the way."""
    s = Session.from_graph(_lesson("lstm_delay_copy", lr=1e8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.run(300)
        snap = s.last_snapshot
        kinds = _kinds(snap)
        list(snap.activations.values()), list(snap.gradients.values())
    assert not s.stopped and snap.train_loss > 1e6 * s.initial_loss
    assert "divergence" in kinds
    v = next(v for v in snap.verdicts if v.kind == "divergence")
    assert v.remedies == diagnostics.REMEDIES["divergence"] and v.severity == "error"
    assert "learning rate" in v.remedies[0] and "clip" in v.remedies[1] and "normalise" in v.remedies[2]
    assert f"{s.initial_loss:.3g}" in v.message and "\n" not in v.message


def test_every_example_trains_its_default_steps_without_a_divergence_verdict():
    """No false alarm at the lessons' own settings: every probe's verdicts are read. A lesson
    whose goals call for an alarm (weights too large, a learning rate too large: a goal with
    a divergence, exploding or nan verdict present) shows a true one, and is left out."""
    alarms = {"divergence", "exploding", "nan"}
    for path in sorted(EXAMPLES.glob("*.nnpg")):
        graph = fileformat.load(path)
        if any(g.get("verdict") in alarms and g.get("present", True)
               for g in (graph.lesson or {}).get("goals", ())):
            continue
        s = Session.from_graph(graph)
        seen = set()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(int(graph.settings.get("steps") or 500)):
                snap = s.step()
                if snap is not None:
                    seen.update(_kinds(snap))
        assert "divergence" not in seen, path.name


def test_divergence_rules_on_the_loss_and_on_growing_gradient_norms():
    prog = _Program(["a", "b", "c"])
    calm = {"a": 1.0, "b": 1.0, "c": 1.0}

    def kinds(train_loss, trend, initial=0.5):
        return _kinds_of(diagnostics.diagnose([_snap(calm, train_loss=train_loss)], prog,
                                              initial_loss=initial, trend=trend))

    steady = [(0.5, 1.0)] * 8
    assert kinds(0.4, steady) == []
    # the loss an order of magnitude above its start, now and in most recent batches
    high = [(60.0, 1.0)] * 8
    assert kinds(80.0, high) == ["divergence"]
    assert kinds(80.0, steady) == []                    # one bad evaluation: not yet
    assert kinds(0.6, high) == []                       # the loss came back down
    assert kinds(80.0, high, initial=float("nan")) == []
    # losses that start near zero or below it are measured on their own scale
    assert kinds(-0.5, [(-0.5, 1.0)] * 8, initial=-5.0) == []
    assert kinds(60.0, [(60.0, 1.0)] * 8, initial=-5.0) == ["divergence"]
    # gradient norms growing probe after probe, by orders of magnitude, loss above its start
    rising = [(0.6, 10.0 ** k) for k in range(-2, 6)]
    assert kinds(0.6, rising) == ["divergence"]
    assert kinds(0.3, rising) == []                     # while the loss falls: learning
    bumpy = [(0.6, n) for n in (1e-2, 1e-1, 1e-2, 1e0, 1e1, 1e2, 1e3, 1e2)]
    assert kinds(0.6, bumpy) == []                      # not probe after probe
    slow = [(0.6, 1.0 + k) for k in range(8)]
    assert kinds(0.6, slow) == []                       # growing, but not by much


def test_huge_numbers_never_break_the_verdicts():
    """Gradient norms near the float limit (a run about to overflow): verdicts, no
    OverflowError from squaring or dividing them."""
    prog = _Program(["a", "b", "c"])
    for norms in ({"a": 1e300, "b": 1e-300, "c": 1e-300}, {"a": 1e-300, "b": 1.0, "c": 1e300},
                  {"a": float("inf"), "b": 1.0, "c": 1.0}, {"a": 1e200, "b": 1e200, "c": 1e200}):
        snap = _snap(norms, train_loss=1e300)
        verdicts = diagnostics.diagnose([snap, snap], prog, initial_loss=0.5,
                                        trend=[(1e300, 1e300)] * 8)
        assert "divergence" in _kinds_of(verdicts) and all(v.message for v in verdicts)


def test_probe_statistics_of_huge_activations_are_finite_without_warnings():
    """Pre-activations around 1e20 (float32): their squares overflow in float32. The
    statistics, read later, come out finite and warn nothing."""
    s = Session.from_graph(_lesson("xor_mlp"), optimizer={"name": "SGD", "lr": 0.0})
    first = s.param_names[0]
    s.params[0].data *= np.float32(1e21)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.run(s.eval_every)
        snap = s.last_snapshot
        stats = snap.activations[s.param_nodes[0]]
        list(snap.gradients.values()), list(snap.verdicts)
    assert first.startswith(s.param_nodes[0])
    assert abs(stats.mean) > 1e18 and np.isfinite(stats.std) and stats.std > 1e18



@pytest.mark.parametrize("layout", ["columns", "flat", "per node"])
def test_probe_statistics_of_infinite_activations_keep_every_value_in_the_histogram(layout):
    """A float32 overflow the loss survives (a ReLU after it, or a tanh: tanh(inf) = 1) puts
    infinities in a layer's output, and in its histogram's range. Every value still lands in
    a bin (an edge one), where the bin index was an undefined integer cast that bincount
    refused (a ValueError out of the lazy statistics, with every panel and verdict reading
    them). Each of the three ways statistics are gathered is checked."""
    from engine.nn import ReLU, Tanh  # noqa: PLC0415
    from engine.train import probes  # noqa: PLC0415

    arrays = [np.array([[np.inf, -np.inf], [1.0, np.nan], [2.0, 3.0]], dtype=np.float32),
              np.array([[0.5, 0.25], [-0.75, -1.0], [0.0, 1.0]], dtype=np.float32)]
    if layout == "flat":   # not every output (batch, features): the per-entry layout
        arrays[1] = arrays[1].reshape(3, 1, 2)
    batch = probes.ActivationBatch([probes.ActivationProbe("lin", ReLU()),
                                    probes.ActivationProbe("act", Tanh())])
    tr = probes.Transfer()
    with np.errstate(all="ignore"):   # inf - inf in the sums: NaN statistics are expected
        if layout == "per node":
            for probe, a in zip(batch.probes, arrays):
                probe.add(tr, a)
        else:
            batch.add(tr, arrays)
        made = batch.stats(tr.fetch())
    assert [int(made[n].hist_counts.sum()) for n in ("lin", "act")] == [6, 6]
    assert np.count_nonzero(made["act"].hist_counts) > 1   # a finite neighbour keeps its shape
