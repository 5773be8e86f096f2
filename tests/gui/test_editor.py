"""The node editor, driven through the same actions the menus, palette and mouse use.

Every question the window asks goes to ScriptedDialogs, so nothing modal can block.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.items import EdgeItem, NodeItem  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(data_dir=None, **answers):
        answers.setdefault("unsaved_changes", "discard")
        win = MainWindow(dialogs=ScriptedDialogs(**answers), data_dir=data_dir or tmp_path / "data")
        qtbot.addWidget(win)
        win.resize(1200, 800)
        win.show()
        QApplication.processEvents()
        return win
    return make


@pytest.fixture
def win(make_window):
    return make_window()


# ----- helpers: the user's gestures -------------------------------------------------
def add_via_palette(win, type_name, scene_pos=None):
    """Search the palette and activate the entry (what a double-click does)."""
    win.palette.search.setText(type_name)
    items = [i for i in win.palette.type_items() if i.data(0, Qt.UserRole + 1) == type_name]
    assert items and not items[0].isHidden(), f"{type_name} not offered by the palette search"
    before = set(win.scene.graph.nodes)
    if scene_pos is not None:
        win.view.centerOn(QPointF(*scene_pos))
    win.palette.tree.setCurrentItem(items[0])
    win.palette.tree.itemActivated.emit(items[0], 0)
    (new,) = set(win.scene.graph.nodes) - before
    win.palette.search.clear()
    return new


def group_a_linear(win):
    """A Linear from the palette, grouped into a module (Edit > Group): the module node's id."""
    lin = add_via_palette(win, "Linear")
    win.scene.select_nodes([lin])
    win.actions["group"].trigger()
    (mod,) = win.scene.selected_node_ids()
    return mod


def add_via_tab(qtbot, win, text):
    """Tab over the canvas, type, Enter."""
    before = set(win.document.nodes)
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key_Tab)
    assert win.quick_search.isVisible()
    qtbot.keyClicks(win.quick_search.edit, text)
    qtbot.keyClick(win.quick_search.edit, Qt.Key_Return)
    (new,) = set(win.document.nodes) - before
    return new


def view_point(win, scene_point: QPointF) -> QPoint:
    return win.view.mapFromScene(scene_point)


def drag_link(qtbot, win, src, src_port, dst, dst_port=None):
    """Press on an output port and release on an input port (or on the node's body)."""
    s = win.scene.node_item(src)
    d = win.scene.node_item(dst)
    start = s.outputs[src_port]
    vis = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    if not (vis.contains(s.sceneBoundingRect()) and vis.contains(d.sceneBoundingRect())):
        win.view.fit()
    end = d.inputs[dst_port].scenePos() if dst_port else d.scenePos()
    vp = win.view.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=view_point(win, start.scenePos()))
    qtbot.mouseMove(vp, view_point(win, (start.scenePos() + end) / 2))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=view_point(win, end))


def inspector_editor(win, node_id, name):
    win.scene.select_nodes([node_id])
    form = win.inspector.form
    assert form is not None and name in form.editors
    return form.editors[name]


def build_mlp(qtbot, win):
    """Input → Linear → ReLU → Linear → MSELoss ← Target, as a student would."""
    x = add_via_palette(win, "Input", (0, 0))
    l1 = add_via_palette(win, "Linear", (200, 0))
    win.scene.node_item(l1).setPos(200, 0)  # (positions only matter for the gestures)
    relu = add_via_tab(qtbot, win, "ReLU")
    l2 = add_via_palette(win, "Linear")
    loss = add_via_palette(win, "MSELoss")
    y = add_via_palette(win, "Target")
    # Spread them out with the auto-layout action so the drags hit the right ports.
    win.actions["layout"].trigger()
    win.actions["fit"].trigger()
    drag_link(qtbot, win, x, "out", l1, "input")
    drag_link(qtbot, win, l1, "out", relu, "input")
    drag_link(qtbot, win, relu, "out", l2, "input")
    drag_link(qtbot, win, l2, "out", loss, "input")
    drag_link(qtbot, win, y, "out", loss, "target")
    return x, l1, relu, l2, loss, y


def edge_set(graph):
    return {(e.src, e.src_port, e.dst, e.dst_port) for e in graph.edges}


# ----- the full user flow ----------------------------------------------------------------
def test_full_user_flow_build_undo_redo_save_reopen(qtbot, win, tmp_path):
    assert win.windowTitle().startswith("Untitled —")
    x, l1, relu, l2, loss, y = ids = build_mlp(qtbot, win)
    assert [win.document.nodes[i].type for i in ids] == ["Input", "Linear", "ReLU", "Linear", "MSELoss", "Target"]
    assert edge_set(win.document) == {(x, "out", l1, "input"), (l1, "out", relu, "input"),
                                      (relu, "out", l2, "input"), (l2, "out", loss, "input"),
                                      (y, "out", loss, "target")}
    # The scene follows the document: one item per node and per edge.
    assert set(win.scene.node_items) == set(win.document.nodes)
    assert len(win.scene.edge_items) == 5
    assert "*" in win.windowTitle()

    # Parameters through the inspector's typed editors.
    shape = inspector_editor(win, x, "shape")
    shape.setText("2")
    shape.editingFinished.emit()
    assert win.document.nodes[x].params["shape"] == [2]
    inspector_editor(win, l1, "out_features").setValue(8)
    inspector_editor(win, l2, "in_features").setValue(8)
    inspector_editor(win, l2, "out_features").setValue(1)
    assert win.document.nodes[l1].params["out_features"] == 8
    assert win.document.nodes[l2].params == {"in_features": 8, "out_features": 1, "bias": True}

    done = win.document.to_dict()
    depth = win.undo_stack.count()
    for _ in range(depth):
        win.actions["undo"].trigger()
    assert win.document.nodes == {} and win.document.edges == []
    assert not win.scene.node_items and not win.scene.edge_items
    for _ in range(depth):
        win.actions["redo"].trigger()
    assert win.document.to_dict() == done
    assert set(win.scene.node_items) == set(win.document.nodes) and len(win.scene.edge_items) == 5

    # Save, start a new graph, reopen: the same document.
    path = tmp_path / "mlp.nnpg"
    win.dialogs.answers["save_file"] = str(path)
    win.actions["save"].trigger()
    assert path.exists() and "*" not in win.windowTitle() and win.windowTitle().startswith("mlp.nnpg")
    win.actions["new"].trigger()
    assert win.document.nodes == {}
    win.dialogs.answers["open_file"] = str(path)
    win.actions["open"].trigger()
    assert win.document.to_dict() == done
    assert fileformat.load(path) == win.document
    assert "*" not in win.windowTitle()
    assert str(path.resolve()) in win.recent.list()
    assert set(win.scene.node_items) == set(win.document.nodes) and len(win.scene.edge_items) == 5


def test_invalid_links_are_refused_with_their_reason(qtbot, win):
    x = add_via_palette(win, "Input", (0, 0))
    lin = add_via_palette(win, "Linear")
    relu = add_via_palette(win, "ReLU")
    win.actions["layout"].trigger()
    drag_link(qtbot, win, x, "out", lin, "input")
    drag_link(qtbot, win, lin, "out", relu, "input")
    assert len(win.document.edges) == 2

    # Into an input that is already fed.
    drag_link(qtbot, win, relu, "out", lin, "input")
    assert len(win.document.edges) == 2
    assert win.scene.last_refusal == "input 'input' of 'Linear' is already connected; delete that link first"
    # Into an observed variable (dropped on its body): it has no inputs.
    drag_link(qtbot, win, relu, "out", x)
    assert len(win.document.edges) == 2
    assert win.scene.last_refusal == "'Input' has no free inputs to connect"
    # The reason is shown on the canvas at the cursor and in the status bar.
    shown = [i.text() for i in win.scene.items() if isinstance(i, QGraphicsSimpleTextItem)]
    assert win.scene.last_refusal in shown
    assert win.statusBar().currentMessage() == win.scene.last_refusal
    # Dropped on the Linear's body: its only input is taken.
    drag_link(qtbot, win, relu, "out", lin, None)
    assert len(win.document.edges) == 2
    assert "no free inputs" in win.scene.last_refusal
    # Output onto output.
    vp = win.view.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=view_point(win, win.scene.node_item(relu).outputs["out"].scenePos()))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=view_point(win, win.scene.node_item(x).outputs["out"].scenePos()))
    assert len(win.document.edges) == 2
    assert win.scene.last_refusal == "cannot connect two outputs: drag from an output to an input"


def test_cycle_refused(qtbot, win):
    a = add_via_palette(win, "ReLU")
    b = add_via_palette(win, "Tanh")
    win.actions["layout"].trigger()
    drag_link(qtbot, win, a, "out", b, "input")
    drag_link(qtbot, win, b, "out", a, "input")
    assert len(win.document.edges) == 1
    assert "cycle" in win.scene.last_refusal


def test_group_into_module_and_ungroup_restores_the_graph(qtbot, win):
    x, l1, relu, l2, loss, y = build_mlp(qtbot, win)
    before_nodes = {n.id: n.to_dict() for n in win.document.nodes.values()}
    before_edges = edge_set(win.document)
    before = win.document.to_dict()

    win.scene.select_nodes([l1, relu, l2])
    win.view.setFocus()
    win.actions["group"].trigger()
    doc = win.document
    assert set(doc.nodes) == {x, loss, y} | set(win.scene.selected_node_ids())
    (mod,) = win.scene.selected_node_ids()
    assert doc.nodes[mod].type == "Module"
    mdef = doc.modules[doc.nodes[mod].params["module"]]
    assert set(mdef.graph.nodes) == {l1, relu, l2}
    assert [p.name for p in mdef.inputs] == ["input"] and [p.name for p in mdef.outputs] == ["out"]
    assert edge_set(doc) == {(x, "out", mod, "input"), (mod, "out", loss, "input"), (y, "out", loss, "target")}
    item = win.scene.node_item(mod)
    assert set(item.inputs) == {"input"} and set(item.outputs) == {"out"}

    # Double-click opens the inside, with a breadcrumb back.
    win.view.centerOn(item)
    at = view_point(win, item.scenePos())
    qtbot.mouseClick(win.view.viewport(), Qt.LeftButton, pos=at)  # a real double-click starts with a click
    qtbot.mouseDClick(win.view.viewport(), Qt.LeftButton, pos=at)
    assert win.scene.graph is mdef.graph and win.breadcrumb.titles == ["Main", mdef.name]
    assert not win.breadcrumb.isHidden()
    assert set(win.scene.node_items) == {l1, relu, l2}
    win.breadcrumb.levelChosen.emit(0)
    assert win.scene.graph is doc and win.breadcrumb.isHidden()

    win.scene.select_nodes([mod])
    win.actions["ungroup"].trigger()
    assert {n.id: n.to_dict() for n in doc.nodes.values()} == before_nodes
    assert edge_set(doc) == before_edges and doc.modules == {}

    # And the whole thing is undoable back to the grouped and then the original state.
    win.actions["undo"].trigger()
    assert doc.nodes[mod].type == "Module"
    win.actions["undo"].trigger()
    assert doc.to_dict() == before


def test_module_instances_shared_or_independent_weights(qtbot, win):
    mod = group_a_linear(win)
    shared = win.scene.place_instance(True)
    assert win.document.nodes[shared].tie and win.document.nodes[shared].tie == win.document.nodes[mod].tie
    assert win.scene.node_item(shared).tie == win.document.nodes[mod].tie  # the colour badge
    win.scene.select_nodes([mod])
    independent = win.scene.place_instance(False)
    assert win.document.nodes[independent].tie is None
    assert win.document.nodes[independent].params == win.document.nodes[mod].params


def test_ready_block_opens_read_only(qtbot, win):
    moe = add_via_palette(win, "MixtureOfExperts")
    win.scene.select_nodes([moe])
    win.actions["open_module"].trigger()
    assert win.scene.read_only and len(win.scene.node_items) > 2
    n_before = len(win.scene.graph.nodes)
    win.scene.add_node("ReLU")
    assert len(win.scene.graph.nodes) == n_before and "read-only" in win.scene.last_refusal
    win.actions["up"].trigger()
    assert not win.scene.read_only and win.scene.graph is win.document


def test_drag_moves_merge_into_one_undo_step_and_snap(qtbot, win):
    a = add_via_palette(win, "ReLU")
    item = win.scene.node_item(a)
    win.view.centerOn(item)
    vp = win.view.viewport()
    start = view_point(win, item.scenePos() + QPointF(0, -12))
    depth = win.undo_stack.count()
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(vp, start + QPoint(13 * k, 7 * k))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start + QPoint(65, 35))
    assert win.undo_stack.count() == depth + 1
    pos = win.document.nodes[a].pos
    assert pos != (0.0, 0.0)
    assert pos[0] % 20 == 0 and pos[1] % 20 == 0  # grid snap
    moved = pos
    win.actions["undo"].trigger()
    assert win.document.nodes[a].pos != moved
    assert (item.pos().x(), item.pos().y()) == win.document.nodes[a].pos


def test_drop_onto_an_edge_inserts_the_node(qtbot, win):
    x = add_via_palette(win, "Input")
    lin = add_via_palette(win, "Linear")
    win.actions["layout"].trigger()
    drag_link(qtbot, win, x, "out", lin, "input")
    (edge,) = win.document.edges
    mid = win.scene.edge_item(edge).path().pointAtPercent(0.5)
    nid = win.view.drop_node("ReLU", mid)
    assert edge_set(win.document) == {(x, "out", nid, "input"), (nid, "out", lin, "input")}
    win.actions["undo"].trigger()  # one step: add + insert
    assert edge_set(win.document) == {(x, "out", lin, "input")} and nid not in win.document.nodes


def test_clipboard_delete_duplicate_select_all(qtbot, win):
    x, l1, relu, l2, loss, y = build_mlp(qtbot, win)
    win.view.setFocus()
    win.scene.select_nodes([l1, relu])
    win.actions["copy"].trigger()
    win.actions["paste"].trigger()
    assert len(win.document.nodes) == 8
    new = win.scene.selected_node_ids()
    assert len(new) == 2 and not set(new) & {l1, relu}
    # The link between the copied nodes comes along; links to the outside do not.
    assert len([e for e in win.document.edges if e.src in new and e.dst in new]) == 1
    win.actions["duplicate"].trigger()
    assert len(win.document.nodes) == 10
    win.actions["delete"].trigger()
    assert len(win.document.nodes) == 8
    win.scene.select_nodes([l2])
    win.actions["cut"].trigger()
    assert l2 not in win.document.nodes
    win.actions["paste"].trigger()
    assert len(win.document.nodes) == 8
    win.actions["select_all"].trigger()
    assert len(win.scene.selected_node_ids()) == 8


def test_problems_badges_list_and_click_selects(qtbot, win):
    lin = add_via_palette(win, "Linear")
    win.scene.validate_now()
    problems = [p for p in win.scene.problems if p.node == lin]
    assert problems, "an unconnected Linear must be reported"
    assert win.scene.node_item(lin).problem  # the badge
    row = next(i for i in range(win.problems_list.count())
               if win.problems_list.item(i).data(Qt.UserRole + 2) == lin)
    win.scene.clearSelection()
    win.problems_list.itemClicked.emit(win.problems_list.item(row))
    assert win.scene.selected_node_ids() == [lin]


def test_training_settings_are_undoable_commands(qtbot, win):
    panel = win.training_panel
    i = panel.dataset_combo.findData("spiral")
    panel.dataset_combo.setCurrentIndex(i)
    assert win.document.settings["dataset"]["name"] == "spiral"
    panel = win.training_panel  # rebuilt from the document
    panel.batch_spin.setValue(32)
    assert win.document.settings["batch_size"] == 32
    panel = win.training_panel
    panel.optimizer_form.editors["lr"].setValue(0.5)
    assert win.document.settings["optimizer"]["lr"] == 0.5
    win.actions["undo"].trigger()
    assert win.document.settings["optimizer"]["lr"] != 0.5
    win.actions["undo"].trigger()
    assert win.document.settings["batch_size"] != 32
    assert win.training_panel.batch_spin.value() == win.document.settings["batch_size"]


def test_device_selector_says_why_gpu_is_disabled(win):
    from engine import backend

    combo = win.device_combo
    gpu = combo.model().item(combo.findData("gpu"))
    if backend.gpu_available():
        assert gpu.isEnabled()
    else:
        assert not gpu.isEnabled()
        assert backend.gpu_unavailable_reason() in combo.toolTip()


# Recovery after a real crash (a killed process) and two live instances side by side:
# tests/gui/test_autosave.py. (A window left open is a live session, not a crashed one.)
def test_clean_exit_leaves_nothing_to_recover(qtbot, make_window, tmp_path):
    data = tmp_path / "d"
    first = make_window(data_dir=data)
    add_via_palette(first, "ReLU")
    first.autosave_now()
    assert first.close()
    second = make_window(data_dir=data, recover=True)
    assert second.document.nodes == {}


def test_close_with_unsaved_changes_asks(qtbot, make_window):
    w = make_window(unsaved_changes="cancel")
    add_via_palette(w, "ReLU")
    assert not w.close()  # cancelled
    w.dialogs.answers["unsaved_changes"] = "discard"
    assert w.close()


def test_presentation_mode_scales_and_hides_chosen_panels(qtbot, win):
    item = win.scene.node_item(add_via_palette(win, "Linear"))
    w0 = item.boundingRect().width()
    hide = next(a for a in win.hide_menu.actions() if a.text() == "Palette")
    hide.setChecked(True)
    win.actions["presentation"].trigger()
    try:
        assert item.boundingRect().width() > w0
        assert not win.docks["Palette"].isVisible()
    finally:
        win.actions["presentation"].trigger()
    assert win.docks["Palette"].isVisible()
    assert item.boundingRect().width() == w0


def test_export_png_and_svg(qtbot, win, tmp_path):
    build_mlp(qtbot, win)
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    assert win.export_image(str(png)) and png.stat().st_size > 1000
    assert win.export_image(str(svg))
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]


def test_overlay_api_for_live_panels(qtbot, win):
    x, l1, relu, l2, loss, y = build_mlp(qtbot, win)
    node = win.scene.node_item(l1)
    node.set_highlight("#ff0000")
    node.set_heat(0.7)
    node.set_badge("NaN", "the loss became NaN")
    assert "the loss became NaN" in node.toolTip()
    edge = next(iter(win.scene.edge_items.values()))
    edge.set_style("#00aa00", 4)
    edge.set_value_text("0.25")
    assert isinstance(node, NodeItem) and isinstance(edge, EdgeItem)
    node.set_highlight(None)
    node.set_heat(None)
    node.set_badge(None)
    edge.set_value_text(None)


def test_lessons_menu_lists_and_opens_the_examples(win):
    actions = win.lesson_actions()
    files = win.example_files()
    assert [Path(a.toolTip()) for a in actions] == files
    if files:
        actions[0].trigger()
        assert win.document == fileformat.load(files[0])
        assert len(win.scene.node_items) == len(win.document.nodes)
        # An example is a template: Save asks for a name, never writes into the installed app.
        assert win.path is None and win.windowTitle().startswith(f"{files[0].name} (example)")
        before = files[0].read_bytes()
        win.scene.add_node("Linear", QPointF(0, 0))
        asked = []
        win.dialogs.save_file = lambda suggested, *a: asked.append(suggested) or ""
        assert not win.save() and asked == [files[0].name]
        assert files[0].read_bytes() == before


def test_help_menu(win):
    win.actions["shortcuts"].trigger()
    win.actions["about"].trigger()
    kinds = [(k, t) for k, t, _m in win.dialogs.shown]
    assert kinds == [("info", "Keyboard shortcuts"), ("info", "About NN Playground")]
    assert "Ctrl+Shift+Z" in win.dialogs.shown[0][2]


def test_screenshot_of_a_bad_file_fails_with_one_line(tmp_path, capsys):
    from playground.app import run_gui

    bad = tmp_path / "bad.nnpg"
    bad.write_text("{not json")
    assert run_gui(str(bad), 0, str(tmp_path / "x.png")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if line.startswith("playground:")]) == 1
    assert "bad.nnpg" in err[-1]


def test_screenshot_with_an_example(qtbot, tmp_path):
    """`playground gui FILE --screenshot out.png` renders headless and exits 0."""
    from PySide6.QtGui import QImage

    from playground.app import run_gui
    from playground.main_window import lessons_dir

    d = lessons_dir()
    examples = sorted(d.glob("*.nnpg")) if d else []
    if examples:
        source = examples[0]
    else:  # examples are written by another part of the project; fall back to ours
        source = tmp_path / "mlp.nnpg"
        source.write_text(json.dumps(_MLP_FILE))
    out = tmp_path / "shot.png"
    assert run_gui(str(source), 0, str(out)) == 0
    img = QImage(str(out))
    assert img.width() > 800 and img.height() > 500
    # Nodes were drawn: more than a handful of distinct colours in the canvas.
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 20


_MLP_FILE = {
    "format": "nn-playground", "version": 1,
    "graph": {
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [2]}, "pos": [0, 0]},
            {"id": "h", "type": "Linear", "params": {"in_features": 2, "out_features": 8}, "pos": [200, 0]},
            {"id": "a", "type": "ReLU", "params": {}, "pos": [400, 0]},
            {"id": "o", "type": "Linear", "params": {"in_features": 8, "out_features": 1}, "pos": [600, 0]},
            {"id": "y", "type": "Target", "params": {"shape": [1]}, "pos": [600, 120]},
            {"id": "loss", "type": "MSELoss", "params": {}, "pos": [800, 40]},
        ],
        "edges": [
            {"src": "x", "src_port": "out", "dst": "h", "dst_port": "input"},
            {"src": "h", "src_port": "out", "dst": "a", "dst_port": "input"},
            {"src": "a", "src_port": "out", "dst": "o", "dst_port": "input"},
            {"src": "o", "src_port": "out", "dst": "loss", "dst_port": "input"},
            {"src": "y", "src_port": "out", "dst": "loss", "dst_port": "target"},
        ],
        "settings": {"dataset": {"name": "reg-plane"}, "task": "regression"},
    },
}


def test_editing_inside_a_module_is_undoable_and_announced(qtbot, win):
    mod = group_a_linear(win)
    name = win.document.nodes[mod].params["module"]
    events = []
    win.document.subscribe(lambda ev: events.append((ev.kind, ev.name)))
    assert win.scene.open_node(mod)
    relu = add_via_palette(win, "ReLU")
    inner = win.document.modules[name].graph
    assert relu in inner.nodes and relu not in win.document.nodes
    assert ("module_changed", name) in events  # the root document hears about it
    win.actions["undo"].trigger()
    assert relu not in inner.nodes
    win.actions["up"].trigger()
    assert win.scene.graph is win.document


# ----- the notation, the status bar, problems inside modules, and the Deliver list ----------
def open_example(win, stem):
    """File > Lessons > <chapter> > <lesson>, as the menu offers it."""
    action = next(a for a in win.lesson_actions() if a.toolTip().endswith(f"{stem}.nnpg"))
    action.trigger()
    win.scene.validate_now()


def render_scene(win, rect: QRectF, scale=4.0):
    from PySide6.QtGui import QImage, QPainter

    img = QImage(int(rect.width() * scale), int(rect.height() * scale), QImage.Format_ARGB32)
    img.fill(0xFFFF00FF)
    painter = QPainter(img)
    win.scene.render(painter, QRectF(img.rect()), rect)
    painter.end()
    return img


def test_computed_variables_are_open_circles_with_their_shape(qtbot, win):
    from PySide6.QtGui import QColor

    from playground import theme

    open_example(win, "xor_mlp")
    hidden, x = win.scene.node_item("hidden"), win.scene.node_item("x")
    var = hidden.outputs["out"]
    # A function's output is a computed variable: a circle outside the box, on its outgoing side.
    assert var.variable and var.scenePos().x() > hidden.mapToScene(hidden.box_rect().topRight()).x()
    # An observed variable is itself the (shaded) circle: its port is a plain dot.
    assert not x.outputs["out"].variable and not hidden.inputs["input"].variable
    # Open: the inside is the background colour, the rim is the outline colour.
    c = var.scenePos()
    img = render_scene(win, QRectF(c.x() - 10, c.y() - 10, 20, 20))
    centre = QColor(img.pixel(img.width() // 2, img.height() // 2))
    assert centre == theme.current().port
    rim = QColor(img.pixel(img.width() // 2 + int(4 * 7.0), img.height() // 2 + 2))
    assert rim.lightness() < 120, rim.name()
    # Shaded: the Input circle is filled with the observed-variable colour.
    xc = x.scenePos()
    shaded = QColor(render_scene(win, QRectF(xc.x() - 5, xc.y() - 5, 10, 10)).pixel(20, 20))
    assert shaded == theme.current().fill_for("observed")
    # Labelled on hover with its name and inferred shape; the edge shows the same shape.
    assert "out" in var.toolTip() and "(N, 2)" in var.toolTip() and "computed variable" in var.toolTip()
    assert "(N, 2)" in hidden.inputs["input"].toolTip()
    edge = next(e for e in win.scene.edge_items.values() if e.edge.src == "hidden")
    assert edge.shape_text == "(N, 2)" and "(N, 2)" in edge.toolTip()
    edge.hoverEnterEvent(None)
    assert edge.hover  # painted with its shape label while hovered
    edge.hoverLeaveEvent(None)
    # View > Show Tensor Shapes labels every variable on the canvas.
    assert not win.scene.show_shapes
    win.actions["shapes"].trigger()
    assert win.scene.show_shapes and var.shape_text == "(N, 2)"
    assert win.scene.node_item("cost").outputs["out"].shape_text == "scalar"


def test_status_bar_follows_the_current_document(qtbot, win):
    stale = "the graph has no Input node: add one to feed the dataset's x"
    add_via_palette(win, "Linear")
    win.scene.validate_now()
    assert "error" in win.check_label.text()
    win.statusBar().showMessage(stale)  # what training said about the graph being edited
    open_example(win, "xor_mlp")
    assert stale not in win.statusBar().currentMessage()
    assert "graph is valid" in win.check_label.text()
    # A message about one version of the graph goes away with the next edit.
    win.statusBar().showMessage(stale)
    add_via_palette(win, "ReLU")
    assert win.statusBar().currentMessage() == ""
    # ...but a message caused by the edit itself (a refusal) stays.
    win.scene.select_nodes([])
    win.actions["copy"].trigger()
    assert win.statusBar().currentMessage() == "select the nodes to copy first"
    # A training failure that frames from a newer build have since outdated is cleared;
    # frames of the session that failed leave it to be read.
    runner = getattr(win, "runner", None)
    if runner is not None:
        runner.message.emit(stale)
        assert win.statusBar().currentMessage() == stale
        runner.frames_received += 20
        win._runner_redrawn(runner)
        assert win.statusBar().currentMessage() == stale
        runner.data_version += 1
        win._runner_redrawn(runner)
        assert win.statusBar().currentMessage() == ""


def test_problem_inside_a_module_shows_on_its_node_and_click_enters_it(qtbot, win):
    from playground.editor.problems import MODULE_ROLE, NODE_ROLE

    mod = group_a_linear(win)
    name = win.document.nodes[mod].params["module"]
    shared = win.scene.place_instance(True)
    assert win.scene.open_node(mod)
    relu = add_via_palette(win, "ReLU")  # unconnected inside the module: a problem in there
    win.scene.validate_now()
    assert win.scene.node_item(relu).problem  # badge inside
    win.actions["up"].trigger()
    win.scene.validate_now()
    # Both instances at the top level carry the badge, with the message on hover.
    for nid in (mod, shared):
        item = win.scene.node_item(nid)
        assert item.problem and f"Inside module '{name}'" in item.problem
        assert f"Inside module '{name}'" in item.toolTip()
    rows = [win.problems_list.item(i) for i in range(win.problems_list.count())]
    row = next(r for r in rows if r.data(NODE_ROLE) == relu)
    assert row.data(MODULE_ROLE) == name and row.text().startswith(f"{name} › {relu}")
    win.problems_list.itemClicked.emit(row)
    assert win.scene.graph is win.document.modules[name].graph
    assert win.breadcrumb.titles == ["Main", name] and win.scene.selected_node_ids() == [relu]
    # A top-level problem's row brings the view back out of the module.
    win.actions["up"].trigger()
    loose = add_via_palette(win, "Linear")
    win.scene.validate_now()
    assert win.scene.open_node(mod)
    win.scene.validate_now()
    top = next(r for r in (win.problems_list.item(i) for i in range(win.problems_list.count()))
               if r.data(NODE_ROLE) == loose and not r.data(MODULE_ROLE))
    win.problems_list.itemClicked.emit(top)
    assert win.scene.graph is win.document and win.scene.selected_node_ids() == [loose]


def test_keyboard_shortcuts_on_the_canvas(qtbot, win):
    win.activateWindow()
    a = add_via_palette(win, "ReLU")
    b = add_via_palette(win, "Tanh")
    win.view.setFocus()
    qtbot.waitUntil(lambda: win.view.hasFocus(), timeout=2000)
    win.scene.select_nodes([a])
    qtbot.keyClick(win.view, Qt.Key_D, Qt.ControlModifier)          # duplicate
    assert len(win.document.nodes) == 3
    qtbot.keyClick(win.view, Qt.Key_Delete)                        # delete the copy
    assert len(win.document.nodes) == 2
    qtbot.keyClick(win.view, Qt.Key_Z, Qt.ControlModifier)          # undo
    assert len(win.document.nodes) == 3
    qtbot.keyClick(win.view, Qt.Key_Y, Qt.ControlModifier)          # redo (Ctrl+Y)
    assert len(win.document.nodes) == 2
    qtbot.keyClick(win.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # nothing left to redo
    assert len(win.document.nodes) == 2
    win.scene.select_nodes([a])
    qtbot.keyClick(win.view, Qt.Key_C, Qt.ControlModifier)
    qtbot.keyClick(win.view, Qt.Key_V, Qt.ControlModifier)
    assert len(win.document.nodes) == 3
    qtbot.keyClick(win.view, Qt.Key_X, Qt.ControlModifier)
    assert len(win.document.nodes) == 2
    qtbot.keyClick(win.view, Qt.Key_L)                             # auto-layout: one layer, stacked
    assert win.document.nodes[a].pos[0] == win.document.nodes[b].pos[0] == 0.0
    assert abs(win.document.nodes[a].pos[1] - win.document.nodes[b].pos[1]) == 100.0
    win.view.set_zoom(3.0)
    qtbot.keyClick(win.view, Qt.Key_F)                             # fit
    assert win.view.zoom() < 3.0
    qtbot.keyClick(win.view, Qt.Key_A, Qt.ControlModifier)
    assert set(win.scene.selected_node_ids()) == {a, b}


def test_canvas_wheel_zoom_pan_rubber_band_and_minimap(qtbot, make_window):
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QWheelEvent

    win = make_window()
    win.resize(1400, 860)
    QApplication.processEvents()
    a, b = add_via_palette(win, "ReLU"), add_via_palette(win, "Tanh")
    far = add_via_palette(win, "Sigmoid")
    win.scene.node_item(far).setPos(2000, 2000)
    win.view.fit()
    vp = win.view.viewport()
    z = win.view.zoom()
    centre = P(vp.rect().center())
    wheel = QWheelEvent(centre, P(vp.mapToGlobal(vp.rect().center())), QPoint(0, 0), QPoint(0, 120),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(vp, wheel)
    assert win.view.zoom() > z
    before = win.view.center_scene_pos()
    qtbot.mousePress(vp, Qt.RightButton, pos=vp.rect().center())
    qtbot.mouseMove(vp, vp.rect().center() + QPoint(80, 40))
    qtbot.mouseRelease(vp, Qt.RightButton, pos=vp.rect().center() + QPoint(80, 40))
    assert win.view.center_scene_pos() != before  # panned
    # Rubber band: a left drag on empty canvas selects what it encloses.
    win.view.set_zoom(1.0)
    win.view.centerOn(win.scene.node_item(a))
    ra, rb = win.scene.node_item(a).sceneBoundingRect(), win.scene.node_item(b).sceneBoundingRect()
    box = ra.united(rb).adjusted(-30, -30, 30, 30)
    win.view.centerOn(box.center())
    win.scene.clearSelection()
    start, end = view_point(win, box.topLeft()), view_point(win, box.bottomRight())
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    qtbot.mouseMove(vp, (start + end) / 2)
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=end)
    assert set(win.scene.selected_node_ids()) == {a, b}
    # The minimap is there in the default window, and a click in it moves the view.
    mini = win.view.minimap
    assert mini.isVisible()
    qtbot.mouseClick(mini, Qt.LeftButton, pos=mini.from_scene(P(2000, 2000)).toPoint())
    assert (win.view.center_scene_pos() - P(2000, 2000)).manhattanLength() < 50
    win.actions["minimap"].trigger()
    assert not mini.isVisible()


def test_palette_drag_carries_the_type_and_a_drop_adds_it(qtbot, win):
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from playground.editor.view import NODE_MIME

    win.palette.search.setText("sigm")
    item = next(i for i in win.palette.type_items() if i.data(0, Qt.UserRole + 1) == "Sigmoid")
    assert not item.isHidden() and "Sigmoid" in win.palette.visible_types()
    assert "Linear" not in win.palette.visible_types()
    mime = win.palette.tree.mimeData([item])
    assert bytes(mime.data(NODE_MIME)).decode() == "Sigmoid"
    vp = win.view.viewport()
    at = vp.rect().center()
    enter = QDragEnterEvent(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, enter)  # what a real drag sends first
    assert enter.isAccepted()
    drop = QDropEvent(P(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, drop)
    (nid,) = win.document.nodes
    assert win.document.nodes[nid].type == "Sigmoid"
    dropped_at = win.view.mapToScene(at)
    assert abs(win.document.nodes[nid].pos[0] - dropped_at.x()) <= 10  # where it was dropped (snapped)


def test_inspector_widgets_come_from_the_registry(qtbot, win):
    from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QSpinBox

    lin = add_via_palette(win, "Linear")
    out = inspector_editor(win, lin, "out_features")
    assert isinstance(out, QSpinBox) and out.minimum() == 1
    assert "units" in out.toolTip()
    assert isinstance(inspector_editor(win, lin, "bias"), QCheckBox)
    drop = add_via_palette(win, "Dropout")
    p = inspector_editor(win, drop, "p")
    assert isinstance(p, QDoubleSpinBox) and (p.minimum(), p.maximum()) == (0.0, 1.0)
    assert "probability" in p.toolTip()
    p.setValue(5.0)  # out of range: clamped by the widget, never stored
    assert win.document.nodes[drop].params["p"] == 1.0
    # The training settings: dataset and its options, batch, optimizer and its
    # hyperparameters, schedule, seed, device.
    panel = win.training_panel
    for widget in ("dataset_combo", "batch_spin", "optimizer_combo", "optimizer_form", "schedule_combo",
                   "seed_spin", "device_combo"):
        assert getattr(panel, widget, None) is not None, widget
    panel.seed_spin.setValue(7)
    assert win.document.settings["seed"] == 7
    i = panel.schedule_combo.findData("StepLR") if panel.schedule_combo.findData("StepLR") >= 0 else 1
    win.training_panel.schedule_combo.setCurrentIndex(i)
    assert win.document.settings.get("schedule")


def test_every_kind_of_edit_is_one_undo_step(qtbot, win):
    x, l1, relu, l2, loss, y = build_mlp(qtbot, win)
    doc = win.document
    edge = next(e for e in doc.edges if e.src == l1)

    def disconnect():
        win.scene.clearSelection()
        win.scene.edge_item(edge).setSelected(True)
        win.actions["delete"].trigger()

    def connect():
        drag_link(qtbot, win, l1, "out", relu, "input")

    def group():
        win.scene.select_nodes([relu, l2])
        win.actions["group"].trigger()

    def ungroup():
        win.scene.select_nodes([m for m in doc.nodes if doc.nodes[m].type == "Module"])
        win.actions["ungroup"].trigger()

    def paste():
        win.scene.select_nodes([l1])
        win.actions["copy"].trigger()
        win.actions["paste"].trigger()

    edits = [("disconnect", disconnect), ("connect", connect),
             ("param", lambda: inspector_editor(win, l1, "out_features").setValue(5)),
             ("move", lambda: win.scene.push(__import__("playground.editor.commands", fromlist=["move"]).move,
                                             {x: (-300.0, 40.0)})),
             ("group", group), ("ungroup", ungroup), ("paste", paste),
             ("delete", lambda: (win.scene.select_nodes([y]), win.actions["delete"].trigger())),
             ("add", lambda: add_via_palette(win, "GELU"))]
    for what, edit in edits:
        before, depth = doc.to_dict(), win.undo_stack.count()
        edit()
        after = doc.to_dict()
        assert after != before, what
        assert win.undo_stack.count() == depth + 1, what
        win.actions["undo"].trigger()
        assert doc.to_dict() == before, what
        win.actions["redo"].trigger()
        assert doc.to_dict() == after, what
        assert set(win.scene.node_items) == set(win.scene.graph.nodes), what


@pytest.mark.parametrize("block", ["MixtureOfExperts", "AttentionModule", "MultiheadAttention", "TransformerBlock"])
def test_every_ready_made_block_opens_read_only(qtbot, win, block):
    nid = add_via_palette(win, block)
    qtbot.mouseDClick(win.view.viewport(), Qt.LeftButton,
                      pos=view_point(win, win.scene.node_item(nid).scenePos()))
    assert win.scene.read_only and len(win.scene.node_items) >= 3
    assert win.breadcrumb.titles == ["Main", f"{block} (read-only)"]
    win.breadcrumb.levelChosen.emit(0)
    assert win.scene.graph is win.document


def test_toolbar_autosave_interval_and_open_recent(qtbot, win, tmp_path):
    from playground.editor.autosave import AUTOSAVE_MS

    toolbar = [a.text() for a in win.toolbar.actions() if a.text()]
    assert toolbar[:4] == ["Run", "Pause", "Step", "Reset"]
    assert win.device_combo.findData("cpu") >= 0 and win.device_combo.findData("gpu") >= 0
    assert AUTOSAVE_MS == 30_000 and win.autosave_timer.interval() == 30_000 and win.autosave_timer.isActive()
    menus = {k: [a.text().replace("&", "") for a in m.actions() if a.text()] for k, m in win.menus.items()}
    for want in ("New", "Open…", "Open Recent", "Lessons", "Save", "Save As…", "Export Image…", "Quit"):
        assert want in menus["file"], want
    for want in ("Undo", "Redo", "Cut", "Copy", "Paste", "Duplicate", "Delete", "Select All"):
        assert any(t.startswith(want) for t in menus["edit"]), want
    for want in ("Zoom In", "Zoom Out", "Fit", "Presentation Mode", "Panels"):
        assert want in menus["view"], want
    add_via_palette(win, "ReLU")
    path = tmp_path / "r.nnpg"
    win.dialogs.answers["save_file"] = str(path)
    win.actions["save_as"].trigger()
    win.actions["new"].trigger()
    win.recent_menu.aboutToShow.emit()
    recent = next(a for a in win.recent_menu.actions() if a.text() == "r.nnpg")
    recent.trigger()
    assert win.path == str(path) and len(win.document.nodes) == 1


def test_a_name_typed_or_pasted_in_the_inspector_is_one_a_file_can_hold(win, tmp_path):
    """Label and weight-group fields keep to what the loader accepts (length, no control
    or direction-override characters), so the saved file always opens again."""
    from engine.graph.schema import MAX_NAME_LENGTH

    win.scene.add_node("Linear", QPointF(0, 0))
    (node_id,) = win.document.nodes
    win.scene.select_nodes([node_id])
    QApplication.processEvents()
    edit = win.inspector.label_edit
    edit.setText("hidden\tlayer\u202e" + "x" * (2 * MAX_NAME_LENGTH))
    edit.editingFinished.emit()
    win.inspector.tie_edit.setText("g\x1b[31m")
    win.inspector.tie_edit.editingFinished.emit()
    label, tie = win.document.nodes[node_id].label, win.document.nodes[node_id].tie
    assert len(label) <= MAX_NAME_LENGTH and label.startswith("hiddenlayerx") and tie == "g[31m"
    path = tmp_path / "named.nnpg"
    win.dialogs.answers["save_file"] = str(path)
    assert win.save_as()
    assert fileformat.load(path).nodes[node_id].label == label
