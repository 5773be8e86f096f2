"""What every lesson script in this folder draws with: `Drawing`, `settings(...)`, `lesson(...)`.

A chapter's script (``src/<chapter>.py``) defines ``LESSONS = {"file_stem": builder}``; a builder
returns a Graph whose ``lesson`` is the dict `lesson(...)` makes. ``make_lessons.py`` (one folder
up) runs every builder and writes ``assets/lessons/<file_stem>.nnpg``. The format is
docs/file-format.md ("The lesson section").

    from _drawing import Drawing, lesson, settings, text

    def xor():
        d = Drawing(settings("...", {"name": "xor"}, {"name": "SGD", "lr": 0.1}, 500))
        d.node("x", "Input", 0)
        ...
        d.graph.lesson = lesson("mlp", 1, text("XOR", "XOR"), text("...", "..."),
                                pages=[page(text("Press Play ...", "Premi Play ..."),
                                            {"do": "train", "steps": 200})],
                                goals=[goal("solves", text("...", "..."), metric="train_acc",
                                            op=">=", value=1.0)],
                                panels=["boundary"])
        return d.graph
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.graph import Graph  # noqa: E402

COL, ROW = 170.0, 100.0


class Drawing:
    """A tiny builder: nodes placed on a grid of columns and rows."""

    def __init__(self, settings):
        self.graph = Graph()
        self.graph.settings = settings

    def node(self, id, type, col, row=0.0, label=None, tie=None, **params):  # noqa: A002
        self.graph.add_node(type, params, pos=(COL * col, ROW * row), label=label, id=id, tie=tie)
        return id

    def edge(self, src, dst, dst_port="input", src_port="out"):
        self.graph.connect(src, src_port, dst, dst_port)

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:]):
            self.edge(a, b)

    def binary_output(self, prev, width_in, col, id="output", label=None):  # noqa: A002
        """The two-class head most lessons end with: a Linear to one logit at column ``col``,
        the Target under it, and BCEWithLogitsLoss after it."""
        self.node(id, "Linear", col, 0, label=label, in_features=width_in, out_features=1)
        self.node("y", "Target", col, 1)
        self.node("cost", "BCEWithLogitsLoss", col + 1)
        self.chain(prev, id, "cost")
        self.edge("y", "cost", "target")


def settings(description, dataset, optimizer, steps, batch_size=10, seed=0, **more):
    return {"description": description, "dataset": dataset, "optimizer": optimizer,
            "batch_size": batch_size, "seed": seed, "steps": steps, "probe_every": 10, **more}


def text(en, it):
    """A lesson text in both languages: {"en": ..., "it": ...}."""
    return {"en": en, "it": it}


def page(body, *actions):
    """One page of a lesson: its text ({en, it}) and the buttons under it (action dicts)."""
    return {"text": body, "actions": list(actions)}


def goal(id, body, **condition):  # noqa: A002
    """One goal: its id, its checklist text ({en, it}) and its condition, e.g.
    ``metric="train_acc", op=">=", value=1.0, when="end"`` or ``verdict="vanishing", present=True``.
    """
    return {"id": id, "text": body, **condition}


def lesson(chapter, order, title, summary, pages, goals, panels=(), speed=30):
    """The ``lesson`` section of a lesson file. ``panels``: panel names, or
    ``{"panel": name, "options": {...}}`` dicts; the first is raised in front."""
    return {"chapter": chapter, "order": order, "title": title, "summary": summary,
            "speed": speed,
            "panels": [p if isinstance(p, dict) else {"panel": p} for p in panels],
            "pages": list(pages), "goals": list(goals)}


#: the Italian of every node label the lessons use (a label that reads the same in both
#: languages maps to itself); make_lessons.py writes them into each lesson's "labels", and
#: the app shows them in Italian while a node keeps its label (engine.lessons.shown_label)
LABELS_IT = {
    "hidden layer": "strato nascosto", "output": "uscita", "errors": "errori",
    "threshold": "soglia", "embedding": "embedding", "positional encoding": "codifica posizionale",
    "number, marker": "numero, marcatore", "image 1x8x8": "immagine 1x8x8",
    "8 hidden units": "8 unità nascoste", "softmax + log-loss": "softmax + log-loss",
    "ensemble": "insieme", "context network": "rete di contesto",
    "multiplicative module": "modulo moltiplicativo", "1x1 convolution": "convoluzione 1x1",
    "sign": "segno", "x (angle / π)": "x (angolo / π)", "attention module": "modulo di attenzione",
    "value, then 30 distractors": "valore, poi 30 distrattori", "mean squared error": "errore quadratico medio",
    "AND unit: w·h + b": "unità AND: w·h + b", "class scores": "punteggi delle classi",
    "bias, starts at -8": "bias, parte da -8", "sequence": "sequenza", "8x8 image": "immagine 8x8",
    "mixture of experts": "miscela di esperti", "h_n, batch first": "h_n, batch per primo",
    **{f"layer {i}": f"strato {i}" for i in range(1, 11)},
    **{f"hidden {i}": f"nascosto {i}" for i in range(1, 11)},
    **{f"member {i}": f"membro {i}" for i in range(1, 11)},
    # the same in both languages: formulas, symbols, gate names
    **{same: same for same in (
        "x1, x2", "w·x + b", "w x + b", "w . x", "z = w . x + b", "x⁰ ∈ ℝ³", "W₁ x⁰ + b₁ (4×3)",
        "x¹ = σ(·) ∈ ℝ⁴", "W₂ x¹ + b₂ (4×4)", "x² = σ(·) ∈ ℝ⁴", "W₃ x² + b₃ (2×4)", "z", "σ",
        "Σ cᵢ σ(wᵢx + bᵢ) + c₀", "sin(πx)", "x", "y", "x1 | x2", "G(x1)", "G(x2)", "x1 + x2",
        "0.5", "1.5", "x1 + x2 − 0.5", "1.5 − x1 − x2", "OR", "NAND", "OR, NAND")},
}


#: a lesson drawn wider than this many columns, and flat (at most FLAT rows), is folded into
#: bands: fit-to-view would otherwise shrink its labels below readable (10 layers: 31 %)
WRAP_COLUMNS, FLAT = 10, 2.0
#: a band's shape: about this width / height, for a canvas beside the lesson and the panels
BAND_ASPECT = 3.0


def fold_long_rows(graph):
    """Fold a long, flat chain into bands of columns, like a line of text: column c goes to
    column c % n of band c // n (each band below the previous one, a row's gap between),
    with n the fewest columns that keep the drawing within ``BAND_ASPECT``. Layout only:
    node ids, edges and everything else stay."""
    nodes = list(graph.nodes.values())
    if not nodes:
        return graph
    xs, ys = [n.pos[0] for n in nodes], [n.pos[1] for n in nodes]
    x0, y0 = min(xs), min(ys)
    columns = round((max(xs) - x0) / COL) + 1
    rows = (max(ys) - y0) / ROW
    if columns <= WRAP_COLUMNS or rows > FLAT:
        return graph
    band = (rows + 2.0) * ROW   # its rows and a gap for the link back to the left
    for bands in range(2, columns + 1):
        per_band = -(-columns // bands)
        if per_band * COL <= BAND_ASPECT * bands * band:
            break
    for node in nodes:
        c = (node.pos[0] - x0) / COL
        k = int(round(c) // per_band)
        node.pos = (x0 + (c - k * per_band) * COL, node.pos[1] + k * band)
    return graph


def name_nodes(graph):
    """Write the lesson's node labels in both languages (``lesson.labels``) from LABELS_IT;
    a label missing there is an error, so every lesson reads in Italian too."""
    if graph.lesson is None:
        return graph
    labels = {}
    for node in graph.nodes.values():
        if node.label:
            if node.label not in LABELS_IT:
                raise SystemExit(f"node label {node.label!r} has no Italian in _drawing.LABELS_IT")
            labels[node.id] = {"en": node.label, "it": LABELS_IT[node.label]}
    if labels:
        graph.lesson = {**graph.lesson, "labels": labels}
    return graph


# ----- page actions and variant changes (docs/file-format.md, "Actions") -------------------
RESET = {"do": "reset"}


def train(steps):
    """A button that plays ``steps`` steps at the lesson's speed."""
    return {"do": "train", "steps": steps}


def set_param(node, param, value):
    return {"do": "set_param", "node": node, "param": param, "value": value}


def replace_node(node, new_type):
    return {"do": "replace_node", "node": node, "type": new_type}


def set_setting(key, value):
    """``key``: a setting, or a dotted path into one ("optimizer.lr")."""
    return {"do": "set_setting", "key": key, "value": value}
