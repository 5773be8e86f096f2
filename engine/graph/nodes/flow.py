"""Node types of flow matching and diffusion: time/noise-level input, the noisy path."""
from __future__ import annotations
