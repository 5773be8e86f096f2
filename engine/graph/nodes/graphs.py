"""Node types of graph neural networks: adjacency, GCN and GAT layers."""
from __future__ import annotations
