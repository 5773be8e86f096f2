"""Views and metrics of autoencoders and VAEs (latent space, reconstructions)."""
from __future__ import annotations
