"""Will Qt's platform plugin load on this Linux desktop? Which system libraries does it miss?

Qt aborts the whole process with a generic "could not load the Qt platform plugin" when a
library the plugin links against is not installed, and says nothing about which one. The
wheel ships Qt itself but not the X11/xcb libraries of the system, so a plain desktop often
lacks a few. ``ldd`` on the plugin names them ("not found"); ``SYSTEM_PACKAGES`` turns their
names into the Debian/Ubuntu packages to install (the README lists the same packages, a test
keeps the two in step).

No Qt is imported here at module level: the check must run before a QApplication exists.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from engine.i18n import _

#: library file name (soname) -> Debian/Ubuntu package that installs it: every system library
#: the xcb platform plugin of the PySide6 wheel links against (``ldd libqxcb.so``)
SYSTEM_PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
#: Qt platform name -> its plugin file (Qt 6 on Linux)
_PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}


def display_platform(environ=None) -> str | None:
    """The windowing platform Qt should use here ("xcb", "wayland"), or None when there is no
    display to show a window on (no DISPLAY/WAYLAND_DISPLAY, or a headless platform chosen)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen if chosen in _PLUGIN_FILES else None   # offscreen, minimal, vnc, ...
    if env.get("DISPLAY"):
        return "xcb"
    if env.get("WAYLAND_DISPLAY"):
        return "wayland"
    return None


def missing_libraries(ldd_output: str) -> list[str]:
    """The library names ``ldd`` reported as "not found", each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def install_command(libraries) -> str:
    """The apt-get command that installs ``libraries`` (names unknown to us are left out)."""
    packages = sorted({SYSTEM_PACKAGES[lib] for lib in libraries if lib in SYSTEM_PACKAGES})
    return "sudo apt-get install " + " ".join(packages) if packages else ""


def plugin_path(platform: str) -> Path | None:
    """The plugin file Qt would load for ``platform`` (the wheel's, a bundle's, QT_PLUGIN_PATH's)."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo   # creates no application

    folders = [*QCoreApplication.libraryPaths(), QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)]
    return next((p for p in (Path(f) / "platforms" / _PLUGIN_FILES[platform] for f in folders if f)
                 if p.exists()), None)


def ldd_report(path: Path) -> str | None:
    """``ldd``'s output for ``path``, or None where there is no ldd to ask."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        run = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout + run.stderr


def explain_missing(platform: str) -> str | None:
    """Why the ``platform`` plugin cannot load (the missing libraries and the command that
    installs them), or None when nothing is missing or it cannot be told."""
    plugin = plugin_path(platform)
    report = ldd_report(plugin) if plugin is not None else None
    missing = missing_libraries(report or "")
    if not missing:
        return None
    message = _("the Qt {platform} platform plugin cannot load: missing system libraries {libraries}").format(
        platform=platform, libraries=", ".join(missing))
    command = install_command(missing)
    if command:
        message += "; " + _("install them with: {command}").format(command=command)
    return message


class explain_platform_failure:
    """``with explain_platform_failure(): QApplication(...)``: when Qt gives up on its platform
    plugin (a fatal message, then it aborts the process), first say which system libraries are
    missing and how to install them. Qt's own messages still reach stderr; the handler is in
    place only while the application object is made."""

    def __enter__(self):
        from PySide6.QtCore import qInstallMessageHandler

        self._previous = qInstallMessageHandler(self._handle)
        return self

    def __exit__(self, *exc):
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(self._previous)
        return False

    def _handle(self, kind, context, message):
        from PySide6.QtCore import QtMsgType

        category = getattr(context, "category", None)
        prefix = f"{category}: " if category and category != "default" else ""
        print(prefix + message, file=sys.stderr, flush=True)
        if kind == QtMsgType.QtFatalMsg:
            problem = explain_missing(display_platform() or "xcb")
            if problem:
                print("playground: " + problem, file=sys.stderr, flush=True)
