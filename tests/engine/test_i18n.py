"""Italian and English (issue 17): the catalogs are complete, current and well-formed; the
engine and the command line speak the language chosen (``--lang``, else the system's)."""
from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine import i18n

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("babel", reason="Babel reads the catalogs: install '.[i18n]' (make does)")
from playground import i18n as ui_i18n  # noqa: E402  (after the skip: it reads catalogs with Babel)


@pytest.fixture
def italian():
    i18n.set_language("it")
    yield
    i18n.set_language("en")


def _po_entries():
    from babel.messages.pofile import read_po

    with open(ui_i18n.po_path("it"), "rb") as f:
        return [m for m in read_po(f) if m.id]


def _ts_entries():
    root = ET.parse(ui_i18n.ts_path("it")).getroot()
    return [(c.findtext("name"), m.findtext("source"), m.find("translation"))
            for c in root.iter("context") for m in c.iter("message")]


# ----- the catalogs ------------------------------------------------------------------------
def test_every_catalog_entry_has_an_italian_translation():
    assert ui_i18n.untranslated("it") == []


def test_every_string_of_the_code_is_in_the_catalogs():
    """A string marked in the code but absent from the catalogs is shown in English:
    `python -m playground.i18n update` (make i18n-update), then translate the new entries."""
    assert ui_i18n.missing_from_catalogs() == []


def test_compiled_catalogs_are_current():
    """The .mo/.qm the app loads are what the .po/.ts compile to (make builds them)."""
    stale = [str(path.relative_to(ROOT)) for path, data in ui_i18n.compiled().items()
             if not path.exists() or path.read_bytes() != data]
    assert stale == [], "run: python -m playground.i18n compile (or make catalogs)"


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdr]|%[sdr]|%\d")


def _placeholders(text: str) -> list:
    return sorted(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def test_translations_keep_every_placeholder():
    """A translation that drops or renames {node} would raise KeyError when formatted, or
    lose the node's name: each keeps the source's placeholders exactly."""
    wrong = [m.id for m in _po_entries() if m.string and _placeholders(m.id) != _placeholders(m.string)]
    wrong += [f"{ctx}: {src}" for ctx, src, tr in _ts_entries()
              if tr.text and _placeholders(src) != _placeholders(tr.text)]
    assert wrong == []


def test_menu_accelerators_survive_translation():
    """A menu title or action with an &-accelerator keeps one in Italian."""
    lost = [src for _ctx, src, tr in _ts_entries()
            if tr.text and re.search(r"&\w", src) and not re.search(r"&\w", tr.text)]
    assert lost == []


def _shadowing(path: Path, root: Path = ROOT) -> list:
    """Functions that assign the name ``_`` (``x, _ = ...``, ``for _ in``) and call ``_()``:
    there ``_`` is a local variable and the call fails (UnboundLocalError), but only when
    that message is shown. Comprehensions have their own scope and do not count."""
    found = []

    def own_nodes(fn):
        stack = list(ast.iter_child_nodes(fn))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                                 ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            yield node
            stack.extend(ast.iter_child_nodes(node))

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nodes = list(own_nodes(fn))
            stores = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in nodes)
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                     and n.func.id == "_"]
            if stores and calls:
                found.append(f"{path.relative_to(root)}:{fn.lineno} {fn.name}")
    return found


def test_no_function_hides_the_translator_behind_a_variable():
    files = [p for d in ("engine", "playground") for p in (ROOT / d).rglob("*.py")]
    assert [f for p in files for f in _shadowing(p)] == []


def test_the_shadowing_check_finds_a_shadowed_translator(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(pairs):\n    for a, _ in pairs:\n        pass\n    return _('x')\n"
                   "def g(pairs):\n    return [a for a, _ in pairs], _('y')\n")
    assert _shadowing(bad, tmp_path) == ["bad.py:1 f"]


def _wrappers(path: Path, root: Path = ROOT) -> list:
    """Functions that pass one of their parameters to a translator (``def _tr(text): return
    QCoreApplication.translate("Ctx", text)``): the extractors (pyside6-lupdate, Babel) read
    only literal strings at the translator's own call, so every string given to such a
    wrapper is missing from the catalogs and shown in English."""
    found = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)} - {"self", "cls"}
        for call in ast.walk(fn):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            text = call.args[1] if name == "translate" and len(call.args) > 1 else \
                call.args[0] if name in ("tr", "_", "gettext") and call.args else None
            if isinstance(text, ast.Name) and text.id in params:
                found.append(f"{path.relative_to(root)}:{fn.lineno} {fn.name}")
    return found


def _aliases(path: Path, root: Path = ROOT) -> list:
    """Translators given another name (``tr = QCoreApplication.translate``): lupdate reads
    ``tr("Ctx", "text")`` as Qt's ``tr(text, disambiguation)``, so the catalog gets the
    context as the text and the real text is never translated."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            value = node.value   # (argparse._ = i18n._ hands argparse ours: not an alias)
            name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
            if name in ("translate", "tr", "gettext", "_"):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_code_gives_the_translator_another_name():
    files = [p for d in ("engine", "playground") for p in (ROOT / d).rglob("*.py") if p.name != "i18n.py"]
    assert [f for p in files for f in _aliases(p)] == []


def test_the_alias_check_finds_an_alias(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QCoreApplication\n"
                   "def f():\n    tr = QCoreApplication.translate\n    return tr('Ctx', 'x')\n")
    assert _aliases(bad, tmp_path) == ["bad.py:3"]


def test_no_function_wraps_the_translator():
    files = [p for d in ("engine", "playground") for p in (ROOT / d).rglob("*.py")
             if p.name != "i18n.py"]
    assert [f for p in files for f in _wrappers(p)] == []


def test_the_wrapper_check_finds_a_wrapper(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def _tr(text):\n    return QCoreApplication.translate('Ctx', text)\n"
                   "def ok(key):\n    return QCoreApplication.translate('Ctx', TITLES[key])\n")
    assert _wrappers(bad, tmp_path) == ["bad.py:1 _tr"]


def test_generated_node_docs_are_current_in_both_languages():
    from engine.graph import docs

    for lang, path in docs.NODES_PATHS.items():
        assert path.read_text(encoding="utf-8") == docs.nodes_markdown(lang), \
            "run: python -m engine.graph.docs"
    assert "# Tipi di nodo" in docs.NODES_PATHS["it"].read_text(encoding="utf-8")


# ----- the engine's language -------------------------------------------------------------------
def test_engine_messages_follow_the_language(italian):
    from engine.graph import Graph, validate

    g = Graph()
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="h")
    text = " ".join(p.message for p in validate.validate(g))
    assert "non è collegato" in text and "not connected" not in text
    i18n.set_language("en")
    assert "is not connected" in " ".join(p.message for p in validate.validate(g))


def test_node_help_is_translated_where_shown_not_at_import(italian):
    from engine.graph import registry

    linear = registry.get("Linear")
    assert linear.help.startswith("y = x W^T + b: every output")   # the declaration stays English
    assert i18n._(linear.help).startswith("y = x W^T + b: ogni uscita")


def test_verdicts_and_remedies_follow_the_language(italian):
    from engine.train import diagnostics

    assert diagnostics.remedies("exploding")[0] == "usa un learning rate più basso"
    i18n.set_language("en")
    assert diagnostics.remedies("exploding")[0] == "use a lower learning rate"


def test_a_missing_compiled_catalog_means_english_and_a_warning(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    with caplog.at_level(logging.WARNING, logger="engine.i18n"):
        assert i18n.set_language("it") == "it"
    try:
        assert i18n._("must be a number") == "must be a number"
        assert "no compiled it catalog" in caplog.text
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "it_IT.UTF-8"}, "it"), ({"LANG": "en_GB.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LC_ALL": "it_CH", "LANG": "en_US.UTF-8"}, "it"), ({"LANGUAGE": "it:en", "LANG": "C"}, "it"),
    ({"LANG": "C"}, "en"),
])
def test_system_language_reads_the_environment_like_gettext(monkeypatch, env, expected):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.system_language() == expected


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("fr")


def test_number_uses_the_decimal_comma_in_italian_only(italian):
    assert ui_i18n.number(0.25) == "0,25" and ui_i18n.number(1234.5, ".1f") == "1234,5"
    assert i18n.number(1234567, ",.0f") == "1.234.567"   # the engine's messages: one rule
    i18n.set_language("en")
    assert ui_i18n.number(0.25) == "0.25"


# ----- the command line ------------------------------------------------------------------------
def _playground(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True,
                          env={**clean, "QT_QPA_PLATFORM": "offscreen", **env}, cwd=ROOT, timeout=120)


def test_check_speaks_italian_under_an_italian_locale(tmp_path):
    broken = tmp_path / "broken.nnpg"
    broken.write_text('{"format": "nn-playground", "version": 1, "graph": {"nodes": [}')
    out = _playground(["check", str(broken)], LANG="it_IT.UTF-8")
    assert out.returncode == 2
    assert "broken.nnpg: non è JSON valido:" in out.stderr and "alla riga 1" in out.stderr, out.stderr
    assert "is not valid JSON" in _playground(["check", str(broken)], LANG="en_US.UTF-8").stderr


def test_check_lists_graph_problems_in_italian(tmp_path):
    from engine.graph import Graph, fileformat

    g = Graph()
    g.add_node("Linear", {"in_features": 2, "out_features": 3}, id="h")
    path = tmp_path / "open.nnpg"
    fileformat.save(g, path)
    out = _playground(["--lang", "it", "check", str(path)])
    assert out.returncode == 2
    assert "errore: l'ingresso 'input' di Linear 'h' non è collegato" in out.stdout, out.stdout
    assert re.search(r"open.nnpg: \d+ errore/i", out.stderr), out.stderr


def test_help_and_usage_errors_follow_lang():
    help_it = _playground(["--lang", "it", "--help"]).stdout
    assert "mostra questo aiuto ed esci" in help_it and "uso:" in help_it and "comandi" in help_it
    assert "show this help and exit" in _playground(["--lang", "en", "--help"]).stdout
    wrong = _playground(["--lang", "it", "train"])
    assert wrong.returncode == 2 and "questi argomenti sono obbligatori" in wrong.stderr
