"""torch.utils.data: datasets that index like lists and a DataLoader that batches them, so
student code written for PyTorch (``DataLoader(TensorDataset(x, y), batch_size=32,
shuffle=True)``) runs on the engine unchanged.

Shuffling draws from the engine's generator (``engine.manual_seed`` or ``generator=``), so
runs are reproducible; the order is not PyTorch's own, only its semantics (a fresh
permutation each pass).
"""
import math
import numbers

import numpy

from .. import backend
from ..autograd import Tensor
from ..ops import stack, tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate"]


class Dataset:
    """Anything with ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; all tensors share their first size."""

    def __init__(self, *tensors):
        if not tensors or any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping Subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:   # fractions, as torch reads them
        lengths = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(lengths)):  # torch hands the remainder out round-robin
            lengths[i % len(lengths)] += 1
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = (generator or backend.default_generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + length]))
        start += length
    return out


def default_collate(batch):
    """Stack a list of samples the way torch's default_collate does: tensors and arrays are
    stacked on a new first axis, numbers become a 1-D tensor, tuples/lists/dicts collate
    field by field."""
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, numpy.ndarray):
        return tensor(numpy.stack(batch))
    if isinstance(first, bool) or isinstance(first, numbers.Integral):
        return tensor(numpy.array(batch, dtype=numpy.int64))
    if isinstance(first, numbers.Real):
        return tensor(numpy.array(batch, dtype=numpy.float64))
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return fields if isinstance(first, list) else tuple(fields)
    return batch


class DataLoader:
    """Iterate over a dataset in batches: ``for x, y in DataLoader(ds, batch_size=32,
    shuffle=True)``. ``batch_size=None`` yields single samples without collating."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False,
                 collate_fn=None, generator=None):
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last, self.generator = drop_last, generator
        self.collate_fn = collate_fn or default_collate

    def _order(self):
        n = len(self.dataset)
        if self.shuffle:
            return (self.generator or backend.default_generator).permutation(n)
        return numpy.arange(n)

    def __iter__(self):
        order = self._order()
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate:
                yield self.dataset[idx]  # one fancy-indexing gather equals stacking the rows
            else:
                yield self.collate_fn([self.dataset[i] for i in idx.tolist()])

    def __len__(self):
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
