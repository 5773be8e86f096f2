"""engine.nn.init and the layers' default initialisation (PyTorch's documented bounds)."""
import math

import numpy as np
import pytest

import engine
from engine import nn
from engine.nn import init


def test_calculate_gain_and_fans():
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("selu") == 0.75 and init.calculate_gain("sigmoid") == 1
    assert init._calculate_fan_in_and_fan_out(engine.zeros(8, 3, 5, 5)) == (75, 200)
    with pytest.raises(ValueError):
        init.calculate_gain("swish")


def test_in_place_bounds_and_statistics():
    t = engine.zeros(200, 300)
    arr = t.data
    assert init.xavier_uniform_(t, gain=2.0) is t and t.data is arr
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.95 * bound
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert np.std(t.data) == pytest.approx(math.sqrt(2 / 200), rel=0.03)
    init.kaiming_uniform_(t, a=math.sqrt(5))
    assert np.abs(t.data).max() <= 1 / math.sqrt(300) + 1e-7
    init.xavier_normal_(t)
    assert np.std(t.data) == pytest.approx(math.sqrt(2 / 500), rel=0.03)
    init.normal_(t, 1.0, 0.5)
    assert np.mean(t.data) == pytest.approx(1.0, abs=0.01)
    init.uniform_(t, -3, -2)
    assert t.data.min() >= -3 and t.data.max() <= -2
    init.trunc_normal_(t, a=-1, b=1)
    assert np.abs(t.data).max() <= 1
    init.constant_(t, 0.5)
    assert (t.data == 0.5).all()
    assert (init.ones_(t).data == 1).all() and (init.zeros_(t).data == 0).all()
    q = init.orthogonal_(engine.zeros(4, 6)).data
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)


def test_generator_makes_init_reproducible():
    a = init.normal_(engine.zeros(5), generator=engine.Generator(7)).data
    b = init.normal_(engine.zeros(5), generator=engine.Generator(7)).data
    np.testing.assert_array_equal(a, b)
    engine.manual_seed(3)
    c = nn.Linear(4, 4).weight.data.copy()
    engine.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(4, 4).weight.data, c)


def in_bound(t, bound):
    d = t.data
    return np.abs(d).max() <= bound + 1e-7 and np.abs(d).max() > 0.5 * bound


def test_default_layer_inits_match_pytorch():
    lin = nn.Linear(50, 40)
    assert in_bound(lin.weight, 1 / math.sqrt(50)) and in_bound(lin.bias, 1 / math.sqrt(50))
    assert lin.weight.dtype == np.float32
    conv = nn.Conv2d(4, 16, 3, groups=2)
    fan_in = 2 * 9
    assert in_bound(conv.weight, 1 / math.sqrt(fan_in)) and in_bound(conv.bias, 1 / math.sqrt(fan_in))
    bil = nn.Bilinear(9, 4, 30)
    assert in_bound(bil.weight, 1 / 3) and in_bound(bil.bias, 1 / 3)
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        for p in cls(3, 16, num_layers=2).parameters():
            assert in_bound(p, 0.25)
    emb = nn.Embedding(100, 50)
    assert np.std(emb.weight.data) == pytest.approx(1.0, rel=0.05)
    for norm in (nn.BatchNorm2d(3), nn.LayerNorm(3), nn.GroupNorm(1, 3)):
        assert (norm.weight.data == 1).all() and (norm.bias.data == 0).all()
    bn = nn.BatchNorm1d(3)
    assert (bn.running_mean.data == 0).all() and (bn.running_var.data == 1).all()
    mha = nn.MultiheadAttention(8, 2)
    assert in_bound(mha.in_proj_weight, math.sqrt(6 / (24 + 8)))
    assert (mha.in_proj_bias.data == 0).all() and (mha.out_proj.bias.data == 0).all()
    assert in_bound(mha.out_proj.weight, 1 / math.sqrt(8))


def test_lstm_forget_bias_sets_only_the_forget_rows_of_every_layer_and_direction():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    before = {n: p.data.copy() for n, p in m.named_parameters()}
    assert nn.init.lstm_forget_bias_(m, 2.5) is m
    for n, p in m.named_parameters():
        if n.startswith("bias_"):
            np.testing.assert_array_equal(p.data[4:8], 2.5 if n.startswith("bias_hh") else 0.0)
            rest = np.r_[0:4, 8:16]
            np.testing.assert_array_equal(p.data[rest], before[n][rest])  # gates i, g, o untouched
        else:
            np.testing.assert_array_equal(p.data, before[n])
    with pytest.raises(ValueError, match="bias=False"):
        nn.init.lstm_forget_bias_(nn.LSTM(3, 4, bias=False))
