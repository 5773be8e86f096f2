"""Lessons: a `.nnpg` file with a ``lesson`` section (docs/file-format.md, "The lesson section").

    from engine.lessons import CHAPTERS, catalog, problems, text
    for entry in catalog():                      # the shipped lessons, in course order
        print(entry.chapter.number, entry.path.name, text(entry.title, "it"))
    problems(graph)                              # [(JSON path, message)] of graph.lesson

- ``CHAPTERS``: the course notes' chapters, in order (id, English and Italian title).
- ``lesson_files()`` / ``catalog()``: the shipped lessons (assets/lessons) in course order.
- ``problems(graph)``: what is wrong with a lesson's values (an unknown chapter, metric,
  node or setting; a goal with two conditions...), each ``(JSON path, message)``; the
  loader has already checked the structure (engine.graph.schema). ``check(graph, source)``
  raises the first as a ``LessonError`` naming the file and the JSON path.
- ``goals``: the one evaluator of a lesson's goals (GoalTracker, check_lesson).
- ``changes``: the actions that change a graph (set_param, replace_node, set_setting).

Never imports Qt.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..graph import schema as _schema
from ..i18n import _, language


@dataclass(frozen=True)
class Chapter:
    number: int          # 1-based position in the course
    id: str
    title: dict          # {"en": ..., "it": ...}

    def heading(self, lang: str | None = None) -> str:
        """"3. Multi-layer perceptrons": how every list names the chapter."""
        return f"{self.number}. {text(self.title, lang)}"


_CHAPTER_TABLE = (
    ("linear", "Linear regression", "Regressione lineare"),
    ("perceptron", "Hebb's rule and the perceptron", "La regola di Hebb e il percettrone"),
    ("mlp", "Multi-layer perceptrons", "Percettroni multistrato"),
    ("approximation", "Universal approximation", "Approssimazione universale"),
    ("activations", "Activation functions", "Funzioni di attivazione"),
    ("losses", "Loss functions", "Funzioni di costo"),
    ("optimization", "Optimizers", "Ottimizzatori"),
    ("initialization", "Weight initialisation", "Inizializzazione dei pesi"),
    ("normalization", "Normalisation", "Normalizzazione"),
    ("regularization", "Overfitting and regularisation", "Sovradattamento e regolarizzazione"),
    ("cnn", "Convolutional networks", "Reti convoluzionali"),
    ("rnn", "Recurrent networks", "Reti ricorrenti"),
    ("modules", "Modules: multiplicative, attention, experts, sharing",
     "Moduli: moltiplicativo, attenzione, esperti, condivisione"),
    ("transformer", "The Transformer", "Il Transformer"),
    ("vanishing", "Vanishing gradients", "Gradienti che svaniscono"),
    ("papers", "A paper's figure", "La figura di un articolo"),
    ("generative", "Autoencoders and generative models", "Autoencoder e modelli generativi"),
    ("graphs", "Graph neural networks", "Reti neurali su grafi"),
    ("operators", "Neural operators", "Operatori neurali"),
)
#: the course notes' chapters in course order
CHAPTERS = tuple(Chapter(i + 1, cid, {"en": en, "it": it}) for i, (cid, en, it) in enumerate(_CHAPTER_TABLE))
_BY_ID = {c.id: c for c in CHAPTERS}


def chapter(chapter_id: str) -> Chapter | None:
    return _BY_ID.get(chapter_id)


class LessonError(UserError, ValueError):
    """A lesson that cannot be used; one line naming the file and the lesson's JSON path."""


def text(value, lang: str | None = None) -> str:
    """A lesson text ({"en": ..., "it": ...}) in ``lang`` (default: the engine's language),
    else in English, else in whichever language the file holds ("" for none)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return ""
    if lang is None:
        lang = language()
    for key in (lang, "en"):
        if isinstance(value.get(key), str):
            return value[key]
    return next((v for v in value.values() if isinstance(v, str)), "")


# ---------------------------------------------------------------------- the shipped lessons
def lessons_dir() -> Path | None:
    """The folder of the shipped lessons (assets/lessons, also inside a bundle), or None."""
    from ..data.assets import asset_path  # noqa: PLC0415

    try:
        return asset_path("lessons")
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Entry:
    """One lesson file as a list shows it."""

    path: Path
    chapter: Chapter
    order: int
    title: dict
    summary: dict


def catalog(folder=None) -> list:
    """[Entry] for every ``.nnpg`` lesson in ``folder`` (default: the shipped lessons), in
    course order: by chapter, then ``order``, then file name. Files that do not load, have
    no lesson section or name an unknown chapter are left out (``playground check`` and
    the tests report them)."""
    from ..graph import fileformat  # noqa: PLC0415

    folder = lessons_dir() if folder is None else Path(folder)
    if folder is None:
        return []
    entries = [_entry(path) for path in sorted(Path(folder).glob("*" + fileformat.EXTENSION))]
    entries = [e for e in entries if e is not None]
    entries.sort(key=lambda e: (e.chapter.number, e.order, e.path.name))
    return entries


#: path -> ((modification time, size), Entry or None): a file is read again only when it changes
_ENTRIES: dict = {}


def _entry(path: Path):
    from ..graph import fileformat  # noqa: PLC0415

    try:
        stat = path.stat()
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _ENTRIES.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        lesson = fileformat.load(path).lesson
    except fileformat.LoadError:
        lesson = None
    entry = None
    if lesson is not None and chapter(lesson.get("chapter")) is not None:
        entry = Entry(path, chapter(lesson["chapter"]), int(lesson.get("order", 0)),
                      lesson["title"], lesson.get("summary", {}))
    _ENTRIES[path] = (key, entry)
    return entry


def lesson_files(folder=None) -> list:
    """The paths of the lessons in ``folder`` (default: the shipped ones), in course order."""
    return [e.path for e in catalog(folder)]


# ---------------------------------------------------------------------- checking a lesson
def problems(graph) -> list:
    """[(JSON path, message)] for what is wrong with ``graph.lesson``'s values (the loader
    checked its structure): each one line, like the loader's."""
    lesson = graph.lesson
    if lesson is None:
        return []
    from . import goals as _goals  # noqa: PLC0415 - it imports the training engine
    from .changes import ChangeError, apply_change  # noqa: PLC0415

    found = []
    if chapter(lesson.get("chapter")) is None:
        found.append(("lesson.chapter", _("'{chapter}' is not a chapter: use one of {ids}").format(
            chapter=lesson.get("chapter"), ids=", ".join(c.id for c in CHAPTERS))))
    steps = int(_schema.setting(graph.settings, "steps"))
    state = graph.copy()   # page actions apply in page order: a later one may need an earlier one
    for p, page in enumerate(lesson.get("pages", [])):
        for a, action in enumerate(page.get("actions", [])):
            if action["do"] in _schema.VARIANT_ACTIONS:
                try:
                    apply_change(state, action, f"lesson.pages[{p}].actions[{a}]")
                except ChangeError as e:
                    found.append(_split(str(e)))
    for node_id, names in lesson.get("labels", {}).items():
        node = graph.nodes.get(node_id)
        if node is None:
            found.append((f"lesson.labels.{node_id}", _("names no node of the graph")))
        elif "en" in names and names["en"] != node.label:
            found.append((f"lesson.labels.{node_id}.en", _("is not the node's label '{label}'").format(
                label=node.label)))
    seen = set()
    for g, goal in enumerate(lesson.get("goals", [])):
        where = f"lesson.goals[{g}]"
        if goal["id"] in seen:
            found.append((f"{where}.id", _("'{id}' is the id of an earlier goal").format(id=goal["id"])))
        seen.add(goal["id"])
        found += _goals.goal_problems(goal, graph, where, steps)
    return found


def _split(message):
    """("lesson.pages[0].actions[1]", "there is no node 'x'") from a ChangeError's line."""
    where, _sep, rest = message.partition(": ")
    return where, rest


def check(graph, source: str = "") -> None:
    """Raise the first of ``problems(graph)`` as a LessonError (``source``: the file name);
    a graph without a lesson is one too."""
    prefix = f"{source}: " if source else ""
    if graph.lesson is None:
        raise LessonError(_("{prefix}lesson: is missing (this file is not a lesson)").format(prefix=prefix))
    found = problems(graph)
    if found:
        path, message = found[0]
        raise LessonError(f"{prefix}{path}: {message}")


def shown_label(lesson, node_id: str, label, lang: str | None = None):
    """The label to show for a node of a lesson, in ``lang`` (default: the app's language).
    A lesson may name its nodes in each language (``lesson.labels``); that name is shown
    only while the node keeps the label the lesson gave it (``"en"``), so a student's own
    renaming always shows as typed."""
    names = ((lesson or {}).get("labels") or {}).get(node_id)
    if not names or not label or names.get("en") != label:
        return label
    return names.get(lang or language(), label)
