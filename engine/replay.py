"""``engine.compile``: record a step once, then replay it without the Python bookkeeping.

A classroom network is tiny, so an eager step costs more in bookkeeping (a Tensor and a
Function object per op, module calls, the backward heap) than in arithmetic. A compiled
function is traced: run eagerly while every Function it applies is recorded in order.
Later calls replay that recording: each recorded Function's ``forward`` runs on plain
arrays, and at backward each ``backward`` runs in reverse order. The caller sees one
graph node, so eager code before and after a compiled call (a loss, ``.backward()``, an
optimizer) works unchanged, and the numbers are the eager numbers.

A recording is valid only for a *static* function, as with CUDA graphs: the same
Functions on arrays of the same shapes, and no array computed outside a Function from
the step's values. What keeps that promise:

- guards: the tensors' shapes, dtypes and requires_grad, the other arguments, grad mode,
  a Module's training flag and the leaves' requires_grad pick the recording; a new
  combination is traced anew (at most ``MAX_RECORDINGS`` per function, then eager);
- engine code that works on a step's values outside a Function (a comparison, an index
  taken from a tensor, ``item()``) calls ``autograd.value_read``; a trace that met one
  is never replayed, and that call signature stays eager (``explain()`` says why);
- the function is traced twice before it is replayed, and the two traces must agree:
  same Functions, same wiring, same leaves, same constant values. A random mask or a
  value-derived constant that no ``value_read`` reported shows up as a difference;
- a replay's saved arrays live on the recorded Function objects, so while the previous
  call still awaits its backward, a new call runs eagerly rather than overwrite them.

Tensor hooks and ``retain_grad`` on values inside the function, and module hooks, run
only in eager calls; a trace that meets them stays eager.
"""
from __future__ import annotations

import builtins
import threading
import weakref

from . import autograd
from .autograd import Function, Tensor, _make

#: recordings kept per compiled function (batch sizes, train/eval, grad on/off)
MAX_RECORDINGS = 8
#: eager traces that must agree before a recording is replayed
TRACES_BEFORE_REPLAY = 2


class Trace:
    """What one eager run applied: the sink for ``Function.apply`` while tracing."""

    def __init__(self, args):
        self.thread = threading.get_ident()
        self.ops = []                          # (fn, input tensors, output tensor)
        self.values = {id(a): a for a in args}  # the step's values: arguments and op outputs
        self.dynamic = None                    # why the trace cannot be replayed

    def record(self, fn, inputs, out):
        if threading.get_ident() != self.thread:
            return  # another thread's ops are not part of this step
        self.ops.append((fn, inputs, out))
        self.values[id(out)] = out

    def read(self, t, why):
        if threading.get_ident() == self.thread and self.dynamic is None \
                and id(t) in self.values and self.values[id(t)] is t:
            self.dynamic = f"{why} reads a value of the step outside a Function"


class _Recording:
    """A trace turned into slots, and the plain functions a replay runs.

    The replay functions are generated as straight-line Python source (one line per
    recorded op, values in local variables), as torch.fx does: a loop over a list of ops
    would cost more per op than many of the ops themselves. The source holds only slot
    numbers; the Functions and leaves are passed in by name.
    """

    def __init__(self, trace, args, out):
        slot = {}
        for i, a in enumerate(args):
            slot[id(a)] = i
        n = len(args)
        leaves = []           # (slot, Tensor): parameters, buffers, constants
        ops = []              # (fn, input slots, output slot, real-part flags)
        wiring = []           # comparable description of the same, for the agreement check
        for fn, inputs, o in trace.ops:
            ins = []
            for t in inputs:
                s = slot.get(id(t))
                if s is None:
                    s = slot[id(t)] = n
                    n += 1
                    leaves.append((s, t))
                ins.append(s)
            slot[id(o)] = n
            n += 1
            ops.append((fn, tuple(ins), n - 1, _complex_to_real(inputs, o)))
            wiring.append((type(fn), tuple(ins), o.data.shape, o.data.dtype, fn.needs))
            if o._hooks or o._retain:
                trace.dynamic = trace.dynamic or "a hook or retain_grad on a value inside the function"
        self.n_args = len(args)
        self.wiring = wiring
        self.leaves = tuple(leaves)
        self.out_slot = slot[id(out)]
        # The replayed node's parents: the arguments, then the captured non-leaf tensors,
        # that want a gradient. Leaves (parameters) that want one are not parents: the
        # replayed backward adds to their .grad itself, one generated line each instead
        # of a turn of run_backward's loop (a tiny net's step has many small parameters).
        self.grad_args = tuple(i for i, a in enumerate(args) if a.requires_grad)
        wanting = [(s, t) for s, t in leaves if t.requires_grad]
        captured = [(s, t) for s, t in wanting if t._ctx is not None]
        self.grad_leaves = tuple(t for _, t in captured)
        self.grad_slots = self.grad_args + tuple(s for s, _ in captured)
        accumulate = tuple(s for s, t in wanting if t._ctx is None)
        self.wants_grad = bool(self.grad_slots or accumulate)
        self.leaf_tensors = tuple(t for _, t in leaves)
        self.leaf_flags = tuple(t.requires_grad for _, t in leaves)
        self.pending = None   # weakref to the last result, whose backward needs the saved arrays
        self.forward, self.forward_all, self.backward = _generate(
            ops, self.leaves, self.n_args, self.out_slot, self.grad_slots, accumulate, n)
        #: id of each traced tensor -> its slot; valid only while the trace's tensors live
        #: (read by ``on_record`` callbacks, then dropped)
        self.slot_of_id = slot

    def agrees_with(self, other) -> str | None:
        """None when ``other`` (a later trace of the same call) recorded the same step."""
        if self.wiring != other.wiring:
            return "two traces applied different operations"
        if len(self.leaves) != len(other.leaves):
            return "two traces used different constants"
        for (s, a), (t, b) in zip(self.leaves, other.leaves):
            if a is b:
                continue
            if s != t or a.requires_grad or b.requires_grad or not _same_array(a.data, b.data):
                return "a constant of the step changed between two traces"
        return None

    def busy(self) -> bool:
        """Does the last result still await a backward that needs the saved arrays?"""
        out = self.pending() if self.pending is not None else None
        return out is not None and out._ctx is not None and out._ctx.parents is not None


def _generate(ops, leaves, n_args, out_slot, grad_slots, accumulate, n_slots):
    """The forward (argument arrays -> result array), the same returning every slot's
    array too, and the backward (result gradient -> gradients of ``grad_slots``, after
    adding the gradients of the leaves in ``accumulate`` to their ``.grad``) of a
    recording, as Python functions."""
    names = {"_acc": _acc, "_real": _real, "_tuple": tuple, "_hooks": autograd._apply_hooks}
    fwd = [f"def forward({', '.join(f'v{i}' for i in range(n_args))}):"]
    for s, t in leaves:
        names[f"L{s}"] = t
        fwd.append(f"    v{s} = L{s}.data")
    for k, (fn, ins, out, _) in enumerate(ops):
        names[f"F{k}"] = fn.forward
        fwd.append(f"    v{out} = F{k}({', '.join(f'v{s}' for s in ins)})")
    body = fwd[1:]
    fwd.append(f"    return v{out_slot}")
    fwd.append(fwd[0].replace("def forward(", "def forward_all("))
    fwd += body
    fwd.append(f"    return v{out_slot}, ({''.join(f'v{i}, ' for i in range(n_slots))})")

    bwd = ["def backward(g):"]
    receives = sorted({s for fn, ins, _, _ in ops for s, need in zip(ins, fn.needs) if need}
                      | {out for fn, _, out, _ in ops if True in fn.needs}
                      | set(grad_slots) | set(accumulate))
    if receives:
        bwd.append("    " + " = ".join(f"g{s}" for s in receives) + " = None")
    bwd.append(f"    g{out_slot} = g")
    assigned = set()
    for k in reversed(range(len(ops))):
        fn, ins, out, real = ops[k]
        if True not in fn.needs:
            continue
        names[f"B{k}"] = fn.backward
        bwd.append(f"    if g{out} is not None:")
        bwd.append(f"        r = B{k}(g{out})")
        bwd.append(f"        g{out} = None")
        if len(ins) == 1:
            bwd.append("        if type(r) is _tuple:")
            bwd.append("            r = r[0]")
        for j, (s, need) in enumerate(zip(ins, fn.needs)):
            if not need:
                continue
            value = "r" if len(ins) == 1 else f"r[{j}]"
            if real is not None and real[j]:
                value = f"_real({value})"
            if s in assigned:
                value = f"_acc(g{s}, {value})"
            assigned.add(s)
            bwd.append(f"        g{s} = {value}")
    for s in accumulate:   # what run_backward does for a leaf (_accumulate_leaf)
        bwd.append(f"    if g{s} is not None:")
        bwd.append(f"        if L{s}._hooks:")
        bwd.append(f"            g{s} = _hooks(L{s}, g{s})")
        bwd.append(f"        L{s}.grad = g{s} if L{s}.grad is None else L{s}.grad + g{s}")
    bwd.append(f"    return ({''.join(f'g{s}, ' for s in grad_slots)})")
    code = builtins.compile("\n".join(fwd + bwd) + "\n", "<engine.compile replay>", "exec")
    exec(code, names)  # noqa: S102 - source generated above from slot numbers only
    return names["forward"], names["forward_all"], names["backward"]


def _acc(a, b):
    """Sum of two gradient contributions, either of which may be missing."""
    if b is None:
        return a
    return b if a is None else a + b


def _real(g):
    """A real input's gradient is the real part (Re z depends on it)."""
    return g.real if g is not None and g.dtype.kind == "c" else g


def _complex_to_real(inputs, out):
    """Per input: take the real part of its gradient (a real input of a complex op)."""
    if out.data.dtype.kind != "c" and all(t.data.dtype.kind != "c" for t in inputs):
        return None
    return tuple(t.data.dtype.kind != "c" for t in inputs)


def _same_array(a, b) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    xp = autograd.backend.array_module(a)
    return bool(xp.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


class _Replayed(Function):
    """The one graph node a replay adds: its backward replays the recorded backwards."""

    def __init__(self, backward):
        self.backward = backward


class _Entry:
    """One call signature: its traces so far, then its recording or why it stays eager."""

    __slots__ = ("traces", "last", "recording", "eager_reason")

    def __init__(self):
        self.traces = 0
        self.last = None          # the previous trace's recording, to compare with
        self.recording = None
        self.eager_reason = None


class CompiledFunction:
    """``fn`` with recorded replays; call it like ``fn``. See the module docstring."""

    def __init__(self, fn, module=None, on_record=None):
        self.fn = fn
        self.module = module
        #: ``on_record(recording)``: called when a recording starts to be used, while the
        #: tensors of its last trace are still alive (``recording.slot_of_id`` maps them)
        self.on_record = on_record
        self._entries: dict = {}
        self.replays = 0   # calls answered by a replay (tests count them)
        self.eager_calls = 0

    def __repr__(self):
        return f"compiled({self.fn!r})"

    def explain(self) -> list[str]:
        """One line per call signature seen: replayed, or eager and why."""
        lines = []
        for key, e in self._entries.items():
            shapes = ", ".join(str(tuple(k[0])) for k in key[0] if isinstance(k, tuple) and k
                               and isinstance(k[0], tuple))
            if e.recording is not None:
                lines.append(f"({shapes}): replayed")
            elif e.eager_reason:
                lines.append(f"({shapes}): eager, {e.eager_reason}")
            else:
                lines.append(f"({shapes}): tracing ({e.traces} of {TRACES_BEFORE_REPLAY})")
        return lines

    def _key(self, args):
        parts = []
        for a in args:
            if isinstance(a, Tensor):
                d = a.data
                parts.append((d.shape, d.dtype, a.requires_grad, type(d)))
            else:
                parts.append(("value", a))
        training = self.module.training if self.module is not None else None
        return (tuple(parts), autograd._grad_mode.enabled, training)

    def __call__(self, *args):
        return self._call(args, False)

    def call_with_values(self, *args):
        """(result, recording, arrays): ``arrays[slot]`` is every value of a replayed call
        (see ``on_record`` for which slot is which), or (result, None, None) when the call
        ran eagerly."""
        return self._call(args, True)

    def _call(self, args, with_values):
        try:
            key = self._key(args)
            entry = self._entries.get(key)
        except TypeError:  # an unhashable argument: nothing to key a recording on
            return self._eager(args, with_values)
        if entry is None:
            if len(self._entries) >= MAX_RECORDINGS:
                return self._eager(args, with_values)
            entry = self._entries[key] = _Entry()
        rec = entry.recording
        if rec is not None:
            if not rec.busy() and rec.leaf_flags == tuple([t.requires_grad for t in rec.leaf_tensors]):
                return self._replay(rec, args, with_values)
            return self._eager(args, with_values)
        if entry.eager_reason is not None or autograd._trace is not None:
            return self._eager(args, with_values)   # known dynamic, or inside another trace (it records us)
        out = self._trace(entry, args)
        return (out, None, None) if with_values else out

    def _eager(self, args, with_values):
        self.eager_calls += 1
        out = self.fn(*args)
        return (out, None, None) if with_values else out

    # ----- tracing ------------------------------------------------------------
    def _trace(self, entry, args):
        tensors = [a for a in args if isinstance(a, Tensor)]
        trace = Trace(tensors)
        hooks = self.module is not None and _has_module_hooks(self.module)
        autograd._trace = trace
        try:
            out = self.fn(*args)
        finally:
            autograd._trace = None
        self.eager_calls += 1
        if hooks:
            trace.dynamic = "a module hook runs Python code on every call"
        elif not isinstance(out, Tensor):
            trace.dynamic = f"it returns {type(out).__name__}, not one Tensor"
        elif not any(o is out for _, _, o in trace.ops):
            trace.dynamic = trace.dynamic or "its result is not computed by an operation"
        rec = _Recording(trace, tensors, out) if trace.dynamic is None else None
        if trace.dynamic is not None:  # set above, or by the recording (hooks on values)
            entry.eager_reason = trace.dynamic
            entry.last = None
            return out
        entry.traces += 1
        if entry.last is not None:
            why = entry.last.agrees_with(rec)
            if why is not None:
                entry.eager_reason = why
                entry.last = None
                return out
        if entry.traces >= TRACES_BEFORE_REPLAY:
            entry.recording = rec
            # this eager result's graph still needs the recorded Functions' saved arrays
            rec.pending = weakref.ref(out)
            entry.last = None
            if self.on_record is not None:
                self.on_record(rec)
        else:
            entry.last = rec
        rec.slot_of_id = None
        return out

    # ----- replaying ----------------------------------------------------------
    def _replay(self, rec, args, with_values=False):
        arrays = [a.data for a in args if isinstance(a, Tensor)]
        if with_values:
            result, values = rec.forward_all(*arrays)
        else:
            result, values = rec.forward(*arrays), None
        self.replays += 1
        if not rec.wants_grad or not autograd._grad_mode.enabled:
            out = _make(result, None)
            return (out, rec, values) if with_values else out
        node = _Replayed(rec.backward)
        if rec.grad_args:
            tensors = [a for a in args if isinstance(a, Tensor)]
            parents = tuple([tensors[i] for i in rec.grad_args]) + rec.grad_leaves
        else:
            parents = rec.grad_leaves
        node.parents = parents
        node.needs = (True,) * len(parents)
        node.seq = next(autograd._creation_order)
        out = _make(result, node)
        rec.pending = weakref.ref(out)
        return (out, rec, values) if with_values else out


def _has_module_hooks(module) -> bool:
    return any(m._forward_pre_hooks or m._forward_hooks or m._backward_hooks
               for m in module.modules())


def compile(fn=None, **_options):  # noqa: A001 - torch's name
    """Record ``fn`` (a function of Tensors returning one Tensor, or a Module) and replay
    the recording on later calls with the same shapes; see the module docstring.
    Options torch accepts (``mode``, ``fullgraph``, ...) are accepted and ignored."""
    if fn is None:
        return lambda f: compile(f, **_options)
    from .nn.module import Module  # noqa: PLC0415 - nn imports the autograd core

    module = fn if isinstance(fn, Module) else None
    return CompiledFunction(fn, module)
