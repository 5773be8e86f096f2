"""Node types of flow matching and diffusion: time/noise-level input, the noisy path."""
from __future__ import annotations

from ...i18n import _
from ...interop.pytorch import TorchCode, torch_function
from ..registry import FUNCTION, NodeType, Port, ShapeError, register
from ._common import fmt, rank

GROUP = "Generative"


def _build(name):
    def build(params, shapes):
        from ...nn import flow  # noqa: PLC0415 - lazily, see the package docstring

        return getattr(flow, name)(**params)
    return build


def _time_rule(p, s):
    like = s["like"]
    rank(like, (1, 2, 3, 4, 5), "like input")
    return {"out": (like[0], 1)}


def _paired_rule(data, noise, target):
    """The shape rule of a path from noise to data: ``data`` and ``noise`` name the ports
    (one shape), t is one time per sample; both outputs are shaped like the data."""
    def rule(p, s):
        x, eps, t = s[data], s[noise], s["t"]
        rank(x, (2, 3, 4, 5), _("{port} (data)").format(port=data))
        if len(x) != len(eps) or any(a is not None and b is not None and a != b for a, b in zip(x, eps)):
            raise ShapeError(_("{data} {x} and {noise} {eps} must have one shape: each data point is paired "
                               "with one noise point of its own size").format(data=data, x=fmt(x), noise=noise,
                                                                              eps=fmt(eps)), port=noise)
        if len(t) != 2 or t[1] not in (None, 1):
            raise ShapeError(_("t must be one time per sample, shape (batch, 1), but receives {t}").format(
                t=fmt(t)), port="t")
        return {"x_t": tuple(x), target: tuple(x)}
    return rule


def _spread_time(shapes, data):
    """The script's t, spread over an image's dimensions like engine.nn.flow._per_sample."""
    rest = len(shapes[data]) - 1
    return "{t}" if rest == 1 else "{t}.view(-1, " + ", ".join(["1"] * rest) + ")"


def _path_export(params, shapes):
    t = _spread_time(shapes, "x1")
    # x0 + t (x1 - x0) = (1 - t) x0 + t x1, computed as engine.nn.flow does (the same roundings)
    return TorchCode(None, f"({{x0}} + {t} * ({{x1}} - {{x0}}), {{x1}} - {{x0}})",
                     {"x_t": "{r}[0]", "velocity": "{r}[1]"})


def _diffusion_export(params, shapes):
    angle = _spread_time(shapes, "x0") + " * (math.pi / 2)"
    return TorchCode(None, f"(torch.cos({angle}) * {{x0}} + torch.sin({angle}) * {{eps}}, {{eps}})",
                     {"x_t": "{r}[0]", "noise": "{r}[1]"})


register(NodeType(
    "TimeSample", FUNCTION, "A time t drawn uniformly in [0, 1) for each sample, fresh on every step: "
    "the time input of flow matching (and the noise level of diffusion). Only the batch size of "
    "'like' is used. Drawn from the run's seeded generator, so a run repeats exactly with the same "
    "seed; a sampler that integrates the learned flow feeds its own times instead.",
    inputs=(Port("like", "any tensor: one time is drawn for each of its samples"),),
    outputs=(Port("out", "t, shape (batch, 1)"),),
    group=GROUP, shape_rule=_time_rule, build=_build("TimeSample"),
    # the script draws the playground's times (torch's own: torch.rand(x.shape[0], 1))
    export=torch_function("draws.random(({like}.shape[0], 1)).to({like})", draws=True),
    shape_doc="like (batch, ...) -> (batch, 1)"))

register(NodeType(
    "FlowPath", FUNCTION, "The straight path of flow matching (notes 18.5.2): a point moving at "
    "constant speed from the noise x0 (at t = 0) to the data point x1 (at t = 1) is at "
    "x_t = (1 - t) x0 + t x1, with velocity x1 - x0. Feed x_t and t to a velocity network and "
    "train it with MSELoss against 'velocity': it learns the field that carries noise to data.",
    inputs=(Port("x1", "data points (the Input)"),
            Port("x0", "noise points of the same shape (a RandomNormal of x1)"),
            Port("t", "one time in [0, 1] per sample, shape (batch, 1) (a TimeSample)")),
    outputs=(Port("x_t", "the point on the path at time t"),
             Port("velocity", "the target velocity x1 - x0 (the same for every t)")),
    group=GROUP, shape_rule=_paired_rule("x1", "x0", "velocity"), build=_build("FlowPath"), export=_path_export,
    shape_doc="x1, x0 (batch, ...), t (batch, 1) -> x_t and velocity shaped like x1"))

register(NodeType(
    "DiffusionPath", FUNCTION, "The forward process of a diffusion model (notes, section 15, DDPM): "
    "the data x0 noised to the level t, x_t = cos(pi t / 2) x0 + sin(pi t / 2) eps, so t = 0 is "
    "the data and t = 1 pure noise (the cosine schedule: sqrt(alpha_bar) = cos(pi t / 2)). Feed "
    "x_t and t to a noise predictor and train it with MSELoss against 'noise' (the notes' "
    "L_simple); generating runs the process backwards from noise (DDIM steps).",
    inputs=(Port("x0", "data points (the Input)"),
            Port("eps", "noise of the same shape (a RandomNormal of x0)"),
            Port("t", "one noise level in [0, 1] per sample, shape (batch, 1) (a TimeSample)")),
    outputs=(Port("x_t", "the noisy point at level t"),
             Port("noise", "the noise eps the network must predict")),
    group=GROUP, shape_rule=_paired_rule("x0", "eps", "noise"), build=_build("DiffusionPath"),
    export=_diffusion_export, shape_doc="x0, eps (batch, ...), t (batch, 1) -> x_t and noise shaped like x0"))
