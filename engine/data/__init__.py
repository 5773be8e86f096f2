"""Datasets: seeded, deterministic, host NumPy arrays (float32 features).

    from engine.data import load_dataset, DATASETS, DataLoader
    ds = load_dataset("spiral", noise=0.1, seed=3)
    ds.x_train.shape, ds.y_train.dtype          # (250, 2), int64
    for xb, yb in DataLoader(ds, batch_size=10, seed=0): ...

``DATASETS`` maps each name to a DatasetSpec (group, task, help, and the ParamSpec of
every option) for UIs; ``load_dataset(name, **options)`` builds one and raises
ValueError naming the bad name/option. Shapes (N samples, batch first):

======================  ======================  ==========================================
name                    x                       y
======================  ======================  ==========================================
circle xor gauss        (N, 2) float32          (N,) int64 class 0/1
spiral moons
reg-plane reg-gauss     (N, 2) float32          (N, 1) float32
sin step abs polynomial (N, 1) float32 in [-1,1] (N, 1) float32
line
logic                   (2^k*repeat, k) float32 (2^k*repeat,) int64; k = the gate's inputs
                        (1 for NOT, 3 for XOR3, else 2); test = the 2^k-row table
digits                  (N, 64) or (N,1,8,8)    (N,) int64 0..9; x in [0, 1]
sine-sequence           (N, T, 1) float32       (N, 1) float32 (the next value)
delay-copy              (N, delay+1, 2)         (N, 1) float32 the marked number
delay-recall            (N, delay+1, S+1)       (N,) int64 symbol 0..S-1
parity                  (N, L, 1) float32 bits  (N,) int64 0 even / 1 odd
chars                   (N, T, V) float32 or    (N,) int64 next character
                        (N, T) int64 (index)
file                    (N, F) float32          (N,) int64 or (N, 1) float32
karate citation         (N, F) float32, both    (N,) int64; one graph (Dataset.graph): each
                        splits = every node     node's class in one split, -100 in the other
======================  ======================  ==========================================

``class_targets`` / ``Dataset.with_targets`` turn class indices into 0/1 or -1/+1
floats (N, 1) or one-hot rows, for BCE, MSE, hinge losses and the perceptron.
"""
from .assets import asset_path
from .base import (CLASSIFICATION, REGRESSION, TARGET_KINDS, Dataset, DataError, class_targets,
                   split)
from .loader import DataLoader
from .registry import DATASETS, GROUPS, DatasetSpec, from_settings, load_dataset, resolve_options

# Importing the builders registers them (order = the order a UI lists them).
from .synthetic import (GATES, abs_, circle, gauss, line, logic, moons, polynomial,  # noqa: E402
                        reg_gauss, reg_plane, sin, spiral, step, xor)
from .digits import digits, load_digit_arrays  # noqa: E402
from .sequences import CharVocab, chars, delay_copy, delay_recall, load_corpus, parity, sine_sequence  # noqa: E402
from .userdata import load_csv, load_file, load_npz  # noqa: E402
from . import generative, graphs, pde  # noqa: E402,F401 - the later chapters' data
from ..interop import tfp as _tfp  # noqa: E402,F401 - registers "tensorflow-playground"

__all__ = [
    "CLASSIFICATION", "REGRESSION", "TARGET_KINDS", "Dataset", "DataError", "class_targets", "split",
    "DataLoader", "DATASETS", "GROUPS", "DatasetSpec", "load_dataset", "from_settings",
    "resolve_options", "asset_path", "GATES", "circle", "xor", "gauss", "spiral", "moons",
    "reg_plane", "reg_gauss", "sin", "step", "abs_", "polynomial", "line", "logic", "digits",
    "load_digit_arrays", "CharVocab", "chars", "delay_copy", "delay_recall", "load_corpus", "parity",
    "sine_sequence", "load_csv", "load_file", "load_npz",
]
