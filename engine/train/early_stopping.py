"""Early stopping (course notes 003, section 11; Goodfellow et al., Algorithm 7.1): watch the
held-out (test) loss at every evaluation, keep the weights of the best one, and stop once it
has not improved for ``patience`` evaluations, putting those best weights back.

The setting ``"early_stopping": {"patience": 5, "min_delta": 0.0, "restore_best": true}``
(engine.graph.schema.SETTINGS) makes ``Session.from_graph`` give its Session one
``EarlyStopping``; the Session calls ``observe`` on every evaluated Snapshot.
"""
from __future__ import annotations

import math

from ..i18n import _


class EarlyStopping:
    """The watcher's state: the best test loss so far, where it was, and its weights."""

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True):
        self.patience, self.min_delta, self.restore_best = int(patience), float(min_delta), bool(restore_best)
        self.best = math.inf
        self.best_step = None
        self.best_weights = None       # {name: host array} (copies), with restore_best
        self.waited = 0                # evaluations since the best one

    @classmethod
    def from_setting(cls, spec):
        """None for no early stopping (``spec`` None, or without a patience)."""
        if not isinstance(spec, dict) or spec.get("patience") is None:
            return None
        return cls(spec["patience"], spec.get("min_delta") or 0.0, spec.get("restore_best", True))

    def observe(self, test_loss: float, step: int, weights) -> bool:
        """One evaluation's test loss at ``step``; ``weights()`` gives the weights now (called
        only on an improvement). True when training should stop here."""
        if test_loss < self.best - self.min_delta:
            self.best, self.best_step, self.waited = test_loss, step, 0
            if self.restore_best:
                self.best_weights = {k: v.copy() for k, v in weights().items()}
            return False
        self.waited += 1
        return self.waited >= self.patience

    def message(self, step: int) -> str:
        """What the user is told when it stops at ``step``."""
        if self.best_weights is not None:
            return _("early stopping at step {step}: the test loss has not improved for {n} "
                     "evaluations; the weights of step {best} (test loss {loss}) are restored").format(
                step=step, n=self.patience, best=self.best_step, loss=f"{self.best:.4g}")
        return _("early stopping at step {step}: the test loss has not improved for {n} evaluations "
                 "(best {loss} at step {best})").format(step=step, n=self.patience,
                                                        loss=f"{self.best:.4g}", best=self.best_step)

    def state(self) -> tuple:
        """What a timeline moment keeps (restore with ``set_state``)."""
        return self.best, self.best_step, self.best_weights, self.waited

    def set_state(self, state: tuple):
        self.best, self.best_step, self.best_weights, self.waited = state
