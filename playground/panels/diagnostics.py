"""Diagnostics: the session's verdicts (vanishing/exploding gradients, saturation, dead
units, NaN) in plain words with the remedies; the offending nodes highlighted on the
canvas; the gradient magnitude of every layer drawn as heat on its node and edges."""
from __future__ import annotations

import html
import time

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QTextBrowser

from engine.graph.registry import FUNCTION
from engine.train import diagnostics
from playground import theme as themes
from playground.editor.items import HEAT_COLOUR

from .base import Panel, node_item
from .legends import heat_key
from .weights import set_edge_style

SEVERITY_COLORS = {"error": QColor(220, 40, 40), "warning": QColor(235, 150, 0),
                   "info": QColor(40, 120, 220)}
TITLES = {"vanishing": QT_TRANSLATE_NOOP("DiagnosticsPanel", "Vanishing gradients"),
          "exploding": QT_TRANSLATE_NOOP("DiagnosticsPanel", "Exploding gradients"),
          "saturation": QT_TRANSLATE_NOOP("DiagnosticsPanel", "Saturated units"),
          "dead": QT_TRANSLATE_NOOP("DiagnosticsPanel", "Dead units"),
          "nan": QT_TRANSLATE_NOOP("DiagnosticsPanel", "Not a number")}
#: while training runs, a snapshot is judged (its verdicts computed and shown) at most this
#: often: verdicts are read, not watched (one that changed 30 times a second could not be
#: read), and judging costs about a millisecond of the interpreter that training needs. A
#: NaN shows at once, and the newest snapshot is judged when the interval is over.
JUDGE_EVERY_S = 0.25


def node_grad_norms(snap) -> dict:
    """node id -> L2 norm of all its parameters' gradients together."""
    sq = {}
    for g in snap.gradients.values():
        sq[g.node] = sq.get(g.node, 0.0) + float(g.norm) ** 2
    return {n: np.sqrt(v) for n, v in sq.items()}


def heat_levels(norms: dict) -> dict:
    """Gradient norms to 0..1 on a log scale over the nodes (0 = smallest, 1 = largest)."""
    if not norms:
        return {}
    logs = {n: np.log10(max(v, 1e-30)) for n, v in norms.items() if np.isfinite(v)}
    if not logs:
        return {n: 1.0 for n in norms}
    lo, hi = min(logs.values()), max(logs.values())
    span = max(hi - lo, 1e-9)
    return {n: (logs[n] - lo) / span if n in logs else 1.0 for n in norms}


def verdict_html(snap) -> str:
    if snap.step == 0 and snap.nan is None:   # nothing has been measured while learning
        return ("<p style='color:#555'><b>" + QCoreApplication.translate("DiagnosticsPanel", "Not trained yet") + "</b>: "
                + QCoreApplication.translate("DiagnosticsPanel", "the diagnoses read the gradients and activations of training steps: "
                      "press Play or Step.") + "</p>")
    parts = []
    if snap.nan is not None:
        stopped = QCoreApplication.translate("DiagnosticsPanel", "Training stopped at step {step}:").format(step=snap.nan.step)
        node = QCoreApplication.translate("DiagnosticsPanel", "node {node}").format(node=f"<b>{html.escape(snap.nan.node)}</b>")
        parts.append(f"<p style='color:#c00'><b>{stopped}</b> {html.escape(snap.nan.message)} ({node})</p>")
    for v in snap.verdicts:
        col = SEVERITY_COLORS.get(v.severity, SEVERITY_COLORS["warning"]).name()
        title = QCoreApplication.translate("DiagnosticsPanel", TITLES[v.kind]) if v.kind in TITLES else v.kind
        nodes = f" <i>({html.escape(', '.join(v.nodes))})</i>" if v.nodes else ""
        remedies = "".join(f"<li>{html.escape(str(r))}</li>" for r in v.remedies)
        helps = QCoreApplication.translate("DiagnosticsPanel", "What helps:")
        parts.append(f"<p><b style='color:{col}'>{html.escape(title)}</b>{nodes}<br>"
                     f"{html.escape(v.message)}</p>"
                     + (f"<p style='margin-left:8px'>{helps}</p><ul>{remedies}</ul>" if remedies else ""))
    if not parts:
        parts.append("<p style='color:#2a7'><b>" + QCoreApplication.translate("DiagnosticsPanel", "No problems found") + "</b>: "
                     + QCoreApplication.translate("DiagnosticsPanel", "gradients flow, and no node has more than half of its units dead.") + "</p>")
    # the Activations panel shows saturation with the same definition: never leave it unsaid
    saturated = diagnostics.saturated_nodes([snap])
    if saturated and not any(v.kind == "saturation" for v in snap.verdicts):
        names = ", ".join(f"'{html.escape(n)}' ({f:.0%})" for n, f in saturated)
        parts.append("<p style='color:#555'>" + html.escape(QCoreApplication.translate("DiagnosticsPanel", 
            "Saturated: {names} of the outputs. Not reported as a problem while the net has "
            "learned (confident outputs saturate) or its loss is still falling.")).format(names=names) + "</p>")
    return "".join(parts)


class DiagnosticsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Diagnostics")
    name = "diagnostics"

    def build(self):
        self.highlight_box = QCheckBox(self.tr("highlight nodes"))
        self.highlight_box.setChecked(True)
        self.highlight_box.toggled.connect(lambda on: self._apply_highlights(force=True))
        self.header.addWidget(self.highlight_box)
        self.heat_box = QCheckBox(self.tr("gradient heat on canvas"))
        self.heat_box.toggled.connect(self._on_heat_toggled)
        self.header.addWidget(self.heat_box)
        self.heat_key = heat_key(themes.current().fill_for(FUNCTION), HEAT_COLOUR)
        self.heat_key.setVisible(False)
        self.heat_box.toggled.connect(self.heat_key.setVisible)
        self.vbox.addWidget(self.heat_key)   # a row of its own, under the header
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.vbox.addWidget(self.text, 1)
        self.highlighted = {}
        self.heated = set()
        self._key = None
        self._judged, self._judged_t = None, -float("inf")
        self._shown_snap = None   # the snapshot the text was last made for
        self._next_judgement = QTimer(self)
        self._next_judgement.setSingleShot(True)
        self._next_judgement.timeout.connect(lambda: self._on_redraw(self.runner))
        self.weights_panel = None  # edges are shared with the weights view; see attach()

    def judged(self, runner):
        """The snapshot whose verdicts are shown: the newest, or while training runs the one
        judged less than JUDGE_EVERY_S ago (then a redraw is due when the interval is over)."""
        snap = runner.snapshot
        if snap is None or snap is self._judged:
            return snap
        wait = self._judged_t + JUDGE_EVERY_S - time.monotonic()
        if runner.running and wait > 0 and snap.nan is None and self._judged is not None:
            if not self._next_judgement.isActive():
                self._next_judgement.start(int(1000 * wait) + 1)
            return self._judged
        self._judged, self._judged_t = snap, time.monotonic()
        return snap

    def refresh(self, runner):
        snap = self.judged(runner)
        if snap is None or snap is self._shown_snap:
            return
        self._shown_snap = snap
        key = (snap.step == 0, snap.nan.step if snap.nan else None,
               tuple((v.kind, v.message, tuple(v.nodes)) for v in snap.verdicts),
               tuple(n for n, _ in diagnostics.saturated_nodes([snap])))
        if key != self._key:
            self.text.setHtml(verdict_html(snap))
            self._key = key

    def refresh_canvas(self, runner):
        self._apply_highlights()
        if self.heat_box.isChecked():
            self.apply_heat(runner.snapshot)

    def wanted_highlights(self, snap) -> dict:
        want = {}
        if snap is None or not self.highlight_box.isChecked():
            return want
        for v in snap.verdicts:
            for n in v.nodes:
                want[n] = SEVERITY_COLORS.get(v.severity, SEVERITY_COLORS["warning"])
        if snap.nan is not None:
            want[snap.nan.node] = SEVERITY_COLORS["error"]
        return want

    def _apply_highlights(self, force=False):
        want = self.wanted_highlights(self.judged(self.runner))
        for n in set(self.highlighted) - set(want):
            item = node_item(self.window_, n)
            if item is not None:
                item.set_highlight(None)
        for n, c in want.items():
            if force or self.highlighted.get(n) != c:
                item = node_item(self.window_, n)
                if item is not None:
                    item.set_highlight(c)
        self.highlighted = want

    def apply_heat(self, snap):
        for node, level in heat_levels(node_grad_norms(snap)).items():
            item = node_item(self.window_, node)
            if item is None:
                continue
            if item.heat is None or abs(item.heat - level) > 0.02:
                item.set_heat(level)
            red = QColor.fromHsvF(0.0, 0.15 + 0.85 * level, 0.9)
            for e in getattr(item, "edges", ()):
                if e.edge.dst == node:
                    set_edge_style(e, red, 1.0 + 5.0 * level)
            self.heated.add(node)

    def _on_heat_toggled(self, on):
        if on:
            if self.weights_panel is not None:
                self.weights_panel.canvas_box.setChecked(False)
            if self.runner.snapshot is not None:
                self.apply_heat(self.runner.snapshot)
        else:
            for node in self.heated:
                item = node_item(self.window_, node)
                if item is None:
                    continue
                item.set_heat(None)
                for e in getattr(item, "edges", ()):
                    if e.edge.dst == node:
                        set_edge_style(e, None, None)
            self.heated = set()

    def clear(self):
        self._key = self._shown_snap = None
        self._judged, self._judged_t = None, -float("inf")
        self.text.clear()
        self._apply_highlights()  # none wanted without a snapshot; the next one brings its own

    def forget_canvas(self):
        self.highlighted, self.heated = {}, set()
