"""Sequences: what a recurrent network does over time, for one of the first training
samples (the probes keep the same few samples, so the picture is comparable from probe to
probe): the input over time with the prediction and the target; the gates of an LSTM/GRU
over time (mean over the hidden units); the cell state (LSTM) or hidden state of every
unit over time; and BPTT, the gradient reaching each time step's hidden state.

Everything is computed by the engine's probes (Snapshot.sequence, Snapshot.recurrent;
see engine.train.session); this panel only draws it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF
from PySide6.QtWidgets import QComboBox, QSpinBox

from engine.train import views as engine_views

from ..i18n import number
from .base import DIVERGING, SERIES, DecadeAxis, index_ticks
from .views import ViewPanel

#: the gates' colours, fixed per name so that "forget" is the same colour in every lesson
GATE_COLORS = {"forget": SERIES[0], "input": SERIES[1], "output": SERIES[2], "cell": SERIES[4],
               "update": SERIES[0], "reset": SERIES[1], "candidate": SERIES[4]}


class SequencePanel(ViewPanel):
    title = QT_TRANSLATE_NOOP("Panel", "Sequence")
    name = "sequence"

    @classmethod
    def suits(cls, dataset) -> float:
        return 1.0 if engine_views.input_kind(dataset) == "sequence" else 0.0

    def made_for(self):
        return self.tr("The sequence view is drawn for sequence data (samples of several time steps).")

    def build(self):
        self.node_box = QComboBox()
        self.node_box.setToolTip(self.tr("The recurrent node whose gates and states are shown"))
        self.node_box.currentTextChanged.connect(lambda _: self._redraw())
        self.header.addWidget(self.node_box)
        self.sample_box = QSpinBox()
        self.sample_box.setPrefix(self.tr("sample "))
        self.sample_box.setToolTip(self.tr("One of the first training samples (the same ones at every probe)"))
        self.sample_box.valueChanged.connect(lambda _: self._redraw())
        self.header.addWidget(self.sample_box)
        self.info = self.add_label()
        self.add_body()
        self.empty = self.add_note()

        self.io_plot = self.body.addPlot(row=0, col=0, title=self.tr("input, target, prediction"))
        # legends on a light backing, in two columns: the curves stay readable behind them
        self.io_plot.addLegend(offset=(2, 2), labelTextSize="7pt", colCount=2, brush=(255, 255, 255, 190))
        self.gate_plot = self.body.addPlot(row=0, col=1, title=self.tr("gates (mean over units)"))
        self.gate_plot.setYRange(0.0, 1.0, padding=0.02)
        self.gate_plot.addLegend(offset=(2, -2), labelTextSize="7pt", colCount=2, brush=(255, 255, 255, 190))
        self.state_plot = self.body.addPlot(row=1, col=0, title=self.tr("cell state per unit"))
        self.state_image = pg.ImageItem()
        self.state_image.setLookupTable(DIVERGING)
        self.state_plot.addItem(self.state_image)
        self.bptt_plot = self.body.addPlot(row=1, col=1, axisItems={"left": DecadeAxis("left")},
                                           title=self.tr("BPTT: |dL/dh_t| per step"))
        self.bptt_plot.setLogMode(y=True)
        self.bptt_curve = self.bptt_plot.plot([], [], pen=pg.mkPen(SERIES[3], width=2), symbol="o",
                                              symbolSize=4, symbolBrush=SERIES[3])
        for p in (self.io_plot, self.gate_plot, self.state_plot, self.bptt_plot):
            p.hideButtons()
            p.setMenuEnabled(False)
            p.setMouseEnabled(x=False, y=False)
            p.setLabel("bottom", self.tr("time step"))
        self.state_plot.setLabel("left", self.tr("unit"))
        self.state_plot.setXLink(self.io_plot)
        self.gate_plot.setXLink(self.io_plot)
        self.bptt_plot.setXLink(self.io_plot)
        self.io_items, self.gate_items = {}, {}
        self.shown = None

    def needs(self):
        # the session probes states, gates and BPTT only while this view is on screen
        return {"sequence_probes": True}

    # ----- drawing -----------------------------------------------------------------
    def refresh(self, runner):
        if runner.dataset is None or self.explain_unsuited(runner.dataset):
            return
        snap = runner.snapshot
        has = snap is not None and snap.sequence is not None and bool(snap.recurrent)
        self.body.setVisible(has)
        self.empty.setVisible(snap is not None and not has)
        if snap is None or snap is self.shown:
            return
        self.shown = snap
        if not has:
            self.empty.setText(self.tr("No recurrent node (RNN, LSTM, GRU) in this graph: its states "
                                       "and gates over time are drawn here once there is one."))
            return
        self._sync(snap)
        self._redraw()

    def _sync(self, snap):
        names = list(snap.recurrent)
        if names != [self.node_box.itemText(i) for i in range(self.node_box.count())]:
            keep = self.node_box.currentText()
            self.node_box.blockSignals(True)
            self.node_box.clear()
            self.node_box.addItems(names)
            if keep in names:
                self.node_box.setCurrentText(keep)
            self.node_box.blockSignals(False)
        self.sample_box.blockSignals(True)
        self.sample_box.setMaximum(max(len(snap.sequence["input"]) - 1, 0))
        self.sample_box.blockSignals(False)

    def _redraw(self):
        snap = self.shown
        if snap is None or snap.sequence is None or not snap.recurrent:
            return
        rec = snap.recurrent.get(self.node_box.currentText()) or next(iter(snap.recurrent.values()))
        i = min(self.sample_box.value(), len(snap.sequence["input"]) - 1)
        steps = len(snap.sequence["input"][i])
        self.io_plot.setXRange(-0.5, steps - 0.5, padding=0)   # the others are linked to it
        self.io_plot.enableAutoRange(y=True)
        self.bptt_plot.enableAutoRange(y=True)
        self._draw_io(snap.sequence, i)
        self._draw_gates(rec, i)
        self._draw_state(rec, i)
        norms = rec.get("grad_norm")
        if norms is not None:
            keep = np.isfinite(norms) & (norms > 0)
            self.bptt_curve.setData(np.arange(len(norms))[keep], norms[keep])
            if keep.any():
                first, last = norms[keep][0], norms[keep][-1]
                self.info.setText(self.tr("step {step}: |dL/dh| at the first step is {ratio} of the last's").format(
                    step=snap.step, ratio=number(first / last, ".2g")))
        else:
            self.bptt_curve.setData([], [])

    def _curve(self, items, plot, key, label, color, **kw):
        item = items.get(key)
        if item is None:
            item = items[key] = plot.plot([], [], name=label, pen=pg.mkPen(color, width=2), **kw)
        return item

    def _draw_io(self, seq, i):
        x = np.asarray(seq["input"][i], dtype=float)
        x = x.reshape(len(x), -1)
        steps = np.arange(len(x))
        for c in range(min(x.shape[1], 4)):
            self._curve(self.io_items, self.io_plot, ("in", c), self.tr("input {c}").format(c=c),
                        (150, 150, 150) if c else (90, 90, 90)).setData(steps, x[:, c])
        target, pred = (np.asarray(seq[k][i], dtype=float).ravel() for k in ("target", "prediction"))
        # a target per time step is drawn over time; one value is drawn at the last step
        at = steps[-len(target):] if len(target) <= len(steps) else np.arange(len(target))
        for key, values, label, color, symbol in (("target", target, self.tr("target"), (30, 30, 30), "o"),
                                                  ("pred", pred, self.tr("prediction"), SERIES[3], "x")):
            item = self._curve(self.io_items, self.io_plot, key, label, color, symbol=symbol, symbolSize=10,
                               symbolBrush=color, symbolPen=pg.mkPen(color, width=2))
            item.setData(at[:len(values)], values[:len(at)])

    def _draw_gates(self, rec, i):
        gates = rec.get("gates") or {}
        for name, item in list(self.gate_items.items()):
            if name not in gates:
                self.gate_plot.removeItem(item)
                self.gate_plot.legend.removeItem(item)
                del self.gate_items[name]
        for k, (name, a) in enumerate(gates.items()):
            mean = np.asarray(a[i], dtype=float).mean(-1)
            self._curve(self.gate_items, self.gate_plot, name, self._gate_label(name),
                        GATE_COLORS.get(name, SERIES[k % len(SERIES)])).setData(np.arange(len(mean)), mean)
        self.gate_plot.setTitle(self.tr("gates (mean over units)") if gates
                                else self.tr("no gates (a plain RNN)"))
        lo = min((float(np.min(a[i])) for a in gates.values()), default=0.0)
        self.gate_plot.setYRange(min(lo, 0.0), 1.0, padding=0.02)

    def _gate_label(self, name):
        return {"forget": self.tr("forget"), "input": self.tr("input"), "output": self.tr("output"),
                "cell": self.tr("cell candidate"), "update": self.tr("update"), "reset": self.tr("reset"),
                "candidate": self.tr("candidate")}.get(name, name)

    def _draw_state(self, rec, i):
        cell = "c" in rec
        state = np.asarray(rec["c" if cell else "h"][i], dtype=float).T   # (units, time): time runs right
        top = float(np.nanmax(np.abs(state))) if state.size else 1.0
        self.state_image.setImage(state, levels=(-(top or 1.0), top or 1.0))
        self.state_image.setRect(QRectF(-0.5, 0, state.shape[1], state.shape[0]))
        index_ticks(self.state_plot.getAxis("left"), state.shape[0], max_labels=8)
        self.state_plot.setTitle(self.tr("cell state c per unit") if cell
                                 else self.tr("hidden state h per unit"))
        self.state_plot.setYRange(0, state.shape[0], padding=0)

    def clear(self):
        self.shown = None
        for item in list(self.io_items.values()) + list(self.gate_items.values()):
            item.setData([], [])
        self.bptt_curve.setData([], [])
        self.state_image.clear()
        self.info.setText("")
        if self.runner.snapshot is None:
            self.node_box.clear()

