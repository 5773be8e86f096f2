"""The app on a real X display (Xvfb) with Qt's xcb plugin, and the message a desktop that lacks
the plugin's system libraries gets (issue 20: offscreen rendering hid both).

The Xvfb tests run the app in processes of their own with ``QT_QPA_PLATFORM`` unset, as a
desktop launches it; they are skipped, saying why, where ``Xvfb`` is not installed
(``.ci/run`` installs it when it can)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playground import platform_check, selftest

ROOT = Path(__file__).resolve().parents[2]
LDD_MISSING_TWO = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f5a)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f59)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibmystery.so.7 => not found
"""
#: libraries every Linux has (the C and C++ runtimes): no package to name for them
BASE_LIBRARIES = re.compile(r"^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux.*)\.so")


def test_ldd_not_found_lines_become_library_names_and_an_apt_command():
    missing = platform_check.missing_libraries(LDD_MISSING_TWO)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libmystery.so.7"]
    assert platform_check.install_command(missing) == "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"
    assert platform_check.missing_libraries("\tlibxcb.so.1 => /lib/libxcb.so.1 (0x1)\n") == []


@pytest.mark.parametrize("env, expected", [
    ({"DISPLAY": ":0"}, "xcb"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "wayland"),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, None),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "xcb"),
    ({}, None),
])
def test_the_platform_follows_the_display_and_a_chosen_headless_platform(env, expected):
    if not sys.platform.startswith("linux"):
        pytest.skip("the platform plugin's libraries are checked on Linux")
    assert platform_check.display_platform(env) == expected


def test_selftest_with_a_display_names_the_missing_libraries_and_the_command(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(platform_check, "plugin_path", lambda name: Path(f"/qt/libq{name}.so"))
    monkeypatch.setattr(platform_check, "ldd_report", lambda path: LDD_MISSING_TWO)
    out = io.StringIO()
    assert selftest.run_selftest(out) == selftest.EXIT_FAILED
    fail = [line for line in out.getvalue().splitlines() if line.startswith("  FAIL")]
    assert len(fail) == 1 and fail[0].split()[1] == "display", out.getvalue()
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libmystery.so.7" in fail[0]
    assert fail[0].endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")
    assert "render" not in out.getvalue()   # it stopped before Qt could abort the process


def _needed(library: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("readelf") is None,
                    reason="reads the xcb plugin's ELF dependencies: Linux with readelf (binutils)")
def test_every_system_library_of_the_xcb_plugin_has_a_package_in_the_code_and_the_readme():
    plugin = platform_check.plugin_path("xcb")
    assert plugin is not None
    qt_lib = plugin.parents[2] / "lib"
    wheel = {p.name for p in qt_lib.iterdir()}
    needed = {name for lib in (plugin, *qt_lib.glob("libQt6XcbQpa.so*")) for name in _needed(lib)}
    system = {name for name in needed if name not in wheel and not BASE_LIBRARIES.match(name)}
    assert system, needed
    assert system <= set(platform_check.SYSTEM_PACKAGES), system - set(platform_check.SYSTEM_PACKAGES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"sudo apt-get install ((?:[^\n`]*\\\n)*[^\n`]+)", readme)  # "\\" continues
    assert command, "README: no apt-get command for the desktop's libraries"
    packages = set(command.group(1).replace("\\", " ").split())
    assert set(platform_check.SYSTEM_PACKAGES.values()) <= packages


# ------------------------------------------------------------------ on a real X server
@pytest.fixture(scope="module")
def xvfb_display():
    if not sys.platform.startswith("linux") or shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb; .ci/run does it when it can)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1080x24",
                               "-nolisten", "tcp"], pass_fds=(write_end,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()   # Xvfb writes it once it accepts connections
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


def _desktop_env(display):
    env = dict(os.environ, DISPLAY=display)
    env.pop("QT_QPA_PLATFORM", None)   # as a desktop launches it: Qt picks xcb
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("NNPG_TRAINING", None)       # and trains the app's way: in a process of its own
    return env


def test_a_lesson_opens_trains_and_is_on_the_x_screen(xvfb_display, tmp_path):
    png = tmp_path / "xcb.png"
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("real_display_flow.py")),
                          str(ROOT / "assets" / "lessons" / "perceptron_and.nnpg"), "25", str(png)],
                         cwd=ROOT, env=_desktop_env(xvfb_display), capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["platform"] == "xcb" and seen["opened"] and seen["exposed"], seen
    assert seen["step"] >= 25 and seen["training"] == "process", seen
    assert seen["size"][0] >= 800 and seen["blank"] is None, seen   # grabbed from the X server
    assert png.exists()


def test_selftest_renders_with_the_xcb_plugin_when_a_display_is_there(xvfb_display):
    run = subprocess.run([sys.executable, "-m", "playground", "--selftest"], cwd=ROOT,
                         env=_desktop_env(xvfb_display), capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(line.split()[:2] == ["ok", "display"] and "xcb" in line for line in lines), run.stdout
    render = [line for line in lines if line.split()[:2] == ["ok", "render"]]
    assert render and render[0].rstrip(")").endswith("xcb"), run.stdout
