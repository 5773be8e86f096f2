"""Node types of the autoencoder chapter: random normal sample, reparameterisation, KL cost."""
from __future__ import annotations
