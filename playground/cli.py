"""The ``playground`` command line.

    playground [FILE]               open the app (with FILE: a desktop opening a document)
    playground gui [FILE] [--train-steps N] [--screenshot PNG]
    playground train FILE [--steps N] [--backend numpy|cupy] [--seed S] [--metrics-json OUT]
    playground check FILE
    playground --selftest
    playground --version

Exit codes:
    0   success
    2   bad input: a file, setting or option that is wrong, or one that cannot be read.
        One line on stderr naming the file, node, port or JSON path; never a traceback.
    3   training hit NaN/Inf (the line names the node)
    70  a bug in NN Playground (any error that is not the project's own ``UserError``):
        one line saying so and where the full report was written (``playground.bugreport``)
    130 interrupted (Ctrl+C)
"""
from __future__ import annotations

import argparse
import os
import sys

from engine.errors import UserError
from playground import __version__, bugreport

EXIT_OK, EXIT_BAD_INPUT, EXIT_NAN, EXIT_BUG, EXIT_INTERRUPTED = 0, 2, 3, bugreport.EXIT_BUG, 130
COMMANDS = ("gui", "train", "check")


class UsageError(UserError):
    """Bad input on the command line: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + exits 2; keep it to one line
        raise UsageError(message)


def say(message) -> None:
    """Print one line for the user on stderr: escaped, capped (see bugreport.user_message)."""
    print(f"playground: {bugreport.user_message(message)}", file=sys.stderr)


def os_message(exc: OSError) -> str:
    """``path: No such file or directory``: an OSError about a user's file, naming it."""
    if getattr(exc, "filename", None):
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="playground", description="NN Playground: draw, train and watch neural networks.")
    p.add_argument("--version", action="version", version=f"NN Playground {__version__}")
    p.add_argument("--selftest", action="store_true", help="check this installation and exit")
    sub = p.add_subparsers(dest="command")

    g = sub.add_parser("gui", help="open the app (default)")
    g.add_argument("file", nargs="?", help=".nnpg file to open")
    g.add_argument("--train-steps", type=int, default=0, help="train this many steps before showing")
    g.add_argument("--screenshot", metavar="PNG", help="render the window headless to PNG and exit")

    t = sub.add_parser("train", help="train a graph file headless")
    t.add_argument("file")
    t.add_argument("--steps", type=int, default=None)
    t.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--metrics-json", metavar="OUT")

    c = sub.add_parser("check", help="validate a graph file and list its problems")
    c.add_argument("file")
    return p


def route_document(argv: list, parser: argparse.ArgumentParser) -> list:
    """``playground FILE ...`` means ``playground gui FILE ...``: when the first word that is
    neither an option nor an option's value is a file (a ``.nnpg`` name, a path, or one that
    exists), it is a document to open. This is how a desktop starts the app for a
    double-clicked ``.nnpg``. Another word is left to argparse, so ``playground trian``
    is refused as an unknown command rather than opened as a file."""
    takes_value = {s for a in parser._actions if a.option_strings and a.nargs != 0
                   for s in a.option_strings}
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg.startswith("-") and arg != "-":
            skip = arg in takes_value   # its value follows
        else:
            return [*argv[:i], "gui", *argv[i:]] if _is_file(arg) else argv
    return argv


def _is_file(word: str) -> bool:
    if word in COMMANDS:
        return False
    return word.lower().endswith(".nnpg") or "/" in word or os.sep in word or os.path.exists(word)


def run(argv: list) -> int:
    """Parse ``argv`` and run the command; errors propagate (``main`` reports them)."""
    parser = build_parser()
    args = parser.parse_args(route_document(argv, parser))
    if args.selftest:
        from playground.selftest import run_selftest

        return run_selftest()
    command = args.command or "gui"
    if command == "train":
        from playground.commands import cmd_train

        return cmd_train(args)
    if command == "check":
        from playground.commands import cmd_check

        return cmd_check(args)
    from playground.app import run_gui

    return run_gui(getattr(args, "file", None), getattr(args, "train_steps", 0),
                   getattr(args, "screenshot", None))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):   # a label in any script, on any console
        if callable(getattr(stream, "reconfigure", None)):
            stream.reconfigure(errors="backslashreplace")
    try:
        return run(argv)
    except UserError as exc:
        say(exc)
        return EXIT_BAD_INPUT
    except OSError as exc:         # a user's file: missing, unreadable, a folder...
        say(os_message(exc))
        return EXIT_BAD_INPUT
    except MemoryError:
        say(f"out of memory (MemoryError) running 'playground {' '.join(argv)}': the model or "
            "its data is too large for this computer")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - anything else is our bug: report it as one
        report = bugreport.write_report(exc, argv=["playground", *argv])
        print(f"playground: {bugreport.bug_message(exc, report)}", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
