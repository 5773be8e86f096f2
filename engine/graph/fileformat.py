""".nnpg files: JSON with a format tag and an integer version (see docs/file-format.md).

    {"format": "nn-playground", "version": 1,
     "graph": {"nodes": [...], "edges": [...], "modules": [...], "settings": {...}, "view": {...}}}

- ``load(path)`` / ``loads(text, source)`` -> Graph. Older versions are migrated step by
  step through MIGRATIONS; newer or unknown versions are refused. Every refusal is a
  LoadError whose message is one line naming the file and the JSON path.
- Unknown node types load as placeholders: the node's dict is kept and saved back unchanged
  (validation reports them).
- ``save(graph, path, weights=None)`` is atomic (temporary file in the same folder, fsync,
  os.replace). Weights, when given ({name: array}), go to a .npz beside the file (same stem).
- ``load_weights(path)`` reads that .npz with numpy.load(allow_pickle=False).

Loading never executes anything from the file: JSON only (no pickle, no eval), and the
weights archive is read with pickling disabled.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import schema as _schema
from .document import Graph

FORMAT = _schema.FORMAT
VERSION = _schema.VERSION
EXTENSION = ".nnpg"
WEIGHTS_EXTENSION = ".npz"


class LoadError(ValueError):
    """A file that cannot be loaded; the message is one line naming the file and JSON path."""


def _fail(source, path, message):
    text = f"{source}: {path}: {message}" if path else f"{source}: {message}"
    raise LoadError(" ".join(str(text).split()))  # always exactly one line


# ----------------------------------------------------------------- migrations
def _migrate_0_to_1(doc, source):
    """Version 0 (the prototype's layout): nodes and edges at the top level, each node's
    position as "x"/"y", edges as "src.port->dst.port" strings, training settings under
    "training", no modules and no view.

        {"format": "nn-playground", "version": 0,
         "nodes": [{"id": "h", "type": "Linear", "params": {...}, "x": 10, "y": 20}],
         "edges": ["x.out->h.input"], "training": {"seed": 0}}
    """
    nodes = doc.get("nodes", [])
    edges = doc.get("edges", [])
    if not isinstance(nodes, list):
        _fail(source, "nodes", "must be a list")
    if not isinstance(edges, list):
        _fail(source, "edges", "must be a list")
    new_nodes = []
    for i, n in enumerate(nodes):
        if not isinstance(n, dict):
            _fail(source, f"nodes[{i}]", "must be an object ({...})")
        n = dict(n)
        x, y = n.pop("x", 0.0), n.pop("y", 0.0)
        n.setdefault("pos", [x, y])
        new_nodes.append(n)
    new_edges = []
    for i, e in enumerate(edges):
        if not isinstance(e, str) or e.count("->") != 1:
            _fail(source, f"edges[{i}]", "must be text like \"a.out->b.input\"")
        left, right = e.split("->")
        src, _, src_port = left.strip().rpartition(".")
        dst, _, dst_port = right.strip().rpartition(".")
        if not (src and src_port and dst and dst_port):
            _fail(source, f"edges[{i}]", "must be text like \"a.out->b.input\"")
        new_edges.append({"src": src, "src_port": src_port, "dst": dst, "dst_port": dst_port})
    graph = {"nodes": new_nodes, "edges": new_edges, "modules": [],
             "settings": doc.get("training", {}), "view": {}}
    return {"format": FORMAT, "version": 1, "graph": graph}


#: version N -> function(doc, source) returning the doc in version N + 1
MIGRATIONS = {0: _migrate_0_to_1}


def migrate(doc, source="<string>"):
    """Bring a parsed document to the current version (refusing unknown versions)."""
    if not isinstance(doc, dict):
        _fail(source, "", "is not an NN Playground file (expected a JSON object at the top level)")
    if doc.get("format") != FORMAT:
        _fail(source, "format", f"must be {FORMAT!r} (this is not an NN Playground file)")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        _fail(source, "version", "must be a whole number")
    if version > VERSION:
        _fail(source, "version", f"{version} is newer than this program understands (up to {VERSION}); "
              f"please update NN Playground")
    if version < min(MIGRATIONS, default=VERSION):
        _fail(source, "version", f"{version} is not a known version of the format")
    while version < VERSION:
        doc = MIGRATIONS[version](doc, source)
        version = doc["version"]
    return doc


# ----------------------------------------------------------------- loading
def _no_constants(name):
    raise ValueError(f"{name} is not allowed in JSON")


def loads(text, source: str = "<string>") -> Graph:
    """Parse, migrate and check a .nnpg document given as text."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            _fail(source, "", f"is not UTF-8 text (byte {e.start})")
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        _fail(source, "", f"is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}")
    except (ValueError, RecursionError) as e:
        _fail(source, "", f"is not valid JSON: {e}" if not isinstance(e, RecursionError)
              else "is not valid JSON: nested too deeply")
    doc = migrate(doc, source)
    try:
        found = _schema.problems(doc)
    except RecursionError:
        _fail(source, "", "is nested too deeply")
    if found:
        path, message = found[0]
        _fail(source, path, message)
    return _graph(doc, source)


def _graph(doc, source):
    g = doc["graph"]
    _unique(source, "graph", g)
    for i, m in enumerate(g.get("modules", [])):
        _unique(source, f"graph.modules[{i}].graph", m["graph"])
    try:
        return Graph.from_dict(g)
    except (KeyError, TypeError, ValueError, IndexError) as e:  # the schema should have caught it
        _fail(source, "graph", f"cannot be read ({e})")


def _unique(source, where, graph_dict):
    seen = set()
    for i, n in enumerate(graph_dict.get("nodes", [])):
        if n["id"] in seen:
            _fail(source, f"{where}.nodes[{i}].id", f"{n['id']!r} is used by two nodes")
        seen.add(n["id"])


def load(path) -> Graph:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        _fail(path.name, "", f"cannot be read ({e.strerror or e})")
    return loads(data, path.name)


# ----------------------------------------------------------------- saving
def document(graph: Graph) -> dict:
    return {"format": FORMAT, "version": VERSION, "graph": graph.to_dict()}


def dumps(graph: Graph) -> str:
    """The file's text. Raises ValueError (one line) if the graph holds a value JSON cannot
    store (NaN, infinity, an object)."""
    try:
        return _layout(document(graph), 0, None) + "\n"
    except (TypeError, ValueError) as e:
        raise ValueError(f"cannot save the graph: {e}") from None


#: objects written one key per line, and lists written one element per line; everything
#: else is compact, so a file reads (and diffs) as one line per node and per edge
_OPEN_OBJECTS = (None, "graph", "settings", "modules")
_OPEN_LISTS = ("nodes", "edges", "modules", "inputs", "outputs")


def _layout(value, depth, key):
    pad, inner = " " * depth, " " * (depth + 2)
    if isinstance(value, dict) and value and key in _OPEN_OBJECTS and all(isinstance(k, str) for k in value):
        items = [f"{inner}{_compact(k)}: {_layout(v, depth + 2, k)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and key in _OPEN_LISTS:
        child = "modules" if key == "modules" else ""
        items = [inner + _layout(v, depth + 2, child) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _compact(value)


def _compact(value):
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def weights_path(path) -> Path:
    """The .npz beside a .nnpg file: same folder, same stem."""
    return Path(path).with_suffix(WEIGHTS_EXTENSION)


def _atomic_write(path: Path, write):
    """Write through ``write(file)`` into a temporary file beside ``path``, fsync, rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save(graph: Graph, path, weights: dict | None = None):
    """Save atomically; with ``weights`` ({name: array}), also write the .npz beside it.
    The text is built before anything touches the disk, so a graph that cannot be
    serialised leaves the old file as it was."""
    import numpy  # host-side file I/O only

    path = Path(path)
    text = dumps(graph).encode("utf-8")
    if weights is not None:
        arrays = {str(k): numpy.asarray(_host(v)) for k, v in weights.items()}
        for name, a in arrays.items():
            if a.dtype == object:
                raise ValueError(f"cannot save weight '{name}': it is not a numeric array")
        _atomic_write(weights_path(path), lambda f: numpy.savez(f, **arrays))
    _atomic_write(path, lambda f: f.write(text))


def _host(v):
    from .. import backend  # noqa: PLC0415

    data = getattr(v, "data", v)  # an engine Tensor or a raw array
    return backend.to_numpy(data) if hasattr(data, "shape") else data


def load_weights(path) -> dict | None:
    """{name: numpy array} from the .npz beside ``path`` (a .nnpg path or the .npz itself),
    or None when there is none. Pickled objects are refused (allow_pickle=False)."""
    import numpy

    path = Path(path)
    wpath = path if path.suffix == WEIGHTS_EXTENSION else weights_path(path)
    if not wpath.exists():
        return None
    try:
        with numpy.load(wpath, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except Exception as e:  # noqa: BLE001 - any damage to the archive is one LoadError
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        _fail(wpath.name, "", f"cannot be read as weights ({msg})")
