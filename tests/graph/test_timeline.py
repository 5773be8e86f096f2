"""A session's state at a moment (capture / restore), the memory-bounded Timeline, the
weights saved beside a file, and the user's points and data seed in the document."""
import numpy as np
import pytest

from engine.data import DataError, from_settings
from engine.errors import SettingsError, UserError
from engine.graph import fileformat
from engine.graph.compile import dataset_from_settings
from engine.train import Session
from engine.train.timeline import Timeline
from tests.graph.test_session import xor_graph


def _with_dropout(g):
    g.add_node("Dropout", {"p": 0.3}, id="drop")
    g.remove_edge(g.edges_into("lin2")[0])
    g.connect("act", "out", "drop", "input")
    g.connect("drop", "out", "lin2", "input")
    return g


def _with_batchnorm(g):
    g.add_node("BatchNorm1d", {"num_features": 4}, id="bn")
    g.remove_edge(g.edges_into("act")[0])
    g.connect("lin1", "out", "bn", "input")
    g.connect("bn", "out", "act", "input")
    return g


CASES = {
    # Adam's moments and step counts, a schedule stepped at epoch ends, dropout's generator
    "adam_schedule_dropout": lambda: _with_dropout(xor_graph(
        optimizer={"name": "Adam", "lr": 0.01},
        schedule={"name": "StepLR", "step_size": 4, "gamma": 0.5})),
    # momentum buffers, batch-norm running statistics (buffers), an eager graph
    "momentum_batchnorm": lambda: _with_batchnorm(xor_graph(
        optimizer={"name": "SGD", "lr": 0.1, "momentum": 0.9})),
    # Rosenblatt's rule (no gradients, no optimizer state)
    "perceptron": lambda: _perceptron_graph(),
    # conjugate gradient: its next direction depends on the last one (kept outside the
    # per-parameter state), and its line searches evaluate the loss through the closure
    "conjugate_gradient": lambda: xor_graph(optimizer={"name": "ConjugateGradient", "lr": 0.5}),
}


def _perceptron_graph():
    from engine.graph import Graph

    g = Graph()
    g.add_node("Input", id="x")
    g.add_node("Linear", {"in_features": 2, "out_features": 1}, id="lin")
    g.add_node("Target", id="y")
    g.add_node("MSELoss", id="cost")
    g.connect("x", "out", "lin", "input")
    g.connect("lin", "out", "cost", "input")
    g.connect("y", "out", "cost", "target")
    g.settings = {"dataset": {"name": "gauss", "n_samples": 100, "noise": 0.3}, "trainer": "perceptron",
                  "optimizer": {"name": "SGD", "lr": 0.1}, "batch_size": 7, "seed": 3}
    return g


def _run(session, n):
    """What n steps produce: every loss, every snapshot's numbers, the final weights."""
    losses, snaps = [], []
    for _ in range(n):
        snap = session.step()
        losses.append(session.last_loss)
        if snap is not None:
            snaps.append((snap.step, snap.epoch, snap.loss, snap.lr, snap.train_loss, snap.test_loss,
                          dict(snap.metrics), dict(snap.grad_norms),
                          {k: (v.mean, v.std) for k, v in snap.activations.items()}))
    return losses, snaps, session.program.state_dict(), session.optimizer.param_groups[0]["lr"]


def _same(a, b):
    la, sa, wa, lra = a
    lb, sb, wb, lrb = b
    assert la == lb
    assert sa == sb
    assert lra == lrb
    assert wa.keys() == wb.keys()
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)


@pytest.mark.parametrize("case", sorted(CASES))
def test_resuming_from_a_moment_repeats_training_bit_for_bit(case):
    # 37 steps: in the middle of an epoch (10 batches per epoch), after schedule steps
    never_stopped = Session.from_graph(CASES[case]())
    never_stopped.run(37)
    expected = _run(never_stopped, 63)

    s = Session.from_graph(CASES[case]())
    s.run(37)
    moment = s.state()
    first = _run(s, 63)
    _same(first, expected)          # taking the state changed nothing
    s.snapshot()                    # showing a later moment (a probe with side effects) ...
    s.set_hparam("lr", 0.5)         # ... and a live change after the moment ...
    s.restore(moment)               # ... are undone by going back
    _same(_run(s, 63), expected)
    s.restore(moment)               # the state is not used up: again
    _same(_run(s, 63), expected)


def test_a_restored_state_is_a_copy_training_does_not_change():
    s = Session.from_graph(xor_graph())
    s.run(20)
    moment = s.state()
    kept = [a.copy() for a in moment.params]
    s.restore(moment)
    s.run(30)
    for a, b in zip(moment.params, kept):
        np.testing.assert_array_equal(a, b)


def test_a_full_state_returns_to_the_same_verdicts_and_trajectory():
    s = Session.from_graph(xor_graph(probe_every=5))
    s.run(120)
    live = s.state(full=True)
    verdicts = [v.kind for v in s.last_snapshot.verdicts]
    traj = list(s.trajectory_steps)
    s.restore(s.state())   # an ordinary state forgets the evidence ...
    assert s.history == []
    s.restore(live)        # ... a full one brings it back
    assert [v.kind for v in s.last_snapshot.verdicts] == verdicts and s.trajectory_steps == traj
    s2 = Session.from_graph(xor_graph(probe_every=5))
    s2.run(120)
    moment = s2.state()
    s2.run(40)
    s2.restore(moment)   # back: the trajectory keeps the points up to the moment only
    assert s2.trajectory_steps == traj


def test_the_timeline_keeps_states_at_intervals_and_finds_the_moment():
    s = Session.from_graph(xor_graph())
    tl = Timeline(every=10)
    tl._kept_t = None
    for _ in range(101):
        tl.record(s)
        tl._kept_t = None   # the cost rule is tested on its own
        s.step()
    assert tl.steps() == list(range(0, 101, 10))
    assert tl.at(35).step == 30 and tl.at(30).step == 30 and tl.at(10_000).step == 100
    assert tl.at(-1) is None
    tl.drop_after(40)
    assert tl.steps() == [0, 10, 20, 30, 40]
    assert tl.next_step == 50


def test_the_timeline_stays_under_its_memory_bound_keeping_the_first_state():
    s = Session.from_graph(xor_graph(hidden=32))
    one = s.state().nbytes
    bound = 12 * one
    tl = Timeline(max_bytes=bound, every=1)
    for _ in range(600):
        s.step()
        tl._kept_t = None
        tl.record(s)
        assert tl.nbytes <= bound
    steps = tl.steps()
    assert steps[0] == 1 and len(steps) >= 5   # the first kept, the rest thinned out ...
    gaps = np.diff(steps[1:])
    assert (gaps == gaps[0]).all() and gaps[0] >= 64   # ... evenly, over the whole run
    assert steps[-1] > 500


def test_the_timeline_thins_out_beyond_its_count_and_when_keeping_costs_too_much():
    s = Session.from_graph(xor_graph())
    tl = Timeline(max_states=10, every=1)
    for _ in range(100):
        s.step()
        tl._kept_t = None
        tl.record(s)
    assert len(tl) <= 10 and tl.steps()[0] == 1
    costly = Timeline(every=1)
    for _ in range(50):   # back-to-back: capturing is all the time there is between states
        s.step()
        costly.record(s)
    assert costly.every > 1 and len(costly) < 50



def test_a_moment_stopped_at_stays_when_it_was_also_on_the_interval():
    """Training paused at step 100, which the interval had kept already: thinning out
    (the interval doubling past it) must keep it like any other moment stopped at."""
    s = Session.from_graph(xor_graph())
    tl = Timeline(every=10)
    for _ in range(100):
        s.step()
        tl._kept_t = None
        tl.record(s)
    tl.record(s, force=True)   # the pause at 100, kept already on the interval
    for _ in range(3):
        tl._thin(space_out=True)   # every 80: 100 is off the interval
    assert 100 in tl.steps()

def test_a_network_too_big_for_the_bound_gets_no_timeline():
    s = Session.from_graph(xor_graph(hidden=64))
    tl = Timeline(max_bytes=s.state().nbytes)
    assert not tl.record(s) and tl.too_big and tl.steps() == []


# ----- weights beside the file --------------------------------------------------------
def test_saved_weights_reopen_to_identical_predictions(tmp_path):
    g = _with_batchnorm(xor_graph(optimizer={"name": "Adam", "lr": 0.02}))
    s = Session.from_graph(g)
    s.run(150)
    path = tmp_path / "trained.nnpg"
    fileformat.save(g, path, weights=s.weights())
    fresh = Session.from_graph(fileformat.load(path))
    x = s.dataset.x
    assert not np.array_equal(fresh.predict(x), s.predict(x))
    fresh.load_weights(fileformat.load_weights(path), "trained.npz")
    assert (fresh.predict(x) == s.predict(x)).all()   # bit for bit, buffers included


def test_weights_of_another_graph_are_refused_naming_the_entry(tmp_path):
    s = Session.from_graph(xor_graph(hidden=4))
    other = Session.from_graph(xor_graph(hidden=5)).weights()
    before = s.weights()
    with pytest.raises(SettingsError, match=r"net\.npz: 'lin1\.weight' has shape \(5, 2\)"):
        s.load_weights(other, "net.npz")
    with pytest.raises(SettingsError, match=r"net\.npz: has no 'lin2\.bias'"):
        s.load_weights({k: v for k, v in before.items() if k != "lin2.bias"}, "net.npz")
    after = s.weights()
    assert all((before[k] == after[k]).all() for k in before)   # all or nothing


# ----- the user's points and the data seed live in the settings ----------------------
def test_points_join_the_training_split():
    plain = from_settings({"name": "xor", "n_samples": 100})
    ds = from_settings({"name": "xor", "n_samples": 100, "points": [[1.5, -2.0, 1], [0.0, 3, 0]]})
    np.testing.assert_array_equal(ds.x_train[:-2], plain.x_train)
    np.testing.assert_array_equal(ds.x_train[-2:], np.float32([[1.5, -2.0], [0.0, 3.0]]))
    assert ds.y_train[-2:].tolist() == [1, 0] and ds.y_train.dtype == plain.y_train.dtype
    np.testing.assert_array_equal(ds.x_test, plain.x_test)
    reg = from_settings({"name": "reg-plane", "n_samples": 100, "points": [[1, 2, 0.25]]})
    assert reg.y_train[-1].tolist() == [0.25]


@pytest.mark.parametrize("points, words", [
    ([[1.0, 2.0]], r"points\[0\] must be 3 numbers: 2 inputs and the class"),
    ([[1, 2, 0], [1, 2, "a"]], r"points\[1\] must be 3 numbers"),
    ([[1, 2, 2]], r"points\[0\]: the class must be a whole number from 0 to 1"),
    ([[1, 2, 0.5]], r"points\[0\]: the class must be a whole number"),
    ([[1, 2, True]], r"points\[0\] must be 3 numbers"),
    ("many", r"points must be a list"),
])
def test_bad_points_are_refused_in_one_line_naming_the_row(points, words):
    with pytest.raises(DataError, match=words):
        from_settings({"name": "xor", "points": points})
    g = xor_graph()
    g.settings["dataset"]["points"] = points
    with pytest.raises(UserError, match="^dataset: " + words):
        dataset_from_settings(g, SettingsError)


def test_points_and_the_data_seed_survive_a_save_and_reopen(tmp_path):
    g = xor_graph()
    g.settings["dataset"].update(seed=7, points=[[1.5, -2.0, 1]])
    fileformat.save(g, tmp_path / "p.nnpg")
    again = Session.from_graph(fileformat.load(tmp_path / "p.nnpg")).dataset
    assert tuple(again.x_train[-1]) == (1.5, -2.0) and again.y_train[-1] == 1
    other_seed = from_settings({"name": "xor", "n_samples": 200, "seed": 8})
    assert not np.array_equal(other_seed.x_train, again.x_train[:-1])
    np.testing.assert_array_equal(from_settings({"name": "xor", "n_samples": 200, "seed": 7}).x_train,
                                  again.x_train[:-1])


def test_the_timeline_counts_all_the_memory_its_states_keep():
    """What the states keep alive, measured (tracemalloc), is what the bound counts: a
    state holding a view of a larger array (a batch of its shuffled epoch) would keep that
    array uncounted, one per epoch."""
    import gc
    import tracemalloc

    s = Session.from_graph(xor_graph(batch_size=500, **{"dataset": {"name": "xor", "n_samples": 4000}}))
    s.run(3)
    tracemalloc.start()
    try:
        tl = Timeline(every=4)
        for _ in range(240):   # 60 epochs of 4 batches
            s.step()
            tl._kept_t = None
            tl.record(s)
        gc.collect()
        with_states = tracemalloc.get_traced_memory()[0]
        counted = tl.nbytes
        del tl
        gc.collect()
        held = with_states - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert counted > 0 and held <= 1.25 * counted + 100_000, (held, counted)


#: every optimizer a settings file may name (Newton and ConjugateGradient too: the Session
#: gives them their closure, and conjugate gradient's last direction is part of a moment)
SESSION_OPTIMIZERS = list(__import__("engine.optim", fromlist=["OPTIMIZERS"]).OPTIMIZERS)


@pytest.mark.fuzz
def test_fuzz_resuming_repeats_training_for_every_optimizer_and_setting():
    """Any optimizer, batch size, schedule, dropout, clipping, moment and distance:
    restoring a moment and training on repeats the run exactly."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.fuzzing import examples, report

    cases = []

    @settings(max_examples=examples(12, 400), deadline=None, derandomize=True)
    @given(opt=st.sampled_from(SESSION_OPTIMIZERS), before=st.integers(0, 40), after=st.integers(1, 40),
           batch=st.sampled_from([1, 7, 10, 33]), dropout=st.booleans(), schedule=st.booleans(),
           clip=st.booleans())
    def check(opt, before, after, batch, dropout, schedule, clip):
        extra = {"schedule": {"name": "ExponentialLR", "gamma": 0.9}} if schedule else {}
        if clip:
            extra["clip_grad_norm"] = 0.5

        def graph():
            g = xor_graph(optimizer={"name": opt, "lr": 0.01}, batch_size=batch, **extra)
            return _with_dropout(g) if dropout else g

        never_stopped = Session.from_graph(graph())
        never_stopped.run(before)
        expected = _run(never_stopped, after)
        s = Session.from_graph(graph())
        s.run(before)
        moment = s.state()
        s.run(after + 3)
        s.restore(moment)
        _same(_run(s, after), expected)
        cases.append(opt)

    check()
    report("timeline resume", cases=len(cases), optimizers=len(set(cases)))
