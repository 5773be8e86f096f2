"""Typed editors generated from ParamSpec, the node inspector and the training panel.

Edits never touch the document directly: they push undoable commands. Widgets are
refreshed from document events without re-emitting (signals blocked).
"""
from __future__ import annotations

import inspect
import math
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QStandardItemModel, QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from engine.graph.registry import ParamSpec
from engine.i18n import N_, _
from engine.graph.schema import MAX_NAME_LENGTH
from engine.graph.schema import setting as schema_setting

from ..i18n import number
from . import commands, model

INT_LIMIT = 2_000_000_000


class FloatSpin(QDoubleSpinBox):
    """A float box that shows 0.03 as "0.03", not "0.030000"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(10)
        self.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)

    def textFromValue(self, value):
        return number(value, ".6g")   # 0,03 in Italian

    def valueFromText(self, text):
        try:
            return float(text.replace(",", "."))   # either decimal separator is understood
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        t = text.strip().replace(",", ".")
        try:
            float(t)
            return QValidator.Acceptable, text, pos
        except ValueError:
            ok = t in ("", "-", "+", ".", "-.") or t.lower().endswith(("e", "e-", "e+"))
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos


def _parse_list(text: str, kind=int) -> list:
    parts = [p for p in text.replace("(", "").replace(")", "").replace("[", "").replace("]", "")
             .replace("×", ",").replace(" ", ",").split(",") if p]
    return [kind(p) for p in parts]


def make_editor(spec: ParamSpec, value, on_change):
    """A widget for one parameter; ``on_change(value)`` on each committed edit.
    Returns (widget, set_value) where set_value updates the widget silently."""
    kind = spec.kind
    if spec.nullable and kind in ("int", "float"):
        kind = "nullable"
    if kind == "bool":
        w = QCheckBox()

        def set_value(v):
            w.blockSignals(True)
            w.setChecked(bool(v))
            w.blockSignals(False)
        w.toggled.connect(lambda checked: on_change(bool(checked)))
    elif kind == "int":
        w = QSpinBox()
        w.setKeyboardTracking(False)
        w.setRange(int(spec.min) if spec.min is not None else -INT_LIMIT,
                   int(spec.max) if spec.max is not None else INT_LIMIT)

        def set_value(v):
            w.blockSignals(True)
            w.setValue(int(v) if isinstance(v, (int, float)) else int(spec.default or 0))
            w.blockSignals(False)
        w.valueChanged.connect(lambda v: on_change(int(v)))
    elif kind == "float":
        w = FloatSpin()
        w.setRange(spec.min if spec.min is not None else -1e12, spec.max if spec.max is not None else 1e12)

        def set_value(v):
            w.blockSignals(True)
            w.setValue(float(v) if isinstance(v, (int, float)) and not math.isnan(v) else 0.0)
            w.blockSignals(False)
        w.valueChanged.connect(lambda v: on_change(float(v)))
    elif kind == "choice":
        w = QComboBox()
        for c in spec.choices:
            w.addItem(str(c), c)

        def set_value(v):
            w.blockSignals(True)
            i = w.findData(v)
            w.setCurrentIndex(max(i, 0))
            w.blockSignals(False)
        w.currentIndexChanged.connect(lambda i: on_change(w.itemData(i)))
    else:  # "str", "ints"/"floats" (lists, e.g. a shape "1, 8, 8"), nullable numbers ("" = none)
        w = QLineEdit()
        if kind == "nullable":
            w.setPlaceholderText(QCoreApplication.translate("ParamForm", "none"))

        def set_value(v):
            w.blockSignals(True)
            w.setText(", ".join(map(str, v)) if isinstance(v, (list, tuple)) else ("" if v is None else str(v)))
            w.setStyleSheet("")
            w.blockSignals(False)

        def commit():
            text = w.text().strip()
            try:
                if kind in ("ints", "floats"):
                    val = _parse_list(text, int if kind == "ints" else float)
                elif kind == "nullable":
                    val = None if not text else (int(text) if spec.kind == "int" else float(text))
                else:
                    val = w.text()
            except ValueError:
                w.setStyleSheet("background: #ffd9d6;")
                return
            w.setStyleSheet("")
            on_change(val)
        w.editingFinished.connect(commit)
    tip = _(spec.help) or spec.name   # the registry's help, in the current language
    describe = getattr(spec, "describe", None)
    if describe is not None:
        tip += f" ({describe()})"
    elif spec.min is not None or spec.max is not None:
        lo = "−∞" if spec.min is None else number(spec.min)
        hi = "∞" if spec.max is None else number(spec.max)
        tip += " " + QCoreApplication.translate("ParamForm", "(range {low} … {high})").format(low=lo, high=hi)
    w.setToolTip(tip)
    w.setObjectName(f"param_{spec.name}")
    set_value(value)
    return w, set_value


class ParamForm(QWidget):
    """A form of typed editors; emits ``changed(name, value)``."""

    changed = Signal(str, object)

    def __init__(self, specs, values: dict, parent=None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.editors, self._setters = {}, {}
        for spec in specs:
            value = values.get(spec.name, spec.default)
            w, setter = make_editor(spec, value, lambda v, n=spec.name: self.changed.emit(n, v))
            label = QLabel(spec.name)
            label.setToolTip(w.toolTip())
            self.form.addRow(label, w)
            self.editors[spec.name], self._setters[spec.name] = w, setter

    def set_values(self, values: dict, specs=()):
        defaults = {s.name: s.default for s in specs}
        for name, setter in self._setters.items():
            if name in values or name in defaults:
                setter(values.get(name, defaults.get(name)))


class Inspector(QWidget):
    """The selected node's label, parameters (from the registry) and weight sharing."""

    def __init__(self, scene, parent=None):
        super().__init__(parent)
        self.scene = scene
        self.node_id = None
        self.form: ParamForm | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(6, 6, 6, 6)
        self.body = QWidget()
        self.layout_.addWidget(self.body)
        self.layout_.addStretch(1)
        scene.selectionChanged.connect(self.refresh)
        scene.rebuilt.connect(self.refresh)
        self._graph = None
        self.refresh()

    def _watch(self, graph):
        if self._graph is not graph:
            if self._graph is not None:
                self._graph.unsubscribe(self._on_event)
            self._graph = graph
            graph.subscribe(self._on_event)

    def _on_event(self, ev):
        if ev.kind == "reset":  # the scene may not have rebuilt yet: refresh reads the document
            self.refresh()
            return
        if ev.node != self.node_id or self.node_id is None:
            return
        if ev.kind == "node_removed":
            self.refresh()
        elif ev.kind == "param_changed" and self.form is not None:
            node = self._graph.nodes[self.node_id]
            t = model.node_type(node)
            self.form.set_values(node.params, t.params if t else ())
        elif ev.kind == "label_changed":
            self.label_edit.setText(ev.value or "")
        elif ev.kind == "tie_changed":
            self.tie_edit.setText(ev.value or "")

    def refresh(self):
        try:
            ids = self.scene.selected_node_ids()
        except RuntimeError:  # the scene is being destroyed
            return
        self._watch(self.scene.graph)
        # The selection may still name a node the document just lost (a reset, delete or
        # undo whose event reaches us before the scene's): such a node is not shown.
        node = self.scene.graph.nodes.get(ids[0]) if len(ids) == 1 else None
        item = self.scene.node_item(ids[0]) if node is not None else None
        if item is None or not item.isSelected():
            node = None
        self.node_id = node.id if node is not None else None
        self.body.setParent(None)
        self.body.deleteLater()
        self.body = QWidget()
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        self.form = None
        self.layout_.insertWidget(0, self.body)
        if self.node_id is None:
            msg = (self.tr("{n} nodes selected.").format(n=len(ids)) if len(ids) > 1
                   else self.tr("Select a node to see its parameters."))
            lay.addWidget(QLabel(msg))
            return
        t = model.node_type(node)
        shown = model.display_name(node, getattr(self.scene.graph, "lesson", None))
        title = QLabel(f"<b>{escape(shown)}</b> "  # user text, shown as text
                       f"<span style='color:#666'>{escape(node.type)} · {escape(node.id)}</span>")
        lay.addWidget(title)
        if t is not None and t.help:
            help_label = QLabel(_(t.help))
            help_label.setWordWrap(True)
            help_label.setStyleSheet("color:#555")
            lay.addWidget(help_label)
        top = QFormLayout()
        self.label_edit = name_edit(node.label or "")
        self.label_edit.setPlaceholderText(model.display_name(node))
        self.label_edit.setToolTip(self.tr("A name shown on the canvas instead of the type"))
        self.label_edit.editingFinished.connect(self._label_edited)
        top.addRow(self.tr("Label"), self.label_edit)
        self.tie_edit = name_edit(node.tie or "")
        self.tie_edit.setPlaceholderText(self.tr("none"))
        self.tie_edit.setToolTip(self.tr("Nodes of the same type with the same group share one set of weights"))
        self.tie_edit.editingFinished.connect(self._tie_edited)
        learnable = node.type == model.MODULE_TYPE or (t is not None and t.learnable)
        if learnable:
            top.addRow(self.tr("Shared weights"), self.tie_edit)
        lay.addLayout(top)
        if t is not None and t.params and node.type != model.MODULE_TYPE:
            box = QGroupBox(self.tr("Parameters"))
            bl = QVBoxLayout(box)
            self.form = ParamForm(t.params, node.params)
            self.form.setEnabled(not self.scene.read_only)
            self.form.changed.connect(self._param_edited)
            bl.addWidget(self.form)
            lay.addWidget(box)
        if node.type == model.MODULE_TYPE or (t is not None and "template" in t.extra):
            button = QPushButton(self.tr("Open inside"))
            button.clicked.connect(lambda: self.scene.open_node(self.node_id))
            lay.addWidget(button)
        self.label_edit.setReadOnly(self.scene.read_only)
        self.tie_edit.setReadOnly(self.scene.read_only)

    def _param_edited(self, name, value):
        if self.node_id is None:
            return
        if not self.scene.set_param(self.node_id, name, value):
            node = self.scene.graph.nodes.get(self.node_id)
            if node is not None and self.form is not None:
                t = model.node_type(node)
                self.form.set_values(node.params, t.params if t else ())

    def _label_edited(self):
        node = self.scene.graph.nodes.get(self.node_id)
        text = name_text(self.label_edit)
        if node is not None and (text or None) != node.label:
            self.scene.push(commands.set_label, self.node_id, text)

    def _tie_edited(self):
        node = self.scene.graph.nodes.get(self.node_id)
        text = name_text(self.tie_edit)
        if node is not None and (text or None) != node.tie:
            self.scene.push(commands.set_tie, self.node_id, text)


def name_edit(text: str) -> QLineEdit:
    """A field for a name the file stores (label, weight group): no longer than a file may
    hold it (the loader refuses longer names, so such a file could not be opened again)."""
    edit = QLineEdit(text)
    edit.setMaxLength(MAX_NAME_LENGTH)
    return edit


def name_text(edit: QLineEdit) -> str:
    """The field's text as a name: control and direction-override characters (pasted ones
    too) dropped, as the file format refuses them in names."""
    return "".join(ch for ch in edit.text() if ch.isprintable()).strip()


# ----- training settings ---------------------------------------------------------
DEFAULT_SETTINGS = {"dataset": {"name": "xor"}, "task": "classification", "batch_size": 10,
                    "optimizer": {"name": "SGD", "lr": 0.03}, "schedule": {"name": "none"},
                    "seed": 0, "device": "cpu", "steps": 500, "trainer": "gradient"}


def _specs_from_signature(cls, skip) -> list:
    """Hyperparameter editors from a torch-style constructor's defaults."""
    specs = []
    for name, p in inspect.signature(cls).parameters.items():
        if name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        d = p.default
        if isinstance(d, bool):
            specs.append(ParamSpec(name, "bool", d))
        elif isinstance(d, int) and name not in ("lr",):
            specs.append(ParamSpec(name, "int", d, min=0))
        elif isinstance(d, float) or name == "lr":
            specs.append(ParamSpec(name, "float", float(d) if isinstance(d, (int, float)) else 0.01, min=0.0))
        elif isinstance(d, (tuple, list)):
            specs.append(ParamSpec(name, "str", ", ".join(map(str, d)), help=N_("numbers separated by commas")))
        elif d is inspect.Parameter.empty and name in ("step_size", "T_max"):
            specs.append(ParamSpec(name, "int", 100, min=1))
        elif d is inspect.Parameter.empty and name == "gamma":
            specs.append(ParamSpec(name, "float", 0.95, min=0.0))
        elif d is inspect.Parameter.empty and name == "milestones":
            specs.append(ParamSpec(name, "str", "100, 200", help=N_("steps separated by commas")))
    return specs


def _to_number_list(text):
    if isinstance(text, (list, tuple)):
        return list(text)
    out = []
    for part in str(text).replace(" ", ",").split(","):
        if part:
            out.append(int(part) if part.lstrip("-").isdigit() else float(part))
    return out


class TrainingPanel(QWidget):
    """Dataset and options, task, batch size, optimizer and hyperparameters, schedule,
    seed, device and steps, stored in ``graph.settings`` through undoable commands."""

    def __init__(self, document, undo_stack, parent=None):
        super().__init__(parent)
        self.document, self.undo_stack = document, undo_stack
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.inner = QWidget()
        scroll.setWidget(self.inner)
        self.lay = QVBoxLayout(self.inner)
        self._sections = {}
        document.subscribe(self._on_event)
        self.rebuild()

    # ----- helpers -----------------------------------------------------------
    def setting(self, key):
        return self.document.settings.get(key, DEFAULT_SETTINGS.get(key))

    def set(self, key, value):
        if self.document.settings.get(key) != value:
            self.undo_stack.push(commands.set_setting(self.document, key, value))

    def _structure(self):
        """What decides which editors exist; other changes only update their values."""
        def name(key):
            v = self.setting(key)
            return v.get("name") if isinstance(v, dict) else v
        return name("dataset"), name("optimizer"), name("schedule"), name("init")

    def _on_event(self, ev):
        if ev.kind == "reset" or (ev.kind == "settings_changed" and self._structure() != self._built_for):
            self.rebuild()
        elif ev.kind == "settings_changed":
            self.refresh_values()

    def refresh_values(self):
        """Show the document's values without rebuilding (keeps focus while editing)."""
        def quiet(widget, fn, *args):
            widget.blockSignals(True)
            fn(*args)
            widget.blockSignals(False)

        def shown(d):
            return {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in d.items()}
        if getattr(self, "dataset_form", None) is not None:
            self.dataset_form.set_values(dict(self.setting("dataset") or {}))
        if getattr(self, "optimizer_form", None) is not None:
            self.optimizer_form.set_values(shown(dict(self.setting("optimizer") or {})))
        if getattr(self, "schedule_form", None) is not None:
            self.schedule_form.set_values(shown(dict(self.setting("schedule") or {})))
        quiet(self.task_combo, set_data, self.task_combo, self.setting("task") or "classification")
        quiet(self.batch_spin, self.batch_spin.setValue, int(self.setting("batch_size") or 10))
        quiet(self.seed_spin, self.seed_spin.setValue, int(self.setting("seed") or 0))
        quiet(self.clip_spin, self.clip_spin.setValue, float(self.setting("clip_grad_norm") or 0.0))
        quiet(self.patience_spin, self.patience_spin.setValue, self._patience())
        quiet(self.steps_spin, self.steps_spin.setValue, int(schema_setting(self.document.settings, "steps")))
        quiet(self.trainer_combo, set_data, self.trainer_combo, self.setting("trainer") or "gradient")
        init = self._init_spec()
        if self.init_scale is not None:
            quiet(self.init_scale, self.init_scale.setValue, float(init.get(self.init_scale.key, 1.0)))
        if self.init_nonlinearity is not None:
            quiet(self.init_nonlinearity, set_data, self.init_nonlinearity, init.get("nonlinearity", "relu"))
        quiet(self.device_combo, self.device_combo.setCurrentIndex,
              max(0, self.device_combo.findData(self.setting("device") or "cpu")))

    def rebuild(self):
        self._built_for = self._structure()
        self.dataset_form = self.optimizer_form = self.schedule_form = None
        while self.lay.count():
            item = self.lay.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.lay.addWidget(self._dataset_box())
        self.lay.addWidget(self._optimizer_box())
        self.lay.addWidget(self._run_box())
        self.lay.addStretch(1)

    # ----- dataset --------------------------------------------------------------
    def _dataset_box(self):
        box = QGroupBox(self.tr("Dataset"))
        lay = QFormLayout(box)
        ds = dict(self.setting("dataset") or {})
        self.dataset_combo = QComboBox()
        try:
            from engine.data import DATASETS
        except ImportError:
            DATASETS = {}
        for name, spec in DATASETS.items():
            self.dataset_combo.addItem(f"{name}  ({_(spec.group)})", name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, _(spec.help), Qt.ToolTipRole)
        self.dataset_combo.setCurrentIndex(max(0, self.dataset_combo.findData(ds.get("name"))))
        self.dataset_combo.currentIndexChanged.connect(self._dataset_chosen)
        lay.addRow(self.tr("Dataset"), self.dataset_combo)
        spec = DATASETS.get(ds.get("name"))
        if spec is not None:
            self.dataset_form = ParamForm(spec.params, ds)
            self.dataset_form.changed.connect(self._dataset_option)
            lay.addRow(self.dataset_form)
        self.task_combo = QComboBox()
        self.task_combo.addItem(self.tr("classification"), "classification")
        self.task_combo.addItem(self.tr("regression"), "regression")
        set_data(self.task_combo, self.setting("task") or (spec.task if spec else "classification")
                 or "classification")
        self.task_combo.currentIndexChanged.connect(lambda i: self.set("task", self.task_combo.itemData(i)))
        lay.addRow(self.tr("Task"), self.task_combo)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1_000_000)
        self.batch_spin.setKeyboardTracking(False)
        self.batch_spin.setValue(int(self.setting("batch_size") or 10))
        self.batch_spin.setToolTip(self.tr("samples per gradient step"))
        self.batch_spin.valueChanged.connect(lambda v: self.set("batch_size", int(v)))
        lay.addRow(self.tr("Batch size"), self.batch_spin)
        return box

    def _dataset_chosen(self, index):
        from engine.data import DATASETS

        name = self.dataset_combo.itemData(index)
        spec = DATASETS[name]
        self.undo_stack.beginMacro(f"Dataset {name}")
        self.set("dataset", {"name": name, **spec.defaults()})
        if spec.task:
            self.set("task", spec.task)
        self.undo_stack.endMacro()

    def _dataset_option(self, key, value):
        ds = dict(self.setting("dataset") or {})
        ds[key] = value
        self.set("dataset", ds)

    # ----- optimizer and schedule ------------------------------------------------
    def _optimizer_box(self):
        box = QGroupBox(self.tr("Optimizer"))
        lay = QFormLayout(box)
        opt = dict(self.setting("optimizer") or {"name": "SGD"})
        try:
            from engine.optim import OPTIMIZERS, lr_scheduler
        except ImportError:
            OPTIMIZERS, lr_scheduler = {}, None
        self.optimizer_combo = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer_combo.addItem(name, name)
        self.optimizer_combo.setCurrentIndex(max(0, self.optimizer_combo.findData(opt.get("name"))))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda i: self.set("optimizer", {"name": self.optimizer_combo.itemData(i),
                                             "lr": opt.get("lr", 0.01)}))
        lay.addRow(self.tr("Optimizer"), self.optimizer_combo)
        cls = OPTIMIZERS.get(opt.get("name"))
        if cls is not None:
            specs = _specs_from_signature(cls, {"params", "maximize", "foreach", "differentiable"})
            shown = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in opt.items()}
            self.optimizer_form = ParamForm(specs, shown)
            self.optimizer_form.changed.connect(self._optimizer_param)
            lay.addRow(self.optimizer_form)
        sched = dict(self.setting("schedule") or {"name": "none"})
        self.schedule_combo = QComboBox()
        self.schedule_combo.addItem(self.tr("none"), "none")
        names = [n for n in getattr(lr_scheduler, "SCHEDULERS", {}) if n != "LambdaLR"]
        for n in names:
            self.schedule_combo.addItem(n, n)
        self.schedule_combo.setCurrentIndex(max(0, self.schedule_combo.findData(sched.get("name"))))
        self.schedule_combo.currentIndexChanged.connect(self._schedule_chosen)
        lay.addRow(self.tr("LR schedule"), self.schedule_combo)
        if sched.get("name") in names:
            specs = _specs_from_signature(lr_scheduler.SCHEDULERS[sched["name"]], {"optimizer", "last_epoch", "verbose"})
            shown = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in sched.items()}
            self.schedule_form = ParamForm(specs, shown)
            self.schedule_form.changed.connect(self._schedule_param)
            lay.addRow(self.schedule_form)
        self.clip_spin = QDoubleSpinBox()
        self.clip_spin.setRange(0.0, 1e6)
        self.clip_spin.setDecimals(3)
        self.clip_spin.setSingleStep(0.1)
        self.clip_spin.setSpecialValueText(self.tr("off"))  # shown at 0
        self.clip_spin.setKeyboardTracking(False)
        self.clip_spin.setValue(float(self.setting("clip_grad_norm") or 0.0))
        self.clip_spin.setToolTip(self.tr("rescale the gradients when their total norm exceeds this "
                                          "(a remedy for exploding gradients); off = no clipping"))
        self.clip_spin.valueChanged.connect(lambda v: self.set("clip_grad_norm", float(v)))
        lay.addRow(self.tr("Clip grad norm"), self.clip_spin)
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, 10_000)
        self.patience_spin.setSpecialValueText(self.tr("off"))  # shown at 0
        self.patience_spin.setKeyboardTracking(False)
        self.patience_spin.setValue(self._patience())
        self.patience_spin.setToolTip(self.tr("early stopping: stop when the test loss has not improved "
                                              "for this many evaluations, and keep the best weights; "
                                              "off = train every step"))
        self.patience_spin.valueChanged.connect(self._patience_changed)
        lay.addRow(self.tr("Early stopping"), self.patience_spin)
        return box

    def _patience(self) -> int:
        spec = self.setting("early_stopping")
        return int(spec.get("patience") or 0) if isinstance(spec, dict) else 0

    def _patience_changed(self, value):
        """0 switches early stopping off ({}); min_delta and restore_best are kept."""
        spec = {k: v for k, v in dict(self.setting("early_stopping") or {}).items() if k != "patience"}
        self.set("early_stopping", {**spec, "patience": int(value)} if value else spec)

    def _optimizer_param(self, key, value):
        opt = dict(self.setting("optimizer") or {})
        if isinstance(value, str):
            try:
                value = _to_number_list(value)
            except ValueError:
                return
        opt[key] = value
        self.set("optimizer", opt)

    def _schedule_chosen(self, index):
        from engine.optim import lr_scheduler

        name = self.schedule_combo.itemData(index)
        if name == "none":
            self.set("schedule", {"name": "none"})
            return
        specs = _specs_from_signature(lr_scheduler.SCHEDULERS[name], {"optimizer", "last_epoch", "verbose"})
        value = {"name": name}
        for s in specs:
            value[s.name] = _to_number_list(s.default) if s.kind == "str" else s.default
        self.set("schedule", value)

    def _schedule_param(self, key, value):
        sched = dict(self.setting("schedule") or {})
        if isinstance(value, str):
            try:
                value = _to_number_list(value)
            except ValueError:
                return
        sched[key] = value
        self.set("schedule", sched)

    # ----- seed, device, steps -------------------------------------------------------
    def _run_box(self):
        box = QGroupBox(self.tr("Run"))
        lay = QFormLayout(box)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, INT_LIMIT)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setValue(int(self.setting("seed") or 0))
        self.seed_spin.setToolTip(self.tr("the same seed gives the same initial weights and batches"))
        self.seed_spin.valueChanged.connect(lambda v: self.set("seed", int(v)))
        lay.addRow(self.tr("Seed"), self.seed_spin)
        self._init_rows(lay)
        self.device_combo = make_device_combo()
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(self.setting("device") or "cpu")))
        self.device_combo.currentIndexChanged.connect(lambda i: self.set("device", self.device_combo.itemData(i)))
        lay.addRow(self.tr("Device"), self.device_combo)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 10_000_000)
        self.steps_spin.setKeyboardTracking(False)
        self.steps_spin.setValue(int(schema_setting(self.document.settings, "steps")))
        self.steps_spin.valueChanged.connect(lambda v: self.set("steps", int(v)))
        lay.addRow(self.tr("Steps"), self.steps_spin)
        self.trainer_combo = QComboBox()
        self.trainer_combo.addItem(self.tr("gradient"), "gradient")
        self.trainer_combo.addItem(self.tr("perceptron rule"), "perceptron")
        self.trainer_combo.addItem(self.tr("Hebb's rule"), "hebb")
        set_data(self.trainer_combo, self.setting("trainer") or "gradient")
        self.trainer_combo.currentIndexChanged.connect(lambda i: self.set("trainer", self.trainer_combo.itemData(i)))
        lay.addRow(self.tr("Trainer"), self.trainer_combo)
        return box


    # ----- initial weights (settings.init) ----------------------------------------------
    def _init_spec(self) -> dict:
        init = self.setting("init") or "default"
        return {"name": init} if isinstance(init, str) else dict(init)

    def _init_rows(self, lay):
        """The initialisation of every Linear/convolution weight: a choice, and the one
        number (std or gain) or nonlinearity that choice reads (engine.graph.compile.apply_init)."""
        from engine.graph.schema import INITS

        titles = {"default": self.tr("default (each layer's own)"),
                  "xavier_uniform": self.tr("Xavier / Glorot, uniform"),
                  "xavier_normal": self.tr("Xavier / Glorot, normal"),
                  "kaiming_uniform": self.tr("He / Kaiming, uniform"),
                  "kaiming_normal": self.tr("He / Kaiming, normal"),
                  "normal": self.tr("normal, chosen std"), "zeros": self.tr("zeros")}
        spec = self._init_spec()
        self.init_combo = QComboBox()
        for name in INITS:
            self.init_combo.addItem(titles.get(name, name), name)
        set_data(self.init_combo, spec.get("name", "default"))
        self.init_combo.setToolTip(self.tr("how every Linear and convolution weight starts; biases "
                                           "then start at 0 (course notes 003, section 7.1.2)"))
        self.init_combo.currentIndexChanged.connect(
            lambda i: self.set("init", self.init_combo.itemData(i)))
        lay.addRow(self.tr("Initial weights"), self.init_combo)
        self.init_scale = self.init_nonlinearity = None
        name = spec.get("name", "default")
        if name == "normal" or name.startswith("xavier"):
            key = "std" if name == "normal" else "gain"
            self.init_scale = FloatSpin()
            self.init_scale.key = key
            self.init_scale.setRange(0.0, 1e6)
            self.init_scale.setValue(float(spec.get(key, 1.0)))
            self.init_scale.setToolTip(self.tr("standard deviation of the weights") if key == "std"
                                       else self.tr("gain: multiplies Xavier's scale"))
            self.init_scale.valueChanged.connect(lambda v: self._init_param(key, float(v)))
            lay.addRow(self.tr("Std") if key == "std" else self.tr("Gain"), self.init_scale)
        elif name.startswith("kaiming"):
            self.init_nonlinearity = QComboBox()
            for nl in ("relu", "leaky_relu", "tanh", "sigmoid", "linear", "selu"):
                self.init_nonlinearity.addItem(nl, nl)
            set_data(self.init_nonlinearity, spec.get("nonlinearity", "relu"))
            self.init_nonlinearity.setToolTip(self.tr("the activation that follows: it sets He's gain"))
            self.init_nonlinearity.currentIndexChanged.connect(
                lambda i: self._init_param("nonlinearity", self.init_nonlinearity.itemData(i)))
            lay.addRow(self.tr("Nonlinearity"), self.init_nonlinearity)

    def _init_param(self, key, value):
        self.set("init", {**self._init_spec(), key: value})


def set_data(combo: QComboBox, value) -> None:
    """Select the item whose data is ``value`` (the items' texts are translated)."""
    combo.setCurrentIndex(max(0, combo.findData(value)))


def make_device_combo() -> QComboBox:
    """CPU / GPU; the GPU entry is disabled, with the reason as tooltip, when unusable."""
    from engine import backend

    combo = QComboBox()
    combo.addItem("CPU", "cpu")
    combo.addItem("GPU", "gpu")
    if not backend.gpu_available():
        reason = backend.gpu_unavailable_reason() or QCoreApplication.translate("DeviceCombo", "no usable GPU")
        item = combo.model().item(1) if isinstance(combo.model(), QStandardItemModel) else None
        if item is not None:
            item.setEnabled(False)
        unavailable = QCoreApplication.translate("DeviceCombo", "GPU unavailable: {reason}").format(reason=reason)
        combo.setItemData(1, unavailable, Qt.ToolTipRole)
        combo.setToolTip(unavailable)
        combo.gpu_reason = reason
    else:
        combo.setToolTip(QCoreApplication.translate("DeviceCombo", "where training runs"))
        combo.gpu_reason = None
    return combo
