"""Views and metrics of flow matching and diffusion (samples, trajectories).

A flow-matching graph draws a ``FlowPath`` node (x_t and the target velocity from data x1,
noise x0 and a time t) and a velocity network whose output a cost compares with the path's
``velocity``. Once trained, the network is a velocity field v(x, t); the sampler starts
from noise and integrates dx/dt = v(x, t) from t = 0 to t = 1 with Euler steps, feeding
the path's ``x_t`` and the time node's output (``Program.evaluate``), in eval mode and
without gradients. Its noise comes from its own fixed seed, never from the Session's
generator, so sampling between training steps changes nothing training does, and the
same starting points are shown moving as training proceeds.

    parts = flow_parts(session.program)           # None: neither flow matching nor diffusion
    samples, paths = sample_flow(session, parts, keep=32)   # and the paths of the first 32
    view = views.compute("flow", session)          # a FlowView: data, samples, trajectories
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.registry import DATASETS
from ..lessons.goals import evaluated, metric
from .views import input_kind, true_classes, view

#: Euler steps from t = 0 to t = 1: the learned flow is nearly straight, and 20 steps land
#: where 100 do (within the scatter of the samples); a view costs about 20 small forwards
FLOW_STEPS = 20
#: generated samples a view and the distance metric draw
FLOW_SAMPLES = 256
#: the sampler's own seed: the same starting noise at every step of training
SAMPLER_SEED = 1234


@dataclass(frozen=True)
class FlowParts:
    """Where a compiled flow-matching (or diffusion) graph's pieces are, as (node, port)."""

    kind: str            # "flow" (a FlowPath: the net predicts a velocity) or "diffusion" (noise)
    path: str            # the FlowPath or DiffusionPath node
    x_t: tuple           # its point on the path: the sampler feeds the current points here
    time: tuple          # what feeds its t (a TimeSample): the sampler feeds the time here
    output: tuple        # the network's output: the cost's input against the path's target


#: path node type -> (kind, the output its cost compares the network with)
PATHS = {"FlowPath": ("flow", "velocity"), "DiffusionPath": ("diffusion", "noise")}
#: a diffusion sampler starts at this noise level, where the data are cos(pi t / 2) = 5 %
#: of x_t: pure noise for the eye, and no division by cos(pi / 2) = 0 (see sample_flow)
DIFFUSION_START = 0.968


def generative_plane(dataset) -> bool:
    """Are these the 2-D points of a distribution to learn (the "2-D generative" datasets)?"""
    spec = DATASETS.get(getattr(dataset, "name", ""))
    return spec is not None and spec.group == "2-D generative" and input_kind(dataset) == "plane"


def flow_parts(program) -> FlowParts | None:
    """The generative parts of ``program``, or None when it has no FlowPath (DiffusionPath)
    whose velocity (noise) a cost compares with a network's output."""
    nodes, edges = program.flat.nodes, program.flat.edges
    for nid in program.order:
        if nodes[nid].type not in PATHS:
            continue
        kind, target = PATHS[nodes[nid].type]
        time = next(((e.src, e.src_port) for e in edges if e.dst == nid and e.dst_port == "t"), None)
        cost = next((e.dst for e in edges if (e.src, e.src_port) == (nid, target)
                     and nodes[e.dst].node_type.category == "cost"), None)
        output = next(((e.src, e.src_port) for e in edges if e.dst == cost and e.dst_port == "input"), None)
        if time is not None and output is not None:
            return FlowParts(kind, nid, (nid, "x_t"), time, output)
    return None


def starting_noise(shape, n, dtype, seed=SAMPLER_SEED) -> np.ndarray:
    """``n`` points of N(0, 1) noise of ``shape`` per sample, from the sampler's own seed."""
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(dtype)


def sampling_times(parts: FlowParts, steps=FLOW_STEPS) -> np.ndarray:
    """The ``steps + 1`` times a sample visits, from the noise to the data: 0 to 1 for a
    flow, DIFFUSION_START down to 0 (the noise level) for diffusion."""
    if parts.kind == "flow":
        return np.linspace(0.0, 1.0, int(steps) + 1)
    return np.linspace(DIFFUSION_START, 0.0, int(steps) + 1)


def sample_flow(session, parts: FlowParts, n=FLOW_SAMPLES, steps=FLOW_STEPS, keep=0):
    """(samples, paths): ``n`` points carried from the sampler's noise to the data, and the
    whole path of the first ``keep`` of them, (keep, steps + 1, ...) (None when ``keep`` is
    0), at the sampling_times. A flow takes Euler steps, x <- x + v(x, t) dt; diffusion takes
    DDIM steps (notes, section 15, eq. 6): from the predicted noise e, the data estimate
    x0 = (x - sin(a) e) / cos(a) is noised to the next level, x <- cos(a') x0 + sin(a') e
    (a = pi t / 2), deterministic, the last step giving x0 itself."""
    x_train = session.dataset.x_train
    x = starting_noise(x_train.shape[1:], n, x_train.dtype)
    paths = [x[:keep]] if keep else None
    times = sampling_times(parts, steps)
    for now, after in zip(times[:-1], times[1:]):
        t = np.full((n, 1), now, dtype=x.dtype)
        (out,) = session.evaluate_outputs({parts.x_t: x, parts.time: t}, [parts.output])
        if parts.kind == "flow":
            x = x + (after - now) * out
        else:
            a, a_next = np.pi / 2 * now, np.pi / 2 * after
            estimate = (x - np.sin(a) * out) / np.cos(a)
            x = np.cos(a_next) * estimate + np.sin(a_next) * out
        x = x.astype(x_train.dtype)
        if keep:
            paths.append(x[:keep])
    return x.astype(np.float64), (np.stack(paths, axis=1).astype(np.float64) if keep else None)


def nearest_distances(points, data) -> np.ndarray:
    """For each row of ``points`` (m, d), the Euclidean distance to the nearest row of
    ``data`` (N, d)."""
    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    data = np.asarray(data, dtype=np.float64).reshape(len(data), -1)
    d2 = (points ** 2).sum(1)[:, None] - 2 * points @ data.T + (data ** 2).sum(1)[None, :]
    return np.sqrt(np.maximum(d2.min(1), 0.0))


def _median_distance(samples, data) -> float:
    distances = nearest_distances(samples, data)
    return float(np.median(distances)) if np.isfinite(distances).all() else float("inf")


@metric("flow_sample_distance")
def flow_sample_distance(session, snapshot, arg):
    """The median distance from a sample of the learned flow or diffusion model (FLOW_SAMPLES
    points carried from noise in FLOW_STEPS steps, see sample_flow) to the nearest training
    point, in the data's own units: small when the samples land on the data, as large as the
    noise's spread at the start. Inf when the sampler blows up; NaN for a graph with no
    FlowPath or DiffusionPath, or between evaluated snapshots (it runs FLOW_STEPS forwards)."""
    parts = flow_parts(session.program)
    if parts is None or not evaluated(snapshot):
        return float("nan")
    samples, _ = sample_flow(session, parts)
    return _median_distance(samples, session.dataset.x_train)


# ----- the view -------------------------------------------------------------------------------
@dataclass
class FlowView:
    """Samples of a learned flow (or diffusion model) over its 2-D data, with their whole
    trajectories from the noise."""

    data: np.ndarray          # (N, 2) the training points
    component: np.ndarray     # (N,) each point's component (which moon, which mode), for colours
    paths: np.ndarray         # (m, steps + 1, 2) each sample from its noise to where it arrives
    times: np.ndarray         # (steps + 1,) the times along the paths (see sampling_times)
    distance: float           # median distance from a sample to the nearest data point
    kind: str = "flow"        # "flow" or "diffusion" (FlowParts.kind)

    @property
    def samples(self) -> np.ndarray:
        """(m, 2) where the noise points arrive: the generated samples."""
        return self.paths[:, -1]


@view("flow")
def flow_view(session, samples: int = FLOW_SAMPLES, steps: int = FLOW_STEPS) -> FlowView | None:
    """Where the learned flow carries ``samples`` noise points (the same ones at every step
    of training) over the data, step by step; None unless the data are 2-D points and the
    graph is a flow-matching one (flow_parts)."""
    ds = session.dataset
    parts = flow_parts(session.program)
    if parts is None or input_kind(ds) != "plane":
        return None
    final, paths = sample_flow(session, parts, int(samples), int(steps), keep=int(samples))
    return FlowView(data=np.asarray(ds.x_train, dtype=np.float64), component=true_classes(ds.y_train),
                    paths=paths, times=sampling_times(parts, steps), kind=parts.kind,
                    distance=_median_distance(final, ds.x_train))
