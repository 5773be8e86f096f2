"""Training controls: play/pause, step once, step one epoch, reset, a speed control, and
the learning rate and optimizer hyperparameters, which change while training runs."""
from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSlider, QWidget)

from ..i18n import number
from .base import Panel, StatusLabel

#: hyperparameters offered live, with (minimum, maximum, decimals, step); betas are split
HPARAMS = {"momentum": (0.0, 0.9999, 4, 0.05), "alpha": (0.0, 0.9999, 4, 0.01),
           "beta1": (0.0, 0.9999, 4, 0.01), "beta2": (0.0, 0.99999, 5, 0.001),
           "weight_decay": (0.0, 1.0, 5, 0.0001), "rho": (0.0, 0.9999, 4, 0.01)}
#: the hyperparameters' names as the form shows them
HPARAM_NAMES = {"momentum": QT_TRANSLATE_NOOP("ControlsPanel", "momentum"),
                "alpha": QT_TRANSLATE_NOOP("ControlsPanel", "alpha"),
                "beta1": QT_TRANSLATE_NOOP("ControlsPanel", "beta1"),
                "beta2": QT_TRANSLATE_NOOP("ControlsPanel", "beta2"),
                "weight_decay": QT_TRANSLATE_NOOP("ControlsPanel", "weight decay"),
                "rho": QT_TRANSLATE_NOOP("ControlsPanel", "rho")}
SPEED_STEPS = 100  # slider positions; the last one is "as fast as possible"
#: steps per second a file without a lesson starts at: slow enough to watch a small
#: network learn (a lesson sets its own classroom speed; the slider goes up to "max")
DEFAULT_SPEED = 100.0


def speed_from_slider(v: int) -> float:
    """Slider position -> steps per second (1 to 3000 on a log scale; 0 = unlimited)."""
    if v >= SPEED_STEPS:
        return 0.0
    return float(round(10 ** (3.5 * v / SPEED_STEPS), 1))


def slider_for_speed(steps_per_s: float) -> int:
    """The slider position nearest to ``steps_per_s`` (0 or less: "max")."""
    if steps_per_s <= 0:
        return SPEED_STEPS
    v = round(SPEED_STEPS * math.log10(steps_per_s) / 3.5)
    return int(min(max(v, 1), SPEED_STEPS - 1))


class ControlsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Training")
    name = "controls"

    def build(self):
        self._shown_lr = None   # the lr of the last snapshot shown (see refresh)
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ " + self.tr("Play"))
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play)
        self.step_button = QPushButton(self.tr("Step"))
        self.step_button.setToolTip(self.tr("One optimisation step (one mini-batch)"))
        self.step_button.clicked.connect(self.runner.step_once)
        self.epoch_button = QPushButton(self.tr("Epoch"))
        self.epoch_button.setToolTip(self.tr("Train one pass over the training set, then pause"))
        self.epoch_button.clicked.connect(self.runner.step_epoch)
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.setToolTip(self.tr("New weights from the seed; the history is cleared"))
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
        self.speed.setToolTip(self.tr("Training speed in steps per second (right end: as fast as possible)"))
        self.speed_label = QLabel(self.tr("max"))
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        self.form.addRow(self.tr("speed"), speed_row)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 10.0)
        self.lr.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.lr.setValue(0.03)
        self.lr.setKeyboardTracking(False)
        self.lr.valueChanged.connect(lambda v: self.runner.set_hparam("lr", float(v)))
        self.form.addRow(self.tr("learning rate"), self.lr)
        self.hparam_boxes = {}
        self.vbox.addWidget(form_host)
        self.status = StatusLabel()   # its text changes with every frame: no relayout
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.status.setFixedHeight(self.status.sizeHint().height())
        self.vbox.addWidget(self.status)
        self.limit_label = QLabel("")   # what the step limit did (stopped there, went on)
        self.limit_label.setWordWrap(True)
        self.limit_label.hide()
        self.vbox.addWidget(self.limit_label)
        self.vbox.addStretch(1)
        self.reset_hook = None  # attach() sets: rebuilds the session from the document
        self.runner.runningChanged.connect(self._on_running)
        self.runner.limitReached.connect(self._on_limit_reached)
        self.runner.limitLifted.connect(self._on_limit_lifted)
        self.steps_per_s = 0.0

    def _on_play(self, on):
        self.play_button.setText("❚❚ " + self.tr("Pause") if on else "▶ " + self.tr("Play"))
        (self.runner.play if on else self.runner.pause)()

    def _on_running(self, running):
        if running != self.play_button.isChecked():
            self.play_button.blockSignals(True)
            self.play_button.setChecked(running)
            self.play_button.setText("❚❚ " + self.tr("Pause") if running else "▶ " + self.tr("Play"))
            self.play_button.blockSignals(False)

    def _on_speed(self, v):
        self._apply_speed(speed_from_slider(v))

    def _apply_speed(self, sps):
        #: steps per second training runs at now (0: as fast as possible)
        self.steps_per_s = sps
        self.speed_label.setText(self.tr("max") if sps == 0 else self.tr("{n} steps/s").format(n=number(sps)))
        self.runner.set_speed(sps)

    def set_speed(self, steps_per_s: float):
        """Train at ``steps_per_s`` (a lesson's classroom speed; 0: as fast as possible);
        the label shows that exact value, the slider its nearest position."""
        self.speed.blockSignals(True)
        self.speed.setValue(slider_for_speed(steps_per_s))
        self.speed.blockSignals(False)
        self._apply_speed(max(float(steps_per_s), 0.0))

    def _on_limit_reached(self, step):
        self._limit_note(self.tr("Stopped at step {step}, the file's step count: press Play to "
                                 "continue beyond it.").format(step=step))

    def _on_limit_lifted(self, step):
        self._limit_note(self.tr("Continuing beyond step {step} (Reset brings the limit back).").format(step=step))

    def _limit_note(self, text):
        self.limit_label.setText(text)
        self.limit_label.setVisible(bool(text))

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
            self.form.addRow(self.tr(HPARAM_NAMES.get(key, key)), box)
            self.hparam_boxes[key] = (key, box)

    def _on_hparam(self, key, value):
        if key in ("beta1", "beta2"):
            b1 = self.hparam_boxes["beta1"][1].value()
            b2 = self.hparam_boxes["beta2"][1].value()
            self.runner.set_hparam("betas", (float(b1), float(b2)))
        else:
            self.runner.set_hparam(key, float(value))

    def clear(self):
        self._shown_lr = None
        self._limit_note("")
        self.status.setText("")

    def refresh(self, runner):
        snap = runner.snapshot
        if snap is None:
            return
        rate = (" · " + self.tr("{n} steps/s").format(n=number(runner.steps_per_s, ".0f"))
                if runner.running and runner.steps_per_s else "")
        self.status.setText(self.tr("step {step} · epoch {epoch} · lr {lr}").format(
            step=snap.step, epoch=number(snap.epoch, ".2f"), lr=number(snap.lr, ".4g")) + rate)
        # follow the snapshot only when the session's lr moved (a schedule): a snapshot taken
        # before the user's own edit reached the worker must not put the old value back
        moved = snap.lr and not math.isclose(snap.lr, self._shown_lr or 0.0, rel_tol=1e-6)
        self._shown_lr = snap.lr
        if moved and not self.lr.hasFocus() and not math.isclose(snap.lr, self.lr.value(), rel_tol=1e-6):
            self.lr.blockSignals(True)
            self.lr.setValue(snap.lr)
            self.lr.blockSignals(False)
