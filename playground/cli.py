"""The ``playground`` command line.

    playground [FILE]               open the app (with FILE: a desktop opening a document)
    playground gui [FILE] [--train-steps N] [--screenshot PNG] [--presentation]
    playground train FILE [--steps N] [--backend numpy|cupy] [--seed S] [--metrics-json OUT]
    playground check FILE
    playground train LESSON --check [--seed S]     (exit 0 only when the lesson's goals are met)
    playground lessons [--lang it]
    playground import-tfp URL -o OUT.nnpg       (a TensorFlow Playground link as a graph file)
    playground data FILE -o OUT.csv             (a graph's dataset as CSV)
    playground export FILE --format pytorch -o OUT.py   (a PyTorch script; data and weights in OUT.npz)
    playground --selftest
    playground --version

Exit codes:
    0   success
    1   train --check: some of the lesson's goals are not met
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
from engine import i18n
from engine.i18n import LANGUAGES, N_, _, os_reason, set_language
from playground import __version__, bugreport

EXIT_OK, EXIT_BAD_INPUT, EXIT_NAN, EXIT_BUG, EXIT_INTERRUPTED = 0, 2, 3, bugreport.EXIT_BUG, 130
COMMANDS = ("gui", "train", "check", "lessons", "import-tfp", "data", "export")


#: argparse's own words that a user of ``playground`` meets (its help's headings, its errors):
#: listed here for the catalogs; argparse looks them up through ``i18n._`` (see below)
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("commands"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("expected one argument"),
    N_("invalid %(type)s value: %(value)r"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
# argparse translates through the module-global gettext it imported; ours instead, so its
# headings and errors follow --lang like the rest (a process-wide choice: this is the app)
argparse._ = i18n._
argparse.ngettext = i18n.ngettext


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
        return f"{exc.filename}: {os_reason(exc)}"
    return str(exc) or type(exc).__name__


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the current language (``--lang`` is read before it is built)."""
    p = _Parser(prog="playground", description=_("NN Playground: draw, train and watch neural networks."),
                add_help=False)
    _help_option(p)
    p.add_argument("--version", action="version", version=f"NN Playground {__version__}",
                   help=_("show the version and exit"))
    p.add_argument("--selftest", action="store_true", help=_("check this installation and exit"))
    p.add_argument("--lang", choices=LANGUAGES,
                   help=_("language of the app and its messages (default: the system's)"))
    sub = p.add_subparsers(dest="command", title=_("commands"), metavar="COMMAND")

    g = _subparser(sub, "gui", _("open the app (default)"))
    g.add_argument("file", nargs="?", help=_(".nnpg file to open"))
    g.add_argument("--train-steps", type=int, default=0, help=_("train this many steps before showing"))
    g.add_argument("--screenshot", metavar="PNG", help=_("render the window headless to PNG and exit"))
    g.add_argument("--presentation", action="store_true",
                   help=_("start in presentation mode (full screen, larger; Esc leaves it)"))

    t = _subparser(sub, "train", _("train a graph file headless"))
    t.add_argument("file", help=_(".nnpg file to train"))
    t.add_argument("--steps", type=int, default=None, help=_("how many steps (default: the file's)"))
    t.add_argument("--backend", choices=["numpy", "cupy"], default="numpy",
                   help=_("numpy (CPU) or cupy (GPU)"))
    t.add_argument("--seed", type=int, default=None, help=_("random seed (default: the file's)"))
    t.add_argument("--metrics-json", metavar="OUT", help=_("write the final metrics to this JSON file"))
    t.add_argument("--check", action="store_true",
                   help=_("a lesson: run it and check its goals (exit 0 only when all are met)"))

    c = _subparser(sub, "check", _("validate a graph file and list its problems"))
    c.add_argument("file", help=_(".nnpg file to check"))

    ls = _subparser(sub, "lessons", _("list the lessons in course order (chapter, path, title)"))
    ls.add_argument("--lang", dest="lessons_lang", choices=LANGUAGES,
                    help=_("language of the chapter and lesson titles (default: the app's)"))

    tf = _subparser(sub, "import-tfp", _("turn a TensorFlow Playground link into a graph file"))
    tf.add_argument("url", help=_("the link, e.g. https://playground.tensorflow.org/#dataset=xor&..."))
    tf.add_argument("-o", "--output", required=True, metavar="OUT.nnpg",
                    help=_("the graph file to write (its weights go beside it)"))

    d = _subparser(sub, "data", _("write a graph's dataset as CSV (x1..xn, y, split)"))
    d.add_argument("file", help=_(".nnpg file whose dataset to write"))
    d.add_argument("-o", "--output", required=True, metavar="OUT.csv", help=_("the CSV file to write"))

    x = _subparser(sub, "export", _("write a graph as a PyTorch script (its data and weights beside it)"))
    x.add_argument("file", help=_(".nnpg file to export"))
    x.add_argument("--format", required=True, choices=("pytorch", "onnx"), help=_("what to write"))
    x.add_argument("-o", "--output", required=True, metavar="OUT", help=_("the file to write"))
    return p


def _help_option(parser) -> None:
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                        help=_("show this help and exit"))


def _subparser(sub, name: str, text: str):
    """A command's parser, its own -h in the current language too."""
    parser = sub.add_parser(name, help=text, description=text, add_help=False)
    _help_option(parser)
    return parser


def language_option(argv: list) -> str | None:
    """The value of ``--lang`` among the options before the command, read before the parser
    is built (its help is in that language); a wrong value is left to argparse to refuse."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-"):
            continue
        else:
            return None   # the command (or a file): its own options follow
        return value if value in LANGUAGES else None
    return None


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
    set_language(args.lang)
    if args.selftest:
        from playground.selftest import run_selftest

        return run_selftest()
    command = args.command or "gui"
    if command == "train" and args.check:
        from playground.lesson_commands import cmd_check_lesson

        return cmd_check_lesson(args)
    if command == "train":
        from playground.commands import cmd_train

        return cmd_train(args)
    if command == "lessons":
        from playground.lesson_commands import cmd_lessons

        return cmd_lessons(args)
    if command == "check":
        from playground.commands import cmd_check

        return cmd_check(args)
    if command in ("import-tfp", "data"):
        from playground.interop_commands import cmd_data, cmd_import_tfp

        return cmd_import_tfp(args) if command == "import-tfp" else cmd_data(args)
    if command == "export":
        from playground.export_commands import cmd_export

        return cmd_export(args)
    from playground.app import run_gui

    return run_gui(getattr(args, "file", None), getattr(args, "train_steps", 0),
                   getattr(args, "screenshot", None), lang=args.lang,
                   presentation=getattr(args, "presentation", False))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(language_option(argv))   # --lang, else the system's: --help and errors too
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
        say(_("out of memory (MemoryError) running 'playground {command}': the model or "
              "its data is too large for this computer").format(command=" ".join(argv)))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say(_("interrupted"))
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - anything else is our bug: report it as one
        report = bugreport.write_report(exc, argv=["playground", *argv])
        print(f"playground: {bugreport.bug_message(exc, report)}", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
