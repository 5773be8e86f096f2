"""The dataset registry: name -> builder, with each option's type, default, range and help.

The training panel and the graph runtime build their controls and validation from
``DATASETS``; ``load_dataset(name, **options)`` is the one way to build a dataset by
name (graph files store ``settings["dataset"] = {"name": ..., **options}``).
Option specs reuse the node registry's :class:`~engine.graph.registry.ParamSpec`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..graph.registry import ParamSpec

#: groups, in the order a UI lists them
GROUPS = ("2-D classification", "2-D regression", "1-D regression", "Logic gates", "Images",
          "Sequences", "2-D generative", "Graphs", "PDEs", "User data")


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    group: str
    #: "classification", "regression", or None when it depends on the data (user files)
    task: str | None
    help: str
    params: tuple
    build: Callable

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def param(self, name) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


DATASETS: dict[str, DatasetSpec] = {}


def catalog_strings():
    """(text, where) of every text the dataset registry declares for people (groups, help,
    options' help): shown through ``engine.i18n._``, collected for the catalogs from here."""
    from . import DATASETS as loaded   # the package registers every dataset on import

    for group in GROUPS:
        yield group, "engine/data/registry.py"
    for spec in loaded.values():
        yield spec.help, f"dataset {spec.name}"
        for p in spec.params:
            if p.help:
                yield p.help, f"dataset {spec.name}, option {p.name}"


def register(name, group, task, help, *params):
    """Decorator: register ``build(**options)`` under ``name``.

    It returns a wrapper that fills in defaults and validates, so
    ``circle(noise=0.1)`` is ``load_dataset("circle", noise=0.1)``.
    """
    if group not in GROUPS:
        raise ValueError(f"dataset '{name}': unknown group {group!r}")

    def decorate(build):
        if name in DATASETS:
            raise ValueError(f"dataset '{name}' is registered twice")
        DATASETS[name] = DatasetSpec(name, group, task, help, tuple(params), build)

        @functools.wraps(build)
        def checked(**options):
            return load_dataset(name, **options)
        return checked
    return decorate


def resolve_options(name: str, options: dict) -> dict:
    """Defaults filled in and every value checked; ValueError with one clear line otherwise."""
    spec = DATASETS.get(name)
    if spec is None:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    full = spec.defaults()
    for key, value in options.items():
        if key not in full:
            known = ", ".join(full) or "none"
            raise ValueError(f"dataset '{name}' has no option {key!r}; its options are: {known}")
        problem = spec.param(key).check(value)
        if problem:
            raise ValueError(f"dataset '{name}', option '{key}' = {value!r}: {problem}")
        full[key] = value
    return full


def load_dataset(name: str, **options):
    """Build the dataset ``name`` with ``options`` (the rest take their defaults)."""
    full = resolve_options(name, options)
    dataset = DATASETS[name].build(**full)
    dataset.options = full
    return dataset


def from_settings(settings: dict, folder=None):
    """Build from a graph file's ``settings["dataset"]`` dict: {"name": ..., **options,
    "points": [[x1, ..., label], ...] (optional: samples a user placed, added to the
    training split; see Dataset.with_points)}.

    ``folder``: the folder of the .nnpg file the settings come from (``Graph.folder``); a
    relative data file path is read from there, so a lesson works wherever it is opened
    from when its CSV travels beside it."""
    if not isinstance(settings, dict) or not isinstance(settings.get("name"), str):
        raise ValueError("dataset settings need a 'name', e.g. {\"name\": \"xor\"}")
    options = {k: v for k, v in settings.items() if k not in ("name", "points")}
    path = options.get("path")
    if folder is not None and isinstance(path, str) and path and not Path(path).is_absolute():
        options["path"] = str(Path(folder) / path)
    dataset = load_dataset(settings["name"], **options)
    # the samples a user placed (settings.dataset.points) join the training split
    return dataset.with_points(settings["points"]) if "points" in settings else dataset


# Option specs shared by many datasets (each dataset picks its own defaults).
def n_samples(default, lo=10, hi=10000):
    return ParamSpec("n_samples", "int", default, "number of samples, train and test together",
                     min=lo, max=hi)


def noise(default=0.0, help="noise level, 0 to 0.5 (TensorFlow Playground's 0-50 %)"):
    return ParamSpec("noise", "float", default, help, min=0.0, max=0.5)


def test_fraction(default=0.5):
    return ParamSpec("test_fraction", "float", default,
                     "fraction held out for testing (TensorFlow Playground's training ratio "
                     "is 1 - this)", min=0.1, max=0.9)


SEED = ParamSpec("seed", "int", 0, "random seed: the same seed gives the same data", min=0)
