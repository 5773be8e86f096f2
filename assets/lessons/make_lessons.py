"""Writes the lesson files (assets/lessons/*.nnpg) from their scripts in assets/lessons/src/.

    .venv/bin/python assets/lessons/make_lessons.py            # every lesson
    .venv/bin/python assets/lessons/make_lessons.py xor_mlp    # only these file stems

Each module in src/ (one per chapter; names starting with "_" are helpers) defines
``LESSONS = {"file_stem": builder}``; a builder returns a Graph with its ``lesson`` section set
(see src/_drawing.py). The .nnpg files are committed: a change to a lesson is a change to its
script followed by a re-run (a test regenerates every lesson and compares).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
ROOT = HERE.parents[1]
for path in (ROOT, SRC):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from engine.graph import fileformat  # noqa: E402


def chapter_modules():
    """The lesson scripts in src/, by file name."""
    return sorted(p for p in SRC.glob("*.py") if not p.name.startswith("_"))


def builders():
    """{file stem: builder} over every script in src/; a stem defined twice is an error."""
    found, where = {}, {}
    for path in chapter_modules():
        spec = importlib.util.spec_from_file_location(f"nnpg_lessons_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for stem, make in getattr(module, "LESSONS", {}).items():
            if stem in found:
                raise SystemExit(f"lesson {stem!r} is defined in {where[stem]} and {path.name}")
            found[stem], where[stem] = _named(make), path.name
    return found


def _named(make):
    """The builder, then long flat chains folded into bands (_drawing.fold_long_rows) and the
    lesson's node labels in both languages (_drawing.name_nodes)."""
    from _drawing import fold_long_rows, name_nodes  # noqa: PLC0415 - src/ is on the path (above)

    def build():
        return name_nodes(fold_long_rows(make()))
    return build


def main(argv=None):
    wanted = set(sys.argv[1:] if argv is None else argv)
    made = builders()
    unknown = wanted - set(made)
    if unknown:
        raise SystemExit(f"no lesson named {', '.join(sorted(unknown))}")
    for stem, make in made.items():
        if wanted and stem not in wanted:
            continue
        path = HERE / f"{stem}.nnpg"
        fileformat.save(make(), path)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
