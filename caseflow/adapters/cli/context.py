"""Per-invocation CLI state: who is acting, in which language, against which database.

Everything is built lazily, so ``caseflow --help`` or ``caseflow calendar add``
never opens a database, and heavy modules load only on the paths that need them.
"""

from __future__ import annotations

import getpass
import json
import locale
import logging
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
        """--lang, else ``CASEFLOW_LANG`` (e.g. zh_CN), else the locale, else English;
        any language with a compiled catalog is accepted."""
        from caseflow.adapters.cli.i18n import resolve

        raw = self.lang_override or os.environ.get("CASEFLOW_LANG") or os.environ.get("LC_ALL") \
            or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") \
            or (locale.getlocale()[0] or "en")
        return resolve(raw)

    def app(self, *, check_schema: bool = True) -> Any:
        if self._app is None:
            from caseflow.bootstrap import bootstrap

            self._app = bootstrap(database_url=self.database_url, clock=_clock())
            if check_schema:
                from caseflow.persistence.migrate import require_current

                require_current(self._app.engine)
        return self._app

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._app is not None:
            self._app.engine.dispose()

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


FAKE_NOW = "CASEFLOW_FAKE_NOW"


def _clock() -> Any:
    """The wall clock, or, for tests and demos only, a fixed instant from
    ``CASEFLOW_FAKE_NOW`` (e.g. ``2026-03-02T09:00``, Shanghai time unless a zone is
    given). Read here and nowhere else, so production code never sees it."""
    fake = os.environ.get(FAKE_NOW)
    if not fake:
        return None
    from caseflow.clock import FixedClock
    from caseflow.domain.durations import parse_instant

    return FixedClock(parse_instant(fake))


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


class _WarningLine(logging.Handler):
    """Library warnings (e.g. a year without an official holiday schedule) as one
    ``caseflow: warning: ...`` line on whatever stderr is at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"caseflow: warning: {_one_line(record.getMessage())}\n")


def route_warnings() -> None:
    logger = logging.getLogger("caseflow")
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        logger.addHandler(_WarningLine(logging.WARNING))


class UsageProblem(CaseflowError):
    """A command used the wrong way (exit 2), e.g. ``ticket close`` without an id
    and without a terminal to pick one on."""

    exit_code = 2


def fail(error: CaseflowError) -> None:
    """One line on stderr: what and why (and what to do), in the user's language for
    the refusals people meet every day."""
    sys.stderr.write(f"caseflow: {_one_line(localized(error))}\n")


def localized(error: CaseflowError) -> str:
    from caseflow.adapters.cli.i18n import _, current
    from caseflow.errors import GuardFailed, IllegalTransition, OrdersLeftOpen

    zh = current().startswith("zh")
    if isinstance(error, GuardFailed) and error.trigger:
        reasons = [_("work order #{id} {title} is not closed").format(
                       id=i, title=f"“{zh_title if zh and zh_title else title}”")
                   for i, title, zh_title in error.orders]
        reasons += [_("{fact} is not recorded").format(fact=fact) for fact in error.facts]
        return _("cannot {trigger} from stage {stage}: {reasons}").format(
            trigger=error.trigger, stage=error.stage, reasons=_("; ").join(reasons))
    if isinstance(error, OrdersLeftOpen):
        return _("case #{case} still has open work orders in stage {stage}: {ids} (pass "
                 "--cancel-open to cancel them, the --note recorded on each, or --keep-open "
                 "to leave them open)").format(
            case=error.case_id, stage=error.stage, ids=", ".join(f"#{i}" for i in error.ids))
    if isinstance(error, IllegalTransition) and error.trigger:
        return _("{trigger} is not allowed from stage {stage}; allowed: {allowed}").format(
            trigger=error.trigger, stage=error.stage,
            allowed=", ".join(error.allowed) or _("none"))
    return str(error)


def fail_unexpected(error: BaseException) -> int:
    """Errors that are not ``CaseflowError``: still one line, never a traceback.

    Database errors (a file that cannot be opened, a server that is down) are the
    user's to fix, so they get the driver's own first line and a hint.
    """
    orig = getattr(error, "orig", None)
    module = type(error).__module__
    if module.startswith("sqlalchemy") or module.startswith(("sqlite3", "psycopg")):
        detail = _one_line(str(orig if orig is not None else error).split("\n")[0])
        sys.stderr.write(f"caseflow: database error: {detail} (check --db or "
                         "CASEFLOW_DATABASE_URL; --debug shows the details)\n")
        return 1
    sys.stderr.write(f"caseflow: unexpected error: {type(error).__name__}: "
                     f"{_one_line(str(error))} (run again with --debug for the traceback "
                     "and report it)\n")
    return 1


def _one_line(text: str) -> str:
    return " ".join(text.split())
