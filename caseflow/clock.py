"""Injected time.

Nothing in caseflow calls ``datetime.now()`` directly: services, the scheduler and
the demo receive a ``Clock`` so that tests and simulations can move time at will.
All instants are timezone-aware UTC; ``DISPLAY_TZ`` is only for showing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to: for tests, the demo and ``--as-of``."""

    current: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 1, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = ensure_utc(self.current)

    def now(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = ensure_utc(when)

    def advance(self, **kwargs: float) -> datetime:
        self.current = self.current + timedelta(**kwargs)
        return self.current


def ensure_utc(when: datetime) -> datetime:
    """Return ``when`` in UTC; a naive value is taken to be UTC (as SQLite returns it)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def local_date(when: datetime, tz: ZoneInfo = SHANGHAI) -> date:
    """The calendar date of an instant in the given zone (Asia/Shanghai by default)."""
    return ensure_utc(when).astimezone(tz).date()
