"""Losses: NumPy reference formulas (reductions, weights, ignore_index), float64
gradient checks, and torch cross-checks of values and gradients."""
import numpy as np
import pytest

import engine
from engine import nn
from engine.nn import functional as F
from tests.gradcheck import gradcheck

RNG = np.random.default_rng(0)


def t64(a, grad=False):
    return engine.tensor(np.asarray(a, dtype=np.float64), dtype=np.float64, requires_grad=grad)


def _reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def _log_softmax(x, axis=1):
    s = x - x.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


def _softplus(z):
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)


# --------------------------------------------------------------------- data
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))          # probabilities (BCE input)
B = RNG.integers(0, 2, (4, 3)).astype(float)  # binary targets
S = np.where(RNG.random((4, 3)) < 0.5, -1.0, 1.0)  # +-1 targets
S1 = np.array([1.0, -1.0, -1.0, 1.0])
W3 = np.array([0.5, 2.0, 1.5])


def _away(d, kinks, gap=0.05):
    for k in kinks:
        d = np.where(np.abs(d - k) < gap, d + 2 * gap, d)
    return d


Y_SMOOTH = X - _away(X - Y, [-1, 0, 1])  # keeps x - y away from the |d| = 1 kinks and 0


def _pair_cases():
    """(name, engine call, reference, differentiable args) for the pointwise losses."""
    huber_d = 0.8
    return {
        "mse": (lambda r, x, y: F.mse_loss(x, y, reduction=r), lambda r: _reduce((X - Y) ** 2, r),
                (X, Y)),
        "l1": (lambda r, x, y: F.l1_loss(x, y, reduction=r), lambda r: _reduce(np.abs(X - Y), r),
               (X, Y)),
        "smooth_l1": (lambda r, x, y: F.smooth_l1_loss(x, y, reduction=r, beta=1.0),
                      lambda r: _reduce(np.where(np.abs(X - Y_SMOOTH) < 1, 0.5 * (X - Y_SMOOTH) ** 2,
                                                 np.abs(X - Y_SMOOTH) - 0.5), r), (X, Y_SMOOTH)),
        "huber": (lambda r, x, y: F.huber_loss(x, y, reduction=r, delta=huber_d),
                  lambda r: _reduce(np.where(np.abs(X - Y_SMOOTH) < huber_d,
                                             0.5 * (X - Y_SMOOTH) ** 2,
                                             huber_d * (np.abs(X - Y_SMOOTH) - 0.5 * huber_d)), r),
                  (X, Y_SMOOTH)),
        "soft_margin": (lambda r, x, y: F.soft_margin_loss(x, y, reduction=r),
                        lambda r: _reduce(np.log1p(np.exp(-S * X)), r), (X, S)),
        "bce": (lambda r, x, y: F.binary_cross_entropy(x, y, reduction=r),
                lambda r: _reduce(-(B * np.log(P) + (1 - B) * np.log(1 - P)), r), (P, B)),
        "bce_weight": (lambda r, x, y: F.binary_cross_entropy(x, y, weight=W3, reduction=r),
                       lambda r: _reduce(-W3 * (B * np.log(P) + (1 - B) * np.log(1 - P)), r), (P, B)),
        "bce_logits": (lambda r, x, y: F.binary_cross_entropy_with_logits(
                           x, y, weight=W3, pos_weight=np.array([3.0, 1.0, 0.5]), reduction=r),
                       lambda r: _reduce(-W3 * (np.array([3.0, 1.0, 0.5]) * B * np.log(1 / (1 + np.exp(-X)))
                                                + (1 - B) * np.log(1 - 1 / (1 + np.exp(-X)))), r),
                       (X, B)),
    }


PAIR = _pair_cases()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(PAIR))
def test_pointwise_loss_values(name, reduction):
    call, ref, (x, y) = PAIR[name]
    out = call(reduction, t64(x), t64(y))
    np.testing.assert_allclose(out.numpy(), ref(reduction), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", list(PAIR))
def test_pointwise_loss_gradients(name, reduction):
    call, _, (x, y) = PAIR[name]
    xt, yt = t64(x, True), t64(y, True)
    assert gradcheck(lambda a, b: call(reduction, a, b), [xt, yt])


def test_mse_broadcasts_and_legacy_arguments():
    x, y = t64(X, True), t64(Y[0])
    np.testing.assert_allclose(F.mse_loss(x, y).numpy(), ((X - Y[0]) ** 2).mean())
    assert gradcheck(lambda a: F.mse_loss(a, y, reduction="sum"), [x])
    np.testing.assert_allclose(nn.MSELoss(size_average=False)(t64(X), t64(Y)).numpy(),
                               ((X - Y) ** 2).sum())
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")(t64(X), t64(Y))


def test_bce_clamps_log_at_minus_100_like_torch():
    out = F.binary_cross_entropy(t64([0.0, 1.0, 0.5]), t64([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0, np.log(2)])
    x = t64([0.0, 1.0], True)
    F.binary_cross_entropy(x, t64([1.0, 0.0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad, [-1e12, 1e12])  # (x - y) / max(x (1 - x), 1e-12)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(t64([1.5]), t64([1.0]))


def test_bce_with_logits_is_stable_for_huge_logits():
    x = t64([800.0, -800.0, 800.0], True)
    out = F.binary_cross_entropy_with_logits(x, t64([1.0, 0.0, 0.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [0.0, 0.0, 800.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0])


# --------------------------------------------------------------------- NLL / cross-entropy
LOGITS = RNG.standard_normal((5, 4))
TARGET = np.array([0, 3, 1, 3, 2])
W4 = np.array([1.0, 0.5, 2.0, 0.25])


def _nll_ref(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """Loop-free reference on (N, C) arrays."""
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    w = np.ones(logp.shape[1]) if weight is None else weight
    wy = w[safe] * valid
    loss = -wy * logp[np.arange(len(target)), safe]
    if reduction == "mean":
        return loss.sum() / wy.sum()
    return loss.sum() if reduction == "sum" else loss


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_and_cross_entropy_values(reduction, weighted):
    weight = W4 if weighted else None
    wt = t64(W4) if weighted else None
    target = TARGET.copy()
    target[2] = -1  # ignore_index=-1 below
    ref = _nll_ref(_log_softmax(LOGITS), target, weight, -1, reduction)
    ce = F.cross_entropy(t64(LOGITS), engine.tensor(target), weight=wt, ignore_index=-1,
                         reduction=reduction)
    nll = nn.NLLLoss(weight=wt, ignore_index=-1, reduction=reduction)(
        t64(_log_softmax(LOGITS)), engine.tensor(target))
    np.testing.assert_allclose(ce.numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(nll.numpy(), ref, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_label_smoothing_value_and_gradient(reduction, weighted):
    eps, C = 0.2, 4
    w = W4 if weighted else np.ones(C)
    target = TARGET.copy()
    target[1] = -100
    logp = _log_softmax(LOGITS)
    valid = target != -100
    nll = _nll_ref(logp, target, w, -100, "none")
    smooth = -(logp * w).sum(1) * valid
    per = (1 - eps) * nll + eps / C * smooth
    den = (w[np.where(valid, target, 0)] * valid).sum()
    ref = {"mean": per.sum() / den, "sum": per.sum(), "none": per}[reduction]
    loss = nn.CrossEntropyLoss(weight=t64(W4) if weighted else None, reduction=reduction,
                               label_smoothing=eps)
    x = t64(LOGITS, True)
    np.testing.assert_allclose(loss(x, engine.tensor(target)).numpy(), ref, rtol=1e-12)
    assert gradcheck(lambda a: loss(a, engine.tensor(target)), [x])


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_and_nll_gradients(weighted):
    wt = t64(W4) if weighted else None
    x = t64(LOGITS, True)
    target = engine.tensor(np.array([0, 3, -100, 3, 2]))
    assert gradcheck(lambda a: F.cross_entropy(a, target, weight=wt), [x])
    assert gradcheck(lambda a: F.nll_loss(a, target, weight=wt, reduction="none"), [x])


def test_cross_entropy_spatial_and_unbatched_shapes():
    x = RNG.standard_normal((2, 3, 4, 2))           # N, C, d1, d2
    y = RNG.integers(0, 3, (2, 4, 2))
    logp = _log_softmax(x, 1)
    picked = np.take_along_axis(logp, y[:, None], 1)[:, 0]
    xt = t64(x, True)
    np.testing.assert_allclose(F.cross_entropy(xt, engine.tensor(y)).numpy(), -picked.mean())
    np.testing.assert_allclose(F.cross_entropy(xt, engine.tensor(y), reduction="none").numpy(),
                               -picked)
    assert gradcheck(lambda a: F.cross_entropy(a, engine.tensor(y), label_smoothing=0.1), [xt])
    one = t64(LOGITS[0])
    np.testing.assert_allclose(F.cross_entropy(one, engine.tensor(np.int64(2))).numpy(),
                               -_log_softmax(LOGITS[:1])[0, 2])


def test_cross_entropy_probability_targets():
    probs = np.exp(_log_softmax(RNG.standard_normal((5, 4))))
    logp = _log_softmax(LOGITS)
    smoothed = probs * 0.9 + 0.1 / 4
    ref = -(logp * smoothed * W4).sum(1).mean()
    x, p = t64(LOGITS, True), t64(probs, True)
    out = F.cross_entropy(x, p, weight=t64(W4), label_smoothing=0.1)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, reduction="sum"), [x, p])


def test_class_target_errors_are_clear():
    with pytest.raises(ValueError, match="out of bounds"):
        F.cross_entropy(t64(LOGITS), engine.tensor(np.array([0, 1, 2, 3, 4])))
    with pytest.raises(ValueError, match="shape"):
        F.nll_loss(t64(LOGITS), engine.tensor(np.array([0, 1])))
    with pytest.raises(ValueError, match="weight"):
        F.cross_entropy(t64(LOGITS), engine.tensor(TARGET), weight=t64([1.0, 2.0]))


def test_cross_entropy_float32_hot_path_dtype():
    x = engine.tensor(LOGITS.astype(np.float32), requires_grad=True)
    out = nn.CrossEntropyLoss()(x, engine.tensor(TARGET))
    out.backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


# --------------------------------------------------------------------- composed losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    inp = _log_softmax(X)
    tgt = np.exp(_log_softmax(Y))
    tgt[0, 0] = 0.0  # 0 log 0 = 0
    target = np.log(np.maximum(tgt, 1e-300)) if log_target else tgt
    pointwise = tgt * (np.log(np.where(tgt > 0, tgt, 1)) - inp)
    if log_target:
        pointwise = np.exp(target) * (target - inp)
    ref = pointwise.sum() / 4 if reduction == "batchmean" else _reduce(pointwise, reduction)
    x = t64(inp, True)
    loss = nn.KLDivLoss(reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(loss(x, t64(target)).numpy(), ref, rtol=1e-12, atol=1e-300)
    assert gradcheck(lambda a: loss(a, t64(target)), [x])


def test_hinge_embedding_loss():
    x = _away(X, [1.0])
    ref = np.where(S == 1, x, np.maximum(0, 1 - x))
    xt = t64(x, True)
    for r in ("mean", "sum", "none"):
        np.testing.assert_allclose(nn.HingeEmbeddingLoss(reduction=r)(xt, t64(S)).numpy(),
                                   _reduce(ref, r))
    assert gradcheck(lambda a: F.hinge_embedding_loss(a, t64(S), margin=1.0), [xt])


def test_margin_ranking_loss():
    x1 = X[:, 0]
    x2 = x1 - _away(x1 - Y[:, 0], [0.1, -0.1])  # the hinge's kinks are at x1 - x2 = +-0.1
    ref = np.maximum(0, -S1 * (x1 - x2) + 0.1)
    a, b = t64(x1, True), t64(x2, True)
    for r in ("mean", "sum", "none"):
        np.testing.assert_allclose(nn.MarginRankingLoss(0.1, reduction=r)(a, b, t64(S1)).numpy(),
                                   _reduce(ref, r))
    assert gradcheck(lambda p, q: F.margin_ranking_loss(p, q, t64(S1), margin=0.1,
                                                        reduction="sum"), [a, b])


def _pdist(a, b, p, eps=1e-6):
    return (np.abs(a - b + eps) ** p).sum(-1) ** (1 / p)


@pytest.mark.parametrize("p,swap", [(2.0, False), (2.0, True), (1.0, False), (3.0, True)])
def test_triplet_margin_loss(p, swap):
    rng = np.random.default_rng(7)
    a, pos, neg = rng.standard_normal((3, 6, 5))
    d_neg = _pdist(a, neg, p)
    if swap:
        d_neg = np.minimum(d_neg, _pdist(pos, neg, p))
    ref = np.maximum(0, 1.0 + _pdist(a, pos, p) - d_neg)
    ts = [t64(v, True) for v in (a, pos, neg)]
    for r in ("mean", "sum", "none"):
        m = nn.TripletMarginLoss(margin=1.0, p=p, swap=swap, reduction=r)
        np.testing.assert_allclose(m(*ts).numpy(), _reduce(ref, r), rtol=1e-12)
    assert gradcheck(lambda *t: F.triplet_margin_loss(*t, p=p, swap=swap, reduction="none"), ts)


def test_cosine_embedding_loss():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((2, 4, 3))
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    ref = np.where(S1 == 1, 1 - cos, np.maximum(0, cos - 0.1))
    ta, tb = t64(a, True), t64(b, True)
    for r in ("mean", "sum", "none"):
        m = nn.CosineEmbeddingLoss(margin=0.1, reduction=r)
        np.testing.assert_allclose(m(ta, tb, t64(S1)).numpy(), _reduce(ref, r), rtol=1e-12)
    assert gradcheck(lambda p, q: F.cosine_embedding_loss(p, q, t64(S1), margin=0.1), [ta, tb])


# --------------------------------------------------------------------- adaptive softmax
def _adaptive(seed=0):
    engine.manual_seed(seed)
    return nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[3, 6], div_value=2.0).double()


def test_adaptive_log_softmax_structure_and_consistency():
    m = _adaptive()
    assert m.head.weight.shape == (5, 8) and m.head.bias is None
    assert m.tail[0][0].weight.shape == (4, 8) and m.tail[0][1].weight.shape == (3, 4)
    assert m.tail[1][0].weight.shape == (2, 8) and m.tail[1][1].weight.shape == (4, 2)
    x = t64(np.random.default_rng(1).standard_normal((6, 8)))
    y = np.array([0, 4, 9, 2, 6, 5])
    out, loss = m(x, engine.tensor(y))
    full = m.log_prob(x).numpy()
    np.testing.assert_allclose(np.exp(full).sum(1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(out.numpy(), full[np.arange(6), y], rtol=1e-12)
    np.testing.assert_allclose(loss.numpy(), -full[np.arange(6), y].mean(), rtol=1e-12)
    np.testing.assert_array_equal(m.predict(x).numpy(), full.argmax(1))
    single, _ = m(x[1], engine.tensor(np.int64(4)))
    np.testing.assert_allclose(single.numpy(), full[1, 4], rtol=1e-12)
    with pytest.raises(ValueError, match="target values"):
        m(x, engine.tensor(np.array([0, 1, 2, 3, 4, 10])))
    with pytest.raises(ValueError, match="cutoffs"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[6, 3])


def test_adaptive_log_softmax_gradients():
    m = _adaptive(1)
    x = t64(np.random.default_rng(2).standard_normal((5, 8)), True)
    y = engine.tensor(np.array([1, 7, 4, 9, 0]))
    params = [m.head.weight, m.tail[0][1].weight, m.tail[1][0].weight]
    assert gradcheck(lambda a, *_: m(a, y).loss, [x] + params)


# --------------------------------------------------------------------- torch cross-checks
def _torch_cases(torch):
    """name -> (engine module, torch module, input arrays, target) for every loss class."""
    tnn = torch.nn
    idx = np.array([0, 3, -100, 3, 2])
    return {
        "MSELoss": (nn.MSELoss(), tnn.MSELoss(), [X], Y),
        "L1Loss": (nn.L1Loss(reduction="sum"), tnn.L1Loss(reduction="sum"), [X], Y),
        "SmoothL1Loss": (nn.SmoothL1Loss(beta=0.5), tnn.SmoothL1Loss(beta=0.5), [X], Y),
        "HuberLoss": (nn.HuberLoss(delta=0.7), tnn.HuberLoss(delta=0.7), [X], Y),
        "SoftMarginLoss": (nn.SoftMarginLoss(), tnn.SoftMarginLoss(), [X], S),
        "BCELoss": (nn.BCELoss(weight=t64(W3)), tnn.BCELoss(weight=torch.tensor(W3)), [P], B),
        "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss(pos_weight=t64([2.0, 1.0, 0.5])),
                              tnn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0, 0.5])),
                              [X * 5], B),
        "NLLLoss": (nn.NLLLoss(weight=t64(W4)), tnn.NLLLoss(weight=torch.tensor(W4)),
                    [_log_softmax(LOGITS)], idx),
        "CrossEntropyLoss": (nn.CrossEntropyLoss(weight=t64(W4), label_smoothing=0.15),
                             tnn.CrossEntropyLoss(weight=torch.tensor(W4), label_smoothing=0.15),
                             [LOGITS], idx),
        "CrossEntropyLoss_probs": (nn.CrossEntropyLoss(label_smoothing=0.1),
                                   tnn.CrossEntropyLoss(label_smoothing=0.1),
                                   [LOGITS], np.exp(_log_softmax(2 * LOGITS[::-1]))),
        "KLDivLoss": (nn.KLDivLoss(reduction="batchmean"), tnn.KLDivLoss(reduction="batchmean"),
                      [_log_softmax(X)], np.exp(_log_softmax(Y))),
        "HingeEmbeddingLoss": (nn.HingeEmbeddingLoss(0.5), tnn.HingeEmbeddingLoss(0.5), [X], S),
        "MarginRankingLoss": (nn.MarginRankingLoss(0.2), tnn.MarginRankingLoss(0.2),
                              [X[:, 0], Y[:, 0]], S1),
        "TripletMarginLoss": (nn.TripletMarginLoss(p=3.0, swap=True),
                              tnn.TripletMarginLoss(p=3.0, swap=True), [X, Y, P], None),
        "CosineEmbeddingLoss": (nn.CosineEmbeddingLoss(0.1), tnn.CosineEmbeddingLoss(0.1),
                                [X, Y], S1),
    }


TORCH_NAMES = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "SoftMarginLoss", "BCELoss",
               "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss", "CrossEntropyLoss_probs",
               "KLDivLoss", "HingeEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss",
               "CosineEmbeddingLoss"]


@pytest.mark.torchref
@pytest.mark.parametrize("name", TORCH_NAMES)
def test_loss_matches_torch(name):
    torch = pytest.importorskip("torch")
    em, tm, inputs, target = _torch_cases(torch)[name]
    # KLDivLoss: 'batchmean' instead of 'mean' (torch warns that 'mean' is not the KL divergence)
    for reduction in ("batchmean" if name == "KLDivLoss" else "mean", "sum", "none"):
        em.reduction = tm.reduction = reduction
        ein = [t64(a, True) for a in inputs]
        tin = [torch.tensor(a, requires_grad=True) for a in inputs]
        if target is None:
            eout, tout = em(*ein), tm(*tin)
        else:
            etarget = engine.tensor(target) if target.dtype.kind == "i" else t64(target)
            eout, tout = em(*ein, etarget), tm(*tin, torch.tensor(target))
        w = np.random.default_rng(3).standard_normal(tout.shape)
        (eout * t64(w)).sum().backward()
        (tout * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(eout.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        for e, t in zip(ein, tin):
            np.testing.assert_allclose(e.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.torchref
def test_adaptive_log_softmax_matches_torch():
    torch = pytest.importorskip("torch")
    m = _adaptive(3)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[3, 6], div_value=2.0).double()
    assert list(m.state_dict()) == list(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(v) for k, v in m.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((6, 8))
    y = np.array([0, 4, 9, 2, 6, 5])
    ex, tx = t64(x, True), torch.tensor(x, requires_grad=True)
    eo, tout = m(ex, engine.tensor(y)), tm(tx, torch.tensor(y))
    np.testing.assert_allclose(eo.output.numpy(), tout.output.detach().numpy(), rtol=1e-12)
    eo.loss.backward()
    tout.loss.backward()
    np.testing.assert_allclose(ex.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(m.tail[1][0].weight.grad, tm.tail[1][0].weight.grad.numpy(),
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(m.log_prob(ex).numpy(), tm.log_prob(tx).detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(m.predict(ex).numpy(), tm.predict(tx).numpy())


@pytest.mark.parametrize("name", list(PAIR))
def test_pointwise_losses_keep_float32(name):
    call, _, (x, y) = PAIR[name]
    xt = engine.tensor(x.astype(np.float32), requires_grad=True)
    out = call("mean", xt, engine.tensor(y.astype(np.float32)))
    out.backward()
    assert out.dtype == np.float32 and xt.grad.dtype == np.float32
