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
from .ops import (abs, add, amax, amin, arange, as_tensor, cat, chunk, clamp, concat, div,
                  einsum, exp, expand, eye, flatten, full, gather, imag, irfft, log,
                  log_softmax, logsumexp, matmul, maximum, mean, minimum, mul, ones,
                  ones_like, pad, permute, pow, rand, randn, real, relu, reshape, rfft,
                  scatter_add, sigmoid, sign, softmax, split, sqrt, squeeze, stack, std, sub,
                  sum, tanh, tensor, transpose, unfold, unsqueeze, var, where, zeros,
                  zeros_like)

float32 = backend.numpy.float32
float64 = backend.numpy.float64
int64 = backend.numpy.int64

__version__ = "0.1.0"
