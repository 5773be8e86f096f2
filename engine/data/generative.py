"""2-D target distributions for generative lessons (moons, 8-Gaussian ring, spiral)."""
from __future__ import annotations
