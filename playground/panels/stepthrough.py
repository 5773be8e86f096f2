"""Step-through mode: the forward pass node by node, then the backward pass node by node.

Forward: the current node is highlighted and the edges it feeds show the tensor they
carry (the numbers for small tensors, shape and mean/std for large ones). Backward: each
edge into the current node shows the gradient arriving at the node's output, the node's
local derivative and their product, the gradient on that edge: the chain rule made
visible. "Check gradient" compares autograd with a finite difference for the node.
All numbers come from ``session.trace`` and ``session.check_gradient`` in the worker.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QSpinBox, QTextBrowser

from ..i18n import number
from .base import Panel, node_item

FORWARD_COLOR = QColor(40, 160, 80)
BACKWARD_COLOR = QColor(200, 60, 160)
SMALL = 8  # tensors with at most this many numbers are shown in full


def fmt(a) -> str:
    """A tensor in a few characters: its numbers when small, else shape and mean/std."""
    if a is None:
        return "—"
    a = np.asarray(a)
    if a.size <= SMALL:
        flat = a.reshape(-1)
        body = "; ".join(number(float(v), ".3g") for v in flat) if _comma() else \
            ", ".join(f"{float(v):.3g}" for v in flat)
        return f"[{body}]" if a.ndim else body
    return f"{tuple(a.shape)} μ={number(float(a.mean()), '.3g')} σ={number(float(a.std()), '.3g')}"


def trace_steps(trace) -> list:
    """[("forward", node) in topological order ..., ("backward", node) in reverse]."""
    order = list(trace["values"])
    back = [n for n in reversed(order)
            if any(g is not None for g in trace["grads"].get(n, {}).values())]
    return [("forward", n) for n in order] + [("backward", n) for n in back]


INTRO = QT_TRANSLATE_NOOP("StepThroughPanel",
                          "<p style='color:#666'><b>Start</b> pauses training and sends a few samples through "
                          "the network. <b>▶</b> walks the forward pass node by node (the edges show the "
                          "values), then the backward pass: each edge shows the gradient arriving × the local "
                          "derivative = the gradient passed on. <b>Check gradient</b> compares autograd with a "
                          "finite difference.</p>")


def _comma() -> bool:
    """Numbers are written with a decimal comma: list them with semicolons."""
    return number(0.5) != "0.5"

class StepThroughPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Step through")
    #: the trace's phases as the header names them
    PHASES = {"forward": QT_TRANSLATE_NOOP("StepThroughPanel", "forward"),
              "backward": QT_TRANSLATE_NOOP("StepThroughPanel", "backward")}
    name = "stepthrough"

    def build(self):
        self.samples = QSpinBox()
        self.samples.setRange(1, 64)
        self.samples.setValue(1)
        self.samples.setPrefix(self.tr("samples "))
        self.samples.setToolTip(self.tr("How many training samples go through the network"))
        self.header.addWidget(self.samples)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setToolTip(self.tr("Pause training and trace one forward and backward pass"))
        self.start_button.clicked.connect(self.start)
        self.prev_button = QPushButton("◀")
        self.prev_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button = QPushButton("▶")
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.check_button = QPushButton(self.tr("Check gradient"))
        self.check_button.setToolTip(self.tr("Compare autograd with a finite difference for this node"))
        self.check_button.clicked.connect(self.check_current)
        self.stop_button = QPushButton(self.tr("Done"))
        self.stop_button.clicked.connect(self.stop)
        steps_row = self.add_row()
        for b in (self.start_button, self.prev_button, self.next_button, self.check_button,
                  self.stop_button):
            steps_row.addWidget(b)
        for b in (self.prev_button, self.next_button):
            b.setMaximumWidth(40)
        steps_row.addStretch(1)
        self.where = self.add_label()
        self.text = QTextBrowser()
        # the instructions as grey text, not a placeholder: a placeholder does not wrap
        self.text.setHtml(self.tr(INTRO))
        self.vbox.addWidget(self.text, 1)
        self.trace = None
        self.steps = []
        self.index = -1
        self.checks = {}
        self.touched_nodes, self.touched_edges = set(), set()
        self.runner.traceReady.connect(self.set_trace)
        self.runner.gradCheckReady.connect(self._on_check)
        self._enable()

    def _enable(self):
        have = self.trace is not None
        for b in (self.prev_button, self.next_button, self.check_button, self.stop_button):
            b.setEnabled(have)

    # ----- flow ------------------------------------------------------------------------
    def start(self):
        self.runner.pause()
        self.runner.request_trace(self.samples.value())

    def set_trace(self, trace):
        self.clear_canvas()
        self.trace = trace
        self.steps = trace_steps(trace)
        self.checks = {}
        self._enable()
        self.go(0)

    def stop(self):
        self.clear_canvas()
        self.trace, self.steps, self.index = None, [], -1
        self.where.setText("")
        self.text.setHtml(self.tr(INTRO))
        self._enable()

    def current(self):
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    def go(self, index):
        if not self.steps:
            return
        self.index = max(0, min(index, len(self.steps) - 1))
        phase, node = self.steps[self.index]
        self.where.setText(f"{self.tr(self.PHASES[phase])} {self.index + 1}/{len(self.steps)}: {node}")
        self.show_on_canvas(phase, node)
        self.text.setHtml(self.describe(phase, node))

    def check_current(self):
        cur = self.current()
        if cur is not None:
            self.runner.request_check_gradient(cur[1])

    def _on_check(self, node, worst):
        self.checks[node] = worst
        cur = self.current()
        if cur is not None:
            self.text.setHtml(self.describe(*cur))

    # ----- what is shown -------------------------------------------------------------
    def in_edges(self, node):
        return [e for e in self.trace["edge_grads"] if e.dst == node]

    def out_edges(self, node):
        return [e for e in self.trace["edge_grads"] if e.src == node]

    def value_of(self, node, port=None):
        ports = self.trace["values"].get(node, {})
        if port is None:
            return next(iter(ports.values()), None)
        return ports.get(port)

    def describe(self, phase, node) -> str:
        t = self.trace
        rows = []
        if phase == "forward":
            for e in self.in_edges(node):
                rows.append("<tr><td>" + self.tr("in <b>{port}</b> (from {node})").format(port=e.dst_port, node=e.src)
                            + f"</td><td>{html.escape(fmt(self.value_of(e.src, e.src_port)))}</td></tr>")
            for port, v in t["values"].get(node, {}).items():
                rows.append("<tr><td>" + self.tr("out <b>{port}</b>").format(port=port)
                            + f"</td><td>{html.escape(fmt(v))}</td></tr>")
            head = "<p>" + self.tr("<b>Forward</b> through <b>{node}</b>").format(node=html.escape(node)) + "</p>"
        else:
            local = t["local_derivatives"].get(node)
            for port, g in t["grads"].get(node, {}).items():
                rows.append(f"<tr><td>∂L/∂{port} " + self.tr("(arriving)") + f"</td><td>{html.escape(fmt(g))}</td></tr>")
            if local is not None:
                rows.append("<tr><td>" + self.tr("local derivative ∂out/∂in")
                            + f"</td><td>{html.escape(fmt(local))}</td></tr>")
            for e in self.in_edges(node):
                rows.append(f"<tr><td>∂L/∂{e.dst_port} = " + self.tr("product (to {node})").format(node=e.src) + "</td>"
                            f"<td>{html.escape(fmt(t['edge_grads'][e]))}</td></tr>")
            for name, g in t["param_grads"].items():
                if name.split(".")[0] == node:
                    rows.append(f"<tr><td>∂L/∂{html.escape(name)}</td><td>{html.escape(fmt(g))}</td></tr>")
            head = "<p>" + self.tr("<b>Backward</b> through <b>{node}</b>").format(node=html.escape(node)) + "</p>"
        if node in self.checks:
            worst = self.checks[node]
            ok = self.tr("agrees") if worst < 1e-6 else self.tr("DIFFERS")
            rows.append("<tr><td>" + self.tr("gradient check") + "</td><td>"
                        + self.tr("max |autograd − finite difference| = {value} ({verdict})").format(
                            value=number(worst, ".2e"), verdict=ok) + "</td></tr>")
        loss = t.get("loss")
        foot = "<p>" + self.tr("loss = {value}").format(value=number(loss, ".6g")) + "</p>" if loss is not None else ""
        return head + "<table cellspacing=4>" + "".join(rows) + "</table>" + foot

    def show_on_canvas(self, phase, node):
        for n in list(self.touched_nodes):
            item = node_item(self.window_, n)
            if item is not None:
                item.set_highlight(None)
        self.touched_nodes = set()
        item = node_item(self.window_, node)
        if item is None:
            return
        item.set_highlight(FORWARD_COLOR if phase == "forward" else BACKWARD_COLOR)
        self.touched_nodes.add(node)
        t = self.trace
        for e_item in getattr(item, "edges", ()):
            e = e_item.edge
            if phase == "forward" and e.src == node:
                e_item.set_value_text(fmt(self.value_of(e.src, e.src_port)))
            elif phase == "backward" and e.dst == node:
                g_out = t["grads"].get(node, {})
                g_out = next(iter(g_out.values()), None)
                local = t["local_derivatives"].get(node)
                product = t["edge_grads"].get(e)
                text = (f"{fmt(g_out)} × {fmt(local)} = {fmt(product)}" if local is not None
                        else f"∂L/∂ = {fmt(product)}")
                e_item.set_value_text(text)
            else:
                continue
            self.touched_edges.add(e_item)

    def clear_canvas(self):
        for n in self.touched_nodes:
            item = node_item(self.window_, n)
            if item is not None:
                item.set_highlight(None)
        for e_item in self.touched_edges:
            try:
                e_item.set_value_text(None)
            except RuntimeError:  # the edge was deleted meanwhile
                pass
        self.touched_nodes, self.touched_edges = set(), set()

    def clear(self):
        self.stop()

    def forget_canvas(self):
        self.touched_nodes, self.touched_edges = set(), set()
