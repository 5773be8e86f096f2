"""compile_graph: module expansion, tie groups, wiring, seeds, recompile reuse, errors."""
import numpy as np
import pytest

import engine
from engine.graph import Graph, ModuleDef, PortRef
from engine.graph.compile import CompileError, NodeError, compile_graph

XOR_SHAPES = {"x": (None, 2), "y": (None,), "task": "classification"}


def mlp_graph(hidden=3, act="Tanh", loss="BCEWithLogitsLoss", bias2=True):
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": hidden}, id="lin1")
    g.add_node(act, id="act")
    g.add_node("Linear", {"in_features": hidden, "out_features": 1, "bias": bias2}, id="lin2")
    g.add_node("Target", id="y")
    g.add_node(loss, id="cost")
    for a, b in (("x", "lin1"), ("lin1", "act"), ("act", "lin2"), ("lin2", "cost")):
        g.connect(a, "out", b, "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "xor", "n_samples": 100}, "seed": 0}
    return g


def test_program_runs_nodes_in_order_with_node_id_prefixes():
    prog = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES)
    assert prog.order.index("x") < prog.order.index("lin1") < prog.order.index("act") \
        < prog.order.index("lin2") < prog.order.index("cost")
    names = [n for n, _ in prog.named_parameters()]
    assert names == ["lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias"]
    assert set(prog.state_dict()) == set(names)
    assert prog.target_kind == "float" and prog.prediction_node == "lin2"

    x = engine.tensor(np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32))
    y = engine.tensor(np.array([[1.0], [0.0]], dtype=np.float32))
    pred, loss = prog(x, y)
    # the same numbers by hand
    m = prog.node_modules
    h = np.tanh(x.data @ m["lin1"].weight.data.T + m["lin1"].bias.data)
    z = h @ m["lin2"].weight.data.T + m["lin2"].bias.data
    np.testing.assert_allclose(pred.data, z, rtol=1e-5)
    bce = np.mean(np.maximum(z, 0) - z * y.data + np.log1p(np.exp(-np.abs(z))))
    np.testing.assert_allclose(float(loss.data), bce, rtol=1e-5)
    # without a target only the prediction path runs
    pred2, none = prog(x)
    assert none is None
    np.testing.assert_allclose(pred2.data, z, rtol=1e-5)


def test_backward_reaches_every_parameter():
    prog = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES)
    x = engine.tensor(np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32))
    y = engine.tensor(np.ones((5, 1), np.float32))
    _, loss = prog(x, y)
    loss.backward()
    assert all(p.grad is not None and np.any(p.grad != 0) for p in prog.parameters())


def test_target_kind_follows_the_loss():
    assert compile_graph(mlp_graph(loss="CrossEntropyLoss"), dataset_shapes=XOR_SHAPES,
                         validate=False).target_kind == "index"
    g = mlp_graph(loss="MSELoss")
    assert compile_graph(g, dataset_shapes=XOR_SHAPES).target_kind == "float"
    g.nodes["y"].params["kind"] = "signed"
    assert compile_graph(g, dataset_shapes=XOR_SHAPES).target_kind == "signed"
    reg = {"x": (None, 2), "y": (None, 1), "task": "regression"}
    assert compile_graph(mlp_graph(loss="MSELoss"), dataset_shapes=reg).target_kind == "none"


def test_same_seed_same_weights_and_per_node_seeds():
    a = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES, seed=3).state_dict()
    b = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES, seed=3).state_dict()
    c = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES, seed=4).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["lin1.weight"], c["lin1.weight"])
    # a node's initial weights depend on its id and the seed, not on the other nodes
    g = mlp_graph(hidden=3)
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="unused")
    g.connect("x", "out", "unused", "input")
    d = compile_graph(g, dataset_shapes=XOR_SHAPES, seed=3, validate=False).state_dict()
    np.testing.assert_array_equal(a["lin1.weight"], d["lin1.weight"])


def test_recompile_keeps_weights_of_unchanged_nodes():
    g = mlp_graph()
    old = compile_graph(g, dataset_shapes=XOR_SHAPES)
    for p in old.parameters():     # "train": make the weights differ from any fresh init
        p.data = p.data + 0.5
    g.set_param("lin2", "bias", False)
    new = compile_graph(g, previous=old, dataset_shapes=XOR_SHAPES)
    fresh = compile_graph(g, dataset_shapes=XOR_SHAPES)
    np.testing.assert_array_equal(new.node_modules["lin1"].weight.data, old.node_modules["lin1"].weight.data)
    np.testing.assert_array_equal(new.node_modules["lin1"].bias.data, old.node_modules["lin1"].bias.data)
    np.testing.assert_array_equal(new.node_modules["lin2"].weight.data, fresh.node_modules["lin2"].weight.data)
    assert new.node_modules["lin2"].bias is None
    assert "lin1" in new.reused and "lin2" not in new.reused
    # the copy is independent: changing the new program leaves the old one alone
    new.node_modules["lin1"].weight.data[...] = 7
    assert not np.any(old.node_modules["lin1"].weight.data == 7)


def test_tied_nodes_share_one_set_of_parameters():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 2}, id="a", tie="w")
    g.add_node("Tanh", id="t")
    g.add_node("Linear", {"in_features": 2, "out_features": 2}, id="b", tie="w")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="out")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    for s, d in (("x", "a"), ("a", "t"), ("t", "b"), ("b", "out"), ("out", "cost")):
        g.connect(s, "out", d, "input")
    g.connect("y", "out", "cost", "target")
    prog = compile_graph(g, dataset_shapes={"x": (None, 2), "y": (None, 1), "task": "regression"})
    assert prog.node_modules["a"] is prog.node_modules["b"]
    assert [n for n, _ in prog.named_parameters()] == ["a.weight", "a.bias", "out.weight", "out.bias"]
    x = engine.tensor(np.ones((3, 2), np.float32))
    _, loss = prog(x, engine.tensor(np.zeros((3, 1), np.float32)))
    loss.backward()
    # both uses contribute: the gradient differs from what one use alone would give
    w = prog.node_modules["a"].weight
    assert w.grad is not None and np.all(np.isfinite(w.grad))


def shared_module_graph(tie):
    inner = Graph()
    inner.add_node("Input", {"shape": [1]}, id="u")
    inner.add_node("Linear", {"in_features": 1, "out_features": 3}, id="lin")
    inner.add_node("Tanh", id="act")
    inner.connect("u", "out", "lin", "input")
    inner.connect("lin", "out", "act", "input")
    g = Graph()
    g.modules["G"] = ModuleDef("G", inner, [PortRef("input", "u", "out")], [PortRef("out", "act", "out")])
    g.add_node("Input", id="x")
    g.add_node("Split", {"chunks": 2, "dim": -1}, id="split")
    g.add_node("Module", {"module": "G"}, id="g1", tie=tie)
    g.add_node("Module", {"module": "G"}, id="g2", tie=tie)
    g.add_node("Multiply", id="mul")
    g.add_node("Linear", {"in_features": 3, "out_features": 1}, id="out")
    g.add_node("Target", id="y")
    g.add_node("BCEWithLogitsLoss", id="cost")
    g.connect("x", "out", "split", "input")
    g.connect("split", "out0", "g1", "input")
    g.connect("split", "out1", "g2", "input")
    g.connect("g1", "out", "mul", "a")
    g.connect("g2", "out", "mul", "b")
    g.connect("mul", "out", "out", "input")
    g.connect("out", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    return g


def test_module_instances_expand_inline_and_tie_shares_inner_weights():
    prog = compile_graph(shared_module_graph("G"), dataset_shapes=XOR_SHAPES)
    assert "g1/lin" in prog.order and "g2/act" in prog.order and "g1/u" not in prog.order
    assert prog.node_modules["g1/lin"] is prog.node_modules["g2/lin"]
    names = [n for n, _ in prog.named_parameters()]
    assert names == ["g1/lin.weight", "g1/lin.bias", "out.weight", "out.bias"]
    x = np.array([[0.3, -0.7]], np.float32)
    prog(engine.tensor(x))
    lin = prog.node_modules["g1/lin"]
    h1 = np.tanh(x[:, :1] @ lin.weight.data.T + lin.bias.data)
    h2 = np.tanh(x[:, 1:] @ lin.weight.data.T + lin.bias.data)
    np.testing.assert_allclose(prog.last_values[prog.slot("mul")].data, h1 * h2, rtol=1e-5)

    untied = compile_graph(shared_module_graph(None), dataset_shapes=XOR_SHAPES)
    assert untied.node_modules["g1/lin"] is not untied.node_modules["g2/lin"]
    assert len(list(untied.parameters())) == 6


def test_settings_init_he_initialisation():
    g = mlp_graph(hidden=400, act="ReLU")
    g.settings["init"] = {"name": "kaiming_normal", "nonlinearity": "relu"}
    prog = compile_graph(g, dataset_shapes=XOR_SHAPES)
    w2 = prog.node_modules["lin2"].weight.data
    assert abs(w2.std() - np.sqrt(2.0 / 400)) < 0.15 * np.sqrt(2.0 / 400)
    assert np.all(prog.node_modules["lin1"].bias.data == 0)
    g.settings["init"] = "nonsense"
    with pytest.raises(CompileError, match="nonsense"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)


def test_compile_errors_name_the_node():
    g = mlp_graph()
    g.add_node("NoSuchLayer", id="mystery")
    with pytest.raises(CompileError, match="mystery"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)

    g = mlp_graph()
    g.connect("lin2", "out", "lin1", "input")     # a cycle (and two edges into lin1.input)
    with pytest.raises(CompileError):
        compile_graph(g, dataset_shapes=XOR_SHAPES)

    g = mlp_graph()
    g.set_param("lin2", "in_features", 5)          # shape mismatch
    with pytest.raises(CompileError, match="lin2|5"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)

    g = mlp_graph()
    g.remove_node("cost")
    with pytest.raises(CompileError, match="cost"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)


def test_runtime_failure_names_the_node():
    prog = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES)
    with pytest.raises(NodeError, match="lin1"):
        prog(engine.tensor(np.ones((4, 3), np.float32)))    # 3 features where 2 are expected


def test_run_traced_gives_per_edge_gradients():
    g = mlp_graph()
    g.add_node("Linear", {"in_features": 3, "out_features": 1}, id="side")
    g.add_node("Add", id="sum")
    g.remove_edge(g.edges_into("cost", "input")[0])
    g.connect("act", "out", "side", "input")
    g.connect("lin2", "out", "sum", "inputs")
    g.connect("side", "out", "sum", "inputs")
    g.connect("sum", "out", "cost", "input")
    prog = compile_graph(g, dataset_shapes=XOR_SHAPES)
    x = engine.tensor(np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32), requires_grad=True)
    y = engine.tensor(np.array([[1], [0], [1], [0]], np.float32))
    run = prog.run_traced(x, y)
    run["loss"].backward()
    out = run["values"][("act", "out")]
    into = [t for e, t in run["edges"].items() if e.src == "act"]
    assert len(into) == 2
    # the fan-out's gradient is the sum of the gradients along its two edges
    np.testing.assert_allclose(out.grad, into[0].grad + into[1].grad, rtol=1e-5, atol=1e-7)
    assert "act" in run["elementwise"]


# ----------------------------------------------------------------- a Transformer block, two ways
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_drawn_from_primitives_equals_the_ready_block(norm_first):
    """The TransformerBlock node (ready block) and its template drawn from primitives
    (MultiheadAttention, Dropout, Add, LayerNorm, Linear, ReLU) compute the same thing."""
    from engine.graph import blocks, registry

    params = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True,
              "norm_first": norm_first, "dropout": 0.1}
    g = blocks.template_graph("TransformerBlock", params)
    last = "norm2" if not norm_first else "add2"
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    g.connect(last, "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    seq = g.nodes["x"].params["shape"][0]
    shapes = {"x": (None, seq, 8), "y": (None, seq, 8), "task": "regression"}
    prog = compile_graph(g, dataset_shapes=shapes)

    nt = registry.get("TransformerBlock")
    ready = nt.build(nt.resolve(params), {"input": (None, seq, 8)})
    w = {n: p for n, p in ready.named_parameters()}
    m = prog.node_modules
    pairs = {"attn": ("module.self_attn.", "module."), "ff1": ("module.linear1.", ""),
             "ff2": ("module.linear2.", ""), "norm1": ("module.norm1.", ""), "norm2": ("module.norm2.", "")}
    for node, (theirs, ours) in pairs.items():
        for name, p in m[node].named_parameters():
            p.data = w[theirs + name[len(ours):]].data.copy()

    rng = np.random.default_rng(0)
    x = engine.tensor(rng.standard_normal((3, seq, 8)).astype(np.float32))
    prog.eval()
    ready.eval()
    drawn, _ = prog(x)
    np.testing.assert_allclose(drawn.numpy(), ready(input=x).numpy(), rtol=1e-4, atol=1e-5)

    # and the drawn block trains: a few SGD steps lower the loss
    prog.train()
    y = engine.tensor(rng.standard_normal((3, seq, 8)).astype(np.float32))
    from engine.optim import SGD

    opt = SGD(list(prog.parameters()), lr=0.05)
    losses = []
    for _ in range(15):
        _, loss = prog(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]


# ----------------------------------------------------------------- memory, before building
def test_a_huge_model_is_refused_by_check_and_compile_without_allocating():
    """1.5 KB of file declaring a 40000 x 40000 Linear: `check`, compile and the Session
    (the CLI's and the app's way in) refuse it from the declarations (6.4 GB of weights) in
    a sentence, and never allocate it."""
    import tracemalloc

    from engine.graph.compile import ResourceError, check_graph
    from engine.train import Session

    g = mlp_graph(hidden=40000)
    g.add_node("Linear", {"in_features": 40000, "out_features": 40000}, id="huge")
    g.remove_edge(g.edges_into("act")[0])
    g.connect("lin1", "out", "huge", "input")
    g.connect("huge", "out", "act", "input")
    g.set_param("lin2", "in_features", 40000)
    g.set_param("huge", "out_features", 40000)
    tracemalloc.start()
    try:
        problems = check_graph(g)
        with pytest.raises(ResourceError) as info:
            compile_graph(g)
        with pytest.raises(ResourceError):
            Session.from_graph(g)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.kind for p in problems] == ["resources"]
    assert str(info.value) == problems[0].message
    assert "node 'huge' alone stores 1,600,040,000 numbers" in problems[0].message
    assert "\n" not in problems[0].message
    assert peak < 50e6, f"checking allocated {peak / 1e6:.0f} MB"


def test_the_limit_follows_the_free_memory(monkeypatch):
    from engine.graph import resources
    from engine.graph.compile import ResourceError

    g = mlp_graph(hidden=1000)                     # about 4000 weights: 64 KB while training
    compile_graph(g, dataset_shapes=XOR_SHAPES)
    monkeypatch.setattr(resources, "available_bytes", lambda: 20_000)   # a machine nearly full
    with pytest.raises(ResourceError, match="more than the 10.0 KB this computer can spare"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)
    monkeypatch.setenv(resources.LIMIT_ENV, "inf")   # not a byte count: the machine's limit, no crash
    with pytest.raises(ResourceError, match="more than the 10.0 KB this computer can spare"):
        compile_graph(g, dataset_shapes=XOR_SHAPES)
    monkeypatch.setenv(resources.LIMIT_ENV, "1e9")
    compile_graph(g, dataset_shapes=XOR_SHAPES)


def test_blocks_count_what_they_hold_inside():
    """A MixtureOfExperts with hidden: 1000000 took 2 GB: its experts' hidden layers, not its
    output, hold the memory, and the estimate counts them."""
    from engine.graph import compile as comp, resources

    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("MixtureOfExperts", {"in_features": 2, "out_features": 1, "hidden": 1_000_000}, id="moe")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    g.connect("x", "out", "moe", "input")
    g.connect("moe", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    flat, order, x, y, _ = comp._prepare(g, {"x": (None, 2), "y": (None, 1)})
    shapes, ins = comp._propagate(flat, order, x, y, strict=True)
    est = resources.estimate(flat, order, shapes, ins, rows=100)
    assert est.weights == 4 * (3 * 1_000_000 + 1_000_001) + 12      # 4 experts and the gate
    assert est.activations >= 100 * 4 * 2 * 1_000_000                # each expert's hidden layer


def _weight_cases():
    """(node type, params, in_shapes): each type that stores tensors, at its defaults and with
    the settings that change its weight count."""
    from engine.graph import registry
    from tests.graph.test_registry import RUNNABLE, _example_shapes

    variants = {"Linear": [{"bias": False}], "Conv2d": [{"groups": 2, "in_channels": 2, "bias": False}],
                "LSTM": [{"num_layers": 2, "bidirectional": True, "bias": False}],
                "GRU": [{"num_layers": 3}], "RNN": [{"bidirectional": True}],
                "BatchNorm1d": [{"affine": False}, {"track_running_stats": False}],
                "LayerNorm": [{"bias": False}], "MixtureOfExperts": [{"hidden": 5}],
                "AttentionModule": [{"hidden": 3, "controller_hidden": 4}],
                "TransformerBlock": [{"bias": False, "dim_feedforward": 16}],
                "AdaptiveLogSoftmaxWithLoss": [{"cutoffs": [2, 6], "head_bias": True}]}
    for nt in RUNNABLE:
        if nt.name == "Module":
            continue
        shapes = _example_shapes(nt) if nt.input_ports() else {}
        for change in [{}] + variants.get(nt.name, []):
            yield registry.get(nt.name), nt.resolve(change), shapes


def test_every_weight_declaration_matches_the_built_module():
    """extra["weights"] is what lets check refuse a model without building it: it must count
    exactly what building stores; a type that stores tensors without declaring it fails here."""
    from engine.graph.compile import _tensor_slots

    for nt, params, shapes in _weight_cases():
        if nt.name == "Conv2d" and params["groups"] == 2:
            shapes = {"input": (None, 2, 8, 8)}
        built = sum(t.data.size for t in _tensor_slots(nt.build(params, shapes)).values())
        rule = nt.extra.get("weights")
        declared = rule(params, shapes) if rule else 0
        assert declared == built, f"{nt.name} {params}: declares {declared} numbers, builds {built}"


# ----------------------------------------------------------------- something to train
# One rule (compile.check_trainable) decides whether the trainer has weights to train:
# `check` reports it and Session refuses it with the same sentence, instead of backward()
# on a loss that depends on no weight (a RuntimeError, reported as a bug) or the perceptron
# rule meeting targets of another width (a ValueError).
def _lesson(trainer, *, stray=False):
    """perceptron_and's AND gate with an Abs where the Linear was; ``stray``: the Linear
    is still there, fed by the Input, but reaches no cost."""
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Abs", id="unit")
    g.add_node("Heaviside", {"values": 0.0}, id="step")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    for a, b in (("x", "unit"), ("unit", "step"), ("step", "cost")):
        g.connect(a, "out", b, "input")
    g.connect("y", "out", "cost", "target")
    if stray:
        g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="lin")
        g.connect("x", "out", "lin", "input")
    g.settings = {"dataset": {"name": "logic", "gate": "AND", "repeat": 8}, "batch_size": 4,
                  "optimizer": {"name": "SGD", "lr": 1.0}, "trainer": trainer}
    return g


def _check_and_train_refuse(g, words):
    """`check` reports ``words`` as its first error; training refuses with that sentence."""
    from engine.graph.compile import check_graph  # noqa: PLC0415
    from engine.graph.validate import errors  # noqa: PLC0415
    from engine.train.session import Session  # noqa: PLC0415

    found = errors(check_graph(g))
    assert found and words in found[0].message, [p.message for p in found]
    with pytest.raises(CompileError) as refused:
        Session.from_graph(g).step()
    assert str(refused.value) == found[0].message
    return found[0]


@pytest.mark.parametrize("trainer", ["gradient", "perceptron"])
@pytest.mark.parametrize("stray", [False, True])
def test_a_graph_with_no_weight_feeding_the_cost_is_refused_by_check_and_training(trainer, stray):
    p = _check_and_train_refuse(_lesson(trainer, stray=stray),
                                "nothing to train: no node with weights feeds the cost 'cost' (MSELoss)")
    assert p.node == "cost"
    assert ("'lin' has weights but does not reach it" in p.message) == stray


def test_the_perceptron_rule_needs_as_many_outputs_as_target_columns():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="unit")
    g.add_node("Sum", {"dim": 1, "keepdim": True}, id="sum")
    g.add_node("Heaviside", {"values": 0.0}, id="step")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    for a, b in (("x", "unit"), ("unit", "sum"), ("sum", "step"), ("step", "cost")):
        g.connect(a, "out", b, "input")
    g.connect("y", "out", "cost", "target")
    g.settings = _lesson("perceptron").settings
    p = _check_and_train_refuse(g, "the perceptron rule compares the 3 output(s) of 'unit' with "
                                   "the target's 1 column(s): give it out_features=1")
    assert p.node == "unit"


@pytest.mark.parametrize("command", ["check", "train"])
def test_the_cli_calls_a_graph_with_nothing_to_train_bad_input_not_a_bug(command, tmp_path, capsys):
    from engine.graph import fileformat  # noqa: PLC0415
    from playground import cli  # noqa: PLC0415

    path = tmp_path / "abs.nnpg"
    fileformat.save(_lesson("perceptron"), path)
    extra = ["--steps", "3"] if command == "train" else []
    assert cli.main([command, str(path), *extra]) == 2
    out = capsys.readouterr()
    assert "nothing to train" in out.out + out.err and "bug" not in out.out + out.err


def _nested(instances, inner_nodes, depth=1):
    """A graph whose top level holds ``instances`` Module nodes of a chain of ``inner_nodes``
    Tanh nodes (nested ``depth`` levels deep: each level's module holds the next one twice)."""
    def chain(n):
        g = Graph()
        for i in range(n):
            g.add_node("Tanh", id=f"t{i}")
        for i in range(1, n):
            g.connect(f"t{i - 1}", "out", f"t{i}", "input")
        return g

    top = Graph()
    body = chain(inner_nodes)
    top.modules["M0"] = ModuleDef("M0", body, [PortRef("input", "t0", "input")],
                                  [PortRef("out", f"t{inner_nodes - 1}", "out")])
    for level in range(1, depth):
        g = chain(1)
        g.add_node("Module", {"module": f"M{level - 1}"}, id="a")
        g.add_node("Module", {"module": f"M{level - 1}"}, id="b")
        top.modules[f"M{level}"] = ModuleDef(f"M{level}", g, [PortRef("input", "t0", "input")],
                                             [PortRef("out", "t0", "out")])
    for i in range(instances):
        top.add_node("Module", {"module": f"M{depth - 1}"}, id=f"m{i}")
    return top


def _chained(instances, inner_nodes):
    """Input -> m0 -> m1 -> ... -> Linear -> MSELoss <- Target: a graph that validates."""
    g = _nested(instances, inner_nodes)
    g.add_node("Input", {"shape": [2]}, id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="lin")
    g.add_node("Target", {"shape": [1]}, id="y")
    g.add_node("MSELoss", id="cost")
    g.connect("x", "out", "m0", "input")
    for i in range(1, instances):
        g.connect(f"m{i - 1}", "out", f"m{i}", "input")
    g.connect(f"m{instances - 1}", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    return g


def test_expanded_size_counts_module_instances_without_expanding():
    from engine.graph.compile import expanded_size, flatten

    g = _nested(3, 4)
    assert expanded_size(g) == 3 + 3 * 4 == len(flatten(g).nodes) + 3 * 1   # flatten drops bound inner Inputs: none here
    nested = _nested(2, 5, depth=3)   # M2 = 1 + 2 * M1, M1 = 1 + 2 * (1 + 5)... counted per definition
    assert expanded_size(nested) == 2 + 2 * (1 + 2 + 2 * (1 + 2 + 2 * 5))


def test_a_graph_that_expands_to_too_many_nodes_is_refused_before_expanding():
    import time

    from engine.graph.compile import MAX_EXPANDED_NODES, ResourceError, check_graph

    g = _chained(400, 100)         # 40,404 nodes once expanded (the fuzzer's file had 9 million)
    start = time.perf_counter()
    problems = check_graph(g)
    with pytest.raises(ResourceError, match=f"more than {MAX_EXPANDED_NODES:,} nodes"):
        compile_graph(g)
    assert time.perf_counter() - start < 10   # expanding it would take about as long again per 10k
    assert any(p.kind == "resources" and "module instances" in p.message for p in problems)
    small = _chained(10, 100)
    assert not any(p.severity == "error" for p in check_graph(small))
    compile_graph(small)


def test_evaluate_feeds_a_node_output_and_runs_only_what_the_wanted_output_needs():
    """Program.evaluate: a fed output replaces what its node computes (the decoder from a
    latent point, a net at chosen inputs); nothing upstream of it runs; an unfed data input
    is named."""
    prog = compile_graph(mlp_graph(), dataset_shapes=XOR_SHAPES)
    x = engine.tensor(np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32))
    pred, _ = prog(x)
    (same,) = prog.evaluate({("x", "out"): x}, [("lin2", "out")])
    np.testing.assert_array_equal(same.data, pred.data)

    h = np.array([[0.3, -0.2, 0.9]], dtype=np.float32)   # a chosen hidden point
    m = prog.node_modules
    calls = []
    m["lin1"].register_forward_hook(lambda *a: calls.append("lin1"))
    (z, act) = prog.evaluate({("act", "out"): h}, [("lin2", "out"), ("act", "out")])
    np.testing.assert_allclose(z.data, h @ m["lin2"].weight.data.T + m["lin2"].bias.data, rtol=1e-6)
    np.testing.assert_array_equal(act.data, h)
    assert calls == []   # the fed node's ancestors never ran

    with pytest.raises(KeyError, match="'x'"):
        prog.evaluate({}, [("lin2", "out")])
