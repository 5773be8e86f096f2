"""Newton's method and nonlinear conjugate gradient (Fletcher-Reeves) for small problems.

Both treat all parameters as one flat vector x (the 2-D test surfaces have two numbers)
and need, like torch's LBFGS, a ``closure`` that recomputes the loss and its gradients:

    def closure():
        opt.zero_grad(); loss = f(p); loss.backward(); return loss
    opt.step(closure)

The Hessian comes from a ``hessian(x) -> (n, n) array`` callable when one is given (the
quadratic surface has an exact one), otherwise from central finite differences of the
autograd gradient, column by column: H[:, i] = (g(x + h e_i) - g(x - h e_i)) / 2h.
The small linear algebra runs on the host in NumPy: it is bookkeeping on n numbers.
"""
from __future__ import annotations

import numpy

from .. import backend
from ..autograd import enable_grad
from .optimizer import Optimizer


class _FlatOptimizer(Optimizer):
    """Shared helpers: read/write the flat vector, evaluate f and grad, the Hessian."""

    #: step() needs a closure (a training Session passes one: the batch's loss at new points)
    needs_closure = True
    #: constructor arguments only code can give (a callable), never a settings file
    code_only = ("hessian",)

    #: the most parameters a finite-difference Hessian is built for: it takes 2n gradient
    #: evaluations and n*n numbers (the digits CNN's 1,370 already take seconds a step)
    MAX_HESSIAN_PARAMETERS = 2000

    def __init__(self, params, defaults, hessian=None, fd_eps=1e-5, needs_hessian=True):
        super().__init__(params, defaults)
        self.hessian_fn = hessian
        self.fd_eps = fd_eps
        self.n_evals = 0  # function evaluations so far (line searches cost several)
        n = sum(int(p.data.size) for p in self._params())
        if needs_hessian and hessian is None and n > self.MAX_HESSIAN_PARAMETERS:
            raise ValueError(f"{type(self).__name__} builds the {n}x{n} Hessian of this network's {n} "
                             f"parameters; it is for small problems (at most "
                             f"{self.MAX_HESSIAN_PARAMETERS}): choose another optimizer")

    def _params(self):
        return [p for g in self.param_groups for p in g["params"]]

    def _get_x(self) -> numpy.ndarray:
        return numpy.concatenate([backend.to_numpy(p.data).astype(numpy.float64).ravel()
                                  for p in self._params()])

    def _set_x(self, x):
        offset = 0
        for p in self._params():
            n = p.data.size
            chunk = x[offset:offset + n].reshape(p.data.shape).astype(p.data.dtype)
            p.data[...] = backend.to_device(chunk, backend.device_of(p.data))
            offset += n

    def _evaluate(self, closure, x):
        """f(x) and grad f(x) as host float64; leaves the parameters at x."""
        if closure is None:
            raise RuntimeError(f"{type(self).__name__}.step() needs a closure that recomputes "
                               "the loss and calls backward()")
        self._set_x(x)
        params = self._params()
        for p in params:
            p.grad = None
        with enable_grad():
            loss = closure()
        self.n_evals += 1
        g = numpy.concatenate([
            numpy.zeros(p.data.size) if p.grad is None
            else backend.to_numpy(p.grad).astype(numpy.float64).ravel() for p in params])
        return float(loss.item() if hasattr(loss, "item") else loss), g

    def _hessian(self, closure, x):
        if self.hessian_fn is not None:
            return numpy.asarray(self.hessian_fn(x), dtype=numpy.float64)
        n = x.size
        H = numpy.empty((n, n))
        for i in range(n):  # n is 2 for the surfaces: two pairs of gradient evaluations
            h = self.fd_eps * max(1.0, abs(x[i]))
            e = numpy.zeros(n)
            e[i] = h
            H[:, i] = (self._evaluate(closure, x + e)[1] - self._evaluate(closure, x - e)[1]) / (2 * h)
        return 0.5 * (H + H.T)


class Newton(_FlatOptimizer):
    """x <- x - lr * (H + damping*I)^-1 grad.

    With damping 0 and lr 1 this jumps to the stationary point of the local quadratic
    model, which is a maximum or saddle as readily as a minimum (a lesson point); damping
    (Levenberg) blends towards a short gradient step.
    """

    def __init__(self, params, lr=1.0, damping=0.0, hessian=None, fd_eps=1e-5):
        if not (lr > 0 and damping >= 0 and fd_eps > 0):
            raise ValueError(f"Newton needs lr > 0, damping >= 0 and fd_eps > 0, got lr={lr}, "
                             f"damping={damping}, fd_eps={fd_eps}")
        super().__init__(params, dict(lr=lr, damping=damping), hessian, fd_eps)

    def step(self, closure=None):
        x = self._get_x()
        f, g = self._evaluate(closure, x)
        H = self._hessian(closure, x)
        group = self.param_groups[0]
        H = H + group["damping"] * numpy.eye(x.size)
        try:
            d = -numpy.linalg.solve(H, g)
        except numpy.linalg.LinAlgError:  # singular: the least-squares (pseudo-inverse) step
            d = -numpy.linalg.lstsq(H, g, rcond=None)[0]
        self._set_x(x + group["lr"] * d)
        self.last = {"loss": f, "grad": g, "direction": d}  # for step-through displays
        return f


class ConjugateGradient(_FlatOptimizer):
    """Nonlinear conjugate gradient, Fletcher-Reeves: d <- -g + (|g|^2 / |g_prev|^2) d_prev.

    The step length along d comes from a line search:
    ``"strong_wolfe"`` (default; c2 < 1/2 keeps Fletcher-Reeves directions descent ones),
    ``"armijo"`` (backtracking until sufficient decrease), or ``"exact"``, the minimiser of
    the local quadratic model along d, alpha = -g.d / d.H.d, which is exact on a quadratic:
    then the method reaches the minimum of an n-dimensional quadratic in n steps.
    The direction restarts as -g every ``restart`` steps (default n) and whenever it
    stops being a descent direction. ``lr`` caps the first trial step of the searches.
    """

    def __init__(self, params, lr=1.0, line_search="strong_wolfe", c1=1e-4, c2=0.1,
                 restart=None, max_ls=30, hessian=None, fd_eps=1e-5):
        if line_search not in ("strong_wolfe", "armijo", "exact"):
            raise ValueError(f"unknown line_search {line_search!r}: "
                             "use 'strong_wolfe', 'armijo' or 'exact'")
        if not 0 < c1 < c2 < 1:
            raise ValueError(f"line search needs 0 < c1 < c2 < 1, got c1={c1}, c2={c2}")
        if restart is not None and not (isinstance(restart, int) and restart >= 1):
            raise ValueError(f"restart must be none or a whole number of steps >= 1, got {restart!r}")
        if not (isinstance(max_ls, int) and max_ls >= 1):
            raise ValueError(f"max_ls must be a whole number >= 1, got {max_ls!r}")
        if not lr > 0 or not fd_eps > 0:
            raise ValueError(f"conjugate gradient needs lr > 0 and fd_eps > 0, got lr={lr}, fd_eps={fd_eps}")
        super().__init__(params, dict(lr=lr, line_search=line_search, c1=c1, c2=c2,
                                      restart=restart, max_ls=max_ls), hessian, fd_eps,
                         needs_hessian=line_search == "exact")
        self.reset()

    def reset(self):
        self._prev = None  # (grad, direction, alpha, g.d) of the last step
        self._k = 0

    def state_dict(self) -> dict:
        """The base state plus the last step's direction and the restart counter: the next
        direction depends on them, so a restored moment (the timeline) repeats exactly."""
        out = super().state_dict()
        out["directions"] = {"prev": None if self._prev is None else tuple(
            v.copy() if hasattr(v, "copy") else v for v in self._prev), "k": self._k}
        return out

    def load_state_dict(self, state_dict: dict):
        super().load_state_dict(state_dict)
        saved = state_dict.get("directions")
        if saved is None:   # a state from before a step was taken, or from another optimizer
            self.reset()
            return
        prev = saved["prev"]
        self._prev = None if prev is None else tuple(v.copy() if hasattr(v, "copy") else v for v in prev)
        self._k = int(saved["k"])

    def step(self, closure=None):
        group = self.param_groups[0]
        x = self._get_x()
        f, g = self._evaluate(closure, x)
        restart = group["restart"] or x.size
        if self._prev is None or self._k % restart == 0:
            d = -g
        else:
            g_prev, d_prev, _, _ = self._prev
            beta = (g @ g) / max(g_prev @ g_prev, 1e-300)
            d = -g + beta * d_prev
            if g @ d >= 0:  # not a descent direction: start again from steepest descent
                d, self._k = -g, 0
        gd = float(g @ d)
        if gd >= 0 or not numpy.isfinite(gd):  # zero gradient (at a stationary point)
            self._set_x(x)
            return f
        alpha = self._search(closure, x, f, g, d, gd, group)
        self._set_x(x + alpha * d)
        self._prev = (g, d, alpha, gd)
        self._k += 1
        return f

    def _initial_alpha(self, g, gd, group):
        if self._prev is not None:  # Nocedal & Wright (3.60): expect the same first-order change
            _, _, a_prev, gd_prev = self._prev
            return min(group["lr"], a_prev * gd_prev / gd)
        return group["lr"] * min(1.0, 1.0 / max(numpy.abs(g).max(), 1e-300))

    def _search(self, closure, x, f0, g0, d, gd0, group):
        kind = group["line_search"]
        if kind == "exact":
            curvature = float(d @ self._hessian(closure, x) @ d)
            if curvature > 0:
                return -gd0 / curvature
            kind = "strong_wolfe"  # negative curvature: the model has no minimum along d
        a = self._initial_alpha(g0, gd0, group)
        c1, c2, max_ls = group["c1"], group["c2"], group["max_ls"]
        if kind == "armijo":
            a *= 2.0  # backtracking only shrinks: offer a longer step first so alpha can grow
            for _ in range(max_ls):
                if self._evaluate(closure, x + a * d)[0] <= f0 + c1 * a * gd0:
                    return a
                a *= 0.5
            return a
        return self._strong_wolfe(closure, x, f0, d, gd0, a, c1, c2, max_ls)

    def _strong_wolfe(self, closure, x, f0, d, gd0, a, c1, c2, max_ls):
        """Nocedal & Wright, Algorithms 3.5 (bracketing) and 3.6 (zoom)."""

        def phi(alpha):
            fa, ga = self._evaluate(closure, x + alpha * d)
            return fa, float(ga @ d)

        a_prev, f_prev, gd_prev = 0.0, f0, gd0
        for i in range(max_ls):
            fa, gda = phi(a)
            if not numpy.isfinite(fa) or fa > f0 + c1 * a * gd0 or (i > 0 and fa >= f_prev):
                return self._zoom(phi, a_prev, f_prev, gd_prev, a, fa, f0, gd0, c1, c2, max_ls)
            if abs(gda) <= -c2 * gd0:
                return a
            if gda >= 0:
                return self._zoom(phi, a, fa, gda, a_prev, f_prev, f0, gd0, c1, c2, max_ls)
            a_prev, f_prev, gd_prev = a, fa, gda
            a *= 2.0
        return a_prev

    @staticmethod
    def _zoom(phi, lo, f_lo, gd_lo, hi, f_hi, f0, gd0, c1, c2, max_ls):
        for _ in range(max_ls):
            width = hi - lo
            # minimiser of the quadratic through f_lo, gd_lo, f_hi, kept inside the bracket
            denom = 2.0 * (f_hi - f_lo - gd_lo * width)
            a = lo - gd_lo * width * width / denom if denom > 0 and numpy.isfinite(f_hi) else lo + width / 2
            if not min(lo, hi) + 0.1 * abs(width) <= a <= max(lo, hi) - 0.1 * abs(width):
                a = lo + width / 2
            fa, gda = phi(a)
            if not numpy.isfinite(fa) or fa > f0 + c1 * a * gd0 or fa >= f_lo:
                hi, f_hi = a, fa
            else:
                if abs(gda) <= -c2 * gd0:
                    return a
                if gda * (hi - lo) >= 0:
                    hi, f_hi = lo, f_lo
                lo, f_lo, gd_lo = a, fa, gda
        return lo
