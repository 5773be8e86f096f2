"""The project's own error for bad input, apart from programming errors.

Every error that means "what the user gave us is wrong" (a file, a node's parameter, a
setting, a dataset, a command-line option) derives from :class:`UserError`, and its
message is one line for the user naming the file, node, port or JSON path. The command
line and the app show such an error as that line; any other exception that reaches them
is a bug in NN Playground and is reported as one, with a full report written to disk
(``playground.bugreport``). So: raise a ``UserError`` subclass for bad input, never a
bare ``ValueError``/``KeyError``, or the user is told it is a bug.

Subclasses also derive from the built-in they replaced (``LoadError(UserError,
ValueError)``), so older ``except ValueError`` callers keep working.
"""
from __future__ import annotations


class UserError(Exception):
    """Bad input from the user; the message is one line naming what is wrong and where."""


class SettingsError(UserError, ValueError):
    """A training setting (optimizer, schedule, dataset, trainer...) that cannot be used."""
