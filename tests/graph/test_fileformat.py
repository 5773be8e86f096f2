""".nnpg files: round trips, migration, refusals as one-line LoadErrors, atomic save, weights."""
from __future__ import annotations

import copy
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.graph import fileformat as ff
from engine.graph import registry
from engine.graph.document import Graph, ModuleDef, Node, PortRef
from engine.graph.validate import validate


def rich_graph() -> Graph:
    """Every feature of the format: params of each kind, labels, ties, a module, an unknown
    node type, settings and view."""
    g = Graph()
    g.add_node("Input", id="x", pos=(0, 0))
    g.add_node("Target", {"kind": "index"}, id="y", pos=(0, 200))
    g.add_node("Linear", {"in_features": 2, "out_features": 4, "bias": False}, id="h", label="hidden", pos=(150, 0))
    g.add_node("Softmax", {"dim": None}, id="sm", pos=(300, 0))
    g.add_node("Reshape", {"shape": [2, -1]}, id="rs", pos=(300, 100))
    g.add_node("CrossEntropyLoss", {"weight": [1.0, 2.5], "label_smoothing": 0.1}, id="loss")
    g.add_node("Linear", {"in_features": 4, "out_features": 2}, id="t1", tie="shared")
    g.add_node("Linear", {"in_features": 4, "out_features": 2}, id="t2", tie="shared")
    g.add_node("SomeFutureLayer", {"depth": {"nested": [1, 2, None]}}, id="future", label="???")
    g.nodes["future"].extra["plugin"] = {"version": "9", "flags": [True]}
    inner = Graph()
    inner.add_node("Linear", {"in_features": 4, "out_features": 4}, id="lin")
    inner.add_node("ReLU", id="act")
    inner.connect("lin", "out", "act", "input")
    g.set_module("Block", ModuleDef("Block", inner, [PortRef("x", "lin", "input")], [PortRef("y", "act", "out")]))
    g.add_node("Module", {"module": "Block"}, id="m", tie="blocks")
    g.connect("x", "out", "h", "input")
    g.connect("h", "out", "m", "x")
    g.connect("m", "y", "t1", "input")
    g.connect("t1", "out", "loss", "input")
    g.connect("y", "out", "loss", "target")
    g.connect("h", "out", "future", "in")
    g.settings.update({"dataset": {"name": "xor", "n_samples": 200, "noise": 0.1, "test_fraction": 0.5},
                       "task": "classification", "batch_size": 10, "seed": 3, "steps": 500,
                       "optimizer": {"name": "Adam", "lr": 0.01, "betas": [0.9, 0.999]},
                       "schedule": {"name": "none"}, "probe_every": 10, "trainer": "gradient"})
    g.view.update({"zoom": 1.25, "center": [10.5, -3.0]})
    return g


def assert_one_line(err):
    text = str(err)
    assert text and "\n" not in text and "\r" not in text


# ----------------------------------------------------------------- round trips
def test_save_then_load_gives_an_identical_document(tmp_path):
    g = rich_graph()
    path = tmp_path / "net.nnpg"
    ff.save(g, path)
    back = ff.load(path)
    assert back == g
    assert back.to_dict() == g.to_dict()
    assert ff.dumps(back) == ff.dumps(g)
    assert back.nodes["future"].to_dict() == g.nodes["future"].to_dict()  # placeholder kept exactly
    assert back.tied_groups() == {"shared": ["t1", "t2"]}
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "nn-playground" and doc["version"] == ff.VERSION
    assert set(doc["graph"]) == {"nodes", "edges", "modules", "settings", "view"}


def test_placeholder_dict_saves_back_unchanged():
    raw = {"id": "q", "type": "QuantumLayer", "params": {"qubits": 3, "gates": ["H", {"CX": [0, 1]}]},
           "pos": [1.5, 2.5], "label": "Q", "color": "#ff0000", "meta": {"a": [None, True]}}
    text = json.dumps({"format": "nn-playground", "version": 1,
                       "graph": {"nodes": [raw], "edges": []}})
    g = ff.loads(text, "q.nnpg")
    assert json.loads(ff.dumps(g))["graph"]["nodes"][0] == raw
    assert [p.kind for p in validate(g)] == ["unknown_type", "no_cost"]


_ids = st.text("abcdefgh0123_", min_size=1, max_size=6)
#: text a file may hold (docs/file-format.md, "Limits"): no control characters, no lone surrogates
_chars = st.characters(blacklist_categories=("Cc", "Cs"))
_json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | \
    st.floats(-2.0**49, 2.0**49, allow_nan=False, allow_infinity=False, width=32) | st.text(_chars, max_size=8)
_json = st.recursive(_json_scalars, lambda kids: st.lists(kids, max_size=3)
                     | st.dictionaries(st.text(_chars, max_size=5), kids, max_size=3), max_leaves=8)
_types = st.sampled_from(sorted(t.name for t in registry.all_types()))


@st.composite
def graphs(draw):
    g = Graph()
    ids = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
    for nid in ids:
        typ = draw(_types | st.just("Unknown" + nid))
        nt = registry.get(typ)
        params = {}
        if nt is not None:
            for spec in nt.params:
                if draw(st.booleans()):
                    params[spec.name] = copy.deepcopy(spec.default)
                    if isinstance(params[spec.name], tuple):
                        params[spec.name] = list(params[spec.name])
        else:
            params = draw(st.dictionaries(st.text(_chars, max_size=5), _json, max_size=3))
        pos = (draw(st.floats(-1e4, 1e4)), draw(st.floats(-1e4, 1e4)))
        g.add_node(typ, params, pos=pos, label=draw(st.none() | st.text(_chars, max_size=6)), id=nid,
                   tie=draw(st.none() | st.sampled_from(["a", "b"])))
    for _ in range(draw(st.integers(0, 6))):
        src, dst = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        try:
            g.connect(src, draw(st.sampled_from(["out", "out0", "h_n"])), dst,
                      draw(st.sampled_from(["input", "inputs", "a", "target"])))
        except ValueError:
            pass
    g.settings = draw(st.fixed_dictionaries({"seed": st.integers(0, 2**31), "batch_size": st.integers(1, 512)}))
    g.view = draw(st.dictionaries(st.text(_chars, max_size=4), _json, max_size=2))
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_generated_graphs_round_trip(g):
    back = ff.loads(ff.dumps(g), "gen.nnpg")
    assert back == g
    validate(back)  # any loadable graph can be validated without an exception


# ----------------------------------------------------------------- fuzzing the loader
def _load_or_load_error(text):
    try:
        g = ff.loads(text, "fuzz.nnpg")
    except ff.LoadError as e:
        assert_one_line(e)
        assert str(e).startswith("fuzz.nnpg: ")
        assert len(str(e)) <= 520 and str(e).isprintable()
        return None
    validate(g)
    ff.dumps(g)  # what loads can be saved again
    return g


@settings(max_examples=150, deadline=None)
@given(_json)
def test_arbitrary_json_only_raises_load_error(value):
    assert _load_or_load_error(json.dumps(value)) is None  # never an NN Playground file


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64))
def test_arbitrary_bytes_only_raise_load_error(data):
    _load_or_load_error(data)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(["format", "version", "graph", "nodes", "edges"]),
                       _json, max_size=5))
def test_arbitrary_top_level_objects_only_raise_load_error(doc):
    _load_or_load_error(json.dumps(doc))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


REAL = json.loads(ff.dumps(rich_graph()))
REAL_PATHS = [p for p in _paths(REAL) if p]


@settings(max_examples=250, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(REAL_PATHS), st.sampled_from(["delete", "replace", "wrap"]), _json),
                min_size=1, max_size=3))
def test_mutated_real_files_only_raise_load_error(mutations):
    doc = copy.deepcopy(REAL)
    for path, how, value in mutations:
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            key = path[-1]
            if how == "delete":
                del parent[key]
            elif how == "replace":
                parent[key] = value
            else:
                parent[key] = [parent[key]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    _load_or_load_error(json.dumps(doc))


def test_load_error_names_file_and_json_path():
    doc = copy.deepcopy(REAL)
    doc["graph"]["nodes"][2]["params"]["out_features"] = "four"
    with pytest.raises(ff.LoadError) as e:
        ff.loads(json.dumps(doc), "net.nnpg")
    assert str(e.value) == "net.nnpg: graph.nodes[2].params.out_features: must be a whole number"
    doc["graph"]["nodes"][2]["params"]["out_features"] = 4.0  # JSON 4.0 is not a whole number here
    with pytest.raises(ff.LoadError, match=r"graph.nodes\[2\].params.out_features: must be a whole number"):
        ff.loads(json.dumps(doc), "net.nnpg")


@pytest.mark.parametrize("text,fragment", [
    ("{", "is not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"format": "other", "version": 1}', "format: must be 'nn-playground'"),
    ('{"format": "nn-playground"}', "version: must be a whole number"),
    ('{"format": "nn-playground", "version": 1}', "graph: is missing"),
    ('{"format": "nn-playground", "version": 1, "graph": {"nodes": [{"id": "a", "type": "ReLU", "pos": [NaN, 0]}], "edges": []}}',
     "NaN is not allowed"),
    ('{"format": "nn-playground", "version": 1, "graph": {"nodes": [{"id": "a", "type": "ReLU"}, {"id": "a", "type": "Tanh"}], "edges": []}}',
     "graph.nodes[1].id: 'a' is used by two nodes"),
    ('{"format": "nn-playground", "version": 1, "graph": {"nodes": [], "edges": [{"src": "a"}]}}',
     "graph.edges[0].src_port: is missing"),
    ('{"format": "nn-playground", "version": 1, "graph": {"nodes": [], "edges": [], "settings": {"batch_size": 0}}}',
     "graph.settings.batch_size: must be at least 1"),
    ('{"format": "nn-playground", "version": -3, "graph": {}}', "version: -3 is not a known version"),
])
def test_refusals_are_one_line(text, fragment):
    with pytest.raises(ff.LoadError) as e:
        ff.loads(text, "bad.nnpg")
    assert_one_line(e.value)
    assert fragment in str(e.value), str(e.value)


# ----------------------------------------------------------------- limits on every value
XOR = os.path.join(os.path.dirname(ff.__file__), "..", "..", "assets", "lessons", "xor_mlp.nnpg")
BIG = "9" * 310


def _short(value):
    return value[:30]


def _xor_text():
    with open(XOR, encoding="utf-8") as f:
        return f.read()


def _refusal(text, source="net.nnpg"):
    with pytest.raises(ff.LoadError) as e:
        ff.loads(text, source)
    message = str(e.value)
    assert_one_line(message)
    assert message.isprintable() and len(message) <= 520, message
    assert message.startswith(source[:50] + ": ") or not source.isprintable()
    return message


@pytest.mark.parametrize("old, new, where", [
    ('"pos": [0.0, 0.0]', f'"pos": [{BIG}, 0.0]', "graph.nodes[0].pos[0]: must be at most 1e15 in magnitude"),
    ('"pos": [0.0, 0.0]', '"pos": [1e999, 0.0]', "graph.nodes[0].pos[0]: must be a finite number"),
    ('"pos": [0.0, 0.0]', '"pos": [0.0, -1e999]', "graph.nodes[0].pos[1]: must be a finite number"),
    ('"pos": [0.0, 0.0]', '"pos": [0.0, Infinity]', "graph.nodes[0].pos[1]: Infinity is not allowed"),
    ('"pos": [0.0, 0.0]', '"pos": [2e6, 0.0]', "graph.nodes[0].pos[0]: must be at most 1000000"),
    ('"lr": 0.1', f'"lr": {BIG}', "graph.settings.optimizer.lr: must be at most 1e15"),
    ('"momentum": 0.9', f'"momentum": -{BIG}', "graph.settings.optimizer.momentum: must be at most 1e15"),
    ('"momentum": 0.9', '"momentum": 1e300', "graph.settings.optimizer.momentum: must be at most 1e15"),
    ('"seed": 1', f'"seed": 1, "clip_grad_norm": {BIG}', "graph.settings.clip_grad_norm: must be at most 1e15"),
    ('"noise": 0.0', f'"noise": {BIG}', "graph.settings.dataset.noise: must be at most 1e15"),
    ('"out_features": 1', f'"out_features": {"1" * 100_000}',
     "graph.nodes[3].params.out_features: must be at most 1e15 in magnitude (a 100000-digit number)"),
    ('"out_features": 1', '"out_features": 1000000000000001', "graph.nodes[3].params.out_features: must be at most"),
], ids=_short)
def test_numbers_no_file_may_hold_are_refused_naming_the_path(old, new, where):
    text = _xor_text()
    assert old in text
    assert where in _refusal(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, where", [
    ('"label": "hidden layer"', '"label": "\\ud800"', "graph.nodes[1].label: holds '\\ud800', which is not a character"),
    ('"id": "tanh"', '"id": "ta\\udfffnh"', "graph.nodes[2].id: holds '\\udfff'"),
    ('"label": "hidden layer"', '"label": "\\u001b[2J\\u001b[31mred"', "graph.nodes[1].label: holds the control character '\\x1b'"),
    ('"label": "hidden layer"', '"label": "two\\nlines"', "graph.nodes[1].label: must not hold control characters"),
    ('"id": "tanh"', '"id": "t\\tanh"', "graph.nodes[2].id: must not hold control characters"),
    ('"label": "hidden layer"', '"label": "' + "x" * 201 + '"', "graph.nodes[1].label: is too long (at most 200"),
    ('"seed": 1', '"seed": 1, "\\ud83d": 0', 'graph.settings["\\ud83d"]: the key holds'),
    ('"seed": 1', '"seed": 1, "notes": "' + "d" * 100_001 + '"', "graph.settings.notes: is too long"),
    ('"seed": 1', '"seed": 1, "seed": 2', "graph.settings.seed: appears twice"),
], ids=_short)
def test_text_no_file_may_hold_is_refused_naming_the_path(old, new, where):
    text = _xor_text()
    assert old in text
    assert where in _refusal(text.replace(old, new, 1))


def test_valid_text_loads_and_saves():
    text = _xor_text().replace('"hidden layer"', '"couche cach\\u00e9e \\ud83d\\ude00 \\u05e9\\u05dc\\u05d5\\u05dd"')
    g = ff.loads("\ufeff" + text, "net.nnpg")  # a byte order mark is allowed
    assert g.nodes["hidden"].label == "couche cach\u00e9e \U0001f600 \u05e9\u05dc\u05d5\u05dd"
    assert ff.loads(ff.dumps(g)) == g
    doc = json.loads(_xor_text())
    doc["graph"]["settings"]["description"] = "line 1\nline 2\tend"  # line breaks and tabs: yes
    assert ff.loads(json.dumps(doc)).settings["description"] == "line 1\nline 2\tend"


@pytest.mark.parametrize("depth", [65, 900, 100_000])
def test_deep_nesting_is_refused_naming_the_file(depth):
    text = _xor_text().replace('"seed": 1', '"seed": 1, "extra": ' + "[" * depth + "]" * depth, 1)
    assert "is nested too deeply (more than 64 levels" in _refusal(text, "deep.nnpg")
    ff.loads(_xor_text().replace('"seed": 1', '"seed": 1, "extra": ' + "[" * 60 + "]" * 60, 1))


def test_messages_quote_at_most_a_short_escaped_piece():
    doc = json.loads(_xor_text())
    long_id = "\x1b[31m" + "n" * 10_000
    doc["graph"]["nodes"][0]["id"] = doc["graph"]["nodes"][1]["id"] = "a" * 150
    message = _refusal(json.dumps(doc))
    assert "is used by two nodes" in message and "a" * 41 not in message
    doc["graph"]["nodes"][0]["params"] = {long_id: 1}
    message = _refusal(json.dumps(doc), "\x1b]0;title\x07" + "f" * 1000 + ".nnpg")
    assert "\x1b" not in message and "\\x1b" in message and "the key holds the control character" in message


def test_too_large_files_are_refused_without_reading_them_whole(tmp_path, monkeypatch):
    from engine.graph import schema

    path = tmp_path / "huge.nnpg"
    path.write_text(_xor_text() + " " * 2000, encoding="utf-8")
    monkeypatch.setattr(schema, "MAX_FILE_BYTES", 2000)
    reads = []
    real_open = open

    def recording_open(*args, **kwargs):
        f = real_open(*args, **kwargs)
        real_read = f.read
        f.read = lambda n=-1: reads.append(n) or real_read(n)
        return f
    monkeypatch.setattr("builtins.open", recording_open)
    with pytest.raises(ff.LoadError, match=r"huge.nnpg: is too large \(a graph file holds at most"):
        ff.load(path)
    assert reads == [2001]
    assert "is too large" in _refusal(_xor_text() + " " * 2000)


def test_version_0_positions_are_checked():
    legacy = {"format": "nn-playground", "version": 0, "nodes": [{"id": "x", "type": "Input", "x": 1e7}],
              "edges": []}
    assert "old.nnpg: nodes[0].x: must be a number between" in _refusal(json.dumps(legacy), "old.nnpg")
    legacy["nodes"][0]["x"], legacy["training"] = 5, [1]
    assert "old.nnpg: training: must be an object" in _refusal(json.dumps(legacy), "old.nnpg")


def test_future_version_is_refused():
    doc = copy.deepcopy(REAL)
    doc["version"] = ff.VERSION + 1
    with pytest.raises(ff.LoadError) as e:
        ff.loads(json.dumps(doc), "new.nnpg")
    assert str(e.value) == (f"new.nnpg: version: {ff.VERSION + 1} is newer than this program understands "
                            f"(up to {ff.VERSION}); please update NN Playground")


def test_version_0_is_migrated():
    legacy = {
        "format": "nn-playground", "version": 0,
        "nodes": [{"id": "x", "type": "Input", "x": 0, "y": 5},
                  {"id": "h.1", "type": "Linear", "params": {"in_features": 2, "out_features": 1}, "x": 100, "y": 5,
                   "label": "out"},
                  {"id": "y", "type": "Target"}, {"id": "loss", "type": "MSELoss"}],
        "edges": ["x.out->h.1.input", "h.1.out -> loss.input", "y.out->loss.target"],
        "training": {"seed": 7, "batch_size": 4},
    }
    g = ff.loads(json.dumps(legacy), "old.nnpg")
    assert g.nodes["x"].pos == (0.0, 5.0) and g.nodes["h.1"].label == "out"
    assert [(e.src, e.src_port, e.dst, e.dst_port) for e in g.edges] == [
        ("x", "out", "h.1", "input"), ("h.1", "out", "loss", "input"), ("y", "out", "loss", "target")]
    assert g.settings == {"seed": 7, "batch_size": 4}
    assert validate(g, {"x": (None, 2), "y": (None, 1)}) == []
    # saved again it is a current-version file
    assert json.loads(ff.dumps(g))["version"] == ff.VERSION
    legacy["edges"].append("nonsense")
    with pytest.raises(ff.LoadError, match=r"old.nnpg: edges\[3\]: must be text like"):
        ff.loads(json.dumps(legacy), "old.nnpg")
    assert set(ff.MIGRATIONS) == set(range(ff.VERSION))  # a step for every older version


# ----------------------------------------------------------------- atomic save
def test_failed_serialisation_leaves_the_old_file(tmp_path):
    path = tmp_path / "net.nnpg"
    ff.save(rich_graph(), path)
    before = path.read_bytes()
    g = rich_graph()
    g.set_param("h", "out_features", float("nan"))
    with pytest.raises(ValueError, match="cannot save"):
        ff.save(g, path)
    g.set_param("h", "out_features", object())
    with pytest.raises(ValueError, match="cannot save"):
        ff.save(g, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.nnpg"]


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "net.nnpg"
    ff.save(rich_graph(), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(ff.os, "replace", broken_replace)
    g = rich_graph()
    g.set_param("h", "out_features", 9)
    with pytest.raises(OSError):
        ff.save(g, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.nnpg"]


def test_unreadable_path_is_a_load_error(tmp_path):
    with pytest.raises(ff.LoadError, match="missing.nnpg: cannot be read"):
        ff.load(tmp_path / "missing.nnpg")


# ----------------------------------------------------------------- weights
def test_weights_go_to_an_npz_beside_the_file(tmp_path):
    path = tmp_path / "net.nnpg"
    assert ff.load_weights(path) is None
    w = {"h.weight": np.arange(8, dtype=np.float32).reshape(4, 2), "h.bias": np.zeros(4)}
    ff.save(rich_graph(), path, weights=w)
    assert (tmp_path / "net.npz").exists()
    back = ff.load_weights(path)
    assert set(back) == set(w)
    for k in w:
        np.testing.assert_array_equal(back[k], w[k])
        assert back[k].dtype == w[k].dtype
    assert ff.load(path) == rich_graph()


def test_weights_accept_engine_tensors(tmp_path):
    import engine

    ff.save(rich_graph(), tmp_path / "n.nnpg", weights={"p": engine.tensor([1.0, 2.0])})
    np.testing.assert_array_equal(ff.load_weights(tmp_path / "n.nnpg")["p"], [1.0, 2.0])


def test_pickled_weights_are_refused(tmp_path):
    path = tmp_path / "net.nnpg"
    ff.save(rich_graph(), path)
    np.savez(tmp_path / "net.npz", evil=np.array([{"a": 1}], dtype=object))  # needs pickle to read
    with pytest.raises(ff.LoadError) as e:
        ff.load_weights(path)
    assert_one_line(e.value)
    assert str(e.value).startswith("net.npz: cannot be read as weights")
    (tmp_path / "net.npz").write_bytes(b"not a zip file")
    with pytest.raises(ff.LoadError):
        ff.load_weights(path)


def test_node_extra_fields_survive_document_round_trip():
    n = Node.from_dict({"id": "a", "type": "ReLU", "future_field": 1})
    assert n.extra == {"future_field": 1} and n.to_dict()["future_field"] == 1
    assert os.path.basename(str(ff.weights_path("dir/net.nnpg"))) == "net.npz"


# ----------------------------------------------------------------- settings: schema, defaults, docs
def _documented_settings_keys():
    """The keys of docs/file-format.md's settings table (between its markers)."""
    from engine.graph import docs

    text = docs.FILE_FORMAT_PATH.read_text(encoding="utf-8")
    table = text.split(docs.SETTINGS_BEGIN, 1)[1].split(docs.SETTINGS_END, 1)[0]
    return [line.split("|")[1].strip().strip("`") for line in table.splitlines()
            if line.startswith("| `")]


def test_every_settings_key_is_documented_with_its_default():
    from engine.graph import docs, schema

    in_schema = list(schema.schema()["properties"]["graph"]["properties"]["settings"]["properties"])
    assert _documented_settings_keys() == in_schema
    # keys the engine and the CLI read are all in the schema
    for key in ("description", "dataset", "batch_size", "optimizer", "schedule", "init", "seed",
                "device", "steps", "probe_every", "eval_every", "trainer", "clip_grad_norm"):
        assert key in in_schema
    text = docs.FILE_FORMAT_PATH.read_text(encoding="utf-8")
    assert docs.file_format_markdown(text) == text, "run: python -m engine.graph.docs"


def test_documented_setting_names_and_defaults_are_the_code_s():
    from engine.graph import schema
    from engine.graph.compile import INITS
    from engine.optim import OPTIMIZERS, lr_scheduler
    from engine.train.session import Session

    meaning = {k: v[2] for k, v in schema.SETTINGS.items()}
    assert all(name in meaning["optimizer"] for name in OPTIMIZERS)
    assert all(name in meaning["schedule"] for name in lr_scheduler.SCHEDULERS if name != "LambdaLR")
    assert schema.SETTINGS["init"][0]["anyOf"][0]["enum"] == list(INITS)
    # the inspector's defaults for a new graph are the documented ones
    from playground.editor.inspector import DEFAULT_SETTINGS
    assert all(DEFAULT_SETTINGS[k] == schema.SETTINGS[k][1] for k in ("steps", "batch_size", "seed"))
    # a graph without settings (beyond its dataset) trains with the documented defaults
    g = ff.load(os.path.join(os.path.dirname(ff.__file__), "..", "..", "assets", "lessons", "xor_mlp.nnpg"))
    g.settings = {"dataset": g.settings["dataset"]}
    s = Session.from_graph(g)
    assert s.batch_size == schema.SETTINGS["batch_size"][1] and s.seed == schema.SETTINGS["seed"][1]
    assert s.probe_every == schema.SETTINGS["probe_every"][1] and s.eval_every == 5 * s.probe_every
    assert s.trainer == "gradient" and s.scheduler is None and s.device == "cpu"
    assert type(s.optimizer).__name__ == "SGD" and s.lr == pytest.approx(0.03)
    g.settings.update(eval_every=7, init="kaiming_normal", description="text")
    assert Session.from_graph(g).eval_every == 7


@pytest.mark.parametrize("key, value, words", [
    ("eval_every", -1, "graph.settings.eval_every: must be at least 0"),
    ("eval_every", 2.5, "graph.settings.eval_every: must be a whole number"),
    ("description", 3, "graph.settings.description: must be text"),
    ("init", "he", "graph.settings.init"),
    ("init", {"gain": 2.0}, "graph.settings.init"),
])
def test_bad_settings_values_are_refused_naming_the_key(key, value, words):
    doc = json.loads(ff.dumps(rich_graph()))
    doc["graph"]["settings"][key] = value
    with pytest.raises(ff.LoadError) as err:
        ff.loads(json.dumps(doc), source="net.nnpg")
    assert_one_line(err.value)
    assert words in str(err.value)


def test_good_init_settings_load():
    doc = json.loads(ff.dumps(rich_graph()))
    for init in ("kaiming_normal", {"name": "xavier_uniform", "gain": 2.0},
                 {"name": "kaiming_uniform", "nonlinearity": "tanh"}):
        doc["graph"]["settings"]["init"] = init
        assert ff.loads(json.dumps(doc)).settings["init"] == init
