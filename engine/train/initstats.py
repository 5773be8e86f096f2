"""The initialisation explorer's numbers: how the variance of the activations and of the
back-propagated gradients changes from layer to layer of a freshly initialised MLP (the
picture of Glorot & Bengio, 2010).

    stats = init_statistics(depth=8, width=64, activation="Sigmoid", init="standard")
    stats["activation_var"][l], stats["gradient_var"][l]   # layer l = 1 .. depth

A stack of ``depth`` Linear(width, width) + activation layers is built with the engine's
modules and initialisers, a batch of random inputs x ~ N(0, 1) goes forward, and a random
linear read-out of the last layer (L = sum(r * h_depth), r ~ N(0, 1): dL/dh_depth = r, of
variance 1) goes back,
so the gradients reaching each layer are those of the network itself, at init, with no
training task to choose.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend, nn
from ..autograd import Tensor, enable_grad
from ..nn import init as nn_init

#: the activations offered (engine.nn class names) and the gain name calculate_gain knows
ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky_relu",
               "ELU": "relu", "Identity": "linear"}
#: the initialisations offered: "standard" is U(-1/sqrt(n), 1/sqrt(n)), the heuristic
#: Glorot & Bengio compare against (and torch's default for Linear)
INITS = ("standard", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")


def _initialise(weight, name, activation, generator):
    if name == "standard":
        bound = 1.0 / math.sqrt(weight.shape[1])
        nn_init.uniform_(weight, -bound, bound, generator)
    elif name.startswith("xavier"):   # the paper's normalised initialisation (gain 1)
        getattr(nn_init, name + "_")(weight, generator=generator)
    else:   # He et al.: the gain of the activation (sqrt 2 for ReLU)
        getattr(nn_init, name + "_")(weight, nonlinearity=ACTIVATIONS[activation], generator=generator)


def init_statistics(depth: int = 8, width: int = 64, activation: str = "Tanh", init: str = "xavier_uniform",
                    batch: int = 256, seed: int = 0) -> dict:
    """Per layer (1 .. depth) at initialisation: the variance of the activations h_l, of the
    back-propagated gradients dL/dh_l and of the weight gradients dL/dW_l.

    Returns {"layers": [1 .. depth], "activation_var", "gradient_var", "weight_grad_var":
    lists of floats, plus the arguments}. Biases start at zero (as in the paper)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use one of {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}: use one of {', '.join(INITS)}")
    depth, width, batch = int(depth), int(width), int(batch)
    if depth < 1 or width < 1 or batch < 2:
        raise ValueError("depth and width must be at least 1, batch at least 2")
    generator = backend.Generator(seed)
    rng = np.random.default_rng(seed)
    layers, probes = [], []
    for _ in range(depth):
        lin = nn.Linear(width, width)
        _initialise(lin.weight, init, activation, generator)
        nn_init.zeros_(lin.bias)
        layers.append((lin, getattr(nn, activation)()))
    dtype = layers[0][0].weight.data.dtype
    h = Tensor(rng.standard_normal((batch, width)).astype(dtype))
    outputs = []
    with enable_grad(), np.errstate(all="ignore"):
        for lin, act in layers:
            # a zero leaf added to each layer's output: its gradient is dL/dh_l
            probe = Tensor(np.zeros((batch, width), dtype=dtype), requires_grad=True)
            h = act(lin(h)) + probe
            probes.append(probe)
            outputs.append(h.data)
        readout = Tensor(rng.standard_normal((batch, width)).astype(dtype))
        loss = (h * readout).sum()
        loss.backward()
        act_var = [float(np.var(o, dtype=np.float64)) for o in outputs]
        grad_var = [float(np.var(p.grad, dtype=np.float64)) for p in probes]
        wgrad_var = [float(np.var(lin.weight.grad, dtype=np.float64)) for lin, _ in layers]
    return {"layers": list(range(1, depth + 1)), "activation_var": act_var, "gradient_var": grad_var,
            "weight_grad_var": wgrad_var, "depth": depth, "width": width, "activation": activation,
            "init": init}
