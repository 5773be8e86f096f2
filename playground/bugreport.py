"""Where errors go: bad input as one short, safe line; anything else as a bug report on disk.

Used by the command line (``playground.cli``) and the app (``playground.app``), so both
tell the user the same things the same way:

- ``user_message(text)``: one line, control characters escaped (a node label holding a
  terminal escape sequence is shown, not obeyed), at most ``MAX_MESSAGE`` characters; when
  it had to be cut, the full text goes to the log and the line says where.
- ``write_report(exc)``: a bug in NN Playground (an exception that is not the project's
  own ``UserError``): the traceback, version, platform and command line go to a file in
  the report folder; the caller shows ``bug_message(exc, path)``.
- ``setup_logging()``: the "playground" and "engine" loggers write warnings and errors
  (e.g. a view that failed while following the document) to ``log_path()``, the same
  file that keeps the full text of cut messages.

Neither Qt nor the engine is imported here: this must work when either is what broke.
"""
from __future__ import annotations

import datetime
import logging
import os
import platform
import sys
import tempfile
import traceback
import unicodedata
from pathlib import Path

from engine.i18n import _

#: longest message shown on one line (ids and shapes echoed whole made 100-300 KB lines)
MAX_MESSAGE = 300
#: longest explanation (a diagnostic's verdict and remedies: several sentences of prose)
MAX_EXPLANATION = 2000
#: the command line's exit status for a bug (BSD sysexits EX_SOFTWARE)
EXIT_BUG = 70
#: the log (warnings, errors, the full text of cut messages), beside the bug reports
LOG_NAME = "nn-playground.log"
#: set to a folder to choose where reports and the log go (tests, classroom machines)
ENV_DIR = "NNPG_REPORT_DIR"

APP_NAME = "NN Playground"
# Bidirectional overrides and isolates reorder what the reader sees ("Trojan Source").
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def report_dir() -> Path:
    """The user's log folder for NN Playground (created on first use by the writers)."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / APP_NAME / "logs"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / APP_NAME
    base = Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state")
    return base / "nn-playground" / "logs"


def log_path() -> Path:
    return report_dir() / LOG_NAME


_handler: logging.FileHandler | None = None


def setup_logging() -> Path:
    """Send the "playground" and "engine" loggers' warnings and errors to ``log_path()``
    (opened on the first record, so a run that logs nothing creates nothing). Calling it
    again after the report folder changed moves the log there."""
    global _handler
    path = log_path()
    if _handler is not None and Path(_handler.baseFilename) == path.absolute():
        return path
    handler = _FolderMakingHandler(path, encoding="utf-8", errors="backslashreplace", delay=True)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("playground", "engine"):
        logger = logging.getLogger(name)
        if _handler is not None:
            logger.removeHandler(_handler)
        logger.addHandler(handler)
    if _handler is not None:
        _handler.close()
    _handler = handler
    return path


class _FolderMakingHandler(logging.FileHandler):
    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


# ------------------------------------------------------------------ safe text
def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(ch: str) -> bool:
    # Cc: C0/C1 controls and DEL (ESC starts terminal sequences); Cs: lone surrogates, which
    # cannot even be encoded for output; bidi controls reorder the text that follows.
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI


def safe_text(text) -> str:
    """``text`` with control characters, lone surrogates and bidi controls shown as
    ``\\x1b``-style escapes, so printing it cannot drive the terminal or garble the line."""
    text = str(text)
    if text.isprintable() and text.isascii():   # the common case, cheaply
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


def one_line(text) -> str:
    """``text`` on one line: every run of whitespace (newlines included) becomes a space."""
    return " ".join(str(text).split())


def user_message(text, limit: int = MAX_MESSAGE) -> str:
    """``text`` made fit to show the user: one line, escaped, at most about ``limit``
    characters. A longer text is cut; the full text goes to the message log, named at the end."""
    line = safe_text(one_line(text))
    if len(line) <= limit:
        return line
    where = _log_long_message(line)
    tail = f" ... [{len(line) - limit:,} more characters; full text in {safe_text(where)}]" if where \
        else f" ... [{len(line) - limit:,} more characters]"
    return line[:limit] + tail


def _log_long_message(line: str) -> Path | None:
    try:
        folder = _writable_dir()
        path = folder / LOG_NAME
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as f:
            f.write(f"{_now()} {line}\n")
        return path
    except OSError:
        return None


# ------------------------------------------------------------------ bug reports
def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _writable_dir() -> Path:
    """The report folder, or a temporary one when that cannot be made."""
    folder = report_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        folder = Path(tempfile.gettempdir()) / "nn-playground-logs"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def _version() -> str:
    try:
        from playground import __version__  # noqa: PLC0415 - imports engine, which may be broken
        return __version__
    except Exception:  # noqa: BLE001 - a report must still be written
        return "unknown"


def report_text(exc: BaseException, context: str = "", argv=None) -> str:
    argv = sys.argv if argv is None else argv
    lines = [
        f"{APP_NAME} bug report",
        f"time: {_now()}",
        f"version: {_version()}",
        f"python: {sys.version.split()[0]} ({sys.executable})",
        f"platform: {platform.platform()}",
        f"command line: {' '.join(map(repr, argv))}",
    ]
    if context:
        lines.append(f"while: {context}")
    lines += ["", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
    return "\n".join(lines)


def write_report(exc: BaseException, context: str = "", argv=None) -> Path | None:
    """Write the full report of the bug ``exc``; its path, or None when nothing could be
    written anywhere (then the report goes to stderr, the last place left)."""
    text = report_text(exc, context, argv)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = _writable_dir()
        path = folder / f"bug-{stamp}-{os.getpid()}.txt"
        n = 1
        while path.exists():   # two bugs in one second
            n += 1
            path = folder / f"bug-{stamp}-{os.getpid()}-{n}.txt"
        path.write_text(text, encoding="utf-8", errors="backslashreplace")
        return path
    except OSError:
        try:
            sys.stderr.write(text)
        except (OSError, ValueError):
            pass
        return None


def describe(exc: BaseException) -> str:
    """``KeyError: 'y'``: the exception's type and first line, short and safe."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return user_message(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__, 120)


def bug_message(exc: BaseException, report: Path | None) -> str:
    """The one line that tells the user about a bug and where its report is."""
    where = _("the full report is in {path}").format(path=safe_text(report)) if report else \
        _("the report could not be written to a file; it is printed above")
    return _("this is a bug in NN Playground, not a problem with your work ({error}); "
             "{where}. Please send it to your teacher or the developers.").format(error=describe(exc), where=where)

