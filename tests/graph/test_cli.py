"""`playground train` and `playground check`: output and exit codes 0 / 2 / 3 / 70; a lone
file opens the app; bad input is one escaped, capped line; a bug is reported as one."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import backend
from engine.errors import SettingsError
from engine.graph import compile as compile_module
from engine.graph import fileformat
from engine.graph.compile import CompileError, NodeError
from engine.graph.validate import Problem
from playground import app, bugreport
from playground.cli import UsageError, main

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "assets" / "lessons" / "xor_mlp.nnpg"


@pytest.fixture(autouse=True)
def reports(tmp_path, monkeypatch):
    """Bug reports and the log go to the test's folder, not the user's."""
    folder = tmp_path / "reports"
    monkeypatch.setenv(bugreport.ENV_DIR, str(folder))
    return folder


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
    line = _one_line(capsys.readouterr().err)
    assert "nope" in line and line.startswith("playground: d.nnpg: ")

    path = _variant(tmp_path, lambda g: g.settings.update(optimizer={"name": "SGD", "lr": 0.1, "warp": 1}),
                    "o.nnpg")
    assert main(["train", path, "--steps", "3"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "warp" in line and line.startswith("playground: o.nnpg: ")

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
        g.settings["optimizer"] = {"name": "SGD", "lr": 1e15}   # the largest the file allows
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


# ----- a lone file opens the app (a desktop's double-click, the .desktop entry) -----------
@pytest.fixture
def opened(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "run_gui", lambda *a, lang=None, presentation=False: calls.append(a) or 0)
    return calls


@pytest.mark.parametrize("argv, expected", [
    ([str(XOR)], (str(XOR), 0, None)),
    ([str(XOR), "--train-steps", "5"], (str(XOR), 5, None)),
    (["gui", str(XOR)], (str(XOR), 0, None)),
    (["gui"], (None, 0, None)),
    ([], (None, 0, None)),
    (["lesson with spaces.NNPG"], ("lesson with spaces.NNPG", 0, None)),
])
def test_a_lone_file_opens_the_app(argv, expected, opened):
    assert main(argv) == 0
    assert opened == [expected]


def test_presentation_flag_reaches_the_app(monkeypatch):
    seen = []
    monkeypatch.setattr(app, "run_gui", lambda *a, lang=None, presentation=False: seen.append(presentation) or 0)
    assert main(["gui", "--presentation"]) == 0 and main([str(XOR)]) == 0
    assert seen == [True, False]


def test_commands_and_options_still_reach_their_command(opened, capsys):
    assert main(["check", str(XOR)]) == 0 and opened == []
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and "NN Playground" in capsys.readouterr().out


def test_the_desktop_entry_and_installer_start_the_app_with_the_file():
    desktop = (ROOT / "packaging" / "linux" / "nn-playground.desktop").read_text()
    install = (ROOT / "packaging" / "linux" / "install.sh").read_text()
    assert "Exec=nn-playground gui %f" in desktop and 'gui %f|' in install


# ----- bad input: one line, exit 2; anything else: a bug, reported, exit 70 -------------------
def _raising(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


@pytest.mark.parametrize("exc", [KeyError("y"), TypeError("unsupported operand"),
                                 RuntimeError("boom"), ValueError("bad value"), IndexError(3),
                                 RecursionError("maximum recursion depth exceeded")],
                         ids=lambda e: type(e).__name__)
def test_a_programming_error_is_reported_as_a_bug_with_a_written_report(exc, monkeypatch, capsys,
                                                                        reports):
    monkeypatch.setattr(compile_module, "check_graph", _raising(exc))
    assert main(["check", str(XOR)]) == bugreport.EXIT_BUG == 70
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("playground: this is a bug in NN Playground")
    assert f"{type(exc).__name__}: " in line or type(exc).__name__ in line
    [report] = reports.glob("bug-*.txt")
    assert str(report) in line
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and "check_graph" not in line
    assert "version: " in text and "platform: " in text and "'check'" in text and "xor_mlp" in text


@pytest.mark.parametrize("exc", [CompileError("node 'h': in_features must be 2"),
                                 NodeError("node 'h' failed", "h"),
                                 SettingsError("optimizer SGD: lr must be >= 0"),
                                 fileformat.LoadError("g.nnpg: graph.nodes[0]: bad"),
                                 UsageError("--steps must be 0 or more")],
                         ids=lambda e: type(e).__name__)
def test_the_project_s_own_errors_are_bad_input(exc, monkeypatch, capsys, reports):
    monkeypatch.setattr(compile_module, "check_graph", _raising(exc))
    assert main(["check", str(XOR)]) == 2
    assert _one_line(capsys.readouterr().err) == f"playground: xor_mlp.nnpg: {exc}"   # names the file
    assert not reports.exists() or not list(reports.glob("bug-*.txt"))


def test_unreadable_files_are_bad_input_naming_the_path(tmp_path, capsys):
    folder = tmp_path / "a folder.nnpg"
    folder.mkdir()
    assert main(["check", str(folder)]) == 2
    assert "a folder.nnpg" in _one_line(capsys.readouterr().err)


def test_a_bug_in_the_installed_command_exits_70_with_one_line(tmp_path):
    code = ("import sys; from engine.graph import compile as c; c.check_graph = lambda *a, **k: {}['y']; "
            "from playground.cli import main; sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, **{bugreport.ENV_DIR: str(tmp_path / "r")})
    r = subprocess.run([sys.executable, "-c", code, "check", str(XOR)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120, env=env)
    assert r.returncode == 70
    line = _one_line(r.stderr)
    assert "bug in NN Playground" in line and "KeyError: 'y'" in line
    assert len(list((tmp_path / "r").glob("bug-*.txt"))) == 1


# ----- output hygiene: printed user text is escaped, one line, capped ---------------------
def test_check_prints_messages_escaped_one_line_and_capped(monkeypatch, capsys, reports):
    long_id = "n" * 100_000
    messages = [f"Linear 'evil\x1b]0;owned\x07\x1b[2J' has no input\n'x'",
                f"A connection refers to node '{long_id}'", "bidi \u202e gnp.exe \ud800 lone"]
    monkeypatch.setattr(compile_module, "check_graph",
                        lambda *a, **k: [Problem("bad", m, "h") for m in messages])
    assert main(["check", str(XOR)]) == 2
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 3                                  # one line per message
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\ud800" not in out
    assert lines[0] == "error: Linear 'evil\\x1b]0;owned\\x07\\x1b[2J' has no input 'x'"
    assert lines[2] == "error: bidi \\u202e gnp.exe \\ud800 lone"
    assert len(lines[1]) < 500 and "more characters; full text in" in lines[1]
    assert long_id in (reports / bugreport.LOG_NAME).read_text()   # the full text is in the log


def test_error_lines_are_escaped_and_capped(monkeypatch, capsys, reports):
    exc = CompileError("node '\x1b[31m" + "w" * 50_000 + "'")
    monkeypatch.setattr(compile_module, "check_graph", _raising(exc))
    assert main(["check", str(XOR)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "\x1b" not in line and line.startswith("playground: xor_mlp.nnpg: node '\\x1b[31mwww")
    assert len(line) < 500


def test_a_mistyped_command_is_refused_not_opened(opened, capsys):
    assert main(["trian", str(XOR)]) == 2
    assert "invalid choice: 'trian'" in _one_line(capsys.readouterr().err) and opened == []


def test_text_the_console_cannot_encode_is_escaped_not_a_crash(tmp_path):
    lesson = tmp_path / "leçon→.nnpg"
    lesson.write_bytes(XOR.read_bytes())
    env = dict(os.environ, PYTHONIOENCODING="ascii", **{bugreport.ENV_DIR: str(tmp_path / "r")})
    r = subprocess.run([sys.executable, "-m", "playground", "check", str(lesson)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert "le\\xe7on\\u2192.nnpg: no problems" in r.stdout


@pytest.mark.parametrize("steps, expected", [(0, 0), (7, 7), (None, 500)])
def test_train_runs_the_files_steps_literally(tmp_path, capsys, steps, expected):
    """settings.steps is the number of steps (0 is 0, the untrained network's figures; unset
    is the documented default), the same number the app's Play stops at."""
    from playground.lesson.goals import step_limit

    graph = fileformat.load(XOR)
    graph.settings["steps"] = steps
    path = tmp_path / "net.nnpg"
    fileformat.save(graph, path)
    assert main(["train", str(path), "--metrics-json", str(tmp_path / "m.json")]) == 0
    assert json.loads((tmp_path / "m.json").read_text())["steps"] == expected
    assert step_limit(graph) == expected
