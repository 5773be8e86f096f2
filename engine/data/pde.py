"""1-D PDE data from our own spectral solver: heat and viscous Burgers."""
from __future__ import annotations
