"""Synthetic datasets: TensorFlow Playground's 2-D sets, 1-D functions, logic gates.

The 2-D generators follow TensorFlow Playground's ``dataset.ts`` (same shapes, radii,
padding and noise model; our random numbers come from a seeded NumPy generator).
``noise`` is the generator's argument, 0 to 0.5; the Playground's slider shows it as
0-50 %. In circle, xor and the regression planes the noise moves the point where the
*label* is read, not the point itself (so noisy labels appear near the boundary); in
spiral, gauss and moons it moves the points. Labels are class indices: the Playground's
+1 is class 1, its -1 class 0. Points live in the square [-6, 6]^2 (``extent``).
"""
from __future__ import annotations

import itertools

import numpy as np

from .base import CLASSIFICATION, REGRESSION, Dataset, make
from .registry import SEED, ParamSpec, n_samples, noise, register, test_fraction

EXTENT_2D = ((-6.0, 6.0), (-6.0, 6.0))
_2D = "2-D classification"


def _uniform(rng, lo, hi, n):
    return rng.uniform(lo, hi, size=n)


def _halves(n):
    return n // 2, n - n // 2


def _classify(name, x, y, test_fraction, rng, description):
    return make(name, CLASSIFICATION, x, y, test_fraction=test_fraction, rng=rng, n_classes=2,
                extent=EXTENT_2D, description=description)


@register("circle", _2D, CLASSIFICATION,
          "a disc of class 1 (radius < 2.5) inside a ring of class 0 (radius 3.5 to 5)",
          n_samples(500), noise(), test_fraction(), SEED)
def circle(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    radius = 5.0
    n_in, n_out = _halves(n_samples)
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, n_in), _uniform(rng, radius * 0.7, radius, n_out)])
    angle = _uniform(rng, 0, 2 * np.pi, n_samples)
    pts = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    noisy = pts + rng.uniform(-radius, radius, size=pts.shape) * noise
    label = np.hypot(noisy[:, 0], noisy[:, 1]) < radius * 0.5
    return _classify("circle", pts, label, test_fraction, rng,
                     "Class 1 inside radius 2.5, class 0 on the ring from 3.5 to 5.")


@register("xor", _2D, CLASSIFICATION,
          "the four quadrants: class 1 where x*y >= 0 (TensorFlow Playground's exclusive or)",
          n_samples(500), noise(), test_fraction(), SEED)
def xor(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-5, 5, size=(n_samples, 2))
    pts += np.where(pts > 0, 0.3, -0.3)   # keep points off the axes
    noisy = pts + rng.uniform(-5, 5, size=pts.shape) * noise
    label = noisy[:, 0] * noisy[:, 1] >= 0
    return _classify("xor", pts, label, test_fraction, rng,
                     "Class 1 in quadrants I and III, class 0 in II and IV.")


@register("gauss", _2D, CLASSIFICATION,
          "two Gaussian blobs at (2, 2) (class 1) and (-2, -2) (class 0); noise widens them",
          n_samples(500), noise(), test_fraction(), SEED,
          ParamSpec("class1_fraction", "float", 0.5, "fraction of the samples in class 1 (below 0.5: "
                    "imbalanced classes, the course notes' section 6.5.1)", min=0.02, max=0.98))
def gauss(n_samples, noise, test_fraction, seed, class1_fraction):
    rng = np.random.default_rng(seed)
    variance = 0.5 + noise / 0.5 * 3.5          # Playground: noise 0..0.5 -> variance 0.5..4
    n_pos = int(n_samples * class1_fraction)   # n // 2 at 0.5, as it always was
    n_neg = n_samples - n_pos
    centre = np.concatenate([np.full(n_pos, 2.0), np.full(n_neg, -2.0)])[:, None]
    pts = centre + rng.normal(0.0, np.sqrt(variance), size=(n_samples, 2))
    label = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return _classify("gauss", pts, label, test_fraction, rng,
                     f"Blob variance {variance:g} (0.5 at noise 0, 4 at noise 0.5).")


@register("spiral", _2D, CLASSIFICATION,
          "two interleaved spirals of 1.75 turns out to radius 5",
          n_samples(500), noise(), test_fraction(), SEED)
def spiral(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for label, delta, n in ((1, 0.0, _halves(n_samples)[0]), (0, np.pi, _halves(n_samples)[1])):
        i = np.arange(n) / n
        r = i * 5
        t = 1.75 * i * 2 * np.pi + delta
        jitter = rng.uniform(-1, 1, size=(n, 2)) * noise
        parts.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + jitter)
        labels.append(np.full(n, label))
    return _classify("spiral", np.concatenate(parts), np.concatenate(labels), test_fraction, rng,
                     "Class 1 and class 0 spirals, half a turn apart.")


@register("moons", _2D, CLASSIFICATION,
          "two interleaving half circles (scikit-learn's make_moons, scaled by 3 to fit the plane)",
          n_samples(500), noise(help="Gaussian jitter, standard deviation 3 * noise in plane units"),
          test_fraction(), SEED)
def moons(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    n_out, n_in = _halves(n_samples)
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    unit = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                           np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    scale = 3.0
    pts = (unit - [0.5, 0.25]) * scale + rng.normal(0.0, scale * noise, size=unit.shape)
    label = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _classify("moons", pts, label, test_fraction, rng,
                     "Class 0 is the upper moon, class 1 the lower one.")


# ----- regression on the plane (TensorFlow Playground's reg-plane and reg-gauss)

_REG2D = "2-D regression"
_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                       [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _noisy_plane_points(rng, n_samples, noise, radius=6.0):
    pts = rng.uniform(-radius, radius, size=(n_samples, 2))
    return pts, pts + rng.uniform(-radius, radius, size=pts.shape) * noise


@register("reg-plane", _REG2D, REGRESSION,
          "target (x1 + x2) / 10 on the square [-6, 6]^2: a tilted plane from -1.2 to 1.2",
          n_samples(1200), noise(), test_fraction(), SEED)
def reg_plane(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    pts, noisy = _noisy_plane_points(rng, n_samples, noise)
    target = noisy.sum(axis=1) / 10.0
    return make("reg-plane", REGRESSION, pts, target, test_fraction=test_fraction, rng=rng,
                extent=EXTENT_2D, description="Target (x1 + x2) / 10, read at a noisy position.")


@register("reg-gauss", _REG2D, REGRESSION,
          "six Gaussian-like bumps of height +1 or -1 on a 3x2 grid",
          n_samples(1200), noise(), test_fraction(), SEED)
def reg_gauss(n_samples, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    pts, noisy = _noisy_plane_points(rng, n_samples, noise)
    dist = np.linalg.norm(noisy[:, None, :] - _GAUSSIANS[None, :, :2], axis=2)
    values = _GAUSSIANS[:, 2] * np.clip(1 - dist / 2, 0.0, 1.0)     # cone of radius 2
    target = values[np.arange(n_samples), np.abs(values).argmax(axis=1)]  # largest |value| wins
    return make("reg-gauss", REGRESSION, pts, target, test_fraction=test_fraction, rng=rng,
                extent=EXTENT_2D, description="Target +-(1 - d/2) near the closest of six centres.")


# ----- 1-D functions, for universal approximation

_1D = "1-D regression"
FUNCTIONS_1D = {
    "sin": ("sin(pi * frequency * x)", lambda x, f: np.sin(np.pi * f * x)),
    "step": ("0 for x < 0, 1 for x >= 0", lambda x, f: (x >= 0).astype(np.float64)),
    "abs": ("|x|", lambda x, f: np.abs(x)),
    "polynomial": ("the cubic 2x^3 - x", lambda x, f: 2 * x ** 3 - x),
}


def _function_1d(name):
    formula, fn = FUNCTIONS_1D[name]
    params = [n_samples(200), noise(help="standard deviation of Gaussian noise added to the target"),
              test_fraction(0.2), SEED]
    if name == "sin":
        params.insert(2, ParamSpec("frequency", "float", 1.0, "half-periods per unit of x",
                                   min=0.25, max=8.0))

    def build(n_samples, noise, test_fraction, seed, frequency=1.0):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1.0, 1.0, size=(n_samples, 1))
        y = fn(x, frequency) + rng.normal(0.0, 1.0, size=x.shape) * noise
        return make(name, REGRESSION, x, y, test_fraction=test_fraction, rng=rng,
                    extent=((-1.0, 1.0),), description=f"Target {formula} for x in [-1, 1].")

    build.__name__ = name
    return register(name, _1D, REGRESSION, f"y = {formula} on [-1, 1]", *params)(build)


sin = _function_1d("sin")
step = _function_1d("step")
abs_ = _function_1d("abs")
polynomial = _function_1d("polynomial")


@register("line", _1D, REGRESSION,
          "y = slope * x + intercept plus Gaussian noise on [-1, 1]; optionally a fraction of "
          "outliers: points at the right end (x > 0.5) pulled down by outlier_shift",
          n_samples(200), noise(0.05, help="standard deviation of Gaussian noise added to the target"),
          ParamSpec("slope", "float", 2.0, "the line's slope w", min=-100.0, max=100.0),
          ParamSpec("intercept", "float", 0.5, "the line's intercept b", min=-100.0, max=100.0),
          ParamSpec("outliers", "float", 0.0, "fraction of the points that are outliers, 0 to 0.3",
                    min=0.0, max=0.3),
          ParamSpec("outlier_shift", "float", 6.0, "how far below the line the outliers lie",
                    min=0.0, max=100.0),
          test_fraction(0.2), SEED)
def line(n_samples, noise, slope, intercept, outliers, outlier_shift, test_fraction, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 1))
    y = slope * x + intercept + rng.normal(0.0, 1.0, size=x.shape) * noise
    # outliers at one end tilt a least-squares fit (they pull on a lever); a least-absolute-
    # deviations (L1) fit follows the majority and ignores them (course notes 003, section 6.3)
    n_out = int(round(outliers * n_samples))
    if n_out:
        x[:n_out, 0] = rng.uniform(0.5, 1.0, size=n_out)
        y[:n_out, 0] = slope * x[:n_out, 0] + intercept - outlier_shift
    return make("line", REGRESSION, x, y, test_fraction=test_fraction, rng=rng, extent=((-1.0, 1.0),),
                description=f"Target {slope:g} x + {intercept:g} for x in [-1, 1]"
                            + (f", {n_out} outliers {outlier_shift:g} below the line." if n_out else "."))


# ----- logic gates

#: each gate's outputs over its truth table's rows, which list the inputs in binary order
#: ((0,0), (0,1), (1,0), (1,1) for two inputs); the number of inputs follows from the length
GATES = {
    "NOT": (1, 0),
    "AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0), "XOR": (0, 1, 1, 0), "XNOR": (1, 0, 0, 1),
    "XOR3": (0, 1, 1, 0, 1, 0, 0, 1),   # three-input parity: 1 when an odd number of inputs is 1
}


def gate_inputs(gate) -> int:
    """How many inputs ``gate`` has (1 for NOT, 2 for AND, 3 for XOR3)."""
    return len(GATES[gate]).bit_length() - 1


@register("logic", "Logic gates", CLASSIFICATION,
          "the truth table of a logic gate: NOT (1 input), AND, OR, NAND, NOR, XOR, XNOR (2 inputs), "
          "XOR3 (3-input parity); 2, 4 or 8 samples, and the test set is the same table",
          ParamSpec("gate", "choice", "AND", "which gate", choices=tuple(GATES)),
          ParamSpec("inputs", "choice", "binary", "inputs as 0/1 (binary) or -1/+1 (bipolar)",
                    choices=("binary", "bipolar")),
          ParamSpec("repeat", "int", 1, "copies of the table in the training set (for batches)",
                    min=1, max=256))
def logic(gate, inputs, repeat):
    table = np.array(list(itertools.product((0, 1), repeat=gate_inputs(gate))), dtype=np.float32)
    if inputs == "bipolar":
        table = 2 * table - 1
    label = np.array(GATES[gate], dtype=np.int64)
    # no split: the whole table is both the training and the test set
    return Dataset("logic", CLASSIFICATION, np.tile(table, (repeat, 1)), np.tile(label, repeat),
                   table.copy(), label.copy(), n_classes=2,
                   description=f"{gate} truth table, inputs {inputs}; rows "
                               + ", ".join("(" + ",".join(str(int(v)) for v in row) + ")"
                                           for row in table) + ".")
