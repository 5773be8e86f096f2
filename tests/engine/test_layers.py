"""Layers: gradient checks, torch-documented semantics checked against hand computations."""
import math

import numpy as np
import pytest

import engine
from engine import nn
from engine.nn import functional as F
from tests.gradcheck import gradcheck, t64


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def params64(module):
    module.double()
    ps = list(module.parameters())
    for p in ps:
        p.requires_grad = True
    return ps


def check_module(module, *inputs):
    """Gradient check w.r.t. the inputs and every parameter of ``module``."""
    ps = params64(module)
    n = len(inputs)
    assert gradcheck(lambda *a: module(*a[:n]), list(inputs) + ps)


# ----------------------------------------------------------------------------- containers
def test_sequential_modulelist_moduledict_register_parameters():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Identity(), nn.Linear(3, 1))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(seq) == 3 and isinstance(seq[1], nn.Identity) and len(seq[:2]) == 2
    x = engine.randn(4, 2)
    ref = seq[2](seq[0](x))
    np.testing.assert_allclose(seq(x).data, ref.data)
    ml = nn.ModuleList([nn.Linear(1, 1)]).append(nn.Linear(1, 2))
    assert len(list(ml.parameters())) == 4 and ml[1].out_features == 2
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Linear(2, 2)
    assert list(md.keys()) == ["a", "b"] and "b" in md
    assert sorted(k for k, _ in md.named_parameters()) == ["a.bias", "a.weight", "b.bias", "b.weight"]


# ----------------------------------------------------------------------------- linear / bilinear
def test_linear_gradcheck_and_value(rng):
    m = nn.Linear(3, 2)
    x = t64(rng, 4, 3)
    check_module(m, x)
    np.testing.assert_allclose(m(x).data, x.data @ m.weight.data.T + m.bias.data)


def test_bilinear_is_the_multiplicative_module(rng):
    m = nn.Bilinear(3, 2, 4)
    x1, x2 = t64(rng, 5, 3), t64(rng, 5, 2)
    check_module(m, x1, x2)
    u = m.weight.data
    ref = np.array([[sum(u[i, j, k] * x2.data[n, k] * x1.data[n, j] for j in range(3) for k in range(2))
                     for i in range(4)] for n in range(5)]) + m.bias.data
    np.testing.assert_allclose(m(x1, x2).data, ref)


# ----------------------------------------------------------------------------- convolution
def naive_conv2d(x, w, b, stride, padding, dilation, groups):
    n, _, h, wd = x.shape
    co, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, co, oh, ow))
    per = co // groups
    for b_ in range(n):
        for o in range(co):
            g = o // per
            for i in range(oh):
                for j in range(ow):
                    acc = 0.0
                    for ci in range(cg):
                        for u in range(kh):
                            for v in range(kw):
                                acc += w[o, ci, u, v] * xp[b_, g * cg + ci, i * stride + u * dilation, j * stride + v * dilation]
                    out[b_, o, i, j] = acc + (b[o] if b is not None else 0)
    return out


@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2)])
def test_conv2d_matches_naive_loops(rng, stride, padding, dilation, groups):
    m = nn.Conv2d(4, 6, 3, stride=stride, padding=padding, dilation=dilation, groups=groups).double()
    x = engine.tensor(rng.standard_normal((2, 4, 7, 6)))
    ref = naive_conv2d(x.data, m.weight.data, m.bias.data, stride, padding, dilation, groups)
    np.testing.assert_allclose(m(x).data, ref, atol=1e-12)


def test_conv2d_gradcheck(rng):
    check_module(nn.Conv2d(2, 2, 2, stride=2, padding=1), t64(rng, 1, 2, 3, 3))
    check_module(nn.Conv2d(2, 4, 3, padding="same", groups=2, bias=False), t64(rng, 1, 2, 3, 3))


def test_conv1d_matches_naive_and_gradcheck(rng):
    m = nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=1).double()
    x = engine.tensor(rng.standard_normal((2, 2, 7)))
    # padding only along the length: pad by hand, then a 2-D reference with height 1
    xpad = np.pad(x.data, ((0, 0), (0, 0), (1, 1)))
    ref = naive_conv2d(xpad[:, :, None, :], m.weight.data[:, :, None, :], m.bias.data, 2, 0, 1, 1)[:, :, 0]
    np.testing.assert_allclose(m(x).data, ref, atol=1e-12)
    check_module(nn.Conv1d(2, 2, 2, dilation=2), t64(rng, 2, 2, 5))


# ----------------------------------------------------------------------------- pooling
def test_maxpool_values_and_first_max_gets_gradient():
    x = engine.tensor(np.array([[[[1., 1., 2., 0.], [0., 1., 3., 3.], [5., 4., 0., 0.], [4., 5., 0., 0.]]]]),
                      requires_grad=True)
    y = nn.MaxPool2d(2)(x)
    np.testing.assert_array_equal(y.data, [[[[1., 3.], [5., 0.]]]])
    y.sum().backward()
    # ties: torch sends the gradient to the first maximum in the window
    np.testing.assert_array_equal(x.grad, [[[[1, 0, 0, 0], [0, 0, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]]]])


def test_pool_gradcheck_and_padding(rng):
    x = t64(rng, 1, 2, 5, 5)
    assert gradcheck(lambda a: F.max_pool2d(a, 3, 2, 1), [x])
    assert gradcheck(lambda a: F.avg_pool2d(a, 2, 1, 1), [x])
    assert gradcheck(lambda a: F.avg_pool2d(a, 3, 2, 1, count_include_pad=False), [x])
    # padded max pooling ignores the padding (pads with -inf)
    neg = engine.tensor(-np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(F.max_pool2d(neg, 2, 2, 1).data, -np.ones((1, 1, 2, 2)))
    # avg with count_include_pad counts the zero padding, without it does not
    ones = engine.tensor(np.ones((1, 1, 2, 2)))
    np.testing.assert_allclose(nn.AvgPool2d(2, 2, 1)(ones).data, np.full((1, 1, 2, 2), 0.25))
    np.testing.assert_allclose(nn.AvgPool2d(2, 2, 1, count_include_pad=False)(ones).data, np.ones((1, 1, 2, 2)))


# ----------------------------------------------------------------------------- dropout / flatten
def test_dropout_train_eval_and_scaling():
    m = nn.Dropout(0.25, generator=engine.Generator(1))
    x = engine.ones(2000)
    y = m(x).data
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert 0.70 < kept.mean() < 0.80
    m.eval()
    assert m(x) is x
    a = nn.Dropout(0.5, generator=engine.Generator(3))(x).data
    b = nn.Dropout(0.5, generator=engine.Generator(3))(x).data
    np.testing.assert_array_equal(a, b)


def test_dropout_gradient_uses_the_same_mask(rng):
    x = t64(rng, 50)
    y = F.dropout(x, 0.5, True, generator=engine.Generator(4))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, (y.data != 0) * 2.0)


def test_flatten():
    assert nn.Flatten()(engine.zeros(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0, 1)(engine.zeros(2, 3, 4)).shape == (6, 4)


# ----------------------------------------------------------------------------- normalisation
def test_batchnorm1d_train_updates_running_stats_by_hand():
    m = nn.BatchNorm1d(2, momentum=0.1).double()
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    y = m(engine.tensor(x)).data
    mean = x.mean(0)
    var_b = x.var(0)          # biased, used to normalise
    var_u = x.var(0, ddof=1)  # unbiased, used for the running estimate
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var_b + 1e-5))
    np.testing.assert_allclose(m.running_mean.data, 0.1 * mean)
    np.testing.assert_allclose(m.running_var.data, 0.9 * 1 + 0.1 * var_u)
    assert int(m.num_batches_tracked.data) == 1
    m.eval()
    x2 = np.array([[0.0, 1.0]])
    np.testing.assert_allclose(m(engine.tensor(x2)).data,
                               (x2 - 0.1 * mean) / np.sqrt(0.9 + 0.1 * var_u + 1e-5))
    assert int(m.num_batches_tracked.data) == 1  # eval leaves the statistics alone


def test_batchnorm_momentum_none_is_cumulative_average():
    m = nn.BatchNorm1d(1, momentum=None).double()
    a, b = np.array([[0.0], [2.0]]), np.array([[4.0], [8.0]])
    m(engine.tensor(a))
    m(engine.tensor(b))
    np.testing.assert_allclose(m.running_mean.data, [(1.0 + 6.0) / 2])


def test_batchnorm_without_tracking_always_uses_batch_stats():
    m = nn.BatchNorm2d(1, track_running_stats=False, affine=False).double().eval()
    x = np.arange(8.0).reshape(2, 1, 2, 2)
    np.testing.assert_allclose(m(engine.tensor(x)).data, (x - x.mean()) / np.sqrt(x.var() + 1e-5))
    assert m.running_mean is None and list(m.parameters()) == []


def test_norm_gradchecks(rng):
    check_module(nn.BatchNorm1d(3), t64(rng, 4, 3))
    check_module(nn.BatchNorm2d(2), t64(rng, 2, 2, 2, 2))
    check_module(nn.LayerNorm(4), t64(rng, 3, 4))
    check_module(nn.GroupNorm(2, 4), t64(rng, 2, 4, 3))
    check_module(nn.InstanceNorm2d(2, affine=True), t64(rng, 2, 2, 2, 3))
    bn = nn.BatchNorm1d(3)
    bn.double()
    bn.running_mean.data[...] = [0.5, -1, 2]
    bn.eval()
    check_module(bn, t64(rng, 4, 3))


def test_norms_without_bias_keep_only_the_scale(rng):
    for m, x in ((nn.BatchNorm1d(3, bias=False), t64(rng, 4, 3)), (nn.BatchNorm2d(2, bias=False), t64(rng, 2, 2, 2, 2)),
                 (nn.GroupNorm(2, 4, bias=False), t64(rng, 2, 4, 3)),
                 (nn.InstanceNorm2d(2, affine=True, bias=False), t64(rng, 2, 2, 2, 3))):
        assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]
        check_module(m, x)
        m.weight.data[...] = 2.0
        full = type(m)(*( (2, 4) if isinstance(m, nn.GroupNorm) else (m.num_features,) ),
                       **({"affine": True} if isinstance(m, nn.InstanceNorm2d) else {})).double()
        full.weight.data[...] = 2.0
        np.testing.assert_allclose(m(x).data, full(x).data)  # bias 0 == no bias
    assert "bias=False" in repr(nn.BatchNorm1d(3, bias=False))


def test_layernorm_groupnorm_values(rng):
    x = rng.standard_normal((3, 4, 5))
    ln = nn.LayerNorm((4, 5)).double()
    mu = x.mean((1, 2), keepdims=True)
    np.testing.assert_allclose(ln(engine.tensor(x)).data, (x - mu) / np.sqrt(x.var((1, 2), keepdims=True) + 1e-5))
    gn = nn.GroupNorm(2, 4).double()
    g = x.reshape(3, 2, 10)
    ref = ((g - g.mean(2, keepdims=True)) / np.sqrt(g.var(2, keepdims=True) + 1e-5)).reshape(x.shape)
    np.testing.assert_allclose(gn(engine.tensor(x)).data, ref)


# ----------------------------------------------------------------------------- embedding
def test_embedding_lookup_padding_and_gradcheck(rng):
    m = nn.Embedding(5, 3, padding_idx=0).double()
    np.testing.assert_array_equal(m.weight.data[0], 0)
    idx = np.array([[0, 2], [2, 4]])
    np.testing.assert_array_equal(m(engine.tensor(idx)).data, m.weight.data[idx])
    ps = params64(m)
    assert gradcheck(lambda w: F.embedding(idx, w), ps)
    m.zero_grad()
    m(engine.tensor(idx)).sum().backward()  # the padding row (0) never gets a gradient
    np.testing.assert_array_equal(m.weight.grad[:, 0], [0, 0, 2, 0, 1])
    with pytest.raises(IndexError):
        m(engine.tensor(np.array([5])))


# ----------------------------------------------------------------------------- recurrent
def sig(x):
    return 1 / (1 + np.exp(-x))


def numpy_lstm(x, h, c, wi, wh, bi, bh):
    H = h.shape[-1]
    outs = []
    for t in range(x.shape[0]):
        a = x[t] @ wi.T + bi + h @ wh.T + bh
        i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs), h, c


def numpy_gru(x, h, wi, wh, bi, bh):
    H = h.shape[-1]
    outs = []
    for t in range(x.shape[0]):
        gi, gh = x[t] @ wi.T + bi, h @ wh.T + bh
        r = sig(gi[:, :H] + gh[:, :H])
        z = sig(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h


def test_lstm_matches_numpy_reference(rng):
    m = nn.LSTM(3, 4).double()
    assert [n for n, _ in m.named_parameters()] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert m.weight_ih_l0.shape == (16, 3)
    x = rng.standard_normal((5, 2, 3))
    h0, c0 = rng.standard_normal((1, 2, 4)), rng.standard_normal((1, 2, 4))
    out, (h, c) = m(engine.tensor(x), (engine.tensor(h0), engine.tensor(c0)))
    ref, rh, rc = numpy_lstm(x, h0[0], c0[0], *[p.data for p in m.parameters()])
    np.testing.assert_allclose(out.data, ref, atol=1e-12)
    np.testing.assert_allclose(h.data[0], rh, atol=1e-12)
    np.testing.assert_allclose(c.data[0], rc, atol=1e-12)


def test_gru_and_rnn_match_numpy_reference(rng):
    x = rng.standard_normal((4, 2, 3))
    g = nn.GRU(3, 5, batch_first=False).double()
    out, h = g(engine.tensor(x))
    ref, rh = numpy_gru(x, np.zeros((2, 5)), *[p.data for p in g.parameters()])
    np.testing.assert_allclose(out.data, ref, atol=1e-12)
    np.testing.assert_allclose(h.data[0], rh, atol=1e-12)
    r = nn.RNN(3, 2, nonlinearity="relu").double()
    wi, wh, bi, bh = [p.data for p in r.parameters()]
    hh, outs = np.zeros((2, 2)), []
    for t in range(4):
        hh = np.maximum(x[t] @ wi.T + bi + hh @ wh.T + bh, 0)
        outs.append(hh)
    np.testing.assert_allclose(r(engine.tensor(x))[0].data, np.stack(outs), atol=1e-12)


def test_bidirectional_two_layer_batch_first_shapes_and_reverse_direction(rng):
    m = nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True).double()
    assert "weight_ih_l1_reverse" in dict(m.named_parameters())
    assert m.weight_ih_l1.shape == (12, 8)
    x = rng.standard_normal((2, 5, 3))
    out, h = m(engine.tensor(x))
    assert out.shape == (2, 5, 8) and h.shape == (4, 2, 4)
    # the reverse direction of layer 0 is a GRU run on the reversed sequence
    one = nn.GRU(3, 4).double()
    for a, b in zip(one.parameters(), [m.weight_ih_l0_reverse, m.weight_hh_l0_reverse, m.bias_ih_l0_reverse, m.bias_hh_l0_reverse]):
        a.data = b.data.copy()
    _, rh = one(engine.tensor(x.transpose(1, 0, 2)[::-1].copy()))
    np.testing.assert_allclose(h.data[1], rh.data[0], atol=1e-12)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_gradcheck(rng, cls):
    m = cls(2, 3, num_layers=2, bidirectional=True)
    ps = params64(m)
    x = t64(rng, 3, 2, 2)
    h0 = t64(rng, 4, 2, 3)
    hx = (h0, t64(rng, 4, 2, 3)) if cls is nn.LSTM else h0
    hs = list(hx) if cls is nn.LSTM else [hx]

    def fn(x, *rest):
        out, hn = m(x, tuple(rest[:len(hs)]) if cls is nn.LSTM else rest[0])
        return (out,) + (tuple(hn) if cls is nn.LSTM else (hn,))
    assert gradcheck(fn, [x] + hs + ps)


def test_unbatched_rnn_input():
    m = nn.LSTM(3, 2)
    out, (h, c) = m(engine.randn(5, 3))
    assert out.shape == (5, 2) and h.shape == (1, 2) and c.shape == (1, 2)


def test_tbptt_chunks_and_detach_hidden(rng):
    m = nn.LSTM(1, 2).double()
    x = engine.tensor(rng.standard_normal((7, 1, 1)))
    chunks = list(nn.tbptt_chunks(x, 3))
    assert [c.shape[0] for c in chunks] == [3, 3, 1]
    hidden, outs = None, []
    for xs in chunks:
        out, hidden = m(xs, hidden)
        outs.append(out.data)
        hidden = nn.detach_hidden(hidden)
        assert not hidden[0].requires_grad and not hidden[1].requires_grad
    # chunked forward equals the full forward; only the gradient path is cut
    np.testing.assert_allclose(np.concatenate(outs), m(x)[0].data, atol=1e-12)
    # gradient of the last chunk does not reach the first chunk's input
    x2 = engine.tensor(rng.standard_normal((4, 1, 1)), requires_grad=True)
    a, b = nn.tbptt_chunks(x2, 2)
    _, h = m(a)
    out, _ = m(b, nn.detach_hidden(h))
    out.sum().backward()
    np.testing.assert_array_equal(x2.grad[:2], 0)
    assert np.abs(x2.grad[2:]).sum() > 0


# ----------------------------------------------------------------------------- attention
def numpy_sdpa(q, k, v, add=None):
    s = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    if add is not None:
        s = s + add
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return w @ v, w


def test_sdpa_masks(rng):
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 2))
    T = engine.tensor
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v)).data, numpy_sdpa(q, k, v)[0])
    keep = rng.random((3, 5)) > 0.4
    keep[:, 0] = True
    out, w = F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=keep, return_weights=True)
    np.testing.assert_array_equal(w.data[:, ~keep], 0)   # True = may attend
    np.testing.assert_allclose(out.data, numpy_sdpa(q, k, v, np.where(keep, 0, -np.inf))[0])
    add = rng.standard_normal((3, 5))
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(add)).data,
                               numpy_sdpa(q, k, v, add)[0])
    qq = rng.standard_normal((2, 5, 4))
    causal = F.scaled_dot_product_attention(T(qq), T(k), T(v), is_causal=True, scale=0.3)
    # scale=0.3 equals the default 1/sqrt(4) = 0.5 on a query multiplied by 0.6
    ref = numpy_sdpa(qq * 0.6, k, v, np.where(np.tril(np.ones((5, 5))) > 0, 0, -np.inf))[0]
    np.testing.assert_allclose(causal.data, ref, atol=1e-12)


def test_sdpa_gradcheck_with_mask(rng):
    q, k, v = t64(rng, 1, 3, 2), t64(rng, 1, 4, 2), t64(rng, 1, 4, 3)
    keep = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [1, 1, 1, 1]], bool)
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=keep), [q, k, v])


def test_multihead_attention_reference_and_masks(rng):
    E, h = 4, 2
    m = nn.MultiheadAttention(E, h).double()
    x = rng.standard_normal((3, 2, E))  # (L, N, E): batch_first=False by default
    out, w = m(engine.tensor(x), engine.tensor(x), engine.tensor(x))
    W, b = m.in_proj_weight.data, m.in_proj_bias.data
    xb = x.transpose(1, 0, 2)
    q, k, v = np.split(xb @ W.T + b, 3, -1)
    split = lambda t: t.reshape(2, 3, h, E // h).transpose(0, 2, 1, 3)  # noqa: E731
    o, ww = numpy_sdpa(split(q), split(k), split(v))
    o = o.transpose(0, 2, 1, 3).reshape(2, 3, E) @ m.out_proj.weight.data.T + m.out_proj.bias.data
    np.testing.assert_allclose(out.data, o.transpose(1, 0, 2), atol=1e-12)
    np.testing.assert_allclose(w.data, ww.mean(1), atol=1e-12)
    # key_padding_mask: True = ignore that key
    pad = np.array([[False, False, True], [False, False, False]])
    _, w2 = m(engine.tensor(x), engine.tensor(x), engine.tensor(x), key_padding_mask=pad)
    np.testing.assert_array_equal(w2.data[0, :, 2], 0)
    _, w3 = m(engine.tensor(x), engine.tensor(x), engine.tensor(x), attn_mask=~np.tril(np.ones((3, 3), bool)))
    np.testing.assert_array_equal(np.triu(w3.data[0], 1), 0)


def test_multihead_attention_gradcheck(rng):
    m = nn.MultiheadAttention(4, 2, batch_first=True)
    x = t64(rng, 1, 3, 4)
    ps = params64(m)
    assert gradcheck(lambda a, *p: m(a, a, a)[0], [x] + ps)


def test_multihead_attention_kdim_vdim_uses_separate_projections(rng):
    E, h, kd, vd = 4, 2, 3, 5
    m = nn.MultiheadAttention(E, h, kdim=kd, vdim=vd, batch_first=True).double()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                     "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight is None and m.k_proj_weight.shape == (E, kd) and m.v_proj_weight.shape == (E, vd)
    bound = math.sqrt(6 / (E + kd))  # xavier_uniform_ on each projection
    assert np.abs(m.k_proj_weight.data).max() <= bound and np.all(m.in_proj_bias.data == 0)
    q, k, v = rng.standard_normal((2, 3, E)), rng.standard_normal((2, 6, kd)), rng.standard_normal((2, 6, vd))
    out, w = m(engine.tensor(q), engine.tensor(k), engine.tensor(v))
    b = m.in_proj_bias.data
    split = lambda t: t.reshape(2, t.shape[1], h, E // h).transpose(0, 2, 1, 3)  # noqa: E731
    o, ww = numpy_sdpa(split(q @ m.q_proj_weight.data.T + b[:E]), split(k @ m.k_proj_weight.data.T + b[E:2 * E]),
                       split(v @ m.v_proj_weight.data.T + b[2 * E:]))
    o = o.transpose(0, 2, 1, 3).reshape(2, 3, E) @ m.out_proj.weight.data.T + m.out_proj.bias.data
    np.testing.assert_allclose(out.data, o, atol=1e-12)
    np.testing.assert_allclose(w.data, ww.mean(1), atol=1e-12)
    with pytest.raises(ValueError, match="kdim=3"):
        m(engine.tensor(q), engine.tensor(q), engine.tensor(v))


@pytest.mark.parametrize("kwargs", [dict(kdim=3, vdim=5), dict(kdim=3), dict(add_bias_kv=True),
                                    dict(add_zero_attn=True, kdim=2, vdim=2)])
def test_multihead_attention_kdim_vdim_bias_kv_gradcheck(rng, kwargs):
    m = nn.MultiheadAttention(4, 2, batch_first=True, **kwargs)
    q = t64(rng, 2, 3, 4)
    k, v = t64(rng, 2, 4, m.kdim), t64(rng, 2, 4, m.vdim)
    pad = np.array([[False, False, False, True], [False, False, False, False]])
    ps = params64(m)
    assert gradcheck(lambda a, b, c, *p: m(a, b, c, key_padding_mask=pad)[0], [q, k, v] + ps)


def test_multihead_attention_bias_kv_and_zero_attn_add_one_key_each(rng):
    m = nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, batch_first=True)
    assert m.bias_k.shape == (1, 1, 4) and m.bias_v.shape == (1, 1, 4)
    x = engine.tensor(rng.standard_normal((2, 3, 4)).astype(np.float32))
    causal = np.triu(np.ones((3, 3), bool), 1)
    _, w = m(x, x, x, attn_mask=causal)
    assert w.shape == (2, 3, 5)  # 3 keys + bias_k + the zero key
    np.testing.assert_array_equal(w.data[:, 0, 1:3], 0)  # the causal mask still holds
    assert np.all(w.data[:, :, 3:] > 0)  # the added keys are never masked


def test_positional_encoding_values():
    pe = nn.PositionalEncoding(6, max_len=10, batch_first=True).double()
    x = engine.zeros(1, 4, 6, dtype=np.float64)
    y = pe(x).data[0]
    pos, i = 3, 1
    np.testing.assert_allclose(y[pos, 2 * i], math.sin(pos / 10000 ** (2 * i / 6)))
    np.testing.assert_allclose(y[pos, 2 * i + 1], math.cos(pos / 10000 ** (2 * i / 6)))
    assert nn.PositionalEncoding(5, 8)(engine.zeros(3, 2, 5)).shape == (3, 2, 5)


def test_transformer_block_gradcheck(rng):
    m = nn.TransformerBlock(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True)
    check_module(m, t64(rng, 1, 3, 4))


# ----------------------------------------------------------------------------- gated blocks
def test_mixture_of_experts_dense_and_top_k(rng):
    m = nn.MixtureOfExperts(3, 2, num_experts=4).double()
    x = t64(rng, 5, 3)
    y = m(x)
    gates = m.last_gates.data
    np.testing.assert_allclose(gates.sum(-1), 1)
    ref = sum(gates[:, [j]] * e(x).data for j, e in enumerate(m.experts))
    np.testing.assert_allclose(y.data, ref)
    np.testing.assert_allclose(m.last_load.data, gates.mean(0))
    assert not m.last_gates.requires_grad
    check_module(m, x)

    k = nn.MixtureOfExperts(3, 2, num_experts=4, hidden=5, top_k=2).double()
    y = k(x)
    g = k.last_gates.data
    assert ((g > 0).sum(-1) == 2).all()
    logits = k.gate(x).data
    top = np.argsort(logits, -1)[:, -2:]
    sel = np.take_along_axis(logits, top, -1)
    expect = np.exp(sel) / np.exp(sel).sum(-1, keepdims=True)  # renormalised over the top 2
    np.testing.assert_allclose(np.take_along_axis(g, top, -1), expect)
    check_module(k, x)


def test_attention_module_weights_sum_of_branches(rng):
    m = nn.AttentionModule(3, 2, num_branches=3).double()
    x = t64(rng, 4, 3)
    y = m(x)
    w = m.last_weights.data
    z = m.controller(x).data
    np.testing.assert_allclose(w, np.exp(z) / np.exp(z).sum(-1, keepdims=True))
    np.testing.assert_allclose(y.data, sum(w[:, [j]] * b(x).data for j, b in enumerate(m.branches)))
    check_module(m, x)


def test_batchnorm1d_on_sequences_matches_batchnorm2d(rng):
    x = rng.standard_normal((3, 2, 5))
    a, b = nn.BatchNorm1d(2).double(), nn.BatchNorm2d(2).double()
    np.testing.assert_allclose(a(engine.tensor(x)).data, b(engine.tensor(x[..., None])).data[..., 0])
    np.testing.assert_allclose(a.running_var.data, b.running_var.data)
    with pytest.raises(ValueError, match="BatchNorm2d expects a 4-D input"):
        b(engine.tensor(x))


def test_pool_modules_gradcheck(rng):
    x = t64(rng, 1, 1, 4, 5)
    check_module(nn.MaxPool2d(2, stride=1), x)
    check_module(nn.AvgPool2d(2), x)
    check_module(nn.MaxPool1d(3, 2, 1), t64(rng, 2, 1, 6))
    check_module(nn.AvgPool1d(2), t64(rng, 2, 1, 6))
    check_module(nn.AvgPool2d(2, 1, 1, divisor_override=3), x)


def test_avg_pool_divisor_override_divides_the_window_sum(rng):
    x = rng.standard_normal((1, 2, 4, 4))
    windows = x.reshape(1, 2, 2, 2, 2, 2).sum((3, 5))
    np.testing.assert_allclose(nn.AvgPool2d(2, divisor_override=3)(engine.tensor(x)).data, windows / 3)
    np.testing.assert_allclose(F.avg_pool2d(engine.tensor(x), 2, None, 0, False, True, 5).data, windows / 5)
    with pytest.raises(ValueError, match="ceil_mode"):
        F.max_pool2d(engine.tensor(x), 2, 2, 0, 1, True)


def test_multihead_attention_unbatched_and_no_weights(rng):
    m = nn.MultiheadAttention(4, 2)
    x = engine.randn(3, 4)
    out, w = m(x, x, x)
    assert out.shape == (3, 4) and w.shape == (3, 3)
    out, w = m(x, x, x, need_weights=False)
    assert w is None
    _, w = m(engine.randn(3, 2, 4), engine.randn(5, 2, 4), engine.randn(5, 2, 4), average_attn_weights=False)
    assert w.shape == (2, 2, 3, 5)


def test_dropout_module_gradcheck_with_fixed_generator(rng):
    x = t64(rng, 4, 3)
    assert gradcheck(lambda a: F.dropout(a, 0.3, True, generator=engine.Generator(5)), [x])


def test_bad_arguments_have_clear_messages():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="top_k"):
        nn.MixtureOfExperts(2, 2, num_experts=3, top_k=4)
    with pytest.raises(ValueError, match="input_size=3"):
        nn.LSTM(3, 2)(engine.zeros(4, 1, 5))
    with pytest.raises(ValueError, match=r"expects input \(N, 3, H, W\)"):
        nn.Conv2d(3, 4, 3)(engine.zeros(1, 2, 5, 5))
    assert nn.Conv1d(2, 4, 3)(engine.zeros(2, 7)).shape == (4, 5)  # unbatched, as torch
    with pytest.raises(ValueError, match="larger than the input"):
        nn.MaxPool2d(3)(engine.zeros(1, 1, 2, 2))


def test_attention_dropout_draws_from_the_generator_it_is_given():
    rng = np.random.default_rng(5)
    q, k, v = (engine.tensor(rng.standard_normal((2, 4, 3))) for _ in range(3))
    a, b = (F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, generator=engine.Generator(7)).data
            for _ in range(2))
    np.testing.assert_array_equal(a, b)   # the same seed, the same mask
    c = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, generator=engine.Generator(8)).data
    assert not np.array_equal(a, c)
