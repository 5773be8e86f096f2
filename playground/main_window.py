"""The main window: menus, toolbar, canvas, docks (palette, inspector, training settings,
problems), files, autosave/recovery, clipboard and presentation mode.

Integration points for the live panels (``playground.panels.attach(window)``):
``window.actions["run"|"pause"|"step"|"reset"]``, ``window.device_combo``,
``window.add_panel(dock, area)``, ``window.document`` (the Graph; the same object for
the window's life: File > Open replaces its content in place), ``window.scene`` (its
``node_item(id)`` / ``edge_items`` carry the overlay API), ``window.documentReplaced``,
and ``window.train_hook`` (a callable(n_steps) the panels may set so that
``playground gui --train-steps N`` can train before a screenshot).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QImage, QKeySequence, QPainter, QUndoStack
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
FRAGMENT_MIME = "application/x-nnpg-fragment"

log = logging.getLogger("playground")

SHORTCUTS = [
    ("Undo / Redo", "Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y"),
    ("Cut / Copy / Paste", "Ctrl+X / Ctrl+C / Ctrl+V"),
    ("Duplicate", "Ctrl+D"), ("Delete", "Delete or Backspace"), ("Select all", "Ctrl+A"),
    ("Add a node at the cursor (quick search)", "Tab"),
    ("Fit the graph in view", "F"), ("Auto-layout", "L"),
    ("Zoom", "wheel, Ctrl++ / Ctrl+-"), ("Pan", "middle or right drag, or Space+drag"),
    ("Connect", "drag from an output port to an input port"),
    ("Insert a node into a link", "drop it onto the link"),
    ("Group into a module / Ungroup", "Ctrl+G / Ctrl+Shift+G"),
    ("Open a module's inside", "double-click; Alt+Up goes back"),
    ("Presentation mode", "Ctrl+Shift+P"),
    ("New / Open / Save / Save As", "Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S"),
]


def fileformat():
    from engine.graph import fileformat as ff  # the graph runtime's file format

    return ff


def lessons_dir() -> Path | None:
    try:
        from engine.data.assets import asset_path

        return asset_path("lessons")
    except (ImportError, FileNotFoundError):
        return None


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
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.breadcrumb)
        lay.addWidget(self.view)
        self.setCentralWidget(central)
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
        self._default_dock_sizes()

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
        A("new", "&New", self.new_file, QKeySequence.New, "Start a new graph")
        A("open", "&Open…", lambda: self.open_file(), QKeySequence.Open, "Open a .nnpg graph")
        A("save", "&Save", self.save, QKeySequence.Save, "Save the graph")
        A("save_as", "Save &As…", self.save_as, "Ctrl+Shift+S", "Save the graph under a new name")
        A("export", "&Export Image…", lambda: self.export_image(), "Ctrl+E", "Export the canvas as PNG or SVG")
        A("quit", "&Quit", self.close, QKeySequence.Quit)
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence.Undo])
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.actions["undo"], self.actions["redo"] = undo, redo
        A("cut", "Cu&t", self.cut, QKeySequence.Cut, canvas=True)
        A("copy", "&Copy", self.copy, QKeySequence.Copy, canvas=True)
        A("paste", "&Paste", self.paste, QKeySequence.Paste, canvas=True)
        A("duplicate", "&Duplicate", self.scene.duplicate_selected, "Ctrl+D", canvas=True)
        A("delete", "De&lete", self.scene.delete_selected, [QKeySequence.Delete, "Backspace"], canvas=True)
        A("select_all", "Select &All", self.select_all, QKeySequence.SelectAll, canvas=True)
        A("quick_add", "Add Node…", lambda: self.open_quick_search(), None,
          "Search the node types and add one at the cursor (Tab over the canvas)")
        A("group", "&Group into Module", lambda: self.scene.group_selected(), "Ctrl+G", canvas=True)
        A("ungroup", "&Ungroup Module", self.scene.ungroup_selected, "Ctrl+Shift+G", canvas=True)
        A("open_module", "&Open Module Inside", self.open_selected, None,
          "Show the inside of the selected module or ready-made block")
        A("up", "Go &Up", lambda: self.scene.go_to_level(len(self.scene.nav) - 2), "Alt+Up")
        A("instance_shared", "New Instance (&Shared Weights)", lambda: self.scene.place_instance(True))
        A("instance_independent", "New Instance (&Independent Weights)",
          lambda: self.scene.place_instance(False))
        A("zoom_in", "Zoom &In", lambda: self.view.zoom_by(1.25), QKeySequence.ZoomIn)
        A("zoom_out", "Zoom &Out", lambda: self.view.zoom_by(0.8), QKeySequence.ZoomOut)
        A("fit", "&Fit", self.view.fit, "F", "Fit the whole graph in view", canvas=True)
        A("layout", "Auto-&Layout", self.scene.auto_layout, "L", "Arrange by topological layers", canvas=True)
        A("snap", "&Snap to Grid", self._set_snap, None, checkable=True)
        self.actions["snap"].setChecked(True)
        A("shapes", "Show Tensor &Shapes", lambda on: self.scene.set_show_shapes(on), None,
          "Label each computed variable (open circle) with its inferred shape", checkable=True)
        A("minimap", "&Minimap", lambda on: self.view.minimap.set_enabled(on), None, checkable=True)
        self.actions["minimap"].setChecked(True)
        A("presentation", "&Presentation Mode", self.set_presentation, "Ctrl+Shift+P",
          "Larger fonts and thicker lines for projectors", checkable=True)
        A("run", "Run", None, "Ctrl+R", "Train continuously")
        A("pause", "Pause", None, "Ctrl+.", "Pause training")
        A("step", "Step", None, "Ctrl+T", "Train one step")
        A("reset", "Reset", None, "Ctrl+Shift+R", "Re-initialise the weights")
        A("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts)
        A("about", "&About NN Playground", self.show_about)

    def _build_menus(self):
        mb = self.menuBar()
        f = mb.addMenu("&File")
        for k in ("new", "open"):
            f.addAction(self.actions[k])
        self.recent_menu = f.addMenu("Open &Recent")
        self.examples_menu = f.addMenu("E&xamples")
        f.addSeparator()
        for k in ("save", "save_as", "export"):
            f.addAction(self.actions[k])
        f.addSeparator()
        f.addAction(self.actions["quit"])
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu.aboutToShow.connect(self._fill_examples)
        self._fill_recent()
        self._fill_examples()

        e = mb.addMenu("&Edit")
        for k in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", "select_all", None,
                  "quick_add", None, "group", "ungroup", "open_module", "up", "instance_shared",
                  "instance_independent"):
            e.addSeparator() if k is None else e.addAction(self.actions[k])

        v = mb.addMenu("&View")
        for k in ("zoom_in", "zoom_out", "fit", "layout", None, "snap", "shapes", "minimap", None, "presentation"):
            v.addSeparator() if k is None else v.addAction(self.actions[k])
        self.hide_menu = v.addMenu("&Hide in Presentation Mode")
        self.docks_menu = v.addMenu("&Panels")

        r = mb.addMenu("&Run")
        for k in ("run", "pause", "step", "reset"):
            r.addAction(self.actions[k])

        h = mb.addMenu("&Help")
        h.addAction(self.actions["shortcuts"])
        h.addAction(self.actions["about"])
        self.menus = {"file": f, "edit": e, "view": v, "run": r, "help": h}

    def _build_toolbar(self):
        tb = QToolBar("Training")
        tb.setObjectName("training_toolbar")
        tb.setIconSize(QSize(16, 16))
        for k in ("run", "pause", "step", "reset"):
            tb.addAction(self.actions[k])
        tb.addSeparator()
        tb.addWidget(QLabel(" Device: "))
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
        self.add_panel(self._dock("Palette", self.palette), Qt.LeftDockWidgetArea)
        self.add_panel(self._dock("Inspector", self.inspector), Qt.RightDockWidgetArea)
        self.add_panel(self._dock("Training settings", self.training_panel), Qt.RightDockWidgetArea)
        self.add_panel(self._dock("Problems", self.problems_list), Qt.LeftDockWidgetArea)  # under the palette
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["Training settings"])
        self.docks["Inspector"].raise_()

    def _dock(self, title, widget):
        d = QDockWidget(title, self)
        d.setObjectName(f"dock_{title.lower()}")
        d.setWidget(widget)
        return d

    def add_panel(self, dock: QDockWidget, area=Qt.RightDockWidgetArea):
        """Add a dock and list it in View > Panels and in the presentation-mode hide list."""
        title = dock.windowTitle() or dock.objectName()
        if not dock.objectName():
            dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        self.docks_menu.addAction(dock.toggleViewAction())
        hide = QAction(title, self)
        hide.setCheckable(True)
        hide.toggled.connect(lambda on, t=title: (self.presentation_hidden.add(t) if on
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
        return f"{self.example} (example)" if self.example else "Untitled"

    def update_title(self, *_):
        self.setWindowTitle(f"{self.display_name()}{'*' if self.is_dirty() else ''} — {APP_NAME}")

    def _update_counts(self, *_):
        self.count_label.setText(f"{len(self.scene.graph.nodes)} nodes, {len(self.scene.graph.edges)} links ")

    def _update_zoom(self, z):
        self.zoom_label.setText(f"zoom {z * 100:.0f}% ")

    def _problems_changed(self, problems):
        self.problems_list.set_problems(problems)
        n = sum(1 for p in problems if getattr(p, "severity", "error") == "error")
        warnings = len(problems) - n
        dock = self.docks.get("Problems")
        if dock is not None:
            dock.setWindowTitle(f"Problems ({n})" if n else "Problems")
        if not self.document.nodes:
            text, tip = "empty graph", "Add nodes from the palette (or press Tab over the canvas)"
        elif n:
            text = f"⚠ {n} problem{'s' if n > 1 else ''}"
            tip = "<br>".join(p.message for p in problems[:8])
        else:
            text = "✓ graph is valid" + (f" ({warnings} warning{'s' if warnings > 1 else ''})" if warnings else "")
            tip = "<br>".join(p.message for p in problems[:8]) or "No problems found"
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
            f"Internal error (a bug): {who} failed to follow an edit ({error}); "
            f"the traceback is in {log_path()}"), 10000)

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
                    self.statusBar().showMessage(f"dataset: {exc}", 6000)
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
            self.scene.refuse("select one module or ready-made block to open")

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
            self.scene.refuse("select the nodes to copy first")
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
            self.scene.refuse("the clipboard holds no nodes to paste")
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
            self.dialogs.error("Cannot open the file", str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            return False
        except OSError as exc:
            msg = f"{path}: {exc.strerror or exc}"
            self.dialogs.error("Cannot open the file", msg)
            return False
        if is_example(path):
            self._replace_document(graph, None, example=Path(path).name)
        else:
            self._replace_document(graph, str(path))
        self.recent.add(path)
        self._fill_recent()
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

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

    def _save_to(self, path) -> bool:
        """Write the document to ``path``. Whatever goes wrong, the window keeps the document
        and its unsaved state and says why (see _failure_message)."""
        try:
            fileformat().save(self.document, path)
        except Exception as exc:  # noqa: BLE001 - any failure, even a bug, must keep the work
            message = self._failure_message(exc, str(path))
            self.dialogs.error("Cannot save", message)
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
        self.statusBar().showMessage(f"Saved {path}", 5000)
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
        return bugreport.bug_message(exc, report) + (" Your work is still open" +
                                                     (", and a copy was autosaved." if autosaved else "."))

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
            self.dialogs.error("Cannot close", self._failure_message(exc, "closing the window"))
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
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", lambda: (self.recent.clear(), self._fill_recent()))

    def example_files(self) -> list:
        d = lessons_dir()
        return sorted(d.glob("*.nnpg")) if d is not None else []

    def _fill_examples(self):
        self.examples_menu.clear()
        files = self.example_files()
        for p in files:
            a = self.examples_menu.addAction(p.stem.replace("_", " ").replace("-", " "))
            a.setToolTip(str(p))
            a.triggered.connect(lambda _=False, p=p: self.open_file(str(p)))
        if not files:
            self.examples_menu.addAction("(no examples found)").setEnabled(False)

    # ----- autosave and recovery --------------------------------------------------------
    def autosave_now(self) -> bool:
        if self.autosaver is None or not self.is_dirty():
            return False
        self._autosaving = True
        try:
            self.autosaver.save(fileformat().dumps(self.document), self.path)
        except Exception as exc:  # noqa: BLE001 - the next autosave must still run; the work stays open
            self.statusBar().showMessage(
                "autosave failed: " + self._failure_message(exc, str(self.autosaver.file)), 10000)
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
            self.statusBar().showMessage(f"Autosave is off: {self.autosaver.dir}: {exc.strerror or exc}", 15000)
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
                where = f"kept as {kept}" if kept else "it could not be kept"
                self.dialogs.error("Cannot recover",
                                   f"{self._failure_message(exc, crashed['path'])} ({where})")
                continue
            # the autosave lives in the data folder; relative data paths belong to the original
            source = crashed.get("source")
            graph.folder = str(Path(source).resolve().parent) if source else None
            self._replace_document(graph, source, recovered=True)
            self.statusBar().showMessage("Recovered the autosaved work: save it to keep it", 10000)
            return

    # ----- export ------------------------------------------------------------------------
    def export_image(self, path: str | None = None) -> bool:
        if path is None:
            path = self.dialogs.save_file(str(Path(self.path or "graph").with_suffix(".png")),
                                          "PNG image (*.png);;SVG image (*.svg)")
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
        self.statusBar().showMessage(f"Exported {path}" if ok else f"Could not write {path}", 5000)
        return ok

    # ----- presentation mode ----------------------------------------------------------------
    def set_presentation(self, on: bool):
        on = bool(on)
        self.actions["presentation"].setChecked(on)
        themes.set_presentation(on)
        app_font = QApplication.font()
        base = getattr(self, "_base_point_size", None) or app_font.pointSizeF()
        self._base_point_size = base
        f = self.font()
        f.setPointSizeF(base * themes.current().font_scale)
        self.setFont(f)
        if on:
            self._hidden_by_presentation = [t for t in self.presentation_hidden
                                            if t in self.docks and self.docks[t].isVisible()]
            for t in self._hidden_by_presentation:
                self.docks[t].hide()
        else:
            for t in self._hidden_by_presentation:
                self.docks[t].show()
            self._hidden_by_presentation = []
        for item in self.scene.node_items.values():
            item.refresh()
        for item in self.scene.edge_items.values():
            item.update_path()
        self.scene.update()

    # ----- help -----------------------------------------------------------------------------
    def show_shortcuts(self):
        rows = "".join(f"<tr><td>{what}</td><td><b>{keys}</b></td></tr>" for what, keys in SHORTCUTS)
        self.dialogs.info("Keyboard shortcuts", f"<table cellspacing=4>{rows}</table>")

    def show_about(self):
        from playground import __version__

        self.dialogs.info(f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>Draw neural networks as computational graphs, "
                          f"train them, and watch what happens inside.")
