"""Per-invocation CLI state: who is acting, in which language, against which database.

Everything is built lazily, so ``caseflow --help`` or ``caseflow calendar add``
never opens a database, and heavy modules load only on the paths that need them.
"""

from __future__ import annotations

import getpass
import json
import locale
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from caseflow.errors import CaseflowError


@dataclass
class CliState:
    user: str | None = None
    database_url: str | None = None
    debug: bool = False
    lang_override: str | None = None
    _app: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        """``CASEFLOW_LANG`` (e.g. zh_CN), else the locale, else English."""
        raw = self.lang_override or os.environ.get("CASEFLOW_LANG") or os.environ.get("LC_ALL") \
            or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") \
            or (locale.getlocale()[0] or "en")
        return "zh_CN" if raw.lower().startswith("zh") else "en"

    def app(self, *, check_schema: bool = True) -> Any:
        if self._app is None:
            from caseflow.services.app import App

            self._app = App.from_settings(database_url=self.database_url)
            if check_schema:
                from caseflow.persistence.migrate import require_current

                require_current(self._app.engine)
        return self._app

    @property
    def login(self) -> str:
        return self.user or os.environ.get("CASEFLOW_USER") or getpass.getuser()

    def actor(self) -> Any:
        if self._actor is None:
            from caseflow.services.directory import resolve_actor

            self._actor = resolve_actor(self.app(), self.login)
        return self._actor

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.app(check_schema=False).settings.display_tz
                        if self._app is not None else "Asia/Shanghai")


def jsonable(value: Any, tz: ZoneInfo) -> Any:
    """Views to JSON: datetimes as ISO 8601 with the display zone's offset."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, tz) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return jsonable(asdict(value), tz)
    return value


def print_json(value: Any, tz: ZoneInfo) -> None:
    json.dump(jsonable(value, tz), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def fail(error: CaseflowError) -> None:
    """One line on stderr: what and why (and what to do)."""
    sys.stderr.write(f"caseflow: {error}\n")
