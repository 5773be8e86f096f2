"""The JSON schema of a current-version .nnpg file, with node params typed from the registry.

``schema()`` returns the schema (a plain dict, cached); ``problems(doc)`` yields
``(json path, message)`` pairs, e.g. ``("graph.nodes[3].params.out_features",
"must be a whole number")``. The loader turns the first into its one-line LoadError.

The structure is checked here; whether values are in range (out_features >= 1) is the
validator's job (engine.graph.validate), so a student can open a file and fix it.

``limits_problem(doc)`` holds every value of a file, whatever its key, to the limits below
(finite numbers of bounded magnitude, valid text of bounded length, bounded nesting), so
no later step meets an OverflowError, a lone surrogate or a RecursionError.
"""
from __future__ import annotations

import functools
import itertools
import json
import re

import jsonschema

from ..i18n import N_, _
from ..optim.perceptron import RULES as PERCEPTRON_RULES
from . import registry
from .scheme import SCHEMA as SCHEME_SCHEMA

FORMAT = "nn-playground"
VERSION = 2

#: Limits every file is held to (docs/file-format.md, "Limits"). They are far above what a
#: lesson needs and low enough that no step after loading overflows, recurses too deeply
#: or echoes a huge value.
MAX_FILE_BYTES = 8 * 2**20      # a graph, not data: the largest example is 5 KB
MAX_DEPTH = 64                  # nested objects and lists
MAX_MAGNITUDE = 10**15          # any number (ints are exact as floats far beyond this)
MAX_POSITION = 1_000_000        # a node's pos on the canvas
MAX_NAME_LENGTH = 200           # ids, types, labels, ties, ports, module and port names
MAX_TEXT_LENGTH = 100_000       # any other text, and any key

#: characters no string may hold: C0 and C1 control characters other than tab, line feed
#: and carriage return (escape sequences would reach the terminal), and lone UTF-16
#: surrogates (not characters: they cannot be written as UTF-8)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: names are shown on one line (the canvas, messages): no control character at all, and no
#: bidirectional embedding, override or isolate, which would reorder the text around them
_SHOWN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*\Z"

_INT = {"type": "integer"}
_NUMBER = {"type": "number"}
_NAME = {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": _SHOWN}
_POSITION = {"type": "number", "minimum": -MAX_POSITION, "maximum": MAX_POSITION}

#: JSON schema of one param value of each ParamSpec kind (types only; ranges are checked
#: by validation)
KIND_SCHEMAS = {
    "int": _INT,
    "float": _NUMBER,
    "bool": {"type": "boolean"},
    "str": {"type": "string"},
    "ints": {"type": "array", "items": _INT},
    "floats": {"type": "array", "items": _NUMBER},
}


def _param_schema(spec) -> dict:
    if spec.kind == "choice":
        s = {"enum": list(spec.choices)}
    else:
        s = dict(KIND_SCHEMAS[spec.kind])
    if spec.nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    return s


def params_schema(node_type) -> dict:
    """The JSON schema of one node type's params object (value types, not ranges)."""
    return {"type": "object",
            "properties": {spec.name: _param_schema(spec) for spec in node_type.params}}


def _graph_schema() -> dict:
    # each node's params are checked against its own type's schema in problems(), which is
    # much faster than one schema with a branch per node type
    node = {
        "type": "object",
        "required": ["id", "type"],
        "properties": {
            "id": _NAME,
            "type": _NAME,
            "params": {"type": "object"},
            "pos": {"type": "array", "items": _POSITION, "minItems": 2, "maxItems": 2},
            "label": {"type": ["string", "null"], "maxLength": MAX_NAME_LENGTH, "pattern": _SHOWN},
            "tie": {"type": ["string", "null"], "maxLength": MAX_NAME_LENGTH, "pattern": _SHOWN},
        },
    }
    edge = {
        "type": "object",
        "required": ["src", "src_port", "dst", "dst_port"],
        "properties": {k: _NAME for k in ("src", "src_port", "dst", "dst_port")},
    }
    return {
        "type": "object",
        "properties": {"nodes": {"type": "array", "items": node},
                       "edges": {"type": "array", "items": edge}},
    }


_NAMED = {"type": "object", "properties": {"name": {"type": "string"}}}
_DATASET = {"type": "object", "properties": {
    "name": {"type": "string"}, "seed": {"type": "integer", "minimum": 0},
    "points": {"type": "array", "items": {"type": "array", "items": _NUMBER, "minItems": 2}}}}

#: trainers that apply a learning rule to one Linear layer instead of gradients
RULE_TRAINERS = PERCEPTRON_RULES

#: weight initialisations ``settings.init`` may name, applied to every Linear, Bilinear and
#: convolution weight (biases start at zero), like Keras' kernel_initializer
INITS = ("default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
         "normal", "zeros")

#: Every key of ``graph.settings``: key -> (JSON schema of its value, default, meaning).
#: The file schema, the Session's and ``playground train``'s defaults, and the settings
#: table of docs/file-format.md (a test compares them) all come from here. A default of
#: None means "none" (or, for eval_every, "5 x probe_every").
SETTINGS = {
    "description": ({"type": "string"}, "",
                    "what the network shows, in a sentence or two (the Examples menu shows it)"),
    "dataset": (_DATASET, None,
                "the dataset: {\"name\": ..., options}; names and options are listed by "
                "engine.data.DATASETS (e.g. {\"name\": \"xor\", \"n_samples\": 200, "
                "\"noise\": 0.0, \"test_fraction\": 0.5}). \"seed\" picks the sample drawn "
                "(New data on the decision-boundary panel sets it); \"points\": "
                "[[x1, ..., xd, label], ...] are samples a user placed (clicked on the plot), "
                "added to the training split: d inputs, then the class index (classification) "
                "or the target values (regression)"),
    "task": ({"enum": ["classification", "regression"]}, None,
             "what the editor shows for the dataset; training takes the task from the dataset itself"),
    "batch_size": ({"type": "integer", "minimum": 1, "maximum": 1_000_000}, 10,
                   "samples per training step"),
    "optimizer": ({"type": "object", "properties": {"name": {"type": "string"},
                                                    "lr": {"type": "number", "minimum": 0}}},
                  {"name": "SGD", "lr": 0.03},
                  "{\"name\": one of SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Rprop, Lion, AIMD, "
                  "Newton, ConjugateGradient (these two for full batches), plus that optimizer's hyperparameters under torch's names (\"lr\", \"momentum\", "
                  "\"betas\", ...)}"),
    "schedule": (_NAMED, None,
                 "learning-rate schedule, stepped once per epoch: {\"name\": one of none, StepLR, "
                 "MultiStepLR, ExponentialLR, CosineAnnealingLR, plus that schedule's torch arguments "
                 "(\"step_size\", \"gamma\", ...)}"),
    "init": ({"anyOf": [{"enum": list(INITS)},
                        {"type": "object", "required": ["name"],
                         "properties": {"name": {"enum": list(INITS)},
                                        "nonlinearity": {"type": "string"},
                                        "gain": {"type": "number"},
                                        "std": {"type": "number", "minimum": 0}}}]},
             "default",
             "initialisation of every Linear/Bilinear/convolution weight: a name, or {\"name\", "
             "\"nonlinearity\" (kaiming_*, default \"relu\"), \"gain\" (xavier_*, default 1.0), "
             "\"std\" (normal: weights drawn from N(0, std^2), default 1.0)}; \"zeros\" starts every "
             "weight at 0 (all units of a layer alike). Biases then start at 0. \"default\" keeps "
             "each layer's torch initialisation"),
    "seed": ({"type": "integer", "minimum": 0}, 0,
             "seeds the initial weights (per node), the batch order and dropout: same seed, same numbers"),
    "device": ({"enum": ["cpu", "numpy", "gpu", "cuda", "cupy"]}, "cpu",
               "\"cpu\" (NumPy) or \"gpu\" (CuPy; \"cuda\" is accepted too)"),
    "steps": ({"type": "integer", "minimum": 0}, 500, "steps `playground train` runs without --steps"),
    "probe_every": ({"type": "integer", "minimum": 1}, 10,
                    "a Snapshot (activation and gradient statistics, trajectory point) every this many steps"),
    "eval_every": ({"type": "integer", "minimum": 0}, None,
                   "train/test loss and accuracy, and the diagnostics, every this many steps "
                   "(default 5 x probe_every; 0 = never while training)"),
    "clip_grad_norm": ({"type": "number", "minimum": 0}, None,
                       "rescale the gradients whenever their total L2 norm exceeds this value "
                       "(torch.nn.utils.clip_grad_norm_), a remedy for exploding gradients; "
                       "none or 0 = no clipping"),
    "early_stopping": ({"type": "object", "additionalProperties": False,
                        "properties": {"patience": {"type": "integer", "minimum": 1},
                                       "min_delta": {"type": "number", "minimum": 0},
                                       "restore_best": {"type": "boolean"}}}, None,
                       "stop training when the test loss has not improved (by more than "
                       "\"min_delta\", default 0) for \"patience\" evaluations in a row (see "
                       "eval_every), and put back the weights of the best evaluation (unless "
                       "\"restore_best\" is false): {\"patience\": 5}; none or {} (no patience) = "
                       "train every step"),
    "scheme": (SCHEME_SCHEMA, None,
               "training with several players instead of one loss and one optimizer: {\"name\": ..., "
               "\"players\": [{\"name\", \"costs\": [cost node ids], \"nodes\": [node ids whose weights "
               "it trains], \"optimizer\" (default: settings.optimizer), \"steps\" (default 1)}, ...]}; "
               "each training step runs every player in turn: a forward, the backward of its costs only, "
               "and its optimizer's step on its nodes' weights only (a GAN: discriminator, then generator)"),
    "trainer": ({"enum": ["gradient", *RULE_TRAINERS]}, "gradient",
                "\"gradient\" (backpropagation and the optimizer), \"perceptron\" (Rosenblatt's rule) "
                "or \"hebb\" (Hebb's rule), the last two on the graph's one Linear layer, whose input "
                "must not depend on the target"),
}


def setting(settings: dict, key: str):
    """``settings[key]``, or its documented default when missing or null."""
    value = (settings or {}).get(key)
    if value is None:   # a copy: a caller may not change the table's default
        value = SETTINGS[key][1]
        return dict(value) if isinstance(value, dict) else value
    return value


def _settings_schema() -> dict:
    # null is every setting's "use the default" (docs/file-format.md, Settings)
    return {"type": "object",
            # (if/else rather than anyOf: a refusal keeps the setting's own message)
            "properties": {k: {"if": {"type": "null"}, "else": v[0]} for k, v in SETTINGS.items()}}


#: what a lesson's page buttons and a goal's variant changes may do (docs/file-format.md,
#: "The lesson section"), each with the keys it needs
LESSON_ACTIONS = {
    "train": ("steps",),
    "set_param": ("node", "param", "value"),
    "replace_node": ("node", "type"),
    "set_setting": ("key", "value"),
    "show_panel": ("panel",),
    "reset": (),
}
#: the actions a goal's ``variant`` may apply: those that change the graph
VARIANT_ACTIONS = ("set_param", "replace_node", "set_setting")
GOAL_OPS = ("<", "<=", ">", ">=")
GOAL_WHENS = ("end", "by", "always")
VERDICT_KINDS = ("vanishing", "exploding", "saturation", "dead", "nan", "divergence")


def _lesson_schema() -> dict:
    """The structure of the ``lesson`` section (types and required keys). What the values
    mean (a known chapter, metric or node) is engine.lessons.problems' job."""
    text = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}
    step = {"type": "integer", "minimum": 0}
    action = {
        "type": "object", "required": ["do"],
        "properties": {"do": {"enum": list(LESSON_ACTIONS)}, "steps": step, "node": _NAME,
                       "param": _NAME, "type": _NAME, "key": _NAME, "panel": _NAME,
                       "options": {"type": "object"}},
        "allOf": [{"if": {"properties": {"do": {"const": do}}, "required": ["do"]},
                   "then": {"required": list(keys)}} for do, keys in LESSON_ACTIONS.items() if keys],
    }
    limit = {"type": "object",
             "properties": {"node": _NAME, "param": _NAME, "max": {"type": "number"},
                            "max_params": {"type": "integer", "minimum": 0}}}
    goal = {
        "type": "object", "required": ["id", "text"],
        "properties": {
            "id": _NAME, "text": text,
            "metric": _NAME, "op": {"enum": list(GOAL_OPS)}, "value": {"type": "number"},
            "relative_to": _NAME,
            "verdict": {"enum": list(VERDICT_KINDS)}, "present": {"type": "boolean"},
            "nodes": {"type": "array", "items": _NAME},
            "when": {"enum": list(GOAL_WHENS)}, "step": step,
            "variant": {"type": "object", "required": ["changes"],
                        "properties": {"changes": {"type": "array", "items": action}}},
            "challenge": {"type": "boolean"}, "check": {"type": "boolean"},
            "limits": {"type": "array", "items": limit},
        },
    }
    return {
        "type": "object", "required": ["chapter", "title"],
        "properties": {
            "chapter": _NAME, "order": {"type": "integer", "minimum": 0},
            "title": text, "summary": text,
            "speed": {"type": "number", "exclusiveMinimum": 0},
            "panels": {"type": "array", "items": {"type": "object", "required": ["panel"],
                                                  "properties": {"panel": _NAME,
                                                                 "options": {"type": "object"}}}},
            "pages": {"type": "array", "items": {"type": "object", "required": ["text"],
                                                 "properties": {"text": text,
                                                                "actions": {"type": "array",
                                                                            "items": action}}}},
            "goals": {"type": "array", "items": goal},
            # node id -> its label in each language (shown while the node keeps that label)
            "labels": {"type": "object", "additionalProperties": text},
        },
    }


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    port_ref = {"type": "object", "required": ["name", "node", "port"],
                "properties": {k: _NAME for k in ("name", "node", "port")}}
    graph = _graph_schema()
    module = {
        "type": "object",
        "required": ["name", "graph"],
        "properties": {"name": _NAME, "graph": {"$ref": "#/$defs/graph"},
                       "inputs": {"type": "array", "items": port_ref},
                       "outputs": {"type": "array", "items": port_ref}},
    }
    top_graph = {
        "type": "object",
        "required": ["nodes", "edges"],
        "allOf": [{"$ref": "#/$defs/graph"}],
        "properties": {"modules": {"type": "array", "items": module},
                       "settings": _settings_schema(),
                       "view": {"type": "object"}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "NN Playground graph file (.nnpg)",
        "type": "object",
        "required": ["format", "version", "graph"],
        "properties": {"format": {"const": FORMAT}, "version": {"const": VERSION}, "graph": top_graph,
                       "lesson": _lesson_schema()},
        "$defs": {"graph": graph},
    }


def _strict_int(checker, instance):
    """JSON's 2.0 is not a whole number here (jsonschema's default would accept it)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@functools.lru_cache(maxsize=1)
def _validator_class():
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", _strict_int)
    return jsonschema.validators.extend(base, type_checker=checker)


@functools.lru_cache(maxsize=1)
def _validator():
    return _validator_class()(schema())


@functools.lru_cache(maxsize=None)
def _params_validator(type_name):
    nt = registry.get(type_name)
    return None if nt is None else _validator_class()(params_schema(nt))


_TYPE_WORDS = {"integer": N_("a whole number"), "number": N_("a number"), "string": N_("text"),
               "boolean": N_("true or false"), "array": N_("a list"), "object": N_("an object ({...})"),
               "null": "null"}


def json_path(parts) -> str:
    """["graph", "nodes", 3, "params"] -> "graph.nodes[3].params"."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _PLAIN_KEY.match(p):
            out += f".{p}" if out else p
        else:  # a key that is long, empty or not plain text is quoted (escaped) and cut short
            out += "[" + json.dumps(p[:40]) + ("..." if len(p) > 40 else "") + "]"
    return out or "(top level)"


_PLAIN_KEY = re.compile(r"[^\x00-\x20\x7f-\x9f\ud800-\udfff.\[\]\"]{1,40}\Z")


def _words(error) -> str:
    v, value = error.validator, error.validator_value
    if v == "type":
        types = value if isinstance(value, list) else [value]
        return _("must be {what}").format(what=_(" or ").join(_(_TYPE_WORDS.get(t, t)) for t in types))
    if v == "const":
        return _("must be {what}").format(what=repr(value))
    if v == "enum":
        return _("must be one of {choices}").format(choices=", ".join(map(str, value)))
    if v == "minimum":
        return _("must be at least {value}").format(value=value)
    if v == "maximum":
        return _("must be at most {value}").format(value=value)
    if v == "exclusiveMinimum":
        return _("must be more than {value}").format(value=value)
    if v == "minProperties":
        return _("must not be empty")
    if v == "minLength":
        return _("must not be empty")
    if v == "maxLength":
        return _("is too long (at most {n} characters)").format(n=value)
    if v == "pattern":
        return _("must not hold control characters (line breaks, tabs, escape codes, direction overrides)")
    if v in ("minItems", "maxItems") and error.schema.get("minItems") == error.schema.get("maxItems"):
        return _("must have exactly {n} items").format(n=error.schema["minItems"])
    if v == "minItems":
        return _("must have at least {n} items").format(n=value)
    if v == "maxItems":
        return _("must have at most {n} items").format(n=value)
    if v == "anyOf":
        # a nullable param: report the non-null alternative's words
        inner = [s for s in value if s.get("type") != "null"]
        if inner and "type" in inner[0]:
            return _("must be {what} or null").format(what=_(_TYPE_WORDS.get(inner[0]["type"], inner[0]["type"])))
        if inner and "enum" in inner[0]:
            return _("must be one of {choices} or null").format(choices=", ".join(map(str, inner[0]["enum"])))
    return error.message.splitlines()[0][:200]


#: errors collected per validation: a 100,000-item list of wrong values is reported by its
#: first ones, without building 100,000 error objects
_MAX_ERRORS = 100


def _errors(validator, instance, prefix=()):
    found = []
    for error in itertools.islice(validator.iter_errors(instance), _MAX_ERRORS):
        # descend into wrappers to the innermost, most telling error (anyOf reads as a whole)
        while error.context and error.validator != "anyOf":
            error = min(error.context, key=lambda e: -len(e.absolute_path))
        parts = list(prefix) + list(error.absolute_path)
        if error.validator == "required":
            missing = [k for k in error.validator_value if not isinstance(error.instance, dict)
                       or k not in error.instance]
            parts.append(missing[0] if missing else "?")
            found.append((json_path(parts), _("is missing")))
        else:
            found.append((json_path(parts), _words(error)))
    return found


def _node_lists(doc):
    graph = doc.get("graph") if isinstance(doc, dict) else None
    if not isinstance(graph, dict):
        return
    yield ("graph",), graph.get("nodes")
    modules = graph.get("modules")
    if isinstance(modules, list):
        for i, m in enumerate(modules):
            if isinstance(m, dict) and isinstance(m.get("graph"), dict):
                yield ("graph", "modules", i, "graph"), m["graph"].get("nodes")


def problems(doc):
    """(path, message) for each schema violation, most specific first."""
    found = _errors(_validator(), doc)
    for prefix, nodes in _node_lists(doc):
        if not isinstance(nodes, list):
            continue
        for i, node in enumerate(nodes):
            if not (isinstance(node, dict) and isinstance(node.get("type"), str)
                    and isinstance(node.get("params"), dict)):
                continue
            validator = _params_validator(node["type"])
            if validator is not None:
                found += _errors(validator, node["params"], prefix + ("nodes", i, "params"))
    found.sort(key=lambda pm: -pm[0].count(".") - pm[0].count("["))
    return found


# ----------------------------------------------------------------- limits on every value
class Refused:
    """What the loader's JSON hooks put in place of a number no file may hold (1e999, a
    310-digit integer, NaN), so that limits_problem reports it with its JSON path."""

    __slots__ = ("reason",)

    def __init__(self, reason):
        self.reason = reason


class DuplicateKeys(dict):
    """An object in which a key appears twice (JSON keeps the last silently; we refuse it)."""

    key = ""


def text_problem(text):
    """Why ``text`` may not be in a file (too long, a lone surrogate, a control character
    other than tab and line breaks), or None."""
    if len(text) > MAX_TEXT_LENGTH:
        return f"is too long ({len(text)} characters; at most {MAX_TEXT_LENGTH})"
    if not text.isascii():
        bad = _SURROGATE.search(text)
        if bad:
            return f"holds {ascii(bad.group())}, which is not a character (a lone UTF-16 surrogate)"
    bad = _CONTROL.search(text)
    if bad:
        return f"holds the control character {ascii(bad.group())}"
    return None


def limits_problem(doc):
    """(JSON path, message) of the first value in ``doc`` (as parsed by the loader) that no
    file may hold, or None: a Refused number, text that text_problem refuses (values and
    keys), an object with a key twice, nesting deeper than MAX_DEPTH. Iterative, so deep
    nesting is reported instead of exhausting Python's stack."""
    if not isinstance(doc, (dict, list)):
        return None  # not a document at all: the loader says so
    stack = [((), doc, 1)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return json_path(path), f"is nested too deeply (more than {MAX_DEPTH} levels of lists and objects)"
        if isinstance(value, DuplicateKeys):
            return json_path(path + (value.key,)), "appears twice in the same object"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        children = []
        for key, item in items:
            if isinstance(key, str):
                why = text_problem(key)
                if why:
                    return json_path(path + (key,)), "the key " + why
            if isinstance(item, str):
                why = text_problem(item)
                if why:
                    return json_path(path + (key,)), why
            elif isinstance(item, Refused):
                return json_path(path + (key,)), item.reason
            elif isinstance(item, (dict, list)):
                children.append((path + (key,), item, depth + 1))
        stack.extend(reversed(children))
    return None
