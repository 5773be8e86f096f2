"""Every node type a user can draw, registered into engine.graph.registry on import.

Build functions import engine.nn / engine.ops lazily (inside the function) so these
declarations import even while the engine library is being edited.
"""
from . import observed, tensor_ops, activations, losses, layers, blocks  # noqa: F401
from . import generative, flow, adversarial, graphs, spectral  # noqa: F401 - the later chapters
