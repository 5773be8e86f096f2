"""Fast checks of the self-test and the Linux installer (no PyInstaller build needed).

The bundle itself is built and run by test_bundle.py (marked ``packaging``)."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from playground import selftest

from tests.packaging._support import ROOT, build, load_script, run_install_sh  # noqa: E402

launcher = load_script(ROOT / "packaging" / "launcher.py")


def test_selftest_passes_from_the_command_line():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-m", "playground", "--selftest"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for name, _check in selftest.CHECKS:
        assert any(line.split()[:2] == ["ok", name] for line in lines), run.stdout
    assert lines[-1] == f"self-test passed ({len(selftest.CHECKS)} checks)"


def test_a_missing_example_fails_with_a_message_naming_it(monkeypatch):
    monkeypatch.setattr(selftest, "EXAMPLE", ("lessons", "no_such_lesson.nnpg"))
    out = io.StringIO()
    assert selftest.run_selftest(out) == selftest.EXIT_FAILED
    text = out.getvalue()
    fail = [line for line in text.splitlines() if line.split()[:1] == ["FAIL"]]
    assert len(fail) == 1 and fail[0].split()[1] == "assets"
    assert "no_such_lesson.nnpg" in fail[0]
    assert "FAILED at 'assets'" in text and "render" not in text  # stops at the first failure


def test_training_that_does_not_lower_the_loss_fails(monkeypatch):
    load_example = selftest.check_example

    def example_with_learning_rate_zero(ctx):
        detail = load_example(ctx)
        ctx["graph"].settings["optimizer"]["lr"] = 0.0  # the weights never move
        return detail

    monkeypatch.setattr(selftest, "CHECKS", tuple(
        (name, example_with_learning_rate_zero if name == "example" else check)
        for name, check in selftest.CHECKS))
    out = io.StringIO()
    assert selftest.run_selftest(out) == selftest.EXIT_FAILED
    fail = [line for line in out.getvalue().splitlines() if line.startswith("  FAIL")]
    assert len(fail) == 1 and fail[0].split()[1] == "train", out.getvalue()
    assert "did not fall" in fail[0]


def test_live_panels_that_cannot_import_fail_the_selftest(monkeypatch):
    import playground

    monkeypatch.delattr(playground, "panels", raising=False)
    monkeypatch.setitem(sys.modules, "playground.panels", None)  # "import" now raises ImportError
    out = io.StringIO()
    assert selftest.run_selftest(out) == selftest.EXIT_FAILED
    fail = [line for line in out.getvalue().splitlines() if line.startswith("  FAIL")]
    assert fail and fail[0].split()[1] == "panels" and "playground.panels" in fail[0], out.getvalue()


def test_blank_reason_tells_a_blank_picture_from_a_drawn_one():
    blank = QImage(400, 300, QImage.Format_RGB32)
    blank.fill(QColor("white"))
    assert "blank" in selftest.blank_reason(blank)
    assert "tiny" in selftest.blank_reason(QImage(20, 20, QImage.Format_RGB32))

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 2**24, size=(300, 400), dtype=np.uint32) | np.uint32(0xFF000000)
    drawn = QImage(pixels.tobytes(), 400, 300, 400 * 4, QImage.Format_RGB32).copy()
    assert selftest.blank_reason(drawn) is None


@pytest.mark.parametrize("args, expected", [
    (["lesson.nnpg"], ["gui", "lesson.nnpg"]),          # a desktop opening a document
    (["/a/B.NNPG"], ["gui", "/a/B.NNPG"]),
    (["--selftest"], ["--selftest"]),
    (["check", "x.nnpg"], ["check", "x.nnpg"]),
    ([], []),
])
def test_the_bundle_launcher_routes_a_lone_document_to_gui(args, expected):
    assert launcher.bundle_argv(args) == expected


@pytest.mark.skipif(sys.platform == "win32" or shutil.which("sh") is None, reason="needs a POSIX shell")
def test_install_script_registers_menu_entry_file_type_and_icon(tmp_path):
    # The archive's layout (build.linux_extras) around a stand-in for the bundle.
    stage = tmp_path / "unpacked"
    app = stage / build.EXE_NAME
    app.mkdir(parents=True)
    fake = app / build.EXE_NAME
    fake.write_text('#!/bin/sh\necho "fake app $*"\n')
    fake.chmod(0o755)
    for src, name in build.linux_extras():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, stage / name)
    home = tmp_path / "home"
    home.mkdir()
    run = run_install_sh(stage / "install.sh", home)
    assert run.returncode == 0, run.stderr
    local = home / ".local"
    installed = local / "lib" / build.EXE_NAME / build.EXE_NAME
    assert installed.exists()
    link = local / "bin" / build.EXE_NAME
    assert subprocess.run([str(link), "--x"], capture_output=True, text=True).stdout == "fake app --x\n"
    desktop = (local / "share" / "applications" / f"{build.EXE_NAME}.desktop").read_text()
    assert f'Exec="{installed}" gui %f' in desktop.splitlines()
    assert "MimeType=application/x-nnpg;" in desktop.splitlines()
    mime = (local / "share" / "mime" / "packages" / f"{build.EXE_NAME}.xml").read_text()
    assert 'type="application/x-nnpg"' in mime and 'pattern="*.nnpg"' in mime
    icons = local / "share" / "icons" / "hicolor"
    assert (icons / "256x256" / "apps" / f"{build.EXE_NAME}.png").exists()
    assert (icons / "scalable" / "mimetypes" / "application-x-nnpg.svg").exists()
    if shutil.which("update-mime-database"):  # the file type really resolves
        assert "application/x-nnpg" in (local / "share" / "mime" / "globs2").read_text()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(local / "share" / "applications" /
                                                             f"{build.EXE_NAME}.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    run = run_install_sh(stage / "install.sh", home, "--uninstall")
    assert run.returncode == 0, run.stderr
    assert not installed.exists() and not link.exists()
    assert not (local / "share" / "applications" / f"{build.EXE_NAME}.desktop").exists()
    assert not (icons / "256x256" / "apps" / f"{build.EXE_NAME}.png").exists()
