"""Session: training, reproducibility, probes (one transfer), NaN reports, inspection."""
import numpy as np
import pytest

from engine import backend
from engine.graph import Graph
from engine.train import Session, probes
from engine.train.snapshot import Snapshot


def xor_graph(lr=0.3, probe_every=10, act="Tanh", hidden=4, loss="BCEWithLogitsLoss", **settings):
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": hidden}, id="lin1")
    g.add_node(act, id="act")
    g.add_node("Linear", {"in_features": hidden, "out_features": 1}, id="lin2")
    g.add_node("Target", id="y")
    g.add_node(loss, id="cost")
    for a, b in (("x", "lin1"), ("lin1", "act"), ("act", "lin2"), ("lin2", "cost")):
        g.connect(a, "out", b, "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "xor", "n_samples": 200}, "optimizer": {"name": "SGD", "lr": lr},
                  "batch_size": 10, "seed": 0, "probe_every": probe_every, **settings}
    return g


def test_xor_loss_falls():
    s = Session.from_graph(xor_graph())
    before = s.evaluate()
    s.run(300)
    after = s.evaluate()
    assert after["train_loss"] < 0.7 * before["train_loss"]
    assert after["train_acc"] > 0.8 and 0.0 <= after["test_acc"] <= 1.0


def test_same_seed_same_numbers_other_seed_other_numbers():
    def run(seed):
        s = Session.from_graph(xor_graph(), seed=seed)
        losses = []
        for _ in range(60):
            s.step()
            losses.append(s.last_loss)
        return losses, s.program.state_dict()

    (l1, w1), (l2, w2), (l3, _) = run(1), run(1), run(2)
    assert l1 == l2
    for k in w1:
        np.testing.assert_array_equal(w1[k], w2[k])
    assert l1 != l3


def test_dropout_uses_the_session_generator():
    def run():
        g = xor_graph()
        g.add_node("Dropout", {"p": 0.5}, id="drop")
        g.remove_edge(g.edges_into("lin2")[0])
        g.connect("act", "out", "drop", "input")
        g.connect("drop", "out", "lin2", "input")
        s = Session.from_graph(g, seed=5)
        backend.default_generator.manual_seed(123)   # must not matter
        s.run(20)
        return s.program.state_dict()
    a, b = run(), run()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_snapshots_every_k_steps_with_probe_contents():
    s = Session.from_graph(xor_graph(probe_every=5))
    snaps = [s.step() for _ in range(25)]
    got = [i + 1 for i, snap in enumerate(snaps) if snap is not None]
    assert got == [5, 10, 15, 20, 25]
    snap = snaps[24]     # an evaluated probe (eval_every = 5 probes)
    assert isinstance(snap, Snapshot) and snap.step == 25
    assert snap.train_loss is not None and "test_acc" in snap.metrics
    assert set(snap.activations) == {"lin1", "act", "lin2"}
    assert set(snap.gradients) == {"lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias"}
    assert snap.trajectory_point.shape == (sum(p.data.size for p in s.params),)
    np.testing.assert_allclose(snap.weights["lin1.weight"], s.program.node_modules["lin1"].weight.data)
    # gradient statistics are those of the parameters' gradients
    g = s.program.node_modules["lin2"].weight.grad
    gs = snap.gradients["lin2.weight"]
    assert gs.norm == pytest.approx(np.linalg.norm(g), rel=1e-5)
    assert gs.max_abs == pytest.approx(np.abs(g).max(), rel=1e-5)
    assert gs.mean_abs == pytest.approx(np.abs(g).mean(), rel=1e-5)
    assert 0 < gs.update_ratio < 1
    act = snap.activations["act"]
    assert act.saturated is not None and act.dead is None and act.hist_counts.sum() == 10 * 4
    # non-evaluated probes carry no metrics, and their statistics are computed when read
    lazy = snaps[4]
    assert lazy.train_loss is None
    assert lazy.activations["lin1"].hist_counts.sum() == 10 * 4


def test_probe_statistics_against_numpy():
    rng = np.random.default_rng(0)
    relu_like = type("ReLU", (), {"relu_family": True, "saturating": False})()
    sig_like = type("Sigmoid", (), {"relu_family": False, "saturating": True})()
    for shapes in ([(30, 3), (30, 5)], [(6, 2, 4, 4), (6, 3)]):
        arrays = [np.maximum(rng.normal(size=shapes[0]), 0).astype(np.float32),
                  (1 / (1 + np.exp(-3 * rng.normal(size=shapes[1])))).astype(np.float32)]
        arrays[0][..., 0] = 0.0 if arrays[0].ndim == 2 else arrays[0][..., 0]
        if arrays[0].ndim == 4:
            arrays[0][:, 1] = 0.0
        batch = probes.ActivationBatch([probes.ActivationProbe("r", relu_like),
                                        probes.ActivationProbe("s", sig_like)])
        tr = probes.Transfer()
        batch.add(tr, arrays)
        stats = batch.stats(tr.fetch())
        for (name, a) in zip("rs", arrays):
            st = stats[name]
            assert st.mean == pytest.approx(a.mean(), rel=1e-5)
            assert st.std == pytest.approx(a.std(), rel=1e-4)
            counts, edges = np.histogram(a, bins=probes.HIST_BINS, range=(a.min(), a.max()))
            np.testing.assert_allclose(st.hist_edges, edges, rtol=1e-6)
            assert abs(st.hist_counts - counts).sum() <= 2   # float rounding at bin edges
        axes = (0, 2, 3) if arrays[0].ndim == 4 else (0,)
        assert stats["r"].dead == pytest.approx(1 - (arrays[0] > 0).any(axis=axes).mean())
        assert stats["r"].saturated is None
        s = arrays[1]
        assert stats["s"].saturated == pytest.approx(((s <= 0.025) | (s >= 0.975)).mean())
        assert stats["s"].dead is None


def test_a_probe_moves_statistics_to_the_host_once(monkeypatch):
    s = Session.from_graph(xor_graph(probe_every=5))
    s.lazy_probes = False   # as on a GPU: everything reduced on the device, then one copy
    s.run(4)
    calls = []
    real = backend.to_numpy
    monkeypatch.setattr(backend, "to_numpy", lambda a: calls.append(1) or real(a))
    snap = s.snapshot()
    assert snap.activations and snap.gradients and snap.train_loss is not None
    assert snap.verdicts is not None and len(calls) == 1



@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_from_an_infinite_weight_is_reported_at_that_node():
    s = Session.from_graph(xor_graph())
    s.run(3)
    s.program.node_modules["lin2"].weight.data[0, 0] = np.inf
    snap = s.run(10)
    assert snap.stopped and snap.nan is not None
    assert snap.nan.node == "lin2" and snap.nan.step == 4
    assert "lin2" in snap.nan.message and snap.verdicts[0].kind == "nan"
    assert s.step_count == 3 and s.step() is snap       # training stays stopped


def test_nan_injected_into_a_node_output_names_the_first_bad_node(monkeypatch):
    s = Session.from_graph(xor_graph())
    act = s.program.node_modules["act"]
    real = type(act).forward
    monkeypatch.setattr(type(act), "forward", lambda self, input: real(self, input) * np.nan)
    snap = s.step()
    assert snap.nan.node == "act"      # not lin2 or the cost, which follow it


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_exploding_learning_rate_stops_with_a_nan_report():
    s = Session.from_graph(xor_graph(lr=1e30, act="ReLU", loss="MSELoss"))
    snap = s.run(50)
    assert snap.nan is not None and snap.nan.node in s.program.order


def test_set_hparam_and_inspection():
    s = Session.from_graph(xor_graph(), optimizer={"name": "SGD", "lr": 0.1, "momentum": 0.5})
    s.set_hparam("lr", 0.01)
    s.set_hparam("momentum", 0.9)
    assert s.optimizer.param_groups[0]["lr"] == 0.01 and s.optimizer.param_groups[0]["momentum"] == 0.9
    with pytest.raises(ValueError, match="no hyperparameter"):
        s.set_hparam("warp", 9)
    s.set_hparam("batch_size", 4)
    assert len(s._next_batch()[0].data) == 4
    x = np.array([[0.5, 0.5], [-1.0, 2.0], [3.0, -3.0]], np.float32)
    assert s.predict(x).shape == (3, 1)
    h = s.node_output("act", x)
    w, b = s.program.node_modules["lin1"].weight.data, s.program.node_modules["lin1"].bias.data
    np.testing.assert_allclose(h, np.tanh(x @ w.T + b), rtol=1e-5)
    with pytest.raises(ValueError, match="target"):
        s.node_output("cost", x)


def test_trace_shows_values_gradients_and_local_derivatives():
    s = Session.from_graph(xor_graph())
    s.run(5)
    grads_before = [None if p.grad is None else p.grad.copy() for p in s.params]
    x = np.array([[1.0, -1.0], [0.2, 0.4]], np.float32)
    y = np.array([[1.0], [0.0]], np.float32)
    t = s.trace(x, y)
    a = t["values"]["act"]["out"]
    np.testing.assert_allclose(t["local_derivatives"]["act"], 1 - a ** 2, rtol=1e-5)
    # chain rule: dL/d(lin1 out) = dL/d(act out) * tanh'(lin1 out)
    np.testing.assert_allclose(t["grads"]["lin1"]["out"], t["grads"]["act"]["out"] * (1 - a ** 2),
                               rtol=1e-4, atol=1e-7)
    edge = [e for e in t["edge_grads"] if e.src == "act"][0]
    np.testing.assert_allclose(t["edge_grads"][edge], t["grads"]["act"]["out"], rtol=1e-6)
    assert set(t["param_grads"]) == set(s.param_names) and t["loss"] > 0
    for p, g in zip(s.params, grads_before):   # training's gradients are left alone
        np.testing.assert_array_equal(p.grad, g)


def test_check_gradient_agrees_with_finite_differences():
    s = Session.from_graph(xor_graph())
    s.run(5)
    w = s.program.node_modules["lin1"].weight.data.copy()
    assert s.check_gradient("lin1") < 1e-6
    assert s.check_gradient("act") < 1e-6
    assert s.params[0].data.dtype == np.float32
    np.testing.assert_array_equal(s.program.node_modules["lin1"].weight.data, w)


def test_perceptron_learns_and():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="unit")
    g.add_node("Heaviside", {"values": 0.0}, id="step")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    g.connect("x", "out", "unit", "input")
    g.connect("unit", "out", "step", "input")
    g.connect("step", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "logic", "gate": "AND", "repeat": 4}, "trainer": "perceptron",
                  "optimizer": {"name": "SGD", "lr": 1.0}, "batch_size": 4, "seed": 0}
    s = Session.from_graph(g)
    s.run(40)
    m = s.evaluate()
    assert m["train_loss"] == 0.0 and m["train_acc"] == 1.0


def test_attention_and_moe_probes():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("AttentionModule", {"in_features": 2, "out_features": 2, "num_branches": 3}, id="att")
    g.add_node("MixtureOfExperts", {"in_features": 2, "out_features": 1, "num_experts": 4}, id="moe")
    g.add_node("Target", id="y")
    g.add_node("BCEWithLogitsLoss", id="cost")
    g.connect("x", "out", "att", "input")
    g.connect("att", "out", "moe", "input")
    g.connect("moe", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "xor", "n_samples": 100}, "optimizer": {"name": "Adam", "lr": 0.01},
                  "probe_every": 5}
    s = Session.from_graph(g)
    snap = s.run(5)
    w = snap.attention["att"]
    assert w.shape == (10, 3)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
    assert snap.moe["moe"]["gates"].shape == (10, 4)
    assert snap.moe["moe"]["load"].sum() == pytest.approx(1.0, rel=1e-5)


def test_step_lr_schedule_counts_epochs():
    g = xor_graph(schedule={"name": "StepLR", "step_size": 1, "gamma": 0.5})
    s = Session.from_graph(g)      # 100 training samples, batch 10: 10 steps per epoch
    s.run(10)
    assert s.lr == pytest.approx(0.3)
    s.run(1)
    assert s.lr == pytest.approx(0.15)


@pytest.mark.gpu
@pytest.mark.skipif(not backend.gpu_available(), reason="needs CuPy and a CUDA device")
def test_gpu_session_matches_cpu():
    cpu = Session.from_graph(xor_graph(probe_every=5), device="cpu")
    gpu = Session.from_graph(xor_graph(probe_every=5), device="gpu")
    a, b = cpu.run(25), gpu.run(25)
    assert b.loss == pytest.approx(a.loss, rel=1e-3, abs=1e-5)
    assert b.train_loss == pytest.approx(a.train_loss, rel=1e-3, abs=1e-5)
    assert set(b.activations) == set(a.activations) and set(b.gradients) == set(a.gradients)
    for k in a.gradients:
        assert b.gradients[k].norm == pytest.approx(a.gradients[k].norm, rel=1e-3, abs=1e-6)
    np.testing.assert_allclose(gpu.predict([[0.5, 0.5]]), cpu.predict([[0.5, 0.5]]), rtol=1e-3, atol=1e-5)


def test_from_graph_with_previous_session_keeps_trained_weights():
    g = xor_graph()
    old = Session.from_graph(g)
    old.run(30)
    g.set_param("lin2", "bias", False)
    new = Session.from_graph(g, previous=old)
    np.testing.assert_array_equal(new.program.node_modules["lin1"].weight.data,
                                  old.program.node_modules["lin1"].weight.data)
    assert new.program.node_modules["lin2"].bias is None


def test_update_to_weight_ratio_is_the_step_over_the_weight():
    """With plain SGD the step is lr * grad, so ||dw|| / ||w_before|| is known exactly."""
    lr = 0.3
    s = Session.from_graph(xor_graph(lr=lr, probe_every=3))
    snap = s.run(3)
    for name, p in zip(s.param_names, s.params):
        g = backend.to_numpy(p.grad).astype(np.float64)
        after = backend.to_numpy(p.data).astype(np.float64)
        before = after + lr * g
        want = np.linalg.norm(lr * g) / np.linalg.norm(before)
        assert snap.gradients[name].update_ratio == pytest.approx(want, rel=1e-4)


def test_session_built_from_its_parts_steps_runs_evaluates_and_repeats():
    """Session(program, dataset, loss, optimizer, schedule, seed, device), as the contract says."""
    from engine import nn
    from engine.data import load_dataset
    from engine.graph.compile import compile_graph

    def make(seed):
        data = load_dataset("xor", n_samples=120)
        prog = compile_graph(xor_graph(), dataset_shapes={**data.shapes(), "task": data.task}, seed=seed)
        return Session(prog, data, loss=nn.MSELoss(), optimizer={"name": "Adam", "lr": 0.05},
                       schedule={"name": "StepLR", "step_size": 1, "gamma": 0.5}, seed=seed,
                       device="cpu", probe_every=4)

    a, b, c = make(3), make(3), make(4)
    assert a.step() is None and a.step_count == 1
    first = a.evaluate()
    assert set(first) == {"train_loss", "test_loss", "train_acc", "test_acc"}
    snap = a.run(39)
    assert snap.step == 40 and a.step_count == 40
    assert a.evaluate()["train_loss"] < first["train_loss"]
    assert a.lr < 0.05                       # the schedule ran (an epoch is 6 steps)
    b.run(40)
    c.run(40)
    assert a.evaluate() == b.evaluate() != c.evaluate()
    # the loss given to the Session is the one trained: MSE on the 0/1 targets
    pred = a.predict(a.dataset.x_train)
    y = a.dataset.y_train.reshape(-1, 1).astype(np.float32)
    assert a.evaluate()["train_loss"] == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-4)


def test_clip_grad_norm_setting_bounds_the_gradient_norm():
    from pathlib import Path

    from engine.graph import fileformat

    path = Path(__file__).resolve().parents[2] / "assets" / "lessons" / "deep_sigmoid.nnpg"
    graph = fileformat.load(path)

    def grad_norm(session):
        session.step()
        return float(np.sqrt(sum(float((p.grad ** 2).sum()) for p in session.params)))

    free = grad_norm(Session.from_graph(graph))
    graph.settings["clip_grad_norm"] = free / 10
    clipped = Session.from_graph(graph)
    assert clipped.clip_grad_norm == free / 10
    assert grad_norm(clipped) == pytest.approx(free / 10, rel=1e-3)


def test_replayed_steps_and_their_probes_equal_eager_ones():
    """Steps between probes are replayed (engine.compile), probe steps too, with node
    outputs taken from the replay: every number matches a session that runs eagerly."""
    graph = xor_graph(probe_every=5, optimizer={"name": "Adam", "lr": 0.01})
    fast, slow = Session.from_graph(graph), Session.from_graph(graph, replay=False)
    for _ in range(4):
        a, b = fast.run(5), slow.run(5)
        assert a.loss == pytest.approx(b.loss, rel=1e-6)
        assert set(a.activations) == set(b.activations) == {"lin1", "act", "lin2"}
        for nid in a.activations:
            for key, value in vars(a.activations[nid]).items():
                if isinstance(value, str) or value is None:
                    assert value == vars(b.activations[nid])[key]
                    continue
                np.testing.assert_allclose(value, vars(b.activations[nid])[key], rtol=1e-5,
                                           err_msg=f"{nid}.{key}")
        np.testing.assert_allclose(a.trajectory_point, b.trajectory_point, rtol=1e-6)
    assert fast.replay_status() == "((10, 2), (10, 1)): replayed"
    assert fast._replayed.replays == 18          # 20 steps, the first two traced
    assert slow.replay_status() == "eager (replay off)"


def test_a_graph_that_reads_values_in_python_trains_eagerly_and_says_why():
    g = xor_graph()
    g.add_node("BatchNorm1d", {"num_features": 4}, id="bn")
    g.edges = [e for e in g.edges if not (e.src == "lin1" and e.dst == "act")]
    g.connect("lin1", "out", "bn", "input")
    g.connect("bn", "out", "act", "input")
    s = Session.from_graph(g)
    s.run(20)
    assert s._replayed.replays == 0
    assert "running statistics" in s.replay_status()


def test_bad_data_met_by_a_replayed_step_is_reported_at_its_node():
    from engine.graph.compile import NodeError

    g = xor_graph(loss="CrossEntropyLoss")
    g.nodes["lin2"].params["out_features"] = 2
    s = Session.from_graph(g)
    s.run(5)
    assert s._replayed.replays > 0
    s._loader.y[:] = 7           # out of range for 2 classes, past validation
    s._batches = iter(s._loader)
    with pytest.raises(NodeError, match=r"node 'cost' .*out of bounds for 2 classes") as info:
        s.step()
    assert info.value.node == "cost"


def test_grad_norms_of_every_probe_equal_the_full_gradient_statistics():
    s = Session.from_graph(xor_graph(probe_every=3))
    device_path = Session.from_graph(xor_graph(probe_every=3))
    device_path.lazy_probes = False   # norms taken from the statistics reduced at the probe
    for _ in range(4):
        snap, other = s.run(3), device_path.run(3)
        assert snap.grad_norms.keys() == snap.gradients.keys() and snap.grad_norms
        assert other.grad_norms.keys() == snap.grad_norms.keys()
        for name, g in snap.gradients.items():
            assert snap.grad_norms[name] == pytest.approx(g.norm, rel=1e-6)
            assert snap.grad_norms[name] == pytest.approx(float(np.linalg.norm(
                s.params[s.param_names.index(name)].grad)), rel=1e-5)
            assert other.grad_norms[name] == pytest.approx(snap.grad_norms[name], rel=1e-5)


def test_probe_metrics_and_predict_replay_the_eval_forward_with_the_eager_numbers():
    graph = xor_graph(probe_every=2, eval_every=2)
    fast, slow = Session.from_graph(graph), Session.from_graph(graph, replay=False)
    for _ in range(6):
        a, b = fast.run(2), slow.run(2)
        assert a.train_loss == b.train_loss and a.test_loss == b.test_loss
        assert a.metrics == b.metrics
    assert fast._predicted.replays >= 3   # the first two evaluations were traced
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-2, 2, 5)), -1).reshape(-1, 2)
    for _ in range(3):
        np.testing.assert_array_equal(fast.predict(grid), slow.predict(grid))
    assert fast._predicted.replays >= 4 and fast.program.training   # back in training mode
