"""Translations of what the engine and the command line say (Python's gettext; no Qt).

    from engine.i18n import _
    raise SettingsError(_("no dataset chosen: set settings.dataset"))
    raise GraphError(_("node {node}: {problem}").format(node=n, problem=p))   # format after _

Strings declared at import time (a node's help in the registry) are only marked with
``N_`` and translated where they are shown (``_(spec.help)``): the language may change
after the import.

One language setting drives the engine's catalogs and the UI's Qt translator
(``playground.i18n``): ``set_language("it")``. Until something sets it (the command line
and the app do, from ``--lang`` or the system locale) the engine speaks English, so a
library user or a test gets the same messages on any machine.

The catalogs' sources are ``engine/locale/<lang>/LC_MESSAGES/nn-playground.po`` (in the
repository); the install compiles them to ``.mo`` (``python -m playground.i18n compile``,
run by ``make``). A missing ``.mo`` means English, with a warning in the log.
"""
from __future__ import annotations

import gettext
import locale
import logging
import os
from pathlib import Path

DOMAIN = "nn-playground"
LANGUAGES = ("en", "it")
#: the language the strings in the code are written in (no catalog needed)
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

log = logging.getLogger("engine.i18n")
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def system_language() -> str:
    """The user's language from the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as
    gettext reads them), else the locale Python sees; English when it is neither of ours."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return _known(value.split(":")[0])
    try:
        return _known(locale.getlocale()[0] or "")
    except ValueError:   # an unparsable locale name
        return SOURCE_LANGUAGE


def _known(name: str) -> str:
    code = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def language() -> str:
    return _language


def catalog_path(lang: str) -> Path:
    """The compiled catalog (``.mo``) for ``lang``; its source is the ``.po`` beside it."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def set_language(lang: str | None = None) -> str:
    """Use ``lang`` ("it", "en"; None or "": the system's) for every later message. A
    missing compiled catalog leaves English (logged: the install did not build it)."""
    global _translation, _language
    lang = (lang or system_language()).lower()
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    translation: gettext.NullTranslations = gettext.NullTranslations()
    if lang != SOURCE_LANGUAGE:
        path = catalog_path(lang)
        try:
            with open(path, "rb") as f:
                translation = gettext.GNUTranslations(f)
        except (OSError, ValueError) as exc:   # not built, or not a catalog
            log.warning("no compiled %s catalog (%s): messages stay in English; "
                        "build it with `python -m playground.i18n compile`", lang, exc)
    _language, _translation = lang, translation
    return lang


def _(message: str) -> str:
    """``message`` in the current language (itself when no translation exists)."""
    return _translation.gettext(message) if message else message


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs without translating it now (see the module doc)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def _os_errors() -> dict:
    import errno

    return {errno.ENOENT: N_("No such file or directory"), errno.EACCES: N_("Permission denied"),
            errno.EISDIR: N_("Is a directory"), errno.ENOTDIR: N_("Not a directory"),
            errno.ENOSPC: N_("No space left on device"), errno.EROFS: N_("Read-only file system")}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in the current language (the system's own words come in
    the C locale's language) for the reasons people meet most; else the system's."""
    text = _os_errors().get(getattr(exc, "errno", None))
    return _(text) if text else (getattr(exc, "strerror", None) or str(exc))


_ITALIAN_DIGITS = str.maketrans({",": ".", ".": ","})


def number(x, spec: str = "g") -> str:
    """``x`` as ``format(x, spec)`` for a person to read in the current language: 0,25 and
    1.234.567 in Italian. Never for files, JSON or logs."""
    return number_text(format(x, spec))


def number_text(text: str) -> str:
    """A number Python formatted ("0.25", "1,234") with the current language's separators."""
    return text.translate(_ITALIAN_DIGITS) if _language == "it" else text
