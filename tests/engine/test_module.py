"""Module: parameters, children, train/eval, zero_grad, state_dict and hooks, as torch.nn.Module."""
import numpy as np
import pytest

import engine
from engine import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        self.scale = nn.Parameter(engine.ones(1).data)

    def forward(self, x):
        return self.drop(self.bn(self.fc(x))) * self.scale


def test_parameters_children_and_modules_are_found_in_registration_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "fc.weight", "fc.bias", "bn.weight", "bn.bias"]
    assert [n for n, _ in net.named_children()] == ["fc", "bn", "drop"]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Linear", "BatchNorm1d", "Dropout"]
    assert [n for n, _ in net.named_buffers()] == ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert len(list(net.parameters(recurse=False))) == 1


def test_train_and_eval_reach_every_submodule():
    net = Net().eval()
    assert not any(m.training for m in net.modules())
    x = engine.randn(5, 3)
    np.testing.assert_array_equal(net(x).data, net(x).data)  # no dropout, running stats
    assert net.train() is net and all(m.training for m in net.modules())


def test_zero_grad_sets_none_or_zeros():
    net = Net()
    net(engine.randn(6, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(np.asarray(p.grad) == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_and_clear_errors():
    a, b = Net(), Net()
    a(engine.randn(8, 3))  # moves the running statistics
    state = a.state_dict()
    assert "bn.running_mean" in state and isinstance(state["fc.weight"], np.ndarray)
    state["fc.weight"][...] = 7.0  # a copy: editing it leaves the module alone
    assert not np.all(a.fc.weight.data == 7.0)
    b.load_state_dict(a.state_dict())
    for (k, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(x, y, err_msg=k)
    with pytest.raises(KeyError, match="missing"):
        b.load_state_dict({"fc.weight": state["fc.weight"]})
    missing, unexpected = b.load_state_dict({"fc.weight": state["fc.weight"], "extra": 1}, strict=False)
    assert "fc.bias" in missing and unexpected == ["extra"] and np.all(b.fc.weight.data == 7.0)
    bad = a.state_dict()
    bad["fc.bias"] = np.zeros(5)
    with pytest.raises(ValueError, match=r"'fc.bias' has shape \(5,\), expected \(4,\)"):
        b.load_state_dict(bad)


def test_forward_pre_hook_and_forward_hook_can_replace_values_and_be_removed():
    lin = nn.Linear(2, 2)
    seen = []
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0.0,))
    post = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape) or out + 1.0)
    y = lin(engine.randn(3, 2))
    np.testing.assert_allclose(y.data, np.broadcast_to(lin.bias.data + 1.0, (3, 2)), rtol=1e-6)
    assert seen == [(3, 2)]
    pre.remove()
    post.remove()
    x = engine.randn(3, 2)
    np.testing.assert_allclose(lin(x).data, x.data @ lin.weight.data.T + lin.bias.data, rtol=1e-6)
    assert seen == [(3, 2)]


def test_backward_hook_sees_the_output_gradient_and_can_replace_it():
    lin = nn.Linear(2, 1)
    grads = []

    def hook(module, grad_input, grad_output):
        grads.append(np.array(grad_output[0]))
        return (grad_output[0] * 0.0,)

    handle = lin.register_full_backward_hook(hook)
    x = engine.randn(4, 2, requires_grad=True)
    (lin(x) * 3.0).sum().backward()
    np.testing.assert_array_equal(grads[0], np.full((4, 1), 3.0))
    assert np.all(np.asarray(x.grad) == 0) and np.all(np.asarray(lin.weight.grad) == 0)
    handle.remove()
    x.grad = None
    (lin(x) * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, np.broadcast_to(3.0 * lin.weight.data, (4, 2)), rtol=1e-6)
    assert len(grads) == 1
