"""The app's language: Qt's translator for the UI, the engine's gettext catalogs for the rest.

``install(lang)`` sets one language for both (``engine.i18n.set_language`` and a
``QTranslator``, plus Qt's own ``qtbase_<lang>.qm`` for its standard dialogs and buttons);
call it before the widgets are built. ``number(x, spec)`` formats a number for a label in
that language (a decimal comma in Italian); files and logs keep Python's own formatting.

Sources of the translations, in the repository:

- ``playground/locale/nn-playground_<lang>.ts``: every ``self.tr(...)`` /
  ``QCoreApplication.translate(ctx, ...)`` of ``playground/`` (Qt Linguist; pyside6-lupdate),
- ``engine/locale/<lang>/LC_MESSAGES/nn-playground.po``: every ``_(...)`` / ``N_(...)`` of
  ``engine/`` and the command line (gettext; Babel).

The compiled ``.qm`` / ``.mo`` are built by the install, not committed::

    python -m playground.i18n update    # the sources follow the code (new strings: untranslated)
    python -m playground.i18n compile   # .po -> .mo, .ts -> .qm (make does this)
    python -m playground.i18n check     # lists untranslated entries and stale compiled catalogs
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from engine import i18n as engine_i18n
from engine.i18n import LANGUAGES, SOURCE_LANGUAGE

ROOT = Path(__file__).resolve().parent.parent
TS_DIR = Path(__file__).resolve().parent / "locale"
TS_NAME = "nn-playground"
#: where the strings of each catalog are written (relative to ROOT)
PO_SOURCES = ("engine", "playground")
#: declarations whose texts are shown through engine.i18n._ without being marked where they
#: are written (node and dataset help): each a function yielding (text, where)
DECLARED = ("engine.graph.registry:catalog_strings", "engine.data.registry:catalog_strings")
TS_SOURCES = ("playground",)
SETTINGS_FILE = "settings.ini"
SETTINGS_KEY = "language"

log = logging.getLogger("playground")
_translators: list = []


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:   # noqa: N802 - the name lupdate looks for
    return text


#: pyqtgraph's own words on the plots' right-click menus (pyqtgraph translates them through
#: Qt with these contexts): listed here so that the catalogs hold them too
PYQTGRAPH_STRINGS = (
    QT_TRANSLATE_NOOP("GraphicsScene", "Export..."), QT_TRANSLATE_NOOP("ViewBox", "View All"),
    QT_TRANSLATE_NOOP("ViewBox", "ViewBox options"), QT_TRANSLATE_NOOP("ViewBox", "Mouse Mode"),
    QT_TRANSLATE_NOOP("ViewBox", "3 button"), QT_TRANSLATE_NOOP("ViewBox", "1 button"),
    QT_TRANSLATE_NOOP("Form", "Manual"), QT_TRANSLATE_NOOP("Form", "Auto"),
    QT_TRANSLATE_NOOP("Form", "Link Axis:"), QT_TRANSLATE_NOOP("Form", "Invert Axis"),
    QT_TRANSLATE_NOOP("Form", "Mouse Enabled"), QT_TRANSLATE_NOOP("Form", "Visible Data Only"),
    QT_TRANSLATE_NOOP("Form", "Auto Pan Only"),
)


# ----- the running app ------------------------------------------------------------------
def ts_path(lang: str) -> Path:
    return TS_DIR / f"{TS_NAME}_{lang}.ts"


def qm_path(lang: str) -> Path:
    return ts_path(lang).with_suffix(".qm")


def po_path(lang: str) -> Path:
    return engine_i18n.catalog_path(lang).with_suffix(".po")


def install(lang: str | None = None, app=None) -> str:
    """Speak ``lang`` ("it", "en"; None: the system's) in the engine and in Qt; returns it.
    The widgets built afterwards use it (a running window is not retranslated)."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

    lang = engine_i18n.set_language(lang)
    app = app or QCoreApplication.instance()
    for t in _translators:
        QCoreApplication.removeTranslator(t)
    _translators.clear()
    QLocale.setDefault(QLocale(QLocale.Italian, QLocale.Italy) if lang == "it"
                       else QLocale(QLocale.English, QLocale.UnitedStates))
    _localize_plot_ticks(lang != SOURCE_LANGUAGE)
    if lang == SOURCE_LANGUAGE or app is None:
        return lang
    qt_dir = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    for name, folder in ((f"{TS_NAME}_{lang}", str(TS_DIR)), (f"qtbase_{lang}", qt_dir)):
        t = QTranslator(app)
        if t.load(name, folder):
            QCoreApplication.installTranslator(t)
            _translators.append(t)
        else:
            log.warning("no compiled %s catalog %s.qm in %s: that part of the app stays in English; "
                        "build it with `python -m playground.i18n compile`", lang, name, folder)
    return lang


_PLAIN_TICKS = []


def _localize_plot_ticks(on: bool) -> None:
    """The plots' tick labels (pyqtgraph writes them with Python's formatting) take the
    language's decimal separator: 0,5 on an Italian axis. One wrapper for every axis."""
    import pyqtgraph as pg

    if not _PLAIN_TICKS:
        _PLAIN_TICKS.append(pg.AxisItem.tickStrings)
    plain = _PLAIN_TICKS[0]

    def localized(self, values, scale, spacing):
        return [engine_i18n.number_text(t) for t in plain(self, values, scale, spacing)]

    pg.AxisItem.tickStrings = localized if on else plain


def number(x, spec: str = "g") -> str:
    """``x`` formatted with ``format(x, spec)`` for a label: 0,25 in Italian (one rule for the
    engine's messages and the UI: ``engine.i18n.number``). Never for files."""
    return engine_i18n.number(x, spec)


def _settings(data_dir):
    from PySide6.QtCore import QSettings

    return QSettings(str(Path(data_dir) / SETTINGS_FILE), QSettings.IniFormat)


def remembered_language(data_dir) -> str | None:
    """The language chosen in the Language menu (None: follow the system)."""
    value = _settings(data_dir).value(SETTINGS_KEY, "")
    return value if value in LANGUAGES else None


def remember_language(data_dir, lang: str | None) -> None:
    s = _settings(data_dir)
    s.setValue(SETTINGS_KEY, lang or "")
    s.sync()


# ----- the catalogs (build and maintenance) -----------------------------------------------
def _tool(name: str) -> str:
    """A Qt tool of the PySide6 in use: pyside6-lupdate beside the interpreter, else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (it ships the Qt Linguist tools)")
    return found


def _python_files(folders) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for d in folders for p in (ROOT / d).rglob("*.py")
                  if "__pycache__" not in p.parts)


def _extract_template():
    """A catalog of every ``_()``, ``N_()`` and ``ngettext()`` string in PO_SOURCES."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    template = Catalog(project="NN Playground", domain=engine_i18n.DOMAIN)
    for rel in _python_files(PO_SOURCES):
        for lineno, message, comments, context in extract_from_file(
                "python", str(ROOT / rel), keywords={"_": None, "N_": None, "ngettext": (1, 2)},
                comment_tags=("TRANSLATORS:",), options={}, strip_comment_tags=True):
            template.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    import importlib

    for source in DECLARED:
        module, function = source.split(":")
        for text, where in getattr(importlib.import_module(module), function)():
            if text not in template:
                template.add(text, None, [(where, None)])
    return template


def _read_po(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f, locale=path.parent.parent.name)


def _write_po(path: Path, catalog) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog, width=100, include_lineno=False, ignore_obsolete=True, sort_output=True)


def _mo_bytes(catalog) -> bytes:
    import io

    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def update() -> None:
    """The sources follow the code: new strings are added (untranslated), gone ones dropped."""
    from babel.messages.catalog import Catalog

    template = _extract_template()
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        path = po_path(lang)
        catalog = _read_po(path) if path.exists() else Catalog(locale=lang, domain=engine_i18n.DOMAIN)
        catalog.update(template)
        catalog.project, catalog.version, catalog.fuzzy = "NN Playground", "", False
        _write_po(path, catalog)
        TS_DIR.mkdir(exist_ok=True)
        subprocess.run([_tool("pyside6-lupdate"), *_python_files(TS_SOURCES), "-ts", str(ts_path(lang)),
                        "-no-obsolete", "-locations", "none", "-silent"], cwd=ROOT, check=True)
        print(f"updated {po_path(lang).relative_to(ROOT)} and {ts_path(lang).relative_to(ROOT)}")


def _qm_bytes(lang: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.qm"
        subprocess.run([_tool("pyside6-lrelease"), "-silent", str(ts_path(lang)), "-qm", str(out)],
                       check=True)
        return out.read_bytes()


def compiled() -> dict[Path, bytes]:
    """Each compiled catalog's path and the bytes its source compiles to now."""
    out = {}
    for lang in LANGUAGES:
        if lang != SOURCE_LANGUAGE:
            out[engine_i18n.catalog_path(lang)] = _mo_bytes(_read_po(po_path(lang)))
            out[qm_path(lang)] = _qm_bytes(lang)
    return out


def compile_catalogs() -> None:
    for path, data in compiled().items():
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"compiled {path.relative_to(ROOT)}")
        else:
            path.touch()   # current: newer than its source for make, too


def untranslated(lang: str) -> list[str]:
    """One line per entry of ``lang``'s catalogs that has no (finished) translation."""
    import xml.etree.ElementTree as ET

    problems = []
    for m in _read_po(po_path(lang)):
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string])):
            problems.append(f"{po_path(lang).name}: {m.id if isinstance(m.id, str) else m.id[0]!r}")
    for ctx in ET.parse(ts_path(lang)).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished",) or not (tr.text or list(tr)):
                problems.append(f"{ts_path(lang).name}: {name}: {msg.findtext('source')!r}")
    return problems


def missing_from_catalogs() -> list[str]:
    """Strings in the code that the catalogs lack (run ``update``), one line each."""
    import xml.etree.ElementTree as ET

    lines = []
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        have = {m.id for m in _read_po(po_path(lang))}
        lines += [f"{po_path(lang).name}: {m.id!r} ({m.locations[0][0]})"
                  for m in _extract_template() if m.id and m.id not in have]
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "fresh.ts"
            subprocess.run([_tool("pyside6-lupdate"), *_python_files(TS_SOURCES), "-ts", str(fresh),
                            "-locations", "none", "-silent"], cwd=ROOT, check=True)
            have_ts = {(c.findtext("name"), m.findtext("source"))
                       for c in ET.parse(ts_path(lang)).getroot().iter("context") for m in c.iter("message")}
            lines += [f"{ts_path(lang).name}: {c.findtext('name')}: {m.findtext('source')!r}"
                      for c in ET.parse(fresh).getroot().iter("context") for m in c.iter("message")
                      if (c.findtext("name"), m.findtext("source")) not in have_ts]
    return lines


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogs()
    elif command == "check":
        stale = [str(p.relative_to(ROOT)) for p, data in compiled().items()
                 if not p.exists() or p.read_bytes() != data]
        problems = ([f"not in the catalogs (run update): {line}" for line in missing_from_catalogs()]
                    + [f"untranslated: {line}" for lang in LANGUAGES if lang != SOURCE_LANGUAGE
                       for line in untranslated(lang)]
                    + [f"stale or missing (run compile): {p}" for p in stale])
        print("\n".join(problems) or "catalogs complete and compiled")
        return 1 if problems else 0
    else:
        print("usage: python -m playground.i18n update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
