"""Autosave and crash recovery, and the recent-files list, in the user's data folder.

Every running window has its own files there, named by its session id (PID and a random
part), so instances running side by side never touch each other's work:

    session-ID.json    the lock: {"pid", "start" (a token against PID reuse), "started",
                       and after an autosave "source" (the document's file or null), "time"}
    autosave-ID.nnpg   the document as it was at the last autosave

A clean exit removes this session's files only. A *crashed session* is another session
whose lock names a process that is no longer running (or that lost its lock) and that left
an autosave: the next start offers to recover it. Files are written with the file
format's ``atomic_write`` (unique temporary name, fsync of file and folder); temporary
files left by a killed writer are removed when a session starts.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from engine.graph import fileformat as ff

AUTOSAVE_MS = 30_000
MAX_RECENT = 10
LOCK_PREFIX, LOCK_SUFFIX = "session-", ".json"
AUTOSAVE_PREFIX, AUTOSAVE_SUFFIX = "autosave-", ".nnpg"


def default_data_dir() -> Path:
    from PySide6.QtCore import QStandardPaths

    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove(*paths):
    """Delete files if they are there; one that cannot be deleted is left (a later start
    cleans up what names a finished process)."""
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            pass


def _session_ids(folder: Path, prefix: str, suffix: str) -> set:
    try:
        names = os.listdir(folder)
    except OSError:
        return set()
    return {n[len(prefix):-len(suffix)] for n in names
            if n.startswith(prefix) and n.endswith(suffix) and len(n) > len(prefix) + len(suffix)}


class Autosaver:
    def __init__(self, data_dir):
        self.dir = Path(data_dir)
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.lock = self._lock_path(self.id)
        self.file = self._autosave_path(self.id)
        self._info: dict | None = None  # the lock's content once started

    def _lock_path(self, session_id) -> Path:
        return self.dir / f"{LOCK_PREFIX}{session_id}{LOCK_SUFFIX}"

    def _autosave_path(self, session_id) -> Path:
        return self.dir / f"{AUTOSAVE_PREFIX}{session_id}{AUTOSAVE_SUFFIX}"

    def start(self):
        """Take this session's lock (once; later calls do nothing) and remove temporary
        files that killed writers left in the folder."""
        if self._info is not None:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        ff.remove_stale_temps(self.dir)
        pid = os.getpid()
        self._info = {"pid": pid, "start": ff.process_start(pid), "started": time.time(),
                      "source": None, "time": None}
        self._write_lock()

    def _write_lock(self):
        ff.atomic_write(self.lock, json.dumps(self._info).encode("utf-8"))

    def save(self, text: str, source: str | None):
        """Autosave ``text`` (the document's file text; ``source`` is its file or None)."""
        self.start()
        ff.atomic_write(self.file, text.encode("utf-8"))
        self._info.update(source=source, time=time.strftime("%Y-%m-%d %H:%M:%S"))
        self._write_lock()

    def crashed_sessions(self) -> list:
        """Sessions that ended without a clean exit and left autosaved work, newest first:
        [{"id", "path" (the autosave), "source", "time"}]. Live sessions (this one, other
        windows, other instances) are never listed. Locks of dead sessions that left no
        autosave are removed on the way."""
        found = []
        locks = _session_ids(self.dir, LOCK_PREFIX, LOCK_SUFFIX)
        saves = _session_ids(self.dir, AUTOSAVE_PREFIX, AUTOSAVE_SUFFIX)
        for sid in (locks | saves) - {self.id}:
            info = _read_json(self._lock_path(sid)) if sid in locks else None
            if isinstance(info, dict) and ff.process_alive(info.get("pid"), info.get("start")):
                continue
            path = self._autosave_path(sid)
            try:
                mtime = path.stat().st_mtime
            except OSError:  # a dead session that left nothing to recover
                _remove(self._lock_path(sid))
                continue
            info = info if isinstance(info, dict) else {}
            when = info.get("time") or time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(mtime))
            found.append({"id": sid, "path": str(path), "source": info.get("source"), "time": when,
                          "mtime": mtime})
        return sorted(found, key=lambda s: s["mtime"], reverse=True)

    def adopt(self, session: dict):
        """Make a crashed session's autosave this session's own: it stays until this
        session saves or exits cleanly, and survives a crash of this session too. Raises
        OSError (FileNotFoundError) when another instance adopted it first."""
        self.start()
        os.replace(session["path"], self.file)
        self._info.update(source=session.get("source"), time=session.get("time"))
        self._write_lock()
        _remove(self._lock_path(session["id"]))

    def discard_crashed(self, session: dict):
        """Delete a crashed session's autosave and lock (the user declined to recover it)."""
        _remove(session["path"], self._lock_path(session["id"]))

    def set_aside(self, session: dict) -> Path | None:
        """Move a crashed session's autosave that cannot be recovered out of the way (it is
        not offered again, and not deleted); its new path, or None if it could not be moved."""
        kept = self.dir / f"unrecoverable-{session['id']}{AUTOSAVE_SUFFIX}"
        try:
            os.replace(session["path"], kept)
        except OSError:
            return None
        _remove(self._lock_path(session["id"]))
        return kept

    def discard(self):
        """Delete this session's autosave (its work was saved); the lock stays."""
        _remove(self.file)

    def clean_exit(self):
        """Remove this session's files, the autosave before the lock: a kill in between
        leaves a lock with nothing to recover, never an autosave that looks abandoned."""
        _remove(self.file, self.lock)
        self._info = None


class RecentFiles:
    def __init__(self, data_dir):
        self.path = Path(data_dir) / "recent.json"

    def list(self) -> list:
        items = _read_json(self.path)
        return [p for p in items if isinstance(p, str)] if isinstance(items, list) else []

    def add(self, file_path) -> list:
        p = str(Path(file_path).resolve())
        items = [p] + [q for q in self.list() if q != p]
        items = items[:MAX_RECENT]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ff.atomic_write(self.path, json.dumps(items, indent=1).encode("utf-8"))
        return items

    def clear(self):
        self.path.unlink(missing_ok=True)
