"""UI strings through gettext, so a language is a catalog and not a code change.

Catalogs live in ``caseflow/locale/<lang>/LC_MESSAGES/caseflow.mo`` (compiled from
the ``.po`` next to it by babel: ``python -m caseflow.adapters.cli.catalogs``). Only
the stdlib ``gettext`` runs at command time; babel is needed to compile, not to run.
Stage and template labels are not here: they come from the workflow definitions.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "caseflow"
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def available() -> list[str]:
    """Languages with a compiled catalog, plus English (the source language)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return ["en", *found]


def resolve(raw: str | None) -> str:
    """``zh_CN.UTF-8``, ``zh-cn``, ``zh`` → ``zh_CN``; unknown languages → ``en``."""
    if not raw:
        return "en"
    tag = raw.split(".")[0].split("@")[0].replace("-", "_")
    if tag in ("C", "POSIX", ""):
        return "en"
    known = available()
    for candidate in known:
        if candidate.lower() == tag.lower():
            return candidate
    base = tag.split("_")[0].lower()
    for candidate in known:
        if candidate.split("_")[0].lower() == base:
            return candidate
    return "en"


def use(language: str) -> str:
    """Select the catalog for ``language`` (as resolved); return the language used."""
    global _translation, _language
    _language = resolve(language)
    _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[_language],
                                       fallback=True)
    return _language


def translation(language: str) -> gettext.NullTranslations:
    """The catalog for ``language`` without selecting it: the server answers each
    request in its caller's language, many at once."""
    lang = resolve(language)
    if lang not in _by_language:
        _by_language[lang] = gettext.translation(DOMAIN, localedir=LOCALE_DIR,
                                                 languages=[lang], fallback=True)
    return _by_language[lang]


_by_language: dict[str, gettext.NullTranslations] = {}


def current() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context``: the same English word may read differently in another
    language (the clear-to-zero list's "Due" is 截止, a work order's is 期限)."""
    return _translation.pgettext(context, message)
