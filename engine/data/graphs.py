"""Graph datasets: the karate club and a citation-style synthetic graph."""
from __future__ import annotations
