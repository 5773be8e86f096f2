"""``Optimizer``: the torch.optim base class (param_groups, defaults, state, state_dict).

Subclasses implement ``_update_array(group, w, g, state)``: the update of one array ``w``
(in place) from its gradient ``g`` (never modified) and its ``state`` dict. Every
optimizer here treats each element alike, so a group whose parameters all have a
gradient is updated as ONE array: the parameters become views of one joined array, the
gradients are joined into another, and ``_update_array`` runs once instead of once per
parameter (torch calls this the "foreach" path). A classroom net has many tiny
parameters, and each NumPy call costs about a microsecond whatever its size: Adam's
dozen operations for eight parameters took most of a small net's step. The numbers are
the same: the operations are elementwise. ``self.state[p]`` stays torch's per-parameter
state, as views of the joined state arrays (and the step count copied), so
``state_dict``, checkpoints and readers see no difference.
Optimizers with another structure (Newton, conjugate gradient) override ``_update``.

Hyperparameters are read from the group on every step, so a teacher can change ``lr``
or ``momentum`` while training runs (as with torch).
"""
from __future__ import annotations

import copy

import numpy

from .. import backend
from ..autograd import Tensor, enable_grad


class _Required:
    def __repr__(self):
        return "<required parameter>"


#: marks a hyperparameter that has no default (like torch.optim.optimizer.required)
required = _Required()


class Optimizer:
    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict = {}  # Parameter -> dict of per-parameter state (Tensor hashes by identity)
        self._joins: dict = {}  # id(group) -> _Joined: the group updated as one array
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a single Tensor")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ----- groups ------------------------------------------------------
    def add_param_group(self, param_group: dict):
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ----- the training loop --------------------------------------------
    def zero_grad(self, set_to_none: bool = True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad[...] = 0

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure()'s loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group: dict):
        joined = self._joined(group)
        if joined is not None:
            joined.update(self, group)
            return
        maximize = group.get("maximize", False)
        for p in group["params"]:
            if p.grad is not None:
                self._update_array(group, p.data, -p.grad if maximize else p.grad, self._state(p))

    def _update_array(self, group: dict, w, g, state: dict):
        """Update ``w`` in place from gradient ``g`` (not to be modified; already negated
        when the group maximizes, as torch does first) and ``state``."""
        raise NotImplementedError

    def learning_rates(self):
        """Each weight's current learning rate, one flat host float64 array over every
        parameter (in param_groups order): the factor the latest update multiplied its
        gradient by (Adam: its averaged gradient; Adadelta: with the newest step average).
        SGD's is lr for all; the adaptive methods' is lr over the root of their
        squared-gradient average (AdaGrad's falls for ever, RMSprop's and Adam's follow the
        recent gradients); AIMD keeps one of its own. None where an update is not a rate
        times the gradient (Rprop and Lion step by the gradient's sign, Newton by the
        curvature). Before a parameter's first update its rate is the nominal ``lr``."""
        if type(self)._rate is Optimizer._rate:
            return None
        rates = []
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state.get(p)
                rate = self._rate(group, state) if state else group.get("lr")
                host = numpy.asarray(backend.to_numpy(rate) if hasattr(rate, "shape") else rate,
                                     dtype=numpy.float64)
                rates.append(numpy.broadcast_to(host, p.data.shape).ravel())
        return numpy.concatenate(rates) if rates else numpy.zeros(0)

    def _rate(self, group: dict, state: dict):
        """The learning rate of each element of a parameter with this (non-empty) state: a
        number or an array shaped like it; None when the update has no such factor."""
        return None

    def _joined(self, group):
        """The group's _Joined form for this step, or None (update parameter by parameter)."""
        joins = self._joins
        key = id(group)
        j = joins.get(key)
        if j is not None and j.intact(self, group):
            return j
        j = _Joined.build(self, group)
        if j is None:
            joins.pop(key, None)
        else:
            joins[key] = j
        return j

    def _state(self, p) -> dict:
        s = self.state.get(p)
        if s is None:
            s = self.state[p] = {}
        return s

    # ----- checkpoints -------------------------------------------------
    def state_dict(self) -> dict:
        """torch's layout: parameters are replaced by their index across all groups."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _copy_value(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict):
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        by_index = {}
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
            by_index.update(zip(saved["params"], mine["params"]))
        self.state = {}
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            xp = backend.array_module(p.data)
            self.state[p] = {k: (xp.asarray(v, dtype=p.data.dtype).copy()
                                 if hasattr(v, "shape") and getattr(v, "ndim", 0) > 0 else v)
                             for k, v in s.items()}
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})


class _Joined:
    """A group's parameters as views of one joined array, their state as joined arrays.

    Valid while nobody replaces a parameter's ``.data`` or a state entry (loading a
    checkpoint, moving to a device); ``intact`` checks that cheaply on every step and
    the optimizer joins again, or goes back to updating parameter by parameter.
    """

    @classmethod
    def build(cls, opt, group):
        params = tuple(group["params"])
        if len(params) < 2:
            return None   # nothing to join
        first = params[0].data
        xp = backend.array_module(first)
        for p in params:
            g = p.grad
            if g is None or g.shape != p.data.shape or p.data.dtype != first.dtype \
                    or backend.array_module(p.data) is not xp or backend.array_module(g) is not xp:
                return None
            if xp is not numpy and backend.device_of(p.data) != backend.device_of(first):
                return None
        states = [opt.state.get(p) or {} for p in params]
        keys = set(states[0])
        for p, st in zip(params, states):
            if set(st) != keys:
                return None
            for k, v in st.items():
                if hasattr(v, "shape"):
                    if v.shape != p.data.shape or v.dtype != first.dtype:
                        return None
                elif v != states[0][k]:
                    return None   # e.g. step counts differ: parameters skipped some steps
        return cls(opt, params, states, xp)

    def __init__(self, opt, params, states, xp):
        self.params = params
        self.shapes = [p.data.shape for p in params]
        self.bounds, o = [], 0
        for p in params:
            self.bounds.append((o, o + p.data.size))
            o += p.data.size
        self.data = xp.concatenate([p.data.reshape(-1) for p in params])
        self.views = self._cut(self.data)
        # the gradients are copied into one buffer: setting views costs half a concatenate
        self.grad = xp.empty_like(self.data)
        self.grad_views = self._cut(self.grad)
        for p, v in zip(params, self.views):
            p.data = v
        self.state = {k: (xp.concatenate([st[k].reshape(-1) for st in states])
                          if hasattr(v, "shape") else v)
                      for k, v in states[0].items()}
        self.owner = opt.state
        self._link(opt)

    def _cut(self, flat):
        return tuple(flat[a:b].reshape(shape) for (a, b), shape in zip(self.bounds, self.shapes))

    def _link(self, opt):
        """Make every parameter's state entries views of the joined ones."""
        self.arrays = {k: v for k, v in self.state.items() if hasattr(v, "shape")}
        self.links, self.counters = [], []
        dicts = [opt._state(p) for p in self.params]
        for k, v in self.state.items():
            if hasattr(v, "shape"):
                for d, view in zip(dicts, self._cut(v)):
                    d[k] = view
                    self.links.append((d, k, view))
            else:
                self.counters.append(k)
        self.dicts = dicts

    def intact(self, opt, group) -> bool:
        params = group["params"]
        if opt.state is not self.owner or len(params) != len(self.params):
            return False
        state = opt.state
        for p, q, v, d in zip(params, self.params, self.views, self.dicts):
            if p is not q or p.data is not v or p.grad is None or state.get(p) is not d:
                return False
        for d, k, v in self.links:
            if d.get(k) is not v:
                return False
        return True

    def update(self, opt, group):
        for v, p in zip(self.grad_views, self.params):
            v[...] = p.grad
        if group.get("maximize", False):
            backend.array_module(self.grad).negative(self.grad, out=self.grad)
        opt._update_array(group, self.data, self.grad, self.state)
        state = self.state
        if len(state) != len(self.arrays) + len(self.counters):
            self._link(opt)   # the first step created the state
        else:
            for k, v in self.arrays.items():
                if state[k] is not v:   # the update replaced a state array
                    self._link(opt)
                    break
        for k in self.counters:
            v = self.state[k]
            for d in self.dicts:
                d[k] = v


def moving_average_(avg, x, decay):
    """avg <- decay*avg + (1-decay)*x, in place: the running averages of Adam, RMSprop,
    Adadelta and Lion."""
    avg *= decay
    avg += (1 - decay) * x


def state_buffer(state, key, like):
    """``state[key]``, created as zeros shaped like ``like`` on first use."""
    buf = state.get(key)
    if buf is None:
        buf = state[key] = backend.array_module(like).zeros_like(like)
    return buf


def _copy_value(v):
    return v.copy() if hasattr(v, "copy") and hasattr(v, "shape") else v

