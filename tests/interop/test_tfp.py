"""TensorFlow Playground links open with TensorFlow Playground's own points and weights.

tests/data/tfp/reference.json was written by tests/data/tfp/make_reference.js running on
node with the real seedrandom 2.4.4 and d3 3.5.17 packages TensorFlow Playground loads: for
each link, every 40th point of its train and test sets (after its shuffle and split), the
sums over all points, and every initial weight and bias.
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine.graph import fileformat
from engine.interop import tfp
from engine.interop.seedrandom import SeedRandom
from engine.train.session import Session
from playground.cli import main

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "tfp" / "reference.json").read_text())


def test_the_reference_covers_what_a_link_can_vary():
    states = [tfp.parse_url(case["url"]) for case in REFERENCE]
    assert {s.generator for s in states} == set(tfp.CLASSIFY + tfp.REGRESS)
    assert len({s.noise for s in states}) >= 5 and len({s.perc_train for s in states}) >= 5
    assert len({s.seed for s in states}) == len(states)
    assert {f for s in states for f in s.inputs} == {name for name, _p in tfp.FEATURES}
    assert any(s.init_zero for s in states) and any(not s.network_shape for s in states)


@pytest.mark.parametrize("case", REFERENCE, ids=[f"{i}" for i in range(len(REFERENCE))])
def test_points_and_initial_weights_equal_tensorflow_playgrounds(case):
    state = tfp.parse_url(case["url"])
    assert state.inputs == case["inputs"]
    page = tfp.page(state)
    parts = {"train": page.points[:page.n_train], "test": page.points[page.n_train:]}
    for name, points in parts.items():
        ref = case[name]
        assert len(points) == ref["n"], name
        np.testing.assert_allclose(points[::case["stride"]], np.reshape(ref["every"], (-1, 3)),
                                   rtol=0, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(points.sum(axis=0), ref["sums"], rtol=1e-12, atol=1e-9)
    assert len(page.weights) == len(case["layers"])
    for w, b, layer in zip(page.weights, page.biases, case["layers"]):
        np.testing.assert_allclose(w, np.reshape(layer["weight"], w.shape), rtol=0, atol=1e-12)
        np.testing.assert_array_equal(b, np.full(w.shape[0], layer["bias"]))


def test_seedrandom_stream_is_the_npm_packages():
    # node -e 'require("seedrandom"); Math.seedrandom("0.12345"); console.log(Math.random(), ...)'
    r = SeedRandom("0.12345")
    assert [r.random() for _ in range(3)] == [0.9152007406557323, 0.4702753218035592, 0.2736265229359467]
    long = SeedRandom("x" * 300)   # a key longer than 256 bytes wraps and smears
    assert long.random() == 0.952495823023581


def test_the_file_holds_the_same_network_points_and_weights(tmp_path):
    case = REFERENCE[3]   # spiral, all seven features, 4 hidden layers, L2
    path = tmp_path / "spiral.nnpg"
    state = tfp.import_url(case["url"], path)
    graph = fileformat.load(path)
    session = Session.from_graph(graph)
    session.load_weights(fileformat.load_weights(path))
    page = tfp.page(state)
    ours = session.dataset
    np.testing.assert_allclose(ours.x_train, page.points[:page.n_train, :2].astype(np.float32))
    np.testing.assert_array_equal(ours.y_train, page.points[:page.n_train, 2] > 0)
    weights = session.weights()
    np.testing.assert_allclose(weights["layer1.weight"], page.weights[0].astype(np.float32))
    np.testing.assert_allclose(weights["output.bias"], [0.1], rtol=1e-6)
    # the network TensorFlow Playground computes: features -> tanh layers -> tanh output
    x = page.points[:5, :2]
    a, b = x[:, :1], x[:, 1:]
    h = np.hstack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)])
    for w, bias in zip(page.weights, page.biases):
        h = np.tanh(h @ w.T + bias)
    pred = session.predict(x.astype(np.float32))
    np.testing.assert_allclose(np.asarray(pred).reshape(-1), h.reshape(-1), rtol=1e-4, atol=1e-5)
    assert graph.settings["optimizer"] == {"name": "SGD", "lr": state.learning_rate / 2,
                                           "weight_decay": 0.003}
    assert graph.settings["batch_size"] == 10
    session.step()


def test_regression_links_build_a_linear_output(tmp_path):
    path = tmp_path / "plane.nnpg"
    tfp.import_url(REFERENCE[4]["url"], path)
    graph = fileformat.load(path)
    types = [n.type for n in graph.nodes.values()]
    assert types.count("Linear") == 2 and "Tanh" not in types and "ReLU" not in types
    session = Session.from_graph(graph)
    snaps = [session.step() for _ in range(10)]
    assert math.isfinite(snaps[-1].loss)


@pytest.mark.parametrize("url,message", [
    ("https://playground.tensorflow.org/", "not a TensorFlow Playground link"),
    ("#noise=loud", "noise=loud is not a number"),
    ("#networkShape=4,0", "networkShape=4,0 must list whole numbers"),
    ("#x=false&y=false", "no input feature is switched on"),
    # 10^10 weights drawn one by one in Python would hang the import (and fill the memory)
    ("#networkShape=100000,100000", "makes 10,000,300,000 weights, more than the 100,000"),
])
def test_bad_links_are_refused_in_one_line(url, message):
    with pytest.raises(tfp.TfpError, match=message) as info:
        tfp.parse_url(url)
    assert "\n" not in str(info.value)


def test_tensorflow_playgrounds_own_rules_for_odd_links():
    state = tfp.parse_url("#dataset=nonesuch&noise=95&sinX_hide=true&sinX=true&seed=abc")
    assert state.dataset == "circle"       # an unknown name keeps the default, as there
    assert state.noise == 50               # past the slider's 80 the page sets 50
    assert "sinX" not in state.inputs      # a hidden feature is not an input
    assert len(tfp.parse_url("#dataset=xor").seed) == 7   # none given: one drawn, as the page does


def test_cli_import_then_data(tmp_path, capsys):
    out = tmp_path / "xor.nnpg"
    assert main(["import-tfp", REFERENCE[1]["url"], "-o", str(out)]) == 0
    assert out.exists() and out.with_suffix(".npz").exists()
    csv = tmp_path / "points.csv"
    assert main(["data", str(out), "-o", str(csv)]) == 0
    lines = csv.read_text().splitlines()
    assert lines[0] == "x1,x2,y,split" and len(lines) == 501
    first = lines[1].split(",")
    page = tfp.page(tfp.parse_url(REFERENCE[1]["url"]))
    assert np.float32(first[0]) == np.float32(page.points[0, 0]) and first[-1] == "train"
    assert lines[351].endswith(",test") and lines[350].endswith(",train")
    capsys.readouterr()
    assert main(["import-tfp", "#noise=loud", "-o", str(tmp_path / "b.nnpg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "noise=loud" in err and not (tmp_path / "b.nnpg").exists()
