"""The shipped lesson files (assets/lessons/*.nnpg): each is what its script in
assets/lessons/src/ draws (make_lessons.py regenerates them) and passes ``playground check``.
Their goals are checked on seeds 0-4 in test_lessons.py."""
import importlib.util
from pathlib import Path

import pytest

from engine.graph import fileformat
from playground.cli import main

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
NAMES = sorted(p.stem for p in LESSONS.glob("*.nnpg"))


def _make_lessons():
    spec = importlib.util.spec_from_file_location("make_lessons", LESSONS / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_examples_are_still_there():
    assert set(NAMES) >= {"perceptron_and", "xor_mlp", "deep_sigmoid", "deep_relu_he",
                          "attention_module", "mixture_of_experts", "multiplicative_module",
                          "weight_sharing", "digits_cnn", "lstm_sequence", "lstm_delay_copy"}


def test_lesson_files_match_their_scripts():
    builders = _make_lessons().builders()
    assert set(builders) == set(NAMES), (f"files without a script: {set(NAMES) - set(builders)}; "
                                         f"scripts never run: {set(builders) - set(NAMES)}")
    for name, make in builders.items():
        on_disk = fileformat.load(LESSONS / f"{name}.nnpg")
        assert on_disk == make(), f"{name}.nnpg is out of date: run assets/lessons/make_lessons.py {name}"


def test_a_lesson_stem_defined_twice_is_refused(tmp_path, monkeypatch):
    module = _make_lessons()
    for chapter in ("one", "two"):
        (tmp_path / f"{chapter}.py").write_text("LESSONS = {'same': lambda: None}\n", encoding="utf-8")
    monkeypatch.setattr(module, "SRC", tmp_path)
    with pytest.raises(SystemExit, match="'same' is defined in one.py and two.py"):
        module.builders()


@pytest.mark.parametrize("name", NAMES)
def test_every_lesson_file_passes_playground_check(name, capsys):
    assert main(["check", str(LESSONS / f"{name}.nnpg")]) == 0
    assert "no problems" in capsys.readouterr().out
