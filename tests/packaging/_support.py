"""Shared by the packaging tests: the packaging scripts as modules, and install.sh runs."""
from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script(path: Path):
    """A packaging script (not in a package) imported as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_script(ROOT / "packaging" / "build.py")


def run_install_sh(script: Path, home: Path, *args: str, timeout: int = 60):
    """Run install.sh as a user whose home is ``home`` (no PREFIX/XDG_DATA_HOME of ours)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFIX", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    return subprocess.run(["sh", str(script), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
