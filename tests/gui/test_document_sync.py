"""What the canvas shows, what the document holds and what Save writes are one graph.

The scenario of issue 12: open an example, select one of its nodes, then File > New (after
"Save changes? -> Discard"), open another example, or open a corrupt file; then Save As and
reload. In every case canvas, document and file agree (``check_window`` after each action),
and a failed open leaves the previous document, its title, selection and panels untouched.

`make test` runs every example with one of its nodes selected; `make fuzz` (NNPG_FUZZ=1)
runs every node of every example.
"""
from __future__ import annotations

import logging
import random

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground.editor import commands  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.invariants import check_window, shown_data  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402
from tests.fuzzing import FUZZ, report  # noqa: E402
from tests.gui._panel_support import EXAMPLES  # noqa: E402

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.nnpg"))
ACTIONS = ("new", "open_other", "open_corrupt")
CORRUPT = {
    "not_json.nnpg": "{ this is not json",
    "wrong_format.nnpg": '{"format": "something-else", "version": 1}',
    "truncated.nnpg": None,  # the first half of an example, written below
}


@pytest.fixture(scope="module")
def corrupt_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("corrupt")
    paths = []
    for name, text in CORRUPT.items():
        if text is None:
            full = EXAMPLE_FILES[0].read_text(encoding="utf-8")
            text = full[: len(full) // 2]
        (d / name).write_text(text, encoding="utf-8")
        paths.append(d / name)
    return paths


@pytest.fixture
def win(qtbot, tmp_path):
    w = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                   autosave=False)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    QApplication.processEvents()
    yield w
    w.close()


def covering(paths) -> list:
    """Few files that together hold every node type (and module use) any lesson holds: the
    short run's sample, chosen greedily (the long run takes them all)."""
    kinds = {p: {n.type for n in fileformat.load(p).nodes.values()} | ({"<module>"} if
             fileformat.load(p).modules else set()) for p in paths}
    left, chosen = set().union(*kinds.values()), []
    while left:
        best = max(paths, key=lambda p: (len(kinds[p] & left), -len(chosen)))
        chosen.append(best)
        left -= kinds[best]
    return sorted(chosen)


def cases(all_nodes: bool):
    """(example, node id, action, other example): every node under FUZZ, else one per
    example (its Target when it has one: the node of the report), every action."""
    rng = random.Random(12)
    out = []
    files = EXAMPLE_FILES if all_nodes else covering(EXAMPLE_FILES)
    for i, path in enumerate(files):
        graph = fileformat.load(path)
        ids = sorted(graph.nodes)
        if not all_nodes:
            targets = [n for n in ids if graph.nodes[n].type == "Target"]
            ids = targets[:1] or [rng.choice(ids)]
        other = files[(i + 1) % len(files)]
        out += [(path, nid, action, other) for nid in ids for action in ACTIONS]
    return out


def graph_on_canvas(scene) -> tuple:
    return set(scene.node_items), set(scene.edge_items)


def run_case(win, path, node_id, action, other, corrupt, out_path):
    """One case of the scenario; returns the failures (empty: canvas == document == file)."""
    failures = []

    def check(when):
        failures.extend(f"{path.name} [{node_id}] {action}: after {when}: {p}" for p in check_window(win))

    assert win.open_file(str(path)), f"cannot open {path}"
    check("open")
    win.scene.select_nodes([node_id])
    QApplication.processEvents()
    if win.inspector.node_id != node_id:
        failures.append(f"{path.name}: selecting {node_id} does not show it in the inspector")
    if action == "new":
        # an unsaved edit first, so that New asks "Save changes?" and the script discards
        win.scene.push(commands.set_label, node_id, "edited")
        assert win.is_dirty()
        assert win.new_file()
        expected, expected_title = fileformat.loads(fileformat.dumps(win.document)), "Untitled"
        if win.document.nodes:
            failures.append(f"{path.name} [{node_id}] new: the new document has nodes")
    elif action == "open_other":
        assert win.open_file(str(other))
        expected, expected_title = fileformat.load(other), other.name
    else:
        before = win.document.to_dict()
        title, snapshot = win.windowTitle(), getattr(win.runner, "snapshot", None)
        panels = {n: shown_data(p) for n, p in win.panels.items()}
        assert not win.open_file(str(corrupt))
        if win.document.to_dict() != before or win.windowTitle() != title:
            failures.append(f"{path.name} [{node_id}] a failed open of {corrupt.name} changed the document")
        if win.inspector.node_id != node_id:
            failures.append(f"{path.name} [{node_id}] a failed open changed what the inspector shows")
        if win.runner.snapshot is not snapshot or {n: shown_data(p) for n, p in win.panels.items()} != panels:
            failures.append(f"{path.name} [{node_id}] a failed open changed the panels")
        expected, expected_title = fileformat.load(path), path.name
    check(action)
    if not win.windowTitle().startswith(expected_title):
        failures.append(f"{path.name} [{node_id}] {action}: title {win.windowTitle()!r}")
    if win.document != expected:
        failures.append(f"{path.name} [{node_id}] {action}: the document is not the file just opened")
    win.dialogs.answers["save_file"] = str(out_path)
    assert win.save_as()
    check("save as")
    saved = fileformat.load(out_path)
    if saved != win.document:
        failures.append(f"{path.name} [{node_id}] {action}: the saved file differs from the document")
    if graph_on_canvas(win.scene) != (set(saved.nodes), set(saved.edges)):
        failures.append(f"{path.name} [{node_id}] {action}: the saved file differs from the canvas")
    assert win.open_file(str(out_path))  # reload: the same graph again
    check("reload")
    if win.document != saved:
        failures.append(f"{path.name} [{node_id}] {action}: reloading the saved file changed it")
    return failures


@pytest.mark.fuzz
def test_canvas_document_and_saved_file_agree_after_new_open_and_failed_open(win, tmp_path, corrupt_files):
    all_cases = cases(all_nodes=FUZZ)
    failures = []
    for i, (path, nid, action, other) in enumerate(all_cases):
        failures += run_case(win, path, nid, action, other, corrupt_files[i % len(corrupt_files)],
                             tmp_path / f"case{i}.nnpg")
    report("document sync scenario", cases=len(all_cases), failures=len(failures))
    assert not failures, "\n".join(failures[:20])
    assert not win.observer_failures


def test_a_failing_observer_is_reported_and_the_canvas_still_follows_the_document(win, qtbot, caplog):
    """The mechanism: one view of the document that raises (here a stand-in for the old
    inspector's KeyError) stops no other; the user gets a one-line message, the log the
    traceback, and the canvas still shows the new document."""
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))

    def broken_view(ev):
        raise KeyError("cost")
    win.document.subscribe(broken_view)
    with caplog.at_level(logging.ERROR, logger="playground"):
        assert win.open_file(str(EXAMPLES / "deep_sigmoid.nnpg"))
    assert set(win.scene.node_items) == set(fileformat.load(EXAMPLES / "deep_sigmoid.nnpg").nodes)
    assert any("broken_view" in r.getMessage() and r.exc_info and r.exc_info[0] is KeyError
               for r in caplog.records)
    qtbot.waitUntil(lambda: "Internal error" in win.statusBar().currentMessage(), timeout=3000)
    assert "broken_view" in win.statusBar().currentMessage()
    assert "\n" not in win.statusBar().currentMessage()
    assert len(win.observer_failures) == 1 and "reset" in win.observer_failures[0]
    win.document.unsubscribe(broken_view)
    win.observer_failures.clear()
    assert check_window(win) == []


def test_the_canvas_is_redrawn_from_the_document_when_the_scene_itself_failed(win, qtbot, monkeypatch):
    """Even the canvas failing to follow one event does not leave it showing another graph."""
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    real = type(win.scene)._on_event

    def flaky(self, ev):
        if ev.kind == "node_added":
            raise RuntimeError("a bug in the scene")
        return real(self, ev)
    win.document.unsubscribe(win.scene._on_event)
    monkeypatch.setattr(type(win.scene), "_on_event", flaky)
    win.document.subscribe(win.scene._on_event)
    win.add_node_from_palette("Linear")
    assert win.observer_failures
    qtbot.waitUntil(lambda: set(win.scene.node_items) == set(win.document.nodes), timeout=3000)
    win.observer_failures.clear()
    assert check_window(win) == []


def test_the_inspector_forgets_a_node_that_vanishes(win):
    """Delete, undo of its creation, and module navigation: the inspector shows an existing
    node or nothing, never raises."""
    assert win.open_file(str(EXAMPLES / "xor_mlp.nnpg"))
    nid = win.add_node_from_palette("Linear")
    assert win.inspector.node_id == nid
    win.undo_stack.undo()  # the node it shows is gone
    assert win.inspector.node_id is None and check_window(win) == []
    win.undo_stack.redo()
    win.scene.select_nodes([nid])
    assert win.inspector.node_id == nid
    assert win.scene.delete_selected()
    assert win.inspector.node_id is None and check_window(win) == []
    win.undo_stack.undo()
    win.scene.select_nodes([nid])
    module = win.scene.group_selected("M")
    assert module and win.scene.open_node(module)   # inside the module: its own nodes
    assert check_window(win) == []
    inner = next(iter(win.scene.graph.nodes))
    win.scene.select_nodes([inner])
    assert win.inspector.node_id == inner
    win.undo_stack.undo()  # ungroups: the module and the level shown vanish
    assert check_window(win) == []
    assert win.inspector.node_id is None or win.inspector.node_id in win.scene.graph.nodes
    assert not win.observer_failures
