"""`playground train` and `playground check`: output and exit codes 0 / 2 / 3."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine import backend
from engine.graph import fileformat
from playground.cli import main

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "assets" / "examples" / "xor_mlp.nnpg"


def _one_line(err):
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _variant(tmp_path, change, name="g.nnpg"):
    g = fileformat.load(XOR)
    change(g)
    path = tmp_path / name
    fileformat.save(g, path)
    return str(path)


def test_train_prints_metrics_and_writes_json(tmp_path, capsys):
    out_json = tmp_path / "m.json"
    assert main(["train", str(XOR), "--steps", "60", "--seed", "2", "--metrics-json", str(out_json)]) == 0
    cap = capsys.readouterr()
    assert "train loss" in cap.out and "test accuracy" in cap.out and "diagnostics" in cap.out
    assert "training [" in cap.err and "60/60" in cap.err          # the progress bar
    m = json.loads(out_json.read_text())
    assert m["steps"] == 60 and m["nan"] is None
    assert set(m["metrics"]) >= {"train_loss", "test_loss", "train_acc", "test_acc"}


def test_check_reports_ok(capsys):
    assert main(["check", str(XOR)]) == 0
    assert "no problems" in capsys.readouterr().out


def test_check_lists_problems_and_exits_2(tmp_path, capsys):
    path = _variant(tmp_path, lambda g: g.set_param("output", "in_features", 7))
    assert main(["check", path]) == 2
    cap = capsys.readouterr()
    assert "error:" in cap.out and "output" in cap.out
    assert main(["train", path, "--steps", "5"]) == 2
    assert "output" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("args, words", [
    (["train", "no/such/file.nnpg"], "file.nnpg"),
    (["check", "no/such/file.nnpg"], "file.nnpg"),
    (["train", str(XOR), "--steps", "-3"], "--steps"),
    (["train", str(XOR), "--backend", "tpu"], "backend"),
    (["train"], "file"),
])
def test_bad_input_exits_2_with_one_line(args, words, capsys):
    assert main(args) == 2
    assert words in _one_line(capsys.readouterr().err)


def test_bad_files_and_settings_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.nnpg"
    broken.write_text("{ not json")
    assert main(["train", str(broken)]) == 2
    assert "broken.nnpg" in _one_line(capsys.readouterr().err)

    path = _variant(tmp_path, lambda g: g.settings.update(dataset={"name": "nope"}), "d.nnpg")
    assert main(["train", path]) == 2
    assert "nope" in _one_line(capsys.readouterr().err)

    path = _variant(tmp_path, lambda g: g.settings.update(optimizer={"name": "SGD", "lr": 0.1, "warp": 1}),
                    "o.nnpg")
    assert main(["train", path, "--steps", "3"]) == 2
    assert "warp" in _one_line(capsys.readouterr().err)

    path = _variant(tmp_path, lambda g: g.add_node("FancyNewLayer", id="fancy"), "u.nnpg")
    assert main(["train", path]) == 2
    assert "fancy" in _one_line(capsys.readouterr().err).lower()


def test_targets_that_cannot_carry_the_dataset_s_classes_exit_2_naming_node_and_port(tmp_path, capsys):
    def ten_classes(g):   # digits has 10 classes; the XOR net gives one 0/1 column
        g.settings["dataset"] = {"name": "digits"}
        g.set_param("hidden", "in_features", 64)
    path = _variant(tmp_path, ten_classes, "digits.nnpg")
    assert main(["check", path]) == 2
    out = capsys.readouterr().out
    assert "BCEWithLogitsLoss 'cost' input 'input': the dataset has 10 classes" in out
    assert main(["train", path, "--steps", "3"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'cost' input 'input'" in line and "10 classes" in line

    def ten_outputs(g):   # ... fixed: 10 outputs, cross-entropy on class indices
        ten_classes(g)
        g.set_param("output", "out_features", 10)
        g.nodes["cost"].type = "CrossEntropyLoss"
    assert main(["train", _variant(tmp_path, ten_outputs, "digits10.nnpg"), "--steps", "3"]) == 0


@pytest.mark.skipif(backend.gpu_available(), reason="a GPU is available here")
def test_cupy_without_a_gpu_exits_2(capsys):
    assert main(["train", str(XOR), "--backend", "cupy", "--steps", "3"]) == 2
    assert "cupy" in _one_line(capsys.readouterr().err)


def test_nan_exits_3_naming_the_node(tmp_path, capsys):
    def explode(g):
        g.settings["optimizer"] = {"name": "SGD", "lr": 1e30}
        g.nodes["cost"].type = "MSELoss"
    path = _variant(tmp_path, explode, "nan.nnpg")
    assert main(["train", path, "--steps", "100"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Warning" not in err
    line = err.strip().splitlines()[-1]      # after the progress bar: one line
    assert line.startswith("playground: training stopped at step")
    assert "node '" in line and ("NaN" in line or "infinite" in line)


def test_subprocess_train_runs_the_installed_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "playground", "train", str(XOR), "--steps", "20"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "20 steps" in r.stdout
    r = subprocess.run([sys.executable, "-m", "playground", "check", "missing.nnpg"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
