"""Build the PyInstaller bundle and run its --selftest (slow: ``make test-packaging``).

Excluded from the default suite by pyproject's ``-m 'not packaging'``. The build is
incremental (packaging/build keeps PyInstaller's cache), so a run right after
``make package`` mostly re-collects files.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1800)]

from tests.packaging._support import ROOT, build, run_install_sh  # noqa: E402

#: what the spec leaves out; finding one in the bundle means the excludes broke
UNWANTED_FILES = ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf",
                  "Qt6Network", "QtQml.", "QtQuick.", "QtNetwork.", "QtWebEngine", "_tkinter", "libtk",
                  "libtcl")
UNWANTED_MODULES = ("tkinter", "babel", "torch", "cupy", "matplotlib", "scipy", "pandas", "PyQt5", "PyQt6",
                    "PySide2", "pytest", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork")


def _selftest(executable: Path, **env_overrides):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env_overrides)
    env.pop("NNPG_ASSETS", None)  # the bundle must use its own assets
    return subprocess.run([str(executable), "--selftest"], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def bundle():
    run = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py")], cwd=ROOT,
                         capture_output=True, text=True, timeout=1700)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert build.bundle_executable().exists()
    return build.bundle_dir()


def test_bundled_app_passes_its_selftest(bundle):
    run = _selftest(build.bundle_executable())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "packaged app in" in run.stdout.splitlines()[0]  # it really ran frozen
    assert run.stdout.splitlines()[-1].startswith("self-test passed")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses the Linux bundle layout")
def test_bundle_uses_its_own_assets_and_reports_a_broken_install(bundle, tmp_path):
    internal = bundle / "_internal"
    example = internal / "assets" / "lessons" / "xor_mlp.nnpg"
    assert example.exists()
    # An installation with the examples deleted must fail the self-test, with a message.
    broken = tmp_path / "broken"
    shutil.copytree(bundle, broken, symlinks=True)
    (broken / "_internal" / "assets" / "lessons" / "xor_mlp.nnpg").unlink()
    run = _selftest(broken / build.EXE_NAME)
    assert run.returncode != 0
    assert "FAIL  assets" in run.stdout and "xor_mlp.nnpg" in run.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="size budget and excludes checked on Linux")
def test_bundle_is_small_and_leaves_out_what_we_do_not_use(bundle):
    assert build.tree_size(bundle) < build.SIZE_BUDGET_MB * 2**20
    files = [p.name for p in bundle.rglob("*")]
    unwanted = [name for name in files if any(bad in name for bad in UNWANTED_FILES)]
    assert not unwanted, unwanted[:10]
    # Python modules live inside the executable's archive: read PyInstaller's table of it.
    toc = ast.literal_eval((build.BUILD_DIR / build.EXE_NAME / "PYZ-00.toc").read_text())
    modules = [entry[0] for entry in toc[1]] + [p.stem for p in bundle.rglob("*.so")]
    unwanted = [m for m in modules if any(m == bad or m.startswith(bad + ".") for bad in UNWANTED_MODULES)]
    assert not unwanted, unwanted[:10]
    assert "playground.panels" in modules and "engine.train" in modules  # the table is the right one
    # Qt's own catalogs: only those of the app's languages, which the app loads (i18n.py)
    qt_catalogs = sorted(p.name for p in bundle.rglob("translations/*.qm"))
    assert qt_catalogs == ["qtbase_en.qm", "qtbase_it.qm"], qt_catalogs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the tarball is the Linux download")
def test_tarball_installs_per_user_and_the_installed_app_works(bundle, tmp_path):
    archives = sorted(build.DIST_DIR.glob(f"{build.EXE_NAME}-{build.version()}-linux-*.tar.gz"))
    assert archives, "build.py made no tarball"
    with tarfile.open(archives[-1]) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    (top,) = (tmp_path / "unpacked").iterdir()
    home = tmp_path / "home"
    home.mkdir()
    run = run_install_sh(top / "install.sh", home, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    desktop = home / ".local" / "share" / "applications" / f"{build.EXE_NAME}.desktop"
    assert desktop.exists()
    installed = home / ".local" / "bin" / build.EXE_NAME
    result = _selftest(installed, HOME=str(home))
    assert result.returncode == 0, result.stdout + result.stderr
