"""Flow matching and diffusion (issue 19): TimeSample, FlowPath and DiffusionPath (registry,
shapes, float64 gradient checks, the Session's generator, replayed steps), a graph whose cost
compares with a computed target and has no labels, the Euler and DDIM samplers (against closed
forms), their view and metric."""
from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import backend
from engine.graph import Graph, registry
from engine.graph.compile import check_graph
from engine.graph.registry import ShapeError
from engine.lessons.goals import METRICS
from engine.nn.flow import DiffusionPath, FlowPath, TimeSample
from engine.train import flow, views
from engine.train.session import Session
from tests.gradcheck import gradcheck, t64


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ---------------------------------------------------------------------- the modules
@pytest.mark.parametrize("shape", [(5, 2), (3, 2, 2, 3)])
def test_flow_path_is_the_straight_path_from_noise_to_data_and_its_gradients_check(rng, shape):
    x1, x0 = t64(rng, *shape), t64(rng, *shape)
    t = t64(rng, shape[0], 1, low=0.0, high=1.0)
    out = FlowPath()(x1, x0, t)
    spread = t.data.reshape(shape[0], *[1] * (len(shape) - 1))   # one time per sample
    np.testing.assert_allclose(out["x_t"].data, (1 - spread) * x0.data + spread * x1.data)
    np.testing.assert_allclose(out["velocity"].data, x1.data - x0.data)
    assert gradcheck(lambda a, b, c: (lambda o: (o["x_t"], o["velocity"]))(FlowPath()(a, b, c)), [x1, x0, t])


@pytest.mark.parametrize("shape", [(5, 2), (3, 2, 2, 3)])
def test_diffusion_path_noises_the_data_to_level_t_and_its_gradients_check(rng, shape):
    x0, eps = t64(rng, *shape), t64(rng, *shape)
    t = t64(rng, shape[0], 1, low=0.0, high=1.0)
    out = DiffusionPath()(x0, eps, t)
    angle = np.pi / 2 * t.data.reshape(shape[0], *[1] * (len(shape) - 1))
    np.testing.assert_allclose(out["x_t"].data, np.cos(angle) * x0.data + np.sin(angle) * eps.data)
    np.testing.assert_array_equal(out["noise"].data, eps.data)
    assert gradcheck(lambda a, b, c: (lambda o: (o["x_t"], o["noise"]))(DiffusionPath()(a, b, c)), [x0, eps, t])


def test_time_sample_draws_one_uniform_time_per_sample_from_its_generator(rng):
    like = t64(rng, 6, 3)
    t = TimeSample(generator=backend.Generator(4))(like)
    assert t.shape == (6, 1)
    np.testing.assert_array_equal(t.data, np.random.default_rng(4).random((6, 1)))   # the generator's own

    def fresh(x):   # reseeded on every call: a fixed function, as finite differences need
        return TimeSample(generator=backend.Generator(3))(x)
    assert gradcheck(fresh, [like])   # its values never depend on like's: zero gradient
    many = TimeSample(generator=backend.Generator(1))(engine.tensor(np.zeros((50000, 2)))).data
    assert many.min() >= 0.0 and many.max() < 1.0 and many.mean() == pytest.approx(0.5, abs=0.01)


# ---------------------------------------------------------------------- the registry
def test_shape_rules_and_their_refusals():
    ts, fp = registry.get("TimeSample"), registry.get("FlowPath")
    assert ts.shape_rule({}, {"like": (None, 1, 8, 8)}) == {"out": (None, 1)}
    assert fp.shape_rule({}, {"x1": (None, 2), "x0": (None, 2), "t": (None, 1)}) == \
        {"x_t": (None, 2), "velocity": (None, 2)}
    with pytest.raises(ShapeError, match=r"x1 \(batch, 2\) and x0 \(batch, 3\) must have one shape") as err:
        fp.shape_rule({}, {"x1": (None, 2), "x0": (None, 3), "t": (None, 1)})
    assert err.value.port == "x0"
    with pytest.raises(ShapeError, match=r"t must be one time per sample.*\(batch, 2\)") as err:
        fp.shape_rule({}, {"x1": (None, 2), "x0": (None, 2), "t": (None, 2)})
    assert err.value.port == "t"
    dp = registry.get("DiffusionPath")
    assert dp.shape_rule({}, {"x0": (None, 1, 8, 8), "eps": (None, 1, 8, 8), "t": (None, 1)}) == \
        {"x_t": (None, 1, 8, 8), "noise": (None, 1, 8, 8)}
    with pytest.raises(ShapeError, match=r"x0 \(batch, 2\) and eps \(batch, 4\) must have one shape") as err:
        dp.shape_rule({}, {"x0": (None, 2), "eps": (None, 4), "t": (None, 1)})
    assert err.value.port == "eps"


# ---------------------------------------------------------------------- graphs
def _flow_graph(hidden=16, layers=1, lr=0.003, batch_size=64, noise_source="x0", path="FlowPath"):
    """Flow matching on the generative moons: x0 ~ N(0, 1), t ~ U(0, 1), the path, and a
    velocity net cat(x_t, t) -> (Linear -> GELU) x layers -> Linear(2) against the velocity.
    ``noise_source`` "x1": the path starts at the data itself (no noise node). ``path``
    "DiffusionPath": the same nodes, the data noised to level t, the net against the noise."""
    g = Graph()
    g.settings = {"dataset": {"name": "gen-moons", "n_samples": 200}, "seed": 0, "batch_size": batch_size,
                  "optimizer": {"name": "Adam", "lr": lr}, "probe_every": 10, "eval_every": 50}
    g.add_node("Input", id="x1")
    g.add_node("RandomNormal", id="x0")
    g.add_node("TimeSample", id="t")
    g.add_node(path, id="path")
    data_port, noise_port, target = ("x1", "x0", "velocity") if path == "FlowPath" else ("x0", "eps", "noise")
    g.add_node("Concat", id="cat")
    g.connect("x1", "out", "x0", "like")
    g.connect("x1", "out", "t", "like")
    g.connect("x1", "out", "path", data_port)
    g.connect(noise_source, "out", "path", noise_port)
    g.connect("t", "out", "path", "t")
    g.connect("path", "x_t", "cat", "inputs")
    g.connect("t", "out", "cat", "inputs")
    prev, width = "cat", 3
    for i in range(layers):
        g.add_node("Linear", {"in_features": width, "out_features": hidden}, id=f"fc{i}")
        g.add_node("GELU", id=f"act{i}")
        g.connect(prev, "out", f"fc{i}", "input")
        g.connect(f"fc{i}", "out", f"act{i}", "input")
        prev, width = f"act{i}", hidden
    g.add_node("Linear", {"in_features": width, "out_features": 2}, id="v")
    g.add_node("MSELoss", id="cost")
    g.connect(prev, "out", "v", "input")
    g.connect("v", "out", "cost", "input")
    g.connect("path", target, "cost", "target")
    return g


def _losses(session, n):
    out = []
    for _ in range(n):
        session.step()
        out.append(session.last_loss)
    return out


def test_a_flow_graph_checks_and_trains_on_its_computed_target_without_labels():
    g = _flow_graph()
    assert not [p for p in check_graph(g) if p.severity == "error"]
    s = Session.from_graph(g)
    assert s.kind == "none"   # the components (y) are never converted nor fed
    snap = s.run(50)
    assert snap.train_loss is not None and np.isfinite(snap.train_loss)
    assert "train_acc" not in snap.metrics and "test_acc" not in snap.metrics
    assert _losses(Session.from_graph(g, seed=3), 5) == _losses(Session.from_graph(g, seed=3), 5)
    assert _losses(Session.from_graph(g, seed=3), 5) != _losses(Session.from_graph(g, seed=4), 5)


def test_replayed_steps_draw_fresh_times():
    """With the path starting at the data (x_t = x1, no noise) and a learning rate of 0, the
    loss of one full batch changes from step to step only through the times the velocity net
    reads: a replayed step that reused its recording's times would repeat the loss."""
    g = _flow_graph(lr=0.0, batch_size=160, noise_source="x1")
    s = Session.from_graph(g)
    losses = _losses(s, 8)
    assert "replayed" in s.replay_status()
    assert len(set(losses)) == len(losses)


def _linear_field(weight, bias, path="FlowPath"):
    """A session whose network is one Linear(3 -> 2) on cat(x_t, t), set to
    v = weight @ (x, t) + bias."""
    s = Session.from_graph(_flow_graph(layers=0, path=path))
    v = s.program.node_modules["v"]
    v.weight.data[...] = np.asarray(weight, dtype=v.weight.data.dtype)
    v.bias.data[...] = np.asarray(bias, dtype=v.bias.data.dtype)
    return s


def test_the_sampler_integrates_the_field_from_its_own_noise_with_euler_steps():
    steps = 8
    noise = flow.starting_noise((2,), 40, np.float32).astype(np.float64)
    # v = t: x(1) = x0 + sum_k (k / K) / K, which reads the fed times
    s = _linear_field([[0, 0, 1], [0, 0, 1]], [0, 0])
    parts = flow.flow_parts(s.program)
    assert parts == flow.FlowParts("flow", "path", ("path", "x_t"), ("t", "out"), ("v", "out"))
    samples, paths = flow.sample_flow(s, parts, n=40, steps=steps, keep=5)
    np.testing.assert_allclose(samples, noise + (steps - 1) / (2 * steps), rtol=1e-5, atol=1e-6)
    assert paths.shape == (5, steps + 1, 2)
    np.testing.assert_allclose(paths[:, 0], noise[:5], rtol=1e-6)
    np.testing.assert_allclose(paths[:, -1], samples[:5])
    # v = c - x: x_K = c + (x0 - c)(1 - 1/K)^K, which reads the fed points
    c = np.array([0.5, -1.0])
    s = _linear_field([[-1, 0, 0], [0, -1, 0]], c)
    samples, paths = flow.sample_flow(s, flow.flow_parts(s.program), n=40, steps=steps)
    np.testing.assert_allclose(samples, c + (noise - c) * (1 - 1 / steps) ** steps, rtol=1e-5, atol=1e-6)
    assert paths is None


def test_the_diffusion_sampler_takes_ddim_steps_from_its_own_noise():
    steps = 8
    noise = flow.starting_noise((2,), 40, np.float32).astype(np.float64)
    levels = flow.DIFFUSION_START * (1 - np.arange(steps + 1) / steps)   # down to the data, t = 0
    # predicted noise 0: each step only rescales, x_K = x_0 * cos(0) / cos(pi t_0 / 2)
    s = _linear_field(np.zeros((2, 3)), [0, 0], path="DiffusionPath")
    parts = flow.flow_parts(s.program)
    assert parts == flow.FlowParts("diffusion", "path", ("path", "x_t"), ("t", "out"), ("v", "out"))
    np.testing.assert_allclose(flow.sampling_times(parts, steps), levels)
    samples, paths = flow.sample_flow(s, parts, n=40, steps=steps, keep=3)
    np.testing.assert_allclose(samples, noise / np.cos(np.pi / 2 * levels[0]), rtol=1e-5)
    np.testing.assert_allclose(paths[:, 0], noise[:3], rtol=1e-6)
    # predicted noise = t (both coordinates), which reads the fed levels: the notes' eq. 6
    # x_{t'} = sqrt(a_{t'}) x0_hat + sqrt(1 - a_{t'}) eps, x0_hat = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)
    s = _linear_field([[0, 0, 1], [0, 0, 1]], [0, 0], path="DiffusionPath")
    x = noise.copy()
    for now, after in zip(levels[:-1], levels[1:]):
        a, a_next = np.cos(np.pi / 2 * now) ** 2, np.cos(np.pi / 2 * after) ** 2
        x0_hat = (x - np.sqrt(1 - a) * now) / np.sqrt(a)
        x = np.sqrt(a_next) * x0_hat + np.sqrt(1 - a_next) * now
    samples, _ = flow.sample_flow(s, flow.flow_parts(s.program), n=40, steps=steps)
    np.testing.assert_allclose(samples, x, rtol=1e-4, atol=1e-4)


def test_sampling_changes_neither_training_nor_the_weights():
    """The sampler, its view and its metric between steps leave the run exactly as it was:
    its noise is its own, and the network goes back to training mode."""
    g = _flow_graph()
    quiet, watched = Session.from_graph(g), Session.from_graph(g)
    for session in (quiet, watched):
        session.run(20)
        evaluated = session.snapshot()   # (its losses draw noise and times of the run's own)
    views.compute("flow", watched)
    assert np.isfinite(METRICS["flow_sample_distance"].fn(watched, evaluated, None))
    assert watched.program.training
    assert _losses(quiet, 10) == _losses(watched, 10)
    for a, b in zip(quiet.params, watched.params):
        np.testing.assert_array_equal(a.data, b.data)


def test_the_distance_metric_and_the_view_measure_the_same_samples():
    s = Session.from_graph(_flow_graph())
    s.run(30)
    evaluated = s.snapshot()
    distance = METRICS["flow_sample_distance"].fn(s, evaluated, None)
    samples, _ = flow.sample_flow(s, flow.flow_parts(s.program))
    data = s.dataset.x_train.astype(np.float64)
    nearest = np.sqrt(((samples[:, None, :] - data[None, :, :]) ** 2).sum(-1)).min(1)
    assert distance == pytest.approx(float(np.median(nearest)), rel=1e-9)
    v = views.compute("flow", s)
    assert v.distance == pytest.approx(distance, rel=1e-9)
    assert v.paths.shape == (flow.FLOW_SAMPLES, flow.FLOW_STEPS + 1, 2) and v.samples.shape == (flow.FLOW_SAMPLES, 2)
    np.testing.assert_array_equal(v.data, s.dataset.x_train)
    assert set(v.component) == {0, 1}   # which moon: the colours
    # between evaluated snapshots it is not measured (it integrates the flow)
    between = s.run(10)   # the probe at step 40 (evaluated every 50)
    assert between.step == 40 and between.train_loss is None
    assert np.isnan(METRICS["flow_sample_distance"].fn(s, between, None))


def test_graphs_without_a_flow_path_have_no_flow_view_nor_distance():
    g = Graph()
    g.settings = {"dataset": {"name": "gen-moons", "n_samples": 100}, "probe_every": 10}
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 2}, id="lin")
    g.add_node("MSELoss", id="cost")
    g.connect("x", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("x", "out", "cost", "target")
    s = Session.from_graph(g)
    assert flow.flow_parts(s.program) is None
    assert views.compute("flow", s) is None
    assert np.isnan(METRICS["flow_sample_distance"].fn(s, s.snapshot(), None))
    assert flow.generative_plane(s.dataset)


def test_the_pytorch_form_of_the_path_and_the_times():
    """The script draws the playground's times (PlaygroundRandom's random, like our
    generator's) and computes the path as engine.nn.flow does."""
    code = registry.get("FlowPath").export({}, {"x1": (None, 2), "x0": (None, 2), "t": (None, 1)})
    assert code.call.format(x1="a", x0="b", t="s") == "(b + s * (a - b), a - b)"
    assert code.outputs == {"x_t": "{r}[0]", "velocity": "{r}[1]"}
    image = registry.get("FlowPath").export({}, {"x1": (None, 1, 8, 8), "x0": (None, 1, 8, 8), "t": (None, 1)})
    assert "s.view(-1, 1, 1, 1)" in image.call.format(x1="a", x0="b", t="s")
    code = registry.get("DiffusionPath").export({}, {"x0": (None, 2), "eps": (None, 2), "t": (None, 1)})
    assert code.call.format(x0="a", eps="e", t="s") == \
        "(torch.cos(s * (math.pi / 2)) * a + torch.sin(s * (math.pi / 2)) * e, e)"
    code = registry.get("TimeSample").export({}, {"like": (None, 2)})
    assert code.call.format(like="x") == "draws.random((x.shape[0], 1)).to(x)" and code.draws
