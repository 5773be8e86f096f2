"""Build the packaged app (what ``make package`` runs).

    .venv/bin/python packaging/build.py [--clean] [--no-archive] [--selftest]

1. writes the platform icon (.ico on Windows, .icns on macOS) from assets/icons with Qt,
   and compiles the translations (.po -> .mo, .ts -> .qm: ``python -m playground.i18n compile``);
2. runs PyInstaller on packaging/nn-playground.spec into packaging/build (work files)
   and packaging/dist (the result; both are git-ignored);
3. on Linux, packs packaging/dist/nn-playground-<version>-linux-<arch>.tar.gz: the
   bundle, a per-user install.sh, the .desktop entry, the .nnpg MIME type and the icon;
4. prints the bundle's size (and the archive's), and with --selftest runs the bundled
   executable's ``--selftest``.

Exit 0 on success; 1 with a one-line message otherwise. Windows installers (Inno Setup)
and the macOS .dmg are made from the bundle by the steps in packaging/README.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tarfile
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
SPEC = PACKAGING / "nn-playground.spec"
BUILD_DIR = PACKAGING / "build"
DIST_DIR = PACKAGING / "dist"
ICONS = ROOT / "assets" / "icons"
LINUX_FILES = PACKAGING / "linux"
EXE_NAME = "nn-playground"
APP_NAME = "NN Playground"
#: the Linux onedir should stay below this (students download it)
SIZE_BUDGET_MB = 200


class BuildError(Exception):
    """One line for the person building."""


def version() -> str:
    text = (ROOT / "engine" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def bundle_dir() -> Path:
    """The onedir folder PyInstaller made (inside the .app on macOS)."""
    if sys.platform == "darwin":
        return DIST_DIR / f"{APP_NAME}.app"
    return DIST_DIR / EXE_NAME


def bundle_executable() -> Path:
    """The console executable, the one that runs ``--selftest``."""
    if sys.platform == "darwin":
        return bundle_dir() / "Contents" / "MacOS" / EXE_NAME
    return bundle_dir() / (EXE_NAME + (".exe" if sys.platform == "win32" else ""))


def tree_size(path: Path) -> int:
    """Bytes in the files under ``path`` (links not followed), like ``du --apparent-size``."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


# ------------------------------------------------------------------ steps
def make_platform_icon() -> Path | None:
    """Convert the 256 px PNG to .ico / .icns with Qt's image plugins (no Pillow needed)."""
    suffix = {"win32": "ico", "darwin": "icns"}.get(sys.platform)
    if suffix is None:
        return None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out = BUILD_DIR / "icons" / f"{EXE_NAME}.{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not QImage(str(ICONS / f"{EXE_NAME}-256.png")).save(str(out)):
        print(f"build: could not write {out}; building without an icon", file=sys.stderr)
        return None
    return out


def compile_translations():
    """The compiled catalogs the bundle ships (collect_data_files takes them with the packages)."""
    try:
        from playground.i18n import compile_catalogs
    except ImportError as exc:
        raise BuildError(f"cannot compile the translations ({exc}): install the package first") from None
    compile_catalogs()


def run_pyinstaller(clean: bool):
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildError("PyInstaller is not installed: run .venv/bin/python -m pip install -e '.[packaging]'") from None
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(DIST_DIR), "--workpath", str(BUILD_DIR), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    print("build:", " ".join(cmd), flush=True)
    if subprocess.call(cmd, cwd=ROOT) != 0:
        raise BuildError("PyInstaller failed (see its messages above)")
    if not bundle_executable().exists():
        raise BuildError(f"PyInstaller finished but {bundle_executable()} is missing")


def linux_extras() -> list:
    """(file, path in the archive) for everything the tarball holds beside the bundle."""
    share = [(LINUX_FILES / f"{EXE_NAME}.desktop", f"share/{EXE_NAME}.desktop"),
             (LINUX_FILES / f"{EXE_NAME}-mime.xml", f"share/{EXE_NAME}-mime.xml"),
             (ICONS / f"{EXE_NAME}.svg", f"share/{EXE_NAME}.svg"),
             (ICONS / f"{EXE_NAME}-256.png", f"share/{EXE_NAME}-256.png")]
    return [(LINUX_FILES / "install.sh", "install.sh"), (LINUX_FILES / "README.txt", "README.txt")] + share


def linux_archive() -> Path:
    """The tarball students download: unpack, then ./install.sh (or run the app in place)."""
    stem = f"{EXE_NAME}-{version()}-linux-{platform.machine()}"
    out = DIST_DIR / f"{stem}.tar.gz"

    def normalised(info):
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        if info.name.endswith("/install.sh"):
            info.mode = 0o755
        return info

    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle_dir(), arcname=f"{stem}/{EXE_NAME}", filter=normalised)
        for path, name in linux_extras():
            tar.add(path, arcname=f"{stem}/{name}", filter=normalised)
    return out


def run_bundled_selftest() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    print(f"build: {bundle_executable()} --selftest", flush=True)
    return subprocess.call([str(bundle_executable()), "--selftest"], env=env)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--clean", action="store_true", help="rebuild from scratch (PyInstaller --clean)")
    p.add_argument("--no-archive", action="store_true", help="skip the Linux tarball")
    p.add_argument("--selftest", action="store_true", help="run the bundled app's --selftest after building")
    args = p.parse_args(argv)
    try:
        make_platform_icon()
        compile_translations()
        run_pyinstaller(args.clean)
        size = tree_size(bundle_dir())
        print(f"build: bundle {bundle_dir()} is {mb(size)}")
        if sys.platform.startswith("linux"):
            if size > SIZE_BUDGET_MB * 2**20:
                print(f"build: warning: the bundle is over the {SIZE_BUDGET_MB} MB budget", file=sys.stderr)
            if not args.no_archive:
                archive = linux_archive()
                print(f"build: archive {archive} is {mb(archive.stat().st_size)}")
    except BuildError as exc:
        print(f"build: {exc}", file=sys.stderr)
        return 1
    if args.selftest and run_bundled_selftest() != 0:
        print("build: the bundled app's self-test failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
