"""The app's ErrorHandler: what escapes a slot, an event handler or a thread reaches the user
as the command line reports it. A bug: autosave first, a report on disk, a dialog naming it,
the window and the work still there. The project's own bad input: its one line."""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QObject, QTimer  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground import app as app_module  # noqa: E402
from playground.app import BUG_TITLE, ErrorHandler  # noqa: E402
from playground.editor.dialogs import Dialogs, ScriptedDialogs  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402

#: the real error dialog, taken before the suite's fixture replaces it with a refusal
REAL_ERROR_DIALOG = Dialogs.error

XOR = Path(__file__).resolve().parents[2] / "assets" / "lessons" / "xor_mlp.nnpg"


@pytest.fixture
def reports(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    monkeypatch.setenv("NNPG_REPORT_DIR", str(folder))
    return folder


@pytest.fixture
def win(qtbot, tmp_path):
    w = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    qtbot.addWidget(w)
    assert w.open_file(str(XOR))
    w.show()
    return w


@pytest.fixture
def handler(win):
    h = ErrorHandler(win).install()
    yield h
    h.uninstall()


def _edit(win):
    """An unsaved change: the node the user just added (an undoable edit, as the palette's)."""
    assert win.scene.add_node("ReLU", (400, 400)) is not None
    assert win.is_dirty()
    return sorted(win.document.nodes)


def _raise_in_slot(exc):
    def slot():
        raise exc
    QTimer.singleShot(0, slot)


def _bug_dialogs(win):
    return [m for kind, title, m in win.dialogs.shown if kind == "error" and title == BUG_TITLE]


def test_a_bug_in_a_slot_autosaves_writes_a_report_and_keeps_the_work(qtbot, win, handler, reports):
    nodes = _edit(win)
    _raise_in_slot(KeyError("y"))
    qtbot.waitUntil(lambda: bool(_bug_dialogs(win)), timeout=5000)

    [message] = _bug_dialogs(win)
    first = message.splitlines()[0]
    assert "bug in NN Playground" in first and "KeyError: 'y'" in first
    [report] = sorted(reports.glob("bug-*.txt"))
    assert str(report) in first
    text = report.read_text()
    assert "Traceback" in text and "KeyError: 'y'" in text and "version:" in text
    assert "platform:" in text and "command line:" in text
    # the document is safe: still open, and autosaved before the report
    assert sorted(win.document.nodes) == nodes and win.isVisible() and win.is_dirty()
    assert "autosaved" in message
    assert sorted(fileformat.load(win.autosaver.file).nodes) == nodes


def test_the_same_bug_again_is_logged_not_reported_again(qtbot, win, handler, reports):
    def failing_paint():
        {}["y"]   # the same line each time, as a paint event failing on every frame
    for _ in range(3):
        QTimer.singleShot(0, failing_paint)
    qtbot.waitUntil(lambda: bool(_bug_dialogs(win)), timeout=5000)
    qtbot.wait(50)
    assert len(_bug_dialogs(win)) == 1
    assert len(list(reports.glob("bug-*.txt"))) == 1


def test_bad_input_escaping_a_slot_is_its_one_line_not_a_bug(qtbot, win, handler, reports):
    long_id = "n" * 5000
    _raise_in_slot(fileformat.LoadError(f"lesson.nnpg: graph.nodes[3]: label \x1b[2J,\nid '{long_id}'"))
    qtbot.waitUntil(lambda: bool(win.dialogs.shown), timeout=5000)
    [(kind, title, message)] = win.dialogs.shown
    assert kind == "error" and title != BUG_TITLE
    assert message.startswith("lesson.nnpg: graph.nodes[3]: label \\x1b[2J, id 'nnn")   # escaped, one line
    assert "\n" not in message and "\x1b" not in message
    assert len(message) < 500                     # capped; the full text is in the log
    assert long_id in (reports / "nn-playground.log").read_text()
    assert not list(reports.glob("bug-*.txt"))


def test_a_bug_in_a_python_thread_is_shown_in_the_gui_thread(qtbot, win, handler, reports):
    shown_in = []
    real_error = win.dialogs.error
    win.dialogs.error = lambda *a: (shown_in.append(threading.current_thread()), real_error(*a))

    def work():
        raise RuntimeError("worker fell over")
    t = threading.Thread(target=work)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(_bug_dialogs(win)), timeout=5000)
    assert shown_in == [threading.main_thread()]
    assert "RuntimeError: worker fell over" in _bug_dialogs(win)[0]


def test_a_failing_report_does_not_raise_into_the_hook(qtbot, win, handler, reports, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("cannot even report")
    monkeypatch.setattr(app_module.bugreport, "write_report", broken)
    seen = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *a: seen.append(a[0]))
    _raise_in_slot(KeyError("y"))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [RuntimeError]
    assert win.isVisible()


def test_uninstall_restores_the_previous_hooks(qapp):
    before = (sys.excepthook, threading.excepthook)
    h = ErrorHandler(QObject()).install()
    assert sys.excepthook != before[0]
    h.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


# ----- displayed text is escaped and capped ----------------------------------------
def test_node_and_edge_tooltips_show_user_text_as_text(qtbot, tmp_path, reports):
    g = fileformat.load(XOR)
    nid = next(iter(g.nodes))
    g.nodes[nid].label = "<img src='x'> & <b>bold</b>"
    path = tmp_path / "html.nnpg"
    fileformat.save(g, path)
    w = MainWindow(dialogs=ScriptedDialogs(), data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(w)
    assert w.open_file(str(path))
    item = w.scene.node_item(nid)
    tip = item.toolTip()
    assert "&lt;img src='x'&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in tip and "<img" not in tip
    item.set_problem("<script> node '" + "z" * 5000 + "' is wrong\nsecond problem")
    tip = item.toolTip()
    assert "&lt;script&gt; node 'zzz" in tip and "<script>" not in tip
    assert len(tip) < 2000 and "<br>second problem" in tip     # capped, each message its own line
    assert "z" * 5000 in (reports / "nn-playground.log").read_text()   # the full text


def test_the_inspector_breadcrumb_and_port_tooltips_show_user_text_as_text(qtbot, tmp_path):
    """The rich texts beside the tooltips: the inspector's title (label, type, id), the
    breadcrumb's level (a module's name) and a port's tooltip after validation (a port an
    unknown node type takes from its edge)."""
    from PySide6.QtWidgets import QLabel

    text = ('{"format": "nn-playground", "version": 1, "graph": {"nodes": ['
            '{"id": "a", "type": "<u>Mystery</u>"}, {"id": "b", "type": "ReLU", "label": "<img src=\'x\'>"}],'
            '"edges": [{"src": "b", "src_port": "out", "dst": "a", "dst_port": "<i>p</i>"}]}}')
    path = tmp_path / "html.nnpg"
    path.write_text(text, encoding="utf-8")
    w = MainWindow(dialogs=ScriptedDialogs(), data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(w)
    assert w.open_file(str(path))
    w.scene.validate_now()
    tip = w.scene.node_item("a").inputs["<i>p</i>"].toolTip()
    assert "&lt;i&gt;p&lt;/i&gt;" in tip and "<i>" not in tip
    for nid, shown in (("b", "<b>&lt;img src="), ("a", "&lt;u&gt;Mystery&lt;/u&gt;")):
        w.scene.select_nodes([nid])
        title = w.inspector.findChildren(QLabel)[0].text()
        assert shown in title and "<img" not in title and "<u>" not in title
    w.breadcrumb.set_levels(["Main", "<img src='x'>"])
    [level] = [lb.text() for lb in w.breadcrumb.findChildren(QLabel) if "img" in lb.text()]
    assert level.startswith("<b>&lt;img src=") and "<img" not in level


def test_the_error_dialog_shows_user_text_as_plain_capped_lines(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen = []

    def answer():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                seen.append((w.text(), w.textFormat()))
                w.accept()
                return
        QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    REAL_ERROR_DIALOG(Dialogs(None), "Cannot open", "<img src=x>\x1b[31m label\n" + "9" * 100_000)
    text, fmt = seen[0]
    first, second = text.split("\n")
    assert fmt == Qt.PlainText and first == "<img src=x>\\x1b[31m label"
    assert len(second) < 1000 and "more characters" in second


def test_a_bug_in_the_training_process_is_reported_like_one_here(qtbot, tmp_path, reports, monkeypatch):
    """The app trains in a process of its own: a bug there (an exception no handler
    caught) gets the same report and dialog, with the child's traceback in the report."""
    monkeypatch.setenv("NNPG_TRAINING", "process")
    w = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    qtbot.addWidget(w)
    assert w.open_file(str(XOR))
    w.show()
    h = ErrorHandler(w).install()
    try:
        qtbot.waitUntil(lambda: w.runner.snapshot is not None, timeout=30000)
        w.runner.process._send("stepN", ("not a number",))   # a request no handler expects
        qtbot.waitUntil(lambda: bool(_bug_dialogs(w)), timeout=10000)
    finally:
        h.uninstall()
    [message] = _bug_dialogs(w)
    assert "ValueError" in message.splitlines()[0]
    [report] = sorted(reports.glob("bug-*.txt"))
    text = report.read_text()
    assert "in the training process" in text and "stepN" in text and "runner.py" in text
    w.runner.step_n(5)   # and training goes on
    qtbot.waitUntil(lambda: w.runner.snapshot.step == 5, timeout=10000)
    w.close()
