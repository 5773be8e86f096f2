"""Views and metrics of flow matching and diffusion (samples, trajectories)."""
from __future__ import annotations
