"""Node types of neural operators: 1-D spectral convolution and the FNO block."""
from __future__ import annotations
