"""Parsing what people type for dates, instants and durations.

``5wd`` is five working days, ``10d`` ten calendar days; dates are ISO
(``2026-03-01``) or with slashes (``2026/3/1``); instants without a zone are
Asia/Shanghai wall time, because that is the clock on the wall of the office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from caseflow.clock import SHANGHAI
from caseflow.domain import values
from caseflow.errors import InvalidInput

_DURATION = re.compile(r"^\s*(\d{1,4})\s*(wd|d|工作日|个工作日|天|日)\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")


@dataclass(frozen=True)
class Duration:
    """A span in working days (``working=True``) or calendar days."""

    amount: int
    working: bool

    def __str__(self) -> str:
        return f"{self.amount}{'wd' if self.working else 'd'}"


def parse_duration(text: str) -> Duration:
    """``"5wd"`` → 5 working days; ``"10d"`` → 10 calendar days (also 5工作日, 10天)."""
    match = _DURATION.match(text or "")
    if not match:
        raise InvalidInput(
            f"{text!r} is not a duration", hint="write e.g. 5wd for working days or 10d for days"
        )
    unit = match.group(2).lower()
    return Duration(int(match.group(1)), working=unit in {"wd", "工作日", "个工作日"})


def parse_date(text: str) -> date:
    """A calendar date: 2026-03-01, 2026/3/1 or 2026年3月1日."""
    match = _DATE.match(text or "")
    if not match:
        raise InvalidInput(f"{text!r} is not a date", hint="write it as YYYY-MM-DD")
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a date: {exc}") from None
    return values.day(day)


def parse_instant(text: str) -> datetime:
    """An instant, returned in UTC.

    A bare date means the end of that day in Shanghai (what "as of 3 March" means
    to a supervisor); a time without a zone is Shanghai wall time.
    """
    raw = (text or "").strip()
    if _DATE.match(raw):
        return datetime.combine(parse_date(raw), time(23, 59, 59), SHANGHAI).astimezone(UTC)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date or time", hint="write YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    values.day(value.date())  # before any zone arithmetic, which overflows at year 1 or 9999
    return value.astimezone(UTC)
