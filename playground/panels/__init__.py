"""The live training panels. ``attach(window)`` creates the Runner (training thread) and
every panel, docks them, and wires them to the window's actions, document and canvas.

The window may be the editor's MainWindow (which calls ``attach(self)`` at the end of its
__init__) or any QMainWindow with a ``document`` (an engine Graph); what it lacks (the
canvas, the run/pause/step/reset actions, the device selector) is simply not wired.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ..runner import Runner
from .activations import ActivationsPanel
from .attention import AttentionPanel
from .base import Panel
from .boundary import BoundaryPanel
from .confusion import ConfusionPanel
from .controls import ControlsPanel
from .diagnostics import DiagnosticsPanel
from .gradflow import GradFlowPanel
from .loss import LossPanel
from .paths import PathsPanel
from .stepthrough import StepThroughPanel
from .trajectory import TrajectoryPanel
from .weights import WeightsPanel

#: (panel class, dock area, tab group): panels of one group share a tabbed dock
LAYOUT = ((ControlsPanel, Qt.RightDockWidgetArea, "controls"),
          (BoundaryPanel, Qt.RightDockWidgetArea, "boundary"),
          (DiagnosticsPanel, Qt.RightDockWidgetArea, "diagnostics"),
          (StepThroughPanel, Qt.RightDockWidgetArea, "diagnostics"),
          (LossPanel, Qt.BottomDockWidgetArea, "curves"),
          (GradFlowPanel, Qt.BottomDockWidgetArea, "curves"),
          (ActivationsPanel, Qt.BottomDockWidgetArea, "curves"),
          (WeightsPanel, Qt.BottomDockWidgetArea, "curves"),
          (TrajectoryPanel, Qt.BottomDockWidgetArea, "curves"),
          (PathsPanel, Qt.BottomDockWidgetArea, "curves"),
          (ConfusionPanel, Qt.BottomDockWidgetArea, "classes"),
          (AttentionPanel, Qt.BottomDockWidgetArea, "classes"))
#: starting sizes in pixels: the right column's width and rows, the bottom row's height
RIGHT_WIDTH, RIGHT_ROWS, BOTTOM_HEIGHT, BOTTOM_COLS = 520, (150, 520, 200), 330, (900, 380)

#: graph events that do not change what trains (so no recompile)
_COSMETIC = ("node_moved", "label_changed")
_EDIT_DEBOUNCE_MS = 400


class _Attachment(QObject):
    """Holds the wiring; stops the training thread when the window closes."""

    def __init__(self, window, runner, panels):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.panels = panels
        self._graph = None
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(_EDIT_DEBOUNCE_MS)
        self._edit_timer.timeout.connect(lambda: self.load(keep_weights=True))
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(runner.shutdown)

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Close:
            self.runner.shutdown()
        return False

    # ----- the document -> a session factory --------------------------------------
    def device(self) -> str | None:
        w = self.window
        for name in ("device", "current_device"):
            d = getattr(w, name, None)
            d = d() if callable(d) else d
            if isinstance(d, str):
                return d
        return None

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
        device = self.device()
        controls = self.panels.get("controls")
        if controls is not None:
            controls.set_optimizer((copy.settings or {}).get("optimizer"))

        def factory(previous, dataset, graph=copy, device=device):
            from engine.train import Session  # noqa: PLC0415

            prev_program = previous.program if previous is not None else None
            return Session.from_graph(graph, device=device, dataset=dataset, previous=prev_program)

        self.runner.set_session_factory(factory, keep_weights=keep_weights)

    def _on_graph_event(self, event):
        if event.kind not in _COSMETIC:
            self._edit_timer.start()  # recompile once the student stops editing


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
    for first in first_of_group.values():
        first.raise_()
    firsts = list(first_of_group.values())
    right = [d for d in firsts if window.dockWidgetArea(d) == Qt.RightDockWidgetArea]
    bottom = [d for d in firsts if window.dockWidgetArea(d) == Qt.BottomDockWidgetArea]
    window.resizeDocks(right[:1], [RIGHT_WIDTH], Qt.Horizontal)
    window.resizeDocks(right, list(RIGHT_ROWS[:len(right)]), Qt.Vertical)
    window.resizeDocks(bottom[:1], [BOTTOM_HEIGHT], Qt.Vertical)
    window.resizeDocks(bottom, list(BOTTOM_COLS[:len(bottom)]), Qt.Horizontal)
    panels["diagnostics"].weights_panel = panels["weights"]
    panels["weights"].canvas_box.toggled.connect(
        lambda on: on and panels["diagnostics"].heat_box.setChecked(False))

    link = _Attachment(window, runner, panels)
    panels["controls"].reset_hook = lambda: link.load(keep_weights=False)
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
    if replaced is not None:
        replaced.connect(lambda *_: link.load(keep_weights=False))
    device_changed = getattr(window, "deviceChanged", None)
    if device_changed is not None:
        device_changed.connect(lambda *_: link.load(keep_weights=True))
    runner.message.connect(lambda text: _status(window, text))
    _hover_hook(window, panels["boundary"])
    link.load()
    return runner


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
                    if ok or self.boundary.node_box.currentText() == "output":
                        self.boundary.show_node(node if ok else None)
        return False


def _hover_hook(window, boundary):
    scene = getattr(window, "scene", None)
    if scene is not None and hasattr(scene, "installEventFilter"):
        f = _HoverFilter(scene, boundary)
        scene.installEventFilter(f)
        window._panels_hover = f


__all__ = ["attach", "Panel", "Runner"]
