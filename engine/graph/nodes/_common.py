"""Shared helpers for node declarations: shape arithmetic with unknown (None) sizes,
and compact constructors for ports and params.

Shapes are tuples; ``None`` is an unknown size (the batch dimension always is).
"""
from __future__ import annotations

from ...i18n import N_, _
from ..registry import ParamSpec, Port, ShapeError

# ----------------------------------------------------------------- ports and params
IN = (Port("input", "the tensor to transform"),)
OUT = (Port("out", "the result"),)
SCALAR_OUT = (Port("out", "the cost: one number (a scalar) to minimise"),)


# ----------------------------------------------------------------- weights
# A node type that stores tensors declares extra["weights"](params, in_shapes) -> how many
# numbers its module holds (parameters and buffers), so that the memory a graph needs is
# known from its settings without building it (engine.graph.resources). A test builds every
# type and compares.

def linear_weights(in_features, out_features, bias=True) -> int:
    return out_features * in_features + (out_features if bias else 0)


def mlp_weights(in_features, out_features, hidden=None) -> int:
    """engine.nn's _MLP: one Linear, or Linear -> ReLU -> Linear with ``hidden`` units."""
    if hidden:
        return linear_weights(in_features, hidden) + linear_weights(hidden, out_features)
    return linear_weights(in_features, out_features)


def mlp_activations(out_features, hidden=None) -> int:
    """Per sample inside an _MLP: the hidden layer and its ReLU, then the output."""
    return 2 * hidden + out_features if hidden else out_features


def sequence_length(shape, batch_first) -> int:
    """The time steps of a sequence shape (1 when unknown)."""
    if not shape or len(shape) < 2:
        return 1
    return (shape[1] if batch_first else shape[0]) or 1


def P(name, kind, default, help="", **kw) -> ParamSpec:  # noqa: A002 - mirrors ParamSpec
    return ParamSpec(name, kind, default, help, **kw)


def reduction_param() -> ParamSpec:
    return P("reduction", "choice", "mean", "how per-sample losses combine: their mean, their sum, "
             "or none (then the node's output is not a scalar)", choices=("mean", "sum", "none"))


# ----------------------------------------------------------------- shape words
def fmt(shape) -> str:
    """(None, 2) -> "(batch, 2)"; unknown inner sizes print as "?"."""
    if shape is None:
        return "(unknown)"
    parts = ["batch" if i == 0 and d is None else ("?" if d is None else str(d))
             for i, d in enumerate(shape)]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


#: the things shape messages count, (one, several), in words translated when shown
COUNTED = {"feature": (N_("{n} feature"), N_("{n} features")),
           "input feature": (N_("{n} input feature"), N_("{n} input features")),
           "channel": (N_("{n} channel"), N_("{n} channels")),
           "class score": (N_("{n} class score"), N_("{n} class scores"))}


def plural(n, word):
    """"4 features", in the current language (``word``: one of COUNTED)."""
    one, several = COUNTED.get(word, (f"{{n}} {word}", f"{{n}} {word}s"))
    return _(one if n == 1 else several).format(n=n)


def rank(shape, allowed, what="input"):
    """Raise unless len(shape) is in ``allowed`` (counting the batch dimension)."""
    if len(shape) not in allowed:
        want = " or ".join(str(a) for a in allowed)
        raise ShapeError(_("expects a {rank}-D {what} (batch first) but receives shape {shape}").format(
            rank=want, what=what, shape=fmt(shape)))


def axis(dim, ndim, what="dim"):
    """Normalise a (possibly negative) axis for a tensor of ``ndim`` dimensions."""
    if not -ndim <= dim < ndim:
        raise ShapeError(_("{what} {dim} is out of range for a {rank}-D tensor").format(what=what, dim=dim, rank=ndim))
    return dim % ndim


def same_size(a, b) -> bool:
    return a is None or b is None or a == b


def broadcast(*shapes):
    """NumPy/torch broadcasting with unknown sizes; raises ShapeError naming the sizes."""
    n = max(len(s) for s in shapes)
    out = []
    for i in range(n):
        sizes = [s[i - n + len(s)] for s in shapes if i - n + len(s) >= 0]
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError(_("shapes {shapes} do not broadcast: sizes {sizes} in dimension {dim}").format(
                shapes=_(" and ").join(fmt(s) for s in shapes), sizes=" vs ".join(map(str, sorted(known))),
                dim=i - n))
        if known:
            out.append(known.pop())
        elif any(d is None for d in sizes):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def features(shape, expected, what="features"):
    """Check the last size equals ``expected`` ("expects 4 features but receives 2")."""
    if len(shape) < 1:
        raise ShapeError(_("expects {what} but receives a scalar").format(what=plural(expected, what[:-1])))
    if not same_size(shape[-1], expected):
        raise ShapeError(_("expects {what} but receives {got}").format(what=plural(expected, what[:-1]),
                                                                      got=shape[-1]))


def identity_rule(params, shapes):
    return {"out": tuple(shapes["input"])}


def scalar_or_batch(params, shape):
    """A loss's output: () for reduction mean/sum, else the per-element shape."""
    return {"out": () if params.get("reduction", "mean") != "none" else tuple(shape)}


def conv_size(n, kernel, stride, padding, dilation=1):
    if n is None:
        return None
    size = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if size < 1:
        raise ShapeError(_("the window ({kernel} wide, dilation {dilation}) does not fit in a size-{n} "
                           "input with padding {padding}").format(kernel=kernel, dilation=dilation, n=n,
                                                                  padding=padding))
    return size
