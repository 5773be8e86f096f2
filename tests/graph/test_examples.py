"""Every example file loads, validates (`playground check`) and trains through the CLI
(`playground train`): its loss falls."""
import json
from pathlib import Path

import pytest

from engine.graph import fileformat
from playground.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "lessons"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.nnpg"))
#: steps per example: enough for the loss to fall clearly, few enough to stay fast
STEPS = {"digits_cnn": 40, "lstm_sequence": 60, "perceptron_and": 16}


def test_all_lessons_are_there():
    assert set(NAMES) >= {"perceptron_and", "xor_mlp", "deep_sigmoid", "deep_relu_he",
                          "attention_module", "mixture_of_experts", "multiplicative_module",
                          "weight_sharing", "digits_cnn", "lstm_sequence"}


def _cli_train(path, steps, out):
    """`playground train PATH --steps N --metrics-json OUT`: (exit code, metrics dict)."""
    code = main(["train", str(path), "--steps", str(steps), "--metrics-json", str(out)])
    return code, json.loads(out.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_validates_and_trains_through_the_cli(name, tmp_path, capsys):
    path = EXAMPLES / f"{name}.nnpg"
    graph = fileformat.load(path)
    assert graph.settings.get("description")
    assert main(["check", str(path)]) == 0
    assert "no problems" in capsys.readouterr().out
    # 0 steps: the untrained network's loss (the same seed gives the same initial weights)
    code, start = _cli_train(path, 0, tmp_path / "start.json")
    assert code == 0
    code, end = _cli_train(path, STEPS.get(name, 120), tmp_path / "end.json")
    assert code == 0 and end["nan"] is None and end["steps"] == STEPS.get(name, 120)
    out = capsys.readouterr().out
    assert "train loss" in out and "diagnostics" in out
    before, after = start["metrics"]["train_loss"], end["metrics"]["train_loss"]
    kinds = [v["kind"] for v in end["verdicts"]]
    if name == "deep_sigmoid":   # the point of this lesson: it barely learns, and the diagnostics say why
        assert after <= before * 1.01
        assert "vanishing" in kinds and "vanishing gradients" in out.lower()
    else:
        assert after < 0.9 * before, f"{name}: train loss {before:.4g} -> {after:.4g}"
    if name == "deep_relu_he":   # the same net with ReLU + He initialisation: no verdict
        assert kinds == []


def test_example_files_match_their_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_lessons", EXAMPLES / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.EXAMPLES.items():
        on_disk = fileformat.load(EXAMPLES / f"{name}.nnpg")
        assert on_disk == make(), f"{name}.nnpg is out of date: run assets/lessons/make_lessons.py"
