"""Sequence datasets, batch first: x has shape (N, T, F) (or (N, T) int64 for ``index``
encoding of text), one sample per sequence.

- ``sine-sequence``: a window of T noisy samples of a sine -> the next clean value, (N, 1).
- ``delay-copy``: copy the number marked at step 0 to the output after ``delay`` steps
  of distracting numbers in the same channel. The LSTM-beats-RNN task (see below).
- ``delay-recall``: the same memory test with a symbol (a class) instead of a number.
- ``parity``: a sequence of bits -> their parity (class 0 even, 1 odd).
- ``reverse``: a sequence of numbers -> the same numbers in reverse order, (N, T, 1): the
  Transformer lesson's task, where output i must look at input T-1-i (an attention pattern).
- ``chars``: a window of characters of a small corpus -> the next character.

Why ``delay-copy`` separates LSTM from RNN: the network must latch a real number when
the marker is on, ignore ``delay`` further values in the same channel, and give the number
back. An LSTM does exactly that with its gates: input gate open only on the marker,
forget gate near 1, and the cell holds the value unchanged (a perfect integrator). A
tanh RNN has no gate: every step rewrites its state, and the gradient that would teach
it to keep the value vanishes through the ``delay`` tanh steps.
Recipe (the test ``tests/engine/test_data.py::test_delay_copy_lstm_beats_rnn`` trains it
on 3 seeds): hidden 16, Adam lr 0.01, batch 32, 300 steps, clip_grad_norm_ 1.0, MSE on
the last output, and the LSTM's forget-gate bias set to ln(delay) with
``engine.nn.init.lstm_forget_bias_`` (the "chrono" initialisation of Tallec & Ollivier,
2018; PyTorch's default LSTM init is uniform, around 0, so its forget gate starts at
0.5 and, in our runs, learns this task no better than the RNN). At delay 30 the LSTM
reached a test MSE of at most 0.002 on each of 8 seeds, the RNN 0.08 to 0.36 (predicting
0 scores 1/3); given four times the steps the RNN still failed on 2 of 3 seeds. On ``delay-recall`` (a categorical memory) a plain RNN
trained with Adam is often as good at short delays: it can hold a few discrete states.
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


@register("delay-copy", _SEQ, REGRESSION,
          "output the number marked at step 0 after `delay` distractor numbers; an LSTM with "
          "forget-gate bias ln(delay) beats a plain RNN",
          n_samples(1000), ParamSpec("delay", "int", 30, "steps between the marked number and the answer",
                                     min=1, max=200),
          ParamSpec("distractors", "bool", True, "fill the delay with random numbers (else zeros)"),
          test_fraction(0.2), SEED)
def delay_copy(n_samples, delay, distractors, test_fraction, seed):
    rng = np.random.default_rng(seed)
    steps = delay + 1
    x = np.zeros((n_samples, steps, 2), dtype=np.float32)   # channel 0 value, channel 1 marker
    value = rng.uniform(-1.0, 1.0, size=n_samples)
    x[:, 0, 0], x[:, 0, 1] = value, 1.0
    if distractors:
        x[:, 1:, 0] = rng.uniform(-1.0, 1.0, size=(n_samples, delay))
    return make("delay-copy", REGRESSION, x, value, test_fraction=test_fraction, rng=rng,
                description=f"x (N, {steps}, 2): channel 0 a number in [-1, 1], channel 1 marks "
                            f"step 0; y (N, 1) = the marked number. Predicting 0 scores MSE 1/3.")


@register("delay-recall", _SEQ, CLASSIFICATION,
          "remember the symbol marked at step 0 through `delay` distractor steps",
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


@register("reverse", _SEQ, REGRESSION,
          "give back a sequence of numbers in reverse order (output i is input length-1-i)",
          n_samples(1000), ParamSpec("length", "int", 6, "numbers per sequence", min=2, max=64),
          test_fraction(0.2), SEED)
def reverse(n_samples, length, test_fraction, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, length, 1))
    return make("reverse", REGRESSION, x, x[:, ::-1], test_fraction=test_fraction, rng=rng,
                description=f"x (N, {length}, 1) numbers in [-1, 1] -> y (N, {length}, 1) the same "
                            f"reversed. Predicting 0 scores MSE 1/3.")


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
