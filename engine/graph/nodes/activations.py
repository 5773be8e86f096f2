"""Activation functions, declared from one table: (torch name, help, params).

Every entry builds ``engine.nn.<name>(**params)``; its shape rule is the identity.
"""
from __future__ import annotations

from ...i18n import _
from ..registry import FUNCTION, NodeType, ShapeError, register
from ...interop import onnx as to_onnx
from ...interop.pytorch import torch_function, torch_module
from ._common import IN, OUT, P, axis

GROUP = "Activations"
_SLOPE = P("negative_slope", "float", 0.01, "slope for negative inputs")
_ALPHA = P("alpha", "float", 1.0, "value the output approaches for very negative inputs: -alpha", min=0.0)
_LAMBD = P("lambd", "float", 0.5, "half-width of the zero band around 0", min=0.0)
_DIM = P("dim", "int", None, "the axis that sums to 1 (none = torch's legacy choice: 0 for 1-D "
         "and 3-D inputs, else 1; -1 = the last axis)", nullable=True)

#: (name, help, params)
ACTIVATIONS = (
    ("ReLU", "max(0, x): the rectified linear unit; cheap and non-saturating, but units can die.", ()),
    ("ReLU6", "min(max(0, x), 6).", ()),
    ("LeakyReLU", "x for x > 0, negative_slope * x otherwise: a ReLU whose units cannot die.", (_SLOPE,)),
    ("PReLU", "LeakyReLU whose negative slope is learned (one per channel or one shared).",
     (P("num_parameters", "int", 1, "1 (one shared slope) or the number of channels", min=1),
      P("init", "float", 0.25, "the slope's starting value"))),
    ("RReLU", "LeakyReLU with a random slope from U(lower, upper) in training, their mean in evaluation.",
     (P("lower", "float", 1.0 / 8, "lowest slope", min=0.0), P("upper", "float", 1.0 / 3, "highest slope", min=0.0))),
    ("ELU", "x for x > 0, alpha (e^x - 1) otherwise: smooth, negative outputs push the mean to 0.", (_ALPHA,)),
    ("SELU", "scale * ELU(x, alpha) with the constants that keep activations normalised.", ()),
    ("CELU", "max(0, x) + min(0, alpha (e^(x/alpha) - 1)).", (_ALPHA,)),
    ("GELU", "x * Phi(x), Phi the standard normal CDF (the Transformers' activation).",
     (P("approximate", "choice", "none", "exact, or the tanh approximation", choices=("none", "tanh")),)),
    ("Softplus", "log(1 + e^(beta x)) / beta: a smooth ReLU.",
     (P("beta", "float", 1.0, "sharpness", min=1e-6), P("threshold", "float", 20.0,
                                                           "above beta*x > threshold the output is x"))),
    ("Sigmoid", "1 / (1 + e^-x): squashes to (0, 1); saturates, so deep sigmoid nets learn slowly.", ()),
    ("LogSigmoid", "log(sigmoid(x)).", ()),
    ("Tanh", "tanh(x): squashes to (-1, 1), zero-centred; saturates for large |x|.", ()),
    ("Hardtanh", "x clipped to [min_val, max_val].",
     (P("min_val", "float", -1.0, "lower clip"), P("max_val", "float", 1.0, "upper clip"))),
    ("Threshold", "x if x > threshold, else value (torch has no defaults for these two).",
     (P("threshold", "float", 0.0, "the cut"), P("value", "float", 0.0, "output at or below the cut"))),
    ("Tanhshrink", "x - tanh(x).", ()),
    ("Softshrink", "x - lambd for x > lambd, x + lambd for x < -lambd, else 0.", (_LAMBD,)),
    ("Hardshrink", "x if |x| > lambd, else 0.", (_LAMBD,)),
    ("Softsign", "x / (1 + |x|).", ()),
    ("Softmax", "e^x_i / sum_j e^x_j along dim: turns scores into probabilities (or attention "
     "weights) that sum to 1.", (_DIM,)),
    ("Softmin", "Softmax of -x along dim.", (_DIM,)),
    ("LogSoftmax", "log(Softmax(x)) along dim, computed stably (pair it with NLLLoss).", (_DIM,)),
    ("Heaviside", "The perceptron's step: 1 for x > 0, 'values' at 0, else 0. Its gradient is zero: "
     "train it with the perceptron rule.", (P("values", "float", 1.0, "output at exactly 0"),)),
)

#: torch has the step as a function, not a module, and refuses its gradient: detached, it is
#: zero, as ours
HEAVISIDE_EXPORT = torch_function("torch.heaviside({input}.detach(), torch.tensor({values!r}))")

#: Activations whose output flattens for large |x| (probes report saturation) and the
#: ReLU family (probes report dead units); the diagnostics read these from NodeType.extra.
SATURATING = {"Sigmoid", "Tanh", "Hardtanh", "Softsign", "Softmax", "Heaviside", "LogSigmoid", "ReLU6", "Softmin"}
RELU_FAMILY = {"ReLU", "ReLU6", "Threshold"}


def _build(name):
    def build(params, shapes):
        from ... import nn  # noqa: PLC0415 - lazily, see the package docstring

        return getattr(nn, name)(**params)
    return build


def _rule(name):
    def rule(params, shapes):
        shape = tuple(shapes["input"])
        if "dim" in params and params["dim"] is not None:
            axis(params["dim"], len(shape))
        if name == "PReLU" and params["num_parameters"] != 1:
            if len(shape) < 2 or shape[1] not in (None, params["num_parameters"]):
                got = shape[1] if len(shape) >= 2 else 0
                raise ShapeError(_("has {n} slopes (num_parameters) but the input has {got} channels in "
                                   "dimension 1").format(n=params["num_parameters"], got=got))
        return {"out": shape}
    return rule


_U, _C = to_onnx.onnx_unary, to_onnx.onnx_composed
#: each activation as ONNX operators (engine.interop.onnx), in evaluation
ONNX = {
    "ReLU": _U("Relu"), "Sigmoid": _U("Sigmoid"), "Tanh": _U("Tanh"), "Softsign": _U("Softsign"),
    "ReLU6": to_onnx.onnx_clip(None, None, 0.0, 6.0), "Hardtanh": to_onnx.onnx_clip("min_val", "max_val"),
    "LeakyReLU": _U("LeakyRelu", alpha=lambda p: p["negative_slope"]),
    "RReLU": _U("LeakyRelu", alpha=lambda p: (p["lower"] + p["upper"]) / 2),   # its evaluation slope
    "PReLU": to_onnx.onnx_prelu, "ELU": _U("Elu", alpha=lambda p: p["alpha"]), "SELU": _U("Selu"),
    "CELU": _U("Celu", alpha=lambda p: p["alpha"]), "GELU": to_onnx.onnx_gelu,
    "Softplus": to_onnx.onnx_softplus,
    "LogSigmoid": _C(lambda g, x, p: g.op("Neg", g.op("Softplus", g.op("Neg", x)))),
    "Threshold": _C(lambda g, x, p: g.op("Where", g.op("Greater", x, g.k(p["threshold"])), x, g.k(p["value"]))),
    "Tanhshrink": _C(lambda g, x, p: g.op("Sub", x, g.op("Tanh", x))),
    "Softshrink": _U("Shrink", bias=lambda p: p["lambd"], lambd=lambda p: p["lambd"]),
    "Hardshrink": _U("Shrink", lambd=lambda p: p["lambd"]),
    "Softmax": to_onnx.onnx_softmax("Softmax"), "Softmin": to_onnx.onnx_softmax("Softmin"),
    "LogSoftmax": to_onnx.onnx_softmax("LogSoftmax"), "Heaviside": to_onnx.onnx_heaviside,
}

for _name, _help, _params in ACTIVATIONS:
    register(NodeType(
        _name, FUNCTION, _help, inputs=IN, outputs=OUT, params=_params, group=GROUP,
        shape_rule=_rule(_name), build=_build(_name), learnable=_name == "PReLU",
        # RReLU: the script's own class, which draws its slopes from our random numbers
        export=HEAVISIDE_EXPORT if _name == "Heaviside" else torch_module(
            _name, helper=_name == "RReLU", random=_name == "RReLU"), onnx=ONNX[_name],
        extra={"saturating": _name in SATURATING, "relu_family": _name in RELU_FAMILY,
               **({"weights": lambda p, s: p["num_parameters"]} if _name == "PReLU" else {})},
        shape_doc="out = input shape"))
