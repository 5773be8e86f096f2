"""The autoencoder chapter (issue 19): RandomNormal, Reparameterize and KLNormal (registry,
shapes, float64 gradient checks, the Session's generator), graphs whose only target is their
own input (no labels, no accuracy), and the latent view and metrics."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine
from engine import backend
from engine.graph import Graph, registry
from engine.graph.registry import ShapeError
from engine.nn.generative import KLNormal, RandomNormal, Reparameterize, kl_normal
from engine.train import latent, views
from engine.train.session import Session
from engine.train.snapshot import Snapshot
from playground.cli import main
from tests.gradcheck import gradcheck, t64


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _fresh(module, seed=3):
    """The module drawing from a generator reseeded on every call: a fixed function of its
    inputs, as finite differences need."""
    def call(*inputs):
        module.generator = backend.Generator(seed)
        return module(*inputs)
    return call


# ---------------------------------------------------------------------- the modules
def test_reparameterize_gradients_reach_mu_and_logvar(rng):
    mu, logvar = t64(rng, 4, 2), t64(rng, 4, 2, low=-1.0, high=1.0)
    assert gradcheck(_fresh(Reparameterize()), [mu, logvar])


def test_reparameterize_samples_mu_plus_sigma_eps_in_training_and_returns_mu_in_eval():
    mu = engine.tensor(np.tile([[1.0, -2.0]], (20000, 1)))
    logvar = engine.tensor(np.tile([[np.log(0.25), np.log(4.0)]], (20000, 1)))
    m = Reparameterize(generator=backend.Generator(0))
    z = m(mu, logvar).data
    assert np.allclose(z.mean(0), [1.0, -2.0], atol=0.05)
    assert np.allclose(z.std(0), [0.5, 2.0], rtol=0.03)
    m.eval()
    assert m(mu, logvar) is mu


def test_kl_normal_is_the_closed_form_and_its_gradient_checks(rng):
    mu, logvar = t64(rng, 5, 3), t64(rng, 5, 3, low=-1.0, high=1.0)
    sigma2 = np.exp(logvar.data)
    expected = 0.7 * np.mean(0.5 * np.sum(mu.data ** 2 + sigma2 - 1 - logvar.data, axis=1))
    assert float(KLNormal(beta=0.7)(mu, logvar).data) == pytest.approx(expected)
    assert gradcheck(KLNormal(beta=0.7), [mu, logvar])
    zero = engine.tensor(np.zeros((2, 3)))
    assert float(kl_normal(zero, zero).data) == 0.0   # N(0, 1) is its own reference


def test_random_normal_copies_the_batch_or_shape_and_passes_no_gradient(rng):
    like = t64(rng, 6, 3)
    assert RandomNormal(features=0)(like).shape == (6, 3)
    assert RandomNormal(features=5)(like).shape == (6, 5)
    assert gradcheck(_fresh(RandomNormal(features=0)), [like])
    sample = RandomNormal(generator=backend.Generator(1))(engine.tensor(np.zeros((50000, 1)))).data
    assert abs(sample.mean()) < 0.02 and sample.std() == pytest.approx(1.0, rel=0.02)


# ---------------------------------------------------------------------- the registry
def test_shape_rules_and_their_refusals():
    rn, rp, kl = (registry.get(n) for n in ("RandomNormal", "Reparameterize", "KLNormal"))
    assert rn.shape_rule(rn.resolve({}), {"like": (None, 1, 8, 8)}) == {"out": (None, 1, 8, 8)}
    assert rn.shape_rule(rn.resolve({"features": 2}), {"like": (None, 64)}) == {"out": (None, 2)}
    assert rp.shape_rule({}, {"mu": (None, 2), "logvar": (None, 2)}) == {"out": (None, 2)}
    assert kl.shape_rule(kl.resolve({}), {"mu": (None, 2), "logvar": (None, 2)}) == {"out": ()}
    with pytest.raises(ShapeError, match="mu .* and logvar .* must have one shape") as err:
        rp.shape_rule({}, {"mu": (None, 2), "logvar": (None, 3)})
    assert err.value.port == "logvar"
    assert kl.category == registry.COST and "reconstruction cost" in kl.help


# ---------------------------------------------------------------------- graphs
def _digits_autoencoder(vae=False, steps=150, beta=1 / 64):
    """64 -> 16 -> code -> 16 -> 64 on the flat digits; the cost compares with the input."""
    g = Graph()
    g.settings = {"dataset": {"name": "digits", "layout": "flat"}, "steps": steps, "seed": 0,
                  "optimizer": {"name": "Adam", "lr": 0.01}, "batch_size": 32, "probe_every": 10}
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 64, "out_features": 16}, id="enc")
    g.add_node("ReLU", id="act")
    g.connect("x", "out", "enc", "input")
    g.connect("enc", "out", "act", "input")
    g.add_node("Linear", {"in_features": 16, "out_features": 2}, id="mu")
    g.connect("act", "out", "mu", "input")
    code = "mu"
    if vae:
        g.add_node("Linear", {"in_features": 16, "out_features": 2}, id="logvar")
        g.add_node("Reparameterize", id="z")
        g.add_node("KLNormal", {"beta": beta}, id="kl")
        g.connect("act", "out", "logvar", "input")
        for port in ("mu", "logvar"):
            g.connect(port, "out", "z", port)
            g.connect(port, "out", "kl", port)
        code = "z"
    g.add_node("Linear", {"in_features": 2, "out_features": 64}, id="dec")
    g.add_node("BCEWithLogitsLoss", id="rec")
    g.connect(code, "out", "dec", "input")
    g.connect("dec", "out", "rec", "input")
    g.connect("x", "out", "rec", "target")
    return g


def _evaluated(session):
    """The session's snapshot now, with its full-set losses measured."""
    snap = session.snapshot()
    assert snap.train_loss is not None
    return snap


def test_a_digits_autoencoder_needs_no_labels_and_reports_no_accuracy():
    # ten classes, no Target: labels used to be converted for a 0/1 loss and failed
    s = Session.from_graph(_digits_autoencoder())
    assert s.kind == "none" and s.program.target_kind == "none"
    first = s.evaluate()["test_loss"]
    s.run(150)
    result = s.evaluate()
    assert set(result) == {"train_loss", "test_loss"} and result["test_loss"] < first
    assert "train_acc" not in _evaluated(s).metrics
    assert s.predicted_class(np.zeros((3, 64))) is None


def test_playground_train_runs_the_digits_autoencoder(tmp_path, capsys):
    from engine.graph import fileformat

    path = tmp_path / "ae.nnpg"
    fileformat.save(_digits_autoencoder(), path)
    out = tmp_path / "metrics.json"
    assert main(["train", str(path), "--steps", "40", "--metrics-json", str(out)]) == 0
    assert "acc" not in out.read_text() and "acc" not in capsys.readouterr().out


def test_classification_graphs_still_present_labels_and_measure_accuracy():
    g = _digits_autoencoder()
    g.remove_node("rec")
    g.add_node("Linear", {"in_features": 2, "out_features": 10}, id="head")
    g.add_node("Target", id="y")
    g.add_node("CrossEntropyLoss", id="cost")
    g.connect("mu", "out", "head", "input")
    g.connect("head", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    s = Session.from_graph(g)
    assert s.kind == "index" and s.y_train.dtype == np.int64
    s.run(20)
    assert 0.0 <= _evaluated(s).metrics["train_acc"] <= 1.0


def test_the_session_generator_makes_a_vae_run_repeat_per_seed():
    g = _digits_autoencoder(vae=True, steps=30)

    def losses(seed):
        s = Session.from_graph(g, seed=seed)
        assert s.program.node_modules["z"].generator.train is s.generator
        return [(s.step(), s.last_loss)[1] for _ in range(30)]
    assert losses(1) == losses(1)
    assert losses(1) != losses(2)


# ---------------------------------------------------------------------- view and metrics
def test_the_latent_view_decodes_the_plane_consistently_with_the_reconstructions():
    s = Session.from_graph(_digits_autoencoder(vae=True))
    s.run(150)
    v = views.compute("latent", s)
    assert v.kind == "vae" and v.latent_node == "mu" and v.latent.shape == (len(s.dataset.x_test), 2)
    assert v.grid.shape == (latent.GRID_SIDE, latent.GRID_SIDE, 1, 8, 8)
    assert v.originals.shape == v.reconstructions.shape == (latent.SHOWN_PAIRS, 1, 8, 8)
    assert ((0 <= v.grid) & (v.grid <= 1)).all()   # logits shown through a sigmoid
    assert sorted(set(v.labels)) == list(range(10))
    # in evaluation z = mu: decoding a sample's mean gives its reconstruction
    (decoded,) = latent._evaluate(s, {("z", "out"): v.latent[:latent.SHOWN_PAIRS]}, [("dec", "out")])
    assert np.allclose(1 / (1 + np.exp(-decoded)), v.reconstructions.reshape(latent.SHOWN_PAIRS, -1), atol=1e-6)
    # the grid's corners are the decoded corners of its extent (top row = high y)
    x0, x1, y0, y1 = v.extent
    (corner,) = latent._evaluate(s, {("z", "out"): np.array([[x0, y1], [x1, y0]])}, [("dec", "out")])
    assert np.allclose(1 / (1 + np.exp(-corner)), v.grid[[0, -1], [0, -1]].reshape(2, -1), atol=1e-5)


def test_metrics_measure_reconstruction_and_latent_organisation():
    s = Session.from_graph(_digits_autoencoder(vae=True))
    untrained = latent.reconstruction_vs_mean(s, _evaluated(s), None)
    s.run(500)
    snap = _evaluated(s)
    ratio = latent.reconstruction_vs_mean(s, snap, None)
    assert ratio < 0.9 < untrained
    error, baseline = latent.reconstruction_errors(s, s.dataset.x_test)
    assert latent.reconstruction_mse(s, snap, None) == pytest.approx(error) == pytest.approx(ratio * baseline)
    assert latent.latent_knn_acc(s, snap, None) > 0.4   # chance: 0.1
    assert np.isnan(latent.latent_knn_acc(s, Snapshot(step=snap.step, epoch=snap.epoch, loss=snap.loss), None))   # not measured there
    plain = Session.from_graph(_digits_autoencoder())
    assert np.isnan(latent.latent_knn_acc(plain, _evaluated(plain), None))      # no latent means


def test_knn_accuracy_counts_majority_votes():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    labels = rng.integers(0, 3, 300)
    codes = centres[labels] + rng.normal(0, 0.5, (300, 2))
    assert latent.knn_accuracy(codes[:200], labels[:200], codes[200:], labels[200:]) == 1.0
    noise = rng.normal(0, 1, (300, 2))
    assert latent.knn_accuracy(noise[:200], labels[:200], noise[200:], labels[200:]) < 0.6


def test_autoencoder_kind_reads_the_structure():
    from engine.graph import fileformat

    lessons = Path(__file__).resolve().parents[2] / "assets" / "lessons"
    assert {name: latent.autoencoder_kind(fileformat.load(lessons / f"{name}.nnpg")) for name in (
        "autoencoder_digits", "vae_latent", "flow_matching_moons", "denoising_moons", "gan_ring")} == {
        "autoencoder_digits": "ae", "vae_latent": "vae", "flow_matching_moons": None,
        "denoising_moons": None, "gan_ring": None}
    assert latent.autoencoder_kind(_digits_autoencoder()) == "ae"
    assert latent.autoencoder_kind(_digits_autoencoder(vae=True)) == "vae"
    g = _digits_autoencoder()
    g.add_node("Target", id="y")
    assert latent.autoencoder_kind(g) is None


def test_looking_at_a_run_changes_nothing_of_its_training():
    """Evaluation forwards (probes, views, predictions) of a graph that samples noise in
    evaluation too draw from the session's evaluation generator: a run probed at every step
    trains exactly as one probed rarely."""
    from engine.graph import fileformat

    g = fileformat.load(Path(__file__).resolve().parents[2] / "assets" / "lessons" / "flow_matching_moons.nnpg")

    def losses(probe_every, eval_every):
        s = Session.from_graph(g, seed=3, probe_every=probe_every, eval_every=eval_every)
        out = [(s.step(), s.last_loss)[1] for _ in range(25)]
        s.predict(s.dataset.x_test[:7])
        return out + [(s.step(), s.last_loss)[1] for _ in range(5)]
    assert losses(1, 1) == losses(50, 0)
