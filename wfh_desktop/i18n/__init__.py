"""The one translation function for every user-visible string.

Source strings are English; ``id.py`` holds the Indonesian catalog. Indonesian is the default
language. The composition root (the CLI's ``main``, later the tray app's) chooses the language
once with :func:`set_language`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

_language = DEFAULT_LANGUAGE
_catalog: dict[str, str] | None = None


def set_language(language: str) -> None:
    global _language, _catalog
    if language not in LANGUAGES:
        raise ValueError(language)
    _language = language
    _catalog = None


def language() -> str:
    return _language


def _load_catalog() -> dict[str, str]:
    global _catalog
    if _catalog is None:
        if _language == "id":
            from wfh_desktop.i18n.id import CATALOG

            _catalog = CATALOG
        else:
            _catalog = {}
    return _catalog


def tr(message: str, /, **values: Any) -> str:
    """Translate ``message`` into the current language and fill in ``{name}`` placeholders."""
    text = _load_catalog().get(message, message)
    return text.format(**values) if values else text


def language_from_locale(environ: dict[str, str] | None = None) -> str | None:
    """The language the user's locale asks for, if it is one we have (English or Indonesian)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if not value:
            continue
        code = value.split(":")[0].split("_")[0].split(".")[0].lower()
        if code in ("en", "id", "in"):
            return "en" if code == "en" else "id"
        if code not in ("c", "posix"):
            return None
    return None


def choose_language(argv: Sequence[str] = (), setting: str | None = None) -> str:
    """The language to speak: ``--lang id|en`` (or ``--lang=en``) on the command line, else the
    setting, else the system locale if it is Indonesian or English, else Indonesian. Read before
    the command line is parsed, so that its own help and errors are translated."""
    for i, arg in enumerate(argv):
        asked = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
        if asked in LANGUAGES:
            return asked
    return setting or language_from_locale() or "id"
