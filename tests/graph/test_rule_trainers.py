"""Learning rules instead of gradients (trainers "perceptron" and "hebb"), the weight
initialisations a lesson may choose ("zeros", "normal" with its std) and the lesson metrics of
chapters 1-8 (lstsq_error, rows_equal)."""
from pathlib import Path

import numpy as np
import pytest

from engine.graph import Graph, fileformat
from engine.graph.compile import CompileError, apply_init, check_graph
from engine.graph.validate import errors, settings_problems
from engine.lessons.goals import measure
from engine.nn import Linear
from engine.optim import Perceptron
from engine.train import Session

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
BIPOLAR = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float32)
AND_SIGNED = np.array([-1, -1, -1, 1], dtype=np.float32)


def _unit(weight=(0.0, 0.0), bias=0.0):
    layer = Linear(2, 1)
    layer.weight.data[...] = np.array([weight], dtype=np.float32)
    layer.bias.data[...] = bias
    return layer


# ----------------------------------------------------------------- the rules themselves
def test_one_pass_of_hebb_s_rule_over_bipolar_and_gives_the_textbook_weights():
    """w <- w + lr y x, b <- b + lr y on the four rows: w = (2, 2), b = -2, whatever the
    order, and that line separates AND."""
    layer = _unit()
    rule = Perceptron(layer, lr=1.0, rule="hebb")
    rule.step(BIPOLAR[::-1], AND_SIGNED[::-1])
    np.testing.assert_array_equal(layer.weight.data, [[2.0, 2.0]])
    np.testing.assert_array_equal(layer.bias.data, [-2.0])
    assert rule.step(BIPOLAR, AND_SIGNED) == 0   # no mistake left, yet the weights grow again
    np.testing.assert_array_equal(layer.weight.data, [[4.0, 4.0]])


def test_hebb_s_rule_learns_nothing_from_a_zero_input_or_target():
    """With 0/1 values the only update of w comes from rows where input and target are both
    non-zero: on AND with 0/1 targets, the (1, 1) row alone, and the line misses AND."""
    layer = _unit()
    rule = Perceptron(layer, lr=1.0, rule="hebb")
    binary = (BIPOLAR + 1) / 2
    for _ in range(10):
        rule.step(binary, (AND_SIGNED + 1) / 2)
    assert (rule.predict(binary)[:, 0] != (AND_SIGNED + 1) / 2).sum() >= 1


def test_the_perceptron_rule_reads_signed_targets_as_classes():
    """-1/+1 targets (a Target of kind "signed") are class 0 and class 1: the rule converges,
    where (y - y_hat) with y = -1 used to update on every correct class-0 row."""
    layer = _unit((0.3, -0.2), 0.1)
    rule = Perceptron(layer, lr=1.0)
    assert rule.fit(BIPOLAR, AND_SIGNED, max_epochs=50) is not None
    np.testing.assert_array_equal(rule.predict(BIPOLAR)[:, 0], AND_SIGNED > 0)
    learned = layer.weight.data.copy(), layer.bias.data.copy()
    assert rule.step(BIPOLAR, AND_SIGNED) == 0      # no mistake, so no update
    np.testing.assert_array_equal(layer.weight.data, learned[0])
    np.testing.assert_array_equal(layer.bias.data, learned[1])


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown rule 'oja'"):
        Perceptron(_unit(), rule="oja")


# ----------------------------------------------------------------- the trainers in a graph
def _gate_graph(trainer, gate="AND", inputs="bipolar", signed=True):
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="unit")
    g.add_node("Sign" if signed else "Heaviside", {} if signed else {"values": 0.0}, id="out")
    g.add_node("Target", {"kind": "signed"} if signed else {}, id="y")
    g.add_node("MSELoss", id="cost")
    for a, b in (("x", "unit"), ("unit", "out"), ("out", "cost")):
        g.connect(a, "out", b, "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "logic", "gate": gate, "inputs": inputs}, "batch_size": 4,
                  "optimizer": {"name": "SGD", "lr": 1.0}, "trainer": trainer, "seed": 0}
    return g


def test_the_hebb_trainer_is_a_setting_that_check_and_training_accept():
    g = _gate_graph("hebb")
    assert errors(check_graph(g)) == []
    s = Session.from_graph(g)
    s.run(3)
    assert s.evaluate()["train_acc"] == 1.0
    g.settings["trainer"] = "hebbian"
    (problem,) = settings_problems(g.settings)
    assert "graph.settings.trainer" in problem.message and "hebb" in problem.message


def _xor_from_gates():
    return fileformat.load(LESSONS / "xor_from_gates.nnpg")


def test_a_rule_trains_a_linear_layer_fed_by_fixed_features():
    """The perceptron reads the unit's own input (OR and NAND of x), not the graph's Input:
    XOR becomes linearly separable and is learned (notes 003, section 4.2)."""
    g = _xor_from_gates()
    assert errors(check_graph(g)) == []
    s = Session.from_graph(g, seed=3)
    s.run(20)
    assert s.evaluate()["train_acc"] == 1.0
    w = s.program.node_modules["unit"].weight.data
    assert w.shape == (1, 2) and (w > 0).all()     # AND of (OR, NAND): both weights positive


def test_a_rule_refuses_a_unit_whose_input_depends_on_the_target():
    g = _gate_graph("perceptron", signed=False)
    g.remove_edge(next(e for e in g.edges if e.dst == "unit"))
    g.add_node("Concat", {"dim": -1}, id="leak")
    g.connect("x", "out", "leak", "inputs")
    g.connect("y", "out", "leak", "inputs")
    g.connect("leak", "out", "unit", "input")
    g.set_param("unit", "in_features", 3)
    found = errors(check_graph(g))
    assert found and "'unit' is fed by the target" in found[0].message
    with pytest.raises(CompileError) as refused:
        Session.from_graph(g).step()
    assert str(refused.value) == found[0].message


# ----------------------------------------------------------------- initialisations
def test_zeros_and_normal_initialisations():
    layer = Linear(64, 64)
    apply_init(layer, "zeros")
    assert not layer.weight.data.any() and not layer.bias.data.any()
    apply_init(layer, {"name": "normal", "std": 3.0})
    assert 2.8 < float(layer.weight.data.std()) < 3.2 and not layer.bias.data.any()
    assert settings_problems({"init": {"name": "normal", "std": 0.01}}) == []
    (bad,) = settings_problems({"init": {"name": "normal", "std": -1}})
    assert "graph.settings.init" in bad.message


# ----------------------------------------------------------------- lesson metrics
def _snap(session):
    return session.snapshot()


def test_lstsq_error_is_the_distance_from_the_closed_form():
    g = fileformat.load(LESSONS / "linear_regression.nnpg")
    s = Session.from_graph(g, seed=0)
    x, y = s.dataset.x_train[:, 0].astype(np.float64), s.dataset.y_train[:, 0].astype(np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    unit = s.program.node_modules["line"]
    unit.weight.data[...] = slope * 1.02          # 2 % off in w, exact b
    unit.bias.data[...] = intercept
    assert measure(s, _snap(s), "lstsq_error:line") == pytest.approx(0.02, rel=1e-3)
    unit.bias.data[...] = intercept * 0.95         # now 5 % off in b
    assert measure(s, _snap(s), "lstsq_error:line") == pytest.approx(0.05, rel=1e-3)
    s.run(g.settings["steps"])                     # gradient descent gets there by itself
    assert measure(s, s.last_snapshot, "lstsq_error:line") < 0.01
    assert np.isnan(measure(s, _snap(s), "lstsq_error:y"))   # no weights: not available


def test_rows_equal_tells_whether_every_unit_of_a_layer_is_the_same():
    g = fileformat.load(LESSONS / "init_symmetry.nnpg")
    s = Session.from_graph(g, seed=0)
    s.run(50)
    assert measure(s, s.last_snapshot, "rows_equal:hidden") == 1.0
    assert np.abs(s.program.node_modules["hidden"].weight.data).max() > 0.01   # they did move
    s.program.node_modules["hidden"].bias.data[3] += 1e-3   # one unit's bias differs
    assert measure(s, _snap(s), "rows_equal:hidden") == 0.0
    g.settings["init"] = "default"
    s = Session.from_graph(g, seed=0)
    assert measure(s, _snap(s), "rows_equal:hidden") == 0.0
    assert np.isnan(measure(s, _snap(s), "rows_equal:sigma"))
