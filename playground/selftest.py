"""``playground --selftest``: check that this installation works, one line per check.

It runs the same way from a source checkout, a pip install and the packaged app (a
PyInstaller bundle, where the assets live under ``sys._MEIPASS``):

1. assets   the shipped examples and datasets are found (``engine.data.asset_path``);
2. example  a shipped example loads and validates without errors;
3. train    it trains a few hundred steps on the CPU: the loss stays finite and falls;
4. panels   the live training panels (pyqtgraph) import;
5. render   the main window renders offscreen to a PNG (``run_gui``'s screenshot path)
            and the picture is not blank.

Exit 0 when every check passes; otherwise 1, with a line naming the check that failed.
"""
from __future__ import annotations

import math
import os
import platform
import sys
import tempfile
import warnings
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1

#: the example every check works on (its dataset is synthetic, so training is quick)
EXAMPLE = ("lessons", "xor_mlp.nnpg")
#: a shipped dataset file that must be in every installation
DATASET = ("datasets", "digits.npz")
TRAIN_STEPS = 200
SEED = 0
#: steps the window's own training thread runs before the capture (exercises the panels)
WINDOW_TRAIN_STEPS = 20
#: a rendered window has text, icons and plots: far more colours than this
MIN_COLOURS = 16


class CheckFailed(Exception):
    """A check did not pass; the message says what was wrong."""


def _where() -> str:
    if getattr(sys, "frozen", False):
        return f"packaged app in {Path(sys.executable).parent}"
    return f"Python {platform.python_version()} at {sys.executable}"


# ------------------------------------------------------------------ the checks
def check_assets(ctx) -> str:
    from engine.data.assets import asset_path

    try:
        example = asset_path(*EXAMPLE)
        dataset = asset_path(*DATASET)
    except FileNotFoundError as exc:
        raise CheckFailed(str(exc)) from None
    import numpy as np

    with np.load(dataset, allow_pickle=False) as data:
        n_images = len(data["images"])
    n_examples = len(list(example.parent.glob("*.nnpg")))
    ctx["example"] = example
    return f"{n_examples} examples in {example.parent}; {DATASET[-1]} has {n_images} samples"


def check_example(ctx) -> str:
    from engine.graph import fileformat
    from engine.graph.compile import check_graph

    path = ctx["example"]
    try:
        graph = fileformat.load(path)
    except fileformat.LoadError as exc:
        raise CheckFailed(str(exc)) from None
    errors = [p for p in check_graph(graph) if p.severity == "error"]
    if errors:
        raise CheckFailed(f"{path.name}: {len(errors)} error(s), first: {errors[0].message}")
    ctx["graph"] = graph
    return f"{path.name}: {len(graph.nodes)} nodes, {len(graph.edges)} connections, no errors"


def check_training(ctx) -> str:
    from engine.train import Session

    session = Session.from_graph(ctx["graph"], seed=SEED, device="cpu")
    before = session.evaluate()["train_loss"]
    with warnings.catch_warnings():  # an overflow shows up as a non-finite loss below
        warnings.simplefilter("ignore", RuntimeWarning)
        session.run(TRAIN_STEPS)
    if session.stopped or not math.isfinite(session.last_loss):
        nan = session.last_snapshot.nan if session.last_snapshot is not None else None
        raise CheckFailed(nan.message if nan is not None else f"loss is {session.last_loss}")
    after = session.evaluate()["train_loss"]
    if not (math.isfinite(after) and after < before):
        raise CheckFailed(f"training loss did not fall in {TRAIN_STEPS} steps: {before:.4g} -> {after:.4g}")
    return f"{session.step_count} steps on the CPU, training loss {before:.4g} -> {after:.4g}"


def check_panels(ctx) -> str:
    # The window runs without its live panels when they fail to import (it treats them as
    # optional), so a package missing from an installation would go unnoticed there.
    from playground.app import use_offscreen_platform

    use_offscreen_platform()
    import pyqtgraph

    from playground import panels

    return f"{len(panels.LAYOUT)} live panels import (pyqtgraph {pyqtgraph.__version__})"


def blank_reason(image) -> str | None:
    """Why a rendered QImage looks blank (None when it does not): too small, or too few colours."""
    import numpy as np
    from PySide6.QtGui import QImage

    if image.isNull() or image.width() < 100 or image.height() < 100:
        return f"the image is empty or tiny ({image.width()}x{image.height()})"
    rgb = image.convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(rgb.constBits(), dtype=np.uint32,
                           count=rgb.bytesPerLine() * rgb.height() // 4)
    colours = len(np.unique(pixels))
    if colours < MIN_COLOURS:
        return f"the image looks blank: only {colours} distinct colour(s)"
    return None


def check_render(ctx) -> str:
    # run_gui's screenshot path renders offscreen unless the caller chose a platform
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication, QImage

    from playground.app import run_gui

    with tempfile.TemporaryDirectory(prefix="nnpg-selftest-") as tmp:
        png = Path(tmp) / "window.png"
        status = run_gui(str(ctx["example"]), WINDOW_TRAIN_STEPS, str(png))
        if status != 0 or not png.exists():
            raise CheckFailed(f"the window did not render (status {status})")
        image = QImage(str(png))
        reason = blank_reason(image)
    if reason:
        raise CheckFailed(reason)
    platform_name = QGuiApplication.platformName()
    return f"{image.width()}x{image.height()} PNG, not blank (PySide6 {pyside_version}, {platform_name})"


CHECKS = (("assets", check_assets), ("example", check_example), ("train", check_training),
          ("panels", check_panels), ("render", check_render))


# ------------------------------------------------------------------ running them
def run_selftest(out=None) -> int:
    """Run every check in order, stop at the first failure; the exit status."""
    from playground import __version__

    out = out or sys.stdout or open(os.devnull, "w")  # a windowed app may have no stdout

    def say(line):
        print(line, file=out, flush=True)

    say(f"NN Playground {__version__} self-test ({_where()}, {platform.system()} {platform.machine()})")
    ctx = {}
    for name, check in CHECKS:
        try:
            detail = check(ctx)
        except CheckFailed as exc:
            return _failed(say, name, str(exc))
        except Exception as exc:  # noqa: BLE001 - an installation problem, reported as one line
            return _failed(say, name, f"{type(exc).__name__}: {exc}")
        say(f"  ok    {name:8s} {detail}")
    say(f"self-test passed ({len(CHECKS)} checks)")
    return EXIT_OK


def _failed(say, name, message) -> int:
    say(f"  FAIL  {name:8s} {' '.join(message.split())}")
    say(f"self-test FAILED at '{name}': this installation is broken; please report the lines above")
    return EXIT_FAILED
