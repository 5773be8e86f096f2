"""Views and metrics of graph neural networks (node embeddings).

The "graph_embedding" view: every node of the data's graph placed at its hidden
representation (a layer's 2-D output, or the first two principal components of a wider
one), with the graph's edges, coloured by class, the labelled nodes marked. Training
pulls the two classes apart while the edges keep friends together: the picture of
message passing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.base import CLASSIFICATION
from .views import true_classes, view


@dataclass
class GraphEmbeddingView:
    node: str                  # whose output the points are
    nodes: list                # the nodes that can be shown (per-node outputs), in order
    points: np.ndarray         # (N, 2) each graph node's place
    width: int                 # features of that output (2: drawn as they are; more: PCA)
    explained: float | None    # PCA: fraction of the variance the two components keep
    edges: np.ndarray          # (E, 2) node index pairs
    true: np.ndarray           # (N,) class of every node
    labelled: np.ndarray       # (N,) bool: the nodes whose class training sees
    guess: np.ndarray          # (N,) predicted class
    class_names: tuple
    accuracy: float            # on the unlabelled nodes


def embedding_nodes(program) -> list:
    """Computed nodes whose output has one row per graph node: (nodes, features)."""
    from ..graph import registry as reg  # noqa: PLC0415

    out = []
    for nid in program.order:
        node = program.flat.nodes[nid]
        if node.node_type.category in (reg.OBSERVED, reg.PARAMETER, reg.COST) or program.needs_target(nid):
            continue
        shape = program.shapes.get((nid, program.out_ports(nid)[0]))
        if shape is not None and len(shape) == 2:
            out.append(nid)
    return out


def plane(h) -> tuple:
    """(points (N, 2), explained variance fraction or None): ``h`` itself when it has at most
    two columns, else its first two principal components, each signed so that its largest
    loading is positive (the picture does not flip from one frame to the next)."""
    h = np.asarray(h, dtype=np.float64).reshape(len(h), -1)
    if h.shape[1] <= 2:
        return np.pad(h, ((0, 0), (0, 2 - h.shape[1]))), None
    centred = h - h.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:2] * np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(1)])[:, None]
    total = float((s ** 2).sum())
    return centred @ vt.T, (float((s[:2] ** 2).sum()) / total if total > 0 else None)


@view("graph_embedding")
def graph_embedding_view(session, node: str | None = None) -> GraphEmbeddingView | None:
    """``node``: whose output to draw (default: the last hidden one before the prediction)."""
    ds = session.dataset
    graph = getattr(ds, "graph", None)
    if graph is None or ds.task != CLASSIFICATION:
        return None
    program = session.program
    nodes = embedding_nodes(program)
    if not nodes:
        return None
    hidden = [n for n in nodes if n != program.prediction_node]
    shown = node if node in nodes else (hidden or nodes)[-1]
    x = ds.x_test   # every node, in the graph's order (engine.data.graphs)
    h = np.asarray(session.node_output(shown, x)).reshape(len(x), -1)
    points, explained = plane(h)
    true = np.where(graph.labelled, true_classes(ds.y_train), true_classes(ds.y_test))
    guess = session.predicted_class(session.predict(x))
    test = ~graph.labelled
    accuracy = float(np.mean(guess[test] == true[test])) if test.any() else float("nan")
    return GraphEmbeddingView(node=shown, nodes=nodes, points=points, width=h.shape[1], explained=explained,
                              edges=graph.edges, true=true, labelled=graph.labelled, guess=guess, class_names=tuple(ds.class_names or ()), accuracy=accuracy)
