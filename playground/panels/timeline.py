"""The timeline: a slider over the moments training kept (engine.train.timeline), to look
back at an earlier one and to train on from it.

Moving the slider shows that moment in every panel: the worker puts the session back into
the state kept there (no training) and sends a snapshot of it with every extra (the
decision boundary, the confusion matrix, ...). The right end is the live moment. "Resume
from here" trains on from the moment shown, dropping what came after it; Play or Step
instead go back to the live moment and go on from there, so looking back never loses
anything.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QPushButton, QSizePolicy, QSlider

from .base import Panel, StatusLabel


class TimelinePanel(Panel):
    title = QT_TRANSLATE_NOOP("Panel", "Timeline")
    name = "timeline"

    def build(self):
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(self.tr("Drag back to see an earlier moment of training in "
                                       "every panel; the right end is now"))
        self.slider.valueChanged.connect(self._on_slider)
        # opaque (it fills its own background, the window's colour): the handle moves with
        # every frame while training, and a slider that is not makes Qt repaint the dock
        # behind it too
        self.slider.setAutoFillBackground(True)
        self.step_label = StatusLabel()   # its text changes with every frame: no relayout
        self.step_label.setMinimumWidth(self.step_label.fontMetrics().horizontalAdvance(
            self.tr("step %1 of %2").replace("%1", "00000").replace("%2", "00000")) + 8)
        self.header.addWidget(self.step_label)
        self.live_button = QPushButton(self.tr("Now"))
        self.live_button.setToolTip(self.tr("Show the latest moment again"))
        self.live_button.clicked.connect(self.runner.back_to_live)
        self.header.addWidget(self.live_button)
        self.resume_button = QPushButton(self.tr("Resume from here"))
        self.resume_button.setToolTip(self.tr("Train on from the moment shown; what came after "
                                              "it is dropped"))
        self.resume_button.clicked.connect(self.runner.resume_here)
        self.header.addWidget(self.resume_button)
        self.vbox.addWidget(self.slider)   # a row of its own: as wide as the dock
        self.widget().setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self._steps: tuple = ()
        self._show((), None, None)

    def clear(self):
        self._show((), None, None)

    def refresh(self, runner):
        snap = runner.snapshot
        self._show(runner.timeline_steps, runner.preview_step, None if snap is None else snap.step)

    def _show(self, steps, preview, step):
        self._steps = tuple(steps)
        n = len(self._steps)
        at = n if preview is None else max((i for i, k in enumerate(self._steps) if k <= preview), default=0)
        if not self.slider.isSliderDown():   # never pull the handle from under the user
            self.slider.blockSignals(True)
            if self.slider.maximum() != n:   # (a new range re-lays out the window: only on change)
                self.slider.setRange(0, n)
            self.slider.setValue(at)
            self.slider.blockSignals(False)
        self.slider.setEnabled(n > 0)
        self.live_button.setEnabled(preview is not None)
        self.resume_button.setEnabled(preview is not None)
        if step is None:
            self.step_label.setText(self.tr("no training yet"))
        elif preview is None:
            self.step_label.setText(self.tr("step %1 (now)").replace("%1", str(step)))
        else:   # of the last moment kept: training stopped there (a pause keeps it)
            self.step_label.setText(self.tr("step %1 of %2").replace("%1", str(preview)).replace(
                "%2", str(self._steps[-1])))

    def _on_slider(self, value):
        if value >= len(self._steps):
            self.runner.back_to_live()
        else:
            self.runner.scrub_to(self._steps[value])
