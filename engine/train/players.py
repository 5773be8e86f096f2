"""The Session's side of ``settings.scheme`` (engine.graph.scheme): several players, each
with its own costs, weights and optimizer, taking turns within every training step.

A player's turn: a fresh batch, a forward of the graph, the backward of that player's
cost nodes only, and its optimizer's step on its weights only. The other weights keep
their values, and their gradients stay those of their own player's last backward (so the
gradient probes and diagnostics show each weight's own gradient). The plain one-loss
path of Session.step is not touched: a session without players never comes here.
"""
from __future__ import annotations

import math

import numpy as np

from ..graph.scheme import check_players, loss_key
from ..nn.utils import clip_grad_norm_


class PlayerOptimizers:
    """The players' optimizers seen as one (Session.optimizer): their parameter groups in
    turn, one state dict (so the timeline saves and restores every player's momenta), and
    ``lr`` changes reaching every player."""

    def __init__(self, optimizers):
        self.optimizers = list(optimizers)

    @property
    def param_groups(self) -> list:
        return [g for o in self.optimizers for g in o.param_groups]

    def zero_grad(self, set_to_none: bool = True):
        for o in self.optimizers:
            o.zero_grad(set_to_none)

    def step(self, closure=None):   # noqa: ARG002 - each player steps its own (see Players)
        raise RuntimeError("the players' optimizers step one at a time (engine.train.players)")

    def state_dict(self) -> dict:
        return {"players": [o.state_dict() for o in self.optimizers],
                "param_groups": [{k: v for k, v in g.items() if k != "params"} for g in self.param_groups],
                "state": {}}

    def load_state_dict(self, state: dict):
        for o, saved in zip(self.optimizers, state["players"]):
            o.load_state_dict(saved)


class Players:
    """The players of one Session; ``step()`` is Session.step for a session with a scheme."""

    def __init__(self, session, plan, default_optimizer):
        from ..optim import make_optimizer  # noqa: PLC0415

        self.session = session
        self.turns = []   # (Player, params, optimizer, cost slots, ids of its params)
        for player, params in check_players(session.program, plan):
            spec = player.optimizer if player.optimizer is not None else default_optimizer
            slots = tuple(session.program.slot(c, "out") for c in player.costs)
            self.turns.append((player, params, make_optimizer(dict(spec), params), slots,
                               {id(p) for p in params}))
        self.optimizer = PlayerOptimizers(t[2] for t in self.turns)
        #: each player's loss at its last turn, by name
        self.losses = {t[0].name: float("nan") for t in self.turns}

    def step(self):
        s = self.session
        probe = s.probe_every > 0 and (s.step_count + 1) % s.probe_every == 0
        before = s._flat_params() if probe else None
        for player, params, optimizer, slots, mine in self.turns:
            for _ in range(player.steps):
                xb, yb = s._next_batch()
                s._loss(xb, yb)
                vals = s.program.last_values
                loss = vals[slots[0]]
                for slot in slots[1:]:
                    loss = loss + vals[slot]
                lv = float(loss.data)
                self.losses[player.name] = lv
                if not math.isfinite(lv):
                    return s._stop_on_nan(lv)
                others = [(p, p.grad) for p in s.params if id(p) not in mine]
                for p in params:
                    p.grad = None
                loss.backward()
                for p, g in others:   # another player's weights: its own gradients stay
                    p.grad = g
                if s.clip_grad_norm:
                    with np.errstate(over="ignore", invalid="ignore"):
                        total = clip_grad_norm_(params, s.clip_grad_norm)
                    if probe:
                        s._unclipped = float(total.data)
                optimizer.step()
        total = sum(self.losses.values())
        s.step_count += 1
        s.last_loss = total
        if s.initial_loss is None:
            s.initial_loss = total
        if not probe:
            return None
        evaluate = s.eval_every > 0 and s.step_count % s.eval_every == 0
        snap = s._probe(total, before, s._probed_outputs(s.program.last_values), evaluate)
        for name, value in self.losses.items():
            snap.metrics[loss_key(name)] = value
        if s.early_stopping is not None and snap.test_loss is not None:
            return s._watch_test_loss(snap)
        return snap
