"""A mutation fuzzer over the .nnpg file format, run through the real command line.

Each case takes an example lesson (assets/lessons) and applies a few mutations drawn by
hypothesis: structure (delete, duplicate, reorder and rename keys and list items, change
types, node types and edges), numbers (huge, tiny, non-finite, also as raw JSON text:
``1e999``, a 310-digit integer, ``-0``, ``NaN``), text (lone surrogates as raw ``\\ud800``
escapes, control characters, right-to-left overrides, very long strings), deep nesting,
sizes (many nodes, huge layer widths and dataset sizes) and raw bytes (cut, flipped,
another encoding). The file then goes through ``playground check FILE`` or ``playground
train FILE --steps 3``: ``playground.cli.main`` in a forked child (the parent has imported
everything once), with limits on CPU time, wall-clock time and address space.

The property: the command returns (no exception escapes it, no signal kills it) within its
time, with exit code 0 or 2 (or 3, NaN, for train), without a traceback or a "bug" (exit
70), printing only short lines free of terminal control characters; a refusal (exit 2)
names the file; the child's peak memory stays bounded; and for train, ``check`` on the same
file does not pass what train then refuses. Every case is counted; one that
breaks the property is saved for reproduction (``playground check SAVED``) and the test
fails listing each kind of failure once, with its saved file.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import resource
import signal
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.fuzzing import FUZZ, examples, report

pytestmark = [pytest.mark.fuzz,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="runs each case in a forked child")]

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "lessons"
EXAMPLES = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES_DIR.glob("*.nnpg"))}
CASE_NAME = "fuzzcase.nnpg"

#: a printed line longer than this is a flood, not a message
MAX_LINE = 500
#: characters a terminal acts on (escape sequences, bells) or that reorder text (bidi overrides)
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: per case: CPU seconds, wall-clock seconds (the machine may be busy), peak memory growth
LIMITS = {"check": (20, 120), "train": (40, 180)}
BLOWUP_MB = 1024
ADDRESS_SPACE_MARGIN = 3 * 2**30


# ----------------------------------------------------------------- writing the mutated file
class Raw(str):
    """JSON text written into the file as it is: what json.dumps would never write."""


class Pairs(list):
    """A JSON object written from (key, value) pairs, so that a key can appear twice."""


def dump(value) -> str:
    """The file's text: json.dumps, with each Raw and Pairs written in place of a marker."""
    pieces = []

    def marked(v):
        if isinstance(v, Raw):
            pieces.append(str(v))
        elif isinstance(v, Pairs):
            pieces.append("{" + ", ".join(f"{_key(k)}: {dump(x)}" for k, x in v) + "}")
        elif isinstance(v, dict):
            return {(_marker(k, pieces) if isinstance(k, Raw) else k): marked(x) for k, x in v.items()}
        elif isinstance(v, list):
            return [marked(x) for x in v]
        else:
            return v
        return f"\x00{len(pieces) - 1}\x00"

    text = json.dumps(marked(value), ensure_ascii=False)  # floats: NaN, Infinity written as such
    return re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: pieces[int(m.group(1))], text)


def _marker(raw_key, pieces):
    pieces.append(str(raw_key))
    return f"\x00{len(pieces) - 1}\x00"


def _key(k):
    return str(k) if isinstance(k, Raw) else json.dumps(str(k), ensure_ascii=False)


# ----------------------------------------------------------------- what the mutations use
NUMBERS = [0, 1, -1, 2, 3, 7, 0.5, -0.5, 0.0, -0.0, 1e-7, 1e-320, 1.5, 255, 1000, 40000, 10**6, 10**9,
           2**31 - 1, 2**31, 2**53 + 1, 2**63, 10**15, 10**15 + 1, 1e15, 1e16, 1e300, 1.7976931348623157e308,
           -1e300, Raw("1e999"), Raw("-1e999"), Raw("1E400"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
           Raw("-0"), Raw("-0.0"), Raw("9" * 310), Raw("-" + "9" * 310), Raw("1" * 5000), Raw("1e-999")]
#: text values; the Raw ones are JSON strings (usable as keys too) json.dumps would not write
TEXTS = ["", " ", "x", "a.b", "a->b", "out", "input", "target", "mean", "sum", "none", "auto", "relu",
         "\u202eevil\u202c", "\u05e9\u05dc\u05d5\u05dd", "\u540d\u524d", "\U0001f600", "\t", "\n", "\x00",
         "\x1b[2J\x1b[31mred", "\x9b31m", "\x07", "\u0085", "\u00a0", "x" * 201, "z" * 50_000, "y" * 100_001,
         Raw('"\\ud800"'), Raw('"a\\udfffb"'), Raw('"\\udc00\\ud800"'), Raw('"\\ud83d\\ude00"'), Raw('"\\u0000x"'),
         Raw('"\\u001b]0;title\\u0007"'), "data.csv", "../../../../../../etc/passwd", "/dev/zero", "/dev/urandom",
         "/", ".", "missing.csv", "%s%n", "{0}", "<b>bold</b>&amp;"]
DEPTHS = [3, 63, 64, 65, 300, 900, 5000, 100_000]
#: the values that broke earlier versions, drawn often wherever a number or a name goes
HOSTILE = [Raw("9" * 310), Raw("-" + "9" * 310), Raw("1e999"), Raw("-1e999"), Raw("NaN"), Raw("Infinity"),
           1e300, -1e300, 2**63, 10**15 + 1, Raw('"\\ud800"'), Raw('"\\u001b[31mred"'), "\u202eevil", "y" * 100_001]


def _names():
    from engine.data import DATASETS
    from engine.graph import registry
    from engine.graph.schema import SETTINGS
    from engine.optim import OPTIMIZERS, lr_scheduler

    types = sorted(t.name for t in registry.all_types())
    params = sorted({p.name for t in registry.all_types() for p in t.params})
    ports = sorted({p.name for t in registry.all_types() for p in (*t.input_ports(), *t.output_ports())})
    return {"types": types, "params": params, "ports": ports, "settings": sorted(SETTINGS),
            "datasets": sorted(DATASETS), "dataset_options": sorted({p.name for d in DATASETS.values() for p in d.params}),
            "optimizers": sorted(OPTIMIZERS), "schedules": sorted(lr_scheduler.SCHEDULERS),
            "hyper": ["lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps", "alpha", "rho",
                      "lr_decay", "initial_accumulator_value", "etas", "step_sizes", "amsgrad", "maximize",
                      "centered", "step_size", "gamma", "milestones", "T_max", "eta_min", "last_epoch"]}


NAMES = _names()


def _deep(n, kind):
    return Raw(("[" * n + "]" * n) if kind == "list" else ('{"a": ' * n + "1" + "}" * n))


def values(words=()):
    """A JSON value for a mutation: a scalar, a small container, or deep nesting."""
    scalars = (st.sampled_from(NUMBERS) | st.sampled_from(TEXTS) | st.none() | st.booleans()
               | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=12)
               | st.sampled_from(NAMES["types"] + NAMES["datasets"] + NAMES["optimizers"] + list(words)))
    small = st.lists(scalars, max_size=4) | st.dictionaries(st.sampled_from(TEXTS[:13]) | st.text(max_size=4),
                                                            scalars, max_size=3)
    deep = st.builds(_deep, st.sampled_from(DEPTHS), st.sampled_from(["list", "object"]))
    return st.one_of(scalars, scalars, st.sampled_from(HOSTILE), small, deep)


def typed_values(spec, words=(), wild=True):
    """A value of the kind ``spec`` (a registry ParamSpec) declares, often at or past its
    range, and (``wild``) now and then anything at all: what a hand-edited file holds."""
    ints = st.sampled_from([0, 1, 2, 3, -1, 1000, 40000, 10**6, 10**9, 10**15]) | st.integers(-10, 10**6)
    floats = (st.sampled_from([0.0, -0.0, 1.0, 0.5, -1.0, 1e-300, 1e-12, 10.0, 1e10, 1e15, -1e15])
              | st.floats(-1e15, 1e15, allow_nan=False))
    edges = [v for v in (spec.min, spec.max) if v is not None]
    edges += [v + d for v in edges for d in (-1, 1)] if spec.kind == "int" else [v * 1.0001 + d for v in edges
                                                                                 for d in (-1e-9, 1e-9)]
    kind = {"int": ints, "float": floats, "bool": st.booleans(), "str": st.sampled_from(TEXTS),
            "choice": st.sampled_from(list(spec.choices) or [""]), "ints": st.lists(ints, max_size=4),
            "floats": st.lists(floats, max_size=4)}[spec.kind]
    if edges and spec.kind in ("int", "float"):
        kind = kind | st.sampled_from(edges)
    return st.one_of(kind, kind, kind, st.sampled_from(HOSTILE), values(words)) if wild else kind


def _paths(value, prefix=()):
    out, stack = [], [(prefix, value)]
    while stack:
        path, v = stack.pop()
        if path:
            out.append(path)
        if isinstance(v, dict):
            stack += [(path + (k,), x) for k, x in v.items()]
        elif isinstance(v, list) and not isinstance(v, Pairs):
            stack += [(path + (i,), x) for i, x in enumerate(v)]
    return out


def _at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _nodes(doc):
    return [p for p in _paths(doc) if len(p) >= 2 and p[-2] == "nodes" and isinstance(_at(doc, p), dict)]


def _pick(data, choices):
    """One of ``choices``; IndexError (the mutation is skipped) when there is none."""
    choices = list(choices)
    if not choices:
        raise IndexError("nothing to mutate")
    return data.draw(st.sampled_from(choices))


def _settings(doc):
    graph = doc.get("graph") if isinstance(doc, dict) else None
    s = graph.get("settings") if isinstance(graph, dict) else None
    if not isinstance(s, dict):
        raise TypeError("no settings")
    return s


# ----------------------------------------------------------------- the mutations
def m_delete(data, doc, words):
    path = _pick(data, _paths(doc))
    del _at(doc, path[:-1])[path[-1]]


def m_replace(data, doc, words):
    path = _pick(data, _paths(doc))
    _at(doc, path[:-1])[path[-1]] = data.draw(values(words))


def m_wrap(data, doc, words):
    path = _pick(data, _paths(doc))
    parent = _at(doc, path[:-1])
    parent[path[-1]] = data.draw(st.sampled_from([[parent[path[-1]]], {"value": parent[path[-1]]},
                                                  json.dumps(parent[path[-1]], default=str)]))


def m_duplicate(data, doc, words):
    path = _pick(data, _paths(doc))
    parent = _at(doc, path[:-1])
    if isinstance(parent, list):
        for _ in range(data.draw(st.sampled_from([1, 2, 50, 2000]))):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    else:  # the same key twice in one object
        grand = _at(doc, path[:-2]) if len(path) > 1 else None
        pairs = Pairs(parent.items())
        pairs.insert(data.draw(st.integers(0, len(pairs))), (path[-1], data.draw(values(words))))
        if grand is None:
            raise TypeError("top level")
        grand[path[-2]] = pairs


def m_reorder(data, doc, words):
    path = data.draw(st.sampled_from([()] + _paths(doc)))
    v = _at(doc, path)
    if isinstance(v, list) and not isinstance(v, Pairs) and len(v) > 1:
        v[:] = [v[i] for i in data.draw(st.permutations(range(len(v))))]
    elif isinstance(v, dict) and len(v) > 1:
        items = list(v.items())
        order = data.draw(st.permutations(range(len(items))))
        v.clear()
        v.update(items[i] for i in order)


def m_rename(data, doc, words):
    path = _pick(data, [p for p in _paths(doc) if isinstance(p[-1], str)])
    parent = _at(doc, path[:-1])
    new = data.draw(st.sampled_from(TEXTS + NAMES["settings"] + NAMES["params"]) | st.text(max_size=6))
    items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)


def m_param(data, doc, words):
    """A node parameter (of its own type, or any type's) set to an extreme or odd value."""
    from engine.graph import registry

    node = _at(doc, _pick(data, _nodes(doc)))
    nt = registry.get(node.get("type"))
    params = node.setdefault("params", {})
    for _ in range(data.draw(st.integers(1, 3))):
        if nt is not None and nt.params and (not data.wild or data.draw(st.integers(0, 5))):
            spec = data.draw(st.sampled_from(nt.params))
            params[spec.name] = data.draw(typed_values(spec, words, data.wild))
        else:
            params[data.draw(st.sampled_from(NAMES["params"]))] = data.draw(values(words))


def m_node_type(data, doc, words):
    node = _at(doc, _pick(data, _nodes(doc)))
    node["type"] = data.draw(st.sampled_from(NAMES["types"]))
    if data.draw(st.booleans()):
        node["params"] = {}


def m_edge(data, doc, words):
    edges = _at(doc, _pick(data, [p for p in _paths(doc) if p[-1] == "edges"]))
    pick = st.sampled_from(list(words) + NAMES["ports"][:40]) | st.sampled_from(TEXTS[:14])
    edges.append({"src": data.draw(pick), "src_port": data.draw(pick), "dst": data.draw(pick),
                  "dst_port": data.draw(pick)})


def m_setting(data, doc, words):
    """A training setting, dataset option, optimizer or schedule argument set to an odd value."""
    from engine.data import DATASETS

    s = _settings(doc)
    where = data.draw(st.sampled_from(["settings", "dataset", "optimizer", "schedule", "init"]))
    if where == "settings":
        s[data.draw(st.sampled_from(NAMES["settings"]))] = data.draw(
            values(words) if data.wild else st.sampled_from([0, 1, 2, 3, 1000, 10**6, 0.5, None]))
        return
    target = s.get(where)
    if not isinstance(target, dict):
        first = {"dataset": NAMES["datasets"], "optimizer": NAMES["optimizers"],
                 "schedule": NAMES["schedules"], "init": ["xavier_uniform", "kaiming_normal"]}[where]
        target = s[where] = {"name": data.draw(st.sampled_from(first))}
    spec = DATASETS.get(target.get("name")) if where == "dataset" else None
    if spec is not None and spec.params and (not data.wild or data.draw(st.integers(0, 3))):
        option = data.draw(st.sampled_from(spec.params))
        target[option.name] = data.draw(typed_values(option, words, data.wild) | st.sampled_from(["data.csv"]))
        return
    keys = {"dataset": NAMES["dataset_options"] + ["name", "path", "target"], "init": ["name", "gain", "nonlinearity"]}
    key = data.draw(st.sampled_from(keys.get(where, NAMES["hyper"] + ["name"])))
    if where != "dataset" and key != "name" and (not data.wild or data.draw(st.integers(0, 2))):
        hostile = HOSTILE if data.wild else []  # a number, usually
        target[key] = data.draw(st.sampled_from([0.0, -1.0, 1e-300, 0.999, 1.0, 1.5, 10.0, 1e8, 1e15, 3] + hostile)
                                | st.floats(-1e15, 1e15, allow_nan=False) | st.lists(st.floats(-2, 2), max_size=3))
        return
    target[key] = data.draw(values(words) | st.sampled_from(NAMES["datasets"] + ["data.csv"]))


def m_grow(data, doc, words):
    """Many nodes: copies of a node with fresh ids, chained where the ports allow."""
    path = _pick(data, _nodes(doc))
    nodes, node = _at(doc, path[:-1]), _at(doc, path)
    for i in range(data.draw(st.sampled_from([10, 300, 3000]))):
        nodes.append(dict(copy.deepcopy(node), id=f"{node.get('id')}_{i}"))


def m_scale(data, doc, words):
    """Every node parameter equal to one whole number (a width shared by connected layers)
    set to another: shapes still fit, sizes go to extremes (40000 x 40000, a billion)."""
    params = [_at(doc, p)["params"] for p in _nodes(doc) if isinstance(_at(doc, p).get("params"), dict)]
    widths = sorted({v for ps in params for v in ps.values() if isinstance(v, int) and not isinstance(v, bool)})
    old = _pick(data, widths)
    new = data.draw(st.sampled_from([0, 1, 3, 1000, 40000, 10**6, 10**9, 2**62, -1]) | st.sampled_from(NUMBERS))
    for ps in params:
        for k, v in ps.items():
            if v == old and not isinstance(v, bool):
                ps[k] = new


def _leaves(doc, types):
    return [p for p in _paths(doc) if isinstance(_at(doc, p), types) and not isinstance(_at(doc, p), bool)]


def m_number(data, doc, words):
    """A number of the file (a position, a parameter, an option, lr...) made hostile."""
    path = _pick(data, _leaves(doc, (int, float)))
    _at(doc, path[:-1])[path[-1]] = data.draw(st.sampled_from(HOSTILE[:10] + NUMBERS))


def m_text(data, doc, words):
    """A string of the file (an id, a label, a name, a port) made hostile."""
    path = _pick(data, _leaves(doc, str))
    _at(doc, path[:-1])[path[-1]] = data.draw(st.sampled_from(HOSTILE[10:] + TEXTS))


MUTATIONS = [m_number, m_number, m_text, m_text, m_scale, m_delete, m_replace, m_replace, m_wrap, m_duplicate, m_reorder, m_rename, m_param, m_param,
             m_param, m_node_type, m_edge, m_setting, m_setting, m_setting, m_grow]


def _text_mutation(data, text: bytes) -> bytes:
    how = data.draw(st.sampled_from(["cut", "drop", "insert", "flip", "utf16", "latin1", "bom", "repeat"]))
    at = data.draw(st.integers(0, len(text)))
    if how == "cut":
        return text[:at]
    if how == "drop":
        return text[:at] + text[at + data.draw(st.integers(1, 64)):]
    if how == "insert":
        return text[:at] + data.draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
            [b"{", b"[", b"]", b'"', b",", b"\\", b"\\u", b"\xff", b"\xed\xa0\x80", b"\x00", b"1e999"])) + text[at:]
    if how == "flip":
        return text[:at] + bytes([data.draw(st.integers(0, 255))]) + text[at + 1:]
    if how == "utf16":
        return text.decode("utf-8", "replace").encode("utf-16")
    if how == "latin1":
        return text.decode("utf-8", "replace").encode("latin-1", "replace")
    if how == "bom":
        return b"\xef\xbb\xbf" + text
    return text * 2


@st.composite
def cases(draw, mutations=(1, 4), kinds=MUTATIONS, wild=True):
    """(example name, file bytes, what was done): ``mutations`` (a range) of ``kinds``.
    ``wild``: any value anywhere, and one case in ten has its bytes mutated too; else
    values of the declared kinds (what reaches training)."""
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    doc = copy.deepcopy(EXAMPLES[name])
    words = [str(p[-1]) for p in _paths(doc) if isinstance(p[-1], str)][:60] + [
        n.get("id") for n in doc["graph"]["nodes"]]
    done = []
    data = _Drawer(draw, wild)
    for _ in range(draw(st.integers(*mutations))):
        mutation = draw(st.sampled_from(kinds))
        try:
            mutation(data, doc, [w for w in words if isinstance(w, str)])
            done.append(mutation.__name__[2:])
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            pass  # an earlier mutation took away what this one needs
    text = dump(doc).encode("utf-8", "surrogatepass")
    if wild and draw(st.integers(0, 9)) == 0:
        text = _text_mutation(data, text)
        done.append("bytes")
    return name, text, done


class _Drawer:
    """Lets the mutations draw (``data.draw``) inside the composite strategy."""

    def __init__(self, draw, wild):
        self.draw, self.wild = draw, wild


# ----------------------------------------------------------------- running the cases
def _statm(field):
    with open("/proc/self/statm") as f:
        return int(f.read().split()[field]) * resource.getpagesize()


def _child(argv, cpu_s, result_path):
    """In the forked child: run the command with its output captured, write the result.
    Before ``train``, ``check`` runs on the same file: what check accepts, train must run."""

    limit = _statm(0) + ADDRESS_SPACE_MARGIN
    # the memory the program may plan for (engine.graph.resources): half the blow-up line
    os.environ["NNPG_MEMORY_LIMIT"] = str(BLOWUP_MB * 2**20 // 2)
    os.environ["XDG_STATE_HOME"] = str(Path(result_path).parents[1] / "state")  # bug reports: beside the cases
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    result = _main(argv)
    if argv[0] == "train" and result["exception"] is None:
        result["check"] = _main(["check", argv[1]])
    Path(result_path).write_text(json.dumps(result, ensure_ascii=True), encoding="ascii")


def _main(argv):
    """playground.cli.main(argv) with its output captured: {"rc", "out", "err", "exception"}."""
    from playground import cli

    # streams like a UTF-8 terminal's: stdout refuses what is not text (a lone surrogate)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    result = {"rc": None, "exception": None}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result["rc"] = cli.main(argv)
    except BaseException:  # noqa: BLE001 - anything escaping main() is what we look for
        result["exception"] = traceback.format_exc()[-4000:]
    for name, stream in (("out", out), ("err", err)):
        result[name] = stream.buffer.getvalue()[:200_000].decode("utf-8", "replace")
    return result


class Runner:
    """Runs cases in forked children, ``jobs`` at a time (so that drawing the next case
    overlaps running this one), and hands each finished case's outcome to ``done``."""

    def __init__(self, command, folder, done, jobs=None):
        self.command, self.folder, self.done = command, folder, done
        self.jobs = jobs or max(1, min(4, os.cpu_count() or 1))
        self.running = {}  # pid -> (slot, deadline, resident bytes at the start, case)
        self.free = list(range(self.jobs))

    def start(self, text, case):
        while not self.free:
            self._reap(block=True)
        slot = self.free.pop()
        path = self.folder / f"slot{slot}" / CASE_NAME
        if not path.parent.exists():  # with a small data file a mutated dataset may name
            path.parent.mkdir()
            (path.parent / "data.csv").write_text("a,b,label\n0,1,1\n1,0,1\n0,0,0\n1,1,0\n", encoding="utf-8")
        path.write_bytes(text)
        result = path.with_suffix(".result")
        result.unlink(missing_ok=True)
        argv = ["check", str(path)] if self.command == "check" else ["train", str(path), "--steps", "3"]
        cpu_s, wall_s = LIMITS[self.command]
        base = _statm(1)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _child(argv, cpu_s, result)
            finally:
                os._exit(0)
        self.running[pid] = (slot, time.monotonic() + wall_s, base, case)

    def finish(self):
        while self.running:
            self._reap(block=True)

    def _reap(self, block):
        while True:
            for pid, (slot, deadline, base, case) in list(self.running.items()):
                got, status, usage = os.wait4(pid, os.WNOHANG)
                if got == 0 and time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    got, status, usage = os.wait4(pid, 0)
                    outcome = ("hang", "no result in time", f"no result within {LIMITS[self.command][1]} s", None)
                elif got == 0:
                    continue
                else:
                    growth_mb = max(0, usage.ru_maxrss * 1024 - base) / 2**20
                    outcome = self._outcome(status, self.folder / f"slot{slot}" / "fuzzcase.result", growth_mb)
                del self.running[pid]
                self.free.append(slot)
                self.done(case, *outcome)
                return
            if not block:
                return
            time.sleep(0.002)

    def _outcome(self, status, result_path, growth_mb):
        if os.WIFSIGNALED(status):
            sig = signal.Signals(os.WTERMSIG(status)).name
            kind = "hang" if sig == "SIGXCPU" else "crash"
            return kind, f"killed by {sig}", f"killed by signal {sig}", None
        try:
            result = json.loads(result_path.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return "crash", "no result", "the child wrote no result", None
        return (*judge(self.command, result, growth_mb), result["rc"])


def judge(command, result, growth_mb):
    """The property, on one case's outcome: (failure kind or None, reason, detail)."""
    out, err, rc = result["out"], result["err"], result["rc"]
    if result["exception"]:
        last = result["exception"].strip().splitlines()[-1]
        kind = "blowup" if "MemoryError" in last else "crash"
        return kind, f"{last.split(':')[0]} escaped main()", "exception escaped main(): " + last[:300]
    if "MemoryError" in out + err or growth_mb > BLOWUP_MB:
        return "blowup", "memory", f"peak memory grew {growth_mb:.0f} MB: {(err or out)[-200:]}"
    if rc == 70:
        return "bug", "exit 70", "reported as a bug (exit 70): " + err.strip()[-300:]
    if "Traceback (most recent call last)" in out + err:
        last = (out + err).strip().splitlines()[-1]
        return "crash", f"traceback {last.split(':')[0][:40]}", "printed a traceback: " + last[:300]
    allowed = (0, 2, 3) if command == "train" else (0, 2)
    if rc not in allowed:
        return "crash", f"exit {rc}", f"exit code {rc}: {err.strip()[-300:]}"
    for line in re.split(r"[\r\n]", out + err):
        if len(line) > MAX_LINE:
            return "output", "long line", f"a {len(line)}-character line: {line[:120]!r}..."
        if UNSAFE.search(line):
            return "output", "control character", f"an unescaped control character: {line[:160]!r}"
    if rc == 2 and CASE_NAME not in err:
        return "output", "file not named", f"the refusal does not name the file: {err.strip()[:300]!r}"
    check = result.get("check")
    if check is not None:
        kind, reason, detail = judge("check", check, 0)
        if kind is not None:
            return kind, "check: " + reason, "playground check: " + detail
        if check["rc"] == 0 and rc == 2:
            return "disagree", "check passed, train refused", f"check passed, train said: {err.strip()[-300:]!r}"
    return None, "", ""


# ----------------------------------------------------------------- the fuzzers
def _preload():
    """Import what the commands need once, in the parent, so each child starts at once."""
    import engine.data  # noqa: F401
    import engine.graph.compile  # noqa: F401
    import engine.train  # noqa: F401
    import playground.cli  # noqa: F401
    import playground.commands  # noqa: F401


#: train runs mostly well-formed files with odd values (structure is check's business)
TRAIN_MUTATIONS = [m_scale, m_param, m_param, m_setting, m_setting, m_setting, m_node_type]


def fuzz(command, n, folder, jobs=None):
    """Run ``n`` cases through ``command``; (Counter of outcomes, {(kind, reason): (detail, saved file)})."""
    _preload()
    folder.mkdir(parents=True, exist_ok=True)
    counts, first = Counter(), {}

    def done(case, kind, reason, detail, rc):
        name, text, steps = case
        counts["cases"] += 1
        counts[f"exit {rc}"] += 1
        if kind is None:
            return
        counts[kind] += 1
        if (kind, reason) not in first:
            saved = folder / f"failure-{len(first):03d}-{kind}.nnpg"
            saved.write_bytes(text)
            first[kind, reason] = (f"{detail[:400]} [from {name}: {', '.join(steps)}]", saved)

    runner = Runner(command, folder, done, jobs)
    strategy = cases() if command == "check" else cases(mutations=(1, 2), kinds=TRAIN_MUTATIONS, wild=False)

    @settings(max_examples=n, deadline=None, database=None, derandomize=not FUZZ,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one(case):
        runner.start(case[1], case)

    try:
        one()
        runner.finish()
    finally:
        for pid in list(runner.running):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return counts, first


def _check_and_report(title, counts, first):
    failed = sum(v for k, v in counts.items() if k in ("crash", "bug", "hang", "blowup", "output", "disagree"))
    report(title, cases=counts["cases"], crashes=counts["crash"] + counts["bug"], hangs=counts["hang"],
           blowups=counts["blowup"], bad_output=counts["output"], check_train_disagreements=counts["disagree"],
           exit_codes="/".join(f"{k[5:]}:{v}" for k, v in sorted(counts.items()) if k.startswith("exit")))
    lines = [f"{kind} ({reason}): {detail}\n    saved: {saved}" for (kind, reason), (detail, saved) in first.items()]
    assert not first, f"{failed} of {counts['cases']} cases broke the property ({len(first)} kinds):\n" + \
        "\n".join(lines)


def test_mutated_files_through_check(tmp_path):
    counts, first = fuzz("check", examples(300, 10_000), tmp_path)
    _check_and_report("file fuzzer (check)", counts, first)


def test_mutated_files_through_train(tmp_path):
    counts, first = fuzz("train", examples(60, 1_000), tmp_path)
    _check_and_report("file fuzzer (train)", counts, first)


def test_the_judge_catches_each_kind_of_failure():
    """The property itself: each way a command can misbehave is caught (and a clean run is not)."""
    ok = {"rc": 0, "out": "net.nnpg: no problems (2 nodes, 1 connections)\n", "err": "", "exception": None}
    assert judge("check", ok, 10)[0] is None
    refused = dict(ok, rc=2, out="", err=f"playground: {CASE_NAME}: graph.nodes[0].id: must not be empty\n")
    assert judge("check", refused, 10)[0] is None
    failures = {
        "crash": [dict(ok, exception="Traceback ...\nOverflowError: int too large"),
                  dict(ok, rc=1, err="Traceback (most recent call last):\n  ...\nValueError: x\n"),
                  dict(ok, rc=3)],
        "bug": [dict(ok, rc=70, err="playground: internal error (a bug); report written to ...")],
        "blowup": [dict(ok, exception="Traceback ...\nMemoryError")],
        "output": [dict(ok, out="x" * (MAX_LINE + 1)), dict(ok, out="label \x1b[31mred\n"),
                   dict(refused, err="playground: graph.nodes[0].id: must not be empty")],
    }
    for kind, outcomes in failures.items():
        for outcome in outcomes:
            assert judge("check", outcome, 10)[0] == kind, outcome
    assert judge("check", ok, BLOWUP_MB + 1)[0] == "blowup"
    assert judge("train", dict(ok, rc=3, err="playground: NaN in node h"), 10)[0] is None
    train_refused = dict(refused, err=f"playground: {CASE_NAME}: only 0-dimensional arrays can be converted")
    assert judge("train", dict(train_refused, check=ok), 10)[0] == "disagree"
    assert judge("train", dict(train_refused, check=refused), 10)[0] is None
    assert judge("train", dict(ok, check=dict(ok, exception="...\nOverflowError: x")), 10)[0] == "crash"


def test_the_runner_catches_hangs_crashes_and_blowups(tmp_path, monkeypatch):
    """A child that hangs, dies by a signal or allocates without bound is caught and counted."""
    import playground.cli

    seen = []
    misbehaviours = {"hang": lambda argv: time.sleep(60),
                     "crash": lambda argv: os.kill(os.getpid(), signal.SIGTERM),
                     "blowup": lambda argv: bytearray(ADDRESS_SPACE_MARGIN + 2**30)}
    monkeypatch.setitem(LIMITS, "check", (5, 2))
    for kind, main in misbehaviours.items():
        monkeypatch.setattr(playground.cli, "main", main)
        runner = Runner("check", tmp_path, lambda case, *outcome: seen.append((case, outcome[0])), jobs=1)
        runner.start(b"{}", kind)
        runner.finish()
    assert seen == [("hang", "hang"), ("crash", "crash"), ("blowup", "blowup")]
