"""Presentation mode (issue 20): full screen, the canvas with the lesson and its panels only,
every panel's plot text, lines and markers scaled by one mechanism (Panel.apply_theme), tabs
never cut, and Esc restores the previous layout exactly. Also: long lessons are folded so
that fit-to-view stays readable."""
from __future__ import annotations

import json

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

from playground import theme as themes
from playground.editor.dialogs import ScriptedDialogs
from playground.main_window import MainWindow, lessons_dir
from playground.panels import LAYOUT
from playground.panels.base import text_scale


def plot_sizes(panel) -> dict:
    """Every size restyle scales, keyed by the item and what it is: tick and label fonts,
    titles, line widths, marker sizes."""
    sizes = {}
    for view in panel.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item.parentItem(), pg.PlotDataItem):
                continue
            if isinstance(item, pg.AxisItem) and item.style["tickFont"] is not None:
                sizes[(id(item), "tick")] = item.style["tickFont"].pointSizeF()
            elif isinstance(item, pg.LabelItem) and item.text:
                sizes[(id(item), "text")] = float(str(item.opts["size"]).rstrip("pt"))
            elif isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem)) and hasattr(item.opts.get("pen"), "widthF"):
                if item.opts["pen"].widthF() > 0:
                    sizes[(id(item), "pen")] = item.opts["pen"].widthF()
            elif isinstance(item, pg.ScatterPlotItem):
                sizes[(id(item), "size")] = float(item.opts["size"])
    return sizes


def layout_of(win) -> dict:
    """Each dock: shown, its area, the docks tabbed with it, floating (not its pixel size)."""
    return {d.objectName(): (d.isVisible(), win.dockWidgetArea(d), d.isFloating(),
                             sorted(t.objectName() for t in win.tabifiedDockWidgets(d)))
            for d in win.findChildren(QDockWidget)}


def test_every_panel_scales_its_plots_and_leaving_restores_them(lesson_window):
    win = lesson_window("xor_mlp.nnpg", steps=30)
    scale = themes.Theme(presentation=True).plot_scale
    assert scale >= 1.5
    every = {cls.name for cls, _area, _group in LAYOUT} | {"timeline"}
    assert every <= set(win.panels)
    before = {name: plot_sizes(win.panels[name]) for name in every}
    with_plots = [name for name, sizes in before.items() if sizes]
    assert len(with_plots) >= 12, with_plots   # the walk sees the plots of nearly every panel
    win.set_presentation(True)
    win.runner.redraw_now()
    QApplication.processEvents()
    grown = set()
    for name in with_plots:
        now = plot_sizes(win.panels[name])
        kinds = set()
        for key, size in before[name].items():
            if key in now:
                grew = text_scale(scale) if key[1] == "text" else scale   # titles, legends: less
                assert now[key] == pytest.approx(size * grew, rel=0.02), (name, key[1], size, now[key])
                kinds.add(key[1])
        assert kinds, name
        grown.update(kinds)
    assert {"tick", "text", "pen", "size"} <= grown   # fonts, titles, lines and markers
    win.set_presentation(False)
    for name in with_plots:
        now = plot_sizes(win.panels[name])
        for key, size in before[name].items():
            if key in now:
                assert now[key] == pytest.approx(size), (name, key[1])


def test_a_refresh_in_presentation_mode_keeps_the_scale_without_compounding(lesson_window):
    win = lesson_window("xor_mlp.nnpg", steps=10)
    loss = win.panels["loss"]
    base = loss.curves["train_loss"].opts["pen"].widthF()
    win.set_presentation(True)
    win.train_hook(5)
    QApplication.processEvents()
    first = {name: plot_sizes(panel) for name, panel in win.panels.items()}
    for steps in (5, 5):   # refreshes re-set pens and titles, create curves: scaled once, not again
        win.train_hook(steps)
        for panel in win.panels.values():
            panel.apply_theme()
        QApplication.processEvents()
        assert loss.curves["train_loss"].opts["pen"].widthF() == pytest.approx(
            base * themes.current().plot_scale)
        for name, panel in win.panels.items():
            now = plot_sizes(panel)
            assert {k: v for k, v in now.items() if k in first[name]} == pytest.approx(
                {k: v for k, v in first[name].items() if k in now}), name


def test_restyling_what_is_styled_already_sets_nothing(lesson_window, monkeypatch):
    """Presentation mode restyles the shown panels after every refresh; a restyle that finds
    every size as it left it calls no setter (each one repaints, and a new axis style lays
    the plot out again: restyling everything at every frame had cost 6 frames/s)."""
    win = lesson_window("xor_mlp.nnpg", steps=30)
    win.set_presentation(True)
    win.runner.redraw_now()
    QApplication.processEvents()
    for panel in win.panels.values():
        panel.apply_theme()
    calls = []
    for cls, name in ((pg.AxisItem, "setStyle"), (pg.LabelItem, "setText"), (pg.TextItem, "setFont"),
                      (pg.PlotDataItem, "setPen"), (pg.PlotDataItem, "setSymbolSize"),
                      (pg.PlotCurveItem, "setPen"), (pg.ScatterPlotItem, "setSize"),
                      (pg.AxisItem, "_updateLabel")):
        original = getattr(cls, name)
        monkeypatch.setattr(cls, name, lambda self, *a, _o=original, _n=name, **k: (
            calls.append((type(self).__name__, _n)), _o(self, *a, **k))[1])
    for panel in win.panels.values():
        panel.apply_theme()
    assert calls == []
    loss = win.panels["loss"]   # a pen a refresh sets anew is scaled again
    loss.curves["train_loss"].setPen(pg.mkPen("r", width=2))
    loss.apply_theme()
    assert loss.curves["train_loss"].opts["pen"].widthF() == pytest.approx(2 * themes.current().plot_scale)


def test_presentation_is_full_screen_with_the_lesson_and_its_panels_only(lesson_window):
    win = lesson_window("deep_sigmoid.nnpg")
    layout, geometry = layout_of(win), win.geometry()
    font = QApplication.font().pointSizeF()
    win.set_presentation(True)
    QApplication.processEvents()
    assert win.isFullScreen()
    lesson_panels = {p["panel"] for p in win.document.lesson["panels"]}
    shown = {d for d in win.findChildren(QDockWidget) if d.isVisible()}
    assert {getattr(d, "name", None) for d in shown} - {None} == lesson_panels
    assert win.lesson_pane in shown and not win.docks["Palette"].isVisible()
    assert QApplication.font().pointSizeF() == pytest.approx(font * themes.current().plot_scale)
    for bar in win.findChildren(QTabBar):
        if bar.isVisible():
            assert bar.elideMode() == Qt.ElideNone
            for i in range(bar.count()):   # the whole title fits its tab
                assert bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i))
    win.activateWindow()
    QApplication.processEvents()
    win.actions["leave_presentation"].trigger()   # what Esc does (its shortcut)
    for _ in range(3):
        QApplication.processEvents()
    assert not win.isFullScreen() and not themes.current().presentation
    assert layout_of(win) == layout and win.geometry() == geometry
    assert QApplication.font().pointSizeF() == pytest.approx(font)


def test_presentation_keys(qtbot, lesson_window):
    win = lesson_window("perceptron_and.nnpg")
    keys = [s.toString() for s in win.actions["presentation"].shortcuts()]
    assert {"Ctrl+Shift+P", "F5"} <= set(keys)
    assert [s.toString() for s in win.actions["leave_presentation"].shortcuts()] == ["Esc"]
    assert not win.actions["leave_presentation"].isEnabled()   # Esc is free outside it
    win.set_presentation(True)
    assert win.actions["leave_presentation"].isEnabled()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    qtbot.keyClick(win.view, Qt.Key_Escape)   # one key back, even with the canvas focused
    assert not themes.current().presentation and not win.isFullScreen()
    qtbot.keyClick(win.view, Qt.Key_F5)
    assert themes.current().presentation


def test_without_a_lesson_it_shows_the_view_in_front_and_the_loss(qtbot, tmp_path):
    from tests.gui._panel_support import example

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path, autosave=False)
    qtbot.addWidget(win)
    win.show()
    graph = example("xor_mlp")
    graph.lesson = None
    win._replace_document(graph, None)
    QApplication.processEvents()
    win.panels["boundary"].raise_()
    QApplication.processEvents()
    try:
        names = [getattr(d, "name", None) for d in win.presentation_docks()]
        assert names == ["boundary", "loss"]
    finally:
        win.set_presentation(False)


def test_long_flat_lessons_are_folded_so_fit_to_view_stays_readable():
    """No shipped lesson is drawn wider than _drawing.WRAP_COLUMNS columns in one flat band
    (the 10-layer lessons were 11 columns: fitted at 23-31 %)."""
    import sys

    sys.path.insert(0, str(lessons_dir() / "src"))
    from _drawing import COL, FLAT, ROW, WRAP_COLUMNS

    for path in sorted(lessons_dir().glob("*.nnpg")):
        document = json.loads(path.read_text(encoding="utf-8"))
        nodes = document.get("nodes") or document["graph"]["nodes"]
        nodes = nodes.values() if isinstance(nodes, dict) else nodes
        xs, ys = [n["pos"][0] for n in nodes], [n["pos"][1] for n in nodes]
        columns = round((max(xs) - min(xs)) / COL) + 1
        assert columns <= WRAP_COLUMNS or (max(ys) - min(ys)) / ROW > FLAT, path.name


def test_folding_keeps_the_graph_and_moves_only_positions():
    import sys

    sys.path.insert(0, str(lessons_dir() / "src"))
    from _drawing import COL, Drawing, fold_long_rows, settings

    d = Drawing(settings("chain", {"name": "xor"}, {"name": "SGD", "lr": 0.1}, 10))
    ids = [d.node(f"n{i}", "ReLU", i) for i in range(14)]
    d.chain(*ids)
    edges = list(d.graph.edges)
    folded = fold_long_rows(d.graph)
    assert list(folded.edges) == edges
    xs = sorted({round(n.pos[0] / COL) for n in folded.nodes.values()})
    ys = sorted({n.pos[1] for n in folded.nodes.values()})
    assert len(xs) < 14 and len(ys) >= 2   # columns folded into bands
    order = sorted(folded.nodes.values(), key=lambda n: (n.pos[1], n.pos[0]))
    assert [n.id for n in order] == ids   # read like text: left to right, band after band
