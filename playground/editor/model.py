"""Read-only questions the editor asks about the document: a node's ports, its
category, whether a link is allowed. The registry stays the one source of truth;
``Module`` nodes take their ports from their ModuleDef.
"""
from __future__ import annotations

import networkx as nx

from engine.graph import registry
from engine.graph.registry import FUNCTION, MODULE, Port
from engine.i18n import _
from playground.i18n import number

MODULE_TYPE = "Module"


def node_type(node):
    return registry.get(node.type)


def category_of(node) -> str:
    if node.type == MODULE_TYPE:
        return MODULE
    t = node_type(node)
    return t.category if t else FUNCTION


def module_def(graph, node):
    """The ModuleDef a ``Module`` node instantiates, or None."""
    if node.type != MODULE_TYPE:
        return None
    return graph.modules.get(node.params.get("module"))


def ports_of(graph, node) -> tuple:
    """(input ports, output ports) of a node, as registry ``Port`` objects (the
    registry's ``node_ports`` decides; unknown types keep the ports their edges use,
    so a bad file still shows)."""
    ins, outs = registry.node_ports(node, graph)
    if node.type != MODULE_TYPE and registry.get(node.type) is None:
        ins = tuple(Port(p) for p in sorted({e.dst_port for e in graph.edges_into(node.id)}))
        outs = tuple(Port(p) for p in sorted({e.src_port for e in graph.edges_out_of(node.id)}))
    return tuple(ins), tuple(outs)


def find_port(ports, name):
    for p in ports:
        if p.name == name:
            return p
    return None


def display_name(node, lesson=None) -> str:
    """The name shown for ``node``; a lesson's node names in the app's language (see
    engine.lessons.shown_label) when ``lesson`` (the document's) is given."""
    if node.label:
        if lesson:
            from engine.lessons import shown_label  # noqa: PLC0415

            return shown_label(lesson, node.id, node.label)
        return node.label
    if node.type == MODULE_TYPE:
        return str(node.params.get("module", "Module"))
    return node.type


def param_summary(node, limit: int = 3) -> str:
    """A short line under the title, e.g. "2 → 8" for Linear or "p=0.5"."""
    p = node.params
    if "in_features" in p and "out_features" in p:
        return f"{p['in_features']} → {p['out_features']}"
    t = node_type(node)
    if t is None:
        return ""
    parts = []
    for spec in t.params[:limit]:
        if spec.name in p and spec.kind in ("int", "float", "choice", "ints"):
            v = p[spec.name]
            if isinstance(v, float):
                v = number(v)   # p=0,5 in Italian
            elif isinstance(v, (list, tuple)):
                v = "×".join(map(str, v))
            parts.append(f"{spec.name}={v}")
    return ", ".join(parts)


def link_problem(graph, src: str, src_port: str, dst: str, dst_port: str) -> str | None:
    """None when src.src_port → dst.dst_port may be connected, else why not (one line)."""
    if src not in graph.nodes or dst not in graph.nodes:
        return _("both ends of a link must be nodes of this graph")
    if src == dst:
        return _("cannot connect '{node}' to itself").format(node=display_name(graph.nodes[src]))
    s_in, s_out = ports_of(graph, graph.nodes[src])
    d_in, d_out = ports_of(graph, graph.nodes[dst])
    src_name, dst_name = display_name(graph.nodes[src]), display_name(graph.nodes[dst])
    if find_port(s_out, src_port) is None:
        return _("'{node}' has no output '{port}'").format(node=src_name, port=src_port)
    port = find_port(d_in, dst_port)
    if port is None:
        if not d_in:
            return _("'{node}' takes no inputs (it is an observed variable or a source)").format(node=dst_name)
        return _("'{node}' has no input '{port}'").format(node=dst_name, port=dst_port)
    existing = graph.edges_into(dst, dst_port)
    if any(e.src == src and e.src_port == src_port for e in existing):
        return _("these ports are already connected")
    if existing and not port.multi:
        return _("input '{port}' of '{node}' is already connected; delete that link first").format(
            port=dst_port, node=dst_name)
    if _reaches(graph, dst, src):
        return _("this link would make a cycle ('{dst}' already feeds '{src}')").format(dst=dst_name, src=src_name)
    return None


def _reaches(graph, start: str, goal: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        n = stack.pop()
        if n == goal:
            return True
        for e in graph.edges:
            if e.src == n and e.dst not in seen:
                seen.add(e.dst)
                stack.append(e.dst)
    return False


def topological_layers(graph) -> list:
    """Node ids grouped by longest-path depth from the sources (cycles tolerated)."""
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((e.src, e.dst) for e in graph.edges if e.src in graph.nodes and e.dst in graph.nodes)
    try:
        order = list(nx.topological_sort(g))
    except nx.NetworkXUnfeasible:
        order = list(graph.nodes)
    depth = {}
    for n in order:
        preds = [depth[p] for p in g.predecessors(n) if p in depth]
        depth[n] = max(preds) + 1 if preds else 0
    # Sources (a Target, a Parameter) sit just before what consumes them, not all at depth 0.
    for n in order:
        succ = [depth[s] for s in g.successors(n)]
        if g.in_degree(n) == 0 and succ:
            depth[n] = max(0, min(succ) - 1)
    layers: dict[int, list] = {}
    for n in order:
        layers.setdefault(depth[n], []).append(n)
    return [layers[k] for k in sorted(layers)]


def auto_layout(graph, dx: float = 190.0, dy: float = 100.0) -> dict:
    """node id -> new position, left to right by topological layer, each layer centred."""
    positions = {}
    layers = topological_layers(graph)
    for i, layer in enumerate(layers):
        # Keep the current vertical order inside a layer: the user's intent.
        layer = sorted(layer, key=lambda n: graph.nodes[n].pos[1])
        top = -(len(layer) - 1) * dy / 2
        for j, n in enumerate(layer):
            positions[n] = (i * dx, top + j * dy)
    return positions
