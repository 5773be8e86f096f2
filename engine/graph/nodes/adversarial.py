"""Node types of adversarial training (GAN): the cost scoring discriminator logits
against a constant label. Training a GAN also needs ``settings.scheme`` (two players,
each with its own costs, nodes and optimizer: engine.graph.scheme)."""
from __future__ import annotations

from ...i18n import _
from ...interop.pytorch import TorchCode
from ..registry import COST, NodeType, Port, ShapeError, register
from ._common import SCALAR_OUT, P, fmt


def _logits_rule(p, s):
    """input (batch, 1) or (batch,) logits -> a scalar"""
    shape = s["input"]
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] not in (None, 1)):
        raise ShapeError(_("scores one logit per sample, shape (batch, 1), but the input is {shape}").format(
            shape=fmt(shape)), port="input")
    return {"out": ()}


def _export(params, shapes):
    ones = "ones" if params["scored_as"] == "real" else "zeros"
    return TorchCode(None, f"nn.functional.binary_cross_entropy_with_logits({{input}}, torch.{ones}_like({{input}}))")


def _build(params, shapes):
    from ...nn.adversarial import AdversarialLoss  # noqa: PLC0415 - lazily, see the package docstring

    return AdversarialLoss(**params)


register(NodeType(
    "AdversarialLoss", COST, "The GAN cost: binary cross-entropy of the discriminator's logit against a "
    "constant label, real (1) or fake (0): mean(-log sigmoid(z)) for real, mean(-log(1 - sigmoid(z))) for "
    "fake. The discriminator's costs are 'real' on the data and 'fake' on generated samples; the "
    "generator's non-saturating cost is 'real' on generated samples (its fakes scored as real). No Target "
    "is needed. Train the two with settings.scheme, one player each.",
    inputs=(Port("input", "the discriminator's logits (batch, 1)"),), outputs=SCALAR_OUT,
    params=(P("scored_as", "choice", "real", "the label the logits are scored against: real (1) or fake (0)",
              choices=("real", "fake")),),
    group="Losses", shape_rule=_logits_rule, build=_build,
    export=_export,
    shape_doc=_logits_rule.__doc__))
