"""Words on the pages, per request: Chinese first, English on the switch.

The one catalog system is ``caseflow.i18n``; a server answers people in several
languages at once, so every lookup names the reader's language instead of switching
the process's catalog. Templates call ``_()``, ``ngettext()`` and ``pgettext()``
(bound here to the request's language); the catalog tool extracts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseflow import i18n

LANGS = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "caseflow_lang"


@dataclass(frozen=True)
class Words:
    lang: str

    @property
    def zh(self) -> bool:
        return i18n.is_chinese(self.lang)

    def _(self, message: str) -> str:
        return i18n.gettext(message, self.lang)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return i18n.ngettext(singular, plural, n, self.lang)

    def pgettext(self, context: str, message: str) -> str:
        return i18n.pgettext(context, message, self.lang)


def pick(raw: str | None) -> str:
    return raw if raw in LANGS else DEFAULT
