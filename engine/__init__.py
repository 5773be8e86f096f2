"""NN Playground's engine: a small reverse-mode autograd on NumPy (or CuPy), with
PyTorch's names, so students recognise everything when they move on.

    import engine
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # array([2., 4.])
"""
from . import backend
from .autograd import (Function, Tensor, enable_grad, is_grad_enabled, no_grad,
                       set_grad_enabled, unbroadcast)
from .replay import compile
from .backend import Generator, gpu_available, gpu_unavailable_reason, manual_seed
from .ops import (abs, add, amax, amin, arange, argmax, as_tensor, cat, chunk, clamp, concat, cos,
                  div, einsum, exp, expand, eye, flatten, from_numpy, full, gather, imag, irfft,
                  linspace, log, log_softmax, logsumexp, matmul, maximum, mean, minimum, mm, mul,
                  ones, ones_like, pad, permute, pow, rand, rand_like, randint, randn, randn_like,
                  randperm, real, relu, reshape, rfft, scatter_add, sigmoid, sign, sin, softmax,
                  split, sqrt, squeeze, stack, std, sub, sum, tanh, tensor, transpose, unfold,
                  unsqueeze, var, where, zeros, zeros_like)

float32 = backend.numpy.float32
float64 = backend.numpy.float64
int64 = backend.numpy.int64
long = int64   # torch.long

__version__ = "0.1.0"

# Like `import torch` makes torch.nn, torch.optim and torch.utils.data reachable, so the
# course notes' PyTorch code runs unchanged with `import engine as torch`. Last, because
# these subpackages import the names above.
from . import nn, optim, utils  # noqa: E402,F401
