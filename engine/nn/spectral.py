"""Layers of the Fourier neural operator (Li et al., 2021, "Fourier neural operator for
parametric partial differential equations"), layout (N, C, L) like Conv1d.

``SpectralConv1d`` multiplies the lowest ``modes`` Fourier modes of each input channel by
learned complex weights, mixing the channels, and drops the higher modes:

    out = irfft( sum_i rfft(x_i)[k] * W[i, o, k]  for k < modes ,  n = L )

Because the weights live on Fourier modes, not on grid points, the same layer applies to a
function sampled on any grid: rfft/irfft use numpy's "backward" normalisation, so a smooth
function sampled at L or at 2L points gives the same mode amplitudes, and the output is
the same function sampled on the input's grid (resolution independence). ``FNOBlock`` is
one layer of the operator: ``activation(SpectralConv1d(x) + W x + b)`` with a pointwise
(kernel-1) convolution W carrying what the truncated spectrum cannot.

The complex weights are stored as two real Parameters, ``weight_real`` and ``weight_imag``
(in_channels, out_channels, modes), and the complex product is written out in real
arithmetic, so optimizers, weight decay and gradient checks see ordinary real tensors.
"""
from __future__ import annotations

import numpy

from .. import ops
from . import functional as F
from . import init
from .layers import Conv1d, _param
from .module import Module

__all__ = ["SpectralConv1d", "FNOBlock", "FNO_ACTIVATIONS"]

#: the activations an FNOBlock offers, by name
FNO_ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu, "tanh": F.tanh, "none": None}


class SpectralConv1d(Module):
    """(N, C_in, L) -> (N, C_out, L): a convolution whose kernel is given by its lowest
    ``modes`` Fourier coefficients (a global, periodic filter per channel pair). On a grid
    too coarse to hold ``modes`` modes (L // 2 + 1 < modes) the modes it has are used."""

    def __init__(self, in_channels, out_channels, modes, device=None, dtype=None):
        super().__init__()
        if min(in_channels, out_channels, modes) < 1:
            raise ValueError(f"SpectralConv1d needs positive sizes, got in_channels={in_channels}, "
                             f"out_channels={out_channels}, modes={modes}")
        self.in_channels, self.out_channels, self.modes = in_channels, out_channels, modes
        self.weight_real = _param((in_channels, out_channels, modes), device, dtype)
        self.weight_imag = _param((in_channels, out_channels, modes), device, dtype)
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        # the reference implementation's scale: U(0, 1/(C_in C_out)) for both parts, so the
        # spectral path starts small beside the pointwise one
        scale = 1.0 / (self.in_channels * self.out_channels)
        init.uniform_(self.weight_real, 0.0, scale, generator)
        init.uniform_(self.weight_imag, 0.0, scale, generator)

    def forward(self, input):
        if input.ndim != 3 or input.shape[1] != self.in_channels:
            raise ValueError(f"SpectralConv1d({self.in_channels}, ...) expects input (N, {self.in_channels}, L), "
                             f"got shape {tuple(input.shape)}")
        length = input.shape[-1]
        m = min(self.modes, length // 2 + 1)
        spectrum = ops.rfft(input, dim=-1)[:, :, :m]
        xr, xi = ops.real(spectrum), ops.imag(spectrum)
        wr, wi = self.weight_real[:, :, :m], self.weight_imag[:, :, :m]
        # (xr + i xi)(wr + i wi), summed over the input channels
        yr = ops.einsum("nik,iok->nok", xr, wr) - ops.einsum("nik,iok->nok", xi, wi)
        yi = ops.einsum("nik,iok->nok", xr, wi) + ops.einsum("nik,iok->nok", xi, wr)
        # irfft reads the missing high modes as zeros; i of the inputs' precision (a numpy
        # scalar goes to the tensor's device and keeps its complex dtype)
        i = numpy.complex64(1j) if yr.data.dtype == numpy.float32 else numpy.complex128(1j)
        return ops.irfft(yr + yi * i, n=length, dim=-1)

    def extra_repr(self):
        return f"{self.in_channels}, {self.out_channels}, modes={self.modes}"


class FNOBlock(Module):
    """(N, C, L) -> (N, C, L): activation(SpectralConv1d(x) + Conv1d(x, kernel 1))."""

    def __init__(self, channels, modes, activation="gelu", device=None, dtype=None):
        super().__init__()
        if activation not in FNO_ACTIVATIONS:
            raise ValueError(f"FNOBlock activation must be one of {', '.join(FNO_ACTIVATIONS)}, "
                             f"not {activation!r}")
        self.channels, self.modes, self.activation = channels, modes, activation
        self.spectral = SpectralConv1d(channels, channels, modes, device, dtype)
        self.pointwise = Conv1d(channels, channels, 1, device=device, dtype=dtype)

    def forward(self, input):
        out = self.spectral(input) + self.pointwise(input)
        act = FNO_ACTIVATIONS[self.activation]
        return out if act is None else act(out)

    def extra_repr(self):
        return f"{self.channels}, modes={self.modes}, activation={self.activation!r}"
