"""Every user-visible word through one catalog system, rendered in the reader's language.

English is the source language: a message's id *is* its English text, with ``{name}``
placeholders. ``caseflow/locale/<lang>/LC_MESSAGES/caseflow.mo`` holds the
translations (compiled from the ``.po`` next to it by ``python -m
caseflow.adapters.cli.catalogs``, which extracts from all of ``caseflow/``).

Three ways to write a user-visible string (docs/i18n.md says more):

- at the edge, where the reader's language is known: ``_("Due")``, ``ngettext(...)``,
  ``pgettext("ticket status", "open")`` render in the current language;
- in services and the domain, where it is not: raise a ``caseflow.errors`` class with
  an English template and its parameters (``NotFound("no work order #{id}", id=7)``),
  or build a :class:`Text` (``text("...", n=3)``); the edge renders it with
  :func:`render` for a given language;
- a word that is looked up later (a status, an action): mark it with ``N_``/``NP_`` so
  the catalog tool sees it, translate it with :func:`gettext`/:func:`pgettext`.

Workflow data (stage labels, template titles, fact labels) is not in the catalogs: it
is bilingual in the workflow TOML, and :func:`pick` chooses by language in one place.

Catalogs load lazily, once per language per process: importing this module reads no
file, so a command that prints nothing translated pays nothing.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

DOMAIN = "caseflow"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE = "en"
#: The language of a reader who has not said otherwise: caseflow's users are Chinese
#: town cadres, so Chinese, not English, is the default for alerts and new users.
DEFAULT = "zh_CN"

_language = SOURCE


# -- languages -----------------------------------------------------------------------

@cache
def available() -> tuple[str, ...]:
    """Languages with a compiled catalog, plus English (the source language)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE, *found)


def known(raw: str | None) -> str | None:
    """``zh_CN.UTF-8``, ``zh-cn``, ``zh`` → ``zh_CN``; ``C``/``POSIX`` → ``en``; a
    language without a catalog → ``None``."""
    if not raw:
        return None
    tag = raw.split(".")[0].split("@")[0].replace("-", "_")
    if tag in ("C", "POSIX", ""):
        return SOURCE
    langs = available()
    for candidate in langs:
        if candidate.lower() == tag.lower():
            return candidate
    base = tag.split("_")[0].lower()
    for candidate in langs:
        if candidate.split("_")[0].lower() == base:
            return candidate
    return None


def resolve(raw: str | None, default: str = SOURCE) -> str:
    """Like :func:`known`, but an unknown or missing language gives ``default``."""
    return known(raw) or default


def is_chinese(lang: str | None) -> bool:
    """The one test for "is this Chinese" (layout choices such as full-width
    punctuation and CJK fonts depend on it, never words)."""
    return bool(lang) and str(lang).lower().startswith("zh")


# -- the current language (the CLI's reader) -----------------------------------------

def use(language: str) -> str:
    """Make ``language`` (as resolved) the current one; return the language used."""
    global _language
    _language = resolve(language)
    return _language


def current() -> str:
    return _language


@cache
def translation(lang: str) -> _gettext.NullTranslations:
    if lang == SOURCE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def gettext(message: str, lang: str | None = None) -> str:
    return translation(lang or _language).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translation(lang or _language).ngettext(singular, plural, n)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """``message`` in ``context``: the same English word may read differently in another
    language (the clear-to-zero list's "Due" is 截止, a work order's is 期限)."""
    return translation(lang or _language).pgettext(context, message)


def _(message: str) -> str:
    return translation(_language).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it now."""
    return message


def NP_(context: str, message: str) -> str:  # noqa: N802 (gettext's own name)
    """Mark ``message`` in ``context`` for the catalogs without translating it now."""
    return message


# -- messages rendered later ---------------------------------------------------------

class Renderable(Protocol):
    def render(self, lang: str | None = None) -> str: ...


def render_value(value: Any, lang: str) -> str:
    """A parameter as the reader sees it: texts rendered in ``lang``, lists joined
    with the language's separator (``、`` in Chinese), everything else ``str``."""
    if hasattr(value, "render"):
        return str(value.render(lang))
    if isinstance(value, list | tuple | set | frozenset):
        items = [render_value(v, lang) for v in value]
        return gettext(", ", lang).join(items) if items else gettext("none", lang)
    return str(value)


def render(template: str, params: Mapping[str, Any] | None = None, lang: str | None = None,
           *, context: str | None = None) -> str:
    """``template`` translated into ``lang`` (the current language if None) and
    filled with ``params``. A translation whose placeholders do not match its
    English falls back to the English, never to a traceback."""
    lang = lang or _language
    translated = pgettext(context, template, lang) if context else gettext(template, lang)
    if not params:
        return translated
    values = {k: render_value(v, lang) for k, v in params.items()}
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template


class Text:
    """A user-visible message whose language is chosen when it is read.

    Services build these (and errors, which hold one) without knowing who will read
    them; an alert is rendered in its recipient's language, the CLI in its user's.
    """

    __slots__ = ("context", "params", "template")

    def __init__(self, template: str, params: Mapping[str, Any] | None = None,
                 context: str | None = None) -> None:
        self.template = template
        self.params = dict(params or {})
        self.context = context

    def render(self, lang: str | None = None) -> str:
        return render(self.template, self.params, lang, context=self.context)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Text({self.template!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.template, self.params, self.context) == \
            (other.template, other.params, other.context)

    def __hash__(self) -> int:
        return hash((self.template, self.context))


def text(template: str, **params: Any) -> Text:
    """A message to render later: ``text("{n} orders overdue", n=3)``."""
    return Text(template, params)


def ptext(context: str, template: str, **params: Any) -> Text:
    """:func:`text` with a context, for a word that reads differently elsewhere."""
    return Text(template, params, context)


def join(items: Iterable[Any], lang: str | None = None) -> str:
    return render_value(list(items), lang or _language)


# -- workflow data: bilingual in the TOML, chosen here and only here ----------------

def pick(lang: str | None, *, en: str, zh: str | None) -> str:
    """The label a workflow file gives for ``lang``: its ``*_zh`` for Chinese (when
    given), else its ``*_en``. The one place workflow data is looked up by language."""
    return zh if zh and is_chinese(lang or _language) else en


class Bilingual:
    """A workflow label (stage, template, fact) as a message parameter: it renders
    through :func:`pick`, so an error naming a stage names it in the reader's words."""

    __slots__ = ("en", "zh")

    def __init__(self, en: str, zh: str | None) -> None:
        self.en = en
        self.zh = zh

    def render(self, lang: str | None = None) -> str:
        return pick(lang, en=self.en, zh=self.zh)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Bilingual({self.en!r}, {self.zh!r})"


class Joined:
    """Several messages as one parameter, joined by a separator that is itself
    translated (``"; "`` reads ``；`` in Chinese)."""

    __slots__ = ("items", "separator")

    def __init__(self, items: Iterable[Any], separator: str = ", ") -> None:
        self.items = list(items)
        self.separator = separator

    def render(self, lang: str | None = None) -> str:
        lang = lang or _language
        return gettext(self.separator, lang).join(render_value(i, lang) for i in self.items)


class Choice:
    """A value the user may type (a trigger, a stage, a team code) as a message
    parameter: the code in English; in another language its label with the code
    to type after it, ``移（relocate）``."""

    __slots__ = ("code", "label")

    def __init__(self, code: str, label: Bilingual | None) -> None:
        self.code = code
        self.label = label

    def render(self, lang: str | None = None) -> str:
        lang = lang or _language
        if self.label is None or lang == SOURCE:
            return self.code
        shown = self.label.render(lang)
        if shown == self.code:
            return shown
        return gettext("{label} ({code})", lang).format(label=shown, code=self.code)


# Words this module itself renders (list separators, an empty list, a choice).
_OWN_WORDS = (N_(", "), N_("; "), N_("none"), N_("{label} ({code})"))
