"""A training Session: a compiled Program, a dataset, an optimizer and probes.

    session = Session.from_graph(graph)         # settings come from the graph file
    snap = session.run(200)                      # the last Snapshot
    session.evaluate()                           # {"train_loss", "test_loss", "train_acc", ...}

Every ``probe_every`` steps, ``step()`` returns a Snapshot (engine/train/snapshot.py);
other steps return None and do no probe work at all (node outputs are captured only on
probe steps). Every ``eval_every`` steps (default: every 5th probe) the probe also
measures the train/test loss and accuracy and refreshes the diagnostics verdicts;
Snapshots in between carry ``train_loss = None`` and the latest verdicts. On the CPU
the activation and gradient statistics and the verdicts are computed when first read
(LazyStats, LazyList), so training does not pay for snapshots no panel displays; on a
GPU they are reduced on the device and moved in one transfer with everything else.

A non-finite loss stops training and the Snapshot names the first node (in
topological order) whose output went bad.

Steps between probes are replayed (engine.compile): the forward and loss of the drawn
graph are recorded once and replayed without per-op bookkeeping, with the eager
numbers. Probe steps replay too and take the node outputs from the replay; they run
eagerly when attention or gate panels need the modules' own records. A graph whose
nodes work on values in Python (top-k routing, batch-norm statistics) stays eager, and
``replay_status()`` says why. A non-finite replayed loss is looked at again eagerly, to
name the node.

Threads: a Session is not thread-safe; call step/run/predict/trace from one thread
(the training worker). Snapshots are plain host data and may be read anywhere.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from .. import backend
from ..autograd import Tensor, _make, enable_grad, no_grad
from ..data.base import CLASSIFICATION, class_targets
from ..data.loader import DataLoader
from ..errors import SettingsError
from ..i18n import _
from ..graph import registry as reg
from ..graph.compile import (RULE_TRAINERS, Program, check_declarations, check_trainable, compile_graph,
                             dataset_from_settings)
from ..graph.schema import SETTINGS, setting
from ..graph.scheme import players
from ..nn import GRU, LSTM, RNN
from ..nn.graph_layers import bind_graph
from ..nn.utils import clip_grad_norm_
from ..replay import CompiledFunction
from . import diagnostics, probes
from .early_stopping import EarlyStopping
from .snapshot import NanReport, Snapshot, Verdict

#: default optimizer when the graph's settings name none (TensorFlow Playground's rate)
DEFAULT_OPTIMIZER = SETTINGS["optimizer"][1]
#: probes evaluate train/test metrics on at most this many samples of each split
PROBE_EVAL_LIMIT = 256
#: samples of the training set whose recurrent states and gates the probes keep (fixed
#: samples: the picture is comparable from probe to probe)
SEQUENCE_SAMPLES = 8
#: trajectory points kept (older ones are thinned out beyond this), and at most this
#: many bytes of them: a big network keeps fewer points (never under MIN_TRAJECTORY), so
#: memory stays small however long it trains
MAX_TRAJECTORY = 1000
MAX_TRAJECTORY_BYTES = 8 * 2**20
MIN_TRAJECTORY = 16

_LOGIT_LOSSES = ("BCEWithLogitsLoss", "SoftMarginLoss", "HingeEmbeddingLoss")


class Session:
    """Trains ``program`` on ``dataset``; see the module docstring."""

    def __init__(self, program: Program, dataset, loss=None, optimizer=None, schedule=None,
                 seed: int = 0, device: str = "cpu", batch_size: int = 10, probe_every: int = 10,
                 trainer: str = "gradient", eval_every: int | None = None,
                 clip_grad_norm: float | None = None, replay: bool = True,
                 sequence_probes: bool = False, early_stopping: dict | None = None, scheme=None):
        self.device = backend.check_device(device)
        self.program = program.to(self.device)
        self.program.train()
        self.dataset = dataset
        self.seed = int(seed)
        self.loss_fn = loss
        self.probe_every = int(probe_every or 0)
        #: train/test metrics are computed on every probe that falls on a multiple of
        #: this (default: every 5th probe); Snapshots between carry None, as the contract says
        self.eval_every = 5 * self.probe_every if eval_every is None else int(eval_every)
        self.trainer = trainer
        #: probe the recurrent nodes' states, gates and BPTT norms (Snapshot.recurrent and
        #: .sequence): it makes probe steps run eagerly plus one small forward, so only
        #: when something shows them (the sequence view asks through the runner)
        self.sequence_probes = bool(sequence_probes)
        #: max total gradient norm (None or 0: no clipping); may change between steps
        self.clip_grad_norm = clip_grad_norm
        #: statistics and verdicts computed when read (on the host); False reduces them
        #: on the device at the probe and moves them in the probe's one transfer
        self.lazy_probes = self.device == "cpu"
        # One generator per session for dropout and other random layers: reproducible. The
        # forwards of evaluation (a node that samples noise draws there too) use their own,
        # so how often a run is probed or viewed changes nothing of its training.
        self.generator = backend.Generator(self.seed, self.device)
        self.eval_generator = backend.Generator(
            int(np.random.SeedSequence([abs(self.seed), 1]).generate_state(1)[0]), self.device)
        for m in self.program.modules():
            if "generator" in m.__dict__ and m.__dict__["generator"] is None:
                m.generator = backend.ModeGenerator(m, self.generator, self.eval_generator)

        self.kind = program.target_kind if dataset.task == CLASSIFICATION else "none"
        self.x_train, self.y_train = self._to_device(dataset.x_train, dataset.y_train)
        self.x_test, self.y_test = self._to_device(dataset.x_test, dataset.y_test)
        self.n_train = len(dataset.x_train)
        #: a graph dataset is one graph: its nodes are the rows, in the adjacency's order
        self._graph = getattr(dataset, "graph", None)
        bind_graph(self.program, self._graph, self.device)
        self._acc_rule = self._accuracy_rule()
        self._truth_threshold = 0.0 if self.kind == "signed" else 0.5

        self.params = [p for _, p in program.named_parameters()]
        self.param_names = [n for n, _ in program.named_parameters()]
        owner = program.param_owner()
        self.param_nodes = [owner[n] for n in self.param_names]
        if trainer not in ("gradient", *RULE_TRAINERS):
            raise SettingsError(_("unknown trainer {trainer}: use {choices}").format(
                trainer=repr(trainer), choices=", ".join(f"'{t}'" for t in ("gradient", *RULE_TRAINERS))))
        # the rule `check` applies too (a CompileError naming what is missing)
        check_trainable(program, trainer, None if loss is None else [program.prediction_node])
        #: a learning rule's unit reads its input from this slot of the forward's values
        self._rule_input = None
        if trainer in RULE_TRAINERS:
            from ..optim import make_perceptron  # noqa: PLC0415

            unit = program.learnable_nodes()[0]
            feed = program.in_edges(unit)[0]
            self._rule_input = program.slot(feed.src, feed.src_port)
            self.optimizer = make_perceptron(optimizer, program.node_modules[unit], rule=trainer)
        else:
            self.optimizer = self._make_optimizer(optimizer)
        #: settings.scheme's players (engine.train.players), or None: one loss, one optimizer
        self.players = None
        if scheme:
            from .players import Players  # noqa: PLC0415

            self.players = Players(self, scheme, optimizer if optimizer is not None else DEFAULT_OPTIMIZER)
            self.optimizer = self.players.optimizer
        self.scheduler = self._make_scheduler(schedule)
        #: Newton and conjugate gradient evaluate the loss again at points of their own
        self._needs_closure = bool(getattr(self.optimizer, "needs_closure", False))
        #: the training forward and loss, recorded and replayed on non-probe steps
        self._replayed = CompiledFunction(self._training_loss, module=self.program,
                                          on_record=self._on_record) \
            if replay and trainer == "gradient" and not scheme else None
        self._replay_slots: dict = {}   # recording -> its slot of each probed node's output
        #: the prediction in eval mode without gradients (probe metrics, predict()),
        #: recorded and replayed the same way; call in eval mode under no_grad
        self._predicted = CompiledFunction(self._prediction, module=self.program) \
            if replay else self._prediction

        self.batch_size = self.n_train if self._graph is not None else int(batch_size)
        self._loader = DataLoader((self.x_train, self.y_train), batch_size=self.batch_size,
                                  shuffle=self._graph is None, seed=self.seed)
        self._batches = iter(self._loader)
        self._last_batch = None
        self.step_count = 0
        self.epoch_count = 0
        self.last_loss = float("nan")
        self.initial_loss = None
        self.stopped = False
        #: the settings' early stopping (None: off); ``stop_message`` says why it stopped
        self.early_stopping = EarlyStopping.from_setting(early_stopping)
        self.stop_message: str | None = None
        self.last_snapshot: Snapshot | None = None
        self.trajectory: list = []          # host arrays, one per probe
        self.trajectory_steps: list = []
        #: the last diagnostics.HISTORY evaluated probes' Evidence (never Snapshots: see
        #: diagnostics), and every probe's (loss, largest gradient norm), for the verdicts
        self.history: list = []
        self._unclipped = None   # total gradient norm before clipping, of the last probe step
        self._bptt: dict = {}   # node -> |dL/dh_t| per step of the last probe step's backward
        self.trend: deque = deque(maxlen=diagnostics.TREND)

        # what the probes look at, fixed per program
        self._act_probes = []
        self._attention, self._moe = [], []
        self._recurrent = []   # (node, RNN/LSTM/GRU module): states, gates and BPTT norms
        for nid in program.order:
            nt = program.flat.nodes[nid].node_type
            m = program.node_modules.get(nid)
            if m is None or nt.category in (reg.OBSERVED, reg.PARAMETER, reg.COST):
                continue
            self._act_probes.append((probes.ActivationProbe(nid, m),
                                     program.slot(nid, program.out_ports(nid)[0])))
            if _has(m, "last_weights"):
                self._attention.append((nid, m))
            if _has(m, "last_gates"):
                self._moe.append((nid, m))
            inner = m.__dict__["_modules"].get("module", m)   # an Adapter's wrapped module
            if isinstance(inner, (RNN, LSTM, GRU)):
                self._recurrent.append((nid, inner))
        self._grad_probe = probes.GradientProbe(self.param_names, self.param_nodes, self.params)
        self._act_batch = probes.ActivationBatch(p for p, _ in self._act_probes)
        n_params = sum(int(p.data.size) for p in self.params)
        self.max_trajectory = max(MIN_TRAJECTORY, min(MAX_TRAJECTORY,
                                                      MAX_TRAJECTORY_BYTES // (8 * max(n_params, 1))))
        self._weight_slices, offset = [], 0   # small weights, cut from the trajectory point
        for name, p in zip(self.param_names, self.params):
            if p.data.size <= probes.MAX_WEIGHT_SIZE:
                self._weight_slices.append((name, offset, offset + p.data.size, p.data.shape))
            offset += p.data.size
        self._all_modules = list(program.modules())
        self._merged_plan = self._merged_eval_plan()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_graph(cls, graph, seed=None, device=None, dataset=None, previous=None, **overrides):
        """A Session from a Graph and its ``settings`` (dataset, optimizer, schedule, ...).

        ``previous`` (a Program or a Session): nodes unchanged since it keep its weights.

        Raises CompileError (bad graph) or SettingsError (bad settings or dataset), each a
        UserError with a one-line message.
        """
        s = graph.settings or {}
        check_declarations(graph)   # what `playground check` reports, before any value is used
        seed = int(setting(s, "seed")) if seed is None else int(seed)
        device = device or setting(s, "device")
        if dataset is None:
            spec = setting(s, "dataset")
            if not spec:
                raise SettingsError(_("no dataset chosen: set settings.dataset, e.g. {example}").format(
                    example='{"name": "xor"}'))
            dataset = dataset_from_settings(graph, SettingsError)
        shapes = dataset.shape_info()
        if isinstance(previous, Session):   # keep the trained weights of unchanged nodes
            previous = previous.program
        program = compile_graph(graph, previous, dataset_shapes=shapes, seed=seed)
        # each missing setting takes its documented default (engine.graph.schema.SETTINGS)
        kw = {key: setting(s, key) for key in ("optimizer", "schedule", "batch_size", "probe_every",
                                               "trainer", "eval_every", "clip_grad_norm",
                                               "early_stopping")}
        kw["scheme"] = players(s)
        kw.update(seed=seed, device=device)
        kw.update(overrides)
        return cls(program, dataset, **kw)

    def _to_device(self, x, y):
        if self.kind not in ("none", None):
            y = class_targets(y, self.kind, self.dataset.n_classes)
        return backend.to_device(np.ascontiguousarray(x), self.device), \
            backend.to_device(np.ascontiguousarray(y), self.device)

    def _make_optimizer(self, spec):
        if spec is None:
            spec = DEFAULT_OPTIMIZER
        if not isinstance(spec, dict):
            return spec   # an optimizer object
        from ..optim import make_optimizer  # noqa: PLC0415

        return make_optimizer(spec, self.params)

    def _make_scheduler(self, spec):
        if spec is None or not isinstance(spec, dict):
            return spec
        from ..optim import make_scheduler  # noqa: PLC0415

        return make_scheduler(spec, self.optimizer)

    def _accuracy_rule(self):
        """How a prediction becomes a class, given how the targets are presented; None
        (no accuracy) for regression and for a graph without a Target (an autoencoder)."""
        if self.dataset.task != CLASSIFICATION or self.kind in ("none", None):
            return None
        cost = self.program.flat.nodes[self.program.cost_nodes[0]].type if self.program.cost_nodes else ""
        if self.kind in ("index", "onehot"):
            return ("argmax", None)
        threshold = 0.0 if (self.kind == "signed" or cost in _LOGIT_LOSSES) else 0.5
        return ("threshold", threshold)

    # ------------------------------------------------------------------ training
    def _next_batch(self):
        try:
            xb, yb = next(self._batches)
        except StopIteration:
            self.epoch_count += 1
            if self.scheduler is not None:
                self.scheduler.step()   # schedules count epochs, as in torch
            self._batches = iter(self._loader)
            xb, yb = next(self._batches)
        xb, yb = _make(xb, None), _make(yb, None)
        self._last_batch = (xb, yb)
        return xb, yb

    def _loss(self, xb, yb):
        if self.loss_fn is None:
            return self.program(xb, yb)
        pred, _ = self.program(xb)
        return pred, self.loss_fn(pred, yb)

    def _training_loss(self, xb, yb):
        return self._loss(xb, yb)[1]

    def _closure(self, xb, yb):
        """torch's closure for optimizers that need one: the batch's loss and gradients at
        the parameters' current values (they set the values, call it, read the gradients;
        clip_grad_norm does not reach these gradients: Newton and conjugate gradient choose
        their own step length)."""
        forward = self._replayed if self._replayed is not None else self._training_loss

        def closure():
            loss = forward(xb, yb)
            loss.backward()
            return loss
        return closure

    def _prediction(self, x):
        return self.program(x)[0]

    def _on_record(self, rec):
        # the trace's node outputs are still in last_values: find each probed one's slot
        vals = self.program.last_values or ()
        self._replay_slots[rec] = tuple(
            None if slot >= len(vals) or vals[slot] is None else rec.slot_of_id.get(id(vals[slot]))
            for _, slot in self._act_probes)

    def _replayed_outputs(self, rec, arrays):
        """The probed nodes' output arrays of a replayed step (see _probe)."""
        slots = self._replay_slots.get(rec)
        if slots is None:
            return None
        return [None if r is None else arrays[r] for r in slots]

    def _probed_outputs(self, values):
        """The probed nodes' output arrays from a forward's node values (last_values)."""
        if values is None:
            return None
        return [None if (v := values[slot]) is None else v.data for _, slot in self._act_probes]

    def replay_status(self) -> str:
        """How steps run: replayed, or eager and why (one line per batch shape)."""
        if self._replayed is None:
            return "eager (replay off)"
        lines = self._replayed.explain()
        return "; ".join(lines) if lines else "not started"

    def step(self) -> Snapshot | None:
        """One optimisation step; a Snapshot on probe steps (and when training stops)."""
        if self.stopped:
            return self.last_snapshot
        if self.players is not None:
            return self.players.step()
        xb, yb = self._next_batch()
        probe = self.probe_every > 0 and (self.step_count + 1) % self.probe_every == 0
        replayed, values = False, None
        if self._rule_input is not None:
            with no_grad():
                _, loss = self._loss(xb, yb)
            values = self._probed_outputs(self.program.last_values) if probe else None
        elif self._replayed is None or (probe and (self._attention or self._moe or self._sequences())):
            # attention weights, gates and BPTT norms are kept by the modules' own forward
            # and backward: eager
            for _, m in self._sequences() if probe else ():
                m.record = {}
            _, loss = self._loss(xb, yb)
            values = self._probed_outputs(self.program.last_values) if probe else None
        else:
            try:
                if probe:
                    loss, rec, arrays = self._replayed.call_with_values(xb, yb)
                    replayed = rec is not None
                    values = self._replayed_outputs(rec, arrays) if replayed \
                        else self._probed_outputs(self.program.last_values)
                else:
                    loss = self._replayed(xb, yb)
                    replayed = True
            except (ValueError, TypeError, IndexError, KeyError, RuntimeError):
                # a replay knows no node names: the eager run raises the error naming its node
                _, loss = self._loss(xb, yb)
                raise
        lv = float(loss.data)
        if not math.isfinite(lv):
            self._stop_recording()
            if replayed:  # find the bad node from an eager run of the same batch
                with no_grad():
                    self._loss(xb, yb)
            return self._stop_on_nan(lv)
        before = self._flat_params() if probe else None
        if self._rule_input is not None:   # the unit's input: the Input, or fixed features of it
            self.optimizer.step(self.program.last_values[self._rule_input], yb)
        else:
            self.optimizer.zero_grad()
            loss.backward()
            if probe and self._sequences():
                self._bptt = {nid: m.record.get("grad_norm") for nid, m in self._recurrent
                              if m.record is not None}
                self._stop_recording()
            if self.clip_grad_norm:
                with np.errstate(over="ignore", invalid="ignore"):   # an exploding norm is inf
                    total = clip_grad_norm_(self.params, self.clip_grad_norm)
                if probe:   # what the clipping hides, for the diagnostics (one sync a probe)
                    self._unclipped = float(total.data)
            self.optimizer.step(self._closure(xb, yb) if self._needs_closure else None)
        self.step_count += 1
        self.last_loss = lv
        if self.initial_loss is None:
            self.initial_loss = lv
        if probe:
            evaluate = self.eval_every > 0 and self.step_count % self.eval_every == 0
            snap = self._probe(lv, before, values, evaluate)
            if self.early_stopping is not None and snap.test_loss is not None:
                return self._watch_test_loss(snap)
            return snap
        return None

    def _watch_test_loss(self, snap) -> Snapshot:
        """Early stopping, on an evaluated Snapshot: stop once the test loss has not improved
        for ``patience`` evaluations; the best weights come back (with restore_best) and the
        Snapshot returned shows them."""
        watcher = self.early_stopping
        if not watcher.observe(snap.test_loss, self.step_count, self.weights):
            return snap
        self.stop_message = watcher.message(self.step_count)
        if watcher.best_weights is not None:
            self.program.load_state_dict(watcher.best_weights)
            snap = self._probe(self.last_loss, None, None, True)
        snap.stopped = self.stopped = True
        self.last_snapshot = snap
        return snap

    def _sequences(self) -> list:
        """The recurrent nodes to probe: all of them when sequence_probes is on."""
        return self._recurrent if self.sequence_probes else []

    def _stop_recording(self):
        for _, m in self._recurrent:
            m.record = None

    def run(self, n: int, callback=None) -> Snapshot | None:
        """``n`` steps (fewer if training stops); returns the last Snapshot taken.

        ``callback(step_count, snapshot_or_None)`` after every step, e.g. for a progress bar.
        """
        last = None
        for _ in range(int(n)):
            snap = self.step()
            if snap is not None:
                last = snap
            if callback is not None:
                callback(self.step_count, snap)
            if self.stopped:
                break
        return last

    # ------------------------------------------------------------------ NaN
    def _stop_on_nan(self, lv) -> Snapshot:
        node = self._first_nonfinite(self.program.last_values)
        step = self.step_count + 1
        what = "NaN" if lv != lv else _("an infinite value")
        if node is None:
            node = self.program.cost_nodes[0] if self.program.cost_nodes else "?"
        ntype = self.program.flat.nodes[node].type if node in self.program.flat.nodes else "?"
        message = _("training stopped at step {step}: node '{node}' ({type}) produced {what}; "
                    "try a lower learning rate or gradient clipping").format(step=step, node=node, type=ntype,
                                                                             what=what)
        report = NanReport(node=node, step=step, message=message)
        verdict = Verdict("nan", message, remedies=diagnostics.remedies("exploding"),
                          nodes=[node], severity="error")
        snap = Snapshot(step=self.step_count, epoch=self.epoch, loss=lv, lr=self.lr, nan=report,
                        verdicts=[verdict], stopped=True)
        self.stopped = True
        self.last_snapshot = snap
        return snap

    def _first_nonfinite(self, vals):
        if vals is None:
            return None
        prog = self.program
        for nid in prog.order:
            for port in prog.out_ports(nid):
                v = vals[prog.slot(nid, port)]
                if v is None or v.data.dtype.kind not in "fc":
                    continue
                xp = backend.array_module(v.data)
                if not bool(xp.isfinite(v.data).all()):
                    return nid
        return None

    # ------------------------------------------------------------------ probes
    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0].get("lr", 0.0))

    @property
    def epoch(self) -> float:
        return self.step_count * self.batch_size / max(1, self.n_train)

    def _flat_params(self):
        if not self.params:
            return None
        return self._grad_probe.flat(backend.array_module(self.params[0].data))

    def _probe(self, loss_value, before, values=None, evaluate=True) -> Snapshot:
        """Reduce every statistic on the device, then one transfer to the host.

        ``values``: the probed nodes' output arrays of the step's own forward (one per
        ``_act_probes`` entry, captured on probe steps only), for activation statistics;
        None takes them from an evaluation forward in eval mode. ``before``: the flat
        parameters before the update, for the update-to-weight ratios. ``evaluate``: also compute the
        train/test loss and accuracy (on up to PROBE_EVAL_LIMIT samples of each)."""
        with np.errstate(all="ignore"):   # huge (not yet infinite) values: no warnings
            return self._probe_now(loss_value, before, values, evaluate)

    def _probe_now(self, loss_value, before, values, evaluate) -> Snapshot:
        tr = probes.Transfer()
        if values is not None:
            modules_out = self._module_outputs()   # before an evaluation overwrites them
            if evaluate:
                self._queue_metrics(tr, PROBE_EVAL_LIMIT)
        else:
            node_values, modules_out = self._queue_metrics(tr, PROBE_EVAL_LIMIT, capture=True) or (None, {})
            values = self._probed_outputs(node_values)
        if self._sequences():   # after the captures above: this forward overwrites last_values
            self._queue_sequences(tr)
        probed, arrays = [], []
        if values is not None:
            for (probe, _), a in zip(self._act_probes, values):
                if a is not None and a.ndim > 0 and a.dtype.kind == "f":
                    probed.append(probe)
                    arrays.append(a)
            if len(probed) != len(self._act_batch.probes):
                self._act_batch = probes.ActivationBatch(probed)
        after = self._flat_params()
        # On the CPU, probes compute their statistics and verdicts only when read (a
        # panel shows a few snapshots a second; training makes hundreds).
        lazy = self.lazy_probes
        if lazy:
            batch, gprobe = self._act_batch, self._grad_probe
            grads = [p.grad for p in self.params]

            def activation_stats():
                t = probes.Transfer()
                batch.add(t, arrays)
                return batch.stats(t.fetch())

            def gradient_stats():
                t = probes.Transfer()
                gprobe.add(t, before, after, grads)
                return gprobe.stats(t.fetch())
        else:
            self._act_batch.add(tr, arrays)
            self._grad_probe.add(tr, before, after)
        if not tr.parts and not modules_out:
            # nothing else to move: the trajectory point is already on the host
            host = {} if after is None else {"traj": after.astype(np.float64, copy=False)}
        else:
            if after is not None:
                tr.add("traj", after)
            for key, t in modules_out.items():
                tr.add(key, t.data)
            host = tr.fetch()

        snap = Snapshot(step=self.step_count, epoch=self.epoch, loss=float(loss_value), lr=self.lr)
        if self.clip_grad_norm and self._unclipped is not None and before is not None:
            snap.clipped = (self._unclipped, float(self.clip_grad_norm))
        self._fill_metrics(snap, host)
        if lazy:
            snap.activations = probes.LazyStats(activation_stats)
            snap.gradients = probes.LazyStats(gradient_stats)
            snap.grad_norms = self._grad_probe.norms(grads)
        else:
            snap.activations = self._act_batch.stats(host)
            snap.gradients = self._grad_probe.stats(host)
            # the parameters with a gradient, as the host path's norms() takes them
            snap.grad_norms = {n: snap.gradients[n].norm for n, p in zip(self.param_names, self.params)
                               if p.grad is not None and n in snap.gradients}
        traj = host.get("traj")
        if traj is not None:
            snap.trajectory_point = traj
            slices = self._weight_slices   # views of the point, cut when a panel reads them
            snap.weights = probes.LazyStats(
                lambda: {name: traj[a:b].reshape(shape) for name, a, b, shape in slices})
            self._keep_trajectory(traj)
        for nid, _ in self._attention:
            if ("attn", nid) in host:
                snap.attention[nid] = host[("attn", nid)]
        for nid, _ in self._moe:
            if ("gates", nid) in host:
                snap.moe[nid] = {"gates": host[("gates", nid)], "load": host.get(("load", nid))}
        if self._sequences():
            self._fill_sequences(snap, host)
        self.trend.append((snap.loss, max(snap.grad_norms.values(), default=0.0)))
        if evaluate:   # verdicts are refreshed on evaluated probes, carried in between
            self.history.append(diagnostics.Evidence.of(snap))
            del self.history[:-diagnostics.HISTORY]
            # copies of bounded windows of plain data: a verdict computed later must not
            # hold the session's lists (they move on) nor any Snapshot (see diagnostics)
            args = (list(self.history), self.program, self.initial_loss, tuple(self.trend))
            snap.verdicts = probes.LazyList(lambda: diagnostics.diagnose(*args)) if lazy \
                else diagnostics.diagnose(*args)
        else:
            prev = self.last_snapshot
            # the same (possibly not yet computed) list: read-only by contract
            snap.verdicts = prev.verdicts if prev is not None and prev.nan is None else []
        self.last_snapshot = snap
        return snap

    def _keep_trajectory(self, point):
        self.trajectory.append(point)
        self.trajectory_steps.append(self.step_count)
        if len(self.trajectory) > self.max_trajectory:   # thin out: keep every other old point
            self.trajectory = self.trajectory[::2]
            self.trajectory_steps = self.trajectory_steps[::2]

    def trajectory_array(self) -> np.ndarray:
        """(points, parameters) host array of the kept trajectory."""
        return np.stack(self.trajectory) if self.trajectory else np.zeros((0, 0))

    # ------------------------------------------------------------------ metrics
    def _set_training(self, flag):
        """Module.train()/eval() without the tree walk (the module list is fixed)."""
        for m in self._all_modules:
            object.__setattr__(m, "training", flag)

    def _merged_eval_plan(self):
        """Probe metrics with ONE forward over train and test samples together, when the
        graph allows it: one cost node fed exactly by the prediction and the Target. In
        eval mode every layer treats samples independently, so the prediction of the
        joined batch is the two predictions side by side; the cost node then runs on
        each split's slice. Returns (x, y, n_train, cost module) or None."""
        prog = self.program
        if self.loss_fn is not None or len(prog.cost_nodes) != 1 or self._graph is not None:
            return None
        cost = prog.cost_nodes[0]
        ins = {e.dst_port: (e.src, e.src_port) for e in prog.in_edges(cost)}
        targets = [n for n in prog.order if prog.flat.nodes[n].type == "Target"]
        if set(ins) != {"input", "target"} or ins["input"] != prog.prediction_ref \
                or len(targets) != 1 or ins["target"] != (targets[0], "out"):
            return None
        if any(e.src == targets[0] and e.dst != cost for e in prog.flat.edges):
            return None
        lim = PROBE_EVAL_LIMIT
        xp = backend.array_module(self.x_train)
        x = xp.concatenate([self.x_train[:lim], self.x_test[:lim]])
        y = xp.concatenate([self.y_train[:lim], self.y_test[:lim]])
        return _make(x, None), _make(y, None), min(lim, len(self.x_train)), prog.node_modules[cost]

    def _queue_metrics(self, tr, limit=None, capture=False):
        """Queue train/test loss and accuracy (eval mode, no gradients). With ``capture``,
        returns (node values, {transfer key: tensor of attention weights, gates, load})
        of the forward over the training samples (with the test samples, when merged)."""
        was_training = self.program.training
        self._set_training(False)
        captured = None
        try:
            with no_grad():
                plan = self._merged_plan if limit == PROBE_EVAL_LIMIT else None
                if plan is not None:
                    x, y, n1, cost = plan
                    if capture:   # the node values too: an eager forward keeps them
                        pred, _ = self.program(x)
                        captured = (self.program.last_values, self._module_outputs())
                    else:
                        pred = self._predicted(x)
                    p, t = pred.data, y.data
                    tr.add("train_loss", cost(input=_make(p[:n1], None), target=_make(t[:n1], None)).data)
                    if len(p) > n1:
                        tr.add("test_loss", cost(input=_make(p[n1:], None), target=_make(t[n1:], None)).data)
                    hits = self._hits(p, t)
                    if hits is not None:
                        tr.add("train_acc", _rate(hits[:n1]))
                        if len(p) > n1:
                            tr.add("test_acc", _rate(hits[n1:]))
                    return captured
                for split, x, y in (("train", self.x_train, self.y_train), ("test", self.x_test, self.y_test)):
                    if len(x) == 0:
                        continue
                    if limit is not None and len(x) > limit:
                        x, y = x[:limit], y[:limit]
                    xt, yt = _make(x, None), _make(y, None)
                    pred, loss = self._loss(xt, yt)
                    tr.add(f"{split}_loss", loss.data)
                    hits = self._hits(pred.data if pred is not None else None, yt.data)
                    if hits is not None:
                        tr.add(f"{split}_acc", _rate(hits))
                    if capture and split == "train":
                        captured = (self.program.last_values, self._module_outputs())
        finally:
            self._set_training(was_training)
        return captured

    def _queue_sequences(self, tr):
        """Queue what the sequence views show: the recurrent nodes' states and gates over
        time on the first SEQUENCE_SAMPLES training samples (eval mode, no gradients),
        the prediction and target for those samples, and each node's BPTT norms from this
        probe step's backward (self._bptt)."""
        k = min(SEQUENCE_SAMPLES, len(self.x_train))
        if k == 0:
            return
        x, y = self.x_train[:k], self.y_train[:k]
        records = {}
        for nid, m in self._recurrent:
            m.record = records[nid] = {}
        was_training = self.program.training
        self._set_training(False)
        try:
            with no_grad():
                pred = self._prediction(_make(x, None))
        finally:
            self._set_training(was_training)
            self._stop_recording()
        tr.add(("seq", "input"), x)
        tr.add(("seq", "target"), y)
        tr.add(("seq", "prediction"), pred.data)
        for nid, rec in records.items():
            for key in ("h", "c"):
                if key in rec:
                    tr.add(("rec", nid, key), rec[key])
            for gate, a in rec.get("gates", {}).items():
                tr.add(("gate", nid, gate), a)
            if self._bptt.get(nid) is not None:
                tr.add(("bptt", nid), self._bptt[nid])
        tr.meta["gates"] = {nid: list(rec.get("gates", ())) for nid, rec in records.items()}

    def _fill_sequences(self, snap, host):
        """snap.sequence and snap.recurrent from what _queue_sequences moved; states and
        gates sample first: (samples, time, hidden)."""
        if ("seq", "input") not in host:
            return
        snap.sequence = {key: host[("seq", key)] for key in ("input", "target", "prediction")}
        for nid, _ in self._recurrent:
            rec = {key: np.swapaxes(host[("rec", nid, key)], 0, 1) for key in ("h", "c")
                   if ("rec", nid, key) in host}
            rec["gates"] = {g: np.swapaxes(host[("gate", nid, g)], 0, 1)
                            for g in host["meta"]["gates"].get(nid, ())}
            rec["grad_norm"] = host.get(("bptt", nid))
            snap.recurrent[nid] = rec

    def _module_outputs(self) -> dict:
        """Attention weights and MoE gates/load kept by the modules after a forward."""
        out = {}
        for nid, m in self._attention:
            w = _get(m, "last_weights")
            if w is not None:
                out[("attn", nid)] = w
        for nid, m in self._moe:
            g, load = _get(m, "last_gates"), _get(m, "last_load")
            if g is not None:
                out[("gates", nid)] = g
            if load is not None:
                out[("load", nid)] = load
        return out

    def _hits(self, p, t):
        """Per-sample correct/incorrect (float array) for classification, else None. A
        negative class index is no label (PyTorch's ignore_index, -100: the unlabelled nodes
        of a graph) and is not counted; a sample without any label is NaN (see _rate)."""
        if self._acc_rule is None or p is None:
            return None
        rule, thr = self._acc_rule
        if rule == "argmax" or (p.ndim >= 2 and p.shape[-1] > 1):
            cls = p.argmax(-1)
            truth = (t.argmax(-1) if t.ndim == p.ndim else t).reshape(cls.shape)
            valid = (truth >= 0).reshape(len(p), -1)
            right, n = ((cls == truth).reshape(len(p), -1) & valid).sum(-1), valid.sum(-1)
            xp = backend.array_module(right)
            return xp.where(n > 0, right / xp.maximum(n, 1), xp.nan)
        return ((p.reshape(len(p), -1) > thr) == (t.reshape(len(t), -1) > self._truth_threshold)).mean(-1)

    @property
    def classifies(self) -> bool:
        """Does the graph predict classes: a classification dataset whose labels reach a
        Target node? Accuracy, the confusion matrix and the classified images need it (an
        autoencoder on digits has labels but predicts images)."""
        return self._acc_rule is not None

    def predicted_class(self, pred) -> np.ndarray | None:
        """The class index each row of a host prediction names, by the rule the accuracy
        uses (argmax, or a threshold on one column); None for regression."""
        if self._acc_rule is None:
            return None
        p = np.asarray(pred).reshape(len(pred), -1)
        rule, thr = self._acc_rule
        if rule == "argmax" or p.shape[1] > 1:
            return p.argmax(1)
        return (p[:, 0] > thr).astype(np.int64)

    @staticmethod
    def _fill_metrics(snap, host):
        if "train_loss" in host:
            snap.train_loss = float(host["train_loss"])
        if "test_loss" in host:
            snap.test_loss = float(host["test_loss"])
        for k in ("train_acc", "test_acc"):
            if k in host:
                snap.metrics[k] = float(host[k])

    def evaluate(self) -> dict:
        """Full train and test loss, and accuracy for classification (host floats)."""
        tr = probes.Transfer()
        self._queue_metrics(tr)
        host = tr.fetch()
        return {k: float(v) for k, v in host.items() if k != "meta"}

    def snapshot(self) -> Snapshot:
        """A Snapshot now (without the update ratios, which need an update to measure)."""
        if self.stopped and self.last_snapshot is not None:
            return self.last_snapshot
        return self._probe(self.last_loss, None, None, True)

    # ------------------------------------------------------------------ moments
    def state(self, full: bool = False):
        """This moment of training (engine.train.timeline.SessionState): restore it and
        the next steps repeat exactly. ``full`` also keeps the diagnostics' evidence."""
        from . import timeline  # noqa: PLC0415

        return timeline.capture(self, full)

    def restore(self, state):
        """Go back (or forward) to a moment ``state()`` captured on this session."""
        from . import timeline  # noqa: PLC0415

        timeline.restore(self, state)

    def load_weights(self, weights: dict, source: str = "weights"):
        """Set the parameters and buffers from ``weights`` ({qualified name: array}, as
        ``weights()`` gives and ``fileformat.load_weights`` reads). All or nothing: a
        missing, unknown or misshapen entry raises SettingsError naming it and ``source``."""
        own = self.program.state_dict()
        missing = [k for k in own if k not in weights]
        unknown = [k for k in weights if k not in own]
        if missing:
            raise SettingsError(_("{source}: has no '{name}'; the weights belong to another graph").format(
                source=source, name=missing[0]))
        if unknown:
            raise SettingsError(_("{source}: has '{name}', which this graph does not; the weights "
                                  "belong to another graph").format(source=source, name=unknown[0]))
        for k, a in own.items():
            w = np.asarray(weights[k])
            if w.shape != a.shape:
                raise SettingsError(_("{source}: '{name}' has shape {shape}, the graph needs {needed}").format(
                    source=source, name=k, shape=w.shape, needed=a.shape))
            if w.dtype.kind not in "fciub":
                raise SettingsError(_("{source}: '{name}' does not hold numbers").format(source=source, name=k))
        self.program.load_state_dict({k: np.asarray(weights[k]) for k in own})

    def weights(self) -> dict:
        """{qualified name: host array} of every parameter and buffer (what Save with
        Weights writes beside the file)."""
        return dict(self.program.state_dict())

    # ------------------------------------------------------------------ live changes
    def set_hparam(self, name: str, value):
        """Change a hyperparameter of the running session (``lr``, ``momentum``, ...,
        ``batch_size``, ``probe_every``)."""
        if name == "batch_size":
            if self._graph is not None:   # a graph trains whole: its batch is all its nodes
                return
            self.batch_size = int(value)
            self._loader.batch_size = self.batch_size
            self._batches = iter(self._loader)
            return
        if name == "probe_every":
            self.probe_every = int(value)
            return
        groups = self.optimizer.param_groups
        if not any(name in g for g in groups):
            known = sorted(k for k in groups[0] if k not in ("params", "initial_lr"))
            raise ValueError(_("the optimizer has no hyperparameter {name}; it has {known}").format(
                name=repr(name), known=", ".join(known)))
        for g in groups:
            if name in g:
                g[name] = tuple(value) if isinstance(value, list) else value
        if name == "lr" and self.scheduler is not None and hasattr(self.scheduler, "base_lrs"):
            self.scheduler.base_lrs = [value for _ in groups]

    # ------------------------------------------------------------------ inspection
    def _input(self, x):
        x = backend.to_device(np.asarray(x, dtype=self.dataset.x_train.dtype), self.device)
        return _make(x, None)

    def predict(self, x) -> np.ndarray:
        """The network's prediction for host array ``x`` (eval mode), as a host array."""
        was = self.program.training
        self.program.eval()
        try:
            with no_grad():
                pred = self._predicted(self._input(x))
        finally:
            self.program.train(was)
        return backend.to_numpy(pred.data)

    def evaluate_outputs(self, feeds: dict, wanted) -> list:
        """Host arrays of the ``wanted`` (node, port) outputs when the outputs in ``feeds``
        ({(node, port): host array}) are given instead of computed (Program.evaluate), in
        eval mode and without gradients: a VAE's decoder from points of its latent plane."""
        prog = self.program
        was = prog.training
        prog.eval()
        try:
            with no_grad():
                values = prog.evaluate({k: self._input(v) for k, v in feeds.items()}, wanted)
        finally:
            prog.train(was)
        return [backend.to_numpy(v.data) for v in values]

    def node_output(self, node_id, x, port=None) -> np.ndarray:
        """One node's output for inputs ``x`` (for per-neuron heatmaps), as a host array."""
        prog = self.program
        if node_id not in prog.flat.nodes:
            raise KeyError(f"no node '{node_id}'")
        if prog.needs_target(node_id):
            raise ValueError(f"node '{node_id}' depends on the target, so it has no value for inputs alone")
        was = prog.training
        prog.eval()
        try:
            with no_grad():
                prog(self._input(x))
        finally:
            prog.train(was)
        port = port or prog.out_ports(node_id)[0]
        v = prog.last_values[prog.slot(node_id, port)]
        return backend.to_numpy(v.data)

    def rows(self, n: int) -> int:
        """How many training samples to take where the first ``n`` would do (step-through, a
        gradient check, the loss landscape): all of a graph's (its nodes only make sense
        together, in their order), else at most ``n``."""
        return self.n_train if self._graph is not None else min(int(n), self.n_train)

    def trace(self, x=None, y=None) -> dict:
        """Forward values and gradients of every node and edge, for step-through mode.

        Returns {"loss", "values": {node: {port: array}}, "grads": {node: {port: dL/dout}},
        "edge_grads": {Edge: dL/d(tensor on that edge)}, "local_derivatives": {node: d out/d in}
        (elementwise nodes only), "param_grads": {param: array}}; all host arrays. Runs in
        eval mode and leaves the parameters' ``.grad`` as it found them.
        """
        if x is None:
            k = self.rows(4)
            xb, yb = self._last_batch or (self.x_train[:k], self.y_train[:k])
            x, y = (xb.data if isinstance(xb, Tensor) else xb), (yb.data if isinstance(yb, Tensor) else yb)
        x = backend.to_device(np.asarray(backend.to_numpy(x), dtype=self.dataset.x_train.dtype), self.device)
        y = backend.to_device(backend.to_numpy(y), self.device)
        saved = [p.grad for p in self.params]
        prog = self.program
        was = prog.training
        prog.eval()
        try:
            for p in self.params:
                p.grad = None
            with enable_grad():
                run = prog.run_traced(Tensor(x, requires_grad=True), _make(y, None))
                if run["loss"] is not None and run["loss"].requires_grad:
                    run["loss"].backward()
            h = backend.to_numpy
            out = {"loss": float(run["loss"].data) if run["loss"] is not None else None,
                   "values": {}, "grads": {}, "edge_grads": {}, "local_derivatives": {},
                   "param_grads": {n: h(p.grad) for n, p in zip(self.param_names, self.params)
                                   if p.grad is not None}}
            for (nid, port), t in run["values"].items():
                out["values"].setdefault(nid, {})[port] = h(t.data)
                out["grads"].setdefault(nid, {})[port] = None if t.grad is None else h(t.grad)
            for edge, t in run["edges"].items():
                out["edge_grads"][edge] = None if t.grad is None else h(t.grad)
            for nid, t_in in run["elementwise"].items():
                out["local_derivatives"][nid] = h(_local_derivative(prog.node_modules[nid], t_in))
            return out
        finally:
            for p, g in zip(self.params, saved):
                p.grad = g
            prog.train(was)

    def check_gradient(self, node_id, eps: float = 1e-6, n_samples: int = 8, directions: int = 4,
                       seed: int = 0) -> float:
        """Max |autograd - finite difference| over node ``node_id``'s parameters and inputs.

        Runs in float64 and eval mode on the first ``n_samples`` training samples; small
        tensors are checked entry by entry, larger ones along ``directions`` random
        directions. Leaves the weights (and their dtype) and gradients as they were.
        """
        prog = self.program
        if node_id not in prog.flat.nodes:
            raise KeyError(f"no node '{node_id}'")
        dtype = self.params[0].data.dtype if self.params else np.float32
        saved = [p.grad for p in self.params]
        was = prog.training
        n_samples = self.rows(n_samples)
        x = self.x_train[:n_samples].astype(np.float64)
        y = self.y_train[:n_samples]
        if y.dtype.kind == "f":
            y = y.astype(np.float64)
        rng = np.random.default_rng(seed)
        prog.double().eval()
        try:
            x_t, y_t = _make(x, None), _make(y, None)
            # the tensors entering the node, as leaves we can perturb
            with no_grad():
                base = prog.run_traced(x_t, y_t)
            overrides = {}
            for e in prog.in_edges(node_id):
                v = base["values"][(e.src, e.src_port)].data
                overrides[e] = Tensor(v.copy(), requires_grad=True)
            leaves = [p for _, p in prog.node_parameters(node_id)] + list(overrides.values())

            def loss_value():
                with no_grad():
                    return float(prog.run_traced(x_t, y_t, overrides)["loss"].data)

            for p in self.params:
                p.grad = None
            with enable_grad():
                loss = prog.run_traced(x_t, y_t, overrides)["loss"]
                loss.backward()
            worst = 0.0
            for leaf in leaves:
                g = backend.to_numpy(leaf.grad) if leaf.grad is not None else np.zeros(leaf.shape)
                xp = backend.array_module(leaf.data)
                size = leaf.data.size
                dirs = ([None] * size) if size <= 64 else [rng.standard_normal(leaf.shape) for _ in range(directions)]
                for i, d in enumerate(dirs):
                    if d is None:
                        d = np.zeros(leaf.shape)
                        d.reshape(-1)[i] = 1.0
                    dd = xp.asarray(d)
                    orig = leaf.data
                    leaf.data = orig + eps * dd
                    fp = loss_value()
                    leaf.data = orig - eps * dd
                    fm = loss_value()
                    leaf.data = orig
                    numeric = (fp - fm) / (2 * eps)
                    worst = max(worst, abs(numeric - float((g * d).sum())))
            return worst
        finally:
            prog.to(dtype=dtype)
            for p, g in zip(self.params, saved):
                p.grad = g
            prog.train(was)


def _rate(hits):
    """The accuracy: the mean of the samples' hits over those with a label (not NaN);
    NaN when none has one."""
    xp = backend.array_module(hits)
    labelled = ~xp.isnan(hits)
    n = labelled.sum()
    return xp.where(n > 0, xp.where(labelled, hits, 0.0).sum() / xp.maximum(n, 1), xp.nan)


def _has(module, name) -> bool:
    try:
        getattr(module, name)
        return True
    except AttributeError:
        return False


def _get(module, name):
    try:
        return getattr(module, name)
    except AttributeError:
        return None


def _local_derivative(module, t_in):
    """d out / d in of an elementwise node, entry by entry (the chain rule's local factor)."""
    leaf = Tensor(t_in.data, requires_grad=True)
    with enable_grad():
        out = module(input=leaf)
        xp = backend.array_module(out.data)
        out.backward(xp.ones_like(out.data))
    return leaf.grad
