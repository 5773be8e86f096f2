"""Autosave and recovery across real crashes and side-by-side instances, and saves that fail.

A crash is a real one: a child process runs a MainWindow (offscreen, a short autosave
interval), edits, lets the timer autosave, edits once more and is SIGKILLed; a window
started afterwards must recover exactly what was on screen at the last autosave. A
running instance is never taken for a crashed one, and nothing of it is deleted by
another instance. A save that fails for any reason keeps the window and its work.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from engine.graph import fileformat  # noqa: E402
from playground.editor import commands  # noqa: E402
from playground.editor.autosave import Autosaver  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.main_window import MainWindow  # noqa: E402
from tests.fuzzing import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# The crashing instance. It edits through the scene (what the palette, links and the
# inspector call), waits for the autosave timer after each edit, records the document
# the last autosave saw, edits once more (not autosaved), says READY and waits for its kill.
CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from playground.editor import commands
from playground.editor.dialogs import ScriptedDialogs
from playground.main_window import MainWindow

data_dir, out = sys.argv[1], sys.argv[2]
win = MainWindow(dialogs=ScriptedDialogs(), data_dir=data_dir)
win.show()
seen = []   # the document each timer autosave wrote (slots run in connection order)
win.autosave_timer.timeout.connect(lambda: seen.append(win.document.to_dict()))
win.autosave_timer.setInterval(40)

def wait_for_autosave():
    n = len(seen)
    deadline = time.monotonic() + 20
    while len(seen) == n and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    assert len(seen) > n, "the autosave timer never fired"

scene = win.scene
x = win.add_node_from_palette("Input"); wait_for_autosave()
h = win.add_node_from_palette("Linear"); wait_for_autosave()
scene.connect_ports(x, "out", h, "input"); wait_for_autosave()
scene.set_param(h, "out_features", 7); wait_for_autosave()
scene.push(commands.set_label, h, "hidden \u00e9\U0001F600")
wait_for_autosave()
win.autosave_timer.stop()
last_autosave = seen[-1]
scene.add_node("ReLU")          # on screen, never autosaved
with open(out + ".part", "w") as f:
    json.dump({"autosaved": last_autosave, "on_screen": win.document.to_dict(),
               "session": getattr(win.autosaver, "id", None)}, f)
os.replace(out + ".part", out)
print("READY", flush=True)
time.sleep(120)
"""


def start_child(data_dir: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(out)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if line.strip() != "READY":
        child.kill()
        pytest.fail(f"the child instance did not start: {line!r} {child.communicate()[1][-3000:]}")
    return child


def window(qtbot, data_dir, **answers):
    asked = []
    answers.setdefault("unsaved_changes", "discard")
    recover = answers.pop("recover", False)
    answers["recover"] = lambda: asked.append(1) or recover
    win = MainWindow(dialogs=ScriptedDialogs(**answers), data_dir=data_dir)
    qtbot.addWidget(win)
    win.asked_to_recover = asked
    return win


def plain(d):
    return json.loads(json.dumps(d))


def session_files(data_dir: Path) -> list:
    return sorted(p.name for p in data_dir.iterdir() if p.name != "recent.json")


# ----------------------------------------------------------------- crash and recovery
def test_a_killed_instance_is_recovered_as_it_was_at_its_last_autosave(qtbot, tmp_path):
    data, out = tmp_path / "data", tmp_path / "child.json"
    child = start_child(data, out)
    try:
        record = json.loads(out.read_text())
        child_files = {p.name: p.read_bytes() for p in data.iterdir()}
        assert f"session-{record['session']}.json" in child_files
        assert f"autosave-{record['session']}.nnpg" in child_files

        # While it runs, another instance sees nothing to recover, and its clean exit
        # (after its own edits and autosave) leaves the running instance's files alone.
        live = window(qtbot, data, recover=True)
        assert live.asked_to_recover == [] and live.document.nodes == {}
        live.scene.add_node("Tanh")
        assert live.autosave_now()
        assert live.close()
        assert {p.name: p.read_bytes() for p in data.iterdir()} == child_files
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)

    recovered = window(qtbot, data, recover=True)
    assert recovered.asked_to_recover == [1]
    assert plain(recovered.document.to_dict()) == plain(record["autosaved"])
    assert plain(record["on_screen"]) != plain(record["autosaved"])  # the edit after it is the one lost
    assert [n.label for n in recovered.document.nodes.values() if n.type == "Linear"] == ["hidden \u00e9\U0001F600"]
    assert recovered.is_dirty() and "*" in recovered.windowTitle()
    # The recovered work is this window's own autosave now; the crashed session is gone.
    assert session_files(data) == sorted([recovered.autosaver.lock.name, recovered.autosaver.file.name])
    # A crash of the recovering window would still leave the work to recover.
    assert fileformat.load(recovered.autosaver.file).to_dict() == recovered.document.to_dict()
    assert recovered.close()
    assert session_files(data) == []


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def fake_crashed_session(data: Path, sid: str, graph_text: str, pid=None, when="2026-01-01 10:00:00"):
    """What a killed instance leaves: its lock (naming a process that is gone) and its autosave."""
    data.mkdir(parents=True, exist_ok=True)
    (data / f"session-{sid}.json").write_text(json.dumps({"pid": pid or dead_pid(), "start": None,
                                                          "source": None, "time": when}))
    (data / f"autosave-{sid}.nnpg").write_text(graph_text)


def one_node_text(type_name):
    win_doc = fileformat.loads('{"format": "nn-playground", "version": 1, "graph": {"nodes": [], "edges": []}}')
    win_doc.add_node(type_name, id="n")
    return fileformat.dumps(win_doc)


def test_two_live_windows_never_take_each_other_for_crashed(qtbot, tmp_path):
    data = tmp_path / "data"
    first = window(qtbot, data)
    first.scene.add_node("ReLU")
    assert first.autosave_now()
    first_files = {p.name: p.read_bytes() for p in data.iterdir()}
    second = window(qtbot, data, recover=True)
    assert second.asked_to_recover == [] and second.document.nodes == {}
    second.scene.add_node("Tanh")
    assert second.autosave_now()
    assert second.close()
    assert {p.name: p.read_bytes() for p in data.iterdir()} == first_files
    assert first.close()
    assert session_files(data) == []


def test_a_declined_recovery_deletes_only_that_crashed_session(qtbot, tmp_path):
    data = tmp_path / "data"
    live = window(qtbot, data)
    live.scene.add_node("ReLU")
    assert live.autosave_now()
    fake_crashed_session(data, "older", one_node_text("Tanh"), when="2026-01-01 09:00:00")
    os.utime(data / "autosave-older.nnpg", (1, 1))
    fake_crashed_session(data, "newer", one_node_text("Sigmoid"))
    answers = iter([False, True])  # decline the newest, accept the older one
    second = MainWindow(dialogs=ScriptedDialogs(recover=lambda: next(answers)), data_dir=data)
    qtbot.addWidget(second)
    assert [n.type for n in second.document.nodes.values()] == ["Tanh"]
    names = session_files(data)
    assert "autosave-newer.nnpg" not in names and "session-newer.json" not in names
    assert "autosave-older.nnpg" not in names and "session-older.json" not in names  # adopted
    assert live.autosaver.lock.name in names and live.autosaver.file.name in names
    second.close()
    live.close()


def test_an_unreadable_autosave_is_set_aside_not_deleted(qtbot, tmp_path):
    data = tmp_path / "data"
    fake_crashed_session(data, "bad", "{ not json")
    win = window(qtbot, data, recover=True)
    assert win.document.nodes == {}
    (kind, title, message), = win.dialogs.shown
    assert title == "Cannot recover" and "unrecoverable-bad.nnpg" in message
    assert (data / "unrecoverable-bad.nnpg").read_text() == "{ not json"
    assert Autosaver(data).crashed_sessions() == []  # not offered again
    win.close()


def test_a_crashed_session_with_a_reused_pid_is_still_crashed(tmp_path):
    """The lock records the process's start; a live process now holding that PID is another one."""
    data = tmp_path / "data"
    me = os.getpid()
    if fileformat.process_start(me) is None:
        pytest.skip("no cheap process start time on this system")
    fake_crashed_session(data, "reused", one_node_text("Tanh"), pid=me)
    (data / "session-reused.json").write_text(json.dumps({"pid": me, "start": "another boot:1"}))
    assert [s["id"] for s in Autosaver(data).crashed_sessions()] == ["reused"]
    (data / "session-reused.json").write_text(json.dumps({"pid": me, "start": fileformat.process_start(me)}))
    assert Autosaver(data).crashed_sessions() == []


def test_a_dead_sessions_lock_without_autosave_is_removed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "session-gone.json").write_text(json.dumps({"pid": dead_pid()}))
    assert Autosaver(data).crashed_sessions() == []
    assert not (data / "session-gone.json").exists()


# ----------------------------------------------------------------- saves that fail
def test_a_value_a_file_cannot_hold_keeps_the_window_and_says_where(qtbot, tmp_path):
    path = tmp_path / "lesson.nnpg"
    win = window(qtbot, tmp_path / "data", unsaved_changes="save", save_file=str(path))
    h = win.scene.add_node("Linear")
    # what a "1e999" in an opened file gives (the inspector refuses it; a file need not)
    win.document.nodes[h].params["in_features"] = float("inf")
    assert not win.save()
    (_, title, message), = win.dialogs.shown
    assert title == "Cannot save" and f"graph.nodes[0].params.in_features" in message and "inf" in message
    assert not path.exists()
    assert not win.close() and win.is_dirty()  # the edits that could not be saved stay open
    assert win.autosaver.file.exists() is False  # nothing half-written pretends to hold them
    win.document.nodes[h].params["in_features"] = 3
    win.scene.push(commands.set_label, h, "bad \ud800")
    assert not win.save()
    assert "lone surrogate" in win.dialogs.shown[-1][2]
    win.scene.push(commands.set_label, h, "good")
    assert win.close()
    assert fileformat.load(path).nodes[h].label == "good"


def test_a_bug_while_saving_keeps_the_window_autosaves_and_writes_a_report(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNPG_REPORT_DIR", str(tmp_path / "reports"))
    path = tmp_path / "lesson.nnpg"
    win = window(qtbot, tmp_path / "data", unsaved_changes="save", save_file=str(path))
    win.scene.add_node("ReLU")

    def broken_save(*args, **kwargs):
        raise KeyError("y")
    monkeypatch.setattr(fileformat, "save", broken_save)
    assert not win.close()
    (_, title, message), = win.dialogs.shown
    assert title == "Cannot save" and "bug in NN Playground" in message and "KeyError" in message
    (report,) = (tmp_path / "reports").glob("bug-*.txt")
    assert str(report) in message and "broken_save" in report.read_text()
    assert message.endswith("Your work is still open, and a copy was autosaved.")
    assert win.is_dirty() and not path.exists()
    # the work was autosaved first, so even a crash now would not lose it
    assert fileformat.load(win.autosaver.file).to_dict() == win.document.to_dict()
    monkeypatch.undo()
    assert win.close()
    assert path.exists()


def test_a_bug_while_autosaving_is_reported_and_autosave_keeps_running(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNPG_REPORT_DIR", str(tmp_path / "reports"))
    win = window(qtbot, tmp_path / "data")
    win.scene.add_node("ReLU")

    def broken(*args):
        raise TypeError("broken autosave")
    monkeypatch.setattr(win.autosaver, "save", broken)
    assert not win.autosave_now()
    assert "bug in NN Playground" in win.statusBar().currentMessage()
    assert len(list((tmp_path / "reports").glob("bug-*.txt"))) == 1
    monkeypatch.undo()
    assert win.autosave_now() and win.autosave_timer.isActive()
    assert win.close()


def test_a_full_disk_keeps_the_window_and_the_old_file(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "lesson.nnpg"
    path.write_text("old")
    win = window(qtbot, tmp_path / "data", unsaved_changes="save")
    win.path = str(path)
    win.scene.add_node("ReLU")

    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(fileformat.os, "replace", full)
    assert not win.close()
    assert win.dialogs.shown[-1][1:] == ("Cannot save", f"{path}: No space left on device")
    assert win.is_dirty() and path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "lesson.nnpg"]  # no temporary file
    monkeypatch.undo()
    assert win.close()


def test_a_data_folder_that_cannot_be_made_turns_autosave_off_not_the_app(qtbot, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    win = window(qtbot, blocked)
    assert win.autosaver is None and "Autosave is off" in win.statusBar().currentMessage()
    win.scene.add_node("ReLU")
    assert not win.autosave_now()
    win.dialogs.answers["save_file"] = str(tmp_path / "a.nnpg")
    assert win.save() and fileformat.load(tmp_path / "a.nnpg").nodes  # the recent list fails quietly
    assert win.close()


# An instance that edits and autosaves without pause; before each autosave it appends the
# document it is about to write to a log, so a kill at any moment has two candidates: the
# autosave in flight (if it completed) or the one before it.
EDITING_CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from playground.editor.dialogs import ScriptedDialogs
from playground.main_window import MainWindow

data_dir, log_path = sys.argv[1], sys.argv[2]
win = MainWindow(dialogs=ScriptedDialogs(), data_dir=data_dir)
log = open(log_path, "a", buffering=1)
written = []
def autosave():
    log.write(json.dumps(win.document.to_dict()) + "\n")
    win.autosave_now()
    written.append(1)
    if len(written) == 2:
        print("READY", flush=True)   # two autosaves done: any kill from now has work to recover
win.autosave_timer.timeout.disconnect()
win.autosave_timer.timeout.connect(autosave)
win.autosave_timer.setInterval(10)
i = 0
while True:
    i += 1
    nid = win.scene.add_node("Linear" if i % 2 else "ReLU")
    if i % 2:
        win.scene.set_param(nid, "out_features", i)
    app.processEvents()
    time.sleep(0.003)
"""


@pytest.mark.soak
def test_instances_killed_at_random_moments_recover_a_whole_autosave(qtbot, tmp_path):
    kills = 20
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    recovered_counts = []
    for k in range(kills):
        data, log_path = tmp_path / f"data{k}", tmp_path / f"log{k}.jsonl"
        child = subprocess.Popen([sys.executable, "-c", EDITING_CHILD, str(data), str(log_path)], cwd=ROOT,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert child.stdout.readline().strip() == "READY"
        time.sleep(random.uniform(0.0, 1.0))
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        lines = log_path.read_text().split("\n")[:-1]   # a line cut by the kill has no newline
        assert len(lines) >= 2
        win = window(qtbot, data, recover=True)
        got = plain(win.document.to_dict())
        assert got in (json.loads(lines[-1]), json.loads(lines[-2]))
        assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]
        recovered_counts.append(len(got["nodes"]))
        assert win.close()
    report("autosave killed at random moments", kills=kills, recovered_whole=kills,
           nodes_recovered_min=min(recovered_counts), nodes_recovered_max=max(recovered_counts))


def test_relative_data_paths_follow_the_file_through_save_as_and_recovery(qtbot, tmp_path):
    """A lesson's `file` dataset is read from the .nnpg's folder: after Save As from the
    folder the file now lives in, after recovery from the original file's folder (not the
    autosave folder)."""
    data = tmp_path / "data"
    lesson = tmp_path / "lessons" / "mine.nnpg"
    lesson.parent.mkdir()
    fake_crashed_session(data, "gone", one_node_text("Tanh"))
    lock = data / "session-gone.json"
    lock.write_text(json.dumps({**json.loads(lock.read_text()), "source": str(lesson)}))
    win = window(qtbot, data, recover=True)
    assert [n.type for n in win.document.nodes.values()] == ["Tanh"]
    assert win.document.folder == str(lesson.parent.resolve())
    elsewhere = tmp_path / "elsewhere" / "copy.nnpg"
    elsewhere.parent.mkdir()
    win.dialogs.answers["save_file"] = str(elsewhere)
    assert win.save_as() and win.document.folder == str(elsewhere.parent.resolve())
    win.close()


def test_the_canvas_reads_a_relative_data_file_from_the_open_documents_folder(qtbot, tmp_path):
    """Two lessons with the same settings (`"path": "data.csv"`) in two folders, each CSV
    with its own number of features: the shapes the canvas validates with are the open
    document's, not those of the lesson opened before it."""
    paths = []
    for folder, features in (("two", 2), ("three", 3)):
        (tmp_path / folder).mkdir()
        rows = [",".join(str((i * 7 + j) % 5) for j in range(features)) + f",{i % 2}" for i in range(40)]
        (tmp_path / folder / "data.csv").write_text("\n".join(rows) + "\n")
        g = fileformat.loads('{"format": "nn-playground", "version": 1, "graph": {"nodes": [], "edges": []}}')
        g.settings["dataset"] = {"name": "file", "path": "data.csv"}
        fileformat.save(g, tmp_path / folder / "lesson.nnpg")
        paths.append(tmp_path / folder / "lesson.nnpg")
    win = window(qtbot, tmp_path / "data")
    for path, features in zip(paths, (2, 3)):
        assert win.open_file(str(path))
        assert win.dataset_shapes()["x"] == (None, features)
    win.close()
