"""Adversarial training (GAN): views and metrics."""
from __future__ import annotations
