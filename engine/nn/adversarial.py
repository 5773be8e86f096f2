"""The cost of a GAN (course notes 003, section 13): the discriminator's logits scored
against a constant label, "real" (1) or "fake" (0).

    real:  mean(-log sigmoid(z))        = BCEWithLogits(z, 1)
    fake:  mean(-log (1 - sigmoid(z)))  = BCEWithLogits(z, 0)

The discriminator minimises "real" on the data and "fake" on generated samples; the
generator's non-saturating loss is "real" on generated samples (it wants its fakes scored
as real), whose gradient stays large while the discriminator still rejects them. Not a
torch class: torch users write ``F.binary_cross_entropy_with_logits(z, torch.ones_like(z))``.
"""
from __future__ import annotations

from . import functional as F
from .. import ops
from .module import Module

__all__ = ["AdversarialLoss", "adversarial_loss"]

LABELS = ("real", "fake")


def adversarial_loss(logits, scored_as="real"):
    """Mean binary cross-entropy of ``logits`` against the constant label ``scored_as``
    ("real" = 1, "fake" = 0), computed stably through log-sigmoid."""
    if scored_as not in LABELS:
        raise ValueError(f"scored_as must be 'real' or 'fake', not {scored_as!r}")
    return -ops.mean(F.logsigmoid(logits if scored_as == "real" else -logits))


class AdversarialLoss(Module):
    def __init__(self, scored_as="real"):
        super().__init__()
        if scored_as not in LABELS:
            raise ValueError(f"scored_as must be 'real' or 'fake', not {scored_as!r}")
        self.scored_as = scored_as

    def extra_repr(self):
        return f"scored_as={self.scored_as!r}"

    def forward(self, input):
        return adversarial_loss(input, self.scored_as)
