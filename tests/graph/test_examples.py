"""Every example file loads, validates, and trains: its loss falls."""
from pathlib import Path

import pytest

from engine.graph import fileformat
from engine.graph.compile import check_graph
from engine.train import Session

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.nnpg"))
#: steps per example: enough for the loss to fall clearly, few enough to stay fast
STEPS = {"digits_cnn": 40, "lstm_sequence": 60, "perceptron_and": 16}


def test_all_lessons_are_there():
    assert set(NAMES) >= {"perceptron_and", "xor_mlp", "deep_sigmoid", "deep_relu_he",
                          "attention_module", "mixture_of_experts", "multiplicative_module",
                          "weight_sharing", "digits_cnn", "lstm_sequence"}


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_validates_and_trains(name):
    graph = fileformat.load(EXAMPLES / f"{name}.nnpg")
    assert graph.settings.get("description")
    assert [p for p in check_graph(graph) if p.severity == "error"] == []
    session = Session.from_graph(graph)
    before = session.evaluate()["train_loss"]
    session.run(STEPS.get(name, 120))
    assert not session.stopped
    after = session.evaluate()["train_loss"]
    if name == "deep_sigmoid":   # the point of this lesson: it barely learns
        assert after <= before * 1.01
    else:
        assert after < 0.9 * before, f"{name}: train loss {before:.4g} -> {after:.4g}"


def test_example_files_match_their_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.EXAMPLES.items():
        on_disk = fileformat.load(EXAMPLES / f"{name}.nnpg")
        assert on_disk == make(), f"{name}.nnpg is out of date: run assets/examples/make_examples.py"
