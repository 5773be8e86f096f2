"""Activation modules (torch.nn names and defaults) over functional_activations.

Class attributes used by the training probes: ``saturating = True`` marks
sigmoid/tanh-like units (vanishing gradients when |x| is large); ``relu_family = True``
marks units that output a constant zero region and so can die.

``inplace``: the modules torch gives an ``inplace`` flag (ReLU, ReLU6, LeakyReLU, RReLU,
ELU, SELU, CELU, Hardtanh, Threshold) accept it so torch code and saved graphs load, but
always compute out of place: the result is a new tensor with the same numbers and
gradients, and the input is left unchanged. Our autograd has no version counters, so an
in-place write could silently corrupt a value an earlier op saved for its backward pass
(torch raises an error there instead). Code that relies on the input being overwritten
must use the returned tensor.
"""
from __future__ import annotations

from .. import backend
from . import functional_activations as F
from .module import Module, Parameter

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU",
           "Softplus", "Sigmoid", "LogSigmoid", "Tanh", "Hardtanh", "Threshold",
           "Tanhshrink", "Softshrink", "Hardshrink", "Softsign", "Softmax", "Softmin",
           "LogSoftmax", "Heaviside"]


class _Activation(Module):
    saturating = False
    relu_family = False


class _InplaceActivation(_Activation):
    """An activation torch gives an ``inplace`` flag: accepted, computed out of place
    (same numbers; see the module docstring)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def _args(self) -> str:
        """The constructor arguments shown by repr, before the inplace flag."""
        return ""

    def extra_repr(self):
        return ", ".join(a for a in (self._args(), "inplace=True" if self.inplace else "") if a)


class ReLU(_InplaceActivation):
    relu_family = True

    def forward(self, input):
        return F.relu(input)


class ReLU6(_InplaceActivation):
    relu_family = True
    saturating = True

    def forward(self, input):
        return F.relu6(input)


class LeakyReLU(_InplaceActivation):
    # not relu_family: the negative side has slope negative_slope, so no unit dies
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def _args(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(_Activation):
    """Leaky ReLU with a learnable slope: one shared, or one per channel (dim 1). Not
    relu_family: the negative side keeps a gradient, so no unit dies."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        xp = backend.module_for(device or "cpu")
        self.weight = Parameter(xp.full((num_parameters,), init, dtype=dtype or backend.DEFAULT_DTYPE))

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(_InplaceActivation):
    """Random negative slope in [lower, upper] while training, their mean in eval. Not
    relu_family: the negative side keeps a gradient, so no unit dies."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False, generator=None):
        super().__init__(inplace)
        self.lower, self.upper = lower, upper
        self.generator = generator  # None: engine.backend.default_generator

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, generator=self.generator)

    def _args(self):
        return f"lower={self.lower}, upper={self.upper}"


class ELU(_InplaceActivation):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input):
        return F.elu(input, self.alpha)

    def _args(self):
        return f"alpha={self.alpha}"


class SELU(_InplaceActivation):
    def forward(self, input):
        return F.selu(input)


class CELU(_InplaceActivation):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input):
        return F.celu(input, self.alpha)

    def _args(self):
        return f"alpha={self.alpha}"


class GELU(_Activation):
    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', not {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(_Activation):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Sigmoid(_Activation):
    saturating = True

    def forward(self, input):
        return F.sigmoid(input)


class LogSigmoid(_Activation):
    saturating = True

    def forward(self, input):
        return F.logsigmoid(input)


class Tanh(_Activation):
    saturating = True

    def forward(self, input):
        return F.tanh(input)


class Hardtanh(_InplaceActivation):
    saturating = True

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(inplace)
        if max_val < min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be >= min_val ({min_val})")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def _args(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Threshold(_InplaceActivation):
    relu_family = True  # a constant region below the threshold: units can die

    def __init__(self, threshold, value, inplace=False):
        super().__init__(inplace)
        self.threshold, self.value = threshold, value

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value)

    def _args(self):
        return f"threshold={self.threshold}, value={self.value}"


class Tanhshrink(_Activation):
    def forward(self, input):
        return F.tanhshrink(input)


class Softshrink(_Activation):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return f"lambd={self.lambd}"


class Hardshrink(_Activation):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"lambd={self.lambd}"


class Softsign(_Activation):
    saturating = True

    def forward(self, input):
        return F.softsign(input)


class Softmax(_Activation):
    saturating = True

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Softmax):
    def forward(self, input):
        return F.softmin(input, self.dim)


class LogSoftmax(_Activation):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Heaviside(_Activation):
    """The perceptron's threshold unit: 1 for x > 0, ``values`` at 0 (default 1, so
    x >= 0 -> 1), else 0, as torch.heaviside(x, values).

    Its gradient is zero everywhere, so gradient descent cannot train what feeds it:
    a perceptron learns with Rosenblatt's rule (trainer "perceptron") instead.
    """

    saturating = True

    def __init__(self, values=1.0):
        super().__init__()
        self.values = values

    def forward(self, input):
        return F.heaviside(input, self.values)

    def extra_repr(self):
        return f"values={self.values}"
