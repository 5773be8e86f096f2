"""Saving never loses work: permissions and symbolic links kept, unique temporary files,
fsync of file and folder, nothing left behind by a writer killed mid-save, and values a
file cannot hold refused with the JSON path that holds them."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.graph import fileformat as ff
from engine.graph.document import Graph
from tests.fuzzing import examples, report

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and signals")


def small_graph(label="hidden") -> Graph:
    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="h", label=label)
    g.connect("x", "out", "h", "input")
    return g


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def temporaries(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------- permissions, links
@posix_only
@pytest.mark.parametrize("before", [0o644, 0o600, 0o664, 0o444])
def test_saving_keeps_the_files_permissions(tmp_path, before):
    path = tmp_path / "net.nnpg"
    ff.save(small_graph(), path)
    path.chmod(before)
    ff.save(small_graph("changed"), path)
    assert mode(path) == before
    assert ff.load(path).nodes["h"].label == "changed"


@posix_only
@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umasks_default_mode(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        ff.save(small_graph(), tmp_path / "new.nnpg", weights={"h.weight": np.ones(2)})
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.nnpg") == expected
    assert mode(tmp_path / "new.npz") == expected


@posix_only
def test_saving_through_a_symbolic_link_writes_its_target(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "lesson.nnpg"
    ff.save(small_graph(), target)
    target.chmod(0o640)
    mine = tmp_path / "mine"
    mine.mkdir()
    link = mine / "lesson.nnpg"
    link.symlink_to(os.path.relpath(target, mine))
    chain = mine / "again.nnpg"
    chain.symlink_to("lesson.nnpg")   # a link to a link
    ff.save(small_graph("through the link"), chain)
    assert link.is_symlink() and chain.is_symlink()
    assert ff.load(target).nodes["h"].label == "through the link"
    assert mode(target) == 0o640
    assert sorted(p.name for p in mine.iterdir()) == ["again.nnpg", "lesson.nnpg"]
    assert sorted(p.name for p in shared.iterdir()) == ["lesson.nnpg"]


@posix_only
def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.nnpg"
    link.symlink_to("real.nnpg")
    ff.save(small_graph(), link)
    assert link.is_symlink() and (tmp_path / "real.nnpg").is_file()


# ----------------------------------------------------------------- temporary files, fsync
def test_temporary_names_are_unique_and_name_their_writer(tmp_path, monkeypatch):
    used = []
    real_replace = os.replace

    def recording_replace(src, dst):
        used.append(Path(src).name)
        real_replace(src, dst)
    monkeypatch.setattr(ff.os, "replace", recording_replace)
    (tmp_path / ".net.nnpg.tmp").write_text("someone else's")   # the old fixed name is left alone
    for _ in range(3):
        ff.save(small_graph(), tmp_path / "net.nnpg")
    assert len(set(used)) == 3
    assert all(n.startswith(f".net.nnpg.{os.getpid()}.") and n.endswith(".tmp") for n in used)
    assert temporaries(tmp_path) == [".net.nnpg.tmp"]


@posix_only
def test_the_file_and_then_its_folder_are_fsynced(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(src, dst):
        events.append("rename")
        real_replace(src, dst)
    monkeypatch.setattr(ff.os, "fsync", fsync)
    monkeypatch.setattr(ff.os, "replace", replace)
    ff.save(small_graph(), tmp_path / "net.nnpg")
    assert events == ["file", "rename", "folder"]


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temporaries_of_dead_writers_are_removed_by_the_next_save(tmp_path):
    dead, live = dead_pid(), os.getpid()
    stale = tmp_path / f".net.nnpg.{dead}.0123abcd.tmp"
    busy = tmp_path / f".net.nnpg.{live}.89abcdef.tmp"     # a save in progress elsewhere
    other = tmp_path / f".other.nnpg.{dead}.0123abcd.tmp"  # another file's: its own save cleans it
    unrelated = tmp_path / ".net.nnpg.notes.tmp"
    for p in (stale, busy, other, unrelated):
        p.write_text("x")
    ff.save(small_graph(), tmp_path / "net.nnpg")
    assert temporaries(tmp_path) == sorted(p.name for p in (busy, other, unrelated))
    ff.remove_stale_temps(tmp_path)   # what an autosave folder gets at start: every name
    assert temporaries(tmp_path) == sorted(p.name for p in (busy, unrelated))


def test_process_alive():
    assert ff.process_alive(os.getpid())
    assert not ff.process_alive(dead_pid())
    assert not ff.process_alive(0) and not ff.process_alive(-5) and not ff.process_alive("12")
    start = ff.process_start(os.getpid())
    if start is not None:
        assert ff.process_alive(os.getpid(), start)
        assert not ff.process_alive(os.getpid(), start + "0")   # a different process, same PID


KILLER = r"""
import os, random, signal, sys, time
from engine.graph import fileformat as ff
from engine.graph.document import Graph

path, kills = sys.argv[1], int(sys.argv[2])
g = Graph()
for i in range(400):
    g.add_node("Linear", {"in_features": i + 1, "out_features": 3}, id=f"n{i}", label="x" * 40)
ff.save(g, path)
mid_write = 0
for k in range(kills):
    pid = os.fork()
    if pid == 0:
        try:
            while True:
                ff.save(g, path)
        finally:
            os._exit(0)
    time.sleep(random.uniform(0.002, 0.03))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    mid_write += any(n.endswith(".tmp") for n in os.listdir(os.path.dirname(path)))
print(mid_write)
"""


@posix_only
@pytest.mark.fuzz
def test_writers_killed_mid_save_leave_the_file_whole_and_nothing_after_the_next_save(tmp_path):
    kills = examples(40, 1000)
    path = tmp_path / "net.nnpg"
    out = subprocess.run([sys.executable, "-c", KILLER, str(path), str(kills)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr[-2000:]
    left_by_kills = len(temporaries(tmp_path))
    assert len(ff.load(path).nodes) == 400   # the old file or the new one, never half of one
    ff.save(small_graph(), path)
    report("save killed mid-write", kills=kills, temporaries_left_by_kills=left_by_kills,
           kills_with_a_temporary_present=int(out.stdout.strip()), left_after_next_save=len(temporaries(tmp_path)))
    assert temporaries(tmp_path) == []


# ----------------------------------------------------------------- values a file cannot hold
@pytest.mark.parametrize("where, value, words", [
    ("label", "a\ud800b", "lone surrogate"),
    ("param", float("inf"), "inf is not a number"),
    ("param", float("-inf"), "-inf is not a number"),
    ("param", float("nan"), "nan is not a number"),
    ("param", object(), "type object"),
    ("setting", {"lr": [1.0, float("inf")]}, "inf is not a number"),
])
def test_a_value_a_file_cannot_hold_is_a_save_error_naming_its_json_path(tmp_path, where, value, words):
    path = tmp_path / "net.nnpg"
    ff.save(small_graph(), path)
    before = path.read_bytes()
    g = small_graph()
    if where == "label":
        g.nodes["h"].label = value
        json_path = "graph.nodes[1].label"
    elif where == "param":
        g.nodes["h"].params["out_features"] = value
        json_path = "graph.nodes[1].params.out_features"
    else:
        g.settings["optimizer"] = value
        json_path = "graph.settings.optimizer.lr[1]"
    with pytest.raises(ff.SaveError) as err:
        ff.save(g, path)
    message = str(err.value)
    assert message.startswith(f"cannot save the graph: {json_path}: ") and words in message
    assert "\n" not in message
    assert path.read_bytes() == before
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("change, where, words", [
    (lambda g: setattr(g.nodes["h"], "label", "x" * 201), "graph.nodes[1].label", "is too long"),
    (lambda g: setattr(g.nodes["h"], "label", "tab\there"), "graph.nodes[1].label", "control characters"),
    (lambda g: g.settings.update(clip_grad_norm=1e300), "graph.settings.clip_grad_norm", "at most 1e15"),
    (lambda g: g.move_node("h", (2e6, 0.0)), "graph.nodes[1].pos[0]", "at most 1000000"),
])
def test_what_load_would_refuse_is_never_saved(tmp_path, change, where, words):
    """Writable JSON the loader refuses (its limits): saving it would leave a file that never
    opens again, so the save is refused and the old file kept."""
    path = tmp_path / "net.nnpg"
    ff.save(small_graph(), path)
    before = path.read_bytes()
    g = small_graph()
    change(g)
    with pytest.raises(ff.SaveError) as err:
        ff.save(g, path)
    message = str(err.value)
    assert message.startswith(f"cannot save the graph: {where}: ") and words in message, message
    assert path.read_bytes() == before and temporaries(tmp_path) == []


def test_a_save_error_is_bad_input_not_a_bug():
    from engine.errors import UserError

    assert issubclass(ff.SaveError, UserError) and issubclass(ff.SaveError, ValueError)


def test_text_outside_the_basic_plane_saves_and_reloads(tmp_path):
    g = small_graph("emoji \U0001F600 and accents \u00e9")
    ff.save(g, tmp_path / "net.nnpg")
    assert ff.load(tmp_path / "net.nnpg").nodes["h"].label == g.nodes["h"].label
    assert json.loads((tmp_path / "net.nnpg").read_text(encoding="utf-8"))["graph"]["nodes"][1]["label"] \
        == g.nodes["h"].label
