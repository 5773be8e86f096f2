"""The Graph document: one observer event per change (module changes included), and
weight sharing (tie groups) visible in the document."""
from __future__ import annotations

import pytest

from engine.graph.compile import compile_graph
from engine.graph.document import EVENT_KINDS, Edge, Graph, ModuleDef, PortRef


def _recorder(g):
    events = []
    g.subscribe(events.append)
    return events


def test_every_mutation_emits_one_event_with_what_changed():
    g = Graph()
    events = _recorder(g)
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="h")
    e = g.connect("x", "out", "h", "input")
    old = g.set_param("h", "out_features", 4)
    g.move_node("h", (10, 20))
    g.set_label("h", "hidden")
    g.set_tie("h", "shared")
    g.set_setting("seed", 3)
    g.remove_edge(e)
    g.remove_node("x")
    kinds = [ev.kind for ev in events]
    assert kinds == ["node_added", "node_added", "edge_added", "param_changed", "node_moved",
                     "label_changed", "tie_changed", "settings_changed", "edge_removed", "node_removed"]
    assert set(kinds) <= set(EVENT_KINDS)
    param = events[3]
    assert (param.node, param.name, param.value, param.old) == ("h", "out_features", 4, 3) and old == 3
    assert events[2].edge == Edge("x", "out", "h", "input") == events[8].edge
    assert events[6].value == "shared" and events[7].name == "seed"
    assert events[9].node == "x" and events[9].value.type == "Input"


def test_removing_a_node_announces_its_edges_first():
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("ReLU", id="r")
    g.connect("x", "out", "r", "input")
    events = _recorder(g)
    node, removed = g.remove_node("r")
    assert [ev.kind for ev in events] == ["edge_removed", "node_removed"]
    assert removed == [Edge("x", "out", "r", "input")] and g.edges == []


def test_module_changed_on_define_replace_and_delete():
    g = Graph()
    events = _recorder(g)
    inner = Graph()
    inner.add_node("Linear", {"in_features": 2, "out_features": 2}, id="lin")
    first = ModuleDef("Block", inner, [PortRef("x", "lin", "input")], [PortRef("y", "lin", "out")])
    second = ModuleDef("Block", inner.copy(), [PortRef("x", "lin", "input")], [PortRef("z", "lin", "out")])
    g.set_module("Block", first)
    g.set_module("Block", second)
    g.set_module("Block", None)
    assert [ev.kind for ev in events] == ["module_changed"] * 3
    assert [(ev.name, ev.value, ev.old) for ev in events] == [("Block", first, None), ("Block", second, first),
                                                              ("Block", None, second)]
    assert "Block" not in g.modules


def test_unsubscribe_and_reset():
    g = Graph()
    events = _recorder(g)
    g.unsubscribe(events.append)
    g.add_node("Input", id="x")
    assert events == []
    g.subscribe(events.append)
    other = Graph()
    other.add_node("ReLU", id="r")
    g.replace_with(other)
    assert [ev.kind for ev in events] == ["reset"] and set(g.nodes) == {"r"}


def _tied_graph():
    g = Graph()
    g.add_node("Input", id="x")
    for nid in ("a", "b", "c"):
        g.add_node("Linear", {"in_features": 2, "out_features": 2}, id=nid)
    g.add_node("Add", id="sum")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    for nid in ("a", "b", "c"):
        g.connect("x", "out", nid, "input")
        g.connect(nid, "out", "sum", "inputs")
    g.connect("sum", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    return g


def test_tied_parameters_are_visible_in_the_document_and_shared_when_compiled():
    g = _tied_graph()
    assert g.tied_groups() == {}
    g.set_tie("a", "w")
    assert g.tied_groups() == {}            # a group of one shares nothing
    g.set_tie("b", "w")
    assert g.tied_groups() == {"w": ["a", "b"]}
    assert g.nodes["a"].tie == g.nodes["b"].tie == "w" and g.nodes["c"].tie is None
    # saved in the file form and read back
    assert Graph.from_dict(g.to_dict()).tied_groups() == {"w": ["a", "b"]}
    shapes = {"x": (None, 2), "y": (None, 2), "task": "regression"}
    prog = compile_graph(g, dataset_shapes=shapes)
    m = prog.node_modules
    assert m["a"] is m["b"] and m["c"] is not m["a"]
    assert len(list(prog.parameters())) == 4     # a/b's weight and bias once, c's twice
    g.set_tie("b", None)
    assert g.tied_groups() == {}


def test_add_node_refuses_a_duplicate_id_and_edges_to_missing_nodes():
    g = Graph()
    g.add_node("Input", id="x")
    with pytest.raises(ValueError, match="already exists"):
        g.add_node("ReLU", id="x")
    with pytest.raises(KeyError):
        g.connect("x", "out", "nowhere", "input")


def _every_event_kind(g):
    """One mutation of each kind in EVENT_KINDS, in an order that keeps them all valid."""
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="h")
    e = g.connect("x", "out", "h", "input")
    g.set_param("h", "out_features", 4)
    g.move_node("h", (10, 20))
    g.set_label("h", "hidden")
    g.set_tie("h", "shared")
    g.set_module("M", ModuleDef("M", Graph()))
    g.set_setting("seed", 3)
    g.set_lesson({"chapter": "mlp", "title": {"en": "A lesson"}})
    g.remove_edge(e)
    g.remove_node("x")
    g.replace_with(Graph())


def test_an_observer_that_raises_does_not_stop_the_others_for_every_event_kind(caplog):
    g = Graph()
    before = _recorder(g)

    def broken(ev):
        raise KeyError(ev.node)
    g.subscribe(broken)
    after = _recorder(g)
    reports = []
    g.on_observer_error = lambda cb, ev, exc_info: reports.append((cb, ev.kind, exc_info[0]))
    _every_event_kind(g)
    kinds = [ev.kind for ev in after]
    assert set(kinds) == set(EVENT_KINDS), "the helper must cover every event kind"
    assert kinds == [ev.kind for ev in before]   # observers after the broken one heard everything
    assert reports == [(broken, k, KeyError) for k in kinds]   # each failure reported once
    assert g.nodes == {} and g.edges == []      # the document itself is where the edits left it


def test_observer_failures_are_logged_by_default_and_a_failing_reporter_does_not_stop_dispatch(caplog):
    g = Graph()
    g.subscribe(lambda ev: 1 / 0)
    events = _recorder(g)
    with caplog.at_level("ERROR", logger="engine.graph.document"):
        g.add_node("Input", id="x")
    assert [ev.kind for ev in events] == ["node_added"]
    assert any("node_added" in r.getMessage() and r.exc_info and r.exc_info[0] is ZeroDivisionError
               for r in caplog.records)

    def bad_reporter(*_):
        raise RuntimeError("the status bar is gone")
    g.on_observer_error = bad_reporter
    caplog.clear()
    with caplog.at_level("ERROR", logger="engine.graph.document"):
        g.remove_node("x")
    assert [ev.kind for ev in events] == ["node_added", "node_removed"]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
