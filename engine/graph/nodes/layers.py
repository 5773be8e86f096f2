"""Layers with learnable weights or fixed structure: dense, convolution, pooling,
normalisation, embedding, recurrent. Each builds the engine.nn class of the same name
(wrapped in an Adapter where torch's forward returns a tuple)."""
from __future__ import annotations

import math

from ...i18n import _
from ...interop import onnx as to_onnx
from ...interop.pytorch import TorchCode, torch_module
from ..registry import FUNCTION, NodeType, Port, ShapeError, register
from ._common import (IN, OUT, P, axis, conv_size, features, fmt, identity_rule, linear_weights,
                      plural, rank, sequence_length)

GROUP = "Layers"


def _nn(name):
    def build(params, shapes):
        from ... import nn  # noqa: PLC0415 - lazily, see the package docstring

        return getattr(nn, name)(**params)
    return build


#: layers whose exported class is the script's own (engine.interop.pytorch.HELPERS): torch.nn has
#: none, or torch's draws from torch's generator where the script's draws ours
SCRIPT_CLASSES = ("GaussianNoise", "Dropout")
#: the param that, above 0, makes a layer draw random numbers in training
RANDOM_PARAM = {"Dropout": "p", "GaussianNoise": "std"}


def layer(name, help, params, rule, *, inputs=IN, outputs=OUT, learnable=True, build=None,
          group=GROUP, shape_doc="", export=None, onnx=None, **extra):
    """A node type; one built as ``engine.nn.<name>(**params)`` is exported as torch's own
    ``nn.<name>(**params)`` unless ``export`` says otherwise."""
    if export is None and build is None:
        export = torch_module(name, random=RANDOM_PARAM.get(name), helper=name in SCRIPT_CLASSES)
    return register(NodeType(name, FUNCTION, help, inputs=inputs, outputs=outputs, params=params,
                             group=group, shape_rule=rule, build=build or _nn(name),
                             learnable=learnable, extra=extra, shape_doc=shape_doc, export=export,
                             onnx=onnx))


_BIAS = P("bias", "bool", True, "add a learnable bias")


# ----------------------------------------------------------------- dense
def _linear_rule(p, s):
    x = s["input"]
    features(x, p["in_features"])
    return {"out": tuple(x[:-1]) + (p["out_features"],)}


layer("Linear", "y = x W^T + b: every output is a weighted sum of all the input features plus a bias.",
      (P("in_features", "int", 2, "features each input sample has", min=1),
       P("out_features", "int", 2, "features (units) it outputs", min=1), _BIAS),
      _linear_rule, shape_doc="(..., in_features) -> (..., out_features)", onnx=to_onnx.onnx_linear,
      weights=lambda p, s: linear_weights(p["in_features"], p["out_features"], p["bias"]))


def _bilinear_rule(p, s):
    a, b = s["input1"], s["input2"]
    try:
        features(a, p["in1_features"])
    except ShapeError as e:
        raise ShapeError(f"input1 {e}") from None
    try:
        features(b, p["in2_features"])
    except ShapeError as e:
        raise ShapeError(f"input2 {e}") from None
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a[:-1], b[:-1])):
        raise ShapeError(_("input1 {a} and input2 {b} must agree except in the last dimension").format(
            a=fmt(a), b=fmt(b)))
    return {"out": tuple(a[:-1]) + (p["out_features"],)}


_BILINEAR_PARAMS = (P("in1_features", "int", 2, "features of input1 (x)", min=1),
                    P("in2_features", "int", 2, "features of input2 (z)", min=1),
                    P("out_features", "int", 2, "outputs s_i", min=1), _BIAS)
_BILINEAR_PORTS = (Port("input1", "x: the input"), Port("input2", "z: the context that modulates it"))


def bilinear_weights(p):
    return p["out_features"] * (p["in1_features"] * p["in2_features"] + bool(p["bias"]))

layer("Bilinear", "y_i = x1^T W_i x2 + b_i: the multiplicative module s_i = sum_jk u_ijk z_k x_j.",
      _BILINEAR_PARAMS, _bilinear_rule, inputs=_BILINEAR_PORTS,
      shape_doc="(..., in1), (..., in2) -> (..., out)", weights=lambda p, s: bilinear_weights(p),
      onnx=to_onnx.onnx_bilinear)


# ----------------------------------------------------------------- convolution and pooling
def _spatial(shape, nd, channels=None, what="input"):
    rank(shape, (nd + 2,), what)
    if channels is not None and shape[1] is not None and shape[1] != channels:
        raise ShapeError(_("expects {what} but receives {got} (input shape {shape}, channels are dimension 1)")
                         .format(what=plural(channels, "channel"), got=shape[1], shape=fmt(shape)))


def _conv_rule(nd):
    def rule(p, s):
        x = s["input"]
        _spatial(x, nd, p["in_channels"])
        if p["in_channels"] % p["groups"] or p["out_channels"] % p["groups"]:
            raise ShapeError(_("in_channels ({a}) and out_channels ({b}) must both be divisible by groups ({g})")
                             .format(a=p["in_channels"], b=p["out_channels"], g=p["groups"]))
        sizes = tuple(conv_size(n, p["kernel_size"], p["stride"], p["padding"], p["dilation"]) for n in x[2:])
        return {"out": (x[0], p["out_channels"]) + sizes}
    return rule


def _conv_params(default_in):
    return (P("in_channels", "int", default_in, "channels of the input", min=1),
            P("out_channels", "int", 8, "channels (filters) it outputs", min=1),
            P("kernel_size", "int", 3, "width of the sliding window", min=1),
            P("stride", "int", 1, "step of the window", min=1),
            P("padding", "int", 0, "zeros added on each side", min=0),
            P("dilation", "int", 1, "spacing between window taps", min=1),
            P("groups", "int", 1, "split channels into independent groups", min=1), _BIAS)


def _conv_weights(nd):
    def weights(p, s):
        per_filter = p["in_channels"] // p["groups"] * p["kernel_size"] ** nd
        return p["out_channels"] * (per_filter + bool(p["bias"]))
    return weights


layer("Conv1d", "A learned filter slid along a sequence: (batch, C_in, L) -> (batch, C_out, L_out).",
      _conv_params(1), _conv_rule(1), shape_doc="L_out = (L + 2 pad - dil (k - 1) - 1) // stride + 1",
      weights=_conv_weights(1), onnx=to_onnx.onnx_conv(1))
layer("Conv2d", "Learned filters slid over an image: (batch, C_in, H, W) -> (batch, C_out, H_out, W_out).",
      _conv_params(1), _conv_rule(2), shape_doc="H_out = (H + 2 pad - dil (k - 1) - 1) // stride + 1",
      weights=_conv_weights(2), onnx=to_onnx.onnx_conv(2))


def _pool_rule(nd, dilated):
    def rule(p, s):
        x = s["input"]
        _spatial(x, nd)
        if p["padding"] * 2 > p["kernel_size"]:
            raise ShapeError(_("padding ({padding}) must be at most half the kernel size ({kernel})").format(
                padding=p["padding"], kernel=p["kernel_size"]))
        stride = p["stride"] or p["kernel_size"]
        dil = p.get("dilation", 1) if dilated else 1
        return {"out": tuple(x[:2]) + tuple(conv_size(n, p["kernel_size"], stride, p["padding"], dil)
                                            for n in x[2:])}
    return rule


def _pool_params(kind):
    base = (P("kernel_size", "int", 2, "width of the pooling window", min=1),
            P("stride", "int", None, "step of the window (none = kernel_size)", min=1, nullable=True),
            P("padding", "int", 0, "padding on each side", min=0))
    if kind == "max":
        return base + (P("dilation", "int", 1, "spacing between window taps", min=1),)
    return base + (P("count_include_pad", "bool", True, "count the padding zeros in the average"),)


for _nd in (1, 2):
    layer(f"MaxPool{_nd}d", "The largest value in each window, per channel.", _pool_params("max"),
          _pool_rule(_nd, True), learnable=False, shape_doc="like a convolution without channels change",
          onnx=to_onnx.onnx_pool("MaxPool", _nd))
    layer(f"AvgPool{_nd}d", "The mean of each window, per channel.", _pool_params("avg"),
          _pool_rule(_nd, False), learnable=False, shape_doc="like a convolution without channels change",
          onnx=to_onnx.onnx_pool("AveragePool", _nd))


# ----------------------------------------------------------------- reshaping, dropout, identity
def _flatten_rule(p, s):
    x = s["input"]
    a, b = axis(p["start_dim"], len(x), "start_dim"), axis(p["end_dim"], len(x), "end_dim")
    if a > b:
        raise ShapeError(_("start_dim ({start}) comes after end_dim ({end})").format(start=p["start_dim"],
                                                                                  end=p["end_dim"]))
    middle = x[a:b + 1]
    size = None
    if None not in middle:
        size = 1
        for n in middle:
            size *= n
    return {"out": tuple(x[:a]) + (size,) + tuple(x[b + 1:])}


layer("Flatten", "Joins dimensions start_dim..end_dim into one: an image becomes a vector.",
      (P("start_dim", "int", 1, "first dimension to join (1 = keep the batch)"),
       P("end_dim", "int", -1, "last dimension to join")), _flatten_rule, learnable=False,
      shape_doc="(batch, C, H, W) -> (batch, C*H*W)", onnx=to_onnx.onnx_flatten)
layer("Dropout", "In training, zeroes each value with probability p and scales the rest by 1/(1-p); "
      "does nothing in evaluation. A regulariser.",
      (P("p", "float", 0.5, "probability of zeroing a value", min=0.0, max=1.0),),
      identity_rule, learnable=False, shape_doc="out = input shape", onnx=to_onnx.onnx_identity)
layer("GaussianNoise", "In training, adds Gaussian noise of standard deviation std to every value; "
      "does nothing in evaluation. Noise injection, a regulariser.",
      (P("std", "float", 0.1, "standard deviation of the noise", min=0.0),),
      identity_rule, learnable=False, shape_doc="out = input shape", onnx=to_onnx.onnx_identity)
layer("Identity", "Passes its input on unchanged (a named tap point).", (), identity_rule,
      learnable=False, shape_doc="out = input shape", onnx=to_onnx.onnx_identity)


# ----------------------------------------------------------------- normalisation
def _norm_rule(ranks):
    def rule(p, s):
        x = s["input"]
        rank(x, ranks)
        n = p.get("num_features", p.get("num_channels"))
        if x[1] is not None and x[1] != n:
            raise ShapeError(_("expects {what} (channels) in dimension 1 but receives {got} (input shape {shape})")
                             .format(what=plural(n, "feature"), got=x[1], shape=fmt(x)))
        if "num_groups" in p and p["num_channels"] % p["num_groups"]:
            raise ShapeError(_("num_channels ({c}) must be divisible by num_groups ({g})").format(
                c=p["num_channels"], g=p["num_groups"]))
        return {"out": tuple(x)}
    return rule


_EPS = P("eps", "float", 1e-5, "added to the variance for stability", min=0.0)
_MOMENTUM = P("momentum", "float", 0.1, "weight of the newest batch in the running statistics "
              "(none = a plain average)", min=0.0, max=1.0, nullable=True)


def _bn_params():
    return (P("num_features", "int", 2, "features (channels) C", min=1), _EPS, _MOMENTUM,
            P("affine", "bool", True, "learn a scale and shift"),
            P("track_running_stats", "bool", True, "keep running statistics for evaluation"))


def _norm_weights(p, s):
    """A scale and a shift per channel (affine), a running mean and variance (and a step count)."""
    n = p.get("num_features", p.get("num_channels"))
    return 2 * n * bool(p.get("affine")) + (2 * n + 1) * bool(p.get("track_running_stats"))


layer("BatchNorm1d", "Normalises each feature over the batch, then scales and shifts it: faster, "
      "steadier training. Input (batch, C) or (batch, C, L).", _bn_params(), _norm_rule((2, 3)),
      shape_doc="out = input shape", weights=_norm_weights, onnx=to_onnx.onnx_batchnorm)
layer("BatchNorm2d", "Normalises each channel over the batch and the image: input (batch, C, H, W).",
      _bn_params(), _norm_rule((4,)), shape_doc="out = input shape", weights=_norm_weights,
      onnx=to_onnx.onnx_batchnorm)
layer("GroupNorm", "Normalises groups of channels within each sample.",
      (P("num_groups", "int", 1, "number of channel groups", min=1),
       P("num_channels", "int", 2, "channels C", min=1), _EPS,
       P("affine", "bool", True, "learn a scale and shift")), _norm_rule((2, 3, 4)),
      shape_doc="out = input shape", weights=_norm_weights, onnx=to_onnx.onnx_groupnorm)
layer("InstanceNorm2d", "Normalises each channel of each image on its own.",
      (P("num_features", "int", 2, "channels C", min=1), _EPS, _MOMENTUM,
       P("affine", "bool", False, "learn a scale and shift")), _norm_rule((4,)),
      shape_doc="out = input shape", weights=_norm_weights, onnx=to_onnx.onnx_instancenorm)


def _layer_norm_rule(p, s):
    x, norm = s["input"], tuple(p["normalized_shape"])
    if not norm:
        raise ShapeError(_("normalized_shape needs at least one size"))
    tail = tuple(x[-len(norm):]) if len(x) >= len(norm) else None
    if tail is None or any(a is not None and a != b for a, b in zip(tail, norm)):
        raise ShapeError(_("normalises over trailing dimensions {norm} but the input is {shape}").format(
            norm=tuple(norm), shape=fmt(x)))
    return {"out": tuple(x)}


layer("LayerNorm", "Normalises each sample over its last dimensions, then scales and shifts it.",
      (P("normalized_shape", "ints", (2,), "the trailing shape to normalise over", min=1), _EPS,
       P("elementwise_affine", "bool", True, "learn a scale (and shift)"), _BIAS),
      _layer_norm_rule, shape_doc="out = input shape", onnx=to_onnx.onnx_layernorm,
      weights=lambda p, s: math.prod(p["normalized_shape"]) * bool(p["elementwise_affine"])
      * (1 + bool(p["bias"])))


# ----------------------------------------------------------------- embedding
def _embedding_rule(p, s):
    return {"out": tuple(s["input"]) + (p["embedding_dim"],)}


layer("Embedding", "A lookup table: each integer index (a word, a character) picks a learned vector.",
      (P("num_embeddings", "int", 10, "size of the vocabulary", min=1),
       P("embedding_dim", "int", 4, "length of each vector", min=1),
       P("padding_idx", "int", None, "an index whose vector stays zero", nullable=True)),
      _embedding_rule, shape_doc="(...) -> (..., embedding_dim)",
      weights=lambda p, s: p["num_embeddings"] * p["embedding_dim"], onnx=to_onnx.onnx_embedding)


# ----------------------------------------------------------------- recurrent
def check_sequence_layout(x, batch_first, what="input"):
    """Our batch dimension is written None; without batch_first torch reads dimension 0 as time."""
    rank(x, (3,), what)
    if not batch_first and x[0] is None and x[1] is not None:
        raise ShapeError(_("{what} {shape} has the batch first, but batch_first is off (torch then reads "
                           "dimension 0 as time): turn batch_first on").format(what=what, shape=fmt(x)))


def _rnn_rule(kind):
    def rule(p, s):
        x = s["input"]
        check_sequence_layout(x, p["batch_first"])
        features(x, p["input_size"], "input features")
        dirs = 2 if p["bidirectional"] else 1
        n = x[0] if p["batch_first"] else x[1]
        state = (p["num_layers"] * dirs, n, p["hidden_size"])
        out = {"out": tuple(x[:2]) + (p["hidden_size"] * dirs,), "h_n": state}
        if kind == "LSTM":
            out["c_n"] = state
        for port in ("hx", "h0", "c0"):
            if port in s and len(s[port]) != 3:
                raise ShapeError(_("initial state '{port}' must be (num_layers*directions, batch, hidden), i.e. "
                                   "{shape}, but it is {got}").format(port=port, shape=fmt(state), got=fmt(s[port])))
        return out
    return rule


def _rnn_build(kind):
    def build(params, shapes):
        from ... import nn  # noqa: PLC0415
        from ._modules import Adapter

        if kind == "LSTM":
            def call(m, input, h0=None, c0=None):
                out, (h, c) = m(input, None if h0 is None else (h0, c0))
                return {"out": out, "h_n": h, "c_n": c}
        else:
            def call(m, input, hx=None):
                out, h = m(input, hx)
                return {"out": out, "h_n": h}
        params = dict(params)
        forget_bias = params.pop("forget_bias", None)
        module = getattr(nn, kind)(**params)
        if forget_bias is not None:
            nn.init.lstm_forget_bias_(module, forget_bias)
        return Adapter(module, call)
    return build


def _rnn_export(kind):
    """torch's RNN/LSTM/GRU: returns (out, h_n) or (out, (h_n, c_n)); initial states when drawn."""
    module = torch_module(kind, skip=("forget_bias",))

    def export(params, shapes):
        code = module(params, shapes)
        if kind == "LSTM":
            call = "{self}({input}, ({h0}, {c0}))" if "h0" in shapes else "{self}({input})"
            outputs = {"out": "{r}[0]", "h_n": "{r}[1][0]", "c_n": "{r}[1][1]"}
        else:
            call = "{self}({input}, {hx})" if "hx" in shapes else "{self}({input})"
            outputs = {"out": "{r}[0]", "h_n": "{r}[1]"}
        return TorchCode(code.module, call, outputs, random=params["dropout"] > 0 and params["num_layers"] > 1)
    return export


def _rnn_params(kind):
    ps = [P("input_size", "int", 1, "features per time step", min=1),
          P("hidden_size", "int", 16, "size of the hidden state", min=1),
          P("num_layers", "int", 1, "stacked recurrent layers", min=1)]
    if kind == "RNN":
        ps.append(P("nonlinearity", "choice", "tanh", "the recurrent activation", choices=("tanh", "relu")))
    ps += [_BIAS, P("batch_first", "bool", False, "input is (batch, time, features) rather than "
                    "(time, batch, features)"),
           P("dropout", "float", 0.0, "dropout between stacked layers", min=0.0, max=1.0),
           P("bidirectional", "bool", False, "also read the sequence backwards")]
    if kind == "LSTM":
        ps.append(P("forget_bias", "float", None,
                    "start every forget gate at sigmoid(this): ln(T) helps remember T steps "
                    "(empty: torch's default initialisation; needs bias)", nullable=True))
    return tuple(ps)


def _rnn_weights(kind):
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]

    def weights(p, s):
        h, dirs = p["hidden_size"], 1 + bool(p["bidirectional"])
        total = 0
        for layer_index in range(p["num_layers"]):
            fan_in = p["input_size"] if layer_index == 0 else h * dirs
            total += dirs * gates * h * (fan_in + h + 2 * bool(p["bias"]))
        return total
    return weights


def _rnn_activations(kind):
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]

    def activations(p, s):
        """Per sample: every step's gates, cell and hidden state, in every layer and direction."""
        steps = sequence_length(s.get("input"), p["batch_first"])
        return steps * p["num_layers"] * (1 + bool(p["bidirectional"])) * p["hidden_size"] * (gates + 2)
    return activations


_SEQ_IN = Port("input", "the sequence: (time, batch, features), or (batch, time, features) with batch_first")
_RNN_HELP = {
    "RNN": "Elman recurrent network: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b).",
    "LSTM": "Long short-term memory: gated cell state that carries information across long sequences.",
    "GRU": "Gated recurrent unit: an LSTM-like gated recurrence with fewer weights.",
}
for _kind in ("RNN", "LSTM", "GRU"):
    _states = ((Port("h0", "initial hidden state", optional=True), Port("c0", "initial cell state", optional=True))
               if _kind == "LSTM" else (Port("hx", "initial hidden state", optional=True),))
    _outs = (Port("out", "hidden state at every time step"), Port("h_n", "final hidden state"))
    if _kind == "LSTM":
        _outs += (Port("c_n", "final cell state"),)
    layer(_kind, _RNN_HELP[_kind], _rnn_params(_kind), _rnn_rule(_kind), inputs=(_SEQ_IN,) + _states,
          outputs=_outs, build=_rnn_build(_kind), group="Recurrent", export=_rnn_export(_kind),
          onnx=to_onnx.onnx_rnn(_kind),
          # applied after construction (nn.init.lstm_forget_bias_), not a torch argument
          playground_only=("forget_bias",) if _kind == "LSTM" else (), weights=_rnn_weights(_kind),
          inner_activations=_rnn_activations(_kind),
          shape_doc="out = (..., hidden_size * directions); h_n = (layers * directions, batch, hidden)")


def _posenc_build(params, shapes):
    from ... import nn  # noqa: PLC0415
    from ._modules import Adapter

    return Adapter(nn.PositionalEncoding(**params), lambda m, input: m(input))


def _posenc_rule(p, s):
    x = s["input"]
    check_sequence_layout(x, p["batch_first"])
    features(x, p["d_model"])
    length = x[1] if p["batch_first"] else x[0]
    if length is not None and length > p["max_len"]:
        raise ShapeError(_("sequence length {n} exceeds max_len {most}").format(n=length, most=p["max_len"]))
    return {"out": tuple(x)}


layer("PositionalEncoding", "Adds sin/cos waves of different frequencies so a Transformer knows each "
      "element's position (Vaswani et al. 2017).",
      (P("d_model", "int", 8, "features per position", min=1),
       P("max_len", "int", 5000, "longest sequence supported", min=1),
       P("dropout", "float", 0.0, "dropout after adding", min=0.0, max=1.0),
       P("batch_first", "bool", False, "input is (batch, time, features)")),
      _posenc_rule, learnable=False, group="Recurrent", shape_doc="out = input shape",
      build=_posenc_build, weights=lambda p, s: p["max_len"] * p["d_model"],
      export=torch_module("PositionalEncoding", helper=True, random="dropout"),
      onnx=to_onnx.onnx_positional_encoding)
