"""``playground --selftest``: check that this installation works, one line per check.

It runs the same way from a source checkout, a pip install and the packaged app (a
PyInstaller bundle, where the assets live under ``sys._MEIPASS``):

1. assets   the shipped examples and datasets are found (``engine.data.asset_path``);
2. example  a shipped example loads and validates without errors;
3. train    it trains a few hundred steps on the CPU: the loss stays finite and falls;
4. display  with a display (DISPLAY or WAYLAND_DISPLAY, no headless QT_QPA_PLATFORM), the
            system libraries of Qt's platform plugin are installed (else it names the missing
            ones and the apt-get command that installs them: ``playground.platform_check``);
5. panels   the live training panels (pyqtgraph) import;
6. render   the main window renders to a PNG (``run_gui``'s screenshot path) with the real
            platform plugin when there is a display, offscreen otherwise, and the picture is
            not blank;
7. process  the app's training process starts (a packaged app starts it as itself), trains
            the example and answers (``playground.training_process``).

Exit 0 when every check passes; otherwise 1, with a line naming the check that failed.
"""
from __future__ import annotations

import math
import os
import platform
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from engine.i18n import _

EXIT_OK, EXIT_FAILED = 0, 1

#: the example every check works on (its dataset is synthetic, so training is quick)
EXAMPLE = ("lessons", "xor_mlp.nnpg")
#: a shipped dataset file that must be in every installation
DATASET = ("datasets", "digits.npz")
TRAIN_STEPS = 200
SEED = 0
#: steps the window trains before the capture (exercises the panels)
WINDOW_TRAIN_STEPS = 20
#: a rendered window has text, icons and plots: far more colours than this
MIN_COLOURS = 16
#: seconds the training process may take to start and train TRAIN_STEPS (about 1 s here)
PROCESS_TIMEOUT_S = 60


class CheckFailed(Exception):
    """A check did not pass; the message says what was wrong."""


def _where() -> str:
    if getattr(sys, "frozen", False):
        return _("packaged app in {folder}").format(folder=Path(sys.executable).parent)
    return _("Python {version} at {path}").format(version=platform.python_version(), path=sys.executable)


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
    return _("{n} examples in {folder}; {dataset} has {samples} samples").format(
        n=n_examples, folder=example.parent, dataset=DATASET[-1], samples=n_images)


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
        raise CheckFailed(_("{file}: {n} error(s), first: {message}").format(
            file=path.name, n=len(errors), message=errors[0].message))
    ctx["graph"] = graph
    return _("{file}: {nodes} nodes, {links} connections, no errors").format(
        file=path.name, nodes=len(graph.nodes), links=len(graph.edges))


def check_training(ctx) -> str:
    from engine.train import Session

    session = Session.from_graph(ctx["graph"], seed=SEED, device="cpu")
    before = session.evaluate()["train_loss"]
    with warnings.catch_warnings():  # an overflow shows up as a non-finite loss below
        warnings.simplefilter("ignore", RuntimeWarning)
        session.run(TRAIN_STEPS)
    if session.stopped or not math.isfinite(session.last_loss):
        nan = session.last_snapshot.nan if session.last_snapshot is not None else None
        raise CheckFailed(nan.message if nan is not None else _("loss is {value}").format(value=session.last_loss))
    after = session.evaluate()["train_loss"]
    if not (math.isfinite(after) and after < before):
        raise CheckFailed(_("training loss did not fall in {n} steps: {before} -> {after}").format(
            n=TRAIN_STEPS, before=f"{before:.4g}", after=f"{after:.4g}"))
    return _("{n} steps on the CPU, training loss {before} -> {after}").format(
        n=session.step_count, before=f"{before:.4g}", after=f"{after:.4g}")


def check_display(ctx) -> str:
    # Qt aborts the process when its platform plugin cannot load, with a message that names no
    # library: ask ldd first, while a clear message and exit status 1 are still possible.
    from playground.app import use_offscreen_platform
    from playground.platform_check import display_platform, explain_missing, plugin_path

    platform_name = display_platform()
    if platform_name is None:
        use_offscreen_platform()
        return _("no display: the window is rendered offscreen")
    problem = explain_missing(platform_name)
    if problem:
        raise CheckFailed(problem)
    os.environ["QT_QPA_PLATFORM"] = platform_name   # else run_gui's capture renders offscreen
    if plugin_path(platform_name) is None or shutil.which("ldd") is None:
        return _("{platform} platform plugin: its libraries could not be checked").format(platform=platform_name)
    return _("the {platform} platform plugin's libraries are installed").format(platform=platform_name)


def check_panels(ctx) -> str:
    # The window runs without its live panels when they fail to import (it treats them as
    # optional), so a package missing from an installation would go unnoticed there.
    from playground.app import use_offscreen_platform

    use_offscreen_platform()
    import pyqtgraph

    from playground import panels

    return _("{n} live panels import (pyqtgraph {version})").format(n=len(panels.LAYOUT), version=pyqtgraph.__version__)


def blank_reason(image) -> str | None:
    """Why a rendered QImage looks blank (None when it does not): too small, or too few colours."""
    import numpy as np
    from PySide6.QtGui import QImage

    if image.isNull() or image.width() < 100 or image.height() < 100:
        return _("the image is empty or tiny ({size})").format(size=f"{image.width()}x{image.height()}")
    rgb = image.convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(rgb.constBits(), dtype=np.uint32,
                           count=rgb.bytesPerLine() * rgb.height() // 4)
    colours = len(np.unique(pixels))
    if colours < MIN_COLOURS:
        return _("the image looks blank: only {n} distinct colour(s)").format(n=colours)
    return None


def check_render(ctx) -> str:
    # run_gui's screenshot path renders offscreen unless a platform was chosen (check_display)
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication, QImage

    from playground.app import run_gui

    with tempfile.TemporaryDirectory(prefix="nnpg-selftest-") as tmp:
        png = Path(tmp) / "window.png"
        status = run_gui(str(ctx["example"]), WINDOW_TRAIN_STEPS, str(png))
        if status != 0 or not png.exists():
            raise CheckFailed(_("the window did not render (status {status})").format(status=status))
        image = QImage(str(png))
        reason = blank_reason(image)
    if reason:
        raise CheckFailed(reason)
    platform_name = QGuiApplication.platformName()
    return _("{size} PNG, not blank (PySide6 {version}, {platform})").format(
        size=f"{image.width()}x{image.height()}", version=pyside_version, platform=platform_name)


def check_process(ctx) -> str:
    import functools
    import operator
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    from playground.app import make_app
    from playground.runner import Runner, graph_session

    make_app()
    runner = Runner(in_process=True)
    try:
        t0 = time.perf_counter()
        runner.set_session_factory(functools.partial(graph_session, ctx["graph"]))
        runner.step_n(TRAIN_STEPS)
        deadline = t0 + PROCESS_TIMEOUT_S
        while (runner.snapshot is None or runner.snapshot.step < TRAIN_STEPS) \
                and not runner.last_message and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        if runner.last_message:
            raise CheckFailed(runner.last_message)
        step = runner.call_in_worker(operator.attrgetter("step_count"))
        if step != TRAIN_STEPS:
            raise CheckFailed(_("the training process did not answer within {s} s").format(s=PROCESS_TIMEOUT_S))
        pid = runner.process.process.pid
        return _("process {pid} trained {n} steps in {s} s (its start included)").format(
            pid=pid, n=step, s=f"{time.perf_counter() - t0:.1f}")
    finally:
        runner.shutdown()


CHECKS = (("assets", check_assets), ("example", check_example), ("train", check_training),
          ("display", check_display), ("panels", check_panels), ("render", check_render),
          ("process", check_process))


# ------------------------------------------------------------------ running them
def run_selftest(out=None) -> int:
    """Run every check in order, stop at the first failure; the exit status."""
    from playground import __version__

    out = out or sys.stdout or open(os.devnull, "w")  # a windowed app may have no stdout

    def say(line):
        print(line, file=out, flush=True)

    say(_("NN Playground {version} self-test ({where}, {system})").format(
        version=__version__, where=_where(), system=f"{platform.system()} {platform.machine()}"))
    ctx = {}
    for name, check in CHECKS:
        try:
            detail = check(ctx)
        except CheckFailed as exc:
            return _failed(say, name, str(exc))
        except Exception as exc:  # noqa: BLE001 - an installation problem, reported as one line
            return _failed(say, name, f"{type(exc).__name__}: {exc}")
        say(f"  ok    {name:8s} {detail}")
    say(_("self-test passed ({n} checks)").format(n=len(CHECKS)))
    return EXIT_OK


def _failed(say, name, message) -> int:
    say(f"  FAIL  {name:8s} {' '.join(message.split())}")
    say(_("self-test FAILED at '{name}': this installation is broken; please report the lines above").format(name=name))
    return EXIT_FAILED
