"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD).

    g <- g + wd*w                       (weight_decay)
    b <- g at the first step, else  mu*b + (1 - dampening)*g
    g <- g + mu*b  (nesterov)   or   g <- b
    w <- w - lr*g

The course notes write momentum as v <- beta*v - eta*grad, w <- w + v; with a constant
learning rate this is the same trajectory (v = -lr*b).
"""
from __future__ import annotations

from .optimizer import Optimizer


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _update_array(self, group, w, g, state):
        lr, mu, damp = group["lr"], group["momentum"], group["dampening"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * w
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= mu
                buf += g if damp == 0 else (1.0 - damp) * g
            g = g + mu * buf if group["nesterov"] else buf
        w -= lr * g

    def _rate(self, group, state):
        return group["lr"]
