"""Cross-checks against PyTorch (skipped when torch is not installed): torch's weights are
loaded by name into our modules, so this also proves the parameter names and shapes match."""
import numpy as np
import pytest

import engine
from engine import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torchref


def copy_from(ours, theirs):
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)
    return ours


def compare(ours, theirs, *inputs, atol=1e-10, kwargs=None, pick=lambda o: o):
    """Same outputs and same input/parameter gradients for a random weighting of the output."""
    kwargs = kwargs or {}
    theirs = theirs.double()
    ours = copy_from(ours.double(), theirs)
    ours.zero_grad()
    theirs.zero_grad()
    t_in = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    e_in = [engine.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    t_out, e_out = pick(theirs(*t_in, **kwargs)), pick(ours(*e_in, **kwargs))
    np.testing.assert_allclose(e_out.data, t_out.detach().numpy(), atol=atol)
    w = np.random.default_rng(1).standard_normal(t_out.shape)
    (t_out * torch.tensor(w)).sum().backward()
    (e_out * engine.tensor(w)).sum().backward()
    for a, b in zip(e_in, t_in):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=atol)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tp[name].grad.numpy(), atol=atol, err_msg=name)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_linear_conv_bilinear(rng):
    compare(nn.Linear(3, 4), torch.nn.Linear(3, 4), rng.standard_normal((5, 3)))
    compare(nn.Bilinear(3, 2, 4), torch.nn.Bilinear(3, 2, 4), rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    args = dict(stride=2, padding=1, dilation=2, groups=2)
    compare(nn.Conv2d(4, 6, 3, **args), torch.nn.Conv2d(4, 6, 3, **args), rng.standard_normal((2, 4, 9, 8)))
    compare(nn.Conv1d(2, 4, 3, padding="same"), torch.nn.Conv1d(2, 4, 3, padding="same"), rng.standard_normal((2, 2, 7)))


def test_pooling_and_norms(rng):
    x = rng.standard_normal((2, 3, 7, 6))
    x[0, 0, :2, :2] = 1.0  # a tie: torch and we pick the first maximum
    for ours, theirs in [(nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
                         (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
                         (nn.AvgPool2d(3, 2, 1, count_include_pad=False), torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False))]:
        tx, ex = torch.tensor(x, requires_grad=True), engine.tensor(x, requires_grad=True)
        theirs(tx).sum().backward()
        ours(ex).sum().backward()
        np.testing.assert_allclose(ours(ex).data, theirs(tx).detach().numpy())
        np.testing.assert_allclose(ex.grad, tx.grad.numpy())
    compare(nn.GroupNorm(3, 3), torch.nn.GroupNorm(3, 3), x)
    compare(nn.LayerNorm([7, 6]), torch.nn.LayerNorm([7, 6]), x)
    compare(nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True), x)


def test_batchnorm_running_stats_train_and_eval(rng):
    ours, theirs = nn.BatchNorm2d(3, momentum=0.3).double(), torch.nn.BatchNorm2d(3, momentum=0.3).double()
    for _ in range(3):
        x = rng.standard_normal((4, 3, 2, 2)) * 3 + 1
        compare(ours, theirs, x)
    for k in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(ours, k).data, getattr(theirs, k).numpy())
    ours.eval()
    theirs.eval()
    compare(ours, theirs, rng.standard_normal((2, 3, 2, 2)))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers(rng, name):
    kw = dict(num_layers=2, bidirectional=True, batch_first=True)
    ours, theirs = getattr(nn, name)(3, 4, **kw), getattr(torch.nn, name)(3, 4, **kw)
    compare(ours, theirs, rng.standard_normal((2, 5, 3)), pick=lambda o: o[0])
    compare(ours, theirs, rng.standard_normal((2, 5, 3)),
            pick=lambda o: o[1][1] if name == "LSTM" else o[1])


def test_multihead_attention_and_transformer_block(rng):
    x = rng.standard_normal((2, 4, 6))
    causal = np.triu(np.ones((4, 4), bool), 1)
    pad = np.array([[False, False, False, True], [False, False, False, False]])
    for kwargs in ({}, {"attn_mask": causal}, {"key_padding_mask": pad}):
        ours, theirs = nn.MultiheadAttention(6, 2, batch_first=True), torch.nn.MultiheadAttention(6, 2, batch_first=True)
        theirs = theirs.double()
        copy_from(ours.double(), theirs)
        tk = {k: torch.tensor(v) for k, v in kwargs.items()}
        t_out, t_w = theirs(*(torch.tensor(x),) * 3, **tk)
        e_out, e_w = ours(*(engine.tensor(x),) * 3, **kwargs)
        np.testing.assert_allclose(e_out.data, t_out.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(e_w.data, t_w.detach().numpy(), atol=1e-10)
    kw = dict(dim_feedforward=8, dropout=0.0, batch_first=True)
    compare(nn.TransformerBlock(6, 2, **kw), torch.nn.TransformerEncoderLayer(6, 2, **kw), x)
    compare(nn.TransformerBlock(6, 2, norm_first=True, **kw),
            torch.nn.TransformerEncoderLayer(6, 2, norm_first=True, **kw), x)


@pytest.mark.parametrize("kwargs", [dict(kdim=3, vdim=5), dict(kdim=2, vdim=6, bias=False),
                                    dict(add_bias_kv=True), dict(add_zero_attn=True, kdim=3, vdim=3)])
def test_multihead_attention_kdim_vdim_bias_kv_match_torch(kwargs):
    rng = np.random.default_rng(2)
    torch.manual_seed(0)
    ours = nn.MultiheadAttention(6, 2, batch_first=True, **kwargs)
    theirs = torch.nn.MultiheadAttention(6, 2, batch_first=True, **kwargs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    kd, vd = kwargs.get("kdim", 6), kwargs.get("vdim", 6)
    q, k, v = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 4, kd)), rng.standard_normal((2, 4, vd))
    pad = np.array([[False, False, True, False], [False, False, False, False]])
    compare(ours, theirs, q, k, v, pick=lambda o: o[0])  # outputs and every gradient
    t_out, t_w = theirs(*(torch.tensor(a) for a in (q, k, v)), key_padding_mask=torch.tensor(pad))
    e_out, e_w = ours(*(engine.tensor(a) for a in (q, k, v)), key_padding_mask=pad)
    np.testing.assert_allclose(e_out.data, t_out.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(e_w.data, t_w.detach().numpy(), atol=1e-10)


def test_norm_bias_false_and_avg_pool_divisor_override_match_torch():
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 5))
    compare(nn.BatchNorm2d(4, bias=False), torch.nn.BatchNorm2d(4, bias=False), x)
    compare(nn.GroupNorm(2, 4, bias=False), torch.nn.GroupNorm(2, 4, bias=False), x)
    compare(nn.InstanceNorm2d(4, affine=True, bias=False), torch.nn.InstanceNorm2d(4, affine=True, bias=False), x)
    compare(nn.AvgPool2d(3, 2, 1, divisor_override=4), torch.nn.AvgPool2d(3, 2, 1, divisor_override=4), x)
