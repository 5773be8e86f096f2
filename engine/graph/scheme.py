"""Training schemes: several players, each training its own nodes on its own costs.

Without ``settings.scheme`` a graph trains one loss (the sum of its cost nodes) with one
optimizer. With it, each training step runs every player in turn, ``steps`` times each:
a forward, the backward of that player's cost nodes only, and an optimizer step over the
parameters of that player's nodes only (the other parameters keep their values and the
gradients of their own player). A GAN is two players:

    "scheme": {"name": "adversarial", "players": [
        {"name": "discriminator", "costs": ["d_real", "d_fake"], "nodes": ["D1", "D2"],
         "optimizer": {"name": "Adam", "lr": 0.001}, "steps": 1},
        {"name": "generator", "costs": ["g_cost"], "nodes": ["G1", "G2"],
         "optimizer": {"name": "Adam", "lr": 0.001}}]}

``nodes`` name nodes of the document (a module instance stands for every node inside it; a
node tied to others shares their weights, so naming one trains the group). Every cost
node belongs to exactly one player, every node with weights to at most one (a node no
player names keeps its initial weights).

``scheme_problems(graph)`` (what ``check`` reports before anything is built, each named
by its JSON path) and ``check_players(program, players)`` (what needs the compiled
weights) hold the rules; ``players(settings)`` reads the setting.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from . import registry

PATH = "scheme"
#: the most steps one player may take per training step
MAX_PLAYER_STEPS = 100

_NAMES = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
#: the JSON schema of settings.scheme (engine.graph.schema.SETTINGS uses it)
SCHEMA = {
    "type": "object", "required": ["players"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "players": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name", "costs", "nodes"], "additionalProperties": False,
            "properties": {"name": {"type": "string", "minLength": 1}, "costs": _NAMES, "nodes": _NAMES,
                           "optimizer": {"type": "object", "properties": {"name": {"type": "string"},
                                                                          "lr": {"type": "number",
                                                                                 "minimum": 0}}},
                           "steps": {"type": "integer", "minimum": 1, "maximum": MAX_PLAYER_STEPS}}}},
    },
}


@dataclass(frozen=True)
class Player:
    name: str
    costs: tuple
    nodes: tuple
    optimizer: dict | None   # None: settings.optimizer
    steps: int = 1


def players(settings) -> list | None:
    """The players of ``settings.scheme`` (None when there is no scheme). Assumes the
    setting passed scheme_problems."""
    spec = (settings or {}).get("scheme")
    if not spec:
        return None
    return [Player(p["name"], tuple(p["costs"]), tuple(p["nodes"]), p.get("optimizer"), int(p.get("steps", 1)))
            for p in spec["players"]]


def loss_key(name: str) -> str:
    """The key of a player's loss in Snapshot.metrics (and so in the loss panel)."""
    return f"{name} loss"


def scheme_problems(graph) -> list:
    """(JSON path, why) for each way ``settings.scheme`` does not fit ``graph``: unknown
    nodes, costs that are not cost nodes or belong to two players, a cost node no player
    takes, player names given twice, an optimizer torch would refuse. The structure (types,
    required keys) is the file schema's job; this starts from a structurally valid setting."""
    settings = graph.settings or {}
    spec = settings.get("scheme")
    if not isinstance(spec, dict) or not isinstance(spec.get("players"), list):
        return []
    from ..optim import OPTIMIZERS  # noqa: PLC0415
    from .validate import _trial_step  # noqa: PLC0415 - validate imports this module

    found, names, owner = [], set(), {}
    for i, p in enumerate(spec["players"]):
        if not isinstance(p, dict):
            continue
        at = f"{PATH}.players[{i}]"
        if p.get("name") in names:
            found.append((f"{at}.name", _("names a player already named: give each player its own name")))
        names.add(p.get("name"))
        for j, cost in enumerate(p.get("costs") or ()):
            node = graph.nodes.get(cost)
            nt = registry.get(node.type) if node is not None else None
            if node is None:
                found.append((f"{at}.costs[{j}]", _("names no node of the graph")))
            elif nt is None or nt.category != registry.COST:
                found.append((f"{at}.costs[{j}]", _("names node '{node}' ({type}), which is not a cost").format(
                    node=cost, type=node.type)))
            elif cost in owner:
                found.append((f"{at}.costs[{j}]", _("names cost '{node}', which player '{other}' already "
                                                    "minimises").format(node=cost, other=owner[cost])))
            else:
                owner[cost] = p.get("name")
        for j, nid in enumerate(p.get("nodes") or ()):
            if nid not in graph.nodes:
                found.append((f"{at}.nodes[{j}]", _("names no node of the graph")))
        spec = p.get("optimizer")
        if isinstance(spec, dict):
            bad = _trial_step("gradient", spec, None)
            if bad:
                found.append((f"{at}.{bad[0]}", bad[1]))
            elif getattr(OPTIMIZERS.get(spec.get("name", "SGD")), "needs_closure", False):
                found.append((f"{at}.optimizer.name", _("{name} evaluates the loss again at points of its own; "
                                                        "a player takes plain gradient steps: choose SGD, Adam, "
                                                        "...").format(name=spec["name"])))
    for node in graph.nodes.values():
        nt = registry.get(node.type)
        if nt is not None and nt.category == registry.COST and node.id not in owner and not found:
            found.append((f"{PATH}.players", _("no player minimises cost node '{node}': add it to one "
                                               "player's costs").format(node=node.id)))
            break
    if settings.get("schedule") and (settings["schedule"] or {}).get("name", "none") != "none":
        found.append(("schedule", _("a learning-rate schedule cannot be combined with settings.scheme "
                                    "(each player has its own optimizer): remove one of them")))
    if settings.get("trainer", "gradient") not in (None, "gradient"):
        found.append(("trainer", _("settings.scheme trains by gradients: the trainer must be 'gradient'")))
    return found


def owned_by(flat_id: str, node_id: str) -> bool:
    """Whether flat node ``flat_id`` is document node ``node_id`` or inside that instance."""
    return flat_id == node_id or flat_id.startswith(node_id + "/")


def player_parameters(program, player: Player) -> list:
    """The Parameters ``player`` trains: those of the modules of its nodes (a tie group's
    shared module once), in the program's parameter order."""
    modules = {id(m) for fid, m in program.node_modules.items()
               if m is not None and any(owned_by(fid, n) for n in player.nodes)}
    mine = {id(p) for m in program.modules() if id(m) in modules for p in m.parameters()}
    return [p for _, p in program.named_parameters() if id(p) in mine]


def check_players(program, plan) -> list:
    """[(Player, [Parameter])] of ``plan`` on the compiled ``program``, or CompileError
    (one line naming the player) when a player has no weights, or none of its weights
    reaches its costs, or two players would train one weight."""
    from .compile import CompileError  # noqa: PLC0415 - compile imports the registry, as we do

    owners, out = {}, []
    for p in plan:
        params = player_parameters(program, p)
        if not params:
            raise CompileError(_("settings.scheme: player '{player}' trains no weights: its nodes {nodes} have "
                                 "none").format(player=p.name, nodes=", ".join(f"'{n}'" for n in p.nodes)))
        for q in params:
            if id(q) in owners:
                raise CompileError(_("settings.scheme: players '{a}' and '{b}' both train the weights of the "
                                     "same node (tied nodes share them): give each node to one player").format(
                    a=owners[id(q)], b=p.name))
            owners[id(q)] = p.name
        feeding = {id(q) for nid in program.ancestors(p.costs) for _, q in program.node_parameters(nid)}
        if not feeding & {id(q) for q in params}:
            raise CompileError(_("settings.scheme: no weight of player '{player}' reaches its costs {costs}").format(
                player=p.name, costs=", ".join(f"'{c}'" for c in p.costs)), node=p.costs[0])
        out.append((p, params))
    return out
