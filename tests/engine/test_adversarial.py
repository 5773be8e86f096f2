"""GAN: the AdversarialLoss node, training schemes with several players (settings.scheme),
and the GAN's view and coverage metric."""
import copy

import numpy as np
import pytest

import engine
from engine.graph import Graph
from engine.graph.compile import CompileError, check_file
from engine.nn.adversarial import adversarial_loss
from engine.train import Session, views
from engine.train.adversarial import (SAMPLES, discriminator_logit, generator_node, generated_samples,
                                      mode_coverage, modes_covered)
from engine.data.generative import ring_centres
from tests.gradcheck import gradcheck

ADAM = {"name": "Adam", "lr": 0.01}


def _gan(scheme=True, g_lr=0.01, d_lr=0.01, d_steps=1, hidden=8, opt="SGD"):
    """A tiny GAN on the ring: z -> G1 -> ReLU -> G2 (a point); D (tied, two copies) scores x
    and G2; costs d_real, d_fake (discriminator) and g_cost (generator, non-saturating)."""
    g = Graph()
    settings = {"dataset": {"name": "gen-ring", "n_samples": 200}, "optimizer": ADAM,
                "batch_size": 16, "probe_every": 5, "seed": 0}
    if scheme:
        settings["scheme"] = {"name": "adversarial", "players": [
            {"name": "discriminator", "costs": ["d_real", "d_fake"], "nodes": ["D1", "D2"],
             "optimizer": {"name": opt, "lr": d_lr}, "steps": d_steps},
            {"name": "generator", "costs": ["g_cost"], "nodes": ["G1", "G2"],
             "optimizer": {"name": opt, "lr": g_lr}}]}
    g.settings = settings
    g.add_node("Input", {}, id="x")
    g.add_node("RandomNormal", {"features": 3}, id="z")
    g.add_node("Linear", {"in_features": 3, "out_features": hidden}, id="G1")
    g.add_node("ReLU", {}, id="g_act")
    g.add_node("Linear", {"in_features": hidden, "out_features": 2}, id="G2")
    for suffix, src in (("", "x"), ("_fake", "G2")):
        g.add_node("Linear", {"in_features": 2, "out_features": hidden}, id=f"D1{suffix}", tie="D1")
        g.add_node("Tanh", {}, id=f"d_act{suffix}")
        g.add_node("Linear", {"in_features": hidden, "out_features": 1}, id=f"D2{suffix}", tie="D2")
        for a, b in ((src, f"D1{suffix}"), (f"D1{suffix}", f"d_act{suffix}"), (f"d_act{suffix}", f"D2{suffix}")):
            g.connect(a, "out", b, "input")
    g.connect("x", "out", "z", "like")
    for a, b in (("z", "G1"), ("G1", "g_act"), ("g_act", "G2")):
        g.connect(a, "out", b, "input")
    for cost, src, label in (("d_real", "D2", "real"), ("d_fake", "D2_fake", "fake"),
                             ("g_cost", "D2_fake", "real")):
        g.add_node("AdversarialLoss", {"scored_as": label}, id=cost)
        g.connect(src, "out", cost, "input")
    return g


def _weights(session):
    return {n: np.array(engine.backend.to_numpy(p.data)) for n, p in zip(session.param_names, session.params)}


# ----- the node
@pytest.mark.parametrize("label", ["real", "fake"])
def test_adversarial_loss_gradient_float64(label):
    rng = np.random.default_rng(0)
    z = engine.tensor(rng.normal(0, 3, size=(7, 1)), requires_grad=True)
    assert gradcheck(lambda a: adversarial_loss(a, label), [z])


def test_adversarial_loss_is_bce_against_a_constant_label():
    z = np.array([[-1.0], [0.0], [2.5]])
    sig = 1 / (1 + np.exp(-z))
    assert float(adversarial_loss(engine.tensor(z), "real").data) == pytest.approx(-np.log(sig).mean(), rel=1e-12)
    assert float(adversarial_loss(engine.tensor(z), "fake").data) == pytest.approx(-np.log(1 - sig).mean(),
                                                                                  rel=1e-12)
    # far out, the naive 1 - sigmoid(40) rounds to 0 (log 0 = -inf); the node stays exact
    far = engine.tensor(np.array([[40.0]]))
    assert float(adversarial_loss(far, "fake").data) == pytest.approx(40.0, rel=1e-12)


def test_adversarial_loss_wants_one_logit_per_sample():
    g = _gan()
    g.add_node("AdversarialLoss", {}, id="wide")
    g.connect("G2", "out", "wide", "input")     # (batch, 2): two logits a sample
    g.settings["scheme"]["players"][1]["costs"].append("wide")
    problems = [p.message for p in check_file(g) if p.severity == "error"]
    assert any("one logit per sample" in m for m in problems), problems


# ----- training schemes
def test_each_player_moves_only_its_own_weights():
    session = Session.from_graph(_gan(g_lr=0.0))          # the generator's steps are 0 long
    before = _weights(session)
    session.run(3)
    after = _weights(session)
    for name in before:
        moved = not np.array_equal(before[name], after[name])
        assert moved == name.startswith("D"), name
    session = Session.from_graph(_gan(d_lr=0.0))
    before = _weights(session)
    session.run(3)
    after = _weights(session)
    for name in before:
        assert (not np.array_equal(before[name], after[name])) == name.startswith("G"), name


def test_a_player_descends_its_own_costs_only():
    """With SGD, the discriminator's turn (generator frozen) is w - lr * the gradient of
    d_real + d_fake on that turn's batch and noise: the generator's cost does not leak in."""
    graph = _gan(g_lr=0.0, d_lr=0.1)
    session = Session.from_graph(graph)
    twin = Session.from_graph(copy.deepcopy(graph))   # same seed: same batches, same noise
    xb, yb = twin._next_batch()
    twin.program(xb, yb)
    vals = twin.program.last_values
    (vals[twin.program.slot("d_real")] + vals[twin.program.slot("d_fake")]).backward()
    expected = {n: engine.backend.to_numpy(p.data) - 0.1 * engine.backend.to_numpy(p.grad)
                for n, p in zip(twin.param_names, twin.params) if n.startswith("D")}
    session.step()
    got = _weights(session)
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-5, atol=1e-7, err_msg=name)


def test_snapshots_carry_each_players_loss_and_no_accuracy():
    session = Session.from_graph(_gan())
    snap = session.run(5)
    assert set(snap.metrics) == {"discriminator loss", "generator loss"}
    assert all(np.isfinite(v) for v in snap.metrics.values())
    assert snap.loss == pytest.approx(sum(snap.metrics.values()))
    assert session.replay_status() == "eager (replay off)"


def test_a_player_takes_its_steps_per_training_step():
    """Each turn draws its own batch: with 3 discriminator steps, a training step draws 4."""
    one, three = Session.from_graph(_gan(d_steps=1)), Session.from_graph(_gan(d_steps=3))
    for session in (one, three):
        seen = []
        session._next_batch = (lambda f, seen: lambda: seen.append(1) or f())(session._next_batch, seen)
        session.run(2)
        session.seen = len(seen)
    assert (one.seen, three.seen) == (4, 8)


def test_a_session_without_scheme_is_the_plain_path():
    session = Session.from_graph(_gan(scheme=False))
    assert session.players is None
    session.run(5)
    assert "replay" in session.replay_status() and "off" not in session.replay_status()


def test_timeline_restores_every_players_optimizer():
    session = Session.from_graph(_gan(opt="Adam"))   # Adam's moments: state to restore
    session.run(4)
    state = session.state()
    session.run(3)
    later = _weights(session)
    session.restore(state)
    session.run(3)
    for name, value in _weights(session).items():
        np.testing.assert_array_equal(value, later[name], err_msg=name)


# ----- what `check` says about a bad scheme (one line naming the JSON path)
def _errors(graph):
    return [p.message for p in check_file(graph) if p.severity == "error"]


@pytest.mark.parametrize("change, words", [
    (lambda s: s["players"][0]["nodes"].append("nowhere"), "graph.settings.scheme.players[0].nodes[2]"),
    (lambda s: s["players"][1]["costs"].append("G1"), "graph.settings.scheme.players[1].costs[1]"),
    (lambda s: s["players"][1]["costs"].append("d_real"), "which player 'discriminator' already"),
    (lambda s: s["players"][1]["costs"].clear() or s["players"][1]["costs"].append("d_fake"),
     "graph.settings.scheme.players[1].costs[0]"),
    (lambda s: s["players"][0].pop("costs"), "graph.settings.scheme.players[0]"),
    (lambda s: s["players"][0].update(steps=0), "graph.settings.scheme.players[0].steps"),
    (lambda s: s["players"][0]["optimizer"].update(lr=-1), "graph.settings.scheme.players[0].optimizer.lr"),
    (lambda s: s["players"][0]["optimizer"].update(name="Nope"), "graph.settings.scheme.players[0].optimizer.name"),
    (lambda s: s["players"][1].update(name="discriminator"), "graph.settings.scheme.players[1].name"),
    (lambda s: s["players"][1].update(optimizer={"name": "Newton"}), "players[1].optimizer.name"),
    (lambda s: s["players"][0].update(nodes=["g_act"]), "player 'discriminator' trains no weights"),
    (lambda s: s["players"][0].update(nodes=["D1", "D2_fake", "G1"]), "both train the weights"),
    # D1_fake is tied to D1: its weights are the discriminator's
    (lambda s: s["players"][1].update(nodes=["G1", "D1_fake"]), "both train the weights"),
])
def test_bad_schemes_are_named_by_their_json_path(change, words):
    graph = _gan()
    change(graph.settings["scheme"])
    found = _errors(graph)
    assert found and words in found[0], found
    assert "\n" not in found[0]


def test_every_cost_needs_a_player():
    graph = _gan()
    graph.settings["scheme"]["players"][1]["costs"] = ["d_fake"]
    graph.settings["scheme"]["players"][0]["costs"] = ["d_real"]
    found = _errors(graph)
    assert found and "no player minimises cost node 'g_cost'" in found[0], found


def test_a_player_whose_weights_miss_its_costs_is_refused():
    graph = _gan()
    graph.settings["scheme"]["players"][1]["nodes"] = ["G1", "G2"]
    graph.settings["scheme"]["players"][1]["costs"] = ["g_cost"]
    graph.settings["scheme"]["players"][0]["costs"] = ["d_real", "d_fake"]
    assert not _errors(graph)
    graph.add_node("Linear", {"in_features": 2, "out_features": 1}, id="stray")
    graph.connect("x", "out", "stray", "input")
    graph.settings["scheme"]["players"].append({"name": "third", "costs": [], "nodes": ["stray"]})
    assert "players[2].costs" in _errors(graph)[0]   # the schema: at least one cost
    graph.settings["scheme"]["players"][2]["costs"] = ["g_cost"]
    assert "already minimises" in _errors(graph)[0]
    with pytest.raises(CompileError, match="no weight of player 'third' reaches its costs"):
        graph.settings["scheme"]["players"][1]["costs"] = ["d_fake"]
        graph.settings["scheme"]["players"][0]["costs"] = ["d_real"]
        Session.from_graph(graph)


# ----- the view and the metric
def test_mode_coverage_counts_modes_near_their_centres():
    from engine.data import load_dataset

    ds = load_dataset("gen-ring", noise=0.05)
    centres = ring_centres()
    rng = np.random.default_rng(0)
    everywhere = centres[np.arange(SAMPLES) % 8] + rng.normal(0, 0.05, (SAMPLES, 2))
    assert (mode_coverage(everywhere, ds.x_train, ds.y_train) > 100).all()
    collapsed = centres[[0, 3]][np.arange(SAMPLES) % 2] + rng.normal(0, 0.05, (SAMPLES, 2))
    counts = mode_coverage(collapsed, ds.x_train, ds.y_train)
    assert (counts > 0).sum() == 2 and counts[0] > 400 and counts[3] > 400
    between = everywhere * 0.5            # on a ring of radius 1: near no mode
    assert mode_coverage(between, ds.x_train, ds.y_train).sum() == 0


def test_view_and_metric_read_the_generator_without_touching_training():
    session = Session.from_graph(_gan())
    session.run(5)
    prog = session.program
    assert generator_node(prog, (2,)) == "G2"
    assert discriminator_logit(prog) == ("D2", "out")
    rng_before = session.generator._rng.bit_generator.state
    v = views.compute("adversarial", session)
    assert session.generator._rng.bit_generator.state == rng_before   # fixed noise of its own
    assert v.samples.shape == (SAMPLES, 2) and v.decision.shape == (60, 60)
    assert ((v.decision >= 0) & (v.decision <= 1)).all()
    assert v.modes == 8 and 0 <= v.covered <= 8
    np.testing.assert_array_equal(v.samples, generated_samples(session, "G2"))   # same noise
    # the decision is the discriminator's P(real) at those points
    x = np.array([[0.0, 0.0], [2.0, 0.0]], dtype=np.float32)
    z = session.node_output("D2", x)
    ext = v.extent
    assert ext == ((-3.0, 3.0), (-3.0, 3.0))
    assert np.isfinite(z).all()
    assert modes_covered(session, None, "G2") == v.covered
    # the checklist measures it on evaluated snapshots only (not at every probe)
    unevaluated = session.run(5)
    assert unevaluated.train_loss is None and np.isnan(modes_covered(session, unevaluated, "G2"))
