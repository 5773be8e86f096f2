"""Engine modules that node types build into when engine.nn has no class of that shape.

Imported only inside build functions, so the node declarations import even while the
engine library is being edited.
"""
from __future__ import annotations

import math

from ... import backend, ops
from ...nn import init
from ...nn.module import Module, Parameter


class OpModule(Module):
    """A parameter-free tensor op: forward(**inputs) = fn(**inputs)."""

    def __init__(self, name, fn):
        super().__init__()
        self.op_name, self.fn = name, fn

    def forward(self, **inputs):
        return self.fn(**inputs)

    def extra_repr(self):
        return self.op_name


class Adapter(Module):
    """Wraps an engine.nn module whose forward arguments or results differ from our ports
    (RNN returns (output, h_n); MultiheadAttention takes query/key/value). The wrapped
    module is the child ``module``, so its parameter names read module.weight_ih_l0 ..."""

    def __init__(self, module, call):
        super().__init__()
        self.module = module
        self.call = call

    def forward(self, **inputs):
        return self.call(self.module, **inputs)

    def __getattr__(self, name):  # expose last_weights, last_gates ... of the wrapped module
        try:
            return super().__getattr__(name)
        except AttributeError:
            inner = self.__dict__.get("_modules", {}).get("module")
            if inner is None:
                raise
            return getattr(inner, name)


INITS = ("zeros", "ones", "constant", "normal", "uniform", "xavier_uniform", "xavier_normal",
         "kaiming_uniform", "kaiming_normal")


class TensorParameter(Module):
    """The Parameter node: one learnable tensor ``weight`` of a fixed shape (no batch)."""

    def __init__(self, shape, init_name="normal", value=0.0, std=1.0):
        super().__init__()
        xp = backend.module_for("cpu")
        self.weight = Parameter(xp.zeros(tuple(shape), dtype=backend.DEFAULT_DTYPE))
        self.init_name, self.value, self.std = init_name, value, std
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        w, name = self.weight, self.init_name
        if name == "zeros":
            init.zeros_(w)
        elif name == "ones":
            init.ones_(w)
        elif name == "constant":
            init.constant_(w, self.value)
        elif name == "normal":
            init.normal_(w, 0.0, self.std, generator=generator)
        elif name == "uniform":
            bound = 1 / math.sqrt(w.shape[-1]) if w.ndim else 1.0
            init.uniform_(w, -bound, bound, generator=generator)
        elif w.ndim < 2:  # fan-based inits need a matrix; fall back to U(+-1/sqrt(n))
            bound = 1 / math.sqrt(max(1, w.shape[-1] if w.ndim else 1))
            init.uniform_(w, -bound, bound, generator=generator)
        else:
            getattr(init, name + "_")(w, generator=generator)

    def forward(self):
        return self.weight


class TensorConstant(Module):
    """The Constant node: a fixed tensor filled with ``value`` (a buffer, not trained)."""

    def __init__(self, shape, value):
        super().__init__()
        xp = backend.module_for("cpu")
        self.register_buffer("value", ops.tensor(xp.full(tuple(shape), value, dtype=backend.DEFAULT_DTYPE)))

    def forward(self):
        return self.value
