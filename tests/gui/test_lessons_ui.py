"""Lessons in the app (issue 14): the start page, the lesson pane and its goals checklist,
the page buttons (undoable), the classroom speed and the step limit."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine.lessons  # noqa: E402
from engine.graph import fileformat  # noqa: E402
from playground.editor import commands  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.invariants import check_window  # noqa: E402
from playground.lesson.goals import MET, NOT_MET, PENDING  # noqa: E402
from playground.lesson.pane import rich_text  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402
from playground.panels.controls import DEFAULT_SPEED, slider_for_speed, speed_from_slider  # noqa: E402
from tests.gui._panel_support import EXAMPLES, mlp_graph, worker_speed, worker_step  # noqa: E402


def xor_lesson(steps=150, speed=40, goals=None, pages=None, chapter="mlp", order=1, title="XOR"):
    """The course's 2-2-1 XOR network (a tanh hidden layer) as a small lesson."""
    g = fileformat.load(EXAMPLES / "xor_mlp.nnpg")
    g.settings["steps"] = steps
    g.lesson = {
        "chapter": chapter, "order": order, "speed": speed,
        "title": {"en": title, "it": title + " (it)"},
        "summary": {"en": f"{title}: a summary", "it": "un riassunto"},
        "panels": [{"panel": "gradflow"}, {"panel": "weights"}],
        "pages": pages or [
            {"text": {"en": "Press **Play** and watch.\n\nWhat bends the plane?", "it": "Premi **Play**."},
             "actions": [{"do": "train", "steps": 20},
                         {"do": "replace_node", "node": "tanh", "type": "ReLU"},
                         {"do": "set_setting", "key": "optimizer.lr", "value": 0.5},
                         {"do": "set_param", "node": "hidden", "param": "out_features", "value": 4},
                         {"do": "show_panel", "panel": "loss"}]},
            {"text": {"en": "The second page.", "it": "La seconda pagina."}}],
        "goals": goals if goals is not None else [
            {"id": "falls", "text": {"en": "the loss falls below 0.69", "it": "..."},
             "metric": "loss", "op": "<", "value": 0.69, "when": "by"},
            {"id": "never", "text": {"en": "an impossible goal", "it": "..."},
             "metric": "train_acc", "op": ">", "value": 1.0, "when": "by"},
            {"id": "small", "text": {"en": "above 10 % with at most 2 hidden units", "it": "..."},
             "metric": "train_acc", "op": ">=", "value": 0.1, "when": "by", "challenge": True,
             "limits": [{"node": "hidden", "param": "out_features", "max": 2}]},
            {"id": "vs_linear", "text": {"en": "the loss against a linear hidden layer", "it": "..."},
             "metric": "loss", "op": "<", "value": 100.0, "when": "end",
             "variant": {"changes": [{"do": "replace_node", "node": "tanh", "type": "Identity"}]}}]}
    return g


def write(graph, folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.nnpg"
    fileformat.save(graph, path)
    return path


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make():
        win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
        qtbot.addWidget(win)
        win.resize(1300, 850)
        win.show()
        QApplication.processEvents()
        return win
    return make


@pytest.fixture
def lesson_window(make_window, tmp_path, qtbot):
    win = make_window()
    assert win.open_file(str(write(xor_lesson(), tmp_path, "xor_lesson")))
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=15000)
    return win


def button(pane, do):
    (b,) = [b for b, a in zip(pane.action_buttons, pane.pages()[pane.page]["actions"]) if a["do"] == do]
    return b


# ----- the start page ----------------------------------------------------------------------
def covered(win) -> bool:
    """The start page is on screen over the canvas and the docks (they keep their layout)."""
    page = win.start_page
    if page is None or not page.isVisible():
        return False
    area = page.geometry()
    return all(area.contains(w.geometry()) for w in (win.centralWidget(), win.docks["Palette"],
                                                      win.docks["Problems"]))

def test_an_empty_start_shows_every_lesson_grouped_by_chapter(qtbot, tmp_path, monkeypatch):
    """What `playground` without a file shows: the start page, listing every lesson of the
    lessons folder under its chapter, chapters in course order, lessons by their order."""
    from playground import app

    folder = tmp_path / "lessons"
    folder.mkdir()
    # written out of order: the page sorts them
    write(xor_lesson(chapter="vanishing", title="Deep"), folder, "a_deep")
    write(xor_lesson(chapter="mlp", order=2, title="Second"), folder, "b_second")
    write(xor_lesson(chapter="mlp", order=1, title="First"), folder, "c_first")
    write(mlp_graph((2, 3, 1)), folder, "d_plain")   # no lesson section: offered apart
    monkeypatch.setattr(engine.lessons, "lessons_dir", lambda: folder)

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                     autosave=False)
    qtbot.addWidget(win)
    shot = tmp_path / "start.png"
    assert app._show(QApplication.instance(), win, None, 0, str(shot), app.ErrorHandler(win)) == 0
    assert shot.exists() and win.start_page_shown()
    page = win.start_page
    assert page.chapters_shown() == ["3. Multi-layer perceptrons", "15. Vanishing gradients"]
    assert [Path(c.path).name for c in page.cards] == ["c_first.nnpg", "b_second.nnpg", "a_deep.nnpg"]
    assert [c.title.text() for c in page.cards] == ["First", "Second", "Deep"]
    assert page.cards[0].summary.text() == "First: a summary"
    assert all(not c.picture.pixmap().isNull() for c in page.cards)   # the graph's picture
    # File > Lessons lists the same, by chapter, and the file without a lesson too
    assert [Path(a.toolTip()).name for a in win.lesson_actions()] == [
        "c_first.nnpg", "b_second.nnpg", "a_deep.nnpg", "d_plain.nnpg"]


def test_the_start_page_lists_every_shipped_lesson(make_window):
    """Every shipped file is offered: a lesson as a card under its chapter (in the catalog's
    course order), anything else among the other examples."""
    win = make_window()
    win.show_start_page()
    assert win.start_page_shown() and covered(win)
    page = win.start_page
    shipped = sorted(EXAMPLES.glob("*.nnpg"))
    assert shipped
    cards = [Path(c.path) for c in page.cards]
    assert cards == [e.path for e in engine.lessons.catalog()]
    others = {Path(b.toolTip()) for b in page.findChildren(type(page.new_button)) if b.toolTip().endswith(".nnpg")}
    assert {p.resolve() for p in cards} | {p.resolve() for p in others} >= {p.resolve() for p in shipped}


def test_start_page_new_and_open_go_to_the_canvas(make_window, tmp_path):
    win = make_window()
    win.show_start_page()
    win.start_page.newRequested.emit()
    assert not win.start_page_shown() and not covered(win)
    path = write(xor_lesson(), tmp_path, "x")
    win.show_start_page()
    win.start_page.openRequested.emit(str(path))
    assert not win.start_page_shown() and win.document.lesson["title"]["en"] == "XOR"
    assert check_window(win) == []
    # File > Lessons shows it again, with the file among the recent ones and a way back
    win.lesson_actions()
    win.lessons_menu.actions()[0].trigger()
    assert covered(win) and win.start_page.back_button.isVisibleTo(win.start_page)
    assert win.new_file() and not win.document.nodes
    win.show_start_page()
    (recent,) = [b for b in win.start_page.recent_buttons if b.toolTip() == str(path)]
    recent.click()
    assert not covered(win) and win.document.lesson is not None


# ----- the lesson pane ---------------------------------------------------------------------
def test_opening_a_lesson_shows_its_text_goals_speed_and_panels(lesson_window):
    win = lesson_window
    pane = win.lesson_pane
    assert pane.isVisible()
    assert pane.title_label.text() == "XOR"
    assert pane.chapter_label.text() == "Chapter 3 · Multi-layer perceptrons"
    assert pane.text.toPlainText() == "Press Play and watch.\nWhat bends the plane?"
    assert rich_text("Press **Play** & <watch>.\n\nNext") == "<p>Press <b>Play</b> &amp; &lt;watch&gt;.</p><p>Next</p>"
    assert [b.text() for b in pane.action_buttons][0] == "▶ Train 20 steps"
    assert len(pane.action_buttons) == 5
    assert pane.goal_states() == {"falls": PENDING, "never": PENDING, "small": PENDING, "vs_linear": PENDING}
    assert pane.goal_labels["small"].styleSheet()   # a challenge looks different
    assert not pane.goal_labels["falls"].styleSheet()
    # the classroom speed, and the lesson's first panel in front of its tab group
    assert win.panels["controls"].speed_label.text() == "40 steps/s"
    assert worker_speed(win.runner) == 40
    assert win.panels["gradflow"].isVisible()
    pane.next_button.click()
    assert pane.page == 1 and pane.text.toPlainText() == "The second page." and not pane.action_buttons
    assert check_window(win) == []
    # a plain graph: no pane, the watchable default speed
    assert win.new_file()
    assert pane.isHidden() and win.panels["controls"].steps_per_s == DEFAULT_SPEED
    assert check_window(win) == []


def test_page_buttons_change_the_document_undoably(lesson_window, qtbot):
    win = lesson_window
    pane, doc = win.lesson_pane, win.document
    before = doc.to_dict()
    button(pane, "replace_node").click()
    assert doc.nodes["tanh"].type == "ReLU"
    assert {(e.src, e.dst) for e in doc.edges_of("tanh")} == {("hidden", "tanh"), ("tanh", "output")}
    button(pane, "set_setting").click()
    assert doc.settings["optimizer"] == {**before["settings"]["optimizer"], "lr": 0.5}
    button(pane, "set_param").click()
    assert doc.nodes["hidden"].params["out_features"] == 4
    assert win.is_dirty() and check_window(win) == []
    for _ in range(3):
        win.actions["undo"].trigger()
    assert doc.to_dict() == before
    assert check_window(win) == []
    # a node the student deleted: the button says why instead of failing
    win.scene.select_nodes(["hidden"])
    win.scene.delete_selected()
    assert not pane.run_action({"do": "set_param", "node": "hidden", "param": "out_features", "value": 3})
    assert "hidden" in win.statusBar().currentMessage()
    # train and show_panel
    win.lesson_pane.go(0)
    with qtbot.waitSignal(win.runner.reset_done, timeout=10000):   # the graph is back, recompiled
        win.actions["undo"].trigger()
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=10000)
    button(pane, "show_panel").click()
    assert win.panels["loss"].isVisible()
    step = win.runner.snapshot.step
    t0 = time.perf_counter()
    with qtbot.waitSignal(win.runner.runningChanged, timeout=5000):   # it plays ...
        button(pane, "train").click()
    qtbot.waitUntil(lambda: not win.runner.running, timeout=15000)
    # ... exactly the steps asked for, at the lesson's 40 steps/s (a burst of at most 11)
    assert win.runner.snapshot.step == step + 20 == worker_step(win.runner)
    assert time.perf_counter() - t0 >= (20 - 11) / 40


def test_the_checklist_ticks_while_training(lesson_window, qtbot):
    """Goals are decided by the engine's tracker in the worker while Play runs: a `by` goal
    ticks, an impossible one is not met at the lesson's end, the challenge shows its success,
    the variant goal is decided after its variant run."""
    win = lesson_window
    pane = win.lesson_pane
    win.panels["controls"].set_speed(0)
    win.actions["run"].trigger()
    qtbot.waitUntil(lambda: pane.goal_states()["falls"] == MET, timeout=20000)
    qtbot.waitUntil(lambda: not win.runner.running, timeout=20000)
    qtbot.waitUntil(lambda: pane.goal_states()["vs_linear"] != PENDING, timeout=20000)
    assert pane.goal_states() == {"falls": MET, "never": NOT_MET, "small": MET, "vs_linear": MET}
    assert pane.success.isVisible() and "above 10 %" in pane.success.text()
    assert "(" in pane.goal_labels["falls"].text()   # the measured value
    # Reset: a new run, every goal pending again
    win.actions["reset"].trigger()
    qtbot.waitUntil(lambda: set(pane.goal_states().values()) == {PENDING}, timeout=15000)
    assert not pane.success.isVisible()


def test_the_live_checklist_agrees_with_the_headless_check():
    """The worker's tracker (fed step by step as the app trains) and `playground train
    --check` decide every goal alike, with the same values."""
    from engine.lessons.goals import check_lesson
    from engine.train import Session
    from playground.lesson.goals import LiveGoals

    g = xor_lesson()
    headless = check_lesson(g.copy(), checking=False)
    session, live = Session.from_graph(g.copy()), LiveGoals(g.copy())
    while session.step_count < g.settings["steps"]:
        live.update(session, session.step())
    assert [(s.id, s.status, s.value) for s in live.states()] == \
        [(s.id, s.status, s.value) for s in headless]
    assert {s.status for s in headless} == {MET, NOT_MET}


def test_a_challenge_over_its_limits_is_not_met(make_window, tmp_path, qtbot):
    g = xor_lesson(goals=[{"id": "small", "text": {"en": "with at most 1 hidden unit"}, "challenge": True,
                           "metric": "train_acc", "op": ">=", "value": 0.1, "when": "by",
                           "limits": [{"node": "hidden", "param": "out_features", "max": 1}]}])
    win = make_window()
    assert win.open_file(str(write(g, tmp_path, "c")))
    qtbot.waitUntil(lambda: win.runner.snapshot is not None, timeout=15000)
    win.runner.step_n(60)
    qtbot.waitUntil(lambda: win.lesson_pane.goal_states()["small"] != PENDING, timeout=15000)
    assert win.lesson_pane.goal_states()["small"] == NOT_MET and not win.lesson_pane.success.isVisible()
    assert "more than 1" in win.lesson_pane.goal_labels["small"].text()   # says which limit



def test_the_problems_list_shows_what_playground_check_says_of_the_lesson(make_window, tmp_path):
    """A goal naming no metric is refused by `playground check`; the app must say so too,
    not show "No problems found" beside a checklist that never ticks."""
    g = xor_lesson(goals=[{"id": "typo", "text": {"en": "a typo"}, "metric": "tets_acc",
                           "op": ">", "value": 0.5, "when": "by"}])
    win = make_window()
    assert win.open_file(str(write(g, tmp_path, "typo")))
    problems = win.scene.validate_now()
    (lesson,) = [p.message for p in problems if p.kind == "lesson"]
    assert lesson.startswith("lesson.goals[0].metric: 'tets_acc' is not a metric")
    assert win.problems_list.count() >= 1 and "tets_acc" in win.problems_list.item(0).text()


def test_a_lesson_whose_panel_options_are_refused_still_opens_and_says_why(make_window, tmp_path, qtbot):
    """Panel options are the panel's to read (`playground check` cannot): a value it refuses
    is a status-bar line naming the panel, never a traceback, and the lesson opens."""
    g = xor_lesson()
    g.lesson["panels"] = [{"panel": "init", "options": {"depth": "deep"}}, {"panel": "no_such_panel"}]
    g.lesson["pages"][0]["actions"] = [{"do": "show_panel", "panel": "init", "options": {"width": "wide"}}]
    win = make_window()
    assert win.open_file(str(write(g, tmp_path, "options")))
    assert win.lesson_pane.isVisible() and win.lesson_pane.title_label.text() == "XOR"
    qtbot.waitUntil(lambda: "'init'" in win.statusBar().currentMessage(), timeout=5000)
    assert "deep" in win.statusBar().currentMessage() and "no_such_panel" in win.statusBar().currentMessage()
    assert not win.lesson_pane.run_action(win.lesson_pane.pages()[0]["actions"][0])
    assert "'init'" in win.statusBar().currentMessage() and "wide" in win.statusBar().currentMessage()


# ----- classroom speed and the step limit ---------------------------------------------------
def test_play_stops_at_settings_steps_and_goes_on_when_asked(make_window, tmp_path, qtbot):
    g = mlp_graph((2, 3, 1), n_samples=100)
    g.settings["steps"] = 120
    win = make_window()
    assert win.open_file(str(write(g, tmp_path, "plain")))
    runner, controls = win.runner, win.panels["controls"]
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=15000)
    controls.set_speed(300)   # a classroom speed: Play is throttled
    with qtbot.waitSignal(runner.limitReached, timeout=20000):
        win.actions["run"].trigger()
    qtbot.waitUntil(lambda: not runner.running and runner.snapshot.step == 120, timeout=5000)
    assert worker_step(runner) == 120
    assert "120" in controls.limit_label.text() and controls.limit_label.isVisible()
    # Play again: on beyond the file's steps, and the panel says so
    controls.set_speed(0)
    with qtbot.waitSignal(runner.limitLifted, timeout=5000):
        win.actions["run"].trigger()
    qtbot.waitUntil(lambda: runner.snapshot.step > 200, timeout=20000)
    win.actions["pause"].trigger()
    assert "beyond step 120" in controls.limit_label.text()
    # Reset: the limit again
    controls.reset()
    qtbot.waitUntil(lambda: runner.snapshot is not None and runner.snapshot.step == 0, timeout=15000)
    with qtbot.waitSignal(runner.limitReached, timeout=20000):
        win.actions["run"].trigger()
    assert worker_step(runner) == 120


def test_the_speed_control_shows_steps_per_second(make_window):
    win = make_window()
    controls = win.panels["controls"]
    assert controls.speed_label.text() == f"{DEFAULT_SPEED:g} steps/s"   # not "max"
    controls.set_speed(30)
    assert controls.speed_label.text() == "30 steps/s" and controls.steps_per_s == 30
    controls.speed.setValue(slider_for_speed(1000))
    assert controls.speed_label.text() == f"{speed_from_slider(slider_for_speed(1000)):g} steps/s"
    controls.speed.setValue(controls.speed.maximum())
    assert controls.speed_label.text() == "max" and controls.steps_per_s == 0
    for sps in (2, 7, 30, 250, 2900):
        assert abs(speed_from_slider(slider_for_speed(sps)) / sps - 1) < 0.06   # a slider notch is 8 %


# ----- the command behind replace_node ----------------------------------------------------------
def test_replacing_a_node_type_keeps_the_links_whose_ports_remain(qapp):
    g = fileformat.load(EXAMPLES / "xor_mlp.nnpg")
    before = g.to_dict()
    stack = QUndoStack()
    stack.push(commands.replace_node_type(g, "tanh", "LeakyReLU"))
    assert g.nodes["tanh"].type == "LeakyReLU" and list(g.nodes) == [n["id"] for n in before["nodes"]]
    assert [e.to_dict() for e in g.edges] == before["edges"]
    stack.push(commands.replace_node_type(g, "hidden", "Add"))   # port "inputs": the "input" link goes
    assert {(e.src, e.dst_port) for e in g.edges if e.dst == "hidden"} == set()
    assert [(e.src, e.dst) for e in g.edges_out_of("hidden")] == [("hidden", "tanh")]
    stack.undo()
    stack.undo()
    assert g.to_dict() == before
    with pytest.raises(ValueError):
        commands.replace_node_type(g, "tanh", "NoSuchType")


