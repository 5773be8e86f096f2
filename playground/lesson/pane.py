"""The lesson pane: a dock beside the canvas that teaches the document's lesson.

It shows the lesson's title, the current page's text (previous / next page), one button per
page action, and the goals as a checklist that ticks itself while training. The buttons do
what the text says through the window's own machinery: ``train`` asks the runner for that
many steps, ``set_param`` / ``replace_node`` / ``set_setting`` push undoable commands on the
document (Undo takes them back), ``show_panel`` raises a panel, ``reset`` is the Reset
button. The goal states come from the training worker (``runner.goals``, computed there by
``engine.lessons``' tracker); this pane only draws them.

``lesson_opened(window)`` is what opening a document does for its lesson (or its absence):
the classroom speed, the lesson's panels raised (first in front), the pane shown or hidden.
"""
from __future__ import annotations

import copy
import html
import re

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QTextBrowser, QVBoxLayout, QWidget)

from .goals import MET, NOT_MET, PENDING, goal_rows, lesson_of, local

#: classroom speed (steps per second) of a lesson that names none (LESSON_FORMAT: 30)
LESSON_SPEED = 30.0
#: the lesson pane's width when a lesson opens (pixels; the user may resize it)
PANE_WIDTH = 360


def rich_text(text: str) -> str:
    """A lesson text as HTML: blank lines part paragraphs, ``**bold**`` is bold, nothing
    else is markup (the file's text is escaped)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    out = []
    for p in paragraphs:
        p = html.escape(p).replace("\n", "<br>")
        out.append("<p>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", p) + "</p>")
    return "".join(out)


def number(x) -> str:
    """A measured value for people: 4 significant digits, the language's decimal mark."""
    from playground.i18n import number as fmt

    return fmt(x, ".4g")


# ----- what opening a document does -------------------------------------------------
def raise_panel(window, name: str, options: dict | None = None) -> bool:
    """Show and raise the panel called ``name`` (a panel class's ``name``), handing it the
    lesson's ``options`` when it takes options (``apply_options``). False when there is none;
    ValueError (naming the panel) when the panel refuses the options' values."""
    panel = getattr(window, "panels", {}).get(name)
    if panel is None:
        return False
    panel.show()
    panel.raise_()
    apply = getattr(panel, "apply_options", None)
    if options and callable(apply):
        try:
            apply(dict(options))
        except (ValueError, TypeError, KeyError) as exc:   # the file's values: bad input, one line
            raise ValueError(QCoreApplication.translate(
                "LessonPane", "the options of panel '{panel}': {problem}").format(
                panel=name, problem=str(exc) or type(exc).__name__)) from exc
    return True


def lesson_opened(window):
    """A document was opened (or New): its lesson's speed and panels, or the watchable
    default speed for a plain graph; the lesson pane follows."""
    from playground.panels.controls import DEFAULT_SPEED

    lesson = lesson_of(window.document)
    controls = getattr(window, "panels", {}).get("controls")
    if controls is not None:
        speed = lesson.get("speed", LESSON_SPEED) if lesson else DEFAULT_SPEED
        controls.set_speed(float(speed) if isinstance(speed, (int, float)) else LESSON_SPEED)
    if lesson:
        missing, said = [], []
        # last first, so that the first one ends in front of the panels that share its dock
        for spec in reversed([p for p in lesson.get("panels", ()) if isinstance(p, dict)]):
            try:
                if not raise_panel(window, str(spec.get("panel")), spec.get("options")):
                    missing.append(str(spec.get("panel")))
            except ValueError as exc:   # the lesson still opens; the status bar says what was refused
                said.append(str(exc))
        if missing:
            said.append(QCoreApplication.translate(
                "LessonPane", "This lesson asks for panels this version does not have: {panels}").format(
                panels=", ".join(missing)))
        if said:   # after the window's own "Opened ..." line, which would hide it
            QTimer.singleShot(0, window, lambda: window.statusBar().showMessage("; ".join(said), 8000))
    pane = getattr(window, "lesson_pane", None)
    if pane is not None:
        pane.show_lesson()
        if lesson:   # room to read: the left column widens, the pane takes most of it
            QTimer.singleShot(0, pane, pane.make_room)


# ----- the pane -----------------------------------------------------------------------
class LessonPane(QDockWidget):
    """See the module docstring. ``window`` is the editor's MainWindow (document, undo
    stack, runner, panels, status bar)."""

    #: its key in ``window.docks`` whatever the language (as the panels' ``title``)
    title = "Lesson"

    def __init__(self, window):
        super().__init__(self.tr("Lesson"), window)
        self.window_ = window
        self.setObjectName("lesson")
        self.page = 0
        self.lesson = None
        self.action_buttons: list[QPushButton] = []
        self.goal_labels: dict[str, QLabel] = {}
        self._goal_key = None

        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(8, 6, 8, 6)
        self.chapter_label = QLabel()
        self.chapter_label.setTextFormat(Qt.PlainText)   # a file's text: never markup
        self.chapter_label.setStyleSheet("color: #666;")
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.PlainText)
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        lay.addWidget(self.chapter_label)
        lay.addWidget(self.title_label)

        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setFrameShape(QFrame.NoFrame)
        self.text.setStyleSheet("font-size: 11pt;")
        lay.addWidget(self.text, 3)

        nav = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ Previous"))
        self.prev_button.clicked.connect(lambda: self.go(self.page - 1))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.clicked.connect(lambda: self.go(self.page + 1))
        self.page_label = QLabel()
        self.page_label.setAlignment(Qt.AlignCenter)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.page_label, 1)
        nav.addWidget(self.next_button)

        self.actions_box = QVBoxLayout()
        self.actions_box.setSpacing(3)
        lay.addLayout(self.actions_box)
        lay.addLayout(nav)

        self.goals_title = QLabel(self.tr("Goals"))
        self.goals_title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        lay.addWidget(self.goals_title)
        self.success = QLabel()   # a challenge met: said in large type
        self.success.setTextFormat(Qt.PlainText)
        self.success.setWordWrap(True)
        self.success.setAlignment(Qt.AlignCenter)
        self.success.setStyleSheet("background: #2e7d32; color: white; font-size: 13pt; "
                                   "font-weight: bold; padding: 6px; border-radius: 4px;")
        self.success.hide()
        lay.addWidget(self.success)
        goals_host = QWidget()
        self.goals_box = QVBoxLayout(goals_host)
        self.goals_box.setContentsMargins(0, 0, 0, 0)
        self.goals_box.setSpacing(4)
        self.goals_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(goals_host)
        lay.addWidget(scroll, 2)
        self.setWidget(body)

        runner = getattr(window, "runner", None)
        if runner is not None:
            runner.redraw.connect(self.refresh_goals)
            runner.reset_done.connect(lambda: self.refresh_goals(runner))
            self.visibilityChanged.connect(lambda on: on and self.refresh_goals(runner))
        window.document.subscribe(self._on_document_event)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() != QEvent.LanguageChange or not hasattr(self, "goals_title"):
            return   # (or still being built)
        self.setWindowTitle(self.tr("Lesson"))
        self.prev_button.setText(self.tr("◀ Previous"))
        self.next_button.setText(self.tr("Next ▶"))
        self.goals_title.setText(self.tr("Goals"))
        if self.lesson:   # the lesson's texts in the new language
            page = self.page
            self.title_label.setText(local(self.lesson.get("title")))
            self.chapter_label.setText(chapter_line(self.lesson))
            self._build_goals()
            self.go(page)

    # ----- the lesson -----------------------------------------------------------------
    def show_lesson(self):
        """Show the document's lesson from its first page (hide the pane without one)."""
        self.lesson = copy.deepcopy(lesson_of(self.window_.document))
        self._goal_key = None
        if not self.lesson:
            self.hide()
            return
        self.title_label.setText(local(self.lesson.get("title")))
        self.chapter_label.setText(chapter_line(self.lesson))
        self._build_goals()
        self.go(0)
        self.show()
        self.raise_()

    def make_room(self):
        w = self.window_
        if not self.isVisible() or w.dockWidgetArea(self) != Qt.LeftDockWidgetArea:
            return
        w.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)   # the column runs the full height
        w.resizeDocks([self], [PANE_WIDTH], Qt.Horizontal)
        column = [d for d in w.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()
                  and w.dockWidgetArea(d) == Qt.LeftDockWidgetArea and d is not self]
        w.resizeDocks([self, *column], [max(w.height(), 400)] + [120] * len(column), Qt.Vertical)

    def pages(self) -> list:
        return [p for p in (self.lesson or {}).get("pages", ()) if isinstance(p, dict)]

    def go(self, page: int):
        pages = self.pages()
        self.page = max(0, min(int(page), len(pages) - 1)) if pages else 0
        current = pages[self.page] if pages else {}
        self.text.setHtml(rich_text(local(current.get("text"))))
        self.page_label.setText(self.tr("page {page} of {pages}").format(page=self.page + 1, pages=max(len(pages), 1)))
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < len(pages) - 1)
        for b in self.action_buttons:
            self.actions_box.removeWidget(b)
            b.deleteLater()
        self.action_buttons = []
        for action in current.get("actions", ()) or ():
            if not isinstance(action, dict):
                continue
            b = QPushButton(self.action_text(action))
            b.setStyleSheet("text-align: left; padding: 4px 8px;")
            b.clicked.connect(lambda _=False, a=action: self.run_action(a))
            self.actions_box.addWidget(b)
            self.action_buttons.append(b)

    def _on_document_event(self, event):
        if event.kind == "lesson_changed":
            self.show_lesson()

    # ----- page actions ---------------------------------------------------------------
    def action_text(self, action: dict) -> str:
        do = action.get("do")
        if do == "train":
            return self.tr("▶ Train {n} steps").format(n=action.get("steps"))
        if do == "set_param":
            return self.tr("Set {param} of {node} to {value}").format(
                param=action.get("param"), node=self._node_name(action.get("node")),
                value=_value_text(action.get("value")))
        if do == "replace_node":
            return self.tr("Change {node} to {type}").format(node=self._node_name(action.get("node")),
                                                        type=action.get("type"))
        if do == "set_setting":
            return self.tr("Set {key} to {value}").format(key=action.get("key"), value=_value_text(action.get("value")))
        if do == "show_panel":
            panel = getattr(self.window_, "panels", {}).get(action.get("panel"))
            title = panel.windowTitle() if panel is not None else str(action.get("panel"))
            return self.tr("Show {panel}").format(panel=title)
        if do == "reset":
            return self.tr("Reset the weights")
        return str(do)

    def _node_name(self, node_id) -> str:
        node = self.window_.document.nodes.get(node_id)
        return (node.label or node.id) if node is not None else str(node_id)

    def run_action(self, action: dict) -> bool:
        """Do what a page button says; False (and a status-bar line saying why) when it
        cannot be done (a node the user deleted, a value the type refuses)."""
        w = self.window_
        do = action.get("do")
        try:
            if do == "train":
                w.runner.play_steps(int(action.get("steps", 1)))   # at the classroom speed
            elif do == "reset":
                w.panels["controls"].reset()
            elif do == "show_panel":
                if not raise_panel(w, str(action.get("panel")), action.get("options")):
                    raise ValueError(self.tr("there is no panel '{panel}'").format(panel=action.get("panel")))
            elif do in ("set_param", "replace_node", "set_setting"):
                w.undo_stack.push(self.command(action))
            else:
                raise ValueError(self.tr("this version cannot do '{do}'").format(do=do))
        except (ValueError, KeyError, TypeError) as exc:
            w.statusBar().showMessage(self.tr("Lesson: {problem}").format(problem=str(exc).strip("'\"")), 8000)
            return False
        return True

    def command(self, action: dict):
        """The undoable command for a change action, through the editor's command builders
        (engine.lessons.changes defines what a dotted setting key and a node replacement
        mean, for these buttons and for a goal's variant run alike)."""
        from engine.graph import Graph
        from engine.lessons.changes import set_setting_path
        from playground.editor import commands

        doc = self.window_.document
        do = action.get("do")
        if do == "set_param":
            node = action.get("node")
            if node not in doc.nodes:
                raise ValueError(self.tr("the graph has no node '{node}'").format(node=node))
            return commands.set_param(doc, node, str(action.get("param")), copy.deepcopy(action.get("value")))
        if do == "replace_node":
            node = action.get("node")
            if node not in doc.nodes:
                raise ValueError(self.tr("the graph has no node '{node}'").format(node=node))
            return commands.replace_node_type(doc, node, str(action.get("type")))
        key = str(action.get("key"))
        scratch = Graph()   # the dotted key's meaning applied to a copy of the settings
        scratch.settings = copy.deepcopy(doc.settings)
        set_setting_path(scratch, key, action.get("value"))
        head = key.split(".")[0]
        return commands.set_setting(doc, head, scratch.settings[head])

    # ----- goals ----------------------------------------------------------------------
    def _build_goals(self):
        for label in self.goal_labels.values():
            self.goals_box.removeWidget(label)
            label.deleteLater()
        self.goal_labels = {}
        rows = goal_rows(self.lesson, None)
        self.goals_title.setVisible(bool(rows))
        for i, row in enumerate(rows):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextFormat(Qt.RichText)
            label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
            self.goals_box.insertWidget(i, label)
            self.goal_labels[row.id] = label
        runner = getattr(self.window_, "runner", None)
        self._show_goals(rows if runner is None else goal_rows(self.lesson, runner.goals))

    def refresh_goals(self, runner):
        if self.lesson and self.isVisible():
            self._show_goals(goal_rows(self.lesson, runner.goals))

    def goal_states(self) -> dict:
        """Goal id -> "pending" / "met" / "not met", as the checklist shows it now."""
        return {gid: label.property("state") for gid, label in self.goal_labels.items()}

    def _show_goals(self, rows):
        key = tuple((r.id, r.state, r.value, r.detail) for r in rows)
        if key == self._goal_key:
            return   # unchanged: no relayout
        self._goal_key = key
        solved = []
        for row in rows:
            label = self.goal_labels.get(row.id)
            if label is None:
                continue
            mark, colour = {MET: ("✔", "#2e7d32"), NOT_MET: ("✘", "#c62828")}.get(row.state, ("○", "#777"))
            value = "" if row.value is None or row.value != row.value else \
                f" <span style='color:#555'>({html.escape(number(row.value))})</span>"
            text = html.escape(row.text, quote=False)
            if row.challenge:
                text = f"<b style='color:#b07800'>★</b> {text}"   # (the frame says "challenge")
                label.setStyleSheet("background: %s; border: 1px solid #e0a800; border-radius: 4px; "
                                    "padding: 4px;" % ("#d7f5dc" if row.state == MET else "#fff6d6"))
                if row.state == MET:
                    solved.append(row.text)
            why = f"<br><span style='color:#c62828'>{html.escape(row.detail, quote=False)}</span>" \
                if row.detail and row.state == NOT_MET else ""   # e.g. a challenge's broken limit
            label.setText(f"<span style='color:{colour}; font-size:13pt'>{mark}</span> {text}{value}{why}")
            label.setProperty("state", row.state)
            tip = {MET: self.tr("met"), NOT_MET: self.tr("not met"),
                   PENDING: self.tr("pending: decided while training")}.get(row.state, "")
            label.setToolTip(self.tr("Challenge") + " · " + tip if row.challenge else tip)
        self.success.setText(self.tr("★ Challenge solved! ★") + "\n" + "\n".join(solved))
        self.success.setVisible(bool(solved))


def chapter_line(lesson: dict) -> str:
    """"Chapter 3 · Multi-layer perceptrons" for the lesson's chapter id."""
    from .catalog import chapter_number, chapter_title

    cid = lesson.get("chapter")
    n = chapter_number(cid)
    title = chapter_title(cid)
    if n is None:
        return title
    return QCoreApplication.translate("LessonPane", "Chapter {n} · {title}").format(n=n, title=title)


def _value_text(value) -> str:
    if isinstance(value, float):
        return number(value)
    if isinstance(value, dict):
        return value.get("name", str(value))
    return str(value)
