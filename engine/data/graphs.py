"""Graph datasets: the karate club and a citation-style synthetic graph.

Transductive semi-supervised learning on one graph: every node is a sample (a row of x),
the whole graph goes through the network at once, and only a few nodes have a known label.
Both splits hold every node in the graph's order (so the adjacency matches the rows); a
node's label is UNLABELLED in the split it does not belong to:

    y_train[i] = class of node i if i is labelled else UNLABELLED      (the loss counts these)
    y_test[i]  = class of node i if i is not labelled else UNLABELLED  (the test: the others)

UNLABELLED is PyTorch's ``ignore_index`` default (-100): CrossEntropyLoss and NLLLoss skip
those rows, and the accuracy counts only rows with a class (engine.train.Session). The
graph itself travels as ``Dataset.graph`` (a GraphData); the Adjacency node takes it from
there, and the Session trains on the whole graph in its order (no shuffling).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import CLASSIFICATION, Dataset
from .registry import SEED, register
from ..graph.registry import ParamSpec

GROUP = "Graphs"
#: the label of a node outside a split (PyTorch's ignore_index default)
UNLABELLED = -100
#: the most nodes a graph dataset has: the session's probes evaluate at most this many rows
#: at once (engine.train.session.PROBE_EVAL_LIMIT) and a graph cannot be cut
MAX_NODES = 256


@dataclass(frozen=True)
class GraphData:
    """An undirected graph on ``n_nodes`` nodes and which of them are labelled."""

    n_nodes: int
    edges: np.ndarray       # (E, 2) int64, each undirected edge once, i < j
    labelled: np.ndarray    # (N,) bool: the nodes whose label training sees

    def adjacency(self) -> np.ndarray:
        """The 0/1 adjacency matrix A (N x N float32, symmetric, zero diagonal)."""
        a = np.zeros((self.n_nodes, self.n_nodes), dtype=np.float32)
        i, j = self.edges.T
        a[i, j] = a[j, i] = 1.0
        return a


def _unique_edges(edges) -> np.ndarray:
    e = np.sort(np.asarray(edges, dtype=np.int64).reshape(-1, 2), axis=1)
    e = e[e[:, 0] != e[:, 1]]
    return np.unique(e, axis=0)


def graph_dataset(name, x, labels, edges, labelled, class_names, description) -> Dataset:
    """A Dataset over one graph (see the module docstring for the two splits)."""
    labels = np.asarray(labels, dtype=np.int64)
    x = np.ascontiguousarray(x, dtype=np.float32)
    y_train = np.where(labelled, labels, UNLABELLED)
    y_test = np.where(labelled, UNLABELLED, labels)
    graph = GraphData(len(labels), _unique_edges(edges), np.asarray(labelled, dtype=bool))
    return Dataset(name, CLASSIFICATION, x, y_train, x.copy(), y_test, n_classes=len(class_names),
                   description=description, class_names=tuple(class_names), graph=graph)


@register("karate", GROUP, CLASSIFICATION,
          "Zachary's karate club: 34 members, 78 friendships; the club split in two (Mr. Hi's "
          "and the Officer's). A few members per side are labelled, the network guesses the rest.",
          ParamSpec("labelled", "ints", (0, 1, 32, 33), "the members whose side is known (numbers "
                    "0 to 33; by default the two leaders, 0 and 33, and one friend of each)", min=0, max=33),
          ParamSpec("features", "choice", "identity", "each member's features: identity (a one-hot "
                    "vector: the network knows only who it is and who its friends are) or degree "
                    "(the number of friends, one feature)", choices=("identity", "degree")))
def karate(labelled, features):
    import networkx as nx  # noqa: PLC0415 - only for this dataset

    g = nx.karate_club_graph()
    n = g.number_of_nodes()
    labels = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)])
    edges = np.array(list(g.edges()), dtype=np.int64)
    degree = np.array([g.degree(i) for i in range(n)], dtype=np.float64)
    x = np.eye(n) if features == "identity" else (degree / degree.max())[:, None]
    known = np.zeros(n, dtype=bool)
    known[list(labelled)] = True
    if len(set(labels[known])) < 2:
        raise ValueError("option 'labelled' must name at least one member of each side "
                         "(0 is Mr. Hi, 33 the Officer)")
    return graph_dataset("karate", x, labels, edges, known,
                         ("Mr. Hi", "Officer"),
                         "Zachary's karate club (networkx): one graph, each member a node")


@register("citation", GROUP, CLASSIFICATION,
          "A citation-style graph: papers of a few topics (a stochastic block model: papers cite "
          "their own topic more often) with bag-of-words features whose words depend on the topic.",
          ParamSpec("n_nodes", "int", 150, "papers (nodes) in the graph", min=20, max=MAX_NODES),
          ParamSpec("n_classes", "int", 3, "topics (classes)", min=2, max=6),
          ParamSpec("n_words", "int", 40, "words of the vocabulary (features per paper)", min=4, max=200),
          ParamSpec("words_per_paper", "int", 6, "words each paper contains", min=1, max=50),
          ParamSpec("topic_words", "float", 0.5, "fraction of a paper's words drawn from its topic's "
                    "own words (the rest from the whole vocabulary)", min=0.0, max=1.0),
          ParamSpec("cite_same", "float", 0.08, "probability that two papers of the same topic are "
                    "linked", min=0.0, max=1.0),
          ParamSpec("cite_other", "float", 0.01, "probability that two papers of different topics "
                    "are linked", min=0.0, max=1.0),
          ParamSpec("labelled_per_class", "int", 5, "papers of each topic whose topic is known",
                    min=1, max=50),
          SEED)
def citation(n_nodes, n_classes, n_words, words_per_paper, topic_words, cite_same, cite_other,
             labelled_per_class, seed):
    rng = np.random.default_rng(seed)
    labels = np.arange(n_nodes) % n_classes
    rng.shuffle(labels)
    # the stochastic block model: each pair linked with a probability set by their topics
    same = labels[:, None] == labels[None, :]
    linked = np.triu(rng.random((n_nodes, n_nodes)) < np.where(same, cite_same, cite_other), k=1)
    edges = np.argwhere(linked)
    # bag of words: each topic owns a slice of the vocabulary
    own = np.array_split(np.arange(n_words), n_classes)
    x = np.zeros((n_nodes, n_words))
    for i, c in enumerate(labels):
        from_topic = rng.random(words_per_paper) < topic_words
        words = np.where(from_topic, rng.choice(own[c], words_per_paper),
                         rng.integers(0, n_words, words_per_paper))
        x[i, words] = 1.0
    x /= np.maximum(x.sum(1, keepdims=True), 1.0)   # row-normalised, as Cora's features usually are
    labelled = np.zeros(n_nodes, dtype=bool)
    for c in range(n_classes):
        members = np.flatnonzero(labels == c)
        labelled[rng.choice(members, min(labelled_per_class, len(members)), replace=False)] = True
    return graph_dataset("citation", x, labels, edges, labelled,
                         tuple(f"topic {c}" for c in range(n_classes)),
                         "a synthetic citation graph (stochastic block model, bag-of-words features)")
