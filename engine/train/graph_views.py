"""Views and metrics of graph neural networks (node embeddings)."""
from __future__ import annotations
