"""Sequence datasets, batch first: x has shape (N, T, F) (or (N, T) int64 for ``index``
encoding of text), one sample per sequence.

- ``sine-sequence``: a window of T noisy samples of a sine -> the next clean value, (N, 1).
- ``delay-recall``: remember the symbol shown at step 0 through ``delay`` steps of
  distracting symbols, then classify it at the end. A plain RNN forgets (vanishing
  gradients through the distractors); an LSTM's gates can hold it.
- ``parity``: a sequence of bits -> their parity (class 0 even, 1 odd).
- ``chars``: a window of characters of a small corpus -> the next character.
"""
from __future__ import annotations

import numpy as np

from .assets import asset_path
from .base import CLASSIFICATION, REGRESSION, make
from .registry import SEED, ParamSpec, n_samples, noise, register, test_fraction

_SEQ = "Sequences"
CORPUS_FILE = ("datasets", "corpus.txt")


@register("sine-sequence", _SEQ, REGRESSION,
          "predict the next value of a sine from the last `window` samples; frequency and phase vary",
          n_samples(500), ParamSpec("window", "int", 20, "time steps per input sequence", min=2, max=200),
          noise(help="standard deviation of Gaussian noise on the inputs (the target is clean)"),
          test_fraction(0.2), SEED)
def sine_sequence(n_samples, window, noise, test_fraction, seed):
    rng = np.random.default_rng(seed)
    omega = rng.uniform(0.15, 0.45, size=(n_samples, 1))        # radians per step
    phase = rng.uniform(0, 2 * np.pi, size=(n_samples, 1))
    wave = np.sin(omega * np.arange(window + 1) + phase)
    x = wave[:, :window] + rng.normal(0.0, 1.0, size=(n_samples, window)) * noise
    return make("sine-sequence", REGRESSION, x[:, :, None], wave[:, window:], test_fraction=test_fraction,
                rng=rng, description=f"x (N, {window}, 1) -> next value (N, 1); 0.15-0.45 rad per step.")


@register("delay-recall", _SEQ, CLASSIFICATION,
          "remember the symbol marked at step 0 through `delay` distractor steps; LSTM beats RNN",
          n_samples(1000), ParamSpec("delay", "int", 20, "steps between the symbol and the answer",
                                     min=1, max=100),
          ParamSpec("n_symbols", "int", 4, "how many different symbols (classes)", min=2, max=16),
          ParamSpec("distractors", "bool", True, "fill the delay with random symbols (else zeros)"),
          test_fraction(0.2), SEED)
def delay_recall(n_samples, delay, n_symbols, distractors, test_fraction, seed):
    rng = np.random.default_rng(seed)
    steps = delay + 1
    symbols = rng.integers(0, n_symbols, size=(n_samples, steps))
    x = np.eye(n_symbols + 1, dtype=np.float32)[symbols]      # one-hot; last channel = marker
    if not distractors:
        x[:, 1:] = 0.0
    x[:, 0, n_symbols] = 1.0                                 # "remember this one"
    return make("delay-recall", CLASSIFICATION, x, symbols[:, 0], test_fraction=test_fraction, rng=rng,
                n_classes=n_symbols,
                description=f"x (N, {steps}, {n_symbols + 1}) one-hot symbols, channel {n_symbols} marks "
                            f"step 0; the class is the symbol at step 0.")


@register("parity", _SEQ, CLASSIFICATION,
          "the parity of a sequence of bits (class 1 when the number of ones is odd)",
          n_samples(1000), ParamSpec("length", "int", 8, "bits per sequence", min=1, max=64),
          test_fraction(0.2), SEED)
def parity(n_samples, length, test_fraction, seed):
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n_samples, length))
    return make("parity", CLASSIFICATION, bits[:, :, None], bits.sum(axis=1) % 2,
                test_fraction=test_fraction, rng=rng, n_classes=2,
                description=f"x (N, {length}, 1) bits 0/1 -> parity.")


class CharVocab:
    """Characters <-> indices. ``chars`` is the sorted alphabet; index i is chars[i]."""

    def __init__(self, chars):
        self.chars = "".join(sorted(set(chars)))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text):
        return cls(text)

    def __len__(self):
        return len(self.chars)

    def encode(self, text) -> np.ndarray:
        """int64 indices; KeyError-free: unknown characters raise ValueError naming them."""
        missing = sorted(set(text) - self.index.keys())
        if missing:
            raise ValueError(f"characters not in the vocabulary: {''.join(missing)!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, indices) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(indices).reshape(-1))

    def one_hot(self, indices) -> np.ndarray:
        """float32 (..., len(vocab)) one-hot rows."""
        return np.eye(len(self.chars), dtype=np.float32)[np.asarray(indices)]


def load_corpus() -> str:
    return asset_path(*CORPUS_FILE).read_text(encoding="utf-8")


@register("chars", _SEQ, CLASSIFICATION,
          "next-character prediction on a small English corpus shipped with the app",
          ParamSpec("window", "int", 16, "characters of context per sample", min=1, max=128),
          ParamSpec("encoding", "choice", "onehot",
                    "onehot: x (N, T, V) float32 for RNN/LSTM; index: x (N, T) int64 for Embedding",
                    choices=("onehot", "index")),
          test_fraction(0.1), SEED)
def chars(window, encoding, test_fraction, seed):
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    codes = vocab.encode(text)
    starts = np.arange(len(codes) - window)
    x = codes[starts[:, None] + np.arange(window)]
    y = codes[starts + window]
    if encoding == "onehot":
        x = vocab.one_hot(x)
    return make("chars", CLASSIFICATION, x, y, test_fraction=test_fraction,
                rng=np.random.default_rng(seed), n_classes=len(vocab), x_dtype=x.dtype,
                class_names=tuple(vocab.chars), vocab=vocab,
                description=f"{len(codes)} characters, vocabulary of {len(vocab)}; "
                            f"x = {window} characters, y = the next one.")
