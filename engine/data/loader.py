"""DataLoader: (x, y) mini-batches over a Dataset split or a pair of arrays.

No per-sample Python work: each epoch draws one permutation, gathers the arrays once in
that order, and yields contiguous slices. With ``device="gpu"`` the arrays are moved to
the GPU once, at construction, and batches are sliced there.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .base import Dataset


class DataLoader:
    def __init__(self, data, batch_size: int = 32, shuffle: bool = True, seed: int | None = 0,
                 drop_last: bool = False, device: str | None = None, split: str = "train"):
        """``data``: a Dataset (``split`` "train" or "test" picks its arrays) or an (x, y) pair.

        ``seed`` seeds the shuffling; successive epochs use successive permutations of one
        generator, so a run is reproducible and epochs still differ.
        """
        if isinstance(data, Dataset):
            if split not in ("train", "test"):
                raise ValueError(f"split must be 'train' or 'test', not {split!r}")
            x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        else:
            try:
                x, y = data
            except (TypeError, ValueError):
                raise TypeError("DataLoader needs a Dataset or an (x, y) pair of arrays") from None
        if len(x) != len(y):
            raise ValueError(f"x and y have different lengths ({len(x)} and {len(y)})")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
        if device is not None:
            x, y = backend.to_device(x, device), backend.to_device(y, device)
        self.x, self.y = x, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        x, y = self.x, self.y
        if self.shuffle:
            order = self.rng.permutation(len(x))
            xp = backend.array_module(x)
            if xp is not np:
                order = xp.asarray(order)
            x, y = x[order], y[order]
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield x[start:start + self.batch_size], y[start:start + self.batch_size]
