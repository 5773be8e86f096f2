"""``Module`` and ``Parameter``, as in torch.nn."""
from __future__ import annotations

from collections import OrderedDict

from .. import backend
from ..autograd import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as learnable (requires_grad by default)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data if data is not None else [], requires_grad=requires_grad,
                         dtype=getattr(data, "dtype", None))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class _HookHandle:
    def __init__(self, registry: dict, key: int):
        self._registry, self._key = registry, key

    def remove(self):
        self._registry.pop(self._key, None)


_hook_counter = [0]


class Module:
    """Base class of layers: parameters, buffers, children, hooks, train/eval, state_dict."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", None)
        object.__setattr__(self, "_forward_pre_hooks", None)
        object.__setattr__(self, "_backward_hooks", None)
        object.__setattr__(self, "training", True)

    # ----- registration -----------------------------------------------
    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError("call Module.__init__() before assigning attributes")
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self._modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter '{name}'")
            params[name] = None
        elif name in self._buffers:
            self._buffers[name] = value
        elif name in self._modules and value is None:
            self._modules[name] = None
        # Mirror into the instance dict too: attribute reads in forward() then take
        # Python's fast path instead of __getattr__ (a hot path for tiny nets).
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            s = d.get(store)
            if s is not None and name in s:
                return s[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent: bool = True):
        """Non-learnable state (running statistics): saved in state_dict, not trained."""
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # ----- traversal --------------------------------------------------
    def named_modules(self, memo=None, prefix=""):
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """Each parameter once, even when shared by several submodules (weight tying)."""
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mprefix, m in mods:
            for name, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mprefix}.{name}" if mprefix else name), p

    def parameters(self, recurse: bool = True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = ""):
        for mprefix, m in self.named_modules(prefix=prefix):
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mprefix}.{name}" if mprefix else name), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    # ----- modes and grads ----------------------------------------------
    def train(self, mode: bool = True):
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, flag: bool = True):
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def zero_grad(self, set_to_none: bool = True):
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad[...] = 0

    def to(self, device=None, dtype=None):
        """Move (or cast) every parameter and buffer in place, keeping object identity."""
        for t in list(self.parameters()) + [b for b in self.buffers() if isinstance(b, Tensor)]:
            # like torch, casting touches floating-point tensors only (not counters)
            cast = dtype if t.data.dtype.kind in "fc" else None
            moved = t.detach().to(device=device, dtype=cast)
            t.data = moved.data
            if t.grad is not None:
                t.grad = None
        return self

    def double(self):
        return self.to(dtype=backend.numpy.float64)

    def float(self):
        return self.to(dtype=backend.numpy.float32)

    def apply(self, fn):
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ----- state ---------------------------------------------------------
    def state_dict(self):
        """Name -> host NumPy array copy, for parameters and buffers."""
        out = OrderedDict()
        for mprefix, m in self.named_modules():
            for store in (m._parameters, m._buffers):
                for name, t in store.items():
                    if t is None:
                        continue
                    key = f"{mprefix}.{name}" if mprefix else name
                    arr = t.data if isinstance(t, Tensor) else t
                    out[key] = backend.to_numpy(arr).copy()
        return out

    def load_state_dict(self, state, strict: bool = True):
        own = {}
        for mprefix, m in self.named_modules():
            for store in (m._parameters, m._buffers):
                for name, t in store.items():
                    if t is not None:
                        own[f"{mprefix}.{name}" if mprefix else name] = t
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"state_dict mismatch: missing {missing}, unexpected {unexpected}")
        for k, t in own.items():
            if k not in state:
                continue
            src = state[k].data if isinstance(state[k], Tensor) else state[k]
            if tuple(src.shape) != tuple(t.shape):
                raise ValueError(f"state_dict: '{k}' has shape {tuple(src.shape)}, expected {tuple(t.shape)}")
            xp = backend.array_module(t.data)
            t.data = xp.asarray(src, dtype=t.data.dtype).copy()
        return missing, unexpected

    # ----- hooks -----------------------------------------------------------
    def _add_hook(self, attr, hook):
        reg = self.__dict__[attr]
        if reg is None:
            reg = OrderedDict()
            object.__setattr__(self, attr, reg)
        _hook_counter[0] += 1
        reg[_hook_counter[0]] = hook
        return _HookHandle(reg, _hook_counter[0])

    def register_forward_pre_hook(self, hook):
        """hook(module, inputs) -> None or new inputs."""
        return self._add_hook("_forward_pre_hooks", hook)

    def register_forward_hook(self, hook):
        """hook(module, inputs, output) -> None or a new output."""
        return self._add_hook("_forward_hooks", hook)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output): here grad_input is None and grad_output
        the gradient flowing into the module's output (enough for gradient-flow probes)."""
        return self._add_hook("_backward_hooks", hook)

    register_backward_hook = register_full_backward_hook

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        # Hooks cost one None-check each when none are registered.
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks.values()):
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                r = hook(self, args, out)
                if r is not None:
                    out = r
        if self._backward_hooks and isinstance(out, Tensor) and out.requires_grad:
            hooks = list(self._backward_hooks.values())

            def _on_grad(g, _m=self):
                for hook in hooks:
                    r = hook(_m, None, (g,))
                    if r is not None:
                        g = r[0] if isinstance(r, tuple) else r
                return g

            out.register_hook(_on_grad)
        return out

    # ----- display -------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")
