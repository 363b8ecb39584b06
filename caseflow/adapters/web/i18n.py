"""Words on the pages, per request: Chinese first, English on the switch.

The CLI selects one catalog per process; a server answers people in both languages
at once, so each request gets its own ``Words`` from the same gettext catalogs.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

from caseflow.adapters.cli.i18n import DOMAIN, LOCALE_DIR

LANGS = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "caseflow_lang"


@lru_cache(maxsize=len(LANGS))
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


@dataclass(frozen=True)
class Words:
    lang: str

    @property
    def zh(self) -> bool:
        return self.lang.startswith("zh")

    def _(self, message: str) -> str:
        return _catalog(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalog(self.lang).ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return _catalog(self.lang).pgettext(context, message)


def pick(raw: str | None) -> str:
    return raw if raw in LANGS else DEFAULT
