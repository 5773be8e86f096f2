"""The optimizer-path view: every preset's paths are what the engine's optimizers do.

The expected end points come from plain loops over engine.optim optimizers written here
(not from surfaces.optimize_path, which the panel uses), one per racer.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from engine import optim  # noqa: E402
from engine.nn.module import Parameter  # noqa: E402
from engine.optim import lr_scheduler  # noqa: E402
from playground.panels.paths import PRESETS, PathsPanel, lr_to_slider  # noqa: E402
from playground.runner import Runner  # noqa: E402


def run_directly(surface, start, steps, make_opt, make_schedule=None, closure_style=False):
    p = Parameter(np.array(start, dtype=np.float64))
    opt = make_opt([p])
    if closure_style and surface.hessian is not None:
        opt.hessian_fn = surface.hessian
    sched = make_schedule(opt) if make_schedule else None

    def closure():
        p.grad = None
        loss = surface(p)
        loss.backward()
        return loss

    for _ in range(steps):
        if closure_style:
            opt.step(closure)
        else:
            closure()
            opt.step()
        if sched is not None:
            sched.step()
        if not np.all(np.isfinite(p.data)):
            break
    return np.array(p.data)


def expected(name, k):
    """label -> (optimizer factory, schedule factory or None, needs a closure)."""
    sgd = lambda **kw: (lambda ps: optim.SGD(ps, **kw))  # noqa: E731
    if name == "Momentum, several β":
        return {f"momentum β={b:g}": (sgd(lr=k.lr, momentum=b), None, False)
                for b in (0.0, 0.5, k.momentum)}
    if name == "Momentum vs Nesterov":
        return {"SGD": (sgd(lr=k.lr), None, False),
                f"momentum β={k.momentum:g}": (sgd(lr=k.lr, momentum=k.momentum), None, False),
                f"Nesterov β={k.momentum:g}": (sgd(lr=k.lr, momentum=k.momentum, nesterov=True),
                                               None, False)}
    if name == "SGD vs RMSprop vs Adam":
        return {"SGD": (sgd(lr=k.lr), None, False),
                "RMSprop": (lambda ps: optim.RMSprop(ps, lr=k.lr, alpha=k.beta2), None, False),
                "Adam": (lambda ps: optim.Adam(ps, lr=k.lr, betas=(k.momentum, k.beta2)), None, False)}
    if name == "Learning-rate decay":
        return {"constant": (sgd(lr=k.lr), None, False),
                "StepLR (halve every 10)": (sgd(lr=k.lr), lambda o: lr_scheduler.StepLR(o, 10, 0.5), False),
                "ExponentialLR γ=0.97": (sgd(lr=k.lr), lambda o: lr_scheduler.ExponentialLR(o, 0.97), False),
                "CosineAnnealingLR": (sgd(lr=k.lr), lambda o: lr_scheduler.CosineAnnealingLR(o, k.steps), False)}
    if name == "Newton and conjugate gradient":
        return {"gradient descent": (sgd(lr=k.lr), None, False),
                "Newton": (lambda ps: optim.Newton(ps, lr=1.0), None, True),
                "conjugate gradient": (lambda ps: optim.ConjugateGradient(ps, line_search="exact"),
                                       None, True)}
    raise AssertionError(name)


@pytest.fixture
def panel(qtbot):
    runner = Runner()
    p = PathsPanel(runner)
    qtbot.addWidget(p)
    yield p
    runner.shutdown()


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_paths_match_the_engine_optimizers(panel, name):
    panel.preset_box.setCurrentText(name)
    k = panel.knobs()
    want = expected(name, k)
    ends = panel.end_points()
    assert set(ends) == set(want)
    for label, (make_opt, make_schedule, closure) in want.items():
        end = run_directly(panel.surface, panel.start, k.steps, make_opt, make_schedule, closure)
        if np.all(np.isfinite(end)):
            np.testing.assert_allclose(ends[label], end, rtol=1e-9, atol=1e-12, err_msg=label)
    # the curves drawn are those paths
    for (label, path), curve in zip(panel.paths, panel.curves):
        x, _ = curve.getData()
        assert curve.name() == label and len(x) == k.steps + 1


def test_course_figures_show_what_the_notes_say(panel):
    panel.preset_box.setCurrentText("Newton and conjugate gradient")
    ends = panel.end_points()
    # Newton solves a quadratic in one step, CG in n = 2; gradient descent is still on its way
    assert np.linalg.norm(panel.paths[1][1][1]) < 1e-9
    assert np.linalg.norm(panel.paths[2][1][2]) < 1e-6
    assert np.linalg.norm(ends["gradient descent"]) > 1e-3
    panel.preset_box.setCurrentText("Learning-rate decay")
    ends = panel.end_points()
    # lr slightly above 2/lambda_max: the constant rate diverges, the decays converge
    assert np.linalg.norm(ends["constant"]) > 10
    assert np.linalg.norm(ends["ExponentialLR γ=0.97"]) < 0.5


def test_sliders_update_the_paths(panel, qtbot):
    panel.preset_box.setCurrentText("Momentum vs Nesterov")
    before = panel.end_points()["SGD"].copy()
    panel.lr_slider.setValue(lr_to_slider(0.005))
    qtbot.waitUntil(lambda: not np.allclose(panel.end_points()["SGD"], before), timeout=3000)
    k = panel.knobs()
    assert k.lr == pytest.approx(0.005, rel=0.01)
    end = run_directly(panel.surface, panel.start, k.steps, lambda ps: optim.SGD(ps, lr=k.lr))
    np.testing.assert_allclose(panel.end_points()["SGD"], end, rtol=1e-9)


def test_a_lessons_preset_option_shows_that_course_figure(panel):
    """Lessons raise the paths panel with {"preset": ...}: every preset they name exists and
    is what the panel then shows (it was once silently ignored)."""
    from engine.graph import fileformat
    from engine.lessons import lesson_files

    named = set()
    for path in lesson_files():
        lesson = fileformat.load(path).lesson
        shown = list(lesson.get("panels", []))
        shown += [a for page in lesson.get("pages", []) for a in page.get("actions", [])
                  if a.get("do") == "show_panel"]
        named |= {(p.get("options") or {}).get("preset") for p in shown
                  if isinstance(p, dict) and p.get("panel") == "paths"} - {None}
    assert named and named <= set(PRESETS)
    for name in sorted(named) + sorted(named)[:1]:   # the same one again keeps it
        panel.apply_options({"preset": name})
        assert panel.preset_box.currentData() == name
        assert panel.racers == PRESETS[name][0]
