"""Entry point of the packaged app: the ``playground`` command line (see playground/cli.py).

A desktop (Finder, Explorer, a Linux file manager) opens a document by starting the app
as ``app FILE``; the command line spells that ``gui FILE``, so a lone .nnpg path is
routed there. Everything else (``--selftest``, ``train``, ``check``...) passes through.
"""
import sys


def bundle_argv(args):
    if len(args) == 1 and args[0].lower().endswith(".nnpg"):
        return ["gui", args[0]]
    return list(args)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()   # the training process starts as this executable too
    from playground.cli import main

    sys.exit(main(bundle_argv(sys.argv[1:])))
