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
              "language", "alerts", "escalation", "scheduler", "server", "web")


def _read_config(path: Path, named: bool) -> dict[str, Any]:
    if path.is_dir():
        raise ConfigError(f"{path} is a directory, not a config file",
                          hint="point CASEFLOW_CONFIG at a .toml file")
    if not path.is_file():
        if named:
            raise ConfigError(f"CASEFLOW_CONFIG names {path}, which does not exist")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # tomllib says where (line, column), never what the line holds: no secret echoed
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def _checked(data: dict[str, Any], path: Path) -> None:
    """Types of caseflow's own top-level keys: a wrong one is one config error line."""
    for key in ("database_url", "workflows_dir", "holidays_file", "timezone", "language"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string in quotes, "
                              f"not {type(data[key]).__name__}")
    for key in ("database", "alerts", "escalation", "scheduler", "server", "web"):
        if key in data and not isinstance(data[key], dict):
            raise ConfigError(f"{path}: {key} must be a table ([{key}]), "
                              f"not a {type(data[key]).__name__}",
                              hint="write database_url = \"...\" for the database"
                              if key == "database" else None)
    database = data.get("database", {})
    unknown = sorted(set(database) - {"url", "connect_timeout", "statement_timeout"})
    if unknown:
        raise ConfigError(f"{path}: unknown key database.{unknown[0]}; expected url, "
                          "connect_timeout or statement_timeout")
    if "url" in database and not isinstance(database["url"], str):
        raise ConfigError(f"{path}: database.url must be a string in quotes")
    for key in ("connect_timeout", "statement_timeout"):
        value = database.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not 0 < value <= 86400):
            raise ConfigError(f"{path}: database.{key} must be a number of seconds "
                              "from 1 to 86400")
    if "timezone" in data:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{path}: timezone {data['timezone']!r} is not a time zone",
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
        raise ConfigError(f"{path}: database_url must be a string")
    dirs: list[Path] = []
    extra = env.get("CASEFLOW_WORKFLOWS") or data.get("workflows_dir")
    if extra:
        dirs.extend(Path(p).expanduser() for p in str(extra).split(os.pathsep) if p)
    dirs.append(bundled_workflows_dir())
    holidays = env.get("CASEFLOW_HOLIDAYS") or data.get("holidays_file")
    holidays_path = Path(holidays).expanduser() if holidays else path.parent / "holidays.toml"
    if holidays and not holidays_path.is_file():
        raise ConfigError(f"holidays file {holidays_path} does not exist",
                          hint="fix CASEFLOW_HOLIDAYS or holidays_file")
    return Settings(
        database_url=normalize_url(url),
        config_path=path,
        data=data,
        workflow_dirs=dirs,
        holidays_file=holidays_path if holidays_path.is_file() or holidays else None,
        display_tz=str(data.get("timezone", "Asia/Shanghai")),
    )


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
