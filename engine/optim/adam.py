"""Adam, AdamW and Lion (torch.optim equations; Lion as in Chen et al. 2023).

Adam:  m <- b1*m + (1-b1)*g;  v <- b2*v + (1-b2)*g^2
       w <- w - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
amsgrad keeps vmax <- max(vmax, v) and uses it in place of v (as torch's code does: the
maximum is taken over the raw second moment, then bias-corrected at the current step).
AdamW decays the weights directly, w <- w - lr*wd*w, instead of adding wd*w to g;
Adam(decoupled_weight_decay=True) is AdamW, as in torch.
"""
from __future__ import annotations

import math

from .. import backend
from .optimizer import Optimizer, moving_average_, state_buffer


def _check_adam_args(lr, betas, eps, weight_decay):
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    if not weight_decay >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update_array(self, group, w, g, state):
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad, decoupled = group["weight_decay"], group["amsgrad"], group["decoupled_weight_decay"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(w)
            state["exp_avg_sq"] = xp.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        if wd:
            if decoupled:
                w *= 1 - lr * wd
            else:
                g = g + wd * w
        m, v = state["exp_avg"], state["exp_avg_sq"]
        moving_average_(m, g, b1)
        moving_average_(v, g * g, b2)
        if amsgrad:
            vmax = state_buffer(state, "max_exp_avg_sq", w)
            xp.maximum(vmax, v, out=vmax)
            v = vmax
        denom = xp.sqrt(v)
        denom /= math.sqrt(1 - b2 ** t)
        denom += eps
        w -= (lr / (1 - b1 ** t)) * (m / denom)

    def _rate(self, group, state):
        # the factor on the (averaged, bias-corrected) gradient m / (1 - b1^t)
        b2, t = group["betas"][1], state["step"]
        v = state.get("max_exp_avg_sq", state["exp_avg_sq"]) if group["amsgrad"] else state["exp_avg_sq"]
        xp = backend.array_module(v)
        return group["lr"] / (xp.sqrt(v / (1 - b2 ** t)) + group["eps"])


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)


class Lion(Optimizer):
    """c = b1*m + (1-b1)*g;  w <- w - lr*(sign(c) + wd*w);  m <- b2*m + (1-b2)*g."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False):
        _check_adam_args(lr, betas, 0.0, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay,
                                      maximize=maximize))

    def _update_array(self, group, w, g, state):
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(w)
        state["step"] += 1
        m = state["exp_avg"]
        c = b1 * m
        c += (1 - b1) * g
        if wd:
            w *= 1 - lr * wd
        w -= lr * xp.sign(c)
        moving_average_(m, g, b2)
