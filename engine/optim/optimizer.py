"""``Optimizer``: the torch.optim base class (param_groups, defaults, state, state_dict).

Subclasses implement ``_update(group)``, which updates every parameter of one group in
place from its ``.grad``. Hyperparameters are read from the group on every step, so a
teacher can change ``lr`` or ``momentum`` while training runs (as with torch).
"""
from __future__ import annotations

import copy

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
        raise NotImplementedError

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


def _copy_value(v):
    return v.copy() if hasattr(v, "copy") and hasattr(v, "shape") else v


def _grad(p, maximize: bool):
    """The gradient the update uses: torch negates it first when maximizing."""
    g = p.grad
    return -g if maximize else g
