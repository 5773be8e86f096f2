"""Autosave and crash recovery, and the recent-files list, in the user's data folder.

A lock file marks a running session; a clean exit removes it. If the next start finds
the lock still there and an autosave beside it, the previous session crashed and its
autosaved work can be recovered.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

AUTOSAVE_MS = 30_000
MAX_RECENT = 10


def default_data_dir() -> Path:
    from PySide6.QtCore import QStandardPaths

    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))


def _atomic_write(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Autosaver:
    def __init__(self, data_dir):
        self.dir = Path(data_dir)
        self.lock = self.dir / "session.lock"
        self.file = self.dir / "autosave.nnpg"
        self.meta = self.dir / "autosave.json"

    def crashed_session(self) -> dict | None:
        """{"source": original file or None, "time": ..., "path": autosave} when the last
        session ended without a clean exit and left autosaved work; else None."""
        if not (self.lock.exists() and self.file.exists()):
            return None
        try:
            meta = json.loads(self.meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        meta["path"] = str(self.file)
        return meta

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.lock, json.dumps({"pid": os.getpid(), "started": time.time()}))

    def save(self, text: str, source: str | None):
        self.dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.file, text)
        _atomic_write(self.meta, json.dumps({"source": source, "time": time.strftime("%Y-%m-%d %H:%M:%S")}))

    def discard(self):
        for p in (self.file, self.meta):
            p.unlink(missing_ok=True)

    def clean_exit(self):
        self.discard()
        self.lock.unlink(missing_ok=True)


class RecentFiles:
    def __init__(self, data_dir):
        self.path = Path(data_dir) / "recent.json"

    def list(self) -> list:
        try:
            items = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [p for p in items if isinstance(p, str)]

    def add(self, file_path) -> list:
        p = str(Path(file_path).resolve())
        items = [p] + [q for q in self.list() if q != p]
        items = items[:MAX_RECENT]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.path, json.dumps(items, indent=1))
        return items

    def clear(self):
        self.path.unlink(missing_ok=True)
