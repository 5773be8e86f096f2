"""Cost nodes (losses), declared from one table: (torch name, help, ports, params, shape kind).

Every entry builds ``engine.nn.<name>(**params)`` (class-weight lists become tensors); its
output ``out`` is a scalar when reduction is mean or sum.
"""
from __future__ import annotations

from ...i18n import _
from ..registry import COST, NodeType, Port, ShapeError, register
from ...interop.pytorch import torch_module
from ._common import SCALAR_OUT, P, fmt, linear_weights, plural, reduction_param

GROUP = "Losses"
PRED = Port("input", "the prediction")
TARGET = Port("target", "the answer to compare with (usually from the Target node)")
PAIR = (PRED, TARGET)
_R = reduction_param()
_WEIGHT = P("weight", "floats", None, "a weight per class (none = all 1)", nullable=True, min=0.0)
_IGNORE = P("ignore_index", "int", -100, "a target value that contributes nothing")
_MARGIN0 = P("margin", "float", 0.0, "the margin")
_MARGIN1 = P("margin", "float", 1.0, "the margin")


def _same(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _out(params, per_sample):
    return {"out": () if params["reduction"] != "none" else tuple(per_sample)}


def _rule_same(params, s):
    """input and target of one shape, compared element by element."""
    a, b = s["input"], s["target"]
    if not _same(a, b):
        raise ShapeError(_("compares input and target element by element, so they need the same "
                           "shape: input is {input}, target is {target}").format(input=fmt(a), target=fmt(b)),
                         port="target")
    return _out(params, a)


def _rule_class(params, s):
    """input (N, C, ...) scores; target (N, ...) class indices, or (N, C, ...) probabilities."""
    a, b = s["input"], s["target"]
    if len(a) < 1:
        raise ShapeError(_("needs one score per class, but the input is a single number"))
    if _same(a, b):
        return _out(params, (a[0],) + tuple(a[2:]) if len(a) > 1 else ())
    expected = (a[0],) + tuple(a[2:]) if len(a) > 1 else ()
    if not _same(expected, b):
        raise ShapeError(_("input {input} holds {scores} per sample, so the target must be class indices of "
                           "shape {indices} (or probabilities of shape {input}), but it is {target}").format(
            input=fmt(a), scores=plural(a[1] if len(a) > 1 else a[0], "class score"), indices=fmt(expected),
            target=fmt(b)), port="target")
    return _out(params, expected)


def _rule_ranking(params, s):
    a, b, t = s["input1"], s["input2"], s["target"]
    if not (_same(a, b) and _same(a, t)):
        raise ShapeError(_("input1 {a}, input2 {b} and target {t} must have one shape").format(
            a=fmt(a), b=fmt(b), t=fmt(t)))
    return _out(params, a)


def _rule_embedding_pair(params, s):
    a, b, t = s["input1"], s["input2"], s["target"]
    if not _same(a, b):
        raise ShapeError(_("input1 {a} and input2 {b} must have one shape").format(a=fmt(a), b=fmt(b)))
    if not _same(a[:-1], t):
        raise ShapeError(_("target must hold one +1/-1 per sample, shape {shape}, but it is {target}").format(
            shape=fmt(a[:-1]), target=fmt(t)))
    return _out(params, a[:-1])


def _rule_triplet(params, s):
    a, p, n = s["anchor"], s["positive"], s["negative"]
    if not (_same(a, p) and _same(a, n)):
        raise ShapeError(_("anchor {a}, positive {p} and negative {n} must have one shape").format(
            a=fmt(a), p=fmt(p), n=fmt(n)))
    return _out(params, a[:-1])


def _rule_adaptive(params, s):
    a, t = s["input"], s["target"]
    if len(a) != 2 or a[1] not in (None, params["in_features"]):
        raise ShapeError(_("expects input (batch, {n}) but receives {shape}").format(n=params["in_features"],
                                                                                   shape=fmt(a)))
    if not _same(t, a[:1]):
        raise ShapeError(_("target must hold one class index per sample, shape {shape}, but it is {target}").format(
            shape=fmt(a[:1]), target=fmt(t)))
    return {"out": (), "output": tuple(a[:1])}


#: (name, help, ports, params, shape rule, target kind a classification dataset should give)
LOSSES = (
    ("MSELoss", "Mean squared error: mean((input - target)^2). The usual regression cost.",
     PAIR, (_R,), _rule_same, "float"),
    ("L1Loss", "Mean absolute error: mean(|input - target|); robust to outliers.", PAIR, (_R,), _rule_same, "float"),
    ("SmoothL1Loss", "Squared error for small differences (below beta), absolute error above.", PAIR,
     (_R, P("beta", "float", 1.0, "where squared turns into absolute error", min=0.0)), _rule_same, "float"),
    ("HuberLoss", "Huber loss: squared error below delta, delta * absolute error above.", PAIR,
     (_R, P("delta", "float", 1.0, "where squared turns into absolute error", min=1e-12)), _rule_same, "float"),
    ("SoftMarginLoss", "log(1 + e^(-y x)) for targets y of -1/+1: a smooth hinge.", PAIR, (_R,),
     _rule_same, "signed"),
    ("NLLLoss", "Negative log-likelihood of the target class, given log-probabilities (a "
     "LogSoftmax before it).", (Port("input", "log-probabilities (batch, classes)"),
                                Port("target", "class indices (batch,)")),
     (_WEIGHT, _IGNORE, _R), _rule_class, "index"),
    ("CrossEntropyLoss", "Cross-entropy of raw class scores (logits) against class indices or "
     "probabilities: LogSoftmax + NLLLoss in one stable node. The usual classification cost.",
     (Port("input", "class scores (logits), (batch, classes)"),
      Port("target", "class indices (batch,) or probabilities (batch, classes)")),
     (_WEIGHT, _IGNORE, _R, P("label_smoothing", "float", 0.0, "blend the target with the uniform "
                              "distribution by this amount", min=0.0, max=1.0)), _rule_class, "index"),
    ("BCELoss", "Binary cross-entropy of probabilities in (0, 1) (a Sigmoid before it) against "
     "0/1 targets.", PAIR, (_WEIGHT, _R), _rule_same, "float"),
    ("BCEWithLogitsLoss", "Binary cross-entropy of raw scores (Sigmoid + BCELoss in one stable "
     "node) against 0/1 targets.", PAIR,
     (_WEIGHT, _R, P("pos_weight", "floats", None, "weight of the positive examples, per class",
                     nullable=True, min=0.0)), _rule_same, "float"),
    ("KLDivLoss", "Kullback-Leibler divergence of the target distribution from the input's (input "
     "given as log-probabilities).", PAIR,
     (_R, P("log_target", "bool", False, "the target is given as log-probabilities too")), _rule_same, None),
    ("HingeEmbeddingLoss", "x for target 1, max(0, margin - x) for target -1: learns whether "
     "pairs are similar from a distance x.", PAIR, (_MARGIN1, _R), _rule_same, "signed"),
    ("MarginRankingLoss", "max(0, -y (x1 - x2) + margin): learns to rank input1 above input2 "
     "when the target y is 1 (below when -1).",
     (Port("input1", "first score"), Port("input2", "second score"), Port("target", "+1 or -1")),
     (_MARGIN0, _R), _rule_ranking, "signed"),
    ("TripletMarginLoss", "max(d(a, p) - d(a, n) + margin, 0): pulls the anchor towards the positive "
     "example and away from the negative one.",
     (Port("anchor", "the reference embedding"), Port("positive", "an embedding of the same kind"),
      Port("negative", "an embedding of another kind")),
     (_MARGIN1, P("p", "float", 2.0, "the norm of the distance", min=1e-6),
      P("eps", "float", 1e-6, "added for numerical stability", min=0.0),
      P("swap", "bool", False, "use the distance swap of Balntas et al."), _R), _rule_triplet, None),
    ("CosineEmbeddingLoss", "1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1.",
     (Port("input1", "first embedding"), Port("input2", "second embedding"), Port("target", "+1 or -1")),
     (_MARGIN0, _R), _rule_embedding_pair, "signed"),
)


def _build(name):
    def build(params, shapes):
        from ... import nn, ops  # noqa: PLC0415 - lazily, see the package docstring

        kw = dict(params)
        for key in ("weight", "pos_weight"):
            if kw.get(key) is not None:
                kw[key] = ops.tensor([float(v) for v in kw[key]])
        return getattr(nn, name)(**kw)
    return build


for _name, _help, _ports, _params, _rule, _kind in LOSSES:
    register(NodeType(_name, COST, _help, inputs=_ports, outputs=SCALAR_OUT, params=_params,
                      group=GROUP, shape_rule=_rule, build=_build(_name),
                      export=torch_module(_name, tensors=("weight", "pos_weight")),
                      extra={"target_kind": _kind},
                      shape_doc=(_rule.__doc__ or "").strip() or "out = () (a scalar)"))


def _adaptive_weights(p, s):
    """The head (shortlist + one score per cluster) and each cluster's two projections."""
    inf, bounds = p["in_features"], list(p["cutoffs"]) + [p["n_classes"]]
    total = linear_weights(inf, bounds[0] + len(bounds) - 1, p["head_bias"])
    for i in range(len(bounds) - 1):
        hidden = int(inf // (p["div_value"] ** (i + 1)))
        total += inf * hidden + hidden * (bounds[i + 1] - bounds[i])
    return total


def _adaptive_build(params, shapes):
    from ... import nn  # noqa: PLC0415
    from ._modules import Adapter

    def call(m, input, target):
        res = m(input, target)
        return {"out": res.loss, "output": res.output}
    return Adapter(nn.AdaptiveLogSoftmaxWithLoss(**params), call)


register(NodeType(
    "AdaptiveLogSoftmaxWithLoss", COST, "A fast softmax over very many classes (Grave et al.): "
    "frequent classes get a full score, rare ones share clusters. Learns its own projection.",
    inputs=(Port("input", "features (batch, in_features)"), Port("target", "class indices (batch,)")),
    outputs=(Port("out", "the mean negative log-likelihood (a scalar)"),
             Port("output", "log-probability of each sample's target class")),
    params=(P("in_features", "int", 16, "features per sample", min=1),
            P("n_classes", "int", 10, "number of classes", min=2),
            P("cutoffs", "ints", (4,), "increasing class indices where the clusters start", min=1),
            P("div_value", "float", 4.0, "each cluster's projection is this many times narrower", min=1.0),
            P("head_bias", "bool", False, "give the head layer a bias")),
    group=GROUP, learnable=True, shape_rule=_rule_adaptive, build=_adaptive_build,
    extra={"target_kind": "index", "weights": _adaptive_weights},
    shape_doc="input (batch, in_features), target (batch,) -> scalar"))
