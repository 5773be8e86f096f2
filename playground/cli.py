"""The ``playground`` command line.

    playground                      open the app
    playground gui [FILE] [--train-steps N] [--screenshot PNG]
    playground train FILE [--steps N] [--backend numpy|cupy] [--seed S] [--metrics-json OUT]
    playground check FILE
    playground --selftest
    playground --version

Exit codes: 0 success; 2 bad input (one line, never a traceback); 3 training hit NaN.
"""
from __future__ import annotations

import argparse
import sys

from playground import __version__

EXIT_OK, EXIT_BAD_INPUT, EXIT_NAN = 0, 2, 3


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + exits 2; keep it to one line
        raise UsageError(message)


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


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if args.selftest:
            from playground.selftest import run_selftest

            return run_selftest()
        command = args.command or "gui"
        if command == "gui":
            from playground.app import run_gui

            return run_gui(getattr(args, "file", None), getattr(args, "train_steps", 0),
                           getattr(args, "screenshot", None))
        if command == "train":
            from playground.commands import cmd_train

            return cmd_train(args)
        if command == "check":
            from playground.commands import cmd_check

            return cmd_check(args)
    except UsageError as exc:
        print(f"playground: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("playground: interrupted", file=sys.stderr)
        return 130
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
