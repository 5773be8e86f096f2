"""Ready-made blocks drawn from primitives: the inside of each block node type.

``template(name, params=None) -> dict`` returns a Graph dict (``nodes``, ``edges``) made
only of primitive node types, plus ``inputs``/``outputs``: lists of
``{"name": block port, "node": node id, "port": port}`` saying which template node
stands for each of the block's ports (an ``Input`` node's ``out`` for a block input).
The editor opens it to show the block's inside (or to paste it as editable primitives);
every template validates on its own (its Input nodes carry their shapes).

These are the course notes' constructions (§3.1): the attention module, the mixture of
experts, the multiplicative module, multi-head attention and the Transformer block.
"""
from __future__ import annotations

import math


class _Drawing:
    """A tiny builder: nodes placed left to right in columns."""

    def __init__(self):
        self.nodes, self.edges = [], []

    def node(self, id, type, col, row=0, label=None, **params):  # noqa: A002
        d = {"id": id, "type": type, "params": params, "pos": [180.0 * col, 110.0 * row]}
        if label:
            d["label"] = label
        self.nodes.append(d)
        return id

    def edge(self, src, dst, dst_port="input", src_port="out"):
        self.edges.append({"src": src, "src_port": src_port, "dst": dst, "dst_port": dst_port})

    def result(self, inputs, outputs):
        return {"nodes": self.nodes, "edges": self.edges,
                "inputs": [{"name": n, "node": node, "port": "out"} for n, node in inputs],
                "outputs": [{"name": n, "node": node, "port": p} for n, node, p in outputs]}


def _subnet(d, prefix, src, in_f, out_f, hidden, col, row, label):
    """Linear, or Linear -> ReLU -> Linear: the engine's _MLP. Returns the last node id."""
    if hidden:
        a = d.node(f"{prefix}_fc1", "Linear", col, row, f"{label} layer 1",
                   in_features=in_f, out_features=hidden)
        r = d.node(f"{prefix}_relu", "ReLU", col + 0.5, row)
        b = d.node(f"{prefix}_fc2", "Linear", col + 1, row, f"{label} layer 2",
                   in_features=hidden, out_features=out_f)
        d.edge(src, a)
        d.edge(a, r)
        d.edge(r, b)
        return b
    n = d.node(prefix, "Linear", col, row, label, in_features=in_f, out_features=out_f)
    d.edge(src, n)
    return n


def _gated(p, n, gate_name, branch_name, controller_hidden=None):
    """Shared shape of the attention module and the mixture of experts:
    w = softmax(controller(x)), s = sum_j w_j branch_j(x)."""
    d = _Drawing()
    x = d.node("x", "Input", 0, 0, "x", shape=[p["in_features"]])
    ctrl = _subnet(d, "controller", x, p["in_features"], n, controller_hidden, 1, -1, gate_name)
    w = d.node("w", "Softmax", 2.5, -1, "w = softmax(z)", dim=-1)
    d.edge(ctrl, w)
    s = d.node("s", "WeightedSum", 3.5, 0, "s = sum_j w_j x_j")
    d.edge(w, s, "weights")
    for j in range(n):
        last = _subnet(d, f"branch{j + 1}", x, p["in_features"], p["out_features"], p.get("hidden"),
                       1, j + 1, f"{branch_name} {j + 1}")
        d.edge(last, s, "inputs")
    return d.result([("input", x)], [("out", s, "out")])


def attention_module(p):
    return _gated(p, p["num_branches"], "controller", "branch", p.get("controller_hidden"))


def mixture_of_experts(p):
    # top_k (keeping only the k best experts) has no primitive of its own; the drawing
    # shows the dense mixture that top_k = none computes.
    return _gated(p, p["num_experts"], "gate", "expert")


def multiplicative_module(p):
    """s_i = sum_jk u_ijk z_k x_j (+ b_i) as an Einsum over a learnable tensor U."""
    d = _Drawing()
    x = d.node("x", "Input", 0, 0, "x", shape=[p["in1_features"]])
    z = d.node("z", "Input", 0, 2, "z (context)", shape=[p["in2_features"]])
    u = d.node("U", "Parameter", 0, 1, "U", shape=[p["out_features"], p["in1_features"], p["in2_features"]],
               init="uniform")
    e = d.node("s", "Einsum", 1, 1, "s_i = sum_jk u_ijk x_j z_k", equation="bj,ijk,bk->bi")
    for src in (x, u, z):
        d.edge(src, e, "inputs")
    out = e
    if p.get("bias", True):
        b = d.node("b", "Parameter", 1, 2, "b", shape=[p["out_features"]], init="uniform")
        out = d.node("plus_b", "Add", 2, 1, "s + b")
        d.edge(e, out, "inputs")
        d.edge(b, out, "inputs")
    return d.result([("input1", x), ("input2", z)], [("out", out, "out")])


def _attention(d, x, E, h, col, prefix=""):
    """Scaled dot-product self-attention with h heads on x (batch, L, E), batch first.
    Returns (output node, weights node)."""
    hd = E // h
    proj = {}
    for row, name in enumerate(("q", "k", "v")):
        lin = d.node(f"{prefix}{name}", "Linear", col, row - 1, f"{name.upper()} projection",
                     in_features=E, out_features=E)
        d.edge(x, lin)
        heads = d.node(f"{prefix}{name}_heads", "Reshape", col + 1, row - 1, f"{name.upper()} per head",
                       shape=[-1, h, hd])
        d.edge(lin, heads)
        proj[name] = heads
    scores = d.node(f"{prefix}scores", "Einsum", col + 2, -1, "q . k", equation="blhd,bmhd->bhlm")
    d.edge(proj["q"], scores, "inputs")
    d.edge(proj["k"], scores, "inputs")
    scale = d.node(f"{prefix}scale", "Constant", col + 2, -2, "1/sqrt(d)", value=1.0 / math.sqrt(hd))
    scaled = d.node(f"{prefix}scaled", "Multiply", col + 3, -1, "scaled scores")
    d.edge(scores, scaled, "a")
    d.edge(scale, scaled, "b")
    w = d.node(f"{prefix}weights", "Softmax", col + 4, -1, "attention weights", dim=-1)
    d.edge(scaled, w)
    mixed = d.node(f"{prefix}mix", "Einsum", col + 5, 0, "weights . v", equation="bhlm,bmhd->blhd")
    d.edge(w, mixed, "inputs")
    d.edge(proj["v"], mixed, "inputs")
    merged = d.node(f"{prefix}merge", "Reshape", col + 6, 0, "join heads", shape=[-1, E])
    d.edge(mixed, merged)
    out = d.node(f"{prefix}out_proj", "Linear", col + 7, 0, "output projection", in_features=E, out_features=E)
    d.edge(merged, out)
    return out, w


SEQ_LEN = 5  # the template's example sequence length (any length works)


def multihead_attention(p):
    """Self-attention (query = key = value = x), drawn batch first."""
    d = _Drawing()
    x = d.node("x", "Input", 0, 0, "x", shape=[SEQ_LEN, p["embed_dim"]])
    out, w = _attention(d, x, p["embed_dim"], p["num_heads"], 1)
    return d.result([("query", x)], [("out", out, "out"), ("weights", w, "out")])


def transformer_block(p):
    """Post-norm (norm_first off) or pre-norm encoder layer, batch first."""
    d = _Drawing()
    E = p["d_model"]
    x = d.node("x", "Input", 0, 0, "x", shape=[SEQ_LEN, E])
    mha = d.node("attn", "MultiheadAttention", 1, 0, "self-attention", embed_dim=E,
                 num_heads=p["nhead"], dropout=p["dropout"], bias=p["bias"], batch_first=True)
    drop1 = d.node("drop1", "Dropout", 2, 0, p=p["dropout"])
    add1 = d.node("add1", "Add", 3, 0, "residual 1")
    norm1 = d.node("norm1", "LayerNorm", 4, 0 if not p["norm_first"] else -1, "norm 1",
                   normalized_shape=[E], eps=p["layer_norm_eps"], bias=p["bias"])
    ff1 = d.node("ff1", "Linear", 5, 1, "feed-forward 1", in_features=E, out_features=p["dim_feedforward"],
                 bias=p["bias"])
    act = d.node("act", "ReLU" if p["activation"] == "relu" else "GELU", 6, 1)
    drop = d.node("drop", "Dropout", 7, 1, p=p["dropout"])
    ff2 = d.node("ff2", "Linear", 8, 1, "feed-forward 2", in_features=p["dim_feedforward"], out_features=E,
                 bias=p["bias"])
    drop2 = d.node("drop2", "Dropout", 9, 1, p=p["dropout"])
    add2 = d.node("add2", "Add", 10, 0, "residual 2")
    norm2 = d.node("norm2", "LayerNorm", 11 if not p["norm_first"] else 5, 0 if not p["norm_first"] else -1,
                   "norm 2", normalized_shape=[E], eps=p["layer_norm_eps"], bias=p["bias"])
    if p["norm_first"]:   # x + SA(norm1(x)); then h + FF(norm2(h))
        d.edge(x, norm1)
        d.edge(norm1, mha, "query")
        d.edge(mha, drop1)
        d.edge(x, add1, "inputs")
        d.edge(drop1, add1, "inputs")
        d.edge(add1, norm2)
        d.edge(norm2, ff1)
        last = add2
    else:                 # norm1(x + SA(x)); then norm2(h + FF(h))
        d.edge(x, mha, "query")
        d.edge(mha, drop1)
        d.edge(x, add1, "inputs")
        d.edge(drop1, add1, "inputs")
        d.edge(add1, norm1)
        d.edge(norm1, ff1)
        last = norm2
    d.edge(ff1, act)
    d.edge(act, drop)
    d.edge(drop, ff2)
    d.edge(ff2, drop2)
    d.edge(norm1 if not p["norm_first"] else add1, add2, "inputs")
    d.edge(drop2, add2, "inputs")
    if not p["norm_first"]:
        d.edge(add2, norm2)
    return d.result([("input", x)], [("out", last, "out")])


#: block type name -> template function(params) -> graph dict
TEMPLATES = {
    "AttentionModule": attention_module,
    "MixtureOfExperts": mixture_of_experts,
    "MultiplicativeModule": multiplicative_module,
    "MultiheadAttention": multihead_attention,
    "TransformerBlock": transformer_block,
}


def template(name: str, params: dict | None = None) -> dict:
    """The block's inside, drawn from primitives, for the given (or default) params."""
    from . import registry  # noqa: PLC0415 - registry imports the node declarations

    return TEMPLATES[name](registry.get(name).resolve(params))


def template_graph(name: str, params: dict | None = None):
    """The template as a Graph document (ready to validate or open in the editor)."""
    from .document import Graph  # noqa: PLC0415

    return Graph.from_dict(template(name, params))
