"""A lesson file's values that only a training run would trip on: `playground check` (through
engine.lessons.problems) reports them in one line naming the JSON path, and a run never turns
them into a bug report (review R1 of session 6)."""
from __future__ import annotations

import math

import pytest

from engine.graph import Graph
from engine.lessons import problems
from engine.lessons import goals as G
from engine.lessons.changes import ChangeError, apply_changes
from engine.train import Session

TEXT = {"en": "a goal", "it": "un obiettivo"}


def _xor_mlp(lesson=None):
    g = Graph()
    g.settings = {"dataset": {"name": "xor", "n_samples": 40, "noise": 0.0}, "steps": 20,
                  "optimizer": {"name": "SGD", "lr": 0.5}, "probe_every": 10, "eval_every": 10, "seed": 0}
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="hidden")
    g.add_node("Tanh", id="act")
    g.add_node("Linear", {"in_features": 3, "out_features": 1}, id="out")
    g.add_node("Target", id="y")
    g.add_node("BCEWithLogitsLoss", id="cost")
    g.connect("x", "out", "hidden", "input")
    g.connect("hidden", "out", "act", "input")
    g.connect("act", "out", "out", "input")
    g.connect("out", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.lesson = lesson
    return g


def _lesson(goals=(), pages=()):
    return {"chapter": "mlp", "order": 1, "title": TEXT, "summary": TEXT, "pages": list(pages),
            "goals": [{"id": f"g{i}", "text": TEXT, **goal} for i, goal in enumerate(goals)]}


@pytest.mark.parametrize("metric", ["activation_mean:cost", "test_loss_of:y", "activation_mean:y"])
def test_a_metric_of_a_node_the_target_reaches_is_a_lesson_problem_not_a_bug(metric):
    """activation_mean and test_loss_of evaluate a node on inputs alone: naming the cost (or
    the Target) made the run raise ValueError from Session.node_output, a bug report."""
    g = _xor_mlp(_lesson([{"metric": metric, "op": ">", "value": 0}]))
    found = problems(g)
    assert found and found[0][0] == "lesson.goals[0].metric" and "target" in found[0][1], found
    # and the run itself, fed such a goal anyway (the app's checklist), measures nothing
    session = Session.from_graph(g)
    snap = session.run(10)
    assert snap.train_loss is not None
    assert math.isnan(G.measure(session, snap, metric))


def test_a_metric_of_a_node_computed_from_the_inputs_passes_the_check():
    g = _xor_mlp(_lesson([{"metric": "activation_mean:act", "op": ">", "value": -1},
                          {"metric": "test_loss_of:out", "op": ">", "value": 0}]))
    assert problems(g) == []
    session = Session.from_graph(g)
    snap = session.run(10)
    assert -1.0 <= G.measure(session, snap, "activation_mean:act") <= 1.0
    assert G.measure(session, snap, "test_loss_of:out") > 0


@pytest.mark.parametrize("change, words", [
    ({"do": "set_setting", "key": "batch_size", "value": "abc"}, "batch_size must be a whole number"),
    ({"do": "set_setting", "key": "optimizer.lr", "value": "x"}, "optimizer.lr must be a number"),
    ({"do": "set_setting", "key": "batch_size", "value": -3}, "batch_size must be at least 1"),
    ({"do": "set_setting", "key": "optimizer.momentum", "value": -1.0}, "optimizer"),
])
def test_a_setting_change_with_a_bad_value_names_the_change(change, words):
    """A variant's (or a page's) set_setting was applied unchecked: `check` said "no
    problems", and the variant run then blamed graph.settings, which the file holds right."""
    with pytest.raises(ChangeError) as e:
        apply_changes(_xor_mlp(), [change], "lesson.goals[0].variant.changes")
    assert str(e.value).startswith("lesson.goals[0].variant.changes[0]: ") and words in str(e.value)
    assert "\n" not in str(e.value)
    g = _xor_mlp(_lesson([{"metric": "loss", "op": "<", "value": 1, "variant": {"changes": [change]}}],
                         pages=[{"text": TEXT, "actions": [change]}]))
    where = {path for path, _ in problems(g)}
    assert {"lesson.pages[0].actions[0]", "lesson.goals[0].variant.changes[0]"} <= where


def test_a_setting_change_with_a_good_value_still_applies():
    changed = apply_changes(_xor_mlp(), [{"do": "set_setting", "key": "optimizer.lr", "value": 0.1},
                                         {"do": "set_setting", "key": "early_stopping",
                                          "value": {"patience": 2}}])
    assert changed.settings["optimizer"] == {"name": "SGD", "lr": 0.1}
    assert changed.settings["early_stopping"] == {"patience": 2}


def test_a_metric_of_a_module_instance_s_output_is_a_lesson_problem_and_measures_nothing():
    """A module instance is compiled into its inside: Session.node_output raised KeyError."""
    from tests.graph.test_compile import shared_module_graph

    g = shared_module_graph(tie=None)
    g.settings = {"dataset": {"name": "xor", "n_samples": 40}, "probe_every": 10, "eval_every": 10, "steps": 10}
    g.lesson = _lesson([{"metric": "activation_mean:g1", "op": ">", "value": 0}])
    found = problems(g)
    assert found and found[0][0] == "lesson.goals[0].metric" and "module instance" in found[0][1], found
    session = Session.from_graph(g)
    snap = session.run(10)
    assert math.isnan(G.measure(session, snap, "activation_mean:g1"))


def test_a_variant_whose_changes_break_the_graph_is_named_by_its_json_path():
    """The file's graph trains; its variant does not: the one line named the node only, as
    if the lesson's own graph were wrong."""
    from engine.lessons import LessonError

    change = {"do": "set_param", "node": "out", "param": "in_features", "value": 5}
    g = _xor_mlp(_lesson([{"metric": "loss", "op": "<", "value": 1, "variant": {"changes": [change]}}]))
    with pytest.raises(LessonError) as e:
        G.check_lesson(g)
    message = str(e.value)
    assert message.startswith("lesson.goals[0].variant.changes: ") and "'out'" in message, message
    assert "\n" not in message
