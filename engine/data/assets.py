"""Where shipped asset files live: the source tree, a PyInstaller bundle, or an override.

``asset_path("datasets", "digits.npz")`` looks, in order, in
1. the folder named by the environment variable ``NNPG_ASSETS``,
2. ``sys._MEIPASS/assets`` inside a PyInstaller bundle,
3. the repository's ``assets/`` folder (next to ``engine/``),
and returns the first existing file.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ASSETS = Path(__file__).resolve().parents[2] / "assets"


def asset_roots() -> list:
    roots = []
    if os.environ.get("NNPG_ASSETS"):
        roots.append(Path(os.environ["NNPG_ASSETS"]))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle) / "assets")
    roots.append(REPO_ASSETS)
    return roots


def asset_path(*parts) -> Path:
    """The first existing ``<root>/<parts...>``; FileNotFoundError naming every place tried."""
    tried = []
    for root in asset_roots():
        path = root.joinpath(*parts)
        if path.exists():
            return path
        tried.append(str(path))
    raise FileNotFoundError(f"asset '{'/'.join(parts)}' not found (looked in: {', '.join(tried)})")
