"""Regularisation features the chapter-10 lessons need: the GaussianNoise node (noise
injection), the early_stopping training setting, and the test_loss_of goal metric."""
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.graph import fileformat
from engine.lessons import goals as G
from engine.lessons.changes import apply_changes
from engine.nn import functional as F
from engine.train import Session
from engine.train.early_stopping import EarlyStopping
from playground.cli import main
from tests.gradcheck import gradcheck

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"


# ---------------------------------------------------------------------- GaussianNoise
def test_gaussian_noise_adds_noise_of_its_std_in_training_and_nothing_in_evaluation():
    m = engine.nn.GaussianNoise(0.3, generator=engine.Generator(1))
    x = engine.ones(20000)
    noise = m(x).data - 1.0
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01
    again = engine.nn.GaussianNoise(0.3, generator=engine.Generator(1))(x).data
    np.testing.assert_array_equal(noise + 1.0, again)    # the generator decides: reproducible
    m.eval()
    assert m(x) is x
    with pytest.raises(ValueError, match="at least 0"):
        engine.nn.GaussianNoise(-1.0)


def test_gaussian_noise_gradient_passes_unchanged():
    x = engine.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    # a fresh generator per call: the same noise at every finite-difference evaluation
    assert gradcheck(lambda t: F.gaussian_noise(t, 0.5, True, generator=engine.Generator(7)), [x])


def test_the_noise_node_is_drawn_trained_with_the_session_s_generator_and_silent_in_evaluation():
    graph = fileformat.load(LESSONS / "noise_injection.nnpg")
    assert graph.nodes["noise"].type == "GaussianNoise"
    a, b = Session.from_graph(graph, seed=3), Session.from_graph(graph, seed=3)
    a.run(20)
    b.run(20)
    assert a.last_loss == b.last_loss                        # same seed, same noise
    x = a.dataset.x_test
    np.testing.assert_array_equal(a.node_output("noise", x), x)   # evaluation: identity
    quiet = Session.from_graph(apply_changes(graph, [{"do": "set_param", "node": "noise",
                                                      "param": "std", "value": 0.0}]), seed=3)
    quiet.run(20)
    assert quiet.last_loss != a.last_loss                    # training: the noise changes the steps


# ---------------------------------------------------------------------- early stopping
def test_the_watcher_stops_after_patience_evaluations_without_an_improvement():
    w = EarlyStopping(patience=2, min_delta=0.1)
    weights = {"w": np.array([1.0])}
    assert not w.observe(1.0, 10, lambda: weights)
    weights["w"][0] = 5.0                                    # the copy kept is the step-10 one
    assert not w.observe(0.95, 20, lambda: weights)          # better, but not by min_delta
    assert w.observe(0.5 + 0.45, 30, lambda: weights)
    assert (w.best, w.best_step, float(w.best_weights["w"][0])) == (1.0, 10, 1.0)
    assert EarlyStopping.from_setting(None) is None and EarlyStopping.from_setting({}) is None


def _early(patience=10, **more):
    graph = fileformat.load(LESSONS / "early_stopping.nnpg")
    return apply_changes(graph, [{"do": "set_setting", "key": "early_stopping",
                                  "value": {"patience": patience, **more}}])


def test_early_stopping_stops_and_puts_back_the_best_weights():
    session = Session.from_graph(_early(), seed=0)
    tests = {}
    while not session.stopped and session.step_count < 400:
        snap = session.step()
        if snap is not None and snap.test_loss is not None and not snap.stopped:
            tests[snap.step] = snap.test_loss
    best = min(tests, key=tests.get)
    assert session.stopped and session.step_count == best + 10 * 10 < 400
    assert session.last_snapshot.stopped
    assert session.last_snapshot.test_loss == pytest.approx(tests[best])
    assert session.evaluate()["test_loss"] == pytest.approx(tests[best])
    assert f"weights of step {best}" in session.stop_message

    kept = Session.from_graph(_early(restore_best=False), seed=0)
    kept.run(400)
    assert kept.step_count == session.step_count and kept.evaluate()["test_loss"] > tests[best]

    off = Session.from_graph(_early(), seed=0)
    off.early_stopping = None
    off.run(400)
    assert off.step_count == 400 and off.stop_message is None


def test_rewinding_before_the_stop_repeats_it_exactly():
    session = Session.from_graph(_early(), seed=1)
    session.run(50)
    moment = session.state()
    session.run(400)
    stopped_at, message = session.step_count, session.stop_message
    session.restore(moment)
    assert not session.stopped and session.step_count == 50
    session.run(400)
    assert (session.step_count, session.stop_message) == (stopped_at, message)


def test_train_prints_why_it_stopped_and_a_bad_patience_is_named(tmp_path, capsys):
    assert main(["train", str(LESSONS / "early_stopping.nnpg")]) == 0
    assert "early stopping at step" in capsys.readouterr().out
    path = tmp_path / "bad.nnpg"
    fileformat.save(_early(), path)
    path.write_text(path.read_text(encoding="utf-8").replace('"patience": 10', '"patience": 0'),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "graph.settings.early_stopping.patience: must be at least 1" in capsys.readouterr().err


# ---------------------------------------------------------------------- test_loss_of
def test_test_loss_of_is_the_test_loss_for_the_prediction_and_differs_for_another_node():
    graph = fileformat.load(LESSONS / "overfitting.nnpg")
    session = Session.from_graph(graph, seed=0)
    session.run(30)
    snap = session.snapshot()
    assert G.measure(session, snap, "test_loss_of:output") == pytest.approx(snap.test_loss, rel=1e-5)
    assert np.isnan(G.measure(session, snap, "test_loss_of:act1"))        # 64 features, not 1
    session.step()
    unevaluated = session.step() or snap.__class__(step=session.step_count, epoch=0.0, loss=0.0, lr=0.0)
    assert np.isnan(G.measure(session, unevaluated, "test_loss_of:output"))
