"""Where caseflow finds its database, workflows, holidays and alert channels.

Resolution order for the database URL: ``CASEFLOW_DATABASE_URL``, then
``database_url`` in the config file (``CASEFLOW_CONFIG``, else
``$XDG_CONFIG_HOME/caseflow/config.toml``), then an SQLite file in the user's XDG
data directory. Reading files lives here, outside the domain.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseflow.errors import ConfigError
from caseflow.i18n import DEFAULT, available, known

APP = "caseflow"


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


def default_config_path(env: Mapping[str, str]) -> Path:
    if env.get("CASEFLOW_CONFIG"):
        return Path(env["CASEFLOW_CONFIG"])
    base = env.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / APP / "config.toml"


def default_database_url(env: Mapping[str, str]) -> str:
    base = env.get("XDG_DATA_HOME")
    data_dir = (Path(base) if base else Path.home() / ".local" / "share") / APP
    return f"sqlite:///{data_dir / 'caseflow.db'}"


def bundled_workflows_dir() -> Path:
    """The workflows shipped with caseflow: the checkout's ``workflows/`` or the
    copy packed into the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "workflows", here / "_bundled_workflows"):
        if candidate.is_dir():
            return candidate
    return here.parent / "workflows"


@dataclass
class Settings:
    database_url: str
    config_path: Path
    data: dict[str, Any] = field(default_factory=dict)
    workflow_dirs: list[Path] = field(default_factory=list)
    holidays_file: Path | None = None
    display_tz: str = "Asia/Shanghai"
    #: The town's language: alerts to users without their own ``lang`` and the CLI
    #: when nothing else says, ``language = "zh_CN"`` in the config (the default).
    language: str = DEFAULT

    def language_of(self, user_lang: str | None) -> str:
        """The language a user reads: their own, else the town's."""
        return known(user_lang) or self.language

    def database_timeouts(self) -> dict[str, float]:
        """``[database] connect_timeout`` / ``statement_timeout`` in seconds, if set."""
        table = self.section("database")
        return {k: float(table[k]) for k in ("connect_timeout", "statement_timeout")
                if k in table}

    def section(self, *keys: str) -> dict[str, Any]:
        node: Any = self.data
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}


#: Top-level keys and sections of config.toml; anything else is reported as a typo.
KNOWN_KEYS = ("database_url", "database", "workflows_dir", "holidays_file", "timezone",
              "language", "town", "alerts", "escalation", "scheduler", "server", "web")
_STRINGS = ("database_url", "workflows_dir", "holidays_file", "timezone", "language")
_TABLES = ("database", "town", "alerts", "escalation", "scheduler", "server", "web")


def _read_config(path: Path, named: bool) -> dict[str, Any]:
    if path.is_dir():
        raise ConfigError("{path} is a directory; the configuration is a file",
                          path=path, hint="point CASEFLOW_CONFIG at config.toml")
    if not path.is_file():
        if named:
            raise ConfigError("CASEFLOW_CONFIG names {path}, which does not exist", path=path)
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # tomllib says where (line, column), never what the line holds: no secret echoed
        raise ConfigError("{path}: not valid TOML: {problem}", path=path,
                          problem=exc) from None
    except OSError as exc:
        raise ConfigError("cannot read {path}: {problem}", path=path,
                          problem=exc.strerror or exc) from None


def _checked(data: dict[str, Any], path: Path) -> None:
    """Types of caseflow's own top-level keys: a wrong one is one config error line."""
    for key in _STRINGS:
        if key in data and not isinstance(data[key], str):
            raise ConfigError("{path}: {key} must be a string in quotes, not {kind}",
                              path=path, key=key, kind=type(data[key]).__name__)
    for key in _TABLES:
        if key in data and not isinstance(data[key], dict):
            raise ConfigError("{path}: {key} must be a table [{key}], not {kind}",
                              path=path, key=key, kind=type(data[key]).__name__,
                              hint="the database is database_url = \"…\" or "
                                   "[database] url = \"…\"")
    database = data.get("database", {})
    unknown = sorted(set(database) - {"url", "connect_timeout", "statement_timeout"})
    if unknown:
        raise ConfigError("{path}: unknown key database.{key}; expected url, "
                          "connect_timeout or statement_timeout", path=path, key=unknown[0])
    if "url" in database and not isinstance(database["url"], str):
        raise ConfigError("{path}: database.url must be a string in quotes", path=path)
    for key in ("connect_timeout", "statement_timeout"):
        value = database.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not 0 < value <= 86400):
            raise ConfigError("{path}: database.{key} must be a number of seconds "
                              "from 1 to 86400", path=path, key=key)
    if "timezone" in data:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("{path}: timezone “{zone}” is not a time zone", path=path,
                              zone=data["timezone"],
                              hint="e.g. timezone = \"Asia/Shanghai\"") from None
    strays = sorted(set(data) - set(KNOWN_KEYS))
    if strays:
        import logging

        logging.getLogger("caseflow").warning(
            "%s: unknown key %r ignored (known: %s)", path, strays[0], ", ".join(KNOWN_KEYS))


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = default_config_path(env)
    data = _read_config(path, named=bool(env.get("CASEFLOW_CONFIG")))
    _checked(data, path)
    url = env.get("CASEFLOW_DATABASE_URL") or data.get("database_url") \
        or data.get("database", {}).get("url") or default_database_url(env)
    if not isinstance(url, str):
        raise ConfigError("{path}: database_url must be a string", path=path)
    dirs: list[Path] = []
    extra = env.get("CASEFLOW_WORKFLOWS") or data.get("workflows_dir")
    if extra:
        dirs.extend(Path(p).expanduser() for p in str(extra).split(os.pathsep) if p)
    dirs.append(bundled_workflows_dir())
    holidays = env.get("CASEFLOW_HOLIDAYS") or data.get("holidays_file")
    holidays_path = Path(holidays).expanduser() if holidays else path.parent / "holidays.toml"
    if holidays and not holidays_path.is_file():
        raise ConfigError("holidays file {path} does not exist",
                          hint="fix CASEFLOW_HOLIDAYS or holidays_file", path=holidays_path)
    return Settings(
        database_url=normalize_url(url),
        config_path=path,
        data=data,
        workflow_dirs=dirs,
        holidays_file=holidays_path if holidays_path.is_file() or holidays else None,
        display_tz=str(data.get("timezone", "Asia/Shanghai")),
        language=_language(data, path),
    )


def _language(data: dict[str, Any], path: Path) -> str:
    """``language`` (or ``[town] language``) from the config; zh_CN when absent."""
    town = data.get("town")
    raw = data.get("language") or (town.get("language") if isinstance(town, dict) else None)
    if raw is None:
        return DEFAULT
    found = known(str(raw))
    if found is None:
        raise ConfigError("{path}: no catalog for language “{lang}”; available: {available}",
                          path=path, lang=raw, available=list(available()))
    return found


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
