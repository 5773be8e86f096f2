"""What the optimizer lessons (assets/lessons/src/optimization.py) stand on: Newton and
conjugate gradient training a graph in a Session (they re-evaluate the loss through a
closure), their settings checked like the others', and the ``effective_lr`` metric
(each weight's learning rate, Optimizer.learning_rates)."""
import math

from pathlib import Path

import numpy as np
import pytest

from engine.errors import SettingsError
from engine.graph import Graph
from engine.graph.validate import validate
from engine.lessons.goals import METRICS
from engine.optim import make_optimizer
from engine.nn import Parameter
from engine.train import Session


def line_fit(optimizer, noise=0.0):
    """y = w x + b on all 160 training points of y = 2x + 0.5: a quadratic in (w, b)."""
    g = Graph()
    g.add_node("Input", {}, id="x")
    g.add_node("Linear", {"in_features": 1, "out_features": 1}, id="lin")
    g.add_node("Target", {}, id="y")
    g.add_node("MSELoss", {}, id="cost")
    g.connect("x", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "line", "noise": noise}, "optimizer": optimizer,
                  "batch_size": 160, "probe_every": 1, "eval_every": 1}
    return g


def losses(optimizer, steps, seed=0):
    session = Session.from_graph(line_fit(optimizer), seed=seed)
    out = []
    for _ in range(steps):
        out.append(session.step().train_loss)
    return out, session


@pytest.mark.parametrize("seed", [0, 1])
def test_newton_lands_on_the_least_squares_line_in_one_step(seed):
    out, session = losses({"name": "Newton", "fd_eps": 1.0}, 1, seed)
    assert out[0] < 1e-9
    params = dict(session.program.named_parameters())
    assert params["lin.weight"].data[0, 0] == pytest.approx(2.0, abs=1e-4)
    assert params["lin.bias"].data[0] == pytest.approx(0.5, abs=1e-4)


@pytest.mark.parametrize("seed", [0, 1])
def test_conjugate_gradient_is_exact_in_n_steps_gradient_descent_is_not(seed):
    cg, _ = losses({"name": "ConjugateGradient", "line_search": "exact", "fd_eps": 1.0}, 2, seed)
    gd, _ = losses({"name": "SGD", "lr": 0.5}, 2, seed)
    assert cg[0] > 1e-3 and cg[1] < 1e-9   # N = 2 weights: two steps, not one
    assert gd[1] > 1e-3
    # the default (strong Wolfe) line search gets there too, in a few more steps
    wolfe, _ = losses({"name": "ConjugateGradient"}, 5, seed)
    assert wolfe[-1] < 1e-9


def test_second_order_settings_are_checked_like_the_others():
    assert not [p for p in validate(line_fit({"name": "ConjugateGradient", "line_search": "exact"}))
                if p.severity == "error"]
    bad = [p.message for p in validate(line_fit({"name": "Newton", "damping": -1.0}))]
    assert any("damping" in m for m in bad), bad
    # a callable Hessian is for code only: a file cannot give one
    with pytest.raises(SettingsError, match="hessian"):
        make_optimizer({"name": "Newton", "hessian": 3}, [Parameter(np.zeros(2))])


def _rates_session(optimizer, steps=30):
    g = line_fit(optimizer, noise=0.1)
    g.settings["batch_size"] = 20
    session = Session.from_graph(g, seed=0)
    snaps = [session.step() for _ in range(steps)]
    return session, snaps


def test_effective_lr_reads_each_weight_s_learning_rate():
    metric = METRICS["effective_lr"].fn
    session, snaps = _rates_session({"name": "Adagrad", "lr": 0.1})
    rates = session.optimizer.learning_rates()
    assert rates.shape == (2,) and not np.allclose(rates, 0.1)
    for stat in ("min", "max", "median", "mean"):
        assert metric(session, snaps[-1], stat) == pytest.approx(getattr(np, stat)(rates))
    assert math.isnan(metric(session, snaps[-1], "average"))   # not a statistic it knows
    # AdaGrad's sum of squared gradients only grows: the rates only fall
    medians = []
    session, _ = _rates_session({"name": "Adagrad", "lr": 0.1}, 0)
    for _ in range(20):
        medians.append(metric(session, session.step(), "median"))
    assert all(b <= a for a, b in zip(medians, medians[1:])) and medians[-1] < medians[0]
    # plain SGD: every rate is lr; Rprop steps by the gradient's sign: no rate
    session, snaps = _rates_session({"name": "SGD", "lr": 0.05}, 3)
    assert metric(session, snaps[-1], "max") == pytest.approx(0.05)
    session, snaps = _rates_session({"name": "Rprop"}, 3)
    assert math.isnan(metric(session, snaps[-1], "median"))


HOSTILE = [0, -1, 1e300, -1e300, 2**63, 1e-300, 2, "exact", "bogus", None, True, [1, 2], {}]


@pytest.mark.parametrize("name, key", [("Newton", k) for k in ("lr", "damping", "fd_eps")]
                         + [("ConjugateGradient", k) for k in ("lr", "line_search", "c1", "c2", "restart",
                                                               "max_ls", "fd_eps")])
def test_a_hostile_second_order_hyperparameter_is_refused_or_trains(name, key):
    # a value validation lets through must train without an exception (it may diverge);
    # restart="exact" once passed the one trial step and failed at the second real one
    for value in HOSTILE:
        graph = line_fit({"name": name, key: value})
        with np.errstate(all="ignore"):   # 1e300 overflows, as it should
            if [p for p in validate(graph) if p.severity == "error"]:
                continue
            Session.from_graph(graph).run(3)


def test_recall_is_the_fraction_of_a_class_the_network_finds():
    metric = METRICS["recall"].fn
    g = Graph()
    g.add_node("Input", {}, id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 2}, id="lin")
    g.add_node("Target", {}, id="y")
    g.add_node("CrossEntropyLoss", {}, id="cost")
    g.connect("x", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "gauss", "n_samples": 400, "noise": 0.5, "class1_fraction": 0.1},
                  "optimizer": {"name": "SGD", "lr": 0.1}, "batch_size": 20, "probe_every": 10,
                  "eval_every": 50}
    session = Session.from_graph(g, seed=0)
    snaps = [s for s in (session.step() for _ in range(100)) if s is not None]
    evaluated = [s for s in snaps if s.train_loss is not None][-1]
    ds = session.dataset
    predicted = session.predict(ds.x_train).argmax(1)
    for c in (0, 1):
        mine = ds.y_train == c
        assert metric(session, evaluated, str(c)) == pytest.approx(np.mean(predicted[mine] == c))
    assert metric(session, evaluated, "0") > metric(session, evaluated, "1")   # the rare class is missed
    assert math.isnan(metric(session, snaps[0], "1"))        # not an evaluated snapshot
    assert math.isnan(metric(session, evaluated, "7")) and math.isnan(metric(session, evaluated, "one"))


@pytest.mark.parametrize("spec", [{"name": "Newton"}, {"name": "ConjugateGradient", "line_search": "exact"}])
def test_second_order_methods_refuse_a_network_too_big_for_a_hessian_in_one_line(spec, tmp_path, capsys):
    """A Hessian of 4,001 parameters is 8,002 gradient evaluations a step, of an MLP on
    images gigabytes: a one-line setting error, not a bug report or a frozen app."""
    from engine.graph import fileformat
    from playground.cli import main

    graph = fileformat.load(Path(__file__).resolve().parents[2] / "assets" / "lessons" / "xor_mlp.nnpg")
    graph.nodes["hidden"].params["out_features"] = 1000
    graph.nodes["output"].params["in_features"] = 1000
    graph.settings["optimizer"] = spec
    path = tmp_path / "big.nnpg"
    fileformat.save(graph, path)
    assert main(["train", str(path), "--steps", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Hessian" in err and "\n" not in err and "at most 2000" in err
