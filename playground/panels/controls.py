"""Training controls: play/pause, step once, step one epoch, reset, a speed control, and
the learning rate and optimizer hyperparameters, which change while training runs."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSlider, QWidget)

from .base import Panel

#: hyperparameters offered live, with (minimum, maximum, decimals, step); betas are split
HPARAMS = {"momentum": (0.0, 0.9999, 4, 0.05), "alpha": (0.0, 0.9999, 4, 0.01),
           "beta1": (0.0, 0.9999, 4, 0.01), "beta2": (0.0, 0.99999, 5, 0.001),
           "weight_decay": (0.0, 1.0, 5, 0.0001), "rho": (0.0, 0.9999, 4, 0.01)}
SPEED_STEPS = 100  # slider positions; the last one is "as fast as possible"


def speed_from_slider(v: int) -> float:
    """Slider position -> steps per second (1 to 3000 on a log scale; 0 = unlimited)."""
    if v >= SPEED_STEPS:
        return 0.0
    return float(round(10 ** (3.5 * v / SPEED_STEPS), 1))


class ControlsPanel(Panel):
    title = "Training"
    name = "controls"

    def build(self):
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One optimisation step (one mini-batch)")
        self.step_button.clicked.connect(self.runner.step_once)
        self.epoch_button = QPushButton("Epoch")
        self.epoch_button.setToolTip("Train one pass over the training set, then pause")
        self.epoch_button.clicked.connect(self.runner.step_epoch)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("New weights from the seed; the history is cleared")
        self.reset_button.clicked.connect(self.reset)
        for b in (self.play_button, self.step_button, self.epoch_button, self.reset_button):
            row.addWidget(b)
        self.vbox.addLayout(row)

        form_host = QWidget()
        self.form = QFormLayout(form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(1, SPEED_STEPS)
        self.speed.setValue(SPEED_STEPS)
        self.speed.valueChanged.connect(self._on_speed)
        self.speed_label = QLabel("max")
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        self.form.addRow("speed", speed_row)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 10.0)
        self.lr.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.lr.setValue(0.03)
        self.lr.setKeyboardTracking(False)
        self.lr.valueChanged.connect(lambda v: self.runner.set_hparam("lr", float(v)))
        self.form.addRow("learning rate", self.lr)
        self.hparam_boxes = {}
        self.vbox.addWidget(form_host)
        self.status = QLabel("")
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.status.setFixedHeight(self.status.sizeHint().height())
        self.vbox.addWidget(self.status)
        self.vbox.addStretch(1)
        self.reset_hook = None  # attach() sets: rebuilds the session from the document
        self.runner.runningChanged.connect(self._on_running)

    def _on_play(self, on):
        self.play_button.setText("❚❚ Pause" if on else "▶ Play")
        (self.runner.play if on else self.runner.pause)()

    def _on_running(self, running):
        if running != self.play_button.isChecked():
            self.play_button.blockSignals(True)
            self.play_button.setChecked(running)
            self.play_button.setText("❚❚ Pause" if running else "▶ Play")
            self.play_button.blockSignals(False)

    def _on_speed(self, v):
        sps = speed_from_slider(v)
        self.speed_label.setText("max" if sps == 0 else f"{sps:g}/s")
        self.runner.set_speed(sps)

    def reset(self):
        if self.reset_hook is not None:
            self.reset_hook()
        else:
            self.runner.reset()

    def set_optimizer(self, spec: dict | None):
        """Show the live hyperparameters of the optimizer named in the graph's settings."""
        spec = dict(spec or {})
        for name, (label, box) in self.hparam_boxes.items():
            self.form.removeRow(box)
        self.hparam_boxes = {}
        self.lr.blockSignals(True)
        self.lr.setValue(float(spec.get("lr", 0.03)))
        self.lr.blockSignals(False)
        values = {k: v for k, v in spec.items() if k in HPARAMS}
        name = spec.get("name", "SGD")
        if name == "SGD":
            values.setdefault("momentum", 0.0)
        if "betas" in spec or name in ("Adam", "AdamW", "Lion"):
            b1, b2 = spec.get("betas", (0.9, 0.999))
            values["beta1"], values["beta2"] = b1, b2
        for key, value in values.items():
            lo, hi, dec, step = HPARAMS[key]
            box = QDoubleSpinBox()
            box.setRange(lo, hi)
            box.setDecimals(dec)
            box.setSingleStep(step)
            box.setValue(float(value))
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda v, k=key: self._on_hparam(k, v))
            self.form.addRow(key.replace("_", " "), box)
            self.hparam_boxes[key] = (key, box)

    def _on_hparam(self, key, value):
        if key in ("beta1", "beta2"):
            b1 = self.hparam_boxes["beta1"][1].value()
            b2 = self.hparam_boxes["beta2"][1].value()
            self.runner.set_hparam("betas", (float(b1), float(b2)))
        else:
            self.runner.set_hparam(key, float(value))

    def clear(self):
        self.status.setText("")

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        rate = f" · {runner.steps_per_s:,.0f} steps/s" if runner.running and runner.steps_per_s else ""
        self.status.setText(f"step {snap.step} · epoch {snap.epoch:.2f} · lr {snap.lr:.4g}{rate}")
        if not self.lr.hasFocus() and snap.lr and not math.isclose(snap.lr, self.lr.value(), rel_tol=1e-6):
            self.lr.blockSignals(True)  # a schedule moved it
            self.lr.setValue(snap.lr)
            self.lr.blockSignals(False)
