"""The live training panels. ``attach(window)`` creates the Runner (training thread) and
every panel, docks them, and wires them to the window's actions, document and canvas.

The window may be the editor's MainWindow (which calls ``attach(self)`` at the end of its
__init__) or any QMainWindow with a ``document`` (an engine Graph); what it lacks (the
canvas, the run/pause/step/reset actions) is simply not wired. Every change of the
document (the device selector writes ``settings["device"]``) recompiles the session,
keeping the weights of unchanged nodes; File > Open ("reset") starts afresh.
"""
from __future__ import annotations

import functools
import time

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QTabBar

from engine.graph.document import COSMETIC_EVENTS

from ..runner import Runner, graph_session
from .activations import ActivationsPanel
from .attention import AttentionPanel
from .base import Panel
from .boundary import BoundaryPanel
from .confusion import ConfusionPanel
from .controls import ControlsPanel
from .diagnostics import DiagnosticsPanel
from .fit1d import FitPanel
from .gradflow import GradFlowPanel
from .initexplorer import InitExplorerPanel
from .images import ImagesPanel
from .loss import LossPanel
from .paths import PathsPanel
from .predictions import PredictionsPanel
from .sequences import SequencePanel
from .latent import LatentPanel
from .adversarial import AdversarialPanel
from .flow import FlowPanel
from .operator import OperatorPanel
from .graph_embedding import GraphEmbeddingPanel
from .stepthrough import StepThroughPanel
from .timeline import TimelinePanel
from .trajectory import TrajectoryPanel
from .views import ViewChooser, ViewPanel
from .weights import WeightsPanel

#: (panel class, dock area, tab group): panels of one group share a tabbed dock
LAYOUT = ((ControlsPanel, Qt.RightDockWidgetArea, "controls"),
          (BoundaryPanel, Qt.RightDockWidgetArea, "boundary"),   # the views (see panels/views.py)
          (FitPanel, Qt.RightDockWidgetArea, "boundary"),
          (ImagesPanel, Qt.RightDockWidgetArea, "boundary"),
          (SequencePanel, Qt.RightDockWidgetArea, "boundary"),
          (LatentPanel, Qt.RightDockWidgetArea, "boundary"),
          (AdversarialPanel, Qt.RightDockWidgetArea, "boundary"),
          (FlowPanel, Qt.RightDockWidgetArea, "boundary"),
          (OperatorPanel, Qt.RightDockWidgetArea, "boundary"),
          (GraphEmbeddingPanel, Qt.RightDockWidgetArea, "boundary"),
          (PredictionsPanel, Qt.RightDockWidgetArea, "boundary"),
          (DiagnosticsPanel, Qt.RightDockWidgetArea, "diagnostics"),
          (StepThroughPanel, Qt.RightDockWidgetArea, "diagnostics"),
          (LossPanel, Qt.BottomDockWidgetArea, "curves"),
          (GradFlowPanel, Qt.BottomDockWidgetArea, "curves"),
          (ActivationsPanel, Qt.BottomDockWidgetArea, "curves"),
          (WeightsPanel, Qt.BottomDockWidgetArea, "curves"),
          (TrajectoryPanel, Qt.BottomDockWidgetArea, "curves"),
          (PathsPanel, Qt.BottomDockWidgetArea, "curves"),
          (InitExplorerPanel, Qt.BottomDockWidgetArea, "curves"),
          (ConfusionPanel, Qt.RightDockWidgetArea, "diagnostics"),
          (AttentionPanel, Qt.RightDockWidgetArea, "diagnostics"))
#: starting sizes in pixels: the right column's width and rows, the bottom row's height
RIGHT_WIDTH, RIGHT_ROWS, BOTTOM_HEIGHT = 540, (200, 460, 240), 300

_EDIT_DEBOUNCE_MS = 400


class _Attachment(QObject):
    """Holds the wiring; stops the training thread when the window closes."""

    def __init__(self, window, runner, panels):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.panels = panels
        self._graph = None
        self._sized = False
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(_EDIT_DEBOUNCE_MS)
        self._edit_timer.timeout.connect(lambda: self.load(keep_weights=True))
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(runner.shutdown)

    def eventFilter(self, obj, event):
        if obj is self.window:
            # stop the thread once the close is accepted (the window hides), not on the
            # close request itself: "Save changes?" may still cancel it
            if event.type() == QEvent.Hide and not event.spontaneous():
                self.runner.shutdown()
            elif event.type() == QEvent.Close and not self.window.isVisible():
                self.runner.shutdown()  # closing a window that was never shown
            elif event.type() == QEvent.Show and not self._sized:
                self._sized = True  # after the window's own default sizes
                QTimer.singleShot(0, self.window, lambda: _default_sizes(self.window, self.panels))
        return False

    # ----- the document -> a session factory --------------------------------------
    def load(self, keep_weights=False):
        """(Re)build the session from the window's document, in the worker thread."""
        graph = getattr(self.window, "document", None)
        if graph is None:
            return
        if graph is not self._graph:
            if self._graph is not None:
                self._graph.unsubscribe(self._on_graph_event)
            self._graph = graph
            graph.subscribe(self._on_graph_event)
        copy = graph.copy()  # the worker must never read the document the editor changes
        if not keep_weights:   # a new document (or Reset): the weights its file was saved with, once
            take = getattr(self.window, "take_saved_weights", None)
            saved = take() if take is not None else None
            self.runner.set_initial_weights(*(saved or (None, "")))
        controls = self.panels.get("controls")
        if controls is not None:  # this document's optimizer, even before there is a run
            controls.set_optimizer((copy.settings or {}).get("optimizer"))
        if not copy.nodes:  # an empty document: nothing to train, and nothing of a run to show
            if self.runner.snapshot is not None or len(self.runner.history):
                self.runner.clear()
            return

        from playground.lesson.goals import step_limit, tracker_factory  # noqa: PLC0415

        self.runner.set_step_limit(step_limit(copy))   # before the session they apply to
        self.runner.set_goal_tracker(tracker_factory(copy))

        self.runner.set_session_factory(functools.partial(graph_session, copy), keep_weights=keep_weights)

    def _on_graph_event(self, event):
        if event.kind == "settings_changed" and event.name == "optimizer" and self._live_optimizer(
                event.old, event.value):
            return
        if event.kind == "reset":  # a whole new document (File > Open): start afresh
            self._edit_timer.stop()
            self.runner.clear()  # nothing of the previous document stays on screen
            QTimer.singleShot(0, self.runner, lambda: self.load(keep_weights=False))
        elif event.kind not in COSMETIC_EVENTS:   # (a cosmetic edit needs no recompile)
            self._edit_timer.start()  # recompile, keeping weights, once the editing stops

    def _live_optimizer(self, old, new) -> bool:
        """Apply an edit of the same optimizer's hyperparameters to the running session
        (no recompile, the optimizer keeps its state); False if it needs a new session."""
        old, new = dict(old or {}), dict(new or {})
        if old.get("name", "SGD") != new.get("name", "SGD") or set(old) != set(new):
            return False
        for key, value in new.items():
            if key != "name" and old.get(key) != value:
                self.runner.set_hparam(key, tuple(value) if isinstance(value, list) else value)
        controls = self.panels.get("controls")
        if controls is not None:
            controls.set_optimizer(new)
        return True

    def train_now(self, n_steps: int, timeout_s: float = 300.0):
        """Train ``n_steps`` and wait for them, then redraw (``playground gui --train-steps``)."""
        runner = self.runner
        deadline = time.perf_counter() + timeout_s
        while runner.snapshot is None and not runner.last_message and time.perf_counter() < deadline:
            QApplication.processEvents(QEventLoop.AllEvents, 20)  # the session is being built
        if runner.snapshot is None:
            return
        target = runner.snapshot.step + int(n_steps)
        runner.step_n(int(n_steps))
        while (runner.snapshot.step < target or runner.running) and time.perf_counter() < deadline:
            QApplication.processEvents(QEventLoop.AllEvents, 20)
        runner.redraw_now()


def attach(window):
    """Create the runner and all panels for ``window`` and wire them; returns the runner."""
    runner = Runner(window)
    panels = {}
    add_panel = getattr(window, "add_panel", None)
    first_of_group = {}
    for cls, area, group in LAYOUT:
        panel = cls(runner, window)
        panels[panel.name] = panel
        if add_panel is not None:
            add_panel(panel, area)
        else:
            window.addDockWidget(area, panel)
        if group in first_of_group:
            window.tabifyDockWidget(first_of_group[group], panel)
        else:
            first_of_group[group] = panel
    # the timeline: a thin row under the curves (the bottom area split the other way)
    panels["timeline"] = timeline = TimelinePanel(runner, window)
    if add_panel is not None:   # listed in the window's Panels menu like the others
        add_panel(timeline, Qt.BottomDockWidgetArea)
    window.addDockWidget(Qt.BottomDockWidgetArea, timeline, Qt.Vertical)
    settings_dock = getattr(window, "docks", {}).get("Training settings")
    if settings_dock is not None:  # the editor's window: controls beside its settings tab
        window.tabifyDockWidget(settings_dock, panels["controls"])
    for first in first_of_group.values():
        first.raise_()
    # then the view that suits the data goes in front, when they arrive
    window.view_chooser = ViewChooser(runner, [p for p in panels.values() if isinstance(p, ViewPanel)])
    panels["diagnostics"].weights_panel = panels["weights"]
    panels["weights"].canvas_box.toggled.connect(
        lambda on: on and panels["diagnostics"].heat_box.setChecked(False))

    link = _Attachment(window, runner, panels)
    # Reset starts afresh like a new document: the trained run's panels go even when the
    # graph no longer builds (then they stay empty and the status bar says why)
    panels["controls"].reset_hook = lambda: (runner.clear(), link.load(keep_weights=False))
    window.train_hook = link.train_now
    window.runner = runner
    window.panels = panels
    window._panels_link = link

    actions = getattr(window, "actions", None)
    if isinstance(actions, dict):
        for key, slot in (("run", runner.play), ("play", runner.play), ("pause", runner.pause),
                          ("step", runner.step_once), ("epoch", runner.step_epoch),
                          ("reset", panels["controls"].reset)):
            act = actions.get(key)
            if act is not None:
                act.triggered.connect(slot)
    replaced = getattr(window, "documentReplaced", None)
    if replaced is not None:  # an in-place replacement also arrives as a "reset" event
        replaced.connect(lambda *_: window.document is not link._graph and link.load())
    runner.message.connect(lambda text: _status(window, text))
    _hover_hook(window, panels["boundary"])
    link.load()
    return runner


def _default_sizes(window, panels):
    """Starting sizes: the decision boundary tall on the right, the curves below."""
    window.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)  # right column: full height
    right = [panels[n] for n in ("controls", "boundary", "diagnostics")]
    window.resizeDocks([panels["boundary"]], [RIGHT_WIDTH], Qt.Horizontal)
    window.resizeDocks(right, list(RIGHT_ROWS), Qt.Vertical)
    window.resizeDocks([panels["loss"]], [BOTTOM_HEIGHT], Qt.Vertical)
    # Tabifying the panels one by one leaves Qt's tab bars of the intermediate groups
    # (e.g. "Diagnostics | Step through") on screen; once the column is narrower than
    # they were, they peek out beside the real ones. They are the main window's hidden
    # spare tab bars in every respect but visibility, so hide them.
    current = {}
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window and bar.isVisible():
            tabs = frozenset(bar.tabText(i) for i in range(bar.count()))
            current[bar] = tabs
    for bar, tabs in current.items():
        if any(tabs < other for other in current.values()):
            bar.hide()


def _status(window, text):
    bar = window.statusBar() if hasattr(window, "statusBar") else None
    if bar is not None:
        bar.showMessage(text, 8000)


class _HoverFilter(QObject):
    """Hovering a node on the canvas shows its neurons in the decision-boundary panel."""

    def __init__(self, scene, boundary):
        super().__init__(scene)
        self.scene, self.boundary, self.node = scene, boundary, None

    def eventFilter(self, obj, event):
        if event.type() == QEvent.GraphicsSceneMouseMove:
            node = None
            for view in obj.views()[:1]:
                item = obj.itemAt(event.scenePos(), view.transform())
                while item is not None and not (hasattr(item, "node_id") and hasattr(item, "set_heat")):
                    item = item.parentItem()
                node = getattr(item, "node_id", None)
            if node != self.node:
                self.node = node
                if self.boundary.isVisible():
                    ok = node is not None and self.boundary.node_box.findText(node) > 0
                    if ok or self.boundary.node_box.currentIndex() == 0:   # the output's heatmap
                        self.boundary.show_node(node if ok else None)
        return False


def _hover_hook(window, boundary):
    scene = getattr(window, "scene", None)
    if scene is not None and hasattr(scene, "installEventFilter"):
        f = _HoverFilter(scene, boundary)
        scene.installEventFilter(f)
        window._panels_hover = f


__all__ = ["attach", "Panel", "Runner"]
