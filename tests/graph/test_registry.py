"""The node-type registry: completeness, self-consistency, and the build/forward contract."""
from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest

import engine
from engine import nn
from engine.graph import blocks, registry
from engine.graph.document import Graph
from engine.graph.registry import CATEGORIES, COST, MODULE, OBSERVED, ShapeError
from engine.graph.validate import errors, validate

TYPES = registry.all_types()
BY_NAME = {t.name: t for t in TYPES}

#: names in the contracts (/tmp/contracts.md and issue 4) beyond engine.nn's classes
CONTRACT_NAMES = ["Input", "Target", "Constant", "Parameter", "Add", "Subtract", "Multiply", "MatMul",
                  "Concat", "Split", "Reshape", "Transpose", "Sum", "Mean", "Softmax", "Einsum",
                  "WeightedSum", "MixtureOfExperts", "AttentionModule", "MultiplicativeModule",
                  "MultiheadAttention", "TransformerBlock", "Module"]


def _engine_module_names():
    names = []
    for mod in (nn.layers, nn.activations, nn.losses):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, nn.Module):
                names.append(name)
    return names


def test_every_engine_layer_activation_and_loss_has_an_entry():
    missing = [n for n in _engine_module_names() if n not in BY_NAME]
    assert not missing, f"engine.nn classes without a node type: {missing}"
    assert len(_engine_module_names()) > 60  # the library really was enumerated


#: engine.nn Module classes deliberately without a node type, and why
NN_NOT_REGISTERED = {
    "Sequential": "a container: the drawn graph itself chains nodes",
    "ModuleList": "a container: a module definition groups nodes",
    "ModuleDict": "a container: a module definition groups nodes",
}

#: engine.ops functions -> the node type that draws them, or why there is none
OPS_AS_NODES = {
    "add": "Add", "sub": "Subtract", "mul": "Multiply", "div": "Divide", "matmul": "MatMul",
    "maximum": "Maximum", "minimum": "Minimum", "exp": "Exp", "log": "Log", "sqrt": "Sqrt",
    "sin": "Sin", "cos": "Cos", "mm": "MatMul",
    "abs": "Abs", "sign": "Sign", "pow": "Pow", "clamp": "Clamp", "relu": "ReLU",
    "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "log_softmax": "LogSoftmax",
    "cat": "Concat", "concat": "Concat", "stack": "Stack", "split": "Split", "chunk": "Split",
    "reshape": "Reshape", "flatten": "Flatten", "transpose": "Transpose", "permute": "Permute",
    "squeeze": "Squeeze", "unsqueeze": "Unsqueeze", "sum": "Sum", "mean": "Mean", "amax": "Max",
    "amin": "Min", "logsumexp": "LogSumExp", "var": "Var", "std": "Std", "einsum": "Einsum",
    "full": "Constant", "ones": "Constant", "zeros": "Constant", "randn": "Parameter",
    "rand": "Parameter",
}
OPS_NOT_REGISTERED = {
    "tensor": "constructor from data (the dataset feeds Input and Target)",
    "as_tensor": "constructor from data", "arange": "constructor", "eye": "constructor",
    "ones_like": "constructor", "zeros_like": "constructor", "randn_like": "constructor",
    "rand_like": "constructor", "linspace": "constructor", "from_numpy": "constructor",
    "randint": "constructor", "randperm": "constructor",
    "argmax": "gives indices, not a differentiable value a wire carries",
    "expand": "elementwise nodes broadcast by themselves",
    "where": "needs a boolean condition tensor; wires carry numbers",
    "gather": "an index op inside Embedding and the losses",
    "scatter_add": "an index op inside Embedding's backward",
    "unfold": "the inside of the convolution and pooling layers",
    "pad": "the convolution and pooling layers pad by their 'padding' setting",
    "rfft": "complex numbers: used inside engine ops, not drawn",
    "irfft": "complex numbers", "real": "complex numbers", "imag": "complex numbers",
}


def _all_engine_module_classes():
    """Every public Module subclass defined anywhere in engine.nn."""
    import importlib
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(nn.__path__):
        mod = importlib.import_module(f"engine.nn.{info.name}")
        for name, obj in vars(mod).items():
            if (inspect.isclass(obj) and issubclass(obj, nn.Module) and not name.startswith("_")
                    and obj.__module__.startswith("engine.nn")):
                found[name] = obj
    return found


def test_every_engine_module_class_is_registered_or_allowlisted():
    classes = _all_engine_module_classes()
    missing = sorted(n for n in classes if n not in BY_NAME and n not in NN_NOT_REGISTERED)
    assert not missing, f"engine.nn Module classes with no node type (register or allowlist): {missing}"
    stale = sorted(n for n in NN_NOT_REGISTERED if n not in classes or n in BY_NAME)
    assert not stale, f"allowlist entries that are no longer true: {stale}"


def test_every_engine_tensor_op_is_drawable_or_allowlisted():
    from engine import ops

    functions = sorted(n for n, f in vars(ops).items() if inspect.isfunction(f) and not n.startswith("_")
                       and f.__module__ == "engine.ops")
    unlisted = [n for n in functions if n not in OPS_AS_NODES and n not in OPS_NOT_REGISTERED]
    assert not unlisted, f"engine.ops functions with no node type (register or allowlist): {unlisted}"
    assert [t for t in OPS_AS_NODES.values() if t not in BY_NAME] == []
    assert not set(OPS_AS_NODES) & set(OPS_NOT_REGISTERED)


#: (type, params, input shapes, forward as NumPy) for the tensor-op nodes
NUMPY_OPS = [
    ("Divide", {}, {"a": (3, 2), "b": (2,)}, lambda a, b: a / b),
    ("Maximum", {}, {"a": (3, 2), "b": (3, 2)}, np.maximum),
    ("Minimum", {}, {"a": (3, 2), "b": (1, 2)}, np.minimum),
    ("Exp", {}, {"input": (3, 2)}, np.exp),
    ("Log", {}, {"input": (3, 2)}, np.log),
    ("Sqrt", {}, {"input": (3, 2)}, np.sqrt),
    ("Abs", {}, {"input": (3, 2)}, np.abs),
    ("Pow", {"exponent": 3.0}, {"input": (3, 2)}, lambda x: x ** 3),
    ("Clamp", {"min": 0.3, "max": 0.6}, {"input": (3, 4)}, lambda x: np.clip(x, 0.3, 0.6)),
    ("Stack", {"dim": 1}, {"inputs": [(3, 2), (3, 2), (3, 2)]}, lambda *xs: np.stack(xs, 1)),
    ("Squeeze", {"dim": 1}, {"input": (3, 1, 2)}, lambda x: x.squeeze(1)),
    ("Unsqueeze", {"dim": 1}, {"input": (3, 2)}, lambda x: x[:, None]),
    ("Permute", {"dims": [0, 2, 1]}, {"input": (3, 2, 4)}, lambda x: x.transpose(0, 2, 1)),
    ("Max", {"dim": 1}, {"input": (3, 4)}, lambda x: x.max(1)),
    ("Min", {"dim": -1, "keepdim": True}, {"input": (3, 4)}, lambda x: x.min(-1, keepdims=True)),
    ("LogSumExp", {"dim": 1}, {"input": (3, 4)}, lambda x: np.log(np.exp(x).sum(1))),
    ("Var", {"dim": 1}, {"input": (3, 4)}, lambda x: x.var(1, ddof=1)),
    ("Std", {"dim": 0, "correction": 0}, {"input": (3, 4)}, lambda x: x.std(0)),
]


@pytest.mark.parametrize("name, params, shapes, reference", NUMPY_OPS, ids=[c[0] for c in NUMPY_OPS])
def test_tensor_op_nodes_compute_numpy_s_result_and_gradients(name, params, shapes, reference):
    from tests.gradcheck import gradcheck

    nt = BY_NAME[name]
    resolved = nt.resolve(params)
    rng = np.random.default_rng(1)

    def make():
        return {port: ([engine.tensor(rng.uniform(0.1, 0.9, s), requires_grad=True) for s in shape]
                       if isinstance(shape, list) else engine.tensor(rng.uniform(0.1, 0.9, shape),
                                                                     requires_grad=True))
                for port, shape in shapes.items()}

    inputs = make()
    module = nt.build(resolved, shapes)
    out = module(**inputs)
    flat = [t for v in inputs.values() for t in (v if isinstance(v, list) else [v])]
    want = reference(*[t.numpy() for t in flat])
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-10)
    # the shape rule promises the shape the forward gives (first dimension = the batch)
    rule_in = {p: ([(None, *x[1:]) for x in v] if isinstance(v, list) else (None, *v[1:]))
               for p, v in shapes.items()}
    promised = nt.shape_rule(resolved, rule_in)["out"]
    assert len(promised) == out.ndim and all(d is None or d == g for d, g in zip(promised, out.shape))
    ports = list(inputs)

    def fn(*leaves):
        it = iter(leaves)
        kw = {p: ([next(it) for _ in inputs[p]] if isinstance(inputs[p], list) else next(it)) for p in ports}
        return module(**kw)

    assert gradcheck(fn, flat)


def test_tensor_op_shape_rules_refuse_with_words():
    with pytest.raises(ShapeError, match="each of the input's 3 dimensions"):
        BY_NAME["Permute"].shape_rule({"dims": [0, 1, 1]}, {"input": (None, 2, 3)})
    with pytest.raises(ShapeError, match="same shape"):
        BY_NAME["Stack"].shape_rule({"dim": 1}, {"inputs": [(None, 2), (None, 3)]})
    with pytest.raises(ShapeError, match="out of range"):
        BY_NAME["Unsqueeze"].shape_rule({"dim": 5}, {"input": (None, 2)})
    assert BY_NAME["Squeeze"].shape_rule({"dim": None}, {"input": (None, 1, 4, 1)}) == {"out": (None, 4)}
    assert BY_NAME["Squeeze"].shape_rule({"dim": 2}, {"input": (None, 1, 4)}) == {"out": (None, 1, 4)}


def test_contract_names_are_registered():
    assert [n for n in CONTRACT_NAMES if n not in BY_NAME] == []


@pytest.mark.parametrize("nt", TYPES, ids=lambda t: t.name)
def test_entry_is_self_consistent(nt):
    assert nt.category in CATEGORIES
    assert nt.help and nt.help.rstrip().endswith(".")
    names = [p.name for p in nt.params]
    assert len(names) == len(set(names))
    for spec in nt.params:
        assert spec.help, f"{nt.name}.{spec.name} has no help"
        assert spec.check(spec.default) is None, f"{nt.name}.{spec.name} default {spec.default!r}"
    assert nt.check_params(nt.defaults()) == []
    ports = [p.name for p in nt.input_ports()]
    assert len(ports) == len(set(ports))
    if nt.category == OBSERVED:
        assert nt.input_ports() == () and [p.name for p in nt.output_ports()] == ["out"]
    if nt.category == COST:
        assert "out" in [p.name for p in nt.output_ports()]
    if nt.name != "Module":
        assert nt.shape_rule is not None and nt.output_ports()


def test_defaults_equal_torch_for_named_engine_classes():
    """The declared default of every param equals the engine class's own default, which the
    engine tests tie to torch's."""
    checked = 0
    for name in _engine_module_names():
        nt = BY_NAME[name]
        if "alias_of" in nt.extra:
            continue
        sig = inspect.signature(getattr(nn, name).__init__)
        for spec in nt.params:
            if spec.name in nt.extra.get("playground_only", ()):
                assert spec.name not in sig.parameters
                continue
            default = sig.parameters[spec.name].default
            if default is inspect.Parameter.empty:
                continue  # torch has no default (in_features ...): the playground picks one
            want = list(default) if isinstance(default, tuple) else default
            got = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            assert got == want, f"{name}.{spec.name}: {got!r} != torch default {want!r}"
            checked += 1
    assert checked > 80


def test_param_check_messages():
    spec = BY_NAME["Linear"].param("out_features")
    assert spec.check(0) == "must be at least 1"
    assert spec.check(2.0) == "must be a whole number"
    assert spec.check(True) == "must be a whole number"
    assert spec.check(None) == "must be given"
    assert BY_NAME["Softmax"].param("dim").check(None) is None
    assert BY_NAME["Dropout"].param("p").check(1.5) == "must be at most 1"
    assert BY_NAME["Dropout"].param("p").check(float("nan")) == "must be a finite number"
    assert BY_NAME["Reshape"].param("shape").check([2, -2]) == "every entry must be at least -1"
    assert BY_NAME["CrossEntropyLoss"].param("weight").check([1, 0.5]) is None
    assert BY_NAME["GELU"].param("approximate").check("x") == "must be one of none, tanh"
    assert BY_NAME["Linear"].check_params({"out_feature": 3}) == [("out_feature", "is not a setting of Linear")]


def test_split_outputs_follow_params():
    nt = BY_NAME["Split"]
    assert [p.name for p in nt.output_ports({"chunks": 3})] == ["out0", "out1", "out2"]
    assert [p.name for p in nt.output_ports({"sections": [1, 1, 2, 4]})] == ["out0", "out1", "out2", "out3"]
    assert nt.shape_rule(nt.resolve({"sections": [1, 3]}), {"input": (None, 4)}) == \
        {"out0": (None, 1), "out1": (None, 3)}
    with pytest.raises(ShapeError, match="add up to 3"):
        nt.shape_rule(nt.resolve({"sections": [1, 2]}), {"input": (None, 4)})


# ----------------------------------------------------------------- build/forward contract
#: example input shapes for types whose inputs the generic search below would not guess
EXAMPLES = {
    "Einsum": {"inputs": [(None, 2), (2, 3)]},
    "MatMul": {"a": (None, 2), "b": (2, 3)},
    "WeightedSum": {"weights": (None, 3), "inputs": [(None, 4)] * 3},
    "AdaptiveLogSoftmaxWithLoss": {"input": (None, 16), "target": (None,)},
    "CrossEntropyLoss": {"input": (None, 3), "target": (None,)},
    "NLLLoss": {"input": (None, 3), "target": (None,)},
    "Embedding": {"input": (None, 5)},
    "MultiheadAttention": {"query": (5, None, 8)},
    "FNOBlock": {"input": (None, 16, 32)},
    "FlowPath": {"x1": (None, 2), "x0": (None, 2), "t": (None, 1)},   # one time per sample
    "DiffusionPath": {"x0": (None, 2), "eps": (None, 2), "t": (None, 1)},
    # the adjacency is (nodes, nodes) and the features have one row per node (batch = nodes)
    "GCNConv": {"input": (None, 2), "adjacency": (None, None)},
    "GATConv": {"input": (None, 2), "adjacency": (None, None)},
}
CANDIDATES = [(None, 2), (None,), (None, 1, 8), (None, 1, 8, 8), (None, 2, 8, 8), (5, None, 8),
              (5, None, 1), (None, 16), (None, 4)]
INT_PORTS = {("CrossEntropyLoss", "target"), ("NLLLoss", "target"), ("Embedding", "input"),
             ("AdaptiveLogSoftmaxWithLoss", "target")}
BATCH = 3


def _example_shapes(nt):
    if nt.name in EXAMPLES:
        return EXAMPLES[nt.name]
    params = nt.defaults()
    required = [p for p in nt.input_ports() if not p.optional]
    for combo in itertools.product(CANDIDATES, repeat=len(required)):
        shapes = {p.name: ([s, s] if p.multi else s) for p, s in zip(required, combo)}
        try:
            nt.shape_rule(params, shapes)
        except ShapeError:
            continue
        return shapes
    raise AssertionError(f"no example input found for {nt.name}")


def _tensor(nt_name, port, shape, rng):
    shape = tuple(BATCH if d is None else d for d in shape)
    if (nt_name, port) in INT_PORTS:
        return engine.tensor(rng.integers(0, 2, size=shape))
    return engine.tensor(rng.uniform(0.1, 0.9, size=shape).astype(np.float32))


RUNNABLE = [t for t in TYPES if t.category != OBSERVED or t.name == "Constant"]


@pytest.mark.parametrize("nt", [t for t in RUNNABLE if t.name != "Module"], ids=lambda t: t.name)
def test_build_and_forward_follow_the_shape_rule(nt):
    """build(params, in_shapes) -> Module; forward(**ports) -> Tensor or {port: Tensor} whose
    shapes are what the shape rule promised (None = the batch)."""
    rng = np.random.default_rng(0)
    params = nt.defaults()
    in_shapes = _example_shapes(nt) if nt.input_ports() else {}
    expected = nt.shape_rule(params, in_shapes)
    module = nt.build(params, in_shapes)
    assert isinstance(module, nn.Module)
    inputs = {port: ([_tensor(nt.name, port, s, rng) for s in shape] if isinstance(shape, list)
                     else _tensor(nt.name, port, shape, rng))
              for port, shape in in_shapes.items()}
    module.eval()
    out = module(**inputs)
    outs = out if isinstance(out, dict) else {"out": out}
    assert set(outs) == set(expected), f"{nt.name} returned ports {set(outs)}, rule says {set(expected)}"
    for port, shape in expected.items():
        got = tuple(outs[port].shape)
        assert len(got) == len(shape) and all(e is None or e == g for e, g in zip(shape, got)), \
            f"{nt.name}.{port}: forward gave {got}, the shape rule said {shape}"
    _check_learnable(nt, module)


def _check_learnable(nt, module):
    has = bool(list(module.parameters()))
    assert not has or nt.learnable, f"{nt.name} has weights but is not marked learnable"
    # InstanceNorm2d is learnable only with affine=True (torch's default is False)
    assert has or not nt.learnable or nt.name == "InstanceNorm2d", f"{nt.name}: learnable but no weights"


def test_learnable_flag_matches_parameters():
    for nt in RUNNABLE:
        if nt.name == "Module":
            continue
        shapes = _example_shapes(nt) if nt.input_ports() else {}
        _check_learnable(nt, nt.build(nt.defaults(), shapes))


def test_weighted_sum_is_the_notes_formula():
    nt = BY_NAME["WeightedSum"]
    m = nt.build(nt.defaults(), {})
    w = engine.tensor([[0.2, 0.8], [1.0, 0.0]])
    a = engine.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = engine.tensor([[10.0, 20.0], [30.0, 40.0]])
    np.testing.assert_allclose(m(weights=w, inputs=[a, b]).numpy(), [[8.2, 16.4], [3.0, 4.0]], rtol=1e-6)


def test_split_and_concat_forward():
    split, concat = BY_NAME["Split"], BY_NAME["Concat"]
    x = engine.tensor(np.arange(12.0).reshape(2, 6))
    parts = split.build(split.resolve({"sections": [1, 5]}), {})(input=x)
    assert parts["out0"].shape == (2, 1) and parts["out1"].shape == (2, 5)
    joined = concat.build(concat.defaults(), {})(inputs=[parts["out1"], parts["out0"]])
    np.testing.assert_array_equal(joined.numpy()[:, -1], x.numpy()[:, 0])


def test_activation_entries_build_the_engine_class_with_params():
    nt = BY_NAME["LeakyReLU"]
    m = nt.build(nt.resolve({"negative_slope": 0.2}), {"input": (None, 2)})
    assert type(m) is nn.LeakyReLU
    np.testing.assert_allclose(m(input=engine.tensor([-1.0, 2.0])).numpy(), [-0.2, 2.0], rtol=1e-6)
    assert BY_NAME["Sigmoid"].extra["saturating"] and BY_NAME["ReLU"].extra["relu_family"]


def test_loss_class_weights_become_a_tensor():
    nt = BY_NAME["CrossEntropyLoss"]
    m = nt.build(nt.resolve({"weight": [1.0, 3.0]}), {})
    x = engine.tensor([[2.0, 0.0], [2.0, 0.0]])
    y = engine.tensor(np.array([0, 1]))
    plain = BY_NAME["CrossEntropyLoss"].build(nt.defaults(), {})
    assert float(m(input=x, target=y).item()) != pytest.approx(float(plain(input=x, target=y).item()))
    assert nt.extra["target_kind"] == "index" and BY_NAME["BCEWithLogitsLoss"].extra["target_kind"] == "float"


# ----------------------------------------------------------------- blocks
@pytest.mark.parametrize("name", sorted(blocks.TEMPLATES))
def test_block_templates_validate(name):
    nt = BY_NAME[name]
    assert nt.category == MODULE and nt.extra["template"] == blocks.template(name)
    g = Graph.from_dict(nt.extra["template"])
    assert errors(validate(g)) == []
    for t in g.nodes.values():
        assert BY_NAME[t.type].category != MODULE or t.type == "MultiheadAttention"


@pytest.mark.parametrize("name,params", [
    ("AttentionModule", {"hidden": 4, "controller_hidden": 3, "num_branches": 2}),
    ("MixtureOfExperts", {"num_experts": 5, "in_features": 3, "out_features": 1}),
    ("MultiplicativeModule", {"bias": False, "in1_features": 3}),
    ("MultiheadAttention", {"embed_dim": 12, "num_heads": 3}),
    ("TransformerBlock", {"norm_first": True, "activation": "gelu", "d_model": 4, "nhead": 1}),
])
def test_block_templates_follow_their_params(name, params):
    g = blocks.template_graph(name, params)
    assert errors(validate(g)) == []


def _run(graph, feeds):
    """Execute a graph node by node through NodeType.build (what compile does)."""
    from engine.graph.validate import infer_shapes
    import networkx as nx

    shapes = infer_shapes(graph)
    dg = nx.DiGraph()
    dg.add_nodes_from(graph.nodes)
    dg.add_edges_from((e.src, e.dst) for e in graph.edges)
    values = {}
    for nid in nx.topological_sort(dg):
        node = graph.nodes[nid]
        if node.type == "Input":
            values[(nid, "out")] = feeds[nid]
            continue
        nt = registry.get(node.type)
        inputs = {}
        for port in nt.input_ports(node.params):
            edges = graph.edges_into(nid, port.name)
            if port.multi:
                inputs[port.name] = [values[(e.src, e.src_port)] for e in edges]
            elif edges:
                inputs[port.name] = values[(edges[0].src, edges[0].src_port)]
        in_shapes = {p: shapes.get((e.src, e.src_port)) for e in graph.edges_into(nid) for p in [e.dst_port]}
        module = nt.build(nt.resolve(node.params), in_shapes)
        module.eval()
        out = module(**inputs)
        for port, t in (out.items() if isinstance(out, dict) else [("out", out)]):
            values[(nid, port)] = t
    return values


def test_multiplicative_template_computes_the_bilinear_formula():
    g = blocks.template_graph("MultiplicativeModule")
    rng = np.random.default_rng(1)
    x, z = (engine.tensor(rng.standard_normal((4, 2)).astype(np.float32)) for _ in range(2))
    values = _run(g, {"x": x, "z": z})
    out = values[("plus_b", "out")].numpy()
    # the same numbers from the weights the Parameter nodes drew
    u = values[("U", "out")].numpy()
    b = values[("b", "out")].numpy()
    np.testing.assert_allclose(out, np.einsum("bj,ijk,bk->bi", x.numpy(), u, z.numpy()) + b, rtol=1e-5)


def test_attention_template_runs_and_weights_sum_to_one():
    g = blocks.template_graph("MultiheadAttention", {"embed_dim": 8, "num_heads": 2})
    x = engine.tensor(np.random.default_rng(2).standard_normal((3, blocks.SEQ_LEN, 8)).astype(np.float32))
    values = _run(g, {"x": x})
    w = values[("weights", "out")].numpy()
    assert w.shape == (3, 2, blocks.SEQ_LEN, blocks.SEQ_LEN)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
    assert values[("out_proj", "out")].shape == (3, blocks.SEQ_LEN, 8)


def test_gated_templates_run():
    for name in ("AttentionModule", "MixtureOfExperts"):
        g = blocks.template_graph(name)
        values = _run(g, {"x": engine.tensor(np.ones((4, 2), dtype=np.float32))})
        assert values[("s", "out")].shape == (4, 2)
        np.testing.assert_allclose(values[("w", "out")].numpy().sum(-1), 1.0, rtol=1e-5)


def test_docs_are_generated_from_the_registry():
    from engine.graph import docs

    text = docs.nodes_markdown()
    for nt in TYPES:
        assert f"### {nt.name}\n" in text
    assert docs.DOCS_PATH.read_text(encoding="utf-8") == text, "run: python -m engine.graph.docs"


def test_lstm_forget_bias_starts_the_forget_gates_there():
    import math

    nt = BY_NAME["LSTM"]
    params = {spec.name: spec.default for spec in nt.params}
    params.update(input_size=2, hidden_size=3, batch_first=True, forget_bias=math.log(30))
    built = nt.build(params, {"input": (None, 5, 2)})
    named = dict(built.named_parameters())
    b_hh = next(v for k, v in named.items() if k.endswith("bias_hh_l0")).data
    b_ih = next(v for k, v in named.items() if k.endswith("bias_ih_l0")).data
    assert np.allclose(b_hh[3:6], math.log(30)) and np.allclose(b_ih[3:6], 0.0)
    assert not np.allclose(b_hh[:3], math.log(30))  # the other gates keep torch's init


def test_the_probes_and_the_registry_agree_on_which_activations_saturate_or_die():
    """The probes read the module's class flags, the diagnostics the node type's extras: one
    answer for every activation (LeakyReLU was once reported dead while the registry said
    it cannot die)."""
    import engine.nn as nn
    from engine.graph.registry import all_types

    checked = 0
    for t in all_types():
        if "relu_family" not in (t.extra or {}):
            continue
        cls = getattr(nn, t.name)
        assert bool(getattr(cls, "relu_family", False)) == t.extra["relu_family"], t.name
        assert bool(getattr(cls, "saturating", False)) == t.extra["saturating"], t.name
        checked += 1
    assert checked > 20
