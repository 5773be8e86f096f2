"""Loss modules (torch.nn names, constructor signatures and defaults) over functional_losses.

Class weights and pos_weight are buffers, as in torch, so they follow .to() and
appear in state_dict.
"""
from __future__ import annotations

from collections import namedtuple

from .. import backend, ops
from ..autograd import Tensor, value_read
from . import functional_activations as FA
from . import functional_losses as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "AdaptiveLogSoftmaxWithLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
           "HingeEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss", "SoftMarginLoss",
           "CosineEmbeddingLoss"]


def _buffer(v):
    return None if v is None else (v if isinstance(v, Tensor) else Tensor(v))


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = F._legacy_reduction(size_average, reduce, reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))


class MSELoss(_Loss):
    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SoftMarginLoss(_Loss):
    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """log-softmax + NLL in one fused node; integer class targets or float class
    probabilities (same shape as the input), shapes (C,), (N, C) or (N, C, d1, ...)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class HingeEmbeddingLoss(_Loss):
    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class TripletMarginLoss(_Loss):
    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


# ===================================================================== adaptive softmax
_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax over many classes (Grave et al. 2016), as torch.nn implements it.

    The head scores the ``cutoffs[0]`` frequent classes plus one entry per tail cluster;
    cluster i projects to in_features // div_value**(i+1) features before its classes.
    forward(input, target) returns (output = log-probability of each target, loss = mean NLL).
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        from .containers import ModuleList, Sequential  # noqa: PLC0415 - avoid an import cycle
        from .layers import Linear  # noqa: PLC0415

        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        tails = []
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            tails.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                    Linear(hsz, osz, bias=False, **kw)))
        self.tail = ModuleList(tails)

    def forward(self, input, target):
        value_read(target, "the target's class indices")
        y = target.data if isinstance(target, Tensor) else backend.array_module(input.data).asarray(target)
        batched = y.ndim == 1
        if y.ndim not in (0, 1):
            raise ValueError("AdaptiveLogSoftmaxWithLoss: target should be 0- or 1-dimensional")
        if not batched:
            input, y = ops.unsqueeze(input, 0), y.reshape(1)
        if input.ndim != 2 or input.shape[0] != y.shape[0]:
            raise ValueError("AdaptiveLogSoftmaxWithLoss: input and target should have the same "
                             "size in the batch dimension")
        xp = backend.array_module(y)
        n = y.shape[0]
        gather_inds = y.copy()
        output = ops.zeros(n, dtype=input.dtype, device=input.device)
        used = 0
        for i in range(len(self.cutoffs)):
            low = 0 if i == 0 else self.cutoffs[i - 1]
            high = self.cutoffs[i]
            rows = xp.nonzero((y >= low) & (y < high))[0]
            if rows.size == 0:
                continue
            used += rows.size
            if i == 0:
                continue  # shortlist rows: the head's log-probability is all there is
            relative = y[rows] - low
            cluster_logp = FA.log_softmax(self.tail[i - 1](input[rows]), 1)
            local = ops.gather(cluster_logp, 1, relative[:, None])[:, 0]
            output = ops.scatter_add(output, 0, rows, local)
            gather_inds[rows] = self.shortlist_size + i - 1
        if used != n:
            raise ValueError(f"AdaptiveLogSoftmaxWithLoss: target values should be in "
                             f"[0, {self.n_classes - 1}], got min {int(y.min())} max {int(y.max())}")
        head_logp = FA.log_softmax(self.head(input), 1)
        output = output + ops.gather(head_logp, 1, gather_inds[:, None])[:, 0]
        loss = ops.mean(-output)
        if not batched:
            output = output[0]
        return _ASMoutput(output, loss)

    def _full_log_prob(self, input, head_output):
        head_logp = FA.log_softmax(head_output, 1)
        parts = [head_logp[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logp = FA.log_softmax(self.tail[i](input), 1)
            parts.append(cluster_logp + head_logp[:, self.shortlist_size + i:self.shortlist_size + i + 1])
        return ops.cat(parts, 1)

    def log_prob(self, input):
        """Log-probabilities of all n_classes, shape (N, n_classes) (or (n_classes,))."""
        batched = input.ndim == 2
        x = input if batched else ops.unsqueeze(input, 0)
        out = self._full_log_prob(x, self.head(x))
        return out if batched else out[0]

    def predict(self, input):
        """The most likely class of each row: same as log_prob(input).argmax(1)."""
        return self.log_prob(input).argmax(-1)
