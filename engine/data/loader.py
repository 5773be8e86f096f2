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
        self._epoch_rng = self.rng.bit_generator.state if shuffle else None
        self.position = 0   # batches handed out of the current epoch

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        """One epoch's batches (its order is drawn with the first batch)."""
        self._epoch_rng = self.rng.bit_generator.state if self.shuffle else None
        self.position = 0
        return self._epoch(0)

    def _epoch(self, start: int):
        x, y = self.x, self.y
        if self.shuffle:
            order = self.rng.permutation(len(x))
            xp = backend.array_module(x)
            if xp is not np:
                order = xp.asarray(order)
            x, y = x[order], y[order]
        b = self.batch_size
        for first in range(start * b, len(self) * b, b):
            self.position += 1
            yield x[first:first + b], y[first:first + b]

    def state(self) -> dict:
        """Where the current epoch is: the shuffling generator's state when it began and
        the batches handed out since (plain data; see :meth:`resume`)."""
        return {"rng": self._epoch_rng, "position": self.position, "batch_size": self.batch_size}

    def resume(self, state: dict):
        """The rest of the epoch ``state`` describes, as an iterator: the same batches, in
        the same order, as the epoch it was taken from would still have handed out."""
        self.batch_size = int(state["batch_size"])
        if state["rng"] is not None:
            self.rng.bit_generator.state = state["rng"]
        self._epoch_rng = state["rng"]
        self.position = int(state["position"])
        return self._epoch(self.position)
