"""Generated documentation: docs/nodes.md (and its Italian twin docs/nodes.it.md, through
the engine's catalogs) from the registry (the one declaration of every
node type), and the settings table of docs/file-format.md from engine.graph.schema.SETTINGS
(between its ``<!-- settings:begin -->`` and ``<!-- settings:end -->`` lines).

    python -m engine.graph.docs            # rewrite both
    python -m engine.graph.docs --check    # exit 1 if either is out of date
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import i18n
from ..i18n import _
from . import registry, schema
from .registry import CATEGORIES, CATEGORY_TITLES

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "nodes.md"
#: docs/nodes.md in each language (the English one is the source's own words)
NODES_PATHS = {"en": DOCS_PATH, "it": DOCS_PATH.with_name("nodes.it.md")}
FILE_FORMAT_PATH = DOCS_PATH.with_name("file-format.md")
SETTINGS_BEGIN, SETTINGS_END = "<!-- settings:begin -->", "<!-- settings:end -->"


def _value(v):
    if v is None:
        return _("none")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)


def _ports(ports):
    out = []
    for p in ports:
        flags = [f for f, on in ((_("optional"), p.optional), (_("several edges"), p.multi)) if on]
        extra = f" ({', '.join(flags)})" if flags else ""
        out.append(f"`{p.name}`{extra}" + (f": {_(p.help)}" if p.help else ""))
    return "; ".join(out) or _("none")


def nodes_markdown(lang: str = "en") -> str:
    """docs/nodes.md in ``lang`` (the engine's language is ``lang`` meanwhile)."""
    previous = i18n.language()
    i18n.set_language(lang)
    try:
        return _nodes_markdown()
    finally:
        i18n.set_language(previous)


def _nodes_markdown() -> str:
    lines = [_("# Node types"), "",
             _("Generated from `engine.graph.registry` by `python -m engine.graph.docs`; do not edit by hand."),
             _("Parameter defaults equal PyTorch's (where PyTorch has none, the playground's starting value "
               "is given). Shapes are written batch first: `(batch, 2)`."), ""]
    types = registry.all_types()
    for cat in CATEGORIES:
        group = [t for t in types if t.category == cat]
        if not group:
            continue
        lines += [f"## {_(CATEGORY_TITLES[cat])}", ""]
        for t in sorted(group, key=lambda t: (t.group, t.name)):
            lines += [f"### {t.name}", "", f"*{_(t.group or CATEGORY_TITLES[cat])}*. {_(t.help)}", ""]
            lines.append(_("- Inputs: {ports}").format(ports=_ports(t.input_ports())))
            outs = _ports(t.output_ports())
            if t.dynamic_outputs is not None:
                outs += " " + _("(the number of outputs follows the settings)")
            lines.append(_("- Outputs: {ports}").format(ports=outs))
            if t.shape_doc:
                lines.append(_("- Shape: {rule}").format(rule=_(t.shape_doc)))
            if t.learnable:
                lines.append(_("- Learnable: yes (nodes with the same tie group share these weights)"))
            if "template" in t.extra:
                lines.append(_("- Inside: drawn from primitives in `engine.graph.blocks` (open it in the editor)"))
            if t.params:
                lines += ["", _("| setting | default | allowed | meaning |"), "|---|---|---|---|"]
                for p in t.params:
                    lines.append(f"| `{p.name}` | {_value(p.default)} | {p.describe()} | {_(p.help)} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _json_type(s) -> str:
    """A settings value's JSON schema in words: "whole number >= 1", "one of a, b", ..."""
    if "anyOf" in s:
        return " or ".join(_json_type(alt) for alt in s["anyOf"])
    if "enum" in s:
        return "one of " + ", ".join(f'`"{v}"`' for v in s["enum"])
    words = {"integer": "whole number", "number": "number", "string": "text", "object": "object",
             "boolean": "true/false"}[s["type"]]
    if "minimum" in s:
        words += f" >= {s['minimum']}"
    return words


def _json_default(key, value) -> str:
    if value is None:
        return "5 x probe_every" if key == "eval_every" else "none"
    return "`" + json.dumps(value) + "`"


def settings_markdown() -> str:
    """The table of every ``graph.settings`` key (schema.SETTINGS), as in file-format.md."""
    lines = ["| key | value | default | meaning |", "|---|---|---|---|"]
    for key, (json_schema, default, meaning) in schema.SETTINGS.items():
        lines.append(f"| `{key}` | {_json_type(json_schema)} | {_json_default(key, default)} | {meaning} |")
    return "\n".join(lines) + "\n"


def file_format_markdown(current: str) -> str:
    """``current`` (file-format.md) with its settings table regenerated."""
    head, rest = current.split(SETTINGS_BEGIN + "\n", 1)
    _, tail = rest.split(SETTINGS_END, 1)
    return head + SETTINGS_BEGIN + "\n" + settings_markdown() + SETTINGS_END + tail


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    current_ff = FILE_FORMAT_PATH.read_text(encoding="utf-8")
    wanted = {path: nodes_markdown(lang) for lang, path in NODES_PATHS.items()}
    wanted[FILE_FORMAT_PATH] = file_format_markdown(current_ff)
    if "--check" in argv:
        stale = [p for p, text in wanted.items()
                 if (p.read_text(encoding="utf-8") if p.exists() else "") != text]
        for p in stale:
            print(f"{p} is out of date: run python -m engine.graph.docs")
        return 1 if stale else 0
    for p, text in wanted.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
