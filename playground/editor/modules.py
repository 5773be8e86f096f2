"""Modules in the editor: group selected nodes into a ModuleDef + one ``Module`` node,
ungroup, place another instance (shared or independent weights), and the inside of a
ready-made block from the registry (``extra["template"]``) for read-only viewing.
"""
from __future__ import annotations

import copy

from engine.graph import Edge, Graph, ModuleDef, Node, PortRef
from engine.graph import registry
from engine.i18n import _

from . import commands, model
from .commands import AddEdgeOp, AddNodeOp, EditCommand, SetModuleOp, SetTieOp


def _centroid(nodes) -> tuple:
    nodes = list(nodes)
    if not nodes:
        return (0.0, 0.0)
    return (sum(n.pos[0] for n in nodes) / len(nodes), sum(n.pos[1] for n in nodes) / len(nodes))


def _exposed_name(port: str, node: str, taken: set) -> str:
    name = port if port not in taken else f"{node}_{port}"
    return commands.unique_name(taken, name)


def group(graph, node_ids, name: str | None = None, owner=None) -> EditCommand:
    """Replace the chosen nodes by one Module node; links crossing the boundary become
    the module's exposed ports (named after the inner port when that is unambiguous)."""
    chosen = [n for n in graph.nodes if n in set(node_ids)]
    if not chosen:
        raise ValueError(_("select the nodes to group first"))
    inside = set(chosen)
    if any(graph.nodes[n].type == model.MODULE_TYPE and graph.nodes[n].params.get("module") == name
           for n in chosen):
        raise ValueError(_("a module cannot contain itself"))
    name = name or commands.unique_name(graph.modules, "Block")
    if name in graph.modules:
        raise ValueError(_("a module named '{name}' already exists").format(name=name))

    inner = Graph()
    for n in chosen:
        inner.insert_node(Node.from_dict(graph.nodes[n].to_dict()))
    for e in graph.edges:
        if e.src in inside and e.dst in inside:
            inner.add_edge(e)
    # Module definitions used inside travel along (the outer file keeps them too).
    mdef = ModuleDef(name, inner)
    module_node = commands.new_node(graph, model.MODULE_TYPE, _centroid(graph.nodes[n] for n in chosen),
                                    {"module": name}, taken=inside)

    in_names, out_names, rewired = {}, {}, []
    for e in graph.edges:
        if e.dst in inside and e.src not in inside:
            key = (e.dst, e.dst_port)
            if key not in in_names:
                in_names[key] = _exposed_name(e.dst_port, e.dst, set(in_names.values()))
                mdef.inputs.append(PortRef(in_names[key], e.dst, e.dst_port))
            rewired.append(Edge(e.src, e.src_port, module_node.id, in_names[key]))
        elif e.src in inside and e.dst not in inside:
            key = (e.src, e.src_port)
            if key not in out_names:
                out_names[key] = _exposed_name(e.src_port, e.src, set(out_names.values()))
                mdef.outputs.append(PortRef(out_names[key], e.src, e.src_port))
            rewired.append(Edge(module_node.id, out_names[key], e.dst, e.dst_port))

    ops = commands.delete_ops(graph, chosen)
    ops += [SetModuleOp(graph, name, mdef), AddNodeOp(graph, module_node)]
    ops += [AddEdgeOp(graph, e) for e in rewired]
    cmd = EditCommand(_("Group {n} nodes into {name}").format(n=len(chosen), name=name), ops, graph, owner)
    cmd.node_id = module_node.id
    return cmd


def ungroup(graph, module_node_id: str, owner=None) -> EditCommand:
    """Put a module's inside back in place of its node (the definition goes when no
    other instance uses it)."""
    node = graph.nodes.get(module_node_id)
    mdef = model.module_def(graph, node) if node else None
    if mdef is None:
        raise ValueError(_("select a module node to ungroup"))
    inner = mdef.graph
    cx, cy = _centroid(inner.nodes.values())
    dx, dy = node.pos[0] - cx, node.pos[1] - cy
    taken = set(graph.nodes) - {module_node_id}
    mapping = {}
    for nid in inner.nodes:
        new_id = nid
        while new_id in taken:
            new_id = graph.new_id(inner.nodes[nid].type)
        taken.add(new_id)
        mapping[nid] = new_id
    refs_in = {p.name: p for p in mdef.inputs}
    refs_out = {p.name: p for p in mdef.outputs}
    edges = [Edge(mapping[e.src], e.src_port, mapping[e.dst], e.dst_port) for e in inner.edges]
    for e in graph.edges:
        if e.dst == module_node_id and e.dst_port in refs_in:
            ref = refs_in[e.dst_port]
            edges.append(Edge(e.src, e.src_port, mapping[ref.node], ref.port))
        elif e.src == module_node_id and e.src_port in refs_out:
            ref = refs_out[e.src_port]
            edges.append(Edge(mapping[ref.node], ref.port, e.dst, e.dst_port))

    ops = commands.delete_ops(graph, [module_node_id])
    for nid, inner_node in inner.nodes.items():
        copy_node = Node.from_dict(inner_node.to_dict())
        copy_node.id = mapping[nid]
        copy_node.pos = (inner_node.pos[0] + dx, inner_node.pos[1] + dy)
        ops.append(AddNodeOp(graph, copy_node))
    ops += [AddEdgeOp(graph, e) for e in edges]
    others = [n for n in graph.nodes.values()
              if n.id != module_node_id and n.type == model.MODULE_TYPE and n.params.get("module") == mdef.name]
    if not others:
        ops.append(SetModuleOp(graph, mdef.name, None))
    cmd = EditCommand(_("Ungroup {name}").format(name=mdef.name), ops, graph, owner)
    cmd.new_ids = [mapping[n] for n in inner.nodes]
    return cmd


def place_instance(graph, node_id: str, shared: bool, owner=None) -> EditCommand:
    """Another node of the same type/module beside ``node_id``. Shared: both carry one
    tie group, so they train one set of weights; independent: its own weights."""
    node = graph.nodes[node_id]
    twin = Node(graph.new_id(node.type), node.type, copy.deepcopy(node.params),
                (node.pos[0] + 40.0, node.pos[1] + 60.0), node.label)
    ops = []
    if shared:
        tie = node.tie or commands.unique_name({n.tie for n in graph.nodes.values() if n.tie},
                                               f"{model.display_name(node)}-shared")
        if node.tie != tie:
            ops.append(SetTieOp(graph, node_id, tie))
        twin.tie = tie
    ops.append(AddNodeOp(graph, twin))
    text = _("New shared instance of {name}") if shared else _("New independent instance of {name}")
    cmd = EditCommand(text.format(name=model.display_name(node)), ops, graph, owner)
    cmd.node_id = twin.id
    return cmd


def template_graph(node) -> Graph | None:
    """The inside of a ready-made block (MoE, attention, ...) for its params, or None."""
    from engine.graph import blocks

    if node.type in blocks.TEMPLATES:
        return blocks.template_graph(node.type, node.params)
    t = registry.get(node.type)
    tpl = t.extra.get("template") if t is not None else None
    return Graph.from_dict(tpl) if isinstance(tpl, dict) else None
