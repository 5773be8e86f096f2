"""TensorFlow Playground links: the state in a URL's hash becomes a graph file with the same
network, the same data points and the same initial weights that playground.tensorflow.org
shows when the link is opened in a fresh page.

    state = parse_url("https://playground.tensorflow.org/#activation=relu&dataset=xor&...")
    doc, weights = to_document(state)        # a .nnpg document (dict) and {name: array}

What TensorFlow Playground does on a page load (src/state.ts, src/playground.ts):
``Math.seedrandom(seed)``; the generator draws its points (src/dataset.ts); a Fisher-Yates
shuffle; the first ``floor(N * percTrainData / 100)`` points train, the rest test; then each
link's weight is ``Math.random() - 0.5`` in the order nn.buildNetwork makes them (layer by
layer, node by node, then each node of the layer before), every bias 0.1 (0 and 0 with
initZero). ``seedrandom.SeedRandom`` reproduces the stream, so the points and weights here
equal TensorFlow Playground's (to the last bit, apart from an ulp of ``sin``/``log``).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from ..data.base import CLASSIFICATION, REGRESSION, Dataset, DataError
from ..data.registry import ParamSpec, register
from ..errors import UserError
from ..i18n import _
from .seedrandom import SeedRandom

CLASSIFY = ("circle", "xor", "gauss", "spiral")
REGRESS = ("reg-plane", "reg-gauss")
SAMPLES = {CLASSIFICATION: 500, REGRESSION: 1200}   # NUM_SAMPLES_CLASSIFY / _REGRESS
#: TensorFlow Playground's input features, in its order, and our PlaneFeatures parameters
FEATURES = (("x", "x1"), ("y", "x2"), ("xSquared", "x1_squared"), ("ySquared", "x2_squared"),
            ("xTimesY", "x1_x2"), ("sinX", "sin_x1"), ("sinY", "sin_x2"))
#: features its state knows but its page does not offer (commented out of INPUTS)
UNUSED_FEATURES = ("cosX", "cosY")
ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": None}
REGULARIZATIONS = ("none", "L1", "L2")
#: weights an imported network may have at most: each is drawn by the ported generator in
#: Python (microseconds each); the page's own buttons stop at 6 hidden layers of 8 neurons
MAX_WEIGHTS = 100_000


class TfpError(UserError, ValueError):
    """A TensorFlow Playground link that cannot be read; the message names the key."""


@dataclass
class TfpState:
    """The state a link describes, with TensorFlow Playground's defaults (src/state.ts)."""
    activation: str = "tanh"
    regularization: str = "none"
    batch_size: float = 10
    dataset: str = "circle"
    reg_dataset: str = "reg-plane"
    learning_rate: float = 0.03
    regularization_rate: float = 0.0
    noise: float = 0.0
    network_shape: list = field(default_factory=lambda: [4, 2])
    seed: str | None = None
    discretize: bool = False
    perc_train: float = 50.0
    problem: str = CLASSIFICATION
    init_zero: bool = False
    features: dict = field(default_factory=lambda: {"x": True, "y": True})
    hidden: set = field(default_factory=set)   # controls hidden with NAME_hide=true

    @property
    def generator(self) -> str:
        return self.dataset if self.problem == CLASSIFICATION else self.reg_dataset

    @property
    def inputs(self) -> list:
        """The input features the page shows and feeds, in its order (hidden ones are gone)."""
        return [name for name, _p in FEATURES if self.features.get(name) and name not in self.hidden]


_OBJECTS = {"activation": ("activation", tuple(ACTIVATIONS)),
            "regularization": ("regularization", REGULARIZATIONS),
            "dataset": ("dataset", CLASSIFY), "regDataset": ("reg_dataset", REGRESS),
            "problem": ("problem", (CLASSIFICATION, REGRESSION))}
_NUMBERS = {"batchSize": "batch_size", "learningRate": "learning_rate",
            "regularizationRate": "regularization_rate", "noise": "noise",
            "percTrainData": "perc_train"}
_BOOLS = {"discretize": "discretize", "initZero": "init_zero"}


def _hash_of(url: str) -> str:
    url = url.strip()
    if "#" in url:
        return url.split("#", 1)[1]
    if "=" in url and "://" not in url:
        return url   # the hash alone, pasted without the address
    raise TfpError(_("{url}: not a TensorFlow Playground link (its settings follow a '#')").format(
        url=url[:80]))


def _number(key: str, text: str) -> float:
    """JavaScript's unary + on the text, refusing what it would turn into NaN."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise TfpError(_("TensorFlow Playground link: {key}={value} is not a number").format(
            key=key, value=text))
    return value


def parse_url(url: str) -> TfpState:
    """The state of a TensorFlow Playground link, read as its State.deserializeState reads
    it: unknown keys and unknown names (``dataset=foo``) are ignored there and here; a
    number that is not one is refused (TensorFlow Playground would compute with NaN)."""
    values = {}
    for pair in _hash_of(url).split("&"):   # as its `let [name, value] = keyvalue.split("=")`;
        parts = pair.split("=")               # nothing is URL-decoded there, so neither here
        values[parts[0]] = parts[1] if len(parts) > 1 else ""   # (a seed's "%20" seeds as is)
    state = TfpState()

    def given(name):
        return name in values and values[name].strip() != ""

    for key, (attr, names) in _OBJECTS.items():
        if given(key) and values[key] in names:
            setattr(state, attr, values[key])
    for key, attr in _NUMBERS.items():
        if given(key):
            setattr(state, attr, _number(key, values[key]))
    for key, attr in _BOOLS.items():
        if given(key):
            setattr(state, attr, values[key] != "false")
    for key, _p in FEATURES + tuple((k, None) for k in UNUSED_FEATURES):
        if given(key):
            state.features[key] = values[key] != "false"
    if given("seed"):
        state.seed = values["seed"]
    if "networkShape" in values:
        text = values["networkShape"].strip()
        shape = [_number("networkShape", v) for v in text.split(",")] if text else []
        if any(n < 1 or n != int(n) for n in shape):
            raise TfpError(_("TensorFlow Playground link: networkShape={value} must list whole numbers "
                             "of neurons, at least 1 each").format(value=values["networkShape"]))
        state.network_shape = [int(n) for n in shape]
    state.hidden = {k[:-len("_hide")] for k, v in values.items() if k.endswith("_hide") and v == "true"}
    # makeGUI: the noise slider goes to 80 at most; beyond that the page sets 50
    if state.noise > 80:
        state.noise = 50.0
    state.noise = max(state.noise, 0.0)
    if not state.inputs:
        raise TfpError(_("TensorFlow Playground link: no input feature is switched on "
                         "(x, y, xSquared, ySquared, xTimesY, sinX, sinY)"))
    sizes = [len(state.inputs), *state.network_shape, 1]
    links = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if links > MAX_WEIGHTS:
        raise TfpError(_("TensorFlow Playground link: networkShape={value} makes {n} weights, more than the "
                         "{most} an import draws (its page offers up to 6 hidden layers of 8 neurons)").format(
            value=values["networkShape"], n=f"{links:,}", most=f"{MAX_WEIGHTS:,}"))
    if state.seed is None:   # the page draws one too: say which, so the file is reproducible
        state.seed = f"{random.random():.5f}"
    return state


# ---------------------------------------------------------------- the generators (dataset.ts)
def _linear_scale(d0, d1, r0, r1, clamp=False):
    """d3.scale.linear (d3 3.5) from domain [d0, d1] to range [r0, r1]."""
    def scale(x):
        t = (x - d0) / (d1 - d0)
        if clamp:
            t = max(0.0, min(1.0, t))
        return r0 * (1 - t) + r1 * t
    return scale


class _Draws:
    """Math.random after Math.seedrandom(seed), with dataset.ts's two samplers."""

    def __init__(self, seed: str):
        self.random = SeedRandom(seed).random

    def uniform(self, a, b):
        return self.random() * (b - a) + a

    def normal(self, mean, variance):
        while True:   # Marsaglia's polar method, as normalRandom
            v1 = 2 * self.random() - 1
            v2 = 2 * self.random() - 1
            s = v1 * v1 + v2 * v2
            if s <= 1:
                break
        return mean + math.sqrt(variance) * (math.sqrt(-2 * math.log(s) / s) * v1)


def _distance(x, y, cx, cy):
    dx, dy = x - cx, y - cy   # as dataset.ts's dist: math.hypot may differ in the last bit
    return math.sqrt(dx * dx + dy * dy)


def _classify_circle(r, n, noise):
    radius, points = 5.0, []
    for lo, hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        for _i in range(math.ceil(n / 2)):
            rr, angle = r.uniform(lo, hi), r.uniform(0, 2 * math.pi)
            x, y = rr * math.sin(angle), rr * math.cos(angle)
            nx, ny = r.uniform(-radius, radius) * noise, r.uniform(-radius, radius) * noise
            inside = _distance(x + nx, y + ny, 0, 0) < radius * 0.5
            points.append((x, y, 1.0 if inside else -1.0))
    return points


def _classify_xor(r, n, noise):
    points = []
    for _i in range(n):
        x = r.uniform(-5, 5)
        x += 0.3 if x > 0 else -0.3
        y = r.uniform(-5, 5)
        y += 0.3 if y > 0 else -0.3
        nx, ny = r.uniform(-5, 5) * noise, r.uniform(-5, 5) * noise
        points.append((x, y, 1.0 if (x + nx) * (y + ny) >= 0 else -1.0))
    return points


def _classify_gauss(r, n, noise):
    variance = _linear_scale(0, 0.5, 0.5, 4)(noise)
    points = []
    for centre, label in ((2, 1.0), (-2, -1.0)):
        for _i in range(math.ceil(n / 2)):
            x = r.normal(centre, variance)
            points.append((x, r.normal(centre, variance), label))
    return points


def _classify_spiral(r, n, noise):
    half, points = n / 2, []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        for i in range(math.ceil(half)):
            radius = i / half * 5
            t = 1.75 * i / half * 2 * math.pi + delta
            x = radius * math.sin(t) + r.uniform(-1, 1) * noise
            points.append((x, radius * math.cos(t) + r.uniform(-1, 1) * noise, label))
    return points


def _regress(label):
    def generate(r, n, noise):
        points = []
        for _i in range(n):
            x, y = r.uniform(-6, 6), r.uniform(-6, 6)
            nx, ny = r.uniform(-6, 6) * noise, r.uniform(-6, 6) * noise
            points.append((x, y, label(x + nx, y + ny)))
        return points
    return generate


_plane_scale = _linear_scale(-10, 10, -1, 1)
_gauss_scale = _linear_scale(0, 2, 1, 0, clamp=True)
_GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _gauss_label(x, y):
    label = 0.0
    for cx, cy, sign in _GAUSSIANS:   # the bump largest in absolute value wins
        value = sign * _gauss_scale(_distance(x, y, cx, cy))
        if abs(value) > abs(label):
            label = value
    return label


GENERATORS = {"circle": _classify_circle, "xor": _classify_xor, "gauss": _classify_gauss,
              "spiral": _classify_spiral, "reg-plane": _regress(lambda x, y: _plane_scale(x + y)),
              "reg-gauss": _regress(_gauss_label)}


@dataclass
class Generated:
    """What the page holds after loading: points as rows (x1, x2, label), train rows first."""
    points: np.ndarray      # (N, 3) float64, in the page's order: train then test
    n_train: int
    weights: list           # per layer: (out, in) float64 array
    biases: list            # per layer: (out,) float64 array


def generate(generator: str, seed: str, noise_percent: float, perc_train: float,
             problem: str, shape: list | None = None, init_zero: bool = False) -> Generated:
    """The page's points (generateData) and, for ``shape`` = [inputs, hidden..., 1], the
    initial weights and biases (reset -> nn.buildNetwork), drawn from one stream."""
    r = _Draws(seed)
    points = GENERATORS[generator](r, SAMPLES[problem], noise_percent / 100)
    for counter in range(len(points), 0, -1):   # dataset.ts's shuffle
        index = math.floor(r.random() * counter)
        points[counter - 1], points[index] = points[index], points[counter - 1]
    n_train = math.floor(len(points) * perc_train / 100)
    weights, biases = [], []
    for fan_in, fan_out in zip((shape or [])[:-1], (shape or [])[1:]):
        w = np.array([[r.random() - 0.5 for _j in range(fan_in)] for _i in range(fan_out)])
        weights.append(np.zeros_like(w) if init_zero else w)   # drawn all the same
        biases.append(np.full(fan_out, 0.0 if init_zero else 0.1))
    return Generated(np.array(points, dtype=np.float64).reshape(-1, 3), n_train, weights, biases)


def page(state: TfpState) -> Generated:
    shape = [len(state.inputs), *state.network_shape, 1]
    return generate(state.generator, state.seed, state.noise, state.perc_train, state.problem,
                    shape, state.init_zero)


# ---------------------------------------------------------------- the datasets
#: our dataset names, one per task (a registered dataset has one task)
DATASET_NAMES = {CLASSIFICATION: "tensorflow-playground", REGRESSION: "tensorflow-playground-regression"}


def _options(choices):
    return (ParamSpec("dataset", "choice", choices[0], "TensorFlow Playground's data set", choices=choices),
            ParamSpec("noise", "float", 0.0, "noise in percent, as its slider (0 to 80)", min=0, max=80),
            ParamSpec("tfp_seed", "str", "0.12345", "the link's seed (text, e.g. 0.12345)"),
            ParamSpec("train_percent", "float", 50.0, "ratio of training to test data, in percent",
                      min=0, max=100),
            ParamSpec("seed", "int", 0, "0: the link's own points; another number: new points, as "
                      "its regenerate button gives", min=0))


def _points(problem, dataset, noise, tfp_seed, train_percent, seed) -> Dataset:
    name = DATASET_NAMES[problem]
    stream = tfp_seed if seed == 0 else f"{tfp_seed}/{seed}"
    g = generate(dataset, stream, noise, train_percent, problem)
    x, label = g.points[:, :2].astype(np.float32), g.points[:, 2]
    if problem == CLASSIFICATION:   # its labels are -1/+1: class indices here (the Target shows -1/+1)
        y = (label > 0).astype(np.int64)
    else:
        y = label.astype(np.float32)[:, None]
    n = g.n_train
    if n == 0 or n == len(x):
        raise DataError(_("dataset {name}: train_percent {p} leaves no training or no test point").format(
            name=name, p=train_percent))
    return Dataset(name, problem, x[:n], y[:n], x[n:], y[n:],
                   n_classes=2 if problem == CLASSIFICATION else None, extent=((-6.0, 6.0), (-6.0, 6.0)),
                   description=f"TensorFlow Playground's {dataset}, seed {tfp_seed}, noise {noise:g} %")


@register(DATASET_NAMES[CLASSIFICATION], "2-D classification", CLASSIFICATION,
          "the points TensorFlow Playground generates for a link (circle, xor, gauss, spiral): "
          "its noise, seed and split, point for point", *_options(CLASSIFY))
def tensorflow_playground(dataset, noise, tfp_seed, train_percent, seed):
    return _points(CLASSIFICATION, dataset, noise, tfp_seed, train_percent, seed)


@register(DATASET_NAMES[REGRESSION], "2-D regression", REGRESSION,
          "the points TensorFlow Playground generates for a regression link (reg-plane, "
          "reg-gauss): its noise, seed and split, point for point", *_options(REGRESS))
def tensorflow_playground_regression(dataset, noise, tfp_seed, train_percent, seed):
    return _points(REGRESSION, dataset, noise, tfp_seed, train_percent, seed)


# ---------------------------------------------------------------- the graph
def to_document(state: TfpState, url: str = "") -> tuple:
    """(.nnpg document as a dict, {weight name: array}) for ``state``."""
    g = page(state)
    nodes, edges = [], []
    x = 0.0

    def add(node_id, type_, params=None, label=None):
        nonlocal x
        node = {"id": node_id, "type": type_, "params": params or {}, "pos": [x, 0.0]}
        if label:
            node["label"] = label
        nodes.append(node)
        x += 170.0
        return node_id

    def wire(src, dst, port="input"):
        edges.append({"src": src, "src_port": "out", "dst": dst, "dst_port": port})

    previous = add("x", "Input")
    features = {p: name in state.inputs for name, p in FEATURES}
    wire(previous, add("features", "PlaneFeatures", features, "features"))
    previous, width, weights = "features", len(state.inputs), {}
    sizes = [*state.network_shape, 1]
    activation = ACTIVATIONS[state.activation]
    for k, size in enumerate(sizes):
        last = k == len(sizes) - 1
        name = "output" if last else f"layer{k + 1}"
        wire(previous, add(name, "Linear", {"in_features": width, "out_features": size},
                           "output" if last else f"hidden layer {k + 1}"))
        weights[f"{name}.weight"] = g.weights[k]
        weights[f"{name}.bias"] = g.biases[k]
        previous, width = name, size
        act = ("Tanh" if state.problem == CLASSIFICATION else None) if last else activation
        if act:
            act_id = f"{name}_{act.lower()}"
            wire(previous, add(act_id, act))
            previous = act_id
    target = add("y", "Target", {"kind": "signed"} if state.problem == CLASSIFICATION else {})
    cost = add("cost", "MSELoss")
    wire(previous, cost)
    wire(target, cost, "target")
    nodes[-2]["pos"] = [nodes[-1]["pos"][0] - 170.0, 100.0]
    optimizer = {"name": "SGD", "lr": state.learning_rate / 2}
    if state.regularization == "L2" and state.regularization_rate:
        optimizer["weight_decay"] = state.regularization_rate
    settings = {
        "description": f"Imported from TensorFlow Playground: {url}" if url else
        "Imported from TensorFlow Playground",
        "dataset": {"name": DATASET_NAMES[state.problem], "dataset": state.generator, "noise": state.noise,
                    "tfp_seed": state.seed, "train_percent": state.perc_train},
        "optimizer": optimizer,
        "batch_size": max(1, int(state.batch_size)),
        "seed": 0,
        "steps": 1000,
        "probe_every": 10,
    }
    doc = {"format": "nn-playground", "version": 2,
           "graph": {"nodes": nodes, "edges": edges, "modules": [], "settings": settings, "view": {}},
           "lesson": _lesson(state, url)}
    return doc, {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}


def _lesson(state: TfpState, url: str) -> dict:
    notes_en, notes_it = [], []
    if state.regularization == "L1" and state.regularization_rate:
        notes_en.append("The link asks for L1 regularisation, which this file does not apply: "
                        "add it yourself or compare without it.")
        notes_it.append("Il link chiede la regolarizzazione L1, che questo file non applica: "
                        "aggiungila tu o confronta senza.")
    if state.regularization == "L2" and state.regularization_rate:
        notes_en.append("L2 regularisation becomes the optimizer's weight decay; here it also "
                        "shrinks the biases, which TensorFlow Playground leaves alone.")
        notes_it.append("La regolarizzazione L2 diventa il weight decay dell'ottimizzatore; qui "
                        "riduce anche i bias, che TensorFlow Playground lascia stare.")
    if any(state.features.get(k) for k in UNUSED_FEATURES):
        notes_en.append("cos x1 and cos x2 are in the link but not on TensorFlow Playground's page, "
                        "so neither there nor here do they feed the network.")
        notes_it.append("cos x1 e cos x2 sono nel link ma non nella pagina di TensorFlow Playground: "
                        "né lì né qui entrano nella rete.")
    en = ("This network, its data points and its initial weights are the ones TensorFlow "
          "Playground shows for the link on a fresh page: the same seed draws the same points, "
          "the same shuffle and split, the same weights (biases start at 0.1).\n\n"
          "Training differs in the details. TensorFlow Playground runs through the training "
          "points in the same order every epoch and updates every batch with the mean "
          "gradient of ½(output − target)²; here the batches are shuffled each epoch and the "
          "cost is the mean squared error (output − target)², twice as large, so the learning "
          "rate is halved to take the same steps. Its regularisation step comes after the "
          "gradient step; here it is part of the optimizer.")
    it = ("Questa rete, i suoi punti e i suoi pesi iniziali sono quelli che TensorFlow Playground "
          "mostra per il link in una pagina appena aperta: lo stesso seme estrae gli stessi punti, "
          "lo stesso mescolamento e la stessa divisione, gli stessi pesi (i bias partono da 0.1).\n\n"
          "L'addestramento differisce nei dettagli. TensorFlow Playground percorre i punti di "
          "addestramento nello stesso ordine a ogni epoca e aggiorna a ogni batch con il gradiente "
          "medio di ½(uscita − obiettivo)²; qui i batch sono mescolati a ogni epoca e la funzione "
          "di costo è l'errore quadratico medio (uscita − obiettivo)², il doppio, perciò il passo "
          "di apprendimento è dimezzato per fare gli stessi passi. Il suo passo di "
          "regolarizzazione viene dopo quello del gradiente; qui fa parte dell'ottimizzatore.")
    if notes_en:
        en += "\n\n" + " ".join(notes_en)
        it += "\n\n" + " ".join(notes_it)
    what = state.generator
    return {
        "chapter": "mlp", "order": 100,
        "title": {"en": f"From TensorFlow Playground: {what}", "it": f"Da TensorFlow Playground: {what}"},
        "summary": {"en": "A TensorFlow Playground link, opened here with the same points and weights.",
                    "it": "Un link di TensorFlow Playground, aperto qui con gli stessi punti e pesi."},
        "panels": [{"panel": "boundary"}, {"panel": "loss"}],
        "pages": [{"text": {"en": en, "it": it}, "actions": [{"do": "train", "steps": 100}]}],
        "goals": [],
    }


def import_url(url: str, path) -> TfpState:
    """Write the graph file ``path`` (and its weights beside it) for a link; the state read."""
    import json  # noqa: PLC0415

    from ..graph import fileformat  # noqa: PLC0415

    state = parse_url(url)
    doc, weights = to_document(state, url.strip())
    graph = fileformat.loads(json.dumps(doc), source=str(path))
    fileformat.save(graph, path, weights)
    return state
