"""torch.nn-style modules. Each submodule owns its names through ``__all__``."""
from . import functional, init, utils  # noqa: F401
from .module import Module, Parameter  # noqa: F401
from .containers import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
