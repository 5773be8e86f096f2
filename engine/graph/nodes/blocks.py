"""Ready-made blocks (category module): one node that builds an engine.nn block, with
``extra["template"]``: its inside drawn from primitives (see engine.graph.blocks)."""
from __future__ import annotations

from .. import blocks as templates
from ...i18n import _
from ...interop import onnx as to_onnx
from ...interop.pytorch import TorchCode, torch_module
from ..registry import MODULE, NodeType, Port, ShapeError, register
from ._common import (IN, OUT, P, features, fmt, linear_weights, mlp_activations, mlp_weights,
                      sequence_length)
from .layers import (_BILINEAR_PARAMS, _BILINEAR_PORTS, _bilinear_rule, bilinear_weights,
                     check_sequence_layout)

GROUP = "Blocks"


def _nn(name, call=None):
    def build(params, shapes):
        from ... import nn  # noqa: PLC0415 - lazily, see the package docstring
        from ._modules import Adapter

        module = getattr(nn, name)(**params)
        return module if call is None else Adapter(module, call)
    return build


def block(name, help, params, rule, build, inputs=IN, outputs=OUT, shape_doc="", export=None, onnx=None,
          **extra):
    nt = register(NodeType(name, MODULE, help, inputs=inputs, outputs=outputs, params=params,
                           group=GROUP, shape_rule=rule, build=build, learnable=True, extra=extra,
                           shape_doc=shape_doc, export=export, onnx=onnx))
    if name in templates.TEMPLATES:
        nt.extra["template"] = templates.template(name)
    return nt


def _gated_rule(p, s):
    x = s["input"]
    features(x, p["in_features"])
    return {"out": tuple(x[:-1]) + (p["out_features"],)}


_IN_OUT = (P("in_features", "int", 2, "features each input sample has", min=1),
           P("out_features", "int", 2, "features it outputs", min=1))

block("AttentionModule", "The course notes' attention module (§3.1): a controller network scores "
      "the branches, w = softmax(z), and the output is s = sum_j w_j x_j over the branches' outputs.",
      _IN_OUT + (P("num_branches", "int", 3, "number of sub-networks x_j", min=1, max=64),
                 P("hidden", "int", None, "hidden units of each branch (none = a single Linear)",
                   min=1, nullable=True),
                 P("controller_hidden", "int", None, "hidden units of the controller (none = a single "
                   "Linear)", min=1, nullable=True)),
      _gated_rule, _nn("AttentionModule"), shape_doc="(..., in_features) -> (..., out_features)",
      export=torch_module("AttentionModule", helper=True), onnx=to_onnx.onnx_attention_module,
      probes="last_weights", weights=lambda p, s: (
          mlp_weights(p["in_features"], p["num_branches"], p["controller_hidden"])
          + p["num_branches"] * mlp_weights(p["in_features"], p["out_features"], p["hidden"])),
      inner_activations=lambda p, s: (
          mlp_activations(p["num_branches"], p["controller_hidden"])
          + p["num_branches"] * mlp_activations(p["out_features"], p["hidden"])))

block("MixtureOfExperts", "A gating network weighs several expert networks; the output is the "
      "gate-weighted sum of the experts' outputs (with top_k, only the k best experts count).",
      _IN_OUT + (P("num_experts", "int", 4, "number of experts", min=1, max=64),
                 P("hidden", "int", None, "hidden units of each expert (none = a single Linear)",
                   min=1, nullable=True),
                 P("top_k", "int", None, "keep only the k highest-scoring experts (none = all)",
                   min=1, nullable=True)),
      _gated_rule, _nn("MixtureOfExperts"), shape_doc="(..., in_features) -> (..., out_features)",
      export=torch_module("MixtureOfExperts", helper=True), onnx=to_onnx.onnx_mixture_of_experts,
      probes="last_gates last_load", weights=lambda p, s: (
          linear_weights(p["in_features"], p["num_experts"])
          + p["num_experts"] * mlp_weights(p["in_features"], p["out_features"], p["hidden"])),
      inner_activations=lambda p, s: (
          2 * p["num_experts"] + p["num_experts"] * mlp_activations(p["out_features"], p["hidden"])))

block("MultiplicativeModule", "The multiplicative module s_i = sum_jk u_ijk z_k x_j + b_i: the "
      "context z decides which weights act on the input x (a Bilinear layer).",
      _BILINEAR_PARAMS, _bilinear_rule, _nn("Bilinear"), inputs=_BILINEAR_PORTS, export=torch_module("Bilinear"),
      onnx=to_onnx.onnx_bilinear,
      shape_doc="(..., in1), (..., in2) -> (..., out)", weights=lambda p, s: bilinear_weights(p))


def _mha_rule(p, s):
    q = s["query"]
    k = s.get("key", q)
    v = s.get("value", k)
    for port, t in (("query", q), ("key", k), ("value", v)):
        check_sequence_layout(t, p["batch_first"], port)
        try:
            features(t, p["embed_dim"])
        except ShapeError as e:
            raise ShapeError(f"{port} {e}") from None
    if p["embed_dim"] % p["num_heads"]:
        raise ShapeError(_("embed_dim ({e}) must be divisible by num_heads ({h})").format(e=p["embed_dim"],
                                                                                        h=p["num_heads"]))
    if k[:2] != v[:2] and None not in k[:2] + v[:2]:
        raise ShapeError(_("key {k} and value {v} must have the same length and batch").format(k=fmt(k), v=fmt(v)))
    if p["batch_first"]:
        n, length, source = q[0], q[1], k[1]
    else:
        n, length, source = q[1], q[0], k[0]
    return {"out": tuple(q), "weights": (n, length, source)}


def _attention_weights(e, bias):
    """The q, k, v projections (3E x E) and the output projection (E x E)."""
    return 3 * e * e + 3 * e * bool(bias) + linear_weights(e, e, bias)


def _attention_activations(e, heads, length):
    """Per sample: q, k, v and the output for each position, and each head's L x L weights."""
    return length * (4 * e + heads * length)


def _mha_export(params, shapes):
    """torch's own class; key defaults to query and value to key, as in _mha_call."""
    key = "{key}" if "key" in shapes else "{query}"
    value = "{value}" if "value" in shapes else key
    return TorchCode(torch_module("MultiheadAttention")(params, shapes).module, f"{{self}}({{query}}, {key}, {value})",
                     {"out": "{r}[0]", "weights": "{r}[1]"}, random=params["dropout"] > 0)


def _mha_call(m, query, key=None, value=None):
    key = query if key is None else key
    value = key if value is None else value
    out, weights = m(query, key, value)
    return {"out": out, "weights": weights}


block("MultiheadAttention", "Scaled dot-product attention with several heads (torch.nn."
      "MultiheadAttention): each position of the query mixes the values, weighted by how well "
      "its query matches each key. Leave key/value unconnected for self-attention.",
      (P("embed_dim", "int", 8, "features per position E", min=1),
       P("num_heads", "int", 2, "parallel attention heads (must divide embed_dim)", min=1),
       P("dropout", "float", 0.0, "dropout on the attention weights", min=0.0, max=1.0),
       P("bias", "bool", True, "biases in the projections"),
       P("batch_first", "bool", False, "tensors are (batch, length, E) rather than (length, batch, E)")),
      _mha_rule, _nn("MultiheadAttention", _mha_call), export=_mha_export,
      onnx=to_onnx.onnx_multihead_attention,
      inputs=(Port("query", "the sequence asking (length L)"),
              Port("key", "the sequence matched against (length S); default: query", optional=True),
              Port("value", "what is mixed; default: key", optional=True)),
      outputs=(Port("out", "attended sequence, same shape as query"),
               Port("weights", "attention weights (batch, L, S), averaged over heads")),
      shape_doc="out = query shape; weights = (batch, L, S)",
      weights=lambda p, s: _attention_weights(p["embed_dim"], p["bias"]),
      inner_activations=lambda p, s: _attention_activations(
          p["embed_dim"], p["num_heads"], sequence_length(s.get("query"), p["batch_first"])))


def _transformer_rule(p, s):
    x = s["input"]
    check_sequence_layout(x, p["batch_first"])
    features(x, p["d_model"])
    if p["d_model"] % p["nhead"]:
        raise ShapeError(_("d_model ({d}) must be divisible by nhead ({h})").format(d=p["d_model"], h=p["nhead"]))
    return {"out": tuple(x)}


_TRANSFORMER_PARAMS = (
    P("d_model", "int", 8, "features per position", min=1),
    P("nhead", "int", 2, "attention heads (must divide d_model)", min=1),
    P("dim_feedforward", "int", 2048, "hidden units of the feed-forward network", min=1),
    P("dropout", "float", 0.1, "dropout probability", min=0.0, max=1.0),
    P("activation", "choice", "relu", "feed-forward activation", choices=("relu", "gelu")),
    P("layer_norm_eps", "float", 1e-5, "LayerNorm epsilon", min=0.0),
    P("batch_first", "bool", False, "tensors are (batch, length, features)"),
    P("norm_first", "bool", False, "LayerNorm before (pre-norm) rather than after each sub-layer"),
    P("bias", "bool", True, "biases in the linear layers and LayerNorms"))


def _transformer_weights(p, s):
    d, ff, bias = p["d_model"], p["dim_feedforward"], p["bias"]
    norms = 2 * d * (1 + bool(bias))
    feed_forward = linear_weights(d, ff, bias) + linear_weights(ff, d, bias)
    return _attention_weights(d, bias) + feed_forward + norms


def _transformer_activations(p, s):
    """Per sample: the attention's, the feed-forward hidden layer (and its activation) and
    the residuals and norms, per position."""
    length = sequence_length(s.get("input"), p["batch_first"])
    return _attention_activations(p["d_model"], p["nhead"], length) \
        + length * (2 * p["dim_feedforward"] + 6 * p["d_model"])


def _transformer_call(m, input):
    return m(input)


for _name in ("TransformerBlock", "TransformerEncoderLayer"):
    block(_name, "A Transformer encoder layer (torch.nn.TransformerEncoderLayer): self-attention and a "
          "feed-forward network, each with a residual connection and LayerNorm."
          + (" Same as TransformerBlock." if _name != "TransformerBlock" else ""),
          _TRANSFORMER_PARAMS, _transformer_rule, _nn("TransformerBlock", _transformer_call),
          export=torch_module("TransformerEncoderLayer", random="dropout"), onnx=to_onnx.onnx_transformer_block,
          shape_doc="out = input shape", weights=_transformer_weights,
          inner_activations=_transformer_activations,
          **({"alias_of": "TransformerBlock"} if _name != "TransformerBlock" else {}))


register(NodeType(
    "Module", MODULE, "An instance of a module defined in this file (a named sub-graph with its own "
    "input and output ports). Instances with the same tie group share their weights.",
    inputs=(), outputs=(), params=(P("module", "str", "", "the name of the module definition"),),
    group="Modules", learnable=True,
    shape_doc="ports and shapes come from the module's inside"))
