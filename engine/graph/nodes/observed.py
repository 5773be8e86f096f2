"""Observed variables (Input, Target, Constant) and the learnable Parameter node."""
from __future__ import annotations

import math

from ...i18n import _
from ...interop import onnx as to_onnx
from ...interop.pytorch import TorchCode, torch_function
from ..registry import OBSERVED, PARAMETER, NodeType, Port, ShapeError, register
from ._common import OUT, P


def _declared(params):
    shape = params.get("shape") or []
    if not shape:
        return {"out": None}  # unknown until a dataset says (the validator fills it in)
    return {"out": (None, *shape)}


register(NodeType(
    "Input", OBSERVED, "The dataset's features x, one row per sample. Its shape comes from the "
    "dataset (or from 'shape' when no dataset is chosen).",
    outputs=(Port("out", "a batch of samples' features"),),
    params=(P("shape", "ints", (), "shape of one sample, without the batch dimension "
              "(leave empty to take it from the dataset)", min=1),),
    group="Data", shape_rule=lambda p, s: _declared(p),
    shape_doc="out = (batch, *dataset x shape) or (batch, *shape)"))

register(NodeType(
    "Target", OBSERVED, "The dataset's targets y (class labels or values to predict), the "
    "answer a cost node compares the prediction with.",
    outputs=(Port("out", "a batch of samples' targets"),),
    params=(P("shape", "ints", (), "shape of one target, without the batch dimension "
              "(leave empty to take it from the dataset)", min=1),
            P("kind", "choice", "auto", "how class labels are given to the loss: auto (chosen by "
              "the loss it feeds), index (0..C-1), float (0/1), signed (-1/+1) or onehot",
              choices=("auto", "index", "float", "signed", "onehot"))),
    group="Data", shape_rule=lambda p, s: _declared(p),
    shape_doc="out = (batch, *dataset y shape) or (batch, *shape)"))


def _constant_build(params, shapes):
    from ._modules import TensorConstant

    return TensorConstant(params["shape"], params["value"])


register(NodeType(
    "Constant", OBSERVED, "A fixed tensor (every entry equal to 'value'), e.g. a scale factor. "
    "It has no batch dimension and broadcasts against batches.",
    params=(P("value", "float", 1.0, "the value of every entry"),
            P("shape", "ints", (), "its shape; empty = a single number", min=1)),
    outputs=OUT, group="Data", build=_constant_build, onnx=to_onnx.onnx_value,
    export=torch_function("torch.full({shape}, {value!r})"),
    extra={"weights": lambda p, s: math.prod(p["shape"])},
    shape_rule=lambda p, s: {"out": tuple(p["shape"])}, shape_doc="out = shape"))


def _parameter_build(params, shapes):
    from ._modules import TensorParameter

    return TensorParameter(params["shape"], params["init"], params["value"], params["std"])


def _parameter_rule(params, shapes):
    if not params["shape"]:
        raise ShapeError(_("needs a shape with at least one dimension"))
    return {"out": tuple(params["shape"])}


register(NodeType(
    "Parameter", PARAMETER, "A learnable tensor on its own (e.g. the weights u_ijk of a "
    "multiplicative module, or a bias). Gradient descent changes its values; it has no batch "
    "dimension and broadcasts against batches.",
    params=(P("shape", "ints", (4,), "the tensor's shape", min=1),
            P("init", "choice", "normal", "how its values start",
              choices=("zeros", "ones", "constant", "normal", "uniform", "xavier_uniform",
                       "xavier_normal", "kaiming_uniform", "kaiming_normal")),
            P("value", "float", 0.0, "the starting value when init is 'constant'"),
            P("std", "float", 1.0, "the standard deviation when init is 'normal'", min=0.0)),
    outputs=(Port("out", "the learnable tensor"),), group="Parameters", learnable=True,
    extra={"weights": lambda p, s: math.prod(p["shape"])},
    build=_parameter_build, shape_rule=_parameter_rule, shape_doc="out = shape", onnx=to_onnx.onnx_value,
    export=lambda p, s: TorchCode(f"nn.Parameter(torch.zeros({list(p['shape'])}))", "{self}",
                                  rename={"weight": ""})))

