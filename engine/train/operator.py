"""Views and metrics of neural operators (predicted vs true solution at two resolutions)."""
from __future__ import annotations
