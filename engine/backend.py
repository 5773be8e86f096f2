"""Array backend: NumPy on the CPU, CuPy on a GPU, behind one name, ``xp``.

Op implementations receive arrays and ask :func:`array_module` for the module that
owns them, so the same code runs on either device. ``numpy`` is imported here only
for host-side bookkeeping (device transfers, dtype constants).
"""
from __future__ import annotations

import numpy

from .i18n import N_, _

#: The module of the default device. Ops should prefer ``array_module(arr)``.
xp = numpy

#: Training runs in float32; gradient checks ask for float64 explicitly.
DEFAULT_DTYPE = numpy.float32

_cupy = None
_cupy_error: str | None = None
_cupy_checked = False


def _load_cupy():
    """Import CuPy once and check that it sees a device; remember why not otherwise."""
    global _cupy, _cupy_error, _cupy_checked
    if _cupy_checked:
        return _cupy
    _cupy_checked = True
    try:
        import cupy  # noqa: PLC0415 - optional dependency

        count = cupy.cuda.runtime.getDeviceCount()
        if count < 1:
            raise RuntimeError("CuPy sees no CUDA device")
        cupy.zeros(1).sum()  # fail here, not in the middle of training
        _cupy = cupy
    except ImportError:   # (the reason in words, its values): worded when asked, in the language then
        _cupy_error = (N_("CuPy is not installed (pip install 'nn-playground[gpu]')"), {})
    except Exception as exc:  # driver missing, no device, runtime mismatch
        _cupy_error = (N_("no usable GPU: {reason}"),
                       {"reason": str(exc).splitlines()[0] if str(exc) else type(exc).__name__})
    return _cupy


def gpu_available() -> bool:
    return _load_cupy() is not None


def gpu_unavailable_reason() -> str | None:
    """One line saying why the GPU cannot be used, or None when it can."""
    _load_cupy()
    if _cupy_error is None:
        return None
    words, values = _cupy_error
    return _(words).format(**values)


def check_device(device: str) -> str:
    """Normalise a device name and fail with a clear message when it cannot be used."""
    if device in ("cuda", "gpu", "cupy"):
        if not gpu_available():
            raise RuntimeError(f"device 'gpu' is not available: {_cupy_error}")
        return "gpu"
    if device in ("cpu", "numpy", None):
        return "cpu"
    raise ValueError(f"unknown device {device!r}: use 'cpu' or 'gpu'")


def module_for(device: str):
    return _load_cupy() if check_device(device) == "gpu" else numpy


def array_module(arr):
    """numpy or cupy, whichever owns ``arr``."""
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy
    return numpy


def device_of(arr) -> str:
    return "gpu" if _cupy is not None and isinstance(arr, _cupy.ndarray) else "cpu"


def to_device(arr, device: str):
    device = check_device(device)
    if device == "gpu":
        return _cupy.asarray(arr)
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy.asnumpy(arr)
    return arr


def to_numpy(arr):
    """A host NumPy array (one transfer when ``arr`` lives on the GPU)."""
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy.asnumpy(arr)
    return numpy.asarray(arr)


def scatter_add(xp_mod, target, index, values):
    """target[index] += values, accumulating duplicates (plain fancy assignment does not)."""
    if xp_mod is numpy:
        numpy.add.at(target, index, values)
    else:
        import cupyx  # noqa: PLC0415

        cupyx.scatter_add(target, index, values)
    return target


class Generator:
    """Seeded random numbers on a device; one per Session so runs are reproducible."""

    def __init__(self, seed: int | None = None, device: str = "cpu"):
        self.device = check_device(device)
        self.manual_seed(seed)

    def manual_seed(self, seed):
        self.seed = seed
        xpm = module_for(self.device)
        self._rng = xpm.random.default_rng(seed) if xpm is numpy else xpm.random.default_rng(seed)
        return self

    def __getattr__(self, name):  # uniform, normal, random, integers, permutation...
        return getattr(self._rng, name)


class ModeGenerator:
    """The generator a module draws from: ``train`` while the module is training, else
    ``evaluation``. A Session hands one to each random module, so evaluating (probes,
    predictions, views) never moves the training's random stream: a run's batches, masks
    and noise are the same however often it is looked at."""

    __slots__ = ("module", "train", "evaluation")

    def __init__(self, module, train: Generator, evaluation: Generator):
        self.module, self.train, self.evaluation = module, train, evaluation

    def __getattr__(self, name):  # standard_normal, random, ... of the generator in use
        return getattr(self.train if self.module.training else self.evaluation, name)


#: Process-wide generator used by initialisers and dropout unless one is given.
default_generator = Generator(0)


def manual_seed(seed: int):
    """Like torch.manual_seed: reseed the default generator."""
    default_generator.manual_seed(seed)
    return default_generator
