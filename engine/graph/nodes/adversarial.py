"""Node types of adversarial training (GAN)."""
from __future__ import annotations
