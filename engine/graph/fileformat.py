""".nnpg files: JSON with a format tag and an integer version (see docs/file-format.md).

    {"format": "nn-playground", "version": 2,
     "graph": {"nodes": [...], "edges": [...], "modules": [...], "settings": {...}, "view": {...}},
     "lesson": {...}}                     (optional: a lesson, see engine.lessons)

- ``load(path)`` / ``loads(text, source)`` -> Graph. Older versions are migrated step by
  step through MIGRATIONS; newer or unknown versions are refused. Every refusal is a
  LoadError whose message is one line naming the file and the JSON path.
- Unknown node types load as placeholders: the node's dict is kept and saved back unchanged
  (validation reports them).
- ``save(graph, path, weights=None)`` is atomic (``atomic_write``: a uniquely named temporary
  file in the same folder, fsync, os.replace, fsync of the folder; a symbolic link's target
  is written, the file's permissions are kept). A value a file cannot hold is a SaveError.
  Weights, when given ({name: array}), go to a .npz beside the file (same stem).
- ``load_weights(path)`` reads that .npz with numpy.load(allow_pickle=False).

Loading never executes anything from the file: JSON only (no pickle, no eval), and the
weights archive is read with pickling disabled.
"""
from __future__ import annotations

import errno
import json
import math
import os
import secrets
import stat
from pathlib import Path

from ..errors import UserError
from ..i18n import N_, _, os_reason
from . import schema as _schema
from .document import Graph

FORMAT = _schema.FORMAT
VERSION = _schema.VERSION
EXTENSION = ".nnpg"
WEIGHTS_EXTENSION = ".npz"


class LoadError(UserError, ValueError):
    """A file that cannot be loaded; the message is one line naming the file and JSON path."""


def _fail(source, path, message):
    """Raise the LoadError: one line, printable (control characters and lone surrogates
    escaped), each part cut to a bounded length, so a hostile file cannot flood a terminal."""
    parts = ([_shown(source, 100)] if source else []) + ([_shown(path, 160)] if path else []) \
        + [_shown(message, 240)]
    raise LoadError(": ".join(parts))


def _shown(text, limit):
    """``text`` on one line, escaped where not printable, at most about ``limit`` characters
    (a long middle is cut: paths and names keep their start and end)."""
    text = " ".join(str(text)[:4 * limit].split())
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    if len(text) > limit:
        text = text[:limit * 2 // 3] + "..." + text[-(limit // 3):]
    return text


def _quoted(value, limit=40) -> str:
    """A value quoted in a message: repr, cut to ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "..."


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
        _fail(source, "edges", _("must be a list"))
    new_nodes = []
    for i, n in enumerate(nodes):
        if not isinstance(n, dict):
            _fail(source, f"nodes[{i}]", _("must be an object ({...})"))
        n = dict(n)
        for axis in ("x", "y"):
            v = n.get(axis, 0.0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) > _schema.MAX_POSITION:
                _fail(source, f"nodes[{i}].{axis}", _("must be a number between -{limit} and {limit}").format(
                    limit=_schema.MAX_POSITION))
        x, y = n.pop("x", 0.0), n.pop("y", 0.0)
        n.setdefault("pos", [x, y])
        new_nodes.append(n)
    new_edges = []
    for i, e in enumerate(edges):
        if not isinstance(e, str) or e.count("->") != 1:
            _fail(source, f"edges[{i}]", _("must be text like \"a.out->b.input\""))
        left, right = e.split("->")
        src, _dot, src_port = left.strip().rpartition(".")
        dst, _dot, dst_port = right.strip().rpartition(".")
        if not (src and src_port and dst and dst_port):
            _fail(source, f"edges[{i}]", _("must be text like \"a.out->b.input\""))
        new_edges.append({"src": src, "src_port": src_port, "dst": dst, "dst_port": dst_port})
    if not isinstance(doc.get("training", {}), dict):
        _fail(source, "training", "must be an object ({...})")
    graph = {"nodes": new_nodes, "edges": new_edges, "modules": [],
             "settings": doc.get("training", {}), "view": {}}
    return {"format": FORMAT, "version": 1, "graph": graph}


def _migrate_1_to_2(doc, source):
    """Version 2 adds the optional top-level ``lesson`` section (docs/file-format.md, "The
    lesson section"); a version-1 file has none, so only the version number changes."""
    return {**doc, "version": 2}


#: version N -> function(doc, source) returning the doc in version N + 1
MIGRATIONS = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def migrate(doc, source="<string>"):
    """Bring a parsed document to the current version (refusing unknown versions)."""
    if not isinstance(doc, dict):
        _fail(source, "", _("is not an NN Playground file (expected a JSON object at the top level)"))
    if doc.get("format") != FORMAT:
        _fail(source, "format", _("must be {format} (this is not an NN Playground file)").format(format=repr(FORMAT)))
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        _fail(source, "version", _("must be a whole number"))
    if version > VERSION:
        _fail(source, "version", _("{version} is newer than this program understands (up to {known}); "
                                   "please update NN Playground").format(version=version, known=VERSION))
    if version < min(MIGRATIONS, default=VERSION):
        _fail(source, "version", _("{version} is not a known version of the format").format(version=version))
    while version < VERSION:
        doc = MIGRATIONS[version](doc, source)
        version = doc["version"]
    return doc


# ----------------------------------------------------------------- loading
# json.loads' hooks: a number no file may hold becomes a Refused marker, which
# limits_problem then reports with its JSON path (the hooks cannot know the path). The
# length test comes first, so a 100,000-digit integer costs nothing to refuse.
def _too_big() -> str:
    return _("must be at most {limit} in magnitude").format(
        limit=f"{_schema.MAX_MAGNITUDE:.0e}".replace("e+", "e"))


def _parse_int(text):
    if len(text) > 17:
        return _schema.Refused(_too_big() + " " + _("(a {n}-digit number)").format(n=len(text.lstrip("-"))))
    value = int(text)
    return value if abs(value) <= _schema.MAX_MAGNITUDE else _schema.Refused(f"{_too_big()} ({value})")


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        return _schema.Refused(_("must be a finite number (not {text}, which is {value})").format(
            text=_quoted(text, 24), value=value))
    return value if abs(value) <= _schema.MAX_MAGNITUDE else _schema.Refused(f"{_too_big()} ({value:.3g})")


def _parse_constant(name):
    return _schema.Refused(_("{name} is not allowed in JSON (numbers must be finite)").format(name=name))


#: the json module's own reasons, for the catalogs (shown through _ in _parse)
JSON_MESSAGES = (N_("Expecting value"), N_("Expecting ',' delimiter"), N_("Expecting ':' delimiter"),
                 N_("Expecting property name enclosed in double quotes"), N_("Extra data"),
                 N_("Unterminated string starting at"), N_("Invalid control character at"),
                 N_("Invalid \\escape"))


def _object(pairs):
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen = set()
    duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
    obj = _schema.DuplicateKeys(obj)
    obj.key = duplicate
    return obj


def _parse(text, source):
    """The JSON value of ``text``: every number finite and in range, every string valid
    text, nesting bounded (refusals name the JSON path)."""
    if len(text) > _schema.MAX_FILE_BYTES:   # bytes, or characters of a str
        _fail(source, "", _too_large())
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            _fail(source, "", _("is not UTF-8 text (byte {n})").format(n=e.start))
    try:
        doc = json.loads(text.removeprefix("\ufeff"),  # a byte order mark some editors write
                         parse_int=_parse_int, parse_float=_parse_float,
                         parse_constant=_parse_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as e:
        _fail(source, "", _("is not valid JSON: {reason} at line {line}, column {column}").format(
            reason=_(e.msg), line=e.lineno, column=e.colno))
    except RecursionError:
        _fail(source, "", _too_deep())
    except ValueError as e:
        _fail(source, "", _("is not valid JSON: {reason}").format(reason=e))
    found = _schema.limits_problem(doc)
    if found:
        _fail(source, *found)
    return doc


def _too_large():
    return _("is too large (a graph file holds at most {n} MiB)").format(n=_schema.MAX_FILE_BYTES // 2**20)


def _too_deep():
    return _("is nested too deeply (more than {n} levels of lists and objects)").format(n=_schema.MAX_DEPTH)


def loads(text, source: str = "<string>") -> Graph:
    """Parse, migrate and check a .nnpg document given as text (str or UTF-8 bytes)."""
    doc = migrate(_parse(text, source), source)
    try:
        found = _schema.problems(doc)
    except RecursionError:  # cannot happen within MAX_DEPTH; kept so it never escapes as a crash
        _fail(source, "", _too_deep())
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
        graph = Graph.from_dict(g)
    except (KeyError, TypeError, ValueError, IndexError) as e:  # the schema should have caught it
        _fail(source, "graph", _("cannot be read ({reason})").format(reason=e))
    graph.lesson = doc.get("lesson")
    return graph


def _unique(source, where, graph_dict):
    seen = set()
    for i, n in enumerate(graph_dict.get("nodes", [])):
        if n["id"] in seen:
            _fail(source, f"{where}.nodes[{i}].id", _("{id} is used by two nodes").format(id=_quoted(n["id"])))
        seen.add(n["id"])


def load(path) -> Graph:
    path = Path(path)
    try:
        with open(path, "rb") as f:  # at most one byte past the limit: a huge file is not read whole,
            data = f.read(_schema.MAX_FILE_BYTES + 1)   # and loads refuses it
    except OSError as e:
        _fail(path.name, "", _("cannot be read ({reason})").format(reason=os_reason(e)))
    graph = loads(data, path.name)
    graph.folder = str(path.resolve().parent)   # relative data file paths are read from there
    return graph


# ----------------------------------------------------------------- saving
def document(graph: Graph) -> dict:
    doc = {"format": FORMAT, "version": VERSION, "graph": graph.to_dict()}
    if graph.lesson is not None:
        doc["lesson"] = graph.lesson
    return doc


class SaveError(UserError, ValueError):
    """A graph holding a value a file cannot store; the message is one line naming its JSON path."""


def dumps(graph: Graph) -> str:
    """The file's text. Raises SaveError (one line, naming the JSON path) if the graph holds
    a value a file cannot store: NaN or infinity, text that is not valid Unicode (a lone
    surrogate such as "\\ud800"), an object; or one that ``loads`` would refuse (a label
    too long, a number beyond the limits): a saved file always opens again."""
    doc = document(graph)
    try:
        text = _layout(doc, 0, None) + "\n"
        text.encode("utf-8")  # a lone surrogate passes json.dumps(ensure_ascii=False) but not UTF-8
    except (TypeError, ValueError) as e:  # UnicodeEncodeError is a ValueError
        where, why = _unwritable(doc, "") or ("", str(e))
        raise SaveError(" ".join(_("cannot save the graph: {where}: {why}").format(where=where, why=why).split())) from None
    try:
        loads(text, source="")   # the loader's own checks: one definition of what a file may hold
    except LoadError as e:
        raise SaveError(_("cannot save the graph: {reason}").format(reason=e)) from None
    return text


def _unwritable(value, where):
    """(JSON path, reason) of the first value in ``value`` that a file cannot hold, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, f"{value} is not a number a file can hold"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            return where, f"the text holds {value[e.start]!r}, which is not a character (a lone surrogate)"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            key_where = f"{where}.{k}" if where else str(k)
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                return where, f"a key of type {type(k).__name__} cannot be written to a file"
            found = _unwritable(k, key_where) or _unwritable(v, key_where)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = _unwritable(v, f"{where}[{i}]")
            if found:
                return found
        return None
    if value is None or isinstance(value, (bool, int, float)):
        return None
    return where, f"a value of type {type(value).__name__} cannot be written to a file"


#: objects written one key per line, and lists written one element per line; everything
#: else is compact, so a file reads (and diffs) as one line per node and per edge
_OPEN_OBJECTS = (None, "graph", "settings", "modules", "lesson")
_OPEN_LISTS = ("nodes", "edges", "modules", "inputs", "outputs", "pages", "goals")


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


# ----------------------------------------------------------------- atomic writing
def atomic_write(path, data):
    """Replace the file at ``path`` with ``data`` (bytes, or a function that writes into a
    binary file) so that a crash or a kill leaves the old file or the new one, never a mix.

    - A symbolic link is followed: its target is replaced and the link stays a link.
    - The file keeps its permission bits; a new file gets the default mode the umask gives.
    - The data goes first to ``.NAME.PID.RANDOM.tmp`` beside the file (unique name, created
      exclusively), is fsynced, renamed over the file, and the folder is fsynced so the
      rename survives a power cut.
    - A writer killed mid-save leaves its temporary file; the next write of the same name
      removes those whose writer (the PID in the name) is no longer running.
    """
    target = Path(os.path.realpath(path))
    remove_stale_temps(target.parent, target.name)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None  # new file: the umask's default, applied by os.open below
    tmp, fd = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(target.parent)


def _temp_prefix(name):
    return f".{name}."


def _create_temp(target: Path):
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f"{_temp_prefix(target.name)}{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)  # 0o666 less the umask, as open() gives
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {target}")


def remove_stale_temps(folder, name=None):
    """Remove the temporary files atomic_write left in ``folder`` (for the file ``name``, or
    for any name) when their writer was killed: those whose writer PID is not running."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        pid = _temp_writer(entry.name, name)
        if pid is not None and not process_alive(pid):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _temp_writer(entry_name, name):
    """The writer PID of an atomic_write temporary file name (for ``name``, or any), else None."""
    if not (entry_name.startswith(".") and entry_name.endswith(".tmp")):
        return None
    if name is not None:
        prefix = _temp_prefix(name)
        if not entry_name.startswith(prefix):
            return None
        rest = entry_name[len(prefix):-len(".tmp")]
    else:
        rest = ".".join(entry_name[1:-len(".tmp")].split(".")[-2:])
    pid, _, token = rest.partition(".")
    if not (pid.isdigit() and len(token) == 8 and all(c in "0123456789abcdef" for c in token)):
        return None
    return int(pid)


def _fsync_folder(folder):
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows cannot open a folder to fsync it; NTFS journals the rename itself
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP):  # some file systems cannot sync a folder
            raise
    finally:
        os.close(fd)


def _proc_stat(pid):
    """The fields of /proc/PID/stat after the command name (Linux), or None."""
    try:
        return Path(f"/proc/{int(pid)}/stat").read_text().rpartition(")")[2].split()
    except (OSError, ValueError):
        return None


def process_start(pid) -> str | None:
    """A token that differs between two processes that were given the same PID (Linux: the
    boot id and the process's start tick); None where it cannot be read cheaply."""
    fields = _proc_stat(pid)
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    return f"{boot}:{fields[19]}" if fields and len(fields) > 19 else None


def process_alive(pid, start: str | None = None) -> bool:
    """Is process ``pid`` running (not a zombie)? With ``start`` (process_start's token when
    it was recorded) a different process that reuses the PID counts as not running."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if os.name == "nt":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except PermissionError:
        pass  # someone else's process
    except (ProcessLookupError, OverflowError):
        return False
    fields = _proc_stat(pid)
    if fields and fields[0] == "Z":
        return False  # killed, not yet reaped by its parent
    now = process_start(pid) if start is not None else None
    return now is None or now == start


def _windows_process_alive(pid) -> bool:
    import ctypes  # noqa: PLC0415 - Windows only (os.kill(pid, 0) would terminate the process there)

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def save(graph: Graph, path, weights: dict | None = None):
    """Save with atomic_write; with ``weights`` ({name: array}), also write the .npz beside it.
    The text is built before anything touches the disk, so a graph that cannot be
    serialised (SaveError) leaves the old file as it was."""
    import numpy  # host-side file I/O only

    path = Path(path)
    text = dumps(graph).encode("utf-8")
    if weights is not None:
        arrays = {str(k): numpy.asarray(_host(v)) for k, v in weights.items()}
        for name, a in arrays.items():
            if a.dtype == object:
                raise SaveError(f"cannot save weight '{name}': it is not a numeric array")
        atomic_write(weights_path(path), lambda f: numpy.savez(f, **arrays))
    atomic_write(path, text)


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
