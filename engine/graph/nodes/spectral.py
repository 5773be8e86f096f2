"""Node types of neural operators: 1-D spectral convolution and the FNO block.

Layout (batch, channels, L) like Conv1d. Neither depends on L: the same trained node runs
on a grid of any resolution (engine.nn.spectral). Lifting and projection are Conv1d nodes
with kernel_size 1 (a Linear applied at every grid point), so a whole FNO drawn from these
nodes is resolution independent.

Export: to PyTorch as classes of the script's own (torch.nn has no FNO layer), the same
computation with torch.fft and the same weight names. To ONNX for the grid the model is
exported at (an ONNX model's input has the dataset's sample shape): there the layer is a
fixed linear map, written with the real DFT as matrices (MatMul) and the complex product in
real arithmetic (Einsum), so it needs no complex numbers and no DFT operator.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...i18n import _
from ...interop import onnx as to_onnx
from ...interop.pytorch import HELPER_NEEDS, HELPERS, ExportRefused, torch_module
from ..registry import Port, ShapeError
from ._common import P, fmt, plural, rank
from .layers import layer

GROUP = "Neural operators"

_IN = (Port("input", "a function on a periodic grid: (batch, channels, L)"),)
_MODES = P("modes", "int", 8, "Fourier modes kept (the lowest ones); a grid of L points has L // 2 + 1, "
           "and at most those are used", min=1)


def _channels(x, expected):
    rank(x, (3,), "input (batch, channels, L)")
    if x[1] is not None and x[1] != expected:
        raise ShapeError(_("expects {what} but receives {got} (input shape {shape}, channels are dimension 1)")
                         .format(what=plural(expected, "channel"), got=x[1], shape=fmt(x)))


def _spectral_rule(p, s):
    x = s["input"]
    _channels(x, p["in_channels"])
    return {"out": (x[0], p["out_channels"], x[2])}


def _block_rule(p, s):
    x = s["input"]
    _channels(x, p["channels"])
    return {"out": tuple(x)}


def _build_spectral(params, shapes):
    from ...nn.spectral import SpectralConv1d  # noqa: PLC0415 - lazily, see nodes/__init__

    return SpectralConv1d(**params)


def _build_block(params, shapes):
    from ...nn.spectral import FNOBlock  # noqa: PLC0415

    return FNOBlock(**params)


#: the exported script's classes (engine.interop.pytorch.HELPERS): engine.nn.spectral's computation
HELPERS["SpectralConv1d"] = '''class SpectralConv1d(nn.Module):
    """The Fourier neural operator's layer: rfft, keep the lowest `modes` modes, multiply them by
    complex weights (stored as their real and imaginary parts) mixing the channels, irfft to
    the input's length. Works at any grid resolution."""

    def __init__(self, in_channels, out_channels, modes):
        super().__init__()
        self.modes = modes
        self.weight_real = nn.Parameter(torch.zeros(in_channels, out_channels, modes))
        self.weight_imag = nn.Parameter(torch.zeros(in_channels, out_channels, modes))

    def forward(self, x):
        length = x.shape[-1]
        m = min(self.modes, length // 2 + 1)
        spectrum = torch.fft.rfft(x, dim=-1)[:, :, :m]
        weight = torch.complex(self.weight_real[:, :, :m], self.weight_imag[:, :, :m])
        # irfft reads the missing high modes as zeros
        return torch.fft.irfft(torch.einsum("nik,iok->nok", spectrum, weight), n=length, dim=-1)'''
HELPERS["FNOBlock"] = '''class FNOBlock(nn.Module):
    """One layer of a Fourier neural operator: activation(SpectralConv1d(x) + Conv1d(x, kernel 1))."""

    def __init__(self, channels, modes, activation="gelu"):
        super().__init__()
        self.spectral = SpectralConv1d(channels, channels, modes)
        self.pointwise = nn.Conv1d(channels, channels, 1)
        self.activation = {"gelu": nn.functional.gelu, "relu": torch.relu, "tanh": torch.tanh,
                           "none": None}[activation]

    def forward(self, x):
        out = self.spectral(x) + self.pointwise(x)
        return out if self.activation is None else self.activation(out)'''
HELPER_NEEDS["FNOBlock"] = ("SpectralConv1d",)


def _onnx_spectral(g, x, length, module, node_type):
    """SpectralConv1d on a grid of ``length`` points: x (N, C_in, L) -> (N, C_out, L)."""
    if length is None:
        raise ExportRefused(_("cannot export to ONNX: {type} needs the grid size of its input").format(
            type=node_type))
    m = min(module.modes, length // 2 + 1)
    angle = 2 * np.pi * np.outer(np.arange(length), np.arange(m)) / length        # (L, m)
    # irfft weights: the DC bin (and the Nyquist bin of an even grid) once, the others twice
    twice = np.where((np.arange(m) == 0) | (2 * np.arange(m) == length), 1.0, 2.0)[:, None] / length
    real = g.op("MatMul", x, g.const(np.cos(angle), hint="dft_cos"))
    imag = g.op("MatMul", x, g.const(-np.sin(angle), hint="dft_sin"))
    wr = g.const(backend.to_numpy(module.weight_real.data)[:, :, :m], hint="weight_real")
    wi = g.const(backend.to_numpy(module.weight_imag.data)[:, :, :m], hint="weight_imag")

    def mix(a, w):
        return g.op("Einsum", a, w, equation="nik,iok->nok")

    out_real = g.op("Sub", mix(real, wr), mix(imag, wi))
    out_imag = g.op("Add", mix(real, wi), mix(imag, wr))
    return g.op("Add", g.op("MatMul", out_real, g.const(twice * np.cos(angle.T), hint="idft_cos")),
                g.op("MatMul", out_imag, g.const(-twice * np.sin(angle.T), hint="idft_sin")))


def _onnx_spectral_node(g, params, ins, shapes, module):
    return _onnx_spectral(g, ins["input"], shapes["input"][2], module, "SpectralConv1d")


def _onnx_block(g, params, ins, shapes, module):
    x = ins["input"]
    out = g.op("Add", _onnx_spectral(g, x, shapes["input"][2], module.spectral, "FNOBlock"),
               to_onnx.onnx_conv(1)(g, {"kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1,
                                        "groups": 1}, ins, shapes, module.pointwise))
    act = params["activation"]
    if act == "gelu":
        return to_onnx.onnx_gelu(g, {"approximate": "none"}, {"input": out}, {}, None)
    return out if act == "none" else g.op({"relu": "Relu", "tanh": "Tanh"}[act], out)


layer("SpectralConv1d",
      "A convolution done in Fourier space (the FNO layer): rfft of each channel, keep the lowest "
      "`modes` modes, multiply them by learned complex weights mixing the channels, irfft back to "
      "the input's length. The filter is global and periodic, and the layer works at any resolution.",
      (P("in_channels", "int", 1, "channels of the input", min=1),
       P("out_channels", "int", 8, "channels it outputs", min=1), _MODES),
      _spectral_rule, inputs=_IN, build=_build_spectral, group=GROUP,
      export=torch_module("SpectralConv1d", helper=True), onnx=_onnx_spectral_node,
      shape_doc="(batch, C_in, L) -> (batch, C_out, L), for any L",
      weights=lambda p, s: 2 * p["in_channels"] * p["out_channels"] * p["modes"])

layer("FNOBlock",
      "One layer of a Fourier neural operator: activation(SpectralConv1d(x) + W x + b), where W x + b "
      "is a pointwise (kernel-1) convolution that keeps what the truncated spectrum drops.",
      (P("channels", "int", 16, "channels in and out (the operator's width)", min=1), _MODES,
       P("activation", "choice", "gelu", "the nonlinearity after the sum", choices=("gelu", "relu", "tanh", "none"))),
      _block_rule, inputs=_IN, build=_build_block, group=GROUP,
      export=torch_module("FNOBlock", helper=True), onnx=_onnx_block,
      shape_doc="(batch, C, L) -> (batch, C, L), for any L",
      weights=lambda p, s: 2 * p["channels"] ** 2 * p["modes"] + p["channels"] ** 2 + p["channels"])
