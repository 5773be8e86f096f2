"""Export a network to ONNX: a model that onnxruntime (or any ONNX runtime) runs with the
outputs ``Session.predict`` gives, with the session's current weights.

    model = onnx_model(session)               # an onnx.ModelProto (needs the `onnx` extra)
    export_onnx(graph, "net.onnx", weights)   # from a document, with saved weights if any

The model has one input ``x`` (the dataset's sample shape, any batch size) and one output
``prediction``; it holds only the prediction path (cost nodes and the target are left out)
in evaluation mode (dropout and noise are the identity, norms use their running
statistics). Each node type says how it is written through ``NodeType.onnx(g, params, ins,
shapes, module) -> value name (or {port: name})`` beside its registry entry, like its
PyTorch form; ``g`` is the :class:`OnnxGraph` being built, ``ins`` the input ports' value
names, ``shapes`` their static shapes (batch first, ``None`` unknown), ``module`` the node's
built engine module holding its weights. A graph with a node that has none is refused with
one line naming them (``ExportRefused``).
"""
from __future__ import annotations

import math

import numpy as np

from ..i18n import _
from .pytorch import ExportRefused

#: the ONNX operator set the models declare (LayerNormalization needs 17)
OPSET = 17


class OnnxGraph:
    """The nodes and initialisers of the model being written; values are named by string."""

    def __init__(self, dtype):
        from onnx import helper  # noqa: PLC0415 - the optional `onnx` extra

        self.helper = helper
        self.dtype = np.dtype(dtype)
        self.nodes, self.initializers, self._count = [], [], 0

    def name(self, hint="v") -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, array, dtype=None, hint="c") -> str:
        """An initialiser holding ``array`` (floats in the model's dtype, ints as int64)."""
        from onnx import numpy_helper  # noqa: PLC0415

        a = np.asarray(array)
        a = a.astype(dtype or (self.dtype if a.dtype.kind in "fb" else np.int64))
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(a), name))
        return name

    def k(self, value) -> str:
        """A scalar constant in the model's dtype."""
        return self.const(np.array(value, dtype=self.dtype), hint="k")

    def ints(self, values) -> str:
        return self.const(np.asarray(list(values), dtype=np.int64), np.int64, "i")

    def op(self, op_type, *inputs, outputs=1, **attrs):
        """One ONNX node; its output name (or a list of ``outputs`` names)."""
        outs = [self.name(op_type.lower()) for _i in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs, **attrs))
        return outs[0] if outputs == 1 else outs


def _host(t):
    from .. import backend  # noqa: PLC0415

    return backend.to_numpy(t.data if hasattr(t, "data") else t)


def _bias(module):
    """A layer's bias as a host array, None when it has none (bias=False)."""
    b = getattr(module, "bias", None)
    return None if b is None else _host(b)


def _linear(g, x, weight, bias):
    """x W^T + b over the last axis."""
    out = g.op("MatMul", x, g.const(weight.T, hint="weight"))
    return out if bias is None else g.op("Add", out, g.const(bias, hint="bias"))


# ---------------------------------------------------------------------- node exporters
# Factories the node declarations use (engine.graph.nodes): ``onnx=onnx_unary("Relu")``.
def onnx_unary(op_type, **attrs):
    """One ONNX operator applied to the node's ``input``; an attribute given as a function
    takes its value from the node's params (``alpha=lambda p: p["negative_slope"]``)."""
    def export(g, params, ins, shapes, module):
        return g.op(op_type, ins["input"], **{k: float(v(params)) if callable(v) else v for k, v in attrs.items()})
    return export


def onnx_composed(make):
    """An element-wise function written with others: ``make(g, x, params)`` -> name, where
    ``g.k(value)`` is a scalar constant."""
    def export(g, params, ins, shapes, module):
        return make(g, ins["input"], params)
    return export


def onnx_prelu(g, params, ins, shapes, module):
    slope = _host(module.weight)
    rank = len(shapes["input"])
    if slope.size > 1:
        slope = slope.reshape(_channel_shape(rank, slope.size))
    return g.op("PRelu", ins["input"], g.const(slope, hint="slope"))


def onnx_binary(op_type):
    """One ONNX operator of ``a`` and ``b`` (broadcasting as torch does)."""
    def export(g, params, ins, shapes, module):
        return g.op(op_type, ins["a"], ins["b"])
    return export


def onnx_identity(g, params, ins, shapes, module):
    """Dropout, noise: nothing in evaluation, which is what the model computes."""
    return g.op("Identity", ins["input"])


def onnx_value(g, params, ins, shapes, module):
    """A node without inputs (Constant, Parameter): its current tensor, stored."""
    return g.const(_host(module()), hint="value")


def onnx_sum(g, params, ins, shapes, module):
    return g.op("Sum", *ins["inputs"])


def onnx_linear(g, params, ins, shapes, module):
    return _linear(g, ins["input"], _host(module.weight), _bias(module))


def onnx_conv(nd):
    def export(g, params, ins, shapes, module):
        args = [ins["input"], g.const(_host(module.weight), hint="weight")]
        if getattr(module, "bias", None) is not None:
            args.append(g.const(_host(module.bias), hint="bias"))
        return g.op("Conv", *args, kernel_shape=[params["kernel_size"]] * nd, strides=[params["stride"]] * nd,
                    pads=[params["padding"]] * 2 * nd, dilations=[params["dilation"]] * nd, group=params["groups"])
    return export


def onnx_pool(op_type, nd):
    def export(g, params, ins, shapes, module):
        k = params["kernel_size"]
        attrs = dict(kernel_shape=[k] * nd, strides=[params["stride"] or k] * nd, pads=[params["padding"]] * 2 * nd)
        if op_type == "MaxPool":
            attrs["dilations"] = [params.get("dilation", 1)] * nd
        else:
            attrs["count_include_pad"] = int(params["count_include_pad"])
        return g.op(op_type, ins["input"], **attrs)
    return export


def _channel_shape(rank, c):
    """(C, 1, ...) so a per-channel vector broadcasts over dimension 1 of a rank-``rank`` tensor."""
    return (c,) + (1,) * (rank - 2)


def onnx_batchnorm(g, params, ins, shapes, module):
    """Evaluation with the running statistics, folded into one scale and one shift."""
    c = params["num_features"]
    if getattr(module, "running_mean", None) is None:   # no running stats: the batch's own
        return _normalize(g, ins["input"], shapes["input"], module, c, groups=None, eps=params["eps"])
    mean, var = _host(module.running_mean).astype(np.float64), _host(module.running_var).astype(np.float64)
    scale = 1.0 / np.sqrt(var + params["eps"])
    shift = -mean * scale
    if getattr(module, "weight", None) is not None:
        w, b = _host(module.weight).astype(np.float64), _host(module.bias).astype(np.float64)
        scale, shift = scale * w, shift * w + b
    shape = _channel_shape(len(shapes["input"]), c)
    out = g.op("Mul", ins["input"], g.const(scale.reshape(shape), hint="scale"))
    return g.op("Add", out, g.const(shift.reshape(shape), hint="shift"))


def _normalize(g, x, shape, module, c, groups, eps):
    """(x - mean) / sqrt(var + eps) over each sample's channel groups (all channels when
    ``groups`` is None: the batch's statistics per channel), then the affine per channel."""
    rank = len(shape)
    if groups is None:
        axes = [0] + list(range(2, rank))
        mean = g.op("ReduceMean", x, axes=axes, keepdims=1)
        centred = g.op("Sub", x, mean)
        var = g.op("ReduceMean", g.op("Mul", centred, centred), axes=axes, keepdims=1)
    else:
        grouped = g.op("Reshape", x, g.ints([0, groups, -1]))
        mean = g.op("ReduceMean", grouped, axes=[2], keepdims=1)
        centred = g.op("Sub", grouped, mean)
        var = g.op("ReduceMean", g.op("Mul", centred, centred), axes=[2], keepdims=1)
    out = g.op("Div", centred, g.op("Sqrt", g.op("Add", var, g.const(np.array(eps), hint="eps"))))
    if groups is not None:
        out = g.op("Reshape", out, g.op("Shape", x))
    if getattr(module, "weight", None) is not None:
        cs = _channel_shape(rank, c)
        out = g.op("Mul", out, g.const(_host(module.weight).reshape(cs), hint="weight"))
        if getattr(module, "bias", None) is not None:
            out = g.op("Add", out, g.const(_host(module.bias).reshape(cs), hint="bias"))
    return out


def onnx_groupnorm(g, params, ins, shapes, module):
    return _normalize(g, ins["input"], shapes["input"], module, params["num_channels"],
                      params["num_groups"], params["eps"])


def onnx_layernorm(g, params, ins, shapes, module):
    dims = list(params["normalized_shape"])
    w = getattr(module, "weight", None)
    scale = _host(w) if w is not None else np.ones(dims)
    args = [ins["input"], g.const(scale, hint="weight")]
    if getattr(module, "bias", None) is not None:
        args.append(g.const(_host(module.bias), hint="bias"))
    return g.op("LayerNormalization", *args, axis=-len(dims), epsilon=params["eps"])


def _axis(params, shapes, key="dim", port="input"):
    return params[key] % len(shapes[port]) if params[key] is not None else None


def onnx_softmax(op_type):
    def export(g, params, ins, shapes, module):
        rank = len(shapes["input"])
        dim = params["dim"] if params["dim"] is not None else (0 if rank in (0, 1, 3) else 1)
        x = ins["input"]
        if op_type == "Softmin":
            return g.op("Softmax", g.op("Neg", x), axis=dim)
        return g.op(op_type, x, axis=dim)
    return export


def onnx_heaviside(g, params, ins, shapes, module):
    x = ins["input"]
    zero = g.const(np.array(0.0))
    at_zero = g.op("Where", g.op("Equal", x, zero), g.const(np.array(params["values"])), zero)
    return g.op("Where", g.op("Greater", x, zero), g.const(np.array(1.0)), at_zero)


def onnx_clip(low_key, high_key, low=None, high=None):
    def export(g, params, ins, shapes, module):
        lo = params[low_key] if low_key else low
        hi = params[high_key] if high_key else high
        return g.op("Clip", ins["input"], g.const(np.array(lo)) if lo is not None else "",
                    g.const(np.array(hi)) if hi is not None else "")
    return export


def onnx_gelu(g, params, ins, shapes, module):
    x = ins["input"]
    if params["approximate"] == "tanh":
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Add", x, g.op("Mul", cube, g.const(np.array(0.044715))))
        t = g.op("Tanh", g.op("Mul", inner, g.const(np.array(math.sqrt(2 / math.pi)))))
    else:
        t = g.op("Erf", g.op("Mul", x, g.const(np.array(1 / math.sqrt(2)))))
    half = g.op("Mul", x, g.const(np.array(0.5)))
    return g.op("Mul", half, g.op("Add", t, g.const(np.array(1.0))))


def onnx_softplus(g, params, ins, shapes, module):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as torch)."""
    x, beta = ins["input"], g.const(np.array(params["beta"]))
    bx = g.op("Mul", x, beta)
    soft = g.op("Div", g.op("Softplus", bx), beta)
    return g.op("Where", g.op("Greater", bx, g.const(np.array(params["threshold"]))), x, soft)


def onnx_concat(g, params, ins, shapes, module):
    return g.op("Concat", *ins["inputs"], axis=params["dim"] % len(shapes["inputs"][0]))


def onnx_stack(g, params, ins, shapes, module):
    dim = params["dim"] % (len(shapes["inputs"][0]) + 1)
    parts = [g.op("Unsqueeze", x, g.ints([dim])) for x in ins["inputs"]]
    return g.op("Concat", *parts, axis=dim)


def onnx_reduce(op_type):
    def export(g, params, ins, shapes, module):
        x, keep = ins["input"], int(params["keepdim"])
        if params["dim"] is None:
            return g.op(op_type, x, keepdims=keep)
        axes = [params["dim"] % len(shapes["input"])]
        if op_type == "ReduceSum":   # opset 13: ReduceSum takes its axes as an input
            return g.op(op_type, x, g.ints(axes), keepdims=keep)
        return g.op(op_type, x, axes=axes, keepdims=keep)
    return export


def onnx_variance(std):
    """torch.var/std: the mean of squared deviations times n / (n - correction), n the count
    reduced (read from the tensor's size at run time)."""
    def export(g, params, ins, shapes, module):
        x, keep = ins["input"], int(params["keepdim"])
        axes = {} if params["dim"] is None else {"axes": [params["dim"] % len(shapes["input"])]}
        mean = g.op("ReduceMean", x, keepdims=1, **axes)
        deviation = g.op("Sub", x, mean)
        squares = g.op("ReduceSum", g.op("Mul", deviation, deviation),
                       *([g.ints(axes["axes"])] if axes else []), keepdims=keep)
        elem = g.helper.np_dtype_to_tensor_dtype(g.dtype)
        n = g.op("Div", g.op("Cast", g.op("Size", x), to=elem), g.op("Cast", g.op("Size", mean), to=elem))
        var = g.op("Div", squares, g.op("Sub", n, g.k(params["correction"])))
        return g.op("Sqrt", var) if std else var
    return export


def onnx_squeeze(g, params, ins, shapes, module):
    """Only sizes known to be 1 go (the batch's is unknown: a batch of one keeps it)."""
    shape = shapes["input"]
    dims = range(len(shape)) if params["dim"] is None else [params["dim"] % len(shape)]
    axes = [d for d in dims if shape[d] == 1]
    if params["dim"] is not None and shape[dims[0]] is None:
        raise ExportRefused(_("squeezes a dimension whose size is known only when it runs"))
    return g.op("Squeeze", ins["input"], g.ints(axes)) if axes else g.op("Identity", ins["input"])


def onnx_embedding(g, params, ins, shapes, module):
    index = g.op("Cast", ins["input"], to=g.helper.np_dtype_to_tensor_dtype(np.dtype(np.int64)))
    return g.op("Gather", g.const(_host(module.weight), hint="weight"), index, axis=0)


def onnx_instancenorm(g, params, ins, shapes, module):
    c = params["num_features"]
    weight = _host(module.weight) if getattr(module, "weight", None) is not None else np.ones(c)
    bias = _bias(module) if _bias(module) is not None else np.zeros(c)
    return g.op("InstanceNormalization", ins["input"], g.const(weight, hint="scale"), g.const(bias, hint="bias"),
                epsilon=params["eps"])


def onnx_flatten(g, params, ins, shapes, module):
    rank = len(shapes["input"])
    start, end = params["start_dim"] % rank, params["end_dim"] % rank
    if start == 1 and end == rank - 1:
        return g.op("Flatten", ins["input"], axis=1)
    # keep dims before start and after end, join the rest: a shape of 0s (copy) and one -1
    shape = [0] * start + [-1] + list(shapes["input"][end + 1:])
    if any(d is None for d in shape):
        raise ExportRefused(_("flattens dimensions whose sizes are known only when it runs"))
    return g.op("Reshape", ins["input"], g.ints(shape))


def onnx_transpose(g, params, ins, shapes, module):
    rank = len(shapes["input"])
    perm = list(range(rank))
    a, b = params["dim0"] % rank, params["dim1"] % rank
    perm[a], perm[b] = perm[b], perm[a]
    return g.op("Transpose", ins["input"], perm=perm)


def onnx_permute(g, params, ins, shapes, module):
    return g.op("Transpose", ins["input"], perm=[d % len(shapes["input"]) for d in params["dims"]])


def onnx_reshape(g, params, ins, shapes, module):
    return g.op("Reshape", ins["input"], g.ints([0, *params["shape"]]))


def onnx_split(sizes_of):
    """``sizes_of(params, size along dim)`` -> the parts' sizes (the node's own rule)."""
    def export(g, params, ins, shapes, module):
        shape = shapes["input"]
        dim = params["dim"] % len(shape)
        sizes = sizes_of(params, shape[dim])
        outs = g.op("Split", ins["input"], g.ints(sizes), axis=dim, outputs=len(sizes))
        outs = outs if isinstance(outs, list) else [outs]
        return {f"out{i}": o for i, o in enumerate(outs)}
    return export


#: where torch's gate blocks go in ONNX's order (LSTM: i f g o -> i o f c; GRU: r z n -> z r h)
_GATES = {"RNN": [0], "LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


def onnx_rnn(kind):
    """torch's RNN/LSTM/GRU (engine.nn, wrapped in an Adapter) as ONNX's operator of the same
    name, one per layer: the gate blocks reordered, torch's (time, batch, directions * hidden)
    output rebuilt from ONNX's (time, directions, batch, hidden)."""
    order = _GATES[kind]

    def export(g, params, ins, shapes, module):
        rnn = getattr(module, "module", module)
        h, dirs = params["hidden_size"], 1 + bool(params["bidirectional"])
        weights = dict(rnn.named_parameters())

        def blocks(name):
            w = _host(weights[name])
            return w.reshape(len(order), h, -1)[order].reshape(w.shape)

        x = ins["input"]
        if params["batch_first"]:
            x = g.op("Transpose", x, perm=[1, 0, 2])
        states = {"h": ins.get("h0", ins.get("hx")), "c": ins.get("c0")}
        attrs = {"hidden_size": h, "direction": "bidirectional" if dirs == 2 else "forward"}
        if kind == "GRU":
            attrs["linear_before_reset"] = 1   # torch applies the reset gate after the product
        if kind == "RNN":
            attrs["activations"] = [params["nonlinearity"].capitalize()] * dirs
        finals = {"h": [], "c": []}
        for layer in range(params["num_layers"]):
            names = [f"l{layer}{suffix}" for suffix in ("", "_reverse")[:dirs]]
            w = g.const(np.stack([blocks(f"weight_ih_{n}") for n in names]), hint="W")
            r = g.const(np.stack([blocks(f"weight_hh_{n}") for n in names]), hint="R")
            if params["bias"]:
                b = np.stack([np.concatenate([blocks(f"bias_ih_{n}"), blocks(f"bias_hh_{n}")]) for n in names])
            else:
                b = np.zeros((dirs, 2 * len(order) * h))
            args = [x, w, r, g.const(b, hint="B"), ""]
            for key in ("h", "c")[:1 + (kind == "LSTM")]:
                given = states[key]
                args.append(g.op("Slice", given, g.ints([layer * dirs]), g.ints([(layer + 1) * dirs]),
                                 g.ints([0])) if given else "")
            while args and args[-1] == "":
                args.pop()
            outs = g.op(kind, *args, outputs=3 if kind == "LSTM" else 2, **attrs)
            finals["h"].append(outs[1])
            if kind == "LSTM":
                finals["c"].append(outs[2])
            x = g.op("Reshape", g.op("Transpose", outs[0], perm=[0, 2, 1, 3]), g.ints([0, 0, -1]))
        if params["batch_first"]:
            x = g.op("Transpose", x, perm=[1, 0, 2])
        out = {"out": x, "h_n": g.op("Concat", *finals["h"], axis=0)}
        if kind == "LSTM":
            out["c_n"] = g.op("Concat", *finals["c"], axis=0)
        return out
    return export


def onnx_positional_encoding(g, params, ins, shapes, module):
    """x + the table's first L rows (L read from x at run time); dropout is off in evaluation."""
    x = ins["input"]
    time_axis = 1 if params["batch_first"] else 0
    length = g.op("Slice", g.op("Shape", x), g.ints([time_axis]), g.ints([time_axis + 1]))
    table = g.op("Slice", g.const(_host(getattr(module, "module", module).pe), hint="pe"),
                 g.ints([0]), length, g.ints([0]))
    return g.op("Add", x, g.op("Unsqueeze", table, g.ints([1 - time_axis])))


def onnx_multihead_attention(g, params, ins, shapes, module):
    """torch's MultiheadAttention in evaluation: projections, softmax(Q K^T / sqrt(d)) V per
    head, the output projection; the weights output averaged over the heads (torch's default)."""
    mha = getattr(module, "module", module)
    e, heads = params["embed_dim"], params["num_heads"]
    d = e // heads
    w = _host(mha.in_proj_weight)
    b = _host(mha.in_proj_bias) if getattr(mha, "in_proj_bias", None) is not None else None
    query = ins["query"]
    key = ins.get("key", query)
    value = ins.get("value", key)
    if not params["batch_first"]:   # work in (batch, length, E)
        query, key, value = (g.op("Transpose", t, perm=[1, 0, 2]) for t in (query, key, value))

    def heads_of(x, i, perm):
        proj = _linear(g, x, w[i * e:(i + 1) * e], None if b is None else b[i * e:(i + 1) * e])
        return g.op("Transpose", g.op("Reshape", proj, g.ints([0, 0, heads, d])), perm=perm)

    q = heads_of(query, 0, [0, 2, 1, 3])              # (N, H, L, d)
    k = heads_of(key, 1, [0, 2, 3, 1])                # (N, H, d, S)
    v = heads_of(value, 2, [0, 2, 1, 3])              # (N, H, S, d)
    scores = g.op("Mul", g.op("MatMul", q, k), g.k(1.0 / math.sqrt(d)))
    attention = g.op("Softmax", scores, axis=-1)
    mixed = g.op("Reshape", g.op("Transpose", g.op("MatMul", attention, v), perm=[0, 2, 1, 3]), g.ints([0, 0, e]))
    out = _linear(g, mixed, _host(mha.out_proj.weight), _bias(mha.out_proj))
    if not params["batch_first"]:
        out = g.op("Transpose", out, perm=[1, 0, 2])
    return {"out": out, "weights": g.op("ReduceMean", attention, axes=[1], keepdims=0)}


def onnx_bilinear(g, params, ins, shapes, module):
    """y_i = x1^T W_i x2 + b_i over any leading dimensions (Einsum)."""
    out = g.op("Einsum", ins["input1"], g.const(_host(module.weight), hint="weight"), ins["input2"],
               equation="...j,ijk,...k->...i")
    if getattr(module, "bias", None) is not None:
        out = g.op("Add", out, g.const(_host(module.bias), hint="bias"))
    return out


def _mlp(g, x, mlp):
    """engine.nn's _MLP: Linear, or Linear -> ReLU -> Linear."""
    if mlp.hidden:
        x = g.op("Relu", _linear(g, x, _host(mlp.fc1.weight), _bias(mlp.fc1)))
        return _linear(g, x, _host(mlp.fc2.weight), _bias(mlp.fc2))
    return _linear(g, x, _host(mlp.fc.weight), _bias(mlp.fc))


def _weighted_sum(g, weights, outputs):
    """sum_j w_j x_j: weights (..., J), outputs J tensors (..., D)."""
    stacked = g.op("Concat", *(g.op("Unsqueeze", o, g.ints([-2])) for o in outputs), axis=-2)
    mixed = g.op("MatMul", g.op("Unsqueeze", weights, g.ints([-2])), stacked)
    return g.op("Squeeze", mixed, g.ints([-2]))


def onnx_weighted_sum(g, params, ins, shapes, module):
    return _weighted_sum(g, ins["weights"], ins["inputs"])


def onnx_einsum(g, params, ins, shapes, module):
    return g.op("Einsum", *ins["inputs"], equation=params["equation"].replace(" ", ""))


def onnx_columns(features):
    """A node computing features from the last axis's two columns a and b (PlaneFeatures):
    ``features`` is [(param, make(g, a, b))], each used when its param is on, side by side."""
    def export(g, params, ins, shapes, module):
        x = ins["input"]
        a, b = (g.op("Slice", x, g.ints([i]), g.ints([i + 1]), g.ints([-1])) for i in (0, 1))
        return g.op("Concat", *(make(g, a, b) for name, make in features if params[name]), axis=-1)
    return export


def onnx_attention_module(g, params, ins, shapes, module):
    x = ins["input"]
    weights = g.op("Softmax", _mlp(g, x, module.controller), axis=-1)
    return _weighted_sum(g, weights, [_mlp(g, x, b) for b in module.branches])


def onnx_mixture_of_experts(g, params, ins, shapes, module):
    """Gate scores; with top_k only the k best keep a score (the others -inf) before the softmax."""
    x = ins["input"]
    logits = _linear(g, x, _host(module.gate.weight), _bias(module.gate))
    if module.top_k is not None and module.top_k < module.num_experts:
        best = g.op("TopK", logits, g.ints([module.top_k]), axis=-1, outputs=2)[0]
        kth = g.op("ReduceMin", best, axes=[-1], keepdims=1)
        logits = g.op("Where", g.op("GreaterOrEqual", logits, kth), logits, g.k(-np.inf))
    weights = g.op("Softmax", logits, axis=-1)
    return _weighted_sum(g, weights, [_mlp(g, x, e) for e in module.experts])


def onnx_transformer_block(g, params, ins, shapes, module):
    """torch's TransformerEncoderLayer in evaluation: self-attention and the feed-forward
    network, each with its residual and LayerNorm (before them with norm_first)."""
    m = getattr(module, "module", module)

    def norm(x, ln):
        return onnx_layernorm(g, {"normalized_shape": [params["d_model"]], "eps": params["layer_norm_eps"]},
                              {"input": x}, {}, ln)

    def attend(x):
        return onnx_multihead_attention(g, {"embed_dim": params["d_model"], "num_heads": params["nhead"],
                                            "batch_first": params["batch_first"]}, {"query": x}, {}, m.self_attn)["out"]

    def feed_forward(x):
        hidden = _linear(g, x, _host(m.linear1.weight), _bias(m.linear1))
        hidden = g.op("Relu", hidden) if params["activation"] == "relu" else \
            onnx_gelu(g, {"approximate": "none"}, {"input": hidden}, {}, None)
        return _linear(g, hidden, _host(m.linear2.weight), _bias(m.linear2))

    x = ins["input"]
    if params["norm_first"]:
        x = g.op("Add", x, attend(norm(x, m.norm1)))
        return g.op("Add", x, feed_forward(norm(x, m.norm2)))
    x = norm(g.op("Add", x, attend(x)), m.norm1)
    return norm(g.op("Add", x, feed_forward(x)), m.norm2)


# ---------------------------------------------------------------------- the model
def _refuse(what: list):
    raise ExportRefused(_("cannot export to ONNX: {what}").format(what="; ".join(what)))


def onnx_model(session):
    """The ONNX model (onnx.ModelProto) of ``session``'s prediction, with its current
    weights. Raises ExportRefused naming the nodes ONNX has no form for here."""
    from onnx import checker, helper  # noqa: PLC0415

    from .pytorch import _input_shapes  # noqa: PLC0415 - the same per-port shapes

    program = session.program
    if program.prediction_ref is None:
        _refuse([_("the graph has no prediction (no cost node or Output node)")])
    if program.needs_target(program.prediction_ref[0]):
        _refuse([_("the prediction ('{node}') depends on the target").format(node=program.prediction_ref[0])])
    # only what the prediction needs: not the cost of an autoencoder (no Target, so it does
    # not need the target either), nor a branch beside the prediction
    wanted = program.ancestors([program.prediction_ref[0]])
    needed = [nid for nid in program.order if nid in wanted]
    missing = [_("node '{node}' ({type}) has no ONNX form").format(node=nid, type=program.flat.nodes[nid].type)
               for nid in needed if program.flat.nodes[nid].type != "Input"
               and getattr(program.flat.nodes[nid].node_type, "onnx", None) is None]
    if missing:
        _refuse(missing)
    # weights and computations in the parameters' float type; the input as the dataset's
    # (integer indices for an Embedding)
    floats = [a.dtype for a in program.state_dict().values() if np.asarray(a).dtype.kind == "f"]
    dtype = np.dtype(floats[0] if floats else session.dataset.x_train.dtype)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float32)
    g = OnnxGraph(dtype)
    in_shapes = _input_shapes(program)
    values = {}
    for nid in needed:
        fn = program.flat.nodes[nid]
        nt = fn.node_type
        if nt.name == "Input":
            values[(nid, "out")] = "x"
            continue
        ins = {}
        for e in program.in_edges(nid):
            src = values[(e.src, e.src_port)]
            if nt.input(e.dst_port).multi:
                ins.setdefault(e.dst_port, []).append(src)
            else:
                ins[e.dst_port] = src
        try:
            out = nt.onnx(g, nt.resolve(fn.params), ins, in_shapes[nid], program.node_modules.get(nid))
        except ExportRefused as exc:   # a setting ONNX cannot follow: name the node
            _refuse([_("node '{node}' ({type}) {reason}").format(node=nid, type=nt.name, reason=exc)])
        for port, name in (out.items() if isinstance(out, dict) else (("out", out),)):
            values[(nid, port)] = name
    g.op("Identity", values[program.prediction_ref])
    g.nodes[-1].output[0] = "prediction"
    elem = helper.np_dtype_to_tensor_dtype(dtype)
    x_elem = helper.np_dtype_to_tensor_dtype(np.dtype(session.dataset.x_train.dtype))
    sample = list(session.x_train.shape[1:])
    pred_shape = program.shapes.get(program.prediction_ref)   # unknown sizes (the batch) named
    graph = helper.make_graph(
        g.nodes, "nn_playground", [helper.make_tensor_value_info("x", x_elem, ["batch", *sample])],
        [helper.make_tensor_value_info("prediction", elem, None if pred_shape is None else
                                       [f"d{i}" if d is None else d for i, d in enumerate(pred_shape)])],
        g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nn-playground")
    model.ir_version = min(model.ir_version, 9)   # readable by onnxruntime releases of 2024 on
    checker.check_model(model)
    return model


def export_onnx(graph, path, weights: dict | None = None, source: str = "weights", seed=None):
    """Write ``graph``'s ONNX model to ``path``, with ``weights`` ({name: array}, as saved
    beside a graph file) or else the initial weights; returns the Session it was made from."""
    from ..graph.fileformat import atomic_write  # noqa: PLC0415
    from ..train import Session  # noqa: PLC0415

    session = Session.from_graph(graph, seed=seed, replay=False)
    if weights:
        session.load_weights(weights, source)
    model = onnx_model(session)
    atomic_write(path, model.SerializeToString())
    return session
