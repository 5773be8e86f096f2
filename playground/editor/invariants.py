"""Cheap consistency checks between the document and what the window shows.

``check_window(window)`` returns a list of one-line mismatches (empty: consistent). Tests call
it after every user action; it reads only, so it is safe to call at any time between events.
It checks: no document observer has failed (``window.observer_failures``); the canvas holds
one item per node and per drawable edge of the graph level it shows, at the document's
positions, and that level is still in the document; the inspector shows an existing,
selected node with its current values, or nothing; the title names the document and marks
unsaved edits; no live panel shows a run while the runner holds none (a new document); the
lesson pane shows the document's lesson or is closed.
"""
from __future__ import annotations

from pathlib import Path

from .items import EdgeItem, NodeItem


def _drawable_edges(graph, node_items) -> set:
    """The edges the scene can draw: a dangling edge of a bad file has no item (validation
    reports it instead), so it is not expected on the canvas."""
    out = set()
    for e in graph.edges:
        src, dst = node_items.get(e.src), node_items.get(e.dst)
        if src is not None and dst is not None and src.port(e.src_port, False) is not None \
                and dst.port(e.dst_port, True) is not None:
            out.add(e)
    return out


def check_scene(scene) -> list[str]:
    """Scene items vs the level of the document the scene shows."""
    problems = []
    graph = scene.graph
    if not scene.nav or scene.nav[0]["graph"] is not scene.document:
        problems.append("scene: the breadcrumb's first level is not the document")
    if scene.nav and scene.nav[-1]["graph"] is not graph:
        problems.append("scene: the shown graph is not the breadcrumb's last level")
    dead = scene.first_dead_level()
    if dead is not None:
        problems.append(f"scene: shows the inside of module '{scene.nav[dead]['title']}', "
                        "which the document no longer holds")
    doc_ids, item_ids = set(graph.nodes), set(scene.node_items)
    if doc_ids != item_ids:
        problems.append(f"scene: nodes missing on canvas {sorted(doc_ids - item_ids)}, "
                        f"on canvas but not in the document {sorted(item_ids - doc_ids)}")
    live_nodes = {i.node_id for i in scene.items() if isinstance(i, NodeItem)}
    if live_nodes != item_ids:
        problems.append(f"scene: node items in the scene {sorted(live_nodes)} != indexed {sorted(item_ids)}")
    for nid, item in scene.node_items.items():
        if item.scene() is not scene:
            problems.append(f"scene: node item '{nid}' is not in the scene")
    want_edges = _drawable_edges(graph, scene.node_items)
    have_edges = set(scene.edge_items)
    if want_edges != have_edges:
        problems.append(f"scene: edges missing on canvas {sorted(map(str, want_edges - have_edges))}, "
                        f"on canvas but not in the document {sorted(map(str, have_edges - want_edges))}")
    live_edges = {i.edge for i in scene.items() if isinstance(i, EdgeItem)}
    if live_edges != have_edges:
        problems.append("scene: edge items in the scene differ from the indexed edge items")
    for e, item in scene.edge_items.items():
        if item.src_port.node_item is not scene.node_items.get(e.src) \
                or item.dst_port.node_item is not scene.node_items.get(e.dst):
            problems.append(f"scene: edge item {e} is attached to stale node items")
    for nid, item in scene.node_items.items():
        node = graph.nodes.get(nid)
        if node is not None and (item.pos().x(), item.pos().y()) != tuple(node.pos) \
                and not item.isSelected():  # a drag in progress moves the item first
            problems.append(f"scene: node '{nid}' is drawn at {(item.pos().x(), item.pos().y())}, "
                            f"the document says {tuple(node.pos)}")
    return problems


def check_inspector(inspector, scene) -> list[str]:
    """The inspector shows a node that exists at the shown level, or nothing."""
    nid = inspector.node_id
    if nid is None:
        selected = scene.selected_node_ids()
        if len(selected) == 1:  # a stale inspector: it missed the selection or the reset
            return [f"inspector: shows nothing while node '{selected[0]}' is selected"]
        return []
    problems = []
    if nid not in scene.graph.nodes:
        problems.append(f"inspector: shows node '{nid}', which the shown graph does not hold")
    selected = scene.selected_node_ids()
    if selected != [nid]:
        problems.append(f"inspector: shows node '{nid}' while the selection is {selected}")
    node = scene.graph.nodes.get(nid)
    if node is not None:
        problems += _shown_values_problems(inspector, node)
    return problems


def _shown_values_problems(inspector, node) -> list[str]:
    """The inspector's fields show the node's label and parameters as the document holds
    them (e.g. after an undo), except a text the user is still fixing (marked red)."""
    from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit

    from . import model

    problems = []
    label = getattr(inspector, "label_edit", None)
    if label is not None and label.text() != (node.label or ""):
        problems.append(f"inspector: label field shows {label.text()!r}, node '{node.id}' has {node.label!r}")
    t = model.node_type(node)
    if inspector.form is None or t is None:
        return problems
    for spec in t.params:
        w = inspector.form.editors.get(spec.name)
        value = node.params.get(spec.name, spec.default)
        if w is None or (isinstance(w, QLineEdit) and w.styleSheet()):
            continue
        if isinstance(w, QCheckBox):
            shown, want = w.isChecked(), bool(value)
        elif isinstance(w, QComboBox):
            shown, want = w.currentData(), value
        elif isinstance(w, QAbstractSpinBox):
            shown, want = w.value(), value
        else:
            shown = w.text()
            want = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else "" if value is None else str(value)
        if shown != want:
            problems.append(f"inspector: '{spec.name}' shows {shown!r}, node '{node.id}' has {value!r}")
    return problems


def check_title(window) -> list[str]:
    """The title names the file and marks unsaved edits."""
    example = getattr(window, "example", None)  # an example opens as an unsaved copy of it
    name = Path(window.path).name if window.path else f"{example} (example)" if example else "Untitled"
    dirty = window.is_dirty()
    title = window.windowTitle()
    want = f"{name}{'*' if dirty else ''} — "
    if not title.startswith(want):
        return [f"title: '{title}' does not start with '{want}' (path {window.path!r}, dirty {dirty})"]
    return []


def shown_data(panel) -> list[str]:
    """What a live panel draws from training data: its non-empty curves, images, bars and
    scatter points (pyqtgraph items), one line each. Empty: it shows no run's data."""
    import pyqtgraph as pg

    found = []
    for view in panel.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            name = type(item).__name__
            if isinstance(item, pg.PlotDataItem):
                n = 0 if item.xData is None else len(item.xData)
            elif isinstance(item, pg.ImageItem):
                n = 0 if item.image is None else item.image.size
            elif isinstance(item, pg.BarGraphItem):
                h = item.opts.get("height")
                n = 0 if h is None else len(h) if hasattr(h, "__len__") else 1
            elif isinstance(item, pg.ScatterPlotItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
                n = len(item.data)
            elif isinstance(item, pg.IsocurveItem):
                n = 0 if item.data is None else item.data.size
            else:
                continue
            if n and item.isVisible():
                found.append(f"{name} with {n} values")
    return found


def check_panels(window) -> list[str]:
    """No live panel shows data from a previous document: while the runner holds no run
    (a new document, before its first frame) every panel is empty."""
    runner, panels = getattr(window, "runner", None), getattr(window, "panels", None)
    if runner is None or not panels:
        return []
    # (a session being built sends its dataset before its first frame: the boundary panel
    # may show the points of this document's data already)
    holds_run = runner.snapshot is not None or len(runner.history) or runner.dataset is not None
    if not window.document.nodes and holds_run:
        return ["panels: the runner holds a run while the document is empty"]
    if holds_run:
        return []
    problems = []
    for name, panel in panels.items():
        if not getattr(panel, "follows_run", True):
            continue
        problems += [f"panels: {name} shows {what} without a run" for what in shown_data(panel)]
    return problems


def check_lesson_pane(window) -> list[str]:
    """The lesson pane teaches the document's lesson (its goals listed), or stays closed for
    a document without one."""
    pane = getattr(window, "lesson_pane", None)
    if pane is None:
        return []
    lesson = getattr(window.document, "lesson", None) or None
    if (pane.lesson or None) != lesson:
        shown, wanted = (pane.lesson or {}).get("title"), (lesson or {}).get("title")
        return [f"lesson pane: shows the lesson {shown!r}, the document's is {wanted!r}"]
    if lesson is None:
        return [] if pane.isHidden() else ["lesson pane: open for a document without a lesson"]
    goals = [str(g.get("id", i)) for i, g in enumerate(lesson.get("goals", ()))]
    if list(pane.goal_labels) != goals:
        return [f"lesson pane: lists the goals {list(pane.goal_labels)}, the lesson has {goals}"]
    return []


def check_window(window) -> list[str]:
    """Every mismatch between the document and what the window shows, one line each."""
    problems = [f"observer failed: {f}" for f in getattr(window, "observer_failures", ())]
    if window.scene.document is not window.document:
        problems.append("scene: shows a different document object from the window's")
    problems += check_scene(window.scene)
    problems += check_inspector(window.inspector, window.scene)
    problems += check_title(window)
    problems += check_panels(window)
    problems += check_lesson_pane(window)
    return problems
