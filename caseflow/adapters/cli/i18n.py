"""The CLI's view of :mod:`caseflow.i18n` (kept so command modules import from here).

The one catalog system lives in ``caseflow.i18n``; this module only re-exports it.
"""

from __future__ import annotations

from caseflow.i18n import (  # noqa: F401  (re-exported)
    DOMAIN,
    LOCALE_DIR,
    N_,
    NP_,
    _,
    available,
    current,
    known,
    ngettext,
    pgettext,
    resolve,
    use,
)
