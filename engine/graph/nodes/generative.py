"""Node types of the autoencoder chapter: random normal sample, reparameterisation, KL cost."""
from __future__ import annotations

from ...i18n import _
from ...interop.pytorch import torch_function, torch_module
from ..registry import COST, FUNCTION, NodeType, Port, ShapeError, register
from ._common import P, SCALAR_OUT, fmt, rank

GROUP = "Generative"


def _random_normal_rule(p, s):
    like = s["like"]
    rank(like, (1, 2, 3, 4, 5), "like input")
    return {"out": tuple(like) if p["features"] == 0 else (like[0], p["features"])}


def _pair_rule(p, s):
    mu, logvar = s["mu"], s["logvar"]
    rank(mu, (2, 3, 4, 5), "mu")
    if len(mu) != len(logvar) or any(a is not None and b is not None and a != b for a, b in zip(mu, logvar)):
        raise ShapeError(_("mu {mu} and logvar {logvar} must have one shape: one mean and one log-variance "
                           "per latent value").format(mu=fmt(mu), logvar=fmt(logvar)), port="logvar")
    return mu


def _reparameterize_rule(p, s):
    return {"out": tuple(_pair_rule(p, s))}


def _kl_rule(p, s):
    _pair_rule(p, s)
    return {"out": ()}


def _build(name):
    def build(params, shapes):
        from ...nn import generative  # noqa: PLC0415 - lazily, see the package docstring

        return getattr(generative, name)(**params)
    return build


def _onnx_reparameterize(g, params, ins, shapes, module):
    """An exported model runs in evaluation, where z is mu."""
    return g.op("Identity", ins["mu"])


def _random_normal_export(params, shapes):
    """The PyTorch script draws our noise (its PlaygroundRandom, engine.interop.pytorch);
    torch's own would be torch.randn_like."""
    shape = "{like}.shape" if params["features"] == 0 else f"({{like}}.shape[0], {params['features']})"
    return torch_function(f"draws.standard_normal({shape}).to({{like}})", draws=True)(params, shapes)


#: the random node types (the adversarial scheme finds a generator's noise by them)
RANDOM_TYPES = ("RandomNormal", "Reparameterize")

_MU = Port("mu", "the encoder's means, one per latent value (batch, latent)")
_LOGVAR = Port("logvar", "the encoder's log-variances log(sigma^2), same shape as mu")

register(NodeType(
    "RandomNormal", FUNCTION, "A fresh sample of standard normal noise N(0, 1) on every step, in "
    "training and evaluation alike: the noise a generator starts from. It takes the batch (and, "
    "with features 0, the whole shape) of its 'like' input; only the shape of 'like' is used, never "
    "its values. Drawn from the run's seeded generator, so a run repeats exactly with the same seed.",
    inputs=(Port("like", "any tensor: the sample copies its batch size (and its shape when features is 0)"),),
    outputs=(Port("out", "the noise sample"),),
    params=(P("features", "int", 0, "values per sample: (batch, features); 0 = the same shape as 'like'",
              min=0),),
    group=GROUP, shape_rule=_random_normal_rule, build=_build("RandomNormal"), export=_random_normal_export,
    shape_doc="like (batch, ...) -> (batch, features), or like's shape when features is 0"))

register(NodeType(
    "Reparameterize", FUNCTION, "The reparameterisation trick of a VAE: z = mu + exp(logvar / 2) * eps "
    "with eps ~ N(0, 1) drawn fresh every step. The randomness sits beside the path, so gradients flow "
    "to mu and logvar. In evaluation it returns mu (no noise): the latent code of the input.",
    inputs=(_MU, _LOGVAR), outputs=(Port("out", "z: a sample of the latent code"),),
    group=GROUP, shape_rule=_reparameterize_rule, build=_build("Reparameterize"), onnx=_onnx_reparameterize,
    export=torch_module("Reparameterize", helper=True, random=True),
    shape_doc="mu (batch, latent), logvar (batch, latent) -> (batch, latent)"))

register(NodeType(
    "KLNormal", COST, "KL divergence of the encoder's N(mu, sigma^2) from the standard normal N(0, 1): "
    "0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2) over the latent values, mean over the batch, times "
    "beta. The graph adds up its cost nodes, so a VAE is a reconstruction cost (e.g. MSELoss or "
    "BCELoss of the decoded image against the input) plus this node. beta > 1 pulls the codes harder "
    "towards N(0, 1) (smoother latent space, blurrier images); beta < 1 favours reconstruction.",
    inputs=(_MU, _LOGVAR), outputs=SCALAR_OUT,
    params=(P("beta", "float", 1.0, "weight of the KL term beside the reconstruction cost", min=0.0),),
    group="Losses", shape_rule=_kl_rule, build=_build("KLNormal"),
    export=torch_function("({mu} * {mu} + torch.exp({logvar}) - {logvar} - 1.0).flatten(1).sum(1).mean()"
                          " * (0.5 * {beta!r})"),
    shape_doc="mu, logvar (batch, latent) -> scalar"))
