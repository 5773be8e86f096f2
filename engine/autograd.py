"""Reverse-mode automatic differentiation: ``Tensor`` and ``Function``.

The design follows Chainer's FunctionNode: a ``Function`` instance is one node of the
graph. ``forward`` receives raw arrays and stores on ``self`` only what ``backward``
needs (it can look at ``self.needs`` to skip saving for inputs that want no gradient);
``backward`` returns one gradient per input and may return ``None`` for inputs whose
``needs`` flag is False. The backward order is computed iteratively, so a chain of
ten thousand ops does not hit Python's recursion limit.

Gradient mode is a process-wide flag (not thread-local) because the per-op check is on
the hot path; the training worker is the only thread that runs ops during training.

While ``engine.compile`` traces a step (engine/replay.py), ``apply`` also hands each
Function to the trace, and code that reads a step's values outside a Function says so
with ``value_read``; both cost one global check when nothing is traced.
"""
from __future__ import annotations

import heapq
import itertools
import threading

import numpy

from . import backend



class _GradMode(threading.local):
    """Whether operations record the graph, per thread as in PyTorch: a ``no_grad`` in one
    thread (the GUI asking for a prediction) never switches off another's (the training
    worker's) recording, which a shared flag did when two ``no_grad`` blocks overlapped."""

    enabled = True


_grad_mode = _GradMode()
#: numbers recorded nodes in creation order; backward handles them newest first
_creation_order = itertools.count()
#: the Trace being recorded by engine.compile, or None (see engine/replay.py)
_trace = None


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


class set_grad_enabled:
    """Context manager and decorator that sets gradient recording on or off."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = None

    def __enter__(self):
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _grad_mode.enabled = self.prev
        return False

    def __call__(self, func):
        mode = self.mode

        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        wrapper.__name__ = getattr(func, "__name__", "wrapper")
        wrapper.__doc__ = getattr(func, "__doc__", None)
        return wrapper


class no_grad(set_grad_enabled):
    def __init__(self):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    def __init__(self):
        super().__init__(True)


class Function:
    """A differentiable operation; subclasses implement ``forward`` and ``backward``."""

    #: tensors this node was applied to; None once the graph has been freed
    parents = None
    #: per input: does it need a gradient?
    needs = ()
    #: creation number, set when the node is recorded (see run_backward)
    seq = -1

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def apply(self, *inputs: "Tensor") -> "Tensor":
        """Run forward on the inputs' arrays and, when recording, link the result."""
        if _grad_mode.enabled:
            needs = tuple([t.requires_grad for t in inputs])
            if True in needs:
                self.needs = needs
                out = _make(self.forward(*[t.data for t in inputs]), self)
                self.parents = inputs
                self.seq = next(_creation_order)
                if _trace is not None:
                    _trace.record(self, inputs, out)
                return out
            self.needs = needs
        else:
            self.needs = (False,) * len(inputs)
        out = _make(self.forward(*[t.data for t in inputs]), None)
        if _trace is not None:
            _trace.record(self, inputs, out)
        return out

    def __repr__(self):
        return f"<{type(self).__name__}>"


def value_read(t, why: str):
    """Say that Python code outside any Function is about to use the values of ``t``
    (a comparison, an index taken from it, a random mask drawn beside it). Costs one
    global check; while engine.compile traces a step and ``t`` is one of that step's
    values, the trace is marked dynamic: its recording could not be replayed."""
    if _trace is not None:
        _trace.read(t, why)


class _Freed(Function):
    """Stands in for a node whose graph was freed by backward()."""


_FREED = _Freed()


def _make(data, ctx) -> "Tensor":
    """Fast constructor for op results (skips argument conversion)."""
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = ctx is not None
    t._ctx = ctx
    t._hooks = None
    t._retain = False
    return t


def _to_array(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        data = data.data
    xp = backend.module_for(device) if device is not None else backend.array_module(data)
    if dtype is None:
        arr = xp.asarray(data)
        if arr.dtype.kind == "f" and not hasattr(data, "dtype"):
            arr = arr.astype(backend.DEFAULT_DTYPE)  # Python floats become float32, like torch
        elif arr.dtype.kind == "b" and False:
            pass
        return arr
    return xp.asarray(data, dtype=dtype)


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_hooks", "_retain", "__weakref__")
    __array_priority__ = 1000  # numpy scalars defer to Tensor operators

    def __init__(self, data, requires_grad: bool = False, dtype=None, device=None):
        self.data = _to_array(data, dtype, device)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._hooks = None
        self._retain = False

    # ----- properties -------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return int(self.data.size)

    def __len__(self):
        return len(self.data)

    # ----- conversion -------------------------------------------------
    def numpy(self):
        """A host NumPy array; like torch, refuses when the tensor needs grad."""
        value_read(self, "numpy()")
        return backend.to_numpy(self.data)

    def tolist(self):
        return self.numpy().tolist()

    def item(self):
        value_read(self, "item()")
        return self.data.item()

    def __float__(self):
        value_read(self, "__float__()")
        return float(self.data)

    def __int__(self):
        value_read(self, "__int__()")
        return int(self.data)

    def __bool__(self):
        value_read(self, "__bool__()")
        return bool(self.data)

    def detach(self) -> "Tensor":
        if _trace is not None:  # a traced step records the detach, so a replay repeats it
            from .ops import Detach

            with no_grad():
                return Detach().apply(self)
        return _make(self.data, None)

    def detach_(self) -> "Tensor":
        self._ctx = None
        self.requires_grad = False
        return self

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if self._ctx is not None and not flag:
            raise RuntimeError("only leaf tensors can stop requiring grad; use .detach()")
        self.requires_grad = flag
        return self

    def to(self, device=None, dtype=None) -> "Tensor":
        """Move to ``"cpu"`` or ``"gpu"`` and/or cast. Differentiable for dtype casts."""
        if isinstance(device, (type, numpy.dtype)) and dtype is None:
            device, dtype = None, device
        t = self
        if dtype is not None and numpy.dtype(dtype) != self.data.dtype:
            from .ops import Cast

            t = Cast(dtype).apply(t)
        if device is not None and backend.check_device(device) != self.device:
            value_read(self, "to(device)")
            moved = _make(backend.to_device(t.data, device), None)
            moved.requires_grad = t.requires_grad and t.is_leaf
            return moved
        return t

    def cpu(self):
        return self.to("cpu")

    def float(self):
        return self.to(dtype=numpy.float32)

    def double(self):
        return self.to(dtype=numpy.float64)

    def clone(self) -> "Tensor":
        from .ops import Identity

        return Identity().apply(self)

    def __repr__(self):
        """As torch prints it: the dtype only when it is not the default one."""
        value_read(self, "repr()")
        array = backend.to_numpy(self.data)
        body = numpy.array2string(array, separator=", ", prefix="tensor(")
        if array.dtype not in (backend.DEFAULT_DTYPE, numpy.int64, numpy.bool_):
            body += f", dtype={array.dtype}"
        if self._ctx is not None:
            body += f", grad_fn=<{type(self._ctx).__name__}>"
        elif self.requires_grad:
            body += ", requires_grad=True"
        return f"tensor({body})"

    # ----- autograd ---------------------------------------------------
    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        hooks = self._hooks

        class _Handle:
            def remove(self_inner):
                if hook in hooks:
                    hooks.remove(hook)

        return _Handle()

    def retain_grad(self):
        self._retain = True

    def zero_(self):
        value_read(self, "zero_()")
        self.data[...] = 0
        return self

    def backward(self, gradient=None, retain_graph: bool = False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        if not self.requires_grad:
            raise RuntimeError("this tensor does not require grad and has no grad_fn")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            # asarray of a scalar: a quarter of ones()'s cost (a Python wrapper), every step
            gradient = backend.array_module(self.data).asarray(1, dtype=self.data.dtype).reshape(self.data.shape)
        elif isinstance(gradient, Tensor):
            gradient = gradient.data
        run_backward(self, gradient, retain_graph)


def _apply_hooks(t, g):
    for hook in t._hooks:
        r = hook(_make(g, None))
        if r is not None:
            g = r.data if isinstance(r, Tensor) else r
    return g


def _accumulate_leaf(p, g):
    if p._hooks:
        g = _apply_hooks(p, g)
    # a new array, never in-place: ``g`` may alias another node's gradient
    p.grad = g if p.grad is None else p.grad + g


def run_backward(root: Tensor, grad, retain_graph: bool = False):
    """Propagate ``grad`` from ``root`` to every leaf, each node exactly once.

    Every recorded node has a creation number (``Function.seq``) and its inputs were all
    created before it, so handling nodes from the newest to the oldest is a valid reverse
    topological order. A heap keyed by that number gives the order without a separate
    graph walk and without recursion; a node enters the heap when its first gradient
    arrives and leaves it once, after all of its consumers have added theirs.
    """
    if root._ctx is None:  # a leaf: its gradient is the seed itself
        _accumulate_leaf(root, grad)
        return
    _check_not_freed(root._ctx)
    grads = {id(root): grad}
    heap = [(-root._ctx.seq, root)]
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        t = pop(heap)[1]
        g = grads.pop(id(t))
        if t._hooks:
            g = _apply_hooks(t, g)
        if t._retain:
            t.grad = g if t.grad is None else t.grad + g
        fn = t._ctx
        gxs = fn.backward(g)
        if type(gxs) is not tuple:
            gxs = (gxs,)
        for p, need, gx in zip(fn.parents, fn.needs, gxs):
            if not need or gx is None:
                continue
            if gx.dtype.kind == "c" and p.data.dtype.kind != "c":
                gx = gx.real  # a real input's gradient is the real part (Re z depends on it)
            ctx = p._ctx
            if ctx is None:  # a leaf: _accumulate_leaf inlined, as this loop is the hot path
                if p._hooks:      # (one call less per parameter: ~5 % of a tiny net's step)
                    gx = _apply_hooks(p, gx)
                p.grad = gx if p.grad is None else p.grad + gx
                continue
            k = id(p)
            prev = grads.get(k)
            if prev is None:
                _check_not_freed(ctx)
                grads[k] = gx
                push(heap, (-ctx.seq, p))
            else:
                grads[k] = prev + gx
        if not retain_graph:
            fn.parents = None  # drop the inputs: the graph behind this node can be freed
            t._ctx = _FREED


def _check_not_freed(fn):
    if fn.parents is None:
        raise RuntimeError(
            "Trying to backward through the graph a second time; "
            "pass retain_graph=True to the first backward() if you need to")


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the one helper for broadcast gradients."""
    if grad.shape == shape:
        return grad
    ndiff = grad.ndim - len(shape)
    if ndiff:
        grad = grad.sum(axis=tuple(range(ndiff)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
