"""The main window: menus, toolbar, canvas, docks (palette, inspector, training settings,
problems), files, autosave/recovery, clipboard and presentation mode.

Integration points for the live panels (``playground.panels.attach(window)``):
``window.actions["run"|"pause"|"step"|"reset"]``, ``window.device_combo``,
``window.add_panel(dock, area)``, ``window.document`` (the Graph; the same object for
the window's life: File > Open replaces its content in place), ``window.scene`` (its
``node_item(id)`` / ``edge_items`` carry the overlay API), ``window.documentReplaced``,
and ``window.train_hook`` (a callable(n_steps) the panels may set so that
``playground gui --train-steps N`` can train before a screenshot).

Lessons (playground.lesson): ``window.lesson_pane`` (the dock teaching the document's
lesson), ``show_start_page()`` / ``show_canvas()`` (the lesson browser over the window, what
an empty start shows), File > Lessons (``lesson_actions()``).
"""
from __future__ import annotations

import json
import logging
import operator
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QMimeData, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QFont, QImage, QKeySequence, QPainter, QUndoStack
from PySide6.QtWidgets import (QApplication, QDockWidget, QLabel, QMainWindow, QToolBar, QVBoxLayout,
                               QWidget)

from engine.graph import Graph
from engine.graph.document import COSMETIC_EVENTS, log_observer_error
from playground import theme as themes
from playground.editor import commands
from playground.editor.autosave import AUTOSAVE_MS, Autosaver, RecentFiles, default_data_dir
from playground.editor.dialogs import DISCARD, SAVE, Dialogs
from playground.editor.inspector import DEFAULT_SETTINGS, Inspector, TrainingPanel, make_device_combo
from playground.editor.palette import Palette, QuickSearch
from playground.editor.problems import Breadcrumb, ProblemsList
from playground.editor.scene import EditorScene
from playground.editor.view import EditorView

APP_NAME = "NN Playground"
#: the dock property holding its untranslated title (its key in MainWindow.docks)
DOCK_KEY = "nnpg_dock_key"
FRAGMENT_MIME = "application/x-nnpg-fragment"

log = logging.getLogger("playground")

#: (what, keys), both translated when shown (the keys' words too: "or", "wheel", "drag"...)
SHORTCUTS = [
    (QT_TRANSLATE_NOOP("MainWindow", "Undo / Redo"),
     QT_TRANSLATE_NOOP("MainWindow", "Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y")),
    (QT_TRANSLATE_NOOP("MainWindow", "Cut / Copy / Paste"), "Ctrl+X / Ctrl+C / Ctrl+V"),
    (QT_TRANSLATE_NOOP("MainWindow", "Duplicate"), "Ctrl+D"),
    (QT_TRANSLATE_NOOP("MainWindow", "Delete"), QT_TRANSLATE_NOOP("MainWindow", "Delete or Backspace")),
    (QT_TRANSLATE_NOOP("MainWindow", "Select all"), "Ctrl+A"),
    (QT_TRANSLATE_NOOP("MainWindow", "Add a node at the cursor (quick search)"), "Tab"),
    (QT_TRANSLATE_NOOP("MainWindow", "Fit the graph in view"), "F"),
    (QT_TRANSLATE_NOOP("MainWindow", "Auto-layout"), "L"),
    (QT_TRANSLATE_NOOP("MainWindow", "Zoom"), QT_TRANSLATE_NOOP("MainWindow", "wheel, Ctrl++ / Ctrl+-")),
    (QT_TRANSLATE_NOOP("MainWindow", "Pan"), QT_TRANSLATE_NOOP("MainWindow", "middle or right drag, or Space+drag")),
    (QT_TRANSLATE_NOOP("MainWindow", "Connect"),
     QT_TRANSLATE_NOOP("MainWindow", "drag from an output port to an input port")),
    (QT_TRANSLATE_NOOP("MainWindow", "Insert a node into a link"),
     QT_TRANSLATE_NOOP("MainWindow", "drop it onto the link")),
    (QT_TRANSLATE_NOOP("MainWindow", "Group into a module / Ungroup"), "Ctrl+G / Ctrl+Shift+G"),
    (QT_TRANSLATE_NOOP("MainWindow", "Open a module's inside"),
     QT_TRANSLATE_NOOP("MainWindow", "double-click; Alt+Up goes back")),
    (QT_TRANSLATE_NOOP("MainWindow", "Presentation mode (Esc leaves it)"), "Ctrl+Shift+P / F5"),
    (QT_TRANSLATE_NOOP("MainWindow", "New / Open / Save / Save As"), "Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S"),
]


def fileformat():
    from engine.graph import fileformat as ff  # the graph runtime's file format

    return ff


def lessons_dir() -> Path | None:
    from engine.lessons import lessons_dir as shipped  # noqa: PLC0415

    return shipped()


def is_example(path) -> bool:
    """True for a file among the bundled examples (opened as a template, never overwritten)."""
    d = lessons_dir()
    try:
        return d is not None and Path(path).resolve().parent == d.resolve()
    except OSError:
        return False


def new_document() -> Graph:
    g = Graph()
    g.settings = json.loads(json.dumps(DEFAULT_SETTINGS))
    return g


class MainWindow(QMainWindow):
    #: emitted after File > New / Open / recovery replaced the document's content
    documentReplaced = Signal()

    def __init__(self, dialogs: Dialogs | None = None, data_dir=None, autosave: bool = True, parent=None):
        super().__init__(parent)
        self.dialogs = dialogs or Dialogs(self)
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.path: str | None = None
        #: the bundled example the document was opened from: examples are templates, so
        #: Save asks for a new name instead of writing into the installed app
        self.example: str | None = None
        self._recovered = False
        self._autosaving = False  # an autosave's own failure is reported without a second autosave
        self.train_hook = None
        self.docks: dict[str, QDockWidget] = {}
        self.presentation_hidden: set[str] = set()
        self._hidden_by_presentation: list = []
        self._paste_count = 0
        #: one line per document observer that raised (see _observer_failed); tests check it
        self.observer_failures: list[str] = []

        self.document = new_document()
        self.undo_stack = QUndoStack(self)
        self.scene = EditorScene(self.document, self.undo_stack, self)
        self.view = EditorView(self.scene)
        self.breadcrumb = Breadcrumb()
        self.canvas_widget = QWidget()
        lay = QVBoxLayout(self.canvas_widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.breadcrumb)
        lay.addWidget(self.view)
        self.setCentralWidget(self.canvas_widget)
        #: the lesson browser shown over the canvas and docks (see show_start_page)
        self.start_page = None
        self.quick_search = QuickSearch(self)

        self.recent = RecentFiles(self.data_dir)
        self.autosaver = Autosaver(self.data_dir) if autosave else None

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_docks()
        self._build_status()
        self._wire()

        self.resize(1400, 860)
        self.update_title()
        if self.autosaver is not None:
            self._offer_recovery()  # takes this session's autosave lock first
            self.autosave_timer = QTimer(self)
            self.autosave_timer.setInterval(AUTOSAVE_MS)
            self.autosave_timer.timeout.connect(self.autosave_now)
            self.autosave_timer.start()
        self._attach_panels()
        self._build_lesson_pane()
        self._default_dock_sizes()
        self.unelide_tabs()

    # ----- building --------------------------------------------------------------
    def _action(self, key, text, slot=None, shortcut=None, tip="", canvas=False, checkable=False):
        a = QAction(text, self)
        if shortcut:
            seqs = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            a.setShortcuts([QKeySequence(s) for s in seqs])
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        if canvas:
            # Keys that mean something in text boxes (Delete, letters, Ctrl+C...) act on
            # the graph only while the canvas has focus.
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(a)
        self.actions[key] = a
        return a

    def _build_actions(self):
        self.actions: dict[str, QAction] = {}
        A = self._action
        A("new", self.tr("&New"), self.new_file, QKeySequence.New, self.tr("Start a new graph"))
        A("open", self.tr("&Open…"), lambda: self.open_file(), QKeySequence.Open, self.tr("Open a .nnpg graph"))
        A("open_tfp", self.tr("Open TensorFlow Playground &Link…"), lambda: self.open_tfp_link(), None,
          self.tr("Open a playground.tensorflow.org link: the same network, points and initial weights"))
        A("save", self.tr("&Save"), self.save, QKeySequence.Save, self.tr("Save the graph"))
        A("save_as", self.tr("Save &As…"), self.save_as, "Ctrl+Shift+S", self.tr("Save the graph under a new name"))
        A("save_weights", self.tr("Save with &Weights"), self.save_with_weights, None,
          self.tr("Save the graph and, beside it, the trained weights shown (.npz): opening the "
                  "file again restores the same predictions"))
        A("export", self.tr("&Export Image…"), lambda: self.export_image(), "Ctrl+E", self.tr("Export the canvas as PNG or SVG"))
        A("export_pytorch", self.tr("Export PyTorch &Script…"), lambda: self.export_pytorch(), None,
          self.tr("Write the graph, its data, settings and the weights shown as a PyTorch script"))
        A("import_data", self.tr("Import &Data…"), lambda: self.import_data(), None,
          self.tr("Use a .csv, .npz or MNIST IDX file as the dataset, after a preview"))
        A("export_onnx", self.tr("Export &ONNX Model…"), lambda: self.export_onnx(), None,
          self.tr("Write the network with the weights shown as an ONNX model, for other runtimes"))
        A("quit", self.tr("&Quit"), self.close, QKeySequence.Quit)
        undo = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcuts([QKeySequence.Undo])
        redo = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.actions["undo"], self.actions["redo"] = undo, redo
        A("cut", self.tr("Cu&t"), self.cut, QKeySequence.Cut, canvas=True)
        A("copy", self.tr("&Copy"), self.copy, QKeySequence.Copy, canvas=True)
        A("paste", self.tr("&Paste"), self.paste, QKeySequence.Paste, canvas=True)
        A("duplicate", self.tr("&Duplicate"), self.scene.duplicate_selected, "Ctrl+D", canvas=True)
        A("delete", self.tr("De&lete"), self.scene.delete_selected, [QKeySequence.Delete, "Backspace"], canvas=True)
        A("select_all", self.tr("Select &All"), self.select_all, QKeySequence.SelectAll, canvas=True)
        A("quick_add", self.tr("Add Node…"), lambda: self.open_quick_search(), None,
          self.tr("Search the node types and add one at the cursor (Tab over the canvas)"))
        A("group", self.tr("&Group into Module"), lambda: self.scene.group_selected(), "Ctrl+G", canvas=True)
        A("ungroup", self.tr("&Ungroup Module"), self.scene.ungroup_selected, "Ctrl+Shift+G", canvas=True)
        A("open_module", self.tr("&Open Module Inside"), self.open_selected, None,
          self.tr("Show the inside of the selected module or ready-made block"))
        A("up", self.tr("Go &Up"), lambda: self.scene.go_to_level(len(self.scene.nav) - 2), "Alt+Up")
        A("instance_shared", self.tr("New Instance (&Shared Weights)"), lambda: self.scene.place_instance(True))
        A("instance_independent", self.tr("New Instance (&Independent Weights)"),
          lambda: self.scene.place_instance(False))
        A("zoom_in", self.tr("Zoom &In"), lambda: self.view.zoom_by(1.25), QKeySequence.ZoomIn)
        A("zoom_out", self.tr("Zoom &Out"), lambda: self.view.zoom_by(0.8), QKeySequence.ZoomOut)
        A("fit", self.tr("&Fit"), self.view.fit, "F", self.tr("Fit the whole graph in view"), canvas=True)
        A("layout", self.tr("Auto-&Layout"), self.scene.auto_layout, "L", self.tr("Arrange by topological layers"), canvas=True)
        A("snap", self.tr("&Snap to Grid"), self._set_snap, None, checkable=True)
        self.actions["snap"].setChecked(True)
        A("shapes", self.tr("Show Tensor &Shapes"), lambda on: self.scene.set_show_shapes(on), None,
          self.tr("Label each computed variable (open circle) with its inferred shape"), checkable=True)
        A("minimap", self.tr("&Minimap"), lambda on: self.view.minimap.set_enabled(on), None, checkable=True)
        self.actions["minimap"].setChecked(True)
        A("presentation", self.tr("&Presentation Mode"), self.set_presentation, ["Ctrl+Shift+P", "F5"],
          self.tr("Full screen for a projector: the canvas, the lesson and its panels, everything "
                  "larger; Esc leaves it"), checkable=True)
        self.addAction(self.actions["presentation"])   # its keys work in full screen too
        A("leave_presentation", self.tr("Leave Presentation Mode"), lambda: self.set_presentation(False), "Esc")
        self.actions["leave_presentation"].setEnabled(False)   # Esc means nothing else to the window
        self.addAction(self.actions["leave_presentation"])
        A("export_plot", self.tr("Export &Plot…"), lambda: self.export_plot(), None,
          self.tr("Export the plot of the panel in front alone, as PNG or SVG, at a width you choose"))
        A("run", self.tr("Run"), None, "Ctrl+R", self.tr("Train continuously"))
        A("pause", self.tr("Pause"), None, "Ctrl+.", self.tr("Pause training"))
        A("step", self.tr("Step"), None, "Ctrl+T", self.tr("Train one step"))
        A("reset", self.tr("Reset"), None, "Ctrl+Shift+R", self.tr("Re-initialise the weights"))
        A("shortcuts", self.tr("&Keyboard Shortcuts"), self.show_shortcuts)
        A("about", self.tr("&About NN Playground"), self.show_about)

    def _build_menus(self):
        mb = self.menuBar()
        f = mb.addMenu(self.tr("&File"))
        for k in ("new", "open", "open_tfp", "import_data"):
            f.addAction(self.actions[k])
        self.recent_menu = f.addMenu(self.tr("Open &Recent"))
        self.lessons_menu = f.addMenu(self.tr("&Lessons"))
        f.addSeparator()
        for k in ("save", "save_as", "save_weights", "export", "export_plot", "export_pytorch", "export_onnx"):
            f.addAction(self.actions[k])
        f.addSeparator()
        f.addAction(self.actions["quit"])
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.lessons_menu.aboutToShow.connect(self._fill_lessons)
        self._fill_recent()
        self._fill_lessons()

        e = mb.addMenu(self.tr("&Edit"))
        for k in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", "select_all", None,
                  "quick_add", None, "group", "ungroup", "open_module", "up", "instance_shared",
                  "instance_independent"):
            e.addSeparator() if k is None else e.addAction(self.actions[k])

        v = mb.addMenu(self.tr("&View"))
        for k in ("zoom_in", "zoom_out", "fit", "layout", None, "snap", "shapes", "minimap", None, "presentation"):
            v.addSeparator() if k is None else v.addAction(self.actions[k])
        self.hide_menu = v.addMenu(self.tr("&Hide in Presentation Mode"))
        self.scheme_menu = self._build_scheme_menu(v)
        self.docks_menu = v.addMenu(self.tr("&Panels"))

        r = mb.addMenu(self.tr("&Run"))
        for k in ("run", "pause", "step", "reset"):
            r.addAction(self.actions[k])

        h = mb.addMenu(self.tr("&Help"))
        h.addAction(self.actions["shortcuts"])
        h.addAction(self.actions["about"])
        self.menus = {"file": f, "edit": e, "view": v, "run": r, "help": h,
                      "language": self._build_language_menu(mb)}

    def _build_scheme_menu(self, view_menu):
        """View > Colour Scheme: the plots' colours (playground.theme.SCHEMES)."""
        from PySide6.QtGui import QActionGroup

        menu = view_menu.addMenu(self.tr("&Colour Scheme"))
        group = QActionGroup(self)
        for name, text in (("standard", self.tr("Standard")),
                           ("projector", self.tr("Projector and colour-blind safe"))):
            a = menu.addAction(text)
            a.setCheckable(True)
            a.setChecked(name == themes.current().scheme)
            a.setData(name)
            group.addAction(a)
            a.triggered.connect(lambda _on=False, name=name: self.set_colour_scheme(name))
        self.scheme_actions = group
        return menu

    def _build_language_menu(self, mb):
        """Language > System / English / Italiano: remembered (playground.i18n), used from the
        next start; the window is not retranslated live, and the menu says so."""
        from PySide6.QtGui import QActionGroup

        from playground import i18n

        menu = mb.addMenu(self.tr("&Language"))
        note = menu.addAction(self.tr("(takes effect when the app is restarted)"))
        note.setEnabled(False)
        group = QActionGroup(self)
        chosen = i18n.remembered_language(self.data_dir)
        # each language in its own name, so anyone can find theirs
        for lang, text in ((None, self.tr("System language")), ("en", "English"), ("it", "Italiano")):
            a = menu.addAction(text)
            a.setCheckable(True)
            a.setChecked(lang == chosen)
            a.setData(lang or "")
            group.addAction(a)
            a.triggered.connect(lambda _on=False, lang=lang: self.choose_language(lang))
        self.language_actions = group
        return menu

    def choose_language(self, lang: str | None):
        """Remember ``lang`` (None: the system's) for the next start of the app."""
        from playground import i18n

        i18n.remember_language(self.data_dir, lang)
        self.statusBar().showMessage(self.tr("The new language is used when the app is restarted."), 8000)

    def _build_toolbar(self):
        tb = QToolBar(self.tr("Training"))
        tb.setObjectName("training_toolbar")
        tb.setIconSize(QSize(16, 16))
        for k in ("run", "pause", "step", "reset"):
            tb.addAction(self.actions[k])
        tb.addSeparator()
        tb.addWidget(QLabel(self.tr(" Device: ")))
        self.device_combo = make_device_combo()
        tb.addWidget(self.device_combo)
        self.device_combo.currentIndexChanged.connect(self._device_chosen)
        self.addToolBar(Qt.TopToolBarArea, tb)
        self.toolbar = tb

    def _build_docks(self):
        self.palette = Palette()
        self.inspector = Inspector(self.scene)
        self.training_panel = TrainingPanel(self.document, self.undo_stack)
        self.problems_list = ProblemsList()
        self.add_panel(self._dock("Palette", self.tr("Palette"), self.palette), Qt.LeftDockWidgetArea)
        self.add_panel(self._dock("Inspector", self.tr("Inspector"), self.inspector), Qt.RightDockWidgetArea)
        self.add_panel(self._dock("Training settings", self.tr("Training settings"), self.training_panel),
                       Qt.RightDockWidgetArea)
        self.add_panel(self._dock("Problems", self.tr("Problems"), self.problems_list),
                       Qt.LeftDockWidgetArea)  # under the palette
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["Training settings"])
        self.docks["Inspector"].raise_()

    def _dock(self, key, title, widget):
        """A dock shown as ``title`` (translated), known in ``self.docks`` as ``key``."""
        d = QDockWidget(title, self)
        d.setObjectName(f"dock_{key.lower()}")
        d.setProperty(DOCK_KEY, key)
        d.setWidget(widget)
        return d

    def add_panel(self, dock: QDockWidget, area=Qt.RightDockWidgetArea):
        """Add a dock and list it in View > Panels and in the presentation-mode hide list.
        It is known in ``self.docks`` by its English title whatever the language: its
        ``DOCK_KEY`` property, else a panel's ``title``, else its window title."""
        title = dock.windowTitle() or dock.objectName()
        key = dock.property(DOCK_KEY) or getattr(dock, "title", None) or title
        if not dock.objectName():
            dock.setObjectName(f"dock_{key.lower().replace(' ', '_')}")
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        self.docks_menu.addAction(dock.toggleViewAction())
        hide = QAction(title, self)
        hide.setCheckable(True)
        hide.toggled.connect(lambda on, t=key: (self.presentation_hidden.add(t) if on
                                               else self.presentation_hidden.discard(t)))
        self.hide_menu.addAction(hide)
        return dock

    def _build_status(self):
        sb = self.statusBar()
        self.zoom_label = QLabel()
        self.count_label = QLabel()
        self.check_label = QLabel()  # always the current document's validation verdict
        self.check_label.setObjectName("check_label")
        sb.addPermanentWidget(self.check_label)
        sb.addPermanentWidget(self.count_label)
        sb.addPermanentWidget(self.zoom_label)
        # Transient messages belong to one version of the document: an edit or a new file
        # makes the older ones stale (see _on_document_event).
        self._doc_generation = self._message_generation = 0
        self._runner_build_at_message = None
        sb.messageChanged.connect(self._message_shown)
        self._update_counts()
        self._update_zoom(1.0)

    def _wire(self):
        self.undo_stack.cleanChanged.connect(self.update_title)
        self.undo_stack.indexChanged.connect(self._update_counts)
        self.scene.statusMessage.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.scene.problemsChanged.connect(self._problems_changed)
        self.scene.navigationChanged.connect(self._navigation_changed)
        self.breadcrumb.levelChosen.connect(self.scene.go_to_level)
        self.problems_list.nodeClicked.connect(self.select_problem_node)
        self.palette.nodeChosen.connect(self.add_node_from_palette)
        self.view.quickSearchRequested.connect(self.open_quick_search)
        self.quick_search.chosen.connect(lambda t, pos: self.scene.add_node(t, pos))
        self.view.zoomChanged.connect(self._update_zoom)
        self.document.subscribe(self._on_document_event)
        self.document.on_observer_error = self._observer_failed
        self._dataset_key, self._dataset_shapes = None, None
        self.scene.dataset_shapes = self.dataset_shapes

    def _attach_panels(self):
        try:
            from playground.panels import attach
        except ImportError:  # the live panels are optional
            return
        attach(self)
        runner = getattr(self, "runner", None)
        if runner is not None and hasattr(runner, "message") and hasattr(runner, "redraw"):
            runner.message.connect(self._runner_failed)
            runner.redraw.connect(self._runner_redrawn)

    def _default_dock_sizes(self):
        """The canvas gets most of the window; docks start narrow (users resize them)."""
        left = [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) == Qt.LeftDockWidgetArea]
        right = [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) == Qt.RightDockWidgetArea]
        bottom = [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) == Qt.BottomDockWidgetArea]
        if left:
            self.resizeDocks(left, [172] * len(left), Qt.Horizontal)
        if right:
            self.resizeDocks(right, [400] * len(right), Qt.Horizontal)
        if bottom:
            self.resizeDocks(bottom, [210] * len(bottom), Qt.Vertical)

    # ----- status and title ----------------------------------------------------------
    def is_dirty(self) -> bool:
        return self._recovered or not self.undo_stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return Path(self.path).name
        return self.tr("{name} (example)").format(name=self.example) if self.example else self.tr("Untitled")

    def update_title(self, *_):
        self.setWindowTitle(f"{self.display_name()}{'*' if self.is_dirty() else ''} — {APP_NAME}")

    def _update_counts(self, *_):
        self.count_label.setText(self.tr("{nodes} nodes, {links} links ").format(
            nodes=len(self.scene.graph.nodes), links=len(self.scene.graph.edges)))

    def _update_zoom(self, z):
        self.zoom_label.setText(self.tr("zoom {percent}% ").format(percent=f"{z * 100:.0f}"))

    def _problems_changed(self, problems):
        self.problems_list.set_problems(problems)
        n = sum(1 for p in problems if getattr(p, "severity", "error") == "error")
        warnings = len(problems) - n
        dock = self.docks.get("Problems")
        if dock is not None:
            dock.setWindowTitle(self.tr("Problems ({n})").format(n=n) if n else self.tr("Problems"))
        if not self.document.nodes:
            text, tip = self.tr("empty graph"), self.tr("Add nodes from the palette (or press Tab over the canvas)")
        elif n:   # errors and warnings counted apart, as `playground check` lists them
            text = "⚠ " + (self.tr("{n} errors").format(n=n) if n > 1 else self.tr("1 error")) + (
                ", " + (self.tr("{n} warnings").format(n=warnings) if warnings > 1 else self.tr("1 warning"))
                if warnings else "")
            tip = "<br>".join(p.message for p in problems[:8])
        else:
            text = "✓ " + self.tr("graph is valid") + (
                " " + (self.tr("({n} warnings)").format(n=warnings) if warnings > 1 else self.tr("(1 warning)"))
                if warnings else "")
            tip = "<br>".join(p.message for p in problems[:8]) or self.tr("No problems found")
        self.check_label.setText(text + " ")
        self.check_label.setToolTip(tip)
        self.check_label.setStyleSheet(f"color: {themes.current().error.name()}" if n else "")

    def _message_shown(self, text):
        if text:
            self._message_generation = self._doc_generation

    def _drop_stale_message(self):
        """A message shown for an older version of the document no longer applies."""
        if self.statusBar().currentMessage() and self._message_generation < self._doc_generation:
            self.statusBar().clearMessage()

    def _runner_failed(self, _text):
        # the runner's data_version counts the sessions it was given (builds, new data)
        self._runner_build_at_message = getattr(self.runner, "data_version", 0)

    def _runner_redrawn(self, runner):
        # Frames from a newer session than the failure's: the failure was about an older
        # build (e.g. the document before File > Open), not the one training now. Frames
        # of the same session leave it shown (a refused hyperparameter, say).
        since = self._runner_build_at_message
        if since is not None and getattr(runner, "data_version", 0) > since:
            self._runner_build_at_message = None
            if self.statusBar().currentMessage() == getattr(runner, "last_message", None):
                self.statusBar().clearMessage()

    def _navigation_changed(self, titles):
        self.breadcrumb.set_levels(titles)
        self.actions["up"].setEnabled(len(titles) > 1)
        self._update_counts()
        self.view.fit()

    def _on_document_event(self, ev):
        if ev.kind not in COSMETIC_EVENTS:  # edits that change meaning
            self._doc_generation += 1
            self._drop_stale_message()
        if ev.kind in ("settings_changed", "reset") and (ev.name in (None, "device")):
            self._sync_device_combo()

    def _observer_failed(self, callback, event, exc_info):
        """A view of the document raised while following it: a bug, not bad input. The log
        gets the traceback; the user a one-line message; the canvas is redrawn from the
        document if it parted from it (the document stays the source of truth)."""
        log_observer_error(callback, event, exc_info)
        who = getattr(callback, "__qualname__", None) or repr(callback)
        self.observer_failures.append(f"{who} on {event.kind}: {exc_info[0].__name__}: {exc_info[1]}")
        # after the dispatch: the reset that caused it would otherwise drop the message as stale
        QTimer.singleShot(0, self, lambda: self._after_observer_failure(who, exc_info[0].__name__))

    def _after_observer_failure(self, who, error):
        from playground.bugreport import log_path, user_message
        from playground.editor.invariants import check_scene

        if check_scene(self.scene):
            self.scene.rebuild()
        self.statusBar().showMessage(user_message(
            self.tr("Internal error (a bug): {who} failed to follow an edit ({error}); the traceback is in {path}")
            .format(who=who, error=error, path=log_path())), 10000)

    def dataset_shapes(self):
        """The {"x", "y"} shapes of the dataset the settings name (what validation and the
        port/edge shapes assume), or None; cached until the dataset settings or the folder
        they are read from (a relative data file's) change."""
        spec = (self.document.settings or {}).get("dataset")
        key = json.dumps([spec, self.document.folder], sort_keys=True, default=str)
        if key != self._dataset_key:
            self._dataset_key, self._dataset_shapes = key, None
            if spec:
                try:
                    from engine.data import from_settings

                    ds = from_settings(spec, self.document.folder)
                    self._dataset_shapes = ds.shape_info()
                except Exception as exc:  # noqa: BLE001 - a bad dataset setting: shapes stay unknown
                    self.statusBar().showMessage(self.tr("dataset: {error}").format(error=exc), 6000)
        return self._dataset_shapes

    # ----- device -----------------------------------------------------------------------
    def _sync_device_combo(self):
        want = self.document.settings.get("device", "cpu")
        i = self.device_combo.findData(want)
        self.device_combo.blockSignals(True)
        self.device_combo.setCurrentIndex(max(i, 0))
        self.device_combo.blockSignals(False)

    def _device_chosen(self, index):
        device = self.device_combo.itemData(index)
        if self.document.settings.get("device", "cpu") != device:
            self.undo_stack.push(commands.set_setting(self.document, "device", device))

    # ----- editing helpers used by menus, palette and tests ----------------------------------
    def add_node_from_palette(self, type_name: str, pos=None):
        if pos is None:
            c = self.view.center_scene_pos()
            pos = QPointF(c.x() + (len(self.scene.graph.nodes) % 5) * 20, c.y())
        return self.scene.add_node(type_name, pos)

    def open_quick_search(self, scene_pos: QPointF | None = None):
        if scene_pos is None:
            scene_pos = self.view.cursor_scene_pos()
        self.quick_search.open_at(QCursor.pos(), scene_pos)

    def open_selected(self):
        ids = self.scene.selected_node_ids()
        if len(ids) != 1 or not self.scene.open_node(ids[0]):
            self.scene.refuse(self.tr("select one module or ready-made block to open"))

    def select_all(self):
        for item in list(self.scene.node_items.values()) + list(self.scene.edge_items.values()):
            item.setSelected(True)

    def select_problem_node(self, node_id: str, module: str = "") -> bool:
        """Show a problem's node: in the main graph, or inside the module that holds it."""
        if module:
            mdef = self.document.modules.get(module)
            if mdef is None:
                return False
            if self.scene.shown_module() != module or self.scene.graph is not mdef.graph:
                self.scene.go_to_level(0)
                self.scene.enter(module, mdef.graph, False, owner=(self.document, module))
        elif self.scene.graph is not self.document:
            self.scene.go_to_level(0)
        item = self.scene.node_item(node_id)
        if item is None:
            return False
        self.scene.select_nodes([node_id])
        self.view.centerOn(item)
        return True

    def _set_snap(self, on):
        self.scene.snap_enabled = bool(on)

    # ----- clipboard ----------------------------------------------------------------------
    def copy(self) -> bool:
        frag = self.scene.copy_fragment()
        if not frag:
            self.scene.refuse(self.tr("select the nodes to copy first"))
            return False
        text = json.dumps(frag)
        data = QMimeData()
        data.setData(FRAGMENT_MIME, text.encode("utf-8"))
        data.setText(text)
        QApplication.clipboard().setMimeData(data)
        self._paste_count = 0
        return True

    def cut(self) -> bool:
        if self.copy():
            return self.scene.delete_selected()
        return False

    def paste(self) -> bool:
        data = QApplication.clipboard().mimeData()  # None while the clipboard was never set
        if data is None:
            raw = ""
        else:
            raw = bytes(data.data(FRAGMENT_MIME)).decode("utf-8") if data.hasFormat(FRAGMENT_MIME) else data.text()
        try:
            frag = json.loads(raw)
        except (ValueError, TypeError):
            frag = None
        if not isinstance(frag, dict) or frag.get("format") != "nnpg-fragment":
            self.scene.refuse(self.tr("the clipboard holds no nodes to paste"))
            return False
        self._paste_count += 1
        d = 30.0 * self._paste_count
        return self.scene.paste_fragment(frag, (d, d))

    # ----- files ---------------------------------------------------------------------------
    def _replace_document(self, graph: Graph, path: str | None, recovered: bool = False,
                          example: str | None = None):
        self.scene.go_to_level(0)
        self.statusBar().clearMessage()  # messages about the previous document no longer apply
        self.document.replace_with(graph)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.path = path
        self.example = example
        self._recovered = recovered
        self.update_title()
        self._update_counts()
        self.documentReplaced.emit()
        QTimer.singleShot(0, self.view, self.view.fit)  # not after the window is gone

    def new_file(self) -> bool:
        if not self.maybe_save():
            return False
        self._replace_document(new_document(), None)
        return True

    def open_file(self, path: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        if path is None:
            path = self.dialogs.open_file(str(Path(self.path).parent) if self.path else "")
            if not path:
                return False
        ff = fileformat()
        try:
            graph = ff.load(path)
        except ff.LoadError as exc:
            self.dialogs.error(self.tr("Cannot open the file"), str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            return False
        except OSError as exc:
            msg = f"{path}: {exc.strerror or exc}"
            self.dialogs.error(self.tr("Cannot open the file"), msg)
            return False
        with_weights = self._weights_beside(ff, path)   # before the new document's session
        if is_example(path):
            self._replace_document(graph, None, example=Path(path).name)
        else:
            self._replace_document(graph, str(path))
        self.recent.add(path)
        self._fill_recent()
        self.statusBar().showMessage(with_weights or self.tr("Opened {path}").format(path=path), 5000)
        return True

    def open_tfp_link(self, url: str | None = None) -> bool:
        """A TensorFlow Playground link as a new, unsaved document, with the initial weights
        that page shows (engine.interop.tfp)."""
        if not self.maybe_save():
            return False
        if url is None:
            url = self.dialogs.ask_text(self.tr("Open TensorFlow Playground Link"),
                                        self.tr("Paste the link (playground.tensorflow.org/#…):"))
            if not url:
                return False
        import json  # noqa: PLC0415

        from engine.errors import UserError  # noqa: PLC0415
        from engine.interop import tfp  # noqa: PLC0415

        ff = fileformat()
        try:
            state = tfp.parse_url(url)
            doc, weights = tfp.to_document(state, url.strip())
            graph = ff.loads(json.dumps(doc), source="TensorFlow Playground")
        except UserError as exc:
            self.dialogs.error(self.tr("Cannot open the link"), str(exc))
            return False
        self._saved_weights = (weights, "TensorFlow Playground")
        self._replace_document(graph, None)
        self.statusBar().showMessage(self.tr("Opened TensorFlow Playground's {dataset} (seed {seed})").format(
            dataset=state.generator, seed=state.seed), 5000)
        return True

    def _weights_beside(self, ff, path) -> str:
        """Read the trained weights saved beside ``path`` (its .npz, if any) for the session
        the opened document gets (see take_saved_weights); returns the status line that
        says so ("" without)."""
        npz = ff.weights_path(path)
        self._saved_weights = None
        try:
            weights = ff.load_weights(path)
        except ff.LoadError as exc:   # the graph opens all the same, with fresh weights
            return str(exc)
        if weights is None:
            return ""
        self._saved_weights = (weights, npz.name)
        return self.tr("Opened {path} with its trained weights ({npz})").format(path=path, npz=npz.name)

    def take_saved_weights(self):
        """(weights, source) the opened file was saved with, once (the panels build the
        document's first session from them); None when it had none."""
        saved, self._saved_weights = getattr(self, "_saved_weights", None), None
        return saved

    def save_with_weights(self) -> bool:
        """Save the graph and write the trained weights the panels show beside it (.npz):
        opening the file again gives the same predictions, bit for bit."""
        runner = getattr(self, "runner", None)
        try:
            weights = runner.call_in_worker(operator.methodcaller("weights")) if runner else None
        except Exception as exc:  # noqa: BLE001 - a bug reading the weights: report it, keep the work
            weights = None
            message = self._failure_message(exc, self.tr("the trained weights"))
        else:
            message = self.tr("There are no trained weights to save: the graph cannot be trained "
                              "yet (the Problems list says why)")
        if not weights:
            self.dialogs.error(self.tr("Cannot save the weights"), message)
            self.statusBar().showMessage(message, 10000)
            return False
        path = self.path
        if not path:
            path = self.dialogs.save_file(self.example or "untitled.nnpg")
            if not path:
                return False
            if not Path(path).suffix:
                path += ".nnpg"
        return self._save_to(path, weights)

    def save(self) -> bool:
        if not self.path:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        path = self.dialogs.save_file(self.path or self.example or "untitled.nnpg")
        if not path:
            return False
        if not Path(path).suffix:
            path += ".nnpg"
        return self._save_to(path)

    def _save_to(self, path, weights: dict | None = None) -> bool:
        """Write the document to ``path`` (and ``weights`` beside it). Whatever goes wrong,
        the window keeps the document and its unsaved state and says why (see
        _failure_message)."""
        try:
            fileformat().save(self.document, path, weights=weights)
        except Exception as exc:  # noqa: BLE001 - any failure, even a bug, must keep the work
            message = self._failure_message(exc, str(path))
            self.dialogs.error(self.tr("Cannot save"), message)
            self.statusBar().showMessage(message, 10000)
            return False
        self.path = str(path)
        self.example = None
        # relative data file paths are read from where the file now is, as a reopen would
        self.document.folder = str(Path(path).resolve().parent)
        self._recovered = False
        self.undo_stack.setClean()
        if self.autosaver is not None:
            self.autosaver.discard()  # the file holds the work now; an older autosave would mislead a recovery
        try:
            self.recent.add(path)
        except OSError:
            pass  # the recent list is a convenience; the save itself succeeded
        self._fill_recent()
        self.update_title()
        saved = self.tr("Saved {path} with the trained weights") if weights else self.tr("Saved {path}")
        self.statusBar().showMessage(saved.format(path=path), 5000)
        return True

    def _failure_message(self, exc: BaseException, where: str) -> str:
        """One line saying why something about ``where`` failed. Bad input the project knows
        (a file that cannot be written, a value a file cannot hold) is said as it is; any other
        exception is a bug: its full report is written to disk, the work is autosaved first,
        and the line says so and where the report is."""
        from engine.errors import UserError
        from playground import bugreport

        if isinstance(exc, OSError):
            return bugreport.user_message(f"{where}: {exc.strerror or exc}")
        if isinstance(exc, UserError):
            return bugreport.user_message(f"{where}: {exc}")
        log.error("bug while handling %s", where, exc_info=exc)
        autosaved = not self._autosaving and self.autosave_now()
        report = bugreport.write_report(exc, context=where)
        return bugreport.bug_message(exc, report) + " " + (
            self.tr("Your work is still open, and a copy was autosaved.") if autosaved
            else self.tr("Your work is still open."))

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded)."""
        if not self.is_dirty():
            return True
        answer = self.dialogs.unsaved_changes(self.display_name())
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def closeEvent(self, event):
        try:
            close = self.maybe_save()
        except Exception as exc:  # noqa: BLE001 - a bug while asking or saving keeps the window and its work
            self.dialogs.error(self.tr("Cannot close"), self._failure_message(exc, self.tr("closing the window")))
            close = False
        if not close:
            event.ignore()
            return
        if self.autosaver is not None:
            self.autosave_timer.stop()
            self.autosaver.clean_exit()
        # Stop the live panels' training thread with the window, not only at app exit.
        shutdown = getattr(getattr(self, "runner", None), "shutdown", None)
        if callable(shutdown):
            shutdown()
        event.accept()

    def _fill_recent(self):
        self.recent_menu.clear()
        files = [p for p in self.recent.list() if Path(p).exists()]
        for p in files:
            a = self.recent_menu.addAction(Path(p).name)
            a.setToolTip(p)
            a.setStatusTip(p)
            a.triggered.connect(lambda _=False, p=p: self.open_file(p))
        if not files:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear List"), lambda: (self.recent.clear(), self._fill_recent()))

    def example_files(self) -> list:
        """The shipped lessons' files in course order (then any other file shipped with them)."""
        from playground.lesson.catalog import by_chapter, other_files

        return [e.path for _c, entries in by_chapter() for e in entries] + other_files()

    def _fill_lessons(self):
        """File > Lessons: the lesson browser, then one submenu per chapter in course order."""
        from playground.lesson.catalog import by_chapter, other_files
        from playground.lesson.goals import local

        self.lessons_menu.clear()
        browse = self.lessons_menu.addAction(self.tr("&Browse Lessons…"), self.show_start_page)
        browse.setStatusTip(self.tr("Show the start page: every lesson, grouped by chapter"))
        self.lessons_menu.addSeparator()
        groups = [(c.heading(), [(local(e.title), e.path) for e in entries])
                  for c, entries in by_chapter()]
        others = other_files()
        if others:
            groups.append((self.tr("Other examples"), [(p.stem.replace("_", " "), p) for p in others]))
        for title, files in groups:
            sub = self.lessons_menu.addMenu(title.replace("&", "&&"))
            for name, p in files:
                a = sub.addAction(name.replace("&", "&&"))
                a.setToolTip(str(p))
                a.setStatusTip(str(p))
                a.triggered.connect(lambda _=False, p=p: self.open_file(str(p)))
        if not groups:
            self.lessons_menu.addAction(self.tr("(no lessons found)")).setEnabled(False)

    def lesson_actions(self) -> list:
        """Every File > Lessons entry that opens a file (its tooltip is the path)."""
        self._fill_lessons()
        return [a for m in self.lessons_menu.actions() if m.menu() is not None
                for a in m.menu().actions()]

    # ----- the start page and the lesson pane ----------------------------------------------
    def _build_lesson_pane(self):
        from playground.lesson.pane import LessonPane, lesson_opened

        self.lesson_pane = LessonPane(self)
        self.add_panel(self.lesson_pane, Qt.LeftDockWidgetArea)
        # the left column: the lesson on top (when there is one), the palette, the problems
        self.splitDockWidget(self.lesson_pane, self.docks["Palette"], Qt.Vertical)
        self.splitDockWidget(self.docks["Palette"], self.docks["Problems"], Qt.Vertical)
        self.documentReplaced.connect(self.show_canvas)
        self.documentReplaced.connect(lambda: lesson_opened(self))
        lesson_opened(self)

    def show_start_page(self):
        """The start page (lesson browser, recent files, New) over the canvas and the docks,
        until a document is opened (or Back to the canvas); the docks keep their layout."""
        from playground.lesson.browser import StartPage

        if self.start_page is None:
            self.start_page = StartPage(self.recent.list, parent=self)
            self.start_page.openRequested.connect(self.open_file)
            self.start_page.newRequested.connect(self.new_file)
            self.start_page.openDialogRequested.connect(lambda: self.open_file())
            self.start_page.backRequested.connect(self.show_canvas)
        else:
            self.start_page.rebuild()   # the recent files may have changed
        self.start_page.set_back_visible(bool(self.document.nodes))
        self.start_page.cover()

    def show_canvas(self):
        if self.start_page_shown():
            self.start_page.hide()

    def start_page_shown(self) -> bool:
        return self.start_page is not None and not self.start_page.isHidden()

    # ----- autosave and recovery --------------------------------------------------------
    def autosave_now(self) -> bool:
        if self.autosaver is None or not self.is_dirty():
            return False
        self._autosaving = True
        try:
            self.autosaver.save(fileformat().dumps(self.document), self.path)
        except Exception as exc:  # noqa: BLE001 - the next autosave must still run; the work stays open
            self.statusBar().showMessage(
                self.tr("autosave failed: ") + self._failure_message(exc, str(self.autosaver.file)), 10000)
            return False
        finally:
            self._autosaving = False
        return True

    def _offer_recovery(self):
        """Offer the work of crashed sessions, newest first, until one is recovered into this
        window; a declined one is deleted; one that cannot be read is set aside and named."""
        # The lock first, so that no other instance takes adopted work for a crashed session's.
        try:
            self.autosaver.start()
            crashed_sessions = self.autosaver.crashed_sessions()
        except OSError as exc:
            log.warning("autosave is off: %s", exc)
            self.statusBar().showMessage(self.tr("Autosave is off: {folder}: {error}").format(
                folder=self.autosaver.dir, error=exc.strerror or exc), 15000)
            self.autosaver = None
            return
        ff = fileformat()
        for crashed in crashed_sessions:
            if not self.dialogs.recover(crashed["time"]):
                self.autosaver.discard_crashed(crashed)
                continue
            try:
                graph = ff.load(crashed["path"])
                self.autosaver.adopt(crashed)
            except Exception as exc:  # noqa: BLE001 - a damaged autosave must not stop the start
                kept = self.autosaver.set_aside(crashed)
                where = self.tr("kept as {path}").format(path=kept) if kept else self.tr("it could not be kept")
                self.dialogs.error(self.tr("Cannot recover"),
                                   f"{self._failure_message(exc, crashed['path'])} ({where})")
                continue
            # the autosave lives in the data folder; relative data paths belong to the original
            source = crashed.get("source")
            graph.folder = str(Path(source).resolve().parent) if source else None
            self._replace_document(graph, source, recovered=True)
            self.statusBar().showMessage(self.tr("Recovered the autosaved work: save it to keep it"), 10000)
            return

    # ----- export ------------------------------------------------------------------------
    def export_image(self, path: str | None = None) -> bool:
        if path is None:
            path = self.dialogs.save_file(str(Path(self.path or "graph").with_suffix(".png")),
                                          self.tr("PNG image (*.png);;SVG image (*.svg)"))
            if not path:
                return False
        selected = self.scene.selectedItems()
        self.scene.clearSelection()
        source = self.scene.export_rect()
        try:
            if str(path).lower().endswith(".svg"):
                from PySide6.QtSvg import QSvgGenerator

                gen = QSvgGenerator()
                gen.setFileName(str(path))
                gen.setSize(source.size().toSize())
                gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
                gen.setTitle(self.display_name())
                painter = QPainter(gen)
                self.scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
                painter.end()
                ok = Path(path).exists()
            else:
                scale = 2.0  # crisp on slides
                img = QImage((source.size() * scale).toSize(), QImage.Format_ARGB32)
                img.fill(themes.current().canvas)
                painter = QPainter(img)
                painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
                self.scene.render(painter, QRectF(img.rect()), source)
                painter.end()
                ok = img.save(str(path))
        finally:
            for item in selected:
                item.setSelected(True)
        self.statusBar().showMessage((self.tr("Exported {path}") if ok else self.tr("Could not write {path}"))
                                     .format(path=path), 5000)
        return ok

    def export_pytorch(self, path: str | None = None) -> bool:
        """The graph as a PyTorch script (engine.interop.pytorch), its data and the weights
        the panels show (the initial ones before training) in the .npz beside it."""
        from engine.errors import UserError  # noqa: PLC0415
        from engine.interop.pytorch import export_pytorch  # noqa: PLC0415

        if path is None:
            path = self.dialogs.save_file(str(Path(self.path or "graph").with_suffix(".py")),
                                          self.tr("Python script (*.py)"))
            if not path:
                return False
        runner = getattr(self, "runner", None)
        try:
            weights = runner.call_in_worker(operator.methodcaller("weights")) if runner else None
            export_pytorch(self.document, path, source=Path(self.path or "graph.nnpg").name, weights=weights or None)
        except (UserError, OSError) as exc:
            self.dialogs.error(self.tr("Cannot export to PyTorch"), str(exc))
            return False
        self.statusBar().showMessage(self.tr("Exported {path}").format(path=path), 5000)
        return True

    def import_data(self, settings: dict | None = None) -> bool:
        """File > Import Data: the chosen file becomes the document's dataset, one undoable
        command (the dialog previews it; nothing changes until its data reads)."""
        if settings is None:
            settings = self.dialogs.import_data(self.document.folder or "")
            if not settings:
                return False
        self.undo_stack.push(commands.set_setting(self.document, "dataset", settings))
        self.statusBar().showMessage(self.tr("Dataset: {path}").format(path=settings.get("path", "")), 5000)
        return True

    def export_onnx(self, path: str | None = None) -> bool:
        """The network's prediction as an ONNX model (engine.interop.onnx) with the weights
        the panels show (the initial ones before training)."""
        from engine.errors import UserError  # noqa: PLC0415
        from engine.interop.onnx import export_onnx  # noqa: PLC0415

        try:
            import onnx  # noqa: F401,PLC0415 - the optional extra
        except ImportError:
            self.dialogs.error(self.tr("Cannot export to ONNX"),
                               self.tr("The ONNX export needs the 'onnx' package: pip install onnx"))
            return False
        if path is None:
            path = self.dialogs.save_file(str(Path(self.path or "graph").with_suffix(".onnx")),
                                          self.tr("ONNX model (*.onnx)"))
            if not path:
                return False
        runner = getattr(self, "runner", None)
        try:
            weights = runner.call_in_worker(operator.methodcaller("weights")) if runner else None
            export_onnx(self.document, path, weights or None, source=self.tr("the weights shown"))
        except (UserError, OSError) as exc:
            self.dialogs.error(self.tr("Cannot export to ONNX"), str(exc))
            return False
        self.statusBar().showMessage(self.tr("Exported {path}").format(path=path), 5000)
        return True

    # ----- presentation mode and colours -----------------------------------------------------
    def set_presentation(self, on: bool):
        """Full screen for a projector: the canvas, the lesson pane and the lesson's panels
        (without a lesson, the view in front and the loss), every font, line and marker
        larger (the panels restyle through ``Panel.apply_theme``). Leaving restores the
        previous layout, geometry and window state exactly."""
        on = bool(on)
        self.actions["presentation"].setChecked(on)
        if on == themes.current().presentation:
            return
        self.actions["leave_presentation"].setEnabled(on)
        if on:
            self._before_presentation = (self.saveState(), self.geometry(), self.windowState())
        theme = themes.set_presentation(on)
        themes.scale_app_fonts(theme)   # the app's, so menus, dock titles and dialogs grow too
        themes.scale_style_sheets(QApplication.allWidgets(), theme.plot_scale)
        for dock in self.findChildren(QDockWidget):
            # a dock paints its title in the title font it was made with while its own font
            # equals the app's: a font of its own (same size) makes it use the scaled one
            font = QApplication.font()
            font.setStyleStrategy(QFont.PreferAntialias)
            dock.setFont(font if on else QFont())
        self.toolbar.setIconSize(QSize(16, 16) * theme.plot_scale)
        if on:
            self._presentation_layout()
            self.showFullScreen()
        else:
            state, geometry, window_state = self._before_presentation
            self.restoreState(state)
            self.setWindowState(window_state)
            self.setGeometry(geometry)   # (restoreGeometry would fit it to the screen)
            # and once more when the window has its old size back: leaving full screen
            # resizes it later, and the docks' sizes would follow that resize
            QTimer.singleShot(0, self, lambda: (self.restoreState(state), self.setGeometry(geometry)))
        for panel in getattr(self, "panels", {}).values():
            panel.apply_theme()
        for item in self.scene.node_items.values():
            item.refresh()
        for item in self.scene.edge_items.values():
            item.update_path()
        self.scene.update()
        if on:
            QTimer.singleShot(0, self.view.fit)   # once the full-screen size is known

    def presentation_docks(self) -> list:
        """The docks presentation mode shows: the lesson pane and the lesson's panels, or
        without a lesson the view in front and the loss; never one in the hide list."""
        from playground.lesson.goals import lesson_of  # noqa: PLC0415
        from playground.panels.views import ViewPanel  # noqa: PLC0415

        panels = getattr(self, "panels", {})
        lesson = lesson_of(self.document)
        if lesson:
            names = [str(p.get("panel")) for p in lesson.get("panels", ()) if isinstance(p, dict)]
        else:
            front = [p.name for p in panels.values() if isinstance(p, ViewPanel) and p.is_shown()]
            names = front[:1] + ["loss"]
        docks = [self.lesson_pane] if lesson else []
        docks += [panels[n] for n in dict.fromkeys(names) if n in panels]
        return [d for d in docks if d.property(DOCK_KEY) not in self.presentation_hidden
                and getattr(d, "title", None) not in self.presentation_hidden]

    def _presentation_layout(self):
        shown = self.presentation_docks()
        for dock in self.findChildren(QDockWidget):
            if dock not in shown:
                dock.hide()
        plots = [d for d in shown if d is not getattr(self, "lesson_pane", None)]
        if len(shown) > len(plots):
            self.addDockWidget(Qt.LeftDockWidgetArea, self.lesson_pane)
            self.lesson_pane.show()
        # the first two plots stacked on the right, the others as tabs under the second
        for i, dock in enumerate(plots):
            self.addDockWidget(Qt.RightDockWidgetArea, dock)
            if i == 1:
                self.splitDockWidget(plots[0], dock, Qt.Vertical)
            elif i > 1:
                self.tabifyDockWidget(plots[1], dock)
            dock.show()
        if len(plots) > 2:
            plots[1].raise_()
        screen = self.screen().availableGeometry() if self.screen() else self.geometry()
        if plots:
            self.resizeDocks(plots[:1], [int(screen.width() * 0.4)], Qt.Horizontal)
        if len(shown) > len(plots):
            self.resizeDocks([self.lesson_pane], [int(screen.width() * 0.24)], Qt.Horizontal)
        self.unelide_tabs()

    def unelide_tabs(self):
        """Tab titles in full ("Diagnostics", never "Diagnost…"): scroll buttons instead."""
        from PySide6.QtWidgets import QTabBar  # noqa: PLC0415

        for bar in self.findChildren(QTabBar):
            bar.setElideMode(Qt.ElideNone)
            bar.setUsesScrollButtons(True)

    def set_colour_scheme(self, name: str):
        """View > Colour Scheme: every panel's plots take the scheme's colours."""
        from playground.panels.base import use_scheme  # noqa: PLC0415

        recolour = use_scheme(name)
        for action in self.scheme_actions.actions():
            action.setChecked(action.data() == name)
        for panel in getattr(self, "panels", {}).values():
            panel.apply_theme(recolour)
        runner = getattr(self, "runner", None)
        if runner is not None and runner.snapshot is not None:
            runner.redraw_now()   # what the panels colour as they refresh

    def export_plot(self, path: str | None = None, width: int = 1920) -> bool:
        """File > Export Plot: the plot of the panel in front (the one last clicked, else the
        first one shown), alone."""
        panels = [p for p in getattr(self, "panels", {}).values() if p.is_shown() and p.plot_item() is not None]
        focus = QApplication.focusWidget()
        clicked = [p for p in panels if focus is not None and p.isAncestorOf(focus)]
        if not panels:
            self.statusBar().showMessage(self.tr("No panel with a plot is shown"), 5000)
            return False
        panel = (clicked or panels)[0]
        return panel.export_plot(path, width) if path else panel.ask_export_plot()

    # ----- help -----------------------------------------------------------------------------
    def show_shortcuts(self):
        rows = "".join(f"<tr><td>{self.tr(what)}</td><td><b>{self.tr(keys)}</b></td></tr>"
                       for what, keys in SHORTCUTS)
        self.dialogs.info(self.tr("Keyboard shortcuts"), f"<table cellspacing=4>{rows}</table>")

    def show_about(self):
        from playground import __version__

        self.dialogs.info(self.tr("About {app}").format(app=APP_NAME),
                          f"<b>{APP_NAME}</b> {__version__}<br>"
                          + self.tr("Draw neural networks as computational graphs, "
                                    "train them, and watch what happens inside."))
