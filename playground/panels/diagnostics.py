"""Diagnostics: the session's verdicts (vanishing/exploding gradients, saturation, dead
units, NaN) in plain words with the remedies; the offending nodes highlighted on the
canvas; the gradient magnitude of every layer drawn as heat on its node and edges."""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QTextBrowser

from .base import Panel, node_item
from .weights import set_edge_style

SEVERITY_COLORS = {"error": QColor(220, 40, 40), "warning": QColor(235, 150, 0),
                   "info": QColor(40, 120, 220)}
TITLES = {"vanishing": "Vanishing gradients", "exploding": "Exploding gradients",
          "saturation": "Saturated units", "dead": "Dead units", "nan": "Not a number"}


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
    parts = []
    if snap.nan is not None:
        parts.append(f"<p style='color:#c00'><b>Training stopped at step {snap.nan.step}:</b> "
                     f"{html.escape(snap.nan.message)} (node <b>{html.escape(snap.nan.node)}</b>)</p>")
    for v in snap.verdicts:
        col = SEVERITY_COLORS.get(v.severity, SEVERITY_COLORS["warning"]).name()
        title = TITLES.get(v.kind, v.kind)
        nodes = f" <i>({html.escape(', '.join(v.nodes))})</i>" if v.nodes else ""
        remedies = "".join(f"<li>{html.escape(str(r))}</li>" for r in v.remedies)
        parts.append(f"<p><b style='color:{col}'>{html.escape(title)}</b>{nodes}<br>"
                     f"{html.escape(v.message)}</p>"
                     + (f"<p style='margin-left:8px'>What helps:</p><ul>{remedies}</ul>" if remedies else ""))
    if not parts:
        parts.append("<p style='color:#2a7'><b>No problems found</b>: gradients flow, "
                     "units are neither saturated nor dead.</p>")
    return "".join(parts)


class DiagnosticsPanel(Panel):
    title = "Diagnostics"
    name = "diagnostics"

    def build(self):
        self.highlight_box = QCheckBox("highlight nodes")
        self.highlight_box.setChecked(True)
        self.highlight_box.toggled.connect(lambda on: self._apply_highlights(force=True))
        self.header.addWidget(self.highlight_box)
        self.heat_box = QCheckBox("gradient heat on canvas")
        self.heat_box.toggled.connect(self._on_heat_toggled)
        self.header.addWidget(self.heat_box)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.vbox.addWidget(self.text, 1)
        self.highlighted = {}
        self.heated = set()
        self._key = None
        self.weights_panel = None  # edges are shared with the weights view; see attach()

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        key = (snap.nan.step if snap.nan else None,
               tuple((v.kind, v.message, tuple(v.nodes)) for v in snap.verdicts))
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
        want = self.wanted_highlights(self.runner.snapshot)
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
        self._key = None
        self.text.clear()
        self._apply_highlights()  # none wanted without a snapshot; the next one brings its own

    def forget_canvas(self):
        self.highlighted, self.heated = {}, set()
