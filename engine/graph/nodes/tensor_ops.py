"""Tensor ops: elementwise arithmetic and functions, matrix products, joining/splitting,
stacking, reshaping and reordering dimensions, reductions, einsum and the weighted sum of
the attention module. tests/graph/test_registry.py lists engine.ops functions that have
no node type on purpose (constructors, internals of layers)."""
from __future__ import annotations

import math
import re

from ...i18n import _
from ...interop import onnx as to_onnx
from ...interop.pytorch import TorchCode, torch_function
from ..registry import FUNCTION, NodeType, Port, ShapeError, register
from ._common import IN, OUT, P, axis, broadcast, fmt, identity_rule, same_size

GROUP = "Tensor ops"
AB = (Port("a", "left operand"), Port("b", "right operand"))
MULTI = (Port("inputs", "any number of tensors, in the order they were connected", multi=True),)


def _op(name, fn_factory):
    """A build function making an OpModule; fn_factory(params) -> callable(**inputs)."""
    def build(params, shapes):
        from ._modules import OpModule

        return OpModule(name, fn_factory(params))
    return build


def _ops():
    from ... import ops  # noqa: PLC0415 - lazily, see the package docstring

    return ops


def _need_inputs(shapes, n=1):
    got = len(shapes.get("inputs", []))
    if got < n:
        raise ShapeError((_("needs at least {n} connected input, has {got}") if n == 1 else
                          _("needs at least {n} connected inputs, has {got}")).format(n=n, got=got))
    return shapes["inputs"]


# ----------------------------------------------------------------- elementwise
def _add_fn(params):
    def add(inputs):
        total = inputs[0]
        for t in inputs[1:]:
            total = total + t
        return total
    return add


register(NodeType(
    "Add", FUNCTION, "Sum of all its inputs, element by element (shapes broadcast as in torch). "
    "With one input it passes it on: use it for residual connections too.",
    inputs=MULTI, outputs=OUT, group=GROUP, build=_op("Add", _add_fn), export=torch_function("sum({inputs})"),
    onnx=to_onnx.onnx_sum,
    shape_rule=lambda p, s: {"out": broadcast(*_need_inputs(s))},
    shape_doc="out = broadcast(inputs...)"))

def _ab_rule(params, s):
    return {"out": broadcast(s["a"], s["b"])}


register(NodeType(
    "Subtract", FUNCTION, "a - b, element by element (shapes broadcast).",
    inputs=AB, outputs=OUT, group=GROUP, build=_op("Subtract", lambda p: lambda a, b: a - b),
    export=torch_function("{a} - {b}"), onnx=to_onnx.onnx_binary("Sub"),
    shape_rule=_ab_rule, shape_doc="out = broadcast(a, b)"))

register(NodeType(
    "Multiply", FUNCTION, "a * b, element by element (shapes broadcast): gating, scaling.",
    inputs=AB, outputs=OUT, group=GROUP, build=_op("Multiply", lambda p: lambda a, b: a * b),
    export=torch_function("{a} * {b}"), onnx=to_onnx.onnx_binary("Mul"),
    shape_rule=_ab_rule, shape_doc="out = broadcast(a, b)"))


register(NodeType(
    "Divide", FUNCTION, "a / b, element by element (shapes broadcast): normalising, scaling.",
    inputs=AB, outputs=OUT, group=GROUP, build=_op("Divide", lambda p: lambda a, b: a / b),
    export=torch_function("{a} / {b}"), onnx=to_onnx.onnx_binary("Div"),
    shape_rule=_ab_rule, shape_doc="out = broadcast(a, b)"))

for _name, _fn, _what in (("Maximum", "maximum", "the larger"), ("Minimum", "minimum", "the smaller")):
    register(NodeType(
        _name, FUNCTION, f"{_what.capitalize()} of a and b, element by element (torch.{_fn}; shapes "
        "broadcast). The gradient goes to the input that won.",
        inputs=AB, outputs=OUT, group=GROUP,
        build=_op(_name, (lambda fn: lambda p: lambda a, b: getattr(_ops(), fn)(a, b))(_fn)),
        onnx=to_onnx.onnx_binary(_name[:3]),
        shape_rule=_ab_rule, shape_doc="out = broadcast(a, b)"))


def _unary(name, help_text, fn_factory, params=(), onnx=None, export=None):
    """An element-wise op; exported as torch.<name in lower case>(input) unless ``export`` says."""
    register(NodeType(name, FUNCTION, help_text, inputs=IN, outputs=OUT, group=GROUP, params=params,
                      build=_op(name, fn_factory), shape_rule=identity_rule, onnx=onnx,
                      export=export or torch_function(f"torch.{name.lower()}({{input}})"),
                      shape_doc="out = input's shape"))


_unary("Exp", "e^x, element by element (torch.exp).", lambda p: lambda input: _ops().exp(input),
       onnx=to_onnx.onnx_unary("Exp"))
_unary("Sin", "sin x, element by element (torch.sin), x in radians.", lambda p: lambda input: _ops().sin(input),
       onnx=to_onnx.onnx_unary("Sin"))
_unary("Cos", "cos x, element by element (torch.cos), x in radians.", lambda p: lambda input: _ops().cos(input),
       onnx=to_onnx.onnx_unary("Cos"))
_unary("Log", "The natural logarithm ln x, element by element (torch.log); x must be positive.",
       lambda p: lambda input: _ops().log(input), onnx=to_onnx.onnx_unary("Log"))
_unary("Sqrt", "The square root, element by element (torch.sqrt); x must not be negative.",
       lambda p: lambda input: _ops().sqrt(input), onnx=to_onnx.onnx_unary("Sqrt"))
_unary("Abs", "|x|, element by element (torch.abs).", lambda p: lambda input: _ops().abs(input),
       onnx=to_onnx.onnx_unary("Abs"))
_unary("Sign", "-1, 0 or +1 by the sign of x (torch.sign); its gradient is zero.",
       lambda p: lambda input: _ops().sign(input), onnx=to_onnx.onnx_unary("Sign"))
_unary("Pow", "x to a fixed power, element by element (torch.pow), e.g. 2 for a square.",
       lambda p: lambda input: _ops().pow(input, p["exponent"]),
       (P("exponent", "float", 2.0, "the power"),), export=torch_function("torch.pow({input}, {exponent!r})"),
       onnx=to_onnx.onnx_composed(lambda g, x, p: g.op("Pow", x, g.k(p["exponent"]))))
_unary("Clamp", "Limits every entry to [min, max] (torch.clamp); outside it the gradient is zero.",
       lambda p: lambda input: _ops().clamp(input, p["min"], p["max"]),
       (P("min", "float", None, "the lower limit (none = no limit)", nullable=True),
        P("max", "float", None, "the upper limit (none = no limit)", nullable=True)),
       export=torch_function("torch.clamp({input}, {min!r}, {max!r})"),
       onnx=to_onnx.onnx_clip("min", "max"))


#: TensorFlow Playground's input features of a 2-D point (x1, x2), in its order:
#: (parameter, what it computes from the two columns a, b)
PLANE_FEATURES = (
    ("x1", lambda a, b: a), ("x2", lambda a, b: b),
    ("x1_squared", lambda a, b: a * a), ("x2_squared", lambda a, b: b * b),
    ("x1_x2", lambda a, b: a * b),
    ("sin_x1", lambda a, b: _ops().sin(a)), ("sin_x2", lambda a, b: _ops().sin(b)),
)


def _plane_features_fn(params):
    chosen = [f for name, f in PLANE_FEATURES if params[name]]

    def features(input):
        a, b = input[..., 0:1], input[..., 1:2]
        return _ops().cat([f(a, b) for f in chosen], dim=-1)
    return features


def _plane_features_rule(params, s):
    x = s["input"]
    if not x or x[-1] not in (None, 2):
        raise ShapeError(f"needs points of 2 coordinates (..., 2), receives {fmt(x)}")
    n = sum(bool(params[name]) for name, _ in PLANE_FEATURES)
    if n == 0:
        raise ShapeError(_("no feature is switched on"))
    return {"out": tuple(x[:-1]) + (n,)}


register(NodeType(
    "PlaneFeatures", FUNCTION, "The input features of TensorFlow Playground: from each point "
    "(x1, x2) the chosen ones of x1, x2, x1², x2², x1·x2, sin x1, sin x2, side by side in this "
    "order. A network that reads x1² and x2² can draw a circle with one neuron.",
    inputs=(Port("input", "points (batch, 2)"),), outputs=(Port("out", "the features (batch, k)"),),
    params=tuple(P(name, "bool", name in ("x1", "x2"), f"use {label}") for name, label in (
        ("x1", "x1"), ("x2", "x2"), ("x1_squared", "x1²"), ("x2_squared", "x2²"),
        ("x1_x2", "x1·x2"), ("sin_x1", "sin x1"), ("sin_x2", "sin x2"))),
    group=GROUP, build=_op("PlaneFeatures", _plane_features_fn), shape_rule=_plane_features_rule,
    onnx=to_onnx.onnx_columns((
        ("x1", lambda g, a, b: a), ("x2", lambda g, a, b: b),
        ("x1_squared", lambda g, a, b: g.op("Mul", a, a)), ("x2_squared", lambda g, a, b: g.op("Mul", b, b)),
        ("x1_x2", lambda g, a, b: g.op("Mul", a, b)),
        ("sin_x1", lambda g, a, b: g.op("Sin", a)), ("sin_x2", lambda g, a, b: g.op("Sin", b)))),
    shape_doc="(..., 2) -> (..., number of features switched on)"))


def _matmul_rule(params, s):
    a, b = s["a"], s["b"]
    if len(a) < 1 or len(b) < 1:
        raise ShapeError(_("MatMul needs tensors with at least one dimension"))
    k_a = a[-1]
    k_b = b[0] if len(b) == 1 else b[-2]
    if k_a is not None and k_b is not None and k_a != k_b:
        raise ShapeError((_("a {a} @ b {b}: a's last size {k_a} must equal b's only size {k_b}") if len(b) == 1
                          else _("a {a} @ b {b}: a's last size {k_a} must equal b's second-to-last size {k_b}"))
                         .format(a=fmt(a), b=fmt(b), k_a=k_a, k_b=k_b))
    if len(a) == 1 and len(b) == 1:
        return {"out": ()}
    if len(b) == 1:
        return {"out": tuple(a[:-1])}
    if len(a) == 1:
        return {"out": tuple(b[:-2]) + (b[-1],)}
    batch = broadcast(tuple(a[:-2]), tuple(b[:-2])) if (len(a) > 2 or len(b) > 2) else ()
    return {"out": batch + (a[-2], b[-1])}


register(NodeType(
    "MatMul", FUNCTION, "Matrix product a @ b, as torch.matmul (batched over leading dimensions).",
    inputs=AB, outputs=OUT, group=GROUP,
    build=_op("MatMul", lambda p: lambda a, b: _ops().matmul(a, b)), onnx=to_onnx.onnx_binary("MatMul"),
    shape_rule=_matmul_rule, shape_doc="(..., n, k) @ (..., k, m) -> (..., n, m)"))


# ----------------------------------------------------------------- joining and splitting
def _concat_rule(params, s):
    shapes = _need_inputs(s)
    nd = len(shapes[0])
    if any(len(x) != nd for x in shapes):
        raise ShapeError(_("all inputs need the same number of dimensions, got {shapes}").format(
            shapes=", ".join(fmt(x) for x in shapes)))
    d = axis(params["dim"], nd)
    out = list(shapes[0])
    for i in range(nd):
        if i == d:
            sizes = [x[i] for x in shapes]
            out[i] = None if None in sizes else sum(sizes)
            continue
        known = {x[i] for x in shapes if x[i] is not None}
        if len(known) > 1:
            raise ShapeError(_("inputs differ in dimension {i} (sizes {sizes}); only dimension {dim} may differ")
                             .format(i=i, sizes=", ".join(map(str, sorted(known))), dim=params["dim"]))
        out[i] = known.pop() if known else None
    return {"out": tuple(out)}


register(NodeType(
    "Concat", FUNCTION, "Joins its inputs along one dimension (torch.cat), e.g. two feature "
    "vectors into one longer vector.",
    inputs=MULTI, outputs=OUT, group=GROUP,
    params=(P("dim", "int", -1, "the dimension to join along (-1 = the last, the features)"),),
    build=_op("Concat", lambda p: lambda inputs: _ops().cat(list(inputs), p["dim"])),
    export=torch_function("torch.cat({inputs}, dim={dim})"), onnx=to_onnx.onnx_concat,
    shape_rule=_concat_rule, shape_doc="sizes along dim add up; the others must agree"))


def _split_sizes(params, n):
    sections = params.get("sections")
    if sections:
        if n is not None and sum(sections) != n:
            raise ShapeError(_("sections {sections} add up to {total}, but the dimension has size {n}").format(
                sections=list(sections), total=sum(sections), n=n))
        return list(sections)
    k = params["chunks"]
    if n is None:
        return [None] * k
    if n % k:
        raise ShapeError(_("size {n} does not split into {k} equal chunks; set 'sections' instead").format(n=n, k=k))
    return [n // k] * k


def _split_outputs(params):
    count = len(params["sections"]) if params.get("sections") else params["chunks"]
    return tuple(Port(f"out{i}", f"part {i + 1}") for i in range(max(1, count)))


def _split_rule(params, s):
    shape = s["input"]
    d = axis(params["dim"], len(shape))
    out = {}
    for i, size in enumerate(_split_sizes(params, shape[d])):
        part = list(shape)
        part[d] = size
        out[f"out{i}"] = tuple(part)
    return out


def _split_fn(params):
    def split(input):
        sizes = _split_sizes(params, input.shape[params["dim"]])
        parts = _ops().split(input, sizes, params["dim"])
        return {f"out{i}": t for i, t in enumerate(parts)}
    return split


def _split_export(params, shapes):
    sizes = _split_sizes(params, shapes["input"][axis(params["dim"], len(shapes["input"]))])
    return TorchCode(None, f"torch.split({{input}}, {sizes}, dim={{dim}})",
                     {f"out{i}": f"{{r}}[{i}]" for i in range(len(sizes))})


register(NodeType(
    "Split", FUNCTION, "Cuts a tensor into parts along one dimension: 'chunks' equal parts, or "
    "parts of the sizes in 'sections'. Outputs out0, out1, ...",
    inputs=IN, outputs=(Port("out0"), Port("out1")), group=GROUP,
    params=(P("chunks", "int", 2, "number of equal parts (when 'sections' is empty)", min=1, max=64),
            P("sections", "ints", (), "sizes of the parts (overrides 'chunks')", min=1),
            P("dim", "int", -1, "the dimension to cut along")),
    dynamic_outputs=_split_outputs, build=_op("Split", _split_fn), shape_rule=_split_rule, export=_split_export,
    onnx=to_onnx.onnx_split(_split_sizes),
    shape_doc="out_i has size sections[i] (or size/chunks) along dim"))


# ----------------------------------------------------------------- reshaping
def _reshape_rule(params, s):
    shape, target = s["input"], list(params["shape"])
    if target.count(-1) > 1:
        raise ShapeError(_("at most one size in 'shape' may be -1"))
    if any(t == 0 or t < -1 for t in target):
        raise ShapeError(_("sizes in 'shape' must be positive (or -1 for 'whatever is left')"))
    per_sample = shape[1:]
    total = None if None in per_sample else math.prod(per_sample)
    known = math.prod(t for t in target if t != -1)
    if -1 in target:
        if total is not None:
            if total % known:
                raise ShapeError(_("cannot reshape {shape} to (batch, {target}): {total} values per sample are "
                                   "not a multiple of {known}").format(shape=fmt(shape), target=", ".join(map(str, target)),
                                                                       total=total, known=known))
            target[target.index(-1)] = total // known
        else:
            target[target.index(-1)] = None
    elif total is not None and total != known:
        raise ShapeError(_("cannot reshape {shape} to (batch, {target}): {total} values per sample, not {known}")
                         .format(shape=fmt(shape), target=", ".join(map(str, target)), total=total, known=known))
    return {"out": (shape[0], *target)}


register(NodeType(
    "Reshape", FUNCTION, "Gives each sample a new shape with the same number of values (the batch "
    "dimension is kept). One size may be -1: whatever is left.",
    inputs=IN, outputs=OUT, group=GROUP,
    params=(P("shape", "ints", (-1,), "the new shape of one sample, without the batch dimension",
              min=-1),),
    build=_op("Reshape", lambda p: lambda input: _ops().reshape(input, (input.shape[0], *p["shape"]))),
    onnx=to_onnx.onnx_reshape,
    shape_rule=_reshape_rule, shape_doc="out = (batch, *shape)"))


def _transpose_rule(params, s):
    shape = list(s["input"])
    a, b = axis(params["dim0"], len(shape), "dim0"), axis(params["dim1"], len(shape), "dim1")
    shape[a], shape[b] = shape[b], shape[a]
    return {"out": tuple(shape)}


register(NodeType(
    "Transpose", FUNCTION, "Swaps two dimensions (torch.transpose); the default swaps the last two.",
    inputs=IN, outputs=OUT, group=GROUP,
    params=(P("dim0", "int", -2, "first dimension"), P("dim1", "int", -1, "second dimension")),
    build=_op("Transpose", lambda p: lambda input: _ops().transpose(input, p["dim0"], p["dim1"])),
    export=torch_function("{input}.transpose({dim0}, {dim1})"), onnx=to_onnx.onnx_transpose,
    shape_rule=_transpose_rule, shape_doc="out = input with dim0 and dim1 swapped"))



def _stack_rule(params, s):
    shapes = _need_inputs(s)
    first = shapes[0]
    for x in shapes[1:]:
        if len(x) != len(first) or not all(map(same_size, x, first)):
            raise ShapeError(_("all inputs must have the same shape, got {shapes}").format(
                shapes=", ".join(fmt(x) for x in shapes)))
    d = axis(params["dim"], len(first) + 1)
    out = list(first)
    out.insert(d, len(shapes))
    return {"out": tuple(out)}


register(NodeType(
    "Stack", FUNCTION, "Stacks its inputs (all of one shape) along a new dimension (torch.stack), "
    "e.g. J vectors into a (batch, J, D) tensor.",
    inputs=MULTI, outputs=OUT, group=GROUP,
    params=(P("dim", "int", 1, "where the new dimension goes (1 = right after the batch)"),),
    build=_op("Stack", lambda p: lambda inputs: _ops().stack(list(inputs), p["dim"])),
    export=torch_function("torch.stack({inputs}, dim={dim})"), onnx=to_onnx.onnx_stack,
    shape_rule=_stack_rule, shape_doc="J inputs of shape S -> S with a size-J dimension inserted at dim"))


def _squeeze_rule(params, s):
    shape = s["input"]
    if params["dim"] is None:
        return {"out": tuple(d for d in shape if d != 1)}
    d = axis(params["dim"], len(shape))
    return {"out": tuple(shape[:d]) + tuple(shape[d + 1:]) if shape[d] == 1 else tuple(shape)}


register(NodeType(
    "Squeeze", FUNCTION, "Removes dimensions of size 1 (torch.squeeze): all of them, or only 'dim'.",
    inputs=IN, outputs=OUT, group=GROUP,
    params=(P("dim", "int", None, "the dimension to remove if its size is 1 (none = every size-1 "
              "dimension)", nullable=True),),
    build=_op("Squeeze", lambda p: lambda input: _ops().squeeze(input, p["dim"])), onnx=to_onnx.onnx_squeeze,
    shape_rule=_squeeze_rule, shape_doc="out = input without its size-1 dimension(s)"))


def _unsqueeze_rule(params, s):
    out = list(s["input"])
    out.insert(axis(params["dim"], len(out) + 1), 1)
    return {"out": tuple(out)}


register(NodeType(
    "Unsqueeze", FUNCTION, "Inserts a dimension of size 1 at 'dim' (torch.unsqueeze), e.g. to "
    "broadcast a vector against a matrix.",
    inputs=IN, outputs=OUT, group=GROUP, params=(P("dim", "int", -1, "where the new dimension goes"),),
    build=_op("Unsqueeze", lambda p: lambda input: _ops().unsqueeze(input, p["dim"])),
    onnx=to_onnx.onnx_composed(lambda g, x, p: g.op("Unsqueeze", x, g.ints([p["dim"]]))),
    shape_rule=_unsqueeze_rule, shape_doc="out = input with a size-1 dimension inserted at dim"))


def _permute_rule(params, s):
    shape = s["input"]
    dims = [axis(d, len(shape), "dims entry") for d in params["dims"]]
    if sorted(dims) != list(range(len(shape))):
        raise ShapeError(f"dims {list(params['dims'])} must name each of the input's {len(shape)} "
                         f"dimensions {fmt(shape)} exactly once")
    return {"out": tuple(shape[d] for d in dims)}


register(NodeType(
    "Permute", FUNCTION, "Reorders the dimensions (torch.permute): output dimension i is input "
    "dimension dims[i].",
    inputs=IN, outputs=OUT, group=GROUP,
    params=(P("dims", "ints", (0, 2, 1), "the new order of the input's dimensions"),),
    build=_op("Permute", lambda p: lambda input: _ops().permute(input, *p["dims"])), onnx=to_onnx.onnx_permute,
    shape_rule=_permute_rule, shape_doc="out[i] = input[dims[i]]"))

# ----------------------------------------------------------------- reductions
def _reduce_rule(params, s):
    shape = s["input"]
    if params["dim"] is None:
        return {"out": (1,) * len(shape) if params["keepdim"] else ()}
    d = axis(params["dim"], len(shape))
    out = list(shape)
    if params["keepdim"]:
        out[d] = 1
    else:
        del out[d]
    return {"out": tuple(out)}


def _reduction(name, fn_name, what, extra=()):
    """A reduction node; ``extra`` params are passed to ops.<fn_name> by name."""
    def fn(p):
        kw = {e.name: p[e.name] for e in extra}
        return lambda input: getattr(_ops(), fn_name)(input, p["dim"], p["keepdim"], **kw)
    register(NodeType(
        name, FUNCTION, f"The {what} of the entries over one dimension (torch.{fn_name}); with no dim, "
        f"over everything (a single number).",
        inputs=IN, outputs=OUT, group=GROUP,
        params=(P("dim", "int", None, "the dimension to reduce (none = all of them)", nullable=True),
                P("keepdim", "bool", False, "keep the reduced dimension with size 1")) + tuple(extra),
        build=_op(name, fn), shape_rule=_reduce_rule,
        export=torch_function(f"torch.{fn_name}({{input}}, dim={{dim}}, keepdim={{keepdim}})")
        if fn_name in ("sum", "mean") else None,
        onnx=_ONNX_REDUCE.get(name),
        shape_doc="out = input without dim (size 1 with keepdim)"))


#: the reductions as ONNX operators (engine.interop.onnx)
_ONNX_REDUCE = {"Sum": to_onnx.onnx_reduce("ReduceSum"), "Mean": to_onnx.onnx_reduce("ReduceMean"),
                "Max": to_onnx.onnx_reduce("ReduceMax"), "Min": to_onnx.onnx_reduce("ReduceMin"),
                "LogSumExp": to_onnx.onnx_reduce("ReduceLogSumExp"),
                "Var": to_onnx.onnx_variance(std=False), "Std": to_onnx.onnx_variance(std=True)}


_CORRECTION = P("correction", "int", 1, "subtract this from the count (1 = the unbiased estimate)", min=0)
_reduction("Sum", "sum", "sum")
_reduction("Mean", "mean", "mean")
_reduction("Max", "amax", "largest value")
_reduction("Min", "amin", "smallest value")
_reduction("LogSumExp", "logsumexp", "log-sum-exp (the log of the sum of e^x, computed stably)")
_reduction("Var", "var", "variance", (_CORRECTION,))
_reduction("Std", "std", "standard deviation", (_CORRECTION,))


# ----------------------------------------------------------------- einsum
_EINSUM = re.compile(r"^([a-zA-Z]*(,[a-zA-Z]*)*)->([a-zA-Z]*)$")


def _einsum_rule(params, s):
    eq = params["equation"].replace(" ", "")
    m = _EINSUM.match(eq)
    if not m:
        raise ShapeError(f"equation {params['equation']!r} must look like 'bi,ij->bj' "
                         f"(letters, commas, one arrow)")
    terms, result = m.group(1).split(","), m.group(3)
    shapes = _need_inputs(s)
    if len(terms) != len(shapes):
        raise ShapeError(f"equation {eq!r} names {len(terms)} operands but {len(shapes)} are connected")
    sizes = {}
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        if len(term) != len(shape):
            raise ShapeError(f"operand {i + 1} has shape {fmt(shape)} but the equation gives it "
                             f"{len(term)} letters ({term!r})")
        for letter, n in zip(term, shape):
            if n is None:
                sizes.setdefault(letter, None)
                continue
            old = sizes.get(letter)
            if old is not None and old != n and 1 not in (old, n):
                raise ShapeError(f"letter '{letter}' has size {old} in one operand and {n} in another")
            sizes[letter] = n if old in (None, 1) else old
    missing = [c for c in result if c not in sizes]
    if missing:
        raise ShapeError(f"the result names '{missing[0]}', which no operand has")
    return {"out": tuple(sizes[c] for c in result)}


register(NodeType(
    "Einsum", FUNCTION, "Any sum of products written in Einstein notation (torch.einsum), e.g. "
    "'bj,ijk,bk->bi' is the multiplicative module s_i = sum_jk u_ijk x_j z_k.",
    inputs=(Port("inputs", "the operands, in the order of the equation's terms", multi=True),),
    outputs=OUT, group=GROUP,
    params=(P("equation", "str", "bi,ij->bj", "the einsum equation (explicit '->' form)"),),
    build=_op("Einsum", lambda p: lambda inputs: _ops().einsum(p["equation"].replace(" ", ""), *inputs)),
    onnx=to_onnx.onnx_einsum,
    shape_rule=_einsum_rule, shape_doc="from the equation's letters"))


# ----------------------------------------------------------------- weighted sum (§3.1)
def _weighted_sum_rule(params, s):
    w = s["weights"]
    xs = _need_inputs(s)
    first = xs[0]
    for x in xs[1:]:
        if len(x) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(x, first)):
            raise ShapeError(_("all inputs must have the same shape, got {shapes}").format(
                shapes=", ".join(fmt(x) for x in xs)))
    if len(w) < 1 or (w[-1] is not None and w[-1] != len(xs)):
        raise ShapeError(_("weights {w} must have one weight per input in the last dimension: {n} inputs are "
                           "connected").format(w=fmt(w), n=len(xs)))
    lead = broadcast(tuple(w[:-1]), tuple(first[:-1]))
    return {"out": lead + (first[-1],)}


def _weighted_sum_fn(params):
    def weighted_sum(weights, inputs):
        ops = _ops()
        stacked = ops.stack(list(inputs), -2)                        # (..., J, D)
        return ops.squeeze(ops.matmul(ops.unsqueeze(weights, -2), stacked), -2)
    return weighted_sum


register(NodeType(
    "WeightedSum", FUNCTION, "s = sum_j w_j x_j: the attention module's combination of the inputs "
    "x_j with weights w (one per input, usually from a Softmax).",
    inputs=(Port("weights", "w: shape (..., J), one weight per input"),
            Port("inputs", "x_1 ... x_J, all of one shape (..., D)", multi=True)),
    outputs=OUT, group=GROUP, build=_op("WeightedSum", _weighted_sum_fn), onnx=to_onnx.onnx_weighted_sum,
    shape_rule=_weighted_sum_rule, shape_doc="weights (..., J), J inputs (..., D) -> (..., D)"))
