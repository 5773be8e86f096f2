"""The app in Italian (issue 17): every text of the main window, with a lesson open and
trained a few steps, goes through the translator; the Language menu is remembered.

The check walks every widget, menu, action, tooltip, dock, tab, list, plot title, axis
label and legend of the window and flags a text holding an English word: a word of the
catalogs' English sources that no Italian translation uses ("step", "the", "weights"; not
"loss", "batch" or "bias", which the Italian keeps). Names are not words to translate:
node types and their settings, datasets, optimizers, and what the open file names.
"""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("babel", reason="Babel reads the catalogs: install '.[i18n]' (make does)")
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QDoubleSpinBox, QGroupBox,  # noqa: E402
                               QLabel, QLineEdit, QListWidget, QMenu, QSpinBox, QTabBar, QTextEdit,
                               QTreeWidget, QWidget)

from engine import i18n as engine_i18n  # noqa: E402
from playground import i18n  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.main_window import MainWindow, lessons_dir  # noqa: E402

LESSON = "xor_mlp.nnpg"
#: words people read unchanged in Italian that the catalogs' translations happen not to use
ALLOWED = {"nn", "playground", "english", "cpu", "gpu", "png", "svg", "csv", "nan", "lr", "max", "min", "id"}
TOKEN = re.compile(r"[\w'’]+")


def _words(text: str) -> set:
    """The plain lowercase words of ``text``: identifiers (with _ or digits) and CamelCase
    names (ReLU, BCEWithLogitsLoss) are names, not words."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text or "")).replace("&", "")
    text = re.sub(r"\S*[/\\]\S*", " ", text)   # paths: the user's folders and files
    out = set()
    for token in TOKEN.findall(text):
        if "_" in token or any(c.isdigit() for c in token):
            continue
        for word in re.split(r"['’]", token):
            if len(word) > 1 and not any(c.isupper() for c in word[1:]):
                out.add(word.lower())
    return out


@pytest.fixture(scope="module")
def english_only():
    """Words of the English sources that no Italian translation uses."""
    from babel.messages.pofile import read_po

    english, italian = set(), set()
    with open(i18n.po_path("it"), "rb") as f:
        for m in read_po(f):
            if m.id and isinstance(m.id, str):
                english |= _words(m.id)
                italian |= _words(m.string)
    for message in ET.parse(i18n.ts_path("it")).getroot().iter("message"):
        english |= _words(message.findtext("source"))
        italian |= _words(message.findtext("translation"))
    for lesson in lessons_dir().glob("*.nnpg"):   # lesson titles, in menus: "saturate" is Italian too
        title = (json.loads(lesson.read_text(encoding="utf-8")).get("lesson") or {}).get("title")
        italian |= _words(title.get("it", "") if isinstance(title, dict) else "")
    return english - italian - ALLOWED


def _names(window) -> set:
    """What the registries and the open document name: shown as they are in any language."""
    from engine.data import DATASETS
    from engine.graph import registry
    from engine.optim import OPTIMIZERS, lr_scheduler

    names = set(DATASETS) | set(OPTIMIZERS) | set(getattr(lr_scheduler, "SCHEDULERS", {}))
    for t in registry.all_types():
        names.add(t.name)
        names |= {p.name for p in t.params} | {str(c) for p in t.params for c in p.choices}
        names |= {p.name for p in (*t.inputs, *t.outputs)}
    graph = window.document
    names |= {n.id for n in graph.nodes.values()} | {n.label or "" for n in graph.nodes.values()}
    names |= set(graph.modules)
    return {w for name in names for w in _words(name)}


def window_texts(window) -> list:
    """(where, text) for every text the window shows or holds for a tooltip."""
    out = [("window title", window.windowTitle()), ("status bar", window.statusBar().currentMessage())]
    for menu in window.menuBar().findChildren(QMenu):
        out.append(("menu", menu.title()))
    for action in window.findChildren(QAction):
        out += [("action", action.text()), ("action tooltip", action.toolTip()),
                ("action status tip", action.statusTip())]
    out += widget_texts(window)
    for item in window.scene.items():
        out.append(("canvas tooltip", item.toolTip()))
    return [(where, text) for where, text in out if text]


def widget_texts(root) -> list:
    """(where, text) of every widget inside ``root``: texts, tooltips, items, plots."""
    out = []
    for w in root.findChildren(QWidget):
        kind = type(w).__name__
        out.append((f"{kind} tooltip", w.toolTip()))
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append((kind, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((kind, w.title()))
        elif isinstance(w, QDockWidget):
            out.append((kind, w.windowTitle()))
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                out += [(kind, w.itemText(i)), (f"{kind} item tooltip", w.itemData(i, Qt.ToolTipRole) or "")]
        elif isinstance(w, QLineEdit):
            out.append((f"{kind} placeholder", w.placeholderText()))
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            out += [(kind, w.prefix()), (kind, w.suffix()), (kind, w.specialValueText())]
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                out += [(kind, w.tabText(i)), (f"{kind} tooltip", w.tabToolTip(i))]
        elif isinstance(w, QTextEdit):
            out.append((kind, w.toPlainText()))
        elif isinstance(w, QTreeWidget):
            stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                out += [(kind, item.text(0)), (f"{kind} tooltip", item.toolTip(0))]
                stack += [item.child(i) for i in range(item.childCount())]
        elif isinstance(w, QListWidget):
            for i in range(w.count()):
                out += [(kind, w.item(i).text()), (f"{kind} tooltip", w.item(i).toolTip())]
        if isinstance(w, pg.GraphicsView):
            out += _plot_texts(w)
    return [(where, text) for where, text in out if text]


def _plot_texts(view) -> list:
    out = []
    for item in view.scene().items():
        if isinstance(item, pg.PlotItem):
            out.append(("plot title", item.titleLabel.text))
        elif isinstance(item, pg.AxisItem):
            out.append(("axis label", item.labelText))
        elif isinstance(item, pg.LegendItem):
            out += [("legend", label.text) for _sample, label in item.items]
        elif isinstance(item, pg.LabelItem):
            out.append(("plot label", item.text))
        elif isinstance(item, pg.TextItem):
            out.append(("plot text", item.toPlainText()))
    return out


def english_in(texts, english_only, names) -> list:
    return [f"{where}: {text!r} ({', '.join(sorted(found))})" for where, text in texts
            if (found := _words(text) & english_only - names)]


@pytest.fixture
def italian_app(qapp):
    i18n.install("it", qapp)
    yield qapp
    i18n.install("en", qapp)


def _lesson_window(qtbot, tmp_path):
    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data",
                     autosave=False)
    qtbot.addWidget(win)
    assert win.open_file(str(lessons_dir() / LESSON))
    win.show()
    win.train_hook(20)
    win.scene.validate_now()
    return win


def test_the_window_in_italian_shows_no_english(italian_app, qtbot, tmp_path, english_only):
    win = _lesson_window(qtbot, tmp_path)
    assert win.runner.snapshot is not None and win.runner.snapshot.step >= 20
    win.show_shortcuts()
    win.show_about()
    texts = window_texts(win)
    for node in ("hidden", "cost"):   # the inspector's form: node help, parameters' help
        win.scene.select_nodes([node])
        texts += [(f"inspector of {node}: {where}", text) for where, text in widget_texts(win.inspector)]
    texts += [("dialog", m) for _k, title, m in win.dialogs.shown] + \
        [("dialog title", title) for _k, title, _m in win.dialogs.shown]
    assert len(texts) > 300   # the walk reached the menus, panels and canvas
    found = english_in(texts, english_only, _names(win))
    assert found == [], "\n".join(found)
    assert engine_i18n.language() == "it"
    win.close()


def test_the_walk_finds_english_text(qapp, qtbot, tmp_path, english_only):
    """The same walk of the window in English flags plenty: it can fail."""
    win = _lesson_window(qtbot, tmp_path)
    found = english_in(window_texts(win), english_only, _names(win))
    assert len(found) > 50 and any("Start a new graph" in line for line in found)
    win.close()


def test_words_are_plain_words_not_names():
    assert _words("Add a <b>ReLU</b> node: in_features &amp; the node's out0") == {"add", "node", "the"}
    assert _words("dell'app è pronta") == {"dell", "app", "pronta"}


def test_the_language_menu_is_remembered_for_the_next_start(qapp, qtbot, tmp_path):
    data = tmp_path / "data"
    win = MainWindow(dialogs=ScriptedDialogs(), data_dir=data, autosave=False)
    qtbot.addWidget(win)
    assert i18n.remembered_language(data) is None   # the system's, until one is chosen
    checked = [a.data() for a in win.language_actions.actions() if a.isChecked()]
    assert checked == [""]
    italiano = next(a for a in win.language_actions.actions() if a.data() == "it")
    italiano.trigger()
    assert i18n.remembered_language(data) == "it"
    assert "restart" in win.statusBar().currentMessage()   # the menu says when it applies
    again = MainWindow(dialogs=ScriptedDialogs(), data_dir=data, autosave=False)
    qtbot.addWidget(again)
    assert [a.data() for a in again.language_actions.actions() if a.isChecked()] == ["it"]
    win.close()
    again.close()


def test_numbers_on_labels_use_the_decimal_comma_in_italian(italian_app, qtbot, tmp_path):
    win = _lesson_window(qtbot, tmp_path)
    status = win.panels["loss"].status.text()
    assert re.search(r"loss \d+,\d+", status), status
    assert "." not in re.sub(r"[^\d.,]", "", status)
    axis = win.panels["loss"].metric_plot.getAxis("left")   # pyqtgraph's own tick labels too
    assert axis.tickStrings([0.5, 0.7], 1, 0.1) == ["0,5", "0,7"]
    win.close()


def test_a_missing_compiled_ui_catalog_means_english_and_a_warning(qapp, monkeypatch, tmp_path, caplog):
    from PySide6.QtCore import QCoreApplication

    monkeypatch.setattr(i18n, "TS_DIR", tmp_path)   # no nn-playground_it.qm there
    try:
        with caplog.at_level("WARNING", logger="playground"):
            assert i18n.install("it", qapp) == "it"
        assert "nn-playground_it.qm" in caplog.text
        assert QCoreApplication.translate("MainWindow", "Untitled") == "Untitled"
    finally:
        i18n.install("en", qapp)
