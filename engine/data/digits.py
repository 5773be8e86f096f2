"""8x8 handwritten-style digits from assets/datasets/digits.npz (made by make_digits.py).

Features are the 0..16 ink counts divided by 16 (float32 in [0, 1]); ``layout="flat"``
gives (N, 64) for an MLP, ``layout="image"`` gives (N, 1, 8, 8) for Conv2d.
"""
from __future__ import annotations

import numpy as np

from .assets import asset_path
from .base import CLASSIFICATION, make
from .registry import SEED, ParamSpec, register, test_fraction

DIGITS_FILE = ("datasets", "digits.npz")


def load_digit_arrays():
    """(images uint8 (1797, 8, 8) in 0..16, labels int64 (1797,)) straight from the file."""
    with np.load(asset_path(*DIGITS_FILE), allow_pickle=False) as data:
        return data["images"], data["labels"].astype(np.int64)


@register("digits", "Images", CLASSIFICATION,
          "1797 handwritten-style 8x8 digits 0-9, drawn by our own generator (make_digits.py)",
          ParamSpec("layout", "choice", "flat", "flat (N, 64) for an MLP, image (N, 1, 8, 8) for Conv2d",
                    choices=("flat", "image")),
          test_fraction(0.25), SEED)
def digits(layout, test_fraction, seed):
    images, labels = load_digit_arrays()
    x = images.astype(np.float32) / 16.0
    x = x.reshape(len(x), 64) if layout == "flat" else x[:, None, :, :]
    return make("digits", CLASSIFICATION, x, labels, test_fraction=test_fraction,
                rng=np.random.default_rng(seed), n_classes=10,
                class_names=tuple(str(d) for d in range(10)),
                description="8x8 ink counts scaled to [0, 1]; generated, not downloaded.")
