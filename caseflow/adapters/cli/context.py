"""Per-invocation CLI state: who is acting, in which language, against which database.

Everything is built lazily, so ``caseflow --help`` or ``caseflow calendar add``
never opens a database, and heavy modules load only on the paths that need them.
"""

from __future__ import annotations

import getpass
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from caseflow.errors import CaseflowError
from caseflow.redact import mask


@dataclass
class CliState:
    user: str | None = None
    database_url: str | None = None
    debug: bool = False
    lang_override: str | None = None
    _app: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)
    # remote mode: the server session (see remote.py); set by the root callback
    session: Any = field(default=None, repr=False)
    command: str = ""

    @property
    def lang(self) -> str:
        """The user's language: see :func:`cli_language`."""
        return cli_language(self.lang_override)

    @property
    def lang_is_explicit(self) -> bool:
        """--lang or CASEFLOW_LANG said it; a user's own ``lang`` does not override."""
        from caseflow.i18n import known

        return bool(self.lang_override or known(os.environ.get("CASEFLOW_LANG")))

    def app(self, *, check_schema: bool = True, create: bool = False) -> Any:
        """The App; ``create`` only for the commands that make a database (init,
        import-dump): any other command refuses a missing SQLite file instead of
        leaving an empty one behind."""
        if self.session is not None:
            raise _not_remote(self)
        if self._app is None:
            from caseflow.bootstrap import bootstrap

            self._app = bootstrap(database_url=self.database_url, clock=_clock(),
                                  create_database=create)
            if check_schema:
                from caseflow.persistence.migrate import require_current

                require_current(self._app.engine)
        return self._app

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._app is not None:
            self._app.engine.dispose()

    def call(self, name: str, /, **args: Any) -> Any:
        """Run use case ``name`` (see ``caseflow.adapters.usecases``) and return its
        result in the shape ``--json`` prints: here, or on the server in remote mode."""
        from caseflow.adapters import usecases

        case = usecases.get(name)
        if self.session is not None:
            from caseflow.adapters.cli.remote import Client

            return Client(self.session, self.lang).call(case, args)
        result = case.run(self.app(), self.actor(), **args)
        return jsonable(result, self.tz)

    def records(self, name: str, /, **args: Any) -> Any:
        """``call``, read back as objects for the renderers (see records.py)."""
        from caseflow.adapters.cli.records import wrap

        return wrap(self.call(name, **args))

    def now(self) -> datetime:
        if self._app is not None:
            return self._app.clock.now()
        clock = _clock()
        if clock is None:
            from caseflow.clock import SystemClock

            clock = SystemClock()
        return clock.now()

    def calendar(self) -> Any:
        """The working-day calendar (with the town's holidays file), without a database."""
        if self._app is not None:
            return self._app.calendar
        from caseflow.config import load_settings
        from caseflow.domain.calendar import WorkCalendar, parse_overrides

        settings = load_settings()
        overrides = {}
        if settings.holidays_file is not None and settings.holidays_file.is_file():
            overrides = parse_overrides(settings.holidays_file.read_text(encoding="utf-8"),
                                        str(settings.holidays_file))
        return WorkCalendar(overrides=overrides)

    @property
    def login(self) -> str:
        return self.user or os.environ.get("CASEFLOW_USER") or getpass.getuser()

    def actor(self) -> Any:
        if self.session is not None:
            raise _not_remote(self)
        if self._actor is None:
            from caseflow.services.directory import resolve_actor

            self._actor = resolve_actor(self.app(), self.login)
            if self._actor.lang and not self.lang_is_explicit:
                from caseflow.i18n import use

                use(self._actor.lang)
        return self._actor

    @property
    def tz(self) -> ZoneInfo:
        if self.session is not None:
            from caseflow.config import load_settings

            return ZoneInfo(load_settings().display_tz)
        return ZoneInfo(self.app(check_schema=False).settings.display_tz
                        if self._app is not None else "Asia/Shanghai")


def _not_remote(state: CliState) -> CaseflowError:
    from caseflow.errors import Refused

    return Refused("`caseflow {command}` does not work through the server yet",
                   hint="run it on the server's machine, against its database",
                   command=state.command)


def cli_language(override: str | None = None) -> str:
    """--lang, else ``CASEFLOW_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``) when it names a language with a catalog (not ``C``), else the town's
    ``language`` in the config, else zh_CN. Once the acting user is known their own
    ``lang`` replaces the locale's and the town's choice.

    An unknown ``--lang`` is a usage error naming the languages there are; an unknown
    ``CASEFLOW_LANG`` is warned about once and skipped, never silently ignored."""
    from caseflow.i18n import DEFAULT, N_, available, known

    if override:
        found = known(override)
        if found is None:
            raise UsageProblem("no catalog for language “{lang}”; available: {available}",
                               lang=override, available=list(available()))
        return found
    env_lang = os.environ.get("CASEFLOW_LANG")
    if env_lang and known(env_lang):
        return known(env_lang) or DEFAULT
    lang = _fallback_language()
    if env_lang:
        _warn_once("unknown_lang", N_("CASEFLOW_LANG={lang}: no catalog for that language; "
                                      "available: {available}"),
                   lang, lang=env_lang, available=list(available()))
    return lang


def _fallback_language() -> str:
    from caseflow.i18n import DEFAULT, known

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        raw = os.environ.get(var)
        if raw:
            tag = raw.split(".")[0]
            if tag not in ("C", "POSIX") and known(tag):
                return known(tag) or DEFAULT
            break
    try:
        from caseflow.config import load_settings

        return load_settings().language
    except CaseflowError:
        return DEFAULT  # the command itself reports the broken configuration


_warned: set[str] = set()


def _warn_once(key: str, template: str, in_lang: str | None = None, **params: Any) -> None:
    """A warning line, once per command however often its cause is met."""
    if key in _warned:
        return
    _warned.add(key)
    from caseflow.i18n import render

    _warning_line(render(template, params, in_lang), in_lang)


def _warning_line(message: str, lang: str | None = None) -> None:
    from caseflow.i18n import N_, render

    sys.stderr.write("caseflow: " + render(N_("warning: {warning}"),
                                           {"warning": _one_line(message)}, lang) + "\n")


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
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no Infinity or NaN; such a value was never valid anyway
    if isinstance(value, dict):
        return {k: jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, tz) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return jsonable(asdict(value), tz)
    return value


def print_json(value: Any, tz: ZoneInfo) -> None:
    json.dump(jsonable(value, tz), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")


class _WarningLine(logging.Handler):
    """Library warnings (e.g. a year without an official holiday schedule) as one
    ``caseflow: warning: ...`` line on whatever stderr is at the time, in the user's
    language (a ``caseflow.i18n.Text`` logged is rendered here), and each only once
    per command however many dates meet it."""

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.msg
        message = msg.render() if hasattr(msg, "render") and not record.args \
            else record.getMessage()
        if message in _warned:
            return
        _warned.add(message)
        _warning_line(mask(message))


def route_warnings() -> None:
    logger = logging.getLogger("caseflow")
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        logger.addHandler(_WarningLine(logging.WARNING))


class UsageProblem(CaseflowError):
    """A command used the wrong way (exit 2), e.g. ``ticket close`` without an id
    and without a terminal to pick one on."""

    exit_code = 2


def fail(error: CaseflowError) -> None:
    """One line on stderr: what and why (and what to do), in the user's language;
    secrets masked, control characters shown inert."""
    sys.stderr.write(f"caseflow: {_one_line(mask(localized(error)))}\n")


def localized(error: CaseflowError) -> str:
    """The error and its hint in the current (the user's) language."""
    return error.line()


def fail_unexpected(error: BaseException) -> int:
    """Errors that are not ``CaseflowError``: still one line, never a traceback.

    Database errors (a file that cannot be opened, a server that is down) are the
    user's to fix, so they get the driver's own first line and a hint.
    """
    orig = getattr(error, "orig", None)
    module = type(error).__module__
    if module.startswith("sqlalchemy") or module.startswith(("sqlite3", "psycopg")):
        detail = _one_line(mask(str(orig if orig is not None else error).split("\n")[0]))
        known = _database_trouble(detail)
        if known:
            sys.stderr.write(f"caseflow: {known}\n")
            return 1
        sys.stderr.write(f"caseflow: database error: {detail} (check --db or "
                         "CASEFLOW_DATABASE_URL; --debug shows the details)\n")
        return 1
    sys.stderr.write(f"caseflow: unexpected error: {type(error).__name__}: "
                     f"{_one_line(mask(str(error)))} (run again with --debug for the traceback "
                     "and report it)\n")
    return 1


def _database_trouble(detail: str) -> str | None:
    """The database problems people meet, said plainly (timeouts, read-only files)."""
    from caseflow.adapters.cli.i18n import _
    from caseflow.persistence.db import BUSY_TIMEOUT_MS, CONNECT_TIMEOUT_S

    lowered = detail.lower()
    if "readonly database" in lowered or "read-only" in lowered and "database" in lowered:
        return _("the database is read-only for you; only commands that read work here")
    if "database is locked" in lowered:
        return _("the database is locked: another caseflow is writing (waited {s} s); "
                 "try again").format(s=round(BUSY_TIMEOUT_MS / 1000, 1))
    if "timeout expired" in lowered or "timed out" in lowered:
        return _("the database server did not answer within {s} s; check that it is "
                 "running and reachable (--db, CASEFLOW_DATABASE_URL)").format(
                     s=CONNECT_TIMEOUT_S)
    if "statement timeout" in lowered:
        return _("the database did not finish the command in time (statement timeout); "
                 "try again later or raise [database] statement_timeout")
    return None


def _one_line(text: str) -> str:
    from caseflow.adapters.inert import one_line

    return one_line(text)
