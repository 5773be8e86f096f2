"""docs/nodes.md, generated from the registry (the one declaration of every node type).

    python -m engine.graph.docs            # rewrite docs/nodes.md
    python -m engine.graph.docs --check    # exit 1 if it is out of date
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import registry
from .registry import CATEGORIES, CATEGORY_TITLES

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "nodes.md"


def _value(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)


def _ports(ports):
    out = []
    for p in ports:
        flags = [f for f, on in (("optional", p.optional), ("several edges", p.multi)) if on]
        extra = f" ({', '.join(flags)})" if flags else ""
        out.append(f"`{p.name}`{extra}" + (f": {p.help}" if p.help else ""))
    return "; ".join(out) or "none"


def nodes_markdown() -> str:
    lines = ["# Node types", "",
             "Generated from `engine.graph.registry` by `python -m engine.graph.docs`; do not edit by hand.",
             "Parameter defaults equal PyTorch's (where PyTorch has none, the playground's starting value "
             "is given). Shapes are written batch first: `(batch, 2)`.", ""]
    types = registry.all_types()
    for cat in CATEGORIES:
        group = [t for t in types if t.category == cat]
        if not group:
            continue
        lines += [f"## {CATEGORY_TITLES[cat]}", ""]
        for t in sorted(group, key=lambda t: (t.group, t.name)):
            lines += [f"### {t.name}", "", f"*{t.group or CATEGORY_TITLES[cat]}*. {t.help}", ""]
            lines.append(f"- Inputs: {_ports(t.input_ports())}")
            outs = _ports(t.output_ports())
            if t.dynamic_outputs is not None:
                outs += " (the number of outputs follows the settings)"
            lines.append(f"- Outputs: {outs}")
            if t.shape_doc:
                lines.append(f"- Shape: {t.shape_doc}")
            if t.learnable:
                lines.append("- Learnable: yes (nodes with the same tie group share these weights)")
            if "template" in t.extra:
                lines.append("- Inside: drawn from primitives in `engine.graph.blocks` (open it in the editor)")
            if t.params:
                lines += ["", "| setting | default | allowed | meaning |", "|---|---|---|---|"]
                for p in t.params:
                    lines.append(f"| `{p.name}` | {_value(p.default)} | {p.describe()} | {p.help} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = nodes_markdown()
    if "--check" in argv:
        current = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""
        if current != text:
            print(f"{DOCS_PATH} is out of date: run python -m engine.graph.docs")
            return 1
        return 0
    DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCS_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
