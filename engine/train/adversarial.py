"""Adversarial training (GAN): views and metrics.

The generated samples are read from the graph with ``Program.evaluate``: every random
noise node is fed a fixed sample (``SAMPLE_SEED``), so the same latent points are followed
from probe to probe (the picture moves only because the generator does) and reading a view
never draws from the training's random generator. The discriminator's decision is its
real-branch logit evaluated with the Input fed points of the plane.

    view = views.compute("adversarial", session)     # an AdversarialView, or None
    covered = modes_covered(session, "G3")           # ring modes the generator reaches
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph.nodes.generative import RANDOM_TYPES
from ..lessons.goals import metric
from .views import view

#: the fixed noise the generated samples are computed from
SAMPLE_SEED = 12345
#: generated samples a view shows and the coverage metric counts
SAMPLES = 1000
#: points per side of the discriminator's decision grid
GRID = 60
#: data points a view shows at most
DATA_POINTS = 1000
#: a mode is covered when at least this share of the samples it would get if the generator
#: spread them evenly over the modes lies within COVER_RADIUS standard deviations of its centre
FAIR_SHARE = 0.25
COVER_RADIUS = 3.0


@dataclass
class AdversarialView:
    extent: tuple            # ((xmin, xmax), (ymin, ymax)) of the plane shown
    data: np.ndarray         # (n, 2) training points
    component: np.ndarray    # (n,) their component index (which mode, which moon)
    samples: np.ndarray      # (SAMPLES, 2) generated points, from fixed noise
    decision: np.ndarray | None   # (GRID, GRID) discriminator's P(real) over the plane, row = y
    generator: str           # the node whose output the samples are
    discriminator: str | None   # the node whose logit the decision is
    covered: int             # data components (modes) the samples cover (see modes_covered)
    modes: int               # data components


def _inputs(program):
    return [n for n in program.order if program.flat.nodes[n].type == "Input"]


def _noise_nodes(program):
    return [n for n in program.order if program.flat.nodes[n].type in RANDOM_TYPES]


def generator_node(program, sample_shape) -> str | None:
    """The first node (topological order) downstream of a noise node whose output has the
    data's sample shape: a generator's output."""
    below = program.descendants(_noise_nodes(program))
    for nid in program.order:
        if nid in below and program.flat.nodes[nid].type not in RANDOM_TYPES:
            ports = program.out_ports(nid)
            shape = program.shapes.get((nid, ports[0])) if ports else None
            if shape is not None and tuple(shape[1:]) == tuple(sample_shape):
                return nid
    return None


def discriminator_logit(program) -> tuple | None:
    """(node, port) of the logit an AdversarialLoss scores on the data: the input of such a
    cost that no noise node reaches."""
    below = program.descendants(_noise_nodes(program))
    for nid in program.order:
        if program.flat.nodes[nid].type == "AdversarialLoss" and nid not in below:
            for e in program.in_edges(nid):
                return (e.src, e.src_port)
    return None


def generated_samples(session, node: str, n: int = SAMPLES) -> np.ndarray:
    """(n, ...) outputs of ``node`` with every noise node fed a fixed N(0, 1) sample and the
    Inputs fed training samples (for their batch size; a generator does not read them)."""
    prog = session.program
    rng = np.random.default_rng(SAMPLE_SEED)
    feeds = {(nid, "out"): rng.standard_normal((n, *prog.shapes[(nid, "out")][1:]))
             for nid in _noise_nodes(prog)}
    reps = -(-n // max(1, len(session.dataset.x_train)))
    x = np.concatenate([session.dataset.x_train] * reps)[:n]
    for nid in _inputs(prog):
        feeds[(nid, "out")] = x
    return session.evaluate_outputs(feeds, [(node, prog.out_ports(node)[0])])[0]


def _extent(ds):
    if ds.extent is not None:
        return tuple(tuple(map(float, e)) for e in ds.extent)
    lo, hi = ds.x_train.min(0), ds.x_train.max(0)
    pad = 0.1 * (hi - lo)
    return ((float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1])))


@view("adversarial")
def adversarial_view(session, node=None, grid=GRID):
    """Generated samples over the data, and the discriminator's P(real) over the plane.
    None unless the data are points of the plane and the graph generates such points."""
    ds = session.dataset
    if ds.x_train.ndim != 2 or ds.x_train.shape[1] != 2:
        return None
    prog = session.program
    node = node or generator_node(prog, (2,))
    if node is None or node not in prog.flat.nodes:
        return None
    extent = _extent(ds)
    samples = generated_samples(session, node)
    logit = discriminator_logit(prog)
    decision = None
    inputs = _inputs(prog)
    if logit is not None and len(inputs) == 1:
        (x0, x1), (y0, y1) = extent
        gx, gy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
        pts = np.stack([gx.ravel(), gy.ravel()], 1)
        z = session.evaluate_outputs({(inputs[0], "out"): pts}, [logit])[0]
        decision = (1.0 / (1.0 + np.exp(-np.clip(z.reshape(grid, grid), -50, 50)))).astype(np.float32)
    k = min(DATA_POINTS, len(ds.x_train))
    component = np.asarray(ds.y_train).reshape(-1)
    counts = mode_coverage(samples, ds.x_train, component) if np.isfinite(samples).all() \
        else np.zeros(len(np.unique(component)), dtype=int)
    return AdversarialView(extent, np.asarray(ds.x_train[:k]), component[:k],
                           samples.reshape(len(samples), -1)[:, :2], decision, node,
                           logit[0] if logit else None, _covered(counts, len(samples)), len(counts))


def _covered(counts, n_samples) -> int:
    return int((counts >= FAIR_SHARE * n_samples / max(1, len(counts))).sum())


def mode_coverage(samples, data, component) -> np.ndarray:
    """Per data component (mode): the number of generated samples within COVER_RADIUS
    standard deviations of its centre (its mean), the standard deviation being the
    component's own spread around its centre (root mean square over the coordinates)."""
    samples = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    data = np.asarray(data, dtype=np.float64).reshape(len(data), -1)
    counts = []
    for k in np.unique(component):
        pts = data[component == k]
        centre = pts.mean(0)
        spread = np.sqrt(((pts - centre) ** 2).mean())
        counts.append(int((np.linalg.norm(samples - centre, axis=1) <= COVER_RADIUS * spread).sum()))
    return np.asarray(counts)


@metric("modes_covered", arg="output")
def modes_covered(session, snapshot, node_id):
    """How many of the data's components (the ring's modes) the generator ``node_id``
    covers: a mode is covered when at least FAIR_SHARE of an even share of SAMPLES
    generated points (from fixed noise) fall within COVER_RADIUS standard deviations of its
    centre. Mode collapse covers 1 or 2; a good GAN on the ring covers all 8. Measured on
    evaluated snapshots (those with a train loss, every eval_every steps) and NaN on the
    others, so the live checklist does not run the generator at every probe."""
    if snapshot is not None and snapshot.train_loss is None:
        return float("nan")
    ds = session.dataset
    component = np.asarray(ds.y_train).reshape(-1)
    if ds.y_train.dtype.kind not in "iu" or len(component) != len(ds.x_train):
        return float("nan")
    samples = generated_samples(session, node_id)
    if not np.isfinite(samples).all():
        return 0.0
    return float(_covered(mode_coverage(samples, ds.x_train, component), len(samples)))
