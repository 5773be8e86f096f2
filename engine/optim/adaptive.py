"""Per-weight adaptive step sizes: Adagrad, RMSprop, Adadelta, Rprop (torch.optim equations),
and AIMD (the course notes' additive increase, multiplicative decrease; torch has none).

Every update works in place on the parameter's array and its state buffers; the few
temporaries are whole-array expressions, never per-element Python.
"""
from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, moving_average_, state_buffer


def _check(name, value, low=0.0):
    if not value >= low:
        raise ValueError(f"Invalid {name}: {value}")


class Adagrad(Optimizer):
    """clr = lr / (1 + (t-1)*lr_decay);  s <- s + g^2;  w <- w - clr * g / (sqrt(s) + eps)."""

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, *, maximize=False):
        for name, v in (("learning rate", lr), ("lr_decay", lr_decay),
                        ("weight_decay", weight_decay), ("epsilon", eps),
                        ("initial_accumulator_value", initial_accumulator_value)):
            _check(name, v)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def _update_array(self, group, w, g, state):
        lr, decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(w, group["initial_accumulator_value"])
        state["step"] += 1
        if wd:
            g = g + wd * w
        clr = lr / (1 + (state["step"] - 1) * decay)
        s = state["sum"]
        s += g * g
        denom = xp.sqrt(s)
        denom += eps
        w -= clr * g / denom

    def _rate(self, group, state):
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        return clr / (backend.array_module(state["sum"]).sqrt(state["sum"]) + group["eps"])


class RMSprop(Optimizer):
    """v <- alpha*v + (1-alpha)*g^2; centered: v~ = v - gbar^2; w <- w - lr*g/(sqrt(v~)+eps),
    or with momentum b <- mu*b + g/(sqrt(v~)+eps); w <- w - lr*b."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, maximize=False):
        for name, v in (("learning rate", lr), ("epsilon", eps), ("momentum", momentum),
                        ("weight_decay", weight_decay), ("alpha", alpha)):
            _check(name, v)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update_array(self, group, w, g, state):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, mu, centered = group["weight_decay"], group["momentum"], group["centered"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(w)
        state["step"] += 1
        if wd:
            g = g + wd * w
        v = state["square_avg"]
        moving_average_(v, g * g, alpha)
        if centered:
            gbar = state_buffer(state, "grad_avg", w)
            moving_average_(gbar, g, alpha)
            denom = xp.sqrt(v - gbar * gbar)
        else:
            denom = xp.sqrt(v)
        denom += eps
        if mu > 0:
            buf = state_buffer(state, "momentum_buffer", w)
            buf *= mu
            buf += g / denom
            w -= lr * buf
        else:
            w -= lr * g / denom

    def _rate(self, group, state):
        v = state["square_avg"]
        xp = backend.array_module(v)
        if group["centered"]:
            v = v - state["grad_avg"] ** 2
        return group["lr"] / (xp.sqrt(v) + group["eps"])


class Adadelta(Optimizer):
    """v <- rho*v + (1-rho)*g^2; dx = sqrt(u+eps)/sqrt(v+eps)*g; u <- rho*u + (1-rho)*dx^2;
    w <- w - lr*dx."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, maximize=False):
        for name, v in (("learning rate", lr), ("epsilon", eps), ("weight_decay", weight_decay)):
            _check(name, v)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update_array(self, group, w, g, state):
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(w)
            state["acc_delta"] = xp.zeros_like(w)
        state["step"] += 1
        if wd:
            g = g + wd * w
        v, u = state["square_avg"], state["acc_delta"]
        moving_average_(v, g * g, rho)
        delta = xp.sqrt(u + eps)
        delta /= xp.sqrt(v + eps)
        delta *= g
        moving_average_(u, delta * delta, rho)
        w -= lr * delta

    def _rate(self, group, state):
        xp = backend.array_module(state["square_avg"])
        return group["lr"] * xp.sqrt(state["acc_delta"] + group["eps"]) \
            / xp.sqrt(state["square_avg"] + group["eps"])


class Rprop(Optimizer):
    """Resilient backprop: per-weight step sizes grow by etaplus while the gradient keeps its
    sign and shrink by etaminus when it flips (then that weight skips one update);
    w <- w - sign(g) * step."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), *,
                 maximize=False):
        _check("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes),
                                      maximize=maximize))

    def _update_array(self, group, w, g, state):
        etaminus, etaplus = group["etas"]
        step_min, step_max = group["step_sizes"]
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["prev"] = xp.zeros_like(w)
            state["step_size"] = xp.full_like(w, group["lr"])
        state["step"] += 1
        same = g * state["prev"]
        factor = xp.where(same > 0, etaplus, xp.where(same < 0, etaminus, 1.0))
        step_size = state["step_size"]
        step_size *= factor.astype(step_size.dtype, copy=False)
        xp.clip(step_size, step_min, step_max, out=step_size)
        g = xp.where(same < 0, 0, g).astype(w.dtype, copy=False)  # sign flipped: skip
        w -= xp.sign(g) * step_size
        state["prev"][...] = g


class AIMD(Optimizer):
    """Additive increase, multiplicative decrease of a learning rate per weight (the
    course notes, section 7.4.1): while a weight's gradient keeps its sign its rate grows
    by a fixed ``increase``; when the sign flips (the weight oscillates across a valley)
    the rate is multiplied by ``decrease``; a zero product leaves it unchanged. Then
    w <- w - lr_i * g, the gradient's size still counts (unlike Rprop, which takes only
    its sign). Each rate starts at ``lr`` and stays within [0, ``max_lr``].

        lr_i <- lr_i + increase   if g_i(t) g_i(t-1) > 0
        lr_i <- lr_i * decrease   if g_i(t) g_i(t-1) < 0
        w_i  <- w_i - lr_i g_i(t)
    """

    def __init__(self, params, lr=1e-2, increase=1e-3, decrease=0.5, max_lr=1.0, *,
                 maximize=False):
        for name, v in (("learning rate", lr), ("increase", increase)):
            _check(name, v)
        if not 0.0 < decrease < 1.0:
            raise ValueError(f"Invalid decrease: {decrease} (a factor between 0 and 1)")
        if not max_lr >= lr:
            raise ValueError(f"Invalid max_lr: {max_lr} (at least lr = {lr})")
        super().__init__(params, dict(lr=lr, increase=increase, decrease=decrease, max_lr=max_lr,
                                      maximize=maximize))

    def _update_array(self, group, w, g, state):
        xp = backend.array_module(w)
        if not state:
            state["step"] = 0
            state["prev"] = xp.zeros_like(w)
            state["lrs"] = xp.full_like(w, group["lr"])
        state["step"] += 1
        same = g * state["prev"]
        lrs = state["lrs"]
        lrs += xp.where(same > 0, group["increase"], 0.0).astype(lrs.dtype, copy=False)
        lrs *= xp.where(same < 0, group["decrease"], 1.0).astype(lrs.dtype, copy=False)
        xp.minimum(lrs, group["max_lr"], out=lrs)
        w -= lrs * g
        state["prev"][...] = g

    def _rate(self, group, state):
        return state["lrs"]
