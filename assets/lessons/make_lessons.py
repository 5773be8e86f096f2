"""Writes the example graphs (assets/lessons/*.nnpg), one per lesson.

    .venv/bin/python assets/lessons/make_lessons.py

The .nnpg files are committed; this script is how they were drawn, so a change to an
example is a change here followed by a re-run. Each example's settings carry a
"description" for the app's Examples menu.
"""
from __future__ import annotations

import math

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from engine.graph import Graph, ModuleDef, PortRef  # noqa: E402
from engine.graph import fileformat  # noqa: E402

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


def settings(description, dataset, optimizer, steps, batch_size=10, seed=0, **more):
    return {"description": description, "dataset": dataset, "optimizer": optimizer,
            "batch_size": batch_size, "seed": seed, "steps": steps, "probe_every": 10, **more}


def perceptron_and():
    d = Drawing(settings(
        "A perceptron learns the AND gate with Rosenblatt's rule: w <- w + lr (y - y_hat) x. "
        "AND is linearly separable, so the rule stops making mistakes after a few epochs.",
        {"name": "logic", "gate": "AND", "repeat": 8}, {"name": "SGD", "lr": 1.0}, 40,
        batch_size=4, trainer="perceptron"))
    d.node("x", "Input", 0, label="x1, x2")
    d.node("unit", "Linear", 1, label="w.x + b", in_features=2, out_features=1)
    d.node("step", "Heaviside", 2, label="threshold", values=0.0)
    d.node("y", "Target", 2, 1)
    d.node("cost", "MSELoss", 3, label="errors")
    d.chain("x", "unit", "step")
    d.edge("step", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def xor_mlp():
    d = Drawing(settings(
        "The 2-2-1 network of the course notes solves XOR, which no single perceptron can: "
        "two tanh hidden units bend the plane.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "SGD", "lr": 0.1, "momentum": 0.9},
        500, seed=1))
    d.node("x", "Input", 0)
    d.node("hidden", "Linear", 1, label="hidden layer", in_features=2, out_features=2)
    d.node("tanh", "Tanh", 2)
    d.node("output", "Linear", 3, label="output", in_features=2, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "BCEWithLogitsLoss", 4)
    d.chain("x", "hidden", "tanh", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


DEEP_LAYERS, DEEP_WIDTH = 10, 16


def deep_net(activation, init, description):
    d = Drawing(settings(description, {"name": "circle", "n_samples": 400, "noise": 0.05},
                         {"name": "SGD", "lr": 0.1}, 300, batch_size=20,
                         **({"init": init} if init else {})))
    prev = d.node("x", "Input", 0)
    width_in = 2
    for i in range(1, DEEP_LAYERS):
        lin = d.node(f"lin{i}", "Linear", i, 0, in_features=width_in, out_features=DEEP_WIDTH)
        act = d.node(f"act{i}", activation, i, 1)
        d.chain(prev, lin, act)
        prev, width_in = act, DEEP_WIDTH
    out = d.node(f"lin{DEEP_LAYERS}", "Linear", DEEP_LAYERS, 0, label="output",
                 in_features=width_in, out_features=1)
    d.node("y", "Target", DEEP_LAYERS, 1)
    d.node("cost", "BCEWithLogitsLoss", DEEP_LAYERS + 1)
    d.chain(prev, out, "cost")
    d.edge("y", "cost", "target")
    return d.graph


def deep_sigmoid():
    return deep_net("Sigmoid", None,
                    "Ten layers of sigmoids: the gradient shrinks at every layer (the sigmoid's "
                    "derivative is at most 0.25), so the first layers barely learn. The "
                    "diagnostics flag vanishing gradients.")


def deep_relu_he():
    return deep_net("ReLU", {"name": "kaiming_normal", "nonlinearity": "relu"},
                    "The same ten-layer network with ReLU units and He (Kaiming) initialization: "
                    "the gradient keeps its size from the last layer to the first.")


def attention():
    d = Drawing(settings(
        "The attention module of the course notes (section 3.1): a controller network scores "
        "three sub-networks, softmax turns the scores into weights w, and the output is "
        "s = sum_j w_j x_j. The attention panel shows w for each sample.",
        {"name": "spiral", "n_samples": 300, "noise": 0.05}, {"name": "Adam", "lr": 0.02}, 400))
    d.node("x", "Input", 0)
    d.node("attn", "AttentionModule", 1, label="attention module", in_features=2, out_features=8,
           num_branches=3, hidden=8)
    d.node("relu", "ReLU", 2)
    d.node("output", "Linear", 3, in_features=8, out_features=1)
    d.node("y", "Target", 3, 1)
    d.node("cost", "BCEWithLogitsLoss", 4)
    d.chain("x", "attn", "relu", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def mixture_of_experts():
    d = Drawing(settings(
        "A mixture of experts: a gating network (softmax) weighs four small expert networks "
        "for each sample. Watch the gates specialise the experts on parts of the plane.",
        {"name": "moons", "n_samples": 300, "noise": 0.1}, {"name": "Adam", "lr": 0.02}, 400))
    d.node("x", "Input", 0)
    d.node("moe", "MixtureOfExperts", 1, label="mixture of experts", in_features=2, out_features=1,
           num_experts=4, hidden=6)
    d.node("y", "Target", 1, 1)
    d.node("cost", "BCEWithLogitsLoss", 2)
    d.chain("x", "moe", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def multiplicative():
    d = Drawing(settings(
        "The multiplicative module (section 3.1): s_i = sum_jk u_ijk z_k x_j, so the weights "
        "w_ij = sum_k u_ijk z_k are produced by another network from the context z. A product "
        "of inputs is exactly what XOR needs.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "Adam", "lr": 0.05}, 300))
    d.node("x", "Input", 0)
    d.node("context", "Linear", 1, 1, label="context network", in_features=2, out_features=2)
    d.node("z", "Tanh", 2, 1, label="z")
    d.node("mult", "MultiplicativeModule", 3, label="multiplicative module", in1_features=2,
           in2_features=2, out_features=4)
    d.node("tanh", "Tanh", 4)
    d.node("output", "Linear", 5, in_features=4, out_features=1)
    d.node("y", "Target", 5, 1)
    d.node("cost", "BCEWithLogitsLoss", 6)
    d.edge("x", "mult", "input1")
    d.chain("x", "context", "z")
    d.edge("z", "mult", "input2")
    d.chain("mult", "tanh", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def weight_sharing():
    d = Drawing(settings(
        "Weight sharing (section 3.1): one function G with one set of weights is applied to "
        "each input coordinate; both uses add their gradient to the shared weights. The two "
        "G boxes are instances of one module tied together.",
        {"name": "xor", "n_samples": 200, "noise": 0.0}, {"name": "Adam", "lr": 0.05}, 300))
    inner = Drawing({})
    inner.node("u", "Input", 0, shape=[1])
    inner.node("lin", "Linear", 1, in_features=1, out_features=4)
    inner.node("act", "Tanh", 2)
    inner.chain("u", "lin", "act")
    d.graph.modules["G"] = ModuleDef("G", inner.graph, inputs=[PortRef("input", "u", "out")],
                                     outputs=[PortRef("out", "act", "out")])
    d.node("x", "Input", 0)
    d.node("split", "Split", 1, label="x1 | x2", chunks=2, dim=-1)
    d.node("g1", "Module", 2, -0.5, label="G(x1)", tie="G", module="G")
    d.node("g2", "Module", 2, 0.5, label="G(x2)", tie="G", module="G")
    d.node("product", "Multiply", 3)
    d.node("output", "Linear", 4, in_features=4, out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "BCEWithLogitsLoss", 5)
    d.edge("x", "split")
    d.edge("split", "g1", "input", "out0")
    d.edge("split", "g2", "input", "out1")
    d.edge("g1", "product", "a")
    d.edge("g2", "product", "b")
    d.chain("product", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def digits_cnn():
    d = Drawing(settings(
        "A small convolutional network reads 8x8 handwritten digits: 3x3 filters, ReLU, "
        "max pooling, then a linear classifier over the ten classes.",
        {"name": "digits", "layout": "image"}, {"name": "Adam", "lr": 0.01}, 200, batch_size=32))
    d.node("x", "Input", 0, label="8x8 image")
    d.node("conv", "Conv2d", 1, in_channels=1, out_channels=8, kernel_size=3, padding=1)
    d.node("relu", "ReLU", 2)
    d.node("pool", "MaxPool2d", 3, kernel_size=2)
    d.node("flat", "Flatten", 4)
    d.node("classifier", "Linear", 5, in_features=8 * 4 * 4, out_features=10)
    d.node("y", "Target", 5, 1)
    d.node("cost", "CrossEntropyLoss", 6)
    d.chain("x", "conv", "relu", "pool", "flat", "classifier", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def lstm_sequence():
    d = Drawing(settings(
        "An LSTM reads a window of a noisy sine wave and predicts the next value. Its final "
        "hidden state h_n summarises the whole sequence.",
        {"name": "sine-sequence", "n_samples": 300, "window": 12, "noise": 0.02},
        {"name": "Adam", "lr": 0.02}, 300, batch_size=16, task="regression"))
    return _lstm_regression(d, "sequence", input_size=1, hidden_size=12)


def _lstm_regression(d, input_label, hidden_size, **lstm_params):
    """Input -> LSTM -> its final hidden state h_n -> Linear -> MSE against the Target."""
    d.node("x", "Input", 0, label=input_label)
    d.node("lstm", "LSTM", 1, hidden_size=hidden_size, batch_first=True, **lstm_params)
    d.node("last", "Transpose", 2, label="h_n, batch first", dim0=0, dim1=1)
    d.node("flat", "Flatten", 3)
    d.node("output", "Linear", 4, in_features=hidden_size, out_features=1)
    d.node("y", "Target", 4, 1)
    d.node("cost", "MSELoss", 5)
    d.edge("x", "lstm")
    d.edge("lstm", "last", "input", "h_n")
    d.chain("last", "flat", "output", "cost")
    d.edge("y", "cost", "target")
    return d.graph


def lstm_delay_copy():
    d = Drawing(settings(
        "Remember one number for 30 steps: the first step shows a number (with a marker), then 30 "
        "random distractors follow, and the target is the first number. The LSTM's forget gates "
        "start nearly shut (forget_bias = ln 30), so its cell state carries the number to the end "
        "and the loss drops far below 0.33 (what predicting 0 scores). Replace the LSTM with an "
        "RNN (keep h_n) and train again: its gradients vanish over the 30 steps and it stays near "
        "0.1 or above.",
        {"name": "delay-copy", "n_samples": 512, "delay": 30, "distractors": True},
        {"name": "Adam", "lr": 0.01}, 300, batch_size=32, task="regression", clip_grad_norm=1.0))
    return _lstm_regression(d, "value, then 30 distractors", input_size=2, hidden_size=16,
                            forget_bias=round(math.log(30), 3))


EXAMPLES = {
    "perceptron_and": perceptron_and,
    "xor_mlp": xor_mlp,
    "deep_sigmoid": deep_sigmoid,
    "deep_relu_he": deep_relu_he,
    "attention_module": attention,
    "mixture_of_experts": mixture_of_experts,
    "multiplicative_module": multiplicative,
    "weight_sharing": weight_sharing,
    "digits_cnn": digits_cnn,
    "lstm_sequence": lstm_sequence,
    "lstm_delay_copy": lstm_delay_copy,
}


def main():
    for name, make in EXAMPLES.items():
        path = HERE / f"{name}.nnpg"
        fileformat.save(make(), path)
        print(f"wrote {path.relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
