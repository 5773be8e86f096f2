"""NN Playground's desktop application (Qt). Only UI lives here; numerics are in ``engine``."""
from engine import __version__

__all__ = ["__version__"]
