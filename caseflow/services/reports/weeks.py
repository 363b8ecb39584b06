"""ISO weeks in Asia/Shanghai and the shared arithmetic of the reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from caseflow.clock import SHANGHAI, local_date
from caseflow.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday 00:00 to the next Monday 00:00, Asia/Shanghai."""

    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        return midnight(self.monday)

    @property
    def end(self) -> datetime:
        """The first instant after the week (exclusive bound)."""
        return midnight(self.monday + timedelta(days=7))

    def previous(self) -> Week:
        return Week.containing(self.monday - timedelta(days=7))

    @classmethod
    def containing(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), SHANGHAI)


def parse_week(text: str) -> Week:
    """``2026-W11`` (or ``2026W11``) as a ``Week``; refuses anything else."""
    match = _WEEK.match(text.strip())
    if match:
        try:
            date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
        else:
            return Week(int(match[1]), int(match[2]))
    raise InvalidInput(f"{text!r} is not an ISO week", hint="write it like 2026-W11")


def last_complete_week(now: datetime) -> Week:
    """The latest week that has fully ended by ``now`` (Shanghai time)."""
    today = local_date(now)
    return Week.containing(today - timedelta(days=today.weekday() + 7))


def percent(part: float, whole: float) -> float:
    """``part / whole`` as a percentage rounded half-up to two decimals (807.82/800 → 100.98)."""
    value = Decimal(repr(float(part))) * 100 / Decimal(repr(float(whole)))
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
