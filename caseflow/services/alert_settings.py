"""Alert settings from the caseflow TOML config (the channels they call for are built
by the composition root: ``caseflow.adapters.notifiers.config.build_channels``).

```toml
[alerts]
max_attempts = 6        # after this many failed attempts an alert is marked failed
backoff_seconds = 60    # wait before the 2nd attempt; doubles for each further one

[alerts.email]
host = "127.0.0.1"
port = 25
sender = "caseflow@town.example"
sender_name = "caseflow 工改督办"   # optional
username = "..."                   # optional
password = "..."                   # optional, needs username
starttls = false
timeout = 10

[alerts.webhook]
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."
timeout = 10
headers = { Authorization = "Bearer ..." }
```

Validation is strict (unknown keys included) because a typo here silently loses alerts;
every problem becomes one ``ConfigError`` line naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

import httpx

from caseflow.errors import ConfigError
from caseflow.redact import mask

DEFAULT_SENDER_NAME = "caseflow 工改督办"

# Longest wait between attempts, however large max_attempts is made.
MAX_BACKOFF = timedelta(days=1)


@dataclass(frozen=True)
class EmailSettings:
    host: str
    sender: str
    port: int = 25
    sender_name: str = DEFAULT_SENDER_NAME
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AlertSettings:
    email: EmailSettings | None = None
    webhook: WebhookSettings | None = None
    max_attempts: int = 6
    backoff_seconds: float = 60.0

    def next_attempt_delay(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed attempts: backoff, 2×, 4× ... (at most a day)."""
        if attempts <= 0:
            return timedelta(0)
        seconds = self.backoff_seconds * 2.0 ** min(attempts - 1, 64)
        return timedelta(seconds=min(seconds, MAX_BACKOFF.total_seconds()))

    def gives_up(self, attempts: int) -> bool:
        """True once ``attempts`` failed attempts mean the alert is marked failed."""
        return attempts >= self.max_attempts


def load_alert_settings(data: dict[str, Any]) -> AlertSettings:
    """Read ``[alerts]``, ``[alerts.email]`` and ``[alerts.webhook]`` from a parsed TOML config."""
    alerts = data.get("alerts", {})
    _require_table("alerts", alerts)
    _reject_unknown("alerts", alerts, {"max_attempts", "backoff_seconds", "email", "webhook"})
    max_attempts = _int("alerts.max_attempts", alerts.get("max_attempts", 6), minimum=1)
    backoff = _number("alerts.backoff_seconds", alerts.get("backoff_seconds", 60))
    email = _email(alerts["email"]) if "email" in alerts else None
    webhook = _webhook(alerts["webhook"]) if "webhook" in alerts else None
    return AlertSettings(email=email, webhook=webhook, max_attempts=max_attempts,
                         backoff_seconds=backoff)


def _email(table: Any) -> EmailSettings:
    key = "alerts.email"
    _require_table(key, table)
    _reject_unknown(key, table, {"host", "port", "sender", "sender_name", "username",
                                 "password", "starttls", "timeout"})
    for required in ("host", "sender"):
        if required not in table:
            raise ConfigError(f"config: {key}.{required} is missing; e-mail alerts need it")
    host = _str(f"{key}.host", table["host"])
    sender = _str(f"{key}.sender", table["sender"])
    try:
        parsed = Address(addr_spec=sender)
    except (ValueError, IndexError, HeaderParseError):
        parsed = None
    if parsed is None or not parsed.username or not parsed.domain:
        raise ConfigError(
            f"config: {key}.sender must be an e-mail address like caseflow@town.example, "
            f"got {sender!r}"
        )
    username = _optional_str(f"{key}.username", table.get("username"))
    password = _optional_str(f"{key}.password", table.get("password"))
    if password is not None and username is None:
        raise ConfigError(f"config: {key}.password is set but {key}.username is not; set both")
    return EmailSettings(
        host=host,
        sender=sender,
        port=_int(f"{key}.port", table.get("port", 25), minimum=1, maximum=65535),
        sender_name=_str(f"{key}.sender_name", table.get("sender_name", DEFAULT_SENDER_NAME)),
        username=username,
        password=password,
        starttls=_bool(f"{key}.starttls", table.get("starttls", False)),
        timeout=_number(f"{key}.timeout", table.get("timeout", 10.0)),
    )


def _webhook(table: Any) -> WebhookSettings:
    key = "alerts.webhook"
    _require_table(key, table)
    _reject_unknown(key, table, {"url", "timeout", "headers"})
    if "url" not in table:
        raise ConfigError(f"config: {key}.url is missing; webhook alerts need it")
    url = _str(f"{key}.url", table["url"])
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(
            f"config: {key}.url must be an http:// or https:// address, got {url!r}"
        )
    headers = table.get("headers", {})
    _require_table(f"{key}.headers", headers)
    for name, value in headers.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"config: {key}.headers.{name} must be a string, "
                f"got {_show(value, key + '.headers')}"
            )
    return WebhookSettings(
        url=url,
        timeout=_number(f"{key}.timeout", table.get("timeout", 10.0)),
        headers=dict(headers),
    )


def _require_table(key: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"config: [{key}] must be a table, got {_show(value)}")


def _reject_unknown(key: str, table: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"config: unknown key {key}.{unknown[0]}; expected one of {', '.join(sorted(known))}"
        )


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"config: {key} must be a non-empty string in quotes, "
                          f"got {_show(value, key)}")
    return value


def _optional_str(key: str, value: Any) -> str | None:
    return None if value is None else _str(key, value)


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"config: {key} must be true or false, got {_show(value)}")
    return value


def _int(key: str, value: Any, *, minimum: int, maximum: int | None = None) -> int:
    in_range = (
        isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        and (maximum is None or value <= maximum)
    )
    if not in_range:
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"≥ {minimum}"
        raise ConfigError(f"config: {key} must be an integer {bounds}, got {_show(value)}")
    return value


def _number(key: str, value: Any) -> float:
    ok = (
        isinstance(value, int | float) and not isinstance(value, bool)
        and math.isfinite(value) and value > 0
    )
    if not ok:
        raise ConfigError(f"config: {key} must be a positive number of seconds, got {_show(value)}")
    return float(value)


_SECRET_KEYS = ("password", "token", "secret", "key", "url", "headers", "authorization")


def _show(value: Any, key: str = "") -> str:
    """The offending value for an error line; never a secret's (a password typed without
    quotes is still a password)."""
    if any(word in key.lower() for word in _SECRET_KEYS):
        return f"a {type(value).__name__} (value not shown)"
    return mask(f"{value!r} ({type(value).__name__})")
