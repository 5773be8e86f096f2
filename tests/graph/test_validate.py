"""Validation: each mistake gives the right typed Problem, naming the node and port."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from engine.graph import registry
from engine.graph.document import Graph, ModuleDef, PortRef
from engine.graph.validate import (ERROR, WARNING, Problem, describe, errors, infer_shapes,
                                   presented_shapes, target_kind, validate)
from tests.fuzzing import examples

XY = {"x": (None, 2), "y": (None, 1)}


def mlp(hidden_in=2):
    """x -> Linear 'hidden1' -> ReLU 'r1' -> Linear -> MSELoss <- y"""
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Target", id="y")
    g.add_node("Linear", {"in_features": hidden_in, "out_features": 3}, id="h1", label="hidden1")
    g.add_node("ReLU", id="r1")
    g.add_node("Linear", {"in_features": 3, "out_features": 1}, id="o")
    g.add_node("MSELoss", id="loss")
    g.connect("x", "out", "h1", "input")
    g.connect("h1", "out", "r1", "input")
    g.connect("r1", "out", "o", "input")
    g.connect("o", "out", "loss", "input")
    g.connect("y", "out", "loss", "target")
    return g


def only(problems, kind):
    found = [p for p in problems if p.kind == kind]
    assert len(found) == 1, problems
    return found[0]


def test_a_correct_graph_has_no_problems_and_all_shapes():
    g = mlp()
    assert validate(g, XY) == []
    shapes = infer_shapes(g, XY)
    assert shapes[("h1", "out")] == (None, 3)
    assert shapes[("o", "out")] == (None, 1)
    assert shapes[("loss", "out")] == ()


def test_shape_mismatch_names_node_port_and_source():
    g = mlp()
    g.add_node("Linear", {"in_features": 4, "out_features": 1}, id="h2", label="hidden2")
    g.remove_edge(g.edges_into("o")[0])
    g.connect("r1", "out", "h2", "input")
    g.connect("h2", "out", "o", "input")
    p = only(validate(g, XY), "shape")
    assert p == Problem("shape", "Linear 'hidden2' input 'input': expects 4 features but receives 3 "
                        "(from ReLU 'r1').", "h2", "input", ERROR)


def test_shape_mismatch_from_the_dataset():
    p = only(validate(mlp(hidden_in=5), XY), "shape")
    assert (p.node, p.port) == ("h1", "input")
    assert "expects 5 features but receives 2" in p.message and "Input 'x'" in p.message


def test_input_shape_from_its_own_param_without_dataset():
    g = mlp()
    g.set_param("x", "shape", [2])
    g.set_param("y", "shape", [1])
    assert validate(g) == []
    assert infer_shapes(g)[("o", "out")] == (None, 1)
    g.set_param("x", "shape", [3])
    p = only(validate(g, XY), "shape")
    assert p.node == "x" and "dataset" in p.message


def test_loss_shapes_must_agree():
    p = only(validate(mlp(), {"x": (None, 2), "y": (None,)}), "shape")
    assert (p.node, p.port) == ("loss", "target")
    assert "MSELoss 'loss' input 'target'" in p.message and "(from Target 'y')" in p.message
    assert "(batch, 1)" in p.message and "(batch,)" in p.message


def _classifier(loss, outputs, target_kind="auto"):
    g = mlp()
    g.set_param("o", "out_features", outputs)
    g.nodes["loss"].type = loss
    g.set_param("y", "kind", target_kind)
    return g


# A classification dataset's raw shapes: class indices (N,), with its class count. The
# Target's shape is what the loss will receive (index, 0/1 column or one-hot rows).
@pytest.mark.parametrize("loss, outputs, kind", [
    ("CrossEntropyLoss", 2, "index"), ("NLLLoss", 3, "index"), ("MSELoss", 1, "float"),
    ("BCEWithLogitsLoss", 1, "float"), ("BCELoss", 1, "float"), ("MSELoss", 2, "onehot"),
    ("BCEWithLogitsLoss", 2, "onehot"), ("SoftMarginLoss", 1, "signed"),
    ("HingeEmbeddingLoss", 1, "signed"), ("L1Loss", 1, "float"), ("HuberLoss", 1, "float"),
])
def test_raw_classification_shapes_fit_every_loss(loss, outputs, kind):
    raw = {"x": (None, 2), "y": (None,), "task": "classification", "n_classes": 2}
    if kind == "index":
        raw["n_classes"] = outputs
    g = _classifier(loss, outputs)
    assert errors(validate(g, raw)) == []
    assert target_kind(g, raw) == kind
    want = {"index": (None,), "float": (None, 1), "signed": (None, 1), "onehot": (None, outputs)}[kind]
    assert infer_shapes(g, raw)[("y", "out")] == want
    assert presented_shapes(g, raw) == ({**raw, "y": want}, kind)


def test_raw_regression_shapes_are_taken_as_they_are():
    raw = {"x": (None, 2), "y": (None, 1), "task": "regression"}
    assert errors(validate(mlp(), raw)) == []
    g = mlp()
    g.set_param("o", "out_features", 3)
    p = only(validate(g, raw), "shape")
    assert (p.node, p.port) == ("loss", "target")
    assert "input is (batch, 3), target is (batch, 1)" in p.message


def test_too_few_outputs_for_the_dataset_classes_names_the_loss_input():
    ten = {"x": (None, 2), "y": (None,), "task": "classification", "n_classes": 10}
    p = only(validate(_classifier("BCEWithLogitsLoss", 1), ten), "shape")
    assert (p.node, p.port) == ("loss", "input")
    assert "10 classes" in p.message and "Target 'y'" in p.message and "0/1" in p.message
    p = only(validate(_classifier("CrossEntropyLoss", 3), ten), "shape")
    assert (p.node, p.port) == ("loss", "input") and "holds 3 class scores" in p.message
    # one-hot rows are as wide as the class count, not as the prediction
    p = only(validate(_classifier("MSELoss", 3), ten), "shape")
    assert (p.node, p.port) == ("loss", "target") and "target is (batch, 10)" in p.message
    assert errors(validate(_classifier("MSELoss", 10), ten)) == []
    assert errors(validate(_classifier("CrossEntropyLoss", 10), ten)) == []


def test_compile_and_validate_share_the_losses_registry_kinds():
    import engine.graph.compile as compile_module
    from engine.graph import registry

    assert not hasattr(compile_module, "LOSS_TARGET_KINDS")
    for nt in registry.all_types():
        if nt.category != registry.COST or nt.extra.get("target_kind") is None or "target" not in \
                {p.name for p in nt.inputs} or "input" not in {p.name for p in nt.inputs}:
            continue
        g = _classifier(nt.name, 1)
        shapes = {"x": (None, 2), "y": (None,), "task": "classification", "n_classes": 2}
        assert target_kind(g, shapes) == nt.extra["target_kind"], nt.name
        if nt.name != "AdaptiveLogSoftmaxWithLoss":
            prog = compile_module.compile_graph(g, dataset_shapes=shapes, validate=False)
            assert prog.target_kind == nt.extra["target_kind"], nt.name


def test_missing_required_input():
    g = mlp()
    g.remove_edge(g.edges_into("loss", "target")[0])
    p = only(validate(g, XY), "missing_input")
    assert (p.node, p.port) == ("loss", "target")
    assert p.message.startswith("MSELoss 'loss' input 'target' is not connected")


def test_optional_input_may_stay_unconnected():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("LSTM", {"input_size": 2, "batch_first": True}, id="lstm")
    g.connect("x", "out", "lstm", "input")
    assert errors(validate(g, {"x": (None, 7, 2)})) == []
    assert infer_shapes(g, {"x": (None, 7, 2)})[("lstm", "h_n")] == (1, None, 16)


def test_two_edges_into_a_single_input_port():
    g = mlp()
    g.connect("x", "out", "r1", "input")
    p = only(validate(g, XY), "too_many_inputs")
    assert (p.node, p.port) == ("r1", "input") and "ReLU 'r1'" in p.message and "2" in p.message


def test_multi_port_takes_several_edges():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Tanh", id="t")
    g.add_node("Concat", id="cat")
    g.add_node("Linear", {"in_features": 4}, id="lin")
    g.connect("x", "out", "t", "input")
    g.connect("x", "out", "cat", "inputs")
    g.connect("t", "out", "cat", "inputs")
    g.connect("cat", "out", "lin", "input")
    assert errors(validate(g, XY)) == []
    assert infer_shapes(g, XY)[("cat", "out")] == (None, 4)


def test_unknown_ports():
    g = mlp()
    g.connect("h1", "output", "o", "inptu")
    problems = [p for p in validate(g, XY) if p.kind == "unknown_port"]
    assert {(p.node, p.port) for p in problems} == {("h1", "output"), ("o", "inptu")}
    assert any("has no input 'inptu' (its inputs: input)" in p.message for p in problems)


def test_split_ports_follow_chunks():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Split", {"chunks": 2}, id="s")
    g.add_node("ReLU", id="r")
    g.connect("x", "out", "s", "input")
    g.connect("s", "out2", "r", "input")
    p = only(validate(g, {"x": (None, 4)}), "unknown_port")
    assert (p.node, p.port) == ("s", "out2")
    g.set_param("s", "chunks", 3)
    assert only(validate(g, {"x": (None, 4)}), "shape").node == "s"  # 4 does not split in 3
    assert errors(validate(g, {"x": (None, 6)})) == []


def test_cycle_names_the_nodes():
    g = mlp()
    g.add_node("Add", id="add", label="loop")
    g.remove_edge(g.edges_into("h1")[0])
    g.connect("r1", "out", "add", "inputs")
    g.connect("x", "out", "add", "inputs")
    g.connect("add", "out", "h1", "input")
    p = only(validate(g, XY), "cycle")
    for name in ("Linear 'hidden1'", "ReLU 'r1'", "Add 'loop'"):
        assert name in p.message


def test_self_loop_is_a_cycle():
    g = Graph()
    g.add_node("Add", id="a")
    g.connect("a", "out", "a", "inputs")
    assert only(validate(g), "cycle").node == "a"


def test_parameter_out_of_range_and_unknown_setting():
    g = mlp()
    g.set_param("o", "out_features", 0)
    g.set_param("r1", "slope", 1)
    problems = [p for p in validate(g, XY) if p.kind == "bad_param"]
    assert {p.node for p in problems} == {"o", "r1"}
    messages = " ".join(p.message for p in problems)
    assert "Linear 'o' setting 'out_features' must be at least 1 (it is 0)." in messages
    assert "'slope' is not a setting of ReLU" in messages


def test_unknown_type_is_a_placeholder_problem():
    g = mlp()
    g.add_node("FancyLayer", {"x": 1}, id="f")
    g.connect("r1", "out", "f", "whatever")
    p = only(validate(g, XY), "unknown_type")
    assert p.node == "f" and "FancyLayer" in p.message and "placeholder" in p.message
    assert [q for q in validate(g, XY) if q.kind == "unknown_port"] == []


def test_edge_to_a_missing_node():
    g = Graph.from_dict({"nodes": [{"id": "a", "type": "ReLU"}],
                         "edges": [{"src": "ghost", "src_port": "out", "dst": "a", "dst_port": "input"}]})
    p = only(validate(g), "unknown_node")
    assert p.node == "ghost"


def test_no_cost_is_a_warning():
    g = mlp()
    g.remove_node("loss")
    p = only(validate(g, XY), "no_cost")
    assert p.severity == WARNING and errors(validate(g, XY)) == []


def test_weight_sharing_ties():
    g = Graph()
    g.add_node("Input", id="x")
    for nid in ("a", "b"):
        g.add_node("Linear", {"in_features": 2, "out_features": 2}, id=nid, tie="shared")
        g.connect("x", "out", nid, "input")
    g.add_node("Add", id="sum")
    g.connect("a", "out", "sum", "inputs")
    g.connect("b", "out", "sum", "inputs")
    assert errors(validate(g, XY)) == []
    g.set_param("b", "out_features", 3)
    problems = validate(g, XY)
    p = only(problems, "tie")
    assert p.node == "b" and "'out_features'" in p.message and "3 vs 2" in p.message
    g.set_param("b", "out_features", 2)
    g.nodes["b"].type = "Bilinear"
    assert "mixes node types" in only(validate(g, XY), "tie").message
    g.nodes["b"].type = "Linear"
    g.add_node("ReLU", id="r1", tie="nothing")
    g.add_node("ReLU", id="r2", tie="nothing")
    g.connect("sum", "out", "r1", "input")
    g.connect("r1", "out", "r2", "input")
    p = only(validate(g, XY), "tie")
    assert p.severity == WARNING and "no weights to share" in p.message


def _module_graph(inner_features=2):
    inner = Graph()
    inner.add_node("Linear", {"in_features": inner_features, "out_features": 3}, id="lin")
    inner.add_node("Tanh", id="t")
    inner.connect("lin", "out", "t", "input")
    g = mlp()
    g.set_module("block", ModuleDef("block", inner, [PortRef("x", "lin", "input")], [PortRef("y", "t", "out")]))
    g.remove_edge(g.edges_into("h1")[0])
    g.remove_node("h1")
    for nid in ("m1", "m2"):
        g.add_node("Module", {"module": "block"}, id=nid, tie="shared")
    g.connect("x", "out", "m1", "x")
    g.connect("m1", "y", "r1", "input")
    g.connect("x", "out", "m2", "x")
    return g


def test_module_instances_carry_shapes_through_their_inside():
    g = _module_graph()
    assert errors(validate(g, XY)) == []
    assert infer_shapes(g, XY)[("m1", "y")] == (None, 3)
    g.modules["block"].graph.nodes["lin"].params["in_features"] = 5
    p = [q for q in validate(g, XY) if q.kind == "shape"][0]
    assert "Inside module 'block'" in p.message and "expects 5 features but receives 2" in p.message


def test_unknown_module_and_unknown_module_port():
    g = _module_graph()
    g.set_param("m2", "module", "nope")
    assert only(validate(g, XY), "module").node == "m2"
    g = _module_graph()
    g.connect("m2", "z", "r1", "input")
    assert only(validate(g, XY), "unknown_port").port == "z"
    g = _module_graph()
    g.modules["block"].outputs.append(PortRef("h", "t", "hidden"))
    p = only(validate(g, XY), "module")
    assert "Inside module 'block'" in p.message and "'hidden'" in p.message and p.port == "hidden"


def test_attention_module_from_primitives():
    """The notes' §3.1 attention module drawn by hand: w = softmax(controller(x)), s = sum_j w_j x_j."""
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Target", id="y")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="ctrl", label="controller")
    g.add_node("Softmax", {"dim": -1}, id="w")
    g.add_node("WeightedSum", id="s")
    g.connect("x", "out", "ctrl", "input")
    g.connect("ctrl", "out", "w", "input")
    g.connect("w", "out", "s", "weights")
    for j in range(3):
        g.add_node("Linear", {"in_features": 2, "out_features": 1}, id=f"b{j}")
        g.connect("x", "out", f"b{j}", "input")
        g.connect(f"b{j}", "out", "s", "inputs")
    g.add_node("MSELoss", id="loss")
    g.connect("s", "out", "loss", "input")
    g.connect("y", "out", "loss", "target")
    assert validate(g, XY) == []
    g.remove_edge(g.edges_into("s", "inputs")[0])  # 2 branches but 3 weights
    p = only(validate(g, XY), "shape")
    assert p.node == "s" and "one weight per input" in p.message


def test_problem_lists_errors_before_warnings_and_str_is_the_message():
    g = mlp()
    g.remove_node("loss")
    g.set_param("o", "out_features", -1)
    problems = validate(g, XY)
    assert [p.severity for p in problems] == [ERROR, WARNING]
    assert str(problems[0]) == problems[0].message


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=6), st.data())
def test_chain_of_linears_mismatch_is_found_at_the_first_wrong_layer(widths, data):
    """A chain of Linear layers with declared in_features: a shape problem is reported
    exactly at the first layer whose in_features differs from what flows into it."""
    g = Graph()
    g.add_node("Input", id="x")
    prev, flowing, first_bad = "x", widths[0], None
    for i, out in enumerate(widths[1:]):
        declared = data.draw(st.sampled_from([flowing, flowing + 1]))
        g.add_node("Linear", {"in_features": declared, "out_features": out}, id=f"l{i}")
        g.connect(prev, "out", f"l{i}", "input")
        if declared != flowing and first_bad is None:
            first_bad = f"l{i}"
        if first_bad is not None:
            break
        prev, flowing = f"l{i}", out
    shape_problems = [p for p in validate(g, {"x": (None, widths[0])}) if p.kind == "shape"]
    if first_bad is None:
        assert shape_problems == []
    else:
        assert [(p.node, p.port) for p in shape_problems] == [(first_bad, "input")]


def test_target_kind_follows_the_loss():
    from engine.graph.validate import target_kind

    g = mlp()
    assert target_kind(g, XY) == "float"          # MSELoss on one output: 0/1 floats
    g.set_param("o", "out_features", 3)
    assert target_kind(g, XY) == "onehot"         # MSELoss on three outputs
    g.nodes["loss"].type = "CrossEntropyLoss"
    assert target_kind(g, XY) == "index"
    g.set_param("y", "kind", "signed")
    assert target_kind(g, XY) == "signed"         # an explicit choice wins
    g.remove_node("y")
    assert target_kind(g) is None


def test_labels_with_line_breaks_stay_on_one_line():
    g = mlp()
    g.set_label("o", "out\nput")
    g.set_param("o", "out_features", 0)
    (p,) = [q for q in validate(g, XY) if q.kind == "bad_param"]
    assert "\n" not in p.message and "Linear 'out put'" in p.message


def test_nested_and_recursive_modules():
    g = _module_graph()
    outer = Graph()
    outer.add_node("Module", {"module": "block"}, id="innerblock")
    outer.add_node("Sigmoid", id="s")
    outer.connect("innerblock", "y", "s", "input")
    g.set_module("outer", ModuleDef("outer", outer, [PortRef("x", "innerblock", "x")], [PortRef("y", "s", "out")]))
    g.set_param("m2", "module", "outer")
    g.nodes["m2"].tie = None
    assert errors(validate(g, XY)) == []
    assert infer_shapes(g, XY)[("m2", "y")] == (None, 3)
    # a module containing itself is refused, not an endless recursion
    g.modules["block"].graph.add_node("Module", {"module": "outer"}, id="again")
    g.modules["block"].graph.connect("t", "out", "again", "x")
    assert any("contains an instance of itself" in p.message for p in validate(g, XY))


def test_module_input_drawn_as_an_inner_input_node():
    """The weight-sharing example's form: the module's input is an Input node inside it."""
    inner = Graph()
    inner.add_node("Input", {"shape": [1]}, id="u")
    inner.add_node("Linear", {"in_features": 1, "out_features": 4}, id="lin")
    inner.connect("u", "out", "lin", "input")
    g = Graph()
    g.set_module("G", ModuleDef("G", inner, [PortRef("input", "u", "out")], [PortRef("out", "lin", "out")]))
    g.add_node("Input", id="x")
    g.add_node("Split", id="split")
    g.connect("x", "out", "split", "input")
    for i in (0, 1):
        g.add_node("Module", {"module": "G"}, id=f"g{i}", tie="G")
        g.connect("split", f"out{i}", f"g{i}", "input")
    g.add_node("Multiply", id="prod")
    g.connect("g0", "out", "prod", "a")
    g.connect("g1", "out", "prod", "b")
    assert errors(validate(g, XY)) == []
    assert infer_shapes(g, XY)[("prod", "out")] == (None, 4)
    problems = [p for p in validate(g, {"x": (None, 4)}) if p.kind == "shape"]  # halves of 2, not 1
    assert {p.node for p in problems} == {"g0", "g1"}
    assert "Input 'u': its 'shape' setting says (batch, 1) but it receives (batch, 2)" in problems[0].message
    assert any("expects 1 feature but receives 2" in p.message for p in problems)


def test_target_reaching_the_loss_through_other_nodes_goes_by_the_prediction_width():
    g = mlp()
    g.set_param("o", "out_features", 3)
    g.remove_edge(g.edges_into("loss", "target")[0])
    g.add_node("Multiply", id="scale")          # y * 1 -> loss: the loss does not see the Target directly
    g.add_node("Constant", {"value": 1.0}, id="one")
    g.connect("y", "out", "scale", "a")
    g.connect("one", "out", "scale", "b")
    g.connect("scale", "out", "loss", "target")
    raw = {"x": (None, 2), "y": (None,), "task": "classification", "n_classes": 3}
    assert target_kind(g, raw) == "onehot"
    assert errors(validate(g, raw)) == []
    assert infer_shapes(g, raw)[("y", "out")] == (None, 3)


# ----------------------------------------------------------------- check and train agree
# One place validates every node parameter and training setting, from their declarations
# (the registry's ParamSpecs, engine.graph.schema.SETTINGS, the optimizers' signatures);
# `check` reports it and compile_graph (so Session.from_graph, the CLI and the app) refuses
# it. Hostile values: what a mutated file or a careless edit puts there.
HOSTILE = [0, -1, 10**6, 10**400, 1e300, -1e300, 2.5, "x", "", True, None, [1], [], {"a": 1}]


def _runnable():
    """The mlp above as a lesson: a dataset and training settings."""
    g = mlp()
    g.settings.update({"dataset": {"name": "reg-plane", "n_samples": 40}, "batch_size": 8,
                       "optimizer": {"name": "SGD", "lr": 0.1, "momentum": 0.9}, "probe_every": 1})
    return g


def _settings_targets():
    from engine.optim import OPTIMIZERS, lr_scheduler  # noqa: PLC0415
    import inspect  # noqa: PLC0415

    targets = [("settings", key) for key in ("batch_size", "clip_grad_norm", "probe_every", "eval_every",
                                            "seed", "trainer", "init", "steps", "device")]
    for name in ("SGD", "Adam", "RMSprop", "Rprop"):
        targets += [("optimizer", name, p) for p in inspect.signature(OPTIMIZERS[name]).parameters
                    if p != "params"] + [("optimizer", name, "name")]
    for name in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"):
        targets += [("schedule", name, p) for p in inspect.signature(lr_scheduler.SCHEDULERS[name]).parameters
                    if p != "optimizer"]
    return targets


NODE_TARGETS = [("node", nid, spec.name) for nid, t in (("h1", "Linear"), ("loss", "MSELoss"), ("x", "Input"),
                                                        ("y", "Target"))
                for spec in registry.get(t).params]
TARGETS = NODE_TARGETS + _settings_targets()


#: the arguments each schedule needs, so that one of them at a time can be made hostile
SCHEDULE_ARGS = {"StepLR": {"step_size": 2}, "MultiStepLR": {"milestones": [2]},
                 "ExponentialLR": {"gamma": 0.5}, "CosineAnnealingLR": {"T_max": 4}}


def _mutated(target, value, g=None):
    g = _runnable() if g is None else g
    if target[0] == "node":
        g.nodes[target[1]].params[target[2]] = value
    elif target[0] == "settings":
        g.settings[target[1]] = value
    else:
        kind, name, key = target
        base = {"name": name, **SCHEDULE_ARGS.get(name, {})}
        if kind == "schedule":
            g.settings["optimizer"] = {"name": "SGD", "lr": 0.1}
        g.settings[kind] = {**base, key: value}
    return g


def kind_of(target):
    """The settings section a target lives in (its JSON path's first part)."""
    return target[0] if target[0] != "settings" else target[1]


def _trains(g):
    """None when two training steps run, else the exception."""
    from engine.train.session import Session  # noqa: PLC0415

    try:
        s = Session.from_graph(g)
        s.step()
        s.step()
    except Exception as exc:  # noqa: BLE001 - what kind is the test's question
        return exc
    return None


def _agree(g, target, value):
    """`check` reports an error iff two training steps fail, with the same sentence, and
    training fails only with a UserError (a one-line message, never a traceback).
    Returns (check's errors, training's exception or None)."""
    from engine.errors import UserError  # noqa: PLC0415
    from engine.graph.compile import check_graph  # noqa: PLC0415

    found = errors(check_graph(g))     # never raises
    failure = _trains(g)
    assert failure is None or isinstance(failure, UserError), \
        f"{target}={value!r}: training failed with {type(failure).__name__}: {failure}"
    assert bool(found) == (failure is not None), \
        f"{target}={value!r}: check says {[p.message for p in found]}, training says {failure!r}"
    return found, failure


@pytest.mark.fuzz
@settings(max_examples=examples(120, 5000), deadline=None)
@given(st.sampled_from(TARGETS), st.sampled_from(HOSTILE))
def test_check_reports_an_error_iff_training_fails(target, value):
    g = _mutated(target, value)
    found, failure = _agree(g, target, value)
    if found:   # the same sentence, naming the node or the setting's JSON path
        p = found[0]
        assert p.message.rstrip(".") in str(failure)
        if target[0] == "node":   # the node, or the one its output no longer fits
            assert p.node in g.nodes and describe(g.nodes[p.node]) in p.message, p.message
        else:
            assert target[-1] in p.message or kind_of(target) in p.message, p.message


def test_hostile_cases_cover_every_declaration_kind():
    """The fuzzer above reaches every kind of declared value (int, float, bool, choice, ints)
    and every settings section, so a new kind is not left out."""
    kinds = {registry.get(t).param(p).kind for _, nid, p in NODE_TARGETS
             for t in [{"h1": "Linear", "loss": "MSELoss", "x": "Input", "y": "Target"}[nid]]}
    assert {"int", "bool", "choice", "ints"} <= kinds
    assert {t[0] for t in TARGETS} == {"node", "settings", "optimizer", "schedule"}


def test_a_loss_with_reduction_none_is_refused_by_check_and_training_alike():
    from engine.graph.compile import CompileError, check_graph  # noqa: PLC0415
    from engine.train.session import Session  # noqa: PLC0415

    g = _runnable()
    g.set_param("loss", "reduction", "none")
    p = only(check_graph(g), "shape")
    assert p.node == "loss" and "MSELoss 'loss'" in p.message and "'reduction' to mean or sum" in p.message
    with pytest.raises(CompileError, match="a cost must be one number"):
        Session.from_graph(g)


@pytest.mark.parametrize("settings_, path", [
    ({"batch_size": 0}, "graph.settings.batch_size"),
    ({"batch_size": 10**19}, "graph.settings.batch_size"),
    ({"clip_grad_norm": 10**400}, "graph.settings.clip_grad_norm"),
    ({"optimizer": {"name": "SGD", "lr": -1}}, "graph.settings.optimizer.lr"),
    ({"optimizer": {"name": "SGD", "lr": 0.1, "momentum": -1}}, "graph.settings.optimizer"),
    ({"optimizer": {"name": "SGD", "lr": 0.1, "momentum": "x"}}, "graph.settings.optimizer.momentum"),
    ({"optimizer": {"name": "Adam", "betas": [0.9]}}, "graph.settings.optimizer.betas"),
    ({"optimizer": {"name": "Nope"}}, "graph.settings.optimizer.name"),
    ({"schedule": {"name": "StepLR", "step_size": "x"}}, "graph.settings.schedule.step_size"),
    ({"seed": "x"}, "graph.settings.seed"),
])
def test_bad_settings_name_their_json_path(settings_, path):
    g = _runnable()
    g.settings.update(settings_)
    p = only(validate(g), "settings")
    assert p.message.startswith(f"Setting {path} ") and "\n" not in p.message


def _example_targets():
    from engine.graph import fileformat  # noqa: PLC0415

    for name in ("digits_cnn", "lstm_delay_copy", "attention_module", "weight_sharing"):
        g = fileformat.load(EXAMPLES / f"{name}.nnpg")
        for nid, node in g.nodes.items():
            nt = registry.get(node.type)
            for spec in nt.params if nt is not None else ():
                yield name, nid, spec.name, spec.choices


EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "lessons"
EXAMPLE_TARGETS = list(_example_targets())


@pytest.mark.fuzz
@settings(max_examples=examples(40, 3000), deadline=None)
@given(st.sampled_from(EXAMPLE_TARGETS), st.data())
def test_check_and_training_agree_on_the_examples(target, data):
    """Every parameter of the example lessons' nodes, hostile or merely unusual (each
    declared choice): what only running finds (a Transpose or Flatten that moves the batch,
    class weights of the wrong length) is found by `check`'s first batch too."""
    from engine.graph import fileformat  # noqa: PLC0415

    name, nid, param, choices = target
    value = data.draw(st.sampled_from(HOSTILE + list(choices)))
    g = fileformat.load(EXAMPLES / f"{name}.nnpg")
    g.settings["probe_every"] = 1
    g.nodes[nid].params[param] = value
    _agree(g, target, value)


def test_a_parameter_out_of_range_never_sizes_anything():
    """Split's outputs follow its 'chunks': 10**400 of them took all the memory before the
    range check was read. Out-of-range values are reported and the ports follow the defaults."""
    g = mlp()
    g.add_node("Split", {"chunks": 10**400}, id="split")
    g.connect("h1", "out", "split", "input")
    p = only(validate(g, XY), "bad_param")
    assert p.node == "split" and "'chunks' is far too large" in p.message


# The settings are one declaration whatever the trainer: the perceptron trainer steps its
# rule with the optimizer setting's lr and the schedule drives that lr, so `check` tried
# neither and training then refused a schedule argument `check` had passed.
SETTINGS_TARGETS = [t for t in TARGETS if t[0] != "node"]


def _perceptron_lesson():
    from engine.graph import fileformat  # noqa: PLC0415

    g = fileformat.load(EXAMPLES / "perceptron_and.nnpg")
    g.settings["probe_every"] = 1
    return g


@pytest.mark.parametrize("trainer", ["gradient", "perceptron"])
def test_a_schedule_argument_it_does_not_take_is_refused_whatever_the_trainer(trainer):
    g = _perceptron_lesson()
    g.settings.update(trainer=trainer, schedule={"name": "StepLR", "step_size": 1, "centered": True})
    found, _ = _agree(g, ("schedule", "StepLR", "centered"), True)
    message = found[0].message
    assert message.startswith("Setting graph.settings.schedule ") and "'centered'" in message


@pytest.mark.fuzz
@settings(max_examples=examples(60, 3000), deadline=None)
@given(st.sampled_from(SETTINGS_TARGETS), st.sampled_from(HOSTILE))
def test_check_reports_an_error_iff_the_perceptron_trainer_fails(target, value):
    g = _mutated(target, value, _perceptron_lesson())
    found, failure = _agree(g, target, value)
    if found:
        assert found[0].message.rstrip(".") in str(failure)
