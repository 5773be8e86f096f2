"""torch.nn.functional: layer ops, activations and losses in functional form."""
from .functional_layers import *  # noqa: F401,F403
from .functional_activations import *  # noqa: F401,F403
from .functional_losses import *  # noqa: F401,F403
